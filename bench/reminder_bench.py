"""Measure the deadline reminder scan (notifications.reminders.scan, every 5 minutes) at city
scale.

    DATABASE_URL=postgres://… .venv/bin/python bench/reminder_bench.py [--runs R]

On the city bench/generate.py builds, inside one transaction that is rolled back at the end so
the casebook is left as it was: (1) the first scan, which catches up every open ticket whose
steps have come due (a city switching reminders on); (2) R idle scans, every step already sent:
the steady cost of the 5-minute beat; (3) R scans that each find 10 tickets freshly due. Prints
p50/p95, SQL statements a scan, and the plans of the three candidate queries. bench/run.py takes
the scan's figures from here. Target (DESIGN §9): ≤ 1 s a run at 1M.
"""

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import queue_bench  # sets Django up, so it comes first
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import CLOCK_STATES, Ticket
from notifications import reminders
from notifications.models import DeadlineReminder, Notification

FRESH = 10


def statements(run) -> int:
    with CaptureQueriesContext(connection) as captured:
        run()
    return sum(
        1 for q in captured.captured_queries if q["sql"].split()[0] not in queue_bench.TRANSACTION
    )


def arm(tickets: list[Ticket], now: dt.datetime) -> None:
    """Give ``tickets`` a fresh deadline a day ahead, warned a minute ago: due soon now, and
    not overdue during the rest of the run."""
    Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(
        deadline=now + dt.timedelta(days=1), warn_at=now - dt.timedelta(minutes=1)
    )


def measure_scan(runs: int, explain: bool = False) -> dict[str, Any]:
    """The scan's figures, inside one transaction rolled back at the end (the casebook is left
    as it was): the first scan, which catches up every step come due (a city switching
    reminders on); ``runs`` idle scans (every step sent: the steady cost of the 5-minute beat),
    with their SQL statements and, as the floor, the three candidate queries run bare; ``runs``
    scans that each find 10 tickets freshly due; with ``explain``, the candidate queries' plans."""
    figures: dict[str, Any] = {"running": reminders.running_clocks().count()}
    with transaction.atomic():
        now = timezone.now()
        started = time.perf_counter()
        first = reminders.scan(now)
        figures["first_s"] = time.perf_counter() - started
        figures["first"] = first.as_dict()
        # The catch-up wrote the reminder rows in this transaction; a city running the scan
        # every 5 minutes has them analysed (autovacuum), and planning the idle scan as if the
        # table were empty is a bench artifact (nested loops over ~2,000 rows: 80 ms). ANALYZE
        # is transactional, so it is rolled back with the rest.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {DeadlineReminder._meta.db_table}")
        figures["idle"] = queue_bench.time_runs(lambda: reminders.scan(now), runs)
        figures["sql"] = statements(lambda: reminders.scan(now))
        candidates = {
            "due soon": reminders.due_soon_candidates(now),
            "overdue": reminders.overdue_candidates(now),
            "escalation": reminders.escalation_candidates(now),
        }
        bare = {}
        for name, query in candidates.items():
            sql, params = query.order_by("deadline", "pk")[:200].query.sql_with_params()
            with connection.cursor() as cursor:
                sql = cursor.mogrify(sql, params)
            bare[name] = sql.decode() if isinstance(sql, bytes) else sql
        figures["bare"] = sum(
            statistics.median(queue_bench.time_runs(queue_bench.execute(sql), runs))
            for sql in bare.values()
        )
        if explain:
            figures["plans"] = {
                name: queue_bench.explain(sql, budget=14) for name, sql in bare.items()
            }

        pool = list(reminders.running_clocks().order_by("pk")[: FRESH * (runs + 20)])
        fresh: list[float] = []
        for i in range(min(runs, len(pool) // FRESH)):
            batch = pool[i * FRESH : (i + 1) * FRESH]
            at = now + dt.timedelta(minutes=5 * (i + 1))
            arm(batch, at)
            started = time.perf_counter()
            result = reminders.scan(at)
            fresh.append(time.perf_counter() - started)
            # Time moves on 5 minutes a scan, so a ticket's own warning may come due as well.
            assert result.sent["due_soon"] >= len(batch), result.as_dict()
        figures["fresh"] = fresh
        transaction.set_rollback(True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=50, help="timed scans a figure (50)")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to the database bench/generate.py built (see bench/README.md).")
    queue_bench.setup_timing()
    total = queue_bench.require_city()
    with connection.cursor() as cursor:
        cursor.execute(
            f"ANALYZE {DeadlineReminder._meta.db_table}; ANALYZE {Notification._meta.db_table}"
        )
    connection.close()
    figures = measure_scan(args.runs, explain=True)
    print(
        f"\n{queue_bench.describe_database()}, {queue_bench.cpu_model()}; {total:,} tickets, "
        f"{Ticket.objects.filter(state__in=CLOCK_STATES).count():,} with a clock state, "
        f"{figures['running']:,} running; {args.runs} scans a figure; times in ms\n"
    )
    print(f"first scan (catch-up): {figures['first_s'] * 1000:9.1f} ms  sent {figures['first']}")
    idle = figures["idle"]
    print(
        f"idle scan:             p50 {queue_bench.percentile(idle, 50) * 1000:7.1f}  "
        f"p95 {queue_bench.percentile(idle, 95) * 1000:7.1f}  SQL {figures['sql']}  "
        f"(candidate queries bare: {figures['bare'] * 1000:.1f})"
    )
    if len(figures["fresh"]) >= 2:
        fresh = figures["fresh"]
        print(
            f"scan with {FRESH} due:      p50 {queue_bench.percentile(fresh, 50) * 1000:7.1f}  "
            f"p95 {queue_bench.percentile(fresh, 95) * 1000:7.1f}"
        )
    print("\nplans of the idle scan's candidate queries:")
    for name, plan in figures["plans"].items():
        print(f"  {name}:\n{plan}")


if __name__ == "__main__":
    from generate import city_clock

    with city_clock():  # the app's "now" is the city's
        main()
