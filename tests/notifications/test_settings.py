"""The notification settings page (/notifications/settings/): a staff user's own e-mail address
and e-mail preference, with a note when the site cannot send e-mail; and the inbox rendering
notifications that are not about a ticket (the missing-log reminders)."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from accounts.models import User
from notifications.models import EmailStatus, NoticeKind, Notification
from patrols.reminders import remind_missing_logs

pytestmark = pytest.mark.django_db

URL = "/notifications/settings/"
MONDAY_EVENING = datetime.datetime(2026, 11, 23, 18, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_the_url_name_is_cases_notification_settings():
    assert reverse("notifications:notification_settings") == URL


@pytest.mark.parametrize(
    "who",
    ["officer_gulou", "supervisor_gulou", "command_supervisor", "handler_sanitation", "assessor"],
)
def test_every_staff_user_may_open_their_settings(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(URL).status_code == 200


def test_resident_with_an_account_cannot_open_the_settings(client, resident):
    client.force_login(resident)
    assert client.get(URL).status_code == 403


def test_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_officer_sets_their_address_and_turns_e_mail_on(english, officer_gulou):
    User.objects.filter(pk=officer_gulou.pk).update(email="", email_notifications=False)
    english.force_login(officer_gulou)
    response = english.post(
        URL, {"email": " wang.jianguo@XZCG.gov.cn ", "email_notifications": "on"}
    )
    assert response.status_code == 302
    assert response["Location"] == URL
    officer_gulou.refresh_from_db()
    assert officer_gulou.email == "wang.jianguo@xzcg.gov.cn"
    assert officer_gulou.email_notifications is True
    assert "Your notification settings are saved." in english.get(URL).content.decode()


def test_officer_turns_e_mail_off_and_may_clear_the_address(english, officer_gulou):
    User.objects.filter(pk=officer_gulou.pk).update(
        email="wang@example.cn", email_notifications=True
    )
    english.force_login(officer_gulou)
    english.post(URL, {"email": ""})  # an unticked box is not posted
    officer_gulou.refresh_from_db()
    assert (officer_gulou.email, officer_gulou.email_notifications) == ("", False)


def test_a_bad_address_is_refused_with_the_input_kept(english, officer_gulou):
    User.objects.filter(pk=officer_gulou.pk).update(email="old@example.cn")
    english.force_login(officer_gulou)
    response = english.post(URL, {"email": "not an address", "email_notifications": "on"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a valid email address." in html
    assert 'value="not an address"' in html
    assert "checked" in html
    officer_gulou.refresh_from_db()
    assert officer_gulou.email == "old@example.cn"


@pytest.mark.parametrize(
    "garbage",
    ["a" * 300 + "@example.cn", "x@\x00.cn", "<script>@example.cn", "王建国@徐州"],
)
def test_garbage_input_never_causes_a_500(english, officer_gulou, garbage):
    english.force_login(officer_gulou)
    response = english.post(URL, {"email": garbage, "email_notifications": "yes"})
    assert response.status_code in (302, 400)


def test_a_user_changes_only_their_own_settings(english, officer_gulou, officer_quanshan):
    User.objects.filter(pk=officer_quanshan.pk).update(email="li@example.cn")
    english.force_login(officer_gulou)
    english.post(
        URL,
        {
            "email": "wang@example.cn",
            "id": officer_quanshan.pk,
            "pk": officer_quanshan.pk,
            "username": "officer_quanshan",
            "is_superuser": "on",
        },
    )
    officer_quanshan.refresh_from_db()
    officer_gulou.refresh_from_db()
    assert officer_quanshan.email == "li@example.cn"
    assert officer_gulou.email == "wang@example.cn"
    assert officer_gulou.username == "officer_gulou"
    assert not officer_gulou.is_superuser


def test_without_an_e_mail_server_the_page_says_only_in_app_notifications_are_sent(
    english, officer_gulou, settings
):
    settings.EMAIL_ENABLED = False
    english.force_login(officer_gulou)
    html = english.get(URL).content.decode()
    assert 'id="no-email-server"' in html
    assert "only in-app notifications are sent" in html


def test_with_an_e_mail_server_the_note_is_not_shown(english, officer_gulou, settings):
    settings.EMAIL_ENABLED = True
    english.force_login(officer_gulou)
    assert 'id="no-email-server"' not in english.get(URL).content.decode()


def test_the_inbox_links_to_the_settings(client, officer_gulou):
    client.force_login(officer_gulou)
    assert f'href="{URL}"' in client.get(reverse("notifications:inbox")).content.decode()


def test_a_residents_inbox_has_no_link_to_staff_settings(client, resident):
    client.force_login(resident)
    assert f'href="{URL}"' not in client.get(reverse("notifications:inbox")).content.decode()


# --- the inbox: notifications that are not about a ticket --------------------------------------


def test_a_missing_log_reminder_shows_its_kind_and_message_and_leads_to_the_log(
    english, officer_gulou
):
    with time_machine.travel(MONDAY_EVENING, tick=False):
        remind_missing_logs()
    note = Notification.objects.get(recipient=officer_gulou)
    assert (note.kind, note.ticket_id) == (NoticeKind.MISSING_LOG, None)
    Notification.objects.filter(pk=note.pk).update(email_status=EmailStatus.SENT)
    english.force_login(officer_gulou)
    html = english.get(reverse("notifications:inbox")).content.decode()
    assert "Daily log not submitted" in html
    assert note.message in html  # stored in the site's language, shown as written
    assert str(EmailStatus.SENT.label) not in html  # e-mail status is not the inbox's business
    response = english.get(reverse("notifications:open_notification", args=[note.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("patrols:log_day", args=[f"{MONDAY_EVENING:%Y-%m-%d}"])
    note.refresh_from_db()
    assert note.read_at is not None


def test_a_notification_cannot_be_opened_by_someone_else(client, officer_gulou, officer_quanshan):
    note = Notification.objects.create(
        recipient=officer_gulou,
        kind=NoticeKind.MISSING_LOG,
        message="今日工作日志尚未提交。",
        link=reverse("patrols:log_today"),
    )
    client.force_login(officer_quanshan)
    assert client.get(reverse("notifications:open_notification", args=[note.pk])).status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_a_notification_link_off_the_site_is_not_followed(client, officer_gulou):
    note = Notification.objects.create(
        recipient=officer_gulou, kind=NoticeKind.MISSING_LOG, link="//evil.example/"
    )
    client.force_login(officer_gulou)
    response = client.get(reverse("notifications:open_notification", args=[note.pk]))
    assert response["Location"] == reverse("notifications:inbox")
