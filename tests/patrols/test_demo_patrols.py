"""The demo step: plausible patrols and logs for the last month, idempotent."""

import pytest

from demo.patrols import seed_patrols
from grids.services import locate_id
from patrols.models import DailyLog, LogStatus, PatrolPoint, PatrolSession

pytestmark = pytest.mark.django_db


def test_demo_patrols_walk_the_officers_grids_and_fill_a_month_of_logs(
    monday, officer_gulou, officer_quanshan, supervisor_gulou
):
    result = seed_patrols()

    assert result["created"]["patrol_sessions"] > 40  # two officers, about 30 days each
    mine = PatrolSession.objects.filter(officer__user=officer_gulou)
    cells = set(officer_gulou.officer.assignments.get().grid_cells.values_list("pk", flat=True))
    assert all(
        locate_id(lat, lng) in cells
        for lat, lng in PatrolPoint.objects.filter(session__in=mine).values_list("lat", "lng")
    )
    assert PatrolSession.objects.filter(ended_at__isnull=True).count() <= 2  # today's, if any
    statuses = set(DailyLog.objects.values_list("status", flat=True))
    assert {LogStatus.SUBMITTED, LogStatus.APPROVED} <= statuses
    reviewed = DailyLog.objects.filter(status=LogStatus.APPROVED, officer__user=officer_gulou)
    assert set(reviewed.values_list("reviewed_by", flat=True)) == {supervisor_gulou.pk}
    assert all(log.events.exists() for log in DailyLog.objects.exclude(status=LogStatus.DRAFT))


def test_running_the_demo_step_twice_adds_nothing(monday, officer_gulou):
    seed_patrols()
    counts = (PatrolSession.objects.count(), PatrolPoint.objects.count(), DailyLog.objects.count())

    again = seed_patrols()

    assert set(again["created"].values()) == {0}
    assert counts == (
        PatrolSession.objects.count(),
        PatrolPoint.objects.count(),
        DailyLog.objects.count(),
    )
