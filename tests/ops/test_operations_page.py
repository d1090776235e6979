"""The operations page (/operations/): the beat schedule beside the workers' record of each
task, a warning when the reminder scan stops, running deadlines per brigade and today's
reminders. Assessors and the command centre only; a constant number of queries."""

import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from cases.models import State, Ticket
from citymgmt.schedules import SCHEDULES
from notifications import reminders
from notifications.models import DeadlineReminder, NoticeKind, Notification
from notifications.tasks import send_deadline_reminders
from ops.models import TaskRun
from ops.operations import REMINDER_TASK, schedule_words
from patrols.models import LogReminder

pytestmark = pytest.mark.django_db

URL = "/operations/"
MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def schedules(db) -> None:
    call_command("install_schedules", verbosity=0)


@pytest.fixture
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def page_for(client, user):
    client.force_login(user)
    return client.get(URL)


def clocks_by_brigade(response) -> dict[str, dict]:
    return {row["brigade__name"]: row for row in response.context["clocks"]}


# --- who may see it ---------------------------------------------------------------------------


def test_the_url_name_is_cases_operations():
    assert reverse("ops:operations") == URL


def test_assessor_sees_the_operations_page(client, assessor, schedules):
    assert page_for(client, assessor).status_code == 200


def test_command_centre_supervisor_sees_the_operations_page(client, command_supervisor):
    assert page_for(client, command_supervisor).status_code == 200


def test_brigade_supervisor_cannot_see_the_operations_page(client, supervisor_gulou):
    assert page_for(client, supervisor_gulou).status_code == 403


def test_officer_cannot_see_the_operations_page(client, officer_gulou):
    assert page_for(client, officer_gulou).status_code == 403


def test_handler_cannot_see_the_operations_page(client, handler_sanitation):
    assert page_for(client, handler_sanitation).status_code == 403


def test_resident_with_an_account_cannot_see_the_operations_page(client, resident):
    assert page_for(client, resident).status_code == 403


def test_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_assessor_home_and_nav_link_to_the_page(client, assessor):
    client.force_login(assessor)
    html = client.get(reverse("web:assessor_home")).content.decode()
    assert html.count(f'href="{URL}"') == 2  # the nav and the home page


def test_officer_nav_has_no_link_to_the_page(client, officer_gulou):
    client.force_login(officer_gulou)
    html = client.get(reverse("web:officer_home")).content.decode()
    assert f'href="{URL}"' not in html


def test_command_centre_home_links_to_the_page_and_a_brigade_supervisors_does_not(
    client, command_supervisor, supervisor_gulou
):
    client.force_login(command_supervisor)
    assert f'href="{URL}"' in client.get(reverse("web:supervisor_home")).content.decode()
    client.force_login(supervisor_gulou)
    assert f'href="{URL}"' not in client.get(reverse("web:supervisor_home")).content.decode()


# --- the schedule -----------------------------------------------------------------------------


def test_every_installed_schedule_is_listed_in_plain_words(english, assessor, schedules):
    response = page_for(english, assessor)
    rows = {row.task.name: row for row in response.context["rows"]}
    assert set(rows) == {schedule.name for schedule in SCHEDULES}
    assert {"deadline-reminders", "missing-daily-logs", "contact-retention"} <= set(rows)
    assert rows["deadline-reminders"].when == "Every 5 minutes"
    assert rows["missing-daily-logs"].when == "Every day at 18:00"
    assert rows["shop-points"].when == "On day 1 of every month at 03:00"
    html = response.content.decode()
    assert "cases.tasks.send_deadline_reminders" in html
    assert "Due-soon, overdue and escalation notifications" in html


def test_schedule_words_fall_back_to_the_cron_expression():
    crontab = CrontabSchedule(minute="*/10", hour="8-17", day_of_week="1-5")
    task = PeriodicTask(name="x", task="x", crontab=crontab)
    assert schedule_words(task) == "Cron expression */10 8-17 * * 1-5"
    task = PeriodicTask(
        name="y", task="y", interval=IntervalSchedule(every=1, period=IntervalSchedule.HOURS)
    )
    assert schedule_words(task) == "Every hour"


