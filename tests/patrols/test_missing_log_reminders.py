"""The 18:00 missing-log reminder: officers on duty without a submitted log hear of it, their
supervisor gets the list, once a day, and only on official working days."""

import datetime
import zoneinfo

import pytest
import time_machine

from accounts.models import Officer
from grids.models import Assignment
from notifications.models import NoticeKind, Notification
from patrols import reminders, services
from patrols.models import LogReminder

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at_six(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(18, 0), tzinfo=SHANGHAI)


MONDAY = datetime.date(2026, 11, 23)
NATIONAL_DAY = datetime.date(2026, 10, 1)
SUNDAY = datetime.date(2026, 11, 22)


def notes(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user))


def test_an_officer_without_a_log_and_their_supervisor_are_told_once(
    officer_gulou, officer_quanshan, supervisor_gulou, supervisor_quanshan
):
    with time_machine.travel(at_six(MONDAY), tick=False):
        services.submit_log(actor=officer_quanshan, day=MONDAY, summary="巡查泰山社区", problems="")
        first = reminders.remind_missing_logs()
        second = reminders.remind_missing_logs()
    assert first == {"missing": 1, "officers_reminded": 1, "supervisors_reminded": 1}
    assert second == {"missing": 1, "officers_reminded": 0, "supervisors_reminded": 0}
    [own] = notes(officer_gulou)
    assert (own.kind, own.link) == (NoticeKind.MISSING_LOG, "/patrols/log/2026-11-23/")
    assert "2026" in own.message
    [listing] = notes(supervisor_gulou)
    assert listing.kind == NoticeKind.MISSING_LOGS
    assert "王建国" in listing.message
    assert notes(officer_quanshan) == []
    assert notes(supervisor_quanshan) == []
    assert LogReminder.objects.count() == 2


def test_nobody_is_reminded_on_a_public_holiday_or_a_weekend(officer_gulou, supervisor_gulou):
    for day in (NATIONAL_DAY, SUNDAY):
        with time_machine.travel(at_six(day), tick=False):
            assert reminders.remind_missing_logs()["missing"] == 0
    assert not Notification.objects.exists()


def test_an_officer_off_duty_today_is_not_reminded(officer_gulou, supervisor_gulou):
    Assignment.objects.filter(officer__user=officer_gulou).update(weekdays="67")
    with time_machine.travel(at_six(MONDAY), tick=False):
        assert reminders.remind_missing_logs()["missing"] == 0
    assert not Notification.objects.exists()


def test_an_officer_whose_shift_has_not_begun_is_not_reminded(officer_gulou, supervisor_gulou):
    Assignment.objects.filter(officer__user=officer_gulou).update(
        start_time=datetime.time(19, 0), end_time=datetime.time(23, 0)
    )
    with time_machine.travel(at_six(MONDAY), tick=False):
        assert reminders.remind_missing_logs()["missing"] == 0


def test_an_inactive_officer_is_not_reminded(officer_gulou, supervisor_gulou):
    Officer.objects.filter(user=officer_gulou).update(is_active=False)
    with time_machine.travel(at_six(MONDAY), tick=False):
        assert reminders.remind_missing_logs()["missing"] == 0


def test_the_task_runs_the_same_reminder(officer_gulou, supervisor_gulou):
    from patrols.tasks import remind_missing_logs

    with time_machine.travel(at_six(MONDAY), tick=False):
        assert remind_missing_logs()["officers_reminded"] == 1


def test_a_supervisor_on_duty_without_a_log_gets_their_reminder_and_the_list(
    officer_gulou, supervisor_gulou, gulou_community
):
    from django.contrib.auth.models import Group

    from tests.factories import AssignmentFactory, OfficerFactory

    supervisor_gulou.groups.add(Group.objects.get_or_create(name="officer")[0])
    leader = OfficerFactory(
        user=supervisor_gulou, brigade=gulou_community.brigade, badge_number="GL1-000"
    )
    AssignmentFactory(officer=leader, community=gulou_community, weekdays="1234567")
    with time_machine.travel(at_six(MONDAY), tick=False):
        result = reminders.remind_missing_logs()
    assert result == {"missing": 2, "officers_reminded": 2, "supervisors_reminded": 1}
    kinds = sorted(n.kind for n in notes(supervisor_gulou))
    assert kinds == [NoticeKind.MISSING_LOG, NoticeKind.MISSING_LOGS]
    [listing] = [n for n in notes(supervisor_gulou) if n.kind == NoticeKind.MISSING_LOGS]
    assert listing.link == "/patrols/today/?day=2026-11-23"
