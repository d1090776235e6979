"""The reporter's updates: an SMS to the mobile number they gave and an e-mail to the address
they gave, when their ticket is registered or rejected, dispatched, referred, resolved, closed or
reopened. Those who follow a report (their own was filed as its duplicate) get its updates, each
with the link to their own tracking page.

A message carries only what the reporter's tracking page shows: the ticket's number, the short
tracking link, the plain reason of a rejection and the name of the department a ticket is
referred to. Never a note (public or internal: free text could carry anything), a staff
member's name or phone, the address or the description.

``on_ticket_event`` runs for every recorded ticket event, in the transition's transaction (a
rolled-back change sends nothing), under a savepoint of its own (a failure here never takes the
ticket's change with it). Each message's ``dedupe_key`` is made from the event's id: writing the
updates of one event twice writes nothing the second time.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from cases.models import Action, RejectReason, Ticket, TicketEvent
from cases.public import PUBLIC_SOURCES
from outbox import services as outbox
from outbox.models import Message

logger = logging.getLogger(__name__)


class UpdateKind:
    """The message kinds of the reporter's updates (``MessageTemplate.kind``)."""

    REGISTERED = "ticket_registered"
    REJECTED = "ticket_rejected"
    DISPATCHED = "ticket_dispatched"
    REFERRED = "ticket_referred"
    RESOLVED = "ticket_resolved"
    CLOSED = "ticket_closed"
    REOPENED = "ticket_reopened"

    ALL = (REGISTERED, REJECTED, DISPATCHED, REFERRED, RESOLVED, CLOSED, REOPENED)


KIND_OF_ACTION = {
    Action.REGISTER: UpdateKind.REGISTERED,
    Action.REJECT: UpdateKind.REJECTED,
    Action.DISPATCH: UpdateKind.DISPATCHED,
    Action.REFER: UpdateKind.REFERRED,
    Action.RESOLVE: UpdateKind.RESOLVED,
    Action.CONCLUDE: UpdateKind.RESOLVED,
    Action.VERIFY_PASS: UpdateKind.CLOSED,
    Action.REOPEN: UpdateKind.REOPENED,
}

# Why a report was not taken up, as the reporter reads it.
PLAIN_REASON = {
    RejectReason.INVALID: _("it is not a problem we can act on"),
    RejectReason.DUPLICATE: _("it was already reported; you will get that report's updates"),
    RejectReason.OUT_OF_SCOPE: _("it is not urban management's business"),
}


def short_link(code: str) -> str:
    """The short tracking link a message carries (``SITE_URL`` + ``/t/<code>/``)."""
    return settings.SITE_URL + reverse("messaging:short_link", args=[code])


def sms_on() -> bool:
    return bool(settings.SMS_URL)


def email_on() -> bool:
    return bool(settings.EMAIL_ENABLED)


def readers_of(ticket: Ticket) -> list[Ticket]:
    """The tickets whose reporters hear of ``ticket``: its own, when the public filed it, and
    the public reports following it (one query; each with its contact preferences)."""
    readers = list(
        Ticket.objects.filter(duplicate_of=ticket, source__in=PUBLIC_SOURCES)
        .select_related("reporter_preferences")
        .only("id", "number", "tracking_code", "reporter_phone", "reporter_preferences")
        .order_by("id")
    )
    if ticket.source in PUBLIC_SOURCES:
        own = (
            Ticket.objects.filter(pk=ticket.pk)
            .select_related("reporter_preferences")
            .only("id", "number", "tracking_code", "reporter_phone", "reporter_preferences")
            .get()
        )
        readers.insert(0, own)
    return readers


def params_for(kind: str, event: TicketEvent, reader: Ticket) -> dict[str, str]:
    """The message's parameters: public fields only (see the module's docstring)."""
    ticket = event.ticket
    params = {"number": reader.number, "link": short_link(reader.tracking_code)}
    if kind == UpdateKind.REJECTED:
        reason = event.data.get("reason") or ticket.reject_reason
        with translation.override(settings.LANGUAGE_CODE):  # not the staff member's language
            params["reason"] = str(PLAIN_REASON.get(reason, _("it could not be taken up")))
    elif kind == UpdateKind.REFERRED and ticket.responsible_unit_id:
        params["unit"] = ticket.responsible_unit.name
    return params


def _contact(reader: Ticket):  # -> ReporterContact | None
    try:
        return reader.reporter_preferences
    except Ticket.reporter_preferences.RelatedObjectDoesNotExist:
        return None


def on_ticket_event(event: TicketEvent) -> int:
    """Enqueue the updates of ``event`` for its reporters; returns how many messages."""
    kind = KIND_OF_ACTION.get(event.action)
    if kind is None or not (sms_on() or email_on()):
        return 0  # nothing to tell, or no way to: not even a savepoint
    try:
        with transaction.atomic():
            return _enqueue(kind, event)
    except Exception:
        logger.exception("Could not queue the reporter's updates of ticket event %s", event.pk)
        return 0


def _enqueue(kind: str, event: TicketEvent) -> int:
    from messaging.sms import national_mobile

    count = 0
    for reader in readers_of(event.ticket):
        contact = _contact(reader)
        if contact is not None and contact.stopped:
            continue
        params = params_for(kind, event, reader)
        targets = []
        if sms_on() and national_mobile(reader.reporter_phone):
            targets.append(("sms", reader.reporter_phone))
        if email_on() and contact is not None and contact.email:
            targets.append(("email", contact.email))
        for channel, target in targets:
            outbox.enqueue(
                channel,
                target,
                kind,
                params,
                ref=f"ticket:{reader.pk}",
                dedupe_key=f"update:{event.pk}:{reader.pk}:{channel}",
            )
            count += 1
    return count


def stopped(message: Message) -> bool:
    """Whether ``message`` is a reporter's update whose reporter has since stopped them."""
    if message.kind not in UpdateKind.ALL or not message.ref.startswith("ticket:"):
        return False
    from messaging.models import ReporterContact

    ticket_id = message.ref.partition(":")[2]
    return ReporterContact.objects.filter(
        ticket_id=ticket_id, updates_stopped_at__isnull=False
    ).exists()
