"""In-app notifications: who hears about what happened to a ticket.

``notify_event`` writes the inbox rows inside the transition's own transaction, under a
savepoint: they commit with the change they tell of (nobody is told about a change that was
rolled back), the request pays for one COMMIT, not two, and a failure here is logged and rolled
back alone, never taking the ticket's change with it (the reminder scan covers the rest). What
leaves the database, the e-mail delivery tasks, is published only once the transaction commits
(``citymgmt.queue.enqueue``).
"""

import logging
from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from cases.models import Action, Ticket, TicketEvent
from citymgmt.queue import enqueue
from notifications.models import EmailStatus, Notification

logger = logging.getLogger(__name__)

TO_SUPERVISORS = {
    Action.CREATE,
    Action.RETURN,
    Action.RESOLVE,
    Action.CONCLUDE,
    Action.EXTEND_REQUEST,
    Action.REOPEN_REQUEST,
}
TO_WORKER = {Action.DISPATCH, Action.ENFORCE, Action.REFER, Action.VERIFY_FAIL}
TO_REQUESTER = {Action.EXTEND_APPROVE, Action.EXTEND_DENY}
TO_CHECKER = {Action.FIELD_CHECK}  # the officer sent to check a fix on site

# What writing someone a notification reads of them: who, and whether they take e-mail.
RECIPIENT_FIELDS = ("id", "email", "email_notifications")


def brigade_supervisors(brigade_id: int | None) -> QuerySet[User]:
    if brigade_id is None:
        return User.objects.none()
    return User.objects.filter(
        is_active=True, unit_id=brigade_id, groups__name=Role.SUPERVISOR
    ).distinct()


def unit_handlers(unit_id: int) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True, unit_id=unit_id, groups__name=Role.HANDLER
    ).distinct()


def workers(ticket: Ticket) -> list[User]:
    """Whoever works on the ticket now: the unit's handlers after a referral, else the officer
    (one query, whether or not the service left the officer loaded on the ticket)."""
    if ticket.responsible_unit_id is not None:
        return list(unit_handlers(ticket.responsible_unit_id))
    if ticket.assignee_id is not None:
        return list(User.objects.filter(officer=ticket.assignee_id, is_active=True))
    return []


def recipients_for(event: TicketEvent) -> list[User]:
    ticket = event.ticket
    if event.action in TO_SUPERVISORS:
        people = list(brigade_supervisors(ticket.brigade_id).only(*RECIPIENT_FIELDS))
    elif event.action in TO_WORKER:
        people = workers(ticket)
    elif event.action in TO_REQUESTER:
        requester_id = event.data.get("requested_by")
        people = list(User.objects.filter(pk=requester_id, is_active=True).only(*RECIPIENT_FIELDS))
    elif event.action in TO_CHECKER:
        people = list(
            User.objects.filter(officer=ticket.field_checker_id, is_active=True).only(
                *RECIPIENT_FIELDS
            )
        )
    else:
        people = []
    return [person for person in people if person.pk != event.actor_id]


NOTIFIED = TO_SUPERVISORS | TO_WORKER | TO_REQUESTER | TO_CHECKER


def notify_event(event: TicketEvent) -> int:
    """Write one notification per recipient of the event, in the caller's transaction; returns
    how many were written. Called by the services for every event they record, with the event
    and the ticket as the service left them (the ticket's people are set before its event is
    recorded), so nothing is read back."""
    if event.action not in NOTIFIED:
        return 0  # nobody to tell: not even a savepoint
    try:
        with transaction.atomic():
            people = recipients_for(event)
            rows = [
                Notification(
                    recipient=person,
                    ticket=event.ticket,
                    kind=event.action,
                    message=(event.public_note or event.internal_note)[:300],
                    # Marked as they are written, not by an UPDATE after.
                    email_status=EmailStatus.PENDING if wants_email(person) else EmailStatus.NONE,
                )
                for person in people
            ]
            Notification.objects.bulk_create(rows)
            queue_deliveries([row for row in rows if row.email_status == EmailStatus.PENDING])
        return len(rows)
    except Exception:
        # The savepoint is rolled back: the ticket's change and its audit row stand.
        logger.exception("Could not write notifications for ticket event %s", event.pk)
        return 0


def wants_email(person: User) -> bool:
    return bool(settings.EMAIL_ENABLED and person.email and person.email_notifications)


def queue_emails(notes: list[Notification], people: list[User]) -> None:
    """Mark the notes whose recipients take e-mail as pending and queue one delivery task each,
    after commit. Without EMAIL_URL this does nothing (no query, no task)."""
    if not settings.EMAIL_ENABLED:
        return
    by_id = {person.pk: person for person in people}
    pending = [note for note in notes if wants_email(by_id[note.recipient_id])]
    if not pending:
        return
    Notification.objects.filter(pk__in=[note.pk for note in pending]).update(
        email_status=EmailStatus.PENDING
    )
    queue_deliveries(pending)


def queue_deliveries(pending: list[Notification]) -> None:
    """One delivery task for each of these notes (written, marked pending), published once the
    transaction commits."""
    if not pending:
        return
    from notifications.tasks import deliver_email  # the tasks module imports this one

    for note in pending:
        enqueue(deliver_email, note.pk)


@transaction.atomic
def update_notification_settings(*, user: User, email: str, email_notifications: bool) -> User:
    """Any staff user, for themselves only: the address notifications are e-mailed to and
    whether they are. E-mails already queued check the preference again when they are sent."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    if (locked.email, locked.email_notifications) == (email, email_notifications):
        return locked
    locked.email = email
    locked.email_notifications = email_notifications
    locked.save(update_fields=["email", "email_notifications"])
    logger.info(
        "User %s set notification e-mail %s", locked.pk, "on" if email_notifications else "off"
    )
    return locked


def mark_notifications_read(*, user: User, ids: Sequence[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when ``ids`` is None)."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())
