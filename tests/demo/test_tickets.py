"""The demo casework (demo.cases.seed_tickets) on top of the demo city.

City and tickets are the session's (tests/conftest.py's ``demo_casework``: seed_demo's first two
steps, seeded once, this module's writes rolled back when it ends); each test runs in a savepoint
inside it, so a test that seeds again leaves nothing behind.
Checks that read every row stay in Python over a few thousand rows; geometry uses a sample.
"""

import datetime
import random
import re
from collections import Counter, defaultdict
from itertools import pairwise

import pytest
from django.utils import timezone

from accounts.models import Officer, UnitKind
from cases.models import (
    CLOCK_STATES,
    Action,
    DailySequence,
    Route,
    Source,
    State,
    Ticket,
    TicketEvent,
)
from cases.numbers import next_number
from demo.cases import seed_tickets
from grids.models import Assignment
from grids.services import locate_id

pytestmark = pytest.mark.django_db

NUMBER = re.compile(r"^XZ(\d{8})-(\d{4})$")


@pytest.fixture(scope="module")
def casebook(demo_casework):
    """What seed_tickets returned when the demo casework was seeded."""
    return demo_casework["tickets"]


def events_by_ticket() -> dict[int, list[TicketEvent]]:
    by_ticket = defaultdict(list)
    for event in TicketEvent.objects.order_by("ticket_id", "id"):
        by_ticket[event.ticket_id].append(event)
    return by_ticket


def test_it_files_about_two_thousand_tickets_over_ninety_days(casebook):
    assert 1_900 <= casebook["created"]["tickets"] <= 2_200
    assert casebook["counts"]["tickets"] == Ticket.objects.count()
    assert casebook["counts"]["ticket_events"] == TicketEvent.objects.count()
    oldest = Ticket.objects.order_by("reported_at").first().reported_at
    assert 85 <= (timezone.now() - oldest).days < 90
    sources = Counter(Ticket.objects.values_list("source", flat=True))
    total = sum(sources.values())
    assert 0.48 <= sources[Source.PATROL] / total <= 0.62
    for source in (Source.RESIDENT, Source.HOTLINE, Source.DIGITAL_CITY):
        assert 0.06 <= sources[source] / total <= 0.22, source
    assert sources[Source.LEADERSHIP_PATROL] > 0


def test_every_state_is_present_and_old_tickets_are_finished(casebook):
    states = Counter(Ticket.objects.values_list("state", flat=True))
    assert set(states) == set(State.values)
    month_ago = timezone.now() - datetime.timedelta(days=30)
    old = Counter(Ticket.objects.filter(reported_at__lt=month_ago).values_list("state", flat=True))
    finished = old[State.CLOSED] + old[State.REJECTED]
    assert finished / sum(old.values()) > 0.97
    assert 0.02 <= states[State.REJECTED] / sum(states.values()) <= 0.08


def test_the_casework_has_its_usual_complications(casebook):
    tickets = Ticket.objects.all()
    assert tickets.filter(
        overdue=True, state__in=CLOCK_STATES, deadline__lt=timezone.now()
    ).exists()
    assert tickets.filter(overdue=True, state=State.CLOSED).exists()
    assert tickets.filter(rework_count=1, state=State.CLOSED).count() >= 10
    assert tickets.filter(priority="urgent", natural_time=True).exists()
    assert tickets.filter(route=Route.ENFORCE, category__enforceable=False).count() == 0
    assert tickets.filter(route=Route.ENFORCE).count() >= 10
    for ticket in tickets.filter(state=State.REJECTED):
        assert ticket.reject_reason and ticket.rejected_at
    duplicates = tickets.filter(duplicate_of__isnull=False).select_related("duplicate_of")
    assert duplicates.count() >= 5
    for ticket in duplicates:
        original = ticket.duplicate_of
        assert (ticket.category_id, ticket.grid_cell_id) == (
            original.category_id,
            original.grid_cell_id,
        )
        assert original.reported_at < ticket.reported_at
        assert ticket.reject_reason == "duplicate"


def test_referred_tickets_name_a_unit_and_a_person(casebook):
    referred = Ticket.objects.filter(route=Route.REFER).select_related("responsible_unit")
    assert referred.count() >= 50
    kinds = set()
    for ticket in referred:
        kinds.add(ticket.responsible_unit.kind)
        assert ticket.responsible_person
        assert ticket.referred_at and ticket.deadline
        if ticket.responsible_unit.kind == UnitKind.STREET_OFFICE:
            assert ticket.responsible_unit.code == f"street-{ticket.street.code}"
    assert kinds == {UnitKind.DEPARTMENT, UnitKind.STREET_OFFICE}


def test_events_follow_the_state_machine_in_time_and_never_in_the_future(casebook):
    now = timezone.now()
    states = dict(Ticket.objects.values_list("id", "state"))
    by_ticket = events_by_ticket()
    assert set(by_ticket) == set(states)
    for ticket_id, events in by_ticket.items():
        assert events[0].action == Action.CREATE and events[0].from_state == ""
        for before, after in pairwise(events):
            assert before.created_at <= after.created_at
            assert after.from_state == before.to_state, (ticket_id, before.action, after.action)
        assert events[-1].created_at <= now
        assert events[-1].to_state == states[ticket_id]


