"""The transitions of a ticket, one service per thing a person does to it.

Each transition service locks the ticket row (scoped: a ticket the actor may not see is a 404),
checks that the ticket is still in the state the actor saw and that the actor may make the move,
applies the state machine's transition, saves the changed fields, writes one ``TicketEvent`` and
what listens to it (``cases.hooks``: the inbox rows of ``notifications``). Two
people acting at once: the second waits for the lock, then finds the state moved on and gets
``TicketConflict`` with a message saying so.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from accounts.models import Officer, User
from cases import deadlines, hooks, step_clocks
from cases.audit import record_event
from cases.models import (
    OPEN_STATES,
    Action,
    Category,
    DeadlineUnit,
    ExtensionRequest,
    PhotoKind,
    Priority,
    RejectReason,
    Ticket,
    TicketEvent,
)
from cases.photos import store_photos
from cases.selectors import (
    access_ticket_by_id,
    dispatchable_officers,
    referral_units,
    tickets_visible_to,
)
from cases.transitions import ClockSetting, saved_fields
from citymgmt import workcalendar
from citymgmt.errors import StaleWrite
from citymgmt.images import ProcessedImage


class TicketConflict(StaleWrite):
    """The ticket changed since the actor looked at it; ``message`` says what it is now."""

    def __init__(self, ticket: Ticket) -> None:
        self.ticket = ticket
        super().__init__(
            _(
                "Ticket %(number)s has just been changed by someone else: it is now “%(state)s”. "
                "The page has been refreshed; please check it before acting again."
            )
            % {"number": ticket.number, "state": ticket.get_state_display()},
            _(
                "Ticket %(number)s is now “%(state)s”: this step does not apply to it and nothing "
                "was changed. Read the ticket again before acting."
            )
            % {"number": ticket.number, "state": ticket.get_state_display()},
        )


# --- the machinery every transition shares --------------------------------------------------


@dataclass(kw_only=True)
class Step:
    """One transition as a service performs it: the fields it saves are the transition's own
    declaration (``cases.transitions.writes``)."""

    transition: str
    action: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    public_note: str = ""
    internal_note: str = ""
    data: dict[str, Any] = field(default_factory=dict)


def may_attempt(ticket: Ticket, transition: str, user: User) -> bool:
    """Whether the user holds the transition's permission in the ticket's current state, whatever
    its conditions say (``has_transition_perm`` checks both)."""
    method = getattr(ticket, transition)
    return bool(method._django_fsm.has_transition_perm(ticket, ticket.state, user))


def _apply(ticket: Ticket, actor: User, step: Step, *, expected_state: str | None) -> TicketEvent:
    method = getattr(ticket, step.transition)
    number = {"number": ticket.number}
    if (expected_state and ticket.state != expected_state) or not can_proceed(
        method, check_conditions=False
    ):
        raise TicketConflict(ticket)
    if not may_attempt(ticket, step.transition, actor):
        raise PermissionDenied(_("You may not do this to ticket %(number)s.") % number)
    if not can_proceed(method):
        raise ValidationError(_("This step does not apply to ticket %(number)s.") % number)
    from_state = ticket.state
    method(**step.kwargs)
    ticket.save(update_fields=saved_fields(step.transition))
    return record_event(
        ticket,
        actor,
        step.action,
        from_state=from_state,
        public_note=step.public_note,
        internal_note=step.internal_note,
        data=step.data,
    )


def _check_category(category: Category) -> None:
    if not category.is_active or category.is_major:
        raise ValidationError({"category": _("Choose an active category.")})


def _check_deadline(deadline: datetime.datetime | None, now: datetime.datetime) -> None:
    """A deadline named by hand lies in the future and at most ``deadlines.MAX_AHEAD`` away (a
    typo like 2200 would be no deadline at all, and costly to count in working minutes)."""
    if deadline is None:
        return
    if deadline <= now:
        raise ValidationError({"deadline": _("The deadline must be in the future.")})
    if deadline > now + deadlines.MAX_AHEAD:
        raise ValidationError({"deadline": _("The deadline can be at most one year ahead.")})


def _new_clock(
    ticket: Ticket, at: datetime.datetime, *, deadline: datetime.datetime | None = None
) -> ClockSetting:
    """The ticket's deadline clock from its category (urgent: natural hours), or up to
    ``deadline`` when the supervisor names one (a referral's 责任清单 date)."""
    category = ticket.category
    if ticket.priority == Priority.URGENT and category.urgent_hours:
        natural, minutes = True, category.urgent_hours * 60
    else:
        unit = category.deadline_unit
        natural = unit == DeadlineUnit.NATURAL_HOURS
        minutes = deadlines.budget_minutes(category.deadline_value or 1, unit)
    if deadline is not None:
        minutes = (
            int((deadline - at).total_seconds() // 60)
            if natural
            else workcalendar.working_minutes_between(at, deadline)
        )
    clock = deadlines.start_clock(at, max(minutes, 1), natural=natural)
    return ClockSetting(
        budget_minutes=max(minutes, 1),
        natural=natural,
        started_at=clock.started_at,
        warn_at=clock.warn_at,
        deadline=deadline or clock.deadline,
    )


VERIFY = step_clocks.Step.VERIFY


def _dispatch_clock(ticket: Ticket) -> deadlines.Clock:
    """A fresh dispatch clock from now: the ticket is back on the supervisor's desk."""
    return step_clocks.start(ticket.category, step_clocks.Step.DISPATCH, timezone.now())


def _officer_for(ticket: Ticket, officer_id: int) -> Officer:
    officer = dispatchable_officers(ticket).filter(pk=officer_id).first()
    if officer is None:
        raise ValidationError({"officer": _("Choose an officer of this ticket's brigade.")})
    return officer


# --- transitions ------------------------------------------------------------------------------


@transaction.atomic
def register_ticket(
    *,
    actor: User,
    ticket_id: int,
    note: str = "",
    category: Category | None = None,
    priority: str | None = None,
    expected_state: str | None = None,
) -> Ticket:
    """Supervisor (of the ticket's brigade): accept a report as a case (立案), correcting its
    category and priority if needed."""
    ticket = access_ticket_by_id(actor, ticket_id, for_update=True)
    data = {}
    if category is not None and category.pk != ticket.category_id:
        _check_category(category)
        data["category"] = [ticket.category.service_code, category.service_code]
    else:
        category = None
    if priority and priority != ticket.priority:
        data["priority"] = [ticket.priority, priority]
    else:
        priority = None
    now = timezone.now()
    dispatch_clock = step_clocks.start(category or ticket.category, step_clocks.Step.DISPATCH, now)
    step = Step(
        transition="register",
        action=Action.REGISTER,
        kwargs={
            "at": now,
            "dispatch_clock": dispatch_clock,
            "category": category,
            "priority": priority,
        },
        public_note=note,
        data=data,
    )
    _apply(ticket, actor, step, expected_state=expected_state)
    return ticket


@transaction.atomic
def reject_ticket(
    *,
    actor: User,
    ticket_id: int,
    reason: str,
    note: str,
    duplicate_of_number: str = "",
    expected_state: str | None = None,
) -> Ticket:
    """Supervisor: reject a report (invalid, out of scope, or a duplicate of an open ticket,
    which is then noted on the original's timeline). A reason is required."""
    if reason not in RejectReason.values:
        raise ValidationError({"reason": _("Choose a reason.")})
    if not note.strip():
        raise ValidationError({"note": _("Say why, so the reporter understands.")})
    ticket = access_ticket_by_id(actor, ticket_id, for_update=True)
    original = None
    if reason == RejectReason.DUPLICATE:
        original = (
            tickets_visible_to(actor)
            .filter(number=duplicate_of_number.strip(), state__in=OPEN_STATES)
            .exclude(pk=ticket.pk)
            .first()
        )
        if original is None:
            raise ValidationError(
                {
                    "duplicate_of": _(
                        "Give the number of the original ticket: an open one you can see."
                    )
                }
            )
    now = timezone.now()
    step = Step(
        transition="reject",
        action=Action.REJECT,
        kwargs={"reason": reason, "at": now, "duplicate_of": original},
        public_note=note,
        data={"reason": reason, "duplicate_of": original.number if original else ""},
    )
    _apply(ticket, actor, step, expected_state=expected_state)
    if original is not None:
        record_event(
            original,
            actor,
            Action.DUPLICATE_LINKED,
            from_state=original.state,
            data={"duplicate": ticket.number},
        )
    return ticket


@transaction.atomic
def dispatch_ticket(
    *,
    actor: User,
    ticket_id: int,
    officer_id: int,
    note: str = "",
    expected_state: str | None = None,
) -> Ticket:
    """Supervisor: send a registered ticket to an officer of its brigade; the clock starts."""
    ticket = access_ticket_by_id(actor, ticket_id, for_update=True)
    officer = _officer_for(ticket, officer_id)
    now = timezone.now()
    step = Step(
        transition="dispatch",
        action=Action.DISPATCH,
        kwargs={"officer": officer, "at": now, "clock": _new_clock(ticket, now)},
        public_note=note,
        data={"officer": officer.badge_number, "officer_name": str(officer.user)},
    )
    _apply(ticket, actor, step, expected_state=expected_state)
    return ticket


@transaction.atomic
def refer_ticket(
    *,
    actor: User,
    ticket_id: int,
    unit_id: int,
    person: str,
    deadline: datetime.datetime | None = None,
    note: str = "",
    expected_state: str | None = None,
) -> Ticket:
    """Supervisor: push a registered ticket to the responsible unit (推送责任单位) with the
    person answerable and a deadline: a line of the responsibility list (责任清单)."""
    ticket = access_ticket_by_id(actor, ticket_id, for_update=True)
    unit = referral_units().filter(pk=unit_id).first()
    if unit is None:
        raise ValidationError({"unit": _("Choose a department or street office.")})
    if not person.strip():
        raise ValidationError({"person": _("Name the person responsible at the unit.")})
    now = timezone.now()
    _check_deadline(deadline, now)
    clock = _new_clock(ticket, now, deadline=deadline)
    step = Step(
        transition="refer",
        action=Action.REFER,
        kwargs={"unit": unit, "person": person.strip(), "at": now, "clock": clock},
        public_note=note,
        data={"unit": unit.name, "person": person.strip()},
    )
    _apply(ticket, actor, step, expected_state=expected_state)
    return ticket


@transaction.atomic
def enforce_ticket(
    *,
    actor: User,
    ticket_id: int,
    officer_id: int,
    note: str = "",
    expected_state: str | None = None,
) -> Ticket:
    """Supervisor: open an enforcement case (依法查处) for an enforceable category, handled by an
    officer of the brigade."""
    ticket = access_ticket_by_id(actor, ticket_id, for_update=True)
    officer = _officer_for(ticket, officer_id)
    now = timezone.now()
    step = Step(
        transition="enforce",
        action=Action.ENFORCE,
        kwargs={"officer": officer, "at": now, "clock": _new_clock(ticket, now)},
        internal_note=note,
        data={"officer": officer.badge_number, "officer_name": str(officer.user)},
    )
    _apply(ticket, actor, step, expected_state=expected_state)
    return ticket


@transaction.atomic
def return_ticket(
    *, actor: User, ticket_id: int, reason: str, expected_state: str | None = None
) -> Ticket:
    """The assignee officer or the unit's handler: hand a ticket back (not ours, wrong place)
    with a reason; it goes back to the supervisor as registered, the clock stopped."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the ticket is returned.")})
    ticket = access_ticket_by_id(actor, ticket_id, for_update=True)
    data = {"unit": ticket.responsible_unit.name} if ticket.responsible_unit_id else {}
    step = Step(
        transition="send_back",
        action=Action.RETURN,
        kwargs={"dispatch_clock": _dispatch_clock(ticket)},
        internal_note=reason.strip(),
        data=data,
    )
    _apply(ticket, actor, step, expected_state=expected_state)
    return ticket


@transaction.atomic
def accept_ticket(
    *, actor: User, ticket_id: int, note: str = "", expected_state: str | None = None
) -> Ticket:
    """The unit's handler: acknowledge a referred ticket (签收)."""
    ticket = access_ticket_by_id(actor, ticket_id, for_update=True)
    step = Step(
        transition="accept", action=Action.ACCEPT, kwargs={"at": timezone.now()}, public_note=note
    )
    _apply(ticket, actor, step, expected_state=expected_state)
    return ticket


@transaction.atomic
def start_ticket(
    *, actor: User, ticket_id: int, note: str = "", expected_state: str | None = None
) -> Ticket:
    """The assignee officer: on the way / working on it."""
    ticket = access_ticket_by_id(actor, ticket_id, for_update=True)
    step = Step(
        transition="start", action=Action.START, kwargs={"at": timezone.now()}, public_note=note
    )
    _apply(ticket, actor, step, expected_state=expected_state)
    return ticket


@transaction.atomic
def request_extension(
    *,
    actor: User,
    ticket_id: int,
    extra_hours: int,
    reason: str,
    expected_state: str | None = None,
) -> ExtensionRequest:
    """The assignee officer or unit: ask for more time; the clock stops until a supervisor
    decides."""
    if extra_hours < 1:
        raise ValidationError({"extra_hours": _("Ask for at least one hour.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why more time is needed.")})
    ticket = access_ticket_by_id(actor, ticket_id, for_update=True)
    now = timezone.now()
    step = Step(
        transition="request_extension",
        action=Action.EXTEND_REQUEST,
        kwargs={"at": now},
        internal_note=reason.strip(),
        data={"extra_hours": extra_hours},
    )
    _apply(ticket, actor, step, expected_state=expected_state)
    return ExtensionRequest.objects.create(
        ticket=ticket,
        requested_by=actor,
        requested_at=now,
        extra_minutes=extra_hours * 60,
        reason=reason.strip(),
    )


@transaction.atomic
def decide_extension(
    *,
    actor: User,
    ticket_id: int,
    approve: bool,
    note: str = "",
    expected_state: str | None = None,
) -> Ticket:
    """Supervisor: approve or deny a pending extension. Either way the clock runs again and the
    deadline moves by the time it stood still; an approval adds the time asked for."""
    ticket = access_ticket_by_id(actor, ticket_id, for_update=True)
    pending = ticket.extension_requests.filter(decided_at__isnull=True).first()
    if pending is None or ticket.clock_paused_at is None:
        raise TicketConflict(ticket)
    now = timezone.now()
    paused_at = ticket.clock_paused_at
    extra = pending.extra_minutes if approve else 0
    old_deadline = ticket.deadline
    moved = {
        "deadline": ticket.deadline,
        "warn_at": ticket.warn_at,
        "time_budget_minutes": ticket.time_budget_minutes,
    }
    if ticket.deadline is not None and ticket.warn_at is not None:
        moved["deadline"], moved["warn_at"] = deadlines.shift_for_pause(
            ticket.deadline,
            ticket.warn_at,
            paused_at,
            now,
            natural=ticket.natural_time,
            extra_minutes=extra,
        )
        moved["time_budget_minutes"] = (ticket.time_budget_minutes or 0) + extra
    step = Step(
        transition="decide_extension",
        action=Action.EXTEND_APPROVE if approve else Action.EXTEND_DENY,
        kwargs=moved,
        internal_note=note,
        data={"extra_hours": extra // 60, "requested_by": pending.requested_by_id},
    )
    _apply(ticket, actor, step, expected_state=expected_state)
    if old_deadline is not None:
        hooks.deadline_moved(ticket, old_deadline, now)
    pending.decided_by = actor
    pending.decided_at = now
    pending.approved = approve
    pending.save(update_fields=["decided_by", "decided_at", "approved"])
    return ticket


def _close_pending_extension(ticket: Ticket, actor: User, at: datetime.datetime) -> None:
    ticket.extension_requests.filter(decided_at__isnull=True).update(
        decided_by=actor, decided_at=at, approved=False
    )


@transaction.atomic
def resolve_ticket(
    *,
    actor: User,
    ticket_id: int,
    note: str,
    photos: Sequence[ProcessedImage],
    expected_state: str | None = None,
) -> Ticket:
    """The assignee officer or the unit's handler: report the problem fixed, with a note and at
    least one photo of the result, for the supervisor to verify."""
    if not note.strip():
        raise ValidationError({"note": _("Say what was done.")})
    if not photos:
        raise ValidationError({"photos": _("Add a photo of the result.")})
    ticket = access_ticket_by_id(actor, ticket_id, for_update=True)
    now = timezone.now()
    step = Step(
        transition="resolve",
        action=Action.RESOLVE,
        kwargs={"at": now, "verify_clock": step_clocks.start(ticket.category, VERIFY, now)},
        public_note=note.strip(),
        data={"late": ticket.is_late_at(now)},
    )
    event = _apply(ticket, actor, step, expected_state=expected_state)
    _close_pending_extension(ticket, actor, now)
    store_photos(ticket=ticket, photos=photos, kind=PhotoKind.AFTER, uploaded_by=actor, event=event)
    return ticket


@transaction.atomic
def conclude_enforcement(
    *,
    actor: User,
    ticket_id: int,
    note: str,
    photos: Sequence[ProcessedImage] = (),
    expected_state: str | None = None,
) -> Ticket:
    """The enforcing officer or a supervisor: record how the enforcement case ended (decision,
    correction made) with optional evidence photos."""
    if not note.strip():
        raise ValidationError({"note": _("Record how the case was concluded.")})
    ticket = access_ticket_by_id(actor, ticket_id, for_update=True)
    now = timezone.now()
    step = Step(
        transition="conclude",
        action=Action.CONCLUDE,
        kwargs={"at": now, "verify_clock": step_clocks.start(ticket.category, VERIFY, now)},
        public_note=note.strip(),
        data={"late": ticket.is_late_at(now)},
    )
    event = _apply(ticket, actor, step, expected_state=expected_state)
    _close_pending_extension(ticket, actor, now)
    store_photos(
        ticket=ticket, photos=photos, kind=PhotoKind.EVIDENCE, uploaded_by=actor, event=event
    )
    return ticket


@transaction.atomic
def verify_ticket(
    *,
    actor: User,
    ticket_id: int,
    passed: bool,
    note: str = "",
    expected_state: str | None = None,
) -> Ticket:
    """Supervisor: check the fix (核查). Pass closes the ticket; fail sends it back for rework to
    the same officer or unit, with a fresh deadline, and counts a rework."""
    ticket = access_ticket_by_id(actor, ticket_id, for_update=True)
    now = timezone.now()
    if passed:
        step = Step(
            transition="verify_pass",
            action=Action.VERIFY_PASS,
            kwargs={"at": now},
            public_note=note,
        )
    else:
        if not note.strip():
            raise ValidationError({"note": _("Say what still needs doing.")})
        step = Step(
            transition="verify_fail",
            action=Action.VERIFY_FAIL,
            kwargs={"at": now, "clock": _new_clock(ticket, now)},
            public_note=note.strip(),
        )
    _apply(ticket, actor, step, expected_state=expected_state)
    return ticket


@transaction.atomic
def reopen_ticket(
    *, actor: User, ticket_id: int, reason: str, expected_state: str | None = None
) -> Ticket:
    """Supervisor: reopen a ticket closed less than 30 days ago (the problem came back, or the
    resident is not satisfied); it returns to registered for a new decision."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the ticket is reopened.")})
    ticket = access_ticket_by_id(actor, ticket_id, for_update=True)
    step = Step(
        transition="reopen",
        action=Action.REOPEN,
        kwargs={"dispatch_clock": _dispatch_clock(ticket)},
        public_note=reason.strip(),
    )
    _apply(ticket, actor, step, expected_state=expected_state)
    # A dissatisfied reporter's request (residents.services) is answered by the reopening.
    ticket.reopen_requests.filter(decided_at__isnull=True).update(
        decided_by=actor, decided_at=timezone.now(), reopened=True, decision_note=reason.strip()
    )
    return ticket
