"""The casework REST API: tickets (the queue's list and filters, detail, filing, one endpoint per
workflow step), their events and photos, categories, and the user's notifications.

Nothing here decides anything: the lists start from ``cases.selectors``, a new ticket and every
step go through ``cases.services``, and each step is driven by the same ``cases.actions`` entry
(and so the same form and validation) as the button on the ticket page. Errors become JSON in
``citymgmt.rest`` (one error body).
"""

import uuid
from typing import Any

from django import forms as django_forms
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import has_transition_perm
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import BaseParser, FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User, mainland_mobile
from cases import actions, exports, forms, offline, selectors, services
from cases.filters import STATUS_TABS, TicketFilter
from cases.models import (
    Category,
    Photo,
    PhotoUpload,
    Priority,
    Source,
    Ticket,
)
from cases.permissions import supervises, takes_intake
from cases.photos import served_file
from cases.serializers import (
    ActionResultSerializer,
    CategorySerializer,
    DispatchOfficerSerializer,
    EventSerializer,
    PhotoSerializer,
    TicketCreatedSerializer,
    TicketDetailSerializer,
    TicketSerializer,
    form_serializer,
)
from citymgmt import images
from citymgmt.images import image_response
from citymgmt.rest import (
    ERRORS,
    Conflict,
    Error413,
    JSONParser,
    SingleValueFilterBackend,
    error_response,
    form_data,
    invalid,
)
from citymgmt.spreadsheets import XLSX
from citymgmt.text import no_control_characters
from grids.selectors import supervised_communities

TAG_TICKETS = ["tickets"]
NUMBER = OpenApiParameter(
    "number",
    {"type": "string", "pattern": r"^XZ\d{8}-\d{4,6}$"},
    OpenApiParameter.PATH,
    description="The ticket's public number, e.g. XZ20261121-0042.",
)


def _context(request: Request) -> dict[str, Any]:
    return {"user": request.user}


# --- tickets ----------------------------------------------------------------------------------


class ApiTicketFilter(TicketFilter):
    """The queue's filters; pages come in id order (cursor), so the queue's ``sort`` is left out.
    ``status`` defaults to ``open`` as in the queue: ask ``status=all`` for everything."""


del ApiTicketFilter.base_filters["sort"]


class TicketFilterBackend(SingleValueFilterBackend):
    """The queue's filter with the same choice lists (the user's communities, officers, units):
    a value outside them is a 400 with the field's message, as in the queue."""

    def get_filterset_kwargs(self, request: Request, queryset: Any, view: Any) -> dict:
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        user = request.user
        kwargs.update(
            communities=list(supervised_communities(user).order_by("code")),
            officers=list(selectors.dispatchable_officers(selectors.brigade_scope(user))),
            units=list(selectors.referral_units()),
        )
        return kwargs


class TicketCreateForm(forms.PlacedForm):
    """A ticket filed through the API: what the intake page asks. Its source is the intake's
    (the same choices as the page, the hotline when left out): never ``api``, which is an Open311
    client's filing and public (``cases.public.PUBLIC_SOURCES``)."""

    source = django_forms.ChoiceField(
        choices=forms.INTAKE_SOURCES,
        required=False,
        help_text=(
            "Where the complaint came in (as on the intake page); `hotline_12345` when left out. "
            "Staff intake is never shown to the public."
        ),
    )
    category = forms.CategoryField(
        label=gettext_lazy("Category"), help_text="The id of an active minor category."
    )
    priority = django_forms.ChoiceField(choices=Priority.choices, required=False)
    description = django_forms.CharField(max_length=4000, validators=[no_control_characters])
    reporter_name = django_forms.CharField(
        max_length=50, required=False, validators=[no_control_characters]
    )
    reporter_phone = django_forms.CharField(
        max_length=11, required=False, validators=[mainland_mobile]
    )
    photos = forms.PhotosField(required=False)


