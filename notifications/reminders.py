"""Deadline reminders: the scan behind the task ``cases.tasks.send_deadline_reminders``
(defined in notifications/tasks.py).

Three steps per deadline of a ticket whose clock runs (not paused):

- **due soon** when ``warn_at`` passes (80% of the time used): the people working on it;
- **overdue** at the deadline: the ticket is flagged ``overdue``, and the people working on it
  and the brigade's supervisors are told;
- **escalated** once ``CITYMGMT_ESCALATE_FRACTION`` (150%) of the time is used: the command
  centre is told.

And two per clock of a desk step (``cases.step_clocks``: registration, dispatch, verification)
while the ticket waits in that step: **due soon** at its ``<step>_warn_at`` and **overdue** at
its ``<step>_due_at``, both to the brigade's supervisors (the command centre for a ticket of no
brigade, or of a brigade without one), whose step it is.

Each step for a ticket is one transaction that writes a ``DeadlineReminder`` row (unique per
ticket, step and deadline) with its notifications, so a retry, a second beat, two workers or a
worker killed halfway never send a step twice or half of it. The candidates are read through the
partial indexes on open tickets' ``deadline`` and ``warn_at``; a ticket that already had a step
is skipped by the same unique row, so a long-overdue ticket costs one index probe per scan.
"""

import datetime
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import UnitKind, User
from accounts.roles import Role
from cases import deadlines, hooks
from cases.models import CLOCK_STATES, Ticket
from cases.step_clocks import STEP_STATE, Step, due_field, warn_field
from notifications.models import REMINDER_KINDS, DeadlineReminder, NoticeKind, Notification
from notifications.services import brigade_supervisors, queue_emails, workers

logger = logging.getLogger(__name__)

STEPS = (NoticeKind.DUE_SOON, NoticeKind.OVERDUE, NoticeKind.ESCALATED)
# Each desk step's clock: (due soon, overdue).
STEP_CLOCK_KINDS: dict[str, tuple[str, str]] = {
    Step.REGISTER: (NoticeKind.REGISTER_DUE_SOON, NoticeKind.REGISTER_OVERDUE),
    Step.DISPATCH: (NoticeKind.DISPATCH_DUE_SOON, NoticeKind.DISPATCH_OVERDUE),
    Step.VERIFY: (NoticeKind.VERIFY_DUE_SOON, NoticeKind.VERIFY_OVERDUE),
}


@dataclass
class ScanResult:
    """How many steps a scan sent (per kind) and how many notifications it wrote."""

    sent: dict[str, int] = field(default_factory=lambda: dict.fromkeys(REMINDER_KINDS, 0))
    notifications: int = 0

    def as_dict(self) -> dict[str, int]:
        return {**{str(kind): n for kind, n in self.sent.items()}, "notified": self.notifications}


def _without_step(
    tickets: QuerySet[Ticket], kind: str, deadline: str = "deadline"
) -> QuerySet[Ticket]:
    sent = DeadlineReminder.objects.filter(
        ticket=OuterRef("pk"), kind=kind, deadline=OuterRef(deadline)
    )
    return tickets.exclude(Exists(sent))


def running_clocks() -> QuerySet[Ticket]:
    """Open tickets whose clock runs: the rows the partial indexes cover."""
    return Ticket.objects.filter(
        state__in=CLOCK_STATES, deadline__isnull=False, clock_paused_at__isnull=True
    )


def due_soon_candidates(now: datetime.datetime) -> QuerySet[Ticket]:
    return _without_step(
        running_clocks().filter(warn_at__lte=now, deadline__gt=now), NoticeKind.DUE_SOON
    )


def overdue_candidates(now: datetime.datetime) -> QuerySet[Ticket]:
    return _without_step(running_clocks().filter(deadline__lte=now), NoticeKind.OVERDUE)


def escalation_candidates(now: datetime.datetime) -> QuerySet[Ticket]:
    """Overdue tickets told about being overdue and not yet escalated (whether 150% has come
    is worked out per ticket: working time is not SQL arithmetic)."""
    told = DeadlineReminder.objects.filter(
        ticket=OuterRef("pk"), kind=NoticeKind.OVERDUE, deadline=OuterRef("deadline")
    )
    late = running_clocks().filter(deadline__lte=now).filter(Exists(told))
    return _without_step(late, NoticeKind.ESCALATED)


def running_step_clocks(step: str) -> QuerySet[Ticket]:
    """Tickets waiting in the step with its clock started: the rows of its partial indexes."""
    return Ticket.objects.filter(state=STEP_STATE[step], **{f"{due_field(step)}__isnull": False})


