"""Residents' alerts: new public reports in a community and the public steps of one public
report, by SMS (verified number) or e-mail (confirmed by a link), each message an outbox row with
its unsubscribe link and nothing the public may not know."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from cases.models import Source, State, Ticket
from cases.services import dispatch_ticket, register_ticket
from messaging import sms as sms_channel
from messaging.models import PLACEHOLDER
from outbox import delivery
from outbox.models import Message, Status
from residents import alerts
from residents.models import Subscription
from tests.messaging.conftest import message_templates, sms_files  # noqa: F401  fixture
from tests.residents.test_phone_verification import MINE, THEIRS, verify
from tests.residents.test_report import form_data  # noqa: F401  the complaint form's fields

pytestmark = pytest.mark.django_db

NEW = "/alerts/new/"


@pytest.fixture
def sms(settings):
    settings.SMS_URL = "console://"
    return settings


def by_email(client, query: dict, address: str = "li@example.cn"):
    return client.post(f"{NEW}?{_q(query)}", {"channel": "email", "email": address})


def _q(query: dict) -> str:
    from urllib.parse import urlencode

    return urlencode(query)


def confirmed_by_email(client, query: dict, address: str = "li@example.cn") -> Subscription:
    by_email(client, query, address)
    message = Message.objects.filter(kind="alert_confirm", target=address).latest("pk")
    client.post(message.payload["confirm_url"])
    return Subscription.objects.get(target=address)


def test_an_email_subscription_waits_for_its_link(client, gulou_community):
    response = by_email(client, {"community": gulou_community.code}, "LI@Example.cn")
    assert response.status_code == 200
    subscription = Subscription.objects.get()
    assert subscription.target == "li@example.cn" and subscription.confirmed_at is None
    message = Message.objects.get(channel="email", kind="alert_confirm")
    assert (
        message.target == "li@example.cn" and message.payload["subject"] == "黄楼社区的新问题提醒"
    )
    confirm = message.payload["confirm_url"]
    assert confirm == reverse("residents:alert_confirm", args=[subscription.token])
    # A scanner following the link confirms nothing; the resident's button does.
    client.get(confirm)
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None
    client.post(confirm)
    subscription.refresh_from_db()
    assert subscription.confirmed_at is not None


def test_a_new_public_report_alerts_the_communitys_subscribers(
    client,
    sms,
    gulou_community,
    taishan_community,
    form_data,  # noqa: F811
):
    verify(client, MINE)
    assert (
        client.post(f"{NEW}?community={gulou_community.code}", {"channel": "sms"}).status_code
        == 200
    )
    confirmed_by_email(client, {"community": gulou_community.code})
    by_email(client, {"community": gulou_community.code}, "unconfirmed@example.cn")
    by_email(client, {"community": taishan_community.code}, "elsewhere@example.cn")
    Message.objects.filter(kind="alert_confirm").delete()

    assert client.post("/report/", form_data).status_code == 302
    ticket = Ticket.objects.get()
    sent = Message.objects.filter(kind="alert_new_report").order_by("channel")
    assert [(m.channel, m.target) for m in sent] == [("email", "li@example.cn"), ("sms", MINE)]
    payload = sent[0].payload
    assert payload["number"] == ticket.number and payload["community"] == "黄楼社区"
    assert payload["follow_url"] == f"{NEW}?number={ticket.number}"
    assert payload["unsubscribe_url"].startswith("/alerts/stop/")
    # Nothing the public may not know: no description, address, name or number.
    text = str([m.payload for m in sent])
    for private in (form_data["description"], form_data["address"], "刘女士", "13812345678"):
        assert private not in text


def test_staff_intakes_alert_nobody(client, make_ticket, gulou_community):
    confirmed_by_email(client, {"community": gulou_community.code})
    ticket = make_ticket(State.REPORTED)
    Ticket.objects.filter(pk=ticket.pk).update(source=Source.HOTLINE)
    Message.objects.filter(kind="alert_new_report").delete()  # make_ticket files as a resident
    ticket.refresh_from_db()
    event = ticket.events.first()
    assert alerts.on_ticket_event(event) == 0
    assert not Message.objects.filter(kind="alert_new_report").exists()


def test_following_a_public_report_sends_its_public_steps(
    client, make_ticket, supervisor_gulou, officer_gulou
):
    ticket = make_ticket(State.REGISTERED)
    subscription = confirmed_by_email(client, {"number": ticket.number})
    assert subscription.ticket == ticket

    with translation.override("en"):  # the supervisor's pages in English
        dispatch_ticket(
            actor=supervisor_gulou,
            ticket_id=ticket.pk,
            officer_id=officer_gulou.officer.pk,
            note="内部备注",
        )
    message = Message.objects.get(kind="alert_report_update")
    assert message.payload["number"] == ticket.number
    # The tracking page's plain words, in the site's language whatever the supervisor's.
    assert message.payload["status"] == "已派队员前往处置"
    assert "内部备注" not in str(message.payload) and officer_gulou.username not in str(
        message.payload
    )


def test_only_public_reports_can_be_followed(client, make_ticket):
    hotline = make_ticket(State.REGISTERED)
    Ticket.objects.filter(pk=hotline.pk).update(source=Source.HOTLINE)
    for number in (hotline.number, "XZ20990101-0001", "<script>", "x" * 500):
        assert client.get(NEW, {"number": number}).status_code == 404
        assert by_email(client, {"number": number}).status_code == 404
    for query in ({}, {"community": "abc"}, {"community": "999999999999"}):
        assert client.get(f"{NEW}?{_q(query)}").status_code == 404
    assert not Subscription.objects.exists()


def test_sms_alerts_need_the_verified_number(client, sms, gulou_community):
    url = f"{NEW}?community={gulou_community.code}"
    response = client.post(url, {"channel": "sms"})
    assert response.status_code == 400 and not Subscription.objects.exists()
    verify(client, MINE)
    assert client.post(url, {"channel": "sms", "email": ""}).status_code == 200
    subscription = Subscription.objects.get()
    assert (subscription.channel, subscription.target) == ("sms", MINE)
    assert subscription.confirmed_at is not None


def test_without_sms_only_email_is_offered(client, settings, gulou_community):
    settings.SMS_URL = ""
    url = f"{NEW}?community={gulou_community.code}"
    assert 'value="sms"' not in client.get(url).content.decode()
    assert client.post(url, {"channel": "sms"}).status_code == 400


def test_the_unsubscribe_link_stops_them(client, gulou_community, form_data):  # noqa: F811
    subscription = confirmed_by_email(client, {"community": gulou_community.code})
    stop = reverse("residents:alert_stop", args=[subscription.token])
    assert client.get(stop).status_code == 200
    assert Subscription.objects.exists()  # a GET changes nothing
    assert client.post(stop).status_code == 200
    assert not Subscription.objects.exists()
    client.post("/report/", form_data)
    assert not Message.objects.filter(kind="alert_new_report").exists()
    assert client.get(stop).status_code == 404


def test_subscribing_is_limited_per_address(client, settings, gulou_community):
    settings.CITYMGMT_RATE_SUBSCRIBE = "2/h"
    query = {"community": gulou_community.code}
    assert by_email(client, query, "a@example.cn").status_code == 200
    assert by_email(client, query, "b@example.cn").status_code == 200
    assert by_email(client, query, "c@example.cn").status_code == 429
    assert Message.objects.filter(kind="alert_confirm").count() == 2


def test_a_failing_alert_never_blocks_the_report(
    client,
    gulou_community,
    form_data,  # noqa: F811
    monkeypatch,
):
    confirmed_by_email(client, {"community": gulou_community.code})

    def broken(ticket, event, subscriptions):
        Message.objects.create(channel="email", target="x", kind="half-written")
        raise RuntimeError("boom")

    monkeypatch.setattr(alerts, "_new_report", broken)
    assert client.post("/report/", form_data).status_code == 302
    assert Ticket.objects.count() == 1
    assert not Message.objects.filter(kind="half-written").exists()


def test_bad_input_is_kept_and_explained(client, gulou_community):
    url = f"{NEW}?community={gulou_community.code}"
    response = client.post(url, {"channel": "email", "email": "not an address"})
    assert response.status_code == 400
    assert "not an address" in response.content.decode()
    assert client.post(url, {"channel": "carrier-pigeon"}).status_code == 400


def test_alerts_reach_the_sms_file_and_the_mailbox_with_every_placeholder_filled(
    client,
    settings,
    tmp_path,
    gulou_community,
    supervisor_gulou,
    officer_gulou,
    form_data,  # noqa: F811
    message_templates,  # noqa: F811  the migrations' rows, gone after a transactional test
):
    """The whole way, through the senders and the templates of messaging 0003: the e-mail
    confirmation, a new report, a followed report's steps, by SMS (a file outbox) and e-mail."""
    settings.SMS_URL = f"file://{tmp_path}"
    settings.EMAIL_ENABLED = True
    settings.SITE_URL = "https://cg.example.cn"
    sms_channel.backend_for.cache_clear()
    verify(client, THEIRS)
    client.post(f"{NEW}?community={gulou_community.code}", {"channel": "sms"})
    confirmed_by_email(client, {"community": gulou_community.code})
    client.post("/report/", form_data)
    ticket = Ticket.objects.get()
    client.post(f"{NEW}?number={ticket.number}", {"channel": "sms"})
    confirmed_by_email(client, {"number": ticket.number}, "wang@example.cn")
    register_ticket(actor=supervisor_gulou, ticket_id=ticket.pk)
    dispatch_ticket(
        actor=supervisor_gulou, ticket_id=ticket.pk, officer_id=officer_gulou.officer.pk
    )
    for pk in Message.objects.filter(kind__startswith="alert_").values_list("pk", flat=True):
        delivery.send(pk)
    assert set(
        Message.objects.filter(kind__startswith="alert_").values_list("status", flat=True)
    ) == {Status.SENT}

    by_sms = {(m["kind"], m["params"].get("status", "")): m for m in sms_files(tmp_path)}
    emails = {m.subject.removeprefix(settings.EMAIL_SUBJECT_PREFIX): m for m in mail.outbox}
    assert {kind for kind, _status in by_sms} == {"alert_new_report", "alert_report_update"}
    assert {message["to"] for message in by_sms.values()} == {THEIRS}
    new_report = by_sms["alert_new_report", ""]["text"]
    follow = f"https://cg.example.cn{NEW}?number={ticket.number}"
    assert (
        "黄楼社区新收到一条" in new_report and ticket.number in new_report and follow in new_report
    )
    assert "https://cg.example.cn/alerts/stop/" in new_report
    assert set(emails) == {
        "请确认订阅：黄楼社区的新问题提醒",
        f"请确认订阅：问题{ticket.number}的进展提醒",
        f"黄楼社区有新的群众反映：{ticket.number}",
        f"您关注的问题{ticket.number}：已立案：正在安排处置",
        f"您关注的问题{ticket.number}：已派队员前往处置",
    }
    assert (
        "https://cg.example.cn/alerts/confirm/" in emails["请确认订阅：黄楼社区的新问题提醒"].body
    )
    # Following a report is its progress, not a community's new reports.
    follows = emails[f"请确认订阅：问题{ticket.number}的进展提醒"].body
    assert (
        follows.startswith(f"您订阅了问题{ticket.number}的进展提醒。") and "新问题" not in follows
    )
    texts = [m["text"] for m in by_sms.values()] + [m.subject + m.body for m in emails.values()]
    for text in texts:
        assert not PLACEHOLDER.search(text), text
        assert "。。" not in text, text
