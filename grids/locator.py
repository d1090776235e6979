"""Which unit grid is a point in? A shapely STRtree over the active cells, kept per process.

The tree is rebuilt when cells change: at once in the process that saved them (signals), and
in other processes (web workers, Celery) within ``RECHECK_SECONDS``, by comparing a cheap
fingerprint of the table.
"""

import threading
import time
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Count, Max
from shapely import STRtree
from shapely.geometry import Point

from grids.geometry import to_polygon
from grids.models import GridCell

RECHECK_SECONDS = 10.0


@dataclass
class _Index:
    tree: STRtree | None
    ids: list[int]
    codes: list[str]
    fingerprint: tuple
    checked_at: float


_index: _Index | None = None
_lock = threading.Lock()


def _fingerprint() -> tuple:
    row = GridCell.objects.filter(is_active=True).aggregate(n=Count("id"), last=Max("updated_at"))
    return (row["n"], row["last"])


def _build(fingerprint: tuple) -> _Index:
    rows = list(
        GridCell.objects.filter(is_active=True)
        .order_by("code")
        .values_list("id", "code", "boundary")
    )
    polygons = [to_polygon(boundary) for _id, _code, boundary in rows]
    return _Index(
        tree=STRtree(polygons) if polygons else None,
        ids=[r[0] for r in rows],
        codes=[r[1] for r in rows],
        fingerprint=fingerprint,
        checked_at=time.monotonic(),
    )


def _current() -> _Index:
    global _index
    index = _index
    now = time.monotonic()
    if index is not None and now - index.checked_at < RECHECK_SECONDS:
        return index
    with _lock:
        index = _index
        if index is not None and time.monotonic() - index.checked_at < RECHECK_SECONDS:
            return index
        fingerprint = _fingerprint()
        if index is None or index.fingerprint != fingerprint:
            index = _build(fingerprint)
        else:
            index.checked_at = time.monotonic()
        _index = index
        return index


def invalidate() -> None:
    """Forget the tree; the next lookup rebuilds it. Called when a cell is saved or deleted."""
    global _index
    with _lock:
        _index = None


def locate_id(lat: float, lng: float) -> int | None:
    """The id of the active unit grid containing the point, without loading the row.

    A point on a shared edge or corner belongs to the cell with the lowest code, so the answer
    is the same every time.
    """
    index = _current()
    if index.tree is None:
        return None
    hits = index.tree.query(Point(lng, lat), predicate="intersects")
    if len(hits) == 0:
        return None
    best = min(hits, key=lambda i: index.codes[i])
    return index.ids[best]


def locate(lat: float, lng: float) -> GridCell | None:
    """The active unit grid containing the WGS84 point (lat, lng), or None if it is on no grid."""
    cell_id = locate_id(lat, lng)
    if cell_id is None:
        return None
    return GridCell.objects.select_related("community__street__district").get(pk=cell_id)


class Places(NamedTuple):
    """A located point's unit grid and the places above it, as ids: what a ticket copies down."""

    cell_id: int
    community_id: int
    street_id: int
    district_id: int
    brigade_id: int | None


def locate_places(lat: float, lng: float) -> Places | None:
    """The unit grid containing the point and its community, street, district and brigade, as
    ids read in one narrow statement (no boundary, no model instances), or None off every grid:
    what filing a report needs, where ``locate`` would build four rows and decode a polygon."""
    cell_id = locate_id(lat, lng)
    if cell_id is None:
        return None
    row = (
        GridCell.objects.filter(pk=cell_id)
        .values_list(
            "community_id",
            "community__street_id",
            "community__street__district_id",
            "community__brigade_id",
        )
        .first()
    )
    if row is None:  # deleted since the tree was built: as if off the grid
        return None
    return Places(cell_id, *row)
