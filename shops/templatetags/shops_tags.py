"""The card badge the shop pages share."""

from django import template
from django.utils.html import format_html

from shops.models import CardColour

register = template.Library()

CARD_STYLES = {
    CardColour.GREEN: "success",
    CardColour.YELLOW: "warning",
    CardColour.RED: "danger",
}


@register.filter
def card_style(colour: str | None) -> str:
    return CARD_STYLES.get(colour or CardColour.GREEN, "secondary")


@register.simple_tag
def card_badge(colour: str | None, points: int | None = None) -> str:
    colour = colour or CardColour.GREEN
    label = CardColour(colour).label
    text = f"{label} · {points}" if points is not None else str(label)
    return format_html(
        '<span class="badge text-bg-{} card-colour" data-colour="{}">{}</span>',
        card_style(colour),
        colour,
        text,
    )
