"""Celery tasks of the privacy app: thin, they call one service."""

from celery import shared_task

from privacy import services


@shared_task(name="privacy.anonymise_expired_contacts")
def anonymise_expired_contacts() -> int:
    """The daily retention job (beat, 03:30). Safe to run twice or after a killed run: only
    tickets not yet anonymised are taken. Returns the ``RetentionRun`` id."""
    return services.anonymise_expired_contacts().pk
