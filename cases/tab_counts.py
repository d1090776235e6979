"""The queue's status tabs: tickets per state for the filters in force.

Open tickets are counted on every page, exactly: they are a few thousand at most, read from an
index. Finished ones (closed, rejected) are nearly all of a city's casebook, so counting them
scans it (100 ms for the whole city at a million tickets) to show numbers that move only when a
ticket is closed, rejected or reopened. Those counts are kept in the cache, per scope and
filters, under a version that ``cases.services`` retires whenever a ticket enters or leaves a
finished state; a time limit catches what goes round the services (a bulk load, a data fix).
"""

import hashlib
import uuid

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, QuerySet

from cases.models import OPEN_STATES, State, Ticket
from cases.states import FINISHED_STATES

VERSION_KEY = "cases:finished_counts:version"
FINISHED_TIMEOUT = 10 * 60


def _version() -> str:
    return cache.get_or_set(VERSION_KEY, lambda: uuid.uuid4().hex, timeout=None)


def retire_finished_counts() -> None:
    """Forget every cached count of finished tickets (all scopes and filters at once)."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def ticket_moved(from_state: str, to_state: str) -> None:
    """Called for every audited transition: a ticket entering or leaving a finished state
    retires the cached counts now (so this transaction's own pages see it) and again at commit
    (another request may have counted the old rows in between and cached them)."""
    if from_state == to_state or not {from_state, to_state} & set(FINISHED_STATES):
        return
    retire_finished_counts()
    transaction.on_commit(retire_finished_counts)


def status_counts(tickets: QuerySet[Ticket], *, key: str) -> dict[str, int]:
    """Tickets per state, plus ``open`` and ``all``, in one query. ``key`` names the scope and
    filters of ``tickets`` (not the time: finished tickets match a filter or not for good)."""
    cache_key = f"cases:finished_counts:{_version()}:{hashlib.sha256(key.encode()).hexdigest()}"
    finished = cache.get(cache_key)
    if finished is None:
        counts = _count(tickets)
        cache.set(
            cache_key, {s: counts.get(s, 0) for s in FINISHED_STATES}, timeout=FINISHED_TIMEOUT
        )
    else:
        counts = {**_count(tickets.filter(state__in=OPEN_STATES)), **finished}
    counts["open"] = sum(counts.get(state, 0) for state in OPEN_STATES)
    counts["all"] = sum(counts.get(state, 0) for state in State.values)
    return counts


def _count(tickets: QuerySet[Ticket]) -> dict[str, int]:
    # COUNT(*) rather than COUNT(id): PostgreSQL can answer from the (brigade, state, …) index.
    rows = tickets.order_by().values_list("state").annotate(n=Count("*"))
    return dict(rows)
