"""Where the features built on tickets plug into ``cases`` without ``cases`` importing them.

Each feature registers from its ``AppConfig.ready()``; ``cases`` calls what is registered at the
moment it happens, inside the transition's transaction, in the order of INSTALLED_APPS:

- ``event_listeners``: called with every ``TicketEvent`` the audit writer records (the inbox
  rows of ``notifications`` are written so, committing with the change they tell of);
- ``deadline_listeners``: called with ``(ticket, old_deadline, now)`` when a decision moves a
  running clock's deadline (``notifications`` carries the reminders already sent over);
- ``page_context``: called with ``(request, ticket)`` when the ticket page is drawn; each returns
  what it adds to the page's context (``privacy``: when and why the reporter's contact details
  were removed).

A listener's failure is its own: listeners that must not take the ticket's change with them
guard themselves (``notifications.services.notify_event`` runs under a savepoint).
"""

import datetime
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.http import HttpRequest

    from cases.models import Ticket, TicketEvent

EventListener = Callable[["TicketEvent"], object]
DeadlineListener = Callable[["Ticket", datetime.datetime, datetime.datetime], object]

event_listeners: list[EventListener] = []
PageContext = Callable[["HttpRequest", "Ticket"], dict]

deadline_listeners: list[DeadlineListener] = []
page_context: list[PageContext] = []


def on_event(listener: EventListener) -> EventListener:
    """Register ``listener`` for every recorded ticket event (once, however often called)."""
    if listener not in event_listeners:
        event_listeners.append(listener)
    return listener


def on_deadline_moved(listener: DeadlineListener) -> DeadlineListener:
    """Register ``listener`` for deadlines moved by a decision (once, however often called)."""
    if listener not in deadline_listeners:
        deadline_listeners.append(listener)
    return listener


def on_page(provider: PageContext) -> PageContext:
    """Register ``provider`` for the ticket page's context (once, however often called)."""
    if provider not in page_context:
        page_context.append(provider)
    return provider


def event_recorded(event: "TicketEvent") -> None:
    for listener in event_listeners:
        listener(event)


def deadline_moved(
    ticket: "Ticket", old_deadline: datetime.datetime, now: datetime.datetime
) -> None:
    for listener in deadline_listeners:
        listener(ticket, old_deadline, now)


def page_extras(request: "HttpRequest", ticket: "Ticket") -> dict:
    """What the registered features add to the ticket page's context."""
    extras: dict = {}
    for provider in page_context:
        extras.update(provider(request, ticket))
    return extras