def test_a_task_run_by_a_worker_shows_its_last_run_and_result(english, assessor, schedules):
    with time_machine.travel(timezone.now() - 2 * MINUTE, tick=False):
        send_deadline_reminders.apply()
    run = TaskRun.objects.get(task=REMINDER_TASK)
    assert (run.runs, run.failures, run.succeeded) == (1, 0, True)
    response = page_for(english, assessor)
    row = next(r for r in response.context["rows"] if r.task.task == REMINDER_TASK)
    assert row.run == run
    assert response.context["warning"] == ""
    html = response.content.decode()
    assert "last run succeeded" in html
    assert "notified" in html  # the scan's result summary


def test_a_failed_run_is_shown_as_failed(english, assessor, schedules):
    TaskRun.objects.create(
        task="patrols.tasks.remind_missing_logs",
        started_at=timezone.now(),
        finished_at=timezone.now(),
        succeeded=False,
        result="FAILURE: OperationalError",
        runs=3,
        failures=1,
    )
    html = page_for(english, assessor).content.decode()
    assert "last run failed" in html
    assert "FAILURE: OperationalError" in html


def test_a_reminder_scan_that_has_not_run_for_15_minutes_is_warned_about(
    english, assessor, schedules
):
    TaskRun.objects.create(
        task=REMINDER_TASK,
        started_at=timezone.now() - 16 * MINUTE,
        finished_at=timezone.now() - 16 * MINUTE,
        succeeded=True,
        runs=10,
    )
    response = page_for(english, assessor)
    assert "more than 15 minutes ago" in response.context["warning"]
    assert 'id="scan-warning"' in response.content.decode()


def test_a_reminder_scan_that_ran_14_minutes_ago_is_not_warned_about(english, assessor, schedules):
    TaskRun.objects.create(
        task=REMINDER_TASK, started_at=timezone.now() - 14 * MINUTE, succeeded=True, runs=1
    )
    response = page_for(english, assessor)
    assert response.context["warning"] == ""
    assert 'id="scan-warning"' not in response.content.decode()


def test_a_scan_that_never_ran_or_is_disabled_or_not_installed_is_warned_about(
    english, assessor, schedules
):
    assert "never run" in page_for(english, assessor).context["warning"]
    PeriodicTask.objects.filter(task=REMINDER_TASK).update(enabled=False)
    assert "disabled" in page_for(english, assessor).context["warning"]
    PeriodicTask.objects.filter(task=REMINDER_TASK).delete()
    assert "install_schedules" in page_for(english, assessor).context["warning"]


def test_assessor_gets_a_link_to_edit_each_schedule_in_the_admin(client, assessor, schedules):
    task = PeriodicTask.objects.get(name="deadline-reminders")
    edit = reverse("admin:django_celery_beat_periodictask_change", args=[task.pk])
    client.force_login(assessor)
    assert edit in client.get(URL).content.decode()
    assert client.get(edit).status_code == 200


def test_command_centre_supervisor_gets_no_admin_link(client, command_supervisor, schedules):
    task = PeriodicTask.objects.get(name="deadline-reminders")
    edit = reverse("admin:django_celery_beat_periodictask_change", args=[task.pk])
    client.force_login(command_supervisor)
    assert edit not in client.get(URL).content.decode()
    assert client.get(edit).status_code == 302  # not staff: the admin's login page


# --- deadlines and reminders ------------------------------------------------------------------


