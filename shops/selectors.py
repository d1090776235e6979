"""Reads of shops, parties and their ladders, always scoped to who is asking.

``merchants_visible_to`` decides which shops a user may see (an officer: those in the
communities they are posted to; a supervisor: the brigade's; the command centre and assessors:
the city's); every page starts from it, so a shop outside one's scope is a 404.
"""

import datetime
from dataclasses import dataclass
from functools import cached_property

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from accounts.models import Unit, UnitKind, User
from accounts.scope import scope_of
from cases.models import Ticket
from citymgmt.months import month_start
from citymgmt.text import as_id
from grids.models import Community
from shops.models import (
    CardColour,
    FrontagePledge,
    Merchant,
    MerchantMonth,
    Offence,
    Share,
    ShopPolicy,
    Step,
    StreetVendor,
)


def communities_visible_to(user: User) -> QuerySet[Community]:
    """Communities whose shops the user may see (and, for a supervisor, import): a supervisor
    their brigade's (the command centre and assessors: the city's), an officer the communities
    they are posted to today."""
    scope = scope_of(user)
    return scope.visible(
        Community.objects.select_related("street"),
        scope.brigade_q("brigade_id"),
        scope.posted_communities_q("pk"),
    )


def merchants_visible_to(user: User) -> QuerySet[Merchant]:
    """Shops the user may see: those of the places ``communities_visible_to`` allows."""
    scope = scope_of(user)
    return scope.visible(
        Merchant.objects.all(),
        scope.brigade_q("brigade_id"),
        scope.posted_communities_q("community_id"),
    )


def with_standing(merchants: QuerySet[Merchant], month: datetime.date) -> QuerySet[Merchant]:
    """Each shop with the month's points and card and whether a pledge is in force today, in
    the same query (subqueries, so the row count never multiplies)."""
    row = MerchantMonth.objects.filter(merchant=OuterRef("pk"), month=month_start(month))
    today = timezone.localdate()
    return merchants.select_related("community", "grid_cell").annotate(
        month_points=Subquery(row.values("points")[:1]),
        month_colour=Subquery(row.values("colour")[:1]),
        month_flagged=Subquery(row.values("flagged")[:1]),
        pledged=Exists(
            FrontagePledge.objects.filter(
                merchant=OuterRef("pk"), signed_on__lte=today, valid_until__gte=today
            )
        ),
    )


def merchant_list(
    user: User, *, community: Community | None = None, query: str = "", card: str = ""
) -> QuerySet[Merchant]:
    """The shops a list page shows, with this month's standing; ``community``, ``query`` (name,
    address or licence number) and ``card`` (a colour, or "flagged") narrow it."""
    merchants = merchants_visible_to(user)
    this_month = MerchantMonth.objects.filter(month=month_start(timezone.localdate()))
    if card == "flagged":
        merchants = merchants.filter(pk__in=this_month.filter(flagged=True).values("merchant"))
    elif card == CardColour.GREEN:
        # No row this month yet means nothing recorded: base points, a green card.
        others = this_month.exclude(colour=CardColour.GREEN)
        merchants = merchants.exclude(pk__in=others.values("merchant"))
    elif card:
        merchants = merchants.filter(pk__in=this_month.filter(colour=card).values("merchant"))
    if community is not None:
        merchants = merchants.filter(community=community)
    if query:
        merchants = merchants.filter(
            Q(name__icontains=query) | Q(address__icontains=query) | Q(licence_number__iexact=query)
        )
    return with_standing(merchants, timezone.localdate()).order_by("community__code", "name")


def access_merchant(user: User, pk: int, *, for_update: bool = False) -> Merchant:
    """The shop if the user may see it (row-locked with ``for_update``); 404 otherwise."""
    merchants = merchants_visible_to(user).select_related(
        "community__street__district", "grid_cell", "brigade"
    )
    if for_update:
        merchants = merchants.select_for_update(of=("self",))
    merchant = merchants.filter(pk=pk).first()
    if merchant is None:
        raise Http404
    return merchant


