"""The reporter's writes about being told: the e-mail address given with a report, and stopping
(or resuming) the updates from the tracking page, where the tracking code is their key."""

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone

from cases.models import Ticket
from cases.public import normalize_code
from messaging.models import ReporterContact
from outbox.models import Message, Status


def save_reporter_email(*, ticket: Ticket, email: str) -> ReporterContact | None:
    """Called while a report is filed (in its transaction): keep the address its updates are
    e-mailed to. Nothing is written without one."""
    email = email.strip()
    if not email:
        return None
    contact, _created = ReporterContact.objects.update_or_create(
        ticket=ticket, defaults={"email": email}
    )
    return contact


@transaction.atomic
def set_updates_stopped(*, code: str, stopped: bool) -> ReporterContact:
    """The reporter, by tracking code: stop the SMS and e-mail updates of their ticket (messages
    already queued are cancelled when their turn comes), or take them up again."""
    ticket = get_object_or_404(
        Ticket.objects.select_for_update(of=("self",)), tracking_code=normalize_code(code)
    )
    contact, _created = ReporterContact.objects.get_or_create(ticket=ticket)
    if contact.stopped != stopped:
        contact.updates_stopped_at = timezone.now() if stopped else None
        contact.save(update_fields=["updates_stopped_at"])
    return contact


def updates_control(ticket: Ticket) -> dict[str, bool]:
    """What the tracking page's switch shows: ``offered`` when a channel is on and the reporter
    gave a way to reach them (a mobile number, an e-mail address), and whether they
    ``stopped`` the messages."""
    from messaging import updates
    from messaging.sms import national_mobile

    contact = ReporterContact.objects.filter(ticket=ticket).first()
    by_sms = updates.sms_on() and bool(national_mobile(ticket.reporter_phone))
    by_email = updates.email_on() and contact is not None and bool(contact.email)
    return {
        "offered": by_sms or by_email,
        "stopped": contact is not None and contact.stopped,
    }


def erase_reporter_contacts(ticket_ids: list[int]) -> None:
    """Called where the reporters' names and phones of these tickets are erased (``privacy``:
    on request, and by the retention job): their e-mail addresses go too, as do the numbers and
    addresses the outbox kept of the messages sent to them; messages still waiting are
    cancelled. A constant number of queries, however many tickets."""
    ReporterContact.objects.filter(ticket_id__in=ticket_ids).exclude(email="").update(email="")
    refs = [f"ticket:{pk}" for pk in ticket_ids]
    Message.objects.filter(ref__in=refs, status=Status.PENDING).update(
        status=Status.CANCELLED, last_error="contact details erased"
    )
    Message.objects.filter(ref__in=refs).exclude(target="").update(target="")
