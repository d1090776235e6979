"""What the command centre's map reads: open tickets by deadline colour, clustered in SQL at low
zoom and as points only when zoomed in (bounded by the view and a limit), and the officers on
patrol now with their last position. Everything is scoped by the callers' selectors
(``cases.selectors.tickets_visible_to``, ``patrols.selectors.sessions_visible_to``), which read
``accounts.scope``: a brigade's supervisor sees their brigade, the command centre the city.

The work per request is a fixed handful of statements whatever the city's size: one aggregate
for the clusters or one bounded read for the points, one for the patrols.
"""

import datetime
from dataclasses import dataclass

from django.db.models import (
    Avg,
    Case,
    CharField,
    Count,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.urls import reverse

from accounts.models import User
from cases.models import CLOCK_STATES, OPEN_STATES, Ticket
from patrols.models import PatrolPoint
from patrols.selectors import sessions_visible_to

# Below this zoom the map shows clusters: per community (the city at a glance), then per unit
# grid; from POINT_ZOOM on, single tickets in the view, at most POINT_LIMIT of them.
GRID_ZOOM = 14
POINT_ZOOM = 16
POINT_LIMIT = 2000
COLOURS = ("red", "yellow", "green")
PLACEHOLDER = "XZ00000000-0000"


@dataclass(frozen=True)
class Bbox:
    """The map's view in WGS84: west, south, east, north."""

    west: float
    south: float
    east: float
    north: float

    @classmethod
    def parse(cls, raw: str) -> "Bbox | None":
        """``w,s,e,n`` as Leaflet's ``toBBoxString()`` gives it; None for anything else."""
        try:
            west, south, east, north = (float(part) for part in raw.split(","))
        except ValueError:
            return None
        box = cls(west, south, east, north)
        finite = all(abs(v) <= 180 for v in (west, south, east, north))
        if not finite or west > east or south > north:
            return None
        return box

    def q(self, lat: str = "lat", lng: str = "lng") -> Q:
        return Q(
            **{
                f"{lat}__gte": self.south,
                f"{lat}__lte": self.north,
                f"{lng}__gte": self.west,
                f"{lng}__lte": self.east,
            }
        )


def overdue_q(now: datetime.datetime) -> Q:
    """Open and late: flagged by the reminder scan, or its running clock already past."""
    return Q(state__in=OPEN_STATES) & (
        Q(overdue=True) | Q(state__in=CLOCK_STATES, deadline__lt=now)
    )


def due_soon_q(now: datetime.datetime) -> Q:
    """A running clock past its warning point (80% used), not yet late: the queue's yellow."""
    return Q(state__in=CLOCK_STATES, warn_at__lte=now, deadline__gte=now)


def colour_of(now: datetime.datetime) -> Case:
    """The deadline colour of a ticket in SQL: red overdue, yellow due soon, green otherwise."""
    return Case(
        When(overdue_q(now), then=Value("red")),
        When(due_soon_q(now), then=Value("yellow")),
        default=Value("green"),
        output_field=CharField(),
    )


def colour_counts(now: datetime.datetime) -> dict[str, Count]:
    """Counts by colour for an aggregate (green is the rest of ``n``)."""
    return {
        "n": Count("pk"),
        "red": Count("pk", filter=overdue_q(now)),
        "yellow": Count("pk", filter=due_soon_q(now) & ~overdue_q(now)),
    }


def clusters(
    tickets: QuerySet[Ticket], *, now: datetime.datetime, by: str, bbox: Bbox | None
) -> list[dict]:
    """``tickets`` grouped per community (``by="community"``) or unit grid (``"grid"``) in one
    aggregate: each group's count by colour and the centroid of its located tickets."""
    key = "community_id" if by == "community" else "grid_cell_id"
    name = "community__name" if by == "community" else "grid_cell__code"
    located = tickets.filter(lat__isnull=False, lng__isnull=False, **{f"{key}__isnull": False})
    if bbox is not None:
        located = located.filter(bbox.q())
    rows = (
        located.order_by()
        .values(key, name)
        .annotate(lat=Avg("lat"), lng=Avg("lng"), **colour_counts(now))
        .order_by("-n", key)
    )
    return [
        {
            "id": row[key],
            "label": row[name],
            "lat": round(row["lat"], 6),
            "lng": round(row["lng"], 6),
            "n": row["n"],
            "red": row["red"],
            "yellow": row["yellow"],
            "green": row["n"] - row["red"] - row["yellow"],
        }
        for row in rows
    ]


def points(
    tickets: QuerySet[Ticket], *, now: datetime.datetime, bbox: Bbox | None, limit: int
) -> tuple[list[dict], bool]:
    """The located tickets in the view, red first, at most ``limit`` (and whether more were
    left out): one bounded read."""
    located = tickets.filter(lat__isnull=False, lng__isnull=False)
    if bbox is not None:
        located = located.filter(bbox.q())
    rows = list(
        located.annotate(colour=colour_of(now))
        .order_by(
            Case(When(colour="red", then=0), When(colour="yellow", then=1), default=2),
            F("deadline").asc(nulls_last=True),
            "id",
        )
        .values_list("number", "lat", "lng", "colour", "state", "category__name", "deadline")[
            : limit + 1
        ]
    )
    # One reverse() for the lot: a ticket's address is the same but for its number.
    detail = reverse("cases:detail", args=[PLACEHOLDER])
    return [
        {
            "number": number,
            "url": detail.replace(PLACEHOLDER, number),
            "lat": lat,
            "lng": lng,
            "colour": colour,
            "state": state,
            "category": category,
            "deadline": deadline.isoformat() if deadline else None,
        }
        for number, lat, lng, colour, state, category, deadline in rows[:limit]
    ], len(rows) > limit


def officers_on_patrol(user: User) -> list[dict]:
    """The officers whose patrol is open now, each at the last position their phone sent (those
    without a position yet are left off the map): one query."""
    last = PatrolPoint.objects.filter(session_id=OuterRef("pk")).order_by("-recorded_at", "-id")
    sessions = (
        sessions_visible_to(user)
        .filter(ended_at__isnull=True)
        .annotate(
            last_lat=Subquery(last.values("lat")[:1]),
            last_lng=Subquery(last.values("lng")[:1]),
            last_at=Subquery(last.values("recorded_at")[:1]),
        )
        .filter(last_lat__isnull=False)
        .select_related("officer__user")
        .order_by("officer__badge_number")
    )
    return [
        {
            "name": str(s.officer.user),
            "badge": s.officer.badge_number,
            "lat": s.last_lat,
            "lng": s.last_lng,
            "at": s.last_at.isoformat(),
            "since": s.started_at.isoformat(),
        }
        for s in sessions
    ]