TicketCreateRequest = form_serializer(TicketCreateForm, "TicketCreateRequest")


class TicketList(generics.ListAPIView):
    serializer_class = TicketSerializer
    filter_backends = [TicketFilterBackend]
    filterset_class = ApiTicketFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self) -> Any:
        return selectors.with_list_columns(selectors.tickets_visible_to(self.request.user))

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), **_context(self.request)}

    @extend_schema(
        tags=TAG_TICKETS,
        summary="List tickets",
        description=(
            "The tickets the user may see, newest first, with the queue's filters. Without "
            "`status` only open tickets are listed (as in the queue); `status=all` lists every "
            "state. A filter value outside its choices is a 400 naming the filter."
        ),
        parameters=[
            OpenApiParameter(
                "status",
                OpenApiTypes.STR,
                enum=[value for value, _label in STATUS_TABS],
                default="open",
                description=(
                    "`open` (the default): every state still being worked on; one state; or "
                    "`all`: every ticket whatever its state (ask status=all for closed and "
                    "rejected ones too)."
                ),
            ),
        ],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=TAG_TICKETS,
        summary="File a ticket",
        description=(
            "Supervisors only (as the intake page): files a report (state `reported`, source "
            "as given: the hotline unless said) for a supervisor to register. "
            "Give a point (lat, lng) or a community id; photos go as multipart parts."
        ),
        request={
            "application/json": TicketCreateRequest,
            "multipart/form-data": TicketCreateRequest,
        },
        responses={
            201: TicketCreatedSerializer,
            400: ERRORS,
            403: error_response(403, "Only supervisors file tickets."),
        },
        examples=[
            OpenApiExample(
                "Rubbish by a gate",
                request_only=True,
                value={
                    "category": 12,
                    "description": "小区门口垃圾堆了三天没人清",
                    "lat": 34.2611,
                    "lng": 117.1872,
                    "address": "黄楼街道彭城路12号",
                },
            )
        ],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # The same gate as the intake page: filing for others is a supervisor's job.
        if not takes_intake(request.user):
            raise PermissionDenied(_("Only supervisors file tickets here."))
        form = TicketCreateForm(
            form_data(request),
            request.FILES,
            communities=supervised_communities(request.user),
        )
        if not form.is_valid():
            raise invalid(form)
        data = form.cleaned_data
        ticket = services.create_ticket(
            actor=request.user,
            source=data["source"] or Source.HOTLINE,
            category=data["category"],
            description=data["description"],
            lat=data["lat"],
            lng=data["lng"],
            address=data["address"],
            community=data["community"],
            priority=data["priority"] or Priority.NORMAL,
            reporter_name=data["reporter_name"],
            reporter_phone=data["reporter_phone"],
            photos=data["photos"],
        )
        ticket = Ticket.objects.select_related("category", "community").get(pk=ticket.pk)
        context = {**_context(request), "request": request}
        body = TicketCreatedSerializer(ticket, context=context).data
        return Response(body, status=status.HTTP_201_CREATED)


class TicketExport(generics.ListAPIView):
    """The queue's export for a BI tool: the same filters, tab and ``sort`` as the queue page's
    query string, the same rows and masking as its CSV and Excel downloads, with the API's
    token (or session) and JSON errors."""

    filter_backends = [TicketFilterBackend]
    filterset_class = TicketFilter
    pagination_class = None
    respond: Any = None

    def get_queryset(self) -> Any:
        return selectors.tickets_visible_to(self.request.user)

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # A BI tool asks for text/csv or a workbook, which no renderer makes: the file is the
        # answer, and an error is JSON whatever was asked.
        return super().perform_content_negotiation(request, force=True)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        return type(self).respond(request.user, self.filter_queryset(self.get_queryset()))


def _export_schema(media_type: str, what: str) -> Any:
    return extend_schema(
        tags=TAG_TICKETS,
        summary=f"Export the queue as {what}",
        description=(
            "Every ticket the user may see that the queue's filters select (the queue page's "
            "query string: `status` defaults to `open`, `sort` to the deadline, soonest first), "
            "unpaged, as the queue page's download: reporters' names and phones masked unless the "
            "user may call them back. A filter value outside its choices is a 400 naming the "
            "filter."
        ),
        responses={(200, media_type): OpenApiTypes.BINARY, 400: ERRORS},
    )


class TicketExportCsv(TicketExport):
    respond = exports.csv_response

    @_export_schema("text/csv", "CSV (UTF-8 with a BOM)")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)


