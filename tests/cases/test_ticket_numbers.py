"""Public ticket numbers: XZYYYYMMDD-NNNN, counted per day on Xuzhou's calendar."""

import datetime
import re
import threading
import zoneinfo

import pytest
import time_machine
from django.db import close_old_connections, connection

from cases.models import Category, DailySequence, Source, Ticket
from cases.numbers import next_number
from cases.services import create_ticket
from tests.factories import CommunityFactory

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NUMBER = re.compile(r"^XZ\d{8}-\d{4}$")


def at(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SHANGHAI)


def file_one(supervisor) -> Ticket:
    return create_ticket(
        actor=supervisor,
        source=Source.HOTLINE,
        category=Category.objects.get(kind="event", code="0102"),
        description="楼下垃圾桶满了",
        community=CommunityFactory(brigade=supervisor.unit, code="320302001001"),
    )


def test_a_ticket_gets_a_number_of_the_day_it_was_filed(supervisor_gulou):
    with time_machine.travel(at(2026, 11, 21, 9, 30), tick=False):
        ticket = file_one(supervisor_gulou)
    assert NUMBER.match(ticket.number)
    assert ticket.number == "XZ20261121-0001"


def test_numbers_count_up_within_a_day(supervisor_gulou):
    with time_machine.travel(at(2026, 11, 21, 9, 30), tick=False):
        numbers = [file_one(supervisor_gulou).number for _ in range(3)]
    assert numbers == ["XZ20261121-0001", "XZ20261121-0002", "XZ20261121-0003"]


def test_the_count_restarts_the_next_day(supervisor_gulou):
    with time_machine.travel(at(2026, 11, 21, 23, 59), tick=False):
        file_one(supervisor_gulou)
        late = file_one(supervisor_gulou)
    with time_machine.travel(at(2026, 11, 22, 0, 0, 30), tick=False):
        early = file_one(supervisor_gulou)
    assert late.number == "XZ20261121-0002"
    assert early.number == "XZ20261122-0001"
    assert DailySequence.objects.get(day=datetime.date(2026, 11, 21)).last == 2
    assert DailySequence.objects.get(day=datetime.date(2026, 11, 22)).last == 1


def test_the_day_is_xuzhous_day_not_utcs(supervisor_gulou):
    # 16:30 UTC on the 21st is half past midnight on the 22nd in Xuzhou.
    with time_machine.travel(datetime.datetime(2026, 11, 21, 16, 30, tzinfo=datetime.UTC)):
        ticket = file_one(supervisor_gulou)
    assert ticket.number.startswith("XZ20261122-")


def test_a_day_with_more_than_9999_tickets_still_gets_unique_numbers(db):
    DailySequence.objects.create(day=datetime.date(2026, 11, 21), last=9_998)
    numbers = [next_number(datetime.date(2026, 11, 21)) for _ in range(3)]
    assert numbers == ["XZ20261121-9999", "XZ20261121-10000", "XZ20261121-10001"]
    assert all(len(n) <= Ticket._meta.get_field("number").max_length for n in numbers)


def test_many_tickets_in_a_row_get_unique_consecutive_numbers(supervisor_gulou):
    with time_machine.travel(at(2026, 11, 21, 10, 0), tick=False):
        numbers = [file_one(supervisor_gulou).number for _ in range(120)]
    assert len(set(numbers)) == 120
    assert numbers == [f"XZ20261121-{n:04d}" for n in range(1, 121)]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers; the race matters where requests run in parallel",
)
def test_numbers_taken_at_the_same_instant_by_many_connections_are_unique():
    day = datetime.date(2026, 11, 21)
    taken: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def take() -> None:
        try:
            start.wait()
            for _ in range(25):
                taken.append(next_number(day))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(taken) == [f"XZ20261121-{n:04d}" for n in range(1, 201)]
    assert DailySequence.objects.get(day=day).last == 200
