"""What every REST endpoint shares: one error body, cursor pages, and a JSON parser that refuses
what the database cannot store.

Every error under /api/ is drf-standardized-errors' body::

    {"type": "validation_error" | "client_error" | "server_error",
     "errors": [{"code": "...", "detail": "...", "attr": "field" | null}]}

Services raise Django's exceptions (``ValidationError`` with a field dict, ``PermissionDenied``,
``Http404``) and ``citymgmt.errors.StaleWrite`` (``cases.services.TicketConflict`` is one); the
handler turns each into that body, so API views never catch them one by one. What Django answers
before a view runs (an unknown path, too many fields, a body too big) is rewritten into the same
body by ``ApiErrorsAsJson``.
"""

from collections.abc import Callable
from typing import Any

import django_filters
from django import forms as django_forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse
from drf_standardized_errors.openapi_serializers import ClientErrorEnum, ValidationErrorEnum
from rest_framework import exceptions, serializers, status
from rest_framework.exceptions import ParseError
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request

from citymgmt.parsers import JSONParser, has_lone_surrogate

__all__ = ["JSONParser"]  # views name it here with the rest

NON_FIELD = "non_field_errors"


class Conflict(exceptions.APIException):
    """The ticket moved since the client looked at it, or the step does not apply to its state."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The ticket has just been changed by someone else.")
    default_code = "conflict"


class TooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "too_large"


def field_errors(error: DjangoValidationError) -> dict[str, list[str]]:
    """``{"field": ["message"]}``; errors not tied to a field go under ``non_field_errors``."""
    if hasattr(error, "error_dict"):
        return {
            (NON_FIELD if name == "__all__" else name): [str(m) for m in messages]
            for name, messages in error.message_dict.items()
        }
    return {NON_FIELD: [str(m) for m in error.messages]}


def invalid(form: django_forms.BaseForm) -> exceptions.ValidationError:
    """A bound form's errors as the API's 400 (raise it)."""
    return exceptions.ValidationError(form_errors(form))


# --- the error bodies in the schema -------------------------------------------------------------


class ErrorItem(serializers.Serializer):
    code = serializers.CharField(help_text="A stable, machine-readable code, e.g. `required`.")
    detail = serializers.CharField(help_text="A message for people, in the request's language.")
    attr = serializers.CharField(
        allow_null=True,
        help_text="The field (dotted for nested ones) the error is about, or null.",
    )


class Error400(serializers.Serializer):
    """Invalid input: each field's messages (`validation_error`), or a body or query that could
    not be read (`client_error`)."""

    type = serializers.ChoiceField(choices=[*ValidationErrorEnum.choices, *ClientErrorEnum.choices])
    errors = ErrorItem(many=True)


class Error409(serializers.Serializer):
    """The object's state does not allow this now (it moved on, or the step was already taken);
    nothing was changed. Reload it and decide again."""

    type = serializers.ChoiceField(choices=ClientErrorEnum.choices)
    errors = ErrorItem(many=True)


class Error413(serializers.Serializer):
    """The request body is larger than the server accepts."""

    type = serializers.ChoiceField(choices=ClientErrorEnum.choices)
    errors = ErrorItem(many=True)


ERRORS = OpenApiResponse(Error400, description="Invalid input; each error names its field.")


# --- Django's own answers under /api/ -----------------------------------------------------------

_CODES = {
    400: "parse_error",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
}


class ApiErrorsAsJson:
    """Under /api/, an error Django answered itself (no route for the path, a refused request,
    a body too big, a crash) is given the API's JSON error body instead of an HTML page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            code = response.status_code
            kind = "server_error" if code >= 500 else "client_error"
            body = {
                "type": kind,
                "errors": [
                    {
                        "code": _CODES.get(code, "error"),
                        "detail": response.reason_phrase,
                        "attr": None,
                    }
                ],
            }
            replaced = JsonResponse(body, status=code)
            for header in ("Allow", "Retry-After", "WWW-Authenticate", "Vary"):
                if header in response:
                    replaced[header] = response[header]
            return replaced
        return response


