"""The engine right on its edges, pinned on the small city of ``conftest.py``: the month and a
posting end at local midnight (Asia/Shanghai, not UTC), two postings on one grid count a
ticket once, 按期结案率 wants the ticket closed and not only resolved in time, and the
fixture's tickets open in a drill-down."""

import datetime
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from assessments.indicators import tickets_behind
from assessments.models import Run, Score
from assessments.services import execute_run, start_run
from cases.models import Ticket
from tests.assessments.conftest import OCTOBER, at, number_of, ticket_number
from tests.factories import AssignmentFactory

pytestmark = pytest.mark.django_db

NOV_2 = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
# (number, local time, counts in October?): 00:10 on 1 October is still 30 September in UTC,
# 23:30 on 31 October already 31 October in UTC; the other two are just outside the month.
MONTH_EDGES = [
    (901, "10-01 00:10", True),
    (902, "10-31 23:30", True),
    (903, "11-01 00:30", False),
    (904, "09-30 23:50", False),
]
INSIDE = {number for number, _when, inside in MONTH_EDGES if inside}


def _run_october(assessor) -> Run:
    with time_machine.travel(NOV_2, tick=False):
        return execute_run(start_run(month=OCTOBER, actor=assessor, queue=False).pk)


def _ticket(city, number: int, when: str, place: str | None, **fields: Any) -> Ticket:
    """A resident's ticket reported and registered at ``when`` (local) in the small city's grid
    ``place`` (t1: 李秀英's, t2: 周敏's, g1: 王建国's, g2: 孙立's; None: 泰山, no grid)."""
    grids = {
        "g1": city.tickets[1].grid_cell,
        "g2": city.tickets[13].grid_cell,
        "t1": city.tickets[19].grid_cell,
        "t2": city.tickets[26].grid_cell,
    }
    grid = grids[place] if place else None
    community = grid.community if grid else city.communities["泰山"]
    reported = at(when)
    values: dict[str, Any] = dict(
        number=ticket_number(number, reported),
        source="resident",
        category=city.tickets[1].category,
        description="深夜噪音扰民",
        grid_cell=grid,
        community=community,
        street=community.street,
        district=community.street.district,
        state="registered",
        reported_at=reported,
        registered_at=reported,
    )
    values.update(fields)
    return Ticket.objects.create(**values)


def _counts(score: Score, code: str) -> tuple[int, int]:
    return score.indicators[code]["num"], score.indicators[code]["den"]


def _behind(score: Score, code: str, part: str = "num") -> list[int]:
    return sorted(number_of(ticket) for ticket in tickets_behind(score, code, part))


def test_the_month_starts_and_ends_at_local_midnight(small_city, assessor):
    li = small_city.officers["B1"]
    for number, when, _inside in MONTH_EDGES:
        # Reported by a resident in 李秀英's grid (漏报率) ...
        _ticket(small_city, number, when, "t1")
        # ... found by her on patrol (有效上报率), outside any grid ...
        _ticket(small_city, number + 10, when, None, source="patrol", reporter=li.user)
        # ... and dispatched to her on the 15th, due at that minute (按期处置率).
        _ticket(small_city, number + 20, "10-15", None, state="dispatched", assignee=li,
                deadline=at(when))  # fmt: skip

    run = _run_october(assessor)

    score = run.scores.get(kind="officer", officer=li)
    # The fixture's own: missed 1/7 (#25), found 4 (#19–#22), due 2 (#23, #24).
    assert _counts(score, "missed") == (1 + 2, 7 + 2)
    assert _behind(score, "missed") == [25, *sorted(INSIDE)]
    assert _counts(score, "valid_reports") == (4 + 2, 4 + 2)
    assert _behind(score, "valid_reports", "den") == [19, 20, 21, 22, 911, 912]
    assert _counts(score, "on_time") == (2, 2 + 2)
    assert _behind(score, "on_time", "den") == [23, 24, 921, 922]
    taishan = run.scores.get(kind="community", community=small_city.communities["泰山"])
    # 11 registered in October, plus 4 registered tickets inside the month (2 resident, 2
    # found) and the 4 dispatched on the 15th.
    assert taishan.indicators["cases_per_grid"]["num"] == 11 + 2 + 2 + 4


