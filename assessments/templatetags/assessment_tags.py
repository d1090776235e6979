"""Small formatting for the assessment's pages: grade badges, rates and changes."""

from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

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


@register.simple_tag
def grade_badge(grade: str) -> SafeString:
    """``_grade.html`` as one tag, for the rankings' fifty rows a page (an include a row cost
    more than the page's SQL)."""
    if grade:
        return format_html(
            '<span class="badge text-bg-{}" title="{}">{}</span>',
            grade_style(grade),
            pgettext("assessment", "Grade"),
            grade,
        )
    return format_html('<span class="badge text-bg-secondary">{}</span>', _("n/a"))


@register.simple_tag
def change_mark(change: Any) -> SafeString:
    """``_change.html`` as one tag (see ``grade_badge``): ▲ or ▼ and the change, 0 or —."""
    sign = change_sign(change)
    if sign == "up":
        return format_html(
            '<span class="text-success text-nowrap"><span aria-hidden="true">▲</span>'
            '<span class="visually-hidden">{}</span> {}</span>',
            _("up"),
            localize(change),
        )
    if sign == "down":
        return format_html(
            '<span class="text-danger text-nowrap"><span aria-hidden="true">▼</span>'
            '<span class="visually-hidden">{}</span> {}</span>',
            _("down"),
            f"{change:.2f}"[1:],
        )
    if sign == "flat":
        return mark_safe('<span class="text-muted">0</span>')
    return mark_safe('<span class="text-muted">—</span>')


@register.simple_tag
def indicator_cells(indicators: Any) -> SafeString:
    """A ranking row's indicator cells (``presenting.indicator_rows``): cases per grid as
    count/grids, a table-scored count as the count, anything else as its rate. One tag a row,
    not the template's branches for each of its cells."""

    def cell(row: Any) -> tuple[str, str]:
        if row.code == "cases_per_grid" and row.den:
            shown = f"{localize(row.num)}/{localize(row.den)}"
        elif row.scored_by_table and not row.missing:
            shown = localize(row.num)
        else:
            shown = rate(row.rate)
        return (" text-muted" if row.missing else "", shown)

    return format_html_join("", '<td class="text-nowrap{}">{}</td>', map(cell, indicators))
