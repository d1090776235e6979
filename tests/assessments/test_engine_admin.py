"""Schemes in the admin: assessors edit weights that are checked, with history; runs and
scores are read-only; nobody else gets in."""

import json
from decimal import Decimal

import pytest
from django.utils.html import escape

from assessments import engine
from assessments.models import Scheme
from assessments.scheme import default_rules
from assessments.services import current_scheme
from tests.assessments.conftest import OCTOBER
from tests.assessments.factories import RunFactory, SchemeFactory, ScoreFactory

pytestmark = pytest.mark.django_db


def post_rules(client, scheme: Scheme, rules) -> object:
    return client.post(
        f"/admin/assessments/scheme/{scheme.pk}/change/",
        {
            "name": scheme.name,
            "rules": rules if isinstance(rules, str) else json.dumps(rules),
            "note": "",
        },
    )


def test_assessor_changes_the_weights_and_the_history_keeps_the_old_ones(client, assessor):
    scheme = current_scheme()
    rules = default_rules()
    rules["weights"]["officer"]["on_time"] = 25
    rules["weights"]["officer"]["hotline"] = 5
    client.force_login(assessor)

    response = post_rules(client, scheme, rules)

    assert response.status_code == 302
    scheme.refresh_from_db()
    assert scheme.rules["weights"]["officer"]["on_time"] == 25
    old = scheme.history.order_by("history_date").first()
    assert old.rules["weights"]["officer"]["on_time"] == 20
    assert client.get(f"/admin/assessments/scheme/{scheme.pk}/history/").status_code == 200


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r["weights"]["officer"].update(on_time=30), "add up to 110"),
        (lambda r: r["weights"]["officer"].update(on_time=-10, logs=45), "must be a number"),
        (lambda r: r["weights"]["department"].update(closure="forty"), "must be a number"),
        (lambda r: r["weights"].pop("region"), "no group"),
        (lambda r: r["weights"]["officer"].update(speed=0), "Unknown indicator"),
        (lambda r: r.update(survey_share=120), "survey_share"),
        (lambda r: r.update(grades={"A": 60, "B": 75, "C": 60, "D": 40}), "decrease"),
        (lambda r: r.update(hotline_table="lots"), "hotline_table"),
    ],
)
def test_a_scheme_with_broken_weights_is_refused_with_the_input_kept(
    client, assessor, settings, change, message
):
    settings.LANGUAGE_CODE = "en"
    scheme = current_scheme()
    rules = default_rules()
    change(rules)
    client.force_login(assessor)

    response = post_rules(client, scheme, rules)

    assert response.status_code == 200
    html = response.content.decode()
    assert "errorlist" in html and message in html
    scheme.refresh_from_db()
    assert scheme.rules == default_rules()


def _hotline(*rows: tuple) -> list[dict]:
    return [{"max": top, "points": points} for top, points in rows]


