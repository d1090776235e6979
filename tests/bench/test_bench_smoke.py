"""The benchmark cannot rot: bench/generate.py builds a small city (20,000 tickets) in a database
of its own, a second build is a no-op, and bench/run.py measures it and prints every figure of
DESIGN §9 with its baseline. The million-ticket run takes minutes and is not part of the tests;
this one runs the same code on PostgreSQL, which the benchmark is for (the generator speaks
PostgreSQL's SQL), so it is skipped on SQLite."""

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the benchmark is built with PostgreSQL's SQL"
)


@pytest.fixture
def bench_database_url():
    """A scratch PostgreSQL database next to the test database, dropped afterwards."""
    url = urlsplit(os.environ["DATABASE_URL"])
    name = f"citymgmt_bench_smoke_{uuid.uuid4().hex[:8]}"
    admin = urlunsplit(url._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(url._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def bench_env(bench_database_url):
    env = {**os.environ, "DATABASE_URL": bench_database_url}
    if os.environ.get("REDIS_URL"):
        # Its own Redis database: tasks the complaints publish must not reach the test workers.
        env["REDIS_URL"] = urlunsplit(urlsplit(os.environ["REDIS_URL"])._replace(path="/13"))
    yield env
    if os.environ.get("REDIS_URL"):
        import redis

        redis.Redis.from_url(env["REDIS_URL"]).flushdb()


def bench(script: str, *args: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,  # a loaded shared machine: the 23 pages, the gunicorn load
    )
    assert done.returncode == 0, f"{script} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.mark.django_db
def test_generate_builds_a_small_city_once_and_run_measures_every_target(bench_env):
    built = bench("generate.py", "--tickets", "20000", "--months", "3", env=bench_env)
    assert "20,000 tickets" in built
    assert "patrol finds fixed on site" in built
    # Built as of the fixed day, whatever the calendar says: reported up to it, not later.
    assert "city as of 2026-11-22 18:00" in built
    assert "to 2026-11-22;" in built

    again = bench("generate.py", "--tickets", "20000", "--months", "3", env=bench_env)
    assert "0 tickets + 0 events in 0 months" in again
    assert "20,000 tickets" in again

    table = bench(
        "run.py",
        *("--requests", "3", "--posts", "3", "--scans", "2", "--runs", "2", "--points", "500"),
        *("--load", "20", "--concurrency", "2"),
        env=bench_env,
    )
    assert "as of 2026-11-22 18:00" in table  # measured at the city's moment
    for figure in (
        "queue a open warm · sup_gl1",
        "queue a open cold · sup_gl1",
        "queue b all+cat warm · command",
        "queue c red+comm cold · command",
        "  cold ÷ warm",
        "mine · busiest officer",
        "unit · busiest handler",
        "shops · command",
        "patrols (leadership) · command",
        "logs to review · sup_gl1",
        "ranking officers · command",
        "complaint POST (no photo)",
        "form + audit row",
        "queue under gunicorn (3 workers",
        "reminder scan, idle",
        "assessment ",
        "assessment, peak memory",
        "locate() (2,6",
        "EXPLAIN (ANALYZE, BUFFERS)",
        "reminder scan, overdue candidates",
        "map communities · sup_gl1",
        "map grids +filter · command",
        "map points · command",
        "screen warm · command",
        "screen cold · sup_gl1",
    ):
        assert figure in table, figure
    assert "The engine's officer figures equal the hand-written SQL's." in table
    # (c) is measured where there is something red to show.
    assert re.search(r"queue c red\+comm warm · sup_gl1 \([1-9][\d,]* red\)", table), table
    # run.py leaves the city as it found it: the complaints it filed are gone.
    after = bench("generate.py", "--tickets", "20000", "--months", "3", env=bench_env)
    assert "20,000 tickets" in after
