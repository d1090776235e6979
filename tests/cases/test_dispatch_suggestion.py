"""The dispatch list suggests the right officer: the one posted to the ticket's unit grid and on
duty now first, then the others of the brigade; never an officer of another brigade.

The cast (tests/conftest.py, tests/cases/conftest.py): officer_gulou (GL1-001) and
officer_gulou_colleague (GL1-002) are posted to both of 黄楼社区's grids every day 08:30–17:30;
officer_quanshan belongs to another brigade.
"""

import datetime
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from cases import selectors
from cases.forms import officer_choice_label
from cases.models import State
from cases.selectors import DispatchRank
from grids.models import Assignment
from patrols.models import PatrolSession
from tests.factories import OfficerFactory

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
TUESDAY_10 = datetime.datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)
TUESDAY_20 = datetime.datetime(2026, 3, 10, 20, 0, tzinfo=SHANGHAI)
NATIONAL_DAY_10 = datetime.datetime(2025, 10, 1, 10, 0, tzinfo=SHANGHAI)  # official holiday


@pytest.fixture
def unposted_gulou_officer(gulou_brigade):
    """GL1-000: of 鼓楼一大队 but posted nowhere: sorts first by badge, last by suggestion."""
    return OfficerFactory(brigade=gulou_brigade, badge_number="GL1-000", user__display_name="周平")


@pytest.fixture
def cast(officer_gulou, officer_gulou_colleague, officer_quanshan, unposted_gulou_officer):
    # The colleague's posting ends at 09:00: posted here, but off duty at ten.
    Assignment.objects.filter(officer=officer_gulou_colleague.officer).update(
        end_time=datetime.time(9, 0)
    )
    return officer_gulou.officer, officer_gulou_colleague.officer, unposted_gulou_officer


def ranked(ticket, at):
    return [(o.badge_number, o.dispatch_rank) for o in selectors.suggested_officers(ticket, at=at)]


def test_the_officer_posted_to_the_grid_and_on_duty_comes_first(make_ticket, cast):
    ticket = make_ticket(State.REGISTERED)
    assert ranked(ticket, TUESDAY_10) == [
        ("GL1-001", DispatchRank.SUGGESTED),
        ("GL1-002", DispatchRank.POSTED_HERE),
        ("GL1-000", DispatchRank.OTHER),
    ]


def test_officers_of_another_brigade_are_not_in_the_list_however_available(make_ticket, cast):
    ticket = make_ticket(State.REGISTERED)
    badges = [badge for badge, _ in ranked(ticket, TUESDAY_10)]
    assert "QS3-001" not in badges


def test_after_hours_nobody_posted_here_is_suggested(make_ticket, cast):
    ticket = make_ticket(State.REGISTERED)
    assert ranked(ticket, TUESDAY_20) == [
        ("GL1-001", DispatchRank.POSTED_HERE),
        ("GL1-002", DispatchRank.POSTED_HERE),
        ("GL1-000", DispatchRank.OTHER),
    ]


def test_an_officer_out_on_patrol_is_on_duty_whatever_their_hours(make_ticket, cast):
    ticket = make_ticket(State.REGISTERED)
    colleague, unposted = cast[1], cast[2]
    for officer in (colleague, unposted):
        PatrolSession.objects.create(officer=officer, brigade_id=officer.brigade_id)
    assert ranked(ticket, TUESDAY_20) == [
        ("GL1-002", DispatchRank.SUGGESTED),
        ("GL1-001", DispatchRank.POSTED_HERE),
        ("GL1-000", DispatchRank.ON_DUTY),
    ]


def test_nobody_is_on_shift_on_an_official_holiday(make_ticket, cast):
    ticket = make_ticket(State.REGISTERED)
    assert ranked(ticket, NATIONAL_DAY_10)[0] == ("GL1-001", DispatchRank.POSTED_HERE)


def test_a_ticket_on_no_grid_suggests_by_community(make_ticket, cast):
    ticket = make_ticket(State.REGISTERED)
    ticket.grid_cell = None
    assert ranked(ticket, TUESDAY_10)[0] == ("GL1-001", DispatchRank.SUGGESTED)


def test_the_suggestion_is_marked_in_the_users_language(make_ticket, cast):
    ticket = make_ticket(State.REGISTERED)
    first, second, last = selectors.suggested_officers(ticket, at=TUESDAY_10)
    with translation.override("zh-hans"):
        assert officer_choice_label(first).startswith("★ 王建国 (GL1-001) · 建议")
        assert "本网格" in officer_choice_label(second)
        assert officer_choice_label(last) == "周平 (GL1-000)"
    with translation.override("en"):
        assert officer_choice_label(first).endswith("suggested: posted to this grid, on duty now")


def _dispatch_options(html: str) -> list[str]:
    start = html.index('name="dispatch-officer"')
    select = html[start : html.index("</select>", start)]
    return [line.strip() for line in select.split("<option")[2:]]


def test_the_ticket_pages_dispatch_list_leads_with_the_suggestion(client, make_ticket, cast):
    ticket = make_ticket(State.REGISTERED)
    client.force_login(ticket.brigade.members.get(username="supervisor_gulou"))
    with time_machine.travel(TUESDAY_10, tick=False):
        response = client.get(ticket.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans")
    options = _dispatch_options(response.content.decode())
    assert "★ 王建国 (GL1-001)" in options[0]
    assert "周平 (GL1-000)" in options[-1]


def test_dispatching_to_an_officer_who_is_not_suggested_still_works(client, make_ticket, cast):
    ticket = make_ticket(State.REGISTERED)
    client.force_login(ticket.brigade.members.get(username="supervisor_gulou"))
    response = client.post(
        reverse("cases:act", args=[ticket.number, "dispatch"]),
        {"dispatch-expected_state": State.REGISTERED, "dispatch-officer": cast[2].pk},
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.state == State.DISPATCHED
    assert ticket.assignee_id == cast[2].pk


def test_the_dispatch_list_costs_the_same_queries_however_many_officers(
    client, make_ticket, cast, gulou_brigade
):
    ticket = make_ticket(State.REGISTERED)
    client.force_login(ticket.brigade.members.get(username="supervisor_gulou"))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(ticket.get_absolute_url()).status_code == 200
        return len(captured)

    before = queries()
    for n in range(10):
        officer = OfficerFactory(brigade=gulou_brigade, badge_number=f"GL1-1{n:02d}")
        PatrolSession.objects.create(officer=officer, brigade_id=gulou_brigade.pk)
    assert queries() == before
