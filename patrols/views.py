"""Patrol pages: the officer's patrol (start, track, findings, taps, end), the daily log, and the
supervisor's today board, patrol map, log review, week view and the leaders' street patrols.
Views parse input, call one service or selector, and render; scoping is in ``patrols.selectors``.
"""

import datetime
import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_fsm import has_transition_perm

from accounts.permissions import role_required
from accounts.roles import Role
from accounts.selectors import officers_visible_to
from citymgmt.forms import add_service_errors
from grids.maps import cells_geojson, pick_map, tile_config
from grids.models import Assignment, GridCell
from grids.selectors import supervised_communities
from patrols import forms, selectors, services
from patrols.models import LogStatus, OutreachKind

# The browser posts its position this often (seconds): ``data-interval`` on the tracker.
POINT_INTERVAL_S = 45

# A number no row has, stood in for an id in a URL reversed once a page.
URL_SLOT = 2_147_483_647
# A daily log's badge colour by status (as templates/patrols/_log_status.html draws it).
LOG_STYLES = {
    LogStatus.APPROVED: "success",
    LogStatus.SUBMITTED: "primary",
    LogStatus.RETURNED: "warning",
}


def _officer_or_403(request: HttpRequest):
    officer = selectors.officer_of(request.user)
    if officer is None:
        raise PermissionDenied
    return officer


def _my_cells(user: Any):
    postings = Assignment.objects.valid_on(timezone.localdate()).filter(officer__user=user)
    return GridCell.objects.filter(community_id__in=postings.values("community_id"))


def _map_config(cells: Any, **extra: Any) -> dict:
    return {
        "cells": cells_geojson(cells),
        **tile_config(),
        **extra,
    }


# --- the officer's patrol ---------------------------------------------------------------------


@role_required(Role.OFFICER)
def patrol(request: HttpRequest) -> HttpResponse:
    """Today's patrol: start it, or while it is open record the route, findings and taps."""
    officer = _officer_or_403(request)
    today = timezone.localdate()
    session = selectors.open_session(officer)
    context = {
        "session": session,
        "today": today,
        "outreach": selectors.todays_outreach(officer, today),
        "findings": list(selectors.findings_of_day(request.user, today)[:20]),
        "log": officer.daily_logs.filter(date=today).first(),
        "interval": POINT_INTERVAL_S,
        "distance_km": session.distance_m / 1000 if session else 0,
        "map_data": _map_config(
            _my_cells(request.user),
            tracks=[
                {"officer": str(officer.user), "open": True, "points": selectors.track(session)}
            ]
            if session
            else [],
        ),
    }
    return render(request, "patrols/patrol.html", context)


@role_required(Role.OFFICER)
@require_POST
def start(request: HttpRequest) -> HttpResponse:
    _session, created = services.start_patrol(actor=request.user)
    if created:
        messages.success(request, _("Patrol started. Keep this page open to record your route."))
    else:
        messages.info(request, _("Your patrol is still open: carry on."))
    return redirect("patrols:patrol")


@role_required(Role.OFFICER)
@require_POST
def end(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        session = services.end_patrol(
            actor=request.user, session_id=pk, notes=request.POST.get("notes", "")[:2000]
        )
    except ValidationError as error:
        messages.warning(request, error.messages[0])
        return redirect("patrols:patrol")
    messages.success(
        request,
        _("Patrol ended: %(km).1f km, %(grids)s unit grids.")
        % {"km": session.distance_m / 1000, "grids": session.grids_visited.count()},
    )
    return redirect("patrols:log_today")


def _json_error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"ok": False, "error": message}, status=status)


