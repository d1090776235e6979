"""The delivery log on the ticket page (a ``cases.hooks`` panel): what was sent to the ticket's
reporter, what failed or was cancelled and why. For the ticket's supervisors only."""

from typing import Any

from django.forms import BaseForm
from django.http import HttpRequest

from cases import hooks
from cases.models import Ticket
from cases.permissions import supervises
from citymgmt.masking import mask_phone
from outbox.models import Message

LOG_ROWS = 50
REPORTER_CHANNELS = ("sms", "email")


def delivery_log(
    request: HttpRequest, ticket: Ticket, bound: BaseForm | None
) -> dict[str, Any] | None:
    """The messages to the ticket's reporter (``ref`` ``ticket:<id>``, the ``ticket_*`` kinds:
    not the alerts of residents who follow it, nor webhooks), newest first; None (no panel) for
    anyone but its supervisors, or when nothing was ever sent."""
    if not supervises(ticket, request.user):
        return None
    rows = list(
        Message.objects.filter(
            ref=f"ticket:{ticket.pk}", channel__in=REPORTER_CHANNELS, kind__startswith="ticket_"
        )
        .only(
            "id",
            "channel",
            "kind",
            "target",
            "status",
            "attempts",
            "created_at",
            "sent_at",
            "last_error",
        )
        .order_by("-id")[:LOG_ROWS]
    )
    if not rows:
        return None
    for row in rows:
        row.shown_target = mask_phone(row.target) if row.channel == "sms" else row.target
    return {"deliveries": rows}


PANEL = hooks.Panel(
    name="deliveries", template="messaging/_delivery_log.html", context=delivery_log
)
