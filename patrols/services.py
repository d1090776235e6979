"""Every write that matters to patrols and daily logs: one function per thing a person does.

Each service takes keyword-only arguments, runs in one transaction, locks the row it changes,
checks that the actor may do it (scope included: another brigade's log is a 404), and records
what changed. Patrol sessions are their own record (start, end, points); daily logs keep an
audit trail of ``DailyLogEvent`` rows.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Min
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm

from accounts.models import Officer, User
from accounts.scope import scope_of
from cases import services as cases_services
from cases.models import Category, Source, Ticket
from cases.selectors import distance_m
from grids.models import Community, GridCell
from grids.services import locate_id
from patrols import selectors
from patrols.models import (
    COUNT_FIELDS,
    DailyLog,
    DailyLogEvent,
    LeadershipPatrol,
    LeadershipProblem,
    LogAction,
    Outreach,
    OutreachKind,
    PatrolPoint,
    PatrolSession,
)

# A phone's clock may be a little ahead of ours; a point "from the future" beyond this is bogus.
CLOCK_SKEW = datetime.timedelta(minutes=2)
# A tap queued on a phone without signal keeps its own time if it arrives within a day.
QUEUED_TAP_AGE = datetime.timedelta(days=1)
# The same position again within this time is the same point, not a new one.
STANDING_STILL = datetime.timedelta(minutes=5)


class LogConflict(Exception):
    """The log changed since the actor looked at it; ``message`` says what it is now."""

    def __init__(self, log: DailyLog) -> None:
        self.log = log
        self.message = _("This log has just been changed: it is now “%(status)s”.") % {
            "status": log.get_status_display()
        }
        super().__init__(self.message)


def _officer(actor: User) -> Officer:
    officer = selectors.officer_of(actor)
    if officer is None:
        raise PermissionDenied(_("Only officers patrol and keep a daily log."))
    return officer


# --- patrol sessions ------------------------------------------------------------------------


def _close_stale(session: PatrolSession) -> None:
    """End a patrol left open past its day: at its last point, or at the midnight that ended
    its day if it has none, with a mark in its notes so the supervisor knows why."""
    last = session.points.order_by("-recorded_at", "-id").values_list("recorded_at", flat=True)
    session.ended_at = (
        last.first() or selectors.day_bounds(timezone.localdate(session.started_at))[1]
    )
    mark = _("Closed automatically: the patrol was left open overnight.")
    session.notes = f"{session.notes}\n{mark}".strip()
    session.save(update_fields=["ended_at", "notes"])


@transaction.atomic
def start_patrol(*, actor: User) -> tuple[PatrolSession, bool]:
    """An officer starts a patrol; if one is already open today it is resumed instead (one open
    patrol per officer). One left open from an earlier day is closed first (``_close_stale``),
    so it does not swallow today's route and the daily counts stay per day. Returns the session
    and whether it is new."""
    officer = _officer(actor)
    # Two taps on "start" (two tabs, a double tap) queue here; the second finds the first's row.
    Officer.objects.select_for_update().filter(pk=officer.pk).first()
    current = PatrolSession.objects.filter(officer=officer, ended_at__isnull=True).first()
    if current is not None:
        if timezone.localdate(current.started_at) >= timezone.localdate():
            return current, False
        _close_stale(current)
    try:
        with transaction.atomic():
            session = PatrolSession.objects.create(
                officer=officer, brigade_id=officer.brigade_id, started_at=timezone.now()
            )
    except IntegrityError:  # the partial unique index, where row locks are not enough
        return PatrolSession.objects.get(officer=officer, ended_at__isnull=True), False
    return session, True


def _own_open_session(actor: User, session_id: int) -> PatrolSession:
    officer = _officer(actor)
    session = get_object_or_404(
        PatrolSession.objects.select_for_update(), pk=session_id, officer=officer
    )
    if session.ended_at is not None:
        raise ValidationError(_("This patrol has ended. Start a new one to record your route."))
    return session


def city_bbox() -> tuple[float, float, float, float] | None:
    """min_lat, min_lng, max_lat, max_lng of the active unit grids (None if there are none)."""
    box = GridCell.objects.filter(is_active=True).aggregate(
        a=Min("min_lat"), b=Min("min_lng"), c=Max("max_lat"), d=Max("max_lng")
    )
    return None if box["a"] is None else (box["a"], box["b"], box["c"], box["d"])


def check_in_city(lat: float, lng: float) -> int | None:
    """The unit grid the point is in (or None between grids); ValidationError if the point is
    on no grid and outside the city's bounding box."""
    cell_id = locate_id(lat, lng)
    if cell_id is not None:
        return cell_id
    box = city_bbox()
    if box is None or not (box[0] <= lat <= box[2] and box[1] <= lng <= box[3]):
        raise ValidationError(_("This position is outside the city; it was not recorded."))
    return None


