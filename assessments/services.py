"""Writes of the monthly assessment: start a run, execute it (the task's body), publish it.

Who may call what: ``start_run`` and ``publish_run`` are for assessors (``permissions``); the
schedule starts last month's run with no actor. ``execute_run`` is the task's body.
"""

import datetime
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from assessments import engine
from assessments.models import (
    Run,
    RunStatus,
    Scheme,
    Score,
    SubjectKind,
    running_stale_after,
)
from assessments.permissions import can_run_assessments
from assessments.scheme import default_rules
from citymgmt.months import month_start
from citymgmt.queue import enqueue
from webhooks import services as webhooks

logger = logging.getLogger(__name__)

Progress = Callable[[int, str], None]


def current_scheme() -> Scheme:
    """The scheme new runs use; the defaults of DESIGN §8 the first time."""
    scheme = Scheme.objects.filter(is_current=True).first()
    if scheme is None:
        scheme, _created = Scheme.objects.get_or_create(
            is_current=True,
            defaults={"name": _("Default scheme (DESIGN §8)"), "rules": default_rules()},
        )
    return scheme


@dataclass(frozen=True)
class Started:
    run: Run
    queued: bool  # False: the month's run was already queued or running; nothing new was queued


def start_run(*, month: datetime.date, actor: User | None, queue: bool = True) -> Run:
    """Queue the computation of ``month`` with the current scheme and return its run (see
    ``request_run``; the schedule, the command and the demo only need the run)."""
    return request_run(month=month, actor=actor, queue=queue).run


@transaction.atomic
def request_run(*, month: datetime.date, actor: User | None, queue: bool = True) -> Started:
    """Queue the computation of ``month`` with the current scheme: its run, and whether this
    call queued it (so the page says "started" only when something was).

    The month's unpublished run is reused (its scores are replaced when the task finishes);
    a month whose runs are all published gets a new run, and the published ones stay as they
    are. A run already queued or running is returned as it is, unless its task was lost (a
    broker that was down, a worker that died and stopped its heartbeat: ``Run.is_stale``).
    ``actor`` None: the schedule, which computes the run itself (``queue=False``).
    """
    if actor is not None and not can_run_assessments(actor):
        raise PermissionDenied(_("Only assessors run the monthly assessment."))
    month = month_start(month)
    if month >= month_start(timezone.localdate()):
        raise ValidationError({"month": _("Only a month that has ended can be assessed.")})
    scheme = current_scheme()
    run = Run.objects.select_for_update().filter(month=month, published=False).first()
    if run is not None and run.in_hand:
        return Started(run, queued=False)
    if run is None:
        try:
            # Two starts at once (two assessors, or the schedule and a click) both find no
            # run; the constraint lets one create it, and the other takes that one.
            with transaction.atomic():
                run = Run.objects.create(month=month, scheme=scheme, started_by=actor)
        except IntegrityError:
            run = Run.objects.select_for_update().get(month=month, published=False)
            return Started(run, queued=False)
    else:
        if run.status == RunStatus.FAILED:
            run.finished_at = None  # it stored no scores
        run.scheme = scheme
        run.started_by = actor
        run.status = RunStatus.QUEUED
        run.progress = 0
        run.progress_note = ""
        run.error = ""
        run.created_at = timezone.now()
        run.heartbeat_at = None
        run.save(
            update_fields=[
                "scheme",
                "started_by",
                "status",
                "progress",
                "progress_note",
                "error",
                "created_at",
                "finished_at",
                "heartbeat_at",
            ]
        )
    if queue:
        from assessments.tasks import run_monthly_assessment

        enqueue(run_monthly_assessment, run_id=run.pk)
    return Started(run, queued=True)


def report_progress(run_id: int, percent: int, note: str) -> None:
    """Record how far a run is, visible at once to the page polling it (autocommit: called
    between the computation's steps, never inside its final transaction); a heartbeat too."""
    Run.objects.filter(pk=run_id).update(
        progress=max(0, min(100, percent)), progress_note=note, heartbeat_at=timezone.now()
    )


