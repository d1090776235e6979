"""The outbox: a message written with the change it reports, sent once by whichever worker
claims it, retried with a doubling delay, given up cleanly, kept in order per key, and found
again by the sweep when its task was lost."""

import datetime

import pytest
from django.utils import timezone

from outbox import channels, delivery, services
from outbox.models import Message, Status
from outbox.tasks import deliver, deliver_stranded

pytestmark = pytest.mark.django_db

SENT: list[tuple[str, str]] = []


class Flaky:
    """A provider that fails ``failures`` times, then accepts."""

    def __init__(self, failures: int = 0, error: type[Exception] = ConnectionError):
        self.failures = failures
        self.error = error
        self.calls: list[int] = []

    def __call__(self, message: Message) -> str:
        self.calls.append(message.pk)
        if len(self.calls) <= self.failures:
            raise self.error("provider unreachable")
        return f"ok-{message.pk}"


@pytest.fixture
def provider(settings):
    settings.CITYMGMT_OUTBOX_MAX_ATTEMPTS = 3
    settings.CITYMGMT_OUTBOX_RETRY_SECONDS = 10
    sender = Flaky()
    channels.register("test", sender)
    yield sender
    channels.unregister("test")


def later(seconds: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(seconds=seconds)


def test_a_message_is_sent_once_however_many_tasks_deliver_it(provider):
    message = services.enqueue("test", "13800000000", "hello", {"a": 1})

    assert delivery.send(message.pk) == delivery.Outcome.SENT
    assert delivery.send(message.pk) == delivery.Outcome.SKIPPED
    assert deliver(message.pk) == "skipped"

    message.refresh_from_db()
    assert provider.calls == [message.pk]
    assert message.status == Status.SENT
    assert message.response_code == f"ok-{message.pk}"
    assert message.attempts == 1


def test_a_message_claimed_by_one_worker_is_not_sent_by_another(provider):
    message = services.enqueue("test", "x", "hello")
    Message.objects.filter(pk=message.pk).update(status=Status.SENDING, claimed_at=timezone.now())

    assert delivery.send(message.pk) == delivery.Outcome.SKIPPED
    assert provider.calls == []


def test_a_failing_provider_is_retried_with_a_doubling_delay_then_marked_failed(provider):
    provider.failures = 99
    message = services.enqueue("test", "x", "hello")

    assert delivery.send(message.pk) == delivery.Outcome.RETRY
    message.refresh_from_db()
    assert message.status == Status.PENDING
    first_wait = message.next_attempt_at - timezone.now()
    assert datetime.timedelta(seconds=8) < first_wait <= datetime.timedelta(seconds=10)
    assert "provider unreachable" in message.last_error

    # Not due yet: nobody sends it early.
    assert delivery.send(message.pk) == delivery.Outcome.SKIPPED
    assert delivery.send(message.pk, now=later(11)) == delivery.Outcome.RETRY
    message.refresh_from_db()
    assert message.next_attempt_at - later(11) > datetime.timedelta(seconds=19)

    assert delivery.send(message.pk, now=later(40)) == delivery.Outcome.FAILED
    message.refresh_from_db()
    assert (message.status, message.attempts, len(provider.calls)) == (Status.FAILED, 3, 3)


def test_a_permanent_refusal_is_not_retried(provider):
    provider.failures, provider.error = 1, channels.Permanent
    message = services.enqueue("test", "x", "hello")

    assert delivery.send(message.pk) == delivery.Outcome.FAILED
    assert Message.objects.get(pk=message.pk).attempts == 1


def test_a_skipped_message_is_cancelled_not_failed(provider):
    def opted_out(message):
        raise channels.Skip("the resident stopped the messages")

    channels.register("test", opted_out)
    message = services.enqueue("test", "x", "hello")

    assert delivery.send(message.pk) == delivery.Outcome.CANCELLED
    assert Message.objects.get(pk=message.pk).status == Status.CANCELLED


def test_a_message_on_a_channel_nobody_registered_fails_and_is_kept(settings):
    settings.CITYMGMT_OUTBOX_MAX_ATTEMPTS = 1
    message = services.enqueue("nowhere", "x", "hello")

    assert delivery.send(message.pk) == delivery.Outcome.FAILED
    assert "no sender" in Message.objects.get(pk=message.pk).last_error


def test_messages_with_one_key_go_in_order_and_wait_for_a_failed_one(provider):
    provider.failures = 1
    first = services.enqueue("test", "x", "accept", key="order:1")
    second = services.enqueue("test", "x", "reply", key="order:1")
    other = services.enqueue("test", "x", "accept", key="order:2")

    assert delivery.send(second.pk) == delivery.Outcome.WAITING
    assert delivery.send(first.pk) == delivery.Outcome.RETRY
    assert delivery.send(second.pk, now=later(60)) == delivery.Outcome.WAITING
    assert delivery.send(other.pk) == delivery.Outcome.SENT  # another key is not held back

    assert delivery.send(first.pk, now=later(60)) == delivery.Outcome.SENT
    assert delivery.next_in_key(first.pk) == second.pk
    assert delivery.send(second.pk, now=later(60)) == delivery.Outcome.SENT
    assert provider.calls == [first.pk, other.pk, first.pk, second.pk]


def test_cancelling_a_failed_message_lets_its_key_go_on(provider, settings):
    settings.CITYMGMT_OUTBOX_MAX_ATTEMPTS = 1
    provider.failures = 1
    first = services.enqueue("test", "x", "accept", key="order:1")
    second = services.enqueue("test", "x", "reply", key="order:1")
    assert delivery.send(first.pk) == delivery.Outcome.FAILED
    assert delivery.send(second.pk) == delivery.Outcome.WAITING

    assert services.cancel([first.pk]) == 1
    assert delivery.send(second.pk) == delivery.Outcome.SENT


def test_send_again_puts_a_failed_message_back_with_fresh_attempts(provider, settings):
    settings.CITYMGMT_OUTBOX_MAX_ATTEMPTS = 1
    provider.failures = 1
    message = services.enqueue("test", "x", "hello")
    assert delivery.send(message.pk) == delivery.Outcome.FAILED

    assert services.send_again([message.pk, message.pk]) == 1
    assert delivery.send(message.pk) == delivery.Outcome.SENT
    assert Message.objects.get(pk=message.pk).attempts == 1


def test_the_same_dedupe_key_writes_one_message(provider):
    first = services.enqueue("test", "x", "hello", dedupe_key="event:7:sms")
    again = services.enqueue("test", "x", "hello", dedupe_key="event:7:sms")

    assert first.pk == again.pk
    assert Message.objects.count() == 1


def test_a_message_whose_task_was_lost_is_found_by_the_sweep(provider):
    message = services.enqueue("test", "x", "hello")  # its on-commit task never ran
    assert delivery.stranded() == []  # too fresh: its task may still come

    assert delivery.stranded(now=later(120)) == [message.pk]


def test_a_message_held_by_a_dead_worker_is_handed_out_again(provider):
    message = services.enqueue("test", "x", "hello")
    Message.objects.filter(pk=message.pk).update(
        status=Status.SENDING, claimed_at=timezone.now() - datetime.timedelta(minutes=11)
    )

    assert delivery.stranded(now=later(120)) == [message.pk]
    assert Message.objects.get(pk=message.pk).status == Status.PENDING


def test_the_sweep_leaves_a_message_waiting_for_its_key_alone(provider, settings):
    settings.CITYMGMT_OUTBOX_MAX_ATTEMPTS = 1
    provider.failures = 1
    first = services.enqueue("test", "x", "accept", key="order:1")
    services.enqueue("test", "x", "reply", key="order:1")
    delivery.send(first.pk)

    assert delivery.stranded(now=later(120)) == []


def test_the_sweep_task_publishes_each_stranded_message(provider, monkeypatch):
    published = []
    monkeypatch.setattr("outbox.tasks.publish", lambda task, pk: published.append(pk))
    message = services.enqueue("test", "x", "hello")
    Message.objects.filter(pk=message.pk).update(
        next_attempt_at=timezone.now() - datetime.timedelta(minutes=5)
    )

    assert deliver_stranded() == 1
    assert published == [message.pk]


def test_a_message_written_in_a_rolled_back_transaction_is_never_sent(
    provider, django_capture_on_commit_callbacks
):
    from django.db import transaction

    with django_capture_on_commit_callbacks() as callbacks:
        try:
            with transaction.atomic():
                services.enqueue("test", "x", "hello")
                raise RuntimeError("the change failed")
        except RuntimeError:
            pass

    assert callbacks == []
    assert Message.objects.count() == 0
