"""Reply templates on the action forms: which templates a step offers for a ticket, and a
template's text with the ticket's facts put in."""

import re

from django.db.models import Q, QuerySet
from django.utils import timezone

from cases.models import ReplyStep, ReplyTemplate, Source, Ticket

# The action whose form offers templates → the steps they are written for. Closing a hotline
# ticket also offers the 12345 completion replies: its note is the reply the platform reads.
ACTION_STEPS: dict[str, tuple[str, ...]] = {
    "register": (ReplyStep.REGISTER,),
    "reject": (ReplyStep.REJECT,),
    "resolve": (ReplyStep.RESOLVE,),
    "verify": (ReplyStep.CLOSE,),
}
PLACEHOLDER = re.compile(r"\{(number|category|community|deadline)\}")


def steps_for(action: str, ticket: Ticket) -> tuple[str, ...]:
    steps = ACTION_STEPS.get(action, ())
    if action == "verify" and ticket.source == Source.HOTLINE:
        steps = (*steps, ReplyStep.HOTLINE_DONE)
    return steps


def templates_for(ticket: Ticket, steps: tuple[str, ...]) -> QuerySet[ReplyTemplate]:
    """The active templates of these steps for the ticket's category, and those for any."""
    return ReplyTemplate.objects.filter(
        Q(category__isnull=True) | Q(category_id=ticket.category_id),
        step__in=steps,
        is_active=True,
    ).order_by("step", "title", "id")


def render(template: ReplyTemplate, ticket: Ticket) -> str:
    """The template's text with the ticket's number, category, community and deadline (an
    unknown ``{…}`` stays as written)."""
    deadline = (
        timezone.localtime(ticket.deadline).strftime("%Y-%m-%d %H:%M") if ticket.deadline else ""
    )
    facts = {
        "number": ticket.number,
        "category": ticket.category.name,
        "community": ticket.community.name if ticket.community_id else "",
        "deadline": deadline,
    }
    return PLACEHOLDER.sub(lambda match: facts[match.group(1)], template.text)
