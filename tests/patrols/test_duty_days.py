"""Duty days and the "on duty today, no daily log submitted" list: the posting's weekdays and
hours, public holidays and make-up working days (the official calendar) all count."""

import datetime

import pytest
import time_machine

from patrols import duty, services
from patrols.selectors import officers_on_duty_without_submitted_log
from tests.factories import AssignmentFactory, OfficerFactory
from tests.patrols.conftest import SHANGHAI

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 11, 23)
SATURDAY = datetime.date(2026, 11, 28)
NATIONAL_DAY = datetime.date(2026, 10, 1)  # a Thursday, a public holiday
MAKEUP_SATURDAY = datetime.date(2026, 10, 10)  # worked in exchange for the National Day week


@pytest.fixture
def weekday_officer(gulou_community):
    """孙立 works 黄楼社区 Monday to Friday, 09:00–18:00."""
    officer = OfficerFactory(
        brigade=gulou_community.brigade, badge_number="GL1-009", user__display_name="孙立"
    )
    AssignmentFactory(
        officer=officer,
        community=gulou_community,
        weekdays="12345",
        start_time=datetime.time(9, 0),
        end_time=datetime.time(18, 0),
    )
    return officer


def missing(day, hour, minute=0):
    now = datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=SHANGHAI)
    return [o.badge_number for o in officers_on_duty_without_submitted_log(day, at=now)]


def test_an_officer_whose_hours_have_begun_is_listed_until_they_log(weekday_officer):
    assert missing(MONDAY, 9, 30) == ["GL1-009"]


def test_an_officer_whose_hours_have_not_begun_is_not_listed_yet(weekday_officer):
    assert missing(MONDAY, 8, 45) == []


def test_a_submitted_log_takes_the_officer_off_the_list(weekday_officer):
    with time_machine.travel(datetime.datetime(2026, 11, 23, 17, 0, tzinfo=SHANGHAI)):
        services.submit_log(actor=weekday_officer.user, day=MONDAY, summary="巡查", problems="")

    assert missing(MONDAY, 18, 0) == []


def test_a_draft_log_does_not_count_as_submitted(weekday_officer):
    with time_machine.travel(datetime.datetime(2026, 11, 23, 17, 0, tzinfo=SHANGHAI)):
        services.save_log(actor=weekday_officer.user, day=MONDAY, summary="巡查", problems="")

    assert missing(MONDAY, 18, 0) == ["GL1-009"]


def test_a_rest_day_of_the_posting_lists_nobody(weekday_officer):
    assert missing(SATURDAY, 12) == []


def test_a_public_holiday_lists_nobody_even_for_a_seven_day_posting(weekday_officer, officer_gulou):
    assert missing(NATIONAL_DAY, 12) == []
    assert missing(MONDAY, 12) == ["GL1-001", "GL1-009"]


def test_a_make_up_working_saturday_is_a_duty_day_for_a_weekday_posting(weekday_officer):
    assert missing(MAKEUP_SATURDAY, 12) == ["GL1-009"]


def test_another_brigades_officers_are_left_out_when_asked_for_one_brigade(
    weekday_officer, officer_quanshan
):
    now = datetime.datetime(2026, 11, 23, 12, 0, tzinfo=SHANGHAI)
    listed = officers_on_duty_without_submitted_log(
        MONDAY, at=now, brigade_id=weekday_officer.brigade_id
    )

    assert [o.badge_number for o in listed] == ["GL1-009"]


def test_duty_days_of_a_month_follow_the_posting_and_the_calendar(weekday_officer):
    days = duty.duty_days(
        weekday_officer.pk, datetime.date(2026, 10, 1), datetime.date(2026, 10, 31)
    )

    # October 2026: 22 weekdays, minus National Day's five (1, 2, 5, 6, 7), plus make-up 10th.
    assert NATIONAL_DAY not in days and MAKEUP_SATURDAY in days
    assert len(days) == 22 - 5 + 1
    assert all(
        duty.is_duty_day(a, d) == (d in days)
        for a in weekday_officer.assignments.all()
        for d in (NATIONAL_DAY, MAKEUP_SATURDAY, datetime.date(2026, 10, 12))
    )
