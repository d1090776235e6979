"""The supervisor's queue (/cases/): scope, status tabs, filters, sorting, paging, bulk actions;
and the constant query counts of the three list pages (queue, officer's tasks, unit's list)."""

import datetime
import itertools
import zoneinfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.utils import timezone

from cases.models import Action, Category, Priority, Source, State, Ticket, TicketEvent
from grids.models import Community, GridCell
from tests.factories import CommunityFactory, GridCellFactory, square

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# ATOMIC_REQUESTS wraps each view in a savepoint inside the test's transaction: two "queries".
SAVEPOINTS = 2
# Session, user, roles, the user's unit, status counts (the pager's count is read off them), the
# page of tickets, unread bell, and the choice lists evaluated once for the filters, the bulk bar
# and the rows' communities, officers and units. Categories come from the cache (one query more
# when it is cold).
QUEUE_QUERIES = 11 + SAVEPOINTS
# Session, user, roles, officer profile, their tasks (count and page), open tickets in their
# grids (count and page, postings as a subquery), bell.
MY_TASKS_QUERIES = 9 + SAVEPOINTS
# Session, user, roles, open referred tickets (count and page), finished ones (capped count and
# page), bell, the unit's name in the heading.
UNIT_QUEUE_QUERIES = 9 + SAVEPOINTS

_numbers = itertools.count(1)


def build(community: Community, cell: str | None = "001", **fields) -> Ticket:
    """An unsaved ticket in ``community`` (at the centre of its grid ``cell``), placed and scoped
    like one filed through the services. ``state`` is protected: it is set here or not at all."""
    grid = GridCell.objects.get(code=community.code + cell) if cell else None
    values = {
        "number": f"XZ20260301-{next(_numbers):04d}",
        "source": Source.HOTLINE,
        "category": Category.objects.get(kind="event", code="0102"),
        "description": "小区门口垃圾堆积",
        "lat": grid.centroid_lat if grid else None,
        "lng": grid.centroid_lng if grid else None,
        "grid_cell": grid,
        "community": community,
        "street_id": community.street_id,
        "district_id": community.street.district_id,
        "brigade_id": community.brigade_id,
    }
    values.update(fields)
    return Ticket(**values)


def add(community: Community, cell: str | None = "001", **fields) -> Ticket:
    ticket = build(community, cell, **fields)
    ticket.save()
    return ticket


def numbers(response) -> list[str]:
    return [t.number for t in response.context["page"]]


def tab_counts(response) -> dict[str, int]:
    return {value: count for value, _label, count in response.context["tabs"]}


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def as_supervisor(client, supervisor_gulou):
    client.force_login(supervisor_gulou)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def second_community(gulou_community):
    """A second community of 鼓楼一大队 on the same street, with one grid."""
    community = CommunityFactory(
        street=gulou_community.street, code="002", name="民主社区", brigade=gulou_community.brigade
    )
    GridCellFactory(community=community, code="001", boundary=square(2, 0))
    return community


# --- scope ----------------------------------------------------------------------------------------


def test_the_queue_shows_only_the_supervisors_brigade(
    as_supervisor, gulou_community, taishan_community
):
    mine = add(gulou_community)
    theirs = add(taishan_community)
    response = as_supervisor.get("/cases/")
    assert response.status_code == 200
    assert numbers(response) == [mine.number]
    assert theirs.number not in response.content.decode()
    assert tab_counts(response)["all"] == 1


def test_the_command_centre_sees_every_brigade(
    client, command_supervisor, gulou_community, taishan_community
):
    mine = add(gulou_community)
    theirs = add(taishan_community)
    client.force_login(command_supervisor)
    response = client.get("/cases/")
    assert sorted(numbers(response)) == sorted([mine.number, theirs.number])


