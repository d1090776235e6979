"""Every write that matters to a ticket: one function per thing a person does to it.

Each transition service locks the ticket row (scoped: a ticket the actor may not see is a 404),
checks that the ticket is still in the state the actor saw and that the actor may make the move,
applies the state machine's transition, saves the changed fields, writes one ``TicketEvent`` and
what listens to it (``cases.hooks``: the inbox rows of ``notifications``). Two
people acting at once: the second waits for the lock, then finds the state moved on and gets
``TicketConflict`` with a message saying so.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from accounts.models import Officer, User
from accounts.roles import Role, has_role
from cases import deadlines, hooks
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
    Source,
    State,
    Ticket,
    TicketEvent,
)
from cases.numbers import next_number
from cases.permissions import files_on_patrol, officer_id_of
from cases.photos import store_photos
from cases.selectors import dispatchable_officers, referral_units, tickets_visible_to
from cases.transitions import ClockSetting, saved_fields
from citymgmt import workcalendar
from citymgmt.errors import StaleWrite
from citymgmt.images import ProcessedImage
from grids.models import Community
from grids.services import locate


class TicketConflict(StaleWrite):
    """The ticket changed since the actor looked at it; ``message`` says what it is now."""

    def __init__(self, ticket: Ticket) -> None:
        self.ticket = ticket
        super().__init__(
            _(
                "Ticket %(number)s has just been changed by someone else: it is now “%(state)s”. "
                "The page has been refreshed; please check it before acting again."
            )
            % {"number": ticket.number, "state": ticket.get_state_display()}
        )


# --- creation ---------------------------------------------------------------------------------


def _check_category(category: Category) -> None:
    if not category.is_active or category.is_major:
        raise ValidationError({"category": _("Choose an active category.")})


def _place(
    ticket: Ticket, *, lat: float | None, lng: float | None, community: Community | None
) -> None:
    """Grid from locate(); community from the grid, else as chosen by hand; street, district
    and brigade copied down so the queues filter on the ticket table alone."""
    cell = locate(lat, lng) if lat is not None and lng is not None else None
    ticket.grid_cell = cell
    community_id = cell.community_id if cell is not None else getattr(community, "pk", None)
    if community_id is None:
        # Nobody but the command centre would ever see it: ask where it is instead.
        raise ValidationError(
            {"community": _("This point is on no unit grid: choose the community.")}
        )
    if cell is not None:
        community = cell.community  # locate() brought it, its street and district along
    else:
        community = Community.objects.select_related("street").get(pk=community_id)
    ticket.community = community
    ticket.street_id = community.street_id
    ticket.district_id = community.street.district_id
    ticket.brigade_id = community.brigade_id


def create_ticket(
    *,
    actor: User | None,
    source: str,
    category: Category,
    description: str,
    lat: float | None = None,
    lng: float | None = None,
    address: str = "",
    community: Community | None = None,
    priority: str = Priority.NORMAL,
    reporter_name: str = "",
    reporter_phone: str = "",
    photos: Sequence[ProcessedImage] = (),
    internal_note: str = "",
    event_data: dict[str, Any] | None = None,
) -> Ticket:
    """File a new report (state ``reported``) for a supervisor to register or reject.

    Callers gate who may file: the public form (anyone), the hotline intake (supervisors),
    patrol findings (officers), the API. A point on no grid still makes a ticket: the
    community chosen by hand then decides who sees it. ``event_data`` adds to the creation
    event's details (the API: which client filed it, a linked media URL). A ValidationError
    (category, place) is raised before anything is written.
    """
    _check_category(category)
    now = timezone.now()
    ticket = Ticket(
        source=source,
        category=category,
        priority=priority,
        description=description,
        address=address,
        lat=lat,
        lng=lng,
        reporter=actor,
        reporter_name=reporter_name,
        reporter_phone=reporter_phone,
        reported_at=now,
    )
    _place(ticket, lat=lat, lng=lng, community=community)
    # No savepoint: what can fail from here on (the database, the photo storage) is no answer
    # a caller gives the user (they catch ValidationError only), so it fails the caller's whole
    # transaction anyway; a savepoint would protect nothing and cost two round trips on every
    # report. The number is taken last, once the ticket is sure to be filed.
    with transaction.atomic(savepoint=False):
        ticket.number = next_number(timezone.localdate(now))
        ticket.save()
        event = record_event(
            ticket,
            actor,
            Action.CREATE,
            from_state="",
            internal_note=internal_note,
            data={**(event_data or {}), "source": source},
            at=now,
        )
        store_photos(
            ticket=ticket, photos=photos, kind=PhotoKind.REPORT, uploaded_by=actor, event=event
        )
    return ticket


@transaction.atomic
def create_on_site_ticket(
    *,
    actor: User,
    category: Category,
    description: str,
    before: Sequence[ProcessedImage],
    after: Sequence[ProcessedImage],
    lat: float | None = None,
    lng: float | None = None,
    address: str = "",
    community: Community | None = None,
    note: str = "",
) -> Ticket:
    """An officer fixed a problem on the spot (现场整改): the ticket is born closed, with before
    and after photos, ``on_site=True``. Officers only, and only in their own brigade's area
    (``permissions.files_on_patrol``): elsewhere it is a ValidationError on ``community``."""
    officer = getattr(actor, "officer", None) if has_role(actor, Role.OFFICER) else None
    if officer is None:
        raise PermissionDenied(_("Only officers record on-site fixes."))
    if not before or not after:
        raise ValidationError(_("An on-site fix needs a photo from before and one from after."))
    _check_category(category)
    now = timezone.now()
    ticket = Ticket(
        number=next_number(timezone.localdate(now)),
        state=State.CLOSED,
        source=Source.PATROL,
        category=category,
        description=description,
        address=address,
        lat=lat,
        lng=lng,
        reporter=actor,
        assignee=officer,
        on_site=True,
        reported_at=now,
        registered_at=now,
        dispatched_at=now,
        started_at=now,
        resolved_at=now,
        closed_at=now,
    )
    _place(ticket, lat=lat, lng=lng, community=community)
    # The same rule as a patrol finding (``files_on_patrol``): an officer closes cases only in
    # their own brigade's area; elsewhere it is that brigade's to register and check.
    if not files_on_patrol(ticket, actor):
        raise ValidationError(
            {
                "community": _(
                    "This place is another brigade's area: you cannot close it on site. "
                    "Report it for dispatch instead."
                )
            }
        )
    ticket.save()
    event = record_event(ticket, actor, Action.ON_SITE, from_state="", public_note=note, at=now)
    store_photos(
        ticket=ticket, photos=before, kind=PhotoKind.BEFORE, uploaded_by=actor, event=event
    )
    store_photos(ticket=ticket, photos=after, kind=PhotoKind.AFTER, uploaded_by=actor, event=event)
    return ticket


@transaction.atomic
def file_patrol_finding(
    *,
    actor: User,
    category: Category,
    description: str,
    photos: Sequence[ProcessedImage] = (),
    lat: float | None = None,
    lng: float | None = None,
    address: str = "",
    community: Community | None = None,
    unit_id: int | None = None,
    person: str = "",
    deadline: datetime.datetime | None = None,
    note: str = "",
) -> Ticket:
    """An officer on patrol files what they found and could not fix on the spot. Officers only.

    In their own brigade's area the report is pre-checked by the officer who saw it, so it is
    registered at once (立案) for the supervisor to dispatch; with ``unit_id`` it is also pushed
    to that responsible unit with the clock started (推送责任单位). Found in another brigade's area,
    it stays a report for that brigade's supervisor. Each step is the state machine's transition
    with its own audit row; the officer's right to take it is ``permissions.files_on_patrol``
    (the transitions' own predicate is the supervisor's).
    """
    if officer_id_of(actor) is None:
        raise PermissionDenied(_("Only officers file patrol findings."))
    unit = None
    if unit_id is not None:
        unit = referral_units().filter(pk=unit_id).first()
        if unit is None:
            raise ValidationError({"unit": _("Choose a department or street office.")})
        if not person.strip():
            raise ValidationError({"person": _("Name the person responsible at the unit.")})
        _check_deadline(deadline, timezone.now())
    ticket = create_ticket(
        actor=actor,
        source=Source.PATROL,
        category=category,
        description=description,
        lat=lat,
        lng=lng,
        address=address,
        community=community,
        photos=photos,
    )
    if not files_on_patrol(ticket, actor):
        if unit is not None:
            raise ValidationError(
                _("This place is another brigade's: report it for dispatch instead.")
            )
        return ticket
    now = timezone.now()
    ticket.register(at=now)
    ticket.save(update_fields=saved_fields("register"))
    record_event(ticket, actor, Action.REGISTER, from_state=State.REPORTED, data={"by": "patrol"})
    if unit is not None:
        clock = _new_clock(ticket, now, deadline=deadline)
        ticket.refer(unit=unit, person=person.strip(), at=now, clock=clock)
        ticket.save(update_fields=saved_fields("refer"))
        record_event(
            ticket,
            actor,
            Action.REFER,
            from_state=State.REGISTERED,
            public_note=note,
            data={"unit": unit.name, "person": person.strip(), "by": "patrol"},
        )
    return ticket


# --- the machinery every transition shares --------------------------------------------------


def lock_ticket(actor: User, ticket_id: int) -> Ticket:
    """The ticket, row-locked for this transaction, if the actor may see it (else Http404)."""
    return get_object_or_404(
        tickets_visible_to(actor).select_for_update(of=("self",)).select_related("category"),
        pk=ticket_id,
    )


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
    ticket = lock_ticket(actor, ticket_id)
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
    step = Step(
        transition="register",
        action=Action.REGISTER,
        kwargs={"at": timezone.now(), "category": category, "priority": priority},
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
    ticket = lock_ticket(actor, ticket_id)
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
    ticket = lock_ticket(actor, ticket_id)
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
    ticket = lock_ticket(actor, ticket_id)
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
    ticket = lock_ticket(actor, ticket_id)
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
    ticket = lock_ticket(actor, ticket_id)
    data = {"unit": ticket.responsible_unit.name} if ticket.responsible_unit_id else {}
    step = Step(
        transition="send_back",
        action=Action.RETURN,
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
    ticket = lock_ticket(actor, ticket_id)
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
    ticket = lock_ticket(actor, ticket_id)
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
    ticket = lock_ticket(actor, ticket_id)
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
    ticket = lock_ticket(actor, ticket_id)
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
    ticket = lock_ticket(actor, ticket_id)
    now = timezone.now()
    step = Step(
        transition="resolve",
        action=Action.RESOLVE,
        kwargs={"at": now},
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
    ticket = lock_ticket(actor, ticket_id)
    now = timezone.now()
    step = Step(
        transition="conclude",
        action=Action.CONCLUDE,
        kwargs={"at": now},
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
    ticket = lock_ticket(actor, ticket_id)
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
            kwargs={"clock": _new_clock(ticket, now)},
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
    ticket = lock_ticket(actor, ticket_id)
    step = Step(
        transition="reopen",
        action=Action.REOPEN,
        public_note=reason.strip(),
    )
    _apply(ticket, actor, step, expected_state=expected_state)
    # A dissatisfied reporter's request (residents.services) is answered by the reopening.
    ticket.reopen_requests.filter(decided_at__isnull=True).update(
        decided_by=actor, decided_at=timezone.now(), reopened=True, decision_note=reason.strip()
    )
    return ticket


# --- several at once ---------------------------------------------------------------------------


@dataclass
class BulkResult:
    done: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (number, why)


def _bulk(actor: User, ticket_ids: Iterable[int], act: Any) -> BulkResult:
    """Apply ``act(ticket_id)`` to each ticket in its own savepoint: one ticket that cannot move
    (taken by someone else, out of scope) does not stop the others."""
    result = BulkResult()
    numbers = dict(tickets_visible_to(actor).filter(pk__in=ticket_ids).values_list("pk", "number"))
    for ticket_id in ticket_ids:
        number = numbers.get(ticket_id)
        if number is None:
            continue
        try:
            with transaction.atomic():
                act(ticket_id)
        except TicketConflict as exc:
            result.failed.append((number, exc.message))
        except (PermissionDenied, ValidationError) as exc:
            message = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
            result.failed.append((number, message))
        else:
            result.done.append(number)
    return result


def bulk_dispatch(*, actor: User, ticket_ids: Sequence[int], officer_id: int) -> BulkResult:
    """Supervisor: dispatch the selected tickets to one officer."""
    return _bulk(
        actor,
        ticket_ids,
        lambda pk: dispatch_ticket(
            actor=actor, ticket_id=pk, officer_id=officer_id, expected_state=State.REGISTERED
        ),
    )


def bulk_refer(
    *,
    actor: User,
    ticket_ids: Sequence[int],
    unit_id: int,
    person: str,
    deadline: datetime.datetime | None = None,
) -> BulkResult:
    """Supervisor: refer the selected tickets to one unit."""
    return _bulk(
        actor,
        ticket_ids,
        lambda pk: refer_ticket(
            actor=actor,
            ticket_id=pk,
            unit_id=unit_id,
            person=person,
            deadline=deadline,
            expected_state=State.REGISTERED,
        ),
    )


def bulk_register(*, actor: User, ticket_ids: Sequence[int]) -> BulkResult:
    """Supervisor: register the selected reports as they are."""
    return _bulk(
        actor,
        ticket_ids,
        lambda pk: register_ticket(actor=actor, ticket_id=pk, expected_state=State.REPORTED),
    )


__all__ = [
    "BulkResult",
    "TicketConflict",
    "accept_ticket",
    "bulk_dispatch",
    "bulk_refer",
    "bulk_register",
    "conclude_enforcement",
    "create_on_site_ticket",
    "create_ticket",
    "decide_extension",
    "dispatch_ticket",
    "enforce_ticket",
    "file_patrol_finding",
    "lock_ticket",
    "refer_ticket",
    "register_ticket",
    "reject_ticket",
    "reopen_ticket",
    "request_extension",
    "resolve_ticket",
    "return_ticket",
    "start_ticket",
    "verify_ticket",
]
