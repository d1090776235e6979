"""Runs: who may start one, which months, re-running, failing, the task and the schedule,
comparisons with last month, n/a indicators and ties."""

import datetime
import threading
import time
from decimal import Decimal
from unittest import mock

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections

from assessments import engine
from assessments.models import Run, RunStatus, Score
from assessments.scheme import default_rules
from assessments.services import (
    current_scheme,
    execute_run,
    heartbeat,
    publish_run,
    request_run,
    start_run,
)
from assessments.tasks import run_monthly_assessment
from patrols.models import DailyLog, LogStatus
from tests.assessments.conftest import OCTOBER, SEPTEMBER
from tests.factories import AssignmentFactory, OfficerFactory

pytestmark = pytest.mark.django_db

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
NOV_2 = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)


def run_month(month: datetime.date, assessor, *, publish: bool = False) -> Run:
    with time_machine.travel(NOV_2, tick=False):
        run = execute_run(start_run(month=month, actor=assessor, queue=False).pk)
        if publish:
            run = publish_run(run=run, actor=assessor)
    return run


def scores_of(run: Run) -> list[tuple]:
    return list(
        run.scores.order_by("kind", "name").values_list(
            "kind", "name", "composite", "grade", "rank", "indicators"
        )
    )


# --- who and when ------------------------------------------------------------------------------


def test_assessor_starts_a_run_for_last_month(assessor):
    with time_machine.travel(NOV_2, tick=False):
        run = start_run(month=OCTOBER, actor=assessor, queue=False)

    assert run.month == OCTOBER and run.status == RunStatus.QUEUED
    assert run.started_by == assessor and run.scheme == current_scheme()


def test_supervisor_cannot_start_a_run(supervisor_gulou):
    with time_machine.travel(NOV_2, tick=False), pytest.raises(PermissionDenied):
        start_run(month=OCTOBER, actor=supervisor_gulou, queue=False)
    assert not Run.objects.exists()


def test_officer_cannot_publish_a_run(small_city, assessor):
    run = run_month(OCTOBER, assessor)
    officer = small_city.officers["A1"].user

    with pytest.raises(PermissionDenied):
        publish_run(run=run, actor=officer)
    run.refresh_from_db()
    assert not run.published


@pytest.mark.parametrize("month", [datetime.date(2026, 11, 1), datetime.date(2027, 1, 1)])
def test_a_month_that_has_not_ended_cannot_be_assessed(assessor, month):
    with time_machine.travel(NOV_2, tick=False), pytest.raises(ValidationError) as raised:
        start_run(month=month, actor=assessor, queue=False)
    assert "month" in raised.value.message_dict
    assert not Run.objects.exists()


# --- running, re-running, failing --------------------------------------------------------------


def test_execute_run_twice_gives_the_same_scores(small_city, assessor):
    run = run_month(OCTOBER, assessor)
    first = scores_of(run)

    again = execute_run(run.pk)

    assert scores_of(again) == first
    assert Score.objects.filter(run=run).count() == len(first)


def test_a_failing_re_run_keeps_the_last_good_scores_readable_and_says_so(
    small_city, assessor, client
):
    run = run_month(OCTOBER, assessor)
    before = scores_of(run)
    finished = run.finished_at
    scheme = run.scheme
    scheme.rules = {**default_rules(), "weights": {}}  # a broken scheme: no officer weights
    scheme.save(update_fields=["rules"])

    with pytest.raises(KeyError):
        execute_run(run.pk)

    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.has_scores
    assert "KeyError" in run.error and run.finished_at == finished
    assert scores_of(run) == before
    assert run.scheme_snapshot == default_rules()  # the rules the stored scores were made with
    client.force_login(assessor)
    with time_machine.travel(NOV_2, tick=False):
        page = client.get(f"/assessments/2026-10/?run={run.pk}")
        assert client.get("/assessments/2026-10/officer/").status_code == 200
    assert b'id="rerun-failed"' in page.content and b'id="publish-run"' not in page.content
    with pytest.raises(ValidationError):
        publish_run(run=run, actor=assessor)


