"""Patrols: an officer's walk through their grids (session and GPS points), the one-tap tallies
of visits and publicity, the daily work log their supervisor reviews, and the leaders' weekly
street patrol whose problem list becomes tickets (the responsibility list).

Findings are tickets (``cases.Ticket`` with source ``patrol``); they are not copied here.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, FSMModelMixin, transition

from patrols import permissions


class PatrolSession(models.Model):
    """One patrol (巡查): from start to end, with the track the phone reported on the way."""

    officer = models.ForeignKey(
        "accounts.Officer",
        verbose_name=_("officer"),
        on_delete=models.PROTECT,
        related_name="patrol_sessions",
    )
    # Copied from the officer at start, so the brigade's map filters on this table alone and a
    # later transfer does not move past patrols.
    brigade = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("brigade"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    grids_visited = models.ManyToManyField(
        "grids.GridCell", verbose_name=_("unit grids visited"), related_name="+", blank=True
    )
    distance_m = models.FloatField(_("distance (m)"), default=0)
    point_count = models.PositiveIntegerField(pgettext_lazy("patrol track", "points"), default=0)
    notes = models.TextField(_("notes"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("patrol")
        verbose_name_plural = _("patrols")
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["officer", "started_at"], name="patrol_officer_started"),
            models.Index(fields=["brigade", "started_at"], name="patrol_brigade_started"),
            models.Index(fields=["started_at"], name="patrol_started"),
        ]
        constraints = [
            # "A second start resumes it": the database refuses a second open patrol outright.
            models.UniqueConstraint(
                fields=["officer"],
                condition=Q(ended_at__isnull=True),
                name="patrol_one_open_per_officer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.officer} {timezone.localtime(self.started_at):%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


class PatrolPoint(models.Model):
    """A position the browser reported during a patrol (WGS84)."""

    session = models.ForeignKey(PatrolSession, on_delete=models.CASCADE, related_name="points")
    lat = models.FloatField(_("latitude"))
    lng = models.FloatField(_("longitude"))
    accuracy_m = models.FloatField(_("accuracy (m)"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    grid_cell = models.ForeignKey(
        "grids.GridCell",
        verbose_name=_("unit grid"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("patrol point")
        verbose_name_plural = _("patrol points")
        ordering = ["recorded_at", "id"]
        indexes = [models.Index(fields=["session", "recorded_at"], name="patrol_point_track")]

    def __str__(self) -> str:
        return f"{self.lat:.6f},{self.lng:.6f}"


class OutreachKind(models.TextChoices):
    VISIT = "visit", _("Service visit")
    PUBLICITY = "publicity", _("Publicity event")


class Outreach(models.Model):
    """One tap: a service visit (走访, a contact card handed out) or a publicity event, stored as a
    row so the daily log counts them in SQL."""

    officer = models.ForeignKey(
        "accounts.Officer",
        verbose_name=_("officer"),
        on_delete=models.PROTECT,
        related_name="outreach",
    )
    session = models.ForeignKey(
        PatrolSession,
        verbose_name=_("patrol"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outreach",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=OutreachKind.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)

    class Meta:
        verbose_name = _("visit or publicity")
        verbose_name_plural = _("visits and publicity")
        ordering = ["-at"]
        indexes = [models.Index(fields=["officer", "at"], name="outreach_officer_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {timezone.localtime(self.at):%Y-%m-%d %H:%M}"


class LogStatus(models.TextChoices):
    DRAFT = "draft", _("Not submitted")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")


# Logs that count as handed in (日志完整率, the "not yet logged" list).
SUBMITTED_STATES = (LogStatus.SUBMITTED, LogStatus.APPROVED)
COUNT_FIELDS = (
    "found",
    "fixed_on_site",
    "referred",
    "resolved",
    "enforced",
    "contacts_visited",
    "publicity_events",
    "patrol_count",
    "patrol_minutes",
    "distance_m",
)


class DailyLog(FSMModelMixin, models.Model):
    """每日工作日志: one per officer per day. Counts come from the day's tickets, patrols and taps
    (fixed at submission); the text is the officer's. Submitted, it is read-only for the officer
    until the supervisor returns it with a note."""

    officer = models.ForeignKey(
        "accounts.Officer",
        verbose_name=_("officer"),
        on_delete=models.PROTECT,
        related_name="daily_logs",
    )
    brigade = models.ForeignKey(
        "accounts.Unit", verbose_name=_("brigade"), on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("date"))
    status = FSMField(
        _("status"), default=LogStatus.DRAFT, choices=LogStatus.choices, protected=True
    )
    summary = models.TextField(_("summary of the day"), max_length=4000, blank=True)
    problems = models.TextField(_("problems needing coordination"), max_length=4000, blank=True)

    found = models.PositiveIntegerField(_("problems found"), default=0)
    fixed_on_site = models.PositiveIntegerField(_("fixed on site"), default=0)
    referred = models.PositiveIntegerField(_("referred to units"), default=0)
    # Tickets dispatched to the officer (or found by them) that they reported fixed that day.
    resolved = models.PositiveIntegerField(_("tickets fixed"), default=0)
    enforced = models.PositiveIntegerField(_("enforcement actions"), default=0)
    contacts_visited = models.PositiveIntegerField(_("service visits"), default=0)
    publicity_events = models.PositiveIntegerField(_("publicity events"), default=0)
    patrol_count = models.PositiveIntegerField(_("patrols"), default=0)
    patrol_minutes = models.PositiveIntegerField(_("minutes on patrol"), default=0)
    distance_m = models.FloatField(_("distance (m)"), default=0)

    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), max_length=2000, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("daily work log")
        verbose_name_plural = _("daily work logs")
        ordering = ["-date", "officer__badge_number"]
        constraints = [
            models.UniqueConstraint(fields=["officer", "date"], name="daily_log_one_per_day"),
        ]
        indexes = [
            models.Index(fields=["brigade", "status", "date"], name="daily_log_review_queue"),
            models.Index(fields=["date", "status"], name="daily_log_date_status"),
        ]

    def __str__(self) -> str:
        return f"{self.officer} {self.date:%Y-%m-%d}"

    @property
    def editable(self) -> bool:
        return self.status in (LogStatus.DRAFT, LogStatus.RETURNED)

    # --- transitions: state and own fields only; see patrols.services for the rest ---

    @transition(
        field=status,
        source=[LogStatus.DRAFT, LogStatus.RETURNED],
        target=LogStatus.SUBMITTED,
        permission=permissions.writes_log,
    )
    def submit(self, *, at: datetime.datetime) -> None:
        self.submitted_at = at

    @transition(
        field=status,
        source=LogStatus.SUBMITTED,
        target=LogStatus.APPROVED,
        permission=permissions.reviews_log,
    )
    def approve(self, *, by: models.Model, at: datetime.datetime, note: str) -> None:
        self.reviewed_by, self.reviewed_at, self.review_note = by, at, note

    @transition(
        field=status,
        source=[LogStatus.SUBMITTED, LogStatus.APPROVED],
        target=LogStatus.RETURNED,
        permission=permissions.reviews_log,
    )
    def send_back(self, *, by: models.Model, at: datetime.datetime, note: str) -> None:
        self.reviewed_by, self.reviewed_at, self.review_note = by, at, note


class LogAction(models.TextChoices):
    SUBMIT = "submit", pgettext_lazy("log event", "Submitted")
    APPROVE = "approve", pgettext_lazy("log event", "Approved")
    RETURN = "return", pgettext_lazy("log event", "Returned for correction")


class DailyLogEvent(models.Model):
    """The log's audit trail: who submitted, approved or returned it, when, with what note."""

    log = models.ForeignKey(DailyLog, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=10, choices=LogAction.choices)
    note = models.TextField(_("note"), blank=True)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("daily log event")
        verbose_name_plural = _("daily log events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return str(self.get_action_display())


class LogReminder(models.Model):
    """The 18:00 missing-log reminder sent to one person for one day: an officer about their own
    log, or a supervisor with the list. Unique, so a second beat or a re-run sends nothing."""

    day = models.DateField(_("day"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # A supervisor who is also on duty gets both their own reminder and the brigade's list.
    kind = models.CharField(_("kind"), max_length=20, default="missing_log")
    officers = models.PositiveSmallIntegerField(_("officers without a log"), default=0)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("missing-log reminder")
        verbose_name_plural = _("missing-log reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "recipient", "kind"], name="log_reminder_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.recipient_id}"


class LeadershipPatrol(models.Model):
    """每周巡街: a leader's walk along the streets, whose problem list becomes tickets referred to
    responsible units with deadlines (the responsibility list, 责任清单)."""

    date = models.DateField(_("date"))
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader"),
        on_delete=models.PROTECT,
        related_name="leadership_patrols",
    )
    # The leader's brigade (None: the command centre), for scoping who sees the list.
    brigade = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("brigade"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    route = models.CharField(_("route"), max_length=300)
    participants = models.CharField(_("participants"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("leadership street patrol")
        verbose_name_plural = _("leadership street patrols")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["brigade", "date"], name="leader_patrol_brigade_date")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.route}"


class LeadershipProblem(models.Model):
    """A line of the problem list, and the ticket it became."""

    patrol = models.ForeignKey(LeadershipPatrol, on_delete=models.CASCADE, related_name="problems")
    position = models.PositiveSmallIntegerField(_("number"))
    ticket = models.OneToOneField(
        "cases.Ticket", verbose_name=_("ticket"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        ordering = ["patrol", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["patrol", "position"], name="leader_problem_position_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.ticket_id}"
