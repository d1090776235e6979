"""The short tracking link messages carry, and the reporter's switch for their updates."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from cases.models import Ticket
from cases.public import normalize_code
from messaging import services


@require_GET
def short_link(request: HttpRequest, code: str) -> HttpResponse:
    """``/t/<code>/``: the tracking page; a wrong code is a 404 after the same single lookup as
    a right one, as on the tracking page itself."""
    code = normalize_code(code)
    if not Ticket.objects.filter(tracking_code=code).exists():
        raise Http404
    return redirect("residents:track", code=code)


@require_POST
@never_cache
def set_updates(request: HttpRequest, code: str) -> HttpResponse:
    """The tracking page's "stop the messages" (or "send them again") button."""
    services.set_updates_stopped(code=code, stopped=request.POST.get("stop") != "0")
    return redirect("residents:track", code=normalize_code(code))