def step_due_soon_candidates(step: str, now: datetime.datetime) -> QuerySet[Ticket]:
    due, warn = due_field(step), warn_field(step)
    running = running_step_clocks(step).filter(**{f"{warn}__lte": now, f"{due}__gt": now})
    return _without_step(running, STEP_CLOCK_KINDS[step][0], due)


def step_overdue_candidates(step: str, now: datetime.datetime) -> QuerySet[Ticket]:
    due = due_field(step)
    late = running_step_clocks(step).filter(**{f"{due}__lte": now})
    return _without_step(late, STEP_CLOCK_KINDS[step][1], due)


def command_centre() -> QuerySet[User]:
    return User.objects.filter(
        is_active=True, unit__kind=UnitKind.BUREAU, groups__name=Role.SUPERVISOR
    ).distinct()


def recipients(ticket: Ticket, kind: str) -> list[User]:
    if kind == NoticeKind.DUE_SOON:
        people = workers(ticket)
    elif kind == NoticeKind.OVERDUE:
        people = workers(ticket) + list(brigade_supervisors(ticket.brigade_id))
    else:
        people = list(command_centre())
    unique: dict[int, User] = {person.pk: person for person in people}
    return list(unique.values())


def step_recipients(ticket: Ticket) -> list[User]:
    """The desk steps are the supervisors': the brigade's, else the command centre's."""
    return list(brigade_supervisors(ticket.brigade_id)) or list(command_centre())


def _step_message(ticket: Ticket, step: str, kind: str) -> str:
    due_at = timezone.localtime(getattr(ticket, due_field(step)))
    with translation.override(settings.LANGUAGE_CODE):
        if kind == STEP_CLOCK_KINDS[step][0]:
            text = _("%(category)s: %(step)s due %(deadline)s.")
        else:
            text = _("%(category)s: the %(step)s time limit %(deadline)s has passed.")
        return text % {
            "category": ticket.category.name,
            "step": Step(step).label,
            "deadline": f"{due_at:%m-%d %H:%M}",
        }


def send_step_clock(ticket: Ticket, step: str, kind: str, now: datetime.datetime) -> int | None:
    """Send one reminder of a desk step's clock (``kind``: its due soon or overdue): the unique
    reminder row for the step's due time and the supervisors' notifications, in one
    transaction. None if it had been sent, or the ticket left the step or got a new clock."""
    due = due_field(step)
    due_at = getattr(ticket, due)
    with transaction.atomic():
        if not (
            running_step_clocks(step)
            .select_for_update()
            .filter(pk=ticket.pk, **{due: due_at})
            .exists()
        ):
            return None
        people = step_recipients(ticket)
        try:
            with transaction.atomic():
                DeadlineReminder.objects.create(
                    ticket=ticket, kind=kind, deadline=due_at, sent_at=now, recipients=len(people)
                )
        except IntegrityError:
            return None  # another scan sent it first
        message = _step_message(ticket, step, kind)
        notes = Notification.objects.bulk_create(
            Notification(
                recipient=person, ticket=ticket, kind=kind, message=message, created_at=now
            )
            for person in people
        )
        queue_emails(notes, people)
    return len(notes)


def _message(ticket: Ticket, kind: str) -> str:
    # Stored text, written in the site's language (the kind's label is translated on display).
    deadline = timezone.localtime(ticket.deadline)
    with translation.override(settings.LANGUAGE_CODE):
        if kind == NoticeKind.DUE_SOON:
            text = _("%(category)s: due %(deadline)s.")
        elif kind == NoticeKind.OVERDUE:
            text = _("%(category)s: the deadline %(deadline)s has passed.")
        else:
            text = _("%(category)s: still open long after its deadline %(deadline)s.")
        return text % {"category": ticket.category.name, "deadline": f"{deadline:%m-%d %H:%M}"}


def send_step(ticket: Ticket, kind: str, now: datetime.datetime) -> int | None:
    """Send one step for the ticket's current deadline: the unique reminder row, the
    notifications and (overdue) the flag, in one transaction. None if it had been sent, or if
    the ticket moved on (finished, paused, a new deadline) since the scan read it."""
    with transaction.atomic():
        still_due = (
            running_clocks()
            .select_for_update()
            .filter(pk=ticket.pk, deadline=ticket.deadline)
            .values_list("overdue", flat=True)
        )
        overdue = still_due.first()
        if overdue is None:
            return None
        people = recipients(ticket, kind)
        try:
            with transaction.atomic():
                DeadlineReminder.objects.create(
                    ticket=ticket,
                    kind=kind,
                    deadline=ticket.deadline,
                    sent_at=now,
                    recipients=len(people),
                )
        except IntegrityError:
            return None  # another scan sent it first
        if kind == NoticeKind.OVERDUE and not overdue:
            Ticket.objects.filter(pk=ticket.pk).update(overdue=True)
            hooks.flagged_overdue(ticket, ticket.deadline)
        notes = Notification.objects.bulk_create(
            Notification(
                recipient=person,
                ticket=ticket,
                kind=kind,
                message=_message(ticket, kind),
                created_at=now,
            )
            for person in people
        )
        queue_emails(notes, people)
    return len(notes)


