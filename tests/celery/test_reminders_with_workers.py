"""The Celery issue's proofs with real parts: worker processes started here, consuming from Redis
and writing to the PostgreSQL test database (CI), and once on the embedded default (filesystem
broker, SQLite file). Reminders are sent once however many scans and workers run, a broker
that is down costs nobody their complaint, a worker killed mid-scan leaves nothing half-written,
and e-mail to a dead mail server is retried and then given up cleanly."""

import contextlib
import datetime
import logging
import os
import sqlite3
import subprocess
import sys
import time

import pytest
from django.db import models
from django.db.models import Count, Exists, OuterRef, Subquery
from django.test import Client
from django.utils import timezone

from cases.models import State, Ticket, new_tracking_code
from citymgmt.celery import app
from citymgmt.queue import publish
from grids.geometry import offset
from notifications import delivery, reminders
from notifications.models import DeadlineReminder, EmailStatus, NoticeKind, Notification
from notifications.tasks import send_deadline_reminders
from ops.models import TaskRun
from tests.celery.conftest import (
    ROOT,
    Worker,
    closed_port,
    needs_postgresql_and_redis,
    redis_unreachable,
    wait_for,
)
from tests.factories import ORIGIN

pytestmark = pytest.mark.worker  # real worker processes: `make test` runs them after the rest

SCAN = "cases.tasks.send_deadline_reminders"
SWEEP = "cases.tasks.deliver_stranded_emails"
MINUTE = datetime.timedelta(minutes=1)


def put_past_deadline(ticket: Ticket, ago: datetime.timedelta = MINUTE) -> None:
    """Move the ticket's clock so its deadline passed ``ago`` (committed: the test runs in
    real transactions); the escalation point (150%) stays hours away."""
    deadline = timezone.now() - ago
    Ticket.objects.filter(pk=ticket.pk).update(
        deadline=deadline, warn_at=deadline - datetime.timedelta(hours=1)
    )


def scans_finished() -> int:
    return TaskRun.objects.filter(task=SCAN).values_list("runs", flat=True).first() or 0


def kinds_for(user) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user).order_by("pk").values_list("kind", flat=True)
    )


def overdue(make_ticket) -> Ticket:
    """A 鼓楼 ticket dispatched to officer_gulou whose deadline passed a minute ago."""
    ticket = make_ticket(State.DISPATCHED)
    Notification.objects.all().delete()  # the dispatch's own notices are not the subject here
    put_past_deadline(ticket)
    return ticket


@needs_postgresql_and_redis
@pytest.mark.django_db(transaction=True)
def test_three_scans_in_two_workers_tell_officer_and_supervisor_once(
    start_worker, make_ticket, officer_gulou, supervisor_gulou, command_supervisor
):
    workers = [start_worker("scan-a"), start_worker("scan-b")]  # booting while the data is made
    ticket = overdue(make_ticket)
    for worker in workers:
        worker.wait_ready()

    for _ in range(3):
        app.send_task(SCAN)
    wait_for(lambda: scans_finished() >= 3, timeout=60, what="three scans", worker=workers[0])

    assert kinds_for(officer_gulou) == [NoticeKind.OVERDUE]
    assert kinds_for(supervisor_gulou) == [NoticeKind.OVERDUE]
    assert kinds_for(command_supervisor) == []  # 150% is hours away
    reminder = DeadlineReminder.objects.get()
    assert (reminder.ticket_id, reminder.kind, reminder.recipients) == (
        ticket.pk,
        NoticeKind.OVERDUE,
        2,
    )
    assert Ticket.objects.get(pk=ticket.pk).overdue
    run = TaskRun.objects.get(task=SCAN)
    assert (run.runs, run.failures, run.succeeded) == (3, 0, True)
    assert all(not worker.exited() for worker in workers)
    ran = sum(worker.log().count(f"{SCAN}[") for worker in workers)
    assert ran == 2 * 3  # each scan "received" and "succeeded" once: no retry, no redelivery


