"""Optional second factor (TOTP, django-otp) for supervisors and assessors.

Codes are computed as the phone would, from the device's secret at the frozen time.
"""

import datetime

import pytest
import time_machine
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-2026"
# Ten seconds into a 30-second TOTP step: moving on a few seconds keeps the same code.
NOW = datetime.datetime(2026, 11, 20, 9, 0, 10, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def english(client, settings):
    """Messages are asserted on their English msgids (the site speaks Chinese by default)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def log_in(client, user):
    return client.post("/login/", {"username": user.username, "password": PASSWORD})


# Enrolment


def test_a_supervisor_enrols_by_scanning_and_confirming_a_code(client, supervisor_gulou):
    client.force_login(supervisor_gulou)
    page = client.get("/account/two-step/")
    assert page.status_code == 200
    assert not TOTPDevice.objects.filter(user=supervisor_gulou).exists()  # GET writes nothing

    client.post("/account/two-step/", {"action": "begin"})
    device = TOTPDevice.objects.get(user=supervisor_gulou)
    assert not device.confirmed
    html = client.get("/account/two-step/").content.decode()
    assert 'src="data:image/svg+xml' in html
    secret = __import__("base64").b32encode(device.bin_key).decode()
    assert secret[:4] + " " + secret[4:8] in html

    response = client.post(
        "/account/two-step/", {"action": "confirm", "otp_token": code_for(device)}
    )
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert 'id="two-factor-on"' in client.get("/account/two-step/").content.decode()


def test_a_wrong_code_does_not_turn_it_on_and_says_why(client, assessor):
    client.force_login(assessor)
    client.post("/account/two-step/", {"action": "begin"})
    response = client.post("/account/two-step/", {"action": "confirm", "otp_token": "000000"})
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert not TOTPDevice.objects.get(user=assessor).confirmed


def test_garbage_in_the_code_field_is_a_form_error(client, assessor):
    client.force_login(assessor)
    client.post("/account/two-step/", {"action": "begin"})
    for junk in ["", "abc", "1" * 400, "١٢٣٤٥٦", "\x00"]:
        response = client.post("/account/two-step/", {"action": "confirm", "otp_token": junk})
        assert response.status_code == 200, junk
        assert "invalid-feedback" in response.content.decode(), junk
    assert not TOTPDevice.objects.get(user=assessor).confirmed


@pytest.mark.parametrize("fixture", ["officer_gulou", "handler_sanitation", "resident"])
def test_officers_and_handlers_have_no_second_factor_page(client, request, fixture):
    client.force_login(request.getfixturevalue(fixture))
    assert client.get("/account/two-step/").status_code == 403
    assert client.post("/account/two-step/", {"action": "begin"}).status_code == 403
    assert not TOTPDevice.objects.exists()
    home = client.get("/home/", follow=True)
    assert home.status_code == 200
    assert "/account/two-step/" not in home.content.decode()


def test_supervisors_see_the_option_in_the_menu(client, supervisor_gulou):
    client.force_login(supervisor_gulou)
    assert "/account/two-step/" in client.get("/supervisor/").content.decode()


# Logging in


def test_a_user_without_a_device_logs_in_with_the_password_alone(client, supervisor_gulou):
    response = log_in(client, supervisor_gulou)
    assert response["Location"] == "/home/"
    assert client.get("/supervisor/").status_code == 200


def test_with_a_device_the_password_leads_to_the_code_step(client, supervisor_gulou):
    enrolled(supervisor_gulou)
    response = log_in(client, supervisor_gulou)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/verify/?next=")


@pytest.mark.parametrize(
    "path", ["/supervisor/", "/cases/", "/api/v1/me/", "/admin/", "/patrols/today/"]
)
def test_nothing_is_reachable_before_the_code(client, supervisor_gulou, path):
    enrolled(supervisor_gulou)
    log_in(client, supervisor_gulou)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/verify/")


def test_a_wrong_code_is_refused_with_a_clear_message(client, supervisor_gulou):
    enrolled(supervisor_gulou)
    log_in(client, supervisor_gulou)
    response = client.post("/login/verify/", {"otp_token": "123456", "next": "/supervisor/"})
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert client.get("/supervisor/").status_code == 302


def test_the_right_code_opens_the_session(client, supervisor_gulou, frozen):
    device = enrolled(supervisor_gulou)
    log_in(client, supervisor_gulou)
    response = client.post(
        "/login/verify/", {"otp_token": code_for(device), "next": "/supervisor/"}
    )
    assert response["Location"] == "/supervisor/"
    assert client.get("/supervisor/").status_code == 200


def test_quick_wrong_guesses_are_slowed_down_and_the_count_is_kept(
    client, supervisor_gulou, frozen
):
    """django-otp throttles a device after a wrong code; the failure is committed with the
    re-rendered form, so even the right code right after is refused until the wait is over."""
    device = enrolled(supervisor_gulou)
    log_in(client, supervisor_gulou)
    client.post("/login/verify/", {"otp_token": "000000"})
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    response = client.post("/login/verify/", {"otp_token": code_for(device)})
    assert "Too many wrong codes" in response.content.decode()
    frozen.shift(3)
    response = client.post("/login/verify/", {"otp_token": code_for(device), "next": "/home/"})
    assert response["Location"] == "/home/"


def test_a_code_cannot_be_used_twice(client, supervisor_gulou):
    device = enrolled(supervisor_gulou)
    code = code_for(device)
    log_in(client, supervisor_gulou)
    assert client.post("/login/verify/", {"otp_token": code}).status_code == 302
    client.post("/logout/")
    log_in(client, supervisor_gulou)
    response = client.post("/login/verify/", {"otp_token": code})
    assert response.status_code == 200


def test_the_code_step_never_redirects_off_site(client, supervisor_gulou):
    device = enrolled(supervisor_gulou)
    log_in(client, supervisor_gulou)
    response = client.post(
        "/login/verify/", {"otp_token": code_for(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/home/"


def test_a_session_made_without_our_login_page_also_owes_the_code(client, assessor):
    enrolled(assessor)
    client.force_login(assessor)  # any login() sends user_logged_in
    assert client.get("/assessor/").status_code == 302


def test_the_admin_requires_the_code_too(client, assessor):
    device = enrolled(assessor)
    log_in(client, assessor)
    assert client.get("/admin/grids/community/")["Location"].startswith("/login/verify/")
    client.post("/login/verify/", {"otp_token": code_for(device)})
    assert client.get("/admin/grids/community/").status_code == 200


def test_the_code_step_is_not_for_anonymous_visitors(client):
    assert client.get("/login/verify/")["Location"] == "/login/"


def test_turning_it_off_needs_a_current_code(client, supervisor_gulou, frozen):
    device = enrolled(supervisor_gulou)
    log_in(client, supervisor_gulou)
    client.post("/login/verify/", {"otp_token": code_for(device)})
    response = client.post("/account/two-step/", {"action": "disable", "otp_token": "999999"})
    assert response.status_code == 200
    assert TOTPDevice.objects.filter(user=supervisor_gulou).exists()
    frozen.shift(31)  # the next step's code: the one used at login cannot be replayed
    client.post("/account/two-step/", {"action": "disable", "otp_token": code_for(device)})
    assert not TOTPDevice.objects.filter(user=supervisor_gulou).exists()
    client.post("/logout/")
    assert log_in(client, supervisor_gulou)["Location"] == "/home/"


def test_the_enrolment_page_is_never_cached(client, assessor):
    client.force_login(assessor)
    response = client.post("/account/two-step/", {"action": "begin"})
    assert "no-store" in response["Cache-Control"]
