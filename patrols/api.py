"""Patrols through the REST API: patrol sessions (with their points and the track as GeoJSON) and
daily work logs, and the officer's phone writes (start or resume a patrol, post a position, end
it, submit the day's log).

Nothing here decides anything: lists and objects come from ``patrols.selectors`` (an officer
sees their own, a supervisor their brigade's, the command centre and assessors the city; out of
scope is a 404), input is checked by the web pages' forms, and every write is the same
``patrols.services`` call the pages make. Errors become JSON in ``citymgmt.rest``.
"""

import datetime
from collections.abc import Callable
from typing import Any

import django_filters
from django import forms as django_forms
from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import offline
from cases.serializers import OfficerBrief, UnitBrief, form_serializer
from citymgmt.rest import ERRORS, JSONParser, error_response, form_data, invalid
from patrols import forms, selectors, services
from patrols.models import (
    COUNT_FIELDS,
    DailyLog,
    DailyLogEvent,
    LogAction,
    LogStatus,
    Outreach,
    OutreachKind,
    PatrolPoint,
    PatrolSession,
)

TAG_PATROLS = ["patrols"]
TAG_LOGS = ["daily logs"]
# Ids in paths and filters: positive and within a 32-bit key, so no garbage reaches the database.
MAX_ID = 2**31 - 1
SESSION_ID = OpenApiParameter(
    "session_id",
    {"type": "integer", "minimum": 1, "maximum": MAX_ID},
    OpenApiParameter.PATH,
    description="The patrol session's id.",
)
LOG_ID = OpenApiParameter(
    "log_id",
    {"type": "integer", "minimum": 1, "maximum": MAX_ID},
    OpenApiParameter.PATH,
    description="The daily log's id.",
)
FORBIDDEN = error_response(403, "Only officers patrol and keep a daily log.")
NOT_FOUND = error_response(404, "No such record, or not in the user's scope.")


# --- output -----------------------------------------------------------------------------------


class PointSerializer(serializers.ModelSerializer):
    grid_cell = serializers.CharField(source="grid_cell.code", read_only=True, allow_null=True)

    class Meta:
        model = PatrolPoint
        fields = ["lat", "lng", "accuracy_m", "recorded_at", "grid_cell"]
        read_only_fields = fields


class TrackProperties(serializers.Serializer):
    session = serializers.IntegerField()
    officer = serializers.CharField()
    open = serializers.BooleanField()
    points = serializers.IntegerField()
    distance_m = serializers.FloatField()


class TrackSerializer(serializers.Serializer):
    """The route walked as a GeoJSON Feature: a LineString in lng/lat order (WGS84); the
    geometry is null until the phone has reported two positions."""

    type = serializers.ChoiceField(choices=["Feature"])
    geometry = serializers.JSONField(allow_null=True, help_text="A GeoJSON LineString, or null.")
    properties = TrackProperties()

    def to_representation(self, session: PatrolSession) -> dict[str, Any]:
        # The points the detail prefetched, in the order walked.
        line = [[point.lng, point.lat] for point in session.points.all()]
        return {
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": line} if len(line) > 1 else None,
            "properties": {
                "session": session.pk,
                "officer": str(session.officer.user),
                "open": session.is_open,
                "points": session.point_count,
                "distance_m": round(session.distance_m),
            },
        }


class PatrolSessionSerializer(serializers.ModelSerializer):
    officer = OfficerBrief(read_only=True)
    brigade = UnitBrief(read_only=True)
    is_open = serializers.BooleanField(read_only=True)
    distance_m = serializers.SerializerMethodField()
    grids_visited = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = PatrolSession
        fields = [
            "id",
            "officer",
            "brigade",
            "started_at",
            "ended_at",
            "is_open",
            "distance_m",
            "point_count",
            "grids_visited",
            "notes",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(help_text="Metres walked."))
    def get_distance_m(self, session: PatrolSession) -> int:
        return round(session.distance_m)