def test_milestones_come_in_workflow_order(casebook):
    now = timezone.now()
    order = (
        "reported_at",
        "registered_at",
        "dispatched_at",
        "referred_at",
        "accepted_at",
        "started_at",
        "resolved_at",
        "closed_at",
    )
    for row in Ticket.objects.filter(on_site=False).values(*order, "rejected_at", "rated_at"):
        times = [row[name] for name in order if row[name] is not None]
        assert times == sorted(times)
        assert all(t <= now for t in (*times, row["rejected_at"], row["rated_at"]) if t)
    for ticket in Ticket.objects.exclude(deadline=None):
        assert ticket.clock_started_at <= ticket.warn_at <= ticket.deadline
        assert ticket.time_budget_minutes > 0


def test_tickets_lie_in_their_grid_and_go_to_officers_posted_there(casebook):
    ids = sorted(Ticket.objects.values_list("id", flat=True))
    sample = Ticket.objects.filter(id__in=random.Random(7).sample(ids, 100)).select_related(
        "grid_cell__community__street"
    )
    for ticket in sample:
        cell = ticket.grid_cell
        assert locate_id(ticket.lat, ticket.lng) == cell.id, ticket.number
        community = cell.community
        assert (ticket.community_id, ticket.street_id, ticket.brigade_id) == (
            community.id,
            community.street_id,
            community.brigade_id,
        )
        assert ticket.district_id == community.street.district_id
        assert ticket.address and ticket.description
    field_officers = set(
        Officer.objects.filter(user__groups__name="officer").values_list("id", flat=True)
    )
    cells_of = defaultdict(set)
    for assignment_id, cell_id in Assignment.grid_cells.through.objects.values_list(
        "assignment_id", "gridcell_id"
    ):
        cells_of[assignment_id].add(cell_id)
    postings = defaultdict(list)
    for posting in Assignment.objects.all():
        postings[posting.officer_id].append(posting)
    assigned = Ticket.objects.exclude(assignee=None)
    assert assigned.count() > 1_000
    for ticket in assigned:
        assert ticket.assignee_id in field_officers
        day = timezone.localdate(ticket.reported_at)
        assert any(
            p.valid_from <= day
            and (p.valid_to is None or day <= p.valid_to)
            and (p.community_id == ticket.community_id or ticket.grid_cell_id in cells_of[p.id])
            for p in postings[ticket.assignee_id]
        ), ticket.number


def test_most_patrol_findings_are_fixed_on_site_by_the_finder(casebook):
    patrol = Ticket.objects.filter(source=Source.PATROL)
    on_site = patrol.filter(on_site=True)
    assert 0.7 <= on_site.count() / patrol.count() <= 0.9
    by_ticket = events_by_ticket()
    for ticket in on_site.select_related("assignee"):
        assert ticket.state == State.CLOSED
        assert ticket.assignee.user_id == ticket.reporter_id
        actions = [e.action for e in by_ticket[ticket.id]]
        assert actions == [Action.CREATE, Action.ON_SITE]


def test_residents_and_callers_leave_contacts_and_ratings(casebook):
    public = Ticket.objects.filter(source__in=[Source.RESIDENT, Source.HOTLINE])
    for name, phone in public.values_list("reporter_name", "reporter_phone"):
        assert name
        assert re.fullmatch(r"1[3-9]\d{9}", phone)
    rated = Ticket.objects.exclude(satisfaction=None)
    assert rated.count() >= 50
    assert set(rated.values_list("state", flat=True)) == {State.CLOSED}
    assert set(rated.values_list("source", flat=True)) <= {Source.RESIDENT, Source.HOTLINE}
    scores = Counter(rated.values_list("satisfaction", flat=True))
    assert (scores[4] + scores[5]) / sum(scores.values()) > 0.75


def test_numbers_are_unique_well_formed_and_counted_per_day(casebook):
    per_day = defaultdict(list)
    numbers = list(Ticket.objects.values_list("number", "reported_at"))
    assert len({n for n, _at in numbers}) == len(numbers)
    for number, reported_at in numbers:
        match = NUMBER.match(number)
        assert match, number
        assert match[1] == f"{timezone.localdate(reported_at):%Y%m%d}"
        per_day[timezone.localdate(reported_at)].append((reported_at, int(match[2])))
    sequences = dict(DailySequence.objects.values_list("day", "last"))
    for day, issued in per_day.items():
        issued.sort()
        assert [n for _at, n in issued] == list(range(1, len(issued) + 1))
        assert sequences[day] == len(issued)
    today = timezone.localdate()
    assert next_number(today) == f"XZ{today:%Y%m%d}-{sequences.get(today, 0) + 1:04d}"


def test_seeding_twice_adds_nothing(casebook):
    before = (Ticket.objects.count(), TicketEvent.objects.count(), DailySequence.objects.count())
    again = seed_tickets()
    after = (Ticket.objects.count(), TicketEvent.objects.count(), DailySequence.objects.count())
    assert after == before
    assert again["created"] == {"tickets": 0, "ticket_events": 0}
    assert again["counts"] == casebook["counts"]
