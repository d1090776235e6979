"""The issue's "done means": the small city of ``conftest.py`` yields exactly the figures worked
out by hand below (October 2026, default scheme: officer weights 10/15/20/10/10/15/10/10).

Working, officer by officer (points; weights; n/a weight redistributed):

- 王建国 A1: valid 4/5 = 80, on site 3/5 = 60, on time 2/4 = 50, rework 1/6 → 83.33,
  missed 2/10 → 80, logs 15/18 = 83.33, satisfaction 2/3 = 66.67, hotline 2 → 80.
  (800 + 900 + 1000 + 833.33 + 800 + 1250 + 666.67 + 800) / 100 = 70.50 → C.
- 孙立 A2: valid 2/2 = 100 (rejected as out of scope is still valid, DESIGN §8), on site 1/2
  = 50, on time 1/1 = 100, rework 0/2 → 100, missed 1/3 → 66.67 (tickets after the 16th are
  not his), logs 8/8 = 100, satisfaction n/a, hotline 0 → 100.
  (1000 + 750 + 2000 + 1000 + 666.67 + 1500 + 1000) / 90 = 87.962… → 87.96 → B.
- 李秀英 B1: 100 everywhere but missed 1/7 → 85.71 and hotline 1 → 90:
  (8000 + 857.14 + 900) / 100 = 97.571… → 97.57 → A.
- 周敏 B2: found nothing (valid, on site n/a), on time 0/2 = 0, rework 1/1 → 0, missed 1/3 →
  66.67, logs 9/18 = 50, satisfaction 0/1 = 0, hotline 0 → 100.
  (0 + 0 + 666.67 + 750 + 0 + 1000) / 75 = 32.22 → E.
- 鼓楼一大队: 80% × (70.50 + 87.96) / 2 + 20% × survey (90 + 80) / 2 = 63.384 + 17 = 80.38 → B;
  its valid reports sum to 6/7 = 85.71.
- 泉山三大队: no survey answers in October: (97.57 + 32.22) / 2 = 64.895 → 64.90 (half up) → C.
- 环卫处: closure 1/3 = 33.33, on time 2/2 = 100 (#29 resolved before its deadline, still
  awaiting verification), rework 1/2 → 50: (40 × 33.33 + 40 × 100 + 20 × 50) / 100 = 63.33 → C.
  园林处: nothing to score.
- 黄楼社区: registered 16 on 2 grids (8.0 a grid), closed 9/16 = 56.25; due 7 (#6 #7 #8 #9 #11
  #15 #29), closed with disposal by the deadline 4 (#6 #8 #11 #15; #29 is on time but not
  closed, #7 late, #9 open) = 57.14: 56.70 → D. 泰山社区: 11 on 2 grids, 7/11 = 63.64, due 4
  closed on time 2 (#23 #24) = 50: 56.82 → D.
- Totals: due 11, resolved by the deadline 7 (#6 #8 #11 #15 #23 #24 #29) = 63.6 %.
"""

import datetime
from decimal import Decimal

import pytest
import time_machine

from assessments import engine
from assessments.indicators import tickets_behind
from assessments.models import Run, Score, SubjectKind
from assessments.scheme import default_rules
from assessments.services import execute_run, publish_run, start_run
from tests.assessments.conftest import OCTOBER, number_of

pytestmark = pytest.mark.django_db

NOV_2 = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))

