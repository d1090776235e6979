"""Measure the benchmark city against DESIGN §9: one table, each figure beside its baseline.

    DATABASE_URL=postgres://…/citymgmt_bench .venv/bin/python bench/run.py [--requests 200]

On the city bench/generate.py built (PostgreSQL), in one process, everything through the whole
stack (``django.test.Client``: middleware, sessions, ATOMIC_REQUESTS; DEBUG off; a persistent
connection), and every baseline measured in the same run, since absolute times on a shared
machine drift:

- supervisor queue ``/cases/`` as a brigade leader (``sup_gl1``) and the command centre
  (``command``) with three filter sets (default: open, by deadline; all states + a category,
  by deadline; red clocks in one community), page of 50: p50/p95 over R requests, SQL statements
  a page; baseline: the page's own statements (rows, paginator count, status tabs) run bare on a
  cursor; ratio = p95 ÷ bare;
- resident complaint ``POST /report/`` (no photo) against ``/bench/insert/``, a view doing one
  INSERT of the same posted fields, alternating request by request: requests/s (sequential, one
  client) and the ratio of mean times;
- ``send_deadline_reminders``' scan (``notifications.reminders.scan``): idle (every step sent:
  the cost of the 5-minute beat) and with 10 tickets freshly due; baseline: its three candidate
  queries bare;
- the monthly assessment of last month (``engine.compute``) against one hand-written SQL
  aggregate of the same officer figures, checked equal officer by officer; peak Python memory
  (tracemalloc) of a run;
- ``locate()``: µs a point over the city's grid cells.

Then EXPLAIN (ANALYZE, BUFFERS) of the queue's slowest statements and of the scan's candidate
queries. Changes nothing that stays: the complaints it files are deleted, the scan and the
assessment's stored run are rolled back. Exit status 1 if the engine and the yardstick disagree,
or, with --check, if a target is missed.
"""

import argparse
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import assessment_bench
import django
import locate_bench
import queue_bench  # sets Django up, so it comes first
import reminder_bench
import report_bench
from django.db import connection
from django.utils import timezone

from cases.models import OPEN_STATES, Ticket, TicketEvent
from citymgmt.months import parse_month, previous_month
from patrols.models import DailyLog

QUEUE_P95_MS = 100
QUEUE_RATIO = 3
QUEUE_QUERIES = 12
POST_RATIO = 2
SCAN_S = 1
ASSESSMENT_S = 10
ASSESSMENT_RATIO = 2
LOCATE_US = 200


class Table:
    COLUMNS = (("figure", 40), ("measured", 36), ("baseline (same run)", 32), ("ratio", 8))

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str, str, bool | None]] = []

    def add(
        self,
        figure: str,
        measured: str,
        baseline: str = "",
        ratio: float | None = None,
        target: str = "",
        met: bool | None = None,
    ) -> None:
        self.rows.append(
            (figure, measured, baseline, f"{ratio:.2f}×" if ratio else "", target, met)
        )

    @property
    def missed(self) -> list[str]:
        return [row[0] for row in self.rows if row[5] is False]

    def render(self) -> str:
        widths = [w for _name, w in self.COLUMNS]
        head = "".join(f"{name:<{w}}" for name, w in self.COLUMNS) + "target"
        lines = [head, "-" * (len(head) + 30)]
        for figure, measured, baseline, ratio, target, met in self.rows:
            verdict = {True: "  met", False: "  MISSED", None: ""}[met]
            cells = (figure, measured, baseline, ratio)
            lines.append(
                "".join(f"{c:<{w}}" for c, w in zip(cells, widths, strict=True)) + target + verdict
            )
        return "\n".join(lines)


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:.1f} ms"


def p(samples: list[float], q: int) -> float:
    return queue_bench.percentile(samples, q)


