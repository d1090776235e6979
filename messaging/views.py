"""The short tracking link messages carry, and the reporter's switch for their updates."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from cases.public import normalize_code
from messaging import services


@require_GET
def short_link(request: HttpRequest, code: str) -> HttpResponse:
    """``/t/<code>/``: the tracking page (a wrong code is that page's 404)."""
    return redirect("residents:track", code=normalize_code(code) or "-")


@require_POST
@never_cache
def set_updates(request: HttpRequest, code: str) -> HttpResponse:
    """The tracking page's "stop the messages" (or "send them again") button."""
    services.set_updates_stopped(code=code, stopped=request.POST.get("stop") != "0")
    return redirect("residents:track", code=normalize_code(code))
