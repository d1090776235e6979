"""The operations page (``/operations/``): is the Celery machinery running, and how do the
deadlines stand? For assessors and the command centre, who answer for the whole city.

It shows every periodic task as django-celery-beat holds it (editable in the admin) beside
what the workers last did with it (``ops.models.TaskRun``), a warning when the reminder scan has
stopped, the running clocks per brigade and today's reminders. Every figure is one SQL query
whatever the number of tickets.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from accounts.models import User
from accounts.permissions import role_required
from accounts.roles import Role
from accounts.scope import scope_of
from cases.models import CLOCK_STATES
from cases.selectors import clock_counts, tickets_visible_to
from citymgmt.schedules import SCHEDULES
from citymgmt.text import ascii_digits
from notifications.models import DeadlineReminder, NoticeKind
from ops.models import TaskRun
from patrols.models import LogReminder

REMINDER_TASK = "cases.tasks.send_deadline_reminders"
# The scan runs every 5 minutes: three missed runs mean beat or every worker is down.
STALE_AFTER = datetime.timedelta(minutes=15)
EDIT_PERMISSION = "django_celery_beat.change_periodictask"


def may_see_operations(user: User) -> bool:
    """Assessors and the command centre (city-wide supervisors); brigade supervisors answer
    for their own brigade only and see its clocks on their home page."""
    return scope_of(user).city_wide


# --- the schedule -----------------------------------------------------------------------------


def _at(hour: str, minute: str) -> str | None:
    if ascii_digits(hour) and ascii_digits(minute):
        return f"{int(hour):02d}:{int(minute):02d}"
    return None


def _interval_words(interval: IntervalSchedule) -> str:
    n = interval.every
    words = {
        IntervalSchedule.DAYS: ngettext("Every day", "Every %(count)d days", n),
        IntervalSchedule.HOURS: ngettext("Every hour", "Every %(count)d hours", n),
        IntervalSchedule.MINUTES: ngettext("Every minute", "Every %(count)d minutes", n),
        IntervalSchedule.SECONDS: ngettext("Every second", "Every %(count)d seconds", n),
    }
    text = words.get(interval.period)
    if text is None:
        return f"{n} {interval.period}"
    return text % {"count": n}


def _crontab_words(crontab: CrontabSchedule) -> str:
    at = _at(crontab.hour, crontab.minute)
    rest = (crontab.day_of_month, crontab.month_of_year, crontab.day_of_week)
    if at is not None and rest == ("*", "*", "*"):
        return _("Every day at %(time)s") % {"time": at}
    if at is not None and ascii_digits(crontab.day_of_month) and rest[1:] == ("*", "*"):
        return _("On day %(day)s of every month at %(time)s") % {
            "day": crontab.day_of_month,
            "time": at,
        }
    expression = " ".join((crontab.minute, crontab.hour, *rest))
    return _("Cron expression %(expression)s") % {"expression": expression}


def schedule_words(task: PeriodicTask) -> str:
    """When the task runs, in plain words (the admin shows the raw fields)."""
    if task.interval is not None:
        return _interval_words(task.interval)
    if task.crontab is not None:
        return _crontab_words(task.crontab)
    if task.clocked is not None:
        return _("Once, at %(time)s") % {
            "time": date_format(timezone.localtime(task.clocked.clocked_time), "Y-m-d H:i")
        }
    if task.solar is not None:
        return str(task.solar)
    return _("No schedule")


@dataclass
class ScheduleRow:
    task: PeriodicTask
    when: str
    description: str
    run: TaskRun | None


def schedule_rows() -> list[ScheduleRow]:
    """Every periodic task in beat's tables, with the workers' record of its last run. Two
    queries, however many tasks."""
    described = {schedule.name: str(schedule.description) for schedule in SCHEDULES}
    tasks = PeriodicTask.objects.select_related("interval", "crontab", "clocked", "solar").order_by(
        "name"
    )
    runs = {run.task: run for run in TaskRun.objects.all()}
    return [
        ScheduleRow(
            task=task,
            when=schedule_words(task),
            # The code's description is translated; one an admin wrote is shown as written.
            description=described.get(task.name) or task.description,
            run=runs.get(task.task),
        )
        for task in tasks
    ]


def reminder_scan_warning(rows: list[ScheduleRow], now: datetime.datetime) -> str:
    """Why the deadline reminders may not be going out, or "" when the scan ran lately."""
    scans = [row for row in rows if row.task.task == REMINDER_TASK]
    if not scans:
        return _("The deadline reminder scan is not scheduled: run “manage.py install_schedules”.")
    if not any(row.task.enabled for row in scans):
        return _("The deadline reminder scan is disabled in the admin: no reminders are sent.")
    run = scans[0].run
    times = [run.started_at, run.finished_at] if run is not None else []
    last = max((at for at in times if at is not None), default=None)
    if last is None:
        return _(
            "The deadline reminder scan has never run: check that Celery beat and a worker "
            "are running."
        )
    if now - last > STALE_AFTER:
        return _(
            "The deadline reminder scan last ran at %(time)s, more than 15 minutes ago: check "
            "that Celery beat and a worker are running."
        ) % {"time": date_format(timezone.localtime(last), "Y-m-d H:i")}
    return ""


# --- deadlines and reminders ------------------------------------------------------------------


def brigade_clocks(user: User, now: datetime.datetime) -> list[dict[str, Any]]:
    """Running clocks per brigade: due soon, overdue (the home pages' definitions) and
    escalated to the command centre for their current deadline. One grouped aggregate."""
    escalated = DeadlineReminder.objects.filter(
        ticket=OuterRef("pk"), kind=NoticeKind.ESCALATED, deadline=OuterRef("deadline")
    )
    return list(
        tickets_visible_to(user)
        .filter(state__in=CLOCK_STATES)
        .values("brigade_id", "brigade__code", "brigade__name")
        .annotate(
            running=Count("id"),
            **clock_counts(now),
            escalated=Count("id", filter=Q(Exists(escalated))),
        )
        .order_by("brigade__code")
    )


def reminders_today(now: datetime.datetime) -> list[dict[str, Any]]:
    """Today's reminders by kind: deadline steps (tickets and people told) and the evening's
    missing-log reminders (people told). Two queries."""
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    sent = {
        row["kind"]: row
        for row in DeadlineReminder.objects.filter(sent_at__gte=midnight)
        .values("kind")
        .annotate(tickets=Count("id"), people=Sum("recipients"))
        .order_by()
    }
    rows = [
        {
            "label": kind.label,
            "tickets": sent.get(kind, {}).get("tickets", 0),
            "people": sent.get(kind, {}).get("people") or 0,
        }
        for kind in (NoticeKind.DUE_SOON, NoticeKind.OVERDUE, NoticeKind.ESCALATED)
    ]
    logs = LogReminder.objects.filter(day=midnight.date()).count()
    rows.append({"label": _("Daily log reminders"), "tickets": None, "people": logs})
    return rows


# --- the page ---------------------------------------------------------------------------------


@role_required(Role.ASSESSOR, Role.SUPERVISOR)
def operations(request: HttpRequest) -> HttpResponse:
    if not may_see_operations(request.user):
        raise PermissionDenied
    now = timezone.now()
    rows = schedule_rows()
    clocks = brigade_clocks(request.user, now)
    totals = {
        key: sum(row[key] for row in clocks)
        for key in ("running", "due_soon", "overdue", "escalated")
    }
    context = {
        "now": now,
        "rows": rows,
        "warning": reminder_scan_warning(rows, now),
        "can_edit": request.user.is_staff and request.user.has_perm(EDIT_PERMISSION),
        "clocks": clocks,
        "totals": totals,
        "reminders": reminders_today(now),
        "email_enabled": settings.EMAIL_ENABLED,
        "escalate_percent": round(settings.CITYMGMT_ESCALATE_FRACTION * 100),
    }
    return render(request, "cases/operations.html", context)
