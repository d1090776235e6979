"""Measure every list page at city scale, warm and cold, each beside its own bare SQL.

    DATABASE_URL=postgres://…/citymgmt_bench .venv/bin/python bench/pages_bench.py [--requests R]

On the city bench/generate.py built, at the city's moment (``bench_city``: the app's "now", and
so its overdue tickets and red clocks, are the city's). Pages, through ``django.test.Client``:

- the supervisor queue ``/cases/`` for ``sup_gl1`` and ``command`` × (open by deadline; all
  states + a category; red clocks in the community of the supervisor's scope with the most
  overdue open tickets), each **warm** (as the previous request left the caches) and **cold**
  (the finished-state counts retired before each request, by the call a close makes:
  ``cases.tab_counts.ticket_moved(resolved → closed)``, not a flush of the cache);
- ``/cases/mine/`` of the busiest officer (most open tickets assigned), ``/cases/unit/`` of a
  handler of the unit with the most tickets, the shops list, the leadership patrols list,
  the supervisor's today page, the logs awaiting review, the officer ranking of the latest
  month with a stored run; the command centre's map data (``/command/map/data.json``) for
  ``sup_gl1`` and ``command`` per community (city zoom), per unit grid and as points in a
  street's view, around the community with the most open tickets.

Each: p50/p95 (nearest rank) of R requests after 20 warm-ups, SQL statements a request
(BEGIN/COMMIT not counted), and the bare SQL: the statements one request sent (captured with
``CaptureQueriesContext``, the session's and user's included, since the page needs them) run
again straight on a cursor, one after the other, rows fetched; median of R runs of the lot.
Target (issue 19): p95 ≤ 3× bare and ≤ 50 ms at a million tickets.
"""

import os
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citymgmt.settings")

import django
import queue_bench  # sets Django up
from queue_bench import TRANSACTION, percentile, reddest_community

django.setup()
warnings.filterwarnings("ignore", "No directory at", UserWarning)

from django.db import connection  # noqa: E402
from django.db.models import Avg, Count, Q  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Officer, User  # noqa: E402
from accounts.roles import Role, has_role  # noqa: E402
from cases import tab_counts  # noqa: E402
from cases.models import OPEN_STATES, Category, State, Ticket  # noqa: E402

WARM_UP = 20
PAGE_P95_MS = 50
PAGE_RATIO = 3
QUEUE_QUERIES = 12
SUPERVISORS = ("sup_gl1", "command")
READS = {"SELECT", "WITH", "(SELECT"}


def retire_finished_counts() -> None:
    """What a close does to the queue's cached counts: the call ``cases.audit.record_event``
    makes for a ticket entering a finished state (outside a transaction it retires at once)."""
    tab_counts.ticket_moved(State.RESOLVED, State.CLOSED)


# --- the city's people and places --------------------------------------------------------------


def busiest_officer() -> User:
    """The officer with the most open tickets assigned (the longest "my tasks")."""
    officer = (
        Officer.objects.filter(user__isnull=False)
        .annotate(n=Count("tickets", filter=Q(tickets__state__in=OPEN_STATES)))
        .order_by("-n", "pk")
        .select_related("user")
        .first()
    )
    return officer.user


def busiest_handler() -> User:
    """A department handler of the unit with the most referred tickets."""
    staff = User.objects.filter(unit__isnull=False, is_active=True).order_by("pk")
    handlers = [user for user in staff if has_role(user, Role.HANDLER)]
    load = dict(
        Ticket.objects.filter(responsible_unit__isnull=False)
        .values_list("responsible_unit_id")
        .annotate(n=Count("*"))
        .order_by()
    )
    return max(handlers, key=lambda user: (load.get(user.unit_id, 0), -user.pk))


def latest_ranking_url() -> str | None:
    from assessments.models import Run

    run = (
        Run.objects.filter(finished_at__isnull=False)
        .exclude(status="failed")
        .order_by("-month", "-pk")
        .first()
    )
    if run is None:
        return None
    return reverse("assessments:ranking", args=[f"{run.month:%Y-%m}", "officer"])


def pages() -> list[dict[str, Any]]:
    """The pages measured: page (its name in every city), user, who (the user, or what picked
    them), detail, url, cold (retire the counts before each request), target (a list page)."""
    garbage = Category.objects.get(name="暴露垃圾", parent__isnull=False)
    queue = reverse("cases:queue")
    out = []
    for username in SUPERVISORS:
        user = User.objects.get(username=username)
        community, red = reddest_community(user)
        for label, query, detail in (
            ("a open", "", ""),
            ("b all+cat", f"status=all&category={garbage.pk}&sort=deadline", ""),
            ("c red+comm", f"colour=red&community={community}", f"{red} red"),
        ):
            url = f"{queue}?{query}" if query else queue
            for cold in (False, True):
                out.append(
                    {
                        "page": f"queue {label} {'cold' if cold else 'warm'}",
                        "user": user,
                        "who": username,
                        "detail": detail,
                        "url": url,
                        "cold": cold,
                        "queue": True,
                    }
                )
    officer, handler = busiest_officer(), busiest_handler()
    gl1, command = User.objects.get(username="sup_gl1"), User.objects.get(username="command")
    out += [
        _page("mine", officer, reverse("cases:my_tasks"), "busiest officer"),
        _page("unit", handler, reverse("cases:unit_queue"), "busiest handler"),
        _page("shops", gl1, reverse("shops:list")),
        _page("shops", command, reverse("shops:list")),
        _page("patrols (leadership)", gl1, reverse("patrols:leadership_list")),
        _page("patrols (leadership)", command, reverse("patrols:leadership_list")),
        _page("patrols today", gl1, reverse("patrols:today")),
        _page("logs to review", gl1, reverse("patrols:review_queue")),
        _page("logs to review", command, reverse("patrols:review_queue")),
    ]
    # The command centre's map data (command/views.py: map_data): clusters per community (the
    # city at a glance), per unit grid, and the points of a street's view when zoomed in.
    out += map_data_pages(gl1, command)
    ranking = latest_ranking_url()
    if ranking:
        out.append(_page("ranking officers", command, ranking))
    # What a supervisor opens from the queue: not a list page, so no target of its own.
    ticket = (
        Ticket.objects.filter(brigade__code="gl1", state__in=OPEN_STATES).order_by("id").first()
    )
    if ticket is not None:
        out.append({**_page("ticket page", gl1, ticket.get_absolute_url()), "target": False})
    return out


