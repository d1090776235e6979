import pytest

from ops.health import forget_readiness
from tests.cases.conftest import (  # noqa: F401 the casework cast and make_ticket, shared
    category,
    enforceable_category,
    fast_password_hashing,
    make_ticket,
    media,
    supervisor_quanshan,
)


@pytest.fixture(autouse=True)
def _fresh_readiness(settings):
    """/readyz caches its report for a few seconds per process; each test asks afresh."""
    settings.HEALTH_CACHE_SECONDS = 0
    forget_readiness()
    yield
    forget_readiness()
