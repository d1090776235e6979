"""Open311 end to end: the administrator registers the 12345 hotline as a client on a phone and
copies its key from the admin; the hotline files a request with it; the brigade's supervisor
finds it in the queue; the key is revoked and the next request is refused; the API's docs load
offline in the browser."""

import json
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest
from playwright.sync_api import Page, expect

from cases.categories import invalidate_choices, load_categories
from cases.models import Source, Ticket
from tests.cases.conftest import GULOU_POINT
from tests.e2e.conftest import shot
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-2026"


@pytest.fixture
def categories(db) -> None:
    load_categories()  # a transactional test's flush removes the migration's rows
    invalidate_choices()


def file_request(base_url: str, api_key: str) -> tuple[int, list]:
    """What the hotline platform's server does: a form-encoded POST, no browser."""
    lat, lng = GULOU_POINT
    body = urllib.parse.urlencode(
        {
            "api_key": api_key,
            "service_code": "E0102",
            "lat": lat,
            "long": lng,
            "address_string": "黄楼街道彭城路12号",
            "description": "12345来电：小区门口垃圾堆了三天",
            "first_name": "女士",
            "last_name": "刘",
            "phone": "13812345678",
        }
    ).encode()
    request = urllib.request.Request(f"{base_url}/open311/v2/requests.json", data=body)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def test_a_hotline_client_files_a_request_that_the_supervisor_works_until_revoked(
    page: Page, live_server, categories, supervisor_gulou, gulou_community
):
    UserFactory(username="admin", is_staff=True, is_superuser=True)

    # 1. The administrator registers the hotline and copies its key, shown this once.
    # (The admin's login is the staff login page: same lockout, same two-step code.)
    page.goto("/admin/open311/apiclient/add/")
    page.locator("#id_username").fill("admin")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.locator("#id_name").fill("12345热线平台")
    page.locator("#id_contact").fill("市12345热线 技术科")
    page.locator("input[name=_save]").click()
    message = page.locator(".messagelist .warning")
    expect(message).to_contain_text("12345热线平台")
    # A key may begin or end with "-", where \b finds no word boundary: bound it by its alphabet.
    key_pattern = r"(?<![A-Za-z0-9_-])([A-Za-z0-9_-]{40,})(?![A-Za-z0-9_-])"
    api_key = re.search(key_pattern, message.inner_text()).group(1)
    shot(page, "open311-journey-1-key-shown-once")

    # 2. The hotline's server files a call with it and gets the number and the tracking token.
    status, body = file_request(live_server.url, api_key)
    assert status == 201, body
    number, token = body[0]["service_request_id"], body[0]["token"]
    assert body[0]["tracking_url"].endswith(f"/track/{token}/")
    assert Ticket.objects.get(number=number).source == Source.API

    # 3. The brigade's supervisor finds it among the new reports and opens it.
    page.context.clear_cookies()
    page.goto("/login/")
    page.get_by_label("用户名").fill("supervisor_gulou")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto("/cases/")
    row = page.get_by_role("link", name=number)
    expect(row).to_be_visible()
    row.click()
    expect(page.locator("main")).to_contain_text("小区门口垃圾堆了三天")
    expect(page.locator("#ticket-state")).to_have_text("已上报")
    shot(page, "open311-journey-2-ticket-in-the-queue")

    # 4. The docs of the REST API load in the browser, from our own static files.
    page.goto("/api/docs/")
    expect(page.locator("#operations-tickets-tickets_list")).to_be_visible()
    expect(page.locator("#operations-tickets-tickets_dispatch")).to_be_visible()
    shot(page, "open311-journey-3-api-docs")

    # 5. The administrator revokes the key; the hotline's next call is refused with a 403.
    page.context.clear_cookies()
    page.goto("/admin/open311/apiclient/")
    page.locator("#id_username").fill("admin")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.locator("input[name=_selected_action]").first.check()
    page.locator("select[name=action]").select_option("revoke_selected")
    page.locator("button[name=index]").click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    shot(page, "open311-journey-4-key-revoked")
    status, body = file_request(live_server.url, api_key)
    assert status == 403
    assert body[0]["code"] == 403
    assert Ticket.objects.filter(source=Source.API).count() == 1
