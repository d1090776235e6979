"""Every endpoint of /api/schema/, exercised by schemathesis with generated input as a
command-centre supervisor (who sees the whole city), with schema-valid and schema-invalid input,
under every check schemathesis has (no 5xx, only documented statuses, bodies, content types and
headers as documented, invalid input refused, valid input accepted, auth enforced, wrong methods
a 405), and each example again without credentials, its refusal as documented. An answer with
a status the schema does not list for the operation fails it. A bounded number of examples
(derandomized) keeps it to a minute or two; SQLite and PostgreSQL alike.

(schemathesis' own pytest integration does not run under pytest 9 yet, so the operations are
walked here with hypothesis directly.)
"""

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from cases.models import State
from patrols import services as patrol_services
from tests.patrols.conftest import GULOU_001, GULOU_002

pytestmark = pytest.mark.django_db
EXAMPLES = 12
CONFORMANCE = [
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
# Run only the operations whose label contains this (e.g. FUZZ_ONLY="GET /api/v1/tickets/").
ONLY = os.environ.get("FUZZ_ONLY", "")
# What a schema cannot say: which records exist for this user (ids), whether a point lies in the
# city, and rules between fields (a failed check needs a note). A schema-valid request may be
# refused on these fields, and only on these, with a 400 naming the field; any other refusal of
# schema-valid input fails the run (positive_data_acceptance).
BEYOND_THE_SCHEMA = {
    # records, by id or number
    "category", "community", "district", "street", "assignee", "unit", "officer",
    "duplicate_of", "template",
    # the place
    "lat", "lng",
    # rules between fields, and the state the step needs
    "note", "reason", "person", "deadline", "extra_hours", "photos", "non_field_errors",
}  # fmt: skip


def refused_beyond_the_schema(response: Any) -> bool:
    """A 400 whose every error names a field of ``BEYOND_THE_SCHEMA``."""
    if response.status_code != 400:
        return False
    body = response.json()
    return body.get("type") == "validation_error" and all(
        error["attr"] in BEYOND_THE_SCHEMA for error in body["errors"]
    )


def without_cursor(case: schemathesis.Case) -> schemathesis.Case:
    """Cursors are opaque: a client sends back the ones it was given (``next``), never makes one,
    so valid input carries none. Altered cursors are 400s (tests/api/test_ticket_list.py)."""
    if case.query:
        case.query.pop("cursor", None)
    return case


@pytest.fixture
def wsgi_app_in_test_transaction() -> Iterator[None]:
    """schemathesis calls the real WSGI application, whose request signals close the database
    connection after each request: on PostgreSQL that would close the test's transaction. The
    Django test client detaches the same handler for the same reason."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.usefixtures("wsgi_app_in_test_transaction")
def test_every_endpoint_answers_within_its_schema(command_supervisor, make_ticket, officer_gulou):
    make_ticket(State.REPORTED)
    resolved = make_ticket(State.RESOLVED)
    session, _created = patrol_services.start_patrol(actor=officer_gulou)
    for lat, lng in (GULOU_001, GULOU_002):
        patrol_services.record_point(actor=officer_gulou, session_id=session.pk, lat=lat, lng=lng)
    log = patrol_services.submit_log(
        actor=officer_gulou, day=timezone.localdate(), summary="巡查黄楼社区", problems=""
    )
    # Paths name a real ticket, photo, patrol and log, so the steps' validation is exercised,
    # not only 404s.
    known = {
        "number": resolved.number,
        "photo_id": resolved.photos.first().pk,
        "session_id": session.pk,
        "log_id": log.pk,
    }
    token, _created = Token.objects.get_or_create(user=command_supervisor)
    auth = {"Authorization": f"Token {token.key}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 40
    failures: dict[str, str] = {}
    for operation, mode in [(o, m) for o in operations for m in GenerationMode]:
        if ONLY not in operation.label:
            continue
        path_parameters = {
            name: value for name, value in known.items() if f"{{{name}}}" in operation.path
        }
        strategy = operation.as_strategy(mode, path_parameters=path_parameters or None)
        if mode == GenerationMode.POSITIVE:
            strategy = strategy.map(without_cursor)

        @given(case=strategy)
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def exercise(case: schemathesis.Case) -> None:
            response = case.call(headers=auth)
            excluded = [positive_data_acceptance] if refused_beyond_the_schema(response) else []
            # Every check there is (but the one above, on those fields only).
            case.validate_response(response, headers=auth, excluded_checks=excluded)
            # And without credentials: the refusal too is as documented.
            case.validate_response(case.call(), checks=CONFORMANCE)

        try:
            exercise()
        except Unsatisfiable:
            # Nothing to make invalid: the path's values are fixed and there is no body or query.
            assert mode == GenerationMode.NEGATIVE, operation.label
        except (Exception, BaseExceptionGroup) as failure:  # one run shows every broken endpoint
            failures[f"{operation.label} ({mode})"] = str(failure)[:2000]
    assert not failures, "\n\n".join(f"{label}:\n{text}" for label, text in failures.items())
