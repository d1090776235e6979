"""What the maps of forms and pages are drawn from: unit grids as GeoJSON, and the pick map on
which a tap sets a form's point (the hotline intake, the on-site fix, a patrol finding, a shop's
registration, the public complaint form)."""

import math
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.forms import BaseForm

from grids.models import Community, GridCell

# A city's thousands of grids are too many to send with a form: the map starts empty and choosing
# a community draws its grids.
PICK_MAP_MAX_CELLS = 400


def cells_geojson(cells: QuerySet[GridCell]) -> dict:
    """The active ones of ``cells`` as a GeoJSON FeatureCollection (WGS84), by code."""
    rows = cells.filter(is_active=True).order_by("code").values_list("code", "boundary")
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": boundary,
                "properties": {"code": code, "label": code[-3:]},
            }
            for code, boundary in rows
        ],
    }


def tile_config() -> dict:
    """The background of every map: its tile layers (``settings.MAP_TILE_LAYERS``, none for a
    plain background) and whether they are drawn in GCJ-02 (the page then shifts our WGS84)."""
    return {"tiles": settings.MAP_TILE_LAYERS, "gcj02": settings.MAP_TILE_GCJ02}


def point_of(lat: Any, lng: Any) -> list[float] | None:
    """``[lat, lng]`` as numbers, or None when either is missing or not a finite number ("NaN"
    and "inf" parse as floats, but are no place, and NaN is not JSON: the map would not load)."""
    try:
        point = [float(lat), float(lng)]
    except (TypeError, ValueError):
        return None
    return point if all(math.isfinite(x) for x in point) else None


def pick_map(form: BaseForm, communities: QuerySet[Community], *, cells_url: str) -> dict:
    """The map on which a tap sets ``form``'s lat/lng: the point posted (if it is one) and the
    communities' unit grids when they are few; otherwise it starts empty, and choosing a
    community in the form draws that community's grids from ``cells_url`` (its id for 0)."""
    cells = GridCell.objects.filter(community__in=communities)
    few = cells.count() <= PICK_MAP_MAX_CELLS
    return {
        "cells": cells_geojson(cells) if few else None,
        "point": point_of(form["lat"].value(), form["lng"].value()),
        **tile_config(),
        "communityCellsUrl": cells_url,
    }
