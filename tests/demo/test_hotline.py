"""The demo's 12345 setup: the reference platform's example order is filed under its category
(not left for the command centre to place), and every step's form offers a prepared reply."""

import pytest

from cases.models import ReplyStep, ReplyTemplate
from demo.hotline import MAPPINGS, seed_hotline
from hotline.reference import example_order
from hotline.services import receive_order

pytestmark = pytest.mark.django_db


def test_the_reference_platforms_example_order_lands_on_its_category():
    seed_hotline()
    order = example_order()

    ticket = receive_order(
        order_id=order["order_id"],
        content=order["content"],
        category_code=order["category_code"],
        community_code="320311010001",  # 泰山社区, as the example's address says
    )[0].ticket

    assert ticket.category.code == "0102"


def test_every_reply_step_has_a_template_and_seeding_twice_adds_nothing():
    first = seed_hotline()
    again = seed_hotline()

    assert first["created"] == {"hotline_mappings": len(MAPPINGS), "reply_templates": 5}
    assert again["created"] == {"hotline_mappings": 0, "reply_templates": 0}
    assert set(ReplyTemplate.objects.values_list("step", flat=True)) == set(ReplyStep.values)
