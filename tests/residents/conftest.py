"""The residents' side: the casework fixtures of tests/cases/conftest.py, shared."""

import pytest

from tests.assessments.conftest import small_city  # noqa: F401  the assessment's small city
from tests.cases.conftest import (  # noqa: F401  the casework cast and make_ticket, shared
    category,
    enforceable_category,
    fast_password_hashing,
    handler_municipal,
    make_ticket,
    media,
    officer_gulou_colleague,
    supervisor_quanshan,
)


@pytest.fixture
def english(client):
    """The client asking for English pages."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
