"""Measure the benchmark city: one table, each figure beside its baseline and its target.

    DATABASE_URL=postgres://…/citymgmt_bench .venv/bin/python bench/run.py [--requests 200]
        [--figures pages,post,scan,assessment,locate,throughput,export] [--json FILE] [--check]

On the city bench/generate.py built (PostgreSQL), at the city's moment: the run travels
(time-machine, the clock ticking on) to the day and hour the city was built as of (table
``bench_city``), so the app's "now" — overdue tickets, red clocks, last month — is the city's,
whatever the calendar says. In one process, everything through the whole stack
(``django.test.Client``: middleware, sessions, ATOMIC_REQUESTS; DEBUG off; a persistent
connection), and every baseline measured in the same run, since absolute times on a shared
machine drift. Percentiles are nearest-rank, after 20 warm-ups.

- **pages** (bench/pages_bench.py): the supervisor queue ``/cases/`` for ``sup_gl1`` and
  ``command`` × (open by deadline; all states + a category; red clocks in the community of
  their scope with the most), each warm and cold (the finished-state counts retired before
  every request by the call a close makes); ``/cases/mine/`` of the busiest officer,
  ``/cases/unit/`` of the busiest unit's handler, the shops, leadership patrols, today, logs to
  review and ranking pages: p50/p95, SQL statements, and the page's own bare SQL (the
  statements one request sent, replayed on a cursor). Targets: p95 ≤ 50 ms and ≤ 3× bare;
  the queue ≤ 12 statements, cold p95 ≤ 1.3× warm;
- **post**: resident complaint ``POST /report/`` (no photo) against ``/bench/form/`` (a view
  validating a form of the same fields and writing the ticket and its audit event; target
  ≤ 2×) and ``/bench/insert/`` (one INSERT: the floor), alternating request by request;
- **scan**: ``send_deadline_reminders``' scan, idle and with 10 tickets freshly due, against
  its three candidate queries bare;
- **assessment**: the monthly assessment of last month against one hand-written SQL aggregate
  of the same officer figures, checked equal officer by officer; peak Python memory;
- **locate**: ``locate()``, µs a point;
- **throughput** (bench/throughput_bench.py): command's queue under gunicorn (3 workers) with
  a closed-loop load generator on loopback: pages/s, target ≥ 40;
- **export** (bench/export_bench.py): command's queue export of ~100,000 tickets as CSV and as
  XLSX, read to the last byte, beside its own row statement run bare; peak Python memory of
  all the rows and of a tenth of them (constant memory: alike). Targets: CSV ≤ 10 s, XLSX ≤ 60 s.

Then EXPLAIN (ANALYZE, BUFFERS) of the slowest queue statement and of the scan's candidate
queries. Changes nothing that stays: the complaints it files are deleted, the scan and the
assessment's stored run are rolled back. ``--json`` writes the figures for bench/growth.py.
Exit status 1 if the engine and the yardstick disagree, or, with --check, if a target is missed.
"""

import argparse
import json
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
import export_bench
import locate_bench
import pages_bench
import queue_bench  # sets Django up, so it comes first
import reminder_bench
import report_bench
import throughput_bench
import time_machine
from django.db import connection
from django.utils import timezone
from generate import stored_moment

from cases.models import OPEN_STATES, Ticket, TicketEvent
from citymgmt.months import parse_month, previous_month
from patrols.models import DailyLog

PAGE_P95_MS = pages_bench.PAGE_P95_MS
PAGE_RATIO = pages_bench.PAGE_RATIO
QUEUE_QUERIES = pages_bench.QUEUE_QUERIES
COLD_RATIO = 1.3
THROUGHPUT = throughput_bench.THROUGHPUT_TARGET
FIGURES = ("pages", "post", "scan", "assessment", "locate", "throughput", "export")
POST_RATIO = 2
SCAN_S = 1
ASSESSMENT_S = 10
ASSESSMENT_RATIO = 2
LOCATE_US = 200


class Table:
    COLUMNS = (("figure", 48), ("measured", 44), ("baseline (same run)", 38), ("ratio", 8))

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str, str, bool | None]] = []
        self.figures: list[dict[str, Any]] = []  # the raw numbers, for --json

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


