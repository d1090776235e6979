"""Ticket deadlines: time budgets, clocks, pauses and the green/yellow/red colour.

Ordinary tickets count only working time (``citymgmt.workcalendar``); urgent tickets count
natural time. Every result is an aware datetime in the current Django time zone.
"""

import datetime as dt
import math
from dataclasses import dataclass
from enum import StrEnum

from django.utils import timezone

from citymgmt.workcalendar import (
    ONE_MINUTE,
    ZERO,
    add_working_minutes,
    working_day_minutes,
    working_minutes_between,
)

# The share of the budget after which a ticket turns yellow.
WARN_FRACTION = 0.8
# The furthest a deadline may be set by hand (a referral's 责任清单 date).
MAX_AHEAD = dt.timedelta(days=365)


def budget_minutes(value: int, unit: str) -> int:
    """A ticket type's time limit in minutes: of working time, or natural for natural_hours."""
    if unit in ("working_hours", "natural_hours"):
        return value * 60
    if unit == "working_days":
        return value * working_day_minutes()
    raise ValueError(f"unknown budget unit {unit!r}")


def _warn_minutes(minutes: int) -> int:
    # Round away float noise (0.8 * n may come out as k.9999…) before rounding down.
    return math.floor(round(minutes * WARN_FRACTION, 6))


def _advance(instant: dt.datetime, minutes: int, *, natural: bool) -> dt.datetime:
    if minutes == 0:
        # Moving by nothing leaves a deadline alone, even at 17:30 (which add_working_minutes
        # would move to the next morning: the same working instant, but confusing to display).
        return timezone.localtime(instant)
    if natural:
        return timezone.localtime(instant + dt.timedelta(minutes=minutes))
    return add_working_minutes(instant, minutes)


def escalates_at(
    deadline: dt.datetime, budget_minutes: int, *, natural: bool, fraction: float
) -> dt.datetime:
    """When ``fraction`` (≥ 1) of a ticket's time budget is used: its deadline moved on by the
    part beyond 100%, in the same kind of time (working or natural) the budget counts."""
    extra = math.ceil(round(budget_minutes * max(fraction - 1, 0), 6))
    return _advance(deadline, extra, natural=natural)


@dataclass(frozen=True)
class Clock:
    """A ticket's deadline clock: when it started, when it turns yellow and when it is overdue."""

    started_at: dt.datetime
    deadline: dt.datetime
    warn_at: dt.datetime


def start_clock(start: dt.datetime, minutes: int, *, natural: bool) -> Clock:
    """Start a clock with a budget of ``minutes`` (natural time if ``natural``, else working)."""
    started_at = timezone.localtime(start)
    return Clock(
        started_at=started_at,
        deadline=_advance(started_at, minutes, natural=natural),
        warn_at=_advance(started_at, _warn_minutes(minutes), natural=natural),
    )


def shift_for_pause(
    deadline: dt.datetime,
    warn_at: dt.datetime,
    paused_at: dt.datetime,
    resumed_at: dt.datetime,
    *,
    natural: bool,
    extra_minutes: int = 0,
) -> tuple[dt.datetime, dt.datetime]:
    """Move (deadline, warn_at) later for a pause of the clock and an approved extension.

    Both move by the working (or natural) time that elapsed between paused_at and resumed_at; the
    deadline also moves by ``extra_minutes`` and warn_at by 80% of them.
    """
    if natural:
        paused = max(resumed_at - paused_at, ZERO) // ONE_MINUTE
    else:
        paused = working_minutes_between(paused_at, resumed_at)
    return (
        _advance(deadline, paused + extra_minutes, natural=natural),
        _advance(warn_at, paused + _warn_minutes(extra_minutes), natural=natural),
    )


class Colour(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


def colour(
    now: dt.datetime, warn_at: dt.datetime | None, deadline: dt.datetime | None
) -> Colour | None:
    """The traffic-light state of a ticket at ``now``; None if it has no deadline."""
    if deadline is None:
        return None
    if now > deadline:
        return Colour.RED
    if warn_at is not None and now >= warn_at:
        return Colour.YELLOW
    return Colour.GREEN


def used_fraction(
    now: dt.datetime,
    started_at: dt.datetime | None,
    deadline: dt.datetime | None,
    *,
    natural: bool,
) -> float:
    """Share of the budget used at ``now``, clamped to [0, 1] for a progress bar; 0 if no budget."""
    if started_at is None or deadline is None:
        return 0.0
    if natural:
        budget = (deadline - started_at) / ONE_MINUTE
        used = (now - started_at) / ONE_MINUTE
    else:
        budget = working_minutes_between(started_at, deadline)
        used = working_minutes_between(started_at, now)
    if budget <= 0:
        return 0.0
    return min(max(used / budget, 0.0), 1.0)
