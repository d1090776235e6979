"""Middleware for running the service: probes that answer first, and a request id per request."""

import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from ops import views
from ops.logs import request_id_var

# What we accept from the proxy's X-Request-ID: enough for a UUID or a trace id, nothing that
# could forge a log line or a header.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class ProbeMiddleware:
    """Answers /healthz and /readyz before anything else runs.

    The container and the load balancer call them by IP over plain HTTP: host validation
    (ALLOWED_HOSTS), the HTTPS redirect, sessions, locale and the per-request transaction
    (ATOMIC_REQUESTS, which would fail before the view with the database down) must not stand in
    the way. The answers hold no personal data and do not depend on the Host header.
    """

    PROBES = {"/healthz": views.healthz, "/readyz": views.readyz}

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = self.PROBES.get(request.path_info)
        if probe is not None:
            return probe(request)
        return self.get_response(request)


class RequestIdMiddleware:
    """Gives each request an id: the proxy's ``X-Request-ID`` if it is a sane token, else a new
    one. It is on ``request.request_id``, in the response's ``X-Request-ID`` and in every log
    record written while the request runs (``ops.logs.RequestContextFilter``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if SANE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response