@role_required(Role.OFFICER)
@require_POST
def point(request: HttpRequest, pk: int) -> JsonResponse:
    """The browser's position during the patrol, as JSON ``{lat, lng, accuracy, timestamp}``
    (timestamp in ms since the epoch). Bad input and points outside the city: 400 + message."""
    try:
        payload = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError):
        return _json_error(_("The position could not be read."))
    form = forms.PointForm(payload if isinstance(payload, dict) else {})
    if not form.is_valid():
        return _json_error(_("The position could not be read."))
    data = form.cleaned_data
    try:
        saved = services.record_point(
            actor=request.user,
            session_id=pk,
            lat=data["lat"],
            lng=data["lng"],
            accuracy_m=data["accuracy"],
            recorded_at=data["timestamp"],
        )
    except ValidationError as error:
        return _json_error(error.messages[0])
    session = saved.session
    return JsonResponse(
        {
            "ok": True,
            "points": session.point_count,
            "distance_m": round(session.distance_m),
            "lat": saved.lat,
            "lng": saved.lng,
        },
        status=201,
    )


@role_required(Role.OFFICER)
@require_POST
def outreach(request: HttpRequest) -> HttpResponse:
    """One tap: a service visit or a publicity event (htmx swaps the counters)."""
    officer = _officer_or_403(request)
    kind = request.POST.get("kind", "")
    if kind not in OutreachKind.values:
        return HttpResponse(_("Unknown kind of visit."), status=400)
    services.record_outreach(actor=request.user, kind=kind)
    if request.headers.get("HX-Request") == "true":
        counts = selectors.todays_outreach(officer, timezone.localdate())
        return render(request, "patrols/_outreach.html", {"outreach": counts})
    messages.success(request, _("Recorded."))
    return redirect("patrols:patrol")


def _float_param(request: HttpRequest, name: str, limit: float) -> float | None:
    try:
        value = float(request.GET.get(name, ""))
    except ValueError:
        return None
    return value if -limit <= value <= limit else None  # NaN fails both comparisons


