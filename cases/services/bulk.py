"""Several tickets at once from the queue: each moves through its own transition service in its
own savepoint, so one that cannot move does not stop the others."""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.models import User
from cases.models import State
from cases.selectors import tickets_visible_to
from cases.services.steps import TicketConflict, dispatch_ticket, refer_ticket, register_ticket


@dataclass
class BulkResult:
    done: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (number, why)


def _bulk(actor: User, ticket_ids: Iterable[int], act: Any) -> BulkResult:
    """Apply ``act(ticket_id)`` to each ticket in its own savepoint: one ticket that cannot move
    (taken by someone else, out of scope) does not stop the others."""
    result = BulkResult()
    numbers = dict(tickets_visible_to(actor).filter(pk__in=ticket_ids).values_list("pk", "number"))
    for ticket_id in ticket_ids:
        number = numbers.get(ticket_id)
        if number is None:
            continue
        try:
            with transaction.atomic():
                act(ticket_id)
        except TicketConflict as exc:
            result.failed.append((number, exc.message))
        except (PermissionDenied, ValidationError) as exc:
            message = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
            result.failed.append((number, message))
        else:
            result.done.append(number)
    return result


def bulk_dispatch(*, actor: User, ticket_ids: Sequence[int], officer_id: int) -> BulkResult:
    """Supervisor: dispatch the selected tickets to one officer."""
    return _bulk(
        actor,
        ticket_ids,
        lambda pk: dispatch_ticket(
            actor=actor, ticket_id=pk, officer_id=officer_id, expected_state=State.REGISTERED
        ),
    )


def bulk_refer(
    *,
    actor: User,
    ticket_ids: Sequence[int],
    unit_id: int,
    person: str,
    deadline: datetime.datetime | None = None,
) -> BulkResult:
    """Supervisor: refer the selected tickets to one unit."""
    return _bulk(
        actor,
        ticket_ids,
        lambda pk: refer_ticket(
            actor=actor,
            ticket_id=pk,
            unit_id=unit_id,
            person=person,
            deadline=deadline,
            expected_state=State.REGISTERED,
        ),
    )


def bulk_register(*, actor: User, ticket_ids: Sequence[int]) -> BulkResult:
    """Supervisor: register the selected reports as they are."""
    return _bulk(
        actor,
        ticket_ids,
        lambda pk: register_ticket(actor=actor, ticket_id=pk, expected_state=State.REPORTED),
    )
