"""Measure what a photo upload costs a web worker: time and peak memory of cleaning a form with
photos, from a normal upload (what the page sends after shrinking a phone photo to 2048 px) to
the worst one the limits let through, and the crafted posts of issue 18 (one-colour PNGs of a few
kilobytes claiming 40 Mpx).

    .venv/bin/python bench/photo_bench.py [--reps 5] [--json]

No database: each case cleans a form of the project's own kind (``citymgmt.forms.StyledForm``,
``cases.forms.PhotosField``: header read while cleaning, pixels decoded only when the rest of the
form is valid) holding one required text field, filled or left empty. Each case runs in a fresh
Python process so its memory is its own: peak RSS (``VmHWM``, the high-water mark of the
process's memory, which exec resets) above the process's own after a warm-up, and the median time
over ``--reps``. Target (issue 18 item 3): the worst upload costs
at most a few times a normal one, and a refused form decodes nothing.

bench/run.py can call ``measure(reps)`` (a list of dicts, one a case) or run this file with
``--json``.
"""

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

# name: (what it is, files (kind, width, height, count), the rest of the form valid?)
CASES: dict[str, tuple[str, tuple[str, int, int, int], bool]] = {
    "normal": ("1 photo as the page sends it (2048×1536 JPEG)", ("jpeg", 2048, 1536, 1), True),
    "normal_x3": ("3 photos as the page sends them", ("jpeg", 2048, 1536, 3), True),
    "phone_x3": ("3 full-size 12 Mpx phone JPEGs (no JS)", ("jpeg", 4000, 3000, 3), True),
    "worst_png_x3": ("3 one-colour PNGs at the 16 Mpx limit", ("png", 4000, 4000, 3), True),
    "worst_jpeg_x3": ("3 noisy JPEGs at the 16 Mpx limit", ("jpeg", 4000, 4000, 3), True),
    "crafted_40mpx_x3_refused": (
        "issue 18: 3 one-colour 6400×6250 PNGs, no other field",
        ("png", 6400, 6250, 3),
        False,
    ),
    "limit_png_x3_refused": (
        "3 one-colour 16 Mpx PNGs, the rest of the form invalid",
        ("png", 4000, 4000, 3),
        False,
    ),
}


def _photo(kind: str, width: int, height: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    if kind == "png":
        Image.new("RGB", (width, height), (255, 255, 255)).save(out, "PNG")
    else:
        # A photo's worth of detail: noise over a gradient, at a phone's quality.
        base = Image.linear_gradient("L").resize((width, height)).convert("RGB")
        noise = Image.effect_noise((width, height), 30).convert("RGB")
        Image.blend(base, noise, 0.3).save(out, "JPEG", quality=85)
    return out.getvalue()


def _peak_kib() -> int:
    """The process's peak resident memory so far, KiB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status (this bench needs Linux)")


def _child(case: str, folder: Path, reps: int) -> dict[str, Any]:
    """One case, in this (fresh) process: median time and peak RSS above the warm-up's."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citymgmt.settings")
    import django

    django.setup()
    from django import forms
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils.datastructures import MultiValueDict

    from cases.forms import PhotosField
    from citymgmt.forms import StyledForm

    class PhotoForm(StyledForm):
        description = forms.CharField()
        photos = PhotosField(required=False)

    _what, (kind, width, height, count), valid = CASES[case]
    data = (folder / f"{kind}-{width}x{height}").read_bytes()
    ext = "png" if kind == "png" else "jpg"

    def clean(blob: bytes, n: int, filled: bool) -> bool:
        files = [
            SimpleUploadedFile(f"p{i}.{ext}", blob, content_type=f"image/{kind}") for i in range(n)
        ]
        form = PhotoForm(
            {"description": "垃圾" if filled else ""}, MultiValueDict({"photos": files})
        )
        return form.is_valid()

    clean((folder / "jpeg-64x48").read_bytes(), 1, True)  # warm-up: codecs, translations
    before = _peak_kib()
    times, accepted = [], None
    for _rep in range(reps):
        start = time.perf_counter()
        accepted = clean(data, count, valid)
        times.append(time.perf_counter() - start)
    peak = _peak_kib()
    return {
        "case": case,
        "accepted": accepted,
        "bytes": len(data) * count,
        "ms": statistics.median(times) * 1000,
        "peak_mib": max(0, peak - before) / 1024,
    }


def measure(reps: int = 5) -> list[dict[str, Any]]:
    """Every case, each in its own process; ``ratio`` is its time over the normal upload's."""
    with tempfile.TemporaryDirectory(prefix="photo-bench-") as tmp:
        folder = Path(tmp)
        shapes = {spec[:3] for _w, spec, _v in CASES.values()} | {("jpeg", 64, 48)}
        for kind, width, height in shapes:
            (folder / f"{kind}-{width}x{height}").write_bytes(_photo(kind, width, height))
        rows = []
        for case, (what, _spec, _valid) in CASES.items():
            out = subprocess.run(
                [sys.executable, __file__, "--child", case, "--folder", tmp, "--reps", str(reps)],
                check=True,
                capture_output=True,
                text=True,
                cwd=ROOT,
            ).stdout
            rows.append({**json.loads(out.strip().splitlines()[-1]), "what": what})
    normal = next(row["ms"] for row in rows if row["case"] == "normal")
    for row in rows:
        row["ratio"] = row["ms"] / normal
    return rows


def render(rows: list[dict[str, Any]]) -> str:
    lines = [
        f"{'case':<26} {'KiB sent':>9} {'ok':>3} {'ms':>8} {'× normal':>9} {'peak MiB':>9}  what",
    ]
    for row in rows:
        lines.append(
            f"{row['case']:<26} {row['bytes'] / 1024:>9.0f} {'yes' if row['accepted'] else 'no':>3}"
            f" {row['ms']:>8.1f} {row['ratio']:>9.1f} {row['peak_mib']:>9.1f}  {row['what']}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=5, help="timed runs a case (5)")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.child, Path(args.folder), args.reps)))
        return
    rows = measure(args.reps)
    print(json.dumps(rows, ensure_ascii=False, indent=1) if args.json else render(rows))


if __name__ == "__main__":
    main()