@role_required(Role.OFFICER)
def finding(request: HttpRequest) -> HttpResponse:
    """A finding during a patrol: fixed on site, for dispatch, or referred to a unit."""
    _officer_or_403(request)
    communities = selectors.posted_communities(request.user)
    initial = {"lat": _float_param(request, "lat", 90), "lng": _float_param(request, "lng", 180)}
    form = forms.FindingForm(
        request.POST or None, request.FILES or None, communities=communities, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            ticket = services.file_finding(
                actor=request.user, **forms.finding_arguments(form.cleaned_data)
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Ticket %(number)s recorded: %(state)s.")
                % {"number": ticket.number, "state": ticket.get_state_display()},
            )
            return redirect("patrols:patrol")
    context = {
        "form": form,
        "map_data": pick_map(
            form, communities, cells_url=reverse("cases:community_cells", args=[0])
        ),
    }
    return render(
        request, "patrols/finding.html", context, status=400 if request.method == "POST" else 200
    )


# --- daily log --------------------------------------------------------------------------------


# Days a URL may name: the bureau's records start well after 2000, and a year ahead is far
# enough for any week view. Outside this, date arithmetic (a day's bounds in local time, the
# week's Monday) would overflow on years 1 and 9999.
EARLIEST_DAY = datetime.date(2000, 1, 1)
LATEST_AHEAD = datetime.timedelta(days=366)


def _day_or_none(value: str, *, latest: datetime.date | None = None) -> datetime.date | None:
    """The ISO date ``value`` if it is one between ``EARLIEST_DAY`` and ``latest`` (default:
    a year from today), else None."""
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        return None
    if latest is None:
        latest = timezone.localdate() + LATEST_AHEAD
    return day if EARLIEST_DAY <= day <= latest else None


def _parse_day(value: str) -> datetime.date:
    """A past or present day named in the URL; anything else is a 404."""
    day = _day_or_none(value, latest=timezone.localdate())
    if day is None:
        raise Http404
    return day


@role_required(Role.OFFICER)
def log_today(request: HttpRequest) -> HttpResponse:
    return log_day(request, timezone.localdate().isoformat())


@role_required(Role.OFFICER)
def log_day(request: HttpRequest, day: str) -> HttpResponse:
    """The officer's daily log: counts computed from the day, their text, save or submit."""
    officer = _officer_or_403(request)
    date = _parse_day(day)
    log = officer.daily_logs.filter(date=date).first()
    in_time = selectors.log_open_for_writing(officer, date)
    editable = (log is None or log.editable) and in_time
    form = forms.DailyLogForm(
        request.POST or None,
        initial={"summary": log.summary, "problems": log.problems} if log else None,
    )
    if request.method == "POST":
        if not editable:
            messages.warning(
                request,
                _("This log has been submitted and can no longer be changed by you.")
                if in_time
                else _("The log of this day is closed: it can no longer be written."),
            )
            return redirect("patrols:log_day", day=date.isoformat())
        if form.is_valid():
            data = form.cleaned_data
            service = services.submit_log if "submit" in request.POST else services.save_log
            try:
                service(
                    actor=request.user,
                    day=date,
                    summary=data["summary"],
                    problems=data["problems"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Daily log submitted.") if "submit" in request.POST else _("Saved."),
                )
                return redirect("patrols:log_day", day=date.isoformat())
    counts = (
        {name: getattr(log, name) for name in selectors.COUNT_LABELS}
        if log is not None and not log.editable
        else selectors.day_counts(officer, date)
    )
    context = {
        "log": log,
        "date": date,
        "form": form,
        "editable": editable,
        "counts": selectors.labelled_counts(counts),
        "events": log.events.select_related("actor") if log else [],
        "findings": list(selectors.tickets_of_day(request.user, date)[:50]),
    }
    return render(
        request,
        "patrols/log.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


# --- supervisors ------------------------------------------------------------------------------


@role_required(Role.SUPERVISOR)
def today(request: HttpRequest) -> HttpResponse:
    """The brigade today: who is on duty, patrolling and logged, and the patrol map."""
    day = timezone.localdate()
    if request.GET.get("day"):
        day = _parse_day(request.GET["day"])
    board = list(selectors.duty_board(request.user, day))
    missing = list(
        selectors.officers_on_duty_without_submitted_log(
            day, brigade_id=selectors.brigade_scope_id(request.user)
        )
    )
    # What each row shows, worked out here once a page: the command centre's board has every
    # officer of the city, and a ``{% url %}`` or an ``{% include %}`` a row cost more than
    # the page's SQL.
    week_url = reverse("patrols:week", args=[URL_SLOT])
    log_url = reverse("patrols:log_detail", args=[URL_SLOT])
    for officer in [*board, *missing]:
        officer.week_url = week_url.replace(str(URL_SLOT), str(officer.pk))
    for officer in board:
        status = officer.log_status
        officer.log_status_label = LogStatus(status).label if status else _("Not submitted")
        officer.log_style = LOG_STYLES.get(status, "secondary")
        officer.log_url = (
            log_url.replace(str(URL_SLOT), str(officer.log_id)) if officer.log_id else ""
        )
    cells = GridCell.objects.filter(community__in=supervised_communities(request.user))
    context = {
        "day": day,
        "board": board,
        "missing": missing,
        "awaiting": selectors.logs_awaiting_review(request.user).count(),
        "map_data": {
            **selectors.patrol_map(request.user, day, cells),
            **tile_config(),
        },
    }
    return render(request, "patrols/today.html", context)


@role_required(Role.SUPERVISOR)
def review_queue(request: HttpRequest) -> HttpResponse:
    logs = list(selectors.logs_awaiting_review(request.user)[:100])
    # Each row's link and counts line made here from one reverse and one translation, not a
    # ``{% url %}`` and a ``{% blocktranslate %}`` a row.
    log_url = reverse("patrols:log_detail", args=[URL_SLOT])
    counts = _("%(found)s found, %(fixed)s fixed on site, %(visits)s visits")
    for log in logs:
        log.url = log_url.replace(str(URL_SLOT), str(log.pk))
        log.counts_line = counts % {
            "found": log.found,
            "fixed": log.fixed_on_site,
            "visits": log.contacts_visited,
        }
    return render(request, "patrols/review_queue.html", {"logs": logs})


@role_required(Role.SUPERVISOR, Role.OFFICER)
def log_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A log as the supervisor reviews it (approve / return with a note); its officer may read
    it too."""
    log = selectors.access_log(request.user, pk)
    form = forms.ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        service = services.approve_log if data["decision"] == "approve" else services.return_log
        try:
            service(actor=request.user, log_id=log.pk, note=data["note"])
        except services.LogConflict as conflict:
            messages.warning(request, conflict.message)
            return redirect("patrols:log_detail", pk=log.pk)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Log approved.") if data["decision"] == "approve" else _("Log returned."),
            )
            return redirect("patrols:review_queue")
    context = {
        "log": log,
        "form": form,
        "can_review": has_transition_perm(log.approve, request.user)
        or has_transition_perm(log.send_back, request.user),
        "counts": selectors.labelled_counts(
            {name: getattr(log, name) for name in selectors.COUNT_LABELS}
        ),
        "events": log.events.select_related("actor"),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "patrols/log_detail.html", context, status=status)


@role_required(Role.SUPERVISOR, Role.OFFICER)
def week(request: HttpRequest, officer_pk: int) -> HttpResponse:
    """One officer's week: patrols, findings and the log of each day."""
    officer = officers_visible_to(request.user).filter(pk=officer_pk).first()
    if officer is None:
        raise Http404
    anchor = _day_or_none(request.GET.get("week", "")) or timezone.localdate()
    monday = anchor - datetime.timedelta(days=anchor.weekday())
    context = {
        "officer": officer,
        "monday": monday,
        "previous": monday - datetime.timedelta(days=7),
        "next": monday + datetime.timedelta(days=7),
        "days": selectors.week_of(request.user, officer, monday),
    }
    return render(request, "patrols/week.html", context)


@role_required(Role.SUPERVISOR, Role.OFFICER, Role.ASSESSOR)
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.access_session(request.user, pk)
    cells = session.grids_visited.all()
    context = {
        "session": session,
        "cells": cells.order_by("code"),
        "map_data": _map_config(
            cells,
            tracks=[
                {
                    "officer": str(session.officer.user),
                    "open": session.is_open,
                    "points": selectors.track(session),
                }
            ],
        ),
    }
    return render(request, "patrols/session.html", context)


# --- leadership street patrols ----------------------------------------------------------------


@role_required(Role.SUPERVISOR)
def leadership_list(request: HttpRequest) -> HttpResponse:
    form = forms.LeadershipPatrolForm(request.POST or None, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            walk = services.record_leadership_patrol(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("patrols:leadership_detail", pk=walk.pk)
    walks = selectors.leadership_patrols_visible_to(request.user)[:50]
    return render(
        request,
        "patrols/leadership_list.html",
        {"form": form, "walks": walks},
        status=400 if request.method == "POST" else 200,
    )


def _leadership_walk(request: HttpRequest, pk: int):
    walk = selectors.leadership_patrols_visible_to(request.user).filter(pk=pk).first()
    if walk is None:
        raise Http404
    return walk


@role_required(Role.SUPERVISOR)
def leadership_detail(request: HttpRequest, pk: int) -> HttpResponse:
    walk = _leadership_walk(request, pk)
    communities = supervised_communities(request.user)
    form = forms.LeadershipProblemForm(request.POST or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_leadership_problem(
                actor=request.user,
                patrol_id=walk.pk,
                category=data["category"],
                description=data["description"],
                community=data["community"],
                address=data["address"],
                unit_id=data["unit"].pk,
                person=data["person"],
                deadline=data["deadline"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Problem added to the responsibility list."))
            return redirect("patrols:leadership_detail", pk=walk.pk)
    context = {
        "walk": walk,
        "form": form,
        "problems": selectors.responsibility_list(walk),
        "now": timezone.now(),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "patrols/leadership_detail.html", context, status=status)


@role_required(Role.SUPERVISOR)
def leadership_print(request: HttpRequest, pk: int) -> HttpResponse:
    walk = _leadership_walk(request, pk)
    return render(
        request,
        "patrols/leadership_print.html",
        {"walk": walk, "problems": selectors.responsibility_list(walk), "now": timezone.now()},
    )
