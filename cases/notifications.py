"""In-app notifications: who hears about what happened to a ticket.

``notify_event`` runs after the transition's transaction commits (services queue it with
``transaction.on_commit``), so nobody is told about a change that was rolled back. A failure
here is logged and never undoes the ticket's change; the reminder scan (Celery) covers the rest.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet

from accounts.models import User
from accounts.roles import Role
from cases.models import Action, EmailStatus, Notification, Ticket, TicketEvent
from citymgmt.queue import enqueue

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
        people = list(brigade_supervisors(ticket.brigade_id))
    elif event.action in TO_WORKER:
        people = workers(ticket)
    elif event.action in TO_REQUESTER:
        requester_id = event.data.get("requested_by")
        people = list(User.objects.filter(pk=requester_id, is_active=True))
    else:
        people = []
    return [person for person in people if person.pk != event.actor_id]


def notify_event(event: TicketEvent | int) -> int:
    """Write one notification per recipient of the event; returns how many were written. Given
    an id, the event and its ticket are read back first."""
    try:
        if not isinstance(event, TicketEvent):
            event = TicketEvent.objects.select_related("ticket").get(pk=event)
        with transaction.atomic():
            people = recipients_for(event)
            rows = [
                Notification(
                    recipient=person,
                    ticket=event.ticket,
                    kind=event.action,
                    message=(event.public_note or event.internal_note)[:300],
                )
                for person in people
            ]
            Notification.objects.bulk_create(rows)
            queue_emails(rows, people)
        return len(rows)
    except Exception:
        logger.exception(
            "Could not write notifications for ticket event %s", getattr(event, "pk", event)
        )
        return 0


def queue_notifications(event: TicketEvent) -> None:
    # The event and its ticket as the service left them: services change a ticket only through
    # the instance they lock (save with update_fields), so this is what was committed, and
    # reading it back cost every write another query with a five-table join.
    transaction.on_commit(lambda: notify_event(event))


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
    from cases.tasks import deliver_email  # the tasks module imports this one

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
