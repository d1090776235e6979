"""Small pieces the casework pages share: the deadline badge, state colours, and the panels
features register on the ticket page."""

import datetime
import functools
from collections.abc import Iterable

from django import template
from django.db.models import Model
from django.forms import BoundField
from django.forms.utils import flatatt
from django.urls import get_script_prefix, reverse
from django.utils import dateformat, timezone, translation
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases import deadlines, hooks, step_clocks, tab_counts
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


def _colour_labels() -> dict[deadlines.Colour, str]:
    return {
        deadlines.Colour.GREEN: _("On time"),
        deadlines.Colour.YELLOW: _("Due soon"),
        deadlines.Colour.RED: _("Overdue"),
    }


def step_clock_badge(clock: step_clocks.RunningClock, now: datetime.datetime) -> SafeString:
    """The clock of the desk step a ticket waits in (registration, dispatch, verification), in
    the disposal clock's colours."""
    colour = deadlines.colour(now, clock.warn_at, clock.due_at)
    due = timezone.localtime(clock.due_at)
    return format_html(
        '<span class="badge text-bg-{} deadline-badge step-clock-badge" title="{} {}">'
        "{} · {} · {}</span>",
        COLOUR_STYLES[colour],
        _("%(step)s due") % {"step": clock.label},
        due.strftime("%Y-%m-%d %H:%M"),
        clock.label,
        _colour_labels()[colour],
        due.strftime("%m-%d %H:%M"),
    )


@register.simple_tag
def step_clock_rows(ticket: Ticket, now: datetime.datetime) -> SafeString:
    """The ticket page's desk-step clocks: each step started, when due, and when done (in time
    or late), or its running clock's badge."""
    running = step_clocks.current(ticket)
    items = []
    for record in step_clocks.records(ticket):
        due = dateformat.format(timezone.localtime(record.due_at), "Y-m-d H:i")
        if running is not None and running.step == record.step:
            status = step_clock_badge(running, now)
        elif record.done_at is None:
            status = ""
        else:
            done = dateformat.format(timezone.localtime(record.done_at), "Y-m-d H:i")
            tone = "danger" if record.late else "success"
            status = format_html(
                '<span class="badge text-bg-{}-subtle text-{}-emphasis">{}</span> {}',
                tone,
                tone,
                _("Late") if record.late else _("In time"),
                done,
            )
        items.append(
            format_html(
                '<li class="step-clock" data-step="{}">{} · {} {} {}</li>',
                record.step,
                record.label,
                _("due"),
                due,
                status,
            )
        )
    if not items:
        return mark_safe("")
    return format_html('<ul class="list-unstyled mb-0 small">{}</ul>', mark_safe("".join(items)))


@register.simple_tag
def deadline_badge(ticket: Ticket, now: datetime.datetime) -> SafeString:
    """Green below 80% of the time used, yellow to 100%, red past the deadline; a queue row
    shows one each, so it is built here rather than by a sub-template. A ticket waiting to be
    registered, dispatched or verified shows that step's clock (``cases.step_clocks``)."""
    step_clock = step_clocks.current(ticket)
    if step_clock is not None:
        return step_clock_badge(step_clock, now)
    return disposal_badge(ticket, now)


@register.simple_tag
def disposal_badge(ticket: Ticket, now: datetime.datetime) -> SafeString:
    """The disposal deadline's badge alone (the ticket page's deadline row)."""
    running = ticket.state in CLOCK_STATES and ticket.deadline is not None
    colour = deadlines.colour(now, ticket.warn_at, ticket.deadline) if running else None
    if colour is None:
        if ticket.overdue:
            return format_html(
                '<span class="badge text-bg-danger-subtle text-danger-emphasis">{}</span>',
                _("Was late"),
            )
        return mark_safe("")
    labels = _colour_labels()
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
    """A ``<select>`` for a long choice list, its options built once per list and language
    (``_options``) and the chosen ones marked in the copy. Django renders every ``<option>``
    through a template, which for the city's 1,500 options (communities, officers, categories)
    was most of the queue page's time."""
    if not hasattr(field.field, "choices"):  # e.g. a yes/no select: short, and values differ
        return field.as_widget()
    widget = field.field.widget
    attrs = widget.build_attrs(widget.attrs, {"name": field.html_name, "id": field.auto_id})
    value = field.value()
    chosen = {str(v) for v in (value if isinstance(value, list | tuple) else [value]) if v}
    key = getattr(field.field, "options_key", None)
    if key is None:
        key = tuple(
            (k, tuple(label) if isinstance(label, list | tuple) else label)
            for k, label in field.field.choices
        )
    key = (key, getattr(field.field, "empty_label", None))
    options = _kept_options(key, field.field.choices)
    for chosen_key in chosen:
        option = f'<option value="{escape(chosen_key)}">'
        options = options.replace(option, f'<option value="{escape(chosen_key)}" selected>', 1)
    return mark_safe(f"<select{flatatt(attrs)}>{options}</select>")