def complaint(category) -> dict[str, str]:
    lng, lat = offset(*ORIGIN, 50, 50)  # inside 黄楼社区's grid 001
    return {
        "category": str(category.pk),
        "description": "楼下垃圾堆了三天，味道很大",
        "lat": f"{lat:.6f}",
        "lng": f"{lng:.6f}",
        "address": "黄楼街道菜场西口",
        "reporter_name": "刘女士",
        "reporter_phone": "13812345678",
        "consent": "on",
        "website": "",
        "follows": "",
    }


@needs_postgresql_and_redis
@pytest.mark.django_db(transaction=True)
def test_a_complaint_filed_while_redis_is_down_is_saved_and_its_work_follows_later(
    start_worker,
    make_ticket,
    category,
    officer_gulou,
    supervisor_gulou,
    settings,
    tmp_path,
    caplog,
):
    dispatched = make_ticket(State.DISPATCHED)
    Notification.objects.all().delete()
    settings.EMAIL_ENABLED = True  # so filing the complaint DOES publish a delivery task
    supervisor_gulou.email = "zhao@example.org"
    supervisor_gulou.save(update_fields=["email"])

    with redis_unreachable(), caplog.at_level(logging.WARNING):
        started = time.monotonic()
        response = Client().post("/report/", complaint(category), follow=True)
        elapsed = time.monotonic() - started
        # Meanwhile the dispatched ticket's deadline passes, and beat's tick is lost too.
        put_past_deadline(dispatched)
        assert publish(send_deadline_reminders) is False

    filed = Ticket.objects.exclude(pk=dispatched.pk).get()
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == f"/track/{filed.tracking_code}/filed/"
    assert filed.tracking_code in response.content.decode()
    assert elapsed < 10, f"a dead Redis held the request {elapsed:.1f} s"
    assert "Broker unreachable, cases.tasks.deliver_email" in caplog.text
    assert "Broker unreachable, cases.tasks.send_deadline_reminders" in caplog.text
    assert "Cache unreachable" in caplog.text  # the cache was down too, and nobody minded
    told = Notification.objects.get(recipient=supervisor_gulou, ticket=filed)
    assert (told.email_status, told.email_claimed_at) == (EmailStatus.PENDING, None)
    assert not DeadlineReminder.objects.exists()

    # The broker is back. The sweep leaves fresh rows to their own task: this one has waited
    # longer than SWEEP_AFTER (the worker's clock cannot be moved, so its row is made older).
    Notification.objects.filter(pk=told.pk).update(
        created_at=told.created_at - delivery.SWEEP_AFTER - MINUTE
    )
    mailbox = tmp_path / "mail"
    worker = start_worker("recover", EMAIL_URL=f"file://{mailbox}")
    worker.wait_ready()
    app.send_task(SWEEP)
    app.send_task(SCAN)

    wait_for(
        lambda: Notification.objects.filter(pk=told.pk, email_status=EmailStatus.SENT).exists(),
        timeout=30,
        what="the stranded e-mail to be sent",
        worker=worker,
    )
    mails = [path.read_text() for path in mailbox.iterdir()]
    assert any(
        "To: zhao@example.org" in mail and f"/notifications/{told.pk}/" in mail for mail in mails
    )
    wait_for(lambda: scans_finished() >= 1, timeout=30, what="the scan", worker=worker)
    assert kinds_for(officer_gulou) == [NoticeKind.OVERDUE]
    assert NoticeKind.OVERDUE in kinds_for(supervisor_gulou)
    assert DeadlineReminder.objects.get().ticket_id == dispatched.pk


def copies_of(ticket: Ticket, count: int) -> list[Ticket]:
    """``count`` more tickets like ``ticket`` (same officer, brigade and clock), in one INSERT:
    enough work for a scan to be killed in the middle of."""
    rows = []
    for i in range(count):
        row = Ticket.objects.get(pk=ticket.pk)
        row.pk = None
        row._state.adding = True
        row.number = f"{ticket.number[:14]}K{i:03d}"
        row.tracking_code = new_tracking_code()
        rows.append(row)
    return Ticket.objects.bulk_create(rows)


