"""The WGS84 → GCJ-02 → BD-09 shifts against reference points published with the two
implementations everyone compares against:

- googollee/eviltransform, python/test.py (``TESTS``: wgs, gcj pairs in Shanghai, Shenzhen and
  Beijing),
  https://github.com/googollee/eviltransform/blob/master/python/test.py
- wandergis/coordtransform, README.md and test/app.js (116.404, 39.915 near Tiananmen),
  https://github.com/wandergis/coordtransform
"""

import math

import pytest

from citymgmt.coords import gcj02_to_bd09, out_of_china, wgs84_to_bd09, wgs84_to_gcj02

# eviltransform: (wgs lat, wgs lng, gcj lat, gcj lng)
EVILTRANSFORM_WGS_GCJ = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),  # Shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),  # Shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),  # Beijing
]


def metres_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat = math.radians((a[0] + b[0]) / 2)
    north = math.radians(a[0] - b[0]) * 6_371_000
    east = math.radians(a[1] - b[1]) * 6_371_000 * math.cos(lat)
    return math.hypot(north, east)


@pytest.mark.parametrize(("wgs_lat", "wgs_lng", "gcj_lat", "gcj_lng"), EVILTRANSFORM_WGS_GCJ)
def test_wgs84_to_gcj02_matches_eviltransforms_reference_points(wgs_lat, wgs_lng, gcj_lat, gcj_lng):
    lat, lng = wgs84_to_gcj02(wgs_lat, wgs_lng)
    assert lat == pytest.approx(gcj_lat, abs=1e-9)
    assert lng == pytest.approx(gcj_lng, abs=1e-9)


def test_wgs84_to_gcj02_matches_coordtransforms_readme():
    # coordtransform: wgs84togcj02(116.404, 39.915) → [116.41024449916938, 39.91640428150164]
    lat, lng = wgs84_to_gcj02(39.915, 116.404)
    assert (lng, lat) == pytest.approx((116.41024449916938, 39.91640428150164), abs=1e-12)


def test_gcj02_to_bd09_matches_coordtransforms_readme():
    # coordtransform: gcj02tobd09(116.404, 39.915) → [116.41036949371029, 39.92133699351021]
    lat, lng = gcj02_to_bd09(39.915, 116.404)
    assert (lng, lat) == pytest.approx((116.41036949371029, 39.92133699351021), abs=1e-12)


def test_gcj02_to_bd09_inverts_coordtransforms_bd09_to_gcj02_within_a_metre():
    # coordtransform: bd09togcj02(116.404, 39.915) → [116.39762729119315, 39.90865673957631];
    # its inverse is approximate, so going forward again lands within a metre, not exactly.
    back = gcj02_to_bd09(39.90865673957631, 116.39762729119315)
    assert metres_between(back, (39.915, 116.404)) < 1


def test_wgs84_to_bd09_is_the_two_shifts_in_turn():
    gcj = (39.91640428150164, 116.41024449916938)  # coordtransform's wgs84togcj02, above
    assert wgs84_to_bd09(39.915, 116.404) == pytest.approx(gcj02_to_bd09(*gcj), abs=1e-12)


def test_the_shift_in_xuzhou_is_hundreds_of_metres_not_kilometres():
    shifted = wgs84_to_gcj02(34.2617, 117.1843)
    assert 100 < metres_between(shifted, (34.2617, 117.1843)) < 1000
    assert metres_between(wgs84_to_bd09(34.2617, 117.1843), shifted) > 500


@pytest.mark.parametrize(
    ("lat", "lng"),
    [(51.5007, -0.1246), (48.8584, 2.2945), (-33.8568, 151.2153), (1.29, 72.0), (56.0, 120.0)],
)
def test_points_outside_china_are_not_shifted(lat, lng):
    assert out_of_china(lat, lng)
    assert wgs84_to_gcj02(lat, lng) == (lat, lng)
    assert wgs84_to_bd09(lat, lng) == (lat, lng)
