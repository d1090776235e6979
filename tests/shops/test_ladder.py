"""一规劝、二教育、三暂扣: the ladder a party climbs within the window, and how each step is
recorded on the ticket (one event, state unchanged) beside its Offence row."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from cases.models import Photo, State
from shops import selectors, services
from shops.models import EnforcementEvent, Offence, Step, StreetVendor
from tests.factories import processed_photo

pytestmark = pytest.mark.django_db

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def test_first_offence_suggests_persuasion_and_offers_the_waiver(shop):
    ladder = selectors.ladder(merchant=shop)
    assert ladder.suggested == Step.PERSUADE
    assert ladder.waiver_offered


def test_second_offence_suggests_education_and_no_waiver(shop, record_step):
    record_step(Step.PERSUADE, merchant=shop)
    ladder = selectors.ladder(merchant=shop)
    assert (ladder.count, ladder.suggested) == (1, Step.EDUCATE)
    assert not ladder.waiver_offered


def test_third_offence_suggests_seizure(shop, record_step):
    record_step(Step.PERSUADE, merchant=shop)
    record_step(Step.EDUCATE, merchant=shop)
    ladder = selectors.ladder(merchant=shop)
    assert ladder.suggested == Step.SEIZE
    assert Step.PENALTY in ladder.allowed


def test_waiver_is_accepted_for_a_first_offence_with_a_signed_promise(shop, record_step):
    offence = record_step(Step.WAIVE, merchant=shop)
    assert offence.promise_photo is not None
    assert offence.promise_photo.event_id == offence.event_id
    assert offence.event.action == EnforcementEvent.WAIVE


def test_waiver_is_refused_for_a_second_offence_in_the_window(shop, record_step):
    record_step(Step.PERSUADE, merchant=shop)
    with pytest.raises(ValidationError) as error:
        record_step(Step.WAIVE, merchant=shop)
    assert "step" in error.value.message_dict
    assert Offence.objects.filter(merchant=shop).count() == 1


def test_waiver_needs_a_photo_of_the_signed_promise(shop, record_step):
    with pytest.raises(ValidationError) as error:
        record_step(Step.WAIVE, merchant=shop, promise_photo=None)
    assert "promise_photo" in error.value.message_dict


def test_ladder_resets_after_the_window(shop, record_step):
    with time_machine.travel(datetime.datetime(2025, 9, 10, 10, 0, tzinfo=SHANGHAI), tick=False):
        record_step(Step.PERSUADE, merchant=shop)
        record_step(Step.EDUCATE, merchant=shop)
    with time_machine.travel(datetime.datetime(2026, 9, 9, 10, 0, tzinfo=SHANGHAI), tick=False):
        assert selectors.ladder(merchant=shop).suggested == Step.SEIZE  # still inside 12 months
    with time_machine.travel(datetime.datetime(2026, 9, 11, 10, 0, tzinfo=SHANGHAI), tick=False):
        ladder = selectors.ladder(merchant=shop)
        assert (ladder.count, ladder.suggested, ladder.waiver_offered) == (0, Step.PERSUADE, True)
        offence = record_step(Step.WAIVE, merchant=shop)
    assert offence.event.data["offence_number"] == 1


def test_window_length_is_configurable(shop, record_step, policy):
    policy.ladder_window_months = 1
    policy.save(update_fields=["ladder_window_months"])
    with time_machine.travel(datetime.datetime(2026, 8, 3, 10, 0, tzinfo=SHANGHAI), tick=False):
        record_step(Step.PERSUADE, merchant=shop)
    with time_machine.travel(datetime.datetime(2026, 9, 4, 10, 0, tzinfo=SHANGHAI), tick=False):
        assert selectors.ladder(merchant=shop).waiver_offered


def test_step_is_one_ticket_event_that_keeps_the_state(shop, record_step):
    offence = record_step(
        Step.SEIZE,
        merchant=shop,
        seized_items=[services.SeizedItem("塑料凳", "6"), services.SeizedItem("遮阳伞", "1")],
        note="占道摆放桌凳，当场暂扣",
    )
    event = offence.event
    assert (event.action, event.from_state, event.to_state) == (
        EnforcementEvent.SEIZE,
        State.DISPATCHED,
        State.DISPATCHED,
    )
    assert event.public_note == "占道摆放桌凳，当场暂扣"
    assert event.data["items"] == [
        {"name": "塑料凳", "quantity": "6"},
        {"name": "遮阳伞", "quantity": "1"},
    ]
    assert event.data["party"] == shop.name
    assert offence.share == "enforcement"
    assert offence.ticket.events.filter(action=EnforcementEvent.SEIZE).count() == 1


def test_seizure_needs_the_goods_and_a_return_date(shop, record_step):
    with pytest.raises(ValidationError) as error:
        record_step(Step.SEIZE, merchant=shop, seized_items=[], return_on=None)
    assert {"seized_items", "return_on"} <= set(error.value.message_dict)


def test_penalty_case_needs_its_number(shop, record_step):
    with pytest.raises(ValidationError) as error:
        record_step(Step.PENALTY, merchant=shop, penalty_case_number=" ")
    assert "penalty_case_number" in error.value.message_dict


def test_a_ticket_names_its_party_once(shop, street_ticket, officer_gulou):
    ticket = street_ticket()
    services.record_offence(
        actor=officer_gulou, ticket_id=ticket.pk, step=Step.PERSUADE, merchant_id=shop.pk
    )
    with pytest.raises(ValidationError):
        services.record_offence(
            actor=officer_gulou, ticket_id=ticket.pk, step=Step.EDUCATE, merchant_id=shop.pk
        )


def test_a_ticket_that_is_not_street_order_takes_no_step(shop, make_ticket, officer_gulou):
    ticket = make_ticket(State.DISPATCHED)  # 暴露垃圾
    with pytest.raises(ValidationError):
        services.record_offence(
            actor=officer_gulou, ticket_id=ticket.pk, step=Step.PERSUADE, merchant_id=shop.pk
        )
    assert not Offence.objects.exists()


def test_the_assigned_officer_may_record_a_step(shop, street_ticket, officer_gulou):
    ticket = street_ticket()
    offence = services.record_offence(
        actor=officer_gulou, ticket_id=ticket.pk, step=Step.PERSUADE, merchant_id=shop.pk
    )
    assert offence.recorded_by == officer_gulou


def test_a_colleague_not_working_the_ticket_cannot_record_a_step(
    shop, street_ticket, officer_gulou_colleague
):
    ticket = street_ticket()
    with pytest.raises(PermissionDenied):
        services.record_offence(
            actor=officer_gulou_colleague,
            ticket_id=ticket.pk,
            step=Step.PERSUADE,
            merchant_id=shop.pk,
        )


def test_the_brigade_supervisor_may_record_a_step(shop, street_ticket, supervisor_gulou):
    ticket = street_ticket()
    services.record_offence(
        actor=supervisor_gulou, ticket_id=ticket.pk, step=Step.EDUCATE, merchant_id=shop.pk
    )
    assert Offence.objects.get().step == Step.EDUCATE


@pytest.fixture
def referred_street_ticket(make_ticket):
    """A 店外经营 ticket referred to 环卫处, whose handler reported it resolved."""
    from cases.models import Category, Route

    return make_ticket(
        State.RESOLVED,
        route=Route.REFER,
        category=Category.objects.get(kind="event", code="0504"),
    )


def test_the_handler_of_a_referred_ticket_cannot_record_a_step(
    shop, referred_street_ticket, handler_sanitation
):
    with pytest.raises(PermissionDenied):
        services.record_offence(
            actor=handler_sanitation,
            ticket_id=referred_street_ticket.pk,
            step=Step.PERSUADE,
            merchant_id=shop.pk,
        )
    assert not Offence.objects.exists()
    assert not referred_street_ticket.events.filter(action=EnforcementEvent.PERSUADE).exists()


def test_the_brigade_supervisor_may_record_a_step_on_a_referred_ticket(
    shop, referred_street_ticket, supervisor_gulou
):
    offence = services.record_offence(
        actor=supervisor_gulou,
        ticket_id=referred_street_ticket.pk,
        step=Step.PERSUADE,
        merchant_id=shop.pk,
    )
    assert offence.recorded_by == supervisor_gulou
    assert (
        offence.event.action == EnforcementEvent.PERSUADE
        and offence.event.actor == supervisor_gulou
    )


def test_another_brigade_cannot_even_find_the_ticket(shop, street_ticket, supervisor_quanshan):
    ticket = street_ticket()
    with pytest.raises(Http404):
        services.record_offence(
            actor=supervisor_quanshan, ticket_id=ticket.pk, step=Step.PERSUADE, merchant_id=shop.pk
        )


def test_a_shop_of_another_community_cannot_be_named(shop_quanshan, street_ticket, officer_gulou):
    ticket = street_ticket()
    with pytest.raises(ValidationError) as error:
        services.record_offence(
            actor=officer_gulou,
            ticket_id=ticket.pk,
            step=Step.PERSUADE,
            merchant_id=shop_quanshan.pk,
        )
    assert "party" in error.value.message_dict


def test_a_reported_ticket_takes_no_step_until_dispatched(shop, street_ticket, supervisor_gulou):
    ticket = street_ticket(state=State.REGISTERED)
    with pytest.raises(ValidationError):
        services.record_offence(
            actor=supervisor_gulou, ticket_id=ticket.pk, step=Step.PERSUADE, merchant_id=shop.pk
        )


def test_an_unnamed_vendor_climbs_the_ladder_by_description(street_ticket, officer_gulou, media):
    first = street_ticket()
    offence = services.record_offence(
        actor=officer_gulou,
        ticket_id=first.pk,
        step=Step.WAIVE,
        vendor_description="推三轮车卖烤红薯的中年男子，常在路口",
        promise_photo=processed_photo(),
    )
    vendor = StreetVendor.objects.get()
    assert offence.vendor == vendor and vendor.community_id == first.community_id
    assert selectors.ladder(vendor=vendor).suggested == Step.EDUCATE
    second = street_ticket()
    services.record_offence(
        actor=officer_gulou, ticket_id=second.pk, step=Step.EDUCATE, vendor_id=vendor.pk
    )
    assert selectors.ladder(vendor=vendor).suggested == Step.SEIZE
    assert Photo.objects.filter(ticket=first).count() == 1


def test_the_current_ticket_does_not_count_towards_its_own_suggestion(
    shop, record_step, officer_gulou
):
    offence = record_step(Step.PERSUADE, merchant=shop)
    ladder = selectors.ladder(merchant=shop, exclude_ticket_id=offence.ticket_id)
    assert ladder.count == 0
    assert timezone.now() >= offence.recorded_at


def at_9(year: int, month: int, day: int) -> datetime.datetime:
    return datetime.datetime(year, month, day, 9, 0, tzinfo=SHANGHAI)


def at_7(year: int, month: int, day: int) -> datetime.datetime:
    return datetime.datetime(year, month, day, 7, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("at", "months", "start"),
    [
        (at_9(2026, 11, 16), 12, at_9(2025, 11, 16)),
        (at_9(2026, 3, 31), 1, at_9(2026, 2, 28)),
        (at_9(2026, 1, 15), 3, at_9(2025, 10, 15)),
        (at_9(2028, 2, 29), 24, at_9(2026, 2, 28)),
        # 07:00 in Xuzhou is still the day before in UTC: the months are counted in local time.
        (at_7(2026, 3, 31).astimezone(datetime.UTC), 1, at_7(2026, 2, 28)),
        (at_7(2028, 2, 29).astimezone(datetime.UTC), 12, at_7(2027, 2, 28)),
    ],
)
def test_the_window_counts_calendar_months_back(policy, at, months, start):
    policy.ladder_window_months = months
    assert policy.window_start(at) == start


def test_an_offence_on_the_local_anniversary_morning_still_counts(shop, record_step):
    """Recorded on 28 Feb 2027 at 10:00; on 29 Feb 2028 at 07:30 (still the 28th in UTC) the
    12-month window starts on 28 Feb 2027 at 07:30 local time, so the offence is inside it."""
    with time_machine.travel(datetime.datetime(2027, 2, 28, 10, 0, tzinfo=SHANGHAI), tick=False):
        record_step(Step.PERSUADE, merchant=shop)
    with time_machine.travel(datetime.datetime(2028, 2, 29, 7, 30, tzinfo=SHANGHAI), tick=False):
        ladder = selectors.ladder(merchant=shop)
        assert ladder.window_start == datetime.datetime(2027, 2, 28, 7, 30, tzinfo=SHANGHAI)
        assert (ladder.count, ladder.suggested, ladder.waiver_offered) == (1, Step.EDUCATE, False)
        offence = record_step(Step.EDUCATE, merchant=shop)
    assert offence.event.data["offence_number"] == 2


def test_a_step_on_the_ladder_is_recorded_through_the_audit_writer(
    shop, street_ticket, officer_gulou, monkeypatch
):
    """The step's event reaches what listens to ticket events (``cases.hooks``), like any other."""
    from cases import hooks

    ticket = street_ticket()
    heard = []
    monkeypatch.setattr(hooks, "event_listeners", [*hooks.event_listeners, heard.append])
    offence = services.record_offence(
        actor=officer_gulou, ticket_id=ticket.pk, step=Step.PERSUADE, merchant_id=shop.pk
    )
    assert [event.pk for event in heard] == [offence.event_id]
    assert heard[0].action == EnforcementEvent.PERSUADE
    assert heard[0].from_state == heard[0].to_state == ticket.state
