"""The demo's deadline reminders: its history marked as reminded, and one ticket on a short
clock so a reminder arrives in the demo officer's inbox within minutes of ``make run``.

History: the demo's casework is written in bulk, with no notifications, and many of its open
tickets are long past 80% of their time or their deadline. Left alone, the first scan after
``make run`` would send hundreds of stale reminders at once. So every reminder step that has
come due on a demo ticket is recorded as sent (its ``DeadlineReminder`` row, with nobody
notified) and the overdue ones are flagged ``overdue``, as the scan would have left them. Demo
tickets are those without any notification: anything filed or moved on the live site has some,
and so has a demo ticket once the scan has told someone about it, so neither is touched.

The demo ticket (``DEMO_MARK`` on its creation event) is a hotline complaint dispatched to
``off_gl1_01`` through the services (so its timeline is real), then given a 25-minute clock in
natural time, which every run of this step re-arms to start 19 minutes ago: due soon in a
minute, overdue in six, escalated to the command centre some minutes after. Re-arming is not
counted as created, and neither are history rows (time alone adds some between two runs).
"""

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from accounts.models import Officer, User
from cases import deadlines, services
from cases.models import Action, Category, Source, State, Ticket, TicketEvent
from demo.grids import DemoLogin, Writer
from grids.models import Assignment
from notifications.models import DeadlineReminder, NoticeKind, Notification
from notifications.reminders import escalation_candidates, overdue_candidates, running_clocks

__all__ = ["DEMO_MARK", "seed_reminders"]

DEMO_MARK = "reminder"  # TicketEvent.data["demo"] on the demo ticket's creation event
OFFICER = "off_gl1_01"
SUPERVISOR = "sup_gl1"
CATEGORY = ("event", "0102")  # 暴露垃圾
BUDGET = dt.timedelta(minutes=25)
WARN_IN = dt.timedelta(minutes=1)
BATCH = 500


def seed_reminders(*, stdout: Writer | None = None) -> dict[str, Any]:
    """Re-arm (or file) the demo ticket, then mark the demo's due reminder steps as sent.

    Returns ``{"created": {...}, "logins": [a line saying whose inbox to watch, and when]}``.
    """
    created: dict[str, int] = {}
    logins: list[DemoLogin] = []
    with transaction.atomic():
        now = timezone.now()
        ticket, new = _demo_ticket(now)
        if ticket is not None:
            _arm(ticket, now)
            logins.append(_expect(ticket))
            if new:
                created["reminder demo tickets"] = 1
        marked = mark_history(now)
    if stdout is not None:
        steps = ", ".join(f"{n} {kind}" for kind, n in marked.items())
        stdout.write(f"  reminders: history marked as sent ({steps})\n")
    return {"created": created, "logins": logins}


# --- history ----------------------------------------------------------------------------------


