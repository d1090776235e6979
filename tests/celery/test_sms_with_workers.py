"""The reporter's SMS with real workers (PostgreSQL and Redis, as in CI): two workers given each
message's task several times over send each message once, and updates written while Redis is
down are sent by the outbox's sweep once it is back."""

import datetime
import json
import logging

import pytest
from django.conf import settings

from cases.models import State
from citymgmt.celery import app
from messaging import sms
from outbox import delivery
from outbox.models import Message, Status
from tests.celery.conftest import needs_postgresql_and_redis, redis_unreachable, wait_for
from tests.messaging.conftest import seed_templates

pytestmark = pytest.mark.worker

DELIVER = "outbox.deliver"
SWEEP = "outbox.deliver_stranded"


@pytest.fixture
def sms_folder(tmp_path, transactional_db, monkeypatch):
    folder = tmp_path / "sms"
    monkeypatch.setattr(settings, "SMS_URL", f"file://{folder}")
    sms.backend_for.cache_clear()
    seed_templates()  # a transactional test starts from empty tables
    return folder


def all_sent(count: int):
    return lambda: Message.objects.filter(status=Status.SENT).count() == count


@needs_postgresql_and_redis
@pytest.mark.django_db(transaction=True)
def test_two_workers_send_each_update_once_however_often_its_task_comes(
    start_worker, make_ticket, sms_folder
):
    workers = [
        start_worker("sms-a", SMS_URL=f"file://{sms_folder}"),
        start_worker("sms-b", SMS_URL=f"file://{sms_folder}"),
    ]
    ticket = make_ticket(State.CLOSED)  # registered, dispatched, resolved, closed: 4 updates
    ids = list(Message.objects.order_by("pk").values_list("pk", flat=True))
    assert len(ids) == 4
    for worker in workers:
        worker.wait_ready()

    for pk in ids * 3:  # a retried task, a redelivery, a task from the sweep: all at once
        app.send_task(DELIVER, args=[pk])
    app.send_task(SWEEP)
    wait_for(all_sent(4), timeout=60, what="the four updates", worker=workers[0])

    assert set(Message.objects.values_list("attempts", flat=True)) == {1}
    files = sorted(sms_folder.glob("sms-*.json"))
    sent = [json.loads(path.read_text()) for path in files]
    assert [record["message_id"] for record in sent] == [f"outbox:{pk}" for pk in ids]
    assert all(ticket.number in record["text"] for record in sent)
    assert all(not worker.exited() for worker in workers)
    logs = "".join(worker.log() for worker in workers)
    assert "failed" not in logs.lower().replace("failed=0", "")


@needs_postgresql_and_redis
@pytest.mark.django_db(transaction=True)
def test_an_update_written_while_redis_is_down_is_sent_by_the_sweep(
    start_worker, make_ticket, sms_folder, caplog
):
    with redis_unreachable(), caplog.at_level(logging.WARNING):
        ticket = make_ticket(State.REGISTERED)
    message = Message.objects.get(ref=f"ticket:{ticket.pk}")
    assert message.status == Status.PENDING
    assert "Broker unreachable, outbox.deliver" in caplog.text

    # Redis is back. The sweep leaves fresh rows to their task; this one waited long enough.
    Message.objects.filter(pk=message.pk).update(
        next_attempt_at=message.next_attempt_at
        - delivery.SWEEP_AFTER
        - datetime.timedelta(minutes=1)
    )
    worker = start_worker("sms-sweep", SMS_URL=f"file://{sms_folder}")
    worker.wait_ready()
    app.send_task(SWEEP)

    wait_for(all_sent(1), timeout=30, what="the stranded update", worker=worker)
    (path,) = sms_folder.glob("sms-*.json")
    record = json.loads(path.read_text())
    assert (record["to"], record["kind"]) == ("13812345678", "ticket_registered")
