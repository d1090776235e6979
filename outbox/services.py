"""Writing messages into the outbox. Call :func:`enqueue` inside the transaction that makes the
change the message reports: if the change rolls back, so does the message, and the delivery task
is published only once it commits."""

from typing import Any

from django.db import IntegrityError, transaction

from citymgmt.queue import enqueue as publish_on_commit
from outbox.models import Message, Status


def enqueue(
    channel: str,
    target: str,
    kind: str,
    payload: dict[str, Any] | None = None,
    *,
    key: str = "",
    ref: str = "",
    dedupe_key: str | None = None,
) -> Message:
    """One message to deliver. With ``dedupe_key``, a second call with the same key returns the
    first message and queues nothing (a retried request, a replayed inbound call)."""
    if dedupe_key:
        existing = Message.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
    fields = dict(
        channel=channel,
        target=target,
        kind=kind,
        payload=payload or {},
        key=key,
        ref=ref,
        dedupe_key=dedupe_key or None,
    )
    try:
        with transaction.atomic():
            message = Message.objects.create(**fields)
    except IntegrityError:
        if not dedupe_key:
            raise
        return Message.objects.get(dedupe_key=dedupe_key)
    from outbox import tasks

    publish_on_commit(tasks.deliver, message.pk)
    return message


def send_again(message_ids: list[int]) -> int:
    """An admin's "send again": failed, cancelled or sent messages go back to the queue with
    their attempts counted from zero. Returns how many were queued."""
    from django.utils import timezone

    from outbox import tasks

    ids = list(
        Message.objects.filter(pk__in=message_ids)
        .exclude(status__in=[Status.PENDING, Status.SENDING])
        .values_list("pk", flat=True)
    )
    Message.objects.filter(pk__in=ids).update(
        status=Status.PENDING,
        attempts=0,
        next_attempt_at=timezone.now(),
        claimed_at=None,
        last_error="",
    )
    for pk in ids:
        publish_on_commit(tasks.deliver, pk)
    return len(ids)


def cancel(message_ids: list[int]) -> int:
    """An admin's "cancel": messages not yet sent are dropped; a key's later messages go on."""
    from outbox import tasks

    rows = Message.objects.filter(pk__in=message_ids, status__in=[Status.PENDING, Status.FAILED])
    keys = set(rows.exclude(key="").values_list("key", flat=True))
    count = rows.update(status=Status.CANCELLED)
    for key in keys:
        following = (
            Message.objects.filter(key=key, status=Status.PENDING)
            .order_by("pk")
            .values_list("pk", flat=True)
            .first()
        )
        if following:
            publish_on_commit(tasks.deliver, following)
    return count
