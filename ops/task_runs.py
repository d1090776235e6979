"""Record each run of a scheduled task (``ops.models.TaskRun``) from Celery's own signals, so the
operations page can show when each last ran and what came of it. Only the tasks named in
``citymgmt.schedules`` are recorded; a failure to record is logged and never fails the task."""

import json
import logging
from typing import Any

from celery import signals
from django.db.models import F
from django.utils import timezone

from citymgmt.schedules import SCHEDULED_TASKS
from ops.models import TaskRun

logger = logging.getLogger(__name__)


def _summary(value: Any) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text[:300]


@signals.task_prerun.connect(dispatch_uid="cases_task_started")
def task_started(sender: Any = None, **kwargs: Any) -> None:
    name = getattr(sender, "name", "")
    if name not in SCHEDULED_TASKS:
        return
    try:
        TaskRun.objects.update_or_create(task=name, defaults={"started_at": timezone.now()})
    except Exception:
        logger.exception("Could not record the start of %s", name)


@signals.task_postrun.connect(dispatch_uid="cases_task_finished")
def task_finished(sender: Any = None, retval: Any = None, state: str = "", **kwargs: Any) -> None:
    name = getattr(sender, "name", "")
    if name not in SCHEDULED_TASKS:
        return
    succeeded = state == "SUCCESS"
    try:
        TaskRun.objects.filter(task=name).update(
            finished_at=timezone.now(),
            succeeded=succeeded,
            result=_summary(retval) if succeeded else _summary(f"{state}: {retval}"),
            runs=F("runs") + 1,
            failures=F("failures") + (0 if succeeded else 1),
        )
    except Exception:
        logger.exception("Could not record the end of %s", name)
