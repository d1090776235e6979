"""Measure the monthly assessment (assessments.engine.compute) at city scale.

    DATABASE_URL=postgres://… .venv/bin/python bench/assessment_bench.py [--month YYYY-MM]

On the city bench/generate.py builds (its daily logs included), for --month (default: last
month), in one process:

- ``compute``: the engine for the month, R times: p50/p95 seconds, SQL statements, and the peak
  Python memory of a run (tracemalloc);
- ``store``: one whole ``execute_run`` (compute + replacing the run's scores in a transaction),
  in a transaction rolled back at the end;
- ``bare SQL``: one hand-written statement computing the same officer numerators and
  denominators (DESIGN §8) straight from the tables, R times; its figures are checked against the
  engine's, officer by officer, so the yardstick measures the same work.

Targets (DESIGN §9): ≤ 10 s a month, and ≤ 2× the hand-written aggregate.
"""

import argparse
import datetime as dt
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import queue_bench  # sets Django up, so it comes first
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from reminder_bench import statements

from accounts.models import Officer
from assessments import engine, services
from assessments.indicators import OFFICER_INDICATORS, Window
from assessments.models import Run, SubjectKind
from assessments.scheme import default_rules
from cases.models import Ticket
from citymgmt.months import month_bounds, next_month, parse_month, previous_month
from patrols.duty import duty_days