class CheckedCursor(CursorPagination):
    """DRF's cursor pages, with a cursor the client altered refused as a 400 on ``cursor``:
    undecodable, or carrying a position the ordering column cannot hold (``p=abc`` for an id)."""

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        ordering = self.get_ordering(request, queryset, view)
        self._position_field = queryset.model._meta.get_field(ordering[0].lstrip("-"))
        return super().paginate_queryset(queryset, request, view)

    def get_page_size(self, request: Request) -> int:
        """``page_size`` as asked, at most ``max_page_size``; one that is not a positive whole
        number is a 400 (DRF would quietly use the default)."""
        asked = request.query_params.get(self.page_size_query_param)
        if len(request.query_params.getlist(self.page_size_query_param)) > 1:
            asked = ""
        if asked is None:
            return self.page_size
        if not (asked.isascii() and asked.isdigit()) or int(asked) < 1:
            raise exceptions.ValidationError(
                {self.page_size_query_param: [_("Give a whole number of at least 1.")]}
            )
        return min(int(asked), self.max_page_size)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1)
                parameter["description"] = (
                    f"Rows a page (default {self.page_size}); more than {self.max_page_size} "
                    f"gives {self.max_page_size}."
                )
            if parameter["name"] == self.cursor_query_param:
                parameter["description"] = (
                    "The `next` or `previous` link's cursor; an altered one is a 400."
                )
        return parameters

    def decode_cursor(self, request: Request) -> Any:
        refused = exceptions.ValidationError({self.cursor_query_param: [_("Invalid cursor.")]})
        if len(request.query_params.getlist(self.cursor_query_param)) > 1:
            raise refused
        try:
            cursor = super().decode_cursor(request)
        except exceptions.NotFound:
            raise refused from None
        if cursor is not None and cursor.position is not None:
            position = cursor.position
            if not position.isprintable() or has_lone_surrogate(position):
                raise refused
            try:
                value = self._position_field.to_python(position)
            except DjangoValidationError:
                raise refused from None
            if isinstance(value, int) and not -(2**63) <= value < 2**63:
                raise refused
        return cursor


class NewestFirstCursor(CheckedCursor):
    """Cursor pages on the primary key, newest first: stable under inserts, and an index
    range scan however deep the client pages."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class CodeCursor(CheckedCursor):
    """Places are listed in code order (the national division codes are unique)."""

    ordering = "code"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


class SingleValueFilterBackend(DjangoFilterBackend):
    """django-filter's backend, refusing with a 400 naming the filter what it would quietly
    read otherwise: a filter given twice (``?officer=1&officer=2``: it takes the last) and an
    empty value of a filter that is not text (``?open=``: it reads "not given")."""

    def filter_queryset(self, request: Request, queryset: Any, view: Any) -> Any:
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            refused = {}
            for name, declared in filterset_class.base_filters.items():
                values = request.query_params.getlist(name)
                if len(values) > 1:
                    refused[name] = [_("Give this filter once.")]
                elif values == [""] and not isinstance(declared, django_filters.CharFilter):
                    refused[name] = [_("Give a value, or leave this filter out.")]
            if refused:
                raise exceptions.ValidationError(refused)
        return super().filter_queryset(request, queryset, view)


def form_errors(form: django_forms.BaseForm) -> dict[str, list[str]]:
    """A bound form's errors as the API's ``{"field": ["message"]}``."""
    return {
        (NON_FIELD if name == "__all__" else name): [str(m) for m in messages]
        for name, messages in form.errors.items()
    }


def form_data(request: Request) -> QueryDict:
    """The request body as form data (JSON objects, urlencoded and multipart alike), files
    left to ``request.FILES``, so a step validates exactly as the web form does."""
    data = QueryDict(mutable=True)
    body = request.data
    if isinstance(body, QueryDict):
        for key in body:
            if key not in request.FILES:
                data.setlist(key, body.getlist(key))
    elif isinstance(body, dict):
        for key, value in body.items():
            if value is None:
                continue
            values = value if isinstance(value, list) else [value]
            data.setlist(str(key), [v if isinstance(v, str) else str(v) for v in values])
    else:
        raise ParseError(_("Send a JSON object or form fields."))
    return data


def error_response(status_code: int, description: str) -> OpenApiResponse:
    """An error answer of ``status_code`` in the schema, with what it means for this operation."""
    from drf_standardized_errors import openapi_serializers as bodies

    serializer = {
        400: Error400,
        403: bodies.ErrorResponse403Serializer,
        404: bodies.ErrorResponse404Serializer,
        409: Error409,
    }[status_code]
    return OpenApiResponse(serializer, description=description)
