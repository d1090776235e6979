"""Queue pages a second under gunicorn: 3 sync workers on the machine's cores, a bounded load.

    DATABASE_URL=postgres://…/citymgmt_bench .venv/bin/python bench/throughput_bench.py \
        [--requests 2000] [--concurrency 6] [--user command]

Collects the static files into a scratch folder and starts gunicorn (``citymgmt.wsgi``,
DJANGO_DEBUG=0, 3 workers, as deployed) on a free loopback port, its
workers at the city's moment (``bench_city``: each travels there with time-machine as it forks,
so overdue and red clocks are the city's), logs the user in here (a session in the shared
database or cache; its cookie is sent with every request) and runs a closed-loop load generator
on loopback: ``--concurrency`` threads, each sending its next request when the last one has
answered, ``--requests`` in all after a warm-up of 20 a worker; every answer must be a 200.
Figure: pages a second (requests ÷ wall time) and client-side p50/p95 (nearest rank). The
generator shares the two cores with the server (it costs ~1 ms of CPU a request, against the
page's tens). Target (issue 19): ≥ 40 queue pages a second on 2 cores.
"""

import http.client
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import queue_bench  # sets Django up
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from queue_bench import percentile

from accounts.models import User

ROOT = Path(__file__).resolve().parents[1]
WORKERS = 3
WARM_UP = 20
THROUGHPUT_TARGET = 40

CONFIG = """
import datetime

MOMENT = {moment!r}


def post_fork(server, worker):
    # The worker's clock stands at the city's moment and ticks on from there.
    if MOMENT:
        import time_machine

        time_machine.travel(datetime.datetime.fromisoformat(MOMENT), tick=True).start()
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def session_cookie(username: str) -> str:
    """A logged-in session for ``username`` (as the login page leaves one), its cookie header."""
    client = Client()
    client.force_login(User.objects.get(username=username))
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}"


def start_gunicorn(port: int, moment: Any, workers: int) -> tuple[subprocess.Popen, Path]:
    folder = Path(tempfile.mkdtemp(prefix="bench-gunicorn-"))
    config = folder / "gunicorn_conf.py"
    config.write_text(CONFIG.format(moment=moment.isoformat() if moment else None))
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": settings.SECRET_KEY,  # the session's auth hash is keyed with it
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "STATIC_ROOT": str(folder / "static"),
    }
    # Production serves hashed assets from a manifest: collected once for this server.
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "collectstatic", "--noinput", "-v", "0"],
        env=env,
        cwd=ROOT,
        check=True,
    )
    log = (folder / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "citymgmt.wsgi:application",
            *("--workers", str(workers), "--bind", f"127.0.0.1:{port}"),
            *("--config", str(config), "--chdir", str(ROOT)),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited: see {folder / 'gunicorn.log'}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server, folder
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit(f"gunicorn did not answer in 60 s: see {folder / 'gunicorn.log'}")


def load(port: int, path: str, cookie: str, requests: int, concurrency: int) -> dict[str, Any]:
    """A closed loop: ``concurrency`` threads, ``requests`` requests in all."""
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    remaining = [requests]

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Cookie": cookie, "Host": "127.0.0.1"}
        while True:
            with lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as error:
                conn.close()
                status = repr(error)
            took = time.perf_counter() - started
            with lock:
                latencies.append(took)
                if status != 200:
                    failures.append(str(status))

    threads = [threading.Thread(target=worker) for _i in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {
        "requests": requests,
        "wall": wall,
        "per_second": requests / wall,
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "failures": failures,
    }


def measure_throughput(
    username: str = "command",
    path: str | None = None,
    *,
    requests: int = 2000,
    concurrency: int = 6,
    moment: Any = None,
    workers: int = WORKERS,
) -> dict[str, Any]:
    path = path or reverse("cases:queue")
    cookie = session_cookie(username)
    port = free_port()
    server, folder = start_gunicorn(port, moment, workers)
    try:
        load(port, path, cookie, WARM_UP * workers, concurrency)
        result = load(port, path, cookie, requests, concurrency)
    finally:
        server.terminate()
        server.wait(timeout=30)
    log = (folder / "gunicorn.log").read_text()
    shutil.rmtree(folder)  # the collected static files
    if result["failures"]:
        raise SystemExit(
            f"{len(result['failures'])} of {requests} requests failed "
            f"({sorted(set(result['failures']))[:5]}):\n{log[-2000:]}"
        )
    return {**result, "user": username, "path": path, "concurrency": concurrency}


def main() -> None:
    import argparse

    from generate import stored_moment

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests in all (2000)")
    parser.add_argument("--concurrency", type=int, default=6, help="requests in flight (6)")
    parser.add_argument("--user", default="command", help="whose queue (command)")
    args = parser.parse_args()
    logging.disable(logging.INFO)  # the login's log lines
    queue_bench.require_city()
    moment = stored_moment()
    r = measure_throughput(
        args.user, requests=args.requests, concurrency=args.concurrency, moment=moment
    )
    at = timezone.localtime(moment) if moment else "now"
    print(
        f"{r['path']} as {r['user']} at {at}: {r['per_second']:.1f} pages/s "
        f"({r['requests']} requests, {r['concurrency']} in flight, {WORKERS} gunicorn workers); "
        f"p50 {r['p50'] * 1e3:.0f} ms, p95 {r['p95'] * 1e3:.0f} ms (client side); "
        f"target ≥ {THROUGHPUT_TARGET} pages/s"
    )


if __name__ == "__main__":
    main()
