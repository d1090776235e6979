"""Guessing passwords: failed logins are counted per username and per address (django-axes).

AXES_FAILURE_LIMIT is 5 and the cool-off 15 minutes (the settings' defaults). Tests log in
through the real login form: ``force_login`` asks no password, so axes has nothing to count.
"""

import datetime

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-2026"
LIMIT = settings.AXES_FAILURE_LIMIT


def log_in(client, username, password, **extra):
    return client.post("/login/", {"username": username, "password": password}, **extra)


def fail(client, username, times, **extra):
    return [log_in(client, username, "not-the-password", **extra) for _ in range(times)]


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_the_limit_is_five_failures_and_fifteen_minutes_by_default():
    assert LIMIT == 5
    assert datetime.timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username", "ip_address"]


def test_failures_below_the_limit_leave_the_login_open(client, officer_gulou):
    responses = fail(client, "officer_gulou", LIMIT - 1)
    assert {r.status_code for r in responses} == {200}
    response = log_in(client, "officer_gulou", PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)


def test_the_fifth_failure_locks_the_username_with_a_clear_message(client, officer_gulou):
    responses = fail(client, "officer_gulou", LIMIT)
    assert responses[-1].status_code == 429
    html = responses[-1].content.decode()
    assert 'id="locked-out"' in html
    # (In Chinese once the catalogue has the new strings; the msgid until then.)
    assert "Too many failed logins" in html or "登录失败次数过多" in html
    assert "15" in html
    # Even the right password is refused now, with the same page.
    response = log_in(client, "officer_gulou", PASSWORD)
    assert response.status_code == 429
    assert not logged_in(client)
    attempt = AccessAttempt.objects.get(username="officer_gulou")
    assert attempt.failures_since_start >= LIMIT


def test_the_lockout_page_is_in_english_for_english_readers(client, officer_gulou):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = fail(client, "officer_gulou", LIMIT)[-1]
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Too many failed logins" in html


def test_a_locked_username_is_locked_from_any_address(client, officer_gulou):
    fail(client, "officer_gulou", LIMIT, REMOTE_ADDR="10.1.1.1")
    response = log_in(client, "officer_gulou", PASSWORD, REMOTE_ADDR="10.2.2.2")
    assert response.status_code == 429
    assert not logged_in(client)


def test_guessing_many_usernames_from_one_address_locks_that_address(client, officer_gulou):
    for n in range(LIMIT):
        log_in(client, f"nobody{n}", "guess", REMOTE_ADDR="10.9.9.9")
    response = log_in(client, "officer_gulou", PASSWORD, REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 429
    assert not logged_in(client)


def test_another_address_is_not_locked_by_someone_elses_guessing(client, officer_gulou):
    for n in range(LIMIT):
        log_in(client, f"nobody{n}", "guess", REMOTE_ADDR="10.9.9.9")
    response = log_in(client, "officer_gulou", PASSWORD, REMOTE_ADDR="10.8.8.8")
    assert response.status_code == 302
    assert logged_in(client)


def test_behind_our_proxy_the_count_is_per_client_not_per_proxy(settings, client, officer_gulou):
    """With one trusted proxy every request comes from its address: the count must follow the
    client in X-Forwarded-For (citymgmt/client_ip.py), or one guesser would lock out the city."""
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "172.18.0.2"}
    for n in range(LIMIT):
        log_in(client, f"nobody{n}", "guess", HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)
    response = log_in(
        client, "officer_gulou", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.20", **proxy
    )
    assert response.status_code == 302
    assert AccessAttempt.objects.filter(ip_address="203.0.113.7").exists()
    assert not AccessAttempt.objects.filter(ip_address="172.18.0.2").exists()


