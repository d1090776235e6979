"""Measure the supervisor's queue (/cases/) and the ticket page (/cases/<number>/) at city scale.

    DATABASE_URL=postgres://… .venv/bin/python bench/queue_bench.py [--tickets N] [--requests R]

Migrates, seeds the demo city if the database has none, then grows the casebook to N tickets by
cloning the demo's (about 2,000 over 90 days) into the past with about two events each, and
VACUUMs/ANALYZEs. Then, for a brigade leader (sup_gl1) and the command centre (command), it asks
for the queue with three typical filter sets, a page of 50, through django.test.Client: p50/p95
server time, SQL statements a page (BEGIN/COMMIT not counted), the page's bare SQL (rows,
paginator count, status-tab counts) run straight on a cursor; and the ticket page of an open
gl1 ticket. Targets (DESIGN §9, 1M tickets, 2 cores): ≤ 12 queries, p95 ≤ 3× the page's bare
SQL, ≤ 100 ms.

Give it a database of its own: the clones stay. The build is idempotent (a rerun adds only what
is missing, so a second run at the same N measures at once) and never shrinks the casebook.
"""

import argparse
import datetime as dt
import os
import platform
import random
import statistics
import sys
import time
import warnings
from collections import Counter, defaultdict
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
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count, DateTimeField  # noqa: E402
from django.db.models.functions import Substr  # noqa: E402
from django.http import QueryDict  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from accounts.selectors import supervised_communities  # noqa: E402
from cases import selectors  # noqa: E402
from cases import views as case_views  # noqa: E402
from cases.filters import TicketFilter  # noqa: E402
from cases.models import CLOCK_STATES, OPEN_STATES, Category, State, Ticket, TicketEvent  # noqa: E402
from grids.models import GridCell  # noqa: E402

