"""When things happen: local times, desk hours, working minutes and deadline clocks."""

import datetime as dt
from typing import Any

from django.utils import timezone

from cases import deadlines
from citymgmt import workcalendar


def local(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=timezone.get_current_timezone())


def within(start: dt.datetime, minutes: float, hours: tuple[dt.time, dt.time]) -> dt.datetime:
    """The instant ``minutes`` of a desk's or a shift's daily hours after ``start`` (every day)."""
    opens, closes = hours
    remaining = dt.timedelta(minutes=minutes)
    at = timezone.localtime(start)
    while True:
        day_open, day_close = local(at.date(), opens), local(at.date(), closes)
        at = max(at, day_open)
        if at < day_close:
            if at + remaining <= day_close:
                return at + remaining
            remaining -= day_close - at
        at = local(at.date() + dt.timedelta(days=1), opens)


def advance(start: dt.datetime, minutes: int, natural: bool) -> dt.datetime:
    """``minutes`` after ``start``, in natural or in working time."""
    if natural:
        return start + dt.timedelta(minutes=minutes)
    return workcalendar.add_working_minutes(start, minutes)


def clock_fields(at: dt.datetime, budget: int, natural: bool) -> dict[str, Any]:
    """The ticket fields of a deadline clock started at ``at``, as cases.deadlines starts it."""
    clock = deadlines.start_clock(at, budget, natural=natural)
    return {
        "time_budget_minutes": budget,
        "natural_time": natural,
        "clock_started_at": clock.started_at,
        "warn_at": clock.warn_at,
        "deadline": clock.deadline,
    }
