"""Demo step: published assessments for the demo's past months, so the trend chart has history.

Computes and publishes a run for every month the demo casework fully covers (its first ticket on
or before the month's first day), up to the month before last and at most 11 months; last
month is left unrun for the assessor to start in the browser. The demo casework reaches back
``demo.cases.planner.DAYS`` (90) days and the daily logs only 30, so the demo has one or two
such months, and their 日志完整率 is low: that is the demo's history, not invented here.
Deterministic for a given casebook and idempotent: a month with a published run is skipped.
"""

import datetime
from typing import Any, TextIO

from django.db.models import Min
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from assessments.models import Run, Score
from assessments.services import execute_run, publish_run, start_run
from cases.models import Ticket
from citymgmt.months import month_start, next_month, previous_month

MAX_MONTHS = 11


def demo_months(today: datetime.date) -> list[datetime.date]:
    """The months before last month that the demo's tickets cover from their first day."""
    first = Ticket.objects.aggregate(first=Min("reported_at"))["first"]
    if first is None:
        return []
    first_day = timezone.localdate(first)
    month = month_start(first_day) if first_day.day == 1 else next_month(first_day)
    until = previous_month(previous_month(today))
    months = []
    while month <= until:
        months.append(month)
        month = next_month(month)
    return months[-MAX_MONTHS:]


def seed_assessments(*, stdout: TextIO | None = None) -> dict[str, Any]:
    """Compute and publish the demo's past months (see the module's docstring)."""

    def say(msg: str) -> None:
        if stdout is not None:
            stdout.write(msg + "\n")

    created = {"assessment_runs": 0}
    assessor = User.objects.filter(groups__name=Role.ASSESSOR).order_by("pk").first()
    months = demo_months(timezone.localdate())
    if assessor is None or not months:
        say("  assessments: no assessor or no past month with casework, nothing computed")
    for month in months:
        if Run.objects.filter(month=month, published=True).exists():
            continue
        run = execute_run(start_run(month=month, actor=assessor, queue=False).pk)
        if run is None or run.status != "done":
            continue
        publish_run(run=run, actor=assessor)
        created["assessment_runs"] += 1
        say(f"  assessments: {month:%Y-%m} computed and published")
    counts = {"assessment_runs": Run.objects.count(), "scores": Score.objects.count()}
    return {"counts": counts, "created": created}