class PatrolSessionDetailSerializer(PatrolSessionSerializer):
    """A patrol with every position reported, in the order walked, and its track."""

    points = PointSerializer(many=True, read_only=True)
    track = serializers.SerializerMethodField()

    class Meta(PatrolSessionSerializer.Meta):
        fields = [*PatrolSessionSerializer.Meta.fields, "points", "track"]
        read_only_fields = fields

    @extend_schema_field(TrackSerializer)
    def get_track(self, session: PatrolSession) -> dict[str, Any]:
        return TrackSerializer(session).data


class PointRecordedSerializer(serializers.Serializer):
    """The position as stored (the same fix again within minutes is not stored twice) and the
    patrol's running totals."""

    session = serializers.IntegerField(source="session_id")
    points = serializers.IntegerField(source="session.point_count")
    distance_m = serializers.SerializerMethodField()
    point = PointSerializer(source="*")

    @extend_schema_field(serializers.IntegerField())
    def get_distance_m(self, point: PatrolPoint) -> int:
        return round(point.session.distance_m)


class OutreachSerializer(serializers.ModelSerializer):
    """The tap as stored (tied to the open patrol, if any) and the day's tallies so far."""

    kind = serializers.ChoiceField(choices=OutreachKind.choices, read_only=True)
    today = serializers.SerializerMethodField()

    class Meta:
        model = Outreach
        fields = ["id", "kind", "at", "session", "lat", "lng", "today"]
        read_only_fields = fields

    @extend_schema_field(
        inline_serializer(
            "OutreachToday",
            {"visits": serializers.IntegerField(), "publicity": serializers.IntegerField()},
        )
    )
    def get_today(self, tap: Outreach) -> dict[str, int]:
        return selectors.todays_outreach(tap.officer, timezone.localdate())


class LogEventSerializer(serializers.ModelSerializer):
    action = serializers.ChoiceField(choices=LogAction.choices, read_only=True)
    action_label = serializers.CharField(source="get_action_display", read_only=True)
    actor = serializers.CharField(source="actor.name", read_only=True, allow_null=True)

    class Meta:
        model = DailyLogEvent
        fields = ["id", "action", "action_label", "actor", "note", "counts", "created_at"]
        read_only_fields = fields


