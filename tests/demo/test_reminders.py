"""The demo's reminders (demo.cases.reminders, the seed's last step): the demo casework's due
reminder steps recorded as sent without notifying anyone, and one ticket near its deadline,
re-armed by every seed, so that the first scans after ``make run`` send its reminders only.

The city, the casework and this step are seeded once for the module at a fixed instant (a
Monday morning) inside a transaction rolled back at the end; each test runs in a savepoint.
"""

import datetime
import zoneinfo

import pytest
import time_machine
from django.db import transaction

from accounts.models import User
from cases.categories import load_categories
from cases.models import CLOCK_STATES, Action, State, Ticket, TicketEvent
from demo.cases import seed_tickets
from demo.cases.reminders import DEMO_MARK, mark_history, seed_reminders
from demo.grids import seed_city
from grids import locator
from notifications import reminders
from notifications.models import REMINDER_KINDS, DeadlineReminder, NoticeKind, Notification

pytestmark = pytest.mark.django_db

SEEDED_AT = datetime.datetime(2026, 11, 23, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
MINUTE = datetime.timedelta(minutes=1)
STEP_KINDS = [NoticeKind.DUE_SOON, NoticeKind.OVERDUE, NoticeKind.ESCALATED]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with time_machine.travel(SEEDED_AT, tick=False):
                load_categories()  # a transactional test before may have emptied the table
                seed_city()
                locator.invalidate()  # seed_city invalidates on commit, which never comes here
                seed_tickets()
                yield seed_reminders()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def demo_ticket() -> Ticket:
    created = TicketEvent.objects.filter(action=Action.CREATE, data__demo=DEMO_MARK)
    return Ticket.objects.get(pk__in=created.values("ticket_id"))


def running_demo_history() -> list[Ticket]:
    return list(
        Ticket.objects.filter(
            state__in=CLOCK_STATES, deadline__isnull=False, clock_paused_at__isnull=True
        ).exclude(pk=demo_ticket().pk)
    )


def test_every_overdue_demo_ticket_is_flagged_and_marked_as_told(seeded):
    late = [t for t in running_demo_history() if t.deadline <= SEEDED_AT]
    assert late, "the demo has overdue tickets to mark"
    told = set(
        DeadlineReminder.objects.filter(kind=NoticeKind.OVERDUE).values_list(
            "ticket_id", "deadline"
        )
    )
    for ticket in late:
        assert ticket.overdue, ticket.number
        assert (ticket.pk, ticket.deadline) in told, ticket.number


def test_demo_tickets_past_their_warning_are_marked_due_soon_with_nobody_notified(seeded):
    warned = [t for t in running_demo_history() if t.warn_at <= SEEDED_AT]
    rows = DeadlineReminder.objects.filter(kind=NoticeKind.DUE_SOON)
    assert {(r.ticket_id, r.deadline) for r in rows} == {(t.pk, t.deadline) for t in warned}
    assert all(r.sent_at <= SEEDED_AT for r in rows)
    assert not DeadlineReminder.objects.exclude(recipients=0).exists()


def test_escalations_are_marked_only_once_the_escalation_point_has_passed(seeded):
    escalated = DeadlineReminder.objects.filter(kind=NoticeKind.ESCALATED)
    for row in escalated.select_related("ticket"):
        assert row.sent_at <= SEEDED_AT
        assert row.sent_at > row.ticket.deadline
    overdue = DeadlineReminder.objects.filter(kind=NoticeKind.OVERDUE).count()
    assert 0 < escalated.count() <= overdue


def test_no_reminder_notification_is_written_by_the_seed(seeded):
    assert not Notification.objects.filter(kind__in=STEP_KINDS).exists()


def test_the_demo_ticket_is_dispatched_to_the_demo_officer_with_a_real_timeline(seeded):
    ticket = demo_ticket()
    assert ticket.state == State.DISPATCHED
    assert ticket.assignee.user.username == "off_gl1_01"
    assert ticket.brigade.code == "gl1"
    actions = list(ticket.events.order_by("created_at", "pk").values_list("action", flat=True))
    assert actions == [Action.CREATE, Action.REGISTER, Action.DISPATCH]
    dispatch = ticket.events.get(action=Action.DISPATCH)
    assert dispatch.created_at == ticket.dispatched_at == ticket.clock_started_at
    assert ticket.reported_at < ticket.registered_at < ticket.dispatched_at


def test_the_demo_ticket_warns_in_a_minute_and_is_due_in_six(seeded):
    ticket = demo_ticket()
    assert ticket.natural_time
    assert ticket.warn_at == SEEDED_AT + MINUTE
    assert ticket.deadline == SEEDED_AT + 6 * MINUTE
    assert not ticket.overdue


def test_the_seed_says_whose_inbox_to_watch_and_when(seeded):
    [line] = seeded["logins"]
    assert (line.role, line.username, line.display_name) == (
        "reminder",
        "off_gl1_01",
        demo_ticket().number,
    )
    assert "10:01" in line.description  # due soon
    assert "10:06" in line.description  # overdue
    assert "command" in line.description


def test_a_scan_right_after_seeding_sends_only_the_demo_tickets_reminders(seeded):
    officer = User.objects.get(username="off_gl1_01")
    supervisor = User.objects.get(username="sup_gl1")
    command = User.objects.get(username="command")
    ticket = demo_ticket()
    first = reminders.scan(SEEDED_AT + 2 * MINUTE)
    assert first.sent == {**dict.fromkeys(REMINDER_KINDS, 0), NoticeKind.DUE_SOON: 1}
    [note] = Notification.objects.filter(kind__in=STEP_KINDS)
    assert (note.recipient, note.ticket, note.kind) == (officer, ticket, NoticeKind.DUE_SOON)

    second = reminders.scan(SEEDED_AT + 7 * MINUTE)
    assert second.sent[NoticeKind.OVERDUE] == 1
    overdue = Notification.objects.filter(kind=NoticeKind.OVERDUE)
    assert {n.ticket_id for n in overdue} == {ticket.pk}
    assert {officer, supervisor} <= {n.recipient for n in overdue}

    third = reminders.scan(SEEDED_AT + 30 * MINUTE)
    escalated = Notification.objects.filter(kind=NoticeKind.ESCALATED)
    assert third.sent[NoticeKind.ESCALATED] == 1
    assert {(n.ticket_id, n.recipient) for n in escalated} == {(ticket.pk, command)}


def test_seeding_again_re_arms_the_demo_ticket_without_creating_anything(seeded):
    ticket = demo_ticket()
    reminders.scan(SEEDED_AT + 7 * MINUTE)  # the reminders went out, it is overdue
    later = SEEDED_AT + datetime.timedelta(hours=3)
    with time_machine.travel(later, tick=False):
        again = seed_reminders()
    assert again["created"] == {}
    rearmed = demo_ticket()
    assert rearmed.pk == ticket.pk
    assert (rearmed.warn_at, rearmed.deadline) == (later + MINUTE, later + 6 * MINUTE)
    assert not rearmed.overdue
    assert rearmed.events.get(action=Action.DISPATCH).created_at == rearmed.clock_started_at
    # The new deadline has its own steps: the next scan warns again.
    assert reminders.scan(later + 2 * MINUTE).sent[NoticeKind.DUE_SOON] == 1


def test_a_demo_ticket_the_officer_finished_is_left_alone_and_a_new_one_filed(seeded):
    ticket = demo_ticket()
    Ticket.objects.filter(pk=ticket.pk).update(state=State.RESOLVED)
    with time_machine.travel(SEEDED_AT + 10 * MINUTE, tick=False):
        again = seed_reminders()
    assert again["created"] == {"reminder demo tickets": 1}
    created = TicketEvent.objects.filter(action=Action.CREATE, data__demo=DEMO_MARK)
    assert created.count() == 2
    assert Ticket.objects.get(pk=ticket.pk).state == State.RESOLVED


def test_a_ticket_someone_was_notified_about_is_not_marked(seeded):
    ticket = min(
        (t for t in running_demo_history() if t.warn_at > SEEDED_AT), key=lambda t: t.warn_at
    )
    Notification.objects.create(recipient=User.objects.get(username="sup_gl1"), ticket=ticket)
    after = ticket.deadline + MINUTE
    mark_history(after)
    assert not DeadlineReminder.objects.filter(ticket=ticket).exists()
    assert reminders.scan(after).sent[NoticeKind.OVERDUE] >= 1
    assert DeadlineReminder.objects.get(ticket=ticket, kind=NoticeKind.OVERDUE).recipients >= 1
