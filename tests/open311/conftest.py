"""Open311 fixtures: a registered client and its key, the casework cast, and a rate-limit
counter that starts at zero in every test."""

import pytest
from django.core.cache import cache

from open311.models import ApiClient
from open311.services import issue_api_client
from tests.cases.conftest import (  # noqa: F401  shared casework fixtures
    GULOU_POINT,
    QUANSHAN_POINT,
    category,
    enforceable_category,
    fast_password_hashing,
    make_ticket,
    media,
    supervisor_quanshan,
)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def hotline_client(db) -> tuple[ApiClient, str]:
    """The 12345 hotline's integration: an active client and its key."""
    return issue_api_client(name="12345热线平台", created_by=None, rate_limit="100/m")


@pytest.fixture
def api_key(hotline_client) -> str:
    return hotline_client[1]


@pytest.fixture
def gulou_point(gulou_community) -> tuple[float, float]:
    """(lat, long) inside 黄楼社区's unit grid 001."""
    return GULOU_POINT
