"""Measure the monthly assessment (assessments.engine.compute) at city scale.

    DATABASE_URL=postgres://… .venv/bin/python bench/assessment_bench.py [--month 2026-10]

Uses the casebook bench/queue_bench.py builds (same database; it grows it to --tickets first).
The clones carry no daily logs, so the month's are added once (every officer, every duty day,
nine in ten submitted: rows that stay, marked by their summary). Then, in one process:

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

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import queue_bench  # sets Django up, so it comes first
from django.conf import settings
from django.db import connection, transaction
from reminder_bench import statements

from accounts.models import Officer
from assessments import engine, services
from assessments.models import Run, SubjectKind
from assessments.scheme import default_rules
from citymgmt.months import month_bounds, next_month, parse_month
from patrols.duty import duty_days, on_duty_assignments
from patrols.models import DailyLog, LogStatus

BENCH_SUMMARY = "bench: generated log"

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


def ensure_logs(month: dt.date) -> int:
    """The month's daily logs for every officer on duty (nine in ten submitted), added once."""
    if DailyLog.objects.filter(date__gte=month, date__lt=next_month(month)).exists():
        return 0
    rows, day = [], month
    while day < next_month(month):
        postings = on_duty_assignments(day).select_related("officer")
        for n, officer in enumerate({p.officer for p in postings}):
            rows.append(
                DailyLog(
                    officer=officer,
                    brigade_id=officer.brigade_id,
                    date=day,
                    summary=BENCH_SUMMARY,
                    status=LogStatus.SUBMITTED if (n + day.day) % 10 else LogStatus.DRAFT,
                )
            )
        day += dt.timedelta(days=1)
    DailyLog.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=1_000_000, help="casebook size (1M)")
    parser.add_argument("--month", default="2026-10", help="the month assessed (YYYY-MM)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs a figure (5)")
    args = parser.parse_args()
    month = parse_month(args.month)
    if month is None:
        sys.exit("--month is YYYY-MM")
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database of its own (see bench/README.md).")
    settings.DEBUG = False
    connection.settings_dict["CONN_MAX_AGE"] = None

    queue_bench.prepare_database()
    grown = queue_bench.grow_tickets(args.tickets)
    added = ensure_logs(month)
    if grown["added"] or added:
        queue_bench.analyze()

    rules = default_rules()

    def compute() -> engine.Result:
        return engine.compute(month=month, rules=rules, progress=lambda percent, note: None)

    compute()  # warm-up: caches, the category tree, plans
    samples = queue_bench.time_runs(compute, args.runs)
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
    bare = queue_bench.time_runs(queue_bench.execute(BARE_SQL, params), args.runs)
    with connection.cursor() as cursor:
        cursor.execute(BARE_SQL, params)
        rows = {row[0]: row[1:] for row in cursor.fetchall()}

    officers = {s.officer_id: s for s in result.scores if s.kind == SubjectKind.OFFICER}
    mismatches = []
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

    p50 = queue_bench.percentile(samples, 50)
    bare_p50 = queue_bench.percentile(bare, 50)
    print(
        f"\n{queue_bench.describe_database()}, {queue_bench.cpu_model()}; month {args.month}; "
        f"{len(officers)} officers, {len(result.scores)} scores; {args.runs} runs a figure\n"
    )
    print(
        f"compute      p50 {p50:7.2f} s  p95 {queue_bench.percentile(samples, 95):7.2f} s  "
        f"SQL {sql_count}  peak Python memory {peak / 2**20:.1f} MiB"
    )
    print(f"execute_run  {store_s:7.2f} s (compute + replace the scores in one transaction)")
    print(
        f"bare SQL     p50 {bare_p50:7.2f} s  p95 {queue_bench.percentile(bare, 95):7.2f} s  "
        f"ratio compute/bare {p50 / bare_p50:5.2f}"
    )
    if mismatches:
        print(f"\n{len(mismatches)} figures differ between the engine and the bare SQL:")
        for mismatch in mismatches[:20]:
            print("  ", mismatch)
    else:
        print(f"\nthe engine's officer figures equal the bare SQL's ({len(rows)} officers)")


if __name__ == "__main__":
    main()
