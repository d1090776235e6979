"""Install the periodic tasks of ``citymgmt.schedules`` into django-celery-beat's tables."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import translation
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from citymgmt.schedules import SCHEDULES, Every, Schedule


def _when(schedule: Schedule) -> dict[str, Any]:
    when = schedule.when
    if isinstance(when, Every):
        interval, _created = IntervalSchedule.objects.get_or_create(
            every=when.minutes, period=IntervalSchedule.MINUTES
        )
        return {"interval": interval, "crontab": None}
    crontab, _created = CrontabSchedule.objects.get_or_create(
        minute=when.minute,
        hour=when.hour,
        day_of_month=when.day_of_month,
        month_of_year=when.month_of_year,
        day_of_week=when.day_of_week,
        timezone=settings.TIME_ZONE,
    )
    return {"interval": None, "crontab": crontab}


def _in_site_language(schedule: Schedule) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return str(schedule.description)


class Command(BaseCommand):
    help = (
        "Install the periodic tasks defined in citymgmt/schedules.py into django-celery-beat. "
        "Existing ones are left as an admin may have edited them, unless --reset is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Put the code's schedule back on tasks that exist (and enable them).",
        )

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        added, reset = [], []
        for schedule in SCHEDULES:
            existing = PeriodicTask.objects.filter(name=schedule.name).first()
            if existing is not None and not options["reset"]:
                continue
            values = {
                "task": schedule.task,
                # Stored text: in the site's language, as the admin shows it.
                "description": _in_site_language(schedule),
                "enabled": True,
                **_when(schedule),
            }
            if existing is None:
                PeriodicTask.objects.create(name=schedule.name, **values)
                added.append(schedule.name)
            else:
                for key, value in values.items():
                    setattr(existing, key, value)
                existing.save()
                reset.append(schedule.name)
        if options["verbosity"] > 0:
            if added:
                self.stdout.write(f"Installed schedules: {', '.join(added)}.")
            if reset:
                self.stdout.write(f"Reset schedules: {', '.join(reset)}.")
            if not added and not reset:
                self.stdout.write("Schedules already installed (edit them in the admin).")
