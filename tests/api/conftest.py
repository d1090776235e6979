"""API fixtures: the casework cast and tickets (tests/cases/conftest.py), and clients signed in
the way integrations sign in, with a token."""

from collections.abc import Callable

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import User
from tests.cases.conftest import (  # noqa: F401  shared casework fixtures
    category,
    enforceable_category,
    fast_password_hashing,
    handler_municipal,
    make_ticket,
    media,
    officer_gulou_colleague,
    supervisor_quanshan,
)
from tests.patrols.conftest import monday  # noqa: F401  (time stands at Monday 10:00)


@pytest.fixture
def api_as() -> Callable[[User | None], APIClient]:
    """``api_as(user)``: a REST client sending the user's token (none for ``None``)."""

    def client_for(user: User | None) -> APIClient:
        client = APIClient()
        if user is not None:
            token, _created = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return client_for


def errors(response) -> dict[str, list[str]]:
    """An API error body (drf-standardized-errors: ``{"type", "errors": [{code, detail, attr}]}``)
    read as ``{attr: [detail, ...]}``, errors on no field under ``"detail"``."""
    body = response.json()
    assert set(body) == {"type", "errors"}, body
    read: dict[str, list[str]] = {}
    for error in body["errors"]:
        read.setdefault(error["attr"] or "detail", []).append(error["detail"])
    return read