def test_an_officer_cannot_open_the_queue(client, officer_gulou):
    client.force_login(officer_gulou)
    assert client.get("/cases/").status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(client, db):
    response = client.get("/cases/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


# --- status tabs ----------------------------------------------------------------------------------


def test_the_status_tabs_count_each_state(as_supervisor, gulou_community):
    for state in [State.REPORTED, State.REPORTED, State.REGISTERED, State.CLOSED]:
        add(gulou_community, state=state)
    add(gulou_community, state=State.REJECTED, reject_reason="invalid")
    response = as_supervisor.get("/cases/")
    counts = tab_counts(response)
    assert counts["open"] == 3
    assert counts[State.REPORTED] == 2
    assert counts[State.REGISTERED] == 1
    assert counts[State.DISPATCHED] == 0
    assert counts[State.CLOSED] == 1
    assert counts[State.REJECTED] == 1
    assert counts["all"] == 5
    assert response.context["status"] == "open"
    assert len(numbers(response)) == 3


def test_a_status_tab_lists_only_that_state(as_supervisor, gulou_community):
    reported = add(gulou_community, state=State.REPORTED)
    closed = add(gulou_community, state=State.CLOSED)
    assert numbers(as_supervisor.get("/cases/?status=closed")) == [closed.number]
    assert numbers(as_supervisor.get("/cases/?status=reported")) == [reported.number]
    assert sorted(numbers(as_supervisor.get("/cases/?status=all"))) == sorted(
        [reported.number, closed.number]
    )


def test_the_tab_counts_respect_the_other_filters(as_supervisor, gulou_community):
    add(gulou_community, state=State.REPORTED, source=Source.HOTLINE)
    add(gulou_community, state=State.REPORTED, source=Source.DIGITAL_CITY)
    add(gulou_community, state=State.CLOSED, source=Source.HOTLINE)
    add(gulou_community, state=State.CLOSED, source=Source.DIGITAL_CITY)
    add(gulou_community, state=State.CLOSED, source=Source.DIGITAL_CITY)
    response = as_supervisor.get("/cases/?source=digital_city&status=closed")
    counts = tab_counts(response)
    assert counts[State.REPORTED] == 1
    assert counts[State.CLOSED] == 2
    assert counts["all"] == 3
    assert len(numbers(response)) == 2


# --- each filter narrows --------------------------------------------------------------------------


def test_the_category_filter(as_supervisor, gulou_community):
    garbage = add(gulou_community)
    dirty_road = add(gulou_community, category=Category.objects.get(kind="event", code="0104"))
    response = as_supervisor.get(f"/cases/?category={dirty_road.category_id}")
    assert numbers(response) == [dirty_road.number]
    assert garbage.number not in numbers(response)


def test_the_source_filter(as_supervisor, gulou_community):
    add(gulou_community, source=Source.HOTLINE)
    patrol = add(gulou_community, source=Source.PATROL)
    assert numbers(as_supervisor.get("/cases/?source=patrol")) == [patrol.number]


def test_the_priority_filter(as_supervisor, gulou_community):
    add(gulou_community, priority=Priority.NORMAL)
    urgent = add(gulou_community, priority=Priority.URGENT)
    assert numbers(as_supervisor.get("/cases/?priority=urgent")) == [urgent.number]


def test_the_community_filter(as_supervisor, gulou_community, second_community):
    add(gulou_community)
    there = add(second_community)
    response = as_supervisor.get(f"/cases/?community={second_community.pk}")
    assert numbers(response) == [there.number]


def test_the_community_filter_refuses_another_brigades_community(
    as_supervisor, gulou_community, taishan_community
):
    add(gulou_community)
    add(taishan_community)
    response = as_supervisor.get(f"/cases/?community={taishan_community.pk}")
    assert response.status_code == 200
    assert numbers(response) == []
    assert response.context["filter"].errors["community"]


def test_the_grid_filter_matches_a_code_prefix(as_supervisor, gulou_community, second_community):
    first = add(gulou_community, "001")
    second = add(gulou_community, "002")
    elsewhere = add(second_community, "001")
    response = as_supervisor.get("/cases/?grid=320302001001002")
    assert numbers(response) == [second.number]
    response = as_supervisor.get(f"/cases/?grid={gulou_community.code}")
    assert sorted(numbers(response)) == sorted([first.number, second.number])
    assert elsewhere.number not in numbers(response)


def test_the_assignee_filter(
    as_supervisor, gulou_community, officer_gulou, officer_gulou_colleague
):
    colleague = officer_gulou_colleague.officer
    mine = add(gulou_community, state=State.DISPATCHED, assignee=officer_gulou.officer)
    add(gulou_community, state=State.DISPATCHED, assignee=colleague)
    add(gulou_community)
    response = as_supervisor.get(f"/cases/?assignee={officer_gulou.officer.pk}")
    assert numbers(response) == [mine.number]


def test_the_unit_filter(as_supervisor, gulou_community, handler_sanitation):
    referred = add(gulou_community, state=State.REFERRED, responsible_unit=handler_sanitation.unit)
    add(gulou_community, state=State.REGISTERED)
    response = as_supervisor.get(f"/cases/?unit={handler_sanitation.unit_id}")
    assert numbers(response) == [referred.number]


def test_the_overdue_filter(as_supervisor, gulou_community):
    now = timezone.now()
    hour = datetime.timedelta(hours=1)
    past_deadline = add(gulou_community, state=State.DISPATCHED, deadline=now - hour)
    resolved_late = add(gulou_community, state=State.RESOLVED, overdue=True)
    on_time = add(gulou_community, state=State.DISPATCHED, deadline=now + hour)
    no_clock = add(gulou_community, state=State.REPORTED)
    late = as_supervisor.get("/cases/?overdue=true")
    assert sorted(numbers(late)) == sorted([past_deadline.number, resolved_late.number])
    not_late = as_supervisor.get("/cases/?overdue=false")
    assert sorted(numbers(not_late)) == sorted([on_time.number, no_clock.number])


def test_the_colour_filter_follows_the_clock(as_supervisor, gulou_community):
    start = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
    with time_machine.travel(start, tick=False) as traveller:
        ticket = add(
            gulou_community,
            state=State.IN_PROGRESS,
            clock_started_at=start,
            warn_at=start + datetime.timedelta(hours=8),
            deadline=start + datetime.timedelta(hours=10),
        )
        add(gulou_community, state=State.REPORTED)  # no clock: never coloured
        closed = add(
            gulou_community,
            state=State.CLOSED,
            warn_at=start - datetime.timedelta(hours=2),
            deadline=start - datetime.timedelta(hours=1),
        )

        def coloured(colour: str) -> list[str]:
            return numbers(as_supervisor.get(f"/cases/?status=all&colour={colour}"))

        assert (coloured("green"), coloured("yellow"), coloured("red")) == ([ticket.number], [], [])
        traveller.move_to(start + datetime.timedelta(hours=9))
        assert (coloured("green"), coloured("yellow"), coloured("red")) == ([], [ticket.number], [])
        traveller.move_to(start + datetime.timedelta(hours=11))
        assert (coloured("green"), coloured("yellow"), coloured("red")) == ([], [], [ticket.number])
        assert closed.number not in coloured("red")


def test_the_date_range_uses_xuzhou_days(as_supervisor, gulou_community):
    def on(day: int, hour: int, minute: int = 0) -> datetime.datetime:
        return datetime.datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)

    before = add(gulou_community, reported_at=on(9, 23, 59))
    late_evening = add(gulou_community, reported_at=on(10, 23, 30))  # 15:30 UTC, still the 10th
    early_morning = add(gulou_community, reported_at=on(11, 0, 30))  # 16:30 UTC on the 10th
    after = add(gulou_community, reported_at=on(12, 0, 1))
    response = as_supervisor.get("/cases/?reported_after=2026-03-10&reported_before=2026-03-10")
    assert numbers(response) == [late_evening.number]
    response = as_supervisor.get("/cases/?reported_after=2026-03-10&reported_before=2026-03-11")
    assert sorted(numbers(response)) == sorted([late_evening.number, early_morning.number])
    response = as_supervisor.get("/cases/?reported_after=2026-03-12")
    assert numbers(response) == [after.number]
    response = as_supervisor.get("/cases/?reported_before=2026-03-09")
    assert numbers(response) == [before.number]


