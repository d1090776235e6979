"""Measure the supervisor's queue (/cases/) and the ticket page (/cases/<number>/) at city scale.

    DATABASE_URL=postgres://… .venv/bin/python bench/queue_bench.py [--requests R]

On the city bench/generate.py builds. For a brigade leader (sup_gl1) and the command centre
(command), the queue with three typical filter sets, a page of 50, through django.test.Client:
p50/p95 server time, SQL statements a page (BEGIN/COMMIT not counted), the page's bare SQL (rows
and status-tab counts, as the page runs them with its cache warm: open states counted, finished
ones from the cache; the pager's count is read off the tabs) run straight on a cursor; and the
ticket page of an open gl1 ticket. Targets (DESIGN §9, 1M tickets, 2 cores): ≤ 12 queries,
p95 ≤ 3× the page's bare SQL, ≤ 100 ms. bench/run.py takes the queue's figures from here.
"""

import argparse
import logging
import math
import os
import platform
import random
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citymgmt.settings")

import django

django.setup()
# Whitenoise warns once per process when collectstatic has not run; the bench serves no assets.
warnings.filterwarnings("ignore", "No directory at", UserWarning)

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.http import QueryDict  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from cases import selectors, tab_counts  # noqa: E402
from cases import views as case_views  # noqa: E402
from cases.filters import TicketFilter  # noqa: E402
from cases.models import CLOCK_STATES, OPEN_STATES, Category, Ticket, TicketEvent  # noqa: E402
from grids.selectors import supervised_communities  # noqa: E402

PAGE_SIZE = 50
WARM_UP = 20
SUPERVISORS = ("sup_gl1", "command")
TRANSACTION = {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"}


# --- the casebook ---------------------------------------------------------------------------


def require_city(minimum: int = 10_000) -> int:
    """Migrate (a no-op when current; a pending migration may be a new index worth measuring)
    and check bench/generate.py has built the city; returns the tickets there are."""
    call_command("migrate", verbosity=0)
    tickets = Ticket.objects.count()
    if tickets < minimum:
        sys.exit(
            f"The database holds {tickets:,} tickets: build the benchmark city first, "
            "`bench/generate.py` (see bench/README.md)."
        )
    return tickets


# --- measuring ------------------------------------------------------------------------------


def percentile(samples: list[float], q: float) -> float:
    """Nearest rank (as the side-by-side method reads them): the smallest sample with at least
    q % of the samples at or below it."""
    ordered = sorted(samples)
    return ordered[max(math.ceil(q / 100 * len(ordered)), 1) - 1]


def time_runs(run: Callable[[], Any], runs: int) -> list[float]:
    for _i in range(WARM_UP):
        run()
    samples = []
    for _i in range(runs):
        started = time.perf_counter()
        run()
        samples.append(time.perf_counter() - started)
    return samples


def execute(sql: str, params: Any = None) -> Callable[[], None]:
    """A bare run of one statement, rows fetched: the floor the page cannot go below."""

    def run() -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    return run


def page_sql(user: User, query: str) -> tuple[dict[str, tuple[str, Any]], int]:
    """The page's data statements, built the way ``cases.views.queue`` builds them, and how many
    tickets match. The status tabs are counted as a page counts them once its cache is warm
    (open states only: the finished counts come from the cache); the paginator's count is read
    off the tabs, so there is no COUNT statement."""
    base = selectors.tickets_visible_to(user)
    communities = list(supervised_communities(user).order_by("code"))
    officers = list(selectors.dispatchable_officers(selectors.brigade_scope(user)))
    units = list(selectors.referral_units())
    ticket_filter = TicketFilter(
        QueryDict(query), base, communities=communities, officers=officers, units=units
    )
    if not ticket_filter.is_valid():
        raise SystemExit(f"Filter {query!r} is not valid: {ticket_filter.errors}")

    def tabs() -> dict[str, int]:
        return tab_counts.status_counts(
            ticket_filter.without_status(), key=ticket_filter.counts_key()
        )

    counts = tabs()  # warm, as the measured page left it
    # The tab query builds its SQL only as it runs: capture it rather than re-derive it.
    with CaptureQueriesContext(connection) as captured:
        tabs()
    page = selectors.QueuePage(
        ticket_filter.qs,
        count=counts["all"],
        communities=communities,
        officers=officers,
        units=units,
    )
    sql = {
        "rows": page.rows(slice(0, PAGE_SIZE)).query.sql_with_params(),
        "tabs": (captured.captured_queries[-1]["sql"], None),
    }
    return sql, counts[ticket_filter.form.cleaned_data["status"]]


def measure_page(client: Client, url: str, runs: int) -> dict[str, Any]:
    """Server time over ``runs`` requests (untraced), then one traced request for the count."""
    samples = time_runs(lambda: _get(client, url), runs)
    with CaptureQueriesContext(connection) as captured:
        _get(client, url)
    # ATOMIC_REQUESTS adds BEGIN and COMMIT; like tests/cases/test_queue.py, the budget of 12
    # counts the statements that read or write.
    statements = [
        q for q in captured.captured_queries if q["sql"].split()[0].upper() not in TRANSACTION
    ]
    slowest = max(statements, key=lambda q: float(q["time"]))
    return {
        "p50": percentile(samples, 50),
        "p95": percentile(samples, 95),
        "queries": len(statements),
        "slowest": slowest["sql"],
        "slowest_ms": float(slowest["time"]) * 1e3,
    }


def _get(client: Client, url: str) -> None:
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}")