@contextmanager
def heartbeat(run_id: int) -> Iterator[None]:
    """While the block runs, a thread of the task's process stamps the run's ``heartbeat_at``
    every third of ``running_stale_after()``: one step of the computation may take longer than
    that, and a worker that dies (SIGKILL, out of memory) takes the thread with it, so the run
    goes stale within the setting's seconds and can be started again."""
    stop = threading.Event()
    interval = running_stale_after().total_seconds() / 3

    def beat() -> None:
        try:
            while not stop.wait(interval):
                try:
                    Run.objects.filter(pk=run_id).update(heartbeat_at=timezone.now())
                except DatabaseError:
                    logger.warning("Assessment run %s: heartbeat not recorded", run_id)
        finally:
            connections.close_all()  # this thread's own connections

    thread = threading.Thread(target=beat, name=f"assessment-heartbeat-{run_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=interval)


def execute_run(run_id: int) -> Run | None:
    """Compute a run and store its scores. Safe to run twice: a published run is left alone,
    and the scores are replaced in one transaction, so a reader sees the old set or the new one.
    A failure marks the run failed with the error and leaves the old scores in place."""
    run = Run.objects.select_related("scheme").filter(pk=run_id).first()
    if run is None or run.published:
        return run
    rules = run.scheme.rules
    # finished_at stays: it dates the scores in place until new ones replace them.
    now = timezone.now()
    Run.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING,
        started_at=now,
        heartbeat_at=now,
        progress=0,
        progress_note="",
        error="",
    )
    try:
        with heartbeat(run.pk):
            result = engine.compute(
                month=run.month,
                rules=rules,
                progress=lambda percent, note: report_progress(run.pk, percent, note),
            )
        with transaction.atomic():
            locked = Run.objects.select_for_update().get(pk=run.pk)
            if locked.published:  # published by someone while this ran: keep it frozen
                return locked
            Score.objects.filter(run=locked).delete()
            for score in result.scores:
                score.run = locked
            Score.objects.bulk_create(result.scores, batch_size=500)
            locked.scheme_snapshot = rules
            locked.totals = result.totals
            locked.status = RunStatus.DONE
            locked.progress = 100
            locked.progress_note = ""
            locked.finished_at = timezone.now()
            locked.save(
                update_fields=[
                    "scheme_snapshot",
                    "totals",
                    "status",
                    "progress",
                    "progress_note",
                    "finished_at",
                ]
            )
        return locked
    except Exception as exc:
        logger.exception("Assessment run %s failed", run_id)
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if Score.objects.filter(run_id=run_id).exists():
            # A failed re-run: the scores of the last good one stay, and stay readable; the
            # error says the re-run failed (and publishing waits for a good one).
            Run.objects.filter(pk=run_id).update(
                status=RunStatus.DONE, progress=100, progress_note="", error=error
            )
        else:
            Run.objects.filter(pk=run_id).update(
                status=RunStatus.FAILED, error=error, finished_at=timezone.now()
            )
        raise


@transaction.atomic
def publish_run(*, run: Run, actor: User) -> Run:
    """Publish a finished run: officers and supervisors see it, and it is frozen from now on
    (re-running the month makes a new run). Assessors only."""
    if not can_run_assessments(actor):
        raise PermissionDenied(_("Only assessors publish the monthly assessment."))
    run = Run.objects.select_for_update().get(pk=run.pk)
    if run.published:
        raise ValidationError(_("This run is already published."))
    if run.status != RunStatus.DONE:
        raise ValidationError(_("Only a finished run can be published."))
    if run.error:
        raise ValidationError(
            _("The last re-run of this month failed: run it again before publishing.")
        )
    run.published = True
    run.published_at = timezone.now()
    run.published_by = actor
    run.save(update_fields=["published", "published_at", "published_by"])
    brigades = [
        {"name": name, "rank": rank, "composite": float(composite) if composite else None}
        for name, rank, composite in run.scores.filter(kind=SubjectKind.BRIGADE)
        .order_by("rank", "name")
        .values_list("name", "rank", "composite")
    ]
    webhooks.assessment_published(run, brigades)
    return run
