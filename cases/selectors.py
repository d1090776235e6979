"""Reads of tickets, always scoped to who is asking.

``tickets_visible_to`` is the one place that decides which tickets a user may see; every page,
endpoint and service starts from it, so an out-of-scope ticket is a 404 everywhere.
"""

import datetime
import math

from django.db.models import Count, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from accounts.models import Officer, Unit, UnitKind, User
from accounts.roles import Role, has_role
from accounts.selectors import brigade_of
from cases.models import (
    CLOCK_STATES,
    OPEN_STATES,
    Notification,
    ReopenRequest,
    State,
    Ticket,
    TicketEvent,
)
from cases.permissions import officer_id_of, supervised_brigade_id
from grids.models import Assignment, GridCell

DUPLICATE_WINDOW = datetime.timedelta(hours=72)
EARTH_M_PER_DEGREE = 111_320.0


def tickets_visible_to(user: User) -> QuerySet[Ticket]:
    """Tickets the user may see: a supervisor their brigade's (the command centre and assessors:
    the city's), an officer those in their grids or assigned to them, a handler those referred
    to their unit. Anyone else sees none."""
    tickets = Ticket.objects.all()
    if not getattr(user, "is_authenticated", False):
        return tickets.none()
    scope = supervised_brigade_id(user)
    if scope is True or has_role(user, Role.ASSESSOR):
        return tickets
    visible = Q(pk__in=[])
    if scope is not None:
        visible |= Q(brigade_id=scope)
    officer_id = officer_id_of(user)
    if officer_id is not None:
        postings = Assignment.objects.valid_on(timezone.localdate()).filter(officer_id=officer_id)
        visible |= (
            Q(assignee_id=officer_id)
            | Q(grid_cell_id__in=postings.values("grid_cells"))
            | Q(grid_cell__isnull=True, community_id__in=postings.values("community_id"))
        )
    if has_role(user, Role.HANDLER) and user.unit_id is not None:
        visible |= Q(responsible_unit_id=user.unit_id)
    return tickets.filter(visible)


def cells_geojson(communities: QuerySet) -> dict:
    """Active unit grids of the communities as a GeoJSON FeatureCollection (for pick maps)."""
    cells = GridCell.objects.filter(community__in=communities, is_active=True).order_by("code")
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": b, "properties": {"code": c, "label": c[-3:]}}
            for c, b in cells.values_list("code", "boundary")
        ],
    }


def with_list_columns(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """What a queue row shows, in the same query (not a grid's polygon: rows show its code)."""
    return tickets.select_related(
        "category", "community", "grid_cell", "assignee__user", "responsible_unit"
    ).defer("grid_cell__boundary", "assignee__user__password")


class PageFirst:
    """A ticket list for a Paginator whose slices pick the page's ids on the ticket table alone
    (filters, sort, LIMIT) and only then join what a row shows, for those rows: PostgreSQL
    otherwise joins every match before sorting them for a page of 25."""

    def __init__(self, tickets: QuerySet[Ticket]) -> None:
        self.tickets = tickets

    def count(self) -> int:
        return self.tickets.count()

    def __len__(self) -> int:
        return self.count()

    def rows(self, index: slice) -> QuerySet[Ticket]:
        """The page's rows as one statement: the ids in a LIMITed subquery, then the joins."""
        ordering = self.tickets.query.order_by or Ticket._meta.ordering
        page_ids = self.tickets.order_by(*ordering).values("pk")[index]
        rows = with_list_columns(Ticket.objects.filter(pk__in=Subquery(page_ids)))
        return rows.order_by(*ordering)

    def __getitem__(self, index: slice) -> list[Ticket]:
        return list(self.rows(index))


def get_ticket(user: User, number: str) -> Ticket:
    """The ticket with this number if the user may see it; 404 otherwise, so a ticket outside
    one's scope is indistinguishable from one that does not exist."""
    ticket = (
        tickets_visible_to(user)
        .select_related(
            "category__parent",
            "grid_cell",
            "community__street__district",
            "brigade",
            "assignee__user",
            "responsible_unit",
            "duplicate_of",
            "reporter",
        )
        .filter(number=number)
        .first()
    )
    if ticket is None:
        raise Http404
    return ticket


def status_counts(tickets: QuerySet[Ticket]) -> dict[str, int]:
    """Tickets per state, for the queue's tabs, in one query."""
    # COUNT(*) rather than COUNT(id): PostgreSQL can answer from the (brigade, state, …) index.
    rows = tickets.order_by().values("state").annotate(n=Count("*"))
    counts = {row["state"]: row["n"] for row in rows}
    counts["open"] = sum(counts.get(state, 0) for state in OPEN_STATES)
    counts["all"] = sum(counts.get(state, 0) for state in State.values)
    return counts


def timeline(ticket: Ticket) -> QuerySet[TicketEvent]:
    """Every event of the ticket, oldest first, with its actor and photos (staff pages)."""
    events = ticket.events.select_related("actor").prefetch_related("photos")
    return events.order_by("created_at", "id")


def _bbox(lat: float, lng: float, radius_m: float) -> dict:
    dlat = radius_m / EARTH_M_PER_DEGREE
    dlng = radius_m / (EARTH_M_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01))
    return {
        "lat__gte": lat - dlat,
        "lat__lte": lat + dlat,
        "lng__gte": lng - dlng,
        "lng__lte": lng + dlng,
    }


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance (haversine); metres matter here, not millimetres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


