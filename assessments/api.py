"""The monthly assessment through the REST API, read-only and scoped exactly like the pages
(``assessments.selectors``): assessors see every run, the others published runs and the scores
that are theirs to see. A role with no part in the assessment gets a 403; a run outside the
user's scope a 404. Errors become JSON in ``citymgmt.rest``."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
)
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from assessments import selectors
from assessments.models import Run, Score, SubjectKind
from citymgmt.rest import ERRORS, error_response

TAGS = ["assessments"]
MAX_ID = 2**31 - 1
RUN_ID = OpenApiParameter(
    "run_id",
    {"type": "integer", "minimum": 1, "maximum": MAX_ID},
    OpenApiParameter.PATH,
    description="The run's id.",
)
KIND = OpenApiParameter(
    "kind",
    str,
    OpenApiParameter.QUERY,
    enum=SubjectKind.values,
    description="The subject type (default: officer).",
)
FORBIDDEN = error_response(403, "The user's role has no part in assessments.")
NOT_FOUND = error_response(404, "No such run, or not in the user's scope.")


class AssessmentRunSerializer(serializers.ModelSerializer):
    month = serializers.SerializerMethodField()

    class Meta:
        model = Run
        fields = [
            "id",
            "month",
            "status",
            "progress",
            "progress_note",
            "published",
            "published_at",
            "started_at",
            "finished_at",
            "totals",
        ]
        read_only_fields = fields

    @extend_schema_field(
        {"type": "string", "pattern": r"^\d{4}-\d{2}$", "description": "The month (YYYY-MM)."}
    )
    def get_month(self, run: Run) -> str:
        return f"{run.month:%Y-%m}"

    def to_representation(self, run: Run) -> dict[str, Any]:
        data = super().to_representation(run)
        # City totals are for those the overview shows them to (supervisors, assessors);
        # officers and handlers read their own scores only.
        if not self.context.get("sees_city_totals", False):
            data["totals"] = None
        return data


class AssessmentIndicator(serializers.Serializer):
    # Ticket counts are whole numbers; the survey's numerator is a sum of points (172.67).
    num = serializers.FloatField()
    den = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)
    points = serializers.FloatField(allow_null=True)
    weight = serializers.FloatField()


class AssessmentScoreSerializer(serializers.ModelSerializer):
    badge_number = serializers.CharField(
        source="officer.badge_number", allow_null=True, default=None, read_only=True
    )
    unit = serializers.CharField(source="unit.code", allow_null=True, default=None, read_only=True)
    brigade = serializers.CharField(
        source="brigade.code", allow_null=True, default=None, read_only=True
    )
    indicators = serializers.DictField(child=AssessmentIndicator())

    class Meta:
        model = Score
        fields = [
            "id",
            "kind",
            "name",
            "badge_number",
            "unit",
            "brigade",
            "composite",
            "grade",
            "rank",
            "previous_composite",
            "change",
            "indicators",
        ]
        read_only_fields = fields


class _Scoped:
    request: Request

    def viewer(self) -> selectors.Viewer:
        who = selectors.viewer(self.request.user)
        if not who.has_access:
            raise PermissionDenied
        return who


class RunList(_Scoped, generics.ListAPIView):
    serializer_class = AssessmentRunSerializer
    queryset = Run.objects.none()  # the schema's model; requests read the selector

    who: selectors.Viewer | None = None

    def get_queryset(self) -> QuerySet[Run]:
        self.who = self.viewer()
        return selectors.runs_visible_to(self.request.user, self.who)

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["sees_city_totals"] = self.who is not None and self.who.sees_city_totals
        return context

    @extend_schema(
        tags=TAGS,
        summary="Assessment runs",
        description="Runs the user may read, newest first: assessors every run, the others the "
        "published ones.",
        responses={200: AssessmentRunSerializer(many=True), 403: FORBIDDEN},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class ScorePages(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


class ScoreList(_Scoped, generics.ListAPIView):
    serializer_class = AssessmentScoreSerializer
    pagination_class = ScorePages
    queryset = Score.objects.none()

    def get_queryset(self) -> QuerySet[Score]:
        who = self.viewer()
        run_id = self.kwargs["run_id"]
        if not 0 < run_id <= MAX_ID:  # a bigger id would overflow the query
            raise NotFound
        run = selectors.runs_visible_to(self.request.user, who).filter(pk=run_id).first()
        if run is None:
            raise NotFound
        kind = self.request.query_params.get("kind", SubjectKind.OFFICER)
        if kind not in SubjectKind.values:
            raise serializers.ValidationError({"kind": [f"Not one of {SubjectKind.values}."]})
        return selectors.scores_visible_to(self.request.user, run, kind, who)

    @extend_schema(
        tags=TAGS,
        summary="Scores of a run",
        description="One subject type's scores in rank order, those the user may see: an "
        "officer their own, a brigade supervisor their brigade's and its officers', a handler "
        "their unit's, the command centre and assessors all.",
        parameters=[RUN_ID, KIND],
        responses={
            200: AssessmentScoreSerializer(many=True),
            400: ERRORS,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)