def assert_no_step_is_half_written() -> None:
    """Every reminder row has exactly the notifications it counts, every reminder notification
    has its row, and every ticket told it is overdue is flagged overdue."""
    told = (
        Notification.objects.filter(ticket=OuterRef("ticket"), kind=OuterRef("kind"))
        .values("ticket")
        .annotate(n=Count("pk"))
        .values("n")
    )
    mismatched = DeadlineReminder.objects.annotate(told=Subquery(told)).exclude(
        told=models.F("recipients")
    )
    assert not mismatched.exists(), list(mismatched.values("ticket", "recipients", "told"))
    assert DeadlineReminder.objects.exclude(recipients=2).count() == 0
    orphans = Notification.objects.filter(kind__in=reminders.STEPS).exclude(
        Exists(DeadlineReminder.objects.filter(ticket=OuterRef("ticket"), kind=OuterRef("kind")))
    )
    assert not orphans.exists()
    unflagged = Ticket.objects.filter(overdue=False, reminders__kind=NoticeKind.OVERDUE)
    assert not unflagged.exists()


@needs_postgresql_and_redis
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_scan_leaves_no_half_step_and_the_next_scan_finishes(
    start_worker, make_ticket, officer_gulou, supervisor_gulou
):
    # One ticket a batch: the scan takes seconds, long enough to be killed in the middle.
    doomed = start_worker("doomed", pool="solo", concurrency=1, CITYMGMT_REMINDER_BATCH="1")
    first = overdue(make_ticket)
    tickets = [first, *copies_of(first, 79)]
    doomed.wait_ready()
    app.send_task(SCAN)
    wait_for(
        lambda: DeadlineReminder.objects.count() >= 5,
        timeout=30,
        what="the scan to be under way",
        worker=doomed,
        interval=0.02,
    )
    doomed.kill()

    done = DeadlineReminder.objects.count()
    assert 5 <= done < len(tickets), "the scan finished before it could be killed"
    assert_no_step_is_half_written()
    assert scans_finished() == 0  # the killed run never reported an end

    # With acks_late the killed message waits in Redis's "unacked" set and comes back only
    # after the visibility timeout (30 minutes): what recovers sooner is the next beat tick,
    # which a fresh scan stands in for here.
    survivor = start_worker("survivor", pool="solo", concurrency=1)
    survivor.wait_ready()
    app.send_task(SCAN)
    wait_for(lambda: scans_finished() >= 1, timeout=60, what="the next scan", worker=survivor)

    assert_no_step_is_half_written()
    assert DeadlineReminder.objects.filter(kind=NoticeKind.OVERDUE).count() == len(tickets)
    assert Ticket.objects.filter(overdue=True).count() == len(tickets)
    each = Notification.objects.values("recipient").annotate(n=Count("pk"))
    assert {row["recipient"]: row["n"] for row in each} == {
        officer_gulou.pk: len(tickets),
        supervisor_gulou.pk: len(tickets),
    }


@needs_postgresql_and_redis
@pytest.mark.django_db(transaction=True)
def test_email_to_a_dead_mail_server_is_retried_then_given_up_and_the_worker_lives_on(
    start_worker, make_ticket, officer_gulou, supervisor_gulou
):
    worker = start_worker(
        "mail",
        EMAIL_URL=f"smtp://127.0.0.1:{closed_port()}",
        CITYMGMT_EMAIL_MAX_RETRIES="3",
        CITYMGMT_EMAIL_RETRY_SECONDS="1",
    )
    officer_gulou.email = "wang@example.org"
    officer_gulou.save(update_fields=["email"])
    ticket = overdue(make_ticket)
    worker.wait_ready()
    # The worker's scan writes the overdue notice and queues its e-mail (EMAIL_URL is set in
    # the worker only), which fails, is retried after 1 s and 2 s, and is then given up.
    app.send_task(SCAN)

    note = wait_for(
        lambda: Notification.objects.filter(
            recipient=officer_gulou, kind=NoticeKind.OVERDUE, email_status=EmailStatus.FAILED
        ).first(),
        timeout=45,
        what="the e-mail to be given up",
        worker=worker,
    )
    assert note.email_attempts == 3
    assert note.emailed_at is None
    assert (note.ticket_id, note.read_at) == (ticket.pk, None)  # the in-app notice stands
    assert "failed (attempt 3, giving up)" in worker.log()
    # Given up means given up: no fourth attempt, and the worker still answers.
    time.sleep(2.5)
    assert Notification.objects.get(pk=note.pk).email_attempts == 3
    assert app.control.ping(destination=[worker.hostname], timeout=5)
    assert not worker.exited()


