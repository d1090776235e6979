"""Build the benchmark city on PostgreSQL: the demo city, N tickets over M months, daily logs.

    DATABASE_URL=postgres://…/citymgmt_bench .venv/bin/python bench/generate.py \
        [--tickets 1000000] [--months 24] [--today 2026-11-22]

The city is built as of a fixed moment, ``--today`` at 18:00 local time (default: the day of the
first published run, 22 Nov 2026), not the calendar day it happens to run: the demo seed, the
months' shares, the open backlog, "this month" and the daily logs all count from it, and every
month's draw is a hash of each candidate's identity (not random()), so two builds make the same
city, row for row. The moment is stored in the
database (table ``bench_city``); bench/run.py travels to it (time-machine) so the app's "now" —
overdue tickets, red clocks, this month — is the city's.

Give it a database of its own. It migrates, seeds the demo city when there is none (3 districts,
31 streets, 254 communities, ~2,600 grid cells, 212 officers, ~2,000 tickets made through the real
services over the last 90 days), then fills the casebook to N tickets, month by month, in SQL on
the server (``INSERT … SELECT``: nothing crosses the wire but the statements):

- **tickets**: each generated ticket is a demo ticket moved back by a whole number of weeks (so
  weekdays, working hours and the deadlines computed from them stay true) to a random moment of
  its month. It keeps its source's category, grid cell, community, assignee, source, route and
  outcome, so the mixes are the demo's (sources: patrol ~55 %, 12345 ~15 %, residents ~15 %;
  ~80 % of patrol finds fixed on site) and the workflow's invariants hold (a closed ticket has its
  milestones in order). Past months take only finished sources (closed, rejected): a ticket left
  open for months is a backlog no city carries; the current month takes all of them, so open work
  is what a city turning over in days would have. Overdue sources are drawn a third more often,
  which brings the overdue share from the demo's ~8 % to ~10 %.
- **events**: each generated ticket gets its source's first and last event (the report and how it
  ended): ~2 events a ticket.
- **daily logs**: one for every officer on every duty day of the M months (postings and the
  official calendar, as ``patrols.duty`` decides), nine in ten handed in.

Each month is one transaction, tagged by its tickets' tracking codes (``BENCH<kk>-…``), so an
interrupted build resumes where it stopped, and a finished one is a no-op; a month found with the
wrong count (another N) is rebuilt. Ends with ``VACUUM (ANALYZE)`` of the tables it filled.
"""

import argparse
import datetime as dt
import math
import os
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citymgmt.settings")

import django
import time_machine

django.setup()
warnings.filterwarnings("ignore", "No directory at", UserWarning)

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import DateTimeField  # noqa: E402
from django.utils import timezone  # noqa: E402

from cases.models import CLOCK_STATES, OPEN_STATES, State, Ticket, TicketEvent  # noqa: E402
from citymgmt.months import month_start, next_month  # noqa: E402
from grids.models import GridCell  # noqa: E402
from patrols.duty import DayKind, day_kind  # noqa: E402
from patrols.models import DailyLog, LogStatus  # noqa: E402

TAG = "BENCH"
FINISHED = (State.CLOSED, State.REJECTED)
# Overdue sources are drawn once more when (id mod 3 = 0): ~8 % → ~10 % overdue.
OVERDUE_EXTRA = 3
# Candidates a month, as a multiple of its target: whole-week moves land up to 3.5 days from the
# drawn moment, and those outside the month (or, this month, not yet happened) are dropped.
CANDIDATES = 1.6
LOG_SUMMARY = "bench: generated log"
# Open work at any moment: this many days' intake (the demo's ~45 open of ~22 a day is two).
BACKLOG_DAYS = 2.5
# The city's "today" unless --today says otherwise: the day of the first published run.
TODAY = dt.date(2026, 11, 22)
# The time of day the city stands still at, local time: after the day's work, as a run at the
# end of a working day sees it.
CLOCK = dt.time(18, 0)
CITY_TABLE = "bench_city"


