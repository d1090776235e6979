"""Patrol fixtures. Places and people are the shared cast (tests/conftest.py); points are on its
lattice: 黄楼社区 (鼓楼) has grids 001 and 002 side by side in row 0, 泰山社区 (泉山) in row 2, and
row 1 is inside the city's bounding box but on no grid."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.utils import translation

from grids.geometry import offset
from tests.cases.conftest import (  # noqa: F401  (fixtures shared with the casework tests)
    category,
    enforceable_category,
    fast_password_hashing,
    make_ticket,
    media,
    officer_gulou_colleague,
    supervisor_quanshan,
)
from tests.factories import ORIGIN

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(east_m: float, north_m: float) -> tuple[float, float]:
    """(lat, lng) of the lattice point ``east_m``/``north_m`` from the origin."""
    lng, lat = offset(*ORIGIN, east_m, north_m)
    return lat, lng


GULOU_001 = at(50, 50)
GULOU_002 = at(150, 50)
BETWEEN_GRIDS = at(50, 150)
QUANSHAN_001 = at(50, 250)
OUTSIDE_CITY = at(5000, 5000)

# A Monday, an ordinary working day.
MONDAY_10AM = datetime.datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def english():
    """Services' messages are asserted on their msgids, whatever the catalogue holds."""
    with translation.override("en"):
        yield


@pytest.fixture
def monday(db):
    """Time stands at 10:00 on Monday 23 November 2026 (Asia/Shanghai)."""
    with time_machine.travel(MONDAY_10AM, tick=False) as traveller:
        yield traveller
