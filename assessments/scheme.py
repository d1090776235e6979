"""The indicators of the monthly assessment (综合评价, DESIGN §8) and the default scheme.

An indicator is a rate (numerator / denominator) turned into points out of 100, or, for the
hotline complaints, a count looked up in a table. A ``Scheme`` stores, per subject type, the
weight of each indicator, the hotline table, the grade thresholds and the survey's share of a
brigade's composite; a ``Run`` keeps a copy (``Run.scheme_snapshot``), so a published month never
changes when an assessor edits the weights later.
"""

import functools
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Scoring(StrEnum):
    RATE = "rate"  # points = 100 × rate
    PENALTY = "penalty"  # points = 100 − 100 × rate
    TABLE = "table"  # points looked up from the count in the scheme's hotline table
    INFO = "info"  # shown, never scored (cases per grid)


@dataclass(frozen=True)
class Indicator:
    code: str
    label: Promise  # the name the bureau uses, 有效上报率 …
    numerator: Promise
    denominator: Promise
    scoring: Scoring


INDICATORS: dict[str, Indicator] = {
    indicator.code: indicator
    for indicator in (
        Indicator(
            "valid_reports",
            _("Valid report rate"),
            _("valid reports"),
            _("reports found"),
            Scoring.RATE,
        ),
        Indicator(
            "on_site", _("On-site fix rate"), _("fixed on site"), _("reports found"), Scoring.RATE
        ),
        Indicator(
            "on_time",
            _("On-time disposal rate"),
            _("resolved by the deadline"),
            _("due in the month"),
            Scoring.RATE,
        ),
        Indicator("rework", _("Rework rate"), _("reworked"), _("resolved"), Scoring.PENALTY),
        Indicator(
            "missed",
            _("Missed report rate"),
            _("first reported by residents or the hotline"),
            _("registered in the grids"),
            Scoring.PENALTY,
        ),
        Indicator(
            "logs",
            _("Daily log completeness"),
            _("duty days with a submitted log"),
            _("duty days"),
            Scoring.RATE,
        ),
        Indicator(
            "satisfaction",
            _("Resident satisfaction"),
            _("ratings of 4–5"),
            _("ratings"),
            Scoring.RATE,
        ),
        Indicator(
            "hotline",
            _("Hotline complaints"),
            _("hotline complaints"),
            _("complaints (scored by table)"),
            Scoring.TABLE,
        ),
        Indicator(
            "survey",
            _("Survey score"),
            _("points given"),
            _("answers"),
            Scoring.RATE,
        ),
        Indicator(
            "closure", _("Closure rate"), _("closed"), _("registered or referred"), Scoring.RATE
        ),
        Indicator(
            "on_time_closure",
            _("On-time closure rate"),
            _("closed by the deadline"),
            _("due in the month"),
            Scoring.RATE,
        ),
        Indicator("cases_per_grid", _("Cases per grid"), _("cases"), _("unit grids"), Scoring.INFO),
        # GB/T 30428.4's desk steps (``cases.step_clocks``), for the brigades and the command
        # centre: shown beside the brigade's score, not weighted into it.
        Indicator(
            "on_time_register",
            _("On-time registration rate"),
            _("registered or rejected in time"),
            _("due for registration in the month"),
            Scoring.RATE,
        ),
        Indicator(
            "on_time_dispatch",
            _("On-time dispatch rate"),
            _("dispatched or referred in time"),
            _("due for dispatch in the month"),
            Scoring.RATE,
        ),
        Indicator(
            "on_time_verify",
            _("On-time verification rate"),
            _("verified in time"),
            _("due for verification in the month"),
            Scoring.RATE,
        ),
    )
}

# Per subject type, the indicators scored and their default weights (each group sums to 100).
# Brigades score as the mean of their officers' composites blended with the survey score
# (``survey_share``); their indicator rows sum their officers' numerators and denominators.
DEFAULT_WEIGHTS: dict[str, dict[str, int]] = {
    "officer": {
        "valid_reports": 10,
        "on_site": 15,
        "on_time": 20,
        "rework": 10,
        "missed": 10,
        "logs": 15,
        "satisfaction": 10,
        "hotline": 10,
    },
    # GB/T 30428.4: 结案率, 按期处置率, 返工率 for the responsible units.
    "department": {"closure": 40, "on_time": 40, "rework": 20},
    # Communities, streets and districts: cases per grid is shown, the two rates are scored.
    "region": {"cases_per_grid": 0, "closure": 50, "on_time_closure": 50},
}

# Hotline complaints on an officer's grids in a month → points: the first row whose
# ``max`` is ≥ the count (``None``: any count).
DEFAULT_HOTLINE_TABLE: list[dict[str, int | None]] = [
    {"max": 0, "points": 100},
    {"max": 1, "points": 90},
    {"max": 2, "points": 80},
    {"max": 4, "points": 60},
    {"max": None, "points": 40},
]

# Lower bounds of grades A–D; anything below D's is E.
DEFAULT_GRADES: dict[str, int] = {"A": 90, "B": 75, "C": 60, "D": 40}

# The survey's share (in %) of a brigade's composite; the rest is its officers' mean.
DEFAULT_SURVEY_SHARE = 20

# What a survey asks by default (1–5 each); an assessor may reword them per survey.
DEFAULT_SURVEY_QUESTIONS: list[str] = [
    "巡查是否到位，问题发现是否及时",
    "问题处置是否及时、有效",
    "工作态度与服务群众情况",
    "与街道、社区、商户的沟通协作",
]


def default_questions() -> list[str]:
    return list(DEFAULT_SURVEY_QUESTIONS)


def default_rules() -> dict[str, Any]:
    """A fresh copy of the defaults, the shape ``Scheme.rules`` and ``Run.scheme_snapshot`` keep."""
    return {
        "weights": {subject: dict(weights) for subject, weights in DEFAULT_WEIGHTS.items()},
        "hotline_table": [dict(row) for row in DEFAULT_HOTLINE_TABLE],
        "grades": dict(DEFAULT_GRADES),
        "survey_share": DEFAULT_SURVEY_SHARE,
    }


def hotline_points(count: int, table: list[dict[str, Any]]) -> Fraction:
    """Points for ``count`` hotline complaints under ``table`` (rows in increasing ``max``),
    exactly: ``points`` may be a whole number or a decimal one (90.5), given as JSON."""
    for row in table:
        if row["max"] is None or count <= row["max"]:
            return exact(row["points"])
    return exact(table[-1]["points"]) if table else Fraction(0)


def grade_of(composite: float | Decimal | None, grades: dict[str, Any]) -> str:
    """A–E for a composite score; an empty string when there is nothing to grade. Thresholds
    may be whole or decimal numbers; they are compared as exact values."""
    if composite is None:
        return ""
    score = exact(composite)
    for grade in ("A", "B", "C", "D"):
        if score >= exact(grades[grade]):
            return grade
    return "E"


@functools.lru_cache(maxsize=512, typed=True)
def exact(value: float | int | Decimal) -> Fraction:
    # Through str, so a float from JSON (90.5, 0.1) is the decimal the assessor typed. Cached:
    # a month's scoring asks for the same few weights and bounds thousands of times.
    return Fraction(str(value))
