"""drf-standardized-errors fitted to citymgmt: the exception handler that knows the domain's and
Django's own exceptions, and the schema class that documents each operation's error answers.
(Apart from ``citymgmt.rest``, which DRF's own modules import while they load.)"""

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_standardized_errors.handler import ExceptionHandler
from drf_standardized_errors.openapi import AutoSchema as StandardizedAutoSchema
from rest_framework import exceptions
from rest_framework.exceptions import ParseError

from citymgmt.errors import StaleWrite
from citymgmt.rest import Conflict, TooLarge, field_errors


class ApiExceptionHandler(ExceptionHandler):
    """drf-standardized-errors' handler, told about the domain's and Django's own exceptions."""

    def convert_known_exceptions(self, exc: Exception) -> Exception:
        if isinstance(exc, StaleWrite):
            return Conflict(detail=exc.api_message)
        if isinstance(exc, DjangoValidationError):
            return exceptions.ValidationError(detail=field_errors(exc))
        if isinstance(exc, PermissionDenied):
            return exceptions.PermissionDenied(detail=str(exc) or None)
        if isinstance(exc, Http404):
            return exceptions.NotFound()
        if isinstance(exc, RequestDataTooBig):
            return TooLarge()
        if isinstance(exc, SuspiciousOperation):  # e.g. TooManyFieldsSent
            return ParseError(_("The request could not be read."))
        return exc

    def should_not_handle(self, exc: Exception) -> bool:
        # Even under DEBUG a client of /api/ gets JSON; the traceback is logged all the same.
        return False


class AutoSchema(StandardizedAutoSchema):
    """Documents each operation's error answers: 400 also for a list's cursor and page size,
    409 where a view says ``may_conflict``, 413 wherever a body is read."""

    def _should_add_error_response(self, responses: dict, status_code: str) -> bool:
        if status_code in responses:
            return False
        if status_code == "400" and self._get_paginator() is not None:
            return True
        if status_code == "409":
            return bool(getattr(self.view, "may_conflict", False))
        if status_code == "413":
            return self.method in ("POST", "PUT", "PATCH")
        return super()._should_add_error_response(responses, status_code)
