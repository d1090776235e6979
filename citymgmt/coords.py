"""The coordinate systems of Chinese map apps, from the WGS84 we store.

Maps published in China (Amap/高德, Tencent) are drawn in GCJ-02 (国测局坐标, "Mars coordinates"):
WGS84 shifted by a published obfuscation formula, hundreds of metres at most. Baidu shifts GCJ-02
once more into BD-09. A pin handed to those apps in WGS84 lands in the wrong street, so a
"navigate" link shifts it first. The formulas are the widely published ones (eviltransform,
coordtransform); outside China's bounding box nobody shifts, and neither do we.

Arguments and results are in (lat, lng) order, as the rest of the code uses them.
"""

import math

# Krasovsky 1940, the ellipsoid the GCJ-02 formula is built on.
_A = 6378245.0
_EE = 0.00669342162296594323
# BD-09's constant: π × 3000 / 180.
_X_PI = math.pi * 3000.0 / 180.0


def out_of_china(lat: float, lng: float) -> bool:
    """Outside the rough box in which GCJ-02 applies (the formula's own test, not a border)."""
    return not (72.004 <= lng <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _shift_lat(x: float, y: float) -> float:
    r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    r += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return r


def _shift_lng(x: float, y: float) -> float:
    r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    r += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return r


def wgs84_to_gcj02(lat: float, lng: float) -> tuple[float, float]:
    """A WGS84 point as Amap and Tencent draw it (GCJ-02); unchanged outside China."""
    if out_of_china(lat, lng):
        return lat, lng
    d_lat = _shift_lat(lng - 105.0, lat - 35.0)
    d_lng = _shift_lng(lng - 105.0, lat - 35.0)
    rad_lat = math.radians(lat)
    magic = 1 - _EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    d_lng = (d_lng * 180.0) / (_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return lat + d_lat, lng + d_lng


def gcj02_to_bd09(lat: float, lng: float) -> tuple[float, float]:
    """A GCJ-02 point as Baidu draws it (BD-09)."""
    z = math.sqrt(lng * lng + lat * lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lng) + 0.000003 * math.cos(lng * _X_PI)
    return z * math.sin(theta) + 0.006, z * math.cos(theta) + 0.0065


def wgs84_to_bd09(lat: float, lng: float) -> tuple[float, float]:
    """A WGS84 point as Baidu draws it; unchanged outside China."""
    if out_of_china(lat, lng):
        return lat, lng
    return gcj02_to_bd09(*wgs84_to_gcj02(lat, lng))
