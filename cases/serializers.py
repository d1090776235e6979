"""The REST API's serializers for tickets: what a ticket, its events and photos look like
out, and the input schemas read off the web forms the steps share."""

from typing import Any

from django import forms as django_forms
from django.core.validators import RegexValidator
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    extend_schema_field,
)
from rest_framework import serializers

from cases import actions, forms
from cases.contact_fields import ReporterContactField
from cases.models import (
    Category,
    Photo,
    RejectReason,
    Route,
    State,
    Ticket,
    TicketEvent,
)
from cases.selectors import DispatchRank
from citymgmt.text import no_control_characters


def _serializer_field(name: str, field: django_forms.Field) -> serializers.Field:
    common: dict[str, Any] = {"required": field.required, "help_text": field.help_text or None}
    if name == "expected_state":
        return serializers.ChoiceField(
            choices=State.choices,
            required=False,
            help_text="The state the client last saw; if the ticket has moved on since, the "
            "answer is 409 and nothing changes. Defaults to the current state.",
        )
    if isinstance(field, forms.PhotosField):
        return serializers.ListField(
            child=serializers.ImageField(),
            max_length=field.max_count,
            **common,
        )
    if isinstance(field, django_forms.ModelChoiceField):
        return serializers.IntegerField(**common)
    if isinstance(field, django_forms.ChoiceField):
        return serializers.ChoiceField(choices=list(field.choices), **common)
    if isinstance(field, django_forms.IntegerField):
        return serializers.IntegerField(
            min_value=field.min_value, max_value=field.max_value, **common
        )
    if isinstance(field, django_forms.FloatField):
        return serializers.FloatField(
            min_value=field.min_value, max_value=field.max_value, **common
        )
    if isinstance(field, django_forms.DateTimeField):
        return serializers.DateTimeField(**common)
    return serializers.CharField(
        max_length=getattr(field, "max_length", None),
        allow_blank=not field.required,
        validators=_text_patterns(field),
        **common,
    )


# Text the forms accept, as a pattern: no control characters (``citymgmt.text``) and, when the
# field is required, something besides blanks (the form strips them).
_TEXT = r"[^\x00-\x08\x0b\x0c\x0e-\x1f]*"
_VISIBLE = r"[^\s\x00-\x1f]"


def _text_patterns(field: django_forms.Field) -> list[RegexValidator]:
    """The schema's ``pattern`` for a form's text field (the form itself still validates)."""
    regexes = [v for v in field.validators if isinstance(v, RegexValidator)]
    if regexes:
        return regexes[:1]
    if no_control_characters in field.validators:
        return [RegexValidator(f"^{_TEXT}{_VISIBLE}{_TEXT}$" if field.required else f"^{_TEXT}$")]
    return []


def form_serializer(form_class: type[django_forms.Form], name: str) -> type:
    """A serializer describing a web form's fields, for the OpenAPI schema only: validation is
    the form's own."""
    fields = {
        field_name: _serializer_field(field_name, field)
        for field_name, field in form_class.base_fields.items()
    }
    return type(name, (serializers.Serializer,), fields)


class CategorySerializer(serializers.ModelSerializer):
    service_code = serializers.CharField(read_only=True)
    parent = serializers.IntegerField(source="parent_id", allow_null=True, read_only=True)

    class Meta:
        model = Category
        fields = [
            "id",
            "service_code",
            "kind",
            "code",
            "name",
            "public_name",
            "parent",
            "deadline_value",
            "deadline_unit",
            "urgent_hours",
            "enforceable",
        ]


class CategoryBrief(serializers.Serializer):
    id = serializers.IntegerField()
    service_code = serializers.CharField()
    name = serializers.CharField()


