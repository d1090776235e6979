"""Readiness checks behind /readyz: database, cache, Celery broker, Celery beat.

Each check returns a ``Check``: ok or not, how long it took, and on failure a short fixed reason
(plus the exception's class name). Never the exception's message: a broker URL in an error can
carry a password, and the probe is public.
"""

import datetime
import logging
import os
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.db.models import Max
from django.utils import timezone

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 2.0  # seconds for each network check
DEFAULT_BEAT_MAX_AGE = datetime.timedelta(minutes=15)
DEFAULT_CACHE_SECONDS = 5.0


@dataclass
class Check:
    ok: bool
    detail: str = ""
    extra: dict = field(default_factory=dict)
    ms: float = 0.0

    def as_json(self) -> dict:
        data: dict = {"ok": self.ok, "ms": round(self.ms, 1)}
        if self.detail:
            data["detail"] = self.detail
        return data | self.extra


def _timeout() -> float:
    return float(getattr(settings, "HEALTH_CHECK_TIMEOUT", DEFAULT_TIMEOUT))


def check_database(alias: str = "default") -> Check:
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return Check(ok=True)


def check_cache() -> Check:
    key = f"ops:readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    found = cache.get(key)
    cache.delete(key)
    return Check(ok=True) if found == "1" else Check(ok=False, detail="value not read back")


def check_broker() -> Check:
    url = str(settings.CELERY_BROKER_URL)
    if url.startswith(("redis://", "rediss://", "unix://")):
        import redis

        client = redis.Redis.from_url(
            url, socket_connect_timeout=_timeout(), socket_timeout=_timeout()
        )
        try:
            client.ping()
        finally:
            client.close()
        return Check(ok=True, extra={"transport": "redis"})
    if url.startswith("filesystem://"):
        options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {}
        folder = options.get("data_folder_in", "")
        if not folder or not os.path.isdir(folder):
            return Check(
                ok=False, detail="broker folder missing", extra={"transport": "filesystem"}
            )
        # os.access() says yes to root whatever the mode: write a file to be sure.
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".readyz-"):
            pass
        return Check(ok=True, extra={"transport": "filesystem"})
    from kombu import Connection

    with Connection(url, connect_timeout=_timeout()) as connection:
        connection.ensure_connection(max_retries=1)
    return Check(ok=True, extra={"transport": url.split("://", 1)[0]})


def check_beat() -> Check:
    """The newest run of any enabled periodic task: beat saves ``last_run_at`` as it sends
    tasks (every few minutes once the 5-minute reminder scan is scheduled)."""
    from django_celery_beat.models import PeriodicTask

    max_age = getattr(settings, "HEALTH_BEAT_MAX_AGE", DEFAULT_BEAT_MAX_AGE)
    newest = PeriodicTask.objects.filter(enabled=True).aggregate(newest=Max("last_run_at"))[
        "newest"
    ]
    if newest is None:
        return Check(ok=False, detail="no periodic task has run")
    age = timezone.now() - newest
    extra = {"age_s": max(0, int(age.total_seconds())), "max_age_s": int(max_age.total_seconds())}
    if age > max_age:
        return Check(ok=False, detail="last beat run too old", extra=extra)
    return Check(ok=True, extra=extra)


CHECKS: dict[str, Callable[[], Check]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "beat": check_beat,
}


def run_check(name: str, check: Callable[[], Check]) -> Check:
    """Run one check; any exception is a failed check, logged here with its traceback."""
    started = time.monotonic()
    try:
        result = check()
    except Exception as exc:  # a probe reports failures, it never raises them
        logger.warning("readiness check %s failed", name, exc_info=True)
        result = Check(ok=False, detail=f"unreachable ({type(exc).__name__})")
    result.ms = (time.monotonic() - started) * 1000
    if not result.ok and not result.detail.startswith("unreachable"):
        logger.warning("readiness check %s failed: %s", name, result.detail)
    return result


_cached: tuple[float, dict] | None = None


def readiness() -> dict:
    """``{"status": "ok"|"fail", "checks": {name: {...}}}``, computed at most once every
    HEALTH_CACHE_SECONDS per process: the probe is public, and a flood of it must not become a
    flood of database and Redis connections."""
    global _cached
    ttl = float(getattr(settings, "HEALTH_CACHE_SECONDS", DEFAULT_CACHE_SECONDS))
    now = time.monotonic()
    if _cached is not None and ttl > 0 and now - _cached[0] < ttl:
        return _cached[1]
    checks = {name: run_check(name, check) for name, check in CHECKS.items()}
    report = {
        "status": "ok" if all(check.ok for check in checks.values()) else "fail",
        "checks": {name: check.as_json() for name, check in checks.items()},
    }
    _cached = (now, report)
    return report


def forget_readiness() -> None:
    """Drop the cached report (tests; a settings change)."""
    global _cached
    _cached = None
