"""A second resident reports a problem someone already reported: on a phone, in Chinese, they
tick the open report nearby, get their own tracking code, find nothing left for the supervisor
to check, and once the original is closed rate it; an unhappy rating asks for a second look.

New strings are not in the catalogue until merged: they are checked by element."""

import pytest
from playwright.sync_api import Page, expect

from cases import services
from cases.models import Action, ReopenRequest, Source, State, Ticket
from tests.cases.conftest import GULOU_POINT
from tests.e2e.conftest import shot
from tests.e2e.test_casework_journey import log_in, log_out
from tests.e2e.test_resident_journey import FILED_URL, garbage, media  # noqa: F401 fixtures
from tests.factories import processed_photo

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_resident_follows_a_nearby_report_and_rates_its_result(
    page: Page,
    gulou_community,
    supervisor_gulou,
    officer_gulou,
    garbage,  # noqa: F811
    media,  # noqa: F811
):
    # Someone else's report of the same rubbish is being handled.
    original = services.create_ticket(
        actor=None,
        source=Source.RESIDENT,
        category=garbage,
        description="菜场西口垃圾堆积",
        lat=GULOU_POINT[0],
        lng=GULOU_POINT[1],
        reporter_name="刘女士",
        reporter_phone="13812345678",
    )
    services.register_ticket(actor=supervisor_gulou, ticket_id=original.pk)
    services.dispatch_ticket(
        actor=supervisor_gulou, ticket_id=original.pk, officer_id=officer_gulou.officer.pk
    )

    # 1. The form offers the open report nearby; the resident ticks it.
    page.goto(f"/report/?community={gulou_community.code}")
    page.wait_for_load_state()
    expect(page.locator("#report-form[data-ready]")).to_be_attached()
    page.locator("#id_category").select_option(value=str(garbage.pk))
    cells = page.locator("[data-grid-map] path.leaflet-interactive")
    expect(cells).to_have_count(2)
    cells.first.scroll_into_view_if_needed()
    cells.first.tap()
    expect(page.locator("#where-text .where-found")).to_contain_text("黄楼社区", timeout=15_000)
    offered = page.locator(f"#nearby input[data-follows][value='{original.number}']")
    expect(offered).to_be_visible(timeout=15_000)
    offered.check()
    page.locator("#id_description").fill("菜场西口的垃圾还在，我也反映一下。")
    page.locator("#id_consent").check()
    shot(page, "follower-01-form")
    page.locator("#report-form button[type=submit]").click()

    # 2. Their own code; their report is filed as following the original.
    expect(page).to_have_url(FILED_URL)
    code = FILED_URL.search(page.url).group(1)
    mine = Ticket.objects.get(tracking_code=code)
    assert (mine.duplicate_of, mine.state) == (original, State.REJECTED)

    # 3. Nothing new for the supervisor to check in the reported queue.
    log_in(page, "supervisor_gulou")
    page.goto("/cases/?status=reported")
    expect(page.locator("main")).not_to_contain_text(mine.number)
    log_out(page)

    # 4. The original is fixed and closed; the follower's page offers the rating.
    services.start_ticket(actor=officer_gulou, ticket_id=original.pk)
    services.resolve_ticket(
        actor=officer_gulou, ticket_id=original.pk, note="已清运", photos=[processed_photo()]
    )
    services.verify_ticket(actor=supervisor_gulou, ticket_id=original.pk, passed=True)
    page.goto(f"/track/{code}/")
    expect(page.locator("#follows-note")).to_contain_text(original.number)
    expect(page.locator("#ticket-state")).to_have_text("已结案")
    rating = page.locator("#rating")
    rating.scroll_into_view_if_needed()
    rating.locator("input[name=satisfaction][value='2']").check()
    rating.locator("textarea[name=comment]").fill("角落里还有垃圾")
    shot(page, "follower-02-rating")
    rating.locator("button[type=submit]").click()

    # 5. Rated once; the supervisors are asked to look at the original again.
    expect(page.locator("#rating-given .rating-stars")).to_have_text("★★☆☆☆")
    expect(page.locator("#rating")).to_have_count(0)
    expect(page.locator("#reopen-status")).to_be_visible()
    # Their own timeline says it follows the original, not that it was turned down.
    expect(page.locator("#timeline")).to_contain_text(original.number)
    expect(page.locator("#timeline")).not_to_contain_text("不予立案")
    shot(page, "follower-03-rated")
    mine.refresh_from_db()
    assert mine.satisfaction == 2
    request = ReopenRequest.objects.get()
    assert (request.ticket_id, request.comment) == (original.pk, "角落里还有垃圾")
    assert original.events.filter(action=Action.REOPEN_REQUEST).count() == 1
    assert page.url.endswith(f"/track/{code}/")
    assert original.tracking_code not in page.content()
