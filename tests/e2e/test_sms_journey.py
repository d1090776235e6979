"""A resident's phone journey with SMS on (a file outbox, as in `make run`): they file a
complaint with their mobile number; as staff move the ticket, each step's SMS appears in the
outbox with the short tracking link; they rate from the link in the closing message, then stop
the messages from the tracking page, and the next step sends nothing.

The deliveries run as the worker would, at once (Celery eager): the file is there when the
step's request returns."""

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from cases import services
from cases.models import State, Ticket
from citymgmt.celery import app
from messaging import sms
from tests.e2e.conftest import shot
from tests.e2e.test_resident_journey import FILED_URL, garbage, media  # noqa: F401 fixtures
from tests.factories import processed_photo
from tests.messaging.conftest import seed_templates

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"https?://\S+/t/([A-Z0-9]+)/")


@pytest.fixture
def sms_outbox(settings, tmp_path, live_server) -> Iterator[Path]:
    folder = tmp_path / "sms"
    settings.SMS_URL = f"file://{folder}"
    settings.SITE_URL = live_server.url
    sms.backend_for.cache_clear()
    seed_templates()  # a transactional test starts from empty tables
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield folder
    finally:
        app.conf.task_always_eager = eager


def outbox_messages(folder: Path) -> list[dict]:
    if not folder.exists():
        return []
    return [json.loads(path.read_text()) for path in sorted(folder.glob("sms-*.json"))]


def test_a_resident_follows_their_report_by_sms_rates_from_it_and_stops_it(
    page: Page,
    gulou_community,
    supervisor_gulou,
    officer_gulou,
    garbage,  # noqa: F811
    media,  # noqa: F811
    sms_outbox,
):
    # 1. The complaint, with a mobile number.
    page.goto(f"/report/?community={gulou_community.code}")
    page.wait_for_load_state()
    expect(page.locator("#report-form[data-ready]")).to_be_attached()
    page.locator("#id_category").select_option(value=str(garbage.pk))
    cells = page.locator("[data-grid-map] path.leaflet-interactive")
    expect(cells).to_have_count(2)
    cells.first.scroll_into_view_if_needed()
    cells.first.tap()
    expect(page.locator("#where-text .where-found")).to_contain_text("黄楼社区", timeout=15_000)
    page.locator("#id_description").fill("菜场西口垃圾堆了两天没人清。")
    page.locator("#id_reporter_phone").fill("138 1234 5678")
    page.locator("#id_consent").check()
    shot(page, "sms-01-form")
    page.locator("#report-form button[type=submit]").click()
    expect(page).to_have_url(FILED_URL)
    code = FILED_URL.search(page.url).group(1)
    ticket = Ticket.objects.get(tracking_code=code)
    assert outbox_messages(sms_outbox) == []  # received, not yet registered

    # 2. Staff move the ticket; each public step is one SMS to the resident.
    pk = ticket.pk
    services.register_ticket(actor=supervisor_gulou, ticket_id=pk)
    services.dispatch_ticket(
        actor=supervisor_gulou, ticket_id=pk, officer_id=officer_gulou.officer.pk
    )
    services.start_ticket(actor=officer_gulou, ticket_id=pk)  # no message: the officer is on it
    services.resolve_ticket(
        actor=officer_gulou, ticket_id=pk, note="已清运", photos=[processed_photo()]
    )
    services.verify_ticket(actor=supervisor_gulou, ticket_id=pk, passed=True)

    sent = outbox_messages(sms_outbox)
    assert [message["kind"] for message in sent] == [
        "ticket_registered",
        "ticket_dispatched",
        "ticket_resolved",
        "ticket_closed",
    ]
    assert {message["to"] for message in sent} == {"13812345678"}
    assert all(f"/t/{code}/" in message["text"] for message in sent)
    closing = sent[-1]["text"]
    assert "请为处理结果评分" in closing

    # 3. The resident taps the link in the closing message and rates the result.
    page.goto(LINK.search(closing).group(0))
    expect(page).to_have_url(re.compile(rf"/track/{code}/$"))
    expect(page.locator("#ticket-state")).to_have_text("已结案")
    rating = page.locator("#rating")
    rating.scroll_into_view_if_needed()
    rating.locator("input[name=satisfaction][value='5']").check()
    shot(page, "sms-02-rating")
    rating.locator("button[type=submit]").click()
    expect(page.locator("#rating-given .rating-stars")).to_have_text("★★★★★")

    # 4. They stop the messages; the page says so.
    page.locator("#stop-updates").click()
    expect(page.locator("#resume-updates")).to_be_visible()
    shot(page, "sms-03-stopped")

    # 5. The case is reopened: no further SMS.
    services.reopen_ticket(actor=supervisor_gulou, ticket_id=pk, reason="复查发现仍有垃圾")
    assert Ticket.objects.get(pk=pk).state == State.REGISTERED
    assert len(outbox_messages(sms_outbox)) == 4