def test_the_search_finds_a_number_by_its_prefix_or_its_tail(as_supervisor, gulou_community):
    wanted = add(gulou_community, number="XZ20260301-0042")
    add(gulou_community, number="XZ20260301-0043")
    add(gulou_community, number="XZ20260302-0042")
    assert numbers(as_supervisor.get("/cases/?q=xz20260301-0042")) == [wanted.number]
    assert sorted(numbers(as_supervisor.get("/cases/?q=0301-004"))) == [
        "XZ20260301-0042",
        "XZ20260301-0043",
    ]


def test_the_search_finds_words_in_the_description(as_supervisor, gulou_community):
    wanted = add(gulou_community, description="解放路菜市场门口占道经营")
    add(gulou_community, description="小区门口垃圾堆积")
    assert numbers(as_supervisor.get("/cases/?q=菜市场")) == [wanted.number]
    assert numbers(as_supervisor.get("/cases/?q=%20%20")) != []  # blank search: no filter


def test_filters_combine(as_supervisor, gulou_community):
    wanted = add(gulou_community, "002", source=Source.PATROL, priority=Priority.URGENT)
    add(gulou_community, "002", source=Source.PATROL)
    add(gulou_community, "001", source=Source.PATROL, priority=Priority.URGENT)
    response = as_supervisor.get("/cases/?source=patrol&priority=urgent&grid=320302001001002")
    assert numbers(response) == [wanted.number]


