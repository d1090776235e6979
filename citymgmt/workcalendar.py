"""Working time on China's official calendar: which days are working days, and minutes of
working time added to an instant or counted between two.

Working time is: the periods in settings.CITYMGMT_WORKING_PERIODS on
days the State Council calendar makes working days (public holidays are off, make-up days (调休)
are on, even on a weekend). Everything happens in the current Django time zone, and every result
is an aware datetime in it. Ticket deadlines (``cases.deadlines``) and duty days
(``patrols.duty``) are counted on it.
"""

import datetime as dt
import functools
import itertools
import logging

import chinese_calendar
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

logger = logging.getLogger(__name__)

ONE_DAY = dt.timedelta(days=1)
ONE_MINUTE = dt.timedelta(minutes=1)
ZERO = dt.timedelta()

Period = tuple[dt.time, dt.time]


def working_periods() -> list[Period]:
    """The working periods of a day, in order; read at call time so settings can be overridden."""
    periods = sorted((start, end) for start, end in settings.CITYMGMT_WORKING_PERIODS)
    # An empty or inverted period list would make add_working_minutes loop forever.
    if (
        not periods
        or any(start >= end for start, end in periods)
        or any(a[1] > b[0] for a, b in itertools.pairwise(periods))
    ):
        raise ImproperlyConfigured("CITYMGMT_WORKING_PERIODS: need ordered (start, end) times")
    return periods


def _day_length(periods: list[Period]) -> dt.timedelta:
    def since_midnight(t: dt.time) -> dt.timedelta:
        return dt.timedelta(hours=t.hour, minutes=t.minute, seconds=t.second)

    return sum((since_midnight(end) - since_midnight(start) for start, end in periods), ZERO)


def working_day_minutes() -> int:
    """Minutes of working time in one working day (450 with the default periods)."""
    return _day_length(working_periods()) // ONE_MINUTE


@functools.cache
def _warn_missing_calendar(year: int) -> None:
    # Cached so that the warning appears once per year, not once per day asked about.
    logger.warning(
        "chinese_calendar has no data for %s; counting Monday to Friday as working days "
        "(upgrade the chinesecalendar package)",
        year,
    )


@functools.lru_cache(maxsize=4096)
def is_working_day(day: dt.date) -> bool:
    """Whether ``day`` is a working day: official holidays off, make-up days (调休) on."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        # The package only knows the years the State Council has announced; guess plain weekdays
        # rather than stopping every deadline computation at New Year.
        _warn_missing_calendar(day.year)
        return day.weekday() < 5


@functools.cache
def _calendar_years() -> tuple[int, int]:
    """The first and last year the installed chinese_calendar knows."""
    years = [day.year for day in chinese_calendar.holidays]
    return min(years), max(years)


def _plain_weekdays(first: dt.date, last: dt.date) -> int:
    """Monday to Friday in [first, last], by arithmetic: whole weeks hold five each."""
    if last < first:
        return 0
    weeks, rest = divmod((last - first).days + 1, 7)
    return weeks * 5 + sum(1 for i in range(rest) if (first.weekday() + i) % 7 < 5)


def _working_days(first: dt.date, last: dt.date) -> int:
    """Working days in [first, last]. Days the calendar knows are looked up one by one (a few
    thousand at most); the years beyond it count plain weekdays, as ``is_working_day`` does,
    but by arithmetic, so that a span of decades costs no more than one of a year."""
    if last < first:
        return 0
    known_first, known_last = _calendar_years()
    lookup_from = max(first, dt.date(known_first, 1, 1))
    lookup_to = min(last, dt.date(known_last, 12, 31))
    total = _plain_weekdays(first, min(last, dt.date(known_first, 1, 1) - ONE_DAY))
    total += _plain_weekdays(max(first, dt.date(known_last + 1, 1, 1)), last)
    day = lookup_from
    while day <= lookup_to:
        total += is_working_day(day)
        day += ONE_DAY
    return total


def _spans(day: dt.date, periods: list[Period]) -> list[tuple[dt.datetime, dt.datetime]]:
    """The working periods of ``day`` as aware datetimes in the current time zone."""
    tz = timezone.get_current_timezone()
    return [
        (dt.datetime.combine(day, start, tzinfo=tz), dt.datetime.combine(day, end, tzinfo=tz))
        for start, end in periods
    ]


def add_working_minutes(start: dt.datetime, minutes: int) -> dt.datetime:
    """The instant at which ``minutes`` of working time have elapsed after ``start``.

    Outside working time the clock starts at the next working period; with ``minutes == 0`` the
    result is the first working instant at or after ``start``.
    """
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    periods = working_periods()
    day_length = _day_length(periods)
    remaining = dt.timedelta(minutes=minutes)
    cursor = timezone.localtime(start)
    day = cursor.date()
    week = 5 * day_length
    last_known_year = _calendar_years()[1]
    while True:
        at_day_start = cursor.time() == dt.time.min
        if at_day_start and day.year > last_known_year and remaining > week + day_length:
            # Beyond the official calendar every 7 days hold 5 working days: skip whole weeks,
            # leaving more than a day's work so that the ordinary steps below place the end.
            weeks = (remaining - day_length - ONE_MINUTE) // week
            remaining -= weeks * week
            day += dt.timedelta(days=7 * weeks)
            cursor = dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())
        if is_working_day(day):
            spans = _spans(day, periods)
            if cursor <= spans[0][0] and remaining > day_length:
                # The whole day fits in what is left: take it in one step, not period by period.
                remaining -= day_length
            else:
                for begin, end in spans:
                    if cursor >= end:
                        continue
                    begin = max(begin, cursor)
                    # "<=" so that an exact fit ends at the period's end, not the next morning.
                    if remaining <= end - begin:
                        return begin + remaining
                    remaining -= end - begin
        day += ONE_DAY
        cursor = dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def working_minutes_between(start: dt.datetime, end: dt.datetime) -> int:
    """Whole minutes of working time in [start, end); 0 if ``end <= start``."""
    if end <= start:
        return 0
    start, end = timezone.localtime(start), timezone.localtime(end)
    periods = working_periods()
    day_length = _day_length(periods)
    first, last = start.date(), end.date()
    total = ZERO
    for day in {first, last}:
        if is_working_day(day):
            for begin, finish in _spans(day, periods):
                total += max(min(finish, end) - max(begin, start), ZERO)
    if (last - first).days > 1:
        # The days strictly inside the interval count whole.
        total += day_length * _working_days(first + ONE_DAY, last - ONE_DAY)
    return total // ONE_MINUTE
