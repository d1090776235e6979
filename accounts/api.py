"""People through the REST API: who am I, officers and their postings (read only, scoped by
``accounts.selectors``)."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Officer, User
from accounts.roles import roles_of
from accounts.selectors import officers_visible_to


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
