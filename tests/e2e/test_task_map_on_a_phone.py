"""An officer opens a task on a phone (375×812): the map renders with their own position and
the task's pin both in view, and the navigate links open Amap / Baidu Maps at the pin, shifted
into each app's coordinates. Screenshots land in test-artifacts/."""

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from cases import services
from cases.models import Category, Source
from citymgmt.coords import wgs84_to_gcj02
from grids.geometry import offset
from tests.e2e.conftest import shot
from tests.e2e.test_casework_journey import log_in
from tests.factories import ORIGIN

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TASK = tuple(reversed(offset(*ORIGIN, 50, 50)))  # (lat, lng) in 黄楼社区's grid 001
OFFICER_AT = tuple(reversed(offset(*ORIGIN, 900, -700)))  # about 1.1 km away, off the grids

# Both markers' boxes and the map's: is each inside the map's visible area?
IN_VIEW = """
() => {
  const map = document.querySelector("[data-grid-map]").getBoundingClientRect();
  const inside = (sel) => { const e = document.querySelector(sel); if (!e) return false;
    const r = e.getBoundingClientRect();
    return r.left >= map.left && r.right <= map.right
      && r.top >= map.top && r.bottom <= map.bottom; };
  return {me: inside(".me-marker"), pin: inside(".problem-marker")};
}
"""


@pytest.fixture
def task(officer_gulou, supervisor_gulou):
    ticket = services.create_ticket(
        actor=None,
        source=Source.RESIDENT,
        category=Category.objects.get(kind="event", code="0102"),
        description="小区门口垃圾堆了三天没人清",
        lat=TASK[0],
        lng=TASK[1],
    )
    services.register_ticket(actor=supervisor_gulou, ticket_id=ticket.pk)
    services.dispatch_ticket(
        actor=supervisor_gulou, ticket_id=ticket.pk, officer_id=officer_gulou.officer.pk
    )
    return ticket


def test_the_officer_sees_themself_and_the_task_and_can_navigate_there(
    page: Page, live_server, task
):
    page.set_viewport_size({"width": 375, "height": 812})
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.context.set_geolocation({"latitude": OFFICER_AT[0], "longitude": OFFICER_AT[1]})
    log_in(page, "officer_gulou")
    page.goto(task.get_absolute_url())

    page.locator("[data-grid-map]").scroll_into_view_if_needed()
    expect(page.locator(".leaflet-container")).to_be_visible()
    expect(page.locator(".me-marker")).to_be_attached()
    page.wait_for_function("() => document.querySelector('[data-grid-map]').dataset.meShown")
    page.wait_for_timeout(400)  # fitBounds animates on a phone
    assert page.evaluate(IN_VIEW) == {"me": True, "pin": True}
    shot(page, "task-map-phone")

    amap = page.locator("a.navigate-link[data-app=amap]")
    expect(amap).to_be_visible()
    expect(amap).to_have_text("高德地图导航")
    href = amap.get_attribute("href")
    assert href.startswith("https://uri.amap.com/marker?")
    lat, lng = wgs84_to_gcj02(*TASK)
    assert parse_qs(urlsplit(href).query)["position"] == [f"{lng:.6f},{lat:.6f}"]
    baidu = page.locator("a.navigate-link[data-app=baidu]")
    expect(baidu).to_be_visible()
    assert baidu.get_attribute("href").startswith("https://api.map.baidu.com/marker?")

    # The officer walks off the other way: the view widens so both stay in it.
    before = page.locator(".me-marker").bounding_box()
    page.context.set_geolocation({"latitude": TASK[0] - 0.02, "longitude": TASK[1] - 0.02})
    page.wait_for_function(
        "(y) => document.querySelector('.me-marker').getBoundingClientRect().top !== y",
        arg=page.evaluate("() => document.querySelector('.me-marker').getBoundingClientRect().top"),
    )
    page.wait_for_timeout(400)
    assert page.locator(".me-marker").bounding_box() != before
    assert page.evaluate(IN_VIEW) == {"me": True, "pin": True}
