"""Each transition of the ticket declares the fields it writes (``@writes``), once, and the
services save exactly those: a transition that sets a field it does not declare would lose it at
``save(update_fields=…)``. Every transition is run here from every state it leaves, on a ticket
whose every field holds a value the transition would change, and what changed is compared with
the declaration. No database: the transitions touch only the ticket in memory."""

import datetime
import inspect
import zoneinfo

import pytest

from accounts.models import Officer, Unit
from cases.deadlines import Clock
from cases.models import Category, RejectReason, Route, State, Ticket
from cases.step_clocks import Step
from cases.transitions import ClockSetting, declared_writes, saved_fields

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 11, 16, 9, 0, tzinfo=SHANGHAI)
EARLIER = NOW - datetime.timedelta(days=2)
LATER = NOW + datetime.timedelta(days=3)

TRANSITIONS = sorted(
    name for name, member in inspect.getmembers(Ticket) if hasattr(member, "_django_fsm")
)


def sources(name: str) -> list[str]:
    return sorted(getattr(Ticket, name)._django_fsm.transitions)


def arguments(name: str) -> dict:
    """Arguments unlike anything already on the ticket, so whatever they set shows as changed."""
    clock = ClockSetting(
        budget_minutes=999, natural=True, started_at=NOW, warn_at=NOW, deadline=LATER
    )
    step = Clock(started_at=NOW, deadline=LATER, warn_at=NOW)
    return {
        "register": {
            "at": NOW,
            "dispatch_clock": step,
            "category": Category(pk=2, code="0102"),
            "priority": "urgent",
        },
        "reject": {"reason": RejectReason.DUPLICATE, "at": NOW, "duplicate_of": Ticket(pk=99)},
        "dispatch": {"officer": Officer(pk=7), "at": NOW, "clock": clock},
        "refer": {"unit": Unit(pk=8), "person": "王科长", "at": NOW, "clock": clock},
        "enforce": {"officer": Officer(pk=7), "at": NOW, "clock": clock},
        "accept": {"at": NOW},
        "start": {"at": NOW},
        "request_extension": {"at": NOW},
        "decide_extension": {"deadline": LATER, "warn_at": NOW, "time_budget_minutes": 999},
        "resolve": {"at": NOW, "verify_clock": step},
        "conclude": {"at": NOW, "verify_clock": step},
        "verify_pass": {"at": NOW},
        "verify_fail": {"at": NOW, "clock": clock},
        "send_back": {"dispatch_clock": step},
        "reopen": {"dispatch_clock": step},
        "send_for_field_check": {"officer": Officer(pk=9), "at": NOW},
        "field_check_pass": {"at": NOW},
        "field_check_fail": {"at": NOW, "clock": clock},
    }.get(name, {})


def full_ticket(state: str, name: str) -> Ticket:
    """A ticket with a value in every field a transition could reset, meeting its conditions."""
    ticket = Ticket(
        state=state,
        category=Category(pk=1, code="0101", enforceable=True),
        priority="normal",
        route=Route.DISPATCH,
        assignee_id=1,
        responsible_unit_id=2,
        responsible_person="李主任",
        time_budget_minutes=240,
        natural_time=False,
        clock_started_at=EARLIER,
        warn_at=EARLIER,
        deadline=EARLIER,
        clock_paused_at=EARLIER,
        overdue=False,
        rework_count=0,
        duplicate_of_id=3,
        reject_reason=RejectReason.INVALID,
        on_site=True,
        registered_at=EARLIER,
        dispatched_at=EARLIER,
        referred_at=EARLIER,
        accepted_at=EARLIER,
        started_at=EARLIER,
        resolved_at=EARLIER,
        closed_at=EARLIER,
        rejected_at=EARLIER,
        field_checker_id=4,
        field_check_sent_at=EARLIER,
        **{f"{step}_{part}_at": EARLIER for step in Step for part in ("warn", "due", "done")},
    )
    if name in ("accept", "request_extension"):
        ticket.accepted_at = ticket.clock_paused_at = None
    if name == "reopen":
        ticket.closed_at = datetime.datetime.now(tz=SHANGHAI)
    return ticket


def values(ticket: Ticket) -> dict:
    return {
        f.attname: f.value_from_object(ticket)
        for f in Ticket._meta.concrete_fields
        if f.name not in ("state", "updated_at")
    }


def test_every_transition_declares_what_it_writes():
    assert TRANSITIONS, "no transitions found on Ticket"
    concrete = {f.name for f in Ticket._meta.concrete_fields}
    for name in TRANSITIONS:
        assert hasattr(getattr(Ticket, name), "writes"), f"{name} has no @writes declaration"
        assert set(declared_writes(name)) <= concrete, name
        assert saved_fields(name)[:2] == ["state", "updated_at"]


@pytest.mark.parametrize(
    ("name", "source"), [(name, source) for name in TRANSITIONS for source in sources(name)]
)
def test_a_transition_changes_only_the_fields_it_declares(name, source):
    ticket = full_ticket(source, name)
    before = values(ticket)
    getattr(ticket, name)(**arguments(name))
    after = values(ticket)
    changed = {field for field in before if before[field] != after[field]} - {"id"}
    declared = {Ticket._meta.get_field(f).attname for f in declared_writes(name)}
    assert changed <= declared, f"{name} from {source} sets undeclared {changed - declared}"


def test_the_check_sees_a_field_set_without_declaration():
    """The comparison is not blind: an undeclared write shows up."""
    ticket = full_ticket(State.DISPATCHED, "start")
    before = values(ticket)
    ticket.start(at=NOW)
    ticket.rework_count = 5  # as if ``start`` had set it
    changed = {field for field in before if before[field] != values(ticket)[field]}
    assert "rework_count" in changed
    assert "rework_count" not in declared_writes("start")
