"""Log records that say which request or Celery task wrote them, as text or one JSON object.

``RequestIdMiddleware`` puts the request id in a context variable for the life of the request;
the filter below copies it (and the running task's id, in a worker) onto every record the console
handler writes, so one grep of the id finds everything a request did. Loaded by LOGGING before the
app registry is ready: import nothing from models here.
"""

import contextvars
import datetime
import json
import logging

from celery import current_task

NONE = "-"
request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default=NONE)


class RequestContextFilter(logging.Filter):
    """Adds ``request_id`` and ``task_id`` to every record ("-" when there is none)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            # Django logs a 4xx/5xx response after the middleware has returned, with the
            # request attached to the record.
            request = getattr(record, "request", None)
            record.request_id = getattr(request, "request_id", None) or request_id_var.get()
        if not hasattr(record, "task_id"):
            task_id = current_task.request.id if current_task else None
            record.task_id = task_id or NONE
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line, the shape log collectors (Loki, ELK, Aliyun SLS) parse as is."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        for key in ("request_id", "task_id"):
            value = getattr(record, key, NONE)
            if value != NONE:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
