"""Reads about patrols and daily logs, always scoped to who is asking: an officer sees their own,
a supervisor their brigade's, the command centre and assessors the city's. Out of scope is a 404.
"""

import datetime
from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Officer, User
from accounts.roles import Role
from accounts.scope import scope_of
from cases import hooks
from cases.models import Action, Source, Ticket, TicketEvent
from cases.selectors import tickets_visible_to
from grids.models import Assignment, Community, GridCell
from patrols.duty import earliest_log_day, on_duty_assignments
from patrols.models import (
    SUBMITTED_STATES,
    DailyLog,
    LeadershipPatrol,
    LeadershipProblem,
    LogStatus,
    Outreach,
    OutreachKind,
    PatrolPoint,
    PatrolSession,
)


def enforcement_actions() -> tuple[str, ...]:
    """Enforcement steps an officer takes on a case: the enforcement route's conclusion and the
    graduated steps the features register (``cases.hooks``: shops' persuade … penalty case)."""
    return (Action.CONCLUDE, *hooks.enforcement_event_kinds())


def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The local day as [start, end) aware datetimes (Asia/Shanghai)."""
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    return start, start + datetime.timedelta(days=1)


def _scoped(queryset: QuerySet, user: User) -> QuerySet:
    """Rows with an officer and a brigade column, as the user may see them."""
    scope = scope_of(user)
    return scope.visible(queryset, scope.brigade_q("brigade_id"), scope.officer_q("officer_id"))


def sessions_visible_to(user: User) -> QuerySet[PatrolSession]:
    return _scoped(PatrolSession.objects.all(), user)


def logs_visible_to(user: User) -> QuerySet[DailyLog]:
    return _scoped(DailyLog.objects.all(), user)


def officer_of(user: User) -> Officer | None:
    """The user's field-officer profile (officers only)."""
    if not scope_of(user).is_officer:
        return None
    return user.officer


def posted_communities(user: User) -> QuerySet[Community]:
    """The communities the officer is posted to today (where a finding of theirs may lie)."""
    postings = Assignment.objects.valid_on(timezone.localdate()).filter(officer__user=user)
    return Community.objects.filter(pk__in=postings.values("community_id"))


def open_session(officer: Officer) -> PatrolSession | None:
    """The officer's patrol open since today. One left open from an earlier day is not offered
    to carry on: the page shows Start, which closes it (``services.start_patrol``)."""
    return PatrolSession.objects.filter(
        officer=officer,
        ended_at__isnull=True,
        started_at__gte=day_bounds(timezone.localdate())[0],
    ).first()


def log_open_for_writing(officer: Officer, day: datetime.date) -> bool:
    """Whether the officer may still write the log of ``day``: from the grace period's first day
    (``duty.earliest_log_day``) to today, or whenever their supervisor has returned it."""
    today = timezone.localdate()
    if day >= today:
        return day == today
    if officer.daily_logs.filter(date=day, status=LogStatus.RETURNED).exists():
        return True
    return day >= earliest_log_day(officer.pk, today)


def access_session(user: User, pk: int, *, for_update: bool = False) -> PatrolSession:
    """The patrol if the user may see it (row-locked with ``for_update``); 404 otherwise."""
    sessions = sessions_visible_to(user).select_related("officer__user", "brigade")
    if for_update:
        sessions = sessions.select_for_update(of=("self",))
    session = sessions.filter(pk=pk).first()
    if session is None:
        raise Http404
    return session


def track(session: PatrolSession) -> list[list[float]]:
    """The session's points as [[lat, lng], …], in the order walked."""
    return [
        [lat, lng]
        for lat, lng in session.points.order_by("recorded_at", "id").values_list("lat", "lng")
    ]


# --- the day's numbers --------------------------------------------------------------------------


