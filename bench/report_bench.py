"""Measure the resident complaint POST (/report/, no photo) against a Django view that validates
a form of the same fields and writes the ticket and its audit event (the yardstick, target ≤ 2×)
and a minimal view doing one INSERT (the floor), and the ticket lists of the REST API
(/api/v1/tickets/) and Open311 (/open311/v2/requests.json).

    .venv/bin/python bench/report_bench.py --database-url postgres://… [--requests 300] [--profile]

(or DATABASE_URL in the environment). Migrates and seeds the demo city if the database has none.
Every request goes in-process through ``django.test.Client`` (no network), the full middleware
stack and ATOMIC_REQUESTS, DEBUG off. The yardstick views are mounted only here: the bench's own
URLconf is the project's plus ``/bench/form/`` and ``/bench/insert/``. The POSTs alternate,
request by request, so drift on a shared machine hits all alike. Target (issue 19): complaint
POST ≤ 2× the form-and-audit-row view.

Rate limits: each POST (and each anonymous Open311 GET) comes from its own REMOTE_ADDR
(10.x.y.z), so the per-IP limits count and are checked as for a real resident, but never bite;
no setting is changed. Tickets the bench files are deleted at the end (the day's ticket
sequence keeps counting).
"""

import argparse
import cProfile
import io
import itertools
import os
import platform
import pstats
import statistics
import sys
import time
import types
import warnings
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="a PostgreSQL database (else DATABASE_URL)")
    parser.add_argument("--requests", type=int, default=300, help="timed runs a figure (300)")
    parser.add_argument(
        "--profile", action="store_true", help="also profile 200 complaint POSTs (cProfile)"
    )
    parser.add_argument(
        "--allow-sqlite", action="store_true", help="run on SQLite anyway (figures mean little)"
    )
    args = parser.parse_args()
    if args.requests < 2:
        parser.error("--requests must be at least 2 (a p95 needs a spread)")
    return args


if __name__ == "__main__":
    # Before Django reads its settings: --database-url sets DATABASE_URL. (bench/run.py imports
    # this module for its measures and has its own arguments.)
    ARGS = parse_args()
    if ARGS.database_url:
        os.environ["DATABASE_URL"] = ARGS.database_url
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citymgmt.settings")

import django  # noqa: E402

django.setup()
# Whitenoise warns once per process when collectstatic has not run; the bench serves no assets.
warnings.filterwarnings("ignore", "No directory at", UserWarning)

from django import forms as django_forms  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import clear_url_caches, path  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.views.decorators.http import require_POST  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import prepare_database  # noqa: E402
from queue_bench import TRANSACTION, cpu_model, describe_database, ms, percentile  # noqa: E402

from accounts.models import User  # noqa: E402
from cases.categories import public_choices  # noqa: E402
from cases.models import Action, Source, Ticket, TicketEvent  # noqa: E402
from grids.locator import locate_id  # noqa: E402
from grids.models import GridCell  # noqa: E402

WARM_UP = 20
DESCRIPTION = "【基准测试】路边有暴露垃圾，已经堆了两天，请尽快清理。"
API_USERS = ("command", "sup_gl1")
_addresses = itertools.count(1)


def next_address() -> str:
    """A fresh client address for each request, so per-IP limits never bite (10.0.0.0/8)."""
    n = next(_addresses)
    return f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"


# --- the yardstick ---------------------------------------------------------------------------


@require_POST
def minimal_insert(request: HttpRequest) -> HttpResponse:
    """One INSERT of a comparable row (a ticket from the same posted fields, same table and
    indexes), then a redirect: what any Django form view costs at the least. No validation, no
    locating, no numbering, no audit row: the floor, not a rival."""
    data = request.POST
    ticket = Ticket(
        source=Source.RESIDENT,
        category_id=int(data["category"]),
        description=data["description"],
        lat=float(data["lat"]),
        lng=float(data["lng"]),
        address=data.get("address", ""),
        reporter_name=data.get("reporter_name", ""),
        reporter_phone=data.get("reporter_phone", ""),
        reported_at=timezone.now(),
    )
    ticket.number = f"BM{ticket.tracking_code}"  # unique without a sequence: 18 of 20 chars
    ticket.save()
    return HttpResponseRedirect(f"/track/{ticket.tracking_code}/filed/")


class YardstickForm(django_forms.ModelForm):
    """The resident's fields, validated the way any Django form validates them: required, max
    lengths, the category a row of the table, the coordinates numbers."""

    class Meta:
        model = Ticket
        fields = (
            "category",
            "description",
            "lat",
            "lng",
            "address",
            "reporter_name",
            "reporter_phone",
        )


