"""One row per message to an outside system. The row is the message: the delivery task only
carries its id, so a lost task, a dead broker or a dead worker delays a message, never loses it."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


# A message with a key waits for every earlier message with the same key in these states.
UNFINISHED = (Status.PENDING, Status.SENDING, Status.FAILED)


class Message(models.Model):
    channel = models.CharField(_("channel"), max_length=30)
    kind = models.CharField(_("kind"), max_length=60)
    # Who or where: a phone number, an e-mail address, an endpoint's id.
    target = models.CharField(_("sent to"), max_length=254)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    # Messages with the same non-empty key are delivered one after the other, in id order
    # (one hotline order's write-backs, one webhook endpoint's events).
    key = models.CharField(_("order key"), max_length=120, blank=True, default="")
    # What the message is about, for the delivery logs (e.g. "ticket:42").
    ref = models.CharField(_("about"), max_length=60, blank=True, default="")
    # Writing the same message twice (a retried transaction, a repeated inbound call) is a no-op.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # The outside system's answer to the last attempt: an HTTP status, a provider's message id.
    response_code = models.CharField(_("response"), max_length=40, blank=True, default="")
    last_error = models.TextField(_("last error"), blank=True, default="")

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        ordering = ["-id"]
        indexes = [
            # The sweep: due messages no task is working on.
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_due",
                condition=Q(status__in=["pending", "sending"]),
            ),
            # "Is an earlier message of this key unfinished?"
            models.Index(
                fields=["key", "id"],
                name="outbox_unfinished_key",
                condition=Q(status__in=["pending", "sending", "failed"]) & ~Q(key=""),
            ),
            models.Index(fields=["ref", "-id"], name="outbox_ref"),
            models.Index(fields=["channel", "target", "created_at"], name="outbox_target"),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.kind} → {self.target}"
