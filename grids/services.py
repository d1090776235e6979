"""Writes that matter for places and postings, and the ``locate`` entry point."""

import datetime

from django.db import transaction
from django.utils import timezone

from grids.locator import locate, locate_id, locate_places
from grids.models import Assignment

__all__ = ["end_assignment", "locate", "locate_id", "locate_places"]


@transaction.atomic
def end_assignment(*, assignment_id: int, on: datetime.date | None = None) -> Assignment:
    """End a posting (it stays in history). Called by assessors via the admin or a new posting."""
    assignment = Assignment.objects.select_for_update().get(pk=assignment_id)
    day = on or timezone.localdate()
    if assignment.valid_to is not None and assignment.valid_to <= day:
        return assignment
    assignment.valid_to = max(day, assignment.valid_from)
    assignment.save(update_fields=["valid_to"])
    return assignment