# code: (num, den, points, weight applied)
EXPECTED_OFFICERS = {
    "王建国": {
        "valid_reports": (4, 5, 80.0, 10.0),
        "on_site": (3, 5, 60.0, 15.0),
        "on_time": (2, 4, 50.0, 20.0),
        "rework": (1, 6, 83.33, 10.0),
        "missed": (2, 10, 80.0, 10.0),
        "logs": (15, 18, 83.33, 15.0),
        "satisfaction": (2, 3, 66.67, 10.0),
        "hotline": (2, 2, 80.0, 10.0),
    },
    "孙立": {
        "valid_reports": (2, 2, 100.0, 11.1111),
        "on_site": (1, 2, 50.0, 16.6667),
        "on_time": (1, 1, 100.0, 22.2222),
        "rework": (0, 2, 100.0, 11.1111),
        "missed": (1, 3, 66.67, 11.1111),
        "logs": (8, 8, 100.0, 16.6667),
        "satisfaction": (0, 0, None, 0.0),
        "hotline": (0, 0, 100.0, 11.1111),
    },
    "李秀英": {
        "valid_reports": (4, 4, 100.0, 10.0),
        "on_site": (4, 4, 100.0, 15.0),
        "on_time": (2, 2, 100.0, 20.0),
        "rework": (0, 6, 100.0, 10.0),
        "missed": (1, 7, 85.71, 10.0),
        "logs": (24, 24, 100.0, 15.0),
        "satisfaction": (2, 2, 100.0, 10.0),
        "hotline": (1, 1, 90.0, 10.0),
    },
    "周敏": {
        "valid_reports": (0, 0, None, 0.0),
        "on_site": (0, 0, None, 0.0),
        "on_time": (0, 2, 0.0, 26.6667),
        "rework": (1, 1, 0.0, 13.3333),
        "missed": (1, 3, 66.67, 13.3333),
        "logs": (9, 18, 50.0, 20.0),
        "satisfaction": (0, 1, 0.0, 13.3333),
        "hotline": (0, 0, 100.0, 13.3333),
    },
}
# kind, name: (composite, grade, rank)
EXPECTED_TABLE = {
    ("officer", "李秀英"): (Decimal("97.57"), "A", 1),
    ("officer", "孙立"): (Decimal("87.96"), "B", 2),
    ("officer", "王建国"): (Decimal("70.50"), "C", 3),
    ("officer", "周敏"): (Decimal("32.22"), "E", 4),
    ("brigade", "鼓楼执法监督一大队"): (Decimal("80.38"), "B", 1),
    ("brigade", "泉山执法监督三大队"): (Decimal("64.90"), "C", 2),
    ("department", "环卫处"): (Decimal("63.33"), "C", 1),
    ("department", "园林处"): (None, "", None),
    ("community", "泰山社区"): (Decimal("56.82"), "D", 1),
    ("community", "黄楼社区"): (Decimal("56.70"), "D", 2),
    ("street", "泰山街道"): (Decimal("56.82"), "D", 1),
    ("street", "黄楼街道"): (Decimal("56.70"), "D", 2),
    ("district", "泉山区"): (Decimal("56.82"), "D", 1),
    ("district", "鼓楼区"): (Decimal("56.70"), "D", 2),
}


def _run_october(assessor) -> Run:
    with time_machine.travel(NOV_2, tick=False):
        run = start_run(month=OCTOBER, actor=assessor, queue=False)
        return execute_run(run.pk)


def _entries(score: Score) -> dict:
    return {
        code: (e["num"], e["den"], e["points"], e["weight"]) for code, e in score.indicators.items()
    }


def test_small_city_yields_the_hand_computed_table(small_city, assessor):
    run = _run_october(assessor)

    assert run.status == "done" and run.progress == 100
    scores = {(s.kind, s.name): s for s in run.scores.all()}
    assert {key: (s.composite, s.grade, s.rank) for key, s in scores.items()} == EXPECTED_TABLE
    for name, expected in EXPECTED_OFFICERS.items():
        assert _entries(scores[("officer", name)]) == expected, name
    # The officer's brigade that month, for the supervisors' scope.
    assert scores[("officer", "孙立")].brigade == small_city.brigades["gl1"]
    assert scores[("officer", "周敏")].brigade == small_city.brigades["qs3"]