def map_data_pages(gl1: User, command: User) -> list[dict[str, Any]]:
    """The map's data endpoint at each of its levels: the whole city per community, a district's
    view per unit grid, a street's view as points (at most ``POINT_LIMIT``), centred on the
    community with the most open tickets."""
    from command.selectors import GRID_ZOOM, POINT_ZOOM

    url = reverse("command:map_data")
    busiest = (
        Ticket.objects.filter(state__in=OPEN_STATES, lat__isnull=False)
        .values("community_id")
        .annotate(n=Count("*"), lat=Avg("lat"), lng=Avg("lng"))
        .order_by("-n")
        .first()
    )
    lat, lng = (busiest["lat"], busiest["lng"]) if busiest else (34.26, 117.19)

    def bbox(half: float) -> str:
        return f"{lng - half:.5f},{lat - half / 1.2:.5f},{lng + half:.5f},{lat + half / 1.2:.5f}"

    out = []
    for user in (gl1, command):
        out += [
            _page("map data communities", user, f"{url}?zoom=11"),
            _page("map data grids", user, f"{url}?zoom={GRID_ZOOM}&bbox={bbox(0.03)}"),
            _page("map data points", user, f"{url}?zoom={POINT_ZOOM}&bbox={bbox(0.008)}"),
        ]
    return out


def _page(page: str, user: User, url: str, who: str = "") -> dict[str, Any]:
    return {
        "page": page,
        "user": user,
        "who": who or user.username,
        "detail": user.username if who else "",
        "url": url,
        "target": True,
    }


# --- measuring ---------------------------------------------------------------------------------


def _get(client: Client, url: str) -> None:
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}")


def time_requests(
    run: Callable[[], Any], runs: int, before: Callable[[], Any] | None
) -> list[float]:
    """Server time of ``runs`` calls after WARM_UP; ``before`` runs untimed before each."""
    for _i in range(WARM_UP):
        if before:
            before()
        run()
    samples = []
    for _i in range(runs):
        if before:
            before()
        started = time.perf_counter()
        run()
        samples.append(time.perf_counter() - started)
    return samples


def replay(statements: list[str], runs: int) -> tuple[float, list[float]]:
    """The statements run bare on a cursor, one after the other, rows fetched: the median of
    ``runs`` runs of the lot (after WARM_UP), and each statement's median."""
    each: list[list[float]] = [[] for _sql in statements]

    def run() -> None:
        with connection.cursor() as cursor:
            for samples, sql in zip(each, statements, strict=True):
                started = time.perf_counter()
                cursor.execute(sql)
                if cursor.description is not None:
                    cursor.fetchall()
                samples.append(time.perf_counter() - started)

    total = statistics.median(time_requests(run, runs, None))
    return total, [statistics.median(samples) for samples in each]


def measure(spec: dict[str, Any], runs: int) -> dict[str, Any]:
    client = Client()
    client.force_login(spec["user"])
    before = retire_finished_counts if spec.get("cold") else None
    samples = time_requests(lambda: _get(client, spec["url"]), runs, before)
    if before:
        before()
    with CaptureQueriesContext(connection) as captured:
        _get(client, spec["url"])
    statements = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].split()[0].upper() not in TRANSACTION
    ]
    reads = [sql for sql in statements if sql.lstrip().split()[0].upper() in READS]
    bare, each = replay(reads, runs)
    slowest_s, slowest = max(zip(each, reads, strict=True))
    return {
        "page": spec["page"],
        "user": spec["user"].username,
        "who": spec["who"],
        "detail": spec["detail"],
        "url": spec["url"],
        "cold": bool(spec.get("cold")),
        "queue": bool(spec.get("queue")),
        "target": spec.get("target", True),
        "p50": percentile(samples, 50),
        "p95": percentile(samples, 95),
        "queries": len(statements),
        "writes": len(statements) - len(reads),
        "bare": bare,
        "slowest": slowest,
        "slowest_ms": slowest_s * 1e3,
    }


def measure_pages(runs: int) -> list[dict[str, Any]]:
    return [measure(spec, runs) for spec in pages()]


def main() -> None:
    import argparse

    from generate import stored_moment

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="timed runs a figure (200)")
    args = parser.parse_args()
    queue_bench.setup_timing()
    queue_bench.require_city()
    moment = stored_moment() or timezone.now()
    import time_machine

    with time_machine.travel(moment, tick=True):
        connection.close()
        print(f"at {timezone.localtime():%Y-%m-%d %H:%M}; {args.requests} requests a figure\n")
        for r in measure_pages(args.requests):
            ratio = r["p95"] / r["bare"]
            print(
                f"{r['page']:<24}{r['who']:<16}{r['queries']:>4} q  p50 {r['p50'] * 1e3:6.1f}  "
                f"p95 {r['p95'] * 1e3:6.1f}  bare {r['bare'] * 1e3:6.1f}  {ratio:5.2f}×  "
                f"{r['detail']}"
            )


if __name__ == "__main__":
    main()