# Rendered option lists, by the list (or its version) and language: a process builds each once.
OPTIONS_KEPT = 256
_OPTIONS: dict[tuple, str] = {}


def _kept_options(key: tuple, choices: Iterable) -> str:
    """The options of ``choices`` as rendered before under ``key`` (the list itself, so a renamed
    community or a new officer is a new entry, never a stale one) in the current language."""
    key = (key, translation.get_language())
    options = _OPTIONS.get(key)
    if options is None:
        options = _options(choices)
        if len(_OPTIONS) >= OPTIONS_KEPT:
            _OPTIONS.clear()
        _OPTIONS[key] = options
    return options


def _options(choices: Iterable) -> str:
    """The ``<option>``s (and ``<optgroup>``s) of a choice list, none selected."""

    def option(key: object, label: object) -> str:
        return f'<option value="{escape(key)}">{escape(label)}</option>'

    parts = []
    for key, label in choices:
        if isinstance(label, list | tuple):  # an <optgroup>: (group name, [(key, label), …])
            inner = "".join(option(k, v) for k, v in label)
            parts.append(f'<optgroup label="{escape(key)}">{inner}</optgroup>')
        else:
            parts.append(option(key, label))
    return "".join(parts)


@register.filter
def as_options(objects: Iterable[Model]) -> SafeString:
    """An ``<option>`` per object (its pk, its name as ``str()`` gives it), built once per list
    as ``quick_select`` builds its options: the city's 212 officers through the template engine
    cost more than the page's SQL."""
    pairs = tuple((o.pk, str(o)) for o in objects)
    return mark_safe(_kept_options(pairs, pairs))


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


@register.simple_tag
def ticket_item(
    t: Ticket, now: datetime.datetime, *, stretch: bool = False, selectable: bool = False
) -> SafeString:
    """A ticket as a list row (the queue, an officer's tasks, a unit's list): number, state,
    badges, clock, category, what, where, who. Built here with ``escape`` rather than by a
    sub-template (the template engine spent a third of the queue page's time on its rows) or
    ``format_html`` (half a millisecond a row)."""
    number = escape(t.number)
    link = " stretched-link" if stretch else ""
    head = [
        f'<a class="fw-semibold text-decoration-none me-1 ticket-number{link}"'
        f' href="{_detail_url(get_script_prefix()).replace(NUMBER_SLOT, number)}">{number}</a>',
        f'<span class="badge text-bg-{state_style(t.state)}">{escape(state_label(t.state))}</span>',
    ]
    if t.priority == "urgent":
        head.append(f'<span class="badge text-bg-danger">{escape(_("Urgent"))}</span>')
    if t.rework_count:
        rework = ngettext("rework ×%(n)s", "rework ×%(n)s", t.rework_count) % {"n": t.rework_count}
        head.append(f'<span class="badge text-bg-warning">{escape(rework)}</span>')
    if t.field_checker_id and t.state == "resolved":
        check = escape(_("Check on site"))
        head.append(f'<span class="badge text-bg-info field-check-badge">{check}</span>')
    head.append(deadline_badge(t, now))
    reported = dateformat.format(timezone.localtime(t.reported_at), "m-d H:i")
    where = [f"{escape(source_label(t.source))} · {reported}"]
    if t.community_id:
        where.append(f" · {escape(t.community.name)}")
        if t.grid_cell_id:
            where.append(f" {escape(t.grid_cell.code[-3:])}")
    if t.assignee_id:
        where.append(f" · {escape(_('Officer'))} {escape(t.assignee.user)}")
    if t.responsible_unit_id:
        where.append(f" · {escape(t.responsible_unit.name)}")
        if t.responsible_person:
            where.append(f" ({escape(t.responsible_person)})")
    if t.reporter_phone:
        where.append(f" · {escape(t.masked_phone)}")
    tick = ""
    if selectable:
        label = escape(_("Select %(number)s") % {"number": t.number})
        tick = (
            '<input class="form-check-input mt-1 flex-shrink-0" type="checkbox" name="tickets"'
            f' value="{t.pk}" form="bulk-form" aria-label="{label}">'
        )
    what = f"{escape(t.category.name)} · {escape(Truncator(t.description).chars(60))}"
    return mark_safe(
        f'<div class="d-flex gap-2 align-items-start ticket-item">{tick}'
        '<div class="flex-grow-1 min-w-0">'
        f'<div class="d-flex flex-wrap gap-1 align-items-center">{chr(10).join(head)}</div>'
        f'<div class="small text-truncate">{what}</div>'
        f'<div class="small text-muted">{"".join(where)}</div>'
        "</div></div>"
    )


NUMBER_SLOT = "XZ00000000-0000"


@functools.lru_cache(maxsize=8)
def _detail_url(script_prefix: str) -> str:
    """A ticket page's URL with ``NUMBER_SLOT`` for the number: one ``reverse`` a process, not
    one a row."""
    return reverse("cases:detail", args=[NUMBER_SLOT])
