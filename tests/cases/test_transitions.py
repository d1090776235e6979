"""Every transition, through its service and (for a few) through the ticket page: the right person
moves the ticket and exactly one audit row says who, from what, to what; the wrong role is
refused, the right role out of scope cannot even find the ticket, and a ticket that has moved on
is a conflict that names it.

Times are in Asia/Shanghai. 2026-11-16 is an ordinary Monday; 暴露垃圾 has 4 working hours, so a
ticket dispatched at 09:00 that Monday is due at 14:30 and turns yellow (80%) at 13:42.
"""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Max
from django.http import Http404

from cases import services
from cases.models import (
    Action,
    ExtensionRequest,
    PhotoKind,
    Priority,
    RejectReason,
    Route,
    State,
    Ticket,
    TicketEvent,
)
from tests.cases.conftest import GULOU_POINT
from tests.factories import UserFactory, jpeg_bytes, processed_photo

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(year, month, day, hour=0, minute=0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


MONDAY_9 = at(2026, 11, 16, 9, 0)


def event_mark() -> int:
    """The newest audit row's id: events after it are the ones the step under test wrote."""
    return TicketEvent.objects.aggregate(last=Max("id"))["last"] or 0


def only_new_event(mark: int) -> TicketEvent:
    events = list(TicketEvent.objects.filter(id__gt=mark).order_by("id"))
    assert len(events) == 1, [(e.ticket_id, e.action) for e in events]
    return events[0]


def assert_unchanged(ticket: Ticket, mark: int) -> None:
    """A refused step leaves the ticket's state alone and writes nothing to the audit trail."""
    assert Ticket.objects.get(pk=ticket.pk).state == ticket.state
    assert not TicketEvent.objects.filter(id__gt=mark).exists()


def assert_event(event: TicketEvent, ticket, actor, action, from_state, to_state) -> None:
    assert (event.ticket_id, event.actor, event.action) == (ticket.pk, actor, action)
    assert (event.from_state, event.to_state) == (from_state, to_state)


# --- register ---------------------------------------------------------------------------------


def test_a_supervisor_registers_a_report_of_their_brigade(make_ticket, supervisor_gulou):
    ticket = make_ticket(State.REPORTED)
    mark = event_mark()
    with time_machine.travel(MONDAY_9, tick=False):
        services.register_ticket(actor=supervisor_gulou, ticket_id=ticket.pk, note="属实，立案")
    ticket.refresh_from_db()
    assert ticket.state == State.REGISTERED
    assert ticket.registered_at == MONDAY_9
    event = only_new_event(mark)
    assert_event(event, ticket, supervisor_gulou, Action.REGISTER, State.REPORTED, State.REGISTERED)
    assert event.public_note == "属实，立案"


def test_registering_can_correct_the_category_and_priority_and_records_the_change(
    make_ticket, supervisor_gulou, enforceable_category
):
    ticket = make_ticket(State.REPORTED)
    mark = event_mark()
    services.register_ticket(
        actor=supervisor_gulou,
        ticket_id=ticket.pk,
        category=enforceable_category,
        priority=Priority.URGENT,
    )
    ticket.refresh_from_db()
    assert (ticket.category, ticket.priority) == (enforceable_category, Priority.URGENT)
    assert only_new_event(mark).data == {
        "category": ["E0102", "E0504"],
        "priority": [Priority.NORMAL, Priority.URGENT],
    }


def test_an_officer_cannot_register_a_report_in_their_own_grid(make_ticket, officer_gulou):
    ticket = make_ticket(State.REPORTED)
    mark = event_mark()
    with pytest.raises(PermissionDenied, match=ticket.number):
        services.register_ticket(actor=officer_gulou, ticket_id=ticket.pk)
    assert_unchanged(ticket, mark)


def test_a_supervisor_of_another_brigade_cannot_find_the_report_to_register(
    make_ticket, supervisor_quanshan
):
    ticket = make_ticket(State.REPORTED)
    mark = event_mark()
    with pytest.raises(Http404):
        services.register_ticket(actor=supervisor_quanshan, ticket_id=ticket.pk)
    assert_unchanged(ticket, mark)


def test_registering_a_ticket_already_registered_is_a_conflict_that_names_it(
    make_ticket, supervisor_gulou
):
    ticket = make_ticket(State.REGISTERED)
    mark = event_mark()
    with pytest.raises(services.TicketConflict, match=ticket.number):
        services.register_ticket(
            actor=supervisor_gulou, ticket_id=ticket.pk, expected_state=State.REPORTED
        )
    assert_unchanged(ticket, mark)


# --- reject -----------------------------------------------------------------------------------


def test_a_supervisor_rejects_an_invalid_report_with_an_explanation(make_ticket, supervisor_gulou):
    ticket = make_ticket(State.REPORTED)
    mark = event_mark()
    with time_machine.travel(MONDAY_9, tick=False):
        services.reject_ticket(
            actor=supervisor_gulou,
            ticket_id=ticket.pk,
            reason=RejectReason.INVALID,
            note="现场核实无垃圾堆放",
        )
    ticket.refresh_from_db()
    assert ticket.state == State.REJECTED
    assert (ticket.reject_reason, ticket.rejected_at) == (RejectReason.INVALID, MONDAY_9)
    assert ticket.duplicate_of is None
    event = only_new_event(mark)
    assert_event(event, ticket, supervisor_gulou, Action.REJECT, State.REPORTED, State.REJECTED)
    assert event.public_note == "现场核实无垃圾堆放"


def test_rejecting_a_duplicate_links_it_to_the_original_and_notes_it_on_the_originals_timeline(
    make_ticket, supervisor_gulou
):
    original = make_ticket(State.DISPATCHED)
    repeat = make_ticket(State.REPORTED)
    mark = event_mark()
    services.reject_ticket(
        actor=supervisor_gulou,
        ticket_id=repeat.pk,
        reason=RejectReason.DUPLICATE,
        note="已有案件在处理",
        duplicate_of_number=original.number,
    )
    repeat.refresh_from_db()
    assert repeat.state == State.REJECTED
    assert (repeat.reject_reason, repeat.duplicate_of) == (RejectReason.DUPLICATE, original)
    rejected, linked = TicketEvent.objects.filter(id__gt=mark).order_by("id")
    assert_event(rejected, repeat, supervisor_gulou, Action.REJECT, State.REPORTED, State.REJECTED)
    assert rejected.data == {"reason": "duplicate", "duplicate_of": original.number}
    assert_event(
        linked,
        original,
        supervisor_gulou,
        Action.DUPLICATE_LINKED,
        State.DISPATCHED,
        State.DISPATCHED,
    )
    assert linked.data == {"duplicate": repeat.number}
    assert Ticket.objects.get(pk=original.pk).state == State.DISPATCHED


def test_a_duplicate_must_name_an_original_the_supervisor_can_see(make_ticket, supervisor_gulou):
    elsewhere = make_ticket(State.REGISTERED, place="quanshan")
    repeat = make_ticket(State.REPORTED)
    mark = event_mark()
    for number in ("", "XZ20991231-0001", elsewhere.number, repeat.number):
        with pytest.raises(ValidationError) as refused:
            services.reject_ticket(
                actor=supervisor_gulou,
                ticket_id=repeat.pk,
                reason=RejectReason.DUPLICATE,
                note="重复",
                duplicate_of_number=number,
            )
        assert "duplicate_of" in refused.value.message_dict
    assert_unchanged(repeat, mark)


def test_a_duplicate_must_point_to_an_original_that_is_still_open(make_ticket, supervisor_gulou):
    # The reporter follows the original: following a rejected report would lead nowhere.
    rejected = make_ticket(State.REJECTED)
    repeat = make_ticket(State.REPORTED)
    mark = event_mark()
    with pytest.raises(ValidationError) as refused:
        services.reject_ticket(
            actor=supervisor_gulou,
            ticket_id=repeat.pk,
            reason=RejectReason.DUPLICATE,
            note="重复",
            duplicate_of_number=rejected.number,
        )
    assert "duplicate_of" in refused.value.message_dict
    assert_unchanged(repeat, mark)


def test_rejecting_needs_a_known_reason_and_an_explanation(make_ticket, supervisor_gulou):
    ticket = make_ticket(State.REPORTED)
    mark = event_mark()
    with pytest.raises(ValidationError) as no_note:
        services.reject_ticket(
            actor=supervisor_gulou, ticket_id=ticket.pk, reason=RejectReason.INVALID, note="  "
        )
    assert "note" in no_note.value.message_dict
    with pytest.raises(ValidationError) as bad_reason:
        services.reject_ticket(
            actor=supervisor_gulou, ticket_id=ticket.pk, reason="dislike", note="不想处理"
        )
    assert "reason" in bad_reason.value.message_dict
    assert_unchanged(ticket, mark)


def test_an_officer_cannot_reject_a_report(make_ticket, officer_gulou):
    ticket = make_ticket(State.REPORTED)
    mark = event_mark()
    with pytest.raises(PermissionDenied):
        services.reject_ticket(
            actor=officer_gulou, ticket_id=ticket.pk, reason=RejectReason.INVALID, note="无"
        )
    assert_unchanged(ticket, mark)


def test_a_supervisor_of_another_brigade_cannot_reject_a_report(make_ticket, supervisor_quanshan):
    ticket = make_ticket(State.REPORTED)
    mark = event_mark()
    with pytest.raises(Http404):
        services.reject_ticket(
            actor=supervisor_quanshan, ticket_id=ticket.pk, reason=RejectReason.INVALID, note="无"
        )
    assert_unchanged(ticket, mark)


def test_a_dispatched_ticket_can_no_longer_be_rejected(make_ticket, supervisor_gulou):
    ticket = make_ticket(State.DISPATCHED)
    mark = event_mark()
    with pytest.raises(services.TicketConflict, match=ticket.number):
        services.reject_ticket(
            actor=supervisor_gulou, ticket_id=ticket.pk, reason=RejectReason.INVALID, note="无"
        )
    assert_unchanged(ticket, mark)


# --- dispatch ---------------------------------------------------------------------------------


def test_a_supervisor_dispatches_a_registered_ticket_to_an_officer_and_the_clock_starts(
    make_ticket, supervisor_gulou, officer_gulou
):
    with time_machine.travel(MONDAY_9, tick=False):
        ticket = make_ticket(State.REGISTERED)
        mark = event_mark()
        services.dispatch_ticket(
            actor=supervisor_gulou,
            ticket_id=ticket.pk,
            officer_id=officer_gulou.officer.pk,
            note="请今天处理",
            expected_state=State.REGISTERED,
        )
    ticket.refresh_from_db()
    assert ticket.state == State.DISPATCHED
    assert (ticket.route, ticket.assignee) == (Route.DISPATCH, officer_gulou.officer)
    assert ticket.responsible_unit is None
    assert ticket.dispatched_at == ticket.clock_started_at == MONDAY_9
    assert (ticket.time_budget_minutes, ticket.natural_time) == (240, False)
    assert ticket.deadline == at(2026, 11, 16, 14, 30)
    assert ticket.warn_at == at(2026, 11, 16, 13, 42)
    assert ticket.clock_paused_at is None
    event = only_new_event(mark)
    assert_event(
        event, ticket, supervisor_gulou, Action.DISPATCH, State.REGISTERED, State.DISPATCHED
    )
    assert event.public_note == "请今天处理"
    assert event.data == {"officer": "GL1-001", "officer_name": str(officer_gulou)}


def test_four_working_hours_dispatched_on_friday_afternoon_fall_due_on_monday_morning(
    make_ticket, supervisor_gulou, officer_gulou
):
    # Friday 16:00-17:30 is 1.5 h; the weekend is off; Monday 08:30 + 2.5 h.
    with time_machine.travel(at(2026, 11, 20, 16, 0), tick=False):
        ticket = make_ticket(State.REGISTERED)
        services.dispatch_ticket(
            actor=supervisor_gulou, ticket_id=ticket.pk, officer_id=officer_gulou.officer.pk
        )
    ticket.refresh_from_db()
    assert ticket.deadline == at(2026, 11, 23, 11, 0)
    assert ticket.warn_at == at(2026, 11, 23, 10, 12)  # 80%: 192 working minutes


def test_an_urgent_ticket_counts_natural_hours_from_dispatch(
    make_ticket, supervisor_gulou, officer_gulou, category
):
    assert category.urgent_hours == 2
    with time_machine.travel(at(2026, 11, 20, 16, 0), tick=False):
        ticket = make_ticket(State.REGISTERED, priority=Priority.URGENT)
        services.dispatch_ticket(
            actor=supervisor_gulou, ticket_id=ticket.pk, officer_id=officer_gulou.officer.pk
        )
    ticket.refresh_from_db()
    assert ticket.natural_time is True
    assert ticket.time_budget_minutes == 120
    assert ticket.deadline == at(2026, 11, 20, 18, 0)  # after office hours: natural time


def test_a_ticket_cannot_be_dispatched_to_an_officer_of_another_brigade(
    make_ticket, supervisor_gulou, officer_quanshan
):
    ticket = make_ticket(State.REGISTERED)
    mark = event_mark()
    with pytest.raises(ValidationError) as refused:
        services.dispatch_ticket(
            actor=supervisor_gulou, ticket_id=ticket.pk, officer_id=officer_quanshan.officer.pk
        )
    assert "officer" in refused.value.message_dict
    assert_unchanged(ticket, mark)


def test_an_officer_cannot_dispatch_a_ticket(make_ticket, officer_gulou):
    ticket = make_ticket(State.REGISTERED)
    mark = event_mark()
    with pytest.raises(PermissionDenied, match=ticket.number):
        services.dispatch_ticket(
            actor=officer_gulou, ticket_id=ticket.pk, officer_id=officer_gulou.officer.pk
        )
    assert_unchanged(ticket, mark)


def test_a_supervisor_of_another_brigade_cannot_dispatch_a_ticket(
    make_ticket, supervisor_quanshan, officer_gulou
):
    ticket = make_ticket(State.REGISTERED)
    mark = event_mark()
    with pytest.raises(Http404):
        services.dispatch_ticket(
            actor=supervisor_quanshan, ticket_id=ticket.pk, officer_id=officer_gulou.officer.pk
        )
    assert_unchanged(ticket, mark)


def test_the_command_centre_may_dispatch_any_brigades_ticket(
    make_ticket, command_supervisor, officer_gulou
):
    ticket = make_ticket(State.REGISTERED)
    mark = event_mark()
    services.dispatch_ticket(
        actor=command_supervisor, ticket_id=ticket.pk, officer_id=officer_gulou.officer.pk
    )
    assert Ticket.objects.get(pk=ticket.pk).state == State.DISPATCHED
    assert only_new_event(mark).actor == command_supervisor


def test_dispatching_a_ticket_someone_has_just_dispatched_is_a_conflict_that_names_it(
    make_ticket, supervisor_gulou, officer_gulou_colleague
):
    ticket = make_ticket(State.DISPATCHED)
    mark = event_mark()
    with pytest.raises(services.TicketConflict, match=ticket.number):
        services.dispatch_ticket(
            actor=supervisor_gulou,
            ticket_id=ticket.pk,
            officer_id=officer_gulou_colleague.officer.pk,
            expected_state=State.REGISTERED,
        )
    assert_unchanged(ticket, mark)
    assert Ticket.objects.get(pk=ticket.pk).assignee.badge_number == "GL1-001"


# --- refer ------------------------------------------------------------------------------------


def test_a_supervisor_refers_a_ticket_to_a_unit_with_the_person_responsible(
    make_ticket, supervisor_gulou, handler_sanitation
):
    with time_machine.travel(MONDAY_9, tick=False):
        ticket = make_ticket(State.REGISTERED)
        mark = event_mark()
        services.refer_ticket(
            actor=supervisor_gulou,
            ticket_id=ticket.pk,
            unit_id=handler_sanitation.unit_id,
            person=" 陈科长 ",
            note="请环卫处清运",
        )
    ticket.refresh_from_db()
    assert ticket.state == State.REFERRED
    assert (ticket.route, ticket.responsible_unit) == (Route.REFER, handler_sanitation.unit)
    assert ticket.responsible_person == "陈科长"
    assert ticket.referred_at == MONDAY_9
    assert ticket.accepted_at is None
    assert ticket.deadline == at(2026, 11, 16, 14, 30)  # the category's 4 working hours
    event = only_new_event(mark)
    assert_event(event, ticket, supervisor_gulou, Action.REFER, State.REGISTERED, State.REFERRED)
    assert event.data == {"unit": "环卫处", "person": "陈科长"}


def test_a_referral_may_set_its_own_deadline(make_ticket, supervisor_gulou, handler_sanitation):
    deadline = at(2026, 11, 18, 17, 30)
    with time_machine.travel(MONDAY_9, tick=False):
        ticket = make_ticket(State.REGISTERED)
        services.refer_ticket(
            actor=supervisor_gulou,
            ticket_id=ticket.pk,
            unit_id=handler_sanitation.unit_id,
            person="陈科长",
            deadline=deadline,
        )
    ticket.refresh_from_db()
    assert ticket.deadline == deadline
    # Monday 09:00-17:30 is 7 h of working time, Tuesday and Wednesday 7.5 h each.
    assert ticket.time_budget_minutes == 7 * 60 + 2 * 450


def test_a_referral_needs_a_person_a_unit_and_a_deadline_in_the_future(
    make_ticket, supervisor_gulou, handler_sanitation, gulou_brigade
):
    with time_machine.travel(MONDAY_9, tick=False):
        ticket = make_ticket(State.REGISTERED)
        mark = event_mark()
        attempts = {
            "person": {"unit_id": handler_sanitation.unit_id, "person": " "},
            "unit": {"unit_id": gulou_brigade.pk, "person": "陈科长"},
            "deadline": {
                "unit_id": handler_sanitation.unit_id,
                "person": "陈科长",
                "deadline": at(2026, 11, 16, 8, 0),
            },
        }
        for field, kwargs in attempts.items():
            with pytest.raises(ValidationError) as refused:
                services.refer_ticket(actor=supervisor_gulou, ticket_id=ticket.pk, **kwargs)
            assert field in refused.value.message_dict
    assert_unchanged(ticket, mark)


def test_an_officer_cannot_refer_a_ticket(make_ticket, officer_gulou, handler_sanitation):
    ticket = make_ticket(State.REGISTERED)
    mark = event_mark()
    with pytest.raises(PermissionDenied):
        services.refer_ticket(
            actor=officer_gulou,
            ticket_id=ticket.pk,
            unit_id=handler_sanitation.unit_id,
            person="陈科长",
        )
    assert_unchanged(ticket, mark)


def test_a_supervisor_of_another_brigade_cannot_refer_a_ticket(
    make_ticket, supervisor_quanshan, handler_sanitation
):
    ticket = make_ticket(State.REGISTERED)
    mark = event_mark()
    with pytest.raises(Http404):
        services.refer_ticket(
            actor=supervisor_quanshan,
            ticket_id=ticket.pk,
            unit_id=handler_sanitation.unit_id,
            person="陈科长",
        )
    assert_unchanged(ticket, mark)


def test_referring_a_report_not_yet_registered_is_a_conflict(
    make_ticket, supervisor_gulou, handler_sanitation
):
    ticket = make_ticket(State.REPORTED)
    mark = event_mark()
    with pytest.raises(services.TicketConflict, match=ticket.number):
        services.refer_ticket(
            actor=supervisor_gulou,
            ticket_id=ticket.pk,
            unit_id=handler_sanitation.unit_id,
            person="陈科长",
        )
    assert_unchanged(ticket, mark)


# --- enforce ----------------------------------------------------------------------------------


def test_a_supervisor_opens_an_enforcement_case_for_an_enforceable_category(
    make_ticket, supervisor_gulou, officer_gulou, enforceable_category
):
    with time_machine.travel(MONDAY_9, tick=False):
        ticket = make_ticket(State.REGISTERED, category=enforceable_category)
        mark = event_mark()
        services.enforce_ticket(
            actor=supervisor_gulou,
            ticket_id=ticket.pk,
            officer_id=officer_gulou.officer.pk,
            note="多次劝导无效",
        )
    ticket.refresh_from_db()
    assert ticket.state == State.ENFORCEMENT
    assert (ticket.route, ticket.assignee) == (Route.ENFORCE, officer_gulou.officer)
    assert ticket.dispatched_at == MONDAY_9
    assert ticket.deadline == at(2026, 11, 16, 11, 0)  # 店外经营: 2 working hours
    event = only_new_event(mark)
    assert_event(
        event, ticket, supervisor_gulou, Action.ENFORCE, State.REGISTERED, State.ENFORCEMENT
    )
    assert event.internal_note == "多次劝导无效"


def test_an_enforcement_case_cannot_be_opened_for_a_category_that_is_not_enforceable(
    make_ticket, supervisor_gulou, officer_gulou, category
):
    assert not category.enforceable
    ticket = make_ticket(State.REGISTERED, category=category)
    mark = event_mark()
    # The supervisor may enforce in general; the step does not apply to this category, which
    # is a ValidationError ("does not apply to ticket …"), not a permission denial.
    with pytest.raises(ValidationError, match=ticket.number):
        services.enforce_ticket(
            actor=supervisor_gulou, ticket_id=ticket.pk, officer_id=officer_gulou.officer.pk
        )
    assert_unchanged(ticket, mark)


def test_an_officer_cannot_open_an_enforcement_case(
    make_ticket, officer_gulou, enforceable_category
):
    ticket = make_ticket(State.REGISTERED, category=enforceable_category)
    mark = event_mark()
    with pytest.raises(PermissionDenied):
        services.enforce_ticket(
            actor=officer_gulou, ticket_id=ticket.pk, officer_id=officer_gulou.officer.pk
        )
    assert_unchanged(ticket, mark)


def test_a_supervisor_of_another_brigade_cannot_open_an_enforcement_case(
    make_ticket, supervisor_quanshan, officer_gulou, enforceable_category
):
    ticket = make_ticket(State.REGISTERED, category=enforceable_category)
    mark = event_mark()
    with pytest.raises(Http404):
        services.enforce_ticket(
            actor=supervisor_quanshan, ticket_id=ticket.pk, officer_id=officer_gulou.officer.pk
        )
    assert_unchanged(ticket, mark)


def test_opening_an_enforcement_case_on_a_dispatched_ticket_is_a_conflict(
    make_ticket, supervisor_gulou, officer_gulou, enforceable_category
):
    ticket = make_ticket(State.DISPATCHED, category=enforceable_category)
    mark = event_mark()
    with pytest.raises(services.TicketConflict, match=ticket.number):
        services.enforce_ticket(
            actor=supervisor_gulou, ticket_id=ticket.pk, officer_id=officer_gulou.officer.pk
        )
    assert_unchanged(ticket, mark)


# --- return -----------------------------------------------------------------------------------


def test_the_assigned_officer_returns_a_ticket_to_registered_with_the_clock_stopped(
    make_ticket, officer_gulou
):
    ticket = make_ticket(State.DISPATCHED)
    mark = event_mark()
    services.return_ticket(actor=officer_gulou, ticket_id=ticket.pk, reason=" 不在我的网格 ")
    ticket.refresh_from_db()
    assert ticket.state == State.REGISTERED
    assert (ticket.route, ticket.assignee) == ("", None)
    assert ticket.deadline is ticket.clock_started_at is ticket.time_budget_minutes is None
    event = only_new_event(mark)
    assert_event(event, ticket, officer_gulou, Action.RETURN, State.DISPATCHED, State.REGISTERED)
    assert event.internal_note == "不在我的网格"


def test_the_units_handler_returns_a_referred_ticket(make_ticket, handler_sanitation):
    ticket = make_ticket(State.REFERRED)
    mark = event_mark()
    services.return_ticket(actor=handler_sanitation, ticket_id=ticket.pk, reason="属市政管辖")
    ticket.refresh_from_db()
    assert ticket.state == State.REGISTERED
    assert (ticket.responsible_unit, ticket.responsible_person) == (None, "")
    event = only_new_event(mark)
    assert_event(event, ticket, handler_sanitation, Action.RETURN, State.REFERRED, State.REGISTERED)
    assert event.data == {"unit": "环卫处"}


def test_returning_a_ticket_needs_a_reason(make_ticket, officer_gulou):
    ticket = make_ticket(State.DISPATCHED)
    mark = event_mark()
    with pytest.raises(ValidationError):
        services.return_ticket(actor=officer_gulou, ticket_id=ticket.pk, reason=" ")
    assert_unchanged(ticket, mark)


def test_an_officer_who_is_not_the_assignee_cannot_return_the_ticket(
    make_ticket, officer_gulou_colleague
):
    ticket = make_ticket(State.DISPATCHED)
    mark = event_mark()
    with pytest.raises(PermissionDenied):
        services.return_ticket(
            actor=officer_gulou_colleague, ticket_id=ticket.pk, reason="不是我的"
        )
    assert_unchanged(ticket, mark)


def test_an_officer_of_another_brigade_cannot_find_the_ticket_to_return(
    make_ticket, officer_quanshan
):
    ticket = make_ticket(State.DISPATCHED)
    mark = event_mark()
    with pytest.raises(Http404):
        services.return_ticket(actor=officer_quanshan, ticket_id=ticket.pk, reason="不是我的")
    assert_unchanged(ticket, mark)


def test_a_ticket_already_in_progress_cannot_be_returned(make_ticket, officer_gulou):
    ticket = make_ticket(State.IN_PROGRESS)
    mark = event_mark()
    with pytest.raises(services.TicketConflict, match=ticket.number):
        services.return_ticket(actor=officer_gulou, ticket_id=ticket.pk, reason="不是我的")
    assert_unchanged(ticket, mark)


# --- accept -----------------------------------------------------------------------------------


def test_the_units_handler_accepts_a_referred_ticket(make_ticket, handler_sanitation):
    ticket = make_ticket(State.REFERRED)
    mark = event_mark()
    with time_machine.travel(MONDAY_9, tick=False):
        services.accept_ticket(actor=handler_sanitation, ticket_id=ticket.pk, note="已签收")
    ticket.refresh_from_db()
    assert ticket.state == State.REFERRED
    assert ticket.accepted_at == MONDAY_9
    event = only_new_event(mark)
    assert_event(event, ticket, handler_sanitation, Action.ACCEPT, State.REFERRED, State.REFERRED)
    assert event.public_note == "已签收"


def test_an_officer_who_sees_a_referred_ticket_in_their_grid_cannot_accept_it(
    make_ticket, officer_gulou
):
    ticket = make_ticket(State.REFERRED)
    mark = event_mark()
    with pytest.raises(PermissionDenied):
        services.accept_ticket(actor=officer_gulou, ticket_id=ticket.pk)
    assert_unchanged(ticket, mark)


def test_a_handler_of_another_unit_cannot_find_the_ticket_to_accept(make_ticket, handler_municipal):
    ticket = make_ticket(State.REFERRED)
    mark = event_mark()
    with pytest.raises(Http404):
        services.accept_ticket(actor=handler_municipal, ticket_id=ticket.pk)
    assert_unchanged(ticket, mark)


def test_accepting_a_dispatched_ticket_is_a_conflict(make_ticket, supervisor_gulou):
    ticket = make_ticket(State.DISPATCHED)
    mark = event_mark()
    with pytest.raises(services.TicketConflict, match=ticket.number):
        services.accept_ticket(actor=supervisor_gulou, ticket_id=ticket.pk)
    assert_unchanged(ticket, mark)


def test_accepting_a_ticket_the_unit_already_accepted_is_refused_as_not_applicable(
    make_ticket, handler_sanitation
):
    # A second handler of the unit pressing "accept" a moment later must get a clear message
    # (ValidationError, shown on the form), not a 403 as if they had no right to the ticket.
    ticket = make_ticket(State.REFERRED)
    services.accept_ticket(actor=handler_sanitation, ticket_id=ticket.pk)
    mark = event_mark()
    with pytest.raises(ValidationError, match=ticket.number):
        services.accept_ticket(
            actor=handler_sanitation, ticket_id=ticket.pk, expected_state=State.REFERRED
        )
    assert_unchanged(ticket, mark)


# --- start ------------------------------------------------------------------------------------


def test_the_assigned_officer_starts_work(make_ticket, officer_gulou):
    ticket = make_ticket(State.DISPATCHED)
    mark = event_mark()
    with time_machine.travel(MONDAY_9, tick=False):
        services.start_ticket(actor=officer_gulou, ticket_id=ticket.pk, note="已到现场")
    ticket.refresh_from_db()
    assert ticket.state == State.IN_PROGRESS
    assert ticket.started_at == MONDAY_9
    event = only_new_event(mark)
    assert_event(event, ticket, officer_gulou, Action.START, State.DISPATCHED, State.IN_PROGRESS)


def test_a_colleague_cannot_start_work_on_a_ticket_dispatched_to_someone_else(
    make_ticket, officer_gulou_colleague
):
    ticket = make_ticket(State.DISPATCHED)
    mark = event_mark()
    with pytest.raises(PermissionDenied):
        services.start_ticket(actor=officer_gulou_colleague, ticket_id=ticket.pk)
    assert_unchanged(ticket, mark)


def test_the_supervisor_cannot_start_work_for_the_officer(make_ticket, supervisor_gulou):
    ticket = make_ticket(State.DISPATCHED)
    mark = event_mark()
    with pytest.raises(PermissionDenied):
        services.start_ticket(actor=supervisor_gulou, ticket_id=ticket.pk)
    assert_unchanged(ticket, mark)


def test_an_officer_of_another_brigade_cannot_find_the_ticket_to_start(
    make_ticket, officer_quanshan
):
    ticket = make_ticket(State.DISPATCHED)
    mark = event_mark()
    with pytest.raises(Http404):
        services.start_ticket(actor=officer_quanshan, ticket_id=ticket.pk)
    assert_unchanged(ticket, mark)


def test_starting_work_twice_is_a_conflict(make_ticket, officer_gulou):
    ticket = make_ticket(State.IN_PROGRESS)
    mark = event_mark()
    with pytest.raises(services.TicketConflict, match=ticket.number):
        services.start_ticket(
            actor=officer_gulou, ticket_id=ticket.pk, expected_state=State.DISPATCHED
        )
    assert_unchanged(ticket, mark)


# --- request an extension ---------------------------------------------------------------------


def test_the_assigned_officer_asks_for_more_time_and_the_clock_pauses(make_ticket, officer_gulou):
    with time_machine.travel(MONDAY_9, tick=False):
        ticket = make_ticket(State.IN_PROGRESS)
    mark = event_mark()
    with time_machine.travel(at(2026, 11, 16, 10, 0), tick=False):
        request = services.request_extension(
            actor=officer_gulou, ticket_id=ticket.pk, extra_hours=3, reason=" 需调用清运车 "
        )
    ticket.refresh_from_db()
    assert ticket.state == State.IN_PROGRESS
    assert ticket.clock_paused_at == at(2026, 11, 16, 10, 0)
    assert ticket.extension_pending
    assert (request.ticket, request.requested_by) == (ticket, officer_gulou)
    assert (request.extra_minutes, request.reason, request.decided_at) == (
        180,
        "需调用清运车",
        None,
    )
    event = only_new_event(mark)
    assert_event(
        event,
        ticket,
        officer_gulou,
        Action.EXTEND_REQUEST,
        State.IN_PROGRESS,
        State.IN_PROGRESS,
    )
    assert (event.data, event.internal_note) == ({"extra_hours": 3}, "需调用清运车")


def test_the_units_handler_may_ask_for_more_time_on_a_referred_ticket(
    make_ticket, handler_sanitation
):
    ticket = make_ticket(State.REFERRED)
    services.request_extension(
        actor=handler_sanitation, ticket_id=ticket.pk, extra_hours=8, reason="等待车辆"
    )
    assert Ticket.objects.get(pk=ticket.pk).clock_paused_at is not None


def test_asking_for_more_time_needs_at_least_an_hour_and_a_reason(make_ticket, officer_gulou):
    ticket = make_ticket(State.IN_PROGRESS)
    mark = event_mark()
    with pytest.raises(ValidationError):
        services.request_extension(
            actor=officer_gulou, ticket_id=ticket.pk, extra_hours=0, reason="需要时间"
        )
    with pytest.raises(ValidationError):
        services.request_extension(
            actor=officer_gulou, ticket_id=ticket.pk, extra_hours=2, reason=" "
        )
    assert_unchanged(ticket, mark)
    assert not ExtensionRequest.objects.exists()


def test_the_supervisor_cannot_ask_for_more_time_on_the_officers_behalf(
    make_ticket, supervisor_gulou
):
    ticket = make_ticket(State.IN_PROGRESS)
    mark = event_mark()
    with pytest.raises(PermissionDenied):
        services.request_extension(
            actor=supervisor_gulou, ticket_id=ticket.pk, extra_hours=2, reason="需要时间"
        )
    assert_unchanged(ticket, mark)
    assert not ExtensionRequest.objects.exists()


def test_an_officer_of_another_brigade_cannot_ask_for_more_time(make_ticket, officer_quanshan):
    ticket = make_ticket(State.IN_PROGRESS)
    mark = event_mark()
    with pytest.raises(Http404):
        services.request_extension(
            actor=officer_quanshan, ticket_id=ticket.pk, extra_hours=2, reason="需要时间"
        )
    assert_unchanged(ticket, mark)


def test_asking_for_more_time_on_a_resolved_ticket_is_a_conflict(make_ticket, officer_gulou):
    ticket = make_ticket(State.RESOLVED)
    mark = event_mark()
    with pytest.raises(services.TicketConflict, match=ticket.number):
        services.request_extension(
            actor=officer_gulou, ticket_id=ticket.pk, extra_hours=2, reason="需要时间"
        )
    assert_unchanged(ticket, mark)


# --- decide an extension ----------------------------------------------------------------------


@pytest.fixture
def paused_ticket(make_ticket, officer_gulou) -> Ticket:
    """Dispatched Monday 09:00 (due 14:30, yellow at 13:42); at 10:00 the officer asks for 2 more
    working hours and the clock stops."""
    with time_machine.travel(MONDAY_9, tick=False):
        ticket = make_ticket(State.IN_PROGRESS)
    with time_machine.travel(at(2026, 11, 16, 10, 0), tick=False):
        services.request_extension(
            actor=officer_gulou, ticket_id=ticket.pk, extra_hours=2, reason="需调用清运车"
        )
    return Ticket.objects.get(pk=ticket.pk)


def test_approving_an_extension_moves_the_deadline_by_the_pause_plus_the_extra_time(
    paused_ticket, supervisor_gulou, officer_gulou
):
    mark = event_mark()
    with time_machine.travel(at(2026, 11, 16, 11, 0), tick=False):
        services.decide_extension(
            actor=supervisor_gulou, ticket_id=paused_ticket.pk, approve=True, note="同意"
        )
    ticket = Ticket.objects.get(pk=paused_ticket.pk)
    assert ticket.clock_paused_at is None
    # 14:30 + 1 h paused + 2 h granted (working time) = 17:30; yellow 13:42 + 1 h + 96 min.
    assert ticket.deadline == at(2026, 11, 16, 17, 30)
    assert ticket.warn_at == at(2026, 11, 16, 16, 18)
    assert ticket.time_budget_minutes == 240 + 120
    request = ExtensionRequest.objects.get(ticket=ticket)
    assert (request.approved, request.decided_by) == (True, supervisor_gulou)
    assert request.decided_at == at(2026, 11, 16, 11, 0)
    event = only_new_event(mark)
    assert_event(
        event,
        ticket,
        supervisor_gulou,
        Action.EXTEND_APPROVE,
        State.IN_PROGRESS,
        State.IN_PROGRESS,
    )
    assert event.data == {"extra_hours": 2, "requested_by": officer_gulou.pk}


def test_denying_an_extension_moves_the_deadline_only_by_the_time_the_clock_stood_still(
    paused_ticket, supervisor_gulou
):
    mark = event_mark()
    with time_machine.travel(at(2026, 11, 16, 11, 0), tick=False):
        services.decide_extension(
            actor=supervisor_gulou, ticket_id=paused_ticket.pk, approve=False, note="不同意"
        )
    ticket = Ticket.objects.get(pk=paused_ticket.pk)
    assert ticket.clock_paused_at is None
    assert ticket.deadline == at(2026, 11, 16, 15, 30)
    assert ticket.time_budget_minutes == 240
    assert ExtensionRequest.objects.get(ticket=ticket).approved is False
    event = only_new_event(mark)
    assert (event.action, event.actor, event.data["extra_hours"]) == (
        Action.EXTEND_DENY,
        supervisor_gulou,
        0,
    )


def test_the_officer_cannot_decide_their_own_extension(paused_ticket, officer_gulou):
    mark = event_mark()
    with pytest.raises(PermissionDenied):
        services.decide_extension(actor=officer_gulou, ticket_id=paused_ticket.pk, approve=True)
    assert_unchanged(paused_ticket, mark)
    assert Ticket.objects.get(pk=paused_ticket.pk).deadline == paused_ticket.deadline
    assert ExtensionRequest.objects.get().decided_at is None


def test_a_supervisor_of_another_brigade_cannot_decide_the_extension(
    paused_ticket, supervisor_quanshan
):
    mark = event_mark()
    with pytest.raises(Http404):
        services.decide_extension(
            actor=supervisor_quanshan, ticket_id=paused_ticket.pk, approve=True
        )
    assert_unchanged(paused_ticket, mark)


def test_deciding_when_no_extension_is_pending_is_a_conflict(make_ticket, supervisor_gulou):
    ticket = make_ticket(State.IN_PROGRESS)
    mark = event_mark()
    with pytest.raises(services.TicketConflict, match=ticket.number):
        services.decide_extension(actor=supervisor_gulou, ticket_id=ticket.pk, approve=True)
    assert_unchanged(ticket, mark)


# --- resolve ----------------------------------------------------------------------------------


def test_the_assigned_officer_reports_the_fix_with_a_note_and_a_photo(make_ticket, officer_gulou):
    with time_machine.travel(MONDAY_9, tick=False):
        ticket = make_ticket(State.IN_PROGRESS)
    mark = event_mark()
    with time_machine.travel(at(2026, 11, 16, 11, 0), tick=False):
        services.resolve_ticket(
            actor=officer_gulou,
            ticket_id=ticket.pk,
            note=" 已清运完毕 ",
            photos=[processed_photo()],
        )
    ticket.refresh_from_db()
    assert ticket.state == State.RESOLVED
    assert ticket.resolved_at == at(2026, 11, 16, 11, 0)
    assert ticket.overdue is False
    event = only_new_event(mark)
    assert_event(event, ticket, officer_gulou, Action.RESOLVE, State.IN_PROGRESS, State.RESOLVED)
    assert (event.public_note, event.data) == ("已清运完毕", {"late": False})
    (photo,) = event.photos.all()
    assert (photo.ticket, photo.kind, photo.uploaded_by) == (ticket, PhotoKind.AFTER, officer_gulou)


def test_a_fix_reported_after_the_deadline_marks_the_ticket_overdue(make_ticket, officer_gulou):
    with time_machine.travel(MONDAY_9, tick=False):
        ticket = make_ticket(State.IN_PROGRESS)  # due 14:30
    mark = event_mark()
    with time_machine.travel(at(2026, 11, 16, 15, 0), tick=False):
        services.resolve_ticket(
            actor=officer_gulou, ticket_id=ticket.pk, note="已清运", photos=[processed_photo()]
        )
    ticket.refresh_from_db()
    assert (ticket.state, ticket.overdue) == (State.RESOLVED, True)
    assert only_new_event(mark).data == {"late": True}


def test_the_units_handler_reports_a_referred_ticket_fixed(make_ticket, handler_sanitation):
    ticket = make_ticket(State.REFERRED)
    mark = event_mark()
    services.resolve_ticket(
        actor=handler_sanitation, ticket_id=ticket.pk, note="已清运", photos=[processed_photo()]
    )
    ticket.refresh_from_db()
    assert ticket.state == State.RESOLVED
    event = only_new_event(mark)
    assert_event(event, ticket, handler_sanitation, Action.RESOLVE, State.REFERRED, State.RESOLVED)


def test_reporting_a_fix_closes_a_pending_extension_request(paused_ticket, officer_gulou):
    services.resolve_ticket(
        actor=officer_gulou, ticket_id=paused_ticket.pk, note="已清运", photos=[processed_photo()]
    )
    ticket = Ticket.objects.get(pk=paused_ticket.pk)
    assert ticket.clock_paused_at is None
    request = ExtensionRequest.objects.get(ticket=ticket)
    assert request.decided_at is not None
    assert request.approved is False


def test_reporting_a_fix_needs_a_note_and_at_least_one_photo(make_ticket, officer_gulou):
    ticket = make_ticket(State.IN_PROGRESS)
    mark = event_mark()
    with pytest.raises(ValidationError) as no_photo:
        services.resolve_ticket(actor=officer_gulou, ticket_id=ticket.pk, note="已清运", photos=[])
    assert "photos" in no_photo.value.message_dict
    with pytest.raises(ValidationError) as no_note:
        services.resolve_ticket(
            actor=officer_gulou, ticket_id=ticket.pk, note=" ", photos=[processed_photo()]
        )
    assert "note" in no_note.value.message_dict
    assert_unchanged(ticket, mark)
    assert not ticket.photos.exists()


def test_a_colleague_cannot_report_someone_elses_ticket_fixed(make_ticket, officer_gulou_colleague):
    ticket = make_ticket(State.IN_PROGRESS)
    mark = event_mark()
    with pytest.raises(PermissionDenied):
        services.resolve_ticket(
            actor=officer_gulou_colleague,
            ticket_id=ticket.pk,
            note="已清运",
            photos=[processed_photo()],
        )
    assert_unchanged(ticket, mark)
    assert not ticket.photos.exists()


def test_an_officer_of_another_brigade_cannot_report_the_ticket_fixed(
    make_ticket, officer_quanshan
):
    ticket = make_ticket(State.IN_PROGRESS)
    mark = event_mark()
    with pytest.raises(Http404):
        services.resolve_ticket(
            actor=officer_quanshan, ticket_id=ticket.pk, note="已清运", photos=[processed_photo()]
        )
    assert_unchanged(ticket, mark)


def test_a_dispatched_ticket_must_be_started_before_it_is_reported_fixed(
    make_ticket, officer_gulou
):
    ticket = make_ticket(State.DISPATCHED)
    mark = event_mark()
    with pytest.raises(services.TicketConflict, match=ticket.number):
        services.resolve_ticket(
            actor=officer_gulou, ticket_id=ticket.pk, note="已清运", photos=[processed_photo()]
        )
    assert_unchanged(ticket, mark)


# --- conclude an enforcement case --------------------------------------------------------------


def test_the_enforcing_officer_concludes_the_case_with_evidence(make_ticket, officer_gulou):
    ticket = make_ticket(State.ENFORCEMENT)
    mark = event_mark()
    with time_machine.travel(MONDAY_9, tick=False):
        services.conclude_enforcement(
            actor=officer_gulou,
            ticket_id=ticket.pk,
            note="责令改正，当事人已整改",
            photos=[processed_photo()],
        )
    ticket.refresh_from_db()
    assert ticket.state == State.RESOLVED
    assert ticket.resolved_at == MONDAY_9
    event = only_new_event(mark)
    assert_event(event, ticket, officer_gulou, Action.CONCLUDE, State.ENFORCEMENT, State.RESOLVED)
    assert event.public_note == "责令改正，当事人已整改"
    assert [p.kind for p in event.photos.all()] == [PhotoKind.EVIDENCE]


def test_a_supervisor_of_the_brigade_may_conclude_an_enforcement_case(
    make_ticket, supervisor_gulou
):
    ticket = make_ticket(State.ENFORCEMENT)
    mark = event_mark()
    services.conclude_enforcement(actor=supervisor_gulou, ticket_id=ticket.pk, note="已处罚")
    assert Ticket.objects.get(pk=ticket.pk).state == State.RESOLVED
    assert only_new_event(mark).actor == supervisor_gulou


def test_a_colleague_cannot_conclude_someone_elses_enforcement_case(
    make_ticket, officer_gulou_colleague
):
    ticket = make_ticket(State.ENFORCEMENT)
    mark = event_mark()
    with pytest.raises(PermissionDenied):
        services.conclude_enforcement(
            actor=officer_gulou_colleague, ticket_id=ticket.pk, note="已处罚"
        )
    assert_unchanged(ticket, mark)


def test_a_supervisor_of_another_brigade_cannot_conclude_the_case(make_ticket, supervisor_quanshan):
    ticket = make_ticket(State.ENFORCEMENT)
    mark = event_mark()
    with pytest.raises(Http404):
        services.conclude_enforcement(actor=supervisor_quanshan, ticket_id=ticket.pk, note="已处罚")
    assert_unchanged(ticket, mark)


def test_concluding_a_ticket_that_is_not_an_enforcement_case_is_a_conflict(
    make_ticket, supervisor_gulou
):
    ticket = make_ticket(State.IN_PROGRESS)
    mark = event_mark()
    with pytest.raises(services.TicketConflict, match=ticket.number):
        services.conclude_enforcement(actor=supervisor_gulou, ticket_id=ticket.pk, note="已处罚")
    assert_unchanged(ticket, mark)


# --- verify -----------------------------------------------------------------------------------


def test_a_passed_check_closes_the_ticket(make_ticket, supervisor_gulou):
    ticket = make_ticket(State.RESOLVED)
    mark = event_mark()
    with time_machine.travel(MONDAY_9, tick=False):
        services.verify_ticket(
            actor=supervisor_gulou, ticket_id=ticket.pk, passed=True, note="现场已整洁"
        )
    ticket.refresh_from_db()
    assert ticket.state == State.CLOSED
    assert ticket.closed_at == MONDAY_9
    assert ticket.rework_count == 0
    event = only_new_event(mark)
    assert_event(event, ticket, supervisor_gulou, Action.VERIFY_PASS, State.RESOLVED, State.CLOSED)
    assert event.public_note == "现场已整洁"


def test_a_failed_check_sends_the_ticket_back_to_the_same_officer_with_a_fresh_deadline(
    make_ticket, supervisor_gulou, officer_gulou
):
    with time_machine.travel(MONDAY_9, tick=False):
        ticket = make_ticket(State.RESOLVED)
    mark = event_mark()
    with time_machine.travel(at(2026, 11, 17, 9, 0), tick=False):
        services.verify_ticket(
            actor=supervisor_gulou, ticket_id=ticket.pk, passed=False, note="墙角仍有垃圾"
        )
    ticket.refresh_from_db()
    assert ticket.state == State.DISPATCHED
    assert (ticket.assignee, ticket.route) == (officer_gulou.officer, Route.DISPATCH)
    assert ticket.rework_count == 1
    assert ticket.resolved_at is ticket.started_at is None
    assert ticket.clock_started_at == at(2026, 11, 17, 9, 0)
    assert ticket.deadline == at(2026, 11, 17, 14, 30)
    event = only_new_event(mark)
    assert_event(
        event, ticket, supervisor_gulou, Action.VERIFY_FAIL, State.RESOLVED, State.DISPATCHED
    )
    assert event.public_note == "墙角仍有垃圾"


def test_a_failed_check_of_a_referred_ticket_sends_it_back_to_the_same_unit(
    make_ticket, supervisor_gulou, handler_sanitation
):
    ticket = make_ticket(State.RESOLVED, route=Route.REFER)
    mark = event_mark()
    services.verify_ticket(
        actor=supervisor_gulou, ticket_id=ticket.pk, passed=False, note="未清运干净"
    )
    ticket.refresh_from_db()
    assert ticket.state == State.REFERRED
    assert ticket.responsible_unit == handler_sanitation.unit
    assert ticket.rework_count == 1
    assert ticket.deadline is not None
    assert only_new_event(mark).to_state == State.REFERRED


def test_a_failed_check_of_an_enforcement_case_sends_it_back_to_enforcement(
    make_ticket, supervisor_gulou, officer_gulou
):
    ticket = make_ticket(State.RESOLVED, route=Route.ENFORCE)
    services.verify_ticket(
        actor=supervisor_gulou, ticket_id=ticket.pk, passed=False, note="仍在店外经营"
    )
    ticket.refresh_from_db()
    assert (ticket.state, ticket.assignee) == (State.ENFORCEMENT, officer_gulou.officer)
    assert ticket.rework_count == 1


def test_a_failed_check_needs_a_note_saying_what_still_needs_doing(make_ticket, supervisor_gulou):
    ticket = make_ticket(State.RESOLVED)
    mark = event_mark()
    with pytest.raises(ValidationError):
        services.verify_ticket(actor=supervisor_gulou, ticket_id=ticket.pk, passed=False)
    assert_unchanged(ticket, mark)


def test_an_officer_cannot_verify_their_own_fix(make_ticket, officer_gulou):
    ticket = make_ticket(State.RESOLVED)
    mark = event_mark()
    with pytest.raises(PermissionDenied):
        services.verify_ticket(actor=officer_gulou, ticket_id=ticket.pk, passed=True)
    assert_unchanged(ticket, mark)


def test_a_supervisor_of_another_brigade_cannot_verify_the_fix(make_ticket, supervisor_quanshan):
    ticket = make_ticket(State.RESOLVED)
    mark = event_mark()
    with pytest.raises(Http404):
        services.verify_ticket(actor=supervisor_quanshan, ticket_id=ticket.pk, passed=True)
    assert_unchanged(ticket, mark)


def test_verifying_a_ticket_still_in_progress_is_a_conflict(make_ticket, supervisor_gulou):
    ticket = make_ticket(State.IN_PROGRESS)
    mark = event_mark()
    with pytest.raises(services.TicketConflict, match=ticket.number):
        services.verify_ticket(actor=supervisor_gulou, ticket_id=ticket.pk, passed=True)
    assert_unchanged(ticket, mark)


# --- reopen -----------------------------------------------------------------------------------


@pytest.fixture
def closed_ticket(make_ticket) -> Ticket:
    with time_machine.travel(MONDAY_9, tick=False):
        return make_ticket(State.CLOSED)


def test_a_ticket_closed_29_days_ago_is_reopened_as_registered(closed_ticket, supervisor_gulou):
    mark = event_mark()
    with time_machine.travel(MONDAY_9 + datetime.timedelta(days=29), tick=False):
        services.reopen_ticket(
            actor=supervisor_gulou, ticket_id=closed_ticket.pk, reason="居民反映问题复发"
        )
    ticket = Ticket.objects.get(pk=closed_ticket.pk)
    assert ticket.state == State.REGISTERED
    assert ticket.closed_at is ticket.resolved_at is ticket.assignee is ticket.deadline is None
    assert ticket.route == ""
    event = only_new_event(mark)
    assert_event(event, ticket, supervisor_gulou, Action.REOPEN, State.CLOSED, State.REGISTERED)
    assert event.public_note == "居民反映问题复发"


def test_a_ticket_closed_31_days_ago_can_no_longer_be_reopened(closed_ticket, supervisor_gulou):
    mark = event_mark()
    with (
        time_machine.travel(MONDAY_9 + datetime.timedelta(days=31), tick=False),
        pytest.raises(ValidationError, match=closed_ticket.number),
    ):
        services.reopen_ticket(actor=supervisor_gulou, ticket_id=closed_ticket.pk, reason="复发")
    assert_unchanged(closed_ticket, mark)


def test_reopening_needs_a_reason(closed_ticket, supervisor_gulou):
    mark = event_mark()
    with pytest.raises(ValidationError):
        services.reopen_ticket(actor=supervisor_gulou, ticket_id=closed_ticket.pk, reason="")
    assert_unchanged(closed_ticket, mark)


def test_an_officer_cannot_reopen_a_ticket(closed_ticket, officer_gulou):
    mark = event_mark()
    with (
        time_machine.travel(MONDAY_9 + datetime.timedelta(days=1), tick=False),
        pytest.raises(PermissionDenied),
    ):
        services.reopen_ticket(actor=officer_gulou, ticket_id=closed_ticket.pk, reason="复发")
    assert_unchanged(closed_ticket, mark)


def test_a_supervisor_of_another_brigade_cannot_reopen_a_ticket(closed_ticket, supervisor_quanshan):
    mark = event_mark()
    with (
        time_machine.travel(MONDAY_9 + datetime.timedelta(days=1), tick=False),
        pytest.raises(Http404),
    ):
        services.reopen_ticket(actor=supervisor_quanshan, ticket_id=closed_ticket.pk, reason="复发")
    assert_unchanged(closed_ticket, mark)


def test_reopening_a_ticket_that_is_still_open_is_a_conflict(make_ticket, supervisor_gulou):
    ticket = make_ticket(State.RESOLVED)
    mark = event_mark()
    with pytest.raises(services.TicketConflict, match=ticket.number):
        services.reopen_ticket(actor=supervisor_gulou, ticket_id=ticket.pk, reason="复发")
    assert_unchanged(ticket, mark)


# --- fixed on site ----------------------------------------------------------------------------


def test_an_officer_records_a_fix_on_the_spot_as_a_closed_ticket_with_before_and_after_photos(
    officer_gulou, category, gulou_community, media
):
    lat, lng = GULOU_POINT
    with time_machine.travel(MONDAY_9, tick=False):
        ticket = services.create_on_site_ticket(
            actor=officer_gulou,
            category=category,
            description="路边散落垃圾",
            before=[processed_photo("before.jpg")],
            after=[processed_photo("after.jpg")],
            lat=lat,
            lng=lng,
            note="已现场清理",
        )
    ticket.refresh_from_db()
    assert ticket.state == State.CLOSED
    assert ticket.on_site is True
    assert (ticket.assignee, ticket.reporter) == (officer_gulou.officer, officer_gulou)
    assert ticket.community == gulou_community
    assert ticket.brigade == gulou_community.brigade
    assert ticket.grid_cell.code == "320302001001001"
    assert ticket.closed_at == ticket.resolved_at == ticket.reported_at == MONDAY_9
    (event,) = ticket.events.all()
    assert_event(event, ticket, officer_gulou, Action.ON_SITE, "", State.CLOSED)
    assert event.public_note == "已现场清理"
    assert sorted(p.kind for p in event.photos.all()) == [PhotoKind.AFTER, PhotoKind.BEFORE]


@pytest.mark.parametrize("who", ["supervisor_gulou", "handler_sanitation", "resident"])
def test_only_officers_record_fixes_on_the_spot(request, who, category, gulou_community, media):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.create_on_site_ticket(
            actor=actor,
            category=category,
            description="路边散落垃圾",
            before=[processed_photo()],
            after=[processed_photo()],
            community=gulou_community,
        )
    assert not Ticket.objects.exists()
    assert not TicketEvent.objects.exists()


def test_a_fix_on_the_spot_needs_a_photo_from_before_and_from_after(
    officer_gulou, category, gulou_community, media
):
    for before, after in (([], [processed_photo()]), ([processed_photo()], [])):
        with pytest.raises(ValidationError):
            services.create_on_site_ticket(
                actor=officer_gulou,
                category=category,
                description="路边散落垃圾",
                before=before,
                after=after,
                community=gulou_community,
            )
    assert not Ticket.objects.exists()


# --- the ticket page: buttons and posts --------------------------------------------------------


def test_the_page_of_a_registered_ticket_offers_dispatch_to_its_supervisor(
    client, make_ticket, supervisor_gulou
):
    ticket = make_ticket(State.REGISTERED)
    client.force_login(supervisor_gulou)
    html = client.get(f"/cases/{ticket.number}/").content.decode()
    assert 'class="accordion-item action-dispatch"' in html
    assert f'action="/cases/{ticket.number}/dispatch/"' in html


def test_the_page_of_a_registered_ticket_offers_no_dispatch_to_an_officer(
    client, make_ticket, officer_gulou
):
    ticket = make_ticket(State.REGISTERED)
    client.force_login(officer_gulou)
    response = client.get(f"/cases/{ticket.number}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "action-dispatch" not in html
    assert "action-refer" not in html


def test_the_assigned_officer_sees_start_and_return_but_the_colleague_does_not(
    client, make_ticket, officer_gulou, officer_gulou_colleague
):
    ticket = make_ticket(State.DISPATCHED)
    client.force_login(officer_gulou)
    mine = client.get(f"/cases/{ticket.number}/").content.decode()
    assert "action-start" in mine
    assert "action-return" in mine
    client.force_login(officer_gulou_colleague)
    theirs = client.get(f"/cases/{ticket.number}/").content.decode()
    assert "action-start" not in theirs
    assert "action-return" not in theirs


def dispatch_post(client, ticket, officer_user, expected_state=State.REGISTERED, **extra):
    return client.post(
        f"/cases/{ticket.number}/dispatch/",
        {
            "dispatch-officer": officer_user.officer.pk,
            "dispatch-expected_state": expected_state,
            "dispatch-note": "请今天处理",
        },
        **extra,
    )


def test_posting_the_dispatch_form_moves_the_ticket_and_returns_to_its_page(
    client, make_ticket, supervisor_gulou, officer_gulou
):
    ticket = make_ticket(State.REGISTERED)
    mark = event_mark()
    client.force_login(supervisor_gulou)
    response = dispatch_post(client, ticket, officer_gulou)
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{ticket.number}/"
    ticket.refresh_from_db()
    assert (ticket.state, ticket.assignee) == (State.DISPATCHED, officer_gulou.officer)
    event = only_new_event(mark)
    assert (event.action, event.actor, event.public_note) == (
        Action.DISPATCH,
        supervisor_gulou,
        "请今天处理",
    )


def test_an_officer_posting_the_dispatch_form_is_forbidden(client, make_ticket, officer_gulou):
    ticket = make_ticket(State.REGISTERED)
    mark = event_mark()
    client.force_login(officer_gulou)
    assert dispatch_post(client, ticket, officer_gulou).status_code == 403
    assert_unchanged(ticket, mark)


def test_a_supervisor_of_another_brigade_posting_the_dispatch_form_gets_not_found(
    client, make_ticket, supervisor_quanshan, officer_gulou
):
    ticket = make_ticket(State.REGISTERED)
    mark = event_mark()
    client.force_login(supervisor_quanshan)
    assert dispatch_post(client, ticket, officer_gulou).status_code == 404
    assert_unchanged(ticket, mark)


def test_an_anonymous_post_is_sent_to_the_login_page(client, make_ticket, officer_gulou):
    ticket = make_ticket(State.REGISTERED)
    mark = event_mark()
    response = dispatch_post(client, ticket, officer_gulou)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert_unchanged(ticket, mark)


def test_an_unknown_action_is_not_found(client, make_ticket, supervisor_gulou):
    ticket = make_ticket(State.REGISTERED)
    client.force_login(supervisor_gulou)
    assert client.post(f"/cases/{ticket.number}/delete/", {}).status_code == 404


def test_acting_on_a_ticket_that_has_just_moved_explains_instead_of_refusing(
    client, make_ticket, supervisor_gulou, officer_gulou
):
    ticket = make_ticket(State.DISPATCHED)
    mark = event_mark()
    client.force_login(supervisor_gulou)
    response = dispatch_post(client, ticket, officer_gulou, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [(f"/cases/{ticket.number}/", 302)]
    (message,) = [str(m) for m in response.context["messages"]]
    assert ticket.number in message
    assert_unchanged(ticket, mark)


def test_reporting_fixed_without_a_photo_shows_the_form_again_with_the_error_and_the_note(
    client, make_ticket, officer_gulou
):
    ticket = make_ticket(State.IN_PROGRESS)
    mark = event_mark()
    client.force_login(officer_gulou)
    response = client.post(
        f"/cases/{ticket.number}/resolve/",
        {"resolve-expected_state": State.IN_PROGRESS, "resolve-note": "垃圾已全部清运完毕"},
    )
    assert response.status_code == 400
    forms = {spec.name: form for spec, form in response.context["actions"]}
    assert list(forms["resolve"].errors) == ["photos"]
    assert response.context["open_action"] == "resolve"
    html = response.content.decode()
    assert "垃圾已全部清运完毕" in html
    assert 'class="accordion-item action-resolve"' in html
    assert_unchanged(ticket, mark)


def test_reporting_fixed_with_a_photo_through_the_page_resolves_the_ticket(
    client, make_ticket, officer_gulou
):
    ticket = make_ticket(State.IN_PROGRESS)
    mark = event_mark()
    client.force_login(officer_gulou)
    response = client.post(
        f"/cases/{ticket.number}/resolve/",
        {
            "resolve-expected_state": State.IN_PROGRESS,
            "resolve-note": "垃圾已全部清运完毕",
            "resolve-photos": SimpleUploadedFile("done.jpg", jpeg_bytes(), "image/jpeg"),
        },
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.state == State.RESOLVED
    event = only_new_event(mark)
    assert event.photos.count() == 1


def test_a_handler_accepting_a_ticket_a_colleague_just_accepted_is_told_so_not_forbidden(
    client, make_ticket, handler_sanitation
):
    # Two handlers of 环卫处 open the referred ticket; the first accepts. The second's press
    # must end with a clear message on the ticket page (DESIGN §10), not a 403 error page.
    colleague = UserFactory(
        username="sanitation_2", unit=handler_sanitation.unit, roles=["handler"]
    )
    ticket = make_ticket(State.REFERRED)
    services.accept_ticket(actor=handler_sanitation, ticket_id=ticket.pk)
    mark = event_mark()
    client.force_login(colleague)
    response = client.post(
        f"/cases/{ticket.number}/accept/", {"accept-expected_state": State.REFERRED}, follow=True
    )
    assert response.status_code == 200
    assert ticket.number in " ".join(str(m) for m in response.context["messages"])
    assert_unchanged(ticket, mark)
