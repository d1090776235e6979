"""Reads of tickets, always scoped to who is asking.

``tickets_visible_to`` is the one place that decides which tickets a user may see; every page,
endpoint and service starts from it, so an out-of-scope ticket is a 404 everywhere.
"""

import datetime
import math
from collections.abc import Iterable
from typing import Any, NamedTuple, TypeVar

from django.db import router
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerChoices,
    IntegerField,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Officer, Unit, UnitKind, User
from accounts.roles import Role
from accounts.scope import scope_of
from accounts.selectors import brigade_of
from cases import hooks
from cases.models import (
    CLOCK_STATES,
    OPEN_STATES,
    ReopenRequest,
    State,
    Ticket,
    TicketEvent,
)
from grids.models import Assignment, Community
from grids.selectors import supervised_communities

M = TypeVar("M", bound=Model)
DUPLICATE_WINDOW = datetime.timedelta(hours=72)
EARTH_M_PER_DEGREE = 111_320.0


def tickets_visible_to(user: User) -> QuerySet[Ticket]:
    """Tickets the user may see: a supervisor their brigade's (the command centre and assessors:
    the city's), an officer those in their grids or assigned to them, a handler those referred
    to their unit. Anyone else sees none."""
    scope = scope_of(user)
    return scope.visible(
        Ticket.objects.all(),
        scope.brigade_q("brigade_id"),
        scope.officer_q("assignee_id"),
        scope.posted_cells_q("grid_cell_id"),
        Q(grid_cell__isnull=True) & scope.posted_communities_q("community_id"),
        scope.handler_unit_q("responsible_unit_id"),
    )


