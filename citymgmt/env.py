"""Read configuration from the environment, failing loudly on a bad value.

Every helper names the variable in its error, so a mistyped setting stops the process at start
with a message the operator can act on instead of a confusing failure later.
"""

import base64
import binascii
import os
import re
import zoneinfo
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false (1/0, yes/no), not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


# django-ratelimit's rates: requests per (a number of) seconds, minutes, hours or days.
_RATE = re.compile(r"[1-9]\d*/\d*[smhd]")


def env_rate(name: str, default: str) -> str:
    """A rate limit such as ``5/10m`` (5 per 10 minutes), ``10/h`` or ``120/m``."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip()
    if not _RATE.fullmatch(value):
        raise ImproperlyConfigured(
            f"{name} must be a rate such as 5/10m, 10/h or 120/m (per s, m, h or d), not {raw!r}"
        )
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_database(name: str, default: str) -> dict:
    raw = os.environ.get(name) or default
    try:
        config = dj_database_url.parse(raw, conn_max_age=60, conn_health_checks=True)
    except Exception as exc:  # dj-database-url raises several types for a malformed URL
        raise ImproperlyConfigured(f"{name} is not a valid database URL ({exc}): {raw!r}") from None
    if not config.get("ENGINE"):
        raise ImproperlyConfigured(f"{name} names an unsupported database: {raw!r}")
    if config["ENGINE"] == "django.db.backends.postgresql":
        # An unreachable server fails a request (and /readyz) in seconds, not a TCP timeout.
        config.setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
        # No JIT compilation: our statements are short, and JIT turns itself on by plan cost, so
        # month-sized counts over a million tickets spent more compiling (~140 ms) than running
        # (bench/RESULTS.md). A URL's own ?options=... wins.
        config["OPTIONS"].setdefault("options", "-c jit=off")
    return config


def env_redis_url(name: str) -> str:
    raw = os.environ.get(name, "").strip()
    if raw and not raw.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            f"{name} must start with redis://, rediss:// or unix://, not {raw!r}"
        )
    return raw


def env_time_zone(name: str, default: str) -> str:
    value = os.environ.get(name) or default
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(f"{name} is not a known time zone: {value!r}") from None
    return value


def env_path(name: str, default: Path) -> Path:
    raw = os.environ.get(name)
    return Path(raw).expanduser().resolve() if raw else default


_EMAIL_BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "smtp+tls": "django.core.mail.backends.smtp.EmailBackend",
    "smtp+ssl": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "memory": "django.core.mail.backends.locmem.EmailBackend",
}


def env_email(name: str) -> dict[str, object]:
    """Django's EMAIL_* settings from one URL, or {} when the variable is unset (no e-mail).

    ``smtp://user:password@host:25``, ``smtp+tls://…:587`` (STARTTLS), ``smtp+ssl://…:465``,
    ``console://``, ``file:///var/mail/citymgmt``, ``memory://``; ``?from=cm@example.org`` sets
    the sender. User and password are percent-decoded.
    """
    raw = os.environ.get(name, "").strip()
    if not raw:
        return {}
    url = urlsplit(raw)
    backend = _EMAIL_BACKENDS.get(url.scheme)
    if backend is None:
        schemes = ", ".join(f"{scheme}://" for scheme in _EMAIL_BACKENDS)
        raise ImproperlyConfigured(f"{name} must start with one of {schemes}, not {raw!r}")
    query = parse_qs(url.query)
    settings: dict[str, object] = {"EMAIL_BACKEND": backend, "EMAIL_TIMEOUT": 10}
    if url.scheme.startswith("smtp"):
        if not url.hostname:
            raise ImproperlyConfigured(f"{name} names no mail server: {raw!r}")
        try:
            port = url.port
        except ValueError:
            raise ImproperlyConfigured(f"{name} has a bad port: {raw!r}") from None
        settings |= {
            "EMAIL_HOST": url.hostname,
            "EMAIL_PORT": port or {"smtp+tls": 587, "smtp+ssl": 465}.get(url.scheme, 25),
            "EMAIL_HOST_USER": unquote(url.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(url.password or ""),
            "EMAIL_USE_TLS": url.scheme == "smtp+tls",
            "EMAIL_USE_SSL": url.scheme == "smtp+ssl",
        }
    elif url.scheme == "file":
        settings["EMAIL_FILE_PATH"] = url.path or "/tmp/citymgmt-mail"
    if query.get("from"):
        settings["DEFAULT_FROM_EMAIL"] = query["from"][0]
    return settings


SMS_SCHEMES = ("console", "file", "aliyun", "tencent")


def parse_sms_url(raw: str, name: str = "SMS_URL") -> dict[str, str]:
    """How SMS go out, from one URL; {} when ``raw`` is empty (no SMS, and nothing offers it).

    - ``console://``: each message printed on standard output;
    - ``file:///var/sms``: one JSON file per message in that folder (the demo, the tests);
    - ``aliyun://KEY_ID:SECRET@?sign_name=城管``: Alibaba Cloud SMS (dysmsapi), optionally
      ``&region=cn-hangzhou``;
    - ``tencent://SECRET_ID:SECRET_KEY@?sdk_app_id=1400…&sign_name=城管``: Tencent Cloud SMS,
      optionally ``&region=ap-guangzhou``.

    The providers take ``&endpoint=host:port`` (and ``&protocol=http``) to talk to another
    server than theirs: a test double or a proxy. Credentials are percent-decoded.
    """
    raw = raw.strip()
    if not raw:
        return {}
    url = urlsplit(raw)
    if url.scheme not in SMS_SCHEMES:
        schemes = ", ".join(f"{scheme}://" for scheme in SMS_SCHEMES)
        raise ImproperlyConfigured(f"{name} must start with one of {schemes}, not {raw!r}")
    query = {key: values[-1] for key, values in parse_qs(url.query).items()}
    config = {"backend": url.scheme}
    if url.scheme == "file":
        if not url.path or url.path == "/":
            raise ImproperlyConfigured(f"{name} names no folder (file:///path/to/folder): {raw!r}")
        config["path"] = url.path
    if url.scheme in ("aliyun", "tencent"):
        needed = ["sign_name"] + (["sdk_app_id"] if url.scheme == "tencent" else [])
        missing = [key for key in needed if not query.get(key)]
        if not (url.username and url.password):
            missing.insert(0, "key id and secret (as user:password@)")
        if missing:
            raise ImproperlyConfigured(f"{name} lacks {', '.join(missing)}: {url.scheme}://…")
        protocol = query.get("protocol", "https")
        if protocol not in ("http", "https"):
            raise ImproperlyConfigured(f"{name}'s protocol must be http or https, not {protocol!r}")
        config |= {
            "key_id": unquote(url.username),
            "secret": unquote(url.password),
            "sign_name": query["sign_name"],
            "sdk_app_id": query.get("sdk_app_id", ""),
            "region": query.get("region", ""),
            "endpoint": query.get("endpoint", ""),
            "protocol": protocol,
        }
    return config


def env_sms(name: str) -> dict[str, str]:
    """:func:`parse_sms_url` of the variable ``name`` (checked when the settings load)."""
    return parse_sms_url(os.environ.get(name, ""), name)


def env_webhook_secret(name: str) -> str:
    """A Standard Webhooks secret (``whsec_`` and base64, or plain base64), or "" when unset."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return ""
    body = raw.removeprefix("whsec_")
    try:
        key = base64.b64decode(body + "==", validate=False)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) < 16:
        raise ImproperlyConfigured(
            f"{name} must be a Standard Webhooks secret: whsec_ and at least 16 bytes in base64"
        )
    return raw


def env_http_url(name: str) -> str:
    """An http(s) address without its trailing slash, or "" when unset."""
    raw = os.environ.get(name, "").strip().rstrip("/")
    if raw and (urlsplit(raw).scheme not in ("http", "https") or not urlsplit(raw).hostname):
        raise ImproperlyConfigured(f"{name} must be an http:// or https:// address, not {raw!r}")
    return raw
