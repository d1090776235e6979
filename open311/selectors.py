"""Reads for Open311: the service list and the public view of service requests.

A GeoReport v2 request shows what the city did, never who reported it: no reporter name, phone
or account, no internal notes; ``status_notes`` is the latest public note of a step anyone may
read (``cases.public.SHARED_ACTIONS``, as a follower's tracking page). Only tickets the public
filed (``cases.public.public_tickets``: the complaint form and Open311 clients) are served at all:
hotline intakes can carry a caller's details in the description, and patrol and enforcement
tickets are the bureau's own work.
"""

import datetime
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone

from cases.models import Action, Category, State, Ticket, TicketEvent
from cases.public import SHARED_ACTIONS, public_tickets
from open311.attributes import attributes_for

CLOSED_STATES = (State.CLOSED, State.REJECTED)
MAX_REQUESTS = 1000
WINDOW = datetime.timedelta(days=90)


def services() -> list[dict[str, Any]]:
    """Every active minor category as a GeoReport v2 service, grouped by its major class."""
    minors = (
        Category.objects.filter(is_active=True, parent__isnull=False, parent__is_active=True)
        .select_related("parent")
        .order_by("kind", "code")
    )
    return [
        {
            "service_code": category.service_code,
            "service_name": category.name,
            "description": category.public_name or category.name,
            "metadata": bool(attributes_for(category)),
            "type": "realtime",
            "keywords": ",".join(
                word for word in (category.public_name, category.get_kind_display()) if word
            ),
            "group": category.parent.name,
        }
        for category in minors
    ]


def service_requests() -> QuerySet[Ticket]:
    """Publicly filed tickets with what a GeoReport v2 request shows, in one query: the latest
    public note and the media URL given when it was filed come as subqueries, not one query per
    row."""
    events = TicketEvent.objects.filter(ticket=OuterRef("pk"))
    latest_note = (
        events.filter(action__in=SHARED_ACTIONS)
        .exclude(public_note="")
        .order_by("-created_at", "-id")
    )
    media = events.filter(action=Action.CREATE).annotate(url=KeyTextTransform("media_url", "data"))
    return (
        public_tickets()
        .select_related("category", "responsible_unit", "brigade")
        .only(
            "number",
            "state",
            "description",
            "address",
            "lat",
            "lng",
            "deadline",
            "reported_at",
            "updated_at",
            "closed_at",
            "rejected_at",
            "category__kind",
            "category__code",
            "category__name",
            "responsible_unit__name",
            "brigade__name",
        )
        .annotate(
            status_notes=Subquery(latest_note.values("public_note")[:1]),
            media_url=Subquery(media.values("url")[:1]),
        )
        .order_by("-reported_at", "-id")
    )


def as_open311(ticket: Ticket) -> dict[str, Any]:
    def iso(value: datetime.datetime | None) -> str | None:
        return timezone.localtime(value).isoformat(timespec="seconds") if value else None

    unit = ticket.responsible_unit or ticket.brigade
    # A closed request was last updated when it closed (or was rejected), whatever was written
    # to the row since (a reminder flag, an erased contact, a data import).
    updated = ticket.updated_at
    if ticket.state in CLOSED_STATES:
        updated = ticket.closed_at or ticket.rejected_at or updated
    return {
        "service_request_id": ticket.number,
        "status": "closed" if ticket.state in CLOSED_STATES else "open",
        "status_notes": ticket.status_notes or "",
        "service_name": ticket.category.name,
        "service_code": ticket.category.service_code,
        "description": ticket.description,
        "agency_responsible": unit.name if unit else "",
        "service_notice": "",
        "requested_datetime": iso(ticket.reported_at),
        "updated_datetime": iso(updated),
        "expected_datetime": iso(ticket.deadline),
        "address": ticket.address,
        "address_id": "",
        "zipcode": "",
        "lat": ticket.lat,
        "long": ticket.lng,
        "media_url": ticket.media_url or "",
    }
