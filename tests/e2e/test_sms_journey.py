"""A resident's phone journey with SMS on, as `make run` has it (``SMS_URL`` a file outbox, one
JSON file per message), in Chinese: the form asks them to verify their mobile number; the code
comes by SMS (read from the file the sender wrote, not from the database); they file with the
verified number and "my reports" lists the ticket. As staff move the ticket, each step's SMS
appears in the file outbox with the short tracking link; they rate from the link in the closing
message, stop the messages from the tracking page, and the next step (a reopen) sends nothing.

Every message goes the whole way: outbox row, delivery task, the ``sms`` channel's sender, the
file. The worker's task runs at once (Celery eager), so the file is there when the request or
the step that wrote the row returns."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from cases import services
from cases.models import State, Ticket
from citymgmt.celery import app
from messaging import sms
from outbox.models import Message, Status
from tests.e2e.conftest import shot
from tests.e2e.test_resident_journey import FILED_URL, garbage, media  # noqa: F401 fixtures
from tests.factories import processed_photo
from tests.messaging.conftest import seed_templates, sms_files

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NUMBER = "13812345678"
LINK = re.compile(r"https?://\S+/t/([A-Z0-9]+)/")


@pytest.fixture
def sms_outbox(settings, tmp_path, live_server) -> Iterator[Path]:
    """SMS to a file outbox, verification required before filing, deliveries at once."""
    folder = tmp_path / "sms"
    settings.SMS_URL = f"file://{folder}"
    settings.CITYMGMT_PHONE_VERIFICATION = "required"
    settings.SITE_URL = live_server.url
    settings.SESSION_COOKIE_SECURE = False  # the live server speaks plain HTTP
    sms.backend_for.cache_clear()
    seed_templates()  # a transactional test starts from empty tables
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield folder
    finally:
        app.conf.task_always_eager = eager


class Outbox:
    """The file outbox, read as a phone would: the messages that arrived since the last look."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.seen = 0

    def new(self) -> list[dict]:
        messages = sms_files(self.folder)
        arrived, self.seen = messages[self.seen :], len(messages)
        return arrived


def verify_number(page: Page, outbox: Outbox, community_code: str) -> None:
    """From the report form to /phone/ and back, with the code from the SMS file."""
    page.goto(f"/report/?community={community_code}")
    expect(page.locator("#phone-verification")).to_be_visible()
    page.locator("#verify-phone").click()
    expect(page).to_have_url(re.compile(r"/phone/\?next="))

    page.locator("#id_phone").fill("138 1234 5678")
    page.locator("#send-code").click()
    expect(page.locator("#code-sent")).to_contain_text("138****5678")
    [message] = outbox.new()
    assert message["to"] == NUMBER
    assert message["kind"] == message["template"] == "verify_code"
    code = message["params"]["code"]
    assert re.fullmatch(r"\d{6}", code)
    assert code in message["text"] and message["sent_at"]
    # The outbox row went the whole way: sent by the channel's sender, not just written.
    row = Message.objects.get(kind="verify_code")
    assert row.status == Status.SENT
    page.locator("#id_code").fill(code)
    shot(page, "sms-01-code")
    page.locator("#check-code").click()

    # Back on the form, preset to the community, with the number verified and filled in.
    expect(page).to_have_url(re.compile(rf"/report/\?community={community_code}$"))
    expect(page.locator("#phone-verified")).to_contain_text("5678")
    expect(page.locator("#id_reporter_phone")).to_have_value(NUMBER)


