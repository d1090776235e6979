"""The signed-in user's notifications in the REST API."""

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from citymgmt.rest import JSONParser
from notifications import selectors, services
from notifications.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(read_only=True)
    ticket = serializers.CharField(source="ticket.number", read_only=True, allow_null=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "kind_label", "message", "ticket", "link", "created_at", "read_at"]
        read_only_fields = fields


class NotificationList(generics.ListAPIView):
    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()  # the schema's model; requests read the inbox

    def get_queryset(self) -> Any:
        return selectors.inbox(self.request.user)

    @extend_schema(tags=["notifications"], summary="My notifications, newest first")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class MarkReadRequest(serializers.Serializer):
    # Ids beyond a bigint would overflow the database query: refused here as a 400.
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        max_length=1000,
        help_text="Leave out to mark every unread notification read.",
    )


class MarkRead(APIView):
    parser_classes = [JSONParser]  # a list of ids: JSON only

    @extend_schema(
        tags=["notifications"],
        summary="Mark my notifications read",
        request=MarkReadRequest,
        responses={
            200: inline_serializer("MarkReadResult", {"marked": serializers.IntegerField()})
        },
    )
    def post(self, request: Request) -> Response:
        if not isinstance(request.data, dict):
            raise serializers.ValidationError({"ids": [_("Give a list of notification ids.")]})
        serializer = MarkReadRequest(data=request.data)
        serializer.is_valid(raise_exception=True)
        ids = serializer.validated_data.get("ids")
        marked = services.mark_notifications_read(user=request.user, ids=ids)
        return Response({"marked": marked})
