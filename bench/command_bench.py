"""Measure the command centre's data endpoints at city scale, each beside its own bare SQL.

    DATABASE_URL=postgres://…/citymgmt_bench .venv/bin/python bench/command_bench.py
        [--requests R] [--no-explain]

On the city bench/generate.py built, at the city's moment (``bench_city``), through
``django.test.Client`` exactly as bench/pages_bench.py measures a page (its ``measure``: p50/p95
nearest rank after 20 warm-ups, SQL statements, and the statements one request sent replayed
bare on a cursor, median of R runs):

- the map's data ``/command/map/data.json`` for ``sup_gl1`` (a brigade) and ``command`` (the
  city) at each of its levels: clusters per community (zoom 11, the whole scope), per unit grid
  (zoom 14, a district's view) and points (zoom 16, a street's view), centred on the community
  with the most open tickets; each without a filter (the open work) and with one of the queue's
  filters (red clocks of one category, the map's "filterable like the queue");
- the big screen's figures ``/command/screen/data.json`` for both, which every wall display asks
  for every 5 seconds: **warm** (as the previous poll left the cache) and **cold** (the cache
  emptied before each request, what the first display after the cache's lifetime pays).

Target (issue 23): p95 ≤ 3× the bare SQL and ≤ 50 ms at a million tickets. bench/run.py takes
these figures as ``--figures command``.
"""

import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citymgmt.settings")

import pages_bench  # sets Django up
import queue_bench
from django.db import connection
from django.db.models import Avg, Count
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from cases.models import OPEN_STATES, Category, Ticket

P95_MS = pages_bench.PAGE_P95_MS
RATIO = pages_bench.PAGE_RATIO
SUPERVISORS = ("sup_gl1", "command")


def busiest_place() -> tuple[float, float]:
    """The centre of the community with the most open located tickets."""
    busiest = (
        Ticket.objects.filter(state__in=OPEN_STATES, lat__isnull=False)
        .values("community_id")
        .annotate(n=Count("*"), lat=Avg("lat"), lng=Avg("lng"))
        .order_by("-n")
        .first()
    )
    return (busiest["lat"], busiest["lng"]) if busiest else (34.26, 117.19)


def filter_query() -> str:
    """One of the queue's filters as a supervisor sets it on the map: the open tickets of the
    commonest open category (the queue's default tab, so every level has something to show)."""
    category = (
        Ticket.objects.filter(state__in=OPEN_STATES)
        .values("category_id")
        .annotate(n=Count("*"))
        .order_by("-n")
        .first()
    )
    category_id = category["category_id"] if category else Category.objects.first().pk
    return f"category={category_id}"


def endpoints() -> list[dict[str, Any]]:
    """The requests measured, as pages_bench's specs (page, user, who, detail, url, target);
    ``clear`` marks the cold screen (the cache emptied before each request)."""
    from command.selectors import GRID_ZOOM, POINT_ZOOM

    lat, lng = busiest_place()

    def bbox(half: float) -> str:
        return f"{lng - half:.5f},{lat - half / 1.2:.5f},{lng + half:.5f},{lat + half / 1.2:.5f}"

    data = reverse("command:map_data")
    levels = (
        ("communities", "zoom=11"),
        ("grids", f"zoom={GRID_ZOOM}&bbox={bbox(0.03)}"),
        ("points", f"zoom={POINT_ZOOM}&bbox={bbox(0.008)}"),
    )
    filtered = filter_query()
    out = []
    for username in SUPERVISORS:
        user = User.objects.get(username=username)
        for level, view in levels:
            out.append(_spec(f"map {level}", user, f"{data}?{view}"))
            out.append(_spec(f"map {level} +filter", user, f"{data}?{view}&{filtered}"))
        screen = reverse("command:screen_data")
        out.append(_spec("screen warm", user, screen))
        out.append({**_spec("screen cold", user, screen), "clear": True})
    return out


def _spec(page: str, user: User, url: str) -> dict[str, Any]:
    return {"page": page, "user": user, "who": user.username, "detail": "", "url": url}


def empty_screen_cache() -> None:
    from command import screen

    screen.forget()


def measure_endpoints(runs: int) -> list[dict[str, Any]]:
    results = []
    for spec in endpoints():
        if spec.pop("clear", False):
            spec["before"] = empty_screen_cache
        results.append(pages_bench.measure(spec, runs))
    return results


def main() -> None:
    import argparse

    import time_machine
    from generate import stored_moment

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="timed runs a figure (200)")
    parser.add_argument("--no-explain", action="store_true", help="skip the EXPLAIN ANALYZE")
    args = parser.parse_args()
    queue_bench.setup_timing()
    queue_bench.require_city()
    moment = stored_moment() or timezone.now()
    with time_machine.travel(moment, tick=True):
        connection.close()
        print(f"at {timezone.localtime():%Y-%m-%d %H:%M}; {args.requests} requests a figure\n")
        results = measure_endpoints(args.requests)
        for r in results:
            ratio = r["p95"] / r["bare"]
            print(
                f"{r['page']:<26}{r['who']:<10}{r['queries']:>4} q  p50 {r['p50'] * 1e3:6.1f}  "
                f"p95 {r['p95'] * 1e3:6.1f}  bare {r['bare'] * 1e3:6.1f}  {ratio:5.2f}×  "
                f"slowest {r['slowest_ms']:.1f} ms",
                flush=True,
            )
        if not args.no_explain:
            print(explain_slowest(results))


def explain_slowest(results: list[dict[str, Any]], count: int = 3) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of the slowest statement of the ``count`` endpoints with the
    slowest bare SQL."""
    out = []
    for r in sorted(results, key=lambda r: -r["slowest_ms"])[:count]:
        sql = r["slowest"]
        out.append(
            f"\n{r['page']} · {r['who']}, slowest statement ({r['slowest_ms']:.1f} ms):\n"
            f"    {sql[:500]}{'…' if len(sql) > 500 else ''}\n"
            f"{queue_bench.explain(sql, budget=30)}"
        )
    return "\n".join(out)


if __name__ == "__main__":
    main()
