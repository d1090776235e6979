"""Sending work to Celery from a request without ever failing the request.

``enqueue`` publishes after the current transaction commits (a worker must find the rows the
task names), and a broker that is down or slow is logged, not raised: everything a task does is
also found by a periodic scan of the database, so a lost message is late, never lost work.
"""

import logging
from typing import Any

from celery import Task
from django.db import transaction

logger = logging.getLogger(__name__)

# Publish once, without kombu's default retries, so an unreachable broker costs the request a
# failed connection attempt (CELERY_BROKER_CONNECTION_TIMEOUT), not several.
NO_RETRY = {"retry": False}


def publish(task: Task, *args: Any, **kwargs: Any) -> bool:
    """Send ``task`` now; True if the broker took it. Never raises."""
    try:
        task.apply_async(args=args, kwargs=kwargs, **NO_RETRY)
    except Exception as exc:  # kombu raises OperationalError, OSError, redis errors, …
        logger.warning(
            "Broker unreachable, %s%r not queued (the periodic scan will catch up): %s",
            task.name,
            args,
            exc,
        )
        return False
    return True


def enqueue(task: Task, *args: Any, **kwargs: Any) -> None:
    """Send ``task`` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: publish(task, *args, **kwargs))
