"""The site's own answer to a crash (``handler500`` in ``web.urls``; a missing page is Django's
default ``handler404``, which renders templates/404.html).

A crash is the 500 page. A database outage (``citymgmt.outage``) is a 503 with ``Retry-After``
in the format of what was asked: Open311's error list under /open311/ (JSON or XML by the
suffix), the REST API's JSON error body under /api/, a page anywhere else. Nothing here may touch
the database: the pages render without a request (no context processors).
"""

import sys

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults

from citymgmt.outage import MESSAGE, RETRY_AFTER_SECONDS, is_database_outage
from open311.formats import error as open311_error


def server_error(request: HttpRequest) -> HttpResponse:
    if not is_database_outage(sys.exc_info()[1]):
        return defaults.server_error(request)
    response = _unavailable(request)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _unavailable(request: HttpRequest) -> HttpResponse:
    path = request.path
    if path.startswith("/open311/"):
        return open311_error("xml" if path.endswith(".xml") else "json", 503, str(MESSAGE))
    if path.startswith("/api/"):
        # The REST API's error body (drf-standardized-errors' shape, see citymgmt/rest.py).
        body = {
            "type": "server_error",
            "errors": [{"code": "service_unavailable", "detail": str(MESSAGE), "attr": None}],
        }
        return JsonResponse(body, status=503)
    return HttpResponse(loader.render_to_string("503.html"), status=503)
