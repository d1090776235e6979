"""The reminder scan on the desk steps' clocks (registration, dispatch, verification): due soon
and overdue are each sent once per step and due time, to the brigade's supervisors, however
often the scan runs; a fresh clock on the same step reminds afresh."""

import datetime
import zoneinfo

import pytest
import time_machine

from cases import services, step_clocks
from cases.models import State, Ticket
from notifications import reminders
from notifications.models import DeadlineReminder, NoticeKind, Notification

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
MONDAY_MORNING = datetime.datetime(2026, 11, 16, 9, 0, tzinfo=SHANGHAI)
MINUTE = datetime.timedelta(minutes=1)

STEPS = [
    (State.REPORTED, step_clocks.Step.REGISTER, "register_due_soon", "register_overdue"),
    (State.REGISTERED, step_clocks.Step.DISPATCH, "dispatch_due_soon", "dispatch_overdue"),
    (State.RESOLVED, step_clocks.Step.VERIFY, "verify_due_soon", "verify_overdue"),
]


def kinds_for(user) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user).order_by("pk").values_list("kind", flat=True)
    )


@pytest.mark.parametrize(("state", "step", "soon", "late"), STEPS)
def test_each_step_clock_reminds_its_supervisors_once_per_kind(
    make_ticket,
    state,
    step,
    soon,
    late,
    supervisor_gulou,
    supervisor_quanshan,
    officer_gulou,
    command_supervisor,
):
    with time_machine.travel(MONDAY_MORNING, tick=False):
        ticket = make_ticket(state)
    warn_at = getattr(ticket, step_clocks.warn_field(step))
    due_at = getattr(ticket, step_clocks.due_field(step))

    assert reminders.scan(warn_at - MINUTE).notifications == 0
    first = reminders.scan(warn_at + MINUTE)
    second = reminders.scan(warn_at + MINUTE)
    assert (first.sent[soon], second.sent[soon]) == (1, 0)
    assert kinds_for(supervisor_gulou) == [soon]

    for _ in range(2):
        reminders.scan(due_at + MINUTE)
    assert kinds_for(supervisor_gulou) == [soon, late]
    assert kinds_for(supervisor_quanshan) == []
    assert kinds_for(officer_gulou) == []
    assert kinds_for(command_supervisor) == []
    rows = DeadlineReminder.objects.filter(ticket=ticket).order_by("pk")
    assert [(r.kind, r.deadline) for r in rows] == [(soon, due_at), (late, due_at)]
    message = Notification.objects.filter(kind=late).get().message
    assert ticket.category.name in message


def test_a_step_taken_in_time_is_never_reminded(make_ticket, supervisor_gulou):
    with time_machine.travel(MONDAY_MORNING, tick=False):
        ticket = make_ticket(State.REPORTED)
    with time_machine.travel(MONDAY_MORNING + 30 * MINUTE, tick=False):
        services.register_ticket(actor=supervisor_gulou, ticket_id=ticket.pk)
    ticket.refresh_from_db()
    reminders.scan(ticket.register_due_at + MINUTE)
    assert not DeadlineReminder.objects.filter(kind__startswith="register").exists()
    # The dispatch clock it started is reminded in its turn.
    assert reminders.scan(ticket.dispatch_due_at + MINUTE).sent[NoticeKind.DISPATCH_OVERDUE] == 1


def test_a_returned_ticket_reminds_again_on_its_fresh_dispatch_clock(
    make_ticket, supervisor_gulou, officer_gulou
):
    with time_machine.travel(MONDAY_MORNING, tick=False):
        ticket = make_ticket(State.REGISTERED)
    first_due = ticket.dispatch_due_at
    reminders.scan(first_due + MINUTE)
    with time_machine.travel(first_due + 5 * MINUTE, tick=False):
        services.dispatch_ticket(
            actor=supervisor_gulou, ticket_id=ticket.pk, officer_id=officer_gulou.officer.pk
        )
    with time_machine.travel(first_due + 10 * MINUTE, tick=False):
        services.return_ticket(actor=officer_gulou, ticket_id=ticket.pk, reason="不归我管")
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.dispatch_due_at != first_due
    for _ in range(2):
        reminders.scan(ticket.dispatch_due_at + MINUTE)
    overdue = DeadlineReminder.objects.filter(kind=NoticeKind.DISPATCH_OVERDUE)
    assert sorted(overdue.values_list("deadline", flat=True)) == [first_due, ticket.dispatch_due_at]
    assert kinds_for(supervisor_gulou).count(NoticeKind.DISPATCH_OVERDUE) == 2


def test_a_brigade_without_supervisors_has_the_command_centre_told(
    make_ticket, supervisor_gulou, command_supervisor
):
    with time_machine.travel(MONDAY_MORNING, tick=False):
        ticket = make_ticket(State.REPORTED)
    supervisor_gulou.is_active = False
    supervisor_gulou.save(update_fields=["is_active"])
    reminders.scan(ticket.register_due_at + MINUTE)
    assert kinds_for(command_supervisor) == [NoticeKind.REGISTER_OVERDUE]
