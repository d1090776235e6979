"""Deadline reminders: the scan behind the task ``cases.tasks.send_deadline_reminders``
(defined in notifications/tasks.py).

Three steps per deadline of a ticket whose clock runs (not paused):

- **due soon** when ``warn_at`` passes (80% of the time used): the people working on it;
- **overdue** at the deadline: the ticket is flagged ``overdue``, and the people working on it
  and the brigade's supervisors are told;
- **escalated** once ``CITYMGMT_ESCALATE_FRACTION`` (150%) of the time is used: the command
  centre is told.

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

from accounts.models import User
from cases import deadlines
from cases.models import CLOCK_STATES, Ticket
from notifications.models import DeadlineReminder, NoticeKind, Notification
from notifications.services import brigade_supervisors, command_centre, queue_emails, workers

logger = logging.getLogger(__name__)

STEPS = (NoticeKind.DUE_SOON, NoticeKind.OVERDUE, NoticeKind.ESCALATED)


@dataclass
class ScanResult:
    """How many steps a scan sent (per kind) and how many notifications it wrote."""

    sent: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STEPS, 0))
    notifications: int = 0

    def as_dict(self) -> dict[str, int]:
        return {**{str(kind): n for kind, n in self.sent.items()}, "notified": self.notifications}


def _without_step(tickets: QuerySet[Ticket], kind: str) -> QuerySet[Ticket]:
    sent = DeadlineReminder.objects.filter(
        ticket=OuterRef("pk"), kind=kind, deadline=OuterRef("deadline")
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


def recipients(ticket: Ticket, kind: str) -> list[User]:
    if kind == NoticeKind.DUE_SOON:
        people = workers(ticket)
    elif kind == NoticeKind.OVERDUE:
        people = workers(ticket) + list(brigade_supervisors(ticket.brigade_id))
    else:
        people = list(command_centre())
    unique: dict[int, User] = {person.pk: person for person in people}
    return list(unique.values())


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


def _batches(candidates: QuerySet[Ticket], size: int) -> Iterator[list[Ticket]]:
    """The candidates in (deadline, id) order, a batch at a time, each batch read after the
    previous one was handled (keyset paging: rows a batch sends drop out of nothing)."""
    ordered = candidates.select_related("category").order_by("deadline", "pk")
    after: tuple[datetime.datetime, int] | None = None
    while True:
        page = ordered
        if after is not None:
            page = page.filter(Q(deadline__gt=after[0]) | Q(deadline=after[0], pk__gt=after[1]))
        tickets = list(page[:size])
        if not tickets:
            return
        yield tickets
        after = (tickets[-1].deadline, tickets[-1].pk)


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
    if any(result.sent.values()):
        logger.info("Deadline reminders sent: %s", result.as_dict())
    return result
