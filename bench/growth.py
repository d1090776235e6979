"""The page figures as the casebook grows: bench/run.py on several cities, side by side.

    DATABASE_URL=postgres://…/citymgmt_bench .venv/bin/python bench/growth.py \
        --databases citymgmt_bench20k,citymgmt_bench,citymgmt_bench5m [--requests 200]

Each database is a city bench/generate.py built (e.g. ``--tickets 20000 --months 3``, the
default million, ``--tickets 5000000 --months 60``), on the server and with the credentials of
DATABASE_URL. For each, in turn, ``bench/run.py --figures pages`` (or ``--figures``) runs in a
process of its own (its figures to a JSON file), then one table puts them side by side: per
page, p95 and the ratio to the page's own bare SQL in each city, and how the p95 moved from the
smallest city to the largest. Targets as in run.py: p95 ≤ 50 ms and ≤ 3× bare at every size;
the cold queue flat with the casebook.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]


def run_city(url: str, args: argparse.Namespace, out: Path) -> dict:
    command = [
        sys.executable,
        str(ROOT / "bench" / "run.py"),
        *("--figures", args.figures, "--requests", str(args.requests)),
        *("--json", str(out), "--no-explain"),
    ]
    done = subprocess.run(
        command, cwd=ROOT, env={**os.environ, "DATABASE_URL": url}, text=True, capture_output=True
    )
    if done.returncode != 0 or not out.exists():
        name = url.rsplit("/", 1)[-1]
        sys.exit(f"run.py on {name} failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    print(done.stdout, flush=True)
    return json.loads(out.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", required=True, help="city databases, smallest first")
    parser.add_argument("--requests", type=int, default=200, help="requests a page figure (200)")
    parser.add_argument("--figures", default="pages", help="run.py's --figures (pages)")
    args = parser.parse_args()
    base = urlsplit(os.environ.get("DATABASE_URL", ""))
    if not base.scheme.startswith("postgres"):
        sys.exit("DATABASE_URL names the PostgreSQL server (and credentials) of the cities.")
    names = [name.strip() for name in args.databases.split(",") if name.strip()]
    cities = []
    with tempfile.TemporaryDirectory() as folder:
        for name in names:
            url = urlunsplit(base._replace(path=f"/{name}"))
            cities.append(run_city(url, args, Path(folder) / f"{name}.json"))
    print(render(cities))


def render(cities: list[dict]) -> str:
    keys: list[str] = []
    for city in cities:
        for figure in city["figures"]:
            if "bare" in figure and figure["figure"] not in keys:
                keys.append(figure["figure"])
    width = 18
    head = f"{'page · user (p95, × bare)':<44}" + "".join(
        f"{city['tickets']:>{width},}" for city in cities
    )
    lines = [
        "",
        "growth: p95 ms (× its bare SQL) at each casebook size",
        head + f"{'last ÷ first':>14}",
        "-" * (len(head) + 14),
    ]
    for key in keys:
        cells, p95s = [], []
        for city in cities:
            figure = next((f for f in city["figures"] if f["figure"] == key), None)
            if figure is None:
                cells.append(f"{'—':>{width}}")
                p95s.append(None)
                continue
            p95, ratio = figure["p95"] * 1e3, figure["p95"] / figure["bare"]
            cells.append(f"{f'{p95:.1f} ({ratio:.1f}×)':>{width}}")
            p95s.append(p95)
        growth = f"{p95s[-1] / p95s[0]:.2f}×" if p95s[0] and p95s[-1] else ""
        lines.append(f"{key:<44}" + "".join(cells) + f"{growth:>14}")
    lines += ["", *(f"{city['database']}: {city['city']}" for city in cities)]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