def day_counts(officer: Officer, day: datetime.date) -> dict[str, int | float]:
    """The counts of an officer's daily log, each an SQL aggregate over the day's rows: findings
    they filed (and how many were fixed on the spot), tickets they pushed to a unit, tickets they
    reported fixed (dispatched ones too), enforcement steps they took, visits and publicity taps,
    patrols walked."""
    start, end = day_bounds(day)
    found = Ticket.objects.filter(
        reporter_id=officer.user_id,
        source=Source.PATROL,
        reported_at__gte=start,
        reported_at__lt=end,
    ).aggregate(found=Count("id"), fixed_on_site=Count("id", filter=Q(on_site=True)))
    acts = TicketEvent.objects.filter(
        actor_id=officer.user_id, created_at__gte=start, created_at__lt=end
    ).aggregate(
        referred=Count("ticket_id", filter=Q(action=Action.REFER), distinct=True),
        resolved=Count("ticket_id", filter=Q(action=Action.RESOLVE), distinct=True),
        enforced=Count("id", filter=Q(action__in=enforcement_actions())),
    )
    taps = Outreach.objects.filter(officer=officer, at__gte=start, at__lt=end).aggregate(
        contacts_visited=Count("id", filter=Q(kind=OutreachKind.VISIT)),
        publicity_events=Count("id", filter=Q(kind=OutreachKind.PUBLICITY)),
    )
    walks = PatrolSession.objects.filter(
        officer=officer, started_at__gte=start, started_at__lt=end
    ).aggregate(
        patrol_count=Count("id"),
        distance_m=Sum("distance_m"),
        first=Min("started_at"),
        last=Max("ended_at"),
    )
    minutes = 0
    for begun, ended in PatrolSession.objects.filter(
        officer=officer, started_at__gte=start, started_at__lt=end
    ).values_list("started_at", "ended_at"):
        minutes += int(((ended or min(timezone.now(), end)) - begun).total_seconds() // 60)
    return {
        **found,
        **acts,
        **taps,
        "patrol_count": walks["patrol_count"],
        "patrol_minutes": max(minutes, 0),
        "distance_m": round(walks["distance_m"] or 0.0),
    }


# What the log shows, in order, with the label each count has on the page.
COUNT_LABELS = {
    "found": _("Problems found"),
    "fixed_on_site": _("Fixed on site"),
    "referred": _("Referred to units"),
    "resolved": _("Tickets fixed"),
    "enforced": _("Enforcement actions"),
    "contacts_visited": _("Service visits"),
    "publicity_events": _("Publicity events"),
    "patrol_count": _("Patrols"),
    "patrol_minutes": _("Minutes on patrol"),
    "distance_m": _("Distance walked (m)"),
}


def labelled_counts(counts: dict) -> list[tuple[str, str, int | float]]:
    return [(name, label, counts.get(name) or 0) for name, label in COUNT_LABELS.items()]


def todays_outreach(officer: Officer, day: datetime.date) -> dict[str, int]:
    start, end = day_bounds(day)
    return Outreach.objects.filter(officer=officer, at__gte=start, at__lt=end).aggregate(
        visits=Count("id", filter=Q(kind=OutreachKind.VISIT)),
        publicity=Count("id", filter=Q(kind=OutreachKind.PUBLICITY)),
    )


def findings_of_day(user: User, day: datetime.date) -> QuerySet[Ticket]:
    """The officer's patrol findings of the day, newest first."""
    start, end = day_bounds(day)
    return (
        Ticket.objects.filter(
            reporter=user, source=Source.PATROL, reported_at__gte=start, reported_at__lt=end
        )
        .select_related("category")
        .order_by("-reported_at")
    )


def tickets_of_day(user: User, day: datetime.date) -> QuerySet[Ticket]:
    """The tickets the officer handled on the day, newest first: their patrol findings, and the
    tickets (dispatched to them or not) they reported fixed or took an enforcement step on."""
    start, end = day_bounds(day)
    handled = TicketEvent.objects.filter(
        actor=user,
        action__in=(Action.RESOLVE, *enforcement_actions()),
        created_at__gte=start,
        created_at__lt=end,
    )
    found = Q(reporter=user, source=Source.PATROL, reported_at__gte=start, reported_at__lt=end)
    return (
        Ticket.objects.filter(found | Q(pk__in=handled.values("ticket_id")))
        .select_related("category")
        .order_by("-reported_at")
    )


# --- who is on duty -----------------------------------------------------------------------------


def brigade_scope_id(user: User) -> int | None:
    """The brigade a supervisor's lists are limited to; None for the whole city (0: none)."""
    scope = scope_of(user)
    if scope.city_wide:
        return None
    return scope.brigade_id if scope.brigade_id is not None else 0


def _brigade_filter(user: User) -> Q | None:
    """None for the whole city, else the user's brigade (a Q that matches nothing if none)."""
    scope = scope_of(user)
    return None if scope.city_wide else scope.brigade_q("brigade_id")


def officers_on_duty(day: datetime.date, *, brigade_id: int | None = None) -> QuerySet[Officer]:
    """Active officers with a posting on duty on ``day`` (weekdays, public holidays and make-up
    days honoured; see ``patrols.duty``), each with ``duty_start``/``duty_end``: their earliest
    start and latest end across that day's postings."""
    postings = on_duty_assignments(day).filter(officer_id=OuterRef("pk"))
    officers = Officer.objects.filter(
        is_active=True,
        user__groups__name=Role.OFFICER,
        pk__in=on_duty_assignments(day).values("officer_id"),
    )
    if brigade_id is not None:
        officers = officers.filter(brigade_id=brigade_id)
    return officers.annotate(
        duty_start=Subquery(postings.order_by("start_time").values("start_time")[:1]),
        duty_end=Subquery(postings.order_by("-end_time").values("end_time")[:1]),
    )


def officers_on_duty_without_submitted_log(
    day: datetime.date, *, at: datetime.datetime | None = None, brigade_id: int | None = None
) -> QuerySet[Officer]:
    """Officers on duty on ``day`` whose duty has begun by ``at`` (default: now) and who have no
    submitted daily log for it: the supervisor's "not yet logged" list and the evening reminder.
    Before an officer's hours start nothing is expected of them yet."""
    at = timezone.localtime(at or timezone.now())
    officers = officers_on_duty(day, brigade_id=brigade_id)
    if at.date() == day:
        officers = officers.filter(duty_start__lte=at.time())
    elif at.date() < day:
        return officers.none()
    handed_in = DailyLog.objects.filter(
        officer_id=OuterRef("pk"), date=day, status__in=SUBMITTED_STATES
    )
    return officers.exclude(Exists(handed_in)).select_related("user").order_by("badge_number")


def _board_officers(user: User, day: datetime.date) -> QuerySet[Officer]:
    officers = officers_on_duty(day)
    brigades = _brigade_filter(user)
    return officers.filter(brigades) if brigades is not None else officers


def _patrols_of(day: datetime.date) -> QuerySet[PatrolSession]:
    start, end = day_bounds(day)
    return PatrolSession.objects.filter(
        officer_id=OuterRef("pk"), started_at__gte=start, started_at__lt=end
    )


def duty_board(user: User, day: datetime.date) -> QuerySet[Officer]:
    """Who is on duty ``day`` in the supervisor's brigade (the city for the command centre), with
    their hours, whether they have started / are on a patrol, and their log's status: one query."""
    sessions = _patrols_of(day)
    log = DailyLog.objects.filter(officer_id=OuterRef("pk"), date=day)
    return (
        _board_officers(user, day)
        .annotate(
            patrolled=Exists(sessions),
            on_patrol=Exists(sessions.filter(ended_at__isnull=True)),
            log_status=Subquery(log.values("status")[:1]),
            log_id=Subquery(log.values("pk")[:1]),
        )
        .select_related("user")
        .order_by("duty_start", "badge_number")
    )


# --- logs ---------------------------------------------------------------------------------------


def access_log(user: User, pk: int, *, for_update: bool = False) -> DailyLog:
    """The daily log if the user may see it (row-locked with ``for_update``); 404 otherwise."""
    logs = logs_visible_to(user).select_related("officer__user", "brigade", "reviewed_by")
    if for_update:
        logs = logs.select_for_update(of=("self",))
    log = logs.filter(pk=pk).first()
    if log is None:
        raise Http404
    return log


def logs_awaiting_review(user: User) -> QuerySet[DailyLog]:
    """Submitted logs the supervisor may review, oldest first (never the officer's own view)."""
    if not scope_of(user).is_supervisor:
        return DailyLog.objects.none()
    reviewable = DailyLog.objects.filter(status=LogStatus.SUBMITTED)
    brigades = _brigade_filter(user)
    if brigades is not None:
        reviewable = reviewable.filter(brigades)
    return reviewable.select_related("officer__user").order_by("date", "officer__badge_number")


@dataclass
class WeekDay:
    day: datetime.date
    log: DailyLog | None
    patrols: int
    distance_m: float
    findings: int


def week_of(user: User, officer: Officer, monday: datetime.date) -> list[WeekDay]:
    """Seven days of one officer's work: logs, patrols and findings per day (three queries)."""
    sunday = monday + datetime.timedelta(days=6)
    start, _ = day_bounds(monday)
    _, end = day_bounds(sunday)
    logs = {
        log.date: log
        for log in logs_visible_to(user).filter(officer=officer, date__range=(monday, sunday))
    }
    walks = {
        row["day"]: row
        for row in sessions_visible_to(user)
        .filter(officer=officer, started_at__gte=start, started_at__lt=end)
        .annotate(day=F("started_at__date"))
        .values("day")
        .annotate(n=Count("id"), m=Sum("distance_m"))
    }
    found = dict(
        tickets_visible_to(user)
        .filter(
            reporter_id=officer.user_id,
            source=Source.PATROL,
            reported_at__gte=start,
            reported_at__lt=end,
        )
        .annotate(day=F("reported_at__date"))
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    days = []
    for offset in range(7):
        day = monday + datetime.timedelta(days=offset)
        walk = walks.get(day, {})
        days.append(
            WeekDay(day, logs.get(day), walk.get("n", 0), walk.get("m") or 0, found.get(day, 0))
        )
    return days


# --- the brigade's map --------------------------------------------------------------------------


def patrol_map(user: User, day: datetime.date, cells: QuerySet[GridCell]) -> dict:
    """Today's patrols of the brigade as map data: each session's track as a line, patrol
    findings as markers, the grid outlines. Four queries whatever the number of patrols."""
    start, end = day_bounds(day)
    sessions = list(
        sessions_visible_to(user)
        .filter(started_at__gte=start, started_at__lt=end)
        .select_related("officer__user")
        .order_by("started_at")
    )
    lines: dict[int, list[list[float]]] = {s.pk: [] for s in sessions}
    for session_id, lat, lng in (
        PatrolPoint.objects.filter(session_id__in=lines)
        .order_by("session_id", "recorded_at", "id")
        .values_list("session_id", "lat", "lng")
    ):
        lines[session_id].append([lat, lng])
    findings = (
        tickets_visible_to(user)
        .filter(
            source=Source.PATROL,
            reported_at__gte=start,
            reported_at__lt=end,
            lat__isnull=False,
        )
        .order_by("reported_at")
        .values_list("number", "lat", "lng", "on_site", "state")[:500]
    )
    return {
        "cells": {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "geometry": b, "properties": {"code": c, "label": c[-3:]}}
                for c, b in cells.filter(is_active=True).values_list("code", "boundary")
            ],
        },
        "tracks": [
            {
                "officer": str(s.officer.user),
                "open": s.ended_at is None,
                "points": lines[s.pk],
            }
            for s in sessions
        ],
        "markers": [
            {
                "number": n,
                "url": reverse("cases:detail", args=[n]),
                "lat": lat,
                "lng": lng,
                "on_site": on_site,
                "state": state,
            }
            for n, lat, lng, on_site, state in findings
        ],
    }


