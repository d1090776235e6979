"""Notification e-mail: sent through Django's e-mail backend when EMAIL_URL is configured and
the person has an address and wants it; its own task, retried on a failing server, then given
up cleanly with the in-app notification kept."""

import datetime
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import services
from cases.models import State
from notifications import delivery, reminders
from notifications.models import EmailStatus, NoticeKind, Notification
from notifications.tasks import deliver_email, deliver_stranded_emails

pytestmark = pytest.mark.django_db

FAILURES: list[int] = []


class RefusingBackend(BaseEmailBackend):
    """An SMTP server that is down."""

    def send_messages(self, email_messages):
        FAILURES.append(len(email_messages))
        raise smtplib.SMTPServerDisconnected("connection closed")


@pytest.fixture
def email_on(settings):
    settings.EMAIL_ENABLED = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CITYMGMT_EMAIL_RETRY_SECONDS = 0
    from citymgmt.celery import app

    app.conf.task_always_eager = True
    yield settings
    app.conf.task_always_eager = False


@pytest.fixture
def due(make_ticket, officer_gulou):
    ticket = make_ticket(State.DISPATCHED)
    Notification.objects.all().delete()
    return ticket


def scan_at_deadline(ticket, capture):
    with capture(execute=True):
        reminders.scan(ticket.deadline + datetime.timedelta(minutes=1))


def test_an_overdue_notice_is_emailed_to_people_with_an_address(
    email_on, due, officer_gulou, supervisor_gulou, django_capture_on_commit_callbacks
):
    officer_gulou.email = "wang@example.org"
    officer_gulou.save(update_fields=["email"])
    supervisor_gulou.email = ""
    supervisor_gulou.save(update_fields=["email"])
    scan_at_deadline(due, django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [["wang@example.org"]]
    assert due.number in mail.outbox[0].subject
    officer_note = Notification.objects.get(recipient=officer_gulou)
    assert officer_note.email_status == EmailStatus.SENT and officer_note.emailed_at
    supervisor_note = Notification.objects.get(recipient=supervisor_gulou)
    assert supervisor_note.email_status == EmailStatus.NONE


def test_nobody_is_emailed_who_turned_it_off(
    email_on, due, officer_gulou, django_capture_on_commit_callbacks
):
    officer_gulou.email = "wang@example.org"
    officer_gulou.email_notifications = False
    officer_gulou.save(update_fields=["email", "email_notifications"])
    scan_at_deadline(due, django_capture_on_commit_callbacks)
    assert mail.outbox == []
    assert Notification.objects.filter(recipient=officer_gulou, kind=NoticeKind.OVERDUE).exists()


def test_without_email_url_nothing_is_queued(
    settings, due, officer_gulou, django_capture_on_commit_callbacks
):
    settings.EMAIL_ENABLED = False
    officer_gulou.email = "wang@example.org"
    officer_gulou.save(update_fields=["email"])
    with django_capture_on_commit_callbacks() as callbacks:
        reminders.scan(due.deadline + datetime.timedelta(minutes=1))
    assert callbacks == []
    assert not Notification.objects.exclude(email_status=EmailStatus.NONE).exists()


def test_a_failing_mail_server_is_retried_then_given_up_cleanly(
    email_on, due, officer_gulou, django_capture_on_commit_callbacks, caplog
):
    email_on.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    email_on.CITYMGMT_EMAIL_MAX_RETRIES = 3
    officer_gulou.email = "wang@example.org"
    officer_gulou.save(update_fields=["email"])
    FAILURES.clear()
    scan_at_deadline(due, django_capture_on_commit_callbacks)
    note = Notification.objects.get(recipient=officer_gulou)
    assert len(FAILURES) == 3
    assert (note.email_status, note.email_attempts) == (EmailStatus.FAILED, 3)
    assert "giving up" in caplog.text
    # Nothing picks a failed e-mail up again; the in-app notice stays.
    assert deliver_stranded_emails() == 0
    assert delivery.send(note.pk) == delivery.Outcome.SKIPPED
    assert len(FAILURES) == 3


def test_a_transitions_email_leaves_only_after_the_commit(
    email_on, make_ticket, supervisor_gulou, officer_gulou, django_capture_on_commit_callbacks
):
    # The inbox row is written with the transition; the delivery task is published on commit,
    # so a worker never looks for a row that is not there yet, or for a change rolled back.
    officer_gulou.email = "wang@example.org"
    officer_gulou.save(update_fields=["email"])
    ticket = make_ticket(State.REGISTERED)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        CaptureQueriesContext(connection) as captured,
    ):
        services.dispatch_ticket(
            actor=supervisor_gulou, ticket_id=ticket.pk, officer_id=officer_gulou.officer.pk
        )
        # Written as pending, not updated after.
        assert not any(sql["sql"].startswith('UPDATE "cases_notification"') for sql in captured)
        note = Notification.objects.get(recipient=officer_gulou, ticket=ticket)
        assert note.email_status == EmailStatus.PENDING
        assert mail.outbox == []
    assert len(callbacks) == 1
    assert [m.to for m in mail.outbox] == [["wang@example.org"]]
    note.refresh_from_db()
    assert note.email_status == EmailStatus.SENT


def test_no_email_leaves_for_a_transition_rolled_back(
    email_on, make_ticket, supervisor_gulou, officer_gulou, django_capture_on_commit_callbacks
):
    officer_gulou.email = "wang@example.org"
    officer_gulou.save(update_fields=["email"])
    ticket = make_ticket(State.REGISTERED)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.dispatch_ticket(
            actor=supervisor_gulou, ticket_id=ticket.pk, officer_id=officer_gulou.officer.pk
        )
        raise RuntimeError("the request failed after the service returned")
    assert callbacks == []
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_a_delivery_task_run_twice_sends_once(email_on, due, officer_gulou):
    officer_gulou.email = "wang@example.org"
    officer_gulou.save(update_fields=["email"])
    note = Notification.objects.create(
        recipient=officer_gulou, ticket=due, kind=NoticeKind.DUE_SOON, message="x"
    )
    Notification.objects.filter(pk=note.pk).update(email_status=EmailStatus.PENDING)
    deliver_email.delay(note.pk)
    deliver_email.delay(note.pk)
    assert len(mail.outbox) == 1


def test_the_sweep_sends_what_a_dead_broker_never_queued(email_on, due, officer_gulou):
    officer_gulou.email = "wang@example.org"
    officer_gulou.save(update_fields=["email"])
    note = Notification.objects.create(
        recipient=officer_gulou,
        ticket=due,
        kind=NoticeKind.DUE_SOON,
        message="x",
        created_at=timezone.now() - datetime.timedelta(minutes=10),
    )
    Notification.objects.filter(pk=note.pk).update(email_status=EmailStatus.PENDING)
    assert deliver_stranded_emails() == 1
    assert len(mail.outbox) == 1
    assert deliver_stranded_emails() == 0
