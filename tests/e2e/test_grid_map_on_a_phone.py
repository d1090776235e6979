"""The unit-grid map on a phone (375×812) when an officer covers two communities: the grid labels
never pile on each other and the pin stays visible on top, on the patrol page and the finding
form. Screenshots land in test-artifacts/."""

import pytest
from playwright.sync_api import Page, expect

from patrols import services as patrol_services
from tests.e2e.conftest import shot
from tests.e2e.test_casework_journey import log_in
from tests.factories import AssignmentFactory, CommunityFactory, GridCellFactory, square
from tests.patrols.conftest import GULOU_001

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The boxes of the labels shown, the pin's, and whether the pin's pane is above the labels'.
READ_MAP = """
() => {
  const box = (e) => { const r = e.getBoundingClientRect();
    return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; };
  const labels = [...document.querySelectorAll(".grid-label")]
    .filter((e) => getComputedStyle(e).visibility === "visible");
  const pin = document.querySelector(".problem-marker");
  const z = (e) => Number(getComputedStyle(e.closest(".leaflet-pane")).zIndex);
  return {
    labels: labels.map(box),
    all: document.querySelectorAll(".grid-label").length,
    pin: pin && box(pin),
    pinOnTop: pin && labels.every((l) => z(pin) > z(l)),
  };
}
"""

# Set a flag once the map's own zoomend listeners (the labels' sorting among them) have run.
ZOOM_WATCH = """
() => document.querySelector("[data-grid-map]").citymgmtMap.map.once("zoomend", () => {
  setTimeout(() => { window.zoomedOut = true; });
})
"""


def overlap(a: dict, b: dict) -> bool:
    return (
        a["left"] < b["right"]
        and b["left"] < a["right"]
        and a["top"] < b["bottom"]
        and b["top"] < a["bottom"]
    )


@pytest.fixture
def two_communities(officer_gulou, gulou_community):
    """officer_gulou covers 黄楼社区 (cells 001–004) and 牌楼社区 (six cells 1.2 km east): at the
    zoom that shows both on a phone, neighbouring labels would sit on each other."""
    for n, col in enumerate((2, 3), start=3):
        GridCellFactory(community=gulou_community, code=f"{n:03}", boundary=square(col, 0))
    second = CommunityFactory(
        street=gulou_community.street, code="002", name="牌楼社区", brigade=gulou_community.brigade
    )
    for n in range(6):
        GridCellFactory(community=second, code=f"{n + 1:03}", boundary=square(12 + n % 3, n // 3))
    AssignmentFactory(
        officer=officer_gulou.officer,
        community=second,
        grid_cells=list(second.grid_cells.all()),
        weekdays="1234567",
    )
    return officer_gulou


def assert_readable(page: Page) -> None:
    expect(page.locator(".grid-label").first).to_be_attached()
    seen = page.evaluate(READ_MAP)
    labels = seen["labels"]
    assert seen["all"] == 10 and 0 < len(labels) < 10, seen  # some hidden, some still shown
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            assert not overlap(a, b), (a, b)
    assert seen["pin"] is not None and seen["pinOnTop"], seen
    assert not any(overlap(seen["pin"], label) for label in labels), seen
    expect(page.locator(".problem-marker")).to_be_visible()


def test_the_finding_form_map_keeps_labels_apart_and_the_pin_on_top(page: Page, two_communities):
    page.set_viewport_size({"width": 375, "height": 812})
    log_in(page, "officer_gulou")
    lat, lng = GULOU_001
    page.goto(f"/patrols/finding/?lat={lat}&lng={lng}")

    map_element = page.locator("[data-grid-map]")
    map_element.scroll_into_view_if_needed()
    assert_readable(page)
    shot(page, "grid-map-phone-finding-form")

    # Zooming out crowds the labels further: they are sorted out again.
    page.evaluate(ZOOM_WATCH)
    page.locator(".leaflet-control-zoom-out").click()
    page.wait_for_function("() => window.zoomedOut")
    assert_readable(page)


def test_the_patrol_map_keeps_labels_apart_and_the_pin_on_top(
    page: Page, live_server, two_communities
):
    page.set_viewport_size({"width": 375, "height": 812})
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.context.set_geolocation({"latitude": GULOU_001[0], "longitude": GULOU_001[1]})
    patrol_services.start_patrol(actor=two_communities)
    log_in(page, "officer_gulou")
    page.goto("/patrols/")

    page.locator("[data-grid-map]").scroll_into_view_if_needed()
    expect(page.locator(".problem-marker")).to_be_attached()  # the first position came in
    assert_readable(page)
    shot(page, "grid-map-phone-patrol")
