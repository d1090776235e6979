"""Who may move a ticket: predicates ``(ticket, user) -> bool`` that the state machine's
transitions name as their ``permission``, so ``has_transition_perm`` shows only the buttons a user
may press and the services refuse the rest.

Each predicate is role *and* scope: a supervisor of 鼓楼一大队 supervises 鼓楼一大队's tickets only.
Which tickets a user may *see* is ``cases.selectors.tickets_visible_to``.
"""

from typing import TYPE_CHECKING, Any

from accounts.roles import Role
from accounts.scope import scope_of

if TYPE_CHECKING:
    from cases.models import Ticket


def supervises(ticket: "Ticket", user: Any) -> bool:
    return scope_of(user).supervises(ticket.brigade_id)


def works_on(ticket: "Ticket", user: Any) -> bool:
    """The assignee officer, or a handler of the unit the ticket is referred to."""
    scope = scope_of(user)
    if ticket.responsible_unit_id is not None:
        return scope.handles_for(ticket.responsible_unit_id)
    return scope.is_the_officer(ticket.assignee_id)


def checks_on_site(ticket: "Ticket", user: Any) -> bool:
    """The officer a supervisor sent the ticket's check (核查) to."""
    return scope_of(user).is_the_officer(ticket.field_checker_id)


def works_on_or_supervises(ticket: "Ticket", user: Any) -> bool:
    return works_on(ticket, user) or supervises(ticket, user)


def files_on_patrol(ticket: "Ticket", user: Any) -> bool:
    """An officer's own finding in their brigade's area: they may register it (and push it to a
    unit) themselves, the report being pre-checked by the person who saw it."""
    scope = scope_of(user)
    if not scope.is_officer or ticket.reporter_id != scope.user_id:
        return False
    return scope.officer_brigade_id == ticket.brigade_id


def takes_intake(user: Any) -> bool:
    """Who files tickets for others (the hotline intake page and ``POST /api/v1/tickets/``):
    supervisors, the command centre among them. Officers file their own patrol findings, and the
    public uses the complaint form or Open311."""
    scope = scope_of(user)
    return scope.is_superuser or scope.has_role(Role.SUPERVISOR)
