"""GB/T 30428.4's desk-step indicators: 按时立案率, 按时派遣率 and 按时核查率 of each brigade (its
tickets' steps due in the month, taken by their due time) and of the command centre (the city),
counted by the engine in SQL, shown beside the brigade's score without weight, on the overview
and in the Excel export; the tickets behind a brigade's number are the ones it counted.

The fixture puts step clocks on a few of the small city's October tickets (see conftest.py):

| ticket | brigade | step     | due          | done         |                 |
|--------|---------|----------|--------------|--------------|-----------------|
| 6      | 鼓楼    | register | 10-08 11:00  | 10-08 10:30  | in time         |
| 6      | 鼓楼    | dispatch | 10-08 12:00  | 10-08 13:40  | late            |
| 6      | 鼓楼    | verify   | 10-09 15:00  | 10-09 15:00  | in time (equal) |
| 7      | 鼓楼    | register | 10-12 11:00  | —            | late: not taken |
| 7      | 鼓楼    | verify   | 09-30 15:00  | 09-30 14:00  | September's     |
| 泉山's  | 泉山    | register | 10-20 11:00  | 10-21 09:00  | late            |
"""

import datetime
import io

import pytest
import time_machine
from openpyxl import load_workbook

from assessments.indicators import tickets_behind
from assessments.models import Run
from assessments.services import execute_run, publish_run, start_run
from cases.models import Ticket
from tests.assessments.conftest import OCTOBER, at

pytestmark = pytest.mark.django_db

NOV_2 = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


@pytest.fixture
def step_city(small_city):
    def stamp(ticket: Ticket, **times: str) -> None:
        Ticket.objects.filter(pk=ticket.pk).update(**{k: at(v) for k, v in times.items()})

    gulou, quanshan = small_city.brigades["gl1"], small_city.brigades["qs3"]
    six, seven = small_city.tickets[6], small_city.tickets[7]
    assert six.brigade_id == seven.brigade_id == gulou.pk
    stamp(
        six,
        register_due_at="10-08 11:00",
        register_done_at="10-08 10:30",
        dispatch_due_at="10-08 12:00",
        dispatch_done_at="10-08 13:40",
        verify_due_at="10-09 15:00",
        verify_done_at="10-09 15:00",
    )
    stamp(seven, register_due_at="10-12 11:00", verify_due_at="09-30 15:00")
    stamp(seven, verify_done_at="09-30 14:00")
    theirs = next(t for t in small_city.tickets.values() if t.brigade_id == quanshan.pk)
    stamp(theirs, register_due_at="10-20 11:00", register_done_at="10-21 09:00")
    return small_city


def run_october(assessor) -> Run:
    with time_machine.travel(NOV_2, tick=False):
        run = start_run(month=OCTOBER, actor=assessor, queue=False)
        return execute_run(run.pk)


def steps_of(score) -> dict:
    return {
        code: (score.indicators[code]["num"], score.indicators[code]["den"])
        for code in ("on_time_register", "on_time_dispatch", "on_time_verify")
    }


def test_each_brigade_counts_its_steps_due_in_the_month(step_city, assessor):
    run = run_october(assessor)
    gulou = run.scores.get(kind="brigade", unit=step_city.brigades["gl1"])
    quanshan = run.scores.get(kind="brigade", unit=step_city.brigades["qs3"])

    assert steps_of(gulou) == {
        "on_time_register": (1, 2),
        "on_time_dispatch": (0, 1),
        "on_time_verify": (1, 1),
    }
    assert gulou.indicators["on_time_register"]["points"] == 50.0
    assert gulou.indicators["on_time_register"]["weight"] == 0.0
    assert steps_of(quanshan) == {
        "on_time_register": (0, 1),
        "on_time_dispatch": (0, 0),
        "on_time_verify": (0, 0),
    }
    assert quanshan.indicators["on_time_dispatch"]["points"] is None  # n/a, not 0


def test_the_steps_do_not_change_a_brigades_composite(small_city, assessor):
    before = run_october(assessor).scores.get(kind="brigade", unit=small_city.brigades["gl1"])
    Ticket.objects.filter(pk=small_city.tickets[6].pk).update(
        register_due_at=at("10-08 11:00"), register_done_at=at("10-09 11:00")
    )
    after = run_october(assessor).scores.get(kind="brigade", unit=small_city.brigades["gl1"])
    assert after.indicators["on_time_register"]["den"] == 1
    assert after.composite == before.composite


def test_the_command_centre_counts_the_citys_steps(step_city, assessor):
    totals = run_october(assessor).totals
    assert (totals["register_in_time"], totals["register_due"]) == (1, 3)
    assert totals["register_on_time_rate"] == 33.3
    assert (totals["dispatch_in_time"], totals["dispatch_due"]) == (0, 1)
    assert totals["dispatch_on_time_rate"] == 0.0
    assert (totals["verify_in_time"], totals["verify_due"], totals["verify_on_time_rate"]) == (
        1,
        1,
        100.0,
    )
    assert totals["na"] == {}


def test_the_tickets_behind_a_brigades_step_rate_are_its_own(step_city, assessor):
    run = run_october(assessor)
    gulou = run.scores.get(kind="brigade", unit=step_city.brigades["gl1"])
    den = tickets_behind(gulou, "on_time_register", "den")
    num = tickets_behind(gulou, "on_time_register", "num")
    assert {t.pk for t in den} == {step_city.tickets[6].pk, step_city.tickets[7].pk}
    assert [t.pk for t in num] == [step_city.tickets[6].pk]


def test_the_overview_and_the_workbook_show_the_step_rates(step_city, assessor, client):
    run = run_october(assessor)
    publish_run(run=run, actor=assessor)
    client.force_login(assessor)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    with time_machine.travel(NOV_2, tick=False):
        overview = client.get("/assessments/2026-10/").content.decode()
        book = client.get("/assessments/2026-10/export.xlsx")
    assert 'id="command-centre-steps"' in overview
    assert "按时立案率 33%" in overview
    workbook = load_workbook(io.BytesIO(book.content))
    centre = workbook["指挥中心"]
    assert [c.value for c in centre[2]] == ["按时立案率", pytest.approx(1 / 3), 1, 3]
    assert [c.value for c in centre[3]][2:] == [0, 1]
    headers = [c.value for c in workbook["大队"][1]]
    assert "按时派遣率" in headers and "按时核查率" in headers
