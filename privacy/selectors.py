"""Reads of the record kept when a reporter's contact details are removed."""

from django.http import HttpRequest

from cases.models import Ticket
from privacy.models import ErasedContact


def erased_contact_context(request: HttpRequest, ticket: Ticket) -> dict:
    """The ticket page's note on removed contact details: when, and whether the reporter asked."""
    if ticket.reporter_name or ticket.reporter_phone:
        return {"erased_contact": None}
    return {"erased_contact": ErasedContact.objects.filter(ticket=ticket).first()}
