"""Health probes. Served by ``ops.middleware.ProbeMiddleware`` ahead of every other middleware,
and routed in ``ops.urls`` too, so that they can be reversed and work without the middleware."""

from collections.abc import Callable

from django.db import transaction
from django.http import HttpRequest, HttpResponseNotAllowed, JsonResponse
from django.views.decorators.cache import never_cache

from ops.health import readiness


def _probe(view: Callable) -> Callable:
    view = never_cache(view)
    # The database may be down: no per-request transaction around the probe (ATOMIC_REQUESTS).
    view = transaction.non_atomic_requests(view)
    return view


@_probe
def healthz(request: HttpRequest) -> JsonResponse | HttpResponseNotAllowed:
    """The process is up and serving; touches nothing else (the container healthcheck)."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return JsonResponse({"status": "ok"})


@_probe
def readyz(request: HttpRequest) -> JsonResponse | HttpResponseNotAllowed:
    """200 when the database, cache, broker and beat all answer; 503 with each check otherwise."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    report = readiness()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)
