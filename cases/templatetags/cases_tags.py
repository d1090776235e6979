"""Small pieces the casework pages share: the deadline badge, state colours, and the panels
features register on the ticket page."""

import datetime
from collections.abc import Iterable

from django import template
from django.db.models import Model
from django.forms import BoundField
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from cases import deadlines, hooks, tab_counts
from cases.models import CLOCK_STATES, Source, State, Ticket

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
# ``get_FOO_display`` rebuilds and translates a field's whole choice list on every call: a queue
# row shows two, so a page of 50 spent more on them than on its SQL.
STATE_LABELS = dict(State.choices)
SOURCE_LABELS = dict(Source.choices)
COLOUR_STYLES = {
    deadlines.Colour.GREEN: "success",
    deadlines.Colour.YELLOW: "warning",
    deadlines.Colour.RED: "danger",
}


@register.filter
def state_style(state: str) -> str:
    return STATE_STYLES.get(state, "secondary")


@register.filter
def state_label(state: str) -> str:
    return STATE_LABELS.get(state, state)


@register.filter
def source_label(source: str) -> str:
    return SOURCE_LABELS.get(source, source)


@register.simple_tag
def deadline_badge(ticket: Ticket, now: datetime.datetime) -> SafeString:
    """Green below 80% of the time used, yellow to 100%, red past the deadline; a queue row
    shows one each, so it is built here rather than by a sub-template."""
    running = ticket.state in CLOCK_STATES and ticket.deadline is not None
    colour = deadlines.colour(now, ticket.warn_at, ticket.deadline) if running else None
    if colour is None:
        if ticket.overdue:
            return format_html(
                '<span class="badge text-bg-danger-subtle text-danger-emphasis">{}</span>',
                _("Was late"),
            )
        return mark_safe("")
    labels = {
        deadlines.Colour.GREEN: _("On time"),
        deadlines.Colour.YELLOW: _("Due soon"),
        deadlines.Colour.RED: _("Overdue"),
    }
    deadline = timezone.localtime(ticket.deadline)
    return format_html(
        '<span class="badge text-bg-{} deadline-badge" title="{} {}">{} · {}</span>',
        COLOUR_STYLES[colour],
        _("Deadline"),
        deadline.strftime("%Y-%m-%d %H:%M"),
        _("Paused") if ticket.clock_paused_at is not None else labels[colour],
        deadline.strftime("%m-%d %H:%M"),
    )


@register.filter
def quick_select(field: BoundField) -> SafeString:
    """A ``<select>`` for a long choice list, built in one join. Django renders every
    ``<option>`` through a template, which for the city's 1,500 options (communities, officers,
    categories) was most of the queue page's time."""
    if not hasattr(field.field, "choices"):  # e.g. a yes/no select: short, and values differ
        return field.as_widget()
    widget = field.field.widget
    attrs = widget.build_attrs(widget.attrs, {"name": field.html_name, "id": field.auto_id})
    value = field.value()
    chosen = {str(v) for v in (value if isinstance(value, list | tuple) else [value]) if v}

    def option(key: object, label: object) -> str:
        selected = " selected" if str(key) in chosen else ""
        return f'<option value="{escape(key)}"{selected}>{escape(label)}</option>'

    parts = []
    for key, label in field.field.choices:
        if isinstance(label, list | tuple):  # an <optgroup>: (group name, [(key, label), …])
            inner = "".join(option(k, v) for k, v in label)
            parts.append(f'<optgroup label="{escape(key)}">{inner}</optgroup>')
        else:
            parts.append(option(key, label))
    return mark_safe(f"<select{flatatt(attrs)}>{''.join(parts)}</select>")


@register.filter
def as_options(objects: Iterable[Model]) -> SafeString:
    """An ``<option>`` per object (its pk, its name as ``str()`` gives it), built in one join as
    ``quick_select`` builds its options: the city's 212 officers through the template engine
    cost more than the page's SQL."""
    return mark_safe(
        "".join(f'<option value="{escape(o.pk)}">{escape(o)}</option>' for o in objects)
    )


@register.simple_tag(takes_context=True)
def ticket_panel(context: template.Context, panel: hooks.Panel, panel_context: dict) -> str:
    """Draw a registered panel (``cases.hooks.add_panel``) with the page's context and its own,
    as ``{% include %}`` would."""
    panel_template = context.template.engine.get_template(panel.template)
    with context.push(**panel_context):
        return panel_template.render(context)


@register.filter
def count_label(count: int) -> str:
    """A tab's or pager's count: exact, or "10,000+" past the counting cap."""
    return tab_counts.count_label(count)


@register.filter
def is_capped(count: int) -> bool:
    return isinstance(count, tab_counts.AtLeast)


@register.simple_tag(takes_context=True)
def page_query(context: template.Context, param: str, number: int) -> str:
    """The page's query string with ``param`` set to ``number`` (a page with two pagers)."""
    query = context["request"].GET.copy()
    query[param] = str(number)
    return f"?{query.urlencode()}"