def page_rows(table: Table, runs: int) -> list[dict[str, Any]]:
    results = pages_bench.measure_pages(runs)
    warm = {(r["page"].removesuffix(" warm"), r["user"]): r for r in results if r["queue"]}
    for r in results:
        name = f"{r['page']} · {r['who']}" + (f" ({r['detail']})" if r["detail"] else "")
        measured = f"p50 {ms(r['p50'])}  p95 {ms(r['p95'])}  {r['queries']} q"
        ratio = r["p95"] / r["bare"]
        target, met = "", None
        if r["target"]:
            target = f"p95 ≤ {PAGE_P95_MS} ms, ≤ {PAGE_RATIO}×"
            met = r["p95"] * 1e3 <= PAGE_P95_MS and ratio <= PAGE_RATIO
            if r["queue"]:
                target += f", ≤ {QUEUE_QUERIES} q"
                met = met and r["queries"] <= QUEUE_QUERIES
        table.add(name, measured, f"bare SQL {ms(r['bare'])}", ratio, target, met)
        table.figures.append({"figure": f"{r['page']} · {r['who']}", **_numbers(r)})
        if r["cold"]:
            w = warm[(r["page"].removesuffix(" cold"), r["user"])]
            cold_ratio = r["p95"] / w["p95"]
            table.add(
                "  cold ÷ warm",
                f"cold p95 {ms(r['p95'])}",
                f"warm p95 {ms(w['p95'])}",
                cold_ratio,
                f"≤ {COLD_RATIO}×",
                cold_ratio <= COLD_RATIO,
            )
    return results


def _numbers(r: dict[str, Any]) -> dict[str, Any]:
    return {k: r[k] for k in ("p50", "p95", "bare", "queries", "user", "detail", "url")}