def test_a_forged_forwarded_for_entry_does_not_escape_the_count(settings, client, officer_gulou):
    """The guesser writes their own X-Forwarded-For; the proxy appends the real address, and
    that right-most entry is the one counted."""
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "172.18.0.2"}
    for n in range(LIMIT):
        log_in(
            client,
            f"nobody{n}",
            "guess",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 203.0.113.7",
            **proxy,
        )
    response = log_in(
        client, "officer_gulou", PASSWORD, HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.7", **proxy
    )
    assert response.status_code == 429


def test_the_lock_opens_by_itself_after_the_cool_off(client, officer_gulou):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        fail(client, "officer_gulou", LIMIT)
        assert log_in(client, "officer_gulou", PASSWORD).status_code == 429
    with time_machine.travel(start + datetime.timedelta(minutes=16), tick=False):
        assert log_in(client, "officer_gulou", PASSWORD).status_code == 302
        assert logged_in(client)


def test_the_admin_login_is_ours_so_it_is_throttled_the_same(client, officer_gulou):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/admin/"
    # Posting passwords to the admin's address authenticates nobody.
    client.post("/admin/login/", {"username": "officer_gulou", "password": PASSWORD})
    assert not logged_in(client)


def test_a_superuser_unlocks_an_account_in_the_admin(client, officer_gulou):
    fail(client, "officer_gulou", LIMIT, REMOTE_ADDR="10.1.1.1")
    attempt = AccessAttempt.objects.get(username="officer_gulou")
    admin_user = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    listing = client.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200
    assert "officer_gulou" in listing.content.decode()
    response = client.post(
        f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"}, follow=True
    )
    assert response.status_code == 200
    client.logout()
    assert log_in(client, "officer_gulou", PASSWORD, REMOTE_ADDR="10.1.1.1").status_code == 302


def test_an_assessor_cannot_unlock_accounts(client, assessor):
    client.force_login(assessor)
    assert client.get("/admin/axes/accessattempt/").status_code == 403


def test_the_api_accepts_no_passwords_so_it_cannot_be_used_to_guess(client, officer_gulou):
    """Only tokens (issued in the admin) and sessions: HTTP Basic would be an unthrottled door."""
    auth = "Basic " + __import__("base64").b64encode(f"officer_gulou:{PASSWORD}".encode()).decode()
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=auth)
    assert response.status_code in {401, 403}


def test_new_passwords_are_hashed_with_argon2(officer_gulou):
    assert officer_gulou.password.startswith("argon2$")


def test_an_old_pbkdf2_password_still_works_and_is_upgraded_at_login(client, officer_gulou):
    from django.contrib.auth.hashers import make_password

    User.objects.filter(pk=officer_gulou.pk).update(
        password=make_password(PASSWORD, hasher="pbkdf2_sha256")
    )
    assert log_in(client, "officer_gulou", PASSWORD).status_code == 302
    officer_gulou.refresh_from_db()
    assert officer_gulou.password.startswith("argon2$")


def test_staff_passwords_need_ten_characters(officer_gulou):
    with pytest.raises(ValidationError):
        password_validation.validate_password("Xq7#pLm2!", officer_gulou)  # nine
    password_validation.validate_password("Xq7#pLm2!w", officer_gulou)  # ten


@pytest.mark.parametrize(
    ("meta", "counted"),
    [
        ({"REMOTE_ADDR": "172.18.0.2", "HTTP_X_FORWARDED_FOR": "not-an-address"}, "172.18.0.2"),
        ({"REMOTE_ADDR": ""}, None),  # gunicorn on a unix socket
    ],
)
def test_an_address_that_is_no_address_is_never_stored_and_never_fails(
    settings, client, officer_gulou, meta, counted
):
    # PostgreSQL's inet column refuses anything but an address: no 500 on the login form.
    settings.TRUSTED_PROXY_COUNT = 1
    response = log_in(client, "officer_gulou", "not-the-password", **meta)
    assert response.status_code == 200
    assert AccessAttempt.objects.get().ip_address == counted
    assert log_in(client, "officer_gulou", PASSWORD, **meta).status_code == 302