def tag(k: int) -> str:
    """The tracking-code prefix of month k (0 = this month): BENCH00-, BENCH01-, …"""
    return f"{TAG}{k:02d}-"


def prepare_database() -> float:
    """Migrate and seed the demo city when there is none; returns seconds spent."""
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    if not GridCell.objects.exists():
        print("No grid cells: seeding the demo city…", flush=True)
        call_command("seed_demo", verbosity=0)
    return time.perf_counter() - started


def months(count: int, now: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
    """[start, end) of this month (ending now) and the count − 1 before it, local midnights."""
    first = month_start(timezone.localdate(now))
    spans = []
    for k in range(count):
        day = first
        for _i in range(k):
            day = month_start(day - dt.timedelta(days=1))
        start = timezone.make_aware(dt.datetime.combine(day, dt.time()))
        end = timezone.make_aware(dt.datetime.combine(next_month(day), dt.time()))
        spans.append((start, min(end, now)))
    return spans


def targets(total: int, spans: list[tuple[dt.datetime, dt.datetime]]) -> list[int]:
    """Tickets a month: the casebook's missing tickets shared out by each month's days (this
    month's counted to the end of today, so the shares, and a rerun's no-op, hold all day)."""
    sources = Ticket.objects.exclude(number__regex=r"-\d{6}$").count()
    missing = max(total - sources, 0)
    days = [math.ceil((end - start).total_seconds() / 86400) for start, end in spans]
    shares = [math.floor(missing * d / sum(days)) for d in days]
    shares[0] += missing - sum(shares)  # rounding goes to this month
    return shares


def _ticket_columns() -> tuple[list[str], list[str]]:
    """Columns, and the SELECT expression of each, for a copy of ``src`` moved by ``p.shift``."""
    names, expressions = [], []
    clock = ", ".join(f"'{s}'" for s in CLOCK_STATES)
    for field in Ticket._meta.concrete_fields:
        column = field.column
        if column == "id":
            continue
        if column == "number":
            expression = "p.number"
        elif column == "tracking_code":
            expression = "p.code"
        elif column == "duplicate_of_id":
            # The original is a demo ticket from later on: a copy pointing at it means nothing.
            expression = "NULL"
        elif column == "overdue":
            # Moved back, a running clock may have run out: as the reminder scan would mark it.
            expression = (
                f"src.overdue OR (src.state IN ({clock}) AND src.deadline + p.shift < %(now)s)"
            )
        elif column == "updated_at":
            # The demo's rows were all saved as the seed ran: no later than now.
            expression = "LEAST(src.updated_at + p.shift, %(now)s)"
        elif isinstance(field, DateTimeField):
            expression = f"src.{column} + p.shift"
        else:
            expression = f"src.{column}"
        names.append(column)
        expressions.append(expression)
    return names, expressions


def _latest(alias: str) -> str:
    """The latest moment of a ticket's life: its milestones (not its deadlines, which may lie
    ahead, nor ``updated_at``: the demo's rows were all saved as the seed ran)."""
    columns = [
        f"{alias}.{f.column}"
        for f in Ticket._meta.concrete_fields
        if isinstance(f, DateTimeField) and f.column not in ("deadline", "warn_at", "updated_at")
    ]
    return f"GREATEST({', '.join(columns)})"


# A uniform draw in [0, 1) from a candidate's identity (source, which pool, which copy, month):
# the same on every build, whatever order the rows come in (random() follows the plan's row
# order, which follows the statistics ANALYZE samples).
UNIFORM = (
    "(hashtextextended(concat_ws(':', {key}, %(k)s), 0)::numeric / 18446744073709551616 + 0.5)"
    "::float8"
)

PLAN_SQL = """
CREATE TEMPORARY TABLE bench_plan ON COMMIT DROP AS
WITH pool AS (
    SELECT id, reported_at, {latest} AS latest, false AS recent, 0 AS draw FROM cases_ticket t
    WHERE number !~ '-\\d{{6}}$' AND (%(current)s OR state = ANY(%(finished)s))
    UNION ALL
    SELECT id, reported_at, {latest}, false, 1 FROM cases_ticket t
    WHERE number !~ '-\\d{{6}}$' AND (%(current)s OR state = ANY(%(finished)s))
      AND overdue AND id %% {extra} = 0
    UNION ALL
    -- This month, open work again, in its last week: the backlog of a city this size.
    SELECT id, reported_at, {latest}, true, 2 FROM cases_ticket t
    WHERE number !~ '-\\d{{6}}$' AND %(current)s AND NOT state = ANY(%(finished)s)
      AND state <> %(resolved)s
), drawn AS (
    SELECT pool.id AS src_id, pool.reported_at, pool.latest, pool.draw, copy.i,
           make_interval(weeks => round(extract(epoch FROM
               CASE WHEN recent THEN %(end)s - interval '7 days' * {when}
                    ELSE %(start)s + (%(end)s - %(start)s) * {when} END
               - pool.reported_at) / 604800)::int
           ) AS shift
    FROM pool
    CROSS JOIN LATERAL generate_series(
        1, CASE WHEN recent THEN %(open_copies)s ELSE %(copies)s END
    ) AS copy(i)
), kept AS (
    SELECT src_id, shift, reported_at + shift AS reported_at FROM drawn
    WHERE reported_at + shift >= %(start)s AND reported_at + shift < %(end)s
      AND latest + shift <= %(now)s
    ORDER BY {order}, src_id, draw, i LIMIT %(target)s
), numbered AS (
    SELECT src_id, shift, reported_at,
           row_number() OVER (ORDER BY reported_at, src_id) AS n,
           row_number() OVER (
               PARTITION BY (reported_at AT TIME ZONE %(tz)s)::date ORDER BY reported_at, src_id
           ) AS of_day
    FROM kept
)
SELECT src_id, shift, of_day,
       %(tag)s || lpad(n::text, 6, '0') AS code,
       'XZ' || to_char(reported_at AT TIME ZONE %(tz)s, 'YYYYMMDD') || '-' || %(prefix)s
           || lpad(of_day::text, 4, '0') AS number
FROM numbered
"""

# The report and how it ended: each source's first and last event (one, if it has one).
TRAIL_SQL = """
CREATE TEMPORARY TABLE bench_trail ON COMMIT DROP AS
SELECT DISTINCT ticket_id AS src_id, unnest(ARRAY[
    first_value(id) OVER (PARTITION BY ticket_id ORDER BY created_at, id),
    first_value(id) OVER (PARTITION BY ticket_id ORDER BY created_at DESC, id DESC)
]) AS event_id
FROM cases_ticketevent WHERE ticket_id IN (SELECT src_id FROM bench_plan)
"""

EVENTS_SQL = """
INSERT INTO cases_ticketevent (action, from_state, to_state, public_note, internal_note, data,
                               created_at, actor_id, ticket_id)
SELECT e.action, e.from_state, e.to_state, e.public_note, e.internal_note, e.data,
       e.created_at + p.shift, e.actor_id, t.id
FROM bench_plan p
JOIN cases_ticket t ON t.tracking_code = p.code
JOIN bench_trail tr ON tr.src_id = p.src_id
JOIN cases_ticketevent e ON e.id = tr.event_id
"""


def drop_month(k: int) -> None:
    """Remove a month's tickets and what hangs off them (a build for another N)."""
    like = tag(k) + "%"
    with connection.cursor() as cursor:
        for table in (
            "cases_ticketevent",
            "cases_deadlinereminder",
            "cases_notification",
            "cases_extensionrequest",
        ):
            cursor.execute(
                f"DELETE FROM {table} WHERE ticket_id IN "
                "(SELECT id FROM cases_ticket WHERE tracking_code LIKE %s)",
                [like],
            )
        cursor.execute("DELETE FROM cases_ticket WHERE tracking_code LIKE %s", [like])


def build_month(k: int, start: dt.datetime, end: dt.datetime, target: int, now: dt.datetime) -> int:
    """Month k's tickets and their events, in one transaction; returns events added."""
    names, expressions = _ticket_columns()
    sources = Ticket.objects.exclude(number__regex=r"-\d{6}$")
    if k:
        sources = sources.filter(state__in=FINISHED)
    pool = sources.count()
    # A city clears its work in days: open tickets of about BACKLOG_DAYS days' intake.
    open_sources = sources.exclude(state__in=[*FINISHED, State.RESOLVED]).count()
    daily = target / max((end - start).total_seconds() / 86400, 1)
    # (Drawn among ~CANDIDATES × target candidates, so as many more.)
    open_copies = math.ceil(BACKLOG_DAYS * daily * CANDIDATES / open_sources) if open_sources else 0
    if not pool:
        sys.exit("No demo tickets to copy: run `manage.py seed_demo` on an empty database.")
    params = {
        "current": k == 0,
        "finished": [str(s) for s in FINISHED],
        "start": start,
        "end": end,
        "now": now,
        "copies": math.ceil(target * CANDIDATES / pool) + 1,
        "open_copies": open_copies,
        "resolved": str(State.RESOLVED),
        "target": target,
        "k": k,
        "tz": settings.TIME_ZONE,
        "tag": tag(k),
        "prefix": f"{10 + k:02d}",
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            PLAN_SQL.format(
                latest=_latest("t"),
                extra=OVERDUE_EXTRA,
                when=UNIFORM.format(key="pool.id, pool.draw, copy.i, 'when'"),
                order=UNIFORM.format(key="src_id, draw, i, 'order'"),
            ),
            params,
        )
        cursor.execute("SELECT count(*), coalesce(max(of_day), 0) FROM bench_plan")
        planned, busiest_day = cursor.fetchone()
        if planned < target:
            raise RuntimeError(f"month {k}: {planned:,} candidates for {target:,} tickets")
        if busiest_day > 9999:
            # Numbers are XZ<day>-<kk><nnnn>: the URL converter takes at most six digits.
            raise RuntimeError(f"month {k}: {busiest_day:,} tickets in a day; lower --tickets")
        cursor.execute(
            f"INSERT INTO cases_ticket ({', '.join(names)}) "
            f"SELECT {', '.join(expressions)} "
            "FROM bench_plan p JOIN cases_ticket src ON src.id = p.src_id",
            params,
        )
        cursor.execute(TRAIL_SQL)
        cursor.execute(EVENTS_SQL)
        return cursor.rowcount


def build_tickets(total: int, count: int, now: dt.datetime) -> dict[str, float]:
    spans = months(count, now)
    started = time.perf_counter()
    added = events = built = 0
    for k, ((start, end), target) in enumerate(zip(spans, targets(total, spans), strict=True)):
        have = Ticket.objects.filter(tracking_code__startswith=tag(k)).count()
        if have == target:
            continue
        if have:
            drop_month(k)
        month_started = time.perf_counter()
        events += build_month(k, start, end, target, now)
        added += target
        built += 1
        print(
            f"  {timezone.localdate(start):%Y-%m}: {target:,} tickets "
            f"({time.perf_counter() - month_started:.1f} s)",
            flush=True,
        )
    seconds = time.perf_counter() - started
    return {"months": built, "added": added, "events": events, "seconds": seconds}


LOGS_SQL = """
INSERT INTO patrols_dailylog
    (date, status, summary, problems, found, fixed_on_site, referred, enforced, contacts_visited,
     publicity_events, patrol_count, patrol_minutes, distance_m, submitted_at, reviewed_at,
     review_note, updated_at, brigade_id, officer_id, reviewed_by_id, resolved)
SELECT d.day,
       CASE WHEN (o.id + extract(doy FROM d.day)::int) %% 10 = 0 THEN %(draft)s
            WHEN (o.id + extract(doy FROM d.day)::int) %% 3 = 0 THEN %(submitted)s
            ELSE %(approved)s END,
       %(summary)s, '',
       (o.id + extract(doy FROM d.day)::int) %% 5,
       (o.id + extract(doy FROM d.day)::int) %% 4,
       (o.id + extract(doy FROM d.day)::int) %% 2, 0, 1, 0, 2,
       150 + (o.id * 7 + extract(doy FROM d.day)::int) %% 90,
       3000 + (o.id * 13 + extract(doy FROM d.day)::int) %% 4000,
       CASE WHEN (o.id + extract(doy FROM d.day)::int) %% 10 = 0 THEN NULL
            ELSE (d.day + time '18:30') AT TIME ZONE %(tz)s END,
       NULL, '', (d.day + time '18:30') AT TIME ZONE %(tz)s, o.brigade_id, o.id, NULL,
       (o.id + extract(doy FROM d.day)::int) %% 4 + (o.id + extract(doy FROM d.day)::int) %% 2
FROM unnest(%(days)s::date[]) AS d(day)
JOIN grids_assignment a
  ON a.valid_from <= d.day AND (a.valid_to IS NULL OR a.valid_to >= d.day)
 AND (strpos(a.weekdays, extract(isodow FROM d.day)::int::text) > 0
      OR (d.day = ANY(%(makeup)s::date[]) AND a.weekdays ~ '[1-5]'))
JOIN accounts_officer o ON o.id = a.officer_id AND o.brigade_id IS NOT NULL
GROUP BY d.day, o.id, o.brigade_id
ON CONFLICT (officer_id, date) DO NOTHING
"""


def build_logs(count: int, now: dt.datetime) -> dict[str, float]:
    """A daily log for every officer on every duty day of the months (idempotent)."""
    started = time.perf_counter()
    first = timezone.localdate(months(count, now)[-1][0])
    today = timezone.localdate(now)
    days, makeup = [], []
    day = first
    while day < today:
        kind = day_kind(day)
        if kind != DayKind.HOLIDAY:
            days.append(day)
        if kind == DayKind.MAKEUP:
            makeup.append(day)
        day += dt.timedelta(days=1)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            LOGS_SQL,
            {
                "days": days,
                "makeup": makeup,
                "draft": LogStatus.DRAFT.value,
                "submitted": LogStatus.SUBMITTED.value,
                "approved": LogStatus.APPROVED.value,
                "summary": LOG_SUMMARY,
                "tz": settings.TIME_ZONE,
            },
        )
        added = cursor.rowcount
    return {"added": added, "seconds": time.perf_counter() - started}


