"""The command centre on its wall display (1920×1080, in Chinese): the city map of the open
casework, the big screen that shows a resident's new complaint without a reload, and a hotspot
turned into a governance task (源头治理) referred to the responsible unit."""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from residents.services import file_complaint
from tests.cases.conftest import GULOU_POINT
from tests.e2e.conftest import ARTIFACTS, shot
from tests.e2e.test_casework_journey import garbage, log_in  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def wall(browser: Browser, live_server, request) -> Iterator[Page]:
    """A 1920×1080 display in Chinese."""
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 1920, "height": 1080}
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-final.png"))
    context.close()


def complain(category, text: str):
    return file_complaint(
        category=category, description=text, lat=GULOU_POINT[0], lng=GULOU_POINT[1]
    )


def test_the_command_centre_watches_the_city_and_cures_a_hotspot_at_its_source(
    wall: Page,
    gulou_community,
    command_supervisor,
    handler_sanitation,
    garbage,  # noqa: F811
):
    reports = [complain(garbage, f"黄楼菜场门口垃圾又堆起来了（第{n}次）") for n in (1, 2, 3)]
    page = wall

    # 1. The map: the open work clustered per community, coloured by deadline.
    log_in(page, "command")
    page.goto("/command/map/")
    expect(page.locator("h1")).to_have_text("案件一张图")
    expect(page.locator("#command-map")).to_have_attribute("data-mode", "clusters")
    expect(page.locator(".map-cluster").first).to_be_visible()
    expect(page.locator(".map-cluster-n").first).to_have_text("3")
    shot(page, "command-01-map")

    # 2. The big screen: today's figures; a new complaint appears without a reload.
    page.goto("/command/screen/")
    expect(page.locator("#fig-residents")).to_have_text("3")
    page.evaluate("window.notReloaded = true")
    newest = complain(garbage, "黄楼社区东门垃圾桶满溢")
    # The screen polls every few seconds: within two polls.
    expect(page.locator("#fig-residents")).to_have_text("4", timeout=15_000)
    expect(page.locator(f"#screen-latest li[data-number='{newest.number}']")).to_be_visible()
    assert page.evaluate("window.notReloaded") is True
    shot(page, "command-02-screen")

    # 3. Hotspots: 暴露垃圾 keeps coming back in one grid; it becomes a governance task.
    page.goto("/command/hotspots/")
    row = page.locator("tr.hotspot", has_text="暴露垃圾")
    expect(row.locator("td").nth(4)).to_have_text("4")
    row.get_by_role("link", name="发起源头治理").click()
    form = page.locator("#governance-form")
    form.get_by_label("责任单位").select_option(label="环卫处")
    form.get_by_label("责任人").fill("陈科长")
    shot(page, "command-03-hotspot")
    form.get_by_role("button", name="推送责任单位").click()

    expect(page).to_have_url(re.compile(r"/cases/XZ\d{8}-\d+/$"))
    expect(page.locator(".alert-success")).to_contain_text("源头治理任务")
    linked = page.locator(".governance-linked li")
    expect(linked).to_have_count(4)
    for ticket in [*reports, newest]:
        expect(page.locator(".governance-linked")).to_contain_text(ticket.number)
    shot(page, "command-04-task")