def queue_rows(table: Table, runs: int) -> list[dict[str, Any]]:
    results = queue_bench.measure_queue(runs)
    for r in results:
        name = f"{r['page']} · {r['user']}"
        measured = f"p50 {ms(r['p50'])}  p95 {ms(r['p95'])}  {r['queries']} q"
        if "bare" not in r:
            table.add(name, measured, target="(not in §9)")
            continue
        bare = sum(r["bare"].values())
        ratio = r["p95"] / bare
        table.add(
            f"{name} ({r['matches']:,})",
            measured,
            f"bare SQL {ms(bare)}",
            ratio,
            f"p95 ≤ {QUEUE_P95_MS} ms, ≤ {QUEUE_RATIO}×, ≤ {QUEUE_QUERIES} q",
            r["p95"] * 1e3 <= QUEUE_P95_MS
            and ratio <= QUEUE_RATIO
            and r["queries"] <= QUEUE_QUERIES,
        )
    return results


def complaint_rows(table: Table, runs: int) -> None:
    first_new = (Ticket.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    try:
        posts = report_bench.measure_posts(runs)
    finally:
        # The complaints filed (and their events, notifications) go; the day's sequence counts on.
        Ticket.objects.filter(id__gte=first_new).delete()
    complaint, minimal = posts["complaint"], posts["minimal"]
    ratio = complaint["mean"] / minimal["mean"]
    table.add(
        "complaint POST (no photo)",
        f"{1 / complaint['mean']:.0f} req/s  p50 {ms(complaint['p50'])}  {len(complaint['sql'])} q",
        f"one INSERT {1 / minimal['mean']:.0f} req/s  {ms(minimal['p50'])}",
        ratio,
        f"≤ {POST_RATIO}× the one-INSERT view",
        ratio <= POST_RATIO,
    )


def scan_rows(table: Table, runs: int, explain: bool) -> dict[str, Any]:
    scan = reminder_bench.measure_scan(runs, explain=explain)
    idle, fresh = scan["idle"], scan["fresh"]
    table.add(
        f"reminder scan, idle ({scan['running']:,} clocks)",
        f"p50 {ms(p(idle, 50))}  p95 {ms(p(idle, 95))}  {scan['sql']} q",
        f"candidate queries {ms(scan['bare'])}",
        p(idle, 95) / scan["bare"],
        f"≤ {SCAN_S} s a run",
        p(idle, 95) <= SCAN_S,
    )
    if len(fresh) >= 2:
        table.add(
            f"reminder scan, {reminder_bench.FRESH} due",
            f"p50 {ms(p(fresh, 50))}  p95 {ms(p(fresh, 95))}",
            target=f"≤ {SCAN_S} s a run",
            met=p(fresh, 95) <= SCAN_S,
        )
    return scan


def assessment_rows(table: Table, month: Any, runs: int) -> list[tuple]:
    m = assessment_bench.measure_assessment(month, runs)
    run_s, bare_s = p(m["samples"], 50), p(m["bare"], 50)
    ratio = run_s / bare_s
    table.add(
        f"assessment {month:%Y-%m} ({m['reported']:,})",
        f"p50 {run_s:.2f} s  p95 {p(m['samples'], 95):.2f} s  {m['sql']} q",
        f"hand-written SQL {bare_s:.2f} s",
        ratio,
        f"≤ {ASSESSMENT_S} s, ≤ {ASSESSMENT_RATIO}×",
        p(m["samples"], 95) <= ASSESSMENT_S and ratio <= ASSESSMENT_RATIO,
    )
    officers_s = p(m["officer_samples"], 50)
    table.add(
        "  its officer counts alone",
        f"p50 {officers_s:.2f} s",
        f"hand-written SQL {bare_s:.2f} s",
        officers_s / bare_s,
        "(the yardstick's share of the work)",
    )
    table.add(
        "assessment, peak memory",
        f"{m['peak'] / 2**20:.1f} MiB Python (tracemalloc)",
        f"stored run {m['store_s']:.2f} s",
        target=f"{m['scores']} scores, {m['officers']} officers",
    )
    return m["mismatches"]


def locate_rows(table: Table, points: int) -> None:
    m = locate_bench.measure_locate(points)
    table.add(
        f"locate() ({m['cells']:,} cells)",
        f"{m['us']:.1f} µs a point",
        f"{m['found']:,} of {m['points']:,} in a cell",
        target=f"≤ {LOCATE_US} µs",
        met=m["us"] <= LOCATE_US,
    )


def explain_queue(results: list[dict[str, Any]]) -> str:
    """The plans of the slowest statement of the slowest queue page and of command's default
    queue (the city's open work)."""
    pages = [r for r in results if "bare" in r]
    worst = max(pages, key=lambda r: r["p95"])
    chosen = [worst]
    chosen += [
        r
        for r in pages
        if r["user"] == "command" and r["page"] == "queue a open" and r is not worst
    ]
    out = []
    for r in chosen:
        sql = r["slowest"]
        out.append(
            f"{r['page']} · {r['user']}, slowest statement ({r['slowest_ms']:.1f} ms):\n"
            f"    {sql[:500]}{'…' if len(sql) > 500 else ''}\n{queue_bench.explain(sql, budget=30)}"
        )
    return "\n\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="requests a page figure (200)")
    parser.add_argument("--posts", type=int, default=300, help="POSTs of each kind (300)")
    parser.add_argument("--scans", type=int, default=50, help="reminder scans a figure (50)")
    parser.add_argument("--runs", type=int, default=5, help="assessment runs (5)")
    parser.add_argument("--points", type=int, default=100_000, help="locate() points (100,000)")
    parser.add_argument("--month", help="month to assess, YYYY-MM (last month)")
    parser.add_argument("--no-explain", action="store_true", help="skip the EXPLAIN ANALYZE")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args()
    for name in ("requests", "posts", "scans", "runs"):
        if getattr(args, name) < 2:
            parser.error(f"--{name} must be at least 2 (a p95 needs a spread)")
    month = parse_month(args.month) if args.month else previous_month(timezone.localdate())
    if month is None:
        parser.error("--month is YYYY-MM")
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to the PostgreSQL database bench/generate.py built.")

    queue_bench.setup_timing()
    report_bench.mount_yardstick()
    tickets = queue_bench.require_city()
    connection.close()  # reconnect with CONN_MAX_AGE=None before timing
    started = time.perf_counter()
    print(
        f"{queue_bench.describe_database()}, {os.cpu_count()} CPUs ({queue_bench.cpu_model()}); "
        f"Python {platform.python_version()}, Django {django.get_version()}"
    )
    print(
        f"city: {tickets:,} tickets ({Ticket.objects.filter(state__in=OPEN_STATES).count():,} "
        f"open), {TicketEvent.objects.count():,} events, {DailyLog.objects.count():,} daily logs; "
        f"{args.requests} requests a page figure, {args.posts} POSTs, {args.scans} scans, "
        f"{args.runs} assessments\n",
        flush=True,
    )
    table = Table()
    results = queue_rows(table, args.requests)
    complaint_rows(table, args.posts)
    scan = scan_rows(table, args.scans, explain=not args.no_explain)
    mismatches = assessment_rows(table, month, args.runs)
    locate_rows(table, args.points)
    print(table.render())
    print(
        f"\nfirst reminder scan (catch-up, once): {scan['first_s']:.1f} s, sent {scan['first']}; "
        f"measured in {time.perf_counter() - started:.0f} s"
    )
    if not args.no_explain:
        print("\nEXPLAIN (ANALYZE, BUFFERS)\n")
        print(explain_queue(results))
        for name, plan in scan["plans"].items():
            print(f"\nreminder scan, {name} candidates:\n{plan}")
    if mismatches:
        print(f"\n{len(mismatches)} officer figures differ between the engine and the SQL:")
        for mismatch in mismatches[:20]:
            print("  ", mismatch)
        sys.exit(1)
    print("\nThe engine's officer figures equal the hand-written SQL's.")
    if args.check and table.missed:
        sys.exit(f"Targets missed: {', '.join(table.missed)}")


if __name__ == "__main__":
    main()