@transaction.atomic
def record_point(
    *,
    actor: User,
    session_id: int,
    lat: float,
    lng: float,
    accuracy_m: float | None = None,
    recorded_at: datetime.datetime | None = None,
) -> PatrolPoint:
    """The officer's phone reports where they are during their open patrol: the point is stored,
    its unit grid added to the grids visited and the distance walked extended. Points outside
    the city are refused (ValidationError)."""
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise ValidationError(_("This is not a position on Earth."))
    if accuracy_m is not None and accuracy_m < 0:
        raise ValidationError(_("Accuracy cannot be negative."))
    session = _own_open_session(actor, session_id)
    cell_id = check_in_city(lat, lng)
    now = timezone.now()
    if recorded_at is None or recorded_at > now + CLOCK_SKEW or recorded_at < session.started_at:
        recorded_at = now
    last = session.points.order_by("-recorded_at", "-id").first()
    if (
        last is not None
        and (last.lat, last.lng) == (lat, lng)
        and recorded_at - last.recorded_at < STANDING_STILL
    ):
        # The same fix again (the page reloaded, the officer stands still): nothing new.
        return last
    point = PatrolPoint.objects.create(
        session=session,
        lat=lat,
        lng=lng,
        accuracy_m=accuracy_m,
        recorded_at=recorded_at,
        received_at=now,
        grid_cell_id=cell_id,
    )
    if last is not None:
        session.distance_m += distance_m(last.lat, last.lng, lat, lng)
    session.point_count += 1
    session.save(update_fields=["distance_m", "point_count"])
    if cell_id is not None:
        session.grids_visited.add(cell_id)
    return point


@transaction.atomic
def end_patrol(*, actor: User, session_id: int, notes: str = "") -> PatrolSession:
    """The officer ends their open patrol, with an optional note."""
    session = _own_open_session(actor, session_id)
    session.ended_at = timezone.now()
    fields = ["ended_at"]
    if notes.strip():
        session.notes = notes.strip()
        fields.append("notes")
    session.save(update_fields=fields)
    return session


@transaction.atomic
def record_outreach(
    *,
    actor: User,
    kind: str,
    lat: float | None = None,
    lng: float | None = None,
    at: datetime.datetime | None = None,
) -> Outreach:
    """One tap by an officer: a service visit (contact card handed out) or a publicity event,
    tied to their open patrol if there is one. ``at`` is when the phone recorded it (a tap
    queued offline arrives later): kept if it lies in the last day, else the time it arrives."""
    if kind not in OutreachKind.values:
        raise ValidationError(_("Unknown kind of visit."))
    officer = _officer(actor)
    now = timezone.now()
    if at is None or at > now + CLOCK_SKEW or at < now - QUEUED_TAP_AGE:
        at = now
    return Outreach.objects.create(
        officer=officer, session=selectors.open_session(officer), kind=kind, lat=lat, lng=lng, at=at
    )


# --- patrol findings --------------------------------------------------------------------------


def file_finding(
    *,
    actor: User,
    outcome: str,
    category: Category,
    description: str,
    photos: list,
    before: list,
    after: list,
    lat: float | None,
    lng: float | None,
    address: str = "",
    community: Community | None = None,
    unit_id: int | None = None,
    person: str = "",
    deadline: datetime.datetime | None = None,
    note: str = "",
) -> Ticket:
    """An officer records a finding with one of three outcomes: fixed on site (a closed ticket
    with before/after photos), for dispatch (registered, in the supervisor's queue) or referred
    to a unit (with the clock started). Officers only; the cases services do the work."""
    place = {"lat": lat, "lng": lng, "address": address, "community": community}
    if outcome == "on_site":
        return cases_services.create_on_site_ticket(
            actor=actor,
            category=category,
            description=description,
            before=before,
            after=after,
            note=note,
            **place,
        )
    return cases_services.file_patrol_finding(
        actor=actor,
        category=category,
        description=description,
        photos=photos,
        unit_id=unit_id if outcome == "refer" else None,
        person=person,
        deadline=deadline,
        note=note,
        **place,
    )


# --- daily logs -------------------------------------------------------------------------------


def _log_for_update(officer: Officer, day: datetime.date) -> DailyLog:
    if day > timezone.localdate():
        raise ValidationError(_("A daily log cannot be written ahead of its day."))
    if not selectors.log_open_for_writing(officer, day):
        raise ValidationError(
            _(
                "The log of this day is closed: a day's log is written on that day or on the "
                "next duty day at the latest."
            )
        )
    log, _created = DailyLog.objects.get_or_create(
        officer=officer, date=day, defaults={"brigade_id": officer.brigade_id}
    )
    return DailyLog.objects.select_for_update().get(pk=log.pk)


def _set_text(log: DailyLog, summary: str, problems: str) -> None:
    if not log.editable:
        raise ValidationError(_("This log has been submitted and can no longer be changed by you."))
    log.summary = summary.strip()
    log.problems = problems.strip()


@transaction.atomic
def save_log(*, actor: User, day: datetime.date, summary: str, problems: str) -> DailyLog:
    """The officer saves their day's text without submitting it (only while it is editable, and
    only within the grace period of ``patrols.duty.earliest_log_day`` unless it was returned)."""
    log = _log_for_update(_officer(actor), day)
    _set_text(log, summary, problems)
    log.save(update_fields=["summary", "problems", "updated_at"])
    return log


