"""The desk steps' clocks on the supervisor's queue and the ticket page: a row waiting to be
registered, dispatched or verified shows that step's clock in green/yellow/red, the colour and
overdue filters follow it, and the queue's query count does not grow with its rows."""

import datetime
import itertools
import zoneinfo

import pytest
import time_machine
from django.utils import timezone

from cases.models import State, Ticket
from tests.cases.test_queue import QUEUE_QUERIES, add, build, numbers

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def as_supervisor(client, supervisor_gulou):
    client.force_login(supervisor_gulou)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def step_ticket(community, state: str, step: str, start: datetime.datetime = START) -> Ticket:
    """A ticket waiting in ``step`` since ``start``: yellow from 48 minutes, red after 60."""
    return add(
        community,
        state=state,
        **{
            f"{step}_warn_at": start + 48 * MINUTE,
            f"{step}_due_at": start + 60 * MINUTE,
        },
    )


def test_the_colour_filter_follows_each_step_clock(as_supervisor, gulou_community):
    with time_machine.travel(START, tick=False) as traveller:
        waiting = [
            step_ticket(gulou_community, State.REPORTED, "register"),
            step_ticket(gulou_community, State.REGISTERED, "dispatch"),
            step_ticket(gulou_community, State.RESOLVED, "verify"),
        ]
        # A step clock left on a ticket that moved on is no clock any more.
        step_ticket(gulou_community, State.CLOSED, "verify", START - datetime.timedelta(days=1))
        expected = sorted(t.number for t in waiting)

        def coloured(colour: str) -> list[str]:
            return sorted(numbers(as_supervisor.get(f"/cases/?status=all&colour={colour}")))

        assert (coloured("green"), coloured("yellow"), coloured("red")) == (expected, [], [])
        traveller.move_to(START + 50 * MINUTE)
        assert (coloured("green"), coloured("yellow"), coloured("red")) == ([], expected, [])
        traveller.move_to(START + 61 * MINUTE)
        assert (coloured("green"), coloured("yellow"), coloured("red")) == ([], [], expected)
        late = sorted(numbers(as_supervisor.get("/cases/?status=all&overdue=true")))
        assert late == expected


def test_a_row_shows_the_clock_of_its_step(as_supervisor, gulou_community):
    with time_machine.travel(START + 50 * MINUTE, tick=False):
        step_ticket(gulou_community, State.REGISTERED, "dispatch")
        html = as_supervisor.get("/cases/").content.decode()
    assert "step-clock-badge" in html
    assert "text-bg-warning" in html
    assert "Dispatch · Due soon · 03-02 10:00" in html


def test_the_ticket_page_lists_each_step_in_time_or_late(as_supervisor, gulou_community):
    ticket = add(
        gulou_community,
        state=State.RESOLVED,
        register_due_at=START + 60 * MINUTE,
        register_done_at=START + 30 * MINUTE,
        dispatch_due_at=START + 90 * MINUTE,
        dispatch_done_at=START + 120 * MINUTE,
        verify_warn_at=START + 48 * MINUTE,
        verify_due_at=START + 60 * MINUTE,
    )
    with time_machine.travel(START + 10 * MINUTE, tick=False):
        response = as_supervisor.get(ticket.get_absolute_url())
    html = response.content.decode()
    section = html[html.index('id="step-clocks"') :]
    assert section.index("Registration") < section.index("In time") < section.index("Dispatch")
    assert section.index("Dispatch") < section.index("Late") < section.index("Verification")
    assert "Verification · On time · 03-02 10:00" in section


@pytest.mark.parametrize("rows", [9, 48])
def test_the_queue_with_step_clocks_runs_the_same_queries_for_few_or_many_rows(
    as_supervisor, gulou_community, django_assert_max_num_queries, monkeypatch, rows
):
    monkeypatch.setattr("cases.views.PAGE_SIZE", 50)
    now = timezone.now()
    kinds = itertools.cycle(
        [
            (State.REPORTED, "register"),
            (State.REGISTERED, "dispatch"),
            (State.RESOLVED, "verify"),
        ]
    )
    tickets = []
    for i in range(rows):
        state, step = next(kinds)
        tickets.append(
            build(
                gulou_community,
                state=state,
                **{f"{step}_warn_at": now + (i - 20) * MINUTE, f"{step}_due_at": now + i * MINUTE},
            )
        )
    Ticket.objects.bulk_create(tickets)
    with django_assert_max_num_queries(QUEUE_QUERIES):
        response = as_supervisor.get("/cases/?status=all")
    assert response.content.decode().count("step-clock-badge") == rows
