"""A resident's complaint end to end on a phone, in Chinese: from the community's notice board to
the form, a tapped map and a photo, the tracking code; the supervisor and the officer do their
part; the resident follows each public step, sees the after photo and rates the result, and the
rating shows on the staff ticket page.

Strings this issue adds are not in the catalogue until it is merged: the journey checks them by
element, and the Chinese of what was there before (the timeline's steps) by text.
"""

import re
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

from cases.categories import invalidate_choices, load_categories
from cases.models import Category, Photo, PhotoKind, Ticket
from tests.e2e.conftest import shot
from tests.e2e.test_casework_journey import (
    expect_state,
    log_in,
    log_out,
    open_action,
    resolve,
    submit,
    verify,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FILED_URL = re.compile(r"/track/([A-Z0-9]{10})/filed/$")


@pytest.fixture
def garbage(db) -> Category:
    """暴露垃圾 (a transactional test's flush removes the migration's categories)."""
    load_categories()
    invalidate_choices()
    return Category.objects.get(kind="event", code="0102")


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def camera_photo(tmp_path: Path, name: str, size: tuple[int, int], colour: str) -> Path:
    path = tmp_path / name
    image = Image.new("RGB", size, colour)
    ImageDraw.Draw(image).ellipse((size[0] // 4, size[1] // 4, size[0] // 2, size[1] // 2), "white")
    image.save(path, "JPEG", quality=90)
    return path


def snap(page: Page, name: str) -> None:
    maps = page.locator("[data-grid-map]")
    if maps.count():
        maps.first.scroll_into_view_if_needed()
    shot(page, name)


def test_a_resident_reports_follows_and_rates_a_problem(
    page: Page, gulou_community, supervisor_gulou, officer_gulou, garbage, media, tmp_path
):
    # 1. The notice board's QR link leads to the form, set to this community.
    page.goto(f"/communities/{gulou_community.code}/")
    page.get_by_role("link", name="在线反映").click()
    expect(page).to_have_url(re.compile(rf"/report/\?community={gulou_community.code}$"))
    expect(page.locator(".preset-community")).to_contain_text("黄楼社区")

    # 2. 暴露垃圾, found by searching the list in plain words (once the page's script runs).
    page.wait_for_load_state()  # htmx binds its triggers on DOMContentLoaded
    expect(page.locator("#report-form[data-ready]")).to_be_attached()
    page.locator("#category-search").fill("暴露垃圾")
    expect(page.locator("#id_category")).to_have_value(str(garbage.pk))
    expect(page.locator("#id_category option:checked")).to_have_text("垃圾乱堆没人清（暴露垃圾）")

    # 3. Tap the map inside one of the community's two unit grids.
    cells = page.locator("[data-grid-map] path.leaflet-interactive")
    expect(cells).to_have_count(2)
    cells.first.scroll_into_view_if_needed()
    cells.first.tap()
    expect(page.locator("#id_lat")).not_to_have_value("")
    expect(page.locator("#where-text .where-found")).to_contain_text("黄楼社区", timeout=15_000)

    # 4. A camera-sized photo is made smaller on the phone before it is sent.
    page.locator("#id_description").fill("菜场西口垃圾堆了两天没人清，味道很大。")
    page.locator("#id_address").fill("黄楼街道菜场西口")
    page.locator("#id_photos").set_input_files(
        camera_photo(tmp_path, "report.jpg", (3200, 2400), "#8a6d3b")
    )
    submit_button = page.locator("#report-form button[type=submit]")
    expect(submit_button).to_be_enabled()
    width = page.evaluate(
        "() => createImageBitmap(document.querySelector('#id_photos').files[0]).then(b => b.width)"
    )
    assert width == 2048
    page.locator("#id_reporter_name").fill("刘女士")
    page.locator("#id_reporter_phone").fill("138 1234 5678")
    page.locator("#id_consent").check()
    snap(page, "resident-01-form")
    submit_button.click()

    # 5. The confirmation shows the ticket number and the tracking code.
    expect(page).to_have_url(FILED_URL)
    code = FILED_URL.search(page.url).group(1)
    ticket = Ticket.objects.get(tracking_code=code)
    expect(page.locator("#ticket-number")).to_have_text(ticket.number)
    expect(page.locator("#tracking-code")).to_have_text(code)
    expect(page.locator("#track-link")).to_have_attribute("href", f"/track/{code}/")
    assert ticket.community == gulou_community and ticket.reporter_phone == "13812345678"
    assert Photo.objects.get(ticket=ticket, kind=PhotoKind.REPORT).width == 2048
    shot(page, "resident-02-filed")

    # 6. The supervisor registers and dispatches it.
    log_in(page, "supervisor_gulou")
    page.goto(f"/cases/{ticket.number}/")
    expect(page.locator("#ticket-state")).to_have_text("已上报")
    expect(page.locator("main")).to_contain_text("群众举报")
    submit(open_action(page, "register", "立案"), "立案")
    expect_state(page, "已立案")
    form = open_action(page, "dispatch", "派遣给队员")
    officers = form.locator("#id_dispatch-officer")
    # The dispatch list marks the officer suggested for the grid (★ …): pick by the name in it.
    wang = officers.locator("option", has_text="王建国 (GL1-001)").get_attribute("value")
    officers.select_option(value=wang)
    submit(form, "派遣给队员")
    expect_state(page, "已派遣")
    log_out(page)

    # 7. The officer starts and reports it fixed with an after photo.
    log_in(page, "officer_gulou")
    page.goto(f"/cases/{ticket.number}/")
    submit(open_action(page, "start", "开始处置"), "开始处置")
    expect_state(page, "处置中")
    resolve(
        page, "已清运，现场已冲洗。", camera_photo(tmp_path, "after.jpg", (800, 600), "#3a7f4a")
    )
    log_out(page)

    # 8. The resident checks on it: each public step so far, with the after photo.
    page.goto(f"/track/{code}/")
    expect(page.locator("#ticket-state")).to_have_text("已处置待核查")
    steps = page.locator("#timeline .timeline-action")
    expect(steps).to_have_text(["上报", "立案", "派遣", "开始处置", "处置完毕"])
    expect(page.locator("#timeline")).to_contain_text("王建国 (GL1-001)")
    expect(page.locator("#timeline")).to_contain_text("已清运，现场已冲洗。")
    expect(page.locator("main")).not_to_contain_text("赵队长")  # no staff names but the officer's
    after = page.locator("#timeline img[data-kind=after]")
    expect(after).to_have_count(1)
    after.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=after.element_handle()
    )
    expect(page.locator("#rating")).to_have_count(0)  # not closed yet: nothing to rate
    shot(page, "resident-03-tracking-resolved")

    # 9. The supervisor checks the fix and closes it.
    log_in(page, "supervisor_gulou")
    page.goto(f"/cases/{ticket.number}/")
    verify(page, "已整改，结案")
    expect_state(page, "已结案")
    log_out(page)

    # 10. The resident rates it 5 stars, once.
    page.goto(f"/track/{code}/")
    expect(page.locator("#ticket-state")).to_have_text("已结案")
    expect(page.locator("#timeline .timeline-action").last).to_have_text("核查通过，结案")
    rating = page.locator("#rating")
    rating.scroll_into_view_if_needed()
    rating.locator("input[name=satisfaction][value='5']").check()
    rating.locator("textarea[name=comment]").fill("清理得很及时，谢谢！")
    shot(page, "resident-04-rating")
    rating.locator("button[type=submit]").click()
    expect(page.locator("#rating-given .rating-stars")).to_have_text("★★★★★")
    expect(page.locator("#rating")).to_have_count(0)
    shot(page, "resident-05-rated")

    # 11. The rating shows on the staff ticket page.
    log_in(page, "supervisor_gulou")
    page.goto(f"/cases/{ticket.number}/")
    expect(page.locator("#ticket-rating")).to_contain_text("★★★★★")
    expect(page.locator("#ticket-rating")).to_contain_text("清理得很及时，谢谢！")
    expect(page.locator("#timeline .timeline-item").last).to_contain_text("★★★★★ 5/5")
    snap(page, "resident-06-staff-sees-rating")


def test_a_point_outside_the_city_is_refused_and_the_input_kept(
    page: Page, gulou_community, garbage
):
    page.goto(f"/report/?community={gulou_community.code}")
    page.wait_for_load_state()
    page.locator("#id_category").select_option(value=str(garbage.pk))
    page.locator("#id_description").fill("这里有垃圾")
    # Between the grids: set the point as a tap outside them would.
    page.evaluate(
        "() => { const lat = document.querySelector('#id_lat');"
        " lat.value = '34.2614'; document.querySelector('#id_lng').value = '117.1805';"
        " lat.dispatchEvent(new Event('change', {bubbles: true})); }"
    )
    expect(page.locator("#where-text .where-outside")).to_be_visible(timeout=15_000)
    page.locator("#id_consent").check()
    page.locator("#report-form button[type=submit]").click()
    expect(page.locator(".where-error")).to_be_visible()
    expect(page.locator("#id_description")).to_have_value("这里有垃圾")
    expect(page.locator("#id_category")).to_have_value(str(garbage.pk))
    assert not Ticket.objects.exists()
    shot(page, "resident-07-outside-the-city")
