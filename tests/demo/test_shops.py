"""The demo shops: a few streets' worth, most with pledges, some ladders already climbed, three
months of points, and the walk-through shop untouched; a second run adds nothing."""

import pytest
from django.db.models import Count
from django.utils import timezone

from cases.models import TicketEvent
from citymgmt.months import previous_month
from demo.shops import seed_shops
from shops.models import FrontagePledge, Merchant, MerchantMonth, Offence

pytestmark = pytest.mark.django_db


def test_demo_shops_are_plausible_and_seeded_once(demo_city):
    seed_shops()  # the fixture seeded them already: nothing new
    assert 60 <= Merchant.objects.count() <= 150
    per_community = Merchant.objects.values("community").annotate(n=Count("id"))
    assert {row["n"] for row in per_community} <= {5, 6, 7}
    assert FrontagePledge.objects.count() >= Merchant.objects.count() * 0.6
    offences = Offence.objects.select_related("event")
    assert offences.exists()
    assert all(o.event.action == o.step.replace("penalty", "penalty_case") for o in offences)
    assert TicketEvent.objects.filter(offence__isnull=False).count() == offences.count()
    walkthrough = Merchant.objects.get(name="老王水果店", community__code="320311010001")
    assert not walkthrough.pledges.exists() and not walkthrough.offences.exists()
    month = timezone.localdate().replace(day=1)
    months = {month, previous_month(month), previous_month(previous_month(month))}
    assert set(MerchantMonth.objects.values_list("month", flat=True)) == months

    before = (Merchant.objects.count(), FrontagePledge.objects.count(), offences.count())
    result = seed_shops()
    assert result["created"] == {"shops": 0, "pledges": 0, "offences": 0}
    assert before == (Merchant.objects.count(), FrontagePledge.objects.count(), offences.count())
