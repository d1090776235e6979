"""Reminders end to end on a phone, in Chinese: the reminder scan has run (as the worker runs it)
and the evening's missing-log reminder has gone out; the assessor opens the operations page and
finds the schedule and the deadlines per brigade; the officer sets their e-mail preference,
sees the due-soon and missing-log notifications in the inbox and follows each.

Strings this issue adds are matched in Chinese or English (the catalogue is filled after the
merge); the rest in Chinese as the glossary has them.
"""

import datetime
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import User
from cases import services
from cases.categories import invalidate_choices, load_categories
from cases.models import Category, Source, Ticket
from citymgmt import workcalendar
from citymgmt.schedules import SCHEDULES
from notifications.models import NoticeKind, Notification
from notifications.tasks import send_deadline_reminders
from ops.models import TaskRun
from patrols.reminders import remind_missing_logs
from tests.e2e.test_casework_journey import log_in, log_out, open_menu, snap

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FLASH = ".alert-success[role=alert]"
MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def garbage(db) -> Category:
    load_categories()
    invalidate_choices()
    return Category.objects.get(kind="event", code="0102")


def last_working_evening() -> datetime.datetime:
    day = timezone.localdate() - datetime.timedelta(days=1)
    while not workcalendar.is_working_day(day):
        day -= datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(18, 0)))


@pytest.fixture
def reminded(gulou_community, supervisor_gulou, officer_gulou, garbage) -> Ticket:
    """A ticket dispatched to the 鼓楼 officer, 80% of its time used, after one run of the
    reminder scan as a worker runs it; and yesterday evening's missing-log reminder."""
    call_command("install_schedules", verbosity=0)
    ticket = services.create_ticket(
        actor=supervisor_gulou,
        source=Source.HOTLINE,
        category=garbage,
        description="黄楼社区东门垃圾满溢",
        community=gulou_community,
    )
    services.register_ticket(actor=supervisor_gulou, ticket_id=ticket.pk)
    services.dispatch_ticket(
        actor=supervisor_gulou, ticket_id=ticket.pk, officer_id=officer_gulou.officer.pk
    )
    now = timezone.now()
    Ticket.objects.filter(pk=ticket.pk).update(warn_at=now - MINUTE, deadline=now + 30 * MINUTE)
    Notification.objects.all().delete()  # the dispatch's own notices are not the subject
    send_deadline_reminders.apply()
    remind_missing_logs(last_working_evening())
    assert Notification.objects.filter(recipient=officer_gulou).count() == 2
    assert TaskRun.objects.get(task="cases.tasks.send_deadline_reminders").succeeded
    return Ticket.objects.get(pk=ticket.pk)


def test_assessor_checks_operations_and_officer_follows_reminders(
    page: Page, reminded, assessor, officer_gulou
):
    # 1. The assessor opens the operations page from the menu.
    log_in(page, "assessor")
    open_menu(page)
    page.locator("#mainnav a[href='/operations/']").click()
    expect(page.locator("h1")).to_have_text(re.compile("运行维护|Operations"))
    expect(page.locator("#scan-warning")).to_have_count(0)  # the scan has just run
    scan = page.locator(".schedule-row[data-task='cases.tasks.send_deadline_reminders']")
    expect(scan).to_contain_text("deadline-reminders")
    expect(scan).to_contain_text(re.compile("每5分钟|每 5 分钟|Every 5 minutes"))
    expect(scan.locator("code.task-result")).to_contain_text('"due_soon": 1')
    expect(page.locator(".schedule-row")).to_have_count(len(SCHEDULES))
    expect(scan.get_by_role("link", name=re.compile("管理后台|admin"))).to_be_visible()
    gulou = page.locator(".brigade-clocks tbody tr", has_text="鼓楼执法监督一大队")
    expect(gulou.locator("td")).to_have_text(["1", "1", "0", "0"])  # in hand, due soon, …
    snap(page, "reminder-journey-operations")
    log_out(page)

    # 2. The officer rings the bell: two notifications wait.
    log_in(page, "officer_gulou")
    page.locator("#bell-phone").click()
    items = page.locator(".inbox a.list-group-item")
    expect(items).to_have_count(2)
    due = items.filter(has_text=reminded.number)
    expect(due).to_contain_text(re.compile("临期|即将到期|Deadline near"))
    missing = items.filter(has_text=re.compile("日志|daily log"))
    expect(missing).to_have_count(1)
    snap(page, "reminder-journey-inbox")

    # 3. From the inbox to the notification settings: a bad address is refused and kept.
    page.locator("#notification-settings").click()
    expect(page.locator("h1")).to_have_text(re.compile("通知设置|Notification settings"))
    expect(page.locator("#no-email-server")).to_be_visible()  # no EMAIL_URL in tests
    page.locator("#id_email").fill("wang.jianguo@")
    page.locator("#id_email_notifications").uncheck()
    page.locator("form.card button[type=submit]").click()
    expect(page.locator(".invalid-feedback")).to_be_visible()
    expect(page.locator("#id_email")).to_have_value("wang.jianguo@")
    expect(page.locator("#id_email_notifications")).not_to_be_checked()
    page.locator("#id_email").fill("wang.jianguo@xzcg.gov.cn")
    page.locator("#id_email_notifications").check()
    page.locator("form.card button[type=submit]").click()
    expect(page.locator(FLASH)).to_be_visible()
    expect(page.locator("#id_email")).to_have_value("wang.jianguo@xzcg.gov.cn")
    snap(page, "reminder-journey-settings")
    user = User.objects.get(pk=officer_gulou.pk)
    assert (user.email, user.email_notifications) == ("wang.jianguo@xzcg.gov.cn", True)

    # 4. Back in the inbox, the missing-log reminder leads to the daily log.
    page.locator("main a[href='/notifications/']").click()
    page.locator(".inbox a.list-group-item", has_text=re.compile("日志|daily log")).click()
    expect(page).to_have_url(re.compile(r"/patrols/log/\d{4}-\d{2}-\d{2}/$"))

    # 5. And the due-soon one to the ticket, whose clock shows it is nearly up.
    page.goto("/notifications/")
    page.locator(".inbox a.list-group-item", has_text=reminded.number).click()
    expect(page).to_have_url(re.compile(rf"/cases/{reminded.number}/$"))
    expect(page.locator("h1")).to_contain_text(reminded.number)
    snap(page, "reminder-journey-ticket")
    assert not Notification.objects.filter(recipient=officer_gulou, read_at__isnull=True).exists()
    assert Notification.objects.filter(
        recipient=officer_gulou, kind=NoticeKind.DUE_SOON, ticket=reminded
    ).exists()
