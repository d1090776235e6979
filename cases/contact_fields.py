"""The reporter's name or phone in an API answer, masked unless the requesting user may call the
reporter back (``cases.contacts``)."""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.contacts import reporter_name_for, reporter_phone_for


@extend_schema_field(OpenApiTypes.STR)
class ReporterContactField(serializers.Field):
    """``ReporterContactField("name" | "phone")`` on a Ticket serializer whose context holds the
    requesting ``user`` (or the ``request``): 刘女士 / 13812345678 for those who may call the
    reporter, 刘** / 138****5678 for everyone else, "" when there is none."""

    def __init__(self, part: str, **kwargs: Any) -> None:
        if part not in ("name", "phone"):
            raise ValueError(f"part must be 'name' or 'phone', not {part!r}")
        self.part = part
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, ticket: Any) -> str:
        user = self.context.get("user")
        if user is None and self.context.get("request") is not None:
            user = self.context["request"].user
        show = reporter_name_for if self.part == "name" else reporter_phone_for
        return show(user, ticket)