def city_moment(today: dt.date) -> dt.datetime:
    """The moment the city is built as of (and measured at): ``today`` at CLOCK, local time."""
    return timezone.make_aware(dt.datetime.combine(today, CLOCK))


def record_moment(now: dt.datetime, tickets: int, months_: int) -> None:
    """Keep the city's moment in the database, where bench/run.py finds it."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {CITY_TABLE} "
            "(id int PRIMARY KEY, moment timestamptz NOT NULL, tickets int, months int)"
        )
        cursor.execute(
            f"INSERT INTO {CITY_TABLE} VALUES (1, %s, %s, %s) ON CONFLICT (id) DO UPDATE "
            "SET moment = EXCLUDED.moment, tickets = EXCLUDED.tickets, months = EXCLUDED.months",
            [now, tickets, months_],
        )


def stored_moment() -> dt.datetime | None:
    """The moment bench/generate.py built this city as of, or None (a city built before it
    kept one: measure it at the real time, as then)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [CITY_TABLE])
        if cursor.fetchone()[0] is None:
            return None
        cursor.execute(f"SELECT moment FROM {CITY_TABLE} WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else None


def city_clock() -> "time_machine.travel":
    """Travel to the city's moment, the clock ticking on from there (the real time for a city
    that keeps none): what every script that measures runs in."""
    return time_machine.travel(stored_moment() or timezone.now(), tick=True)


def analyze() -> float:
    """VACUUM (ANALYZE) the filled tables: fresh statistics, and the visibility map set so index-
    only scans work as they do on a casebook that has long been vacuumed."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for model in (Ticket, TicketEvent, DailyLog):
            cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(model._meta.db_table)}")
    return time.perf_counter() - started


def describe() -> str:
    """The mixes the build produced, from the database."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*),
                   count(*) FILTER (WHERE state = ANY(%(open)s)),
                   avg(on_site::int) FILTER (WHERE source = 'patrol'),
                   avg(overdue::int),
                   min(reported_at), max(reported_at)
            FROM cases_ticket
            """,
            {"open": [str(s) for s in OPEN_STATES]},
        )
        total, open_, on_site, overdue, first, last = cursor.fetchone()
        cursor.execute(
            "SELECT source, count(*) FROM cases_ticket GROUP BY source ORDER BY count(*) DESC"
        )
        sources = ", ".join(f"{s} {n / total:.0%}" for s, n in cursor.fetchall())
        cursor.execute("SELECT count(*) FROM cases_ticketevent")
        (events,) = cursor.fetchone()
    logs = DailyLog.objects.count()
    return (
        f"{total:,} tickets ({open_:,} open) reported {timezone.localdate(first)} to "
        f"{timezone.localdate(last)}; {events:,} events ({events / total:.2f} a ticket); "
        f"{logs:,} daily logs\n"
        f"sources: {sources}\n"
        f"patrol finds fixed on site {on_site:.0%}; overdue {overdue:.0%}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=1_000_000, help="casebook size (1,000,000)")
    parser.add_argument("--months", type=int, default=24, help="months of casework (24)")
    parser.add_argument(
        "--today",
        type=dt.date.fromisoformat,
        default=TODAY,
        help=f"the city's today, YYYY-MM-DD ({TODAY}); it stands at {CLOCK:%H:%M} local time",
    )
    args = parser.parse_args()
    if not 1 <= args.months <= 89:
        parser.error("--months is 1 to 89")
    if connection.vendor != "postgresql":
        sys.exit(
            "DATABASE_URL must point at a PostgreSQL database of its own: the benchmark city is "
            "built with PostgreSQL's SQL and the targets are PostgreSQL's (see bench/README.md)."
        )
    now = city_moment(args.today)
    previous = None
    if connection.introspection.table_names():
        previous = stored_moment()
    if previous is not None and previous != now:
        # The demo seed counts from the moment too: another day needs an empty database.
        sys.exit(
            f"This city was built as of {timezone.localtime(previous):%Y-%m-%d %H:%M %Z}: "
            "build another day's city in an empty database."
        )
    # The whole build happens at the city's moment, the demo seed's services included (their
    # "last 90 days" are the city's). The seed runs with the clock stopped, so its timestamps
    # (and every copy's) are the same on every build; then it ticks on from there.
    with time_machine.travel(now, tick=False):
        seed_s = prepare_database()
    with time_machine.travel(now, tick=True):
        tickets = build_tickets(args.tickets, args.months, now)
        logs = build_logs(args.months, now)
        record_moment(now, args.tickets, args.months)
        vacuum_s = analyze() if tickets["added"] or logs["added"] else 0.0
    print(f"city as of {timezone.localtime(now):%Y-%m-%d %H:%M %Z}")
    print(
        f"\nmigrate/seed {seed_s:.1f} s; {tickets['added']:,} tickets + {tickets['events']:,} "
        f"events in {tickets['months']} months, {tickets['seconds']:.1f} s; "
        f"{logs['added']:,} daily logs {logs['seconds']:.1f} s; VACUUM ANALYZE {vacuum_s:.1f} s"
    )
    print(describe())


if __name__ == "__main__":
    main()
