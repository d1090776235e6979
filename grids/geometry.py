"""Polygon arithmetic for unit grids, in WGS84 (GeoJSON lng/lat order)."""

import math
from dataclasses import dataclass
from typing import Any

from shapely.geometry import Polygon, shape
from shapely.validation import explain_validity

EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True)
class PolygonMetrics:
    bbox: tuple[float, float, float, float]  # min_lng, min_lat, max_lng, max_lat
    centroid: tuple[float, float]  # lng, lat
    area_m2: float


def to_polygon(geojson: Any) -> Polygon:
    """A shapely Polygon from a GeoJSON Polygon mapping, or ValueError saying what is wrong."""
    if not isinstance(geojson, dict) or geojson.get("type") != "Polygon":
        raise ValueError("The boundary must be a GeoJSON object of type Polygon.")
    try:
        polygon = shape(geojson)
    except Exception as exc:  # shapely raises several types for malformed coordinates
        raise ValueError(f"The boundary's coordinates are malformed: {exc}") from None
    if polygon.is_empty or not polygon.is_valid:
        raise ValueError(f"The boundary is not a valid polygon: {explain_validity(polygon)}")
    min_lng, min_lat, max_lng, max_lat = polygon.bounds
    if not (-180 <= min_lng <= max_lng <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise ValueError("The boundary must be in WGS84 longitude/latitude degrees.")
    return polygon


def polygon_metrics(geojson: Any) -> PolygonMetrics:
    polygon = to_polygon(geojson)
    centroid = polygon.centroid
    # Equirectangular projection about the centroid: exact enough for 100 m cells.
    k = math.cos(math.radians(centroid.y))
    metres_per_degree = math.pi * EARTH_RADIUS_M / 180
    area = polygon.area * metres_per_degree * metres_per_degree * k
    return PolygonMetrics(bbox=polygon.bounds, centroid=(centroid.x, centroid.y), area_m2=area)


def rectangle(sw: tuple[float, float], ne: tuple[float, float]) -> dict[str, Any]:
    """A GeoJSON polygon for the lng/lat rectangle between two corners, rounded to ~1 cm.

    Neighbouring cells built from the same lattice corners share their edges exactly.
    """
    (w, s), (e, n) = sw, ne
    ring = [(w, s), (e, s), (e, n), (w, n), (w, s)]
    return {"type": "Polygon", "coordinates": [[[round(x, 7), round(y, 7)] for x, y in ring]]}


def offset(lng: float, lat: float, east_m: float, north_m: float) -> tuple[float, float]:
    """The point ``east_m`` east and ``north_m`` north of (lng, lat)."""
    metres_per_degree = math.pi * EARTH_RADIUS_M / 180
    return (
        lng + east_m / (metres_per_degree * math.cos(math.radians(lat))),
        lat + north_m / metres_per_degree,
    )
