"""The endpoints the platform calls (docs/hotline.md). They are the platform's, not users':
signed with the shared secret (``hotline.signing``) instead of a login, refused with a 401 when
the signature is missing, wrong or stale, and a 404 while the connector is off. Left out of the
OpenAPI schema: their contract is docs/hotline.md."""

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from citymgmt.rest import JSONParser
from citymgmt.text import no_control_characters
from hotline import services, signing
from hotline.attachments import read_attachments
from hotline.models import CallKind

PLATFORM = "hotline"


class PlatformSignature(BaseAuthentication):
    """The request is the platform's when its Standard Webhooks signature checks out."""

    def authenticate(self, request: Request) -> tuple[Any, str]:
        try:
            signing.verify(request._request.body, dict(request.headers))
        except signing.WebhookVerificationError as error:
            raise exceptions.AuthenticationFailed(
                _("The request is not signed by the 12345 platform (%(why)s).") % {"why": error}
            ) from None
        return AnonymousUser(), PLATFORM

    def authenticate_header(self, request: Request) -> str:
        return 'Webhook-Signature realm="hotline"'


class IsPlatform(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return request.auth == PLATFORM


class PlatformView(APIView):
    authentication_classes = [PlatformSignature]
    permission_classes = [IsPlatform]
    parser_classes = [JSONParser]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        if not signing.enabled():
            raise Http404
        super().initial(request, *args, **kwargs)


class Text(serializers.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        super().__init__(validators=[no_control_characters], **kwargs)


class OrderIn(serializers.Serializer):
    order_id = serializers.RegexField(r"^[A-Za-z0-9._-]{1,64}$")
    content = Text(required=True, allow_blank=False, max_length=4000)
    category_code = Text(required=True, allow_blank=False, max_length=40)
    category_name = Text(max_length=100)
    address = Text(max_length=200)
    lat = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    lng = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180)
    community_code = Text(max_length=20)
    caller_name = Text(max_length=50)
    caller_phone = Text(max_length=20)
    deadline = serializers.DateTimeField(required=False, allow_null=True)
    urgent = serializers.BooleanField(required=False, default=False)
    attachments = serializers.ListField(
        child=serializers.DictField(), required=False, default=list, max_length=20
    )


class CallIn(serializers.Serializer):
    text = Text(max_length=2000)


class CallbackIn(CallIn):
    satisfied = serializers.BooleanField()


@extend_schema(exclude=True)
class Orders(PlatformView):
    """``POST /api/v1/hotline/orders/``: the platform pushes a work order (派单)."""

    def post(self, request: Request) -> Response:
        order_id = str(request.data.get("order_id", "")) if isinstance(request.data, dict) else ""
        existing = services.find_order(order_id) if order_id else None
        if existing is not None:  # a repeated push: the first answer, no attachment fetched
            return Response(existing.answer, status=status.HTTP_200_OK)
        data = OrderIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values.pop("category_name", None)
        photos, refused = read_attachments(values.pop("attachments"))
        order, _new = services.receive_order(
            **{k: v for k, v in values.items() if v is not None}, photos=photos, refused=refused
        )
        return Response(order.answer, status=status.HTTP_200_OK)


def call_view(kind: str, serializer: type[serializers.Serializer]) -> type[APIView]:
    @extend_schema(exclude=True)
    def post(self: APIView, request: Request, order_id: str) -> Response:
        order = services.find_order(order_id)
        if order is None:
            raise Http404
        data = serializer(data=request.data)
        data.is_valid(raise_exception=True)
        call, _new = services.receive_call(
            order=order,
            kind=kind,
            message_id=request.headers["webhook-id"][:100],
            text=data.validated_data.get("text", ""),
            satisfied=data.validated_data.get("satisfied"),
        )
        return Response(call.answer)

    name = f"{kind.title()}Call"
    return type(name, (PlatformView,), {"post": post, "may_conflict": True})


Urge = call_view(CallKind.URGE, CallIn)
Callback = call_view(CallKind.CALLBACK, CallbackIn)
Cancel = call_view(CallKind.CANCEL, CallIn)
