"""The ticket's state machine: each transition moves the state and sets the ticket's own fields,
nothing else, and declares with ``@writes`` every field it sets, once. The services save exactly
those (``saved_fields``), so a field added to a transition cannot be left out of the save; a test
runs every transition and fails on a field it changes without declaring it.

Who may call a transition, the row lock, the audit event and the notifications are
``cases.services``' job.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django_fsm import RETURN_VALUE, transition

from cases import permissions
from cases.deadlines import Clock
from cases.states import REOPEN_WINDOW, Route, State
from cases.step_clocks import Step, step_fields

if TYPE_CHECKING:
    from accounts.models import Officer, Unit
    from cases.models import Category, Ticket

CLOCK_FIELDS = (
    "time_budget_minutes",
    "natural_time",
    "clock_started_at",
    "warn_at",
    "deadline",
    "clock_paused_at",
)
REGISTER_STEP = step_fields(Step.REGISTER)
DISPATCH_STEP = step_fields(Step.DISPATCH)
VERIFY_STEP = step_fields(Step.VERIFY)

# The check on site a resolved ticket waits for (cleared when it leaves ``resolved``).
FIELD_CHECK_FIELDS = ("field_checker", "field_check_sent_at")


@dataclass(frozen=True)
class ClockSetting:
    """A deadline clock as a service worked it out (working or natural time), for a transition
    that starts one to set."""

    budget_minutes: int
    natural: bool
    started_at: datetime.datetime
    warn_at: datetime.datetime
    deadline: datetime.datetime


def writes(*fields: str) -> Callable[[Any], Any]:
    """Declare the fields a transition sets besides ``state``; put it above ``@transition``."""

    def declare(method: Any) -> Any:
        method.writes = tuple(fields)
        return method

    return declare


def declared_writes(transition_name: str) -> tuple[str, ...]:
    """The fields the transition declares it sets, besides ``state``."""
    from cases.models import Ticket

    return getattr(Ticket, transition_name).writes


def saved_fields(transition_name: str) -> list[str]:
    """What to save after the transition: its state, its declared fields and ``updated_at``."""
    return ["state", "updated_at", *declared_writes(transition_name)]


class TicketStateMachine:
    """The transitions of ``cases.models.Ticket`` (mixed into it)."""

    @writes("registered_at", "category", "priority", "register_done_at", *DISPATCH_STEP)
    @transition(
        field="state",
        source=State.REPORTED,
        target=State.REGISTERED,
        permission=permissions.supervises,
    )
    def register(
        self,
        *,
        at: datetime.datetime,
        dispatch_clock: Clock,
        category: "Category | None" = None,
        priority: str | None = None,
    ) -> None:
        """Registration (立案), correcting the category and priority where the supervisor did;
        the registration step ends and the dispatch step's clock starts."""
        self.registered_at = at
        self.register_done_at = at
        self._start_step(Step.DISPATCH, dispatch_clock)
        if category is not None:
            self.category = category
        if priority:
            self.priority = priority

    @writes("reject_reason", "duplicate_of", "rejected_at", "register_done_at", "dispatch_done_at")
    @transition(
        field="state",
        source=[State.REPORTED, State.REGISTERED],
        target=State.REJECTED,
        permission=permissions.supervises,
    )
    def reject(self, *, reason: str, at: datetime.datetime, duplicate_of: "Ticket | None") -> None:
        self.reject_reason = reason
        self.duplicate_of = duplicate_of
        self.rejected_at = at
        # A rejection decides the step the ticket waited in: registration, or dispatch.
        self._end_step(Step.REGISTER if self.state == State.REPORTED else Step.DISPATCH, at)

    @writes(
        "route",
        "assignee",
        "responsible_unit",
        "responsible_person",
        "dispatched_at",
        "dispatch_done_at",
        *CLOCK_FIELDS,
    )
    @transition(
        field="state",
        source=State.REGISTERED,
        target=State.DISPATCHED,
        permission=permissions.supervises,
    )
    def dispatch(self, *, officer: "Officer", at: datetime.datetime, clock: ClockSetting) -> None:
        self._set_clock(clock)
        self.route = Route.DISPATCH
        self.assignee = officer
        self.responsible_unit = None
        self.responsible_person = ""
        self.dispatched_at = at
        self._end_step(Step.DISPATCH, at)

    @writes(
        "route",
        "responsible_unit",
        "responsible_person",
        "referred_at",
        "accepted_at",
        "dispatch_done_at",
        *CLOCK_FIELDS,
    )
    @transition(
        field="state",
        source=State.REGISTERED,
        target=State.REFERRED,
        permission=permissions.supervises,
    )
    def refer(
        self, *, unit: "Unit", person: str, at: datetime.datetime, clock: ClockSetting
    ) -> None:
        self._set_clock(clock)
        self.route = Route.REFER
        self.responsible_unit = unit
        self.responsible_person = person
        self.referred_at = at
        self.accepted_at = None
        self._end_step(Step.DISPATCH, at)

    @writes("route", "assignee", "dispatched_at", "dispatch_done_at", *CLOCK_FIELDS)
    @transition(
        field="state",
        source=State.REGISTERED,
        target=State.ENFORCEMENT,
        permission=permissions.supervises,
        conditions=[lambda ticket: ticket.category.enforceable],
    )
    def enforce(self, *, officer: "Officer", at: datetime.datetime, clock: ClockSetting) -> None:
        self._set_clock(clock)
        self.route = Route.ENFORCE
        self.assignee = officer
        self.dispatched_at = at
        self._end_step(Step.DISPATCH, at)

    @writes(
        "route",
        "assignee",
        "responsible_unit",
        "responsible_person",
        "accepted_at",
        *CLOCK_FIELDS,
        "overdue",
        *DISPATCH_STEP,
    )
    @transition(
        field="state",
        source=[State.DISPATCHED, State.REFERRED],
        target=State.REGISTERED,
        permission=permissions.works_on,
    )
    def send_back(self, *, dispatch_clock: Clock) -> None:
        """Return (退回): the officer or unit says it is not theirs; the supervisor re-decides,
        on a fresh dispatch clock."""
        self.route = ""
        self.assignee = None
        self.responsible_unit = None
        self.responsible_person = ""
        self.accepted_at = None
        self._stop_clock()
        self._start_step(Step.DISPATCH, dispatch_clock)

    @writes("accepted_at")
    @transition(
        field="state",
        source=State.REFERRED,
        target=None,
        permission=permissions.works_on,
        conditions=[lambda ticket: ticket.accepted_at is None],
    )
    def accept(self, *, at: datetime.datetime) -> None:
        self.accepted_at = at

    @writes("started_at")
    @transition(
        field="state",
        source=State.DISPATCHED,
        target=State.IN_PROGRESS,
        permission=permissions.works_on,
    )
    def start(self, *, at: datetime.datetime) -> None:
        self.started_at = at

    @writes("clock_paused_at")
    @transition(
        field="state",
        source=[State.DISPATCHED, State.IN_PROGRESS, State.REFERRED, State.ENFORCEMENT],
        target=None,
        permission=permissions.works_on,
        conditions=[lambda ticket: ticket.clock_paused_at is None],
    )
    def request_extension(self, *, at: datetime.datetime) -> None:
        self.clock_paused_at = at

    @writes("clock_paused_at", "deadline", "warn_at", "time_budget_minutes")
    @transition(
        field="state",
        source=[State.DISPATCHED, State.IN_PROGRESS, State.REFERRED, State.ENFORCEMENT],
        target=None,
        permission=permissions.supervises,
        conditions=[lambda ticket: ticket.clock_paused_at is not None],
    )
    def decide_extension(
        self,
        *,
        deadline: datetime.datetime | None,
        warn_at: datetime.datetime | None,
        time_budget_minutes: int | None,
    ) -> None:
        """Approve or deny: either way the clock runs again, with the deadline the service
        moved for the pause (and the time granted)."""
        self.clock_paused_at = None
        self.deadline = deadline
        self.warn_at = warn_at
        self.time_budget_minutes = time_budget_minutes

    @writes("resolved_at", "clock_paused_at", "overdue", *VERIFY_STEP)
    @transition(
        field="state",
        source=[State.IN_PROGRESS, State.REFERRED],
        target=State.RESOLVED,
        permission=permissions.works_on,
    )
    def resolve(self, *, at: datetime.datetime, verify_clock: Clock) -> None:
        self.overdue = self.overdue or self.is_late_at(at)
        self.resolved_at = at
        self.clock_paused_at = None
        self._start_step(Step.VERIFY, verify_clock)

    @writes("resolved_at", "clock_paused_at", "overdue", *VERIFY_STEP)
    @transition(
        field="state",
        source=State.ENFORCEMENT,
        target=State.RESOLVED,
        permission=permissions.works_on_or_supervises,
    )
    def conclude(self, *, at: datetime.datetime, verify_clock: Clock) -> None:
        self.overdue = self.overdue or self.is_late_at(at)
        self.resolved_at = at
        self.clock_paused_at = None
        self._start_step(Step.VERIFY, verify_clock)

    @writes("closed_at", "verify_done_at", *FIELD_CHECK_FIELDS)
    @transition(
        field="state", source=State.RESOLVED, target=State.CLOSED, permission=permissions.supervises
    )
    def verify_pass(self, *, at: datetime.datetime) -> None:
        """Checked at the desk (a check sent on site and not yet done is called off)."""
        self.closed_at = at
        self._end_step(Step.VERIFY, at)
        self._end_field_check()

    @writes(
        "rework_count",
        "resolved_at",
        "started_at",
        "verify_done_at",
        *CLOCK_FIELDS,
        *FIELD_CHECK_FIELDS,
    )
    @transition(
        field="state",
        source=State.RESOLVED,
        target=RETURN_VALUE(State.DISPATCHED, State.REFERRED, State.ENFORCEMENT),
        permission=permissions.supervises,
    )
    def verify_fail(self, *, at: datetime.datetime, clock: ClockSetting) -> str:
        """Rework (返工): back to the same officer or unit, by the route it came, with a fresh
        deadline."""
        self._end_step(Step.VERIFY, at)
        return self._rework(clock)

    @writes(*FIELD_CHECK_FIELDS)
    @transition(
        field="state", source=State.RESOLVED, target=None, permission=permissions.supervises
    )
    def send_for_field_check(self, *, officer: "Officer", at: datetime.datetime) -> None:
        """The check (核查) goes to an officer on duty in the ticket's grid (again to another
        one, if the first cannot go)."""
        self.field_checker = officer
        self.field_check_sent_at = at

    @writes("closed_at", "verify_done_at", *FIELD_CHECK_FIELDS)
    @transition(
        field="state",
        source=State.RESOLVED,
        target=State.CLOSED,
        permission=permissions.checks_on_site,
        conditions=[lambda ticket: ticket.field_checker_id is not None],
    )
    def field_check_pass(self, *, at: datetime.datetime) -> None:
        """The officer sent to check found it fixed, on site."""
        self.closed_at = at
        self._end_step(Step.VERIFY, at)
        self._end_field_check()

    @writes(
        "rework_count",
        "resolved_at",
        "started_at",
        "verify_done_at",
        *CLOCK_FIELDS,
        *FIELD_CHECK_FIELDS,
    )
    @transition(
        field="state",
        source=State.RESOLVED,
        target=RETURN_VALUE(State.DISPATCHED, State.REFERRED, State.ENFORCEMENT),
        permission=permissions.checks_on_site,
        conditions=[lambda ticket: ticket.field_checker_id is not None],
    )
    def field_check_fail(self, *, at: datetime.datetime, clock: ClockSetting) -> str:
        """The officer sent to check found it not fixed: rework, as ``verify_fail``."""
        self._end_step(Step.VERIFY, at)
        return self._rework(clock)

    @writes(
        "closed_at",
        "resolved_at",
        "route",
        "assignee",
        "responsible_unit",
        "responsible_person",
        "on_site",
        "overdue",
        *CLOCK_FIELDS,
        *DISPATCH_STEP,
    )
    @transition(
        field="state",
        source=State.CLOSED,
        target=State.REGISTERED,
        permission=permissions.supervises,
        conditions=[lambda ticket: ticket.can_reopen_at(timezone.now())],
    )
    def reopen(self, *, dispatch_clock: Clock) -> None:
        self.closed_at = None
        self.resolved_at = None
        self.route = ""
        self.assignee = None
        self.responsible_unit = None
        self.responsible_person = ""
        self.on_site = False
        self._stop_clock()
        self._start_step(Step.DISPATCH, dispatch_clock)

    def _rework(self, clock: ClockSetting) -> str:
        self._set_clock(clock)
        self._end_field_check()
        self.rework_count += 1
        self.resolved_at = None
        self.started_at = None
        return {
            Route.REFER: State.REFERRED,
            Route.ENFORCE: State.ENFORCEMENT,
        }.get(self.route, State.DISPATCHED)

    def _end_field_check(self) -> None:
        self.field_checker = None
        self.field_check_sent_at = None

    def is_late_at(self, at: datetime.datetime) -> bool:
        return self.deadline is not None and at > self.deadline

    def can_reopen_at(self, now: datetime.datetime) -> bool:
        return self.closed_at is not None and now - self.closed_at <= REOPEN_WINDOW

    def _set_clock(self, clock: ClockSetting) -> None:
        self.time_budget_minutes = clock.budget_minutes
        self.natural_time = clock.natural
        self.clock_started_at = clock.started_at
        self.warn_at = clock.warn_at
        self.deadline = clock.deadline
        self.clock_paused_at = None

    def _start_step(self, step: str, clock: Clock) -> None:
        warn, due, done = step_fields(step)
        setattr(self, warn, clock.warn_at)
        setattr(self, due, clock.deadline)
        setattr(self, done, None)

    def _end_step(self, step: str, at: datetime.datetime) -> None:
        setattr(self, step_fields(step)[2], at)

    def _stop_clock(self) -> None:
        self.time_budget_minutes = None
        self.clock_started_at = None
        self.warn_at = None
        self.deadline = None
        self.clock_paused_at = None
        self.overdue = False