# The officer indicators of DESIGN §8 in one statement, written from the definitions, not from
# the engine's code. %(s)s/%(e)s: the month as aware bounds; %(d0)s/%(d1)s: its first and last
# day; %(duty)s: the (officer, day) duty pairs are not SQL (the official calendar), so the log
# figure takes the duty days as an array of dates per weekday rule, see duty_pairs().
BARE_SQL = """
WITH assessed AS (
    SELECT DISTINCT a.officer_id
    FROM grids_assignment a
    WHERE a.valid_from <= %(d1)s AND (a.valid_to IS NULL OR a.valid_to >= %(d0)s)
), found AS (
    SELECT o.id AS officer_id,
           count(*) AS found,
           count(*) FILTER (WHERE t.state <> 'rejected'
                            OR t.reject_reason NOT IN ('invalid', 'duplicate')) AS valid,
           count(*) FILTER (WHERE t.on_site) AS on_site
    FROM cases_ticket t JOIN accounts_officer o ON o.user_id = t.reporter_id
    WHERE t.source = 'patrol' AND t.reported_at >= %(s)s AND t.reported_at < %(e)s
    GROUP BY o.id
), assigned AS (
    SELECT t.assignee_id AS officer_id,
           count(*) FILTER (WHERE t.deadline >= %(s)s AND t.deadline < %(e)s) AS due,
           count(*) FILTER (WHERE t.deadline >= %(s)s AND t.deadline < %(e)s
                            AND t.resolved_at <= t.deadline) AS on_time,
           count(*) FILTER (WHERE t.resolved_at >= %(s)s AND t.resolved_at < %(e)s) AS resolved,
           count(*) FILTER (WHERE t.resolved_at >= %(s)s AND t.resolved_at < %(e)s
                            AND t.rework_count > 0) AS reworked,
           count(*) FILTER (WHERE t.rated_at >= %(s)s AND t.rated_at < %(e)s
                            AND t.satisfaction IS NOT NULL) AS rated,
           count(*) FILTER (WHERE t.rated_at >= %(s)s AND t.rated_at < %(e)s
                            AND t.satisfaction >= 4) AS satisfied
    FROM cases_ticket t
    WHERE t.assignee_id IS NOT NULL
      AND ((t.deadline >= %(s)s AND t.deadline < %(e)s)
           OR (t.resolved_at >= %(s)s AND t.resolved_at < %(e)s)
           OR (t.rated_at >= %(s)s AND t.rated_at < %(e)s))
    GROUP BY t.assignee_id
), in_grids AS (
    SELECT a.officer_id,
           count(DISTINCT t.id) FILTER (WHERE t.registered_at >= %(s)s
                                        AND t.registered_at < %(e)s) AS registered,
           count(DISTINCT t.id) FILTER (WHERE t.registered_at >= %(s)s
                                        AND t.registered_at < %(e)s
                                        AND t.source IN ('resident', 'hotline_12345'))
               AS resident_first,
           count(DISTINCT t.id) FILTER (WHERE t.source = 'hotline_12345'
                                        AND t.reported_at >= %(s)s
                                        AND t.reported_at < %(e)s) AS hotline
    FROM cases_ticket t
    JOIN grids_assignment_grid_cells g ON g.gridcell_id = t.grid_cell_id
    JOIN grids_assignment a ON a.id = g.assignment_id
    WHERE ((t.registered_at >= %(s)s AND t.registered_at < %(e)s)
           OR (t.source = 'hotline_12345' AND t.reported_at >= %(s)s AND t.reported_at < %(e)s))
      AND a.valid_from <= (t.reported_at AT TIME ZONE %(tz)s)::date
      AND (a.valid_to IS NULL OR a.valid_to >= (t.reported_at AT TIME ZONE %(tz)s)::date)
    GROUP BY a.officer_id
), logs AS (
    SELECT l.officer_id, count(*) AS logged
    FROM patrols_dailylog l
    JOIN unnest(%(duty_officers)s::bigint[], %(duty_days)s::date[]) AS d(officer_id, day)
      ON d.officer_id = l.officer_id AND d.day = l.date
    WHERE l.date BETWEEN %(d0)s AND %(d1)s AND l.status IN ('submitted', 'approved')
    GROUP BY l.officer_id
)
SELECT x.officer_id,
       coalesce(f.found, 0), coalesce(f.valid, 0), coalesce(f.on_site, 0),
       coalesce(a.due, 0), coalesce(a.on_time, 0), coalesce(a.resolved, 0),
       coalesce(a.reworked, 0), coalesce(a.rated, 0), coalesce(a.satisfied, 0),
       coalesce(g.registered, 0), coalesce(g.resident_first, 0), coalesce(g.hotline, 0),
       coalesce(l.logged, 0)
FROM assessed x
LEFT JOIN found f ON f.officer_id = x.officer_id
LEFT JOIN assigned a ON a.officer_id = x.officer_id
LEFT JOIN in_grids g ON g.officer_id = x.officer_id
LEFT JOIN logs l ON l.officer_id = x.officer_id
"""
BARE_COLUMNS = (
    ("valid_reports", "den"),  # found
    ("valid_reports", "num"),
    ("on_site", "num"),
    ("on_time", "den"),
    ("on_time", "num"),
    ("rework", "den"),
    ("rework", "num"),
    ("satisfaction", "den"),
    ("satisfaction", "num"),
    ("missed", "den"),
    ("missed", "num"),
    ("hotline", "num"),
    ("logs", "num"),
)


def duty_pairs(month: dt.date) -> tuple[list[int], list[dt.date]]:
    """Every (officer, duty day) of the month, from the postings and the official calendar."""
    last = next_month(month) - dt.timedelta(days=1)
    officers, days = [], []
    for officer_id in Officer.objects.values_list("pk", flat=True):
        for day in duty_days(officer_id, month, last):
            officers.append(officer_id)
            days.append(day)
    return officers, days