@transaction.atomic
def submit_log(*, actor: User, day: datetime.date, summary: str, problems: str) -> DailyLog:
    """The officer submits their daily log (today's, their previous duty day's, or one their
    supervisor returned): the counts are taken from the day's tickets, patrols and taps at this
    moment, and the log becomes read-only to them."""
    officer = _officer(actor)
    log = _log_for_update(officer, day)
    _set_text(log, summary, problems)
    if not summary.strip():
        raise ValidationError({"summary": _("Write a few words about your day.")})
    if not has_transition_perm(log.submit, actor):
        raise PermissionDenied
    counts = selectors.day_counts(officer, day)
    for name in COUNT_FIELDS:
        setattr(log, name, counts[name])
    now = timezone.now()
    log.submit(at=now)
    log.save(
        update_fields=["status", "summary", "problems", "submitted_at", "updated_at", *COUNT_FIELDS]
    )
    DailyLogEvent.objects.create(
        log=log, actor=actor, action=LogAction.SUBMIT, counts=counts, created_at=now
    )
    return log


def _review(actor: User, log_id: int, transition: str, action: str, note: str) -> DailyLog:
    log = selectors.access_log(actor, log_id, for_update=True)
    method = getattr(log, transition)
    if not has_transition_perm(method, actor):
        if can_proceed(method) or log.officer_id == getattr(selectors.officer_of(actor), "pk", 0):
            raise PermissionDenied(_("You may not review this log."))
        raise LogConflict(log)
    now = timezone.now()
    method(by=actor, at=now, note=note.strip())
    log.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note", "updated_at"])
    DailyLogEvent.objects.create(
        log=log, actor=actor, action=action, note=note.strip(), created_at=now
    )
    return log


@transaction.atomic
def approve_log(*, actor: User, log_id: int, note: str = "") -> DailyLog:
    """A supervisor of the officer's brigade (or the command centre) approves a submitted log."""
    return _review(actor, log_id, "approve", LogAction.APPROVE, note)


@transaction.atomic
def return_log(*, actor: User, log_id: int, note: str) -> DailyLog:
    """A supervisor of the officer's brigade returns a submitted log with a note saying what to
    correct; the officer may then edit and submit it again."""
    if not note.strip():
        raise ValidationError({"note": _("Say what needs correcting.")})
    return _review(actor, log_id, "send_back", LogAction.RETURN, note)


# --- leadership street patrols ----------------------------------------------------------------


def _leader(actor: User) -> None:
    if not scope_of(actor).is_supervisor:
        raise PermissionDenied(_("Only brigade leaders and the command centre record these."))


@transaction.atomic
def record_leadership_patrol(
    *, actor: User, date: datetime.date, route: str, participants: str = ""
) -> LeadershipPatrol:
    """A brigade leader (or the command centre) records a weekly street patrol (每周巡街)."""
    _leader(actor)
    if not route.strip():
        raise ValidationError({"route": _("Say where the patrol went.")})
    if date > timezone.localdate():
        raise ValidationError({"date": _("The date cannot be in the future.")})
    return LeadershipPatrol.objects.create(
        date=date,
        leader=actor,
        brigade_id=scope_of(actor).unit_brigade_id,
        route=route.strip(),
        participants=participants.strip(),
    )


@transaction.atomic
def add_leadership_problem(
    *,
    actor: User,
    patrol_id: int,
    category: Category,
    description: str,
    community: Community,
    address: str,
    unit_id: int,
    person: str,
    deadline: datetime.datetime | None = None,
) -> LeadershipProblem:
    """A leader adds a problem to their walk's list: it becomes a ticket (source leadership
    patrol), registered and referred to the responsible unit with a deadline — a line of the
    responsibility list. The leader must supervise the place."""
    _leader(actor)
    visible = get_object_or_404(selectors.leadership_patrols_visible_to(actor), pk=patrol_id)
    # The scoped selector counts problems (GROUP BY), which PostgreSQL cannot lock FOR UPDATE:
    # lock the bare row instead, so two problems added at once get different positions.
    patrol = LeadershipPatrol.objects.select_for_update().get(pk=visible.pk)
    ticket = cases_services.create_ticket(
        actor=actor,
        source=Source.LEADERSHIP_PATROL,
        category=category,
        description=description,
        address=address,
        community=community,
        internal_note=_("Leadership street patrol of %(date)s") % {"date": patrol.date},
    )
    try:
        cases_services.register_ticket(actor=actor, ticket_id=ticket.pk)
    except PermissionDenied:
        raise ValidationError({"community": _("Choose a community your brigade covers.")}) from None
    cases_services.refer_ticket(
        actor=actor, ticket_id=ticket.pk, unit_id=unit_id, person=person, deadline=deadline
    )
    last = patrol.problems.aggregate(n=Max("position"))["n"] or 0
    return LeadershipProblem.objects.create(patrol=patrol, position=last + 1, ticket=ticket)
