"""Turning what happened into outbox messages, one per subscribed endpoint, written in the
transaction of the change (``cases.hooks`` calls these inside it)."""

from django.db.models import Q
from django.utils import timezone

from cases.models import Action, State, Ticket, TicketEvent
from outbox import services as outbox
from webhooks import delivery, payloads
from webhooks.models import Endpoint, EventType

# Related rows a ticket's payload reads: loaded once when any endpoint wants the event.
TICKET_RELATED = ("category", "district", "street", "community", "grid_cell")


def event_types(event: TicketEvent) -> list[str]:
    """The webhook events one ticket event is."""
    types = []
    if event.action == Action.CREATE:
        types.append(EventType.TICKET_CREATED)
    elif event.to_state and event.to_state != event.from_state:
        types.append(EventType.TICKET_STATE_CHANGED)
    if event.to_state == State.CLOSED and event.from_state != State.CLOSED:
        types.append(EventType.TICKET_CLOSED)
    if event.action == Action.RATE:
        types.append(EventType.TICKET_RATED)
    return types


def subscribers(event_type: str, district_id: int | None = None) -> list[Endpoint]:
    """Active endpoints that asked for ``event_type`` and whose district (if any) matches. The
    table is a handful of rows: the event list is matched here, the same on every database."""
    rows = Endpoint.objects.filter(active=True)
    if district_id is not None:
        rows = rows.filter(Q(district__isnull=True) | Q(district_id=district_id))
    return [endpoint for endpoint in rows if event_type in endpoint.events]


def _queue(endpoint: Endpoint, payload: dict, *, ref: str, dedupe: str) -> None:
    outbox.enqueue(
        delivery.CHANNEL,
        str(endpoint.pk),
        payload["type"],
        payload,
        key=endpoint.outbox_key,
        ref=ref,
        dedupe_key=f"webhook:{endpoint.pk}:{dedupe}",
    )


def _ticket_payloads(
    ticket_id: int, event_type: str, district_id: int | None, extra: dict, dedupe: str
) -> int:
    endpoints = subscribers(event_type, district_id)
    if not endpoints:
        return 0
    ticket = Ticket.objects.select_related(*TICKET_RELATED).get(pk=ticket_id)
    for endpoint in endpoints:
        data = {"ticket": payloads.ticket_facts(ticket, trusted=endpoint.trusted), **extra}
        _queue(
            endpoint,
            payloads.envelope(event_type, data),
            ref=f"ticket:{ticket_id}",
            dedupe=f"{dedupe}:{event_type}",
        )
    return len(endpoints)


def ticket_event(event: TicketEvent) -> int:
    """``cases.hooks`` listener: every recorded ticket event an endpoint asked for."""
    count = 0
    district_id = Ticket.objects.filter(pk=event.ticket_id).values_list("district_id", flat=True)
    district = district_id.first()
    for event_type in event_types(event):
        count += _ticket_payloads(
            event.ticket_id,
            event_type,
            district,
            {"event": payloads.event_facts(event)},
            f"event:{event.pk}",
        )
    return count


def ticket_overdue(ticket: Ticket, deadline) -> int:
    """``cases.hooks`` listener: the reminder scan flagged the ticket overdue (once per
    deadline)."""
    return _ticket_payloads(
        ticket.pk,
        EventType.TICKET_OVERDUE,
        ticket.district_id,
        {"deadline": deadline.isoformat()},
        f"overdue:{ticket.pk}:{deadline:%Y%m%d%H%M%S}",
    )


def assessment_published(run, brigades: list[dict]) -> int:
    """The monthly assessment was published: its month and the brigades' ranking."""
    endpoints = subscribers(EventType.ASSESSMENT_PUBLISHED)
    data = {
        "run": run.pk,
        "month": f"{run.month:%Y-%m}",
        "published_at": (run.published_at or timezone.now()).isoformat(),
        "brigades": brigades,
    }
    for endpoint in endpoints:
        _queue(
            endpoint,
            payloads.envelope(EventType.ASSESSMENT_PUBLISHED, data),
            ref=f"assessment:{run.pk}",
            dedupe=f"assessment:{run.pk}",
        )
    return len(endpoints)


def ping(endpoint: Endpoint) -> None:
    """A test message from the admin ("send a test event")."""
    outbox.enqueue(
        delivery.CHANNEL,
        str(endpoint.pk),
        "ping",
        payloads.envelope("ping", {"endpoint": endpoint.name}),
        key=endpoint.outbox_key,
        ref=f"webhook:{endpoint.pk}",
    )
