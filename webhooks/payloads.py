"""What an endpoint is told. Every payload has the Standard Webhooks shape ``{"type",
"timestamp", "data"}``. A ticket is described by public facts; only an endpoint an admin marked
as trusted also gets the description, the address, the exact point and the reporter's contact
(never a staff member's phone or an internal note)."""

import datetime
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from cases.models import Ticket, TicketEvent

# About 100 m: where in the street, not which door.
PUBLIC_DECIMALS = 3


def _iso(moment: datetime.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def envelope(event_type: str, data: dict[str, Any], at: datetime.datetime | None = None) -> dict:
    return {"type": event_type, "timestamp": _iso(at or timezone.now()), "data": data}


def ticket_facts(ticket: Ticket, *, trusted: bool) -> dict[str, Any]:
    def rounded(value: float | None) -> float | None:
        if value is None or trusted:
            return value
        return round(value, PUBLIC_DECIMALS)

    facts: dict[str, Any] = {
        "number": ticket.number,
        "state": ticket.state,
        "source": ticket.source,
        "priority": ticket.priority,
        "category": {"code": ticket.category.code, "name": ticket.category.name},
        "district": ticket.district.name if ticket.district_id else None,
        "street": ticket.street.name if ticket.street_id else None,
        "community": ticket.community.name if ticket.community_id else None,
        "grid_cell": ticket.grid_cell.code if ticket.grid_cell_id else None,
        "lat": rounded(ticket.lat),
        "lng": rounded(ticket.lng),
        "deadline": _iso(ticket.deadline),
        "overdue": ticket.overdue,
        "on_site": ticket.on_site,
        "satisfaction": ticket.satisfaction,
        "reported_at": _iso(ticket.reported_at),
        "closed_at": _iso(ticket.closed_at),
        "url": (settings.SITE_URL or "") + reverse("cases:detail", args=[ticket.number]),
    }
    if trusted:
        facts |= {
            "description": ticket.description,
            "address": ticket.address,
            "reporter_name": ticket.reporter_name,
            "reporter_phone": ticket.reporter_phone,
        }
    return facts


def event_facts(event: TicketEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "action": event.action,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "public_note": event.public_note,
        "at": _iso(event.created_at),
    }