def _demo_only(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    return tickets.exclude(Exists(Notification.objects.filter(ticket=OuterRef("pk"))))


def mark_history(now: dt.datetime) -> dict[str, int]:
    """Record every step whose time has come at ``now`` on demo tickets as already sent, with
    no notification; flag the overdue ones. The scan's own candidate queries decide, so a scan
    right after finds nothing left on them."""
    fields = ("pk", "deadline", "warn_at", "time_budget_minutes", "natural_time")
    marked = {}
    # Overdue tickets were warned on their way too (the scan skips that step once too late).
    warned = running_clocks().filter(warn_at__lte=now)
    untold = DeadlineReminder.objects.filter(
        ticket=OuterRef("pk"), kind=NoticeKind.DUE_SOON, deadline=OuterRef("deadline")
    )
    due_soon = list(_demo_only(warned.exclude(Exists(untold))).only(*fields))
    marked[NoticeKind.DUE_SOON] = _write(due_soon, NoticeKind.DUE_SOON, lambda t: t.warn_at)
    overdue = list(_demo_only(overdue_candidates(now)).only(*fields))
    marked[NoticeKind.OVERDUE] = _write(overdue, NoticeKind.OVERDUE, lambda t: t.deadline)
    Ticket.objects.filter(pk__in=[t.pk for t in overdue], overdue=False).update(overdue=True)
    fraction = settings.CITYMGMT_ESCALATE_FRACTION

    def escalates_at(ticket: Ticket) -> dt.datetime:
        return deadlines.escalates_at(
            ticket.deadline,
            ticket.time_budget_minutes or 1,
            natural=ticket.natural_time,
            fraction=fraction,
        )

    late = [
        t for t in _demo_only(escalation_candidates(now)).only(*fields) if escalates_at(t) <= now
    ]
    marked[NoticeKind.ESCALATED] = _write(late, NoticeKind.ESCALATED, escalates_at)
    return marked


def _write(tickets: list[Ticket], kind: str, sent_at: Any) -> int:
    DeadlineReminder.objects.bulk_create(
        [
            DeadlineReminder(
                ticket_id=t.pk, kind=kind, deadline=t.deadline, sent_at=sent_at(t), recipients=0
            )
            for t in tickets
        ],
        batch_size=BATCH,
        ignore_conflicts=True,  # a live scan may have sent one meanwhile
    )
    return len(tickets)


# --- the ticket near its deadline -------------------------------------------------------------


def _demo_ticket(now: dt.datetime) -> tuple[Ticket | None, bool]:
    """The demo ticket if it is still dispatched to the demo officer with its clock running,
    else a new one (the old one was worked on: it stays as the demo user left it)."""
    officer = Officer.objects.select_related("user").filter(user__username=OFFICER).first()
    supervisor = User.objects.filter(username=SUPERVISOR).first()
    if officer is None or supervisor is None:
        return None, False
    marked = TicketEvent.objects.filter(action=Action.CREATE, data__demo=DEMO_MARK)
    ticket = (
        Ticket.objects.filter(
            pk__in=marked.values("ticket_id"),
            assignee=officer,
            state__in=[State.DISPATCHED, State.IN_PROGRESS],
            clock_paused_at__isnull=True,
        )
        .order_by("-pk")
        .first()
    )
    if ticket is not None:
        return ticket, False
    return _file(officer, supervisor, now), True


def _file(officer: Officer, supervisor: User, now: dt.datetime) -> Ticket | None:
    posting = (
        Assignment.objects.valid_on(timezone.localdate(now))
        .filter(officer=officer)
        .order_by("pk")
        .first()
    )
    cell = posting.grid_cells.order_by("code").first() if posting is not None else None
    category = Category.objects.filter(kind=CATEGORY[0], code=CATEGORY[1]).first()
    if cell is None or category is None:
        return None
    ticket = services.create_ticket(
        actor=None,
        source=Source.HOTLINE,
        category=category,
        description="小区东门垃圾桶满溢，垃圾散落在人行道上，气味很大，请尽快清理。",
        lat=cell.centroid_lat,
        lng=cell.centroid_lng,
        address=f"{posting.community.name}东门",
        reporter_name="张先生",
        reporter_phone="13952001234",
        event_data={"demo": DEMO_MARK},
    )
    services.register_ticket(actor=supervisor, ticket_id=ticket.pk)
    services.dispatch_ticket(
        actor=supervisor, ticket_id=ticket.pk, officer_id=officer.pk, note="请尽快到场处置。"
    )
    # The call came in a few minutes before the clock ``_arm`` gives it.
    start = _deadline(now) - BUDGET
    reported, registered = start - dt.timedelta(minutes=6), start - dt.timedelta(minutes=3)
    Ticket.objects.filter(pk=ticket.pk).update(reported_at=reported, registered_at=registered)
    for action, at in ((Action.CREATE, reported), (Action.REGISTER, registered)):
        TicketEvent.objects.filter(ticket=ticket, action=action).update(created_at=at)
    return Ticket.objects.get(pk=ticket.pk)


def _deadline(now: dt.datetime) -> dt.datetime:
    # Warned at 80% of the budget: WARN_IN from now, the last fifth of the budget after that.
    return now + WARN_IN + BUDGET / 5


def _arm(ticket: Ticket, now: dt.datetime) -> None:
    """A fresh 25-minute natural-time clock whose warning comes in a minute: started (and
    dispatched) 19 minutes ago, due in six."""
    start = _deadline(now) - BUDGET
    clock = deadlines.start_clock(start, int(BUDGET.total_seconds() // 60), natural=True)
    Ticket.objects.filter(pk=ticket.pk).update(
        time_budget_minutes=int(BUDGET.total_seconds() // 60),
        natural_time=True,
        clock_started_at=clock.started_at,
        warn_at=clock.warn_at,
        deadline=clock.deadline,
        clock_paused_at=None,
        overdue=False,
        dispatched_at=start,
    )
    TicketEvent.objects.filter(ticket=ticket, action=Action.DISPATCH).update(created_at=start)
    ticket.refresh_from_db()


def _expect(ticket: Ticket) -> DemoLogin:
    escalation = deadlines.escalates_at(
        ticket.deadline,
        ticket.time_budget_minutes,
        natural=True,
        fraction=settings.CITYMGMT_ESCALATE_FRACTION,
    )

    def hm(at: dt.datetime) -> str:
        return f"{timezone.localtime(at):%H:%M}"

    return DemoLogin(
        "reminder",
        OFFICER,
        ticket.number,
        f"in this officer's inbox: due soon after {hm(ticket.warn_at)}, overdue after "
        f"{hm(ticket.deadline)} (and {SUPERVISOR}); escalated to command after "
        f"{hm(escalation)} (the scan runs every 5 min)",
    )