def file_complaint(page: Page, garbage_pk: int) -> str:
    """Fill in the form (the map tapped, the category found by name) and file; the code."""
    page.wait_for_load_state()
    expect(page.locator("#report-form[data-ready]")).to_be_attached()
    page.locator("#category-search").fill("暴露垃圾")
    expect(page.locator("#id_category")).to_have_value(str(garbage_pk))
    cells = page.locator("[data-grid-map] path.leaflet-interactive")
    expect(cells).to_have_count(2)
    cells.first.scroll_into_view_if_needed()
    cells.first.tap()
    expect(page.locator("#where-text .where-found")).to_contain_text("黄楼社区", timeout=15_000)
    page.locator("#id_description").fill("菜场西口垃圾堆了两天没人清。")
    page.locator("#id_consent").check()
    shot(page, "sms-02-form")
    page.locator("#report-form button[type=submit]").click()
    expect(page).to_have_url(FILED_URL)
    return FILED_URL.search(page.url).group(1)


def test_a_resident_verifies_files_follows_by_sms_rates_and_stops(
    page: Page,
    gulou_community,
    supervisor_gulou,
    officer_gulou,
    garbage,  # noqa: F811
    media,  # noqa: F811
    sms_outbox,
):
    outbox = Outbox(sms_outbox)

    # 1. The number verified with the code from the SMS file; the complaint filed with it.
    verify_number(page, outbox, gulou_community.code)
    code = file_complaint(page, garbage.pk)
    ticket = Ticket.objects.get(tracking_code=code)
    assert ticket.reporter_phone == NUMBER
    assert outbox.new() == []  # received, not yet registered

    # 2. "My reports" lists it for the verified number.
    page.goto("/track/")
    page.locator("#find-by-sms a").click()
    expect(page).to_have_url(re.compile(r"/my-reports/$"))
    expect(page.locator("#my-reports")).to_contain_text(ticket.number)
    shot(page, "sms-03-my-reports")
    page.locator(f"#my-reports a[href='/track/{code}/']").click()
    expect(page.locator("#ticket-state")).to_be_visible()

    # 3. Staff move the ticket; each public step is one SMS in the outbox, at once.
    pk = ticket.pk

    def step(kind: str | None) -> dict | None:
        arrived = outbox.new()
        assert [message["kind"] for message in arrived] == ([kind] if kind else [])
        if not arrived:
            return None
        [message] = arrived
        assert message["to"] == NUMBER
        assert LINK.search(message["text"]).group(1) == code
        assert message["params"]["number"] == ticket.number
        return message

    services.register_ticket(actor=supervisor_gulou, ticket_id=pk)
    step("ticket_registered")
    services.dispatch_ticket(
        actor=supervisor_gulou, ticket_id=pk, officer_id=officer_gulou.officer.pk
    )
    step("ticket_dispatched")
    services.start_ticket(actor=officer_gulou, ticket_id=pk)
    step(None)  # the officer is on it: nothing to tell
    services.resolve_ticket(
        actor=officer_gulou, ticket_id=pk, note="已清运", photos=[processed_photo()]
    )
    assert "已清运" not in step("ticket_resolved")["text"]  # never a staff note
    services.verify_ticket(actor=supervisor_gulou, ticket_id=pk, passed=True)
    closing = step("ticket_closed")["text"]
    assert "请为处理结果评分" in closing

    # 4. The resident taps the link in the closing message and rates the result.
    page.goto(LINK.search(closing).group(0))
    expect(page).to_have_url(re.compile(rf"/track/{code}/$"))
    expect(page.locator("#ticket-state")).to_have_text("已结案")
    rating = page.locator("#rating")
    rating.scroll_into_view_if_needed()
    rating.locator("input[name=satisfaction][value='5']").check()
    shot(page, "sms-04-rating")
    rating.locator("button[type=submit]").click()
    expect(page.locator("#rating-given .rating-stars")).to_have_text("★★★★★")

    # 5. They stop the messages from the tracking page; the page says so.
    page.locator("#stop-updates").click()
    expect(page.locator("#resume-updates")).to_be_visible()
    shot(page, "sms-05-stopped")

    # 6. The case is reopened: no further SMS.
    services.reopen_ticket(actor=supervisor_gulou, ticket_id=pk, reason="复查发现仍有垃圾")
    assert Ticket.objects.get(pk=pk).state == State.REGISTERED
    step(None)
    assert not Message.objects.filter(kind="ticket_reopened").exists()
