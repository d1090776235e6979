"""The clocks on the desk steps (cases.step_clocks): 受理/立案 from the report, 派遣 from the
registration, 核查 from the reported fix, each in working time on the official calendar, under
the category's limits, started and ended by the transitions that start and end the step."""

import datetime
import zoneinfo

import pytest
import time_machine

from cases import services, step_clocks
from cases.models import Route, State, Ticket
from tests.factories import processed_photo

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# The last working afternoon before National Day 2026 (1–7 October off, 8 October back).
EVE_OF_NATIONAL_DAY = datetime.datetime(2026, 9, 30, 17, 0, tzinfo=SHANGHAI)
MONDAY_MORNING = datetime.datetime(2026, 11, 16, 9, 0, tzinfo=SHANGHAI)


def at(moment: datetime.datetime):
    return time_machine.travel(moment, tick=False)


def local(value: datetime.datetime) -> datetime.datetime:
    return value.astimezone(SHANGHAI)


def test_a_report_filed_before_national_day_is_due_for_registration_after_the_holiday(
    make_ticket,
):
    with at(EVE_OF_NATIONAL_DAY):
        ticket = make_ticket(State.REPORTED)
    # 60 working minutes: 17:00–17:30 on 30 September, then 08:30–09:00 on 8 October.
    assert local(ticket.register_due_at) == datetime.datetime(2026, 10, 8, 9, 0, tzinfo=SHANGHAI)
    # 80% (48 minutes): 30 before the holiday, 18 after it.
    assert local(ticket.register_warn_at) == datetime.datetime(2026, 10, 8, 8, 48, tzinfo=SHANGHAI)
    assert ticket.register_done_at is None


def test_a_fix_reported_before_national_day_is_due_for_verification_after_the_holiday(
    make_ticket, supervisor_gulou, officer_gulou
):
    with at(EVE_OF_NATIONAL_DAY - datetime.timedelta(hours=1)):
        ticket = make_ticket(State.IN_PROGRESS)
        services.resolve_ticket(
            actor=officer_gulou, ticket_id=ticket.pk, note="已清运", photos=[processed_photo()]
        )
    ticket.refresh_from_db()
    # 120 working minutes from 16:00: 90 before the holiday, 30 after it.
    assert local(ticket.verify_due_at) == datetime.datetime(2026, 10, 8, 9, 0, tzinfo=SHANGHAI)


def test_registration_ends_its_clock_and_starts_the_dispatch_clock(make_ticket, supervisor_gulou):
    with at(MONDAY_MORNING):
        ticket = make_ticket(State.REPORTED)
    registered = MONDAY_MORNING + datetime.timedelta(minutes=20)
    with at(registered):
        services.register_ticket(actor=supervisor_gulou, ticket_id=ticket.pk)
    ticket.refresh_from_db()
    assert ticket.register_done_at == registered
    assert ticket.register_done_at <= ticket.register_due_at
    assert ticket.dispatch_due_at == registered + datetime.timedelta(minutes=60)
    assert ticket.dispatch_warn_at == registered + datetime.timedelta(minutes=48)
    assert ticket.dispatch_done_at is None


def test_the_category_limits_set_the_clocks(make_ticket, category, supervisor_gulou):
    category.register_minutes = 30
    category.dispatch_minutes = 15
    category.save(update_fields=["register_minutes", "dispatch_minutes"])
    with at(MONDAY_MORNING):
        ticket = make_ticket(State.REGISTERED)
    assert ticket.register_due_at == MONDAY_MORNING + datetime.timedelta(minutes=30)
    assert ticket.dispatch_due_at == MONDAY_MORNING + datetime.timedelta(minutes=15)


def test_rejecting_a_report_decides_its_registration(make_ticket, supervisor_gulou):
    with at(MONDAY_MORNING):
        ticket = make_ticket(State.REJECTED)
    assert ticket.register_done_at == MONDAY_MORNING
    assert ticket.dispatch_due_at is None


