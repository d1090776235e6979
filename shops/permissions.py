"""Who may act on a street-order party. Enforcement (规劝/教育/暂扣/立案) is 城管's power alone:
a department handler who works a referred ticket may fix the problem but never name a shop or
seize goods, so ``cases.permissions.works_on`` (which includes handlers) is not enough here."""

from typing import TYPE_CHECKING, Any

from accounts.roles import Role
from accounts.scope import scope_of

if TYPE_CHECKING:
    from cases.models import Ticket

# The 城管 roles that keep and read shop records (the shop pages' audience).
ENFORCEMENT_STAFF = (Role.OFFICER, Role.SUPERVISOR, Role.ASSESSOR)


def enforces_on(ticket: "Ticket", user: Any) -> bool:
    """The officer the ticket is assigned to, or a supervisor of the ticket's brigade (the
    command centre: any brigade). Never a department handler, even of the unit it was referred to.
    """
    scope = scope_of(user)
    return scope.is_the_officer(ticket.assignee_id) or scope.supervises(ticket.brigade_id)


def sees_enforcement(user: Any) -> bool:
    """城管 staff see the enforcement panel on a ticket page; handlers and residents do not."""
    scope = scope_of(user)
    return scope.is_superuser or scope.has_role(*ENFORCEMENT_STAFF)
