"""A supervisor turns on two-step login on the phone, then logs in with password and code."""

import base64
import re

import pytest
import time_machine
from django.utils import timezone
from django_otp.oath import totp
from playwright.sync_api import Page, expect

from tests.e2e.conftest import shot
from tests.e2e.test_casework_journey import PASSWORD, log_out, open_menu

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def code_from(secret_text: str) -> str:
    key = base64.b32decode(secret_text.replace(" ", ""))
    return f"{totp(key):06d}"


def test_a_supervisor_turns_on_two_step_login_and_then_needs_the_code(page: Page, supervisor_gulou):
    with time_machine.travel(timezone.now(), tick=True) as clock:
        page.goto("/login/")
        page.get_by_label("用户名").fill("supervisor_gulou")
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        expect(page).to_have_url(re.compile(r"/supervisor/$"))

        open_menu(page)
        page.locator("#mainnav").get_by_role(
            "link", name=re.compile("Two-step login|两步登录")
        ).click()
        page.locator("form button[type=submit].btn-lg").click()
        expect(page.locator(".qr img")).to_be_visible()
        secret = page.locator("#totp-secret").inner_text()
        shot(page, "two-factor-01-scan")

        page.locator("#id_otp_token").fill("000000")
        page.locator("form button[type=submit].btn-lg").click()
        expect(page.locator(".invalid-feedback")).to_be_visible()
        clock.shift(3)  # django-otp makes the next try wait a second after a wrong code
        page.locator("#id_otp_token").fill(code_from(secret))
        page.locator("form button[type=submit].btn-lg").click()
        expect(page.locator("#two-factor-on")).to_be_visible()
        shot(page, "two-factor-02-on")

        log_out(page)
        clock.shift(31)  # a new 30-second step: the enrolment code cannot be replayed
        page.goto("/login/")
        page.get_by_label("用户名").fill("supervisor_gulou")
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        expect(page).to_have_url(re.compile(r"/login/verify/"))
        page.goto("/supervisor/")  # nothing opens before the code
        expect(page).to_have_url(re.compile(r"/login/verify/"))
        page.locator("#id_otp_token").fill(code_from(secret))
        shot(page, "two-factor-03-code")
        page.locator("form button[type=submit].btn-lg").click()
        expect(page).to_have_url(re.compile(r"/supervisor/$"))