def test_a_first_run_that_fails_is_failed_with_no_scores(small_city, assessor, client):
    scheme = current_scheme()
    scheme.rules = {**default_rules(), "weights": {}}
    scheme.save(update_fields=["rules"])
    with time_machine.travel(NOV_2, tick=False):
        run = start_run(month=OCTOBER, actor=assessor, queue=False)
        with pytest.raises(KeyError):
            execute_run(run.pk)
        run.refresh_from_db()
        assert run.status == RunStatus.FAILED and not run.has_scores
        client.force_login(assessor)
        assert client.get("/assessments/2026-10/officer/").status_code == 404
        # Started again after a fix, it is queued with no finish time of a failure.
        scheme.rules = default_rules()
        scheme.save(update_fields=["rules"])
        again = start_run(month=OCTOBER, actor=assessor, queue=False)
    assert again.pk == run.pk and again.status == RunStatus.QUEUED and not again.has_scores


def test_a_run_whose_task_was_lost_can_be_started_again_and_stops_polling(assessor, client):
    with time_machine.travel(NOV_2, tick=False):
        run = start_run(month=OCTOBER, actor=assessor, queue=False)
        client.force_login(assessor)
        fresh = client.get("/assessments/2026-10/").content
    assert b'hx-trigger="every 1s"' in fresh and b'id="start-run"' not in fresh
    # Nobody picked it up: three hours later the page offers to start it again.
    with time_machine.travel(NOV_2 + datetime.timedelta(hours=3), tick=False):
        stale = client.get("/assessments/2026-10/").content
        assert b'id="run-stale"' in stale and b'id="start-run"' in stale
        assert b'hx-trigger="every 1s"' not in stale
        again = start_run(month=OCTOBER, actor=assessor, queue=False)
    assert again.pk == run.pk and again.created_at > run.created_at


def test_a_run_still_fresh_is_returned_as_it_is(assessor):
    with time_machine.travel(NOV_2, tick=False):
        run = start_run(month=OCTOBER, actor=assessor, queue=False)
    with time_machine.travel(NOV_2 + datetime.timedelta(minutes=5), tick=False):
        again = start_run(month=OCTOBER, actor=assessor, queue=False)
    assert again.pk == run.pk and again.created_at == run.created_at


class WorkerKilled(BaseException):
    """What SIGKILL looks like from inside: nothing after it runs, no ``except Exception``."""


def killed_at_5_percent(*, month, rules, progress):
    progress(5, "Officers' reports and cases (1/5)")
    raise WorkerKilled


def test_a_run_whose_worker_died_is_interrupted_within_the_heartbeat_setting(
    assessor, client, settings
):
    settings.CITYMGMT_ASSESSMENT_STALE_SECONDS = 90
    with time_machine.travel(NOV_2, tick=False):
        run = start_run(month=OCTOBER, actor=assessor, queue=False)
    with (
        time_machine.travel(NOV_2 + datetime.timedelta(seconds=10), tick=False),
        mock.patch.object(engine, "compute", killed_at_5_percent),
        pytest.raises(WorkerKilled),
    ):
        execute_run(run.pk)
    run.refresh_from_db()
    assert (run.status, run.progress) == (RunStatus.RUNNING, 5)
    client.force_login(assessor)

    # A minute after its last heartbeat it may still be computing: in hand, nothing restarts.
    with time_machine.travel(NOV_2 + datetime.timedelta(seconds=70), tick=False):
        page = client.get(f"/assessments/2026-10/?run={run.pk}").content.decode()
        assert 'hx-trigger="every 1s"' in page and 'id="start-run"' not in page
        assert request_run(month=OCTOBER, actor=assessor, queue=False).queued is False

    # 90 s without a heartbeat: interrupted, and starting it again queues it anew.
    with time_machine.travel(NOV_2 + datetime.timedelta(seconds=101), tick=False):
        page = client.get(f"/assessments/2026-10/?run={run.pk}").content.decode()
        assert 'id="run-interrupted"' in page and 'id="start-run"' in page
        assert 'id="run-stale"' in page and "5%" in page
        assert 'hx-trigger="every 1s"' not in page
        again = request_run(month=OCTOBER, actor=assessor, queue=False)
    assert again.queued and again.run.pk == run.pk
    assert (again.run.status, again.run.progress, again.run.heartbeat_at) == (
        RunStatus.QUEUED,
        0,
        None,
    )


