"""Small pieces the casework pages share: the deadline badge and state colours."""

import datetime

from django import template
from django.utils.translation import gettext as _

from cases import deadlines
from cases.models import CLOCK_STATES, State, Ticket

register = template.Library()

STATE_STYLES = {
    State.REPORTED: "secondary",
    State.REGISTERED: "info",
    State.DISPATCHED: "primary",
    State.IN_PROGRESS: "primary",
    State.REFERRED: "warning",
    State.ENFORCEMENT: "danger",
    State.RESOLVED: "success",
    State.CLOSED: "dark",
    State.REJECTED: "light",
}
COLOUR_STYLES = {
    deadlines.Colour.GREEN: "success",
    deadlines.Colour.YELLOW: "warning",
    deadlines.Colour.RED: "danger",
}


@register.filter
def state_style(state: str) -> str:
    return STATE_STYLES.get(state, "secondary")


@register.inclusion_tag("cases/_deadline.html")
def deadline_badge(ticket: Ticket, now: datetime.datetime) -> dict:
    """Green below 80% of the time used, yellow to 100%, red past the deadline."""
    running = ticket.state in CLOCK_STATES and ticket.deadline is not None
    colour = deadlines.colour(now, ticket.warn_at, ticket.deadline) if running else None
    labels = {
        deadlines.Colour.GREEN: _("On time"),
        deadlines.Colour.YELLOW: _("Due soon"),
        deadlines.Colour.RED: _("Overdue"),
    }
    return {
        "ticket": ticket,
        "colour": colour,
        "style": COLOUR_STYLES.get(colour, "secondary"),
        "label": labels.get(colour, ""),
        "paused": ticket.clock_paused_at is not None,
    }
