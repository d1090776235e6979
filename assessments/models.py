"""The monthly assessment (综合评价): schemes of weights, runs for a month, scores per subject, and
the survey sheets (调查表) that streets, communities and shops fill in by one-time links."""

import datetime
import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from assessments.scheme import default_questions, default_rules


class Scheme(models.Model):
    """Indicator weights, the hotline table, grade thresholds and the survey's share.

    ``rules`` has the shape of ``scheme.default_rules()``. A run copies the rules it used, so
    editing a scheme never changes a month already computed; the history keeps who changed what.
    """

    name = models.CharField(_("name"), max_length=80)
    rules = models.JSONField(_("rules"), default=default_rules)
    is_current = models.BooleanField(
        _("current"), default=False, help_text=_("The scheme new runs use.")
    )
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(
        verbose_name=_("scheme history"), verbose_name_plural=_("scheme history")
    )

    class Meta:
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")
        ordering = ["-is_current", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="one_current_scheme"
            )
        ]

    def __str__(self) -> str:
        return self.name


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


# A run queued this long ago that no worker has picked up lost its task (a broker that was down):
# the page offers to start it again, and starting it queues it anew.
QUEUED_STALE_AFTER = datetime.timedelta(minutes=10)
IN_HAND = (RunStatus.QUEUED, RunStatus.RUNNING)


def running_stale_after() -> datetime.timedelta:
    """A running run whose task has not beaten its heart for this long lost its worker (killed,
    out of memory, the machine gone): it is shown as interrupted and can be started again. The
    task beats every third of it (``assessments.services.heartbeat``)."""
    return datetime.timedelta(seconds=settings.CITYMGMT_ASSESSMENT_STALE_SECONDS)


