"""The database out of reach: a 503 with ``Retry-After``, not a 500.

A lost or refused database connection (``OperationalError``, ``InterfaceError``) is an outage
the client can wait out, not a bug: ``web.errors.server_error`` (Django's ``handler500``) answers
it as 503 in the format of the part of the site asked (a page, the REST API's JSON, Open311's
error list), and the REST API's exception handler can raise ``ServiceUnavailable``.
"""

from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status

# How long clients are asked to wait before trying again.
RETRY_AFTER_SECONDS = 30

MESSAGE = _("The service is briefly unavailable. Please try again in a moment.")


def is_database_outage(exc: BaseException | None) -> bool:
    """Whether ``exc`` says the database could not be reached or used."""
    return isinstance(exc, OperationalError | InterfaceError)


class ServiceUnavailable(exceptions.APIException):
    """The REST API's 503 for an outage; DRF's handler sends ``wait`` as ``Retry-After``."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = MESSAGE
    default_code = "service_unavailable"
    wait = RETRY_AFTER_SECONDS