def duplicates_near(
    *,
    category_id: int,
    radius_m: int,
    lat: float,
    lng: float,
    at: datetime.datetime,
    among: QuerySet[Ticket],
    exclude_id: int | None = None,
    limit: int = 5,
) -> list[Ticket]:
    """Open tickets among ``among`` (what the asker may see) of the category within
    ``radius_m`` reported within 72 h of ``at``, nearest first. The bounding box is SQL; the exact
    circle is checked here."""
    candidates = (
        among.filter(
            category_id=category_id,
            state__in=OPEN_STATES,
            reported_at__gte=at - DUPLICATE_WINDOW,
            reported_at__lte=at + DUPLICATE_WINDOW,
            **_bbox(lat, lng, radius_m),
        )
        .exclude(pk=exclude_id)
        .select_related("category", "community")
        .order_by("reported_at")[:50]
    )
    near = []
    for ticket in candidates:
        ticket.distance_m = distance_m(lat, lng, ticket.lat, ticket.lng)
        if ticket.distance_m <= radius_m:
            near.append(ticket)
    near.sort(key=lambda t: t.distance_m)
    return near[:limit]


def possible_duplicates(ticket: Ticket, user: User) -> list[Ticket]:
    """Open tickets the user may see that may report the same problem as ``ticket`` (same
    category, within the category's radius and 72 h)."""
    if ticket.lat is None or ticket.lng is None or not ticket.is_open:
        return []
    return duplicates_near(
        category_id=ticket.category_id,
        radius_m=ticket.category.duplicate_radius_m,
        lat=ticket.lat,
        lng=ticket.lng,
        at=ticket.reported_at,
        among=tickets_visible_to(user),
        exclude_id=ticket.pk,
    )


def dispatchable_officers(ticket_or_brigade: Ticket | Unit | None) -> QuerySet[Officer]:
    """Active field officers of the ticket's brigade (all brigades for a ticket with none)."""
    brigade_id = (
        ticket_or_brigade.brigade_id
        if isinstance(ticket_or_brigade, Ticket)
        else getattr(ticket_or_brigade, "pk", None)
    )
    officers = Officer.objects.filter(is_active=True, user__groups__name=Role.OFFICER)
    if brigade_id is not None:
        officers = officers.filter(brigade_id=brigade_id)
    return officers.select_related("user").order_by("badge_number")


def referral_units() -> QuerySet[Unit]:
    """Units a ticket may be referred to: departments and street offices."""
    return Unit.objects.filter(
        is_active=True, kind__in=[UnitKind.DEPARTMENT, UnitKind.STREET_OFFICE]
    ).order_by("kind", "code")


