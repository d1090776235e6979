"""The one audit writer: every change to a ticket, and every thing done to it, is one
``TicketEvent`` written here, with what listens to it (``cases.hooks``: the inbox rows of
``notifications``) and the cached tab counts told when a ticket enters or leaves a finished state.

Production code never creates a ``TicketEvent`` by hand; seeders that bulk-insert a history
(``demo/``, ``bench/``) and the archive's restore (``ops.archive``: the rows are the record
itself, not new events) are the only exceptions, and say so.
"""

import datetime

from django.utils import timezone

from accounts.models import User
from cases import hooks, tab_counts
from cases.models import Ticket, TicketEvent


def record_event(
    ticket: Ticket,
    actor: User | None,
    action: str,
    *,
    from_state: str | None = None,
    public_note: str = "",
    internal_note: str = "",
    data: dict | None = None,
    at: datetime.datetime | None = None,
) -> TicketEvent:
    """Write one audit row for ``ticket`` as it is now (``to_state`` is its current state) and
    tell the listeners, in the caller's transaction. ``from_state`` is the state before a
    transition; left out, the event moved nothing (a note, a rating, a step on the offence
    ladder)."""
    from_state = ticket.state if from_state is None else from_state
    event = TicketEvent.objects.create(
        ticket=ticket,
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=ticket.state,
        public_note=public_note,
        internal_note=internal_note,
        data=data or {},
        created_at=at or timezone.now(),
    )
    hooks.event_recorded(event)
    tab_counts.ticket_moved(from_state, ticket.state)
    return event
