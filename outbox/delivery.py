"""Delivering outbox messages: at most one worker sends a message at a time, failures are
retried with a doubling delay, and messages sharing a key go out in order.

- **Claim.** A task takes its message with one conditional UPDATE (``pending`` and due →
  ``sending``) that also checks no earlier message of the same key is unfinished. Two tasks for
  one message (a retry and the sweep, two workers) never both send it.
- **Failure.** The message goes back to ``pending`` with ``next_attempt_at`` pushed out
  (``retry_seconds × 2^(attempts-1)``, capped at ``MAX_DELAY``); after the channel's maximum
  attempts, or at once for :class:`~outbox.channels.Permanent`, it is ``failed``, where it stays
  (and holds back its key's later messages) until an admin sends it again or cancels it.
- **Lost work.** A task never published (broker down) or a retry lost is found by
  :func:`stranded`, run every minute by beat. A worker killed while sending leaves ``sending``;
  after ``STALE_CLAIM`` the sweep hands the message out again, so in that one case a message may
  go twice: receivers get a stable message id (``outbox:<id>``) to discard the repeat.
"""

import datetime
import enum
import logging

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from outbox import channels
from outbox.models import UNFINISHED, Message, Status

logger = logging.getLogger(__name__)

STALE_CLAIM = datetime.timedelta(minutes=10)
# The sweep leaves freshly due rows to the task published on commit or with a countdown.
SWEEP_AFTER = datetime.timedelta(seconds=60)
MAX_DELAY = datetime.timedelta(hours=6)


class Outcome(enum.StrEnum):
    SENT = "sent"
    SKIPPED = "skipped"  # not pending, not due, or taken by another task
    WAITING = "waiting"  # an earlier message of its key is not done
    RETRY = "retry"
    FAILED = "failed"
    CANCELLED = "cancelled"


def message_id(message: Message) -> str:
    """The id an outside system sees: the same on every attempt."""
    return f"outbox:{message.pk}"


def _earlier_unfinished() -> Exists:
    return Exists(
        Message.objects.filter(
            key=OuterRef("key"), pk__lt=OuterRef("pk"), status__in=UNFINISHED
        ).exclude(key="")
    )


def _claim(pk: int, now: datetime.datetime) -> bool:
    return bool(
        Message.objects.filter(pk=pk, status=Status.PENDING, next_attempt_at__lte=now)
        .exclude(_earlier_unfinished())
        .update(status=Status.SENDING, claimed_at=now)
    )


def _why_not(pk: int) -> Outcome:
    row = Message.objects.filter(pk=pk).annotate(blocked=_earlier_unfinished()).first()
    if row is not None and row.status == Status.PENDING and row.blocked:
        return Outcome.WAITING
    return Outcome.SKIPPED


def retry_delay(channel: channels.Channel | None, attempts: int) -> datetime.timedelta:
    base = (channel and channel.retry_seconds) or settings.CITYMGMT_OUTBOX_RETRY_SECONDS
    return min(datetime.timedelta(seconds=base * 2 ** max(attempts - 1, 0)), MAX_DELAY)


def max_attempts(channel: channels.Channel | None) -> int:
    return (channel and channel.max_attempts) or settings.CITYMGMT_OUTBOX_MAX_ATTEMPTS


def send(pk: int, now: datetime.datetime | None = None) -> Outcome:
    """Try to deliver one message once. Never raises for a delivery failure."""
    now = now or timezone.now()
    if not _claim(pk, now):
        return _why_not(pk)
    message = Message.objects.get(pk=pk)
    channel = channels.get(message.channel)
    attempts = message.attempts + 1
    try:
        if channel is None:
            raise RuntimeError(f"no sender for channel {message.channel!r}")
        answer = channel.send(message)
    except channels.Skip as exc:
        Message.objects.filter(pk=pk).update(
            status=Status.CANCELLED, last_error=str(exc)[:2000], claimed_at=None
        )
        return Outcome.CANCELLED
    except Exception as exc:  # a provider's SDK, sockets, TLS, HTTP: all count as an attempt
        given_up = isinstance(exc, channels.Permanent) or attempts >= max_attempts(channel)
        Message.objects.filter(pk=pk).update(
            status=Status.FAILED if given_up else Status.PENDING,
            attempts=attempts,
            claimed_at=None,
            next_attempt_at=now + retry_delay(channel, attempts),
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            response_code=str(getattr(exc, "response_code", ""))[:40],
        )
        (logger.error if given_up else logger.warning)(
            "Outbox message %s (%s:%s) failed, attempt %s%s: %s",
            pk,
            message.channel,
            message.kind,
            attempts,
            ", giving up" if given_up else "",
            exc,
        )
        return Outcome.FAILED if given_up else Outcome.RETRY
    Message.objects.filter(pk=pk).update(
        status=Status.SENT,
        attempts=attempts,
        sent_at=timezone.now(),
        claimed_at=None,
        response_code=str(answer or "")[:40],
        last_error="",
    )
    return Outcome.SENT


def next_in_key(pk: int) -> int | None:
    """The message of the same key that may go now that ``pk`` is done."""
    key = Message.objects.filter(pk=pk).values_list("key", flat=True).first()
    if not key:
        return None
    return (
        Message.objects.filter(key=key, pk__gt=pk, status=Status.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )


def delay_of(pk: int) -> float:
    """Seconds until the message is due (its retry's countdown)."""
    due = Message.objects.filter(pk=pk).values_list("next_attempt_at", flat=True).first()
    return max((due - timezone.now()).total_seconds(), 0.0) if due else 0.0


def stranded(now: datetime.datetime | None = None, limit: int = 500) -> list[int]:
    """Messages no task is working on: due for a while and not held back by their key, or
    claimed by a worker that died (handed back as ``pending``)."""
    now = now or timezone.now()
    Message.objects.filter(status=Status.SENDING, claimed_at__lt=now - STALE_CLAIM).update(
        status=Status.PENDING, claimed_at=None
    )
    due = Q(status=Status.PENDING, next_attempt_at__lt=now - SWEEP_AFTER)
    return list(
        Message.objects.filter(due)
        .exclude(_earlier_unfinished())
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
