"""A resident verifies their mobile number on a phone, then files with it, in Chinese: the SMS
code is read from the outbox row (the channel "sms" sender is another part of issue 20), the
complaint form takes the verified number, and "my reports" lists the new ticket."""

import re

import pytest
from playwright.sync_api import Page, expect

from cases.categories import invalidate_choices, load_categories
from cases.models import Category, Ticket
from outbox.models import Message
from tests.e2e.conftest import shot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NUMBER = "13812345678"


@pytest.fixture
def garbage(db) -> Category:
    load_categories()
    invalidate_choices()
    return Category.objects.get(kind="event", code="0102")


@pytest.fixture
def sms_required(settings):
    settings.SMS_URL = "console://"
    settings.CITYMGMT_PHONE_VERIFICATION = "required"
    settings.SESSION_COOKIE_SECURE = False  # the live server speaks plain HTTP


def test_a_resident_verifies_their_number_then_files_with_it(
    page: Page, gulou_community, supervisor_gulou, garbage, sms_required
):
    # 1. The form asks for the number to be verified first.
    page.goto(f"/report/?community={gulou_community.code}")
    expect(page.locator("#phone-verification")).to_be_visible()
    page.locator("#verify-phone").click()
    expect(page).to_have_url(re.compile(r"/phone/\?next="))

    # 2. A code by SMS: the outbox row carries it.
    page.locator("#id_phone").fill("138 1234 5678")
    page.locator("#send-code").click()
    expect(page.locator("#code-sent")).to_contain_text("138****5678")
    message = Message.objects.get(channel="sms", kind="verify_code", target=NUMBER)
    page.locator("#id_code").fill(message.payload["code"])
    shot(page, "phone-01-code")
    page.locator("#check-code").click()

    # 3. Back on the form, preset to the community, with the number verified and filled in.
    expect(page).to_have_url(re.compile(rf"/report/\?community={gulou_community.code}$"))
    expect(page.locator("#phone-verified")).to_contain_text("5678")
    expect(page.locator("#id_reporter_phone")).to_have_value(NUMBER)

    page.wait_for_load_state()
    expect(page.locator("#report-form[data-ready]")).to_be_attached()
    page.locator("#category-search").fill("暴露垃圾")
    expect(page.locator("#id_category")).to_have_value(str(garbage.pk))
    cells = page.locator("[data-grid-map] path.leaflet-interactive")
    expect(cells).to_have_count(2)
    cells.first.scroll_into_view_if_needed()
    cells.first.tap()
    expect(page.locator("#where-text .where-found")).to_contain_text("黄楼社区", timeout=15_000)
    page.locator("#id_description").fill("菜场西口垃圾堆了两天没人清。")
    page.locator("#id_consent").check()
    shot(page, "phone-02-form")
    page.locator("#report-form button[type=submit]").click()

    # 4. Filed with the verified number; "my reports" lists it.
    expect(page).to_have_url(re.compile(r"/track/[A-Z0-9]{10}/filed/$"))
    ticket = Ticket.objects.get()
    assert ticket.reporter_phone == NUMBER
    page.goto("/track/")
    page.locator("#find-by-sms a").click()
    expect(page).to_have_url(re.compile(r"/my-reports/$"))
    expect(page.locator("#my-reports")).to_contain_text(ticket.number)
    shot(page, "phone-03-my-reports")
    page.locator(f"#my-reports a[href='/track/{ticket.tracking_code}/']").click()
    expect(page.locator("h1")).to_be_visible()
