"""Celery tasks of the outbox: thin, they take ids and call ``outbox.delivery``. Safe to run
twice or in two workers at once."""

from celery import shared_task

from citymgmt.queue import publish, publish_later
from outbox import delivery


@shared_task(
    name="outbox.deliver",
    ignore_result=True,
    acks_late=True,
    soft_time_limit=60,
    time_limit=90,
)
def deliver(message_id: int) -> str:
    """Send one message; on a failure publish the next attempt after its delay, and once it is
    done let the next message of its key go."""
    outcome = delivery.send(message_id)
    if outcome == delivery.Outcome.RETRY:
        publish_later(delivery.delay_of(message_id), deliver, message_id)
    elif outcome in (delivery.Outcome.SENT, delivery.Outcome.CANCELLED):
        following = delivery.next_in_key(message_id)
        if following:
            publish(deliver, following)
    return str(outcome)


@shared_task(name="outbox.deliver_stranded", ignore_result=True, acks_late=True)
def deliver_stranded() -> int:
    """Every minute (beat): publish again messages whose task was lost (a broker that was down,
    a worker that died, a retry whose countdown was dropped)."""
    ids = delivery.stranded()
    for message_id in ids:
        publish(deliver, message_id)
    return len(ids)
