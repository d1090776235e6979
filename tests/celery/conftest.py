"""Real Celery workers for the tests in this folder: ``python -m celery -A citymgmt worker``
processes started by the test against the broker and the TEST database the test itself uses.

A worker is another process, so it only sees rows the test has committed: these tests run with
``django_db(transaction=True)``, and on SQLite the test database lives in the test's memory —
the worker tests need PostgreSQL and Redis (CI sets DATABASE_URL and REDIS_URL) and skip
cleanly otherwise. The embedded default (filesystem broker, file SQLite) is exercised by its own
test with a database and broker of its own under a temporary folder.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings

from citymgmt import queue
from citymgmt.celery import app

# The casework cast and make_ticket (tests/cases/conftest.py), shared rather than copied.
from tests.cases.conftest import (  # noqa: F401
    category,
    enforceable_category,
    fast_password_hashing,
    make_ticket,
    media,
    supervisor_quanshan,
)

ROOT = Path(__file__).resolve().parents[2]


def missing_services() -> str:
    """Why real workers cannot share this run's database and broker ('' when they can)."""
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return "needs PostgreSQL (DATABASE_URL): a worker cannot reach the in-memory SQLite test db"
    if not settings.REDIS_URL:
        return "needs Redis (REDIS_URL) as the broker the workers share with the test"
    return ""


needs_postgresql_and_redis = pytest.mark.skipif(bool(missing_services()), reason=missing_services())


def this_tests_database_url() -> str:
    """DATABASE_URL of the database this test runs in (pytest-django's test_… database)."""
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = quote(db["PASSWORD"] or "", safe="")
    credentials = f"{user}:{password}@" if user else ""
    return f"postgres://{credentials}{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def wait_for(
    condition: Callable[[], object],
    *,
    timeout: float,
    what: str,
    worker: "Worker | None" = None,
    interval: float = 0.2,
) -> object:
    """Poll ``condition`` until it is truthy and return its value; fail with the worker's log
    if it does not come within ``timeout`` seconds or the worker dies."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if worker is not None and worker.exited():
            pytest.fail(f"the worker exited while waiting for {what}:\n{worker.log()[-6000:]}")
        if time.monotonic() > deadline:
            log = f"\nworker log:\n{worker.log()[-6000:]}" if worker else ""
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}{log}")
        time.sleep(interval)


class Worker:
    """One ``celery worker`` process (and its pool's children, in a session of their own so
    that a SIGKILL can take the whole worker down at once, as the kernel's OOM killer would)."""

    def __init__(self, name: str, env: dict[str, str], log_path: Path, pool: str, concurrency: int):
        self.hostname = f"{name}-{os.getpid()}@pytest"
        self.log_path = log_path
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "citymgmt",
                "worker",
                f"--pool={pool}",
                f"--concurrency={concurrency}",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
                f"--hostname={self.hostname}",
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def exited(self) -> bool:
        return self.process.poll() is not None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def is_ready(self) -> bool:
        # Logged once the worker consumes from its queue.
        return f"{self.hostname} ready.".encode() in self.log_path.read_bytes()

    def wait_ready(self, timeout: float = 60) -> None:
        wait_for(self.is_ready, timeout=timeout, what=f"{self.hostname} to start", worker=self)

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes: no shutdown code runs."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def close(self) -> None:
        self.kill()
        self._log.close()


def closed_port() -> int:
    """A local TCP port nobody listens on (bound, then released): a stopped server."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def redis_unreachable() -> Iterator[str]:
    """Point this (web) process's cache and Celery publishing at a closed port, as if Redis
    were stopped; the workers keep the real one.

    Celery reads the broker URL when it first opens its connection and producer pools, so the
    pools are dropped on the way in and out."""

    def fresh_pools() -> None:
        app._pool = None
        app.amqp._producer_pool = None

    dead = f"redis://127.0.0.1:{closed_port()}/0"
    cache = {
        "BACKEND": "citymgmt.cache.TolerantRedisCache",
        "LOCATION": dead,
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
    app.conf.broker_write_url = dead
    fresh_pools()
    queue.resume()
    try:
        with override_settings(CACHES={"default": cache}):
            yield dead
    finally:
        app.conf.broker_write_url = None
        fresh_pools()
        queue.resume()  # the broker is back: the next publish tries it


@pytest.fixture
def worker_env(transactional_db) -> dict[str, str]:
    """The environment of a worker sharing this test's database and broker (update it to
    change a setting in the workers only)."""
    env = os.environ.copy()
    env["DATABASE_URL"] = this_tests_database_url()
    env["REDIS_URL"] = settings.REDIS_URL
    env.pop("EMAIL_URL", None)
    env["PYTHONUNBUFFERED"] = "1"
    return env


@pytest.fixture
def start_worker(worker_env, tmp_path) -> Iterator[Callable[..., Worker]]:
    """``start_worker(name, pool="prefork", concurrency=2, **env)``: a running worker, stopped
    (or killed) when the test ends — before the test database is emptied."""
    started: list[Worker] = []

    def start(name: str, *, pool: str = "prefork", concurrency: int = 2, **env: str) -> Worker:
        worker = Worker(
            name,
            {**worker_env, **env},
            tmp_path / f"worker-{name}-{len(started)}.log",
            pool,
            concurrency,
        )
        started.append(worker)
        return worker

    yield start
    # The test has seen what it waited for; nothing a worker does from here on is under test,
    # so it is killed at once (a warm shutdown costs seconds a test) before the db is emptied.
    for worker in started:
        worker.close()
    if settings.REDIS_URL:
        # A killed worker's reserved messages wait in kombu's "unacked" hash until the
        # visibility timeout; a later test's worker must not run them against its database.
        conn = app.connection_for_write()
        try:
            client = conn.default_channel.client
            client.delete("unacked", "unacked_index", "unacked_mutex")
            app.control.purge()
        finally:
            conn.release()
