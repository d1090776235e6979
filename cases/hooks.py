"""Where the features built on tickets plug into ``cases`` without ``cases`` importing them.

Each feature registers from its ``AppConfig.ready()``; ``cases`` calls what is registered at the
moment it happens, inside the transition's transaction, in the order of INSTALLED_APPS:

- ``event_listeners``: called with every ``TicketEvent`` the audit writer records (the inbox
  rows of ``notifications`` are written so, committing with the change they tell of);
- ``deadline_listeners``: called with ``(ticket, old_deadline, now)`` when a decision moves a
  running clock's deadline (``notifications`` carries the reminders already sent over);
- ``overdue_listeners``: called with ``(ticket, deadline)`` when the reminder scan flags a ticket
  overdue, once per deadline (``webhooks``: the ``ticket.overdue`` event);
- ``page_context``: called with ``(request, ticket)`` when the ticket page is drawn; each returns
  what it adds to the page's context (``privacy``: when and why the reporter's contact details
  were removed);
- ``panels``: sections of the ticket page a feature draws with its own template, in the order
  registered (``shops``: the graduated-enforcement panel). A panel whose form failed comes back
  bound through ``cases.views.ticket_page(…, bound=(panel name, form))``;
- ``extra_event_kinds``: the ``TicketEvent.action`` codes a feature records, with their labels
  (``shops``: persuaded, waived, warned, seized, penalty case). The field's choices are
  ``event_kind_choices``, so a registered kind validates and shows its label on the timeline;
- ``on_duty_rules``: called with the moment a dispatch list is drawn; each returns a ``Q`` over
  ``accounts.Officer`` for those on duty then (``patrols``: an open patrol, or a posting whose
  hours these are on the official calendar). The dispatch list puts them first
  (``cases.selectors.suggested_officers``); with none registered, a posting's own days and hours.

A listener's failure is its own: listeners that must not take the ticket's change with them
guard themselves (``notifications.services.notify_event`` runs under a savepoint).
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.db.models import Q
    from django.forms import BaseForm
    from django.http import HttpRequest
    from django.utils.functional import Promise

    from cases.models import Ticket, TicketEvent

EventListener = Callable[["TicketEvent"], object]
DeadlineListener = Callable[["Ticket", datetime.datetime, datetime.datetime], object]
OnDutyRule = Callable[[datetime.datetime], "Q"]

event_listeners: list[EventListener] = []
PageContext = Callable[["HttpRequest", "Ticket"], dict]

deadline_listeners: list[DeadlineListener] = []
OverdueListener = Callable[["Ticket", datetime.datetime], object]
overdue_listeners: list[OverdueListener] = []
page_context: list[PageContext] = []


@dataclass(frozen=True)
class Panel:
    """A section of the ticket page: ``context(request, ticket, bound)`` returns what
    ``template`` draws, or None when the panel is not shown to this user on this ticket;
    ``bound`` is the panel's own form when its POST failed and the page is drawn again."""

    name: str
    template: str
    context: Callable[["HttpRequest", "Ticket", "BaseForm | None"], dict[str, Any] | None]


@dataclass(frozen=True)
class EventKind:
    """An action code a feature records on tickets. ``enforcement``: a step taken against the
    party responsible (counted with the enforcement route's conclusions)."""

    code: str
    label: "str | Promise"
    enforcement: bool = False


panels: list[Panel] = []
extra_event_kinds: dict[str, EventKind] = {}
on_duty_rules: list[OnDutyRule] = []


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


def on_overdue(listener: OverdueListener) -> OverdueListener:
    """Register ``listener`` for tickets flagged overdue (once, however often called)."""
    if listener not in overdue_listeners:
        overdue_listeners.append(listener)
    return listener


def on_page(provider: PageContext) -> PageContext:
    """Register ``provider`` for the ticket page's context (once, however often called)."""
    if provider not in page_context:
        page_context.append(provider)
    return provider


def on_duty(rule: OnDutyRule) -> OnDutyRule:
    """Register ``rule`` for who is on duty at a moment (once, however often called)."""
    if rule not in on_duty_rules:
        on_duty_rules.append(rule)
    return rule


def add_panel(panel: Panel) -> Panel:
    """Register ``panel`` on the ticket page, after those registered before it (a panel of the
    same name is replaced, so a second ``ready()`` does not draw it twice)."""
    for index, registered in enumerate(panels):
        if registered.name == panel.name:
            panels[index] = panel
            return panel
    panels.append(panel)
    return panel


def add_event_kinds(choices: Iterable[tuple[str, Any]], *, enforcement: bool = False) -> None:
    """Register the ``(code, label)`` pairs a feature records as ``TicketEvent.action``. A code
    is at most 20 characters (the column) and may not be one of the ticket's own."""
    from cases.models import Action  # cases.models reads this module; by now it is loaded

    for code, label in choices:
        if code in Action.values or len(code) > 20:
            raise ValueError(f"event kind {code!r}: taken by the ticket or too long")
        extra_event_kinds[code] = EventKind(code, label, enforcement)


def event_kind_choices() -> list[tuple[str, Any]]:
    """``TicketEvent.action``'s choices: the ticket's own actions, then the registered kinds."""
    from cases.models import Action

    extra = [(kind.code, kind.label) for kind in extra_event_kinds.values()]
    return [*Action.choices, *extra]


def enforcement_event_kinds() -> tuple[str, ...]:
    """The registered kinds that are steps taken against the party responsible."""
    return tuple(code for code, kind in extra_event_kinds.items() if kind.enforcement)


def event_recorded(event: "TicketEvent") -> None:
    for listener in event_listeners:
        listener(event)


def deadline_moved(
    ticket: "Ticket", old_deadline: datetime.datetime, now: datetime.datetime
) -> None:
    for listener in deadline_listeners:
        listener(ticket, old_deadline, now)


def flagged_overdue(ticket: "Ticket", deadline: datetime.datetime) -> None:
    for listener in overdue_listeners:
        listener(ticket, deadline)


def page_extras(request: "HttpRequest", ticket: "Ticket") -> dict:
    """What the registered features add to the ticket page's context."""
    extras: dict = {}
    for provider in page_context:
        extras.update(provider(request, ticket))
    return extras


def page_panels(
    request: "HttpRequest", ticket: "Ticket", bound: "tuple[str, BaseForm] | None" = None
) -> list[tuple[Panel, dict[str, Any]]]:
    """The panels shown on this ticket page to this user, each with its context."""
    shown = []
    for panel in panels:
        form = bound[1] if bound is not None and bound[0] == panel.name else None
        context = panel.context(request, ticket, form)
        if context is not None:
            shown.append((panel, context))
    return shown
