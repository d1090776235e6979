"""Every answer under /api/ is JSON in one error body (drf-standardized-errors), including what
Django answers before a view runs, and the schema says which errors each operation can give."""

import pytest
from django.test import override_settings

from cases.models import State
from tests.api.conftest import errors

pytestmark = pytest.mark.django_db


def test_a_validation_error_names_each_field_in_the_one_body(api_as, command_supervisor):
    response = api_as(command_supervisor).get("/api/v1/tickets/?status=nonsense")
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error"
    assert [(e["attr"], e["code"]) for e in body["errors"]] == [("status", "invalid_choice")]


def test_no_credentials_is_a_401_in_the_one_body(api_as):
    response = api_as(None).get("/api/v1/tickets/")
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "not_authenticated"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/tickets/not-a-number/",  # a path value the URL pattern refuses
        "/api/v1/patrols/abc/",
        "/api/v1/no-such-thing/",
    ],
)
def test_a_path_with_no_route_is_a_json_404(api_as, command_supervisor, path):
    response = api_as(command_supervisor).get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert errors(response) == {"detail": ["Not Found"]}


def test_too_many_query_fields_is_a_json_400(api_as, command_supervisor):
    with override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=10):
        response = api_as(command_supervisor).get(
            "/api/v1/tickets/?" + "&".join(f"f{i}=1" for i in range(20))
        )
    assert response.status_code == 400
    assert response.json()["type"] == "client_error"


def test_too_many_form_fields_is_a_json_400(api_as, supervisor_gulou, make_ticket):
    ticket = make_ticket(State.REPORTED)
    with override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=10):
        response = api_as(supervisor_gulou).post(
            f"/api/v1/tickets/{ticket.number}/register/",
            "&".join(f"f{i}=1" for i in range(20)),
            content_type="application/x-www-form-urlencoded",
        )
    assert response.status_code == 400
    assert response.json()["type"] == "client_error"


def test_a_body_too_big_is_a_json_413(api_as, officer_gulou):
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=100):
        response = api_as(officer_gulou).post(
            "/api/v1/logs/save/", {"summary": "长" * 200}, format="json"
        )
    assert response.status_code == 413
    assert response.json()["errors"][0]["code"] == "too_large"


def test_a_wrong_method_is_a_json_405_with_allow(api_as, command_supervisor):
    response = api_as(command_supervisor).delete("/api/v1/tickets/")
    assert response.status_code == 405
    assert response.json()["errors"][0]["code"] == "method_not_allowed"
    assert "GET" in response["Allow"]


def test_the_schema_documents_each_operations_errors(api_as, command_supervisor):
    paths = api_as(command_supervisor).get("/api/schema/?format=json").json()["paths"]
    listed = paths["/api/v1/tickets/"]["get"]["responses"]
    assert {"400", "401", "404", "405"} <= set(listed)
    stepped = paths["/api/v1/tickets/{number}/register/"]["post"]["responses"]
    assert {"400", "401", "403", "404", "409", "413"} <= set(stepped)
    assert "409" not in paths["/api/v1/me/"]["get"]["responses"]
