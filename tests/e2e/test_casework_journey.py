"""Casework end to end on a phone, in Chinese: a hotline complaint is filed on the map, registered,
dispatched, worked, sent back once for rework, fixed again and closed; the timeline records it all.

Chinese strings are the glossary's (/work/notes/glossary.md), which the zh_Hans catalog follows.
"""

import re
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Locator, Page, expect

from cases import services
from cases.categories import invalidate_choices, load_categories
from cases.models import Category, Source
from tests.e2e.conftest import shot
from tests.factories import ORIGIN

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-2026"
DATE_TIME = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}"
TICKET_URL = re.compile(r"/cases/(XZ\d{8}-\d{4})/$")
SHOWN = re.compile(r"(^|\s)show(\s|$)")  # Bootstrap collapse: "collapsing" until fully open


@pytest.fixture
def garbage(db) -> Category:
    """暴露垃圾. Migration 0002 loads the tree, but a transactional test's flush removes it."""
    load_categories()
    invalidate_choices()  # the grouped <select> is cached (in Redis on CI) with old ids
    return Category.objects.get(kind="event", code="0102")


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def photo_file(tmp_path: Path, name: str, colour: str) -> Path:
    """A small but real JPEG, which the upload check re-encodes like any camera photo."""
    path = tmp_path / name
    image = Image.new("RGB", (640, 480), colour)
    ImageDraw.Draw(image).rectangle((200, 150, 440, 330), fill="white")
    image.save(path, "JPEG", quality=85)
    return path


def snap(page: Page, name: str) -> None:
    """``shot``, after scrolling the map into view once: Chromium leaves a map it never painted
    blank in a full-page capture."""
    maps = page.locator("[data-grid-map]")
    if maps.count():
        maps.first.scroll_into_view_if_needed()
    shot(page, name)


# --- steps ------------------------------------------------------------------------------------


