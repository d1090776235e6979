"""Small formatting for the assessment's pages: grade badges, rates and changes."""

from decimal import Decimal
from typing import Any

from django import template
from django.utils.translation import gettext as _

from assessments.presenting import GRADE_STYLES

register = template.Library()


@register.filter
def grade_style(grade: str) -> str:
    """The Bootstrap colour of a grade: A green … E red."""
    return GRADE_STYLES.get(grade, "secondary")


@register.filter
def rate(value: Any) -> str:
    """A rate (a fraction) as a percentage with one decimal; "n/a" when there was none."""
    if not isinstance(value, int | float | Decimal):
        return _("n/a")
    return f"{100 * float(value):.1f}%"


@register.filter
def points(value: Any) -> str:
    if not isinstance(value, int | float | Decimal):
        return _("n/a")
    return f"{float(value):.1f}"


@register.filter
def change_sign(value: Any) -> str:
    """up / down / flat, for ▲ ▼ and their colours."""
    if not isinstance(value, int | float | Decimal):
        return ""
    return "up" if value > 0 else "down" if value < 0 else "flat"