def test_due_soon_overdue_and_escalated_are_counted_per_brigade(
    client, assessor, make_ticket, officer_gulou, command_supervisor
):
    due_soon = make_ticket(State.DISPATCHED)
    overdue = make_ticket(State.DISPATCHED)
    escalated = make_ticket(State.DISPATCHED)
    make_ticket(State.DISPATCHED, place="quanshan")
    make_ticket(State.CLOSED)  # no running clock
    now = timezone.now()
    Ticket.objects.filter(pk=due_soon.pk).update(warn_at=now - MINUTE, deadline=now + 10 * MINUTE)
    for ticket in (overdue, escalated):
        Ticket.objects.filter(pk=ticket.pk).update(
            warn_at=now - 60 * MINUTE, deadline=now - 30 * MINUTE
        )
    escalated.refresh_from_db()
    DeadlineReminder.objects.create(
        ticket=escalated, kind=NoticeKind.ESCALATED, deadline=escalated.deadline
    )
    # An escalation for an earlier deadline (since extended) does not count.
    DeadlineReminder.objects.create(
        ticket=overdue, kind=NoticeKind.ESCALATED, deadline=now - 600 * MINUTE
    )
    response = page_for(client, assessor)
    rows = clocks_by_brigade(response)
    gulou = rows["鼓楼执法监督一大队"]
    assert (gulou["running"], gulou["due_soon"], gulou["overdue"], gulou["escalated"]) == (
        3,
        1,
        2,
        1,
    )
    quanshan = rows["泉山执法监督三大队"]
    assert (quanshan["due_soon"], quanshan["overdue"], quanshan["escalated"]) == (0, 0, 0)
    assert response.context["totals"] == {
        "running": 4,
        "due_soon": 1,
        "overdue": 2,
        "escalated": 1,
    }


def test_a_closed_ticket_is_not_counted_even_if_it_was_escalated(client, assessor, make_ticket):
    ticket = make_ticket(State.CLOSED)
    DeadlineReminder.objects.create(
        ticket=ticket, kind=NoticeKind.ESCALATED, deadline=ticket.deadline
    )
    assert page_for(client, assessor).context["clocks"] == []


def test_todays_reminders_are_counted_by_kind(
    english, assessor, make_ticket, officer_gulou, supervisor_gulou
):
    ticket = make_ticket(State.DISPATCHED)
    Notification.objects.all().delete()
    reminders.scan(ticket.deadline + MINUTE)  # overdue: officer and supervisor
    yesterday = timezone.now() - datetime.timedelta(days=1, hours=1)
    DeadlineReminder.objects.create(
        ticket=ticket, kind=NoticeKind.DUE_SOON, deadline=ticket.deadline, sent_at=yesterday
    )
    with time_machine.travel(ticket.deadline + 2 * MINUTE, tick=False):
        response = page_for(english, assessor)
    counts = {
        row["label"]: (row["tickets"], row["people"]) for row in response.context["reminders"]
    }
    assert counts["Overdue"] == (1, 2)
    assert counts["Deadline near"] == (0, 0)
    assert counts["Overdue: escalated"] == (0, 0)


def test_missing_log_reminders_of_today_are_counted(english, assessor, officer_gulou):
    LogReminder.objects.create(day=timezone.localdate(), recipient=officer_gulou, officers=1)
    rows = page_for(english, assessor).context["reminders"]
    assert rows[-1]["label"] == "Daily log reminders"
    assert rows[-1]["people"] == 1


def test_garbage_query_string_does_not_break_the_page(client, assessor):
    client.force_login(assessor)
    assert client.get(URL, {"page": "x'; --", "brigade": "\x00"}).status_code == 200


# --- speed ------------------------------------------------------------------------------------


def _more_schedules(n: int) -> None:
    for i in range(n):
        interval, _ = IntervalSchedule.objects.get_or_create(
            every=i + 1, period=IntervalSchedule.HOURS
        )
        PeriodicTask.objects.create(name=f"extra-{i}", task=f"extra.task{i}", interval=interval)
        TaskRun.objects.create(task=f"extra.task{i}", started_at=timezone.now(), runs=1)


@pytest.mark.parametrize("size", [1, 5])
def test_the_page_runs_a_constant_number_of_queries(
    client, assessor, schedules, make_ticket, django_assert_max_num_queries, size
):
    for i in range(size):
        ticket = make_ticket(State.DISPATCHED, place="gulou" if i % 2 else "quanshan")
        DeadlineReminder.objects.create(
            ticket=ticket, kind=NoticeKind.DUE_SOON, deadline=ticket.deadline
        )
    _more_schedules(size)
    client.force_login(assessor)
    # Session, user, roles, two for the schedule, one per figure, the admin permissions (two),
    # the bell, and the request's savepoint pair.
    with django_assert_max_num_queries(13):
        response = client.get(URL)
    assert response.status_code == 200
    assert len(response.context["rows"]) == len(SCHEDULES) + size
