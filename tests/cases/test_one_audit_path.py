"""Every ticket event production code writes goes through ``cases.audit.record_event`` (which
tells the listeners: the inbox rows, the cached tab counts). Only seeders of past history and the
archive's restore insert event rows themselves, and say why."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WRITER = re.compile(r"(?<!class )TicketEvent(\.objects\.(create|bulk_create|get_or_create)|\()")
# Past history, not new events: demo seeders and the archive's restore (see their comments).
ALLOWED = {"cases/audit.py", "ops/archive.py"}
NOT_PRODUCTION = ("demo/", "bench/", "tests/", ".venv/")


def test_only_the_audit_writer_creates_ticket_events_in_production_code():
    writers = set()
    for path in ROOT.rglob("*.py"):
        name = path.relative_to(ROOT).as_posix()
        if name.startswith(NOT_PRODUCTION) or "/migrations/" in name or name in ALLOWED:
            continue
        if WRITER.search(path.read_text(encoding="utf-8")):
            writers.add(name)
    assert writers == set(), f"write ticket events through cases.audit.record_event: {writers}"


def test_the_check_finds_a_direct_writer():
    assert WRITER.search("event = TicketEvent.objects.create(ticket=ticket)")
    assert WRITER.search("TicketEvent(ticket=ticket)")
    assert not WRITER.search("TicketEvent.objects.filter(ticket=ticket)")
    assert not WRITER.search("class TicketEvent(models.Model):")