def with_list_columns(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """What a queue row shows, in the same query (not a grid's polygon: rows show its code)."""
    return tickets.select_related(
        "category", "community", "grid_cell", "assignee__user", "responsible_unit"
    ).defer("grid_cell__boundary", "assignee__user__password")


class PageFirst:
    """A ticket list for a Paginator whose slices pick the page's ids on the ticket table alone
    (filters, sort, LIMIT) and only then join what a row shows, for those rows: PostgreSQL
    otherwise joins every match before sorting them for a page of 25. ``count``, when the page
    already knows it (the queue's status tabs), saves the paginator its COUNT."""

    def __init__(self, tickets: QuerySet[Ticket], *, count: int | None = None) -> None:
        self.tickets = tickets
        self.known_count = count

    def count(self) -> int:
        return self.tickets.count() if self.known_count is None else self.known_count

    def __len__(self) -> int:
        return self.count()

    def page_ids(self, index: slice) -> QuerySet[Ticket]:
        """The page's ids, as a LIMITed subquery on the ticket table."""
        ordering = self.tickets.query.order_by or Ticket._meta.ordering
        return self.tickets.order_by(*ordering).values("pk")[index]

    def rows(self, index: slice) -> QuerySet[Ticket]:
        """The page's rows as one statement: the ids in a LIMITed subquery, then the joins."""
        rows = with_list_columns(Ticket.objects.filter(pk__in=Subquery(self.page_ids(index))))
        return rows.order_by(*(self.tickets.query.order_by or Ticket._meta.ordering))

    def __getitem__(self, index: slice) -> list[Ticket]:
        return list(self.rows(index))


class QueuePage(PageFirst):
    """The supervisor's queue: ``PageFirst`` whose rows join only their category and unit grid.
    Their community, officer and responsible unit come from the page's choice lists (see
    ``queue_lists``): seven tables in one statement cost PostgreSQL ~10 ms to plan, ten times
    what it takes to run. A row whose community, officer or unit is not in those lists (an
    officer who has left, a unit since closed) is read again with every join, in one statement
    for all such rows."""

    def __init__(
        self,
        tickets: QuerySet[Ticket],
        *,
        count: int | None = None,
        communities: Iterable["CommunityChoice"],
        officers: Iterable["OfficerChoice"],
        units: Iterable[Unit],
    ) -> None:
        super().__init__(tickets, count=count)
        self.known: dict[str, dict[int, Any]] = {
            "community": {c.pk: c for c in communities},
            "assignee": {o.pk: o for o in officers},
            "responsible_unit": {u.pk: u for u in units},
        }

    def rows(self, index: slice) -> QuerySet[Ticket]:
        rows = Ticket.objects.filter(pk__in=Subquery(self.page_ids(index)))
        rows = rows.select_related("category", "grid_cell").defer("grid_cell__boundary")
        return rows.order_by(*(self.tickets.query.order_by or Ticket._meta.ordering))

    def __getitem__(self, index: slice) -> list[Ticket]:
        tickets = list(self.rows(index))
        made: dict[tuple[str, int], Model] = {}
        unknown = set()
        for ticket in tickets:
            for field, known in self.known.items():
                related_id = getattr(ticket, f"{field}_id")
                if related_id is None:
                    continue
                if related_id not in known:
                    unknown.add(ticket.pk)
                    continue
                if (field, related_id) not in made:
                    choice = known[related_id]
                    made[field, related_id] = (
                        choice if isinstance(choice, Model) else choice.instance()
                    )
                setattr(ticket, field, made[field, related_id])
        if unknown:
            again = with_list_columns(Ticket.objects.filter(pk__in=unknown)).in_bulk()
            tickets = [again.get(ticket.pk, ticket) for ticket in tickets]
        return tickets


class Place(NamedTuple):
    """A street or district as a choice list shows it."""

    pk: int
    code: str
    name: str
    district: "Place | None" = None


class CommunityChoice(NamedTuple):
    pk: int
    code: str
    name: str
    street: Place

    def instance(self) -> Community:
        return _partial(
            Community, id=self.pk, code=self.code, name=self.name, street_id=self.street.pk
        )


class OfficerChoice(NamedTuple):
    pk: int
    badge_number: str
    user: User  # holding only the fields its name is made of

    def __str__(self) -> str:
        return f"{self.user} ({self.badge_number})"

    def instance(self) -> Officer:
        officer = _partial(Officer, id=self.pk, badge_number=self.badge_number)
        officer.user = self.user
        return officer


class QueueLists(NamedTuple):
    """The queue's choice lists: for its filters, its bulk bar and its rows' names."""

    communities: list[CommunityChoice]
    officers: list[OfficerChoice]
    units: list[Unit]


def queue_lists(user: User) -> QueueLists:
    """The communities the user supervises (with street and district), the officers they may
    dispatch to and the units they may refer to, in the order the page lists them.

    Communities and officers come as plain values (``QueuePage`` makes model instances of the
    few its rows show, holding only those values: any other field is read on access). A city's
    254 communities and 212 officers as model instances with their street, district, brigade
    and user cost ~15 ms of CPU a page, more than all its SQL."""
    places: dict[tuple[str, int], Place] = {}
    communities = []
    rows = supervised_communities(user).order_by("code")
    for (
        pk,
        code,
        name,
        street_id,
        *street,
        district_id,
        district_code,
        district_name,
    ) in rows.values_list(
        "pk",
        "code",
        "name",
        "street_id",
        "street__code",
        "street__name",
        "street__district_id",
        "street__district__code",
        "street__district__name",
    ):
        district = places.setdefault(
            ("district", district_id), Place(district_id, district_code, district_name)
        )
        place = places.setdefault(("street", street_id), Place(street_id, *street, district))
        communities.append(CommunityChoice(pk, code, name, place))
    officers = [
        OfficerChoice(
            pk,
            badge,
            _partial(
                User,
                id=user_id,
                username=username,
                first_name=first_name,
                last_name=last_name,
                display_name=display_name,
            ),
        )
        for pk, badge, user_id, username, first_name, last_name, display_name in (
            dispatchable_officers(brigade_scope(user)).values_list(
                "pk",
                "badge_number",
                "user_id",
                "user__username",
                "user__first_name",
                "user__last_name",
                "user__display_name",
            )
        )
    ]
    return QueueLists(communities, officers, list(referral_units()))


def _partial(model: type[M], **values: Any) -> M:
    """An instance as the ORM loads one with ``only()``: the given fields set, the rest deferred."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(router.db_for_read(model), names, [values[name] for name in names])


def access_ticket(user: User, number: str, *, for_update: bool = False) -> Ticket:
    """The ticket with this number if the user may see it (row-locked with ``for_update``);
    404 otherwise, so a ticket outside one's scope is indistinguishable from one that does not
    exist."""
    return _one(_ticket_page(tickets_visible_to(user), for_update=for_update), number=number)


def access_ticket_by_id(user: User, ticket_id: int, *, for_update: bool = False) -> Ticket:
    """``access_ticket`` by primary key, as services receive it; with its category only."""
    tickets = tickets_visible_to(user).select_related("category")
    if for_update:
        tickets = tickets.select_for_update(of=("self",))
    return _one(tickets, pk=ticket_id)


def _ticket_page(tickets: QuerySet[Ticket], *, for_update: bool) -> QuerySet[Ticket]:
    tickets = tickets.select_related(
        "category__parent",
        "grid_cell",
        "community__street__district",
        "brigade",
        "assignee__user",
        "responsible_unit",
        "duplicate_of",
        "reporter",
    )
    return tickets.select_for_update(of=("self",)) if for_update else tickets


def _one(tickets: QuerySet[Ticket], **key: Any) -> Ticket:
    ticket = tickets.filter(**key).first()
    if ticket is None:
        raise Http404
    return ticket


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


class DispatchRank(IntegerChoices):
    """Where an officer stands in a ticket's dispatch list (``suggested_officers``)."""

    SUGGESTED = 0, _("suggested: posted to this grid, on duty now")
    POSTED_HERE = 1, _("posted to this grid, off duty now")
    ON_DUTY = 2, _("on duty now")
    OTHER = 3, _("other officers of the brigade")


def _on_duty_q(at: datetime.datetime) -> Q:
    """Officers on duty at ``at``: the registered rules (``cases.hooks.on_duty_rules``), else a
    posting whose days and hours include it."""
    if hooks.on_duty_rules:
        rule = Q(pk__in=[])
        for registered in hooks.on_duty_rules:
            rule |= registered(at)
        return rule
    postings = Assignment.objects.on_duty(at.date()).filter(
        start_time__lte=at.time(), end_time__gte=at.time()
    )
    return Q(pk__in=postings.values("officer_id"))


def suggested_officers(ticket: Ticket, *, at: datetime.datetime | None = None) -> QuerySet[Officer]:
    """The ticket's dispatch list: its brigade's officers (``dispatchable_officers``), the ones
    posted to the ticket's unit grid (its community when it has no grid) and on duty now first,
    then those posted there, then those on duty elsewhere, then the rest, each by badge number.
    Each officer carries ``dispatch_rank`` (a ``DispatchRank``); one query however many."""
    at = timezone.localtime(at or timezone.now())
    postings = Assignment.objects.valid_on(at.date()).filter(officer_id=OuterRef("pk"))
    if ticket.grid_cell_id is not None:
        here = Exists(postings.filter(grid_cells=ticket.grid_cell_id))
    elif ticket.community_id is not None:
        here = Exists(postings.filter(community_id=ticket.community_id))
    else:
        here = Value(False)
    on_duty = _on_duty_q(at)
    rank = Case(
        When(Q(posted_here=True) & on_duty, then=Value(DispatchRank.SUGGESTED)),
        When(posted_here=True, then=Value(DispatchRank.POSTED_HERE)),
        When(on_duty, then=Value(DispatchRank.ON_DUTY)),
        default=Value(DispatchRank.OTHER),
        output_field=IntegerField(),
    )
    return (
        dispatchable_officers(ticket)
        .annotate(posted_here=here)
        .annotate(dispatch_rank=rank)
        .order_by("dispatch_rank", "badge_number")
    )


def field_checkers(ticket: Ticket) -> QuerySet[Officer]:
    """Officers a supervisor may send a resolved ticket's check (核查) to: active officers of
    its brigade on duty today (their posting's duty days) posted to its unit grid, or to its
    community for a ticket on no grid."""
    postings = Assignment.objects.on_duty(timezone.localdate())
    if ticket.grid_cell_id is not None:
        postings = postings.filter(grid_cells=ticket.grid_cell_id)
    elif ticket.community_id is not None:
        postings = postings.filter(community_id=ticket.community_id)
    else:
        return Officer.objects.none()
    return dispatchable_officers(ticket).filter(pk__in=postings.values("officer_id"))


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
    if scope_of(user).brigade_id is None:
        return None
    return brigade_of(user)


def open_in_my_grids(user: User) -> QuerySet[Ticket]:
    """Open tickets in the officer's grids that are not theirs to work: what is going on around
    them (reported, referred to a unit, with a colleague), newest first. The ticket table alone
    (``PageFirst`` joins a page's rows): PostgreSQL starts from the officer's posted cells
    (``ticket_grid_open``) instead of joining the city's open tickets first."""
    scope = scope_of(user)
    if not scope.is_officer:
        return Ticket.objects.none()
    return (
        Ticket.objects.filter(scope.posted_cells_q("grid_cell_id"), state__in=OPEN_STATES)
        .exclude(assignee_id=scope.officer_id)
        .order_by("-reported_at", "-id")
    )


def officer_tasks(user: User) -> QuerySet[Ticket]:
    """An officer's own work: open tickets assigned to them (dispatched, in progress,
    enforcement, or back for rework) and resolved tickets whose check on site was sent to them,
    soonest deadline first (the ticket table alone, as ``open_in_my_grids``)."""
    scope = scope_of(user)
    if not scope.is_officer:
        return Ticket.objects.none()
    mine = Q(assignee_id=scope.officer_id, state__in=[*CLOCK_STATES, State.RESOLVED])
    checks = Q(field_checker_id=scope.officer_id, state=State.RESOLVED)
    return Ticket.objects.filter(mine | checks).order_by("deadline", "reported_at", "id")


def unit_queue(user: User) -> QuerySet[Ticket]:
    """Tickets referred to the handler's unit (the responsibility list), the ticket table
    alone (as ``open_in_my_grids``)."""
    unit_id = scope_of(user).handler_unit_id
    if unit_id is None:
        return Ticket.objects.none()
    return Ticket.objects.filter(responsible_unit_id=unit_id)


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


def pending_reopen_requests(user: User) -> QuerySet[ReopenRequest]:
    """Dissatisfied reporters' reopen requests that wait for an answer, on tickets the user
    supervises (tickets they can see; the service checks they supervise them), oldest first."""
    if not scope_of(user).is_supervisor:
        return ReopenRequest.objects.none()
    return (
        ReopenRequest.objects.filter(decided_at__isnull=True, ticket__in=tickets_visible_to(user))
        .select_related("ticket__category", "ticket__community", "ticket__assignee__user")
        .order_by("requested_at", "id")
    )
