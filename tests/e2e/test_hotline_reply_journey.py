"""A supervisor handles two 12345 work orders on a phone, in Chinese: registers one and rejects
the other, each with a reply template that fills the note; each step goes back to the platform
(the outbox's 签收 and 退单) with the template's words and the ticket's number in them."""

import re

import pytest
from playwright.sync_api import Page, expect

from cases.categories import invalidate_choices, load_categories
from cases.models import Category, ReplyStep, ReplyTemplate, State, Ticket
from hotline.models import CategoryMapping
from hotline.services import receive_order
from outbox.models import Message
from tests.e2e.conftest import shot
from tests.e2e.test_casework_journey import log_in, open_action
from tests.hotline.conftest import SECRET, order_body

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def orders(settings, gulou_community) -> list[Ticket]:
    settings.HOTLINE_URL = "http://127.0.0.1:9/writeback"
    settings.HOTLINE_SECRET = SECRET
    load_categories()
    invalidate_choices()
    garbage = Category.objects.get(kind="event", code="0102")
    CategoryMapping.objects.create(code="0301", category=garbage)
    ReplyTemplate.objects.create(
        title="受理", step=ReplyStep.REGISTER, text="工单{number}已受理，将尽快处置。"
    )
    ReplyTemplate.objects.create(
        title="非城管职责",
        step=ReplyStep.REJECT,
        category=garbage,
        text="经核实，{number}（{category}）不属于城管职责，已退回。",
    )
    return [receive_order(**order_body(order_id=f"GD-E2E-{n}"))[0].ticket for n in (1, 2)]


def test_a_supervisor_registers_and_rejects_hotline_orders_with_template_replies(
    page: Page, supervisor_gulou, orders
):
    first, second = orders
    log_in(page, "supervisor_gulou")

    # 1. Register the first order with the 受理 template.
    page.goto(f"/cases/{first.number}/")
    expect(page.locator("#external-id")).to_contain_text("GD-E2E-1")
    form = open_action(page, "register", "立案")
    form.locator("#id_register-template").select_option(label="受理")
    expect(form.locator("#id_register-note")).to_have_value(
        f"工单{first.number}已受理，将尽快处置。"
    )
    shot(page, "hotline-register-template")
    form.locator("button[type=submit]").click()
    expect(page.locator("#ticket-state")).to_have_text("已立案")

    # 2. Reject the second as not urban management's, with its category's template.
    page.goto(f"/cases/{second.number}/")
    form = open_action(page, "reject", "不予立案")
    form.locator("#id_reject-reason").select_option("out_of_scope")
    form.locator("#id_reject-template").select_option(label="非城管职责")
    expected = f"经核实，{second.number}（暴露垃圾）不属于城管职责，已退回。"
    expect(form.locator("#id_reject-note")).to_have_value(expected)
    form.locator("button[type=submit]").click()
    expect(page.locator("#ticket-state")).to_have_text(re.compile("不予立案|已驳回|驳回"))
    shot(page, "hotline-rejected")

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == (State.REGISTERED, State.REJECTED)
    accepted = Message.objects.get(kind="order.accepted")
    returned = Message.objects.get(kind="order.returned")
    assert accepted.payload["data"]["order_id"] == "GD-E2E-1"
    assert returned.payload["data"] == {
        **returned.payload["data"],
        "order_id": "GD-E2E-2",
        "reason": "out_of_scope",
        "text": expected,
    }