class DailyLogSerializer(serializers.ModelSerializer):
    """A log as the review queue lists it. The counts are fixed at submission; a draft's are
    zero (the officer's page computes them live)."""

    officer = OfficerBrief(read_only=True)
    brigade = UnitBrief(read_only=True)
    status = serializers.ChoiceField(choices=LogStatus.choices, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    reviewed_by = serializers.CharField(source="reviewed_by.name", read_only=True, allow_null=True)

    class Meta:
        model = DailyLog
        fields = [
            "id",
            "officer",
            "brigade",
            "date",
            "status",
            "status_label",
            "summary",
            "problems",
            *COUNT_FIELDS,
            "submitted_at",
            "reviewed_by",
            "reviewed_at",
            "review_note",
            "updated_at",
        ]
        read_only_fields = fields


class DailyLogDetailSerializer(DailyLogSerializer):
    """A log with its audit trail (submitted, approved, returned: who, when, what note)."""

    events = LogEventSerializer(many=True, read_only=True)

    class Meta(DailyLogSerializer.Meta):
        fields = [*DailyLogSerializer.Meta.fields, "events"]
        read_only_fields = fields


# --- input ------------------------------------------------------------------------------------


class EndForm(django_forms.Form):
    """Ending a patrol: an optional note (the page's text box holds as much)."""

    notes = django_forms.CharField(max_length=2000, required=False)


class LogSubmitForm(forms.DailyLogForm):
    """The daily log page's form, and the day it is for (default today)."""

    date = django_forms.DateField(required=False, input_formats=["%Y-%m-%d"])


class OutreachForm(django_forms.Form):
    """A tap: which kind, where the phone was if it knows, and when (ms since the epoch: a tap
    queued offline keeps its time)."""

    kind = django_forms.ChoiceField(choices=OutreachKind.choices)
    lat = django_forms.FloatField(min_value=-90, max_value=90, required=False)
    lng = django_forms.FloatField(min_value=-180, max_value=180, required=False)
    timestamp = django_forms.IntegerField(min_value=0, max_value=10**14, required=False)

    def clean_timestamp(self) -> datetime.datetime | None:
        return forms.from_epoch_ms(self.cleaned_data.get("timestamp"))


class PointRequest(serializers.Serializer):
    """A position from the phone (``patrols.forms.PointForm``): WGS84 degrees, accuracy in
    metres, the fix's time in milliseconds since the epoch."""

    lat = serializers.FloatField(min_value=-90, max_value=90)
    lng = serializers.FloatField(min_value=-180, max_value=180)
    accuracy = serializers.FloatField(min_value=0, max_value=100_000, required=False)
    timestamp = serializers.IntegerField(min_value=0, max_value=10**14, required=False)


class EndRequest(serializers.Serializer):
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class OutreachRequest(serializers.Serializer):
    kind = serializers.ChoiceField(choices=OutreachKind.choices)
    lat = serializers.FloatField(min_value=-90, max_value=90, required=False)
    lng = serializers.FloatField(min_value=-180, max_value=180, required=False)
    timestamp = serializers.IntegerField(
        min_value=0,
        max_value=10**14,
        required=False,
        help_text="When the tap was made (ms since the epoch); kept if within the last day.",
    )


class FindingCreated(serializers.Serializer):
    number = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField()
    url = serializers.CharField(help_text="The ticket's page.")


class LogSubmitRequest(serializers.Serializer):
    date = serializers.DateField(required=False, help_text="The day (YYYY-MM-DD); default today.")
    summary = serializers.CharField(
        max_length=4000, required=False, allow_blank=True, help_text="Needed to submit."
    )
    problems = serializers.CharField(max_length=4000, required=False, allow_blank=True)


# --- filters ----------------------------------------------------------------------------------


class StrictNullBooleanField(django_forms.NullBooleanField):
    """true/false (or 1/0); anything else is an error, not "not given"."""

    def to_python(self, value: Any) -> bool | None:
        if value in (None, ""):
            return None
        if value in (True, "true", "True", "1"):
            return True
        if value in (False, "false", "False", "0"):
            return False
        raise django_forms.ValidationError(_("Give true or false."), code="invalid")

    def validate(self, value: Any) -> None:
        pass


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictNullBooleanField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # django-filter's BooleanWidget reads any other word as "not given": read the text.
        kwargs.setdefault("widget", django_forms.TextInput)
        super().__init__(*args, **kwargs)


class IsoDateFilter(django_filters.DateFilter):
    """A day written as the schema says (YYYY-MM-DD), no other format guessed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, input_formats=["%Y-%m-%d"], **kwargs)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """A row id: a whole number within the key's range, else a 400 naming the filter."""

    field_class = django_forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, min_value=1, max_value=MAX_ID, **kwargs)


class SessionFilter(django_filters.FilterSet):
    """Each filter runs on an index: (officer, started_at), (brigade, started_at), started_at."""

    officer = IdFilter(field_name="officer_id", help_text="An officer's id.")
    brigade = IdFilter(field_name="brigade_id", help_text="A brigade's id.")
    open = StrictBooleanFilter(
        field_name="ended_at", lookup_expr="isnull", help_text="Only open (true) or ended patrols."
    )
    date_from = IsoDateFilter(method="started_from", help_text="Started on or after.")
    date_to = IsoDateFilter(method="started_to", help_text="Started on or before.")

    class Meta:
        model = PatrolSession
        fields: list[str] = []

    def started_from(self, queryset: QuerySet, name: str, day: datetime.date) -> QuerySet:
        return queryset.filter(started_at__gte=selectors.day_bounds(day)[0])

    def started_to(self, queryset: QuerySet, name: str, day: datetime.date) -> QuerySet:
        return queryset.filter(started_at__lt=selectors.day_bounds(day)[1])


