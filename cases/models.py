"""Casework: categories, tickets and their state machine, the audit trail, photos, notices.

The transition methods on ``Ticket`` only move the state and set the ticket's own fields; who may
call them, the row lock, the audit event and the notifications are ``cases.services``' job.
"""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, FSMModelMixin
from simple_history.models import HistoricalRecords

from cases import hooks
from cases.states import (
    CLOCK_STATES,
    OPEN_STATES,
    RejectReason,
    Route,
    State,
)
from cases.step_clocks import DEFAULT_MINUTES, STEP_STATE, Step
from cases.transitions import TicketStateMachine
from citymgmt.masking import mask_phone
from citymgmt.text import ascii_digits


class CategoryKind(models.TextChoices):
    COMPONENT = "component", _("Component")
    EVENT = "event", _("Event")


class DeadlineUnit(models.TextChoices):
    WORKING_HOURS = "working_hours", _("working hours")
    WORKING_DAYS = "working_days", _("working days")
    NATURAL_HOURS = "natural_hours", _("natural hours")


class Category(models.Model):
    """A 部件 (component) or 事件 (event) class after GB/T 30428.2: majors (2-digit code) group
    minors (4-digit code); tickets are filed against minors, which carry the deadlines."""

    kind = models.CharField(_("kind"), max_length=10, choices=CategoryKind.choices)
    code = models.CharField(
        _("code"), max_length=4, help_text=_("2 digits for a major class, 4 for a minor class.")
    )
    name = models.CharField(_("name"), max_length=40)
    public_name = models.CharField(
        _("plain name"),
        max_length=60,
        blank=True,
        help_text=_("How residents would say it, shown on the public form."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("major class"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    deadline_value = models.PositiveSmallIntegerField(_("disposal deadline"), null=True, blank=True)
    deadline_unit = models.CharField(
        _("deadline unit"),
        max_length=16,
        choices=DeadlineUnit.choices,
        default=DeadlineUnit.WORKING_HOURS,
    )
    urgent_hours = models.PositiveSmallIntegerField(
        _("urgent deadline (natural hours)"), null=True, blank=True
    )
    default_unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("default responsible unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    enforceable = models.BooleanField(
        _("enforceable"), default=False, help_text=_("Officers may open an enforcement case.")
    )
    duplicate_radius_m = models.PositiveSmallIntegerField(_("duplicate radius (m)"), default=50)
    # The time limits of the desk steps around the disposal (``cases.step_clocks``).
    register_minutes = models.PositiveSmallIntegerField(
        _("registration limit (working minutes)"),
        default=DEFAULT_MINUTES[Step.REGISTER],
        validators=[MinValueValidator(1)],
        help_text=_("From the report to its registration or rejection (受理/立案)."),
    )
    dispatch_minutes = models.PositiveSmallIntegerField(
        _("dispatch limit (working minutes)"),
        default=DEFAULT_MINUTES[Step.DISPATCH],
        validators=[MinValueValidator(1)],
        help_text=_("From registration to the dispatch or referral (派遣)."),
    )
    verify_minutes = models.PositiveSmallIntegerField(
        _("verification limit (working minutes)"),
        default=DEFAULT_MINUTES[Step.VERIFY],
        validators=[MinValueValidator(1)],
        help_text=_("From the report of the fix to its verification (核查)."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    # Who changed a deadline or a default unit, and when: assessments are argued over these.
    history = HistoricalRecords(
        verbose_name=_("category history"), verbose_name_plural=_("category history")
    )

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["kind", "code"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "code"], name="category_kind_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def service_code(self) -> str:
        """One code across both kinds: C0101 (component) or E0101 (event)."""
        return ("C" if self.kind == CategoryKind.COMPONENT else "E") + self.code

    @property
    def is_major(self) -> bool:
        return len(self.code) == 2

    def clean(self) -> None:
        if not ascii_digits(self.code) or len(self.code) not in (2, 4):
            raise ValidationError({"code": _("Use 2 digits for a major class, 4 for a minor.")})
        if len(self.code) == 4:
            if self.parent is None or self.parent.kind != self.kind:
                raise ValidationError({"parent": _("A minor class needs a major of its kind.")})
            if not self.code.startswith(self.parent.code):
                raise ValidationError({"code": _("A minor's code starts with its major's code.")})
            if self.deadline_value is None:
                raise ValidationError({"deadline_value": _("A minor class needs a deadline.")})
        elif self.parent is not None:
            raise ValidationError({"parent": _("A major class has no parent.")})


class Source(models.TextChoices):
    PATROL = "patrol", _("Patrol")
    RESIDENT = "resident", _("Resident")
    HOTLINE = "hotline_12345", _("12345 hotline")
    DIGITAL_CITY = "digital_city", _("Digital city")
    LEADERSHIP_PATROL = "leadership_patrol", _("Leadership patrol")
    API = "api", _("API")
    # A task the command centre opened from a hotspot (源头治理): the recurring problem's cause,
    # referred to the unit that can remove it (command.services.open_governance_task).
    GOVERNANCE = "governance", _("Source governance")


class Priority(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")


def new_tracking_code() -> str:
    # 10 characters of base32 = 50 bits: unguessable by enumeration, easy to read out by phone.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _i in range(10))


class Ticket(TicketStateMachine, FSMModelMixin, models.Model):
    """A case (案卷): one problem at one place, from its report to its closure."""

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    tracking_code = models.CharField(
        _("tracking code"), max_length=16, unique=True, default=new_tracking_code, editable=False
    )
    state = FSMField(
        _("status"), default=State.REPORTED, choices=State.choices, protected=True, db_index=True
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    # The order number of the outside system that sent the work (the 12345 hotline's 工单编号).
    external_id = models.CharField(_("external order number"), max_length=64, blank=True)
    # The time limit that platform set (承办时限): no clock started on the ticket runs past it.
    external_deadline = models.DateTimeField(_("platform's time limit"), null=True, blank=True)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="tickets"
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    description = models.TextField(_("description"), max_length=4000)
    address = models.CharField(_("address"), max_length=200, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)

    # Where: the grid comes from locate(); the rest is copied down so queues filter on one table.
    grid_cell = models.ForeignKey(
        "grids.GridCell",
        verbose_name=_("unit grid"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
    )
    community = models.ForeignKey(
        "grids.Community",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
    )
    street = models.ForeignKey(
        "grids.Street", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    district = models.ForeignKey(
        "grids.District", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    brigade = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("brigade"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    # Who reported it.
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reported_tickets",
    )
    reporter_name = models.CharField(_("reporter's name"), max_length=50, blank=True)
    reporter_phone = models.CharField(_("reporter's phone"), max_length=20, blank=True)

    # Who works on it.
    route = models.CharField(_("route"), max_length=10, choices=Route.choices, blank=True)
    assignee = models.ForeignKey(
        "accounts.Officer",
        verbose_name=_("officer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
    )
    responsible_unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("responsible unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referred_tickets",
    )
    responsible_person = models.CharField(_("responsible person"), max_length=50, blank=True)
    # 核查 on site: the officer on duty in the ticket's grid a supervisor sent the check of a
    # resolved ticket to, until they pass or fail it (or the supervisor checks at the desk).
    field_checker = models.ForeignKey(
        "accounts.Officer",
        verbose_name=_("officer checking on site"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="field_checks",
    )
    field_check_sent_at = models.DateTimeField(
        _("sent for a check on site at"), null=True, blank=True
    )

    # The clock: budget in minutes of working (or, for urgent tickets, natural) time.
    time_budget_minutes = models.PositiveIntegerField(null=True, blank=True, editable=False)
    natural_time = models.BooleanField(default=False, editable=False)
    clock_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    clock_paused_at = models.DateTimeField(null=True, blank=True, editable=False)
    overdue = models.BooleanField(_("overdue"), default=False)

    # The clocks of the desk steps (``cases.step_clocks``): set when the step starts, its end
    # kept beside them for the assessment's on-time rates.
    register_warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    register_due_at = models.DateTimeField(_("registration due"), null=True, blank=True)
    register_done_at = models.DateTimeField(
        _("registration decided at"), null=True, blank=True, editable=False
    )
    dispatch_warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    dispatch_due_at = models.DateTimeField(_("dispatch due"), null=True, blank=True)
    dispatch_done_at = models.DateTimeField(
        _("dispatch decided at"), null=True, blank=True, editable=False
    )
    verify_warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    verify_due_at = models.DateTimeField(_("verification due"), null=True, blank=True)
    verify_done_at = models.DateTimeField(_("verified at"), null=True, blank=True, editable=False)

    rework_count = models.PositiveSmallIntegerField(_("rework count"), default=0)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
    )
    reject_reason = models.CharField(
        _("reason for rejection"), max_length=20, choices=RejectReason.choices, blank=True
    )
    on_site = models.BooleanField(_("fixed on site"), default=False)

    # Milestones.
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)
    registered_at = models.DateTimeField(_("registered at"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    referred_at = models.DateTimeField(_("referred at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    started_at = models.DateTimeField(_("work started at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    rejected_at = models.DateTimeField(_("rejected at"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The resident's 回访 rating, filled in after closure.
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction"), null=True, blank=True)
    satisfaction_comment = models.CharField(_("comment"), max_length=500, blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-reported_at"]
        indexes = [
            # The queue: scope (brigade) + status tab, sorted by deadline.
            models.Index(fields=["brigade", "state", "deadline"], name="ticket_brigade_queue"),
            # A brigade's tabs filtered to one category: the finished counts (capped) read this
            # index alone, not a bitmap of the brigade's and the category's whole casebooks.
            models.Index(fields=["brigade", "category", "state"], name="ticket_brigade_category"),
            models.Index(fields=["state", "deadline"], name="ticket_state_deadline"),
            # The default tab (open work, soonest deadline first) in the queue's own order: a
            # page of 50 is the index's first 50 entries. Without it PostgreSQL walks the
            # deadline index through every finished ticket (half a million at 1M tickets).
            models.Index(
                fields=["deadline", "reported_at", "id"],
                name="ticket_open_queue",
                condition=Q(state__in=OPEN_STATES),
            ),
            models.Index(fields=["grid_cell", "state"], name="ticket_grid_state"),
            # The officer's "open in my grids", newest first: each posted cell's open tickets in
            # order, so PostgreSQL starts from the officer's cells, not from the city's backlog.
            models.Index(
                fields=["grid_cell", "reported_at", "id"],
                name="ticket_grid_open",
                condition=Q(state__in=OPEN_STATES),
            ),
            # The unit's finished tickets, newest first, a page at a time (a department's
            # history is tens of thousands of tickets: no sort of all of them for a page). With
            # the state last in it the page's ids are an index-only scan; without, PostgreSQL
            # preferred walking ``ticket_resolved_at`` past other units (11–52 ms → 0.07 ms).
            models.Index(
                fields=["responsible_unit", "resolved_at", "id", "state"],
                name="ticket_unit_resolved",
            ),
            models.Index(fields=["community", "state"], name="ticket_community_state"),
            models.Index(fields=["street", "state"], name="ticket_street_state"),
            models.Index(fields=["district", "state"], name="ticket_district_state"),
            models.Index(fields=["assignee", "state"], name="ticket_assignee_state"),
            models.Index(fields=["responsible_unit", "state"], name="ticket_unit_state"),
            models.Index(fields=["category", "state"], name="ticket_category_state"),
            # A category across the tabs in the queue's deadline order (暴露垃圾 all along, by
            # deadline): otherwise the deadline index is walked past every other category.
            models.Index(
                fields=["category", "deadline", "reported_at", "id"], name="ticket_category_queue"
            ),
            models.Index(fields=["source", "reported_at"], name="ticket_source_reported"),
            models.Index(fields=["reported_at"], name="ticket_reported_at"),
            # The reminder scan reads open tickets with a running clock only.
            models.Index(
                fields=["deadline"],
                name="ticket_open_deadline",
                condition=Q(state__in=CLOCK_STATES),
            ),
            models.Index(
                fields=["warn_at"], name="ticket_open_warn_at", condition=Q(state__in=CLOCK_STATES)
            ),
            # The step clocks: the reminder scan and the queue's colour filter read the running
            # ones (the ticket waits in the step's state); the assessment counts a month's
            # steps by their due time, running or done.
            *(
                index
                for step, state in STEP_STATE.items()
                for index in (
                    models.Index(
                        fields=[f"{step}_due_at"],
                        name=f"ticket_{step}_running_due",
                        condition=Q(state=state),
                    ),
                    models.Index(
                        fields=[f"{step}_warn_at"],
                        name=f"ticket_{step}_running_warn",
                        condition=Q(state=state),
                    ),
                    models.Index(fields=[f"{step}_due_at"], name=f"ticket_{step}_due_at"),
                )
            ),
            # The command centre's map (command.selectors): the open tickets in a view, counted
            # per community or unit grid by deadline colour, or read as points, from the index
            # alone (an index-only scan of the open work, never the casebook).
            models.Index(
                fields=["lat", "lng"],
                name="ticket_open_map",
                condition=Q(state__in=OPEN_STATES),
                include=[
                    "id",
                    "brigade_id",
                    "community_id",
                    "grid_cell_id",
                    "category_id",
                    "state",
                    "overdue",
                    "deadline",
                    "warn_at",
                    "number",
                ],
            ),
            # The monthly assessment counts a month's tickets by each milestone.
            models.Index(fields=["registered_at"], name="ticket_registered_at"),
            models.Index(fields=["referred_at"], name="ticket_referred_at"),
            models.Index(fields=["resolved_at"], name="ticket_resolved_at"),
            models.Index(fields=["deadline"], name="ticket_deadline"),
            models.Index(fields=["rated_at"], name="ticket_rated_at"),
            # The retention job (privacy) looks for tickets finished before a cutoff.
            models.Index(
                fields=["closed_at"], name="ticket_closed_at", condition=Q(state=State.CLOSED)
            ),
            models.Index(
                fields=["rejected_at"],
                name="ticket_rejected_at",
                condition=Q(state=State.REJECTED),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True) | Q(satisfaction__range=(1, 5)),
                name="ticket_satisfaction_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("cases:detail", args=[self.number])

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def extension_pending(self) -> bool:
        return self.clock_paused_at is not None

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.reporter_phone)


class Action(models.TextChoices):
    CREATE = "create", pgettext_lazy("ticket event", "Reported")
    ON_SITE = "on_site", pgettext_lazy("ticket event", "Fixed on site")
    REGISTER = "register", pgettext_lazy("ticket event", "Registered")
    REJECT = "reject", pgettext_lazy("ticket event", "Rejected")
    DISPATCH = "dispatch", pgettext_lazy("ticket event", "Dispatched")
    REFER = "refer", pgettext_lazy("ticket event", "Referred")
    ENFORCE = "enforce", pgettext_lazy("ticket event", "Enforcement opened")
    RETURN = "return", pgettext_lazy("ticket event", "Returned")
    ACCEPT = "accept", pgettext_lazy("ticket event", "Accepted")
    START = "start", pgettext_lazy("ticket event", "Work started")
    EXTEND_REQUEST = "extend_request", pgettext_lazy("ticket event", "Extension requested")
    EXTEND_APPROVE = "extend_approve", pgettext_lazy("ticket event", "Extension approved")
    EXTEND_DENY = "extend_deny", pgettext_lazy("ticket event", "Extension denied")
    RESOLVE = "resolve", pgettext_lazy("ticket event", "Resolved")
    CONCLUDE = "conclude", pgettext_lazy("ticket event", "Enforcement concluded")
    VERIFY_PASS = "verify_pass", pgettext_lazy("ticket event", "Verified and closed")
    VERIFY_FAIL = "verify_fail", pgettext_lazy("ticket event", "Verification failed: rework")
    FIELD_CHECK = "field_check", pgettext_lazy("ticket event", "Sent for a check on site")
    REOPEN = "reopen", pgettext_lazy("ticket event", "Reopened")
    DUPLICATE_LINKED = "duplicate_linked", pgettext_lazy("ticket event", "Duplicate report merged")
    COMMENT = "comment", pgettext_lazy("ticket event", "Note")
    # The reporter's say (residents' issue): a rating after closure, and a dissatisfied rating
    # within the reopen window asks the supervisor to reopen.
    RATE = "rate", pgettext_lazy("ticket event", "Rated by the reporter")
    REOPEN_REQUEST = "reopen_request", pgettext_lazy("ticket event", "Reopen requested")
    REOPEN_DECLINE = "reopen_decline", pgettext_lazy("ticket event", "Reopen request declined")
    # Reports that landed on no brigade are placed by the command centre; an outside platform
    # (the 12345 hotline) may withdraw the work it sent.
    PLACE = "place", pgettext_lazy("ticket event", "Placed")
    WITHDRAW = "withdraw", pgettext_lazy("ticket event", "Withdrawn")
    # Features add their own kinds through ``cases.hooks.add_event_kinds`` (shops: the steps of
    # graduated street-order enforcement).


class TicketEvent(models.Model):
    """One row per thing that happened to a ticket: the audit trail and the public timeline."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=20, choices=hooks.event_kind_choices)
    from_state = models.CharField(_("from"), max_length=20, choices=State.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=20, choices=State.choices, blank=True)
    public_note = models.TextField(_("public note"), blank=True)
    internal_note = models.TextField(_("internal note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="event_ticket_time")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.action}"


class PhotoKind(models.TextChoices):
    REPORT = "report", _("Report")
    BEFORE = "before", _("Before")
    AFTER = "after", _("After")
    EVIDENCE = "evidence", _("Evidence")
    CHECK = "check", _("Check on site")


class Photo(models.Model):
    """A checked, re-encoded photo (no EXIF) with its thumbnail; served only through a view that
    checks the viewer may see the ticket."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="photos"
    )
    event = models.ForeignKey(
        TicketEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="photos"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=PhotoKind.choices)
    image = models.ImageField(_("image"), upload_to="tickets/%Y/%m/")
    thumbnail = models.ImageField(_("thumbnail"), upload_to="tickets/%Y/%m/")
    width = models.PositiveIntegerField(editable=False)
    height = models.PositiveIntegerField(editable=False)
    content_type = models.CharField(max_length=20, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind}"


class ExtensionRequest(models.Model):
    """An officer's or unit's request for more time; the clock stands still until decided."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="extension_requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    extra_minutes = models.PositiveIntegerField(_("extra time (minutes)"))
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    approved = models.BooleanField(null=True)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket"],
                condition=Q(decided_at__isnull=True),
                name="one_pending_extension_per_ticket",
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} +{self.extra_minutes}"


class DailySequence(models.Model):
    """The last ticket number issued on a day (XZ20261121-0042 is the 42nd of 21 Nov 2026)."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("daily number sequence")
        verbose_name_plural = _("daily number sequences")

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class ReopenRequest(models.Model):
    """A reporter's dissatisfied rating (1–2) within the reopen window: the brigade's supervisors
    decide whether the ticket is reopened (``cases.services.reopen_ticket``) or not."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="reopen_requests"
    )
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction"))
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reopened = models.BooleanField(_("reopened"), null=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("reopen request")
        verbose_name_plural = _("reopen requests")
        ordering = ["requested_at", "id"]
        indexes = [
            # The supervisors' list: pending requests only.
            models.Index(
                fields=["requested_at"],
                name="reopen_request_pending",
                condition=Q(decided_at__isnull=True),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket"],
                condition=Q(decided_at__isnull=True),
                name="one_pending_reopen_request_per_ticket",
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.satisfaction}/5"


class ReplyStep(models.TextChoices):
    """The steps a reply template is written for (the action forms that offer it)."""

    REGISTER = "register", _("Register")
    REJECT = "reject", _("Reject")
    RESOLVE = "resolve", _("Report fixed")
    CLOSE = "close", _("Verify and close")
    HOTLINE_DONE = "hotline_done", _("12345 completion reply (办结)")


class ReplyTemplate(models.Model):
    """A prepared reply (FixMyStreet's response templates): chosen on an action's form, it
    fills the note with its text, the placeholders ``{number}``, ``{category}``, ``{community}``
    and ``{deadline}`` replaced by the ticket's. Kept by assessors in the admin; a template
    without a category is offered for every category."""

    title = models.CharField(_("title"), max_length=60)
    step = models.CharField(_("step"), max_length=20, choices=ReplyStep.choices)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Leave empty to offer it for every category."),
    )
    text = models.TextField(
        _("text"),
        max_length=2000,
        help_text=_(
            "Placeholders: {number} the ticket's number, {category} its category, "
            "{community} its community, {deadline} its deadline."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")
        ordering = ["step", "title", "id"]

    def __str__(self) -> str:
        return self.title


# --- the phone's queued writes (issue 22) -------------------------------------------------------


class ClientWrite(models.Model):
    """A write the officer's phone sent with its own id (``Idempotency-Key``), and the answer it
    got: a repeat of the same id is answered from here, never applied again. Written in the same
    transaction as the change itself (``cases.offline.applied_once``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    client_id = models.UUIDField(_("client id"))
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    status = models.PositiveSmallIntegerField(default=0)
    body = models.JSONField(null=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("client write")
        verbose_name_plural = _("client writes")
        constraints = [
            models.UniqueConstraint(fields=["user", "client_id"], name="one_write_per_client_id")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.client_id} {self.status}"


class PhotoUpload(models.Model):
    """A photo sent from the phone in parts (create → parts at offsets → complete), so that a
    connection dropped halfway loses only the part in flight. Once complete the image has been
    checked and re-encoded without metadata; a finding or a step then names it instead of
    carrying the file (``cases.offline.upload_files``)."""

    id = models.UUIDField(primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    size = models.PositiveIntegerField(_("size"))
    received = models.PositiveIntegerField(_("bytes received"), default=0)
    file = models.FileField(upload_to="uploads/%Y/%m/", blank=True)  # once complete
    content_type = models.CharField(max_length=20, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("photo upload")
        verbose_name_plural = _("photo uploads")
        indexes = [models.Index(fields=["created_at"], name="photo_upload_created")]

    def __str__(self) -> str:
        return f"{self.id} {self.received}/{self.size}"


class PhotoUploadPart(models.Model):
    """One part of a photo upload, at its byte offset: stored whole or not at all, so an upload
    resumes at ``PhotoUpload.received`` whatever the connection did."""

    upload = models.ForeignKey(PhotoUpload, on_delete=models.CASCADE, related_name="parts")
    offset = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        ordering = ["offset"]
        constraints = [
            models.UniqueConstraint(fields=["upload", "offset"], name="one_part_per_offset")
        ]

    def __str__(self) -> str:
        return f"{self.upload_id}@{self.offset}"
