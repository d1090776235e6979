"""What the operations page shows that the casework does not: the scheduled tasks' last runs.
Moved from ``cases``; the table kept its name (``cases_taskrun``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskRun(models.Model):
    """The last run of one scheduled task as the workers saw it (beat records only when it
    sent a task): when it started and finished, and what it returned or raised. Shown to
    assessors on the operations page."""

    task = models.CharField(_("task"), max_length=200, unique=True)
    started_at = models.DateTimeField(_("last started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("last finished"), null=True, blank=True)
    succeeded = models.BooleanField(_("succeeded"), null=True)
    result = models.CharField(_("result"), max_length=300, blank=True)
    runs = models.PositiveIntegerField(_("runs"), default=0)
    failures = models.PositiveIntegerField(_("failures"), default=0)

    class Meta:
        db_table = "cases_taskrun"  # moved from cases; the table kept its name
        verbose_name = _("task run")
        verbose_name_plural = _("task runs")

    def __str__(self) -> str:
        return self.task