class LogFilter(django_filters.FilterSet):
    """On the log indexes: (officer, date), (brigade, status, date), (date, status)."""

    officer = IdFilter(field_name="officer_id", help_text="An officer's id.")
    brigade = IdFilter(field_name="brigade_id", help_text="A brigade's id.")
    status = django_filters.ChoiceFilter(choices=LogStatus.choices)
    date_from = IsoDateFilter(field_name="date", lookup_expr="gte")
    date_to = IsoDateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = DailyLog
        fields: list[str] = []


def _session_detail(user: Any, session_id: int) -> PatrolSession:
    """The patrol as the selector scopes it, with its grids and points in two more queries."""
    session = selectors.access_session(user, session_id)
    points = PatrolPoint.objects.select_related("grid_cell").order_by("recorded_at", "id")
    prefetch_related_objects([session], "grids_visited", Prefetch("points", queryset=points))
    return session


def _log_detail(user: Any, log_id: int) -> DailyLog:
    """The log as the selector scopes it, with its audit trail in one more query."""
    log = selectors.access_log(user, log_id)
    events = DailyLogEvent.objects.select_related("actor").order_by("created_at", "id")
    prefetch_related_objects([log], Prefetch("events", queryset=events))
    return log


# --- patrol sessions --------------------------------------------------------------------------


