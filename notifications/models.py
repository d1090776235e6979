"""Who hears of what: the in-app notifications (the bell and the inbox, e-mailed too where
asked) and the deadline reminders already sent. Moved from ``cases``; the tables kept their
names (``cases_notification``, ``cases_deadlinereminder``)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Action, Ticket


class NoticeKind(models.TextChoices):
    """What a notification is about when no ticket event caused it (the Celery scans)."""

    DUE_SOON = "due_soon", _("Deadline near")
    OVERDUE = "overdue", _("Overdue")
    ESCALATED = "escalated", _("Overdue: escalated")
    # The desk steps' clocks (``cases.step_clocks``): their supervisors are told.
    REGISTER_DUE_SOON = "register_due_soon", _("Registration due soon")
    REGISTER_OVERDUE = "register_overdue", _("Registration overdue")
    DISPATCH_DUE_SOON = "dispatch_due_soon", _("Dispatch due soon")
    DISPATCH_OVERDUE = "dispatch_overdue", _("Dispatch overdue")
    VERIFY_DUE_SOON = "verify_due_soon", _("Verification due soon")
    VERIFY_OVERDUE = "verify_overdue", _("Verification overdue")
    MISSING_LOG = "missing_log", _("Daily log not submitted")
    MISSING_LOGS = "missing_logs", _("Officers without a daily log")
    WEBHOOK_DISABLED = "webhook_disabled", _("Webhook switched off")


# The kinds of step a ``DeadlineReminder`` records: the disposal deadline's three and the
# desk steps' two each (``deadline`` is then that step's due time).
REMINDER_KINDS = (
    NoticeKind.DUE_SOON,
    NoticeKind.OVERDUE,
    NoticeKind.ESCALATED,
    NoticeKind.REGISTER_DUE_SOON,
    NoticeKind.REGISTER_OVERDUE,
    NoticeKind.DISPATCH_DUE_SOON,
    NoticeKind.DISPATCH_OVERDUE,
    NoticeKind.VERIFY_DUE_SOON,
    NoticeKind.VERIFY_OVERDUE,
)


class EmailStatus(models.TextChoices):
    NONE = "", _("Not e-mailed")
    PENDING = "pending", _("Waiting to be e-mailed")
    SENDING = "sending", _("Being e-mailed")
    SENT = "sent", _("E-mailed")
    FAILED = "failed", _("E-mail failed")


class Notification(models.Model):
    """An in-app message about a ticket (the bell and the inbox), e-mailed too where the
    recipient asked for it and the site has an e-mail server."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=30)
    message = models.CharField(_("message"), max_length=300)
    # Where the notification leads when it is not about one ticket (a path on this site).
    link = models.CharField(_("link"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    email_status = models.CharField(
        _("e-mail"), max_length=10, choices=EmailStatus.choices, blank=True, default=""
    )
    email_attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    # Set when a delivery task takes the e-mail (status "sending"), so a worker that dies while
    # sending leaves a row the sweep can hand out again.
    email_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        db_table = "cases_notification"  # moved from cases; the table kept its name
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            models.Index(
                fields=["recipient"],
                name="notification_unread",
                condition=Q(read_at__isnull=True),
            ),
            # The delivery sweep picks up e-mails whose task never ran (broker down).
            models.Index(
                fields=["created_at"],
                name="notification_email_pending",
                condition=Q(email_status__in=["pending", "sending"]),
            ),
        ]

    def __str__(self) -> str:
        return self.message

    @property
    def kind_label(self) -> str:
        """What happened, in the reader's language (the kind is a ticket action)."""
        for choices in (Action, NoticeKind):
            try:
                return str(choices(self.kind).label)
            except ValueError:
                continue
        return self.kind


class DeadlineReminder(models.Model):
    """One reminder step sent for one deadline of one ticket. The unique row is what makes the
    scan idempotent: it is written in the same transaction as the notifications, so retries, a
    second beat or a re-run find it and send nothing; a new deadline (an approved extension, a
    rework) gets its own steps."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=[(k.value, k.label) for k in REMINDER_KINDS],
    )
    deadline = models.DateTimeField(_("deadline"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    recipients = models.PositiveSmallIntegerField(_("people notified"), default=0)

    class Meta:
        db_table = "cases_deadlinereminder"  # moved from cases; the table kept its name
        verbose_name = _("deadline reminder")
        verbose_name_plural = _("deadline reminders")
        # The operations page counts today's reminders.
        indexes = [models.Index(fields=["sent_at"], name="reminder_sent_at")]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "kind", "deadline"], name="reminder_once_per_deadline"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.deadline:%Y-%m-%d %H:%M}"