def log_in(page: Page, username: str) -> None:
    page.goto("/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).not_to_have_url(re.compile(r"/login/"))


def open_menu(page: Page) -> None:
    """On a phone the navbar is collapsed behind its toggler."""
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
        toggler.click()
    expect(page.locator("#mainnav")).to_have_class(SHOWN)  # not still "collapsing"
    expect(page.locator("#mainnav")).to_be_visible()


def log_out(page: Page) -> None:
    open_menu(page)
    page.locator("#mainnav").get_by_role("button", name="退出").click()
    expect(page).to_have_url(re.compile(r"/communities/$"))
    staff_login = page.locator("#mainnav").get_by_role(
        "link", name="工作人员登录", include_hidden=True
    )
    expect(staff_login).to_be_attached()


def open_action(page: Page, name: str, label: str) -> Locator:
    """Expand one action of the ticket page's accordion; returns its form."""
    item = page.locator(f".accordion-item.action-{name}")
    header = item.locator(".accordion-button")
    expect(header).to_have_text(label)
    header.click()
    expect(header).to_have_attribute("aria-expanded", "true")
    body = page.locator(f"#act-{name}")
    expect(body).to_have_class(SHOWN)  # taps during the opening animation may go astray
    expect(body).to_be_visible()
    return body.locator("form")


def submit(form: Locator, label: str) -> None:
    form.get_by_role("button", name=label).click()


def expect_state(page: Page, label: str) -> None:
    expect(page.locator("#ticket-state")).to_have_text(label)
    expect(page.locator(".alert-success")).to_be_visible()


def resolve(page: Page, note: str, photo: Path) -> None:
    form = open_action(page, "resolve", "处置完毕")
    expect(form.locator("label[for=id_resolve-note]")).to_contain_text("处置情况")
    expect(form.locator("label[for=id_resolve-photos]")).to_contain_text("处置后照片")
    form.locator("#id_resolve-note").fill(note)
    form.locator("#id_resolve-photos").set_input_files(photo)
    submit(form, "处置完毕")
    expect_state(page, "已处置待核查")
    expect(page.locator(".alert-success")).to_have_text("处置完毕：已完成。")


def verify(page: Page, result: str, note: str = "") -> None:
    form = open_action(page, "verify", "核查")
    expect(form).to_contain_text("核查结果")
    form.get_by_label(result).check()
    if note:
        form.locator("#id_verify-note").fill(note)
    submit(form, "核查")


# --- the journeys -----------------------------------------------------------------------------


def test_hotline_ticket_from_intake_through_rework_to_closed(
    page: Page, supervisor_gulou, officer_gulou, garbage, media, tmp_path
):
    # 1. The supervisor takes a 12345 call and files it on the map.
    log_in(page, "supervisor_gulou")
    open_menu(page)
    page.locator("#mainnav").get_by_role("link", name="新建案件").click()
    expect(page).to_have_url(re.compile(r"/cases/new/$"))
    expect(page.locator("h1")).to_have_text("新建案件")
    expect(page.locator("label[for=id_source]")).to_contain_text("来源")
    expect(page.locator("label[for=id_reporter_phone]")).to_contain_text("来电人电话")
    page.locator("#id_source").select_option(label="12345热线")
    page.locator("#id_category").select_option(value=str(garbage.pk))
    page.locator("#id_description").fill("黄楼社区菜场西口垃圾堆放两天无人清运，有异味。")
    page.locator("#id_reporter_name").fill("陈女士")
    page.locator("#id_reporter_phone").fill("13912345678")
    cells = page.locator("[data-grid-map] path.leaflet-interactive")
    expect(cells).to_have_count(2)  # the supervisor's community: two unit grids
    cells.first.scroll_into_view_if_needed()
    cells.first.tap()  # the centre of the cell, as a finger would
    expect(page.locator("#id_lat")).not_to_have_value("")
    expect(page.locator("[data-grid-map] path.problem-marker")).to_have_count(1)  # the pin
    expect(page.locator("#where-text")).to_contain_text("黄楼社区")
    lat, lng = float(page.input_value("#id_lat")), float(page.input_value("#id_lng"))
    assert abs(lat - ORIGIN[1]) < 0.002 and abs(lng - ORIGIN[0]) < 0.003
    snap(page, "casework-01-intake")
    page.get_by_role("button", name="提交案件").click()

    expect(page).to_have_url(TICKET_URL)
    number = TICKET_URL.search(page.url).group(1)
    expect(page.locator("h1")).to_have_text(number)
    expect(page.locator("#ticket-state")).to_have_text("已上报")
    expect(page.locator(".alert-success")).to_contain_text(number)
    expect(page.locator(".ticket-description")).to_contain_text("菜场西口")
    expect(page.locator("main")).to_contain_text("黄楼社区")
    expect(page.locator("main")).to_contain_text("13912345678")  # the supervisor sees the caller
    snap(page, "casework-02-reported")

    # 2. Register it.
    form = open_action(page, "register", "立案")
    submit(form, "立案")
    expect_state(page, "已立案")
    expect(page.locator(".alert-success")).to_have_text("立案：已完成。")
    snap(page, "casework-03-registered")

    # 3. Dispatch it to 王建国.
    form = open_action(page, "dispatch", "派遣给队员")
    expect(form.locator("label[for=id_dispatch-officer]")).to_contain_text("队员")
    officers = form.locator("#id_dispatch-officer")
    # The dispatch list marks the officer suggested for the grid (★ …): pick by the name in it.
    wang = officers.locator("option", has_text="王建国 (GL1-001)").get_attribute("value")
    officers.select_option(value=wang)
    submit(form, "派遣给队员")
    expect_state(page, "已派遣")
    expect(page.locator("main")).to_contain_text("王建国 (GL1-001)")
    timeline = page.locator("#timeline .timeline-item")
    expect(timeline).to_have_count(3)
    expect(timeline.nth(2)).to_contain_text("派遣")
    expect(timeline.nth(2)).to_contain_text("赵队长")
    expect(timeline.nth(2)).to_contain_text("王建国")
    snap(page, "casework-04-dispatched")

    # 4. The officer finds it on their phone, starts and reports it fixed with a photo.
    log_out(page)
    log_in(page, "officer_gulou")
    bell = page.locator("#bell-phone")  # beside the menu toggler: seen without opening it
    expect(bell).to_be_visible()
    expect(bell.locator(".badge")).to_contain_text(re.compile(r"^[1-9]"))
    snap(page, "casework-05-officer-bell")
    page.goto("/cases/mine/")
    expect(page.locator("h1")).to_have_text("我的任务")
    tasks = page.locator(".my-tasks")
    expect(tasks).to_contain_text(number)
    expect(tasks).to_contain_text("已派遣")
    expect(tasks).to_contain_text("黄楼社区")
    snap(page, "casework-06-my-tasks")
    tasks.get_by_role("link", name=number).click()
    expect(page).to_have_url(re.compile(rf"/cases/{number}/$"))
    # The officer the ticket is assigned to may call the caller back (cases.contacts).
    expect(page.locator("#reporter-contact a[href='tel:13912345678']")).to_be_visible()
    form = open_action(page, "start", "开始处置")
    submit(form, "开始处置")
    expect_state(page, "处置中")
    resolve(page, "已联系环卫清运，现场已清理。", photo_file(tmp_path, "after-1.jpg", "#4a7f3a"))
    snap(page, "casework-07-resolved")

    # 5. The supervisor checks: not fixed, back it goes.
    log_out(page)
    log_in(page, "supervisor_gulou")
    page.goto(f"/cases/{number}/")
    expect(page.locator("#ticket-state")).to_have_text("已处置待核查")
    verify(page, "未整改，返工", "西口拐角还有一堆，请再清理。")
    expect_state(page, "已派遣")
    rework = page.locator("#ticket-state ~ .badge.text-bg-warning")
    expect(rework).to_be_visible()
    expect(rework).to_contain_text(re.compile(r"返工.*1"))
    snap(page, "casework-08-rework")

    # ...the officer goes back, starts again and reports it fixed with a new photo...
    log_out(page)
    log_in(page, "officer_gulou")
    page.goto(f"/cases/{number}/")
    expect(page.locator("#timeline")).to_contain_text("西口拐角还有一堆")
    form = open_action(page, "start", "开始处置")
    submit(form, "开始处置")
    expect_state(page, "处置中")
    resolve(page, "拐角垃圾已清运完毕。", photo_file(tmp_path, "after-2.jpg", "#2f6fb3"))

    # ...and this time it passes.
    log_out(page)
    log_in(page, "supervisor_gulou")
    page.goto(f"/cases/{number}/")
    verify(page, "已整改，结案")
    expect_state(page, "已结案")
    expect(page.locator(".alert-success")).to_have_text("核查：已完成。")
    expect(page.locator(".action-verify")).to_have_count(0)

    # 6. The timeline tells the whole story, in order, with who and when.
    steps = [
        ("上报", "赵队长"),
        ("立案", "赵队长"),
        ("派遣", "赵队长"),
        ("开始处置", "王建国"),
        ("处置完毕", "王建国"),
        ("核查未通过，返工", "赵队长"),
        ("开始处置", "王建国"),
        ("处置完毕", "王建国"),
        ("核查通过，结案", "赵队长"),
    ]
    items = page.locator("#timeline .timeline-item")
    expect(items.locator(".fw-semibold")).to_have_text([label for label, _who in steps])
    for index, (_label, who) in enumerate(steps):
        expect(items.nth(index).locator(".text-muted").first).to_have_text(
            re.compile(rf"^{DATE_TIME} · {who}$")
        )

    # The two after-photos are thumbnails that really load.
    thumbnails = page.locator(".ticket-photos img")
    expect(thumbnails).to_have_count(2)
    for index in range(2):
        thumbnail = thumbnails.nth(index)
        thumbnail.scroll_into_view_if_needed()
        expect(thumbnail).to_have_attribute("src", re.compile(r"/cases/photos/\d+/thumb/$"))
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle()
        )
        assert thumbnail.evaluate("img => img.naturalWidth") > 0
    page.locator(".ticket-photos").scroll_into_view_if_needed()
    snap(page, "casework-09-closed")


def test_an_officer_of_another_brigade_gets_not_found(
    page: Page, supervisor_gulou, officer_quanshan, gulou_community, garbage
):
    ticket = services.create_ticket(
        actor=supervisor_gulou,
        source=Source.HOTLINE,
        category=garbage,
        description="鼓楼的案件",
        community=gulou_community,
    )
    log_in(page, "officer_quanshan")
    response = page.goto(f"/cases/{ticket.number}/")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("页面不存在")
    expect(page.locator("main")).not_to_contain_text("鼓楼的案件")
    snap(page, "casework-10-other-brigade-404")
