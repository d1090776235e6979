"""Writes of the command centre: opening a governance task (源头治理) from a hotspot."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.scope import scope_of
from cases import services as case_services
from cases.audit import record_event
from cases.models import Category, Source
from command.hotspots import Thresholds, recurring_tickets
from command.models import GovernanceEvent, GovernanceTask
from grids.models import GridCell


@transaction.atomic
def open_governance_task(
    *,
    actor: User,
    grid_cell_id: int,
    category_id: int,
    unit_id: int,
    person: str,
    description: str,
    deadline: datetime.datetime | None = None,
    note: str = "",
) -> GovernanceTask:
    """A supervisor of the cell's brigade (the command centre: any cell) turns a hotspot into a
    ticket of its own (source ``governance``), registered and referred to ``unit_id`` with the
    person answerable, and links the recurring tickets to it. Each step is the ticket's own
    service with its audit row; the link is one more event on the task and on each linked
    ticket. PermissionDenied outside the actor's scope (the same whether or not the cell
    exists); ValidationError when it is no longer a hotspot or a task is already open for it.
    """
    scope = scope_of(actor)
    cell = (
        GridCell.objects.select_for_update()  # one task at a time per cell
        .select_related("community")
        .filter(pk=grid_cell_id)
        .first()
    )
    if cell is None or not scope.supervises(cell.community.brigade_id):
        raise PermissionDenied(_("You cannot open a governance task here."))
    category = Category.objects.filter(pk=category_id).first()
    if category is None:
        raise ValidationError({"category": _("Choose a category.")})
    open_task = (
        GovernanceTask.objects.filter(grid_cell=cell, category=category)
        .exclude(ticket__state__in=("closed", "rejected"))
        .select_related("ticket")
        .first()
    )
    if open_task is not None:
        raise ValidationError(
            _("Governance task %(number)s is already open for this hotspot.")
            % {"number": open_task.ticket.number}
        )
    limits = Thresholds.current()
    now = timezone.now()
    since, _previous = limits.periods(now)
    recurring = list(
        recurring_tickets(actor, grid_cell_id=cell.pk, category_id=category.pk, since=since)
        .order_by("reported_at", "id")
        .only("pk", "number", "state")
    )
    if len(recurring) < limits.min_tickets:
        raise ValidationError(_("This is no longer a hotspot: too few tickets in the period."))

    ticket = case_services.create_ticket(
        actor=actor,
        source=Source.GOVERNANCE,
        category=category,
        description=description.strip(),
        lat=cell.centroid_lat,
        lng=cell.centroid_lng,
        address=f"{cell.community.name} {cell.code}",
        community=cell.community,
    )
    case_services.register_ticket(actor=actor, ticket_id=ticket.pk)
    ticket = case_services.refer_ticket(
        actor=actor,
        ticket_id=ticket.pk,
        unit_id=unit_id,
        person=person,
        deadline=deadline,
        note=note,
    )
    task = GovernanceTask.objects.create(
        ticket=ticket,
        grid_cell=cell,
        category=category,
        window_days=limits.days,
        recurring_count=len(recurring),
        opened_by=actor,
        opened_at=now,
    )
    task.recurring.set(recurring)
    numbers = [t.number for t in recurring]
    record_event(
        ticket,
        actor,
        GovernanceEvent.OPENED,
        data={"grid": cell.code, "days": limits.days, "linked": numbers},
    )
    for linked in recurring:
        record_event(linked, actor, GovernanceEvent.LINKED, data={"task": ticket.number})
    return task