def test_brigades_sum_their_officers_counts_and_blend_the_survey(small_city, assessor):
    run = _run_october(assessor)
    gulou = run.scores.get(kind=SubjectKind.BRIGADE, unit=small_city.brigades["gl1"])
    quanshan = run.scores.get(kind=SubjectKind.BRIGADE, unit=small_city.brigades["qs3"])

    assert gulou.indicators["valid_reports"] == {
        "num": 6,
        "den": 7,
        "rate": 6 / 7,
        "points": 85.71,
        "weight": 0.0,
    }
    assert gulou.indicators["logs"]["num"] == 23 and gulou.indicators["logs"]["den"] == 26
    assert gulou.indicators["survey"] == {
        "num": 170.0,
        "den": 2,
        "rate": 0.85,
        "points": 85.0,
        "weight": 20.0,
    }
    # September's answer is September's: 泉山 has no survey this month.
    assert quanshan.indicators["survey"]["points"] is None
    assert quanshan.indicators["survey"]["weight"] == 0.0


def test_departments_and_regions_match_the_hand_count(small_city, assessor):
    run = _run_october(assessor)
    sanitation = run.scores.get(kind="department", unit=small_city.departments["环卫处"])
    huanglou = run.scores.get(kind="community", community=small_city.communities["黄楼"])
    parks = run.scores.get(kind="department", unit=small_city.departments["园林处"])

    assert _entries(sanitation) == {
        "closure": (1, 3, 33.33, 40.0),
        "on_time": (2, 2, 100.0, 40.0),
        "rework": (1, 2, 50.0, 20.0),
    }
    assert _entries(huanglou) == {
        "cases_per_grid": (16, 2, None, 0.0),
        "closure": (9, 16, 56.25, 50.0),
        "on_time_closure": (4, 7, 57.14, 50.0),
    }
    assert huanglou.indicators["cases_per_grid"]["rate"] == 8.0
    assert all(entry["points"] is None for entry in parks.indicators.values())


def test_city_totals_for_the_month_overview(small_city, assessor):
    run = _run_october(assessor)

    assert run.totals == {
        "found": 11,
        "fixed_on_site": 8,
        "on_site_rate": 72.7,
        "resident_reports": 8,
        "resident_resolved": 1,
        "rated": 6,
        "satisfaction_rate": 66.7,
        "registered": 27,
        "closed": 16,
        "due": 11,
        "on_time_rate": 63.6,
        "split_on_site": 8,
        "split_managed": 3,
        "split_enforced": 1,
        "governance_opened": 0,
        "governance_cured": 0,
        # The small city's tickets were made without desk-step clocks.
        **{
            f"{step}_{part}": 0
            for step in ("register", "dispatch", "verify")
            for part in ("due", "in_time")
        },
        "register_on_time_rate": None,
        "dispatch_on_time_rate": None,
        "verify_on_time_rate": None,
        "officers": 4,
        "brigades": 2,
        "na": {},
        "redistributed": {
            "officer": 2,
            "brigade": 1,
            "department": 1,
            "community": 0,
            "street": 0,
            "district": 0,
        },
    }


def test_assessed_officers_are_those_posted_during_the_month(small_city, assessor):
    run = _run_october(assessor)

    names = set(run.scores.filter(kind="officer").values_list("name", flat=True))
    assert names == {"王建国", "孙立", "李秀英", "周敏"}  # not 退休的老刘 (ended in September)


@pytest.mark.parametrize(
    ("name", "code", "part", "numbers"),
    [
        ("王建国", "on_time", "den", [6, 7, 8, 9]),
        ("王建国", "on_time", "num", [6, 8]),
        ("王建国", "valid_reports", "num", [1, 2, 3, 4]),
        ("王建国", "missed", "num", [10, 11]),
        ("王建国", "hotline", "num", [11, 12]),
        ("孙立", "missed", "den", [13, 15, 16]),
        ("孙立", "valid_reports", "den", [13, 14]),
        ("孙立", "valid_reports", "num", [13, 14]),  # out of scope (#14) is still valid
        ("王建国", "valid_reports", "den", [1, 2, 3, 4, 5]),  # the duplicate (#5) is not
        ("周敏", "rework", "num", [26]),
    ],
)
def test_tickets_behind_a_number_are_the_ones_counted(
    small_city, assessor, name, code, part, numbers
):
    run = _run_october(assessor)
    score = run.scores.get(kind="officer", name=name)

    tickets = tickets_behind(score, code, part)

    assert sorted(number_of(t) for t in tickets) == numbers
    entry = score.indicators[code]
    assert len(numbers) == entry[part]


