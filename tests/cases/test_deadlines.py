"""Deadlines count working time on China's official calendar (holidays and 调休 included)."""

import datetime
import logging
import zoneinfo

import pytest

from cases.deadlines import (
    Colour,
    budget_minutes,
    colour,
    shift_for_pause,
    start_clock,
    used_fraction,
)
from citymgmt import workcalendar
from citymgmt.workcalendar import (
    add_working_minutes,
    is_working_day,
    working_day_minutes,
    working_minutes_between,
)

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(year, month, day, hour=0, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


# 2026-03-02 is a Monday in an ordinary week.


def test_two_working_hours_within_one_morning_end_the_same_morning():
    assert add_working_minutes(at(2026, 3, 2, 8, 30), 120) == at(2026, 3, 2, 10, 30)


def test_two_working_hours_from_eleven_skip_the_lunch_break():
    assert add_working_minutes(at(2026, 3, 2, 11, 0), 120) == at(2026, 3, 2, 14, 30)


def test_four_working_hours_from_friday_afternoon_end_on_monday_morning():
    assert add_working_minutes(at(2026, 3, 6, 15, 30), 240) == at(2026, 3, 9, 10, 30)


def test_a_budget_that_fits_exactly_ends_at_the_close_of_the_day_not_the_next_morning():
    assert add_working_minutes(at(2026, 3, 2, 8, 30), 450) == at(2026, 3, 2, 17, 30)


def test_the_official_calendar_knows_the_2026_national_day_and_mid_autumn_holidays():
    assert not is_working_day(datetime.date(2026, 9, 25))  # Mid-autumn, a Friday
    assert not is_working_day(datetime.date(2026, 9, 26))
    assert not is_working_day(datetime.date(2026, 10, 1))
    assert not is_working_day(datetime.date(2026, 10, 7))  # a Wednesday
    assert is_working_day(datetime.date(2026, 9, 20))  # make-up Sunday
    assert is_working_day(datetime.date(2026, 10, 10))  # make-up Saturday


def test_four_working_hours_before_national_day_end_after_the_golden_week():
    # 30 Sep 16:00-17:30 is 1.5 h; 1-7 Oct are off; 8 Oct 08:30 + 2.5 h.
    assert add_working_minutes(at(2026, 9, 30, 16, 0), 240) == at(2026, 10, 8, 11, 0)


def test_a_make_up_saturday_counts_as_a_working_day():
    # Fri 9 Oct 17:00-17:30, then Saturday 10 Oct is worked (调休).
    assert add_working_minutes(at(2026, 10, 9, 17, 0), 120) == at(2026, 10, 10, 10, 0)


def test_five_working_days_from_monday_morning_end_on_friday_evening():
    minutes = budget_minutes(5, "working_days")
    assert minutes == 5 * 450
    assert add_working_minutes(at(2026, 3, 2, 8, 30), minutes) == at(2026, 3, 6, 17, 30)


def test_five_working_days_across_national_day_count_the_make_up_saturday_but_not_sunday():
    # Working days: 30 Sep, 8, 9, 10 (Saturday, 调休) and 12 Oct.
    minutes = budget_minutes(5, "working_days")
    assert add_working_minutes(at(2026, 9, 30, 8, 30), minutes) == at(2026, 10, 12, 17, 30)


def test_a_clock_started_on_sunday_night_runs_from_monday_morning():
    assert add_working_minutes(at(2026, 3, 8, 21, 0), 60) == at(2026, 3, 9, 9, 30)


def test_no_minutes_means_the_first_working_instant_at_or_after_the_start():
    assert add_working_minutes(at(2026, 3, 8, 21, 0), 0) == at(2026, 3, 9, 8, 30)
    assert add_working_minutes(at(2026, 3, 2, 12, 0), 0) == at(2026, 3, 2, 13, 30)
    assert add_working_minutes(at(2026, 3, 2, 17, 30), 0) == at(2026, 3, 3, 8, 30)
    assert add_working_minutes(at(2026, 3, 2, 10, 0), 0) == at(2026, 3, 2, 10, 0)


def test_results_are_in_shanghai_time_whatever_zone_the_start_was_given_in():
    start = datetime.datetime(2026, 3, 2, 0, 30, tzinfo=datetime.UTC)  # 08:30 in Shanghai
    end = add_working_minutes(start, 60)
    assert end == at(2026, 3, 2, 9, 30)
    assert end.utcoffset() == datetime.timedelta(hours=8)


def test_working_minutes_between_inverts_add_working_minutes():
    starts = [at(2026, 9, 18, 7, 0) + datetime.timedelta(minutes=97 * i) for i in range(400)]
    budgets = [0, 1, 59, 210, 449, 450, 451, 1000, 2250, 20 * 450]
    for start in starts:
        for minutes in budgets:
            end = add_working_minutes(start, minutes)
            assert working_minutes_between(start, end) == minutes, (start, minutes)


def test_working_minutes_between_counts_only_working_time():
    assert working_minutes_between(at(2026, 3, 2, 11, 0), at(2026, 3, 2, 14, 0)) == 90
    assert working_minutes_between(at(2026, 9, 30, 0, 0), at(2026, 10, 9, 0, 0)) == 2 * 450
    assert working_minutes_between(at(2026, 3, 2, 14, 0), at(2026, 3, 2, 11, 0)) == 0


def test_sixty_working_days_take_one_step_per_calendar_day_not_per_minute():
    is_working_day.cache_clear()
    add_working_minutes(at(2026, 9, 30, 16, 0), budget_minutes(60, "working_days"))
    info = is_working_day.cache_info()
    assert info.hits + info.misses < 120


def test_budget_units_convert_to_minutes():
    assert budget_minutes(4, "working_hours") == 240
    assert budget_minutes(2, "working_days") == 900
    assert budget_minutes(2, "natural_hours") == 120
    with pytest.raises(ValueError):
        budget_minutes(1, "fortnights")


def test_urgent_tickets_count_natural_hours_through_evenings_and_holidays():
    clock = start_clock(at(2026, 9, 30, 16, 0), 240, natural=True)
    assert clock.started_at == at(2026, 9, 30, 16, 0)
    assert clock.deadline == at(2026, 9, 30, 20, 0)
    assert clock.warn_at == at(2026, 9, 30, 19, 12)


def test_the_warning_comes_when_eighty_percent_of_the_working_budget_is_used():
    clock = start_clock(at(2026, 3, 2, 8, 30), 450, natural=False)
    assert clock.deadline == at(2026, 3, 2, 17, 30)
    assert clock.warn_at == at(2026, 3, 2, 16, 0)  # 360 minutes: 3.5 h morning + 2.5 h


def test_the_warning_minutes_are_rounded_down():
    clock = start_clock(at(2026, 3, 2, 8, 30), 7, natural=False)
    assert clock.warn_at == at(2026, 3, 2, 8, 35)  # 5.6 minutes -> 5


def test_colour_is_green_then_yellow_at_the_warning_then_red_after_the_deadline():
    warn_at, deadline = at(2026, 3, 2, 16, 0), at(2026, 3, 2, 17, 30)
    assert colour(at(2026, 3, 2, 15, 59), warn_at, deadline) is Colour.GREEN
    assert colour(warn_at, warn_at, deadline) is Colour.YELLOW
    assert colour(deadline, warn_at, deadline) is Colour.YELLOW
    assert colour(at(2026, 3, 2, 17, 31), warn_at, deadline) is Colour.RED
    assert colour(at(2026, 3, 2, 17, 0), None, deadline) is Colour.GREEN
    assert colour(at(2026, 3, 2, 17, 0), None, None) is None


def test_a_pause_moves_deadline_and_warning_by_the_working_time_it_lasted():
    clock = start_clock(at(2026, 3, 2, 8, 30), 900, natural=False)
    assert (clock.deadline, clock.warn_at) == (at(2026, 3, 3, 17, 30), at(2026, 3, 3, 14, 30))
    # Mon 16:30 to Tue 09:30 holds two working hours.
    paused_at, resumed_at = at(2026, 3, 2, 16, 30), at(2026, 3, 3, 9, 30)
    deadline, warn_at = shift_for_pause(
        clock.deadline, clock.warn_at, paused_at, resumed_at, natural=False
    )
    assert (deadline, warn_at) == (at(2026, 3, 4, 10, 30), at(2026, 3, 3, 16, 30))


def test_an_approved_extension_moves_the_deadline_fully_and_the_warning_by_eighty_percent():
    deadline, warn_at = shift_for_pause(
        at(2026, 3, 3, 17, 30),
        at(2026, 3, 3, 14, 30),
        at(2026, 3, 2, 16, 30),
        at(2026, 3, 3, 9, 30),
        natural=False,
        extra_minutes=450,
    )
    # Deadline: 120 + 450 minutes; warning: 120 + 360 minutes.
    assert (deadline, warn_at) == (at(2026, 3, 5, 10, 30), at(2026, 3, 4, 15, 0))


def test_a_pause_of_an_urgent_ticket_moves_it_by_natural_time():
    deadline, warn_at = shift_for_pause(
        at(2026, 3, 2, 20, 0),
        at(2026, 3, 2, 19, 12),
        at(2026, 3, 2, 17, 0),
        at(2026, 3, 2, 18, 30),
        natural=True,
        extra_minutes=60,
    )
    assert (deadline, warn_at) == (at(2026, 3, 2, 22, 30), at(2026, 3, 2, 21, 30))


def test_a_pause_outside_working_hours_leaves_a_closing_time_deadline_where_it_was():
    deadline, warn_at = shift_for_pause(
        at(2026, 3, 2, 17, 30),
        at(2026, 3, 2, 16, 0),
        at(2026, 3, 2, 18, 0),
        at(2026, 3, 2, 20, 0),
        natural=False,
    )
    assert (deadline, warn_at) == (at(2026, 3, 2, 17, 30), at(2026, 3, 2, 16, 0))


def test_used_fraction_is_working_time_used_over_the_budget():
    started_at, deadline = at(2026, 3, 2, 8, 30), at(2026, 3, 2, 17, 30)
    assert used_fraction(at(2026, 3, 2, 13, 0), started_at, deadline, natural=False) == 210 / 450
    assert used_fraction(at(2026, 3, 3, 9, 0), started_at, deadline, natural=False) == 1.0
    assert used_fraction(
        at(2026, 3, 2, 12, 0), started_at, at(2026, 3, 2, 18, 0), natural=True
    ) == (210 / 570)
    assert used_fraction(at(2026, 3, 2, 9, 0), started_at, None, natural=False) == 0.0
    assert used_fraction(at(2026, 3, 2, 9, 0), started_at, started_at, natural=False) == 0.0


def test_a_year_without_calendar_data_falls_back_to_weekdays_and_warns_once(caplog):
    is_working_day.cache_clear()
    workcalendar._warn_missing_calendar.cache_clear()
    with caplog.at_level(logging.WARNING, logger="cases.deadlines"):
        assert is_working_day(datetime.date(2027, 1, 8))  # Friday
        assert not is_working_day(datetime.date(2027, 1, 9))  # Saturday
        # Friday 17:00 + 1 h: half an hour on Friday, half an hour on Monday.
        assert add_working_minutes(at(2027, 1, 8, 17, 0), 60) == at(2027, 1, 11, 9, 0)
    warnings = [r for r in caplog.records if "2027" in r.getMessage()]
    assert len(warnings) == 1


def test_working_periods_can_be_overridden_in_settings(settings):
    settings.CITYMGMT_WORKING_PERIODS = ((datetime.time(9, 0), datetime.time(17, 0)),)
    assert working_day_minutes() == 480
    assert budget_minutes(1, "working_days") == 480
    assert add_working_minutes(at(2026, 3, 2, 16, 0), 120) == at(2026, 3, 3, 10, 0)
    assert add_working_minutes(at(2026, 3, 2, 12, 30), 60) == at(2026, 3, 2, 13, 30)


def test_the_default_working_day_has_seven_and_a_half_hours():
    assert working_day_minutes() == 450