DEFAULT_TABLE = ((0, 100), (1, 90), (2, 80), (4, 60), (None, 40))
DEFAULT_GRADES = {"A": 90, "B": 75, "C": 60, "D": 40}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        # Strings compare as text ("9" > "75") or crash int(): numbers only.
        (
            lambda r: r.update(grades={"A": "9", "B": "75", "C": "60", "D": "40"}),
            "each from 0 to 100",
        ),
        (lambda r: r.update(grades={**DEFAULT_GRADES, "A": 120}), "each from 0 to 100"),
        (lambda r: r.update(grades={**DEFAULT_GRADES, "D": True}), "each from 0 to 100"),
        (lambda r: r["weights"]["officer"].update(on_time="20"), "must be a number"),
        (lambda r: r["weights"]["department"].update(rework=True, on_time=59), "must be a number"),
        (lambda r: r["weights"]["officer"].update(closure=0), "is not an indicator of"),
        (lambda r: r.update(survey_share="20"), "survey_share"),
        (lambda r: r.update(survey_share=-1), "survey_share"),
        (
            lambda r: r.update(hotline_table=_hotline((0, 100), (1, "90.5"), (None, 40))),
            'Row 2 of "hotline_table": "points" must be a number from 0 to 100',
        ),
        # 100000 points would overflow Score.composite (5 digits, 2 after the point).
        (
            lambda r: r.update(hotline_table=_hotline((0, 100000), (None, 40))),
            'Row 1 of "hotline_table": "points" must be a number from 0 to 100',
        ),
        (
            lambda r: r.update(hotline_table=_hotline((0, 100), (2, 80), (1, 90), (None, 40))),
            'Row 3 of "hotline_table": "max" must be larger than the row above',
        ),
        (
            lambda r: r.update(hotline_table=_hotline((0, 100), (None, 60), (4, 40))),
            'Row 2 of "hotline_table": only the last row may have no "max"',
        ),
        (
            lambda r: r.update(hotline_table=_hotline((-1, 100), (1.5, 90), (None, 40))),
            'Row 2 of "hotline_table": "max" must be a whole number',
        ),
        (
            lambda r: r.update(hotline_table=[{"points": 100}]),
            'Row 1 of "hotline_table": "max" must be a whole number',
        ),
    ],
)
def test_a_scheme_that_would_break_a_run_is_refused_with_the_input_kept(
    client, assessor, settings, change, message
):
    settings.LANGUAGE_CODE = "en"
    scheme = current_scheme()
    rules = default_rules()
    change(rules)
    client.force_login(assessor)

    response = post_rules(client, scheme, rules)

    assert response.status_code == 200
    html = response.content.decode()
    assert "errorlist" in html and escape(message) in html
    assert escape(json.dumps(rules)) in html  # what was typed is there to correct
    scheme.refresh_from_db()
    assert scheme.rules == default_rules()


def test_decimal_points_and_grades_are_accepted_and_score(client, assessor, small_city):
    scheme = current_scheme()
    rules = default_rules()
    rules["hotline_table"] = _hotline((0, 100), (1, 90), (2, 80.5), (4, 60), (None, 40))
    rules["grades"] = {"A": 90, "B": 75, "C": 70.55, "D": 40.5}
    client.force_login(assessor)

    assert post_rules(client, scheme, rules).status_code == 302

    scheme.refresh_from_db()
    result = engine.compute(month=OCTOBER, rules=scheme.rules, progress=lambda p, n: None)
    wang = next(s for s in result.scores if s.name == "王建国")
    # Two complaints: 80.5 points (weight 10) instead of 80: 70.50 + 0.05.
    assert wang.indicators["hotline"]["points"] == 80.5
    assert wang.composite == Decimal("70.55") and wang.grade == "C"


def test_garbage_json_rules_are_refused(client, assessor):
    scheme = current_scheme()
    client.force_login(assessor)

    response = post_rules(client, scheme, "{not json")

    assert response.status_code == 200
    assert "errorlist" in response.content.decode()


def test_make_current_switches_the_scheme_new_runs_use(client, assessor):
    old = current_scheme()
    new = SchemeFactory(name="2027年方案")
    client.force_login(assessor)

    response = client.post(
        "/admin/assessments/scheme/",
        {"action": "make_current", "_selected_action": [new.pk]},
    )

    assert response.status_code == 302
    assert current_scheme() == new
    old.refresh_from_db()
    assert not old.is_current


def test_assessor_reads_runs_and_scores_but_cannot_change_them(client, assessor):
    score = ScoreFactory(run=RunFactory())
    client.force_login(assessor)

    assert client.get("/admin/assessments/run/").status_code == 200
    assert client.get("/admin/assessments/score/").status_code == 200
    assert client.get(f"/admin/assessments/score/{score.pk}/change/").status_code == 200
    assert client.get("/admin/assessments/run/add/").status_code == 403
    response = client.post(
        f"/admin/assessments/score/{score.pk}/change/", {"composite": "100", "name": "x"}
    )
    assert response.status_code == 403
    score.refresh_from_db()
    assert score.composite == 95


def test_supervisor_cannot_open_the_schemes(client, supervisor_gulou):
    supervisor_gulou.is_staff = True
    supervisor_gulou.save(update_fields=["is_staff"])
    client.force_login(supervisor_gulou)

    assert client.get("/admin/assessments/scheme/").status_code == 403
