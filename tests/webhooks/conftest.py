"""Webhooks: the casework fixtures of tests/cases/conftest.py, shared, and a reference receiver
run as its own process."""

import json
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.cases.conftest import (  # noqa: F401  the casework cast and make_ticket, shared
    category,
    enforceable_category,
    fast_password_hashing,
    handler_municipal,
    make_ticket,
    media,
    officer_gulou_colleague,
    supervisor_quanshan,
)
from webhooks.models import Endpoint, EventType, new_secret


@dataclass
class Receiver:
    url: str
    secret: str
    process: subprocess.Popen

    def received(self) -> list[dict]:
        with urllib.request.urlopen(self.url + "received.json", timeout=5) as answer:
            return json.load(answer)["received"]

    def refused(self) -> int:
        with urllib.request.urlopen(self.url + "received.json", timeout=5) as answer:
            return json.load(answer)["refused"]

    def answer_with(self, status: int) -> None:
        request = urllib.request.Request(
            self.url + "control", data=json.dumps({"status": status}).encode(), method="POST"
        )
        urllib.request.urlopen(request, timeout=5).close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """``python -m webhooks.receiver`` on a free port, verifying with its own secret."""
    secret = new_secret()
    process = subprocess.Popen(
        [sys.executable, "-m", "webhooks.receiver", "--port", "0", "--secret", secret],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        url = line.split(" on ", 1)[1].strip()
        yield Receiver(url, secret, process)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def endpoint(db, receiver) -> Endpoint:
    return Endpoint.objects.create(
        name="运管服平台",
        url=receiver.url + "hook",
        secret=receiver.secret,
        events=[choice.value for choice in EventType],
    )
