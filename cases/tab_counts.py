"""The queue's status tabs: tickets per state for the filters in force.

Open tickets are counted on every page, exactly: they are a few thousand at most, read from an
index. Finished ones (closed, rejected) are nearly all of a city's casebook: they are counted up
to a cap (``CASES_COUNT_CAP``, 10,000) and shown as "10,000+" beyond it, the way large systems
count, so a count reads at most that many index entries whether the casebook holds twenty
thousand tickets or five million. Those counts move only when a ticket is closed, rejected or
reopened, so they are also kept in the cache, per scope and filters, under a version that
``cases.services`` retires whenever a ticket enters or leaves a finished state; a time limit
catches what goes round the services (a bulk load, a data fix). A retired count costs the next
page one capped statement, not a scan of the casebook.
"""

import hashlib
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connections, transaction
from django.db.models import Count, QuerySet
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from cases.models import OPEN_STATES, State, Ticket
from cases.states import FINISHED_STATES

VERSION_KEY = "cases:finished_counts:version"
FINISHED_TIMEOUT = 10 * 60
DEFAULT_CAP = 10_000


class AtLeast(int):
    """A count that stopped at the cap: there are at least this many (shown as "10,000+").
    As an int it is the cap plus one, so a paginator over it offers the pages up to the cap."""

    def __str__(self) -> str:
        return _("%(count)s+") % {"count": number_format(int(self) - 1, force_grouping=True)}


def count_cap() -> int:
    return getattr(settings, "CASES_COUNT_CAP", DEFAULT_CAP)


def count_label(count: int) -> str:
    """A count as a tab or pager shows it: exact, or "10,000+" past the cap."""
    return str(count) if isinstance(count, AtLeast) else number_format(count)


def capped_count(tickets: QuerySet[Ticket]) -> int:
    """How many tickets, counted up to the cap: ``AtLeast`` past it."""
    cap = count_cap()
    n = tickets.order_by().values("pk")[: cap + 1].count()
    return AtLeast(n) if n > cap else n


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
    filters of ``tickets`` (not the time: finished tickets match a filter or not for good).
    A finished state past the cap counts as ``AtLeast`` (and ``all`` with it)."""
    cache_key = f"cases:finished_counts:{_version()}:{hashlib.sha256(key.encode()).hexdigest()}"
    finished = cache.get(cache_key)
    if finished is None:
        counts = _count_capped(tickets)
        finished = {s: counts.get(s, 0) for s in FINISHED_STATES}
        cache.set(
            cache_key,
            {s: (int(n), isinstance(n, AtLeast)) for s, n in finished.items()},
            timeout=FINISHED_TIMEOUT,
        )
    else:
        counts = _count(tickets.filter(state__in=OPEN_STATES))
        counts.update({s: AtLeast(n) if capped else n for s, (n, capped) in finished.items()})
    counts["open"] = sum(counts.get(state, 0) for state in OPEN_STATES)
    total = sum(counts.get(state, 0) for state in State.values)
    capped = any(isinstance(counts.get(s), AtLeast) for s in FINISHED_STATES)
    counts["all"] = AtLeast(max(total, count_cap() + 1)) if capped else total
    return counts


def _count(tickets: QuerySet[Ticket]) -> dict[str, int]:
    # COUNT(*) rather than COUNT(id): PostgreSQL can answer from the (brigade, state, …) index.
    rows = tickets.order_by().values_list("state").annotate(n=Count("*"))
    return dict(rows)


def _count_capped(tickets: QuerySet[Ticket]) -> dict[str, int]:
    """Open states exactly and each finished state up to the cap, in one statement: the open
    counts grouped by state, then per finished state ``count(*)`` of at most cap + 1 rows."""
    cap = count_cap()
    try:
        return _run_capped(tickets, cap)
    except EmptyResultSet:  # a scope that can match nothing: a supervisor without a brigade
        return {}


def _run_capped(tickets: QuerySet[Ticket], cap: int) -> dict[str, int]:
    parts = [
        tickets.filter(state__in=OPEN_STATES)
        .order_by()
        .values_list("state")
        .annotate(n=Count("*"))
        .query.sql_with_params()
    ]
    for state in FINISHED_STATES:
        limited = tickets.filter(state=state).order_by().values_list("state")[: cap + 1]
        sql, params = limited.query.sql_with_params()
        parts.append((f"SELECT %s, COUNT(*) FROM ({sql}) capped", (state, *params)))
    sql = " UNION ALL ".join(f"SELECT * FROM ({part}) part" for part, _params in parts)
    params = [param for _part, part_params in parts for param in part_params]
    with connections[tickets.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    counts: dict[str, int] = {}
    for state, n in rows:
        if state in FINISHED_STATES and n > cap:
            counts[state] = AtLeast(n)
        elif n:
            counts[state] = n
    return counts
