"""Celery tasks of cases: thin, they call one service."""

from celery import shared_task

from cases import offline


@shared_task(name="cases.tasks.clean_offline_leftovers", ignore_result=True)
def clean_offline_leftovers() -> dict[str, int]:
    """Daily (beat, 04:00): the field app's write ids older than a week and the photo uploads
    its phones abandoned (``cases.offline.clean_leftovers``)."""
    return offline.clean_leftovers()
