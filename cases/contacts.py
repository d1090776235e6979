"""Who may see a reporter's name and phone in full (PIPL: the minimum of people who need them).

Only the people who may have to call the resident back:

- the supervisors of the ticket's brigade, the command centre (and superusers), who register,
  dispatch and verify it (``cases.permissions.supervises``);
- the officer the ticket is assigned to (dispatched or enforcement), who goes to the place.

Everyone else who may see the ticket (other officers of its grids, department handlers, the
assessors, API clients and the public) sees the masked form (刘**, 138****5678). This module is
the only place that decides; pages, the API and the admin ask ``can_see_contact``.
"""

from typing import TYPE_CHECKING, Any

from accounts.scope import scope_of
from citymgmt.masking import mask_name, mask_phone

if TYPE_CHECKING:
    from cases.models import Ticket


def can_see_contact(user: Any, ticket: "Ticket") -> bool:
    """Whether ``user`` may read ``ticket``'s reporter name and phone unmasked."""
    return can_see_contact_of(user, brigade_id=ticket.brigade_id, assignee_id=ticket.assignee_id)


def can_see_contact_of(user: Any, *, brigade_id: int | None, assignee_id: int | None) -> bool:
    """``can_see_contact`` for a ticket read as plain values (an export's rows)."""
    scope = scope_of(user)
    return scope.supervises(brigade_id) or scope.is_the_officer(assignee_id)


def reporter_name_for(user: Any, ticket: "Ticket") -> str:
    """The reporter's name as ``user`` may read it."""
    name = ticket.reporter_name
    return name if can_see_contact(user, ticket) else mask_name(name)


def reporter_phone_for(user: Any, ticket: "Ticket") -> str:
    """The reporter's phone as ``user`` may read it."""
    phone = ticket.reporter_phone
    return phone if can_see_contact(user, ticket) else mask_phone(phone)
