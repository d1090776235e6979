"""A real Celery worker consumes from the configured broker: Redis when REDIS_URL is set (CI),
the filesystem broker under var/ otherwise (the embedded default)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from citymgmt.celery import app

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.worker  # a real worker process: `make test` runs it after the rest


@pytest.fixture
def worker():
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "citymgmt",
            "worker",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=WARNING",
            "--hostname=pytest-worker@%h",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def test_a_task_sent_to_the_broker_is_run_by_a_worker(worker):
    # celery.accumulate is built in: it returns its arguments, proving broker, worker and
    # result backend are wired together.
    result = app.send_task("celery.accumulate", args=[320311, 10001])
    started = time.monotonic()
    try:
        value = result.get(timeout=60)
    finally:
        if worker.poll() is not None:
            pytest.fail(f"the worker exited early:\n{worker.stdout.read()}")
    assert value == [320311, 10001]
    assert time.monotonic() - started < 60
