"""Middleware every app's pages need."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers


class VaryOnHtmxMiddleware:
    """Adds ``Vary: HX-Request`` to every HTML response.

    Pages that answer htmx with a fragment (the queue, the patrol counters) serve two bodies at
    one URL. Without the header a browser that goes back to a URL htmx pushed reuses the cached
    fragment and shows it bare. Every HTML page gets it rather than a list of views that branch
    on the header: a new branching view is covered the day it is written, and for a page that
    does not branch the header costs nothing (plain navigations never send ``HX-Request``, so
    caches keep one copy).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html"):
            patch_vary_headers(response, ["HX-Request"])
        return response
