"""Privacy fixtures: the casework cast and tickets (tests/cases/conftest.py), a clock to age
tickets past the retention period, and rate-limit counters that start at zero."""

import datetime
from collections.abc import Callable

import pytest
import time_machine
from django.core.cache import cache

from cases.models import State, Ticket
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

TZ = datetime.timezone(datetime.timedelta(hours=8))
# "Now" in the retention tests; with the default 24 months, tickets closed before
# 2024-11-20 10:00 are due.
NOW = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def ticket_at(db, request) -> Callable[..., Ticket]:
    """``ticket_at(moment, state=State.CLOSED, place="gulou")``: a ticket taken to ``state``
    with the clock standing at ``moment`` (so a closed one was closed then)."""

    def make(moment: datetime.datetime, state: str = State.CLOSED, **kwargs) -> Ticket:
        with time_machine.travel(moment, tick=False):
            return request.getfixturevalue("make_ticket")(state, **kwargs)

    return make
