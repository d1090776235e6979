"""Monthly points and cards: deductions per confirmed violation (by category), additions for
volunteer acts, configurable thresholds, and three yellow months in a row → referral flag."""

import datetime

import pytest
import time_machine
from django.core.management import call_command

from cases import services as case_services
from shops import points, services
from shops.models import CardColour, CategoryDeduction, MerchantMonth, Step

pytestmark = pytest.mark.django_db

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
NOV = datetime.date(2026, 11, 1)


def at(month: int, day: int) -> time_machine.travel:
    return time_machine.travel(datetime.datetime(2026, month, day, 10, 0, tzinfo=SHANGHAI))


def month_of(shop, month: datetime.date = NOV) -> MerchantMonth:
    return MerchantMonth.objects.get(merchant=shop, month=month)


def test_each_confirmed_violation_costs_points_and_the_card_turns_yellow_then_red(
    shop, record_step
):
    with at(11, 2):
        record_step(Step.PERSUADE, merchant=shop)
    assert (month_of(shop).points, month_of(shop).colour) == (90, CardColour.GREEN)
    with at(11, 9):
        record_step(Step.EDUCATE, merchant=shop)
    assert (month_of(shop).points, month_of(shop).colour) == (80, CardColour.YELLOW)
    with at(11, 16):
        record_step(Step.SEIZE, merchant=shop)
    row = month_of(shop)
    assert (row.points, row.colour, row.violations, row.deducted) == (70, CardColour.RED, 3, 30)


def test_a_category_can_cost_more_than_the_default(shop, record_step, policy, enforceable_category):
    CategoryDeduction.objects.create(policy=policy, category=enforceable_category, points=30)
    with at(11, 2):
        record_step(Step.PERSUADE, merchant=shop)
    assert (month_of(shop).points, month_of(shop).colour) == (70, CardColour.RED)


def test_a_waived_first_offence_costs_no_points(shop, record_step):
    with at(11, 2):
        record_step(Step.WAIVE, merchant=shop)
    assert month_of(shop).points == 100


def test_waived_offences_cost_points_when_the_policy_says_so(shop, record_step, policy):
    policy.deduct_waived = True
    policy.save(update_fields=["deduct_waived"])
    with at(11, 2):
        record_step(Step.WAIVE, merchant=shop)
    assert month_of(shop).points == 90


def test_card_thresholds_are_configurable(shop, record_step, policy):
    policy.green_min, policy.yellow_min = 95, 85
    policy.save(update_fields=["green_min", "yellow_min"])
    with at(11, 2):
        record_step(Step.PERSUADE, merchant=shop)
    assert month_of(shop).colour == CardColour.YELLOW
    with at(11, 3):
        record_step(Step.EDUCATE, merchant=shop)
    assert month_of(shop).colour == CardColour.RED


def test_a_rejected_ticket_is_not_a_confirmed_violation(
    shop, record_step, officer_gulou, supervisor_gulou
):
    with at(11, 2):
        offence = record_step(Step.PERSUADE, merchant=shop)
        # The officer hands it back (wrong place) and the supervisor rejects it as invalid.
        case_services.return_ticket(
            actor=officer_gulou, ticket_id=offence.ticket_id, reason="非本店"
        )
        case_services.reject_ticket(
            actor=supervisor_gulou, ticket_id=offence.ticket_id, reason="invalid", note="误报"
        )
        points.compute_month(month=NOV)
    assert month_of(shop).points == 100


def test_volunteer_acts_add_points_up_to_the_ceiling(shop, officer_gulou, policy):
    with at(11, 20):
        for day in (3, 10, 17, 18, 19):
            services.record_volunteer_act(
                actor=officer_gulou,
                merchant_id=shop.pk,
                done_on=datetime.date(2026, 11, day),
                description="参与门前扫雪",
            )
    row = month_of(shop)
    assert row.added == 25
    assert row.points == 120  # capped at the policy's highest monthly points


def _yellow_month(shop, record_step, month: int) -> MerchantMonth:
    with at(month, 5):
        record_step(Step.PERSUADE, merchant=shop)
        record_step(Step.EDUCATE, merchant=shop)
    return month_of(shop, datetime.date(2026, month, 1))


def test_three_yellow_months_in_a_row_flag_the_shop_for_market_supervision(shop, record_step):
    assert not _yellow_month(shop, record_step, 8).flagged
    assert not _yellow_month(shop, record_step, 9).flagged
    third = _yellow_month(shop, record_step, 10)
    assert (third.colour, third.yellow_streak, third.flagged) == (CardColour.YELLOW, 3, True)


def test_a_green_month_breaks_the_yellow_streak(shop, record_step):
    _yellow_month(shop, record_step, 7)
    _yellow_month(shop, record_step, 8)
    points.compute_month(month=datetime.date(2026, 9, 1))  # nothing recorded: green
    assert month_of(shop, datetime.date(2026, 9, 1)).colour == CardColour.GREEN
    assert not _yellow_month(shop, record_step, 10).flagged


def test_the_yellow_streak_length_is_configurable(shop, record_step, policy):
    policy.yellow_months_to_flag = 2
    policy.save(update_fields=["yellow_months_to_flag"])
    _yellow_month(shop, record_step, 8)
    assert _yellow_month(shop, record_step, 9).flagged


def test_the_command_scores_every_shop_for_a_month(shop, shop_quanshan, record_step):
    with at(11, 2):
        record_step(Step.PERSUADE, merchant=shop)
    MerchantMonth.objects.all().delete()
    call_command("compute_shop_points", "2026-11", verbosity=0)
    assert month_of(shop).points == 90
    assert month_of(shop_quanshan).points == 100


def test_computing_a_month_twice_changes_nothing(shop, record_step):
    with at(11, 2):
        record_step(Step.PERSUADE, merchant=shop)
    points.compute_month(month=NOV)
    points.compute_month(month=NOV)
    assert MerchantMonth.objects.filter(merchant=shop).count() == 1
    assert month_of(shop).points == 90


def test_an_offence_in_another_month_does_not_count(shop, record_step):
    with at(10, 31):
        record_step(Step.PERSUADE, merchant=shop)
    points.compute_month(month=NOV)
    assert month_of(shop).points == 100


def test_the_monthly_task_scores_the_month_before(shop, record_step):
    from shops.tasks import compute_shop_points

    with at(10, 20):
        record_step(Step.PERSUADE, merchant=shop)
    with at(11, 1):
        assert compute_shop_points.apply().get() == 1
    assert month_of(shop, datetime.date(2026, 10, 1)).points == 90
    assert compute_shop_points.apply(args=["2026-11"]).get() == 1
    assert month_of(shop).points == 100
