"""Staff casework pages: the supervisor's queue, the officer's tasks, the unit's list, the
ticket page with its actions, the hotline intake, photos and the inbox. Views parse input, call
one selector or service, and render; scoping lives in ``cases.selectors``."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_fsm import has_transition_perm

from accounts.permissions import role_required
from accounts.roles import Role
from accounts.scope import scope_of
from cases import actions, deadlines, exports, forms, hooks, selectors, services, tab_counts
from cases.contacts import can_see_contact
from cases.filters import STATUS_TABS, queue_filter
from cases.models import CLOCK_STATES, Photo, State, Ticket
from cases.permissions import supervises, takes_intake
from cases.photos import served_file
from citymgmt.forms import add_service_errors
from citymgmt.images import image_response
from citymgmt.text import as_id
from grids.maps import pick_map, tile_config
from grids.models import Assignment, Community
from grids.navigation import navigate_links
from grids.selectors import community_cells_geojson, supervised_communities
from grids.services import locate

PAGE_SIZE = 25
# The officer's and the unit's lists: a page of 50 each.
LIST_PAGE_SIZE = 50

# --- the ticket page --------------------------------------------------------------------------


@login_required
def detail(request: HttpRequest, number: str) -> HttpResponse:
    return ticket_page(request, number)


def ticket_page(
    request: HttpRequest, number: str, *, bound: tuple[str, Any] | None = None
) -> HttpResponse:
    """The ticket page; ``bound`` is ``(name, form)`` of an action's or a registered panel's
    form whose POST failed: the page comes back with it filled in and its errors, as a 400."""
    ticket = selectors.access_ticket(request.user, number)
    action_forms = []
    for spec in actions.available_actions(ticket, request.user):
        if bound is not None and bound[0] == spec.name:
            form = bound[1]
        else:
            form = spec.form_class(
                initial=actions.initial(spec, ticket),
                prefix=spec.name,
                **actions.form_kwargs(spec, ticket),
            )
        action_forms.append((spec, form))
    now = timezone.now()
    is_supervisor = supervises(ticket, request.user)
    context = {
        "ticket": ticket,
        "now": now,
        "actions": action_forms,
        "open_action": bound[0] if bound else request.GET.get("action", ""),
        "events": selectors.timeline(ticket),
        "photos": ticket.photos.all(),
        "duplicates": selectors.possible_duplicates(ticket, request.user) if is_supervisor else [],
        "show_contact": can_see_contact(request.user, ticket),
        "colour": deadlines.colour(now, ticket.warn_at, ticket.deadline)
        if ticket.state in CLOCK_STATES
        else None,
        "used": deadlines.used_fraction(
            now, ticket.clock_started_at, ticket.deadline, natural=ticket.natural_time
        ),
        "pending_extension": ticket.extension_requests.filter(decided_at__isnull=True).first()
        if ticket.extension_pending
        else None,
        "map_data": _map_data(ticket, on_task=scope_of(request.user).is_officer),
        "navigate_links": navigate_links(ticket.lat, ticket.lng, _place_name(ticket)),
        "pending_reopen_request": is_supervisor
        and ticket.satisfaction is not None
        and ticket.reopen_requests.filter(decided_at__isnull=True).exists(),
    }
    context.update(hooks.page_extras(request, ticket))
    context["panels"] = hooks.page_panels(request, ticket, bound)
    status = 200 if bound is None else 400
    return render(request, "cases/detail.html", context, status=status)


def _place_name(ticket: Ticket) -> str:
    """What the map app shows at the pin: the ticket's number and where it is."""
    return " ".join(part for part in (ticket.number, ticket.address) if part)


def _map_data(ticket: Ticket, *, on_task: bool = False) -> dict:
    """The ticket's map: its grid, its pin, and for an officer (``on_task``) their own position
    from the phone beside it."""
    cells: dict = {"type": "FeatureCollection", "features": []}
    if ticket.grid_cell_id:
        cell = ticket.grid_cell
        cells["features"].append(
            {
                "type": "Feature",
                "geometry": cell.boundary,
                "properties": {"code": cell.code, "label": cell.code[-3:]},
            }
        )
    elif ticket.community_id:
        cells = community_cells_geojson(ticket.community)
    return {
        "cells": cells,
        "point": [ticket.lat, ticket.lng] if ticket.lat is not None else None,
        **tile_config(),
        "locateMe": on_task and ticket.lat is not None,
        "meLabel": str(_("You are here")),
    }