class TicketExportXlsx(TicketExport):
    respond = exports.xlsx_response

    @_export_schema(XLSX, "an Excel workbook")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)


class TicketDetail(APIView):
    @extend_schema(
        tags=TAG_TICKETS,
        summary="A ticket",
        parameters=[NUMBER],
        responses={200: TicketDetailSerializer},
    )
    def get(self, request: Request, number: str) -> Response:
        ticket = selectors.access_ticket(request.user, number)
        return Response(TicketDetailSerializer(ticket, context=_context(request)).data)


class TicketEvents(APIView):
    @extend_schema(
        tags=TAG_TICKETS,
        summary="A ticket's timeline (audit trail)",
        parameters=[NUMBER],
        responses={200: EventSerializer(many=True)},
    )
    def get(self, request: Request, number: str) -> Response:
        ticket = selectors.access_ticket(request.user, number)
        return Response(EventSerializer(selectors.timeline(ticket), many=True).data)


class TicketDispatchOfficers(APIView):
    @extend_schema(
        tags=TAG_TICKETS,
        summary="Whom to dispatch a ticket to",
        description="The officers of the ticket's brigade in the order the dispatch form lists "
        "them: posted to the ticket's unit grid and on duty now first (`suggested`), then posted "
        "there, then on duty elsewhere, then the rest, each by badge number. For the ticket's "
        "supervisors; others get 403.",
        parameters=[NUMBER],
        responses={200: DispatchOfficerSerializer(many=True)},
    )
    def get(self, request: Request, number: str) -> Response:
        ticket = selectors.access_ticket(request.user, number)
        if not supervises(ticket, request.user):
            raise PermissionDenied
        officers = selectors.suggested_officers(ticket)
        return Response(DispatchOfficerSerializer(officers, many=True).data)


class TicketPhotos(APIView):
    @extend_schema(
        tags=TAG_TICKETS,
        summary="A ticket's photos",
        description="Photos are added by filing a ticket or by the resolve and conclude steps "
        "(multipart), checked like the web uploads. Fetch one from /photos/{id}/.",
        parameters=[NUMBER],
        responses={200: PhotoSerializer(many=True)},
    )
    def get(self, request: Request, number: str) -> Response:
        ticket = selectors.access_ticket(request.user, number)
        return Response(PhotoSerializer(ticket.photos.all(), many=True).data)


class PhotoFile(APIView):
    @extend_schema(
        tags=TAG_TICKETS,
        summary="A photo's image (size=thumb for the thumbnail)",
        parameters=[
            OpenApiParameter("photo_id", {"type": "integer", "minimum": 1}, OpenApiParameter.PATH),
            OpenApiParameter("size", OpenApiTypes.STR, enum=["full", "thumb"], required=False),
        ],
        responses={
            (200, "image/jpeg"): OpenApiTypes.BINARY,
            (200, "image/png"): OpenApiTypes.BINARY,
            (200, "image/webp"): OpenApiTypes.BINARY,
        },
    )
    def get(self, request: Request, photo_id: int) -> FileResponse:
        visible = selectors.tickets_visible_to(request.user)
        item = get_object_or_404(Photo.objects.filter(ticket__in=visible), pk=photo_id)
        size = request.query_params.get("size", "full")
        if size not in ("full", "thumb"):
            raise ValidationError({"size": [_("Give full or thumb.")]})
        field = served_file(item, size)
        return image_response(field, item.content_type)