class PlaceBrief(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class OfficerBrief(serializers.Serializer):
    id = serializers.IntegerField()
    badge_number = serializers.CharField()
    name = serializers.CharField(source="user.name")


class DispatchOfficerSerializer(OfficerBrief):
    """An officer in a ticket's dispatch list, with where they stand in it and why."""

    rank = serializers.IntegerField(source="dispatch_rank")
    suggested = serializers.SerializerMethodField()
    posted_here = serializers.BooleanField()
    reason = serializers.SerializerMethodField()

    def get_suggested(self, officer: Any) -> bool:
        return officer.dispatch_rank == DispatchRank.SUGGESTED

    def get_reason(self, officer: Any) -> str:
        return str(DispatchRank(officer.dispatch_rank).label)


class UnitBrief(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class TicketSerializer(serializers.ModelSerializer):
    """A queue row. The reporter's name and phone are shown in full to those who may call the
    reporter back (``cases.contacts``); anyone else gets them masked (刘**, 138****5678)."""

    state_label = serializers.CharField(source="get_state_display", read_only=True)
    category = CategoryBrief(read_only=True)
    community = PlaceBrief(read_only=True, allow_null=True)
    grid_cell = serializers.CharField(source="grid_cell.code", read_only=True, allow_null=True)
    assignee = OfficerBrief(read_only=True, allow_null=True)
    responsible_unit = UnitBrief(read_only=True, allow_null=True)
    reporter_name = ReporterContactField("name")
    reporter_phone = ReporterContactField("phone")

    class Meta:
        model = Ticket
        fields = [
            "number",
            "state",
            "state_label",
            "source",
            "priority",
            "category",
            "description",
            "address",
            "lat",
            "lng",
            "community",
            "grid_cell",
            "assignee",
            "responsible_unit",
            "responsible_person",
            "deadline",
            "overdue",
            "rework_count",
            "on_site",
            "reporter_name",
            "reporter_phone",
            "reported_at",
            "updated_at",
        ]
        read_only_fields = fields


class TicketDetailSerializer(TicketSerializer):
    """The ticket page's facts, and the steps the user may take now (``actions``: the names of
    the ``/tickets/{number}/{action}/`` endpoints)."""

    street = serializers.CharField(source="street.name", read_only=True, allow_null=True)
    district = serializers.CharField(source="district.name", read_only=True, allow_null=True)
    brigade = UnitBrief(read_only=True, allow_null=True)
    duplicate_of = serializers.CharField(
        source="duplicate_of.number", read_only=True, allow_null=True
    )
    route = serializers.ChoiceField(choices=Route.choices, allow_blank=True, read_only=True)
    reject_reason = serializers.ChoiceField(
        choices=RejectReason.choices, allow_blank=True, read_only=True
    )
    actions = serializers.SerializerMethodField()

    class Meta(TicketSerializer.Meta):
        fields = [
            *TicketSerializer.Meta.fields,
            "street",
            "district",
            "brigade",
            "route",
            "reject_reason",
            "duplicate_of",
            "warn_at",
            "clock_paused_at",
            "registered_at",
            "dispatched_at",
            "referred_at",
            "accepted_at",
            "started_at",
            "resolved_at",
            "closed_at",
            "rejected_at",
            "satisfaction",
            "actions",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_actions(self, ticket: Ticket) -> list[str]:
        return [spec.name for spec in actions.available_actions(ticket, self.context["user"])]


class TicketCreatedSerializer(TicketDetailSerializer):
    """The new ticket, with what its reporter follows it by: the tracking code and page (the
    only answer that carries them)."""

    tracking_url = serializers.SerializerMethodField()

    class Meta(TicketDetailSerializer.Meta):
        fields = [*TicketDetailSerializer.Meta.fields, "tracking_code", "tracking_url"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_tracking_url(self, ticket: Ticket) -> str:
        path = reverse("residents:track", kwargs={"code": ticket.tracking_code})
        return self.context["request"].build_absolute_uri(path)


class EventSerializer(serializers.ModelSerializer):
    # Blank for the report that created the ticket.
    from_state = serializers.ChoiceField(choices=State.choices, allow_blank=True, read_only=True)
    to_state = serializers.ChoiceField(choices=State.choices, allow_blank=True, read_only=True)
    action_label = serializers.CharField(source="get_action_display", read_only=True)
    actor = serializers.CharField(source="actor.name", read_only=True, allow_null=True)
    photos = serializers.SerializerMethodField()

    class Meta:
        model = TicketEvent
        fields = [
            "id",
            "action",
            "action_label",
            "from_state",
            "to_state",
            "actor",
            "public_note",
            "internal_note",
            "data",
            "photos",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_photos(self, event: TicketEvent) -> list[int]:
        return [photo.pk for photo in event.photos.all()]


class PhotoSerializer(serializers.ModelSerializer):
    event = serializers.IntegerField(source="event_id", allow_null=True, read_only=True)

    class Meta:
        model = Photo
        fields = ["id", "kind", "width", "height", "content_type", "event", "created_at"]
        read_only_fields = fields


class ActionResultSerializer(serializers.Serializer):
    """What a step did: the event it wrote, and the ticket as the user now sees it (null when
    the step took the ticket out of their sight, e.g. a unit returning it)."""

    number = serializers.CharField()
    state = serializers.ChoiceField(choices=State.choices)
    event = EventSerializer()
    ticket = TicketDetailSerializer(allow_null=True)
