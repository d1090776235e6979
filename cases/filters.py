"""The supervisor's queue filters (django-filter). Every filter has an index behind it
(see ``Ticket.Meta.indexes``); the choice lists are scoped to what the user supervises."""

from collections.abc import Sequence

import django_filters
from django import forms
from django.core.exceptions import EmptyResultSet
from django.db.models import F, Q, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Officer, Unit, User
from cases.categories import leaf_choices
from cases.models import CLOCK_STATES, OPEN_STATES, Priority, Source, State, Ticket
from cases.selectors import (
    CommunityChoice,
    OfficerChoice,
    QueueLists,
    queue_lists,
    tickets_visible_to,
)
from cases.step_clocks import STEP_STATE, due_field, warn_field
from citymgmt.forms import style_widgets
from grids.models import Community

STATUS_TABS = [
    ("open", _("Open")),
    (State.REPORTED, State.REPORTED.label),
    (State.REGISTERED, State.REGISTERED.label),
    (State.DISPATCHED, State.DISPATCHED.label),
    (State.IN_PROGRESS, State.IN_PROGRESS.label),
    (State.REFERRED, State.REFERRED.label),
    (State.ENFORCEMENT, State.ENFORCEMENT.label),
    (State.RESOLVED, State.RESOLVED.label),
    (State.CLOSED, State.CLOSED.label),
    (State.REJECTED, State.REJECTED.label),
    ("all", _("All")),
]
COLOURS = [("green", _("On time")), ("yellow", _("Due soon")), ("red", _("Overdue"))]
SORTS = [
    ("deadline", _("Deadline, soonest first")),
    ("-reported_at", _("Newest first")),
    ("reported_at", _("Oldest first")),
]


class TicketFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=STATUS_TABS, method="filter_status", empty_label=None
    )
    q = django_filters.CharFilter(label=_("Search"), method="filter_text")
    category = django_filters.ChoiceFilter(label=_("Category"), field_name="category")
    source = django_filters.ChoiceFilter(label=_("Source"), choices=Source.choices)
    priority = django_filters.ChoiceFilter(label=_("Priority"), choices=Priority.choices)
    district = django_filters.ChoiceFilter(label=_("District"), field_name="district")
    street = django_filters.ChoiceFilter(label=_("Street"), field_name="street")
    community = django_filters.ChoiceFilter(label=_("Community"), field_name="community")
    grid = django_filters.CharFilter(
        label=_("Unit grid code"), field_name="grid_cell__code", lookup_expr="startswith"
    )
    assignee = django_filters.ChoiceFilter(label=_("Officer"), field_name="assignee")
    unit = django_filters.ChoiceFilter(label=_("Responsible unit"), field_name="responsible_unit")
    # A choice, not a BooleanFilter: that one reads any unknown value as "not given".
    overdue = django_filters.ChoiceFilter(
        label=_("Overdue"),
        method="filter_overdue",
        choices=[("true", _("Yes")), ("false", _("No"))],
    )
    colour = django_filters.ChoiceFilter(
        label=_("Deadline"), choices=COLOURS, method="filter_colour"
    )
    reported_after = django_filters.DateFilter(
        label=_("Reported from"),
        field_name="reported_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reported_before = django_filters.DateFilter(
        label=_("Reported until"),
        field_name="reported_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort"), choices=SORTS, method="filter_sort", empty_label=None
    )

    class Meta:
        model = Ticket
        fields: list[str] = []

    def __init__(
        self,
        data=None,
        queryset=None,
        *,
        communities: Sequence[Community | CommunityChoice],
        officers: Sequence[Officer | OfficerChoice],
        units: Sequence[Unit],
        **kwargs,
    ) -> None:
        """The choice lists come in evaluated (the page shows them twice: here and in the bulk
        bar), as model instances or as the queue's lighter choices (``selectors.queue_lists``);
        districts and streets are read off the communities, categories from the cache."""
        data = data.copy() if data is not None else {}
        data.setdefault("status", "open")
        # Work in hand is sorted by deadline; finished work reads best newest first.
        finished = data.get("status") in ("closed", "rejected", "all")
        data.setdefault("sort", "-reported_at" if finished else "deadline")
        super().__init__(data, queryset, **kwargs)
        districts = {c.street.district for c in communities}
        streets = {c.street for c in communities}
        # Tuples: each list is also the key its rendered options are kept under
        # (``cases_tags.quick_select``).
        choices = {
            "category": tuple((group, tuple(items)) for group, items in leaf_choices()),
            "district": tuple((d.pk, d.name) for d in sorted(districts, key=lambda d: d.code)),
            "street": tuple((s.pk, s.name) for s in sorted(streets, key=lambda s: s.code)),
            "community": tuple((c.pk, c.name) for c in communities),
            "assignee": tuple((o.pk, str(o)) for o in officers),
            "unit": tuple((u.pk, u.name) for u in units),
        }
        # The long lists go on the form's fields once the form is built: handed to the filters,
        # they would be copied into a new field and deep-copied again into the form (~2,600
        # ``deepcopy`` calls a page for the city's ~600 options).
        for name in choices:
            self.filters[name].extra["choices"] = ()
        for name, options in choices.items():
            field = self.form.fields[name]
            field.choices = options
            field.options_key = options
        style_widgets(self.form, small=True)

    def without_status(self) -> QuerySet[Ticket]:
        """The filtered tickets before the status tab applies: what the tab counts count."""
        queryset = self.queryset.all()
        for name, value in self.form.cleaned_data.items():
            if name in ("status", "sort"):
                continue
            queryset = self.filters[name].filter(queryset, value)
        return queryset

    def counts_key(self) -> str:
        """What the status tabs count, as text: the scope and the filters other than status and
        sort (not the time: a filter on the clock matches no finished ticket at any time)."""
        chosen = sorted(
            (name, str(value))
            for name, value in self.form.cleaned_data.items()
            if name not in ("status", "sort") and value not in (None, "")
        )
        try:
            scope = str(self.queryset.query)
        except EmptyResultSet:  # a scope that can match nothing: a supervisor without a brigade
            scope = "nothing"
        return f"{scope}|{chosen}"

    def filter_status(self, queryset: QuerySet[Ticket], name: str, value: str) -> QuerySet:
        if value == "open":
            return queryset.filter(state__in=OPEN_STATES)
        if value == "all":
            return queryset
        return queryset.filter(state=value)

    def filter_text(self, queryset: QuerySet[Ticket], name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        if value.upper().startswith("XZ"):
            return queryset.filter(number__istartswith=value)
        return queryset.filter(Q(number__icontains=value) | Q(description__icontains=value))

    def filter_overdue(self, queryset: QuerySet[Ticket], name: str, value: str) -> QuerySet:
        now = timezone.now()
        late = Q(overdue=True) | Q(state__in=CLOCK_STATES, deadline__lt=now)
        for step, state in STEP_STATE.items():
            late |= Q(state=state, **{f"{due_field(step)}__lt": now})
        return queryset.filter(late) if value == "true" else queryset.exclude(late)

    def filter_colour(self, queryset: QuerySet[Ticket], name: str, value: str) -> QuerySet:
        """The colour of the clock running now: the disposal deadline's, or that of the desk
        step the ticket waits in (registration, dispatch, verification)."""
        now = timezone.now()
        clocks = [(Q(state__in=CLOCK_STATES), "deadline", "warn_at")] + [
            (Q(state=state), due_field(step), warn_field(step))
            for step, state in STEP_STATE.items()
        ]
        matching = Q()
        for running, due, warn in clocks:
            if value == "red":
                colour = Q(**{f"{due}__lt": now})
            elif value == "yellow":
                colour = Q(**{f"{due}__gte": now, f"{warn}__lte": now})
            else:
                colour = Q(**{f"{warn}__gt": now})
            matching |= running & Q(**{f"{due}__isnull": False}) & colour
        return queryset.filter(matching)

    def filter_sort(self, queryset: QuerySet[Ticket], name: str, value: str) -> QuerySet:
        if value == "deadline":
            return queryset.order_by(F("deadline").asc(nulls_last=True), "reported_at", "id")
        return queryset.order_by(value, "id")


def queue_filter(
    user: User, data: QueryDict, *, with_lists: bool = True
) -> tuple[TicketFilter, QueueLists]:
    """The queue's filter as ``user`` has it: the tickets they may see, ``data`` (the page's
    query string) and their choice lists. The queue page, its exports and the command centre's
    map all start here, so each holds exactly the tickets of the page it was asked from.
    Without ``with_lists`` the choice lists stay empty (a request that names no place or
    person: the map's data, polled often)."""
    lists = queue_lists(user) if with_lists else QueueLists([], [], [])
    ticket_filter = TicketFilter(
        data,
        tickets_visible_to(user),
        communities=lists.communities,
        officers=lists.officers,
        units=lists.units,
    )
    return ticket_filter, lists
