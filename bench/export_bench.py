"""Measure the queue's export (/cases/export.csv and .xlsx) of about 100,000 tickets beside its
bare SQL.

    DATABASE_URL=postgres://…/citymgmt_bench .venv/bin/python bench/export_bench.py [--rows N]
        [--runs R]

On the city bench/generate.py built, at the city's moment. The command centre exports every
state, newest first, reported since the day that makes at least ``--rows`` tickets (100,000;
all of a smaller city's), through ``django.test.Client`` and the whole stack, the answer read
to its last byte. Beside it, the bare SQL: the export's own row statement (captured from one
request) run straight on a cursor, every row fetched. Each figure is the median of R runs (3).
Also the peak Python memory (tracemalloc) of one export of all the rows and of one of a tenth
of them: constant memory means the two are alike, not ten times apart.
Targets: CSV ≤ 10 s and XLSX ≤ 60 s for 100,000 rows on 2 cores.
"""

import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citymgmt.settings")

import django
import queue_bench  # sets Django up
from queue_bench import TRANSACTION

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from cases.models import Ticket  # noqa: E402

ROWS = 100_000
CSV_TARGET_S = 10
XLSX_TARGET_S = 60


def export_query(rows: int) -> tuple[str, int]:
    """The query string of the command centre's export of at least ``rows`` tickets (every
    state, newest first, reported since a day), and how many tickets it selects."""
    newest = Ticket.objects.order_by("-reported_at").values_list("reported_at", flat=True)
    since = newest[min(rows, newest.count()) - 1 : min(rows, newest.count())].get()
    day = timezone.localtime(since).date()
    count = Ticket.objects.filter(reported_at__date__gte=day).count()
    return f"status=all&sort=-reported_at&reported_after={day.isoformat()}", count


def _download(client: Client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return sum(len(chunk) for chunk in response.streaming_content)


def _median_s(run: Any, runs: int) -> float:
    samples = []
    for _i in range(runs):
        started = time.perf_counter()
        run()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def _row_statement(client: Client, url: str) -> str:
    with CaptureQueriesContext(connection) as captured:
        _download(client, url)
    statements = [q["sql"] for q in captured.captured_queries]
    statements = [sql for sql in statements if sql.split()[0].upper() not in TRANSACTION]
    rows = max(statements, key=lambda sql: sql.count('"cases_ticket".'))
    # On PostgreSQL the rows come through a server-side cursor: DECLARE … CURSOR FOR SELECT …
    return rows[rows.index("SELECT") :] if rows.startswith("DECLARE") else rows


def _bare(sql: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        while cursor.fetchmany(2000):
            pass


def _peak_mb(client: Client, url: str) -> float:
    tracemalloc.start()
    try:
        _download(client, url)
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def measure_export(rows: int = ROWS, runs: int = 3) -> list[dict[str, Any]]:
    """Per format: rows, bytes, the median time of the export and of its bare SQL, their
    ratio, the peak Python memory of all the rows and of a tenth of them."""
    client = Client()
    client.force_login(User.objects.get(username="command"))
    query, count = export_query(rows)
    small_query, small_count = export_query(max(rows // 10, 1))
    results = []
    for fmt, target in (("csv", CSV_TARGET_S), ("xlsx", XLSX_TARGET_S)):
        url = f"{reverse(f'cases:export_{fmt}')}?{query}"
        size = _download(client, url)  # warm-up (and the categories' cache)
        sql = _row_statement(client, url)
        seconds = _median_s(lambda url=url: _download(client, url), runs)
        bare = _median_s(lambda sql=sql: _bare(sql), runs)
        small_url = f"{reverse(f'cases:export_{fmt}')}?{small_query}"
        results.append(
            {
                "format": fmt,
                "rows": count,
                "bytes": size,
                "seconds": seconds,
                "bare": bare,
                "ratio": seconds / bare,
                "target_s": target,
                "peak_mb": _peak_mb(client, url),
                "small_rows": small_count,
                "small_peak_mb": _peak_mb(client, small_url),
            }
        )
    return results


def main() -> None:
    import argparse

    import time_machine
    from generate import stored_moment

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=ROWS, help="tickets to export (100,000)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs a figure (3)")
    args = parser.parse_args()
    queue_bench.setup_timing()
    queue_bench.require_city()
    moment = stored_moment() or timezone.now()
    with time_machine.travel(moment, tick=True):
        connection.close()
        for r in measure_export(args.rows, args.runs):
            print(
                f"export {r['format']:<5}{r['rows']:>9,} rows {r['bytes'] / 1e6:7.1f} MB  "
                f"{r['seconds']:6.2f} s  bare SQL {r['bare']:6.2f} s  {r['ratio']:5.1f}×  "
                f"peak {r['peak_mb']:.1f} MB ({r['small_rows']:,} rows: "
                f"{r['small_peak_mb']:.1f} MB)  target ≤ {r['target_s']} s"
            )


if __name__ == "__main__":
    main()