@login_required
@require_POST
def act(request: HttpRequest, number: str, action: str) -> HttpResponse:
    spec = actions.ACTIONS_BY_NAME.get(action)
    if spec is None:
        raise Http404
    ticket = selectors.access_ticket(request.user, number)
    if not has_transition_perm(getattr(ticket, spec.transition), request.user):
        # Not possible now: someone else moved the ticket (or the step no longer applies, e.g. a
        # colleague accepted it first) — say so; only a user without the right gets a 403.
        if ticket.state != request.POST.get(f"{spec.name}-expected_state", ticket.state):
            messages.warning(request, services.TicketConflict(ticket).message)
            return redirect(ticket)
        if services.may_attempt(ticket, spec.transition, request.user):
            messages.warning(
                request,
                _("This step does not apply to ticket %(number)s.") % {"number": ticket.number},
            )
            return redirect(ticket)
        raise PermissionDenied
    form = spec.form_class(
        request.POST, request.FILES, prefix=spec.name, **actions.form_kwargs(spec, ticket)
    )
    if not form.is_valid():
        return ticket_page(request, number, bound=(spec.name, form))
    try:
        with transaction.atomic():
            spec.perform(ticket, request.user, form.cleaned_data)
    except services.TicketConflict as conflict:
        messages.warning(request, conflict.message)
        return redirect(ticket)
    except ValidationError as error:
        add_service_errors(form, error)
        return ticket_page(request, number, bound=(spec.name, form))
    messages.success(request, _("%(action)s: done.") % {"action": spec.label})
    return redirect(ticket)


# --- queues -----------------------------------------------------------------------------------


@role_required(Role.SUPERVISOR)
def queue(request: HttpRequest) -> HttpResponse:
    """The supervisor's day: every ticket of the brigade (or city), filtered, by deadline."""
    ticket_filter, (communities, officers, units) = queue_filter(request.user, request.GET)
    status = "open"
    if not ticket_filter.is_valid():
        tickets, counts = ticket_filter.queryset.none(), {}
    else:
        tickets = ticket_filter.qs
        counts = tab_counts.status_counts(
            ticket_filter.without_status(), key=ticket_filter.counts_key()
        )
        status = ticket_filter.form.cleaned_data["status"]
    rows = selectors.QueuePage(
        tickets,
        count=counts.get(status, 0),
        communities=communities,
        officers=officers,
        units=units,
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filter": ticket_filter,
        "page": page,
        "tabs": [(value, label, counts.get(value, 0)) for value, label in STATUS_TABS],
        "status": status,
        "now": timezone.now(),
        "bulk_officers": officers,
        "bulk_units": units,
        "filters_active": sum(
            1
            for name, value in request.GET.items()
            if value and name not in ("status", "sort", "page")
        ),
        "query": _query_without(request, "page"),
        "query_no_status": _query_without(request, "page", "status"),
    }
    partial = request.headers.get("HX-Request") == "true"
    template = "cases/_queue_results.html" if partial else "cases/queue.html"
    return render(request, template, context)


@role_required(Role.SUPERVISOR)
def export_csv(request: HttpRequest) -> HttpResponse:
    """The queue as CSV: every ticket the page shows with this query string (all its pages)."""
    return _export(request, exports.csv_response)


@role_required(Role.SUPERVISOR)
def export_xlsx(request: HttpRequest) -> HttpResponse:
    """The queue as an Excel workbook, as ``export_csv``."""
    return _export(request, exports.xlsx_response)


def _export(request: HttpRequest, respond: Any) -> HttpResponse:
    ticket_filter, _lists = queue_filter(request.user, request.GET)
    if not ticket_filter.is_valid():
        labels = {field.name: str(field.label) for field in ticket_filter.form}
        text = exports.refusal_text(ticket_filter.errors, labels)
        return HttpResponseBadRequest(text, content_type="text/plain; charset=utf-8")
    return respond(request.user, ticket_filter.qs)


def _query_without(request: HttpRequest, *names: str) -> str:
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


@role_required(Role.SUPERVISOR)
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    """Register, dispatch or refer the tickets ticked in the queue, each on its own."""
    user = request.user
    officers = selectors.dispatchable_officers(selectors.brigade_scope(user))
    units = selectors.referral_units()
    ids = [i for i in map(as_id, request.POST.getlist("tickets")) if i is not None]
    form = forms.BulkForm(request.POST, ticket_ids=ids, officers=officers, units=units)
    back = request.POST.get("next") or ""
    target = f"{_queue_url()}?{back}" if back else _queue_url()
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        if not ids:
            messages.error(request, _("Tick the tickets to act on first."))
        return redirect(target)
    data = form.cleaned_data
    if data["action"] == "dispatch":
        result = services.bulk_dispatch(
            actor=user, ticket_ids=data["tickets"], officer_id=data["officer"].pk
        )
    elif data["action"] == "refer":
        result = services.bulk_refer(
            actor=user,
            ticket_ids=data["tickets"],
            unit_id=data["unit"].pk,
            person=data["person"],
        )
    else:
        result = services.bulk_register(actor=user, ticket_ids=data["tickets"])
    if result.done:
        messages.success(
            request,
            _("Done for %(count)s tickets: %(numbers)s")
            % {"count": len(result.done), "numbers": ", ".join(result.done)},
        )
    for number, why in result.failed:
        messages.warning(request, f"{number}: {why}")
    return redirect(target)


def _queue_url() -> str:
    return reverse("cases:queue")


