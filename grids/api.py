"""Places through the REST API: districts, streets, communities and unit grids (GeoJSON).

These are the public facts every notice board prints, so any signed-in user may read them all;
lists are cursor pages in code order, filtered by the parent's code (each code is indexed).
"""

from typing import Any

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from citymgmt.rest import CodeCursor
from grids.models import Assignment, Community, District, GridCell, Street
from grids.selectors import assignments_visible_to


class DistrictSerializer(serializers.ModelSerializer):
    class Meta:
        model = District
        fields = ["id", "code", "name"]


class StreetSerializer(serializers.ModelSerializer):
    district = serializers.CharField(source="district.code", read_only=True)

    class Meta:
        model = Street
        fields = ["id", "code", "name", "district"]


class CommunitySerializer(serializers.ModelSerializer):
    street = serializers.CharField(source="street.code", read_only=True)
    brigade = serializers.CharField(source="brigade.name", read_only=True, allow_null=True)

    class Meta:
        model = Community
        fields = [
            "id",
            "code",
            "name",
            "street",
            "brigade",
            "address",
            "phone",
            "center_lat",
            "center_lng",
        ]


class GridProperties(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    community = serializers.CharField()
    community_name = serializers.CharField()


class GridFeatureSerializer(serializers.Serializer):
    """One unit grid as a GeoJSON Feature (WGS84 polygon, lng/lat order)."""

    type = serializers.ChoiceField(choices=["Feature"])
    id = serializers.CharField()
    geometry = serializers.JSONField(help_text="A GeoJSON Polygon.")
    properties = GridProperties()

    def to_representation(self, cell: GridCell) -> dict[str, Any]:
        return {
            "type": "Feature",
            "id": cell.code,
            "geometry": cell.boundary,
            "properties": {
                "code": cell.code,
                "name": cell.name,
                "community": cell.community.code,
                "community_name": cell.community.name,
            },
        }


class FeatureCursor(CodeCursor):
    """A page of features as a GeoJSON FeatureCollection, with next/previous as foreign
    members, so any GeoJSON reader can draw each page."""

    def get_paginated_response(self, data: list) -> Response:
        return Response(
            {
                "type": "FeatureCollection",
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "features": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict) -> dict:
        link = {"type": "string", "format": "uri", "nullable": True}
        return {
            "type": "object",
            "required": ["type", "features"],
            "properties": {
                "type": {"type": "string", "enum": ["FeatureCollection"]},
                "next": link,
                "previous": link,
                "features": schema,
            },
        }


class StreetFilter(django_filters.FilterSet):
    district = django_filters.CharFilter(field_name="district__code", label="District code")

    class Meta:
        model = Street
        fields: list[str] = []


class CommunityFilter(django_filters.FilterSet):
    street = django_filters.CharFilter(field_name="street__code", label="Street code")

    class Meta:
        model = Community
        fields: list[str] = []


class GridFilter(django_filters.FilterSet):
    community = django_filters.CharFilter(field_name="community__code", label="Community code")

    class Meta:
        model = GridCell
        fields: list[str] = []


class DistrictList(generics.ListAPIView):
    serializer_class = DistrictSerializer
    pagination_class = CodeCursor
    queryset = District.objects.all()

    @extend_schema(tags=["places"], summary="Districts")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class StreetList(generics.ListAPIView):
    serializer_class = StreetSerializer
    pagination_class = CodeCursor
    filterset_class = StreetFilter
    queryset = Street.objects.select_related("district")

    @extend_schema(tags=["places"], summary="Streets (街道)")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class CommunityList(generics.ListAPIView):
    serializer_class = CommunitySerializer
    pagination_class = CodeCursor
    filterset_class = CommunityFilter
    queryset = Community.objects.select_related("street", "brigade")

    @extend_schema(tags=["places"], summary="Communities (社区)")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class GridList(generics.ListAPIView):
    serializer_class = GridFeatureSerializer
    pagination_class = FeatureCursor
    filterset_class = GridFilter
    queryset = GridCell.objects.filter(is_active=True).select_related("community")

    @extend_schema(
        tags=["places"],
        summary="Unit grids as a GeoJSON FeatureCollection",
        description="Active unit grids (单元网格) with their boundaries; filter by community.",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


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


class AssignmentList(generics.ListAPIView):
    """Postings (定人 定岗 定责 定时), current and ended, of the officers the user may read."""

    serializer_class = AssignmentSerializer

    def get_queryset(self) -> Any:
        return assignments_visible_to(self.request.user)

    @extend_schema(tags=["people"], summary="Assignments (postings)")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)
