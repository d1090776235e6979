"""The pages read what the engine writes: the city totals' rates (percentages, not fractions)
and the indicator columns in DESIGN §8's order whatever order the stored JSON kept."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from assessments import exports, presenting
from assessments.models import SubjectKind
from assessments.scheme import DEFAULT_WEIGHTS, INDICATORS, default_rules
from assessments.services import execute_run, start_run
from tests.assessments.conftest import OCTOBER
from tests.assessments.factories import RunFactory

pytestmark = pytest.mark.django_db

NOV_2 = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


def test_city_totals_show_the_engines_rates_as_percentages(client, small_city, assessor):
    # The hand-computed October: satisfaction 4/6 = 66.7 %, on site 8/11 = 72.7 %.
    with time_machine.travel(NOV_2, tick=False):
        run = execute_run(start_run(month=OCTOBER, actor=assessor, queue=False).pk)
        client.force_login(assessor)
        response = client.get(
            reverse("assessments:month", kwargs={"month": "2026-10"}),
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
    assert run.totals["satisfaction_rate"] == 66.7
    sentence = response.content.decode().split('id="city-totals">')[1].split("</p>")[0]
    assert "现场处置 8 件（73%）" in sentence
    assert "满意率 67%" in sentence


def test_a_rate_of_the_totals_rounds_half_up_to_a_whole_percent():
    totals = presenting.totals_view({"satisfaction_rate": 82.5, "on_time_rate": 0.0})
    assert totals["satisfaction_percent"] == 83
    assert totals["on_time_percent"] == 0
    assert presenting.totals_view({})["satisfaction_percent"] is None


def jsonb_order(weights: dict[str, int]) -> dict[str, int]:
    """The keys as PostgreSQL's jsonb gives them back: shorter first, then bytewise."""
    return {key: weights[key] for key in sorted(weights, key=lambda k: (len(k), k))}


def reversed_order(weights: dict[str, int]) -> dict[str, int]:
    return dict(reversed(weights.items()))


@pytest.mark.parametrize("reorder", [jsonb_order, reversed_order])
def test_indicator_columns_keep_design_order_whatever_order_the_json_kept(reorder):
    rules = default_rules()
    rules["weights"] = {group: reorder(weights) for group, weights in rules["weights"].items()}
    run = RunFactory(scheme_snapshot=rules)

    officer = list(DEFAULT_WEIGHTS["officer"])
    assert presenting.indicator_codes(run, SubjectKind.OFFICER) == officer
    assert presenting.indicator_codes(run, SubjectKind.BRIGADE) == [*officer, "survey"]
    departments = list(DEFAULT_WEIGHTS["department"])
    assert presenting.indicator_codes(run, SubjectKind.DEPARTMENT) == departments
    headers = [header for header, _format, _width in exports.columns(run, SubjectKind.OFFICER)]
    assert headers[7] == str(INDICATORS["valid_reports"].label)
    assert headers[11] == str(INDICATORS["on_site"].label)
