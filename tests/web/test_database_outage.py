"""The database out of reach (a lost or refused connection: ``OperationalError``) is a 503 with
``Retry-After``, in the format of what was asked: a page, the REST API's JSON, Open311's error
list. A crash of any other kind stays the 500 page. The database is not stopped: its connection
is made to refuse every use."""

from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.test import Client
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_down(db):
    def refuse(*args, **kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    with mock.patch.object(connection, "ensure_connection", refuse):
        yield


@pytest.fixture
def visitor() -> Client:
    return Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")


def _waits(response) -> None:
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0


def test_a_page_answers_503_with_retry_after(visitor, database_down):
    response = visitor.get("/communities/")
    _waits(response)
    assert response["Content-Type"].startswith("text/html")
    assert "briefly unavailable" in response.content.decode()


def test_the_page_is_chinese_by_default(database_down):
    response = Client(raise_request_exception=False).get("/communities/")
    _waits(response)
    assert "服务暂时不可用" in response.content.decode()


def test_the_rest_api_answers_503_in_json(visitor, supervisor_gulou):
    token = Token.objects.create(user=supervisor_gulou)
    with mock.patch.object(
        connection, "ensure_connection", side_effect=OperationalError("server closed")
    ):
        response = visitor.get("/api/v1/tickets/", HTTP_AUTHORIZATION=f"Token {token.key}")
    _waits(response)
    body = response.json()
    assert body["errors"][0]["code"] == "service_unavailable"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_answers_503_in_its_own_error_format(visitor, database_down, fmt):
    response = visitor.get(f"/open311/v2/services.{fmt}")
    _waits(response)
    body = response.content.decode()
    if fmt == "json":
        assert response.json()[0]["code"] == 503
    else:
        assert response["Content-Type"].startswith("text/xml")
        assert "<errors>" in body and "<code>503</code>" in body


def test_any_other_crash_is_still_the_500_page(visitor, db):
    with mock.patch.object(
        connection, "ensure_connection", side_effect=RuntimeError("not an outage")
    ):
        response = visitor.get("/communities/")
    assert response.status_code == 500
    assert "Retry-After" not in response
