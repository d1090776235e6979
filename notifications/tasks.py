"""Celery tasks of notifications: thin, they take ids and call ``notifications.reminders`` or
``notifications.delivery``. Every one is safe to run twice or in two workers at once.

The tasks keep the names they had when they lived in ``cases.tasks``: beat's schedules in the
database and messages already queued name them so."""

from celery import Task, shared_task

from citymgmt.queue import publish
from notifications import delivery, reminders


@shared_task(
    name="cases.tasks.send_deadline_reminders",
    ignore_result=True,
    acks_late=True,
    soft_time_limit=4 * 60,
    time_limit=5 * 60,
)
def send_deadline_reminders() -> dict[str, int]:
    """Every 5 minutes (beat): due-soon, overdue and escalation notifications, each once per
    ticket and deadline."""
    return reminders.scan().as_dict()


@shared_task(
    bind=True,
    name="cases.tasks.deliver_email",
    ignore_result=True,
    acks_late=True,
    max_retries=None,  # the row counts attempts (CITYMGMT_EMAIL_MAX_RETRIES), not Celery
    soft_time_limit=60,
    time_limit=90,
)
def deliver_email(self: Task, notification_id: int) -> str:
    """E-mail one notification; on a failure, try again later with a doubling delay."""
    outcome = delivery.send(notification_id)
    if outcome == delivery.Outcome.RETRY:
        raise self.retry(countdown=delivery.retry_delay(notification_id))
    return str(outcome)


@shared_task(name="cases.tasks.deliver_stranded_emails", ignore_result=True, acks_late=True)
def deliver_stranded_emails() -> int:
    """Every 5 minutes (beat): queue again e-mails whose task never ran (a broker that was
    down) or whose worker died."""
    ids = delivery.stranded()
    for notification_id in ids:
        publish(deliver_email, notification_id)
    return len(ids)
