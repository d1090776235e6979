"""Telling the platform what happened to its orders: a ticket event that the platform must hear
of becomes one outbox message (channel ``hotline``), written in the transition's own
transaction by the audit writer's listener (``cases.hooks.on_event``), keyed by the order so
the platform hears of one order's steps in the order they happened.

- register → ``order.accepted`` (签收)
- reject → ``order.returned`` (退单) with the reason (out of scope included)
- extension approved → ``order.extended`` (延期) with the new deadline
- verified and closed → ``order.completed`` (办结) with the public reply and the after photos

A withdrawal is the platform's own doing (its cancel): nothing goes back for it.
"""

from typing import Any

from django.conf import settings
from django.utils import timezone

from cases.models import Action, PhotoKind, Source, Ticket, TicketEvent
from hotline import signing
from hotline.photos import photo_links
from outbox import services as outbox

CHANNEL = "hotline"
KINDS = {
    Action.REGISTER: "order.accepted",
    Action.REJECT: "order.returned",
    Action.EXTEND_APPROVE: "order.extended",
    Action.VERIFY_PASS: "order.completed",
}


def order_key(order_id: str) -> str:
    return f"hotline:{order_id}"


def on_event(event: TicketEvent) -> None:
    """The listener: a hotline ticket's event the platform hears of, while the connector is on."""
    kind = KINDS.get(event.action)
    ticket = event.ticket
    if kind is None or ticket.source != Source.HOTLINE or not ticket.external_id:
        return
    if not signing.enabled():
        return
    outbox.enqueue(
        CHANNEL,
        settings.HOTLINE_URL,
        kind,
        {"type": kind, "timestamp": _iso(event.created_at), "data": _data(kind, event, ticket)},
        key=order_key(ticket.external_id),
        ref=f"ticket:{ticket.pk}",
        dedupe_key=f"hotline:event:{event.pk}",
    )


def _iso(value: Any) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def _data(kind: str, event: TicketEvent, ticket: Ticket) -> dict[str, Any]:
    data: dict[str, Any] = {
        "order_id": ticket.external_id,
        "ticket": ticket.number,
        "at": _iso(event.created_at),
    }
    if kind == "order.returned":
        data["reason"] = ticket.reject_reason
        data["reason_label"] = str(ticket.get_reject_reason_display())
        data["text"] = event.public_note
    elif kind == "order.extended":
        # The request being decided (its decision is saved after this event is recorded).
        request = ticket.extension_requests.order_by("-requested_at", "-id").first()
        data["deadline"] = _iso(ticket.deadline)
        data["extra_hours"] = event.data.get("extra_hours")
        data["text"] = request.reason if request else event.internal_note
    elif kind == "order.completed":
        work = (
            ticket.events.filter(action__in=[Action.RESOLVE, Action.CONCLUDE])
            .order_by("-created_at", "-id")
            .first()
        )
        data["text"] = event.public_note.strip() or (work.public_note if work else "")
        photos = work.photos.filter(kind__in=[PhotoKind.AFTER, PhotoKind.EVIDENCE]) if work else []
        data["photos"] = photo_links(list(photos))
        data["resolved_at"] = _iso(ticket.resolved_at)
        data["closed_at"] = _iso(ticket.closed_at)
    return data
