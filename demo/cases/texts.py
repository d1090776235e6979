"""The Chinese texts demo tickets are written with, read once from data/demo_texts.json.

Its "_about" says how each table is keyed and drawn from.
"""

import json
from pathlib import Path
from typing import Any

DATA_PATH = Path(__file__).resolve().parent.parent / "data" / "demo_texts.json"


def _load() -> dict[str, Any]:
    with DATA_PATH.open(encoding="utf-8") as f:
        return json.load(f)


_TEXTS = _load()
DESCRIPTIONS: dict[str, list[str]] = _TEXTS["descriptions"]
COMPONENT_DESCRIPTIONS: list[str] = _TEXTS["component_descriptions"]
EVENT_DESCRIPTIONS: list[str] = _TEXTS["event_descriptions"]
SOURCE_OPENINGS: dict[str, str] = _TEXTS["source_openings"]
RESIDENT_CLOSINGS: list[str] = _TEXTS["resident_closings"]
SPOTS: list[str] = _TEXTS["spots"]
FIXED_NOTES: dict[str, str] = _TEXTS["fixed_notes"]
DEFAULT_FIXED_NOTE: str = _TEXTS["default_fixed_note"]
REJECT_NOTES: dict[str, str] = _TEXTS["reject_notes"]
INTERNAL_NOTES: list[str] = _TEXTS["internal_notes"]
# JSON keys are strings; scores are drawn as ints.
RATING_COMMENTS: dict[int, list[str]] = {
    int(score): comments for score, comments in _TEXTS["rating_comments"].items()
}