def carry_over(ticket: Ticket, old_deadline: datetime.datetime, now: datetime.datetime) -> int:
    """After an extension decision moves a paused clock's deadline, keep the steps already sent
    whose time has come under the new deadline too: the same lateness is not announced twice
    (a refused extension moves the deadline by the minutes the clock stood still). Steps whose
    time lies ahead again are sent afresh when it comes."""
    if ticket.deadline is None or ticket.deadline == old_deadline:
        return 0
    fraction = settings.CITYMGMT_ESCALATE_FRACTION
    kept = []
    for reminder in DeadlineReminder.objects.filter(ticket=ticket, deadline=old_deadline):
        if reminder.kind == NoticeKind.DUE_SOON:
            come = ticket.warn_at is not None and ticket.warn_at <= now
        elif reminder.kind == NoticeKind.OVERDUE:
            come = ticket.deadline <= now
        else:
            come = (
                deadlines.escalates_at(
                    ticket.deadline,
                    ticket.time_budget_minutes or 1,
                    natural=ticket.natural_time,
                    fraction=fraction,
                )
                <= now
            )
        if come:
            kept.append(
                DeadlineReminder(
                    ticket=ticket,
                    kind=reminder.kind,
                    deadline=ticket.deadline,
                    sent_at=reminder.sent_at,
                    recipients=0,
                )
            )
    DeadlineReminder.objects.bulk_create(kept, ignore_conflicts=True)
    return len(kept)


def _batches(
    candidates: QuerySet[Ticket], size: int, deadline: str = "deadline"
) -> Iterator[list[Ticket]]:
    """The candidates in (deadline, id) order, a batch at a time, each batch read after the
    previous one was handled (keyset paging: rows a batch sends drop out of nothing)."""
    ordered = candidates.select_related("category").order_by(deadline, "pk")
    after: tuple[datetime.datetime, int] | None = None
    while True:
        page = ordered
        if after is not None:
            page = page.filter(
                Q(**{f"{deadline}__gt": after[0]}) | Q(**{deadline: after[0], "pk__gt": after[1]})
            )
        tickets = list(page[:size])
        if not tickets:
            return
        yield tickets
        after = (getattr(tickets[-1], deadline), tickets[-1].pk)


def scan(now: datetime.datetime | None = None, *, batch: int | None = None) -> ScanResult:
    """Send every reminder step that has come due at ``now``. Safe to run at any time, twice,
    or in two processes at once."""
    now = now or timezone.now()
    size = batch or settings.CITYMGMT_REMINDER_BATCH
    fraction = settings.CITYMGMT_ESCALATE_FRACTION
    result = ScanResult()

    def run(
        kind: str, candidates: QuerySet[Ticket], due: Callable[[Ticket], bool] | None = None
    ) -> None:
        for tickets in _batches(candidates, size):
            for ticket in tickets:
                if due is not None and not due(ticket):
                    continue
                written = send_step(ticket, kind, now)
                if written is not None:
                    result.sent[kind] += 1
                    result.notifications += written

    def escalation_due(ticket: Ticket) -> bool:
        point = deadlines.escalates_at(
            ticket.deadline,
            ticket.time_budget_minutes or 1,
            natural=ticket.natural_time,
            fraction=fraction,
        )
        return point <= now

    run(NoticeKind.DUE_SOON, due_soon_candidates(now))
    run(NoticeKind.OVERDUE, overdue_candidates(now))
    run(NoticeKind.ESCALATED, escalation_candidates(now), escalation_due)
    for step, (soon, late) in STEP_CLOCK_KINDS.items():
        for kind, candidates in (
            (soon, step_due_soon_candidates(step, now)),
            (late, step_overdue_candidates(step, now)),
        ):
            for tickets in _batches(candidates, size, due_field(step)):
                for ticket in tickets:
                    written = send_step_clock(ticket, step, kind, now)
                    if written is not None:
                        result.sent[kind] += 1
                        result.notifications += written
    if any(result.sent.values()):
        logger.info("Deadline reminders sent: %s", result.as_dict())
    return result
