"""Sending work to Celery from a request without ever failing the request.

``enqueue`` publishes after the current transaction commits (a worker must find the rows the
task names), and a broker that is down or slow is logged, not raised: everything a task does is
also found by a periodic scan of the database, so a lost message is late, never lost work.
"""

import logging
import time
from typing import Any

from celery import Task
from django.db import transaction

logger = logging.getLogger(__name__)

# Publish once, without kombu's default retries, so an unreachable broker costs the request a
# failed connection attempt (CELERY_BROKER_CONNECTION_TIMEOUT), not several.
NO_RETRY = {"retry": False}
# After a failed publish this process leaves the broker alone for a while: a request that
# queues several tasks (an e-mail per supervisor) pays for one failed connection, not one each.
PAUSE_AFTER_FAILURE = 30.0  # seconds
_paused_until = 0.0


def publish(task: Task, *args: Any, **kwargs: Any) -> bool:
    """Send ``task`` now; True if the broker took it. Never raises."""
    return _publish(task, args, kwargs, {})


def publish_later(countdown: float, task: Task, *args: Any) -> bool:
    """Send ``task`` to run in ``countdown`` seconds (a retry's delay); as :func:`publish`."""
    return _publish(task, args, {}, {"countdown": countdown})


def _publish(task: Task, args: tuple, kwargs: dict, options: dict) -> bool:
    global _paused_until
    if time.monotonic() < _paused_until:
        logger.warning(
            "Broker unreachable, %s%r not queued (the periodic scan will catch up): "
            "it failed moments ago",
            task.name,
            args,
        )
        return False
    try:
        task.apply_async(args=args, kwargs=kwargs, **options, **NO_RETRY)
    except Exception as exc:  # kombu raises OperationalError, OSError, redis errors, …
        _paused_until = time.monotonic() + PAUSE_AFTER_FAILURE
        logger.warning(
            "Broker unreachable, %s%r not queued (the periodic scan will catch up): %s",
            task.name,
            args,
            exc,
        )
        return False
    return True


def resume() -> None:
    """Try the broker again at the next publish (tests; a broker known to be back)."""
    global _paused_until
    _paused_until = 0.0


def enqueue(task: Task, *args: Any, **kwargs: Any) -> None:
    """Send ``task`` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: publish(task, *args, **kwargs))
