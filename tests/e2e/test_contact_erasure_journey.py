"""A resident asks, from their tracking page on a phone, for the name and number they gave to be
removed; the supervisor, who saw them in full before, then sees that they were removed.

The strings this part adds are not in the catalogue until it is merged: the journey checks them
by element, and what was there before (the ticket page's Chinese) by text.
"""

import pytest
from playwright.sync_api import Page, expect

from cases import services
from cases.models import Source, Ticket
from privacy.models import ErasedContact, ErasureReason
from tests.cases.conftest import GULOU_POINT
from tests.e2e.conftest import shot
from tests.e2e.test_casework_journey import garbage, log_in, log_out  # noqa: F401  (fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reported(garbage, gulou_community) -> Ticket:  # noqa: F811  (the imported fixture)
    return services.create_ticket(
        actor=None,
        source=Source.RESIDENT,
        category=garbage,
        description="小区门口垃圾堆了三天没人清",
        lat=GULOU_POINT[0],
        lng=GULOU_POINT[1],
        reporter_name="刘女士",
        reporter_phone="13812345678",
    )


def test_a_resident_removes_their_contact_details_from_a_report(
    page: Page, reported: Ticket, supervisor_gulou
):
    # 1. The brigade's supervisor sees the reporter's name and number, to call her back.
    log_in(page, "supervisor_gulou")
    page.goto(f"/cases/{reported.number}/")
    contact = page.locator("#reporter-contact")
    expect(contact).to_contain_text("刘女士")
    expect(contact.get_by_role("link", name="13812345678")).to_have_attribute(
        "href", "tel:13812345678"
    )
    log_out(page)

    # 2. The resident opens her tracking page and follows the link to remove them.
    page.goto(f"/track/{reported.tracking_code}/")
    expect(page.locator("#ticket-state")).to_have_text("已上报")
    page.locator("#erase-link").click()
    expect(page.locator("#id_code")).to_have_value(reported.tracking_code)
    shot(page, "erasure-01-form")

    # 3. She types her number as she says it, forgets the tick: the page says so, keeps input.
    page.locator("#id_phone").fill("138 1234 5678")
    page.locator("#erase-form button[type=submit]").click()
    expect(page.locator("#erase-form .invalid-feedback")).to_be_visible()
    expect(page.locator("#id_phone")).to_have_value("138 1234 5678")
    reported.refresh_from_db()
    assert reported.reporter_phone == "13812345678"
    shot(page, "erasure-02-not-confirmed")

    # 4. She ticks and sends: the confirmation, and the name and number are gone.
    page.locator("#id_confirm").check()
    page.locator("#erase-form button[type=submit]").click()
    expect(page.locator("#erase-done")).to_be_visible()
    shot(page, "erasure-03-done")
    reported.refresh_from_db()
    assert (reported.reporter_name, reported.reporter_phone) == ("", "")
    assert ErasedContact.objects.get(ticket=reported).reason == ErasureReason.REQUEST

    # 5. Her tracking page still works, without the link.
    page.goto(f"/track/{reported.tracking_code}/")
    expect(page.locator("#ticket-state")).to_have_text("已上报")
    expect(page.locator("#erase-link")).to_have_count(0)

    # 6. The supervisor now sees that the contact details were removed, and no number.
    log_in(page, "supervisor_gulou")
    page.goto(f"/cases/{reported.number}/")
    expect(page.locator("#reporter-contact")).not_to_contain_text("138")
    expect(page.locator("#reporter-contact")).not_to_contain_text("刘")
    expect(page.locator("#reporter-contact")).to_contain_text(reported.reported_at.strftime("%Y"))
    shot(page, "erasure-04-staff-view")
