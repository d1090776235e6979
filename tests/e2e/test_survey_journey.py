"""A survey (调查表) end to end: the assessor creates last month's survey and issues a link to a
community of 鼓楼一大队; the community opens it on a phone with no account, rates the brigade
and is thanked; the same link then says it was answered; the assessor sees 1 answered."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from assessments.models import SurveyResponse
from tests.e2e.conftest import shot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-2026"


def log_in(page: Page, username: str) -> None:
    page.goto("/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).not_to_have_url(re.compile(r"/login/"))


def test_a_community_answers_its_one_time_link_and_the_assessor_sees_it(
    page: Page, browser: Browser, live_server, assessor, gulou_community
):
    brigade = gulou_community.brigade
    log_in(page, "assessor")

    # The assessor's home leads to the surveys; a new one is offered for last month.
    page.locator("#surveys-link").click()
    page.locator("#new-survey").click()
    expect(page.locator("#id_questions")).to_have_value(re.compile("巡查是否到位"))
    page.locator("#id_title").fill("黄楼片区城管工作满意度调查")
    shot(page, "survey-1-new")
    page.locator("form.survey-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/assessments/surveys/\d+/$"))
    expect(page.locator("h1")).to_have_text("黄楼片区城管工作满意度调查")

    # Links for 鼓楼一大队: tick its community.
    page.get_by_role("link", name=brigade.name).click()
    page.get_by_label("黄楼社区").check()
    page.locator("#issue button[type=submit]").click()
    link_item = page.locator(".survey-link")
    expect(link_item).to_have_count(1)
    expect(link_item).to_have_attribute("data-status", "unused")
    url = link_item.locator("input.link-url").input_value()
    assert url.startswith(live_server.url + "/survey/")
    shot(page, "survey-2-links")
    page.locator("#print-sheet").click()
    expect(page.locator(".survey-slip svg")).to_have_count(1)
    expect(page.locator(".survey-slip")).to_contain_text(url)
    shot(page, "survey-2b-print")
    page.go_back()

    # The community's phone: no account, 360 px wide, in Chinese.
    phone = browser.new_context(
        locale="zh-CN",
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    respondent = phone.new_page()
    respondent.set_default_timeout(15_000)
    respondent.goto(url)
    expect(respondent.locator("#brigade-rated")).to_have_text(brigade.name)
    expect(respondent.locator("#respondent")).to_contain_text("黄楼社区")
    questions = respondent.locator(".survey-question")
    expect(questions).to_have_count(4)
    for n, rating in enumerate(["5", "4", "5", "5"]):
        questions.nth(n).locator(f"label[for=id_q{n}_{5 - int(rating)}]").click()
    respondent.locator("#id_comment").fill("网格员每天都来，占道经营明显少了。")
    shot(respondent, "survey-3-answer")
    respondent.locator("form button[type=submit]").click()
    expect(respondent.locator("#survey-thanks")).to_be_visible()
    shot(respondent, "survey-4-thanks")

    # The same link again: answered already, and nothing more is stored.
    again = respondent.goto(url)
    assert again is not None and again.status == 410
    expect(respondent.locator("#survey-gone")).to_be_visible()
    shot(respondent, "survey-5-used")
    phone.close()

    saved = SurveyResponse.objects.get()
    assert saved.answers == [5, 4, 5, 5]
    assert str(saved.score) == "95.00"

    # Back at the bureau: the survey shows 1 of 1 answered and the brigade's mean.
    page.locator("nav.small a").last.click()
    row = page.locator(f"[data-brigade='{brigade.pk}']")
    expect(row.locator(".brigade-counts")).to_contain_text("1 / 1")
    expect(row.locator(".brigade-mean")).to_have_text("95.00")
    shot(page, "survey-6-detail")