# --- sorting --------------------------------------------------------------------------------------


def test_sorting_by_deadline_puts_the_soonest_first_and_no_deadline_last(
    as_supervisor, gulou_community
):
    now = timezone.now()
    hours = [3, None, 1, 2]
    tickets = {
        h: add(
            gulou_community,
            state=State.DISPATCHED if h else State.REGISTERED,
            deadline=now + datetime.timedelta(hours=h) if h else None,
        )
        for h in hours
    }
    expected = [tickets[1].number, tickets[2].number, tickets[3].number, tickets[None].number]
    assert numbers(as_supervisor.get("/cases/")) == expected
    assert numbers(as_supervisor.get("/cases/?sort=deadline")) == expected


def test_sorting_by_report_time(as_supervisor, gulou_community):
    now = timezone.now()
    old = add(gulou_community, reported_at=now - datetime.timedelta(days=2))
    new = add(gulou_community, reported_at=now - datetime.timedelta(hours=1))
    middle = add(gulou_community, reported_at=now - datetime.timedelta(days=1))
    newest_first = [new.number, middle.number, old.number]
    assert numbers(as_supervisor.get("/cases/?sort=-reported_at")) == newest_first
    assert numbers(as_supervisor.get("/cases/?sort=reported_at")) == newest_first[::-1]


# --- bad input, htmx, paging ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "community=abc",
        "reported_after=notadate",
        "reported_before=2026-02-30",
        "category=9999999",
        "assignee=x",
        "unit=-1",
        "colour=purple",
        "status=lost",
        "sort=password",
        "source=carrier_pigeon",
        "district=1e9",
        "overdue=maybe",
    ],
)
def test_invalid_filter_input_shows_a_message_not_an_error_page(
    as_supervisor, gulou_community, query
):
    add(gulou_community)
    response = as_supervisor.get(f"/cases/?{query}")
    assert response.status_code == 200
    assert "Some filters are not valid" in response.content.decode()
    assert numbers(response) == []