def public_merchant(slug: str) -> Merchant:
    """A shop by its door card's slug (anyone): the public page shows public fields only."""
    merchant = (
        Merchant.objects.select_related("community__street")
        .filter(public_slug=slug, is_active=True)
        .first()
    )
    if merchant is None:
        raise Http404
    return merchant


def current_pledge(merchant: Merchant, day: datetime.date | None = None) -> FrontagePledge | None:
    day = day or timezone.localdate()
    return (
        merchant.pledges.filter(signed_on__lte=day, valid_until__gte=day)
        .order_by("-valid_until")
        .first()
    )


# --- the ladder -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ladder:
    """Where a party stands: its offences in the window and what comes next."""

    history: list[Offence]
    window_start: datetime.datetime
    suggested: str
    allowed: list[str]

    @property
    def count(self) -> int:
        return len(self.history)

    @property
    def suggested_label(self) -> str:
        return str(Step(self.suggested).label)

    @property
    def waiver_offered(self) -> bool:
        return Step.WAIVE in self.allowed


def next_steps(prior: int) -> tuple[str, list[str]]:
    """一规劝、二教育、三暂扣: the suggested step after ``prior`` offences in the window, and the
    steps an officer may take. The first-offence waiver (首违不罚) only for a first offence."""
    if prior == 0:
        return Step.PERSUADE, [Step.PERSUADE, Step.WAIVE, Step.EDUCATE, Step.SEIZE, Step.PENALTY]
    suggested = Step.EDUCATE if prior == 1 else Step.SEIZE
    return suggested, [Step.PERSUADE, Step.EDUCATE, Step.SEIZE, Step.PENALTY]


def ladder(
    *,
    merchant: Merchant | None = None,
    vendor: StreetVendor | None = None,
    at: datetime.datetime | None = None,
    exclude_ticket_id: int | None = None,
    policy: ShopPolicy | None = None,
) -> Ladder:
    """The party's offences within the policy's window before ``at`` (now), newest first,
    not counting the ticket being worked on, with the suggested next step."""
    policy = policy or ShopPolicy.current()
    at = at or timezone.now()
    since = policy.window_start(at)
    if merchant is not None:
        offences = Offence.objects.filter(merchant=merchant)
    elif vendor is not None:
        offences = Offence.objects.filter(vendor=vendor)
    else:
        offences = Offence.objects.none()
    history = list(
        offences.filter(recorded_at__gte=since, recorded_at__lte=at)
        .exclude(ticket_id=exclude_ticket_id)
        .select_related("ticket", "recorded_by")
        .order_by("-recorded_at", "-pk")
    )
    suggested, allowed = next_steps(len(history))
    return Ladder(history=history, window_start=since, suggested=suggested, allowed=allowed)


def party_choices(ticket: Ticket) -> tuple[QuerySet[Merchant], QuerySet[StreetVendor]]:
    """Who a ticket may name: the shops and known street vendors of its community."""
    if ticket.community_id is None:
        return Merchant.objects.none(), StreetVendor.objects.none()
    merchants = Merchant.objects.filter(community_id=ticket.community_id, is_active=True)
    vendors = StreetVendor.objects.filter(community_id=ticket.community_id)
    return merchants.order_by("name"), vendors.order_by("description")


NEW_VENDOR = "new"  # the party picker's choice for a street vendor not known yet


def parse_party(value: str) -> tuple[str, int | None]:
    """("merchant"|"vendor"|"new"|"", id) from a party choice such as m12, v3 or new."""
    if value == NEW_VENDOR:
        return NEW_VENDOR, None
    party_id = as_id(value[1:]) if len(value) < 12 else None
    if value[:1] in ("m", "v") and party_id is not None:
        return ("merchant" if value[0] == "m" else "vendor"), party_id
    return "", None


