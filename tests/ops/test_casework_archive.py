"""A month's casework exported as JSON comes back field for field: export, delete, import."""

import datetime
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext

from cases import services
from cases.models import (
    DailySequence,
    ExtensionRequest,
    Photo,
    ReopenRequest,
    Route,
    State,
    Ticket,
    TicketEvent,
)
from ops.archive import export_month
from residents import services as resident_services

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
SEPT_15 = datetime.datetime(2026, 9, 15, 10, 0, tzinfo=SHANGHAI)  # a Tuesday
OCT_2 = datetime.datetime(2026, 10, 8, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def september(make_ticket, officer_gulou, supervisor_gulou):
    """Five September tickets that touch every archived row kind, and one October ticket."""
    with time_machine.travel(SEPT_15, tick=True):
        closed = make_ticket(State.CLOSED)
        rated = resident_services.rate_ticket(
            code=closed.tracking_code, satisfaction=2, comment="又堆起来了"
        )
        assert ReopenRequest.objects.filter(ticket=rated).exists()
        referred = make_ticket(State.REFERRED)
        enforcing = make_ticket(State.ENFORCEMENT)
        working = make_ticket(State.IN_PROGRESS)
        services.request_extension(
            actor=officer_gulou, ticket_id=working.pk, extra_hours=4, reason="需要调机械"
        )
        copy = make_ticket(State.REPORTED)
        services.reject_ticket(
            actor=supervisor_gulou,
            ticket_id=copy.pk,
            reason="duplicate",
            note="重复上报",
            duplicate_of_number=referred.number,
        )
    with time_machine.travel(OCT_2, tick=True):
        make_ticket(State.REGISTERED, route=Route.DISPATCH)
    return [closed.number, referred.number, enforcing.number, working.number, copy.number]


def rows(model: type[Model], ticket: Ticket, events: dict[int, int]) -> list[dict]:
    """A child table's rows without their own ids; a photo's event by its place in the trail."""
    result = []
    for row in model.objects.filter(ticket=ticket).order_by("pk").values():
        row.pop("id")
        row.pop("ticket_id")
        if "event_id" in row:
            row["event_id"] = events.get(row["event_id"])
        result.append(row)
    return result


def snapshot(numbers: list[str]) -> dict[str, dict]:
    """Every stored column of the tickets and their rows, read straight from the tables."""
    result = {}
    for ticket in Ticket.objects.filter(number__in=numbers).select_related("duplicate_of"):
        row = {
            f.attname: getattr(ticket, f.attname)
            for f in Ticket._meta.concrete_fields
            if f.attname != "id"
        }
        row["duplicate_of_id"] = ticket.duplicate_of.number if ticket.duplicate_of else None
        trail = ticket.events.order_by("pk").values_list("pk", flat=True)
        events = {pk: i for i, pk in enumerate(trail)}
        for name, model in [
            ("events", TicketEvent),
            ("photos", Photo),
            ("extension_requests", ExtensionRequest),
            ("reopen_requests", ReopenRequest),
        ]:
            row[name] = rows(model, ticket, events)
        result[ticket.number] = row
    return result


def delete_tickets(numbers: list[str]) -> None:
    Ticket.objects.filter(number__in=numbers).update(duplicate_of=None)
    Ticket.objects.filter(number__in=numbers).delete()


def test_a_months_casework_round_trips_field_by_field(september, tmp_path, capsys):
    before = snapshot(september)
    assert len(before) == 5
    assert before[september[0]]["satisfaction"] == 2  # the rating is on the ticket
    assert before[september[0]]["photos"] and before[september[0]]["reopen_requests"]
    assert before[september[3]]["extension_requests"]
    assert before[september[4]]["duplicate_of_id"] == september[1]
    archive = tmp_path / "2026-09.json"

    call_command("casework_archive", "export", "--month", "2026-09", "--out", str(archive))
    data = json.loads(archive.read_text(encoding="utf-8"))
    assert sorted(t["number"] for t in data["tickets"]) == sorted(september)  # not October's
    assert data["photo_files_included"] is False
    assert "13812345678" in archive.read_text(encoding="utf-8")  # contact details: keep it safe

    delete_tickets(september)
    DailySequence.objects.filter(day=datetime.date(2026, 9, 15)).delete()
    assert not Ticket.objects.filter(number__in=september).exists()
    call_command("casework_archive", "import", str(archive))
    assert "Created 5 tickets." in capsys.readouterr().out

    after = snapshot(september)
    for number in september:
        assert after[number] == before[number], number
    # The day's next number will not collide with the ones loaded (its row was gone).
    assert DailySequence.objects.get(day=datetime.date(2026, 9, 15)).last == 5


def test_importing_twice_changes_nothing_and_reports_the_skipped(september, tmp_path, capsys):
    archive = tmp_path / "sept.json"
    call_command("casework_archive", "export", "--month", "2026-09", "--out", str(archive))
    before = snapshot(september)
    counts = [m.objects.count() for m in (Ticket, TicketEvent, Photo, ReopenRequest)]

    call_command("casework_archive", "import", str(archive))
    call_command("casework_archive", "import", str(archive))

    out = capsys.readouterr().out
    assert out.count("Created 0 tickets.") == 2
    assert f"Skipped 5 tickets already in the database: {september[0]}" in out
    assert [m.objects.count() for m in (Ticket, TicketEvent, Photo, ReopenRequest)] == counts
    assert snapshot(september) == before


def test_an_archive_naming_an_unknown_officer_loads_nothing(september, tmp_path):
    archive = tmp_path / "sept.json"
    call_command("casework_archive", "export", "--month", "2026-09", "--out", str(archive))
    data = json.loads(archive.read_text(encoding="utf-8"))
    data["tickets"][-1]["assignee"] = "GL9-999"
    archive.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    delete_tickets(september)

    with pytest.raises(CommandError, match="GL9-999"):
        call_command("casework_archive", "import", str(archive))
    assert not Ticket.objects.filter(number__in=september).exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("reported_at", "yesterday"), ("satisfaction", 9), ("tracking_code", None), ("lat", "北")],
)
def test_a_tampered_archive_loads_nothing_and_says_which_ticket(september, tmp_path, field, value):
    archive = tmp_path / "sept.json"
    call_command("casework_archive", "export", "--month", "2026-09", "--out", str(archive))
    data = json.loads(archive.read_text(encoding="utf-8"))
    data["tickets"][-1][field] = value
    archive.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    delete_tickets(september)

    with pytest.raises(CommandError, match=data["tickets"][-1]["number"]):
        call_command("casework_archive", "import", str(archive))
    assert not Ticket.objects.filter(number__in=september).exists()
    assert not TicketEvent.objects.filter(ticket__number__in=september).exists()


