"""A referral's deadline typed by hand: at most a year ahead, refused with a clear message on
the ticket page; and working time over long spans is counted without walking every day."""

import datetime as dt
import time

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases import services
from cases.models import Action, State, Ticket
from citymgmt import workcalendar

pytestmark = pytest.mark.django_db

NOW = "2026-11-23 10:00 +0800"


def post_refer(client, ticket: Ticket, unit_id: int, deadline: str):
    return client.post(
        f"/cases/{ticket.number}/refer/",
        {
            "refer-expected_state": State.REGISTERED,
            "refer-unit": unit_id,
            "refer-person": "陈科长",
            "refer-deadline": deadline,
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )


@pytest.mark.parametrize("deadline", ["2027-11-24T09:00", "2200-12-31T17:00", "9999-12-31T23:59"])
def test_the_refer_form_refuses_a_deadline_more_than_a_year_ahead(
    client, make_ticket, supervisor_gulou, handler_sanitation, deadline
):
    ticket = make_ticket(State.REGISTERED)
    client.force_login(supervisor_gulou)
    started = time.monotonic()
    with time_machine.travel(NOW, tick=False):
        response = post_refer(client, ticket, handler_sanitation.unit_id, deadline)
    assert time.monotonic() - started < 5
    assert response.status_code == 400
    page = response.content.decode()
    assert "The deadline can be at most one year ahead." in page
    assert 'value="陈科长"' in page  # what was typed is kept
    ticket.refresh_from_db()
    assert ticket.state == State.REGISTERED
    assert not ticket.events.filter(action=Action.REFER).exists()


def test_the_refer_form_accepts_a_deadline_just_within_the_year(
    client, make_ticket, supervisor_gulou, handler_sanitation
):
    ticket = make_ticket(State.REGISTERED)
    client.force_login(supervisor_gulou)
    with time_machine.travel(NOW, tick=False):
        response = post_refer(client, ticket, handler_sanitation.unit_id, "2027-11-22T17:00")
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.state == State.REFERRED
    assert timezone.localtime(ticket.deadline).strftime("%Y-%m-%d %H:%M") == "2027-11-22 17:00"
    assert ticket.events.filter(action=Action.REFER).count() == 1


def test_the_service_refuses_a_far_deadline_from_any_caller(
    make_ticket, supervisor_gulou, handler_sanitation
):
    ticket = make_ticket(State.REGISTERED)
    with pytest.raises(ValidationError) as refused:
        services.refer_ticket(
            actor=supervisor_gulou,
            ticket_id=ticket.pk,
            unit_id=handler_sanitation.unit_id,
            person="陈科长",
            deadline=timezone.now() + dt.timedelta(days=400),
        )
    assert "deadline" in refused.value.message_dict
    assert Ticket.objects.get(pk=ticket.pk).state == State.REGISTERED


def walked_minutes_between(start: dt.datetime, end: dt.datetime) -> int:
    """The plain definition, a day at a time, to check the fast count against."""
    periods = workcalendar.working_periods()
    total = dt.timedelta()
    day = start.date()
    while day <= end.date():
        if workcalendar.is_working_day(day):
            for begin, finish in workcalendar._spans(day, periods):
                total += max(min(finish, end) - max(begin, start), dt.timedelta())
        day += dt.timedelta(days=1)
    return total // dt.timedelta(minutes=1)


@pytest.mark.parametrize(
    ("start", "days"),
    [
        ("2026-09-30 16:00", 9),  # across the National Day holiday
        ("2025-12-31 08:00", 800),  # from a known year into years the calendar does not know
        ("2029-03-07 12:15", 400),  # beyond the calendar: weekdays only
        ("2026-11-23 09:00", 1),
    ],
)
def test_working_minutes_over_long_spans_match_the_day_by_day_count(start, days):
    tz = timezone.get_current_timezone()
    begin = dt.datetime.strptime(start, "%Y-%m-%d %H:%M").replace(tzinfo=tz)
    end = begin + dt.timedelta(days=days, hours=3, minutes=7)
    minutes = workcalendar.working_minutes_between(begin, end)
    assert minutes == walked_minutes_between(begin, end)
    assert (
        workcalendar.working_minutes_between(
            begin, workcalendar.add_working_minutes(begin, minutes)
        )
        == minutes
    )


def test_a_span_of_centuries_is_counted_at_once():
    tz = timezone.get_current_timezone()
    begin = dt.datetime(2026, 11, 23, 9, tzinfo=tz)
    end = dt.datetime(9999, 12, 30, 17, tzinfo=tz)
    started = time.monotonic()
    minutes = workcalendar.working_minutes_between(begin, end)
    assert workcalendar.add_working_minutes(begin, minutes) <= end
    assert time.monotonic() - started < 1
    assert minutes > 0
