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

from cases.permissions import officer_id_of, supervised_brigade_id
from citymgmt.masking import mask_name, mask_phone

if TYPE_CHECKING:
    from cases.models import Ticket


def _brigade_scope(user: Any) -> int | bool | None:
    # Cached on the user like ``officer_id_of``: a list of 50 rows asks 50 times.
    if not hasattr(user, "_contact_brigade_scope"):
        user._contact_brigade_scope = supervised_brigade_id(user)
    return user._contact_brigade_scope


def can_see_contact(user: Any, ticket: "Ticket") -> bool:
    """Whether ``user`` may read ``ticket``'s reporter name and phone unmasked."""
    if not getattr(user, "is_authenticated", False):
        return False
    scope = _brigade_scope(user)
    if scope is True or (scope is not None and scope == ticket.brigade_id):
        return True
    officer_id = officer_id_of(user)
    return officer_id is not None and officer_id == ticket.assignee_id


def reporter_name_for(user: Any, ticket: "Ticket") -> str:
    """The reporter's name as ``user`` may read it."""
    name = ticket.reporter_name
    return name if can_see_contact(user, ticket) else mask_name(name)


def reporter_phone_for(user: Any, ticket: "Ticket") -> str:
    """The reporter's phone as ``user`` may read it."""
    phone = ticket.reporter_phone
    return phone if can_see_contact(user, ticket) else mask_phone(phone)
