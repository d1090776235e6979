"""Measure the deadline reminder scan (cases.reminders.scan, run every 5 minutes) at city scale.

    DATABASE_URL=postgres://… .venv/bin/python bench/reminder_bench.py [--tickets N] [--runs R]

Builds the casebook exactly as bench/queue_bench.py does (same database works for both: clones
stay), then, inside one transaction that is rolled back at the end so the casebook is left as it
was: (1) the first scan, which catches up every open ticket whose steps have come due (a city
switching reminders on); (2) R idle scans, every step already sent: the steady cost of the
5-minute beat; (3) R scans that each find 10 tickets freshly due. Prints p50/p95, SQL statements
a scan, and the plans of the three candidate queries. Target (DESIGN §9): ≤ 1 s a run at 1M.
"""

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import queue_bench  # sets Django up, so it comes first
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import reminders
from cases.models import CLOCK_STATES, DeadlineReminder, Notification, Ticket

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=1_000_000, help="casebook size (1M)")
    parser.add_argument("--runs", type=int, default=50, help="timed scans a figure (50)")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database of its own (see bench/README.md).")
    settings.DEBUG = False
    connection.settings_dict["CONN_MAX_AGE"] = None

    queue_bench.prepare_database()
    grown = queue_bench.grow_tickets(args.tickets)
    if grown["added"]:
        queue_bench.analyze()
    with connection.cursor() as cursor:
        cursor.execute(
            f"ANALYZE {DeadlineReminder._meta.db_table}; ANALYZE {Notification._meta.db_table}"
        )
    connection.close()

    total = Ticket.objects.count()
    running = reminders.running_clocks().count()
    print(
        f"\n{queue_bench.describe_database()}, {queue_bench.cpu_model()}; {total:,} tickets, "
        f"{Ticket.objects.filter(state__in=CLOCK_STATES).count():,} with a clock state, "
        f"{running:,} running; {args.runs} scans a figure; times in ms\n"
    )
    with transaction.atomic():
        now = timezone.now()
        started = time.perf_counter()
        first = reminders.scan(now)
        first_s = time.perf_counter() - started
        print(
            f"first scan (catch-up): {first_s * 1000:9.1f} ms  sent {first.as_dict()}; "
            f"{DeadlineReminder.objects.count():,} reminder rows now"
        )

        idle = queue_bench.time_runs(lambda: reminders.scan(now), args.runs)
        idle_q = statements(lambda: reminders.scan(now))
        print(
            f"idle scan:             p50 {queue_bench.percentile(idle, 50) * 1000:7.1f}  "
            f"p95 {queue_bench.percentile(idle, 95) * 1000:7.1f}  SQL {idle_q}"
        )

        pool = list(reminders.running_clocks().order_by("pk")[: FRESH * (args.runs + 20)])
        fresh_samples: list[float] = []
        for i in range(min(args.runs, len(pool) // FRESH)):
            batch = pool[i * FRESH : (i + 1) * FRESH]
            at = now + dt.timedelta(minutes=5 * (i + 1))
            arm(batch, at)
            started = time.perf_counter()
            result = reminders.scan(at)
            fresh_samples.append(time.perf_counter() - started)
            assert result.sent["due_soon"] == len(batch), result.as_dict()
        if len(fresh_samples) >= 2:
            print(
                f"scan with {FRESH} due:      p50 "
                f"{queue_bench.percentile(fresh_samples, 50) * 1000:7.1f}  "
                f"p95 {queue_bench.percentile(fresh_samples, 95) * 1000:7.1f}"
            )
        print("\nplans of the idle scan's candidate queries:")
        for name, query in (
            ("due soon", reminders.due_soon_candidates(now)),
            ("overdue", reminders.overdue_candidates(now)),
            ("escalation", reminders.escalation_candidates(now)),
        ):
            sql, params = query.order_by("deadline", "pk")[:200].query.sql_with_params()
            with connection.cursor() as cursor:
                sql = cursor.mogrify(sql, params)
                sql = sql.decode() if isinstance(sql, bytes) else sql
            print(f"  {name}:")
            print(queue_bench.explain(sql, budget=14))
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
