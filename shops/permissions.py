"""Who may act on a street-order party. Enforcement (规劝/教育/暂扣/立案) is 城管's power alone:
a department handler who works a referred ticket may fix the problem but never name a shop or
seize goods, so ``cases.permissions.works_on`` (which includes handlers) is not enough here."""

from typing import TYPE_CHECKING, Any

from accounts.roles import Role
from accounts.scope import scope_of
from cases.models import State

if TYPE_CHECKING:
    from cases.models import Ticket

# The 城管 roles that keep and read shop records (the shop pages' audience).
ENFORCEMENT_STAFF = (Role.OFFICER, Role.SUPERVISOR, Role.ASSESSOR)
# A party is named once the ticket is a case somebody works on; not on a bare report.
NAMING_STATES = (
    State.DISPATCHED,
    State.IN_PROGRESS,
    State.ENFORCEMENT,
    State.RESOLVED,
    State.CLOSED,
)


def enforces_on(ticket: "Ticket", user: Any) -> bool:
    """The officer the ticket is assigned to, or a supervisor of the ticket's brigade (the
    command centre: any brigade). Never a department handler, even of the unit it was referred to.
    """
    scope = scope_of(user)
    return scope.is_the_officer(ticket.assignee_id) or scope.supervises(ticket.brigade_id)


def records_step_on(ticket: "Ticket", user: Any) -> bool:
    """Whether the enforcement panel offers ``user`` the form to record a step on ``ticket``."""
    return ticket.state in NAMING_STATES and enforces_on(ticket, user)


def sees_enforcement(user: Any) -> bool:
    """城管 staff see the enforcement panel on a ticket page; handlers and residents do not."""
    scope = scope_of(user)
    return scope.is_superuser or scope.has_role(*ENFORCEMENT_STAFF)