def _takes_step_elsewhere(ticket: Ticket, transition: str, user: User) -> bool:
    """Whether the user holds the step's permission in some state the step starts from, though
    not in the ticket's current one."""
    meta = getattr(ticket, transition)._django_fsm
    return any(meta.has_transition_perm(ticket, source, user) for source in meta.transitions)


def _check_assignee(ticket: Ticket, data: Any) -> None:
    """A client that says whom it saw the ticket assigned to (``expected_assignee``, an officer
    id: the phone sends it with a queued step) gets a 409 saying who has it now if that changed:
    the ticket was dispatched to someone else while the phone was offline."""
    expected = data.get("expected_assignee")
    if not expected or str(ticket.assignee_id) == expected:
        return
    if ticket.assignee_id is None:
        now = _("Ticket %(number)s is no longer assigned to you: it is now “%(state)s”.")
    else:
        now = _(
            "Ticket %(number)s has been reassigned to %(officer)s (%(badge)s) and is now "
            "“%(state)s”: nothing was changed."
        )
    assignee = ticket.assignee
    raise Conflict(
        now
        % {
            "number": ticket.number,
            "state": ticket.get_state_display(),
            "officer": str(assignee.user) if assignee else "",
            "badge": assignee.badge_number if assignee else "",
        }
    )


def _perform(request: Request, number: str, spec: actions.ActionSpec) -> Response:
    user: User = request.user
    ticket = selectors.access_ticket(user, number)
    data = form_data(request)
    _check_assignee(ticket, data)
    if not has_transition_perm(getattr(ticket, spec.transition), user):
        # As on the ticket page: a move the ticket no longer allows is a conflict; only a user
        # without the right at all gets a 403.
        if data.get("expected_state", ticket.state) != ticket.state:
            raise services.TicketConflict(ticket)
        if services.may_attempt(ticket, spec.transition, user):
            raise Conflict(
                _("This step does not apply to ticket %(number)s.") % {"number": ticket.number}
            )
        if _takes_step_elsewhere(ticket, spec.transition, user):
            # Taken already, or not yet possible: the state is in the way, not the user's right.
            raise services.TicketConflict(ticket)
        raise PermissionDenied(
            _("You may not do this to ticket %(number)s.") % {"number": ticket.number}
        )
    if not data.get("expected_state"):
        data["expected_state"] = ticket.state
    files = offline.upload_files(user, data, request.FILES)
    form = spec.form_class(data, files, **actions.form_kwargs(spec, ticket))
    if not form.is_valid():
        raise invalid(form)
    spec.perform(ticket, user, form.cleaned_data)
    offline.used_uploads(user, data)
    offline.tell_page(request, _("%(action)s: done.") % {"action": spec.label})
    event = selectors.timeline(ticket).filter(actor=user).order_by("-id").first()
    try:
        now_seen = selectors.access_ticket(user, number)
    except Http404:
        now_seen = None
    context = _context(request)
    body = {
        "number": ticket.number,
        "state": now_seen.state if now_seen else Ticket.objects.get(pk=ticket.pk).state,
        "event": EventSerializer(event).data,
        "ticket": TicketDetailSerializer(now_seen, context=context).data if now_seen else None,
    }
    return Response(body)