def test_a_month_with_no_tickets_exports_an_empty_archive(db, tmp_path):
    archive = tmp_path / "empty.json"
    call_command("casework_archive", "export", "--month", "2019-01", "--out", str(archive))
    assert json.loads(archive.read_text(encoding="utf-8"))["tickets"] == []


@pytest.mark.parametrize("month", ["2026-13", "2026-9", "september", "0000-01", "2026-09-01", ""])
def test_a_bad_month_is_refused_with_a_clear_message(db, month):
    with pytest.raises(CommandError, match="2026-09"):
        call_command("casework_archive", "export", "--month", month)


@pytest.mark.parametrize(
    "content",
    ["not json", "[]", '{"format": "something else"}', '{"format": "citymgmt.casework-archive"}'],
)
def test_a_file_that_is_not_an_archive_is_refused(db, tmp_path, content):
    path = tmp_path / "x.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("casework_archive", "import", str(path))


def test_a_missing_file_is_refused(db, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("casework_archive", "import", str(tmp_path / "nowhere.json"))


def test_exporting_a_month_takes_the_same_queries_for_one_ticket_or_many(make_ticket):
    def queries_to_export() -> int:
        with CaptureQueriesContext(connection) as context:
            export_month("2026-09")
        return len(context.captured_queries)

    with time_machine.travel(SEPT_15, tick=True):
        make_ticket(State.CLOSED)
        one = queries_to_export()
        for state in (State.CLOSED, State.REFERRED, State.IN_PROGRESS, State.REJECTED):
            make_ticket(state)
    assert len(export_month("2026-09")["tickets"]) == 5
    assert queries_to_export() == one <= 6
