"""A brigade leader works the queue on a phone, in Chinese: the status tabs count each state,
two reports ticked in the list are registered at once, a third is rejected from its page, and
each time the tabs move at once, the finished ones (kept in the cache) included."""

import re

import pytest
from playwright.sync_api import Page, expect

from cases import services
from cases.models import Source, State, Ticket
from tests.cases.conftest import GULOU_POINT
from tests.cases.test_queue import add
from tests.e2e.conftest import shot
from tests.e2e.test_casework_journey import garbage, log_in, open_action, submit  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def tab_count(page: Page, state: str):
    return page.locator(f".status-tabs a[href$='status={state}'] .badge")


def test_a_supervisor_registers_and_rejects_from_the_queue_and_the_tabs_follow(
    page: Page,
    gulou_community,
    supervisor_gulou,
    garbage,  # noqa: F811
):
    reports = [
        services.create_ticket(
            actor=None,
            source=Source.RESIDENT,
            category=garbage,
            description=f"黄楼菜场第{n}排摊位旁垃圾堆积",
            lat=GULOU_POINT[0],
            lng=GULOU_POINT[1],
        )
        for n in (1, 2, 3)
    ]
    for _ in range(2):  # last month's work, long closed
        add(gulou_community, state=State.CLOSED, category=garbage)

    # 1. The queue opens on the open work; every tab has its count.
    log_in(page, "supervisor_gulou")
    page.goto("/cases/")
    expect(page.locator("h1")).to_have_text("案件队列")
    expect(tab_count(page, "reported")).to_have_text("3")
    expect(tab_count(page, "closed")).to_have_text("2")
    expect(tab_count(page, "all")).to_have_text("5")
    expect(page.locator(".queue-list .ticket-item")).to_have_count(3)
    shot(page, "queue-01-open")

    # 2. Two reports ticked, registered with the bulk bar.
    for ticket in reports[:2]:
        page.locator(f"input[name=tickets][value='{ticket.pk}']").check()
    page.locator("#bulk-action").select_option("register")
    page.locator("#bulk-form").get_by_role("button", name="执行").click()
    expect(page.locator(".alert-success")).to_contain_text(reports[0].number)
    expect(tab_count(page, "reported")).to_have_text("1")
    expect(tab_count(page, "registered")).to_have_text("2")
    shot(page, "queue-02-registered")

    # 3. The third is no problem at all: rejected from its page.
    page.locator(".ticket-number", has_text=reports[2].number).click()
    expect(page).to_have_url(re.compile(rf"/cases/{reports[2].number}/$"))
    form = open_action(page, "reject", "不予立案")
    form.locator("#id_reject-reason").select_option("invalid")
    form.locator("#id_reject-note").fill("现场核实无垃圾堆积。")
    submit(form, "不予立案")
    expect(page.locator("#ticket-state")).to_have_text("不予立案")

    # 4. Back in the queue the rejected tab counts it, and the closed count still stands.
    page.goto("/cases/")
    expect(tab_count(page, "reported")).to_have_text("0")
    expect(tab_count(page, "rejected")).to_have_text("1")
    expect(tab_count(page, "closed")).to_have_text("2")
    expect(tab_count(page, "all")).to_have_text("5")
    page.locator(".status-tabs a[href$='status=rejected']").click()
    expect(page.locator(".queue-list")).to_contain_text(reports[2].number)
    shot(page, "queue-03-rejected-tab")
    assert Ticket.objects.get(pk=reports[2].pk).state == State.REJECTED