STEP_EXAMPLES: dict[str, dict[str, Any]] = {
    "register": {"expected_state": "reported", "priority": "normal", "note": "情况属实，立案"},
    "dispatch": {"expected_state": "registered", "officer": 12, "note": "请今天下班前处理"},
    "refer": {
        "expected_state": "registered",
        "unit": 3,
        "person": "陈科长",
        "deadline": "2026-11-25T17:30:00+08:00",
    },
    "enforce": {"expected_state": "registered", "officer": 12, "note": "店外经营，立案查处"},
    "accept": {"expected_state": "referred", "note": "已签收"},
    "start": {"expected_state": "dispatched", "note": "已到现场"},
    "resolve": {"expected_state": "in_progress", "note": "已清运，现场已恢复整洁"},
    "conclude": {"expected_state": "enforcement", "note": "责令改正，当事人已整改"},
    "verify": {"expected_state": "resolved", "result": "fail", "note": "东侧仍有垃圾未清"},
    "field_check_send": {"expected_state": "resolved", "officer": 12, "note": "请到现场核查"},
    "field_check": {
        "expected_state": "resolved",
        "result": "pass",
        "note": "现场已恢复整洁",
        "lat": 34.2611,
        "lng": 117.1872,
    },
    "extend": {"expected_state": "in_progress", "extra_hours": 4, "reason": "需协调环卫车辆"},
    "decide_extension": {"expected_state": "in_progress", "decision": "approve", "note": ""},
    "return": {"expected_state": "dispatched", "reason": "不属于本单位职责"},
    "reject": {
        "expected_state": "reported",
        "reason": "duplicate",
        "duplicate_of": "XZ20261121-0042",
        "note": "与已受理案件重复",
    },
    "reopen": {"expected_state": "closed", "reason": "居民反映问题复现"},
}


def action_view(spec: actions.ActionSpec) -> type[APIView]:
    """The endpoint of one workflow step, validated by the step's web form and performed by its
    service (``cases.actions``), so web and API write identical audit events."""
    request_schema = form_serializer(
        spec.form_class, "".join(p.title() for p in spec.name.split("_")) + "StepRequest"
    )
    # A step with photos takes them as multipart parts, or (JSON too) as finished uploads named in
    # ``photos_upload`` (``cases.offline``: the phone's queued steps).
    media = ["application/json", "multipart/form-data"]

    @extend_schema(
        tags=TAG_TICKETS,
        operation_id=f"tickets_{spec.name}",
        summary=f"Step: {spec.name.replace('_', ' ')}",
        description=(spec.service.__doc__ or "").strip(),
        parameters=[NUMBER, offline.IDEMPOTENCY_KEY],
        request={content_type: request_schema for content_type in media},
        examples=[
            OpenApiExample(
                spec.name,
                request_only=True,
                value=STEP_EXAMPLES.get(spec.name, {}),
            )
        ],
        responses={
            200: ActionResultSerializer,
            400: ERRORS,
            403: error_response(403, "The user may not take this step."),
            404: error_response(404, "No such ticket, or not in the user's scope."),
            409: error_response(409, "The ticket moved on; nothing changed."),
        },
    )
    @offline.applied_once
    def post(self: APIView, request: Request, number: str) -> Response:
        return _perform(request, number, spec)

    parsers = [JSONParser, MultiPartParser, FormParser]
    name = "".join(p.title() for p in spec.name.split("_")) + "Step"
    return type(name, (APIView,), {"post": post, "parser_classes": parsers, "may_conflict": True})


# --- categories ---------------------------------------------------------------------------------


class CategoryList(generics.ListAPIView):
    """Active categories, majors and minors (tickets are filed under minors)."""

    serializer_class = CategorySerializer
    pagination_class = None
    queryset = Category.objects.filter(is_active=True).order_by("kind", "code")

    @extend_schema(tags=["categories"], summary="Categories (部件 and 事件)")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


# --- photos sent in parts (the officer's phone, issue 22) -------------------------------------

TAG_UPLOADS = ["uploads"]
UPLOAD_ID = OpenApiParameter(
    "upload_id",
    {"type": "string", "format": "uuid"},
    OpenApiParameter.PATH,
    description="The id the phone made for the upload.",
)
NO_UPLOAD = error_response(404, "No such upload, or another user's.")


