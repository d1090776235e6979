# ruff: noqa: F811  (pytest fixtures imported from the offline journey)
"""The officer's field app when the phone believes it is online but the server does not answer
(issue 22: under an overpass, in a basement): the finding is kept on the phone ("待发送（1）")
with its client id and sent once the server answers again, applied once even when the first
attempt did reach the server and only its answer was lost; a form error the server does answer
is shown on the form, with what was typed, and nothing is queued; a second tap is the same
write. No service worker is needed: the page itself sends and keeps the write."""

import re

import pytest
from playwright.sync_api import Page, Route, expect

from cases.models import ClientWrite, Source, Ticket
from tests.e2e.test_casework_journey import log_in, photo_file
from tests.e2e.test_offline_field_app import WAITING, garbage, media  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FINDINGS = "**/api/v1/findings/"
# The page waits 2 s for an answer instead of 15 (outbox.js reads it on each request).
SHORT_TIMEOUT = "window.citymgmtOutboxTimeout = 2000;"


def fill_finding(page: Page, garbage, description: str) -> None:
    page.goto("/patrols/finding/")
    page.get_by_label("上报待派遣").check()
    page.locator("#id_category").select_option(value=str(garbage.pk))
    page.locator("#id_description").fill(description)
    page.locator("#id_community").select_option(index=1)


def queued(page: Page) -> int:
    return page.evaluate("citymgmtOutbox.all().then(items => items.length)")


@pytest.mark.parametrize("failure", ["no answer", "answer lost", "bad gateway"])
def test_a_finding_the_server_does_not_answer_waits_and_arrives_once(
    page: Page, officer_gulou, garbage, media, tmp_path, failure
):
    page.add_init_script(SHORT_TIMEOUT)
    log_in(page, "officer_gulou")

    def unanswered(route: Route) -> None:
        if failure == "answer lost":  # the server applies it, the answer never comes back
            route.fetch()
            route.abort("connectionreset")
        elif failure == "bad gateway":  # a proxy in front of a server that is down
            route.fulfill(status=502, body="Bad Gateway")
        # "no answer": the request hangs until the page gives up on it

    page.route(FINDINGS, unanswered)
    fill_finding(page, garbage, "地下通道口垃圾堆积")
    page.locator("#id_photos").set_input_files(photo_file(tmp_path, "a.jpg", "#2f6fb3"))
    page.get_by_role("button", name="保存").click()

    # Kept on the phone, and the officer told so plainly.
    expect(page).to_have_url(re.compile(r"/patrols/$"))
    expect(page.locator(WAITING)).to_have_text("待发送（1）")
    expect(page.locator("#field-app-flash")).to_contain_text("服务器没有响应")
    applied = 1 if failure == "answer lost" else 0
    assert Ticket.objects.filter(source=Source.PATROL).count() == applied

    # The server answers again: sent (with the same id), applied once.
    page.unroute(FINDINGS)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator(WAITING)).to_be_hidden(timeout=30_000)
    expect(page.locator("#field-app-problems li")).to_have_count(0)
    finding = Ticket.objects.get(source=Source.PATROL)
    assert finding.description == "地下通道口垃圾堆积"
    assert finding.photos.count() == 1
    assert ClientWrite.objects.count() == 1
    assert queued(page) == 0


def test_a_form_error_from_the_server_is_shown_with_the_input_kept_not_queued(
    page: Page, officer_gulou, garbage, media
):
    log_in(page, "officer_gulou")
    fill_finding(page, garbage, "")
    page.get_by_role("button", name="保存").click()

    errors = page.locator("#finding-form .outbox-errors")
    expect(errors).to_contain_text("问题描述")
    expect(page).to_have_url(re.compile(r"/patrols/finding/$"))
    expect(page.locator("#id_category")).to_have_value(str(garbage.pk))
    expect(page.locator(WAITING)).to_be_hidden()
    assert queued(page) == 0
    assert not Ticket.objects.exists()

    # Put right, it is filed, with the server's own message on the patrol page.
    page.locator("#id_description").fill("护栏被撞坏")
    page.get_by_role("button", name="保存").click()
    expect(page).to_have_url(re.compile(r"/patrols/$"))
    expect(page.locator(".alert-success[role=alert]")).to_contain_text("已立案")
    assert Ticket.objects.get(source=Source.PATROL).description == "护栏被撞坏"


def test_a_finding_submitted_twice_at_once_is_filed_once(page: Page, officer_gulou, garbage, media):
    log_in(page, "officer_gulou")
    fill_finding(page, garbage, "井盖缺失")
    page.evaluate(
        "(() => { const form = document.getElementById('finding-form');"
        " form.requestSubmit(); form.requestSubmit(); })()"
    )
    expect(page).to_have_url(re.compile(r"/patrols/$"))
    expect(page.locator(".alert-success[role=alert]")).to_contain_text("已立案")
    assert Ticket.objects.filter(source=Source.PATROL).count() == 1
