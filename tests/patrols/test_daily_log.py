"""The daily work log: counts from the day's rows, read-only once submitted, reviewed by the
brigade's supervisor (approve, or return with a note)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from cases.models import State
from patrols import services
from patrols.models import DailyLog, LogAction, LogStatus, OutreachKind
from tests.patrols.conftest import GULOU_001, GULOU_002
from tests.patrols.test_findings import find

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 11, 23)


@pytest.fixture
def busy_day(monday, officer_gulou, officer_gulou_colleague, category, handler_sanitation, media):
    """On Monday officer_gulou walks 100 m, fixes one problem on site, files one for dispatch and
    refers one, makes two visits and one publicity event. Noise: a finding of Sunday and one by
    a colleague, which their log must not count."""
    monday.shift(datetime.timedelta(days=-1))
    find(officer_gulou, "dispatch", category)
    monday.shift(datetime.timedelta(days=1))
    find(officer_gulou_colleague, "dispatch", category)

    session, _ = services.start_patrol(actor=officer_gulou)
    for lat, lng in (GULOU_001, GULOU_002):
        services.record_point(actor=officer_gulou, session_id=session.pk, lat=lat, lng=lng)
    find(officer_gulou, "on_site", category)
    find(officer_gulou, "dispatch", category)
    find(officer_gulou, "refer", category, unit_id=handler_sanitation.unit_id, person="陈科长")
    for kind in (OutreachKind.VISIT, OutreachKind.VISIT, OutreachKind.PUBLICITY):
        services.record_outreach(actor=officer_gulou, kind=kind)
    monday.shift(datetime.timedelta(minutes=90))
    services.end_patrol(actor=officer_gulou, session_id=session.pk)
    return officer_gulou


def submit(user, summary="巡查黄楼社区两个网格，清理暴露垃圾一处"):
    return services.submit_log(actor=user, day=MONDAY, summary=summary, problems="")


def test_the_counts_of_a_submitted_log_equal_the_days_tickets_and_taps(busy_day):
    log = submit(busy_day)

    assert log.status == LogStatus.SUBMITTED
    assert (log.found, log.fixed_on_site, log.referred, log.enforced) == (3, 1, 1, 0)
    assert log.resolved == 0  # fixing on site is counted as such, not as a dispatched fix
    assert (log.contacts_visited, log.publicity_events) == (2, 1)
    assert (log.patrol_count, log.patrol_minutes) == (1, 90)
    assert log.distance_m == pytest.approx(100, abs=1)
    event = log.events.get()
    assert (event.action, event.actor, event.counts["found"]) == (LogAction.SUBMIT, busy_day, 3)


def test_the_log_counts_and_lists_a_dispatched_ticket_the_officer_fixed(
    monday, officer_gulou, supervisor_gulou, make_ticket, client
):
    fixed = make_ticket(State.RESOLVED)  # dispatched to officer_gulou, fixed by them on Monday
    client.force_login(officer_gulou)

    html = client.get(reverse("patrols:log_today")).content.decode()
    log = submit(officer_gulou)

    assert fixed.number in html
    assert (log.found, log.resolved) == (0, 1)


def test_a_submitted_log_cannot_be_edited_by_the_officer(busy_day):
    submit(busy_day)

    with pytest.raises(ValidationError, match="submitted"):
        services.save_log(actor=busy_day, day=MONDAY, summary="改过的", problems="")
    with pytest.raises(ValidationError, match="submitted"):
        submit(busy_day, summary="再交一次")

    log = DailyLog.objects.get()
    assert log.summary.startswith("巡查黄楼社区") and log.events.count() == 1


def test_the_log_page_refuses_changes_once_submitted(busy_day, client):
    submit(busy_day)
    client.force_login(busy_day)

    response = client.post(
        reverse("patrols:log_today"), {"summary": "改过的", "problems": "", "submit": "1"}
    )

    assert response.status_code == 302
    assert DailyLog.objects.get().summary.startswith("巡查黄楼社区")
    page = client.get(reverse("patrols:log_today"))
    assert b'name="summary"' not in page.content


def test_a_log_needs_a_summary_to_be_submitted(busy_day, client):
    client.force_login(busy_day)

    response = client.post(
        reverse("patrols:log_today"),
        {"summary": "  ", "problems": "井盖缺失需市政协调", "submit": "1"},
    )

    assert response.status_code == 400
    assert "井盖缺失需市政协调" in response.content.decode()
    assert not DailyLog.objects.filter(status=LogStatus.SUBMITTED).exists()


def test_the_supervisor_returns_a_log_and_the_officer_may_correct_it(busy_day, supervisor_gulou):
    log = submit(busy_day)

    services.return_log(actor=supervisor_gulou, log_id=log.pk, note="请补充协调事项")
    services.submit_log(
        actor=busy_day, day=MONDAY, summary="补充后的总结", problems="井盖缺失需市政协调"
    )

    log.refresh_from_db()
    assert log.status == LogStatus.SUBMITTED and log.problems == "井盖缺失需市政协调"
    assert list(log.events.values_list("action", "actor__username", "note")) == [
        (LogAction.SUBMIT, "officer_gulou", ""),
        (LogAction.RETURN, "supervisor_gulou", "请补充协调事项"),
        (LogAction.SUBMIT, "officer_gulou", ""),
    ]


def test_a_return_needs_a_note(busy_day, supervisor_gulou):
    log = submit(busy_day)

    with pytest.raises(ValidationError):
        services.return_log(actor=supervisor_gulou, log_id=log.pk, note="")


def test_the_brigades_supervisor_approves_a_log(busy_day, supervisor_gulou):
    log = submit(busy_day)

    services.approve_log(actor=supervisor_gulou, log_id=log.pk, note="好")

    log.refresh_from_db()
    assert (log.status, log.reviewed_by, log.review_note) == (
        LogStatus.APPROVED,
        supervisor_gulou,
        "好",
    )
    assert log.events.last().action == LogAction.APPROVE


def test_another_brigades_supervisor_cannot_even_find_the_log(busy_day, supervisor_quanshan):
    log = submit(busy_day)

    with pytest.raises(Http404):
        services.approve_log(actor=supervisor_quanshan, log_id=log.pk)


def test_an_officer_cannot_approve_their_own_log(busy_day):
    log = submit(busy_day)

    with pytest.raises(PermissionDenied):
        services.approve_log(actor=busy_day, log_id=log.pk)
    assert DailyLog.objects.get().status == LogStatus.SUBMITTED


def test_a_log_cannot_be_written_for_tomorrow(monday, officer_gulou):
    with pytest.raises(ValidationError):
        services.save_log(
            actor=officer_gulou, day=MONDAY + datetime.timedelta(days=1), summary="x", problems=""
        )


def test_a_garbage_date_in_the_log_url_is_a_404(monday, officer_gulou, client):
    client.force_login(officer_gulou)

    for day in ("2026-13-45", "yesterday", "2099-01-01"):
        assert client.get(reverse("patrols:log_day", args=[day])).status_code == 404