class UploadState(serializers.Serializer):
    id = serializers.UUIDField()
    size = serializers.IntegerField(help_text="The photo's bytes.")
    received = serializers.IntegerField(help_text="Bytes the server has: send on from here.")
    complete = serializers.SerializerMethodField()

    @extend_schema_field(serializers.BooleanField())
    def get_complete(self, upload: PhotoUpload) -> bool:
        return upload.completed_at is not None


class UploadCreateRequest(serializers.Serializer):
    id = serializers.UUIDField(help_text="A UUID made on the phone for this photo.")
    size = serializers.IntegerField(
        min_value=1, max_value=images.MAX_BYTES, help_text="The photo's bytes (at most 10 MB)."
    )


class UploadList(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        tags=TAG_UPLOADS,
        operation_id="uploads_create",
        summary="Open a photo upload (sent in parts)",
        description=(offline.create_upload.__doc__ or "").strip(),
        request=UploadCreateRequest,
        responses={
            201: UploadState,
            200: UploadState,
            400: ERRORS,
            404: NO_UPLOAD,
            409: error_response(409, "The id is open already, with another size."),
        },
    )
    def post(self, request: Request) -> Response:
        given = UploadCreateRequest(data=request.data)
        given.is_valid(raise_exception=True)
        upload, created = offline.create_upload(
            user=request.user,
            upload_id=given.validated_data["id"],
            size=given.validated_data["size"],
        )
        return Response(UploadState(upload).data, status=201 if created else 200)


class RawBytes(BaseParser):
    media_type = "application/octet-stream"

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> bytes:
        return stream.read() if stream is not None else b""


class UploadDetail(APIView):
    parser_classes = [RawBytes]

    @extend_schema(
        tags=TAG_UPLOADS,
        summary="How much of an upload the server has",
        parameters=[UPLOAD_ID],
        responses={200: UploadState, 404: NO_UPLOAD},
    )
    def get(self, request: Request, upload_id: uuid.UUID) -> Response:
        return Response(UploadState(offline.own_upload(request.user, upload_id)).data)

    @extend_schema(
        tags=TAG_UPLOADS,
        operation_id="uploads_part",
        summary="Send a part of the photo at an offset",
        description=(offline.add_part.__doc__ or "").strip(),
        parameters=[
            UPLOAD_ID,
            OpenApiParameter(
                "offset",
                {"type": "integer", "minimum": 0, "maximum": 2**31},
                OpenApiParameter.QUERY,
                required=True,
                description="Where the part starts: the `received` the server last answered.",
            ),
        ],
        request={"application/octet-stream": OpenApiTypes.BINARY},
        responses={
            200: UploadState,
            400: ERRORS,
            404: NO_UPLOAD,
            409: error_response(409, "Not where the server is: resume at its `received`."),
            413: OpenApiResponse(Error413, description="A part larger than 512 KiB."),
        },
    )
    def put(self, request: Request, upload_id: uuid.UUID) -> Response:
        raw = request.query_params.get("offset", "")
        if not (raw.isascii() and raw.isdigit()) or int(raw) > 2**31:
            raise ValidationError({"offset": [_("Give the offset in bytes.")]})
        data = request.data if isinstance(request.data, bytes) else b""
        upload = offline.add_part(
            user=request.user, upload_id=upload_id, offset=int(raw), data=data
        )
        return Response(UploadState(upload).data)


class UploadComplete(APIView):
    @extend_schema(
        tags=TAG_UPLOADS,
        operation_id="uploads_complete",
        summary="Finish an upload: the photo is checked and its metadata removed",
        description=(offline.complete.__doc__ or "").strip(),
        parameters=[UPLOAD_ID],
        request=None,
        responses={
            200: UploadState,
            400: ERRORS,
            404: NO_UPLOAD,
            409: error_response(409, "Bytes are still missing: resume at `received`."),
        },
    )
    def post(self, request: Request, upload_id: uuid.UUID) -> Response:
        upload = offline.complete(user=request.user, upload_id=upload_id)
        return Response(UploadState(upload).data)