@role_required(Role.OFFICER)
def my_tasks(request: HttpRequest) -> HttpResponse:
    """An officer's work: tickets dispatched to them, then open tickets in their grids, a page
    of 50 each (``page`` and ``around``)."""
    tasks = selectors.PageFirst(selectors.officer_tasks(request.user))
    in_grids = selectors.PageFirst(selectors.open_in_my_grids(request.user))
    return render(
        request,
        "cases/my_tasks.html",
        {
            "tasks": Paginator(tasks, LIST_PAGE_SIZE).get_page(request.GET.get("page")),
            "in_grids": Paginator(in_grids, LIST_PAGE_SIZE).get_page(request.GET.get("around")),
            "now": timezone.now(),
        },
    )


@role_required(Role.OFFICER)
def on_site(request: HttpRequest) -> HttpResponse:
    """An officer records a problem fixed on the spot: the ticket is born closed."""
    postings = Assignment.objects.valid_on(timezone.localdate()).filter(officer__user=request.user)
    communities = Community.objects.filter(pk__in=postings.values("community_id")).order_by("code")
    form = forms.OnSiteForm(request.POST or None, request.FILES or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = services.create_on_site_ticket(
                actor=request.user,
                category=data["category"],
                description=data["description"],
                note=data["note"],
                before=data["before"],
                after=data["after"],
                lat=data["lat"],
                lng=data["lng"],
                address=data["address"],
                community=data["community"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Ticket %(number)s recorded as fixed on site.") % {"number": ticket}
            )
            return redirect(ticket)
    context = {
        "form": form,
        "map_data": pick_map(
            form, communities, cells_url=reverse("cases:community_cells", args=[0])
        ),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "cases/on_site.html", context, status=status)


@login_required
def community_cells(request: HttpRequest, pk: int) -> JsonResponse:
    """One community's unit grids as GeoJSON (public facts, shown on its notice board too)."""
    community = get_object_or_404(Community, pk=pk)
    return JsonResponse(community_cells_geojson(community))


@role_required(Role.HANDLER)
def unit_queue(request: HttpRequest) -> HttpResponse:
    """The responsibility list of the handler's unit: referred tickets, soonest deadline first;
    finished ones below, newest first, counted up to the cap ("10,000+": a department's
    history is most of its tickets). A page of 50 each (``page`` and ``done``)."""
    tickets = selectors.unit_queue(request.user)
    open_tickets = tickets.filter(state=State.REFERRED).order_by("deadline", "id")
    done = tickets.exclude(state=State.REFERRED).order_by("-resolved_at", "-id")
    done_rows = selectors.PageFirst(done, count=tab_counts.capped_count(done))
    return render(
        request,
        "cases/unit_queue.html",
        {
            "open_tickets": Paginator(selectors.PageFirst(open_tickets), LIST_PAGE_SIZE).get_page(
                request.GET.get("page")
            ),
            "page": Paginator(done_rows, LIST_PAGE_SIZE).get_page(request.GET.get("done")),
            "now": timezone.now(),
        },
    )


# --- intake -----------------------------------------------------------------------------------


@login_required
def intake(request: HttpRequest) -> HttpResponse:
    """A supervisor files what came in by the 12345 hotline, the digital-city platform or a
    leadership patrol."""
    if not takes_intake(request.user):
        raise PermissionDenied
    communities = supervised_communities(request.user)
    form = forms.IntakeForm(request.POST or None, request.FILES or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = services.create_ticket(
                actor=request.user,
                source=data["source"],
                category=data["category"],
                description=data["description"],
                lat=data["lat"],
                lng=data["lng"],
                address=data["address"],
                community=data["community"],
                priority=data["priority"],
                reporter_name=data["reporter_name"],
                reporter_phone=data["reporter_phone"],
                photos=data["photos"],
                internal_note=data["internal_note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if selectors.tickets_visible_to(request.user).filter(pk=ticket.pk).exists():
                messages.success(request, _("Ticket %(number)s filed.") % {"number": ticket})
                return redirect(ticket)
            messages.success(
                request,
                _("Ticket %(number)s filed; it lies outside your brigade and went to its own.")
                % {"number": ticket},
            )
            return redirect("cases:intake")
    status = 400 if request.method == "POST" else 200
    context = {
        "form": form,
        "map_data": pick_map(
            form, communities, cells_url=reverse("cases:community_cells", args=[0])
        ),
    }
    return render(request, "cases/intake.html", context, status=status)


@login_required
def locate_preview(request: HttpRequest) -> HttpResponse:
    """Which community and unit grid a tapped point falls in (an htmx snippet for forms)."""
    try:
        lat, lng = float(request.GET["lat"]), float(request.GET["lng"])
    except (KeyError, ValueError):
        return HttpResponse(_("Tap the map where the problem is."))
    cell = locate(lat, lng)
    if cell is None:
        text = _("This point is on no unit grid: choose the community below.")
    else:
        text = _("In %(community)s, unit grid %(grid)s.") % {
            "community": cell.community.name,
            "grid": cell.code,
        }
    return HttpResponse(text)


# --- photos and notifications -----------------------------------------------------------------


@login_required
def photo(request: HttpRequest, pk: int, size: str = "full") -> FileResponse:
    """A ticket photo, only to someone who may see the ticket (never a public media URL)."""
    visible = selectors.tickets_visible_to(request.user)
    item = get_object_or_404(Photo.objects.filter(ticket__in=visible), pk=pk)
    return image_response(served_file(item, size), item.content_type)
