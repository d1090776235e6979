"""Hotspots: the unit grids where one category of problem keeps coming back.

A hotspot is a (unit grid, category) with at least ``CITYMGMT_HOTSPOT_MIN_TICKETS`` tickets
reported in the last ``CITYMGMT_HOTSPOT_DAYS`` days (3 in 30 by default), ranked by that count,
with the previous period of the same length beside it for the trend. Counted in SQL, one
aggregate over two periods of reports; rejected reports (nothing there, a duplicate, not ours)
and governance tasks themselves are left out.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from cases.models import Source, State, Ticket
from cases.selectors import tickets_visible_to
from command.models import GovernanceTask

LIMIT = 200


@dataclass(frozen=True)
class Thresholds:
    min_tickets: int
    days: int

    @classmethod
    def current(cls) -> "Thresholds":
        return cls(
            min_tickets=max(1, settings.CITYMGMT_HOTSPOT_MIN_TICKETS),
            days=max(1, settings.CITYMGMT_HOTSPOT_DAYS),
        )

    def periods(self, now: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
        """The start of this period and of the previous one."""
        start = now - datetime.timedelta(days=self.days)
        return start, start - datetime.timedelta(days=self.days)


def recurring_tickets(
    user: User, *, grid_cell_id: int, category_id: int, since: datetime.datetime
) -> QuerySet[Ticket]:
    """The tickets that make a hotspot of one cell and category since ``since``, as the user
    may see them."""
    return (
        tickets_visible_to(user)
        .filter(grid_cell_id=grid_cell_id, category_id=category_id, reported_at__gte=since)
        .exclude(state=State.REJECTED)
        .exclude(source=Source.GOVERNANCE)
    )


def hotspots(user: User, now: datetime.datetime | None = None) -> list[dict]:
    """The user's hotspots, most tickets first: two statements (the counts, the open governance
    tasks among them)."""
    now = now or timezone.now()
    limits = Thresholds.current()
    start, previous_start = limits.periods(now)
    recent = Q(reported_at__gte=start)
    rows = list(
        tickets_visible_to(user)
        .filter(reported_at__gte=previous_start, reported_at__lt=now, grid_cell__isnull=False)
        .exclude(state=State.REJECTED)
        .exclude(source=Source.GOVERNANCE)
        .order_by()
        .values(
            "grid_cell_id",
            "grid_cell__code",
            "grid_cell__centroid_lat",
            "grid_cell__centroid_lng",
            "grid_cell__community__name",
            "category_id",
            "category__name",
        )
        .annotate(
            current=Count("pk", filter=recent),
            previous=Count("pk", filter=~recent),
        )
        .filter(current__gte=limits.min_tickets)
        .order_by("-current", "-previous", "grid_cell__code", "category_id")[:LIMIT]
    )
    open_tasks = _open_tasks({(r["grid_cell_id"], r["category_id"]) for r in rows})
    return [
        {
            "rank": rank,
            "grid_cell_id": r["grid_cell_id"],
            "cell": r["grid_cell__code"],
            "community": r["grid_cell__community__name"],
            "category_id": r["category_id"],
            "category": r["category__name"],
            "lat": r["grid_cell__centroid_lat"],
            "lng": r["grid_cell__centroid_lng"],
            "current": r["current"],
            "previous": r["previous"],
            "change": r["current"] - r["previous"],
            "task": open_tasks.get((r["grid_cell_id"], r["category_id"])),
        }
        for rank, r in enumerate(rows, start=1)
    ]


def _open_tasks(keys: set[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """The number of the governance ticket still open for each (cell, category) among ``keys``."""
    if not keys:
        return {}
    cells = {cell for cell, _category in keys}
    rows = (
        GovernanceTask.objects.filter(grid_cell_id__in=cells)
        .exclude(ticket__state__in=(State.CLOSED, State.REJECTED))
        .values_list("grid_cell_id", "category_id", "ticket__number")
    )
    return {(c, k): n for c, k, n in rows if (c, k) in keys}


def heat(user: User, now: datetime.datetime | None = None) -> list[list[float]]:
    """The heat layer: each unit grid's centroid weighted by its tickets of this period (all
    categories), ``[lat, lng, count]``. Bounded by the number of grids."""
    now = now or timezone.now()
    start, _previous = Thresholds.current().periods(now)
    rows = (
        tickets_visible_to(user)
        .filter(reported_at__gte=start, reported_at__lt=now, grid_cell__isnull=False)
        .exclude(source=Source.GOVERNANCE)
        .order_by()
        .values_list("grid_cell__centroid_lat", "grid_cell__centroid_lng")
        .annotate(n=Count("pk"))
    )
    return [[round(lat, 6), round(lng, 6), n] for lat, lng, n in rows]
