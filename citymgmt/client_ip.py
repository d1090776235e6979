"""The client's IP address, for per-IP rate limits (django-ratelimit ``key=``).

Behind a reverse proxy every request comes from the proxy's address, so one abuser would lock
out the whole city, and the X-Forwarded-For header can be forged by anyone. The number of proxies
we run in front of gunicorn (``TRUSTED_PROXY_COUNT``, 0 when gunicorn faces the internet, as in
docker-compose.yml without a TLS proxy) says how many right-most X-Forwarded-For entries we
added ourselves: the entry just left of those is the client as our outermost proxy saw it.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    hops = settings.TRUSTED_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    if hops <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < hops or not _is_ip(forwarded[-hops]):
        # Fewer entries than proxies (the request did not come through them all), or garbage
        # where our proxy writes the client's address.
        return remote
    return forwarded[-hops]


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def client_ip_or_none(request: HttpRequest) -> str | None:
    """The client's address for django-axes, which stores it in an IP column (PostgreSQL's
    inet refuses anything else): None when there is none, as for a unix socket or the test
    client's ``force_login``."""
    address = client_ip(request)
    return address if _is_ip(address) else None


def ratelimit_key(group: str, request: HttpRequest) -> str:
    """django-ratelimit's callable key signature."""
    return client_ip(request)
