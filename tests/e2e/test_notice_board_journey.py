import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import shot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_resident_reads_the_board_and_an_officer_logs_in(page: Page, officer_quanshan):
    # A resident scans the poster's link and reads who looks after 泰山社区.
    page.goto("/communities/320311010001/")
    expect(page.locator("h1")).to_contain_text("泰山社区")
    expect(page.locator("h1")).to_contain_text("城管公示牌")
    card = page.locator(".officer-card").first
    expect(card.locator(".officer-name")).to_have_text("李秀英")
    expect(card.locator(".officer-phone")).to_have_text("0516-83880001")
    qr = page.locator("#board-qr svg")
    expect(qr).to_be_visible()
    assert qr.bounding_box()["width"] > 100  # large enough to scan from the screen
    expect(page.locator("#grid-map path.leaflet-interactive")).to_have_count(2)  # its two grids
    shot(page, "notice-board")

    # The QR leads to the complaint page, pre-set to this community.
    page.get_by_role("link", name="在线反映").click()
    expect(page.locator("main")).to_contain_text("泰山社区")

    # The officer logs in from the same phone and lands on their own work page.
    page.goto("/login/")
    page.get_by_label("用户名").fill("officer_quanshan")
    page.get_by_label("密码").fill("wrong password")
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".alert-danger")).to_be_visible()
    expect(page.get_by_label("用户名")).to_have_value("officer_quanshan")
    page.get_by_label("密码").fill("pw-for-tests-2026")
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/officer/$"))
    expect(page.locator("h1")).to_have_text("我的工作")
    expect(page.locator("main")).to_contain_text("泰山社区")
    shot(page, "officer-home")
