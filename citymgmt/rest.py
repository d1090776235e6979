"""What every REST endpoint shares: errors as JSON with field messages, and cursor pages.

Services raise Django's exceptions (``ValidationError`` with a field dict, ``PermissionDenied``,
``Http404``) and ``citymgmt.errors.StaleWrite`` (``cases.services.TicketConflict`` is one); the
handler turns each into the JSON answer a client can act on, so API views never catch them one
by one.
"""

from typing import Any

from django import forms as django_forms
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, QueryDict
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.exceptions import ParseError
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from citymgmt.errors import StaleWrite

NON_FIELD = "non_field_errors"


class Conflict(exceptions.APIException):
    """The ticket moved since the client looked at it."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The ticket has just been changed by someone else.")
    default_code = "conflict"


def field_errors(error: DjangoValidationError) -> dict[str, list[str]]:
    """``{"field": ["message"]}``; errors not tied to a field go under ``non_field_errors``."""
    if hasattr(error, "error_dict"):
        return {
            (NON_FIELD if name == "__all__" else name): [str(m) for m in messages]
            for name, messages in error.message_dict.items()
        }
    return {NON_FIELD: [str(m) for m in error.messages]}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, StaleWrite):
        exc = Conflict(detail=exc.message)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=field_errors(exc))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(detail=str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    return drf_exception_handler(exc, context)


class NewestFirstCursor(CursorPagination):
    """Cursor pages on the primary key, newest first: stable under inserts, and an index
    range scan however deep the client pages."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class CodeCursor(CursorPagination):
    """Places are listed in code order (the national division codes are unique)."""

    ordering = "code"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


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


ERRORS = OpenApiResponse(
    {
        "type": "object",
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
        "example": {"officer": ["Choose an officer of this ticket's brigade."]},
    },
    description='Invalid input: {"field": ["message"]}; "non_field_errors" for the rest.',
)


DETAIL = inline_serializer("ErrorDetail", {"detail": serializers.CharField()})
