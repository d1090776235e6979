"""Duty days (定时): when an officer is expected at work, from their postings and the official
calendar. Reused by the "not yet logged today" list, the evening reminder and the monthly
assessment's 日志完整率 (duty days with a submitted daily log / duty days).

A posting is on duty on a day when the day is one of its duty days (``Assignment.weekdays``),
except on an official public holiday (国庆, 春节 …: everyone is off); on an official make-up
working day (调休, a Saturday or Sunday worked in exchange), postings that work weekdays are on
duty too.
"""

import datetime
import functools
import logging
from enum import StrEnum

import chinese_calendar
from django.db.models import Q
from django.utils import timezone

from grids.models import Assignment, AssignmentQuerySet
from patrols.models import PatrolSession

logger = logging.getLogger(__name__)

WEEKDAY_DUTY = Q(weekdays__contains="1")
for _digit in "2345":
    WEEKDAY_DUTY |= Q(weekdays__contains=_digit)


class DayKind(StrEnum):
    ORDINARY = "ordinary"
    HOLIDAY = "holiday"  # an official public holiday (not a plain weekend)
    MAKEUP = "makeup"  # a weekend day worked in exchange for a holiday


@functools.lru_cache(maxsize=1024)
def day_kind(day: datetime.date) -> DayKind:
    """What the official calendar says of ``day``; years it does not know are ordinary."""
    try:
        on_holiday, festival = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return DayKind.ORDINARY
    if on_holiday and festival:
        return DayKind.HOLIDAY
    if not on_holiday and day.isoweekday() > 5:
        return DayKind.MAKEUP
    return DayKind.ORDINARY


def on_duty_assignments(day: datetime.date) -> AssignmentQuerySet:
    """Postings on duty on ``day`` (any officer): the SQL form of ``is_duty_day``."""
    kind = day_kind(day)
    postings = Assignment.objects.valid_on(day)
    if kind == DayKind.HOLIDAY:
        return postings.none()
    today = Q(weekdays__contains=str(day.isoweekday()))
    return postings.filter(today | WEEKDAY_DUTY if kind == DayKind.MAKEUP else today)


def is_duty_day(assignment: Assignment, day: datetime.date) -> bool:
    """Whether one posting is on duty on ``day`` (same rule as ``on_duty_assignments``)."""
    if assignment.valid_from > day or (assignment.valid_to and assignment.valid_to < day):
        return False
    kind = day_kind(day)
    if kind == DayKind.HOLIDAY:
        return False
    if kind == DayKind.MAKEUP and any(d in assignment.weekdays for d in "12345"):
        return True
    return str(day.isoweekday()) in assignment.weekdays


def duty_days(officer_id: int, start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """The officer's duty days from ``start`` to ``end`` inclusive (one query for the postings;
    a month is 31 days × a few postings)."""
    postings = list(
        Assignment.objects.filter(officer_id=officer_id, valid_from__lte=end).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=start)
        )
    )
    days, day = [], start
    while day <= end:
        if any(is_duty_day(p, day) for p in postings):
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


# A daily log is written on its day or, for an officer who finishes late, on the next duty day
# at the latest: on any day the officer may write today's log and those back to their previous
# duty day (a Friday's log on Monday; before a holiday's log on the first day back). Older days
# are read-only, unless the supervisor returns the log for correction.
LOG_GRACE_DUTY_DAYS = 1
# How far back the previous duty day is looked for: longer than the longest official holiday.
LOG_GRACE_LOOKBACK = datetime.timedelta(days=16)


def earliest_log_day(officer_id: int, today: datetime.date) -> datetime.date:
    """The oldest day whose log the officer may still write on ``today`` (the grace period)."""
    before = duty_days(officer_id, today - LOG_GRACE_LOOKBACK, today - datetime.timedelta(days=1))
    return before[-LOG_GRACE_DUTY_DAYS] if len(before) >= LOG_GRACE_DUTY_DAYS else today


def on_duty_at(at: datetime.datetime) -> Q:
    """Officers (a ``Q`` over ``accounts.Officer``) on duty at the moment ``at``: out on an open
    patrol, or within the hours of a posting on duty that day. The dispatch list puts them first
    (registered as ``cases.hooks.on_duty``)."""
    at = timezone.localtime(at)
    on_shift = on_duty_assignments(at.date()).filter(
        start_time__lte=at.time(), end_time__gte=at.time()
    )
    on_patrol = PatrolSession.objects.filter(ended_at__isnull=True)
    return Q(pk__in=on_shift.values("officer_id")) | Q(pk__in=on_patrol.values("officer_id"))
