"""The reporter hears of each public step of their ticket by SMS (and e-mail when they gave an
address), with the short link to their tracking page; followers of a report hear of it too; a
message carries only public fields; one event writes its messages once; the reporter can stop
them from the tracking page; with SMS off nothing is sent and nothing offers it."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from cases import services
from cases.models import State, Ticket
from messaging import updates
from messaging.models import ReporterContact, SmsPolicy
from outbox import delivery
from outbox import services as outbox
from outbox.models import Message, Status
from outbox.tasks import deliver, deliver_stranded
from residents.services import file_complaint
from tests.cases.conftest import GULOU_POINT
from tests.factories import processed_photo
from tests.messaging.conftest import sms_files

pytestmark = pytest.mark.django_db

SITE = "https://cg.example.cn"


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE


def send_all() -> None:
    """What the workers would do: deliver every message due."""
    for pk in (
        Message.objects.filter(status=Status.PENDING).order_by("pk").values_list("pk", flat=True)
    ):
        delivery.send(pk)


def kinds(ticket: Ticket, channel: str = "sms") -> list[str]:
    return list(
        Message.objects.filter(ref=f"ticket:{ticket.pk}", channel=channel)
        .order_by("pk")
        .values_list("kind", flat=True)
    )


def link(ticket: Ticket) -> str:
    return f"{SITE}/t/{ticket.tracking_code}/"


def test_each_step_of_a_dispatched_report_sends_its_update(
    sms_outbox, make_ticket, supervisor_gulou
):
    ticket = make_ticket(State.CLOSED)
    services.reopen_ticket(actor=supervisor_gulou, ticket_id=ticket.pk, reason="居民反映又堆了")
    send_all()

    assert kinds(ticket) == [
        "ticket_registered",
        "ticket_dispatched",
        "ticket_resolved",
        "ticket_closed",
        "ticket_reopened",
    ]
    texts = [sent["text"] for sent in sms_files(sms_outbox)]
    assert all(sent["to"] == "13812345678" for sent in sms_files(sms_outbox))
    assert all(ticket.number in text and link(ticket) in text for text in texts)
    assert "已受理立案" in texts[0]
    assert "已派遣" in texts[1]
    assert "处理后的照片" in texts[2]
    assert "请为处理结果评分" in texts[3]
    assert "已重新办理" in texts[4]


def test_a_referred_report_names_the_department_and_no_person(sms_outbox, make_ticket):
    ticket = make_ticket(State.REFERRED)
    referred = Message.objects.get(ref=f"ticket:{ticket.pk}", kind="ticket_referred")
    assert referred.payload == {"number": ticket.number, "link": link(ticket), "unit": "环卫处"}
    send_all()
    assert "已转交环卫处处理" in sms_files(sms_outbox)[-1]["text"]


def test_an_enforcement_conclusion_is_a_resolved_update(sms_outbox, make_ticket):
    ticket = make_ticket(State.RESOLVED, route="enforce")
    assert kinds(ticket) == ["ticket_registered", "ticket_resolved"]


def test_a_rejected_report_gives_the_reason_in_plain_words(sms_outbox, make_ticket):
    ticket = make_ticket(State.REJECTED)
    rejected = Message.objects.get(ref=f"ticket:{ticket.pk}")
    assert rejected.kind == "ticket_rejected"
    assert rejected.payload["reason"] == "不是我们能处理的问题"
    send_all()
    assert "未予立案，原因：不是我们能处理的问题" in sms_files(sms_outbox)[0]["text"]


def test_a_report_rejected_as_a_duplicate_then_follows_the_original(
    sms_outbox, make_ticket, supervisor_gulou, officer_gulou
):
    original = make_ticket(State.REGISTERED)
    second = make_ticket(State.REPORTED)
    services.reject_ticket(
        actor=supervisor_gulou,
        ticket_id=second.pk,
        reason="duplicate",
        note="同一堆垃圾",
        duplicate_of_number=original.number,
    )
    services.dispatch_ticket(
        actor=supervisor_gulou, ticket_id=original.pk, officer_id=officer_gulou.officer.pk
    )

    assert kinds(second) == ["ticket_rejected", "ticket_dispatched"]
    followed = Message.objects.filter(ref=f"ticket:{second.pk}").order_by("pk").last()
    assert followed.payload == {"number": second.number, "link": link(second)}


def test_followers_get_the_originals_updates_with_their_own_link(
    sms_outbox, make_ticket, category, supervisor_gulou, officer_gulou
):
    original = make_ticket(State.REGISTERED)
    follower = file_complaint(
        category=category,
        description="我家楼下也是",
        lat=GULOU_POINT[0],
        lng=GULOU_POINT[1],
        reporter_phone="13698765432",
        follows=original.number,
    )
    assert kinds(follower) == []  # following is the resident's own choice: nothing to tell
    services.dispatch_ticket(
        actor=supervisor_gulou, ticket_id=original.pk, officer_id=officer_gulou.officer.pk
    )
    send_all()

    assert kinds(original)[-1] == kinds(follower)[-1] == "ticket_dispatched"
    by_number = {sent["to"]: sent["text"] for sent in sms_files(sms_outbox)}
    assert link(follower) in by_number["13698765432"]
    assert follower.number in by_number["13698765432"]
    assert original.tracking_code not in by_number["13698765432"]


def test_a_hotline_or_patrol_ticket_sends_the_caller_nothing(
    sms_outbox, category, supervisor_gulou, gulou_community
):
    ticket = services.create_ticket(
        actor=supervisor_gulou,
        source="hotline_12345",
        category=category,
        description="来电反映垃圾",
        lat=GULOU_POINT[0],
        lng=GULOU_POINT[1],
        reporter_phone="13812345678",
    )
    services.register_ticket(actor=supervisor_gulou, ticket_id=ticket.pk)
    assert kinds(ticket) == []


MARKER = "QX7-SECRET"
OFFICER_PHONE = "13999990000"


def test_no_message_carries_a_note_or_a_staff_members_data(
    sms_outbox, settings, category, supervisor_gulou, officer_gulou, handler_sanitation
):
    settings.EMAIL_ENABLED = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    officer_gulou.phone = OFFICER_PHONE
    officer_gulou.save(update_fields=["phone"])
    officer = officer_gulou.officer
    officer.public_phone = OFFICER_PHONE
    officer.save(update_fields=["public_phone"])
    ticket = file_complaint(
        category=category,
        description=f"描述 {MARKER}",
        lat=GULOU_POINT[0],
        lng=GULOU_POINT[1],
        address=f"地址 {MARKER}",
        reporter_phone="13812345678",
        reporter_email="liu@example.org",
    )
    pk = ticket.pk
    note = f"内部备注 {MARKER}"
    services.register_ticket(actor=supervisor_gulou, ticket_id=pk, note=note)
    services.dispatch_ticket(actor=supervisor_gulou, ticket_id=pk, officer_id=officer.pk, note=note)
    services.return_ticket(actor=officer_gulou, ticket_id=pk, reason=note)
    services.refer_ticket(
        actor=supervisor_gulou,
        ticket_id=pk,
        unit_id=handler_sanitation.unit_id,
        person=f"陈科长 {MARKER}",
        note=note,
    )
    services.resolve_ticket(
        actor=handler_sanitation, ticket_id=pk, note=note, photos=[processed_photo()]
    )
    services.verify_ticket(actor=supervisor_gulou, ticket_id=pk, passed=True, note=note)
    services.reopen_ticket(actor=supervisor_gulou, ticket_id=pk, reason=note)
    send_all()

    messages = list(Message.objects.filter(ref=f"ticket:{pk}"))
    assert {m.channel for m in messages} == {"sms", "email"}
    assert len(messages) == 2 * 6  # registered, dispatched, referred, resolved, closed, reopened
    assert all(m.status == Status.SENT for m in messages)
    sent = [str(m.payload) for m in messages]
    sent += [file["text"] + str(file["params"]) for file in sms_files(sms_outbox)]
    sent += [email.subject + email.body for email in mail.outbox]
    forbidden = [MARKER, OFFICER_PHONE, "王建国", "赵队长", "陈科长", "GL1-001"]
    for text in sent:
        for word in forbidden:
            assert word not in text, (word, text)


def test_the_updates_of_one_event_are_written_once(sms_outbox, make_ticket):
    ticket = make_ticket(State.REGISTERED)
    event = ticket.events.get(action="register")
    assert Message.objects.filter(ref=f"ticket:{ticket.pk}").count() == 1

    # A retried task or a listener called again for the same event: no second message.
    assert updates.on_ticket_event(event) == 1
    assert Message.objects.filter(ref=f"ticket:{ticket.pk}").count() == 1


def test_the_reporter_stops_the_updates_from_the_tracking_page(
    sms_outbox, client, make_ticket, supervisor_gulou, officer_gulou
):
    ticket = make_ticket(State.REGISTERED)
    page = client.get(f"/track/{ticket.tracking_code}/").content.decode()
    assert 'id="stop-updates"' in page
    queued = Message.objects.get(ref=f"ticket:{ticket.pk}")  # not yet sent

    response = client.post(f"/track/{ticket.tracking_code.lower()}/updates/", {"stop": "1"})
    assert response.status_code == 302
    assert response["Location"] == f"/track/{ticket.tracking_code}/"
    assert ReporterContact.objects.get(ticket=ticket).stopped
    assert 'id="resume-updates"' in client.get(response["Location"]).content.decode()

    services.dispatch_ticket(
        actor=supervisor_gulou, ticket_id=ticket.pk, officer_id=officer_gulou.officer.pk
    )
    assert Message.objects.filter(ref=f"ticket:{ticket.pk}").count() == 1  # nothing new
    assert delivery.send(queued.pk) == delivery.Outcome.CANCELLED  # the queued one is dropped
    assert "stopped" in Message.objects.get(pk=queued.pk).last_error
    assert sms_files(sms_outbox) == []

    client.post(f"/track/{ticket.tracking_code}/updates/", {"stop": "0"})
    services.start_ticket(actor=officer_gulou, ticket_id=ticket.pk)
    services.resolve_ticket(
        actor=officer_gulou, ticket_id=ticket.pk, note="已清运", photos=[processed_photo()]
    )
    assert kinds(ticket)[-1] == "ticket_resolved"


def test_stopping_the_updates_of_an_unknown_code_is_a_404(sms_outbox, client):
    assert client.post("/track/NOSUCHCODE2/updates/", {"stop": "1"}).status_code == 404
    assert not ReporterContact.objects.exists()


def test_with_sms_off_nothing_is_sent_and_nothing_offers_it(settings, client, make_ticket):
    settings.SMS_URL = ""
    ticket = make_ticket(State.DISPATCHED)
    assert not Message.objects.exists()
    assert (
        'id="updates-control"' not in client.get(f"/track/{ticket.tracking_code}/").content.decode()
    )
    assert "SMS" not in client.get("/report/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_with_sms_on_the_form_says_updates_come_by_sms(sms_outbox, client):
    assert (
        "We send you an SMS at each step"
        in client.get("/report/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )


def test_a_reporter_who_gave_an_email_address_is_emailed_too(
    settings, client, category, supervisor_gulou, gulou_community, message_templates
):
    settings.SMS_URL = ""
    settings.EMAIL_ENABLED = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert 'name="reporter_email"' in client.get("/report/").content.decode()
    ticket = file_complaint(
        category=category,
        description="垃圾",
        lat=GULOU_POINT[0],
        lng=GULOU_POINT[1],
        reporter_email="liu@example.org",
    )
    services.register_ticket(actor=supervisor_gulou, ticket_id=ticket.pk)
    send_all()

    (email,) = mail.outbox
    assert email.to == ["liu@example.org"]
    assert email.subject == f"[citymgmt] 您反映的问题{ticket.number}：已立案"
    assert link(ticket) in email.body
    assert email.extra_headers["X-Citymgmt-Message-Id"].startswith("outbox:")


def test_without_email_the_form_asks_for_no_address(settings, client):
    settings.EMAIL_ENABLED = False
    assert 'name="reporter_email"' not in client.get("/report/").content.decode()


def test_the_short_link_opens_the_tracking_page(client, make_ticket):
    ticket = make_ticket(State.REGISTERED)
    response = client.get(f"/t/{ticket.tracking_code.lower()}/")
    assert (response.status_code, response["Location"]) == (302, f"/track/{ticket.tracking_code}/")
    assert client.get("/t/WRONGCODE23/", follow=True).status_code == 404


def update(number: str, n: int) -> Message:
    params = {"number": f"XZ-{n}", "link": "/t/x/"}
    return outbox.enqueue("sms", number, "ticket_registered", params)


def test_a_number_past_its_daily_cap_gets_no_more_sms_that_day(sms_outbox):
    policy = SmsPolicy.current()
    policy.daily_cap_per_number = 2
    policy.save()
    sent = [update("13812345678", n) for n in range(3)]
    other = update("13698765432", 9)
    send_all()

    statuses = [Message.objects.get(pk=m.pk).status for m in sent]
    assert statuses == [Status.SENT, Status.SENT, Status.CANCELLED]
    assert "daily cap" in Message.objects.get(pk=sent[2].pk).last_error
    assert Message.objects.get(pk=other.pk).status == Status.SENT
    assert len(sms_files(sms_outbox)) == 3

    with time_machine.travel(timezone.localtime() + datetime.timedelta(days=1)):
        tomorrow = update("13812345678", 7)
        assert delivery.send(tomorrow.pk) == delivery.Outcome.SENT


def test_one_time_codes_are_neither_stopped_nor_counted_by_the_daily_cap(sms_outbox):
    policy = SmsPolicy.current()
    policy.daily_cap_per_number = 1
    policy.save()
    number = "13812345678"
    codes = [outbox.enqueue("sms", number, "verify_code", {"code": f"{n}"}) for n in range(3)]
    send_all()
    news = update("13812345678", 1)
    send_all()

    assert {Message.objects.get(pk=m.pk).status for m in codes} == {Status.SENT}
    assert Message.objects.get(pk=news.pk).status == Status.SENT


def test_a_failing_provider_is_retried_with_backoff_then_failed_and_the_ticket_stands(
    sms_outbox, settings, monkeypatch, make_ticket
):
    settings.CITYMGMT_OUTBOX_MAX_ATTEMPTS = 3
    settings.CITYMGMT_OUTBOX_RETRY_SECONDS = 30

    def down(self, sms):
        raise ConnectionError("provider unreachable")

    monkeypatch.setattr("messaging.sms.FileBackend.send", down)
    ticket = make_ticket(State.REGISTERED)
    message = Message.objects.get(ref=f"ticket:{ticket.pk}")

    assert delivery.send(message.pk) == delivery.Outcome.RETRY
    message.refresh_from_db()
    waits = [message.next_attempt_at - timezone.now()]
    later = timezone.now() + datetime.timedelta(seconds=31)
    assert delivery.send(message.pk, now=later) == delivery.Outcome.RETRY
    message.refresh_from_db()
    waits.append(message.next_attempt_at - later)
    assert delivery.send(message.pk, now=later + datetime.timedelta(seconds=61)) == (
        delivery.Outcome.FAILED
    )
    assert datetime.timedelta(seconds=28) < waits[0] <= datetime.timedelta(seconds=30)
    assert datetime.timedelta(seconds=58) < waits[1] <= datetime.timedelta(seconds=60)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.FAILED, 3)
    assert "provider unreachable" in message.last_error
    assert Ticket.objects.get(pk=ticket.pk).state == State.REGISTERED


def test_a_broker_that_is_down_loses_no_update(
    sms_outbox, monkeypatch, make_ticket, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    def unreachable(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(deliver, "apply_async", unreachable)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(State.REGISTERED)
    message = Message.objects.get(ref=f"ticket:{ticket.pk}")
    assert message.status == Status.PENDING  # the publish failed; the row is there

    monkeypatch.undo()
    published = []
    monkeypatch.setattr(
        "outbox.tasks.publish", lambda task, pk: published.append(pk) or deliver(pk)
    )
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2)):
        assert deliver_stranded() == 1
    assert published == [message.pk]
    assert Message.objects.get(pk=message.pk).status == Status.SENT
    assert sms_files(sms_outbox)[0]["to"] == "13812345678"


def test_the_delivery_log_shows_the_ticket_supervisor_what_was_sent_and_why_not(
    sms_outbox, client, make_ticket, supervisor_gulou, officer_gulou, settings
):
    settings.CITYMGMT_OUTBOX_MAX_ATTEMPTS = 1
    ticket = make_ticket(State.DISPATCHED)
    registered, dispatched = Message.objects.filter(ref=f"ticket:{ticket.pk}").order_by("pk")
    delivery.send(registered.pk)
    Message.objects.filter(pk=dispatched.pk).update(
        status=Status.FAILED, last_error="isv.MOBILE_NUMBER_ILLEGAL: 非法手机号"
    )

    client.force_login(supervisor_gulou)
    page = client.get(f"/cases/{ticket.number}/").content.decode()
    assert 'id="delivery-log"' in page
    assert page.count('class="delivery"') == 2
    assert "isv.MOBILE_NUMBER_ILLEGAL" in page
    assert "138****5678" in page

    client.force_login(officer_gulou)  # works on the ticket, but the log is the supervisors'
    assert 'id="delivery-log"' not in client.get(f"/cases/{ticket.number}/").content.decode()


def test_the_delivery_log_leaves_out_those_who_follow_the_report(
    sms_outbox, client, make_ticket, supervisor_gulou
):
    ticket = make_ticket(State.REGISTERED)
    outbox.enqueue(
        "email",
        "follower@example.cn",
        "alert_report_update",
        {"number": ticket.number, "status": "已立案", "unsubscribe_url": "/alerts/stop/x/"},
        ref=f"ticket:{ticket.pk}",
    )

    client.force_login(supervisor_gulou)
    page = client.get(f"/cases/{ticket.number}/").content.decode()

    assert page.count('class="delivery"') == 1  # the reporter's "registered" only
    assert "follower@example.cn" not in page
