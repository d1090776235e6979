"""The deadline reminder scan (notifications.reminders.scan, the 5-minute beat task): each step
is sent once per ticket and deadline, to the right people, however often the scan runs."""

import datetime

import pytest
import time_machine
from django.db import IntegrityError, transaction

from cases import deadlines, services
from cases.models import State, Ticket
from notifications import reminders
from notifications.models import DeadlineReminder, NoticeKind, Notification
from tests.factories import processed_photo

pytestmark = pytest.mark.django_db

MINUTE = datetime.timedelta(minutes=1)


def kinds_for(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def escalation_point(ticket: Ticket) -> datetime.datetime:
    return deadlines.escalates_at(
        ticket.deadline, ticket.time_budget_minutes, natural=ticket.natural_time, fraction=1.5
    )


@pytest.fixture
def dispatched(make_ticket) -> Ticket:
    ticket = make_ticket(State.DISPATCHED)
    Notification.objects.all().delete()  # the dispatch's own notices are not the subject here
    return ticket


def test_nothing_is_sent_before_the_warning_time(dispatched, officer_gulou):
    result = reminders.scan(dispatched.warn_at - MINUTE)
    assert result.notifications == 0
    assert not Notification.objects.exists()
    assert not DeadlineReminder.objects.exists()


def test_a_ticket_past_80_percent_tells_its_officer_once_however_often_the_scan_runs(
    dispatched, officer_gulou, supervisor_gulou
):
    now = dispatched.warn_at + MINUTE
    for _ in range(3):
        reminders.scan(now)
    assert kinds_for(officer_gulou) == [NoticeKind.DUE_SOON]
    assert kinds_for(supervisor_gulou) == []
    reminder = DeadlineReminder.objects.get()
    assert (reminder.kind, reminder.deadline, reminder.recipients) == (
        NoticeKind.DUE_SOON,
        dispatched.deadline,
        1,
    )


def test_a_ticket_past_its_deadline_is_flagged_and_tells_officer_and_supervisor_once(
    dispatched, officer_gulou, supervisor_gulou, supervisor_quanshan, command_supervisor
):
    assert not dispatched.overdue
    for _ in range(3):
        reminders.scan(dispatched.deadline + MINUTE)
    assert kinds_for(officer_gulou) == [NoticeKind.OVERDUE]
    assert kinds_for(supervisor_gulou) == [NoticeKind.OVERDUE]
    assert kinds_for(supervisor_quanshan) == []
    assert kinds_for(command_supervisor) == []
    assert Ticket.objects.get(pk=dispatched.pk).overdue


def test_the_command_centre_hears_at_150_percent_and_not_before(
    dispatched, officer_gulou, command_supervisor
):
    point = escalation_point(dispatched)
    assert point > dispatched.deadline
    reminders.scan(dispatched.deadline + MINUTE)
    reminders.scan(point - MINUTE)
    assert kinds_for(command_supervisor) == []
    reminders.scan(point + MINUTE)
    reminders.scan(point + 2 * MINUTE)
    assert kinds_for(command_supervisor) == [NoticeKind.ESCALATED]
    assert kinds_for(officer_gulou) == [NoticeKind.OVERDUE]


def test_the_escalation_fraction_is_a_setting(dispatched, command_supervisor, settings):
    settings.CITYMGMT_ESCALATE_FRACTION = 1.0
    reminders.scan(dispatched.deadline + MINUTE)
    reminders.scan(dispatched.deadline + 2 * MINUTE)
    assert kinds_for(command_supervisor) == [NoticeKind.ESCALATED]


def test_a_scan_long_after_the_deadline_sends_overdue_then_escalation_not_due_soon(
    dispatched, officer_gulou, command_supervisor
):
    reminders.scan(escalation_point(dispatched) + datetime.timedelta(days=3))
    assert kinds_for(officer_gulou) == [NoticeKind.OVERDUE]
    assert kinds_for(command_supervisor) == [NoticeKind.ESCALATED]


def test_a_referred_ticket_reminds_the_units_handlers_not_the_officer(
    make_ticket, handler_sanitation, officer_gulou
):
    ticket = make_ticket(State.REFERRED)
    Notification.objects.all().delete()
    reminders.scan(ticket.warn_at + MINUTE)
    assert kinds_for(handler_sanitation) == [NoticeKind.DUE_SOON]
    assert kinds_for(officer_gulou) == []


def test_a_new_deadline_gets_its_own_reminders(dispatched, officer_gulou):
    reminders.scan(dispatched.warn_at + MINUTE)
    later = dispatched.deadline + datetime.timedelta(days=2)
    Ticket.objects.filter(pk=dispatched.pk).update(
        deadline=later, warn_at=later - datetime.timedelta(hours=1)
    )
    reminders.scan(later - 30 * MINUTE)
    assert kinds_for(officer_gulou) == [NoticeKind.DUE_SOON, NoticeKind.DUE_SOON]
    assert DeadlineReminder.objects.count() == 2


def test_paused_and_finished_tickets_are_left_alone(make_ticket, officer_gulou):
    paused = make_ticket(State.DISPATCHED)
    Ticket.objects.filter(pk=paused.pk).update(clock_paused_at=paused.clock_started_at)
    resolved = make_ticket(State.RESOLVED)
    closed = make_ticket(State.CLOSED)
    Notification.objects.all().delete()
    later = max(t.deadline for t in (paused, resolved, closed)) + datetime.timedelta(days=30)
    result = reminders.scan(later)
    assert [result.sent[kind] for kind in reminders.STEPS] == [0, 0, 0]
    assert not DeadlineReminder.objects.filter(kind__in=reminders.STEPS).exists()
    # The resolved ticket waits for its verification: that clock's reminders are its own
    # (tests/notifications/test_step_clock_reminders.py).
    assert set(DeadlineReminder.objects.values_list("ticket_id", flat=True)) == {resolved.pk}


def test_the_database_refuses_a_second_reminder_for_the_same_step(dispatched):
    DeadlineReminder.objects.create(
        ticket=dispatched, kind=NoticeKind.OVERDUE, deadline=dispatched.deadline
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        DeadlineReminder.objects.create(
            ticket=dispatched, kind=NoticeKind.OVERDUE, deadline=dispatched.deadline
        )
    assert reminders.send_step(dispatched, NoticeKind.OVERDUE, dispatched.deadline) is None
    assert not Notification.objects.exists()


def test_the_scan_works_through_more_tickets_than_one_batch(make_ticket, officer_gulou):
    tickets = [make_ticket(State.DISPATCHED) for _ in range(5)]
    Notification.objects.all().delete()
    result = reminders.scan(max(t.deadline for t in tickets) + MINUTE, batch=2)
    assert result.sent[NoticeKind.OVERDUE] == 5
    assert kinds_for(officer_gulou).count(NoticeKind.OVERDUE) == 5


def test_an_idle_scan_costs_one_query_per_kind_of_reminder(
    make_ticket, django_assert_max_num_queries
):
    for _ in range(4):
        make_ticket(State.DISPATCHED)
    # Due soon, overdue and escalated; due soon and overdue of each of the three desk steps.
    with django_assert_max_num_queries(3 + 3 * 2):
        reminders.scan(datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC))


def test_an_approved_extension_moves_the_reminders_to_the_new_deadline(
    dispatched, officer_gulou, supervisor_gulou
):
    reminders.scan(dispatched.warn_at + MINUTE)
    services.request_extension(
        actor=officer_gulou, ticket_id=dispatched.pk, extra_hours=16, reason="需要协调物业"
    )
    services.decide_extension(actor=supervisor_gulou, ticket_id=dispatched.pk, approve=True)
    ticket = Ticket.objects.get(pk=dispatched.pk)
    assert ticket.deadline > dispatched.deadline
    Notification.objects.all().delete()
    reminders.scan(dispatched.deadline + MINUTE)  # the old deadline: no longer the ticket's
    assert not Notification.objects.filter(kind=NoticeKind.OVERDUE).exists()
    reminders.scan(ticket.deadline + MINUTE)
    assert kinds_for(officer_gulou) == [NoticeKind.OVERDUE]


def test_a_ticket_finished_after_the_scan_read_it_gets_no_reminder(
    dispatched, officer_gulou, supervisor_gulou
):
    read_by_the_scan = Ticket.objects.get(pk=dispatched.pk)
    services.start_ticket(actor=officer_gulou, ticket_id=dispatched.pk)
    services.resolve_ticket(
        actor=officer_gulou, ticket_id=dispatched.pk, note="已清运", photos=[processed_photo()]
    )
    Notification.objects.all().delete()
    late = read_by_the_scan.deadline + MINUTE
    assert reminders.send_step(read_by_the_scan, NoticeKind.OVERDUE, late) is None
    assert not DeadlineReminder.objects.exists()
    assert not Notification.objects.exists()


def test_a_refused_extension_does_not_announce_the_same_lateness_again(
    dispatched, officer_gulou, supervisor_gulou, command_supervisor
):
    late = escalation_point(dispatched) + MINUTE
    with time_machine.travel(late, tick=False):
        reminders.scan(late)
        services.request_extension(
            actor=officer_gulou, ticket_id=dispatched.pk, extra_hours=8, reason="需要协调物业"
        )
    with time_machine.travel(late + MINUTE, tick=False):
        services.decide_extension(actor=supervisor_gulou, ticket_id=dispatched.pk, approve=False)
    assert Ticket.objects.get(pk=dispatched.pk).deadline > dispatched.deadline
    Notification.objects.all().delete()
    reminders.scan(late + 2 * MINUTE)
    assert not Notification.objects.filter(
        kind__in=[NoticeKind.OVERDUE, NoticeKind.ESCALATED]
    ).exists()