EMBEDDED_CITY = """
from django.conf import settings
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # test users

import datetime
from django.utils import timezone
from cases import services
from cases.models import Category, Source, Ticket
from notifications.models import Notification
from grids.geometry import offset
from tests.factories import (ORIGIN, AssignmentFactory, BrigadeFactory, CommunityFactory,
    GridCellFactory, OfficerFactory, UserFactory, square)

brigade = BrigadeFactory(code="gl1", name="鼓楼执法监督一大队")
community = CommunityFactory(name="黄楼社区", brigade=brigade)
GridCellFactory(community=community, code="001", boundary=square(0, 0))
officer = OfficerFactory(brigade=brigade, user__username="officer", user__display_name="王建国")
AssignmentFactory(officer=officer, community=community,
    grid_cells=list(community.grid_cells.all()), weekdays="1234567")
chief = UserFactory(username="chief", unit=brigade, roles=["supervisor"], display_name="赵队长")
lng, lat = offset(*ORIGIN, 50, 50)
ticket = services.create_ticket(actor=None, source=Source.RESIDENT,
    category=Category.objects.get(kind="event", code="0102"), description="垃圾堆了三天",
    lat=lat, lng=lng, reporter_name="刘女士", reporter_phone="13812345678")
services.register_ticket(actor=chief, ticket_id=ticket.pk)
services.dispatch_ticket(actor=chief, ticket_id=ticket.pk, officer_id=officer.pk)
Notification.objects.all().delete()
deadline = timezone.now() - datetime.timedelta(minutes=1)
Ticket.objects.filter(pk=ticket.pk).update(
    deadline=deadline, warn_at=deadline - datetime.timedelta(hours=1))

from citymgmt.celery import app
app.send_task("cases.tasks.send_deadline_reminders")
print(ticket.pk, officer.user_id, chief.pk)
"""


def test_the_embedded_default_runs_the_scan_through_the_filesystem_broker(tmp_path):
    """No Redis, no PostgreSQL: the SQLite file and the filesystem broker under
    CITYMGMT_VAR_DIR, shared by a "web" process (migrate, the city, the task sent) and a
    worker, as ``make run`` starts them."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "DATABASE_URL", "EMAIL_URL", "DJANGO_SETTINGS_MODULE"}
    }
    database = tmp_path / "db.sqlite3"
    env |= {
        "CITYMGMT_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{database}",
        "PYTHONUNBUFFERED": "1",
    }
    # The worker boots while the database is migrated; it polls the broker's folder.
    worker = Worker("embedded", env, tmp_path / "worker.log", pool="solo", concurrency=1)
    try:
        web = subprocess.run(
            [
                sys.executable,
                "manage.py",
                "shell",
                "-c",
                "from django.core.management import call_command\n"
                "call_command('migrate', verbosity=0)\n" + EMBEDDED_CITY,
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert web.returncode == 0, web.stderr[-3000:]
        ticket_id, officer_id, chief_id = map(int, web.stdout.split()[-3:])

        def told() -> list[tuple[int, str]]:
            with contextlib.closing(sqlite3.connect(database, timeout=20)) as db:
                return db.execute(
                    "SELECT recipient_id, kind FROM cases_notification WHERE ticket_id = ?"
                    " ORDER BY recipient_id",
                    [ticket_id],
                ).fetchall()

        wait_for(told, timeout=60, what="the reminder in the embedded inbox", worker=worker)
        wait_for(lambda: len(told()) >= 2, timeout=10, what="both notifications", worker=worker)
        assert sorted(told()) == sorted([(officer_id, "overdue"), (chief_id, "overdue")])
    finally:
        worker.close()