class PatrolSessionList(generics.ListAPIView):
    serializer_class = PatrolSessionSerializer
    filterset_class = SessionFilter
    queryset = PatrolSession.objects.none()  # the schema's model; requests read the selector

    def get_queryset(self) -> QuerySet[PatrolSession]:
        return (
            selectors.sessions_visible_to(self.request.user)
            .select_related("officer__user", "brigade")
            .prefetch_related("grids_visited")
        )

    @extend_schema(
        tags=TAG_PATROLS,
        summary="List patrols",
        description="Patrol sessions the user may see, newest first: an officer their own, a "
        "supervisor their brigade's, the command centre and assessors the city's.",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=TAG_PATROLS,
        operation_id="patrols_start",
        parameters=[offline.IDEMPOTENCY_KEY],
        summary="Start (or resume) my patrol",
        description=(services.start_patrol.__doc__ or "").strip()
        + " 201 when a new patrol starts, 200 when the open one is resumed.",
        request=None,
        responses={
            201: PatrolSessionDetailSerializer,
            200: PatrolSessionDetailSerializer,
            403: FORBIDDEN,
        },
    )
    @offline.applied_once
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        session, created = services.start_patrol(actor=request.user)
        body = PatrolSessionDetailSerializer(_session_detail(request.user, session.pk)).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class PatrolSessionDetail(APIView):
    @extend_schema(
        tags=TAG_PATROLS,
        summary="A patrol, its points and its track (GeoJSON)",
        parameters=[SESSION_ID],
        responses={200: PatrolSessionDetailSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, session_id: int) -> Response:
        return Response(
            PatrolSessionDetailSerializer(_session_detail(request.user, session_id)).data
        )


class PatrolPoints(APIView):
    @extend_schema(
        tags=TAG_PATROLS,
        operation_id="patrols_point",
        summary="Post my position during my open patrol",
        description=(services.record_point.__doc__ or "").strip(),
        parameters=[SESSION_ID, offline.IDEMPOTENCY_KEY],
        request={"application/json": PointRequest},
        examples=[
            OpenApiExample(
                "A fix from the phone",
                request_only=True,
                value={"lat": 34.2611, "lng": 117.1872, "accuracy": 12, "timestamp": 1795402800000},
            ),
            OpenApiExample(
                "Outside the city",
                response_only=True,
                status_codes=["400"],
                value={
                    "non_field_errors": ["This position is outside the city; it was not recorded."]
                },
            ),
        ],
        responses={
            201: PointRecordedSerializer,
            400: ERRORS,
            403: FORBIDDEN,
            404: error_response(404, "Not one of the officer's patrols."),
        },
    )
    @offline.applied_once
    def post(self, request: Request, session_id: int) -> Response:
        form = forms.PointForm(form_data(request))
        if not form.is_valid():
            raise invalid(form)
        data = form.cleaned_data
        point = services.record_point(
            actor=request.user,
            session_id=session_id,
            lat=data["lat"],
            lng=data["lng"],
            accuracy_m=data["accuracy"],
            recorded_at=data["timestamp"],
        )
        return Response(PointRecordedSerializer(point).data, status=status.HTTP_201_CREATED)


class PatrolEnd(APIView):
    @extend_schema(
        tags=TAG_PATROLS,
        operation_id="patrols_end",
        summary="End my open patrol",
        description=(services.end_patrol.__doc__ or "").strip(),
        parameters=[SESSION_ID, offline.IDEMPOTENCY_KEY],
        request={"application/json": EndRequest},
        examples=[
            OpenApiExample(
                "End with a note", request_only=True, value={"notes": "巡查黄楼社区两个网格"}
            )
        ],
        responses={
            200: PatrolSessionDetailSerializer,
            400: ERRORS,
            403: FORBIDDEN,
            404: error_response(404, "Not one of the officer's patrols."),
        },
    )
    @offline.applied_once
    def post(self, request: Request, session_id: int) -> Response:
        form = EndForm(form_data(request))
        if not form.is_valid():
            raise invalid(form)
        session = services.end_patrol(
            actor=request.user, session_id=session_id, notes=form.cleaned_data["notes"]
        )
        return Response(
            PatrolSessionDetailSerializer(_session_detail(request.user, session.pk)).data
        )


class OutreachTap(APIView):
    @extend_schema(
        tags=TAG_PATROLS,
        operation_id="outreach_record",
        parameters=[offline.IDEMPOTENCY_KEY],
        summary="Record a service visit or a publicity event (one tap)",
        description=(services.record_outreach.__doc__ or "").strip(),
        request={"application/json": OutreachRequest},
        examples=[
            OpenApiExample(
                "A contact card handed out",
                request_only=True,
                value={"kind": "visit", "lat": 34.2611, "lng": 117.1872},
            )
        ],
        responses={201: OutreachSerializer, 400: ERRORS, 403: FORBIDDEN},
    )
    @offline.applied_once
    def post(self, request: Request) -> Response:
        form = OutreachForm(form_data(request))
        if not form.is_valid():
            raise invalid(form)
        data = form.cleaned_data
        tap = services.record_outreach(
            actor=request.user,
            kind=data["kind"],
            lat=data["lat"],
            lng=data["lng"],
            at=data["timestamp"],
        )
        return Response(OutreachSerializer(tap).data, status=status.HTTP_201_CREATED)


# --- daily logs -------------------------------------------------------------------------------


class DailyLogList(generics.ListAPIView):
    serializer_class = DailyLogSerializer
    filterset_class = LogFilter
    queryset = DailyLog.objects.none()  # the schema's model; requests read the selector

    def get_queryset(self) -> QuerySet[DailyLog]:
        return selectors.logs_visible_to(self.request.user).select_related(
            "officer__user", "brigade", "reviewed_by"
        )

    @extend_schema(
        tags=TAG_LOGS,
        summary="List daily work logs",
        description="Logs the user may see, newest first: an officer their own, a supervisor "
        "their brigade's, the command centre and assessors the city's.",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class DailyLogDetail(APIView):
    @extend_schema(
        tags=TAG_LOGS,
        summary="A daily work log and its audit trail",
        parameters=[LOG_ID],
        responses={200: DailyLogDetailSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, log_id: int) -> Response:
        return Response(DailyLogDetailSerializer(_log_detail(request.user, log_id)).data)


class DailyLogSubmit(APIView):
    @extend_schema(
        tags=TAG_LOGS,
        operation_id="logs_submit",
        parameters=[offline.IDEMPOTENCY_KEY],
        summary="Submit my daily work log",
        description=(services.submit_log.__doc__ or "").strip(),
        request={"application/json": LogSubmitRequest},
        examples=[
            OpenApiExample(
                "The day's log",
                request_only=True,
                value={
                    "date": "2026-11-23",
                    "summary": "巡查黄楼社区两个网格，清理暴露垃圾一处",
                    "problems": "彭城路井盖缺失，需市政协调",
                },
            ),
            OpenApiExample(
                "No summary",
                response_only=True,
                status_codes=["400"],
                value={"summary": ["Write a few words about your day."]},
            ),
        ],
        responses={200: DailyLogDetailSerializer, 400: ERRORS, 403: FORBIDDEN},
    )
    @offline.applied_once
    def post(self, request: Request) -> Response:
        return _write_log(request, services.submit_log)


def _write_log(request: Request, write: Callable[..., DailyLog]) -> Response:
    """Save or submit the officer's log through ``write`` (a service), from the same form."""
    form = LogSubmitForm(form_data(request))
    if not form.is_valid():
        raise invalid(form)
    data = form.cleaned_data
    log = write(
        actor=request.user,
        day=data["date"] or timezone.localdate(),
        summary=data["summary"],
        problems=data["problems"],
    )
    offline.tell_page(
        request, _("Daily log submitted.") if write is services.submit_log else _("Saved.")
    )
    return Response(DailyLogDetailSerializer(_log_detail(request.user, log.pk)).data)


class DailyLogSave(APIView):
    @extend_schema(
        tags=TAG_LOGS,
        operation_id="logs_save",
        parameters=[offline.IDEMPOTENCY_KEY],
        summary="Save my daily work log without submitting it",
        description=(services.save_log.__doc__ or "").strip(),
        request={"application/json": LogSubmitRequest},
        examples=[
            OpenApiExample(
                "A draft",
                request_only=True,
                value={"summary": "上午巡查黄楼社区", "problems": ""},
            )
        ],
        responses={200: DailyLogDetailSerializer, 400: ERRORS, 403: FORBIDDEN},
    )
    @offline.applied_once
    def post(self, request: Request) -> Response:
        return _write_log(request, services.save_log)


# --- findings from the phone ------------------------------------------------------------------

FindingRequest = form_serializer(forms.FindingForm, "FindingRequest")


class FindingCreate(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        tags=TAG_PATROLS,
        operation_id="findings_create",
        summary="Record a finding (fixed on site, for dispatch, or referred)",
        description=(services.file_finding.__doc__ or "").strip()
        + " Photos come as multipart parts (`photos`, `before`, `after`) or as finished uploads "
        "(`photos_upload`, `before_upload`, `after_upload`: ids from /uploads/).",
        parameters=[offline.IDEMPOTENCY_KEY],
        request={"application/json": FindingRequest, "multipart/form-data": FindingRequest},
        responses={201: FindingCreated, 400: ERRORS, 403: FORBIDDEN},
    )
    @offline.applied_once
    def post(self, request: Request) -> Response:
        if selectors.officer_of(request.user) is None:
            raise PermissionDenied(_("Only officers patrol and keep a daily log."))
        data = form_data(request)
        files = offline.upload_files(request.user, data, request.FILES)
        form = forms.FindingForm(
            data, files, communities=selectors.posted_communities(request.user)
        )
        if not form.is_valid():
            raise invalid(form)
        ticket = services.file_finding(
            actor=request.user, **forms.finding_arguments(form.cleaned_data)
        )
        offline.used_uploads(request.user, data)
        offline.tell_page(
            request,
            _("Ticket %(number)s recorded: %(state)s.")
            % {"number": ticket.number, "state": ticket.get_state_display()},
        )
        body = {
            "number": ticket.number,
            "state": ticket.state,
            "state_label": ticket.get_state_display(),
            "url": ticket.get_absolute_url(),
        }
        return Response(body, status=status.HTTP_201_CREATED)
