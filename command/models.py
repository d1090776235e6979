"""Governance tasks (源头治理): a hotspot, a grid cell where one category of problem keeps coming
back, turned into a ticket of its own that is referred to the unit able to remove the cause,
with the recurring tickets it answers for linked to it.

The task *is* a ticket (source ``governance``), so it runs the usual workflow, clock and
assessment; this row only remembers where it came from and which tickets it answers for.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class GovernanceEvent(models.TextChoices):
    """The ``TicketEvent.action`` codes this app records (registered through ``cases.hooks``)."""

    OPENED = "governance_open", pgettext_lazy("ticket event", "Source governance task opened")
    LINKED = "governance_link", pgettext_lazy("ticket event", "Linked to a governance task")


class GovernanceTask(models.Model):
    ticket = models.OneToOneField(
        "cases.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.PROTECT,
        related_name="governance_task",
    )
    grid_cell = models.ForeignKey(
        "grids.GridCell", verbose_name=_("unit grid"), on_delete=models.PROTECT, related_name="+"
    )
    category = models.ForeignKey(
        "cases.Category", verbose_name=_("category"), on_delete=models.PROTECT, related_name="+"
    )
    recurring = models.ManyToManyField(
        "cases.Ticket",
        verbose_name=_("recurring tickets"),
        related_name="governance_tasks",
        blank=True,
    )
    # The hotspot as it stood when the task was opened: the number the supervisor acted on.
    window_days = models.PositiveSmallIntegerField(_("window (days)"))
    recurring_count = models.PositiveIntegerField(_("tickets in the window"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)

    class Meta:
        verbose_name = _("governance task")
        verbose_name_plural = _("governance tasks")
        ordering = ["-opened_at"]
        indexes = [
            models.Index(fields=["grid_cell", "category"], name="governance_hotspot"),
        ]

    def __str__(self) -> str:
        return str(self.ticket_id)