@require_POST
def form_insert(request: HttpRequest) -> HttpResponse:
    """The fair yardstick of the complaint POST: validate a form of the same posted fields, write
    the ticket and its audit event (the two rows every ticket change must leave: DESIGN's
    record_event rule), redirect. What the complaint POST does beyond it (spam and rate checks,
    locating the point in a grid cell, numbering, routing, notifying through the outbox) is the
    overhead the target bounds. No project code runs in it, so it does not get faster or slower
    with the code it judges."""
    form = YardstickForm(request.POST)
    if not form.is_valid():
        return HttpResponse(form.errors.as_json(), status=400, content_type="application/json")
    ticket = form.save(commit=False)
    ticket.source = Source.RESIDENT
    ticket.reported_at = timezone.now()
    ticket.number = f"BF{ticket.tracking_code}"  # unique without a sequence: 18 of 20 chars
    ticket.save()
    TicketEvent.objects.create(
        ticket=ticket,
        actor=None,
        action=Action.CREATE,
        from_state=ticket.state,
        to_state=ticket.state,
        public_note="",
        internal_note="",
        data={},
        created_at=ticket.reported_at,
    )
    return HttpResponseRedirect(f"/track/{ticket.tracking_code}/filed/")


def mount_yardstick() -> None:
    """The project's URLconf plus /bench/insert/, as this process's ROOT_URLCONF."""
    from web import urls as project_urls

    module = types.ModuleType("bench_report_urls")
    module.urlpatterns = [  # type: ignore[attr-defined]
        path("bench/insert/", minimal_insert),
        path("bench/form/", form_insert),
        *project_urls.urlpatterns,
    ]
    for name in ("handler400", "handler403", "handler404", "handler500"):
        if hasattr(project_urls, name):
            setattr(module, name, getattr(project_urls, name))
    sys.modules[module.__name__] = module
    settings.ROOT_URLCONF = module.__name__
    clear_url_caches()


# --- measuring -------------------------------------------------------------------------------


def timed(run: Callable[[], Any]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def statements(run: Callable[[], Any]) -> list[str]:
    """The SQL one run sends, BEGIN/COMMIT/savepoints left out (as in the query-count tests)."""
    with CaptureQueriesContext(connection) as captured:
        run()
    return [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].split()[0].upper() not in TRANSACTION
    ]