BATCH = 5_000
PAGE_SIZE = 50
WARM_UP = 10
# Clones are marked by their tracking code: "-" is not in the real codes' alphabet, so no clash.
CLONE_TAG = "BENCH-"
# Thirteen weeks, not 90 days: a whole number of weeks keeps every timestamp on its weekday, so
# working-hour deadlines and duty days stay plausible. Window 0 is the demo's own 90 days.
WINDOW = dt.timedelta(weeks=13)
WINDOWS = 9  # now and eight windows back: about 2.2 years of casework
FINISHED = (State.CLOSED, State.REJECTED)
SUPERVISORS = ("sup_gl1", "command")
TRANSACTION = {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"}
DATETIME_FIELDS = [f.attname for f in Ticket._meta.concrete_fields if isinstance(f, DateTimeField)]


# --- the casebook ---------------------------------------------------------------------------


def prepare_database() -> float:
    """Migrate (a no-op when current; a pending migration may well be a new index worth
    measuring) and seed the demo city when there is none. Returns seconds spent."""
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    if not GridCell.objects.exists():
        print("No grid cells: seeding the demo city…", flush=True)
        call_command("seed_demo", verbosity=0)
    return time.perf_counter() - started


def clone_plan(
    everything: list[Ticket], finished: list[Ticket]
) -> Callable[[int], tuple[Ticket, dt.timedelta]]:
    """Clone number c → (source ticket, how far back to move it).

    Round after round: window 0 clones every demo ticket in place (so open work grows with the
    city, about 0.4% of N open, like a real casebook turning over in days), windows 1–8 clone
    only the finished ones, since a ticket from months ago still open would be a backlog no city
    has, and would swamp the open tab. Each round starts a minute earlier, so copies of one
    ticket do not share timestamps."""
    per_round = len(everything) + (WINDOWS - 1) * len(finished)

    def plan(c: int) -> tuple[Ticket, dt.timedelta]:
        rnd, k = divmod(c, per_round)
        jitter = dt.timedelta(minutes=rnd + 1)
        if k < len(everything):
            return everything[k], jitter
        window, k = divmod(k - len(everything), len(finished))
        return finished[k], WINDOW * (window + 1) + jitter

    return plan


def _sources() -> tuple[list[Ticket], list[Ticket], dict[int, list[TicketEvent]]]:
    """The tickets to copy (every non-clone, in a fixed order) and their first and last event."""
    everything = list(Ticket.objects.exclude(tracking_code__startswith=CLONE_TAG).order_by("id"))
    finished = [t for t in everything if t.state in FINISHED]
    events: dict[int, list[TicketEvent]] = defaultdict(list)
    for event in TicketEvent.objects.filter(ticket__in=everything).order_by("created_at", "id"):
        events[event.ticket_id].append(event)
    # The report and how it ended: two events a ticket, as DESIGN §9's city has.
    trail = {tid: ([evs[0], evs[-1]] if len(evs) > 1 else evs) for tid, evs in events.items()}
    return everything, finished, trail


def _per_day_numbers() -> Counter[str]:
    """Clones numbered so far, per day: clone numbers are XZ<day>-1nnnnn, so they match the URL
    converter (XZ + 8 digits + 4–6 digits) yet never meet a live number (4 digits a day)."""
    rows = (
        Ticket.objects.filter(tracking_code__startswith=CLONE_TAG)
        .annotate(day=Substr("number", 3, 8))
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    return Counter(dict(rows))


def grow_tickets(target: int) -> dict[str, float]:
    """Add clones until there are ``target`` tickets; returns counts and seconds."""
    missing = target - Ticket.objects.count()
    if missing <= 0:
        return {"added": 0, "events": 0, "seconds": 0.0}
    started = time.perf_counter()
    everything, finished, trail = _sources()
    if not finished:
        sys.exit("No finished demo tickets to clone: run `manage.py seed_demo` on an empty DB.")
    plan = clone_plan(everything, finished)
    fields = {
        t.pk: {
            f.attname: getattr(t, f.attname) for f in Ticket._meta.concrete_fields if f.name != "id"
        }
        for t in everything
    }
    numbers = _per_day_numbers()
    first = Ticket.objects.filter(tracking_code__startswith=CLONE_TAG).count()
    now = timezone.now()
    added = events_added = 0
    for batch_start in range(first, first + missing, BATCH):
        batch_end = min(batch_start + BATCH, first + missing)
        tickets, deltas = [], []
        for c in range(batch_start, batch_end):
            source, delta = plan(c)
            values = dict(fields[source.pk])
            for name in DATETIME_FIELDS:
                if values[name] is not None:
                    values[name] -= delta
            day = f"{timezone.localtime(values['reported_at']):%Y%m%d}"
            numbers[day] += 1
            values["number"] = f"XZ{day}-{100_000 + numbers[day]:06d}"
            values["tracking_code"] = f"{CLONE_TAG}{c:09d}"
            # The original is a demo ticket from later on; a copy pointing at it would not
            # make sense, and nothing measured here reads the link.
            values["duplicate_of_id"] = None
            # Moved back by minutes, a running clock may have run out: as the reminder scan
            # would have marked it.
            if values["state"] in CLOCK_STATES and values["deadline"] is not None:
                values["overdue"] = values["overdue"] or values["deadline"] < now
            # state goes in the constructor: django-fsm's protected field refuses assignment.
            tickets.append(Ticket(**values))
            deltas.append((source.pk, delta))
        with transaction.atomic():
            Ticket.objects.bulk_create(tickets)
            events = [
                TicketEvent(
                    ticket_id=ticket.pk,
                    actor_id=e.actor_id,
                    action=e.action,
                    from_state=e.from_state,
                    to_state=e.to_state,
                    public_note=e.public_note,
                    internal_note=e.internal_note,
                    data=e.data,
                    created_at=e.created_at - delta,
                )
                for ticket, (source_id, delta) in zip(tickets, deltas, strict=True)
                for e in trail.get(source_id, [])
            ]
            TicketEvent.objects.bulk_create(events, batch_size=BATCH)
        added += len(tickets)
        events_added += len(events)
        if added % 50_000 < BATCH or batch_end == first + missing:
            elapsed = time.perf_counter() - started
            print(f"  … {added:,}/{missing:,} tickets added ({elapsed:.0f} s)", flush=True)
    return {"added": added, "events": events_added, "seconds": time.perf_counter() - started}


def analyze() -> float:
    """Fresh planner statistics (a bulk load leaves them describing the demo-sized tables) and,
    on PostgreSQL, a VACUUM as well: until one runs, the visibility map of the new pages is
    unset and index-only scans are off, so the figures would depend on whether autovacuum has
    got round to the tables yet. A casebook two years old has long been vacuumed."""
    started = time.perf_counter()
    command = "VACUUM (ANALYZE)" if connection.vendor == "postgresql" else "ANALYZE"
    with connection.cursor() as cursor:
        for model in (Ticket, TicketEvent):
            cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")
    return time.perf_counter() - started


# --- measuring ------------------------------------------------------------------------------


def percentile(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1]


def time_runs(run: Callable[[], Any], runs: int) -> list[float]:
    for _i in range(min(WARM_UP, runs)):
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


def page_sql(user: User, query: str) -> dict[str, tuple[str, Any]]:
    """The page's three data statements, built the way ``cases.views.queue`` builds them."""
    base = selectors.tickets_visible_to(user)
    communities = list(supervised_communities(user).order_by("code"))
    officers = list(selectors.dispatchable_officers(selectors.brigade_scope(user)))
    units = list(selectors.referral_units())
    ticket_filter = TicketFilter(
        QueryDict(query), base, communities=communities, officers=officers, units=units
    )
    if not ticket_filter.is_valid():
        raise SystemExit(f"Filter {query!r} is not valid: {ticket_filter.errors}")
    listed = ticket_filter.qs
    tabs = ticket_filter.without_status().order_by().values("state").annotate(n=Count("*"))
    # count() builds its SQL only as it runs: capture it rather than re-derive it.
    with CaptureQueriesContext(connection) as captured:
        listed.count()
    return {
        "rows": selectors.PageFirst(listed).rows(slice(0, PAGE_SIZE)).query.sql_with_params(),
        "count": (captured.captured_queries[-1]["sql"], None),
        "tabs": tabs.query.sql_with_params(),
    }


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
        "p50": statistics.median(samples),
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


def filter_sets() -> Iterator[tuple[str, str]]:
    garbage = Category.objects.get(name="暴露垃圾", parent__isnull=False)
    gl1 = User.objects.get(username="sup_gl1")
    # The gl1 community with the most tickets, so the colour filter has something to find.
    community = (
        supervised_communities(gl1)
        .annotate(n=Count("tickets"))
        .order_by("-n", "code")
        .values_list("pk", flat=True)
        .first()
    )
    yield "a open", ""
    yield "b all+cat", f"status=all&category={garbage.pk}&sort=deadline"
    yield "c red+comm", f"colour=red&community={community}"


def ms(seconds: float, width: int = 8) -> str:
    return f"{seconds * 1e3:{width}.1f}"


def run_bench(runs: int) -> None:
    explained: list[tuple[str, str]] = []
    slowest_overall: tuple[float, str, str] = (0.0, "", "")
    for username in SUPERVISORS:
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        for label, query in filter_sets():
            url = f"/cases/?{query}" if query else "/cases/"
            page = measure_page(client, url, runs)
            sql = page_sql(user, query)
            bare = {
                name: statistics.median(time_runs(execute(*statement), runs))
                for name, statement in sql.items()
            }
            with connection.cursor() as cursor:
                cursor.execute(*sql["count"])
                (matches,) = cursor.fetchone()
            total_sql = sum(bare.values())
            print(
                f"{'queue ' + label:<18}{username:<9}{matches:>9,}{page['queries']:>4}"
                f"{ms(page['p50'])}{ms(page['p95'])}{ms(bare['rows'], 9)}{ms(bare['count'], 10)}"
                f"{ms(bare['tabs'], 9)}{page['p50'] / bare['rows']:>9.1f}"
                f"{page['p95'] / total_sql:>9.1f}",
                flush=True,
            )
            where = f"queue {label}, {username}"
            if username == "command" and label.startswith("a"):
                title = f"{where}: slowest query ({page['slowest_ms']:.1f} ms)"
                explained.append((title, page["slowest"]))
            if page["slowest_ms"] > slowest_overall[0]:
                slowest_overall = (page["slowest_ms"], where, page["slowest"])

        # The ticket page of an open gl1 ticket: what a supervisor opens from the queue.
        tickets = Ticket.objects.filter(brigade__code="gl1", state__in=OPEN_STATES).order_by("id")
        ticket = random.Random(2022).choice(list(tickets))
        page = measure_page(client, ticket.get_absolute_url(), runs)
        print(
            f"{'ticket page':<18}{username:<9}{'':>9}{page['queries']:>4}"
            f"{ms(page['p50'])}{ms(page['p95'])}",
            flush=True,
        )
    if slowest_overall[1] and all(sql != slowest_overall[2] for _w, sql in explained):
        explained.append(
            (
                f"{slowest_overall[1]}: slowest query ({slowest_overall[0]:.1f} ms)",
                slowest_overall[2],
            )
        )
    for title, sql in explained:
        print(f"\n{title}:\n    {sql[:600]}{'…' if len(sql) > 600 else ''}\n{explain(sql)}")


HEADER = (
    f"{'page':<18}{'user':<9}{'matches':>9}{'q':>4}{'p50':>8}{'p95':>8}{'rows SQL':>9}"
    f"{'count SQL':>10}{'tabs SQL':>9}{'p50/rows':>9}{'p95/SQL':>9}"
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
    parser.add_argument("--tickets", type=int, default=200_000, help="casebook size (200,000)")
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
            "a PostgreSQL database of its own (the bench adds tickets that stay), or pass "
            "--allow-sqlite."
        )

    # Timing as in production: no query log (DEBUG keeps one), no reconnect every minute
    # (CONN_MAX_AGE) landing in a sample; the test client's host must be allowed.
    settings.DEBUG = False
    connection.settings_dict["CONN_MAX_AGE"] = None
    if "testserver" not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    case_views.PAGE_SIZE = PAGE_SIZE

    seed_s = prepare_database()
    grown = grow_tickets(args.tickets)
    vacuum_s = analyze() if grown["added"] else 0.0
    connection.close()  # reconnect with CONN_MAX_AGE=None before timing

    tickets, events = Ticket.objects.count(), TicketEvent.objects.count()
    if tickets > args.tickets:
        # Clones are never removed: a database grown for a larger run measures at its size.
        print(
            f"Note: the database holds {tickets:,} tickets, more than --tickets {args.tickets:,}."
        )
    print(
        f"\n{describe_database()}, {os.cpu_count()} CPUs ({cpu_model()})"
        f"; Python {platform.python_version()}, Django {django.get_version()}"
    )
    print(
        f"build: migrate/seed {seed_s:.1f} s, {grown['added']:,} tickets + {grown['events']:,} "
        f"events cloned in {grown['seconds']:.1f} s, VACUUM ANALYZE {vacuum_s:.1f} s"
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
    main()
