"""The evening missing-log reminder (``patrols.tasks.remind_missing_logs``, 18:00).

On an official working day, every officer on duty whose hours have begun and who has not
submitted today's daily log is told, and each brigade's supervisors get the list of theirs. One
``LogReminder`` row per person and day, written with the notification in one transaction, makes
a re-run or a second beat send nothing twice.
"""

import datetime
import logging
from collections import defaultdict
from itertools import groupby

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Officer, User
from citymgmt import workcalendar
from notifications.models import NoticeKind, Notification
from notifications.services import brigade_supervisors, queue_emails
from patrols.models import LogReminder
from patrols.selectors import officers_on_duty_without_submitted_log

logger = logging.getLogger(__name__)

NAMES_SHOWN = 20


def _send(
    person: User, day: datetime.date, kind: str, message: str, link: str, officers: int
) -> bool:
    with transaction.atomic():
        try:
            with transaction.atomic():
                LogReminder.objects.create(day=day, recipient=person, kind=kind, officers=officers)
        except IntegrityError:
            return False
        note = Notification.objects.create(
            recipient=person, kind=kind, message=message[:300], link=link
        )
        queue_emails([note], [person])
    return True


def _list_message(officers: list[Officer], day: datetime.date) -> str:
    names = "、".join(str(officer.user) for officer in officers[:NAMES_SHOWN])
    more = len(officers) - NAMES_SHOWN
    with translation.override(settings.LANGUAGE_CODE):
        text = ngettext(
            "%(count)d officer on duty has not submitted the log for %(day)s: %(names)s",
            "%(count)d officers on duty have not submitted the log for %(day)s: %(names)s",
            len(officers),
        ) % {
            "count": len(officers),
            "day": date_format(day, "SHORT_DATE_FORMAT"),
            "names": names,
        }
        if more > 0:
            text += _(" and %(more)d more") % {"more": more}
    return text


def remind_missing_logs(at: datetime.datetime | None = None) -> dict[str, int]:
    """Send the day's reminders as of ``at`` (default now). Returns how many officers lacked a
    log and how many officer and supervisor reminders this run sent."""
    at = timezone.localtime(at or timezone.now())
    day = at.date()
    result = {"missing": 0, "officers_reminded": 0, "supervisors_reminded": 0}
    if not workcalendar.is_working_day(day):
        return result
    missing = list(
        officers_on_duty_without_submitted_log(day, at=at).order_by("brigade_id", "badge_number")
    )
    result["missing"] = len(missing)
    # The day is named and linked: the reminder may well be read the next morning.
    with translation.override(settings.LANGUAGE_CODE):
        own = _("Your daily log for %(day)s has not been submitted yet.") % {
            "day": date_format(day, "SHORT_DATE_FORMAT")
        }
    own_link = reverse("patrols:log_day", args=[day.isoformat()])
    for officer in missing:
        if _send(officer.user, day, NoticeKind.MISSING_LOG, own, own_link, 1):
            result["officers_reminded"] += 1
    by_brigade: dict[int | None, list[Officer]] = defaultdict(list)
    for brigade_id, group in groupby(missing, key=lambda officer: officer.brigade_id):
        by_brigade[brigade_id] += list(group)
    board = f"{reverse('patrols:today')}?day={day.isoformat()}"
    for brigade_id, officers in by_brigade.items():
        message = _list_message(officers, day)
        for supervisor in brigade_supervisors(brigade_id):
            if _send(supervisor, day, NoticeKind.MISSING_LOGS, message, board, len(officers)):
                result["supervisors_reminded"] += 1
    if result["officers_reminded"] or result["supervisors_reminded"]:
        logger.info("Missing-log reminders for %s: %s", day, result)
    return result
