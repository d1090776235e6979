"""E-mail delivery of notifications (the in-app row is written first and always).

A delivery task claims its notification (``pending`` → ``sending``) with one conditional UPDATE,
so two tasks for the same row (a retry and the sweep, two workers) never both send it. A failure
puts the row back to ``pending`` with one more attempt counted; after
``CITYMGMT_EMAIL_MAX_RETRIES`` it is ``failed`` for good and the in-app notification stands.
A worker killed while sending leaves ``sending``: the sweep hands such rows out again after
``STALE_CLAIM`` (the mail may then go twice; it is never lost).
"""

import datetime
import enum
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notifications.models import EmailStatus, Notification

logger = logging.getLogger(__name__)

STALE_CLAIM = datetime.timedelta(minutes=15)
# The sweep leaves fresh rows to the task queued on commit.
SWEEP_AFTER = datetime.timedelta(minutes=2)


class Outcome(enum.StrEnum):
    SENT = "sent"
    SKIPPED = "skipped"  # not pending (sent already, or taken by another task)
    RETRY = "retry"
    FAILED = "failed"


def _claim(notification_id: int) -> bool:
    now = timezone.now()
    return bool(
        Notification.objects.filter(pk=notification_id, email_status=EmailStatus.PENDING).update(
            email_status=EmailStatus.SENDING, email_claimed_at=now
        )
    )


def _site_url() -> str:
    return settings.SITE_URL or ""


def compose(note: Notification) -> tuple[str, str]:
    """Subject and body, in the site's language."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = f"{settings.EMAIL_SUBJECT_PREFIX}{note.kind_label}"
        if note.ticket_id:
            subject += f" · {note.ticket.number}"
        lines = [note.message] if note.message else []
        lines.append(
            _("Open it: %(url)s")
            % {"url": _site_url() + reverse("notifications:open_notification", args=[note.pk])}
        )
        lines += ["", _("You can turn these e-mails off on your notification settings page.")]
    return subject, "\n".join(lines)


def send(notification_id: int) -> Outcome:
    """Try to e-mail one notification once. Never raises for a mail failure."""
    if not _claim(notification_id):
        return Outcome.SKIPPED
    note = Notification.objects.select_related("recipient", "ticket").get(pk=notification_id)
    person = note.recipient
    if not (person.email and person.email_notifications and person.is_active):
        # The preference changed since it was queued: nothing to send.
        Notification.objects.filter(pk=note.pk).update(email_status=EmailStatus.NONE)
        return Outcome.SKIPPED
    subject, body = compose(note)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [person.email])
    except Exception as exc:  # smtplib, sockets, TLS: any failure counts as an attempt
        attempts = note.email_attempts + 1
        given_up = attempts >= settings.CITYMGMT_EMAIL_MAX_RETRIES
        Notification.objects.filter(pk=note.pk).update(
            email_status=EmailStatus.FAILED if given_up else EmailStatus.PENDING,
            email_attempts=attempts,
        )
        log = logger.error if given_up else logger.warning
        log(
            "E-mail of notification %s to user %s failed (attempt %s%s): %s",
            note.pk,
            person.pk,
            attempts,
            ", giving up" if given_up else "",
            exc,
        )
        return Outcome.FAILED if given_up else Outcome.RETRY
    Notification.objects.filter(pk=note.pk).update(
        email_status=EmailStatus.SENT,
        emailed_at=timezone.now(),
        email_attempts=F("email_attempts") + 1,
    )
    return Outcome.SENT


def retry_delay(notification_id: int) -> int:
    """Seconds before the next attempt: doubling from CITYMGMT_EMAIL_RETRY_SECONDS."""
    attempts = (
        Notification.objects.filter(pk=notification_id)
        .values_list("email_attempts", flat=True)
        .first()
        or 1
    )
    return settings.CITYMGMT_EMAIL_RETRY_SECONDS * 2 ** max(attempts - 1, 0)


def stranded(now: datetime.datetime | None = None) -> list[int]:
    """E-mails no task is working on: pending and never tried for a while (the task was never
    queued: broker down), pending after a failure for longer than any retry waits (the retry
    was lost), or claimed by a worker that died. The claim makes a double delivery impossible
    when a task turns up after all."""
    now = now or timezone.now()
    old = now - STALE_CLAIM
    never_tried = Q(email_claimed_at__isnull=True, created_at__lt=now - SWEEP_AFTER)
    pending = Q(email_status=EmailStatus.PENDING) & (never_tried | Q(email_claimed_at__lt=old))
    rows = Notification.objects.filter(
        pending | Q(email_status=EmailStatus.SENDING, email_claimed_at__lt=old)
    )
    ids = list(rows.order_by("created_at").values_list("pk", flat=True)[:500])
    Notification.objects.filter(pk__in=ids, email_status=EmailStatus.SENDING).update(
        email_status=EmailStatus.PENDING
    )
    return ids