def test_tickets_behind_brigade_department_and_region_numbers(small_city, assessor):
    run = _run_october(assessor)
    brigade = run.scores.get(kind="brigade", unit=small_city.brigades["gl1"])
    sanitation = run.scores.get(kind="department", unit=small_city.departments["环卫处"])
    huanglou = run.scores.get(kind="community", community=small_city.communities["黄楼"])

    assert tickets_behind(brigade, "valid_reports", "den").count() == 7
    assert sorted(number_of(t) for t in tickets_behind(sanitation, "closure", "den")) == [
        11,
        29,
        30,
    ]
    assert sorted(number_of(t) for t in tickets_behind(sanitation, "on_time", "num")) == [11, 29]
    assert sorted(number_of(t) for t in tickets_behind(huanglou, "on_time_closure", "num")) == [
        6,
        8,
        11,
        15,
    ]
    # Not counts of tickets: nothing to list.
    assert tickets_behind(brigade, "survey", "num") is None
    assert tickets_behind(brigade, "logs", "den") is None
    assert tickets_behind(huanglou, "cases_per_grid", "den") is None
    assert tickets_behind(brigade, "valid_reports", "everything") is None


def test_a_published_run_keeps_its_scores_when_the_scheme_changes(small_city, assessor):
    run = _run_october(assessor)
    with time_machine.travel(NOV_2, tick=False):
        publish_run(run=run, actor=assessor)
    before = list(run.scores.values_list("name", "composite", "indicators"))
    scheme = run.scheme
    rules = default_rules()
    rules["weights"]["officer"] = {**rules["weights"]["officer"], "on_time": 60, "logs": 0,
                                   "on_site": 0, "valid_reports": 0}  # fmt: skip
    scheme.rules = rules
    scheme.save(update_fields=["rules"])

    execute_run(run.pk)  # a stray task for the published run does nothing
    with time_machine.travel(NOV_2, tick=False):
        rerun = execute_run(start_run(month=OCTOBER, actor=assessor, queue=False).pk)

    run.refresh_from_db()
    assert list(run.scores.values_list("name", "composite", "indicators")) == before
    assert run.scheme_snapshot == default_rules()
    assert rerun.pk != run.pk and not rerun.published
    new = rerun.scores.get(kind="officer", name="王建国")
    # 60 × 50 + 10 × 83.33 + 10 × 80 + 10 × 66.67 + 10 × 80 = 6100 → 61.00
    assert new.composite == Decimal("61.00")
    assert new.indicators["logs"]["weight"] == 0.0


def test_rerunning_an_unpublished_run_replaces_its_scores(small_city, assessor):
    run = _run_october(assessor)
    count = run.scores.count()
    ids = set(run.scores.values_list("pk", flat=True))
    scheme = run.scheme
    rules = default_rules()
    rules["weights"]["officer"]["on_time"] = 30
    rules["weights"]["officer"]["hotline"] = 0
    scheme.rules = rules
    scheme.save(update_fields=["rules"])

    again = _run_october(assessor)

    assert again.pk == run.pk
    assert again.scores.count() == count
    assert not ids & set(again.scores.values_list("pk", flat=True))
    # 王建国 without the hotline and on time at 30: (800 + 900 + 1500 + 833.33 + 800 + 1250
    # + 666.67) / 100 = 67.50
    assert again.scores.get(kind="officer", name="王建国").composite == Decimal("67.50")
    assert again.scheme_snapshot == rules


def test_engine_reports_progress_in_steps(small_city):
    seen = []
    engine.compute(month=OCTOBER, rules=default_rules(), progress=lambda p, n: seen.append(p))
    assert seen == sorted(seen) and seen[0] > 0 and seen[-1] < 100 and len(seen) >= 5
