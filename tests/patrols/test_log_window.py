"""When a daily log may be written: on its day or on the next duty day at the latest (the grace
period of ``patrols.duty``); older days are read-only unless the supervisor returned the log."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from patrols import services
from patrols.models import DailyLog, LogAction, LogStatus
from tests.factories import AssignmentFactory, OfficerFactory
from tests.patrols.conftest import SHANGHAI

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 11, 23)
FRIDAY = datetime.date(2026, 11, 20)
THURSDAY = datetime.date(2026, 11, 19)


@pytest.fixture
def weekday_officer(gulou_community):
    """孙立 works 黄楼社区 Monday to Friday: on Monday the previous duty day is Friday."""
    officer = OfficerFactory(
        brigade=gulou_community.brigade, badge_number="GL1-009", user__display_name="孙立"
    )
    AssignmentFactory(officer=officer, community=gulou_community, weekdays="12345")
    return officer.user


def submit(user, day, summary="巡查黄楼社区"):
    return services.submit_log(actor=user, day=day, summary=summary, problems="")


def test_on_monday_the_officer_still_submits_fridays_log(monday, weekday_officer):
    log = submit(weekday_officer, FRIDAY)

    assert log.status == LogStatus.SUBMITTED and log.date == FRIDAY
    assert list(log.events.values_list("action", flat=True)) == [LogAction.SUBMIT]


def test_on_monday_the_weekend_after_the_previous_duty_day_is_still_open(monday, weekday_officer):
    log = services.save_log(
        actor=weekday_officer, day=datetime.date(2026, 11, 22), summary="周末加班", problems=""
    )

    assert log.summary == "周末加班"


def test_on_monday_thursdays_log_is_closed(monday, weekday_officer):
    for service in (services.save_log, services.submit_log):
        with pytest.raises(ValidationError, match="closed"):
            service(actor=weekday_officer, day=THURSDAY, summary="补写", problems="")

    assert not DailyLog.objects.exists()


def test_for_a_seven_day_posting_only_yesterday_is_in_grace(monday, officer_gulou):
    submit(officer_gulou, MONDAY - datetime.timedelta(days=1))

    with pytest.raises(ValidationError, match="closed"):
        submit(officer_gulou, MONDAY - datetime.timedelta(days=2))


def test_a_returned_old_log_is_editable_until_it_is_submitted_again(
    monday, weekday_officer, supervisor_gulou
):
    with time_machine.travel(datetime.datetime(2026, 11, 19, 18, 0, tzinfo=SHANGHAI), tick=False):
        log = submit(weekday_officer, THURSDAY, summary="巡查")
    services.return_log(actor=supervisor_gulou, log_id=log.pk, note="请补充处置情况")

    services.save_log(actor=weekday_officer, day=THURSDAY, summary="巡查，劝导2处", problems="")
    log = submit(weekday_officer, THURSDAY, summary="巡查，劝导2处")

    assert log.status == LogStatus.SUBMITTED and log.summary == "巡查，劝导2处"
    assert list(log.events.values_list("action", flat=True)) == [
        LogAction.SUBMIT,
        LogAction.RETURN,
        LogAction.SUBMIT,
    ]
    with pytest.raises(ValidationError):
        services.save_log(actor=weekday_officer, day=THURSDAY, summary="再改", problems="")


def test_an_old_days_log_page_is_read_only_and_refuses_a_post(monday, officer_gulou, client):
    client.force_login(officer_gulou)
    url = reverse("patrols:log_day", args=["2020-01-01"])

    page = client.get(url)
    posted = client.post(url, {"summary": "补写的日志", "submit": "1"})

    assert page.status_code == 200 and not page.context["editable"]
    assert 'class="log-form"' not in page.content.decode()
    assert posted.status_code == 302
    assert not DailyLog.objects.exists()


def test_yesterdays_log_page_offers_the_form(monday, officer_gulou, client):
    client.force_login(officer_gulou)
    url = reverse("patrols:log_day", args=["2026-11-22"])

    assert client.get(url).context["editable"]
    assert client.post(url, {"summary": "巡查", "submit": "1"}).status_code == 302
    assert DailyLog.objects.get().status == LogStatus.SUBMITTED
