"""What was erased and when: one row per ticket whose reporter's contact details are gone, and
one row per run of the retention job.

``cases.Ticket`` keeps no trace of its own: the erasure lives here, so casework tables stay the
casework issue's and the question "whose data did we remove, why, when" has one answer.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ErasureReason(models.TextChoices):
    RETENTION = "retention", _("Retention period over")
    REQUEST = "request", _("Reporter's request")


class RetentionRun(models.Model):
    """One run of ``privacy.services.anonymise_expired_contacts``. A row with no
    ``finished_at`` is a run still going or one that was stopped; its counts say how far it got
    (each batch commits on its own, and the next run carries on)."""

    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    retention_months = models.PositiveSmallIntegerField(_("retention period (months)"))
    cutoff = models.DateTimeField(
        _("closed before"), help_text=_("Tickets closed or rejected before this were due.")
    )
    batches = models.PositiveIntegerField(_("batches"), default=0)
    tickets_anonymised = models.PositiveIntegerField(_("tickets anonymised"), default=0)
    originals_removed = models.PositiveIntegerField(_("original photos removed"), default=0)

    class Meta:
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M}"


class ErasedContact(models.Model):
    """A ticket whose reporter name and phone were blanked: by the retention job (its original
    photos removed too, thumbnails kept) or at the reporter's request (name and phone only; the
    job removes the originals when the ticket's time comes)."""

    ticket = models.OneToOneField(
        "cases.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        related_name="erased_contact",
    )
    erased_at = models.DateTimeField(_("erased at"), default=timezone.now)
    reason = models.CharField(_("reason"), max_length=10, choices=ErasureReason.choices)
    originals_removed_at = models.DateTimeField(
        _("original photos removed at"), null=True, blank=True
    )
    run = models.ForeignKey(
        RetentionRun,
        verbose_name=_("retention run"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="erasures",
    )

    class Meta:
        verbose_name = _("erased contact")
        verbose_name_plural = _("erased contacts")
        ordering = ["-erased_at", "-id"]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.reason}"
