"""Who may move a ticket: predicates ``(ticket, user) -> bool`` that the state machine's
transitions name as their ``permission``, so ``has_transition_perm`` shows only the buttons a user
may press and the services refuse the rest.

Each predicate is role *and* scope: a supervisor of 鼓楼一大队 supervises 鼓楼一大队's tickets only.
Which tickets a user may *see* is ``cases.selectors.tickets_visible_to``.
"""

from typing import TYPE_CHECKING, Any

from accounts.roles import Role, has_role
from accounts.selectors import brigade_of, is_command_centre

if TYPE_CHECKING:
    from cases.models import Ticket


def officer_id_of(user: Any) -> int | None:
    """The user's Officer profile id, or None; cached on the user for the request."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_officer_id"):
        officer = getattr(user, "officer", None) if has_role(user, Role.OFFICER) else None
        user._officer_id = officer.pk if officer is not None else None
    return user._officer_id


def supervised_brigade_id(user: Any) -> int | bool | None:
    """True for the whole city (command centre), a brigade id, or None (supervises nothing)."""
    if not getattr(user, "is_authenticated", False):
        return None
    if user.is_superuser:
        return True
    if not has_role(user, Role.SUPERVISOR):
        return None
    if is_command_centre(user):
        return True
    brigade = brigade_of(user)
    return brigade.pk if brigade is not None else None


def supervises(ticket: "Ticket", user: Any) -> bool:
    scope = supervised_brigade_id(user)
    return scope is True or (scope is not None and scope == ticket.brigade_id)


def works_on(ticket: "Ticket", user: Any) -> bool:
    """The assignee officer, or a handler of the unit the ticket is referred to."""
    if not getattr(user, "is_authenticated", False):
        return False
    if ticket.responsible_unit_id is not None:
        return has_role(user, Role.HANDLER) and user.unit_id == ticket.responsible_unit_id
    officer_id = officer_id_of(user)
    return officer_id is not None and officer_id == ticket.assignee_id


def works_on_or_supervises(ticket: "Ticket", user: Any) -> bool:
    return works_on(ticket, user) or supervises(ticket, user)


def files_on_patrol(ticket: "Ticket", user: Any) -> bool:
    """An officer's own finding in their brigade's area: they may register it (and push it to a
    unit) themselves, the report being pre-checked by the person who saw it."""
    officer_id = officer_id_of(user)
    if officer_id is None or ticket.reporter_id != user.pk:
        return False
    return user.officer.brigade_id == ticket.brigade_id


def takes_intake(user: Any) -> bool:
    """Who files tickets for others (the hotline intake page and ``POST /api/v1/tickets/``):
    supervisors, the command centre among them. Officers file their own patrol findings, and the
    public uses the complaint form or Open311."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or has_role(user, Role.SUPERVISOR)
