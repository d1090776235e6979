"""The demo's past months: computed and published by the seed step, last month left for the
assessor; seeding again adds nothing. Also the engine's cost on the demo city."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments import engine
from assessments.models import Run
from assessments.services import current_scheme
from citymgmt.months import previous_month
from demo.assessments import demo_months, seed_assessments

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_city(demo_city):
    """The session's demo city: what its assessments step returned, and how long it took."""
    return demo_city["assessments"], demo_city.seconds["assessments"]


def test_the_demo_publishes_its_past_months_and_leaves_last_month_to_the_assessor(demo_city):
    result, seconds = demo_city
    today = timezone.localdate()
    months = demo_months(today)

    assert months, "the demo casework covers at least one month before last month"
    runs = Run.objects.order_by("month")
    assert [run.month for run in runs] == months
    assert all(run.published and run.status == "done" for run in runs)
    assert not Run.objects.filter(month=previous_month(today)).exists()
    assert result["created"]["assessment_runs"] == len(months)
    officers = runs.last().scores.filter(kind="officer")
    assert officers.count() > 150 and officers.filter(composite__isnull=False).exists()
    assert seconds < 60


def test_seeding_again_adds_nothing(demo_city):
    before = list(Run.objects.values_list("pk", "published_at"))

    again = seed_assessments()

    assert again["created"]["assessment_runs"] == 0
    assert list(Run.objects.values_list("pk", "published_at")) == before


def test_engine_cost_on_the_demo_city(demo_city, capsys):
    month = previous_month(timezone.localdate())
    rules = current_scheme().rules
    with CaptureQueriesContext(connection) as captured:
        started = time.monotonic()
        result = engine.compute(month=month, rules=rules, progress=lambda p, n: None)
        seconds = time.monotonic() - started
    with capsys.disabled():
        print(
            f"\nengine on the demo city, {month:%Y-%m}: {len(captured.captured_queries)} "
            f"statements, {seconds:.2f} s, {len(result.scores)} scores, "
            f"totals {result.totals}"
        )
    assert len(captured.captured_queries) <= 25