def measure_assessment(month: dt.date, runs: int) -> dict[str, Any]:
    """The engine on ``month`` and the hand-written yardstick, each ``runs`` times, and the
    officer-by-officer comparison of their figures."""
    rules = default_rules()

    def compute() -> engine.Result:
        return engine.compute(month=month, rules=rules, progress=lambda percent, note: None)

    def officers_only() -> None:
        # The engine's part the yardstick matches: who is assessed, their ticket counts, logs.
        window = Window.of(month)
        officers = engine._officers(window)
        engine._ticket_counts(OFFICER_INDICATORS, window, officers.keys())
        engine._log_counts(window, officers)

    compute()  # warm-up: caches, the category tree, plans
    samples = queue_bench.time_runs(compute, runs)
    officer_samples = queue_bench.time_runs(officers_only, runs)
    sql_count = statements(compute)
    tracemalloc.start()
    result = compute()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    start, end = month_bounds(month)
    duty_officers, duty_day_list = duty_pairs(month)
    params = {
        "s": start,
        "e": end,
        "d0": month,
        "d1": next_month(month) - dt.timedelta(days=1),
        "tz": settings.TIME_ZONE,
        "duty_officers": duty_officers,
        "duty_days": duty_day_list,
    }
    bare = queue_bench.time_runs(queue_bench.execute(BARE_SQL, params), runs)
    with connection.cursor() as cursor:
        cursor.execute(BARE_SQL, params)
        rows = {row[0]: row[1:] for row in cursor.fetchall()}

    officers = {s.officer_id: s for s in result.scores if s.kind == SubjectKind.OFFICER}
    mismatches: list[tuple] = []
    for officer_id, figures in rows.items():
        score = officers.get(officer_id)
        for (code, part), value in zip(BARE_COLUMNS, figures, strict=True):
            got = score.indicators.get(code, {}).get(part) if score else None
            if got != value:
                mismatches.append((officer_id, code, part, value, got))
    if set(officers) != set(rows):
        mismatches.append(("officers", sorted(set(officers) ^ set(rows))[:10]))

    with transaction.atomic():
        run = Run.objects.create(month=month, scheme=services.current_scheme())
        started = time.perf_counter()
        services.execute_run(run.pk)
        store_s = time.perf_counter() - started
        transaction.set_rollback(True)
    reported = Ticket.objects.filter(reported_at__gte=start, reported_at__lt=end).count()
    return {
        "samples": samples,
        "officer_samples": officer_samples,
        "sql": sql_count,
        "peak": peak,
        "store_s": store_s,
        "bare": bare,
        "mismatches": mismatches,
        "officers": len(rows),
        "scores": len(result.scores),
        "reported": reported,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--month", default=None, help="the month assessed (YYYY-MM; last month)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs a figure (5)")
    args = parser.parse_args()
    month = parse_month(args.month) if args.month else previous_month(timezone.localdate())
    if month is None:
        sys.exit("--month is YYYY-MM")
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to the database bench/generate.py built (see bench/README.md).")
    queue_bench.setup_timing()
    queue_bench.require_city()
    m = measure_assessment(month, args.runs)
    p50, bare_p50 = (queue_bench.percentile(m[k], 50) for k in ("samples", "bare"))
    print(
        f"\n{queue_bench.describe_database()}, {queue_bench.cpu_model()}; month {month:%Y-%m} "
        f"({m['reported']:,} tickets reported); {m['officers']} officers, {m['scores']} scores; "
        f"{args.runs} runs a figure\n"
    )
    print(
        f"compute      p50 {p50:7.2f} s  p95 {queue_bench.percentile(m['samples'], 95):7.2f} s  "
        f"SQL {m['sql']}  peak Python memory {m['peak'] / 2**20:.1f} MiB"
    )
    print(f"execute_run  {m['store_s']:7.2f} s (compute + replace the scores in one transaction)")
    print(
        f"officers     p50 {queue_bench.percentile(m['officer_samples'], 50):7.2f} s  "
        "(the engine's officer counts alone: the yardstick's share of the work)"
    )
    print(
        f"bare SQL     p50 {bare_p50:7.2f} s  p95 {queue_bench.percentile(m['bare'], 95):7.2f} s  "
        f"ratio compute/bare {p50 / bare_p50:5.2f}"
    )
    if m["mismatches"]:
        print(f"\n{len(m['mismatches'])} figures differ between the engine and the bare SQL:")
        for mismatch in m["mismatches"][:20]:
            print("  ", mismatch)
        sys.exit(1)
    print(f"\nthe engine's officer figures equal the bare SQL's ({m['officers']} officers)")


if __name__ == "__main__":
    from generate import city_clock

    with city_clock():  # the app's "now" is the city's
        main()
