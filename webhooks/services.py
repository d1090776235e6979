"""Turning what happened into outbox messages, one per subscribed endpoint, written in the
transaction of the change (``cases.hooks`` calls these inside it)."""

from dataclasses import dataclass

from django.core.cache import cache
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


# Every ticket change asks which endpoints want it: the answer is kept in the cache, forgotten
# when an endpoint is saved or deleted, and at most this old in another process (a worker whose
# cache is its own): a new endpoint may miss its first minute, a switched-off one is never sent
# to (the sender checks it).
CACHE_KEY = "webhooks:active-endpoints"
CACHE_SECONDS = 60


@dataclass(frozen=True)
class Subscriber:
    pk: int
    events: tuple[str, ...]
    district_id: int | None
    trusted: bool

    @property
    def outbox_key(self) -> str:
        return f"webhook:{self.pk}"


def active_endpoints() -> list[Subscriber]:
    rows = cache.get(CACHE_KEY)
    if rows is None:
        rows = [
            Subscriber(pk, tuple(events), district_id, trusted)
            for pk, events, district_id, trusted in Endpoint.objects.filter(
                active=True
            ).values_list("pk", "events", "district_id", "trusted")
        ]
        cache.set(CACHE_KEY, rows, CACHE_SECONDS)
    return rows


def forget_endpoints(**kwargs: object) -> None:
    cache.delete(CACHE_KEY)


def subscribers(
    event_type: str, district_id: int | None = None, *, any_district: bool = False
) -> list[Subscriber]:
    """Active endpoints that asked for ``event_type`` and whose district (if any) is the
    ticket's (``any_district``: not about a place, e.g. the assessment)."""
    return [
        endpoint
        for endpoint in active_endpoints()
        if event_type in endpoint.events
        and (any_district or endpoint.district_id in (None, district_id))
    ]


def _queue(endpoint: Subscriber | Endpoint, payload: dict, *, ref: str, dedupe: str) -> None:
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
    """``cases.hooks`` listener: every recorded ticket event an endpoint asked for. Without a
    subscriber (the usual case) it costs no query."""
    count = 0
    types = event_types(event)
    if not any(subscribers(event_type, any_district=True) for event_type in types):
        return 0
    district = event.ticket.district_id
    for event_type in types:
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
    endpoints = subscribers(EventType.ASSESSMENT_PUBLISHED, any_district=True)
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