def explain(sql: str, budget: int = 25) -> str:
    """The plan, trimmed to ``budget`` lines: its head, then the lines that show how the ticket
    rows are found (scans, index conditions, filters), then the timing."""
    if connection.vendor == "postgresql":
        statement = f"EXPLAIN (ANALYZE, BUFFERS) {sql}"
    else:
        statement = f"EXPLAIN QUERY PLAN {sql}"
    with connection.cursor() as cursor:
        cursor.execute(statement)
        plan = [" | ".join(str(v) for v in row) for row in cursor.fetchall()]
    if len(plan) > budget:
        head, tail = plan[:6], [line for line in plan if line.strip().endswith(" ms")]
        telling = ("Scan", "Index Cond", "Filter", "Rows Removed", "Sort Key", "Sort Method")
        middle = [
            line for line in plan[6:] if line not in tail and any(word in line for word in telling)
        ][: budget - len(head) - len(tail) - 1]
        plan = [*head, "…", *middle, *tail]
    return "\n".join("    " + line for line in plan)


def reddest_community(user: User) -> tuple[int, int]:
    """The community of the user's queue with the most red clocks (running, past the deadline,
    as the queue's colour filter reads them now): (pk, how many)."""
    row = (
        selectors.tickets_visible_to(user)
        .filter(
            community__isnull=False,
            state__in=CLOCK_STATES,
            deadline__isnull=False,
            deadline__lt=timezone.now(),
        )
        .order_by()
        .values_list("community_id")
        .annotate(n=Count("*"))
        .order_by("-n", "community_id")
        .first()
    )
    if row is None:  # no red clock anywhere: the first community, an empty page
        return supervised_communities(user).order_by("code").values_list("pk", flat=True)[0], 0
    return row


def filter_sets(user: User) -> Iterator[tuple[str, str]]:
    garbage = Category.objects.get(name="暴露垃圾", parent__isnull=False)
    # (c) where there is something red to show: the user's community with the most red clocks.
    community, _red = reddest_community(user)
    yield "a open", ""
    yield "b all+cat", f"status=all&category={garbage.pk}&sort=deadline"
    yield "c red+comm", f"colour=red&community={community}"


def ms(seconds: float, width: int = 8) -> str:
    return f"{seconds * 1e3:{width}.1f}"


