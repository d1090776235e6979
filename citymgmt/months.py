"""Calendar months as the bureau counts them (local time, Asia/Shanghai): shared by the shops'
monthly points, the monthly assessment and the communities' public month figures."""

import datetime
from dataclasses import dataclass

from django.db.models import Q
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


@dataclass(frozen=True)
class Window:
    """The month as aware local datetimes [start, end) and as dates [first, last]."""

    month: datetime.date
    start: datetime.datetime
    end: datetime.datetime

    @classmethod
    def of(cls, month: datetime.date) -> "Window":
        start, end = month_bounds(month)
        return cls(month=start.date(), start=start, end=end)

    @property
    def first(self) -> datetime.date:
        return self.start.date()

    @property
    def last(self) -> datetime.date:
        return self.end.date() - datetime.timedelta(days=1)

    def within(self, field: str) -> Q:
        return Q(**{f"{field}__gte": self.start, f"{field}__lt": self.end})


def last_months(month: datetime.date, count: int) -> list[datetime.date]:
    """The ``count`` months ending with ``month``, oldest first."""
    months = [month_start(month)]
    while len(months) < count:
        months.append(previous_month(months[-1]))
    return months[::-1]