@pytest.mark.parametrize("route", [Route.DISPATCH, Route.REFER, Route.ENFORCE])
def test_each_route_ends_the_dispatch_clock(make_ticket, route):
    state = {
        Route.DISPATCH: State.DISPATCHED,
        Route.REFER: State.REFERRED,
        Route.ENFORCE: State.ENFORCEMENT,
    }[route]
    with at(MONDAY_MORNING):
        ticket = make_ticket(state, route=route)
    assert ticket.dispatch_done_at == MONDAY_MORNING
    assert ticket.verify_due_at is None


def test_a_returned_ticket_gets_a_fresh_dispatch_clock(make_ticket, officer_gulou):
    with at(MONDAY_MORNING):
        ticket = make_ticket(State.DISPATCHED)
    back = MONDAY_MORNING + datetime.timedelta(hours=2)
    with at(back):
        services.return_ticket(actor=officer_gulou, ticket_id=ticket.pk, reason="不是本网格")
    ticket.refresh_from_db()
    assert ticket.state == State.REGISTERED
    assert ticket.dispatch_due_at == back + datetime.timedelta(minutes=60)
    assert ticket.dispatch_done_at is None
    assert step_clocks.current(ticket).step == step_clocks.Step.DISPATCH


def test_verification_pass_or_fail_ends_the_verification_clock(make_ticket, supervisor_gulou):
    with at(MONDAY_MORNING):
        passed = make_ticket(State.RESOLVED)
        failed = make_ticket(State.RESOLVED)
    checked = MONDAY_MORNING + datetime.timedelta(minutes=30)
    with at(checked):
        services.verify_ticket(actor=supervisor_gulou, ticket_id=passed.pk, passed=True)
        services.verify_ticket(
            actor=supervisor_gulou, ticket_id=failed.pk, passed=False, note="还有残留"
        )
    for ticket in (passed, failed):
        ticket.refresh_from_db()
        assert ticket.verify_done_at == checked
        assert ticket.verify_due_at == MONDAY_MORNING + datetime.timedelta(minutes=120)
    assert failed.state == State.DISPATCHED
    assert step_clocks.current(failed) is None  # the disposal clock runs again


def test_a_reopened_ticket_waits_for_dispatch_on_a_fresh_clock(make_ticket, supervisor_gulou):
    with at(MONDAY_MORNING):
        ticket = make_ticket(State.CLOSED)
    reopened = MONDAY_MORNING + datetime.timedelta(days=1)
    with at(reopened):
        services.reopen_ticket(actor=supervisor_gulou, ticket_id=ticket.pk, reason="又堆上了")
    ticket.refresh_from_db()
    assert ticket.dispatch_due_at == reopened + datetime.timedelta(minutes=60)
    assert ticket.dispatch_done_at is None


def test_a_patrol_finding_is_registered_at_once_and_waits_for_dispatch(
    make_ticket, category, officer_gulou
):
    from tests.cases.conftest import GULOU_POINT

    with at(MONDAY_MORNING):
        ticket = services.file_patrol_finding(
            actor=officer_gulou,
            category=category,
            description="路边垃圾",
            lat=GULOU_POINT[0],
            lng=GULOU_POINT[1],
        )
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.state == State.REGISTERED
    assert ticket.register_done_at == MONDAY_MORNING
    assert ticket.dispatch_due_at == MONDAY_MORNING + datetime.timedelta(minutes=60)


def test_the_running_clock_follows_the_state(make_ticket):
    with at(MONDAY_MORNING):
        reported = make_ticket(State.REPORTED)
        dispatched = make_ticket(State.DISPATCHED)
        resolved = make_ticket(State.RESOLVED)
    assert step_clocks.current(reported).step == step_clocks.Step.REGISTER
    assert step_clocks.current(dispatched) is None
    assert step_clocks.current(resolved).step == step_clocks.Step.VERIFY
    assert [r.step for r in step_clocks.records(resolved)] == ["register", "dispatch", "verify"]
    assert [r.late for r in step_clocks.records(resolved)] == [False, False, None]