def measure_queue(runs: int) -> list[dict[str, Any]]:
    """Each user's three queue pages and an open ticket's page: figures, and the SQL of the
    slowest statement of each page (for EXPLAIN)."""
    results = []
    for username in SUPERVISORS:
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        for label, query in filter_sets(user):
            url = f"/cases/?{query}" if query else "/cases/"
            page = measure_page(client, url, runs)
            sql, page["matches"] = page_sql(user, query)
            page["bare"] = {
                name: statistics.median(time_runs(execute(*statement), runs))
                for name, statement in sql.items()
            }
            results.append({"page": f"queue {label}", "user": username, **page})
        # The ticket page of an open gl1 ticket: what a supervisor opens from the queue.
        tickets = Ticket.objects.filter(brigade__code="gl1", state__in=OPEN_STATES).order_by("id")
        ticket = random.Random(2022).choice(list(tickets))
        page = measure_page(client, ticket.get_absolute_url(), runs)
        results.append({"page": "ticket page", "user": username, **page})
    return results


def run_bench(runs: int) -> None:
    results = measure_queue(runs)
    for r in results:
        if "bare" not in r:
            print(
                f"{r['page']:<18}{r['user']:<9}{'':>9}{r['queries']:>4}{ms(r['p50'])}{ms(r['p95'])}"
            )
            continue
        bare = r["bare"]
        total_sql = sum(bare.values())
        print(
            f"{r['page']:<18}{r['user']:<9}{r['matches']:>9,}{r['queries']:>4}"
            f"{ms(r['p50'])}{ms(r['p95'])}{ms(bare['rows'], 9)}{ms(bare['tabs'], 9)}"
            f"{r['p50'] / bare['rows']:>9.1f}{r['p95'] / total_sql:>9.1f}"
        )
    slowest = max(results, key=lambda r: r["slowest_ms"])
    for r in results:
        if r is slowest or (r["user"] == "command" and r["page"] == "queue a open"):
            title = f"{r['page']}, {r['user']}: slowest query ({r['slowest_ms']:.1f} ms)"
            sql = r["slowest"]
            print(f"\n{title}:\n    {sql[:600]}{'…' if len(sql) > 600 else ''}\n{explain(sql)}")


def setup_timing() -> None:
    """Timing as in production: no query log (DEBUG keeps one), no reconnect every minute
    (CONN_MAX_AGE) landing in a sample; the test client's host must be allowed."""
    settings.DEBUG = False
    connection.settings_dict["CONN_MAX_AGE"] = None
    # Log lines (logins, reminders sent) would land between the figures.
    logging.disable(logging.INFO)
    if "testserver" not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    case_views.PAGE_SIZE = PAGE_SIZE


HEADER = (
    f"{'page':<18}{'user':<9}{'matches':>9}{'q':>4}{'p50':>8}{'p95':>8}{'rows SQL':>9}"
    f"{'tabs SQL':>9}{'p50/rows':>9}{'p95/SQL':>9}"
)


def describe_database() -> str:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            (version,) = cursor.fetchone()
        return f"PostgreSQL {version}"
    return f"{connection.vendor} {connection.Database.sqlite_version}"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="timed runs a figure (200)")
    parser.add_argument(
        "--allow-sqlite", action="store_true", help="run on SQLite anyway (figures mean little)"
    )
    args = parser.parse_args()
    if args.requests < 2:
        parser.error("--requests must be at least 2 (a p95 needs a spread)")
    if connection.vendor == "sqlite" and not args.allow_sqlite:
        sys.exit(
            "DATABASE_URL points at SQLite: the targets are for PostgreSQL. Set DATABASE_URL to "
            "the database bench/generate.py built, or pass --allow-sqlite."
        )

    setup_timing()
    tickets = require_city()
    connection.close()  # reconnect with CONN_MAX_AGE=None before timing
    events = TicketEvent.objects.count()
    print(
        f"\n{describe_database()}, {os.cpu_count()} CPUs ({cpu_model()})"
        f"; Python {platform.python_version()}, Django {django.get_version()}"
    )
    print(
        f"casebook: {tickets:,} tickets ({Ticket.objects.filter(state__in=OPEN_STATES).count():,}"
        f" open), {events:,} events; {args.requests} requests a figure, page of {PAGE_SIZE}; "
        "times in ms, SQL = p50 of the bare statement on a cursor, p95/SQL = p95 over rows + "
        "count + tabs SQL\n"
    )
    print(HEADER)
    run_bench(args.requests)


if __name__ == "__main__":
    from generate import city_clock

    with city_clock():  # the app's "now" is the city's
        main()