def suggested_unit(ticket: Ticket) -> Unit | None:
    """先属主、后属地: the category's owner unit, else the street office of the ticket's street."""
    if ticket.category.default_unit_id:
        return ticket.category.default_unit
    if ticket.street_id:
        return Unit.objects.filter(
            kind=UnitKind.STREET_OFFICE, code=f"street-{ticket.street.code}", is_active=True
        ).first()
    return None


def brigade_scope(user: User) -> Unit | None:
    """The brigade a supervisor works for, or None for the whole city (command centre)."""
    scope = supervised_brigade_id(user)
    if scope is None or scope is True:
        return None
    return brigade_of(user)


def open_in_my_grids(user: User) -> QuerySet[Ticket]:
    """Open tickets in the officer's grids that are not theirs to work: what is going on around
    them (reported, referred to a unit, with a colleague)."""
    officer_id = officer_id_of(user)
    if officer_id is None:
        return Ticket.objects.none()
    postings = Assignment.objects.valid_on(timezone.localdate()).filter(officer_id=officer_id)
    return with_list_columns(
        Ticket.objects.filter(
            grid_cell_id__in=postings.values("grid_cells"), state__in=OPEN_STATES
        ).exclude(assignee_id=officer_id)
    ).order_by("-reported_at")


def officer_tasks(user: User) -> QuerySet[Ticket]:
    """An officer's own work: open tickets assigned to them (dispatched, in progress,
    enforcement, or back for rework), soonest deadline first."""
    officer_id = officer_id_of(user)
    if officer_id is None:
        return Ticket.objects.none()
    return with_list_columns(
        Ticket.objects.filter(assignee_id=officer_id, state__in=[*CLOCK_STATES, State.RESOLVED])
    ).order_by("deadline", "reported_at")


def unit_queue(user: User) -> QuerySet[Ticket]:
    """Tickets referred to the handler's unit (the responsibility list), soonest first."""
    if not has_role(user, Role.HANDLER) or user.unit_id is None:
        return Ticket.objects.none()
    return with_list_columns(Ticket.objects.filter(responsible_unit_id=user.unit_id))


def clock_counts(now: datetime.datetime) -> dict[str, Count]:
    """The running clocks by colour, as aggregates: yellow (due soon: 80% of the time used)
    and red (overdue). One definition for the home pages and the operations page."""
    running = Q(state__in=CLOCK_STATES, deadline__isnull=False)
    return {
        "due_soon": Count("id", filter=running & Q(warn_at__lte=now, deadline__gte=now)),
        "overdue": Count("id", filter=running & Q(deadline__lt=now)),
    }


def work_summary(tickets: QuerySet[Ticket], *, reopen_requests: bool = False) -> dict[str, int]:
    """What needs doing, counted in one SQL aggregate: reports to register, tickets to
    dispatch, fixes to verify, running clocks by colour (and, for supervisors, dissatisfied
    reporters' reopen requests waiting for an answer)."""
    now = timezone.now()
    extra = {}
    if reopen_requests:
        pending = ReopenRequest.objects.filter(decided_at__isnull=True).values("ticket_id")
        extra["reopen_requests"] = Count("id", filter=Q(pk__in=pending))
    return tickets.aggregate(
        **extra,
        reported=Count("id", filter=Q(state=State.REPORTED)),
        registered=Count("id", filter=Q(state=State.REGISTERED)),
        resolved=Count("id", filter=Q(state=State.RESOLVED)),
        running=Count("id", filter=Q(state__in=CLOCK_STATES)),
        **clock_counts(now),
        extension_requests=Count("id", filter=Q(clock_paused_at__isnull=False)),
    )


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def inbox(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).select_related("ticket")


def pending_reopen_requests(user: User) -> QuerySet[ReopenRequest]:
    """Dissatisfied reporters' reopen requests that wait for an answer, on tickets the user
    supervises (tickets they can see; the service checks they supervise them), oldest first."""
    if supervised_brigade_id(user) is None:
        return ReopenRequest.objects.none()
    return (
        ReopenRequest.objects.filter(decided_at__isnull=True, ticket__in=tickets_visible_to(user))
        .select_related("ticket__category", "ticket__community", "ticket__assignee__user")
        .order_by("requested_at", "id")
    )