@pytest.mark.parametrize(
    "query",
    [
        "page=abc",
        "page=-3",
        "page=999999",
        "grid=%27%3B--",
        "q=%25_%5C",
        "community=99999999999999999999999",
        "q=" + "长" * 2000,
    ],
)
def test_odd_but_harmless_input_does_not_break_the_queue(as_supervisor, gulou_community, query):
    add(gulou_community)
    response = as_supervisor.get(f"/cases/?{query}")
    assert response.status_code == 200


def test_an_htmx_request_gets_only_the_results(as_supervisor, gulou_community):
    ticket = add(gulou_community)
    response = as_supervisor.get("/cases/?source=hotline_12345", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert ticket.number in html
    assert "status-tabs" in html
    assert "<html" not in html
    assert 'id="filter-form"' not in html
    assert 'id="bulk-form"' not in html
    full = as_supervisor.get("/cases/").content.decode()
    assert "<html" in full and 'id="filter-form"' in full and 'id="bulk-form"' in full


def test_the_queue_is_paged_by_25(as_supervisor, gulou_community):
    Ticket.objects.bulk_create([build(gulou_community) for _ in range(30)])
    first = as_supervisor.get("/cases/?source=hotline_12345")
    assert len(numbers(first)) == 25
    assert "page=2" in first.content.decode()
    assert "source=hotline_12345&amp;page=2" in first.content.decode()
    second = as_supervisor.get("/cases/?source=hotline_12345&page=2")
    assert len(numbers(second)) == 5
    assert not set(numbers(first)) & set(numbers(second))
    assert numbers(as_supervisor.get("/cases/?page=99")) == numbers(second)  # the last page


# --- query counts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [10, 50])
def test_the_queue_runs_the_same_queries_for_10_or_50_rows(
    as_supervisor,
    gulou_community,
    officer_gulou,
    handler_sanitation,
    monkeypatch,
    django_assert_max_num_queries,
    rows,
):
    monkeypatch.setattr("cases.views.PAGE_SIZE", 50)
    now = timezone.now()
    officer = officer_gulou.officer
    unit = handler_sanitation.unit
    hour = datetime.timedelta(hours=1)
    kinds = itertools.cycle(
        [
            {"state": State.DISPATCHED, "assignee": officer, "deadline": now + hour},
            {"state": State.REFERRED, "responsible_unit": unit, "responsible_person": "刘科长"},
            {"state": State.REPORTED, "reporter_phone": "13812345678", "rework_count": 1},
        ]
    )
    Ticket.objects.bulk_create(
        [build(gulou_community, "001" if i % 2 else "002", **next(kinds)) for i in range(rows)]
    )
    with django_assert_max_num_queries(QUEUE_QUERIES):
        response = as_supervisor.get("/cases/?status=all")
    assert len(numbers(response)) == rows
    html = response.content.decode()
    assert html.count('class="fw-semibold text-decoration-none me-1 ticket-number"') == rows
    assert "刘科长" in html and str(officer.user) in html


@pytest.mark.parametrize("rows", [10, 120])
def test_the_officers_task_list_runs_the_same_queries_for_10_or_120_rows(
    client,
    gulou_community,
    officer_gulou,
    officer_gulou_colleague,
    django_assert_max_num_queries,
    rows,
):
    officer = officer_gulou.officer
    colleague = officer_gulou_colleague.officer
    now = timezone.now()
    mine = [
        build(gulou_community, state=State.DISPATCHED, assignee=officer, deadline=now)
        for _ in range(rows)
    ]
    around = [
        build(gulou_community, "002", state=State.DISPATCHED, assignee=colleague)
        for _ in range(rows // 2)
    ] + [build(gulou_community, state=State.REPORTED) for _ in range(rows // 2)]
    Ticket.objects.bulk_create(mine + around)
    client.force_login(officer_gulou)
    with django_assert_max_num_queries(MY_TASKS_QUERIES):
        response = client.get("/cases/mine/")
    assert len(response.context["tasks"]) == min(rows, 50)
    assert len(response.context["in_grids"]) == min(rows, 50)
    assert response.context["tasks"].paginator.count == rows


def test_the_officers_lists_page_by_fifty_each_on_its_own(
    client, gulou_community, officer_gulou, officer_gulou_colleague
):
    officer = officer_gulou.officer
    now = timezone.now()
    Ticket.objects.bulk_create(
        [
            build(
                gulou_community,
                state=State.DISPATCHED,
                assignee=officer,
                deadline=now + datetime.timedelta(minutes=i),
            )
            for i in range(60)
        ]
        + [build(gulou_community, state=State.REPORTED) for _ in range(55)]
    )
    client.force_login(officer_gulou)
    first = client.get("/cases/mine/")
    second = client.get("/cases/mine/?page=2")
    tasks = [t.pk for t in first.context["tasks"]] + [t.pk for t in second.context["tasks"]]
    by_deadline = Ticket.objects.filter(assignee=officer).order_by("deadline", "reported_at", "id")
    assert tasks == list(by_deadline.values_list("pk", flat=True))
    assert len(second.context["in_grids"]) == 50  # the other list stays on its first page
    assert len(client.get("/cases/mine/?page=2&around=2").context["in_grids"]) == 5
    assert 'href="?page=2&amp;around=2"' in second.content.decode()


@pytest.mark.parametrize("rows", [10, 120])
def test_the_units_list_runs_the_same_queries_for_10_or_120_rows(
    client, gulou_community, handler_sanitation, django_assert_max_num_queries, rows
):
    unit = handler_sanitation.unit
    now = timezone.now()
    Ticket.objects.bulk_create(
        [
            build(gulou_community, state=State.REFERRED, responsible_unit=unit, deadline=now)
            for _ in range(rows)
        ]
        + [
            build(gulou_community, state=State.RESOLVED, responsible_unit=unit, resolved_at=now)
            for _ in range(rows)
        ]
    )
    client.force_login(handler_sanitation)
    with django_assert_max_num_queries(UNIT_QUEUE_QUERIES):
        response = client.get("/cases/unit/")
    assert len(response.context["open_tickets"]) == min(rows, 50)
    assert len(response.context["page"]) == min(rows, 50)


def test_the_units_finished_count_stops_at_the_cap(
    client, gulou_community, handler_sanitation, settings
):
    settings.CASES_COUNT_CAP = 10
    unit = handler_sanitation.unit
    now = timezone.now()
    Ticket.objects.bulk_create(
        [
            build(gulou_community, state=State.RESOLVED, responsible_unit=unit, resolved_at=now)
            for _ in range(60)
        ]
    )
    client.force_login(handler_sanitation)
    response = client.get("/cases/unit/")
    assert str(response.context["page"].paginator.count) == "10+"
    assert len(response.context["page"]) == 11


# --- bulk actions ---------------------------------------------------------------------------------


def test_bulk_dispatch_sends_every_ticked_ticket_to_the_officer(
    as_supervisor, supervisor_gulou, gulou_community, officer_gulou
):
    tickets = [add(gulou_community, state=State.REGISTERED) for _ in range(3)]
    response = as_supervisor.post(
        "/cases/bulk/",
        {
            "action": "dispatch",
            "tickets": [t.pk for t in tickets],
            "officer": officer_gulou.officer.pk,
            "next": "status=registered",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/cases/?status=registered"
    for ticket in tickets:
        ticket.refresh_from_db()
        assert ticket.state == State.DISPATCHED
        assert ticket.assignee == officer_gulou.officer
        assert ticket.deadline is not None
    events = TicketEvent.objects.filter(action=Action.DISPATCH, ticket__in=tickets)
    assert events.count() == 3
    assert {e.actor for e in events} == {supervisor_gulou}
    assert {(e.from_state, e.to_state) for e in events} == {(State.REGISTERED, State.DISPATCHED)}
    assert any("Done for 3 tickets" in m for m in messages_of(response))


def test_bulk_dispatch_reports_a_ticket_already_dispatched_and_does_the_others(
    as_supervisor, gulou_community, officer_gulou, officer_gulou_colleague
):
    colleague = officer_gulou_colleague.officer
    taken = add(gulou_community, state=State.DISPATCHED, assignee=colleague)
    fresh = [add(gulou_community, state=State.REGISTERED) for _ in range(2)]
    response = as_supervisor.post(
        "/cases/bulk/",
        {
            "action": "dispatch",
            "tickets": [fresh[0].pk, taken.pk, fresh[1].pk],
            "officer": officer_gulou.officer.pk,
        },
    )
    taken.refresh_from_db()
    assert taken.state == State.DISPATCHED and taken.assignee == colleague
    assert not TicketEvent.objects.filter(ticket=taken).exists()
    for ticket in fresh:
        ticket.refresh_from_db()
        assert ticket.state == State.DISPATCHED and ticket.assignee == officer_gulou.officer
    messages = messages_of(response)
    assert any("Done for 2 tickets" in m for m in messages)
    failed = [m for m in messages if m.startswith(taken.number)]
    assert len(failed) == 1 and "has just been changed" in failed[0]


def test_bulk_leaves_a_ticket_of_another_brigade_alone(
    as_supervisor, gulou_community, taishan_community, officer_gulou
):
    theirs = add(taishan_community, state=State.REGISTERED)
    mine = add(gulou_community, state=State.REGISTERED)
    response = as_supervisor.post(
        "/cases/bulk/",
        {
            "action": "dispatch",
            "tickets": [theirs.pk, mine.pk],
            "officer": officer_gulou.officer.pk,
        },
    )
    theirs.refresh_from_db()
    assert theirs.state == State.REGISTERED and theirs.assignee is None
    assert not TicketEvent.objects.filter(ticket=theirs).exists()
    assert theirs.number not in " ".join(messages_of(response))
    mine.refresh_from_db()
    assert mine.state == State.DISPATCHED


def test_bulk_cannot_dispatch_to_an_officer_of_another_brigade(
    as_supervisor, gulou_community, officer_quanshan
):
    ticket = add(gulou_community, state=State.REGISTERED)
    response = as_supervisor.post(
        "/cases/bulk/",
        {"action": "dispatch", "tickets": [ticket.pk], "officer": officer_quanshan.officer.pk},
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.state == State.REGISTERED
    assert messages_of(response)


def test_bulk_register_registers_reports(as_supervisor, gulou_community):
    reports = [add(gulou_community) for _ in range(2)]
    as_supervisor.post("/cases/bulk/", {"action": "register", "tickets": [t.pk for t in reports]})
    for ticket in reports:
        ticket.refresh_from_db()
        assert ticket.state == State.REGISTERED
    assert TicketEvent.objects.filter(action=Action.REGISTER).count() == 2


def test_bulk_refer_needs_a_unit_and_a_person(as_supervisor, gulou_community, handler_sanitation):
    tickets = [add(gulou_community, state=State.REGISTERED) for _ in range(2)]
    ids = [t.pk for t in tickets]
    no_unit = as_supervisor.post(
        "/cases/bulk/", {"action": "refer", "tickets": ids, "person": "刘科长"}
    )
    assert any("Choose the unit" in m for m in messages_of(no_unit))
    no_person = as_supervisor.post(
        "/cases/bulk/",
        {"action": "refer", "tickets": ids, "unit": handler_sanitation.unit_id, "person": "  "},
    )
    assert any("Name the person" in m for m in messages_of(no_person))
    assert set(Ticket.objects.filter(pk__in=ids).values_list("state", flat=True)) == {
        State.REGISTERED
    }
    assert not TicketEvent.objects.exists()


def test_bulk_refer_refers_with_unit_and_person(as_supervisor, gulou_community, handler_sanitation):
    tickets = [add(gulou_community, state=State.REGISTERED) for _ in range(2)]
    as_supervisor.post(
        "/cases/bulk/",
        {
            "action": "refer",
            "tickets": [t.pk for t in tickets],
            "unit": handler_sanitation.unit_id,
            "person": "刘科长",
        },
    )
    for ticket in tickets:
        ticket.refresh_from_db()
        assert ticket.state == State.REFERRED
        assert ticket.responsible_unit == handler_sanitation.unit
        assert ticket.responsible_person == "刘科长"
    assert TicketEvent.objects.filter(action=Action.REFER).count() == 2


def test_bulk_with_nothing_ticked_says_so(as_supervisor, gulou_community):
    response = as_supervisor.post("/cases/bulk/", {"action": "register"})
    assert response.status_code == 302
    assert any("Tick the tickets" in m for m in messages_of(response))


@pytest.mark.parametrize(
    "data",
    [
        {"action": "explode", "tickets": ["1"]},
        {"action": "dispatch", "tickets": ["abc"], "officer": "x"},
        {"action": "refer", "tickets": ["99999999999999999999999"], "unit": "1", "person": "某"},
        {"action": "register", "tickets": ["-1", "1.5"]},
    ],
)
def test_malformed_bulk_posts_do_not_break(as_supervisor, gulou_community, data):
    add(gulou_community)
    response = as_supervisor.post("/cases/bulk/", data)
    assert response.status_code == 302
    assert not TicketEvent.objects.exists()


def test_an_officer_cannot_post_bulk_actions(client, officer_gulou, gulou_community):
    ticket = add(gulou_community, state=State.REGISTERED)
    client.force_login(officer_gulou)
    response = client.post(
        "/cases/bulk/",
        {"action": "dispatch", "tickets": [ticket.pk], "officer": officer_gulou.officer.pk},
    )
    assert response.status_code == 403
    ticket.refresh_from_db()
    assert ticket.state == State.REGISTERED


def test_a_handler_cannot_post_bulk_actions(client, handler_sanitation, gulou_community):
    ticket = add(gulou_community, state=State.REGISTERED)
    client.force_login(handler_sanitation)
    response = client.post("/cases/bulk/", {"action": "register", "tickets": [ticket.pk]})
    assert response.status_code == 403
    ticket.refresh_from_db()
    assert ticket.state == State.REGISTERED


def test_bulk_is_post_only(as_supervisor):
    assert as_supervisor.get("/cases/bulk/").status_code == 405


def test_the_bulk_bar_offers_only_the_brigades_officers_and_referral_units(
    as_supervisor, officer_gulou, officer_quanshan, handler_sanitation
):
    response = as_supervisor.get("/cases/")
    assert [o.pk for o in response.context["bulk_officers"]] == [officer_gulou.officer.pk]
    assert f'<option value="{officer_gulou.officer.pk}">王建国 (GL1-001)</option>' in (
        response.content.decode()
    )
    assert handler_sanitation.unit in list(response.context["bulk_units"])
    assert officer_quanshan.officer.badge_number not in response.content.decode()


def test_the_filter_form_keeps_what_was_chosen_and_groups_the_categories(
    as_supervisor, gulou_community
):
    garbage = Category.objects.get(kind="event", code="0102")
    html = as_supervisor.get(
        f"/cases/?community={gulou_community.pk}&category={garbage.pk}&overdue=true"
    ).content.decode()
    assert f'<option value="{gulou_community.pk}" selected>黄楼社区</option>' in html
    assert f'<option value="{garbage.pk}" selected>0102 暴露垃圾</option>' in html
    assert "<optgroup label=" in html
    assert '<option value="true" selected>' in html
