"""Calendar months as the bureau counts them (local time, Asia/Shanghai): shared by the shops'
monthly points and the monthly assessment."""

import datetime

from django.utils import timezone

# The months anyone may ask about (a page's ?month=): records start with the system, and the
# bounds keep month arithmetic far from the ends of the calendar.
FIRST_MONTH = datetime.date(2000, 1, 1)
LAST_MONTH = datetime.date(2099, 12, 1)


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(month: datetime.date) -> datetime.date:
    return (month_start(month) + datetime.timedelta(days=32)).replace(day=1)


def previous_month(month: datetime.date) -> datetime.date:
    return (month_start(month) - datetime.timedelta(days=1)).replace(day=1)


def month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The month as aware local datetimes [start, end)."""
    tz = timezone.get_current_timezone()
    return (
        datetime.datetime.combine(month_start(month), datetime.time.min, tzinfo=tz),
        datetime.datetime.combine(next_month(month), datetime.time.min, tzinfo=tz),
    )


def parse_month(value: str | None) -> datetime.date | None:
    """``YYYY-MM`` within FIRST_MONTH…LAST_MONTH as the month's first day, else None."""
    try:
        month = datetime.date.fromisoformat(f"{value}-01")
    except (TypeError, ValueError):
        return None
    return month if FIRST_MONTH <= month <= LAST_MONTH else None
