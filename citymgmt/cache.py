"""The default cache on Redis, carrying on when Redis is down.

Redis is both the cache and the Celery broker. When it stops, the broker side is already
forgiving (``citymgmt.queue`` logs and the periodic scans catch up), but Django's own
``RedisCache`` raises on every read, so a resident's complaint form (cached category lists,
per-IP limits) would fail with it. Here a read that cannot reach Redis is a miss and a write is
dropped, each logged: pages are slower and the per-IP limits open (``RATELIMIT_FAIL_OPEN``)
until Redis is back, and nobody's complaint is lost. The limits that stop guessing (the code
lookup, erasure requests) refuse instead (``citymgmt.ratelimits``).
"""

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


def _key_missing(key: Any, delta: int = 1) -> int:
    # What Django's caches raise for incr() on a key they do not hold; django-ratelimit reads
    # it as "no count" (and then fails open).
    raise ValueError(f"Key {key!r} not found (Redis is unreachable).")


def _tolerant(
    method: Callable[..., Any], fallback: Callable[..., Any], name: str = ""
) -> Callable[..., Any]:
    name = name or method.__name__

    @functools.wraps(method)
    def call(self: RedisCacheClient, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except UNREACHABLE as exc:
            logger.warning("Cache unreachable, %s skipped: %s", name, exc)
            return fallback(*args, **kwargs)

    return call


# INCRBY on a key that exists, in one round trip (Django's client asks EXISTS first, then
# INCRBY): every per-IP limit that counts a known address goes through here.
_INCR_EXISTING = (
    "if redis.call('EXISTS', KEYS[1]) == 1 then "
    "return redis.call('INCRBY', KEYS[1], ARGV[1]) end return false"
)


def _incr_existing(self: RedisCacheClient, key: Any, delta: int) -> int:
    value = self.get_client(key, write=True).eval(_INCR_EXISTING, 1, key, delta)
    if value is None:
        raise ValueError(f"Key {key!r} not found.")
    return value


class TolerantRedisCacheClient(RedisCacheClient):
    get = _tolerant(RedisCacheClient.get, lambda key, default: default)
    get_many = _tolerant(RedisCacheClient.get_many, lambda keys: {})
    has_key = _tolerant(RedisCacheClient.has_key, lambda key: False)
    add = _tolerant(RedisCacheClient.add, lambda key, value, timeout: False)
    set = _tolerant(RedisCacheClient.set, lambda key, value, timeout: None)
    set_many = _tolerant(RedisCacheClient.set_many, lambda data, timeout: list(data))
    touch = _tolerant(RedisCacheClient.touch, lambda key, timeout: False)
    incr = _tolerant(_incr_existing, _key_missing, "incr")
    delete = _tolerant(RedisCacheClient.delete, lambda key: False)
    delete_many = _tolerant(RedisCacheClient.delete_many, lambda keys: None)
    clear = _tolerant(RedisCacheClient.clear, lambda: False)


class TolerantRedisCache(RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` that survives a Redis outage."""

    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = TolerantRedisCacheClient
