"""Monthly points and cards: base points, minus a deduction per confirmed violation (by
category), plus the volunteer acts, computed in SQL for any number of shops at once.

A violation is confirmed when an officer recorded a step of the ladder against the shop on a
ticket (an ``Offence``) and the ticket was not rejected afterwards. The yellow streak carries
over from the month before, so "three yellow months in a row" needs no look further back.
"""

import datetime
from collections.abc import Sequence

from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from cases.models import State
from citymgmt.months import month_bounds, month_start, previous_month
from shops.models import (
    CardColour,
    CategoryDeduction,
    Merchant,
    MerchantMonth,
    Offence,
    ShopPolicy,
    Step,
    VolunteerAct,
)


def confirmed_violations(policy: ShopPolicy) -> Q:
    """Offences that cost points under the policy."""
    counted = Q(merchant__isnull=False) & ~Q(ticket__state=State.REJECTED)
    if not policy.deduct_waived:
        counted &= ~Q(step=Step.WAIVE)
    return counted


def deduction_of(policy: ShopPolicy) -> Case:
    """Points one offence costs: its category's override, else the default (a CASE in SQL)."""
    overrides = CategoryDeduction.objects.filter(policy=policy).values_list("category_id", "points")
    return Case(
        *(When(ticket__category_id=cid, then=Value(points)) for cid, points in overrides),
        default=Value(policy.default_deduction),
        output_field=IntegerField(),
    )


def compute_month(
    *,
    month: datetime.date,
    merchant_ids: Sequence[int] | None = None,
    policy: ShopPolicy | None = None,
) -> int:
    """Compute (or recompute) the month's points and card of the shops (all active ones when
    ``merchant_ids`` is None) and store them; returns how many rows were written.

    Called by ``record_offence``/``record_volunteer_act`` for the shop concerned and by the
    ``compute_shop_points`` command (and its Celery task) for a whole month. Safe to repeat.
    """
    policy = policy or ShopPolicy.current()
    month = month_start(month)
    start, end = month_bounds(month)
    offences = (
        Offence.objects.filter(
            confirmed_violations(policy),
            merchant=OuterRef("pk"),
            recorded_at__gte=start,
            recorded_at__lt=end,
        )
        .order_by()
        .values("merchant")
    )
    acts = (
        VolunteerAct.objects.filter(merchant=OuterRef("pk"), done_on__gte=month, done_on__lt=end)
        .order_by()
        .values("merchant")
    )
    before = MerchantMonth.objects.filter(merchant=OuterRef("pk"), month=previous_month(month))
    if merchant_ids is None:
        merchants = Merchant.objects.filter(is_active=True)
    else:
        merchants = Merchant.objects.filter(pk__in=merchant_ids)
    zero = Value(0)
    rows = merchants.annotate(
        deducted=Coalesce(
            Subquery(offences.annotate(s=Sum(deduction_of(policy))).values("s")), zero
        ),
        violations=Coalesce(Subquery(offences.annotate(n=Count("pk")).values("n")), zero),
        added=Coalesce(Subquery(acts.annotate(s=Sum("points")).values("s")), zero),
        streak_before=Coalesce(Subquery(before.values("yellow_streak")[:1]), zero),
    ).values_list("pk", "deducted", "violations", "added", "streak_before")
    now = timezone.now()
    months = []
    for pk, deducted, violations, added, streak_before in rows:
        # Volunteer acts can lift a shop back up, but not past the policy's ceiling.
        earned = min(policy.base_points + added, max(policy.max_points, policy.base_points))
        points = earned - deducted
        colour = policy.colour_for(points)
        streak = streak_before + 1 if colour == CardColour.YELLOW else 0
        months.append(
            MerchantMonth(
                merchant_id=pk,
                month=month,
                points=points,
                deducted=deducted,
                added=added,
                violations=violations,
                colour=colour,
                yellow_streak=streak,
                flagged=streak >= policy.yellow_months_to_flag,
                computed_at=now,
            )
        )
    MerchantMonth.objects.bulk_create(
        months,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["merchant", "month"],
        update_fields=[
            "points",
            "deducted",
            "added",
            "violations",
            "colour",
            "yellow_streak",
            "flagged",
            "computed_at",
        ],
    )
    return len(months)


def standing(merchant: Merchant, month: datetime.date | None = None) -> MerchantMonth:
    """The shop's points for the month: the stored row, or (nothing recorded yet) the base
    points and a green card, unsaved."""
    month = month_start(month or timezone.localdate())
    row = MerchantMonth.objects.filter(merchant=merchant, month=month).first()
    if row is not None:
        return row
    policy = ShopPolicy.current()
    return MerchantMonth(
        merchant=merchant,
        month=month,
        points=policy.base_points,
        colour=policy.colour_for(policy.base_points),
    )
