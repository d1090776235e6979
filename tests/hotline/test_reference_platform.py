"""End to end with the reference platform as a separate process (``python -m hotline.reference``):
it pushes an order, the ticket goes through the casework services, and every write-back reaches
it signed, once, in order; a platform down for a while loses nothing and gets nothing twice."""

import datetime
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from cases import services
from cases.models import State, Ticket
from outbox import delivery
from outbox.models import Message, Status
from tests.factories import processed_photo
from tests.hotline.conftest import SECRET, drain, order_body

ROOT = Path(__file__).resolve().parents[2]


class Reference:
    """The reference platform in its own process, restartable on the same port and store."""

    def __init__(self, port: int, app_url: str, store: Path) -> None:
        self.port, self.app_url, self.store = port, app_url, store
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")]))
        env = {**os.environ, "PYTHONPATH": path}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "hotline.reference", "--port", str(self.port),
             "--app", self.app_url, "--secret", SECRET, "--store", str(self.store)],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(self.process.stderr.read().decode() if self.process.stderr else "")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def get(self, path: str) -> dict:
        with urllib.request.urlopen(self.url + path, timeout=10) as response:
            return json.loads(response.read())

    def push(self, kind: str, body: dict) -> dict:
        request = urllib.request.Request(
            f"{self.url}/push/{kind}",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    def received(self) -> list[dict]:
        return self.get("/received.json")["received"]


@pytest.fixture
def reference(connector, platform_port, tmp_path, request):
    app_url = (
        request.getfixturevalue("live_server").url
        if "live_server" in request.fixturenames
        else "http://127.0.0.1:9"
    )
    platform = Reference(platform_port, app_url, tmp_path / "received.jsonl")
    platform.start()
    yield platform
    platform.stop()


def work_to_closure(ticket: Ticket, supervisor, officer, note: str) -> None:
    services.dispatch_ticket(actor=supervisor, ticket_id=ticket.pk, officer_id=officer.officer.pk)
    services.start_ticket(actor=officer, ticket_id=ticket.pk)
    services.resolve_ticket(
        actor=officer, ticket_id=ticket.pk, note=note, photos=[processed_photo()]
    )
    services.verify_ticket(actor=supervisor, ticket_id=ticket.pk, passed=True, note="")


@pytest.mark.django_db(transaction=True)
def test_an_order_runs_its_whole_course_with_the_platform(
    live_server, reference, garbage, gulou_community, supervisor_gulou, officer_gulou, media
):
    order = order_body(order_id="GD-E2E-1")
    first = reference.push("order", dict(order))
    again = reference.push("order", dict(order))

    assert first["status"] == again["status"] == 200
    assert first["body"] == again["body"]
    ticket = Ticket.objects.get()
    assert ticket.number == first["body"]["ticket"]

    services.register_ticket(actor=supervisor_gulou, ticket_id=ticket.pk)
    drain()
    assert [item["type"] for item in reference.received()] == ["order.accepted"]

    work_to_closure(ticket, supervisor_gulou, officer_gulou, "已清运，现场恢复整洁")
    drain()
    completed = reference.received()[-1]["payload"]
    assert completed["type"] == "order.completed"
    assert completed["data"]["order_id"] == "GD-E2E-1"
    assert completed["data"]["text"] == "已清运，现场恢复整洁"
    [link] = completed["data"]["photos"]
    photo = Client().get(link.removeprefix("http://testserver"))
    assert photo.status_code == 200 and photo["Content-Type"].startswith("image/")

    callback = reference.push(
        "callback", {"order_id": "GD-E2E-1", "satisfied": False, "text": "又堆起来了"}
    )
    assert callback["status"] == 200
    ticket.refresh_from_db()
    assert ticket.state == State.REGISTERED

    work_to_closure(ticket, supervisor_gulou, officer_gulou, "再次清运")
    drain()
    listing = reference.get("/received.json")
    assert [item["type"] for item in listing["received"]] == [
        "order.accepted",
        "order.completed",
        "order.completed",
    ]
    assert listing["received"][-1]["payload"]["data"]["text"] == "再次清运"
    assert listing["refused"] == 0 and listing["repeats"] == 0


@pytest.mark.django_db
def test_the_platform_down_for_a_while_loses_nothing_sends_nothing_twice_keeps_order(
    connector, platform_port, tmp_path, garbage, gulou_community, supervisor_gulou
):
    from hotline.services import receive_order

    orders = [receive_order(**order_body(order_id=f"GD-DOWN-{n}"))[0] for n in (1, 2)]
    for order in orders:
        services.register_ticket(actor=supervisor_gulou, ticket_id=order.ticket_id)
    services.reject_ticket(
        actor=supervisor_gulou,
        ticket_id=orders[0].ticket_id,
        reason="out_of_scope",
        note="不属于城管职责",
        expected_state=State.REGISTERED,
    )
    # The platform is down: each order's first message fails and waits; the later one waits
    # behind it.
    outcomes = drain()
    assert "retry" in outcomes and "sent" not in outcomes
    messages = list(Message.objects.filter(channel="hotline").order_by("pk"))
    assert [m.status for m in messages] == [Status.PENDING] * 3
    assert messages[2].attempts == 0  # held back by its order's first message

    platform = Reference(platform_port, "http://127.0.0.1:9", tmp_path / "received.jsonl")
    platform.start()
    try:
        later = timezone.now() + datetime.timedelta(hours=1)
        drain(now=later)
        # A worker killed while sending: the sweep hands the message out again; the platform
        # discards the repeat by its webhook-id.
        first = messages[0]
        Message.objects.filter(pk=first.pk).update(
            status=Status.SENDING, claimed_at=timezone.now() - datetime.timedelta(hours=1)
        )
        assert first.pk in delivery.stranded(now=later)
        delivery.send(first.pk, now=later + datetime.timedelta(minutes=1))
        assert platform.get("/received.json")["repeats"] == 1
        platform.stop()
        platform.start()  # restarted: it still knows what it received
        listing = platform.get("/received.json")
    finally:
        platform.stop()

    assert Message.objects.filter(channel="hotline", status=Status.SENT).count() == 3
    received = listing["received"]
    assert len(received) == 3
    by_order: dict[str, list[str]] = {}
    for item in received:
        by_order.setdefault(item["payload"]["data"]["order_id"], []).append(item["type"])
    assert by_order == {
        "GD-DOWN-1": ["order.accepted", "order.returned"],
        "GD-DOWN-2": ["order.accepted"],
    }
    returned = received[[i["type"] for i in received].index("order.returned")]["payload"]["data"]
    assert returned["reason"] == "out_of_scope" and returned["text"] == "不属于城管职责"
