"""Celery task of the assessments app: thin, it loads a run and calls one service."""

from celery import shared_task
from django.utils import timezone

from assessments import services
from citymgmt.months import previous_month


@shared_task(name="assessments.tasks.run_monthly_assessment", acks_late=True, ignore_result=True)
def run_monthly_assessment(run_id: int | None = None) -> int | None:
    """Compute run ``run_id``; with no id (beat, the 1st at 02:00), start and compute the run of
    the month before. Safe twice: a published run is left alone, scores are replaced whole."""
    if run_id is None:
        month = previous_month(timezone.localdate())
        run_id = services.start_run(month=month, actor=None, queue=False).pk
    run = services.execute_run(run_id)
    return run.pk if run else None
