"""The queue at city scale: its status tabs keep the finished counts in the cache yet stay right
through every transition, the pager reads its count off the tabs, the rows take their community,
officer and unit from the page's own lists (reading again the rows those miss), and those lists
are read as values yet name everything as full instances would."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import UnitKind
from cases import selectors, services
from cases.models import Action, Source, State, Ticket, TicketEvent
from cases.tab_counts import FINISHED_TIMEOUT, AtLeast
from grids.models import Community
from grids.selectors import supervised_communities
from tests.cases.conftest import GULOU_POINT
from tests.cases.test_queue import SAVEPOINTS, add, build, numbers, tab_counts
from tests.factories import (
    CommunityFactory,
    GridCellFactory,
    UnitFactory,
    UserFactory,
    processed_photo,
    square,
)

pytestmark = pytest.mark.django_db

# As tests/cases/test_queue.py's QUEUE_QUERIES, plus the one statement that reads again the rows
# whose officer, community or unit the page's lists do not hold.
QUEUE_QUERIES_WITH_STRAYS = 12 + SAVEPOINTS


@pytest.fixture
def as_command(command_supervisor):
    """The command centre, in a browser of its own (``as_supervisor`` holds ``client``)."""
    client = Client()
    client.force_login(command_supervisor)
    return client


@pytest.fixture
def as_supervisor(client, supervisor_gulou):
    client.force_login(supervisor_gulou)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def ticket_statements(captured: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if '"cases_ticket"' in q["sql"]]


# --- the tabs stay right ------------------------------------------------------------------------


def test_a_new_report_shows_in_the_tabs_at_once(as_supervisor, category, gulou_community):
    add(gulou_community, state=State.CLOSED)
    before = tab_counts(as_supervisor.get("/cases/"))
    services.create_ticket(
        actor=None,
        source=Source.RESIDENT,
        category=category,
        description="路边垃圾桶满了",
        lat=GULOU_POINT[0],
        lng=GULOU_POINT[1],
    )
    after = tab_counts(as_supervisor.get("/cases/"))
    assert (before[State.REPORTED], after[State.REPORTED]) == (0, 1)
    assert (before["open"], after["open"]) == (0, 1)
    assert (before["all"], after["all"]) == (1, 2)
    assert after[State.CLOSED] == 1


def test_closing_a_ticket_moves_it_to_the_closed_tab_at_once(
    as_supervisor, make_ticket, supervisor_gulou
):
    ticket = make_ticket(State.RESOLVED)
    before = tab_counts(as_supervisor.get("/cases/"))  # the finished counts are cached now
    services.verify_ticket(actor=supervisor_gulou, ticket_id=ticket.pk, passed=True)
    after = tab_counts(as_supervisor.get("/cases/"))
    assert (before[State.RESOLVED], after[State.RESOLVED]) == (1, 0)
    assert (before[State.CLOSED], after[State.CLOSED]) == (0, 1)
    assert before["all"] == after["all"] == 1
    event = TicketEvent.objects.filter(ticket=ticket).latest("id")
    assert (event.from_state, event.to_state) == (State.RESOLVED, State.CLOSED)


def test_reopening_a_ticket_takes_it_out_of_the_closed_tab_at_once(
    as_supervisor, make_ticket, supervisor_gulou
):
    ticket = make_ticket(State.CLOSED)
    assert tab_counts(as_supervisor.get("/cases/"))[State.CLOSED] == 1
    services.reopen_ticket(actor=supervisor_gulou, ticket_id=ticket.pk, reason="垃圾又堆起来了")
    counts = tab_counts(as_supervisor.get("/cases/"))
    assert counts[State.CLOSED] == 0
    assert counts[State.REGISTERED] == 1
    assert TicketEvent.objects.filter(ticket=ticket, action=Action.REOPEN).count() == 1


def test_rejecting_a_report_through_the_page_counts_it_as_rejected(as_supervisor, make_ticket):
    ticket = make_ticket(State.REPORTED)
    as_supervisor.get("/cases/")
    response = as_supervisor.post(
        f"/cases/{ticket.number}/reject/",
        {
            "reject-reason": "invalid",
            "reject-note": "现场无此问题",
            "reject-expected_state": State.REPORTED,
        },
    )
    assert response.status_code == 302
    counts = tab_counts(as_supervisor.get("/cases/"))
    assert (counts[State.REPORTED], counts[State.REJECTED]) == (0, 1)
    assert TicketEvent.objects.filter(ticket=ticket, to_state=State.REJECTED).count() == 1


def test_an_on_site_fix_is_counted_as_closed_at_once(as_supervisor, officer_gulou, category, media):
    assert tab_counts(as_supervisor.get("/cases/"))[State.CLOSED] == 0
    services.create_on_site_ticket(
        actor=officer_gulou,
        category=category,
        description="井盖松动，已复位",
        before=[processed_photo()],
        after=[processed_photo()],
        lat=GULOU_POINT[0],
        lng=GULOU_POINT[1],
    )
    assert tab_counts(as_supervisor.get("/cases/"))[State.CLOSED] == 1


def test_the_finished_counts_are_read_once_then_only_the_open_ones(as_supervisor, gulou_community):
    add(gulou_community, state=State.CLOSED)
    add(gulou_community, state=State.REPORTED)
    as_supervisor.get("/cases/")
    with CaptureQueriesContext(connection) as captured:
        response = as_supervisor.get("/cases/")
    assert tab_counts(response)[State.CLOSED] == 1
    grouped = [sql for sql in ticket_statements(captured) if "GROUP BY" in sql]
    assert len(grouped) == 1
    assert "'closed'" not in grouped[0] and "'reported'" in grouped[0]


def test_a_ticket_finished_behind_the_services_back_shows_when_the_cache_expires(
    as_supervisor, gulou_community, settings
):
    # Expiry is the cache's own business: Redis (CI) counts it on its server, where moving this
    # process's clock does not reach, so this test keeps its counts in an in-process cache.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        add(gulou_community, state=State.CLOSED)
        as_supervisor.get("/cases/")
        add(gulou_community, state=State.CLOSED)  # a bulk load: no transition, no audit row
        assert tab_counts(as_supervisor.get("/cases/"))[State.CLOSED] == 1
        traveller.shift(datetime.timedelta(seconds=FINISHED_TIMEOUT + 1))
        assert tab_counts(as_supervisor.get("/cases/"))[State.CLOSED] == 2


def test_each_filter_has_its_own_finished_counts(as_supervisor, gulou_community):
    add(gulou_community, state=State.CLOSED, source=Source.HOTLINE)
    add(gulou_community, state=State.CLOSED, source=Source.DIGITAL_CITY)
    assert tab_counts(as_supervisor.get("/cases/"))[State.CLOSED] == 2
    hotline = tab_counts(as_supervisor.get("/cases/?source=hotline_12345"))
    assert hotline[State.CLOSED] == 1
    assert tab_counts(as_supervisor.get("/cases/?overdue=true"))[State.CLOSED] == 0


def test_the_citys_cached_counts_are_not_shown_to_a_brigade(
    as_supervisor, as_command, gulou_community, taishan_community
):
    add(gulou_community, state=State.CLOSED)
    add(taishan_community, state=State.CLOSED)
    add(taishan_community, state=State.REJECTED, reject_reason="invalid")
    city = tab_counts(as_command.get("/cases/"))
    assert (city[State.CLOSED], city[State.REJECTED]) == (2, 1)
    brigade = tab_counts(as_supervisor.get("/cases/"))
    assert (brigade[State.CLOSED], brigade[State.REJECTED]) == (1, 0)


def test_the_brigades_cached_counts_are_not_shown_to_the_city(
    as_supervisor, as_command, gulou_community, taishan_community
):
    add(gulou_community, state=State.CLOSED)
    add(taishan_community, state=State.CLOSED)
    assert tab_counts(as_supervisor.get("/cases/"))[State.CLOSED] == 1
    assert tab_counts(as_command.get("/cases/"))[State.CLOSED] == 2


def test_a_supervisor_without_a_brigade_gets_an_empty_queue(client, gulou_community):
    add(gulou_community, state=State.CLOSED)
    client.force_login(UserFactory(username="supervisor_nowhere", roles=["supervisor"]))
    response = client.get("/cases/?status=closed")
    assert response.status_code == 200
    assert numbers(response) == []
    assert set(tab_counts(response).values()) == {0}


# --- the pager counts off the tabs ----------------------------------------------------------------


@pytest.mark.parametrize("status", ["open", "closed", "all"])
def test_the_pager_counts_what_the_tab_counts_without_a_count_query(
    as_supervisor, gulou_community, status
):
    Ticket.objects.bulk_create(
        [build(gulou_community, state=State.REPORTED) for _ in range(20)]
        + [build(gulou_community, state=State.CLOSED) for _ in range(12)]
    )
    as_supervisor.get(f"/cases/?status={status}")
    with CaptureQueriesContext(connection) as captured:
        response = as_supervisor.get(f"/cases/?status={status}")
    expected = {"open": 20, "closed": 12, "all": 32}[status]
    page = response.context["page"]
    assert page.paginator.count == tab_counts(response)[status] == expected
    assert page.paginator.num_pages == (2 if expected > 25 else 1)
    assert not [sql for sql in ticket_statements(captured) if '"__count"' in sql]


# --- finished counts stop at a cap ---------------------------------------------------------------


def test_a_finished_count_past_the_cap_shows_as_cap_plus(as_supervisor, gulou_community, settings):
    settings.CASES_COUNT_CAP = 10
    Ticket.objects.bulk_create(
        [build(gulou_community, state=State.CLOSED) for _ in range(14)]
        + [build(gulou_community, state=State.REJECTED) for _ in range(3)]
        + [build(gulou_community, state=State.REPORTED) for _ in range(2)]
    )
    response = as_supervisor.get("/cases/?status=closed")
    counts = tab_counts(response)
    assert isinstance(counts[State.CLOSED], AtLeast)
    assert (counts[State.REJECTED], counts["open"]) == (3, 2)  # below the cap: exact
    html = response.content.decode()
    assert '<span class="badge text-bg-light">10+</span>' in html  # closed and all
    assert '<span class="badge text-bg-light">3</span>' in html
    assert "10+ tickets" in html
    assert len(numbers(response)) == 11  # the pages reach past the cap by one row
    # Cached the same way: the next page shows the same.
    assert str(tab_counts(as_supervisor.get("/cases/"))[State.CLOSED]) == "10+"


def test_a_finished_count_at_the_cap_is_exact(as_supervisor, gulou_community, settings):
    settings.CASES_COUNT_CAP = 10
    Ticket.objects.bulk_create([build(gulou_community, state=State.CLOSED) for _ in range(10)])
    counts = tab_counts(as_supervisor.get("/cases/?status=closed"))
    assert (counts[State.CLOSED], counts["all"]) == (10, 10)
    assert not isinstance(counts[State.CLOSED], AtLeast)


def test_the_capped_count_is_shown_grouped_past_ten_thousand():
    assert str(AtLeast(10_001)) == "10,000+"


def test_an_invalid_filter_shows_no_rows_and_no_counts(as_supervisor, gulou_community):
    add(gulou_community)
    response = as_supervisor.get("/cases/?reported_after=yesterday")
    assert numbers(response) == []
    assert response.context["page"].paginator.count == 0
    assert set(tab_counts(response).values()) == {0}


# --- rows from the page's own lists ---------------------------------------------------------------


@pytest.fixture
def strays(gulou_community, officer_gulou, supervisor_gulou):
    """What the page's lists leave out: an officer who has left, a unit since closed, and a
    community since given to another brigade (its old tickets stay with 鼓楼一大队)."""
    departed = officer_gulou.officer
    departed.is_active = False
    departed.save(update_fields=["is_active"])
    closed_unit = UnitFactory(
        code="old-parks", name="园林处（已撤销）", kind=UnitKind.DEPARTMENT, is_active=False
    )
    moved = CommunityFactory(
        street=gulou_community.street,
        code="009",
        name="民主社区",
        brigade=UnitFactory(code="gl9", name="鼓楼九大队", kind=UnitKind.BRIGADE),
    )
    GridCellFactory(community=moved, code="001", boundary=square(3, 0))
    return departed, closed_unit, moved


@pytest.mark.parametrize("rows", [10, 50])
def test_rows_outside_the_pages_lists_still_show_their_officer_unit_and_community(
    as_supervisor,
    gulou_community,
    strays,
    monkeypatch,
    django_assert_max_num_queries,
    rows,
):
    monkeypatch.setattr("cases.views.PAGE_SIZE", 50)
    departed, closed_unit, moved = strays
    brigade_id = gulou_community.brigade_id
    hour = datetime.timedelta(hours=1)
    now = timezone.now()
    tickets = []
    for i in range(rows):
        if i % 3 == 0:
            fields = {"state": State.DISPATCHED, "assignee": departed, "deadline": now + hour}
            tickets.append(build(gulou_community, **fields))
        elif i % 3 == 1:
            fields = {"responsible_unit": closed_unit, "responsible_person": "周科长"}
            tickets.append(build(gulou_community, state=State.REFERRED, **fields))
        else:
            tickets.append(build(moved, state=State.REPORTED, brigade_id=brigade_id))
    Ticket.objects.bulk_create(tickets)
    with django_assert_max_num_queries(QUEUE_QUERIES_WITH_STRAYS):
        response = as_supervisor.get("/cases/")
    assert len(numbers(response)) == rows
    html = response.content.decode()
    assert html.count(str(departed.user)) >= rows // 3
    assert html.count("园林处（已撤销）") >= rows // 3
    assert html.count("民主社区") >= rows // 3


def test_rows_inside_the_pages_lists_take_no_further_query(
    as_supervisor, gulou_community, officer_gulou, handler_sanitation
):
    officer = officer_gulou.officer
    add(gulou_community, state=State.DISPATCHED, assignee=officer, deadline=timezone.now())
    add(
        gulou_community,
        state=State.REFERRED,
        responsible_unit=handler_sanitation.unit,
        responsible_person="陈科长",
    )
    as_supervisor.get("/cases/")
    with CaptureQueriesContext(connection) as captured:
        response = as_supervisor.get("/cases/")
    html = response.content.decode()
    assert str(officer.user) in html and "环卫处" in html and "黄楼社区" in html
    rows = [sql for sql in ticket_statements(captured) if "GROUP BY" not in sql]
    assert len(rows) == 1
    assert '"accounts_officer"' not in rows[0] and '"grids_community"' not in rows[0]


def test_a_row_shows_its_state_and_source_in_chinese(client, supervisor_gulou, gulou_community):
    add(gulou_community, state=State.DISPATCHED, source=Source.HOTLINE)
    client.force_login(supervisor_gulou)
    html = client.get("/cases/", headers={"accept-language": "zh-hans"}).content.decode()
    assert "已派遣" in html and "12345热线" in html


# --- the choice lists, read as values -------------------------------------------------------------


def test_the_queue_lists_name_everything_as_the_full_instances_do(
    supervisor_gulou, gulou_community, officer_gulou, officer_gulou_colleague, handler_sanitation
):
    communities, officers, units = selectors.queue_lists(supervisor_gulou)
    assert [(c.pk, c.name, c.street.name, c.street.district.name) for c in communities] == [
        (c.pk, c.name, c.street.name, c.street.district.name)
        for c in supervised_communities(supervisor_gulou).order_by("code")
    ]
    full = selectors.dispatchable_officers(selectors.brigade_scope(supervisor_gulou))
    assert [(o.pk, str(o)) for o in officers] == [(o.pk, str(o)) for o in full]
    assert "王建国 (GL1-001)" in [str(o) for o in officers]
    assert handler_sanitation.unit in units


def test_a_field_the_queue_lists_leave_out_is_read_on_access(supervisor_gulou, gulou_community):
    Community.objects.filter(pk=gulou_community.pk).update(phone="0516-83000000")
    (choice,) = selectors.queue_lists(supervisor_gulou).communities
    community = choice.instance()
    assert community.name == "黄楼社区"
    assert community.phone == "0516-83000000"
    assert community.street.name == "黄楼街道"


def test_the_queue_lists_leave_out_other_brigades(
    supervisor_gulou, gulou_community, taishan_community, officer_gulou, officer_quanshan
):
    communities, officers, _units = selectors.queue_lists(supervisor_gulou)
    assert [c.name for c in communities] == ["黄楼社区"]
    assert [o.badge_number for o in officers] == ["GL1-001"]


# --- option lists rendered once -------------------------------------------------------------------


def test_a_renamed_community_shows_in_the_filters_at_once(as_supervisor, gulou_community):
    as_supervisor.get("/cases/")  # the options are rendered and kept
    gulou_community.name = "新名社区"
    gulou_community.save(update_fields=["name"])
    html = as_supervisor.get(f"/cases/?community={gulou_community.pk}").content.decode()
    assert f'<option value="{gulou_community.pk}" selected>新名社区</option>' in html


def test_the_kept_options_mark_only_this_requests_choice(as_supervisor, gulou_community):
    chosen = as_supervisor.get(f"/cases/?community={gulou_community.pk}").content.decode()
    plain = as_supervisor.get("/cases/").content.decode()
    assert f'<option value="{gulou_community.pk}" selected>' in chosen
    assert f'<option value="{gulou_community.pk}" selected>' not in plain