@dataclass(frozen=True)
class NamedParty:
    """Who a step on a ticket is about, as chosen in the enforcement panel (``m12``, ``v3``,
    ``new``), with who the ticket may name at all. The panel draws from it and the step's view
    checks the posted form against it, so both see the same party and the same ladder."""

    ticket: Ticket
    choice: str
    kind: str  # "merchant", "vendor", NEW_VENDOR, or "" when nothing (valid) is chosen
    merchant: Merchant | None
    vendor: StreetVendor | None
    merchants: QuerySet[Merchant]
    vendors: QuerySet[StreetVendor]

    @cached_property
    def ladder(self) -> Ladder:
        """The party's standing, not counting this ticket (an unknown vendor's is empty)."""
        return ladder(merchant=self.merchant, vendor=self.vendor, exclude_ticket_id=self.ticket.pk)


def named_party(ticket: Ticket, choice: str) -> NamedParty:
    """The party ``choice`` names among the ticket's community's shops and vendors; a choice
    naming nobody there (garbage, another community's shop) names nobody."""
    merchants, vendors = party_choices(ticket)
    kind, pk = parse_party(choice)
    merchant = merchants.filter(pk=pk).first() if kind == "merchant" else None
    vendor = vendors.filter(pk=pk).first() if kind == "vendor" else None
    if kind in ("merchant", "vendor") and merchant is None and vendor is None:
        kind = ""
    return NamedParty(ticket, choice, kind, merchant, vendor, merchants, vendors)


def recorded_step(ticket: Ticket) -> tuple[Offence, Ladder] | None:
    """The step recorded on the ticket, with its party's ladder as it stood then."""
    offence = offence_of(ticket)
    if offence is None:
        return None
    standing = ladder(
        merchant=offence.merchant,
        vendor=offence.vendor,
        at=offence.recorded_at,
        exclude_ticket_id=ticket.pk,
    )
    return offence, standing


def offence_of(ticket: Ticket) -> Offence | None:
    return (
        Offence.objects.select_related("merchant", "vendor", "recorded_by", "promise_photo")
        .filter(ticket=ticket)
        .first()
    )


# --- pages of a shop --------------------------------------------------------------------------


def offences_of(merchant: Merchant) -> QuerySet[Offence]:
    return merchant.offences.select_related("ticket__category", "recorded_by").order_by(
        "-recorded_at", "-pk"
    )


def recent_months(merchant: Merchant, count: int = 6) -> QuerySet[MerchantMonth]:
    return merchant.months.order_by("-month")[:count]


# --- 721 --------------------------------------------------------------------------------------


def _share_counts(prefix: str, window: Q) -> dict[str, Count]:
    counts = {
        share: Count(prefix, filter=window & Q(**{f"{prefix}__share": share}))
        for share in Share.values
    }
    counts["total"] = Count(prefix, filter=window)
    return counts


def split_721(
    user: User, *, since: datetime.datetime, until: datetime.datetime
) -> QuerySet[Community]:
    """Per community the user may see: how many steps were service (规劝, 免罚), management
    (教育) and enforcement (暂扣, 立案), in one aggregate query."""
    offence = "tickets__offence"
    window = Q(**{f"{offence}__recorded_at__gte": since, f"{offence}__recorded_at__lt": until})
    return (
        communities_visible_to(user)
        .annotate(**_share_counts(offence, window))
        .filter(total__gt=0)
        .order_by("code")
    )


def split_721_by_brigade(
    user: User, *, since: datetime.datetime, until: datetime.datetime
) -> QuerySet[Unit]:
    """The same split per brigade (the brigades of the communities the user may see)."""
    offence = "communities__tickets__offence"
    window = Q(**{f"{offence}__recorded_at__gte": since, f"{offence}__recorded_at__lt": until})
    communities = communities_visible_to(user).values("pk")
    return (
        Unit.objects.filter(kind=UnitKind.BRIGADE, communities__in=communities)
        .annotate(**_share_counts(offence, window & Q(communities__in=communities)))
        .filter(total__gt=0)
        .order_by("code")
    )


def split_721_totals(
    user: User, *, since: datetime.datetime, until: datetime.datetime
) -> dict[str, int]:
    offences = Offence.objects.filter(
        ticket__community__in=communities_visible_to(user).values("pk"),
        recorded_at__gte=since,
        recorded_at__lt=until,
    )
    counts = {share: Count("pk", filter=Q(share=share)) for share in Share.values}
    return offences.aggregate(**counts, total=Count("pk"))