def test_a_postings_last_day_ends_at_local_midnight(small_city, assessor):
    # 孙立's posting ended on 16 October: a report at 23:30 that night is his grid's, one at
    # 00:30 on the 17th (still the 16th in UTC) is not; for 漏报 and the hotline alike.
    for number, when in ((901, "10-16 23:30"), (902, "10-17 00:30")):
        _ticket(small_city, number, when, "g2")
        _ticket(small_city, number + 10, when, "g2", source="hotline_12345")

    run = _run_october(assessor)

    sun = run.scores.get(kind="officer", name="孙立")
    assert _counts(sun, "missed") == (1 + 2, 3 + 2)
    assert _behind(sun, "missed") == [16, 901, 911]
    assert _counts(sun, "hotline") == (1, 1)
    assert _behind(sun, "hotline") == [911]
    assert sun.indicators["hotline"]["points"] == 90.0


def test_two_overlapping_postings_on_one_grid_count_each_ticket_once(small_city, assessor):
    wang = small_city.officers["A1"]
    grid = small_city.tickets[1].grid_cell
    # A second posting on his grid 001, overlapping the first for the whole month.
    AssignmentFactory(
        officer=wang,
        community=grid.community,
        grid_cells=[grid],
        weekdays="12345",
        valid_from=datetime.date(2026, 10, 1),
        valid_to=None,
    )

    run = _run_october(assessor)

    score = run.scores.get(kind="officer", officer=wang)
    assert _counts(score, "missed") == (2, 10)
    assert _behind(score, "missed") == [10, 11]
    assert len(_behind(score, "missed", "den")) == 10
    assert _counts(score, "hotline") == (2, 2)
    assert _behind(score, "hotline") == [11, 12]
    assert score.indicators["hotline"]["points"] == 80.0
    assert _counts(score, "logs") == (15, 18)  # a duty day is one day, whatever the postings
    assert str(score.composite) == "70.50"  # as in the hand-computed table


def test_closed_on_time_needs_the_ticket_closed_and_resolved_by_its_deadline(small_city, assessor):
    # The reviewer's case in 泰山 (fixture: due 4, closed on time 2): resolved before its
    # deadline but still awaiting verification does not count; closed after the deadline
    # counts when the disposal was done by it (the deadline is the disposal deadline).
    _ticket(small_city, 901, "10-19", "t2", state="resolved", deadline=at("10-21 17:30"),
            resolved_at=at("10-20 10:00"))  # fmt: skip
    _ticket(small_city, 902, "10-19", "t2", state="closed", deadline=at("10-21 17:30"),
            resolved_at=at("10-21 17:00"), closed_at=at("10-23 09:00"))  # fmt: skip
    _ticket(small_city, 903, "10-19", "t2", state="closed", deadline=at("10-21 17:30"),
            resolved_at=at("10-21 18:00"), closed_at=at("10-21 19:00"))  # fmt: skip

    run = _run_october(assessor)

    taishan = run.scores.get(kind="community", community=small_city.communities["泰山"])
    assert _counts(taishan, "on_time_closure") == (2 + 1, 4 + 3)
    assert _behind(taishan, "on_time_closure") == [23, 24, 902]
    # The city's 按期处置率 is disposal: #901 and #902 are on time there.
    assert run.totals["due"] == 11 + 3
    assert run.totals["on_time_rate"] == round(100 * (7 + 2) / (11 + 3), 1)


def test_the_fixtures_tickets_open_in_a_drill_down(small_city):
    for number, ticket in small_city.tickets.items():
        url = reverse("cases:detail", kwargs={"number": ticket.number})
        assert url == f"/cases/{ticket.number}/"
        assert number_of(ticket) == number
    assert small_city.tickets[29].number == "XZ20261009-0029"
