"""An assessor lengthens a category's deadline in the admin, on a phone, in Chinese, and the
record's history page shows who changed what: 处置时限 4 → 8."""

import re

import pytest
from playwright.sync_api import Page, expect

from cases.categories import invalidate_choices, load_categories
from cases.models import Category
from tests.e2e.conftest import shot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-2026"


@pytest.fixture
def garbage(db) -> Category:
    """暴露垃圾 (4 working hours). A transactional test's flush removes the migration's tree."""
    load_categories()
    invalidate_choices()
    return Category.objects.get(kind="event", code="0102")


def test_an_assessor_sees_who_changed_a_deadline_on_the_history_page(page: Page, assessor, garbage):
    assessor.display_name = "考核员周敏"
    assessor.save(update_fields=["display_name"])
    page.goto("/login/")
    page.get_by_label("用户名").fill("assessor")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).not_to_have_url(re.compile(r"/login/"))

    page.goto(f"/admin/cases/category/{garbage.pk}/change/")
    deadline = page.get_by_role("spinbutton", name="处置时限:", exact=True)
    expect(deadline).to_have_value("4")
    deadline.fill("8")
    shot(page, "admin-history-1-edit")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("成功")

    page.goto(f"/admin/cases/category/{garbage.pk}/change/")
    page.get_by_role("link", name="记录", exact=True).click()  # Django: History
    expect(page).to_have_url(re.compile(rf"/admin/cases/category/{garbage.pk}/history/$"))
    table = page.locator("#change-history")
    newest = table.locator("tbody tr").first
    expect(newest).to_contain_text("考核员周敏")
    expect(newest).to_contain_text("处置时限")
    expect(newest).to_contain_text(re.compile(r"4\s*→\s*8"))
    shot(page, "admin-history-2-history")
    assert garbage.history.latest().history_user == assessor
