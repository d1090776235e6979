"""People through the REST API: who am I, officers and their postings (read only, scoped by
``accounts.selectors``)."""

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Officer, User
from accounts.roles import roles_of
from accounts.selectors import assignments_visible_to, officers_visible_to
from grids.models import Assignment


class MeSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    unit = serializers.CharField(source="unit.name", read_only=True, allow_null=True)
    roles = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "name", "unit", "roles"]
        read_only_fields = fields

    def get_roles(self, user: User) -> list[str]:
        return sorted(roles_of(user))


class OfficerSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="user.name", read_only=True)
    brigade = serializers.CharField(source="brigade.name", read_only=True)

    class Meta:
        model = Officer
        fields = ["id", "badge_number", "name", "title", "brigade", "public_phone", "is_active"]
        read_only_fields = fields


@extend_schema_field({"type": "string", "pattern": r"^\d{2}:\d{2}$", "example": "08:30"})
class ClockTime(serializers.TimeField):
    """A time of day as 08:30 (OpenAPI's "time" format wants an offset a roster has not)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", **kwargs)


class AssignmentSerializer(serializers.ModelSerializer):
    officer = serializers.CharField(source="officer.badge_number", read_only=True)
    officer_name = serializers.CharField(source="officer.user.name", read_only=True)
    community = serializers.CharField(source="community.code", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)
    grid_cells = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    start_time = ClockTime(read_only=True)
    end_time = ClockTime(read_only=True)

    class Meta:
        model = Assignment
        fields = [
            "id",
            "officer",
            "officer_name",
            "community",
            "community_name",
            "grid_cells",
            "post",
            "duties",
            "weekdays",
            "start_time",
            "end_time",
            "valid_from",
            "valid_to",
        ]
        read_only_fields = fields


class Me(APIView):
    @extend_schema(tags=["people"], summary="The signed-in user", responses=MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)


class OfficerList(generics.ListAPIView):
    """A supervisor's brigade (the city for the command centre and assessors); an officer sees
    only themselves."""

    serializer_class = OfficerSerializer

    def get_queryset(self) -> Any:
        return officers_visible_to(self.request.user)

    @extend_schema(tags=["people"], summary="Officers")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class AssignmentList(generics.ListAPIView):
    """Postings (定人 定岗 定责 定时), current and ended, of the officers the user may read."""

    serializer_class = AssignmentSerializer

    def get_queryset(self) -> Any:
        return assignments_visible_to(self.request.user)

    @extend_schema(tags=["people"], summary="Assignments (postings)")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)
