"""Measure grids.services.locate_id(): microseconds a point over the cells in the database.

    .venv/bin/python bench/locate_bench.py [points]

Run after `manage.py seed_demo` (about 2,500 cells). Half the points fall in cells, half not.
Target (DESIGN §9): ≤ 0.2 ms a point at 2,500 cells.
"""

import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citymgmt.settings")

import django

django.setup()

from django.db.models import Max, Min  # noqa: E402

from grids.locator import locate_id  # noqa: E402
from grids.models import GridCell  # noqa: E402


def measure_locate(points: int = 100_000) -> dict[str, float]:
    """Microseconds a point for ``points`` points, half in cells (near a centroid), half anywhere
    in the city's bounding box."""
    cells = GridCell.objects.filter(is_active=True)
    count = cells.count()
    if not count:
        sys.exit("No grid cells: run `manage.py seed_demo` first.")
    box = cells.aggregate(Min("min_lng"), Min("min_lat"), Max("max_lng"), Max("max_lat"))
    centroids = list(cells.values_list("centroid_lat", "centroid_lng"))
    rng = random.Random(2022)
    sample = []
    for i in range(points):
        if i % 2:
            lat, lng = rng.choice(centroids)
            sample.append((lat + rng.uniform(-3e-4, 3e-4), lng + rng.uniform(-3e-4, 3e-4)))
        else:
            sample.append(
                (
                    rng.uniform(box["min_lat__min"], box["max_lat__max"]),
                    rng.uniform(box["min_lng__min"], box["max_lng__max"]),
                )
            )
    locate_id(*sample[0])  # build the tree outside the timing
    started = time.perf_counter()
    found = sum(locate_id(lat, lng) is not None for lat, lng in sample)
    elapsed = time.perf_counter() - started
    return {"cells": count, "points": points, "found": found, "us": elapsed / points * 1e6}


def main(points: int = 100_000) -> None:
    m = measure_locate(points)
    print(f"cells: {m['cells']}  points: {m['points']}  located: {m['found']}")
    print(f"locate_id: {m['us']:.1f} µs a point (target ≤ 200 µs)")


if __name__ == "__main__":
    from generate import city_clock

    with city_clock():  # the app's "now" is the city's
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