class Run(models.Model):
    """One computation of one month. Re-running an unpublished run replaces its scores in one
    transaction; a published run is frozen (a new run is needed, and this one stays readable)."""

    month = models.DateField(_("month"), help_text=_("The first day of the month assessed."))
    scheme = models.ForeignKey(
        Scheme, verbose_name=_("scheme"), on_delete=models.PROTECT, related_name="runs"
    )
    scheme_snapshot = models.JSONField(_("rules used"), default=dict, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    progress_note = models.CharField(_("step"), max_length=120, blank=True)
    error = models.TextField(_("error"), blank=True)
    # City totals for the month's overview (found, fixed on site, resident reports, …).
    totals = models.JSONField(_("totals"), default=dict, editable=False)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the schedule started it."),
    )
    task_id = models.CharField(max_length=50, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # When the running task last said it was alive (it beats while it computes).
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    published = models.BooleanField(_("published"), default=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("assessment run")
        verbose_name_plural = _("assessment runs")
        ordering = ["-month", "-created_at"]
        indexes = [models.Index(fields=["month", "published"], name="run_month_published")]
        constraints = [
            # A month has at most one run still open to re-running.
            models.UniqueConstraint(
                fields=["month"], condition=Q(published=False), name="one_open_run_a_month"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="run_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} #{self.pk}"

    @property
    def has_scores(self) -> bool:
        """Scores are stored (a re-run in hand or failed keeps the last good ones readable)."""
        return self.finished_at is not None and self.status != RunStatus.FAILED

    @property
    def in_hand(self) -> bool:
        """Queued or running, and not given up for lost."""
        return self.status in IN_HAND and not self.is_stale

    @property
    def is_stale(self) -> bool:
        """Its task was lost: queued and never picked up, or running with no heartbeat for
        ``running_stale_after()`` (the worker died)."""
        now = timezone.now()
        if self.status == RunStatus.QUEUED:
            return now - self.created_at >= QUEUED_STALE_AFTER
        if self.status == RunStatus.RUNNING:
            alive = self.heartbeat_at or self.started_at or self.created_at
            return now - alive >= running_stale_after()
        return False


class SubjectKind(models.TextChoices):
    OFFICER = "officer", _("Officer")
    BRIGADE = "brigade", _("Brigade")
    DEPARTMENT = "department", _("Responsible unit")
    COMMUNITY = "community", _("Community")
    STREET = "street", _("Street")
    DISTRICT = "district", _("District")


class Score(models.Model):
    """One subject's result in a run: each indicator's numerator, denominator, rate and points
    (in ``indicators``), the composite, grade, rank among its kind and change since last month.

    ``indicators`` maps an indicator code (``scheme.INDICATORS``) to
    ``{"num": int, "den": int, "rate": float | None, "points": float | None, "weight": float}``;
    ``rate`` and ``points`` are None when the denominator is zero ("n/a"), and ``weight`` is the
    weight actually applied after the missing ones were redistributed.
    """

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="scores")
    kind = models.CharField(_("subject type"), max_length=12, choices=SubjectKind.choices)
    officer = models.ForeignKey(
        "accounts.Officer", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unit = models.ForeignKey(
        "accounts.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The brigade or the responsible unit."),
    )
    community = models.ForeignKey(
        "grids.Community", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    street = models.ForeignKey(
        "grids.Street", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    district = models.ForeignKey(
        "grids.District", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The officer's brigade during the month (an officer's row), for scoping and grouping.
    brigade = models.ForeignKey(
        "accounts.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=120)  # as it was that month
    indicators = models.JSONField(_("indicators"), default=dict)
    composite = models.DecimalField(
        _("composite"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    grade = models.CharField(_("grade"), max_length=1, blank=True)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    previous_composite = models.DecimalField(
        _("last month"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    change = models.DecimalField(_("change"), max_digits=6, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["run", "kind", "rank", "name"]
        indexes = [
            models.Index(fields=["run", "kind", "rank"], name="score_run_kind_rank"),
            models.Index(fields=["officer", "run"], name="score_officer_run"),
            models.Index(fields=["unit", "run"], name="score_unit_run"),
            models.Index(fields=["run", "brigade", "kind"], name="score_run_brigade"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(grade__in=["", "A", "B", "C", "D", "E"]), name="score_grade_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.run} {self.get_kind_display()} {self.name}"


class RespondentKind(models.TextChoices):
    STREET = "street", _("Street office")
    COMMUNITY = "community", _("Community")
    SHOP = "shop", _("Shop")


class Survey(models.Model):
    """A survey sheet (调查表) for a month: streets, communities and shops rate a brigade on a
    few questions (1–5 each) through one-time links. Answers feed the brigade's composite."""

    month = models.DateField(_("month"), help_text=_("The first day of the month assessed."))
    title = models.CharField(_("title"), max_length=120)
    questions = models.JSONField(
        _("questions"), default=default_questions, help_text=_("Rated 1 to 5 each.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    closes_at = models.DateTimeField(_("closes at"))

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-month", "-created_at"]
        indexes = [models.Index(fields=["month"], name="survey_month")]
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="survey_month_first_day")
        ]

    def __str__(self) -> str:
        return self.title


def new_survey_token() -> str:
    # 128 bits, URL-safe: a link is the only credential a respondent has.
    return secrets.token_urlsafe(16)


class SurveyLink(models.Model):
    """One respondent's one-time link: it rates one brigade, expires, and is used once."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="links")
    token = models.CharField(max_length=32, unique=True, default=new_survey_token, editable=False)
    brigade = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("brigade rated"),
        on_delete=models.PROTECT,
        related_name="survey_links",
    )
    respondent_kind = models.CharField(
        _("respondent"), max_length=10, choices=RespondentKind.choices
    )
    respondent_name = models.CharField(_("respondent's name"), max_length=120)
    street = models.ForeignKey(
        "grids.Street", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    community = models.ForeignKey(
        "grids.Community", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    merchant = models.ForeignKey(
        "shops.Merchant", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # A link is a credential: who handed it out is part of the record.
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("survey link")
        verbose_name_plural = _("survey links")
        ordering = ["survey", "brigade", "respondent_kind", "respondent_name"]
        indexes = [models.Index(fields=["survey", "brigade"], name="surveylink_survey_brigade")]

    def __str__(self) -> str:
        return f"{self.survey} · {self.respondent_name}"


class SurveyResponse(models.Model):
    """The answers given through one link: ``answers`` holds one 1–5 rating per question, and
    ``score`` their mean on a 0–100 scale (rating × 20), which the assessment averages in SQL."""

    link = models.OneToOneField(SurveyLink, on_delete=models.CASCADE, related_name="response")
    answers = models.JSONField(_("answers"))
    score = models.DecimalField(
        _("score"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    comment = models.TextField(_("comment"), max_length=1000, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["-submitted_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=100), name="surveyresponse_score_range"
            )
        ]

    def __str__(self) -> str:
        return str(self.link)
