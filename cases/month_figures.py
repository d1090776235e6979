"""A month of casework in the figures the public is told (Dingnan: "317 problems found, 261
solved on the spot (82%), 45 resident reports, 44 solved, 98% satisfied"), defined once.

The monthly assessment's city totals (``assessments.engine``, ``Run.totals``) and a community's
month on its notice board (``residents.community_month``) count with these filters, so the two
can never disagree:

- **found** (发现问题): tickets found on patrol, reported in the month; **fixed_on_site** (现场
  整改): of those, fixed on the spot;
- **resident_reports** (群众反映): resident and 12345 hotline tickets reported in the month;
  **resident_resolved**: of those, resolved by now (``resolved_at`` set: a ticket sent back for
  rework is unresolved until it is resolved again);
- **rated** (评价): ratings given in the month; **rated_good**: of those, 4 or 5 stars.

Rates are percentages with one decimal, rounded half up once, None when there is nothing to
divide by (``percent``).
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet

from cases.models import Source, Ticket
from citymgmt.months import Window

RESIDENT_SOURCES = (Source.RESIDENT, Source.HOTLINE)
GOOD_RATINGS = (4, 5)

FIGURES = (
    "found",
    "fixed_on_site",
    "resident_reports",
    "resident_resolved",
    "rated",
    "rated_good",
)


def found_on_patrol(w: Window) -> Q:
    """Tickets an officer found on patrol, reported in the month."""
    return Q(source=Source.PATROL) & w.within("reported_at")


def rated_in(w: Window) -> Q:
    """Tickets rated in the month."""
    return w.within("rated_at")


def figure_filters(w: Window) -> dict[str, Q]:
    """Each figure of ``FIGURES`` for the month, as a ticket filter."""
    found = found_on_patrol(w)
    resident = Q(source__in=RESIDENT_SOURCES) & w.within("reported_at")
    rated = rated_in(w)
    return {
        "found": found,
        "fixed_on_site": found & Q(on_site=True),
        "resident_reports": resident,
        "resident_resolved": resident & Q(resolved_at__isnull=False),
        "rated": rated,
        "rated_good": rated & Q(satisfaction__in=GOOD_RATINGS),
    }


def percent(num: int, den: int) -> float | None:
    """A percentage with one decimal, rounded half up once; None when ``den`` is 0."""
    if not den:
        return None
    return float((Decimal(100 * num) / Decimal(den)).quantize(Decimal("0.1"), ROUND_HALF_UP))


@dataclass(frozen=True)
class MonthFigures:
    """One month's counts (``FIGURES``) and the two rates made of them."""

    month: datetime.date
    found: int = 0
    fixed_on_site: int = 0
    resident_reports: int = 0
    resident_resolved: int = 0
    rated: int = 0
    rated_good: int = 0

    @property
    def on_site_rate(self) -> float | None:
        return percent(self.fixed_on_site, self.found)

    @property
    def satisfaction_rate(self) -> float | None:
        return percent(self.rated_good, self.rated)

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name in FIGURES)


def figures_by_month(tickets: QuerySet[Ticket], months: list[datetime.date]) -> list[MonthFigures]:
    """The figures of each of ``months`` (first days) over ``tickets``, in one aggregate query
    whatever the number of months (a ``Count`` per figure and month, each with its filter)."""
    windows = [Window.of(month) for month in months]
    any_of = Q()
    aggregates = {}
    for index, window in enumerate(windows):
        for name, condition in figure_filters(window).items():
            any_of |= condition
            aggregates[f"m{index}_{name}"] = Count("pk", filter=condition)
    if not windows:
        return []
    row = tickets.filter(any_of).order_by().aggregate(**aggregates)
    return [
        MonthFigures(window.month, **{name: row[f"m{index}_{name}"] or 0 for name in FIGURES})
        for index, window in enumerate(windows)
    ]
