"""The periodic tasks, defined in code and installed into django-celery-beat's tables by
``manage.py install_schedules`` (run by ``make run`` and the production entrypoint). After that
they are data: an admin may change a time or disable a task in the admin, and a later install
leaves their change alone (``--reset`` puts the code's values back).
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Every:
    minutes: int


@dataclass(frozen=True)
class Cron:
    minute: str = "0"
    hour: str = "*"
    day_of_month: str = "*"
    month_of_year: str = "*"
    day_of_week: str = "*"


@dataclass(frozen=True)
class Schedule:
    name: str  # PeriodicTask.name: the key an install matches on
    task: str
    when: Every | Cron
    description: Promise


SCHEDULES: tuple[Schedule, ...] = (
    Schedule(
        "deadline-reminders",
        "cases.tasks.send_deadline_reminders",
        Every(minutes=5),
        _("Due-soon, overdue and escalation notifications for running deadlines."),
    ),
    Schedule(
        "stranded-emails",
        "cases.tasks.deliver_stranded_emails",
        Every(minutes=5),
        _("Queues again notification e-mails whose task was lost (broker down, worker died)."),
    ),
    Schedule(
        "outbox-stranded",
        "outbox.deliver_stranded",
        Every(minutes=1),
        _("Queues again outgoing messages (SMS, webhooks, 12345) whose task was lost."),
    ),
    Schedule(
        "missing-daily-logs",
        "patrols.tasks.remind_missing_logs",
        Cron(minute="0", hour="18"),
        _("18:00: officers on duty without a submitted daily log (official working days)."),
    ),
    Schedule(
        "contact-retention",
        "privacy.anonymise_expired_contacts",
        Cron(minute="30", hour="3"),
        _("03:30: reporters' contact details and original photos removed after the retention."),
    ),
    Schedule(
        "offline-leftovers",
        "cases.tasks.clean_offline_leftovers",
        Cron(minute="0", hour="4"),
        _("04:00: the field app's write ids after a week, and photo uploads the phones abandoned."),
    ),
    Schedule(
        "shop-points",
        "shops.compute_shop_points",
        Cron(minute="0", hour="3", day_of_month="1"),
        _("1st of the month, 03:00: shops' 门前三包 points and cards for the month before."),
    ),
    Schedule(
        "monthly-assessment",
        "assessments.tasks.run_monthly_assessment",
        Cron(minute="0", hour="2", day_of_month="1"),
        _("1st of the month, 02:00: the monthly assessment of the month before (not published)."),
    ),
)

SCHEDULED_TASKS = frozenset(schedule.task for schedule in SCHEDULES)
