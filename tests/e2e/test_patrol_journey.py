"""A patrol end to end on a phone, in Chinese, with the browser's geolocation granted and set by
the test: the officer starts a patrol, two positions are recorded, fixes one problem on site
with before/after photos and reports another for dispatch, makes a service visit, ends the
patrol and submits the daily log whose counts match; the supervisor sees the route on the map
and approves the log."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from cases.categories import invalidate_choices, load_categories
from cases.models import Category, Source, State, Ticket
from patrols import services as patrol_services
from patrols.models import DailyLog, LogStatus, PatrolPoint
from tests.e2e.test_casework_journey import log_in, log_out, open_menu, photo_file, snap
from tests.patrols.conftest import GULOU_001, GULOU_002

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FLASH = ".alert-success[role=alert]"  # the page's message, not the tracker's status line


@pytest.fixture
def garbage(db) -> Category:
    load_categories()
    invalidate_choices()
    return Category.objects.get(kind="event", code="0102")


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


# The tracker posts every 45 s in the street; every 2 s here. Set on the element as the page
# parses, before patrol.js reads it.
SHORT_INTERVAL = """
new MutationObserver(function (_, observer) {
  var tracker = document.getElementById("patrol-tracker");
  if (tracker) { tracker.dataset.interval = "2"; observer.disconnect(); }
}).observe(document, { childList: true, subtree: true });
"""


def move_to(page: Page, point: tuple[float, float]) -> None:
    page.context.set_geolocation({"latitude": point[0], "longitude": point[1], "accuracy": 10})


def record_finding(page: Page, outcome: str, garbage: Category, description: str) -> None:
    page.get_by_role("link", name="记录发现的问题").click()
    expect(page.locator("h1")).to_have_text("记录发现的问题")
    # The phone's last position came along with the link.
    expect(page.locator("#id_lat")).to_have_value(re.compile(r"^34\.26"))
    page.get_by_label(outcome).check()
    page.locator("#id_category").select_option(value=str(garbage.pk))
    page.locator("#id_description").fill(description)


def test_officer_patrols_files_findings_and_logs_the_day_then_the_supervisor_approves(
    page: Page, live_server, officer_gulou, supervisor_gulou, garbage, media, tmp_path
):
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    move_to(page, GULOU_001)
    page.add_init_script(SHORT_INTERVAL)

    # 1. The officer starts a patrol from their home page.
    log_in(page, "officer_gulou")
    card = page.locator(".patrol-card")
    expect(card).to_contain_text("今日巡查")
    expect(card).to_contain_text("未提交")
    card.get_by_role("button", name="开始巡查").click()
    expect(page.locator(FLASH)).to_contain_text("巡查已开始")
    expect(page.locator("#patrol-points")).to_have_text("1")
    expect(page.locator("#patrol-status")).to_contain_text("正在记录巡查轨迹")

    # 2. They walk into the next grid: a second position is recorded and the line grows.
    move_to(page, GULOU_002)
    expect(page.locator("#patrol-points")).to_have_text("2", timeout=20_000)
    expect(page.locator("#patrol-distance")).to_have_text("0.10")
    expect(page.locator("[data-grid-map] path.patrol-track")).to_have_count(1)
    snap(page, "patrol-01-on-patrol")

    # 3. A heap of rubbish: cleared on the spot, before and after photos.
    record_finding(page, "现场整改", garbage, "人行道上有暴露垃圾")
    page.locator("#id_before").set_input_files(photo_file(tmp_path, "before.jpg", "#7a5a3a"))
    page.locator("#id_after").set_input_files(photo_file(tmp_path, "after.jpg", "#4a7f3a"))
    page.locator("#id_note").fill("已清理干净")
    snap(page, "patrol-02-on-site")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(FLASH)).to_contain_text("已结案")

    # 4. A broken manhole cover is not theirs to fix: report it for dispatch.
    record_finding(page, "上报待派遣", garbage, "小区门口垃圾桶破损")
    expect(page.locator("#id_before")).to_be_hidden()
    page.locator("#id_photos").set_input_files(photo_file(tmp_path, "report.jpg", "#2f6fb3"))
    page.get_by_role("button", name="保存").click()
    expect(page.locator(FLASH)).to_contain_text("已立案")
    expect(page.locator(".patrol-findings li")).to_have_count(2)

    # 5. A contact card handed to a shopkeeper: one tap.
    page.get_by_role("button", name="走访 +1").click()
    expect(page.locator("#outreach-counts")).to_contain_text("走访服务 1 次")

    # 6. End of the patrol, then the daily log with its counts.
    page.get_by_role("button", name="结束巡查").click()
    expect(page).to_have_url(re.compile(r"/patrols/log/$"))
    counts = page.locator(".log-counts")
    expect(counts.locator("[data-count=found]")).to_have_text("2")
    expect(counts.locator("[data-count=fixed_on_site]")).to_have_text("1")
    expect(counts.locator("[data-count=contacts_visited]")).to_have_text("1")
    expect(counts.locator("[data-count=patrol_count]")).to_have_text("1")
    expect(counts.locator("[data-count=distance_m]")).to_have_text("100")
    page.get_by_label("当日工作小结").fill(
        "巡查黄楼社区两个网格，现场清理垃圾一处，上报垃圾桶破损一处。"
    )
    page.get_by_role("button", name="提交日志").click()
    expect(page.locator(FLASH)).to_have_text("工作日志已提交。")
    expect(page.locator("main .badge").first).to_have_text("已提交")
    expect(page.get_by_label("当日工作小结")).to_have_count(0)  # read-only now
    snap(page, "patrol-03-log-submitted")

    log = DailyLog.objects.get()
    mine = Ticket.objects.filter(reporter=officer_gulou, source=Source.PATROL)
    assert (log.found, log.fixed_on_site) == (mine.count(), mine.filter(on_site=True).count())
    assert sorted(mine.values_list("state", flat=True)) == [State.CLOSED, State.REGISTERED]
    assert PatrolPoint.objects.count() == 2

    # 7. The supervisor sees the route and the findings on the map, and approves the log.
    log_out(page)
    log_in(page, "supervisor_gulou")
    open_menu(page)
    page.locator("#mainnav").get_by_role("link", name="今日巡查动态").click()
    expect(page.locator("h1")).to_contain_text("今日巡查动态")
    expect(page.locator(".patrol-map path.patrol-track")).to_have_count(1)
    expect(page.locator(".patrol-map path.finding-marker")).to_have_count(2)
    snap(page, "patrol-04-supervisor-map")
    page.get_by_role("link", name=re.compile("份日志待审核")).click()
    page.locator(".review-list").get_by_role("link", name=re.compile("王建国")).click()
    expect(page.locator(".log-summary")).to_contain_text("现场清理垃圾一处")
    page.get_by_label("同意").check()
    page.get_by_role("button", name="提交审核结果").click()
    expect(page.locator(FLASH)).to_have_text("日志已审核通过。")
    expect(page.locator(".review-list")).to_contain_text("没有待审核的日志")
    log.refresh_from_db()
    assert log.status == LogStatus.APPROVED and log.reviewed_by == supervisor_gulou
    assert list(log.events.values_list("action", flat=True)) == ["submit", "approve"]


def test_without_location_permission_the_patrol_still_works_and_says_so(
    page: Page, officer_gulou, garbage, media
):
    # No geolocation permission granted: the browser refuses, as a phone would after "Deny".
    log_in(page, "officer_gulou")
    page.locator(".patrol-card").get_by_role("button", name="开始巡查").click()

    status = page.locator("#patrol-status")
    expect(status).to_contain_text("未获得定位权限")
    expect(status).to_have_class(re.compile("alert-warning"))
    page.get_by_role("button", name="宣传 +1").click()
    expect(page.locator("#outreach-counts")).to_contain_text("宣传活动 1 次")
    snap(page, "patrol-05-no-location")
    page.get_by_role("button", name="结束巡查").click()
    expect(page.locator(FLASH)).to_contain_text("巡查结束")
    assert not PatrolPoint.objects.exists()


def test_a_name_on_the_patrol_map_is_shown_as_text_never_as_markup(
    page: Page, live_server, officer_gulou, supervisor_gulou
):
    # A display name is typed by people (the admin, an import): it must not become HTML.
    officer_gulou.display_name = '<img id="injected" src="x">王建国'
    officer_gulou.save(update_fields=["display_name"])
    session, _ = patrol_services.start_patrol(actor=officer_gulou)
    for lat, lng in (GULOU_001, GULOU_002):
        patrol_services.record_point(actor=officer_gulou, session_id=session.pk, lat=lat, lng=lng)

    log_in(page, "supervisor_gulou")
    page.goto(f"/patrols/{session.pk}/")
    # Leaflet's SVG line is thin: Playwright finds it "not visible", so the pointer is put on it.
    page.locator("path.patrol-track").hover(force=True)

    tooltip = page.locator(".leaflet-tooltip").filter(has_text="王建国")
    expect(tooltip).to_contain_text('<img id="injected" src="x">王建国')
    expect(page.locator("#injected")).to_have_count(0)
    snap(page, "patrol-map-name-as-text")
