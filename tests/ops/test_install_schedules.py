"""The periodic tasks are defined in code (citymgmt/schedules.py) and installed into
django-celery-beat by `manage.py install_schedules`; afterwards they are the admin's to edit."""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from citymgmt.celery import app
from citymgmt.schedules import SCHEDULES

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def install(*args: str) -> str:
    out = io.StringIO()
    call_command("install_schedules", *args, stdout=out)
    return out.getvalue()


def test_every_schedule_is_installed_once_and_names_a_real_task():
    assert "Installed schedules" in install()
    assert "already installed" in install()
    tasks = dict(PeriodicTask.objects.values_list("name", "task"))
    assert tasks == {schedule.name: schedule.task for schedule in SCHEDULES}
    app.loader.import_default_modules()
    for task in tasks.values():
        assert task in app.tasks, task


def test_the_reminder_scan_runs_every_five_minutes_and_the_log_reminder_at_six_pm():
    install()
    scan = PeriodicTask.objects.get(task="cases.tasks.send_deadline_reminders")
    assert (scan.interval.every, scan.interval.period) == (5, "minutes")
    logs = PeriodicTask.objects.get(task="patrols.tasks.remind_missing_logs")
    assert (logs.crontab.minute, logs.crontab.hour, str(logs.crontab.timezone)) == (
        "0",
        "18",
        "Asia/Shanghai",
    )


def test_an_admins_edit_survives_a_second_install_and_reset_restores_the_code():
    install()
    PeriodicTask.objects.filter(name="deadline-reminders").update(enabled=False)
    install()
    assert not PeriodicTask.objects.get(name="deadline-reminders").enabled
    assert "Reset schedules" in install("--reset")
    assert PeriodicTask.objects.get(name="deadline-reminders").enabled


def test_the_run_command_and_the_beat_container_install_the_schedules():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    # The rule with the recipe (the `run: export …` lines before it only set variables).
    recipe = re.compile(r"^run: \$\(STAMP_RUN\)\n((?:\t.*\n|ifeq.*\n|else\n|endif\n)+)", re.M)
    run_recipe = recipe.search(makefile)[1]
    assert "manage.py install_schedules" in run_recipe
    entrypoint = (ROOT / "docker" / "entrypoint.sh").read_text(encoding="utf-8")
    beat = entrypoint.split("    beat)", 1)[1].split(";;", 1)[0]
    assert "manage.py install_schedules" in beat
