"""The residents' side of the demo casework: the ratings on the demo tickets' timelines, the
reopen requests their dissatisfied ratings would have raised, and a few tracking pages to open.

Runs after ``seed_tickets``; adds only what is missing, so running it twice adds nothing.
"""

from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from cases.models import (
    Action,
    ReopenRequest,
    Source,
    State,
    Ticket,
    TicketEvent,
)
from cases.states import REOPEN_WINDOW
from demo.grids import DemoLogin, Writer
from residents.services import SATISFIED_FROM


def seed_resident_side(*, stdout: Writer | None = None) -> dict[str, Any]:
    """Rating events and reopen requests for the demo's rated tickets, and example tracking
    links (listed with the logins: residents need none)."""
    with transaction.atomic():
        rated = Ticket.objects.filter(satisfaction__isnull=False, rated_at__isnull=False).filter(
            ~Exists(TicketEvent.objects.filter(ticket=OuterRef("pk"), action=Action.RATE))
        )
        events, requests = [], []
        for ticket in rated.only("pk", "satisfaction", "satisfaction_comment", "rated_at"):
            events.append(
                TicketEvent(
                    ticket_id=ticket.pk,
                    action=Action.RATE,
                    from_state=State.CLOSED,
                    to_state=State.CLOSED,
                    data={
                        "satisfaction": ticket.satisfaction,
                        "comment": ticket.satisfaction_comment,
                    },
                    created_at=ticket.rated_at,
                )
            )
        # Seeded history (not ``cases.audit.record_event``): past ratings notify nobody.
        TicketEvent.objects.bulk_create(events, batch_size=500)
        # Dissatisfied ratings of the last 30 days wait for the supervisors' answer.
        unhappy = Ticket.objects.filter(
            state=State.CLOSED,
            satisfaction__lt=SATISFIED_FROM,
            closed_at__gte=timezone.now() - REOPEN_WINDOW,
            rated_at__isnull=False,
            reopen_requests__isnull=True,
        )
        for ticket in unhappy.only("pk", "satisfaction", "satisfaction_comment", "rated_at"):
            requests.append(
                ReopenRequest(
                    ticket_id=ticket.pk,
                    satisfaction=ticket.satisfaction,
                    comment=ticket.satisfaction_comment,
                    requested_at=ticket.rated_at,
                )
            )
        ReopenRequest.objects.bulk_create(requests)
    if stdout is not None:
        stdout.write(f"  residents: {len(events)} rating events, {len(requests)} reopen requests\n")
    return {
        "counts": {
            "reopen_requests": ReopenRequest.objects.filter(decided_at__isnull=True).count()
        },
        "created": {
            name: n
            for name, n in (("rating events", len(events)), ("reopen requests", len(requests)))
            if n
        },
        "logins": _tracking_examples(),
    }


def _tracking_examples() -> list[DemoLogin]:
    """A closed and rated resident report and one still being worked on, as rows of the logins
    block: ``resident  (no login)  XZ…  /track/<code>/``."""
    residents = Ticket.objects.filter(source=Source.RESIDENT, duplicate_of__isnull=True)
    examples = [
        ("closed and rated", residents.filter(state=State.CLOSED, satisfaction__gte=4)),
        ("being handled", residents.filter(state__in=[State.DISPATCHED, State.IN_PROGRESS])),
    ]
    logins = []
    for what, tickets in examples:
        ticket = tickets.order_by("-reported_at", "number").only("number", "tracking_code").first()
        if ticket is not None:
            url = reverse("residents:track", kwargs={"code": ticket.tracking_code})
            logins.append(
                DemoLogin("resident", "(no login)", ticket.number, f"tracking page {url} ({what})")
            )
    return logins