class StatementClock:
    """Wall time of each statement the cursor sends (Django's query log keeps whole ms only)."""

    def __init__(self) -> None:
        self.times: list[tuple[str, float]] = []

    def __call__(self, execute: Callable, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.times.append((sql, time.perf_counter() - started))


def sql_share(run: Callable[[], Any], runs: int) -> list[tuple[str, float]]:
    """Median time of each statement of ``run`` (same statements every run) and, last, of the
    request as a whole, over ``runs`` runs."""
    per_statement: list[list[float]] = []
    totals = []
    kinds: list[str] = []
    for _i in range(runs):
        clock = StatementClock()
        commit = connection._commit

        def timed_commit(clock: StatementClock = clock, commit: Callable = commit) -> None:
            started = time.perf_counter()
            try:
                commit()
            finally:
                clock.times.append(("COMMIT", time.perf_counter() - started))

        # COMMIT goes through the driver, not a cursor: timed on the connection (one instance).
        connection._commit = timed_commit
        try:
            with connection.execute_wrapper(clock):
                totals.append(timed(run))
        finally:
            del connection._commit
        if not per_statement:
            kinds = [sql if sql == "COMMIT" else summarize([sql]) for sql, _t in clock.times]
            per_statement = [[] for _sql in clock.times]
        for samples, (_sql, took) in zip(per_statement, clock.times, strict=False):
            samples.append(took)
    return [
        *((kind, statistics.median(s)) for kind, s in zip(kinds, per_statement, strict=True)),
        ("whole request", statistics.median(totals)),
    ]


def expect(response: HttpResponse, status: int, what: str) -> HttpResponse:
    if response.status_code != status:
        body = response.content[:400].decode(errors="replace")
        raise SystemExit(f"{what} answered {response.status_code}, not {status}:\n{body}")
    return response


class Complaints:
    """Valid complaint forms: a public category and a point that is in a unit grid, cycling
    through the city's cells (each point checked with the locator, as the form checks it)."""

    def __init__(self) -> None:
        categories = [value for _group, options in public_choices() for value, _label in options]
        points = []
        cells = GridCell.objects.filter(is_active=True).order_by("id")
        for cell_id, lat, lng in cells.values_list("id", "centroid_lat", "centroid_lng"):
            if locate_id(lat, lng) == cell_id:
                points.append((lat, lng))
        if not categories or not points:
            sys.exit("No public categories or grid cells: run `manage.py seed_demo` first.")
        self._forms = itertools.cycle(
            [
                {
                    "category": str(categories[i % len(categories)]),
                    "description": DESCRIPTION,
                    "lat": f"{lat:.6f}",
                    "lng": f"{lng:.6f}",
                    "address": "解放南路与和平路交叉口东北角",
                    "reporter_name": "王先生",
                    "reporter_phone": "13812345678",
                    "consent": "on",
                    "website": "",  # the honeypot, empty as a person leaves it
                    "follows": "",
                }
                for i, (lat, lng) in enumerate(points)
            ]
        )

    def next(self) -> dict[str, str]:
        return next(self._forms)


def post(client: Client, url: str, form: dict[str, str]) -> HttpResponse:
    return expect(client.post(url, form, REMOTE_ADDR=next_address()), 302, f"POST {url}")


def measure_posts(runs: int) -> dict[str, dict[str, Any]]:
    """The complaint POST and the yardstick, alternating request by request."""
    client = Client()
    forms = Complaints()
    targets = {"complaint": "/report/", "form": "/bench/form/", "minimal": "/bench/insert/"}
    for _i in range(WARM_UP):
        for url in targets.values():
            post(client, url, forms.next())
    samples: dict[str, list[float]] = {name: [] for name in targets}
    for _i in range(runs):
        form = forms.next()
        for name, url in targets.items():
            samples[name].append(timed(lambda url=url, form=form: post(client, url, form)))
    results = {}
    for name, url in targets.items():
        sql = statements(lambda url=url: post(client, url, forms.next()))
        results[name] = {
            "mean": statistics.mean(samples[name]),
            "p50": percentile(samples[name], 50),
            "p95": percentile(samples[name], 95),
            "sql": sql,
        }
    # What the resident's browser asks next: the confirmation page the redirect leads to.
    response = post(client, "/report/", forms.next())
    filed = response["Location"]
    for _i in range(WARM_UP):
        expect(client.get(filed), 200, f"GET {filed}")
    page = [timed(lambda: expect(client.get(filed), 200, f"GET {filed}")) for _i in range(runs)]
    results["filed page"] = {
        "p50": percentile(page, 50),
        "p95": percentile(page, 95),
        "sql": statements(lambda: client.get(filed)),
    }
    return results


def measure_get(client: Client, url: str, runs: int, **headers: str) -> dict[str, Any]:
    def run() -> None:
        expect(client.get(url, REMOTE_ADDR=next_address(), **headers), 200, f"GET {url}")

    for _i in range(WARM_UP):
        run()
    samples = [timed(run) for _i in range(runs)]
    return {
        "p50": percentile(samples, 50),
        "p95": percentile(samples, 95),
        "sql": statements(run),
    }


def measure_lists(runs: int) -> list[tuple[str, str, dict[str, Any], int]]:
    rows = []
    for username in API_USERS:
        user = User.objects.get(username=username)
        token, _created = Token.objects.get_or_create(user=user)
        client = Client()
        url = "/api/v1/tickets/"
        figures = measure_get(client, url, runs, HTTP_AUTHORIZATION=f"Token {token.key}")
        count = len(client.get(url, HTTP_AUTHORIZATION=f"Token {token.key}").json()["results"])
        rows.append(("api tickets", username, figures, count))
    client = Client()
    url = "/open311/v2/requests.json"
    figures = measure_get(client, url, runs)
    rows.append(("open311 requests", "anonymous", figures, len(client.get(url).json())))
    return rows


def profile_posts(n: int = 200) -> str:
    """Where a complaint POST's time goes: cProfile over ``n`` of them, by cumulative time."""
    client = Client()
    forms = Complaints()
    profiler = cProfile.Profile()
    profiler.enable()
    for _i in range(n):
        post(client, "/report/", forms.next())
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(45)
    return out.getvalue()


# --- output ----------------------------------------------------------------------------------


def summarize(sql: list[str]) -> str:
    """One line a statement kind: 'SELECT cases_category ×2', in the order first seen."""
    kinds: Counter[str] = Counter()
    for statement in sql:
        # Only what is outside parentheses, so a FROM in a subquery column names no table.
        depth, kept = 0, []
        for char in statement:
            depth += (char == "(") - (char == ")")
            kept.append(char if depth == 0 and char != ")" else " ")
        words = "".join(kept).replace('"', "").split()
        verb = words[0].upper()
        table = ""
        marker = {"SELECT": "FROM", "INSERT": "INTO", "UPDATE": "UPDATE", "DELETE": "FROM"}
        if verb in marker and marker[verb] in (w.upper() for w in words):
            at = [w.upper() for w in words].index(marker[verb])
            table = words[at + 1] if verb != "UPDATE" else words[1]
        kinds[f"{verb} {table}".strip()] += 1
    return ", ".join(f"{kind}{f' ×{n}' if n > 1 else ''}" for kind, n in kinds.items())


def main() -> None:
    if connection.vendor == "sqlite" and not ARGS.allow_sqlite:
        sys.exit(
            "DATABASE_URL points at SQLite: the target is for PostgreSQL. Pass --database-url "
            "(or set DATABASE_URL) to a PostgreSQL database of its own, or --allow-sqlite."
        )
    # Timing as in production: no query log (DEBUG keeps one), no reconnect every minute
    # (CONN_MAX_AGE) landing in a sample; the test client's host must be allowed.
    settings.DEBUG = False
    connection.settings_dict["CONN_MAX_AGE"] = None
    if "testserver" not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    seed_s = prepare_database()
    mount_yardstick()
    connection.close()  # reconnect with CONN_MAX_AGE=None before timing

    first_new = (Ticket.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    print(
        f"{describe_database()}, {os.cpu_count()} CPUs ({cpu_model()}); Python "
        f"{platform.python_version()}, Django {django.get_version()}; cache "
        f"{settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}"
    )
    print(
        f"migrate/seed {seed_s:.1f} s; {Ticket.objects.count():,} tickets; {ARGS.requests} "
        f"requests a figure after {WARM_UP} warm-ups; times in ms; q = SQL statements "
        "(BEGIN/COMMIT not counted)\n"
    )
    try:
        print(f"{'request':<20}{'user':<11}{'rows':>5}{'q':>4}{'p50':>8}{'p95':>8}")
        details = []
        for label, username, figures, count in measure_lists(ARGS.requests):
            print(
                f"{label:<20}{username:<11}{count:>5}{len(figures['sql']):>4}"
                f"{ms(figures['p50'])}{ms(figures['p95'])}",
                flush=True,
            )
            details.append((f"{label}, {username}", figures["sql"]))
        posts = measure_posts(ARGS.requests)
        for label, figures in posts.items():
            print(
                f"{'POST ' + label if label != 'filed page' else label:<20}{'anonymous':<11}"
                f"{'':>5}{len(figures['sql']):>4}{ms(figures['p50'])}{ms(figures['p95'])}",
                flush=True,
            )
            details.append((label, figures["sql"]))
        complaint, form, minimal = posts["complaint"], posts["form"], posts["minimal"]
        print(
            f"\ncomplaint ÷ form + audit row: p50 {complaint['p50'] / form['p50']:.2f}×, "
            f"p95 {complaint['p95'] / form['p95']:.2f}× (target ≤ 2×); complaint ÷ one INSERT: "
            f"p50 {complaint['p50'] / minimal['p50']:.2f}×\n"
        )
        for label, sql in details:
            print(f"{label}: {summarize(sql)}")
        client, forms = Client(), Complaints()
        for label, url in (
            ("complaint", "/report/"),
            ("form", "/bench/form/"),
            ("minimal", "/bench/insert/"),
        ):
            shares = sql_share(lambda url=url: post(client, url, forms.next()), ARGS.requests)
            *each, (_whole, whole) = shares
            in_sql = sum(took for _kind, took in each)
            print(
                f"\nPOST {label}, median of {ARGS.requests}: {ms(whole, 0)} ms a request, "
                f"{ms(in_sql, 0)} ms in {len(each)} round trips (statements, savepoints, commits), "
                f"{ms(whole - in_sql, 0)} ms elsewhere (Python)"
            )
            for kind, took in each:
                print(f"  {ms(took, 6)}  {kind}")
        if ARGS.profile:
            print("\nProfile of 200 complaint POSTs (cumulative):")
            print(profile_posts())
    finally:
        removed, _by_model = Ticket.objects.filter(id__gte=first_new).delete()
        print(f"\nCleaned up: {removed:,} rows the bench filed (tickets, events, notifications).")


if __name__ == "__main__":
    from generate import city_clock

    with city_clock():  # the app's "now" is the city's
        main()
