"""Shops fixtures: a shop in 黄楼社区 (鼓楼) and one in 泰山社区 (泉山), the scoring policy, and a
helper that records a step of the ladder on a fresh 店外经营 ticket worked by the 鼓楼 officer.

Tickets come from ``tests/cases/conftest.py``'s ``make_ticket`` (shared below).
"""

import datetime
from collections.abc import Callable

import pytest
from django.utils import timezone, translation

from cases.models import State, Ticket
from shops import services
from shops.models import Merchant, Offence, ShopPolicy, credit_code_check_char
from tests.cases import conftest as cases_fixtures
from tests.cases.conftest import GULOU_POINT, QUANSHAN_POINT
from tests.factories import processed_photo

# The casework fixtures, shared: tickets driven through the services by the cast.
category = cases_fixtures.category
enforceable_category = cases_fixtures.enforceable_category
fast_password_hashing = cases_fixtures.fast_password_hashing
make_ticket = cases_fixtures.make_ticket
media = cases_fixtures.media
officer_gulou_colleague = cases_fixtures.officer_gulou_colleague
supervisor_quanshan = cases_fixtures.supervisor_quanshan


@pytest.fixture(autouse=True)
def _in_english():
    """Messages are asserted in English (the msgids), whatever the catalogue holds."""
    with translation.override("en"):
        yield


def licence(n: int) -> str:
    """A valid 统一社会信用代码 (check digit included), different for each ``n``."""
    first17 = f"923203027{n:08d}"
    return first17 + credit_code_check_char(first17)


@pytest.fixture
def make_merchant(gulou_community, taishan_community) -> Callable[..., Merchant]:
    counter = iter(range(1, 10_000))

    def make(place: str = "gulou", **fields) -> Merchant:
        from grids.services import locate

        lat, lng = GULOU_POINT if place == "gulou" else QUANSHAN_POINT
        cell = locate(lat, lng)
        n = next(counter)
        values = {
            "name": f"老王水果店{n}",
            "licence_number": licence(n + (0 if place == "gulou" else 5000)),
            "business_kind": "grocery",
            "owner_name": "王建华",
            "owner_phone": "13852001234",
            "address": f"中山北路{n}号",
            "lat": lat,
            "lng": lng,
            "grid_cell": cell,
            "community": cell.community,
            "brigade_id": cell.community.brigade_id,
        }
        values.update(fields)
        return Merchant.objects.create(**values)

    return make


@pytest.fixture
def shop(make_merchant) -> Merchant:
    """老王水果店 in 黄楼社区 (鼓楼一大队)."""
    return make_merchant(name="老王水果店")


@pytest.fixture
def shop_quanshan(make_merchant) -> Merchant:
    """A shop in 泰山社区 (泉山三大队), for denials."""
    return make_merchant("quanshan", name="泰山小吃")


@pytest.fixture
def policy(db) -> ShopPolicy:
    return ShopPolicy.current()


@pytest.fixture
def street_ticket(make_ticket) -> Callable[..., Ticket]:
    """A 店外经营 ticket dispatched to the 鼓楼 officer (or ``place="quanshan"``'s)."""

    def make(place: str = "gulou", state: str = State.DISPATCHED) -> Ticket:
        from cases.models import Category

        return make_ticket(
            state, place=place, category=Category.objects.get(kind="event", code="0504")
        )

    return make


@pytest.fixture
def record_step(street_ticket, officer_gulou) -> Callable[..., Offence]:
    """``record_step(step, merchant=…)``: a new 鼓楼 店外经营 ticket and the step on it."""

    def record(step: str, *, merchant: Merchant | None = None, **kwargs) -> Offence:
        ticket = street_ticket()
        if step == "waive":
            kwargs.setdefault("promise_photo", processed_photo())
        if step == "seize":
            kwargs.setdefault("seized_items", [services.SeizedItem("塑料凳", "6")])
            kwargs.setdefault("return_on", timezone.localdate() + datetime.timedelta(days=7))
        if step == "penalty":
            kwargs.setdefault("penalty_case_number", "徐鼓城罚〔2026〕12号")
        return services.record_offence(
            actor=officer_gulou,
            ticket_id=ticket.pk,
            step=step,
            merchant_id=merchant.pk if merchant else None,
            **kwargs,
        )

    return record