def leadership_patrols_visible_to(user: User) -> QuerySet[LeadershipPatrol]:
    """Supervisors see their brigade's leaders' walks (command centre: all); others none."""
    scope = scope_of(user)
    if not (scope.is_supervisor or scope.is_assessor):
        return LeadershipPatrol.objects.none()
    patrols = LeadershipPatrol.objects.select_related("leader").annotate(
        problem_count=Count("problems")
    )
    return scope.visible(patrols, scope.brigade_q("brigade_id"))


def responsibility_list(walk: LeadershipPatrol) -> QuerySet[LeadershipProblem]:
    """The walk's problems and the tickets they became (责任清单: number, problem, place, unit,
    deadline, status), in one query."""
    return walk.problems.select_related(
        "ticket__community", "ticket__responsible_unit", "ticket__category"
    ).order_by("position")


# --- the home pages -------------------------------------------------------------------------------


def patrol_summary(officer: Officer) -> dict:
    """The officer's home: the open patrol (if any) and today's log."""
    today = timezone.localdate()
    return {
        "patrol": open_session(officer),
        "today_log": officer.daily_logs.filter(date=today).first(),
    }


def patrol_board_summary(user: User, day: datetime.date) -> dict:
    """The supervisor's home: how many are on duty and patrolling, how many have not handed in
    their log though their hours have begun, how many logs await review (two queries)."""
    now = timezone.localtime()
    postings = on_duty_assignments(day)
    officers = Officer.objects.filter(
        is_active=True, user__groups__name=Role.OFFICER, pk__in=postings.values("officer_id")
    )
    if (brigade_id := brigade_scope_id(user)) is not None:
        officers = officers.filter(brigade_id=brigade_id)
    begun = (
        Q(pk__in=postings.filter(start_time__lte=now.time()).values("officer_id"))
        if day == now.date()
        else Q()
    )
    handed_in = DailyLog.objects.filter(
        officer_id=OuterRef("pk"), date=day, status__in=SUBMITTED_STATES
    )
    counts = officers.aggregate(
        on_duty=Count("pk"),
        on_patrol=Count("pk", filter=Exists(_patrols_of(day).filter(ended_at__isnull=True))),
        missing=Count("pk", filter=begun & ~Exists(handed_in)),
    )
    return {
        "patrols_on_duty": counts["on_duty"],
        "patrols_open": counts["on_patrol"],
        "logs_missing": counts["missing"],
        "logs_awaiting": logs_awaiting_review(user).count(),
    }
