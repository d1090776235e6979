"""The command centre's pages: the city map of the casework, the big screen and the hotspots.

Supervisors only: a brigade's supervisor sees their brigade, the command centre the city (the
selectors scope everything through ``accounts.scope``). Each page's data comes from a JSON
endpoint the page polls, so a wall display keeps itself up to date without a reload.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.scope import scope_of
from cases import selectors as case_selectors
from cases.filters import TicketFilter, queue_filter
from cases.models import OPEN_STATES
from command import hotspots, screen, selectors, services
from command.forms import GovernanceForm
from grids.maps import tile_config

# The map data's own parameters (the view); any other is one of the queue's filters.
VIEW_PARAMS = {"zoom", "bbox"}
# The queue's filters whose choices are the user's own lists (``queue_lists``: communities and
# the districts and streets read off them, officers, units): three statements and a few
# thousand objects, built for the map's data only when one of them is asked for.
LISTED_FILTERS = {"district", "street", "community", "assignee", "unit"}
# How often the big screen asks for its figures.
SCREEN_POLL_SECONDS = 5


def supervisor_required(*, json: bool = False) -> Callable:
    """Supervisors of a brigade or of the city. Others: a 403 (JSON for the data endpoints);
    anonymous visitors of a page go to the login page."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated and not json:
                return redirect_to_login(request.get_full_path())
            if not scope_of(request.user).is_supervisor:
                if json:
                    return JsonResponse({"error": _("You may not see this.")}, status=403)
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _map_config(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {
        **tile_config(),
        "gridZoom": selectors.GRID_ZOOM,
        "pointZoom": selectors.POINT_ZOOM,
        **extra,
    }


def _ticket_filter(request: HttpRequest, *, lists: bool = True) -> TicketFilter:
    """The queue's filters on the user's tickets (``cases.filters.queue_filter``)."""
    return queue_filter(request.user, request.GET, with_lists=lists)[0]


# --- the map ------------------------------------------------------------------------------------


@supervisor_required()
@require_GET
def city_map(request: HttpRequest) -> HttpResponse:
    """The casework on a map, with the queue's filters."""
    ticket_filter = _ticket_filter(request)
    ticket_filter.is_valid()
    query = request.GET.urlencode()
    return render(
        request,
        "command/map.html",
        {
            "filter": ticket_filter,
            "map_config": _map_config(request, dataUrl=_data_url("command:map_data", query)),
        },
    )


def _data_url(name: str, query: str) -> str:
    url = reverse(name)
    return f"{url}?{query}" if query else url


def _int(raw: str | None, default: int, low: int, high: int) -> int:
    try:
        return min(max(int(raw or default), low), high)
    except ValueError:
        return default


@supervisor_required(json=True)
@require_GET
def map_data(request: HttpRequest) -> JsonResponse:
    """The map's tickets for ``zoom`` and ``bbox`` (w,s,e,n) under the queue's filters:
    clusters per community or unit grid below ``POINT_ZOOM``, points in the view from it on."""
    if set(request.GET) <= VIEW_PARAMS:
        # No filter: the queue's default tab (open work) without building its choice lists,
        # which would cost more than the map's own SQL (the big screen asks every few seconds).
        tickets = case_selectors.tickets_visible_to(request.user).filter(state__in=OPEN_STATES)
    else:
        listed = any(request.GET.get(name) for name in LISTED_FILTERS)
        ticket_filter = _ticket_filter(request, lists=listed)
        if not ticket_filter.is_valid():
            return JsonResponse({"errors": ticket_filter.errors.get_json_data()}, status=400)
        # The queue's order is no use to an aggregate: the map sorts for itself.
        tickets = ticket_filter.qs.order_by()
    now = timezone.now()
    zoom = _int(request.GET.get("zoom"), 12, 0, 22)
    bbox = selectors.Bbox.parse(request.GET.get("bbox", ""))
    body: dict[str, Any] = {"zoom": zoom}
    if zoom >= selectors.POINT_ZOOM:
        rows, truncated = selectors.points(tickets, now=now, bbox=bbox, limit=selectors.POINT_LIMIT)
        body.update(mode="points", points=rows, truncated=truncated)
    else:
        by = "grid" if zoom >= selectors.GRID_ZOOM else "community"
        body.update(
            mode="clusters",
            level=by,
            clusters=selectors.clusters(tickets, now=now, by=by, bbox=bbox),
        )
    body["officers"] = selectors.officers_on_patrol(request.user)
    return JsonResponse(body)


# --- the big screen -----------------------------------------------------------------------------


@supervisor_required()
@require_GET
def big_screen(request: HttpRequest) -> HttpResponse:
    """The wall display (1920×1080, dark): it fetches its figures every few seconds."""
    return render(
        request,
        "command/screen.html",
        {
            "screen_config": _map_config(
                request,
                dataUrl=_data_url("command:screen_data", ""),
                mapUrl=_data_url("command:map_data", ""),
                pollSeconds=SCREEN_POLL_SECONDS,
            ),
        },
    )


@supervisor_required(json=True)
@require_GET
def screen_data(request: HttpRequest) -> JsonResponse:
    return JsonResponse(screen.screen_data(request.user))


# --- hotspots -----------------------------------------------------------------------------------


def _hotspots_page(
    request: HttpRequest, form: GovernanceForm | None = None, status: int = 200
) -> HttpResponse:
    """The ranked hotspots on a heat map; the governance form for the one chosen (from the
    list's link, or as posted when it came back with errors)."""
    rows = hotspots.hotspots(request.user)
    params = form.data if form is not None else request.GET
    chosen = next(
        (
            r
            for r in rows
            if str(r["grid_cell_id"]) == params.get("grid_cell")
            and str(r["category_id"]) == params.get("category")
        ),
        None,
    )
    if form is None and chosen is not None:
        form = GovernanceForm(
            units=case_selectors.referral_units(),
            initial={
                "grid_cell": chosen["grid_cell_id"],
                "category": chosen["category_id"],
                "description": _(
                    "Source governance: %(category)s keeps coming back in %(community)s "
                    "%(cell)s (%(n)s tickets in %(days)s days). Find and remove the cause."
                )
                % {
                    "category": chosen["category"],
                    "community": chosen["community"],
                    "cell": chosen["cell"],
                    "n": chosen["current"],
                    "days": hotspots.Thresholds.current().days,
                },
            },
        )
    if form is not None and chosen is None:
        # Posted for a hotspot that is gone (or never was one): say so above the list.
        messages.error(request, _("This is no longer a hotspot: too few tickets in the period."))
    return render(
        request,
        "command/hotspots.html",
        {
            "hotspots": rows,
            "form": form,
            "chosen": chosen,
            "limits": hotspots.Thresholds.current(),
            "map_config": _map_config(
                request,
                heat=hotspots.heat(request.user),
                spots=[
                    {"lat": r["lat"], "lng": r["lng"], "n": r["current"], "label": r["cell"]}
                    for r in rows
                ],
            ),
        },
        status=status,
    )


@supervisor_required()
@require_GET
def hotspot_list(request: HttpRequest) -> HttpResponse:
    """Grid cells × categories where the same problem keeps coming back, ranked, with trend."""
    return _hotspots_page(request)


@supervisor_required()
@require_POST
def open_task(request: HttpRequest) -> HttpResponse:
    """Open a governance task from a hotspot; errors re-render the list with the form kept."""
    form = GovernanceForm(request.POST, units=case_selectors.referral_units())
    if not form.is_valid():
        return _hotspots_page(request, form, status=400)
    data = form.cleaned_data
    try:
        task = services.open_governance_task(
            actor=request.user,
            grid_cell_id=data["grid_cell"],
            category_id=data["category"],
            unit_id=data["unit"].pk,
            person=data["person"],
            description=data["description"],
            deadline=data["deadline"],
            note=data["note"],
        )
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error)
        return _hotspots_page(request, form, status=400)
    messages.success(
        request,
        _("Governance task %(number)s opened and referred to %(unit)s.")
        % {"number": task.ticket.number, "unit": data["unit"].name},
    )
    return redirect(task.ticket.get_absolute_url())
