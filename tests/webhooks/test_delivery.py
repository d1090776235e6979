"""Delivery to a real receiver (``python -m webhooks.receiver``, its own process) that verifies
every message with the ``standardwebhooks`` library: signed, once, in order; a receiver that is
down gets everything later; one that keeps failing is switched off and the admins told."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from cases.models import State
from notifications.models import NoticeKind, Notification
from outbox import delivery as outbox_delivery
from outbox.models import Message, Status
from webhooks import delivery
from webhooks.models import Endpoint

pytestmark = pytest.mark.django_db


def deliver_all(now: datetime.datetime | None = None) -> list[str]:
    """What a worker does, in id order: each message once, each key in order."""
    return [
        str(outbox_delivery.send(pk, now=now))
        for pk in Message.objects.order_by("pk").values_list("pk", flat=True)
    ]


def test_every_message_arrives_signed_once_and_in_order(make_ticket, endpoint, receiver):
    make_ticket(State.CLOSED)

    deliver_all()
    deliver_all()  # a second worker, a retried task: nothing goes twice

    received = receiver.received()
    assert [r["type"] for r in received] == list(
        Message.objects.order_by("pk").values_list("kind", flat=True)
    )
    assert len({r["id"] for r in received}) == len(received) == 7
    assert received[-1]["payload"]["data"]["ticket"]["state"] == "closed"
    assert receiver.refused() == 0


def test_a_receiver_that_was_down_gets_everything_later_in_order(make_ticket, endpoint, receiver):
    receiver.answer_with(503)
    make_ticket(State.DISPATCHED)

    outcomes = deliver_all()
    assert outcomes[0] == "retry" and set(outcomes[1:]) == {"waiting"}
    assert receiver.received() == []

    receiver.answer_with(204)
    later = timezone.now() + datetime.timedelta(minutes=5)
    deliver_all(later)

    kinds = [r["type"] for r in receiver.received()]
    assert kinds == ["ticket.created", "ticket.state_changed", "ticket.state_changed"]
    assert Endpoint.objects.get(pk=endpoint.pk).failing_since is None


def test_a_wrong_secret_is_refused_by_the_receiver(make_ticket, endpoint, receiver):
    Endpoint.objects.filter(pk=endpoint.pk).update(
        secret="whsec_" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE="
    )
    make_ticket(State.REPORTED)

    assert deliver_all() == ["failed"]  # 401: trying again cannot help
    assert receiver.refused() == 1 and receiver.received() == []


def test_an_endpoint_failing_for_a_day_is_switched_off_and_the_admins_told(
    make_ticket, endpoint, receiver, admin_user
):
    receiver.answer_with(500)
    make_ticket(State.REPORTED)
    deliver_all()
    assert Endpoint.objects.get(pk=endpoint.pk).failing_since is not None

    a_day_later = timezone.now() + datetime.timedelta(hours=24, minutes=1)
    with time_machine.travel(a_day_later):
        deliver_all()

    endpoint.refresh_from_db()
    assert not endpoint.active and endpoint.disabled_reason
    notice = Notification.objects.get(recipient=admin_user)
    assert notice.kind == NoticeKind.WEBHOOK_DISABLED and endpoint.name in notice.message


def test_messages_for_a_disabled_endpoint_are_cancelled_not_sent(make_ticket, endpoint, receiver):
    make_ticket(State.REPORTED)
    Endpoint.objects.filter(pk=endpoint.pk).update(active=False)

    deliver_all()

    assert Message.objects.get().status == Status.CANCELLED
    assert receiver.received() == []


def test_disabling_happens_once(endpoint, admin_user):
    endpoint.failing_since = timezone.now() - datetime.timedelta(days=2)

    assert delivery.disable(endpoint, timezone.now())
    assert not delivery.disable(endpoint, timezone.now())
    assert Notification.objects.count() == 1
