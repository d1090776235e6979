"""Celery tasks of the patrols app: thin, they call ``patrols.reminders``."""

from celery import shared_task

from patrols import reminders


@shared_task(
    name="patrols.tasks.remind_missing_logs",
    ignore_result=True,
    acks_late=True,
    soft_time_limit=4 * 60,
    time_limit=5 * 60,
)
def remind_missing_logs() -> dict[str, int]:
    """18:00 (beat), acting on official working days only: officers on duty without a
    submitted daily log, and their supervisors with the list. Safe to run twice."""
    return reminders.remind_missing_logs()