def test_a_long_step_keeps_the_run_alive_through_its_heartbeat(assessor, settings):
    settings.CITYMGMT_ASSESSMENT_STALE_SECONDS = 0.3  # beats every 0.1 s
    with time_machine.travel(NOV_2, tick=False):
        run = start_run(month=OCTOBER, actor=assessor, queue=False)
    with (
        mock.patch.object(Run.objects, "filter", wraps=Run.objects.filter) as writes,
        heartbeat(run.pk),
    ):
        time.sleep(0.45)
    beats = [c for c in writes.call_args_list if c.kwargs == {"pk": run.pk}]
    assert len(beats) >= 3


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises writers by locking the file"
)
@pytest.mark.django_db(transaction=True)
def test_two_starts_of_a_month_at_once_make_one_run(assessor):
    barrier = threading.Barrier(2)
    got: list[int | str] = []

    def start() -> None:
        try:
            barrier.wait()
            got.append(start_run(month=OCTOBER, actor=assessor, queue=False).pk)
        except Exception as error:  # the failure this test exists to catch
            got.append(repr(error))
        finally:
            connections.close_all()

    with time_machine.travel(NOV_2, tick=True):
        threads = [threading.Thread(target=start) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert Run.objects.count() == 1
    assert got == [Run.objects.get().pk] * 2


def test_the_task_computes_the_run_it_is_given(small_city, assessor):
    with time_machine.travel(NOV_2, tick=False):
        run = start_run(month=OCTOBER, actor=assessor, queue=False)

        result = run_monthly_assessment.apply(kwargs={"run_id": run.pk})

    assert result.get() == run.pk
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.progress == 100 and run.progress_note == ""
    assert run.scores.filter(kind="officer").count() == 4


def test_the_schedule_computes_the_month_before(small_city):
    # The beat fires on the 1st at 02:00, local time.
    with time_machine.travel(datetime.datetime(2026, 11, 1, 2, 0, tzinfo=SHANGHAI), tick=False):
        result = run_monthly_assessment.apply()

    run = Run.objects.get(pk=result.get())
    assert run.month == OCTOBER and run.started_by is None
    assert run.status == RunStatus.DONE and not run.published
    assert run.scores.get(kind="officer", name="王建国").composite == Decimal("70.50")


def test_the_schedule_leaves_a_published_month_alone_and_opens_a_new_run(small_city, assessor):
    published = run_month(OCTOBER, assessor, publish=True)
    frozen = scores_of(published)

    with time_machine.travel(datetime.datetime(2026, 11, 1, 2, 0, tzinfo=SHANGHAI), tick=False):
        new_id = run_monthly_assessment.apply().get()

    assert new_id != published.pk
    assert scores_of(Run.objects.get(pk=published.pk)) == frozen
    assert Run.objects.filter(month=OCTOBER).count() == 2


# --- last month, n/a, ties ---------------------------------------------------------------------


def test_change_is_against_last_months_published_run(small_city, assessor):
    # September for 王建国: valid 1/1, on site 1/1, on time 0/1 (#32 late), rework 0/2,
    # missed 0/2, logs 0/…, satisfaction 0/1 (#32 rated 1), hotline 0:
    # 1000 + 1500 + 0 + 1000 + 1000 + 0 + 0 + 1000 = 5500 → 55.00.
    september = run_month(SEPTEMBER, assessor, publish=True)
    assert september.scores.get(kind="officer", name="王建国").composite == Decimal("55.00")

    october = run_month(OCTOBER, assessor)

    wang = october.scores.get(kind="officer", name="王建国")
    assert wang.previous_composite == Decimal("55.00")
    assert wang.change == Decimal("15.50")
    brigade = october.scores.get(kind="brigade", unit=small_city.brigades["gl1"])
    assert brigade.previous_composite is not None
    assert brigade.change == brigade.composite - brigade.previous_composite


def test_an_unpublished_last_month_is_not_compared_with(small_city, assessor):
    run_month(SEPTEMBER, assessor)  # done, never published

    october = run_month(OCTOBER, assessor)

    assert not october.scores.filter(previous_composite__isnull=False).exists()
    assert not october.scores.filter(change__isnull=False).exists()


def test_indicators_with_no_denominator_are_na_and_their_weight_goes_to_the_others(small_city):
    # November 2026: nothing was reported, registered, resolved or rated, and nobody's log was
    # handed in; only #25 (李秀英) and #30 (环卫处) fall due. For 王建国 only the daily logs and
    # the hotline table (no complaints: 100) can be scored: their weights 15 and 10 become 60
    # and 40.
    result = engine.compute(
        month=datetime.date(2026, 11, 1), rules=default_rules(), progress=lambda p, n: None
    )

    wang = next(s for s in result.scores if s.name == "王建国")
    assert wang.indicators["on_time"] == {
        "num": 0,
        "den": 0,
        "rate": None,
        "points": None,
        "weight": 0.0,
    }
    assert wang.indicators["logs"]["weight"] == 60.0
    assert wang.indicators["hotline"]["weight"] == 40.0
    assert wang.composite == Decimal("40.00") and wang.grade == "D"  # D from 40
    li = next(s for s in result.scores if s.name == "李秀英")
    assert li.indicators["on_time"]["den"] == 1 and li.indicators["on_time"]["weight"] > 20
    # n/a for every officer, city-wide (on time is not: 李秀英 had a ticket due).
    assert result.totals["na"]["officer"] == [
        "valid_reports",
        "on_site",
        "rework",
        "missed",
        "satisfaction",
    ]
    assert result.totals["satisfaction_rate"] is None and result.totals["found"] == 0
    assert result.totals["on_time_rate"] == 0.0 and result.totals["due"] == 2


def test_equal_composites_share_a_rank(gulou_community):
    grid = gulou_community.grid_cells.first()
    for badge, logged in (("T-1", 2), ("T-2", 2), ("T-3", 1)):
        officer = OfficerFactory(brigade=gulou_community.brigade, badge_number=badge)
        AssignmentFactory(
            officer=officer,
            community=gulou_community,
            grid_cells=[grid],
            weekdays="12",  # Monday and Tuesday: 12 and 13 October are the only duty days
            valid_from=datetime.date(2026, 10, 12),
            valid_to=datetime.date(2026, 10, 13),
        )
        for day in (12, 13)[:logged]:
            DailyLog.objects.create(
                officer=officer,
                brigade=officer.brigade,
                date=datetime.date(2026, 10, day),
                status=LogStatus.SUBMITTED,
            )

    result = engine.compute(month=OCTOBER, rules=default_rules(), progress=lambda p, n: None)

    officers = sorted(
        (s.officer.badge_number, s.composite, s.rank) for s in result.scores if s.officer_id
    )
    # logs 100 or 50 (weight 60), hotline 100 (40): 100, 100, 70.
    assert officers == [
        ("T-1", Decimal("100.00"), 1),
        ("T-2", Decimal("100.00"), 1),
        ("T-3", Decimal("70.00"), 3),
    ]