def complaint_rows(table: Table, runs: int) -> None:
    first_new = (Ticket.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    try:
        posts = report_bench.measure_posts(runs)
    finally:
        # The complaints filed (and their events, notifications) go; the day's sequence counts on.
        Ticket.objects.filter(id__gte=first_new).delete()
    complaint, form, minimal = posts["complaint"], posts["form"], posts["minimal"]
    ratio = complaint["mean"] / form["mean"]
    table.add(
        "complaint POST (no photo)",
        f"{1 / complaint['mean']:.0f} req/s  p50 {ms(complaint['p50'])}  {len(complaint['sql'])} q",
        f"form + audit row {1 / form['mean']:.0f} req/s  {ms(form['p50'])}",
        ratio,
        f"≤ {POST_RATIO}× the form-and-audit view",
        ratio <= POST_RATIO,
    )
    table.add(
        "  against one INSERT (the floor)",
        f"p50 {ms(complaint['p50'])}",
        f"one INSERT {1 / minimal['mean']:.0f} req/s  {ms(minimal['p50'])}",
        complaint["mean"] / minimal["mean"],
        "(for comparison with earlier runs)",
    )
    table.figures.append(
        {
            "figure": "complaint POST",
            "p50": complaint["p50"],
            "p95": complaint["p95"],
            "form_p50": form["p50"],
            "ratio": ratio,
        }
    )


def throughput_rows(
    table: Table, requests: int, concurrency: int, moment: Any, pages: list[dict[str, Any]]
) -> None:
    r = throughput_bench.measure_throughput(
        "command", requests=requests, concurrency=concurrency, moment=moment
    )
    in_process = [p for p in pages if p["page"] == "queue a open warm" and p["user"] == "command"]
    baseline, ratio = "", None
    if in_process:
        # Two cores each serving a page in its in-process p50: the most the CPU allows.
        ceiling = (os.cpu_count() or 1) / in_process[0]["p50"]
        baseline, ratio = f"{os.cpu_count()} cores ÷ in-process p50: {ceiling:.0f}/s", 0.0
        ratio = r["per_second"] / ceiling
    table.add(
        f"queue under gunicorn ({throughput_bench.WORKERS} workers, {concurrency} in flight)",
        f"{r['per_second']:.1f} pages/s  p50 {ms(r['p50'])}  p95 {ms(r['p95'])}",
        baseline,
        ratio,
        f"≥ {THROUGHPUT} pages/s",
        r["per_second"] >= THROUGHPUT,
    )
    table.figures.append({"figure": "queue pages/s under gunicorn", **r})


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


def export_rows(table: Table, rows: int, runs: int) -> None:
    for m in export_bench.measure_export(rows, runs):
        table.add(
            f"queue export {m['format']} · command ({m['rows']:,} rows)",
            f"{m['seconds']:.2f} s, peak {m['peak_mb']:.0f} MB "
            f"({m['small_rows']:,} rows: {m['small_peak_mb']:.0f} MB)",
            f"bare SQL {m['bare']:.2f} s",
            m["ratio"],
            target=f"≤ {m['target_s']} s",
            met=m["seconds"] <= m["target_s"],
        )
        table.figures.append({"figure": f"export {m['format']}", **m})


def explain_queue(results: list[dict[str, Any]]) -> str:
    """The plans of the slowest statement of the slowest queue page and of command's cold
    default queue (the city's open work, the finished counts recounted)."""
    pages = [r for r in results if r["queue"]]
    worst = max(pages, key=lambda r: r["p95"])
    chosen = [worst]
    chosen += [
        r
        for r in pages
        if r["user"] == "command" and r["page"] == "queue a open cold" and r is not worst
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
    parser.add_argument(
        "--load", type=int, default=2000, help="requests of the gunicorn load (2000)"
    )
    parser.add_argument("--concurrency", type=int, default=6, help="load requests in flight (6)")
    parser.add_argument(
        "--export-rows", type=int, default=100_000, help="tickets the export holds (100,000)"
    )
    parser.add_argument("--month", help="month to assess, YYYY-MM (the city's last month)")
    parser.add_argument(
        "--figures",
        default=",".join(FIGURES),
        help=f"which figures, comma-separated ({','.join(FIGURES)})",
    )
    parser.add_argument("--json", help="also write the figures to this file (bench/growth.py)")
    parser.add_argument("--no-explain", action="store_true", help="skip the EXPLAIN ANALYZE")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args()
    for name in ("requests", "posts", "scans", "runs", "load"):
        if getattr(args, name) < 2:
            parser.error(f"--{name} must be at least 2 (a p95 needs a spread)")
    figures = {f.strip() for f in args.figures.split(",") if f.strip()}
    if figures - set(FIGURES):
        parser.error(f"--figures takes {', '.join(FIGURES)}")
    if args.month and parse_month(args.month) is None:
        parser.error("--month is YYYY-MM")
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to the PostgreSQL database bench/generate.py built.")

    queue_bench.setup_timing()
    report_bench.mount_yardstick()
    tickets = queue_bench.require_city()
    moment = stored_moment()
    connection.close()  # reconnect with CONN_MAX_AGE=None before timing
    if moment is None:
        print("This city keeps no moment (built before --today): measured at the real time.")
        moment = timezone.now()
    with time_machine.travel(moment, tick=True):
        measure(args, figures, tickets, moment)


def measure(args: argparse.Namespace, figures: set[str], tickets: int, moment: Any) -> None:
    month = parse_month(args.month) if args.month else previous_month(timezone.localdate())
    started = time.perf_counter()
    print(
        f"{queue_bench.describe_database()}, {os.cpu_count()} CPUs ({queue_bench.cpu_model()}); "
        f"Python {platform.python_version()}, Django {django.get_version()}"
    )
    city = (
        f"{tickets:,} tickets ({Ticket.objects.filter(state__in=OPEN_STATES).count():,} "
        f"open), {TicketEvent.objects.count():,} events, {DailyLog.objects.count():,} daily logs"
    )
    print(
        f"city: {city}; as of {timezone.localtime(moment):%Y-%m-%d %H:%M %Z}\n"
        f"{args.requests} requests a page figure after {pages_bench.WARM_UP} warm-ups "
        f"(nearest-rank percentiles), {args.posts} POSTs, {args.scans} scans, "
        f"{args.runs} assessments, {args.load} requests of load\n",
        flush=True,
    )
    table = Table()
    results, scan, mismatches = [], None, []
    if "pages" in figures:
        results = page_rows(table, args.requests)
    if "post" in figures:
        complaint_rows(table, args.posts)
    if "scan" in figures:
        scan = scan_rows(table, args.scans, explain=not args.no_explain)
    if "assessment" in figures:
        mismatches = assessment_rows(table, month, args.runs)
    if "locate" in figures:
        locate_rows(table, args.points)
    if "throughput" in figures:
        throughput_rows(table, args.load, args.concurrency, moment, results)
    if "export" in figures:
        export_rows(table, args.export_rows, args.runs)
    print(table.render())
    if scan:
        print(
            f"\nfirst reminder scan (catch-up, once): {scan['first_s']:.1f} s, sent {scan['first']}"
        )
    print(f"measured in {time.perf_counter() - started:.0f} s")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "database": connection.settings_dict["NAME"],
                    "tickets": tickets,
                    "city": city,
                    "figures": table.figures,
                },
                ensure_ascii=False,
                indent=1,
                default=str,
            )
        )
    if not args.no_explain:
        print("\nEXPLAIN (ANALYZE, BUFFERS)\n")
        if results:
            print(explain_queue(results))
        for name, plan in (scan or {}).get("plans", {}).items():
            print(f"\nreminder scan, {name} candidates:\n{plan}")
    if mismatches:
        print(f"\n{len(mismatches)} officer figures differ between the engine and the SQL:")
        for mismatch in mismatches[:20]:
            print("  ", mismatch)
        sys.exit(1)
    if "assessment" in figures:
        print("\nThe engine's officer figures equal the hand-written SQL's.")
    if args.check and table.missed:
        sys.exit(f"Targets missed: {', '.join(table.missed)}")


if __name__ == "__main__":
    main()
