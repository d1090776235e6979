"""The app's own 404 and 500 pages under DEBUG too.

``make run`` runs Django with DEBUG on (runserver serves the static files, cookies work over
plain http), and DEBUG makes Django answer a missing page with its technical 404 (in English,
listing every URL of the site) and a crash with its traceback page. The demo a newcomer sees
shows templates/404.html and 500.html instead, as production does; the traceback still goes to
the console. A developer who wants Django's pages sets ``CITYMGMT_DEBUG_ERROR_PAGES=1``.
Without DEBUG (production, the tests) this middleware does nothing: Django's own handlers
already answer with those pages.
"""

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import (
    BadRequest,
    MiddlewareNotUsed,
    PermissionDenied,
    SuspiciousOperation,
)
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import Resolver404
from django.views import defaults

from web.errors import server_error

logger = logging.getLogger("django.request")


class OwnErrorPages:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if not settings.DEBUG or settings.CITYMGMT_DEBUG_ERROR_PAGES:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 404 and getattr(request, "resolver_match", None) is None:
            # No URL matched: Django's answer is the technical 404 listing every URL pattern.
            return defaults.page_not_found(request, Resolver404({"path": request.path_info}))
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Http404):
            return defaults.page_not_found(request, exception)
        if _handled_by_django(exception):
            return None
        # A crash: logged with its traceback as Django would, answered with our page.
        logger.error(
            "Internal Server Error: %s",
            request.path,
            exc_info=exception,
            extra={"request": request},
        )
        return server_error(request)


def _handled_by_django(exception: Exception) -> bool:
    """Exceptions Django answers with its 400/403 handlers, not the technical 500 page."""
    return isinstance(
        exception, BadRequest | PermissionDenied | SuspiciousOperation | MultiPartParserError
    )
