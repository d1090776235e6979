"""How a run's numbers are shown: the indicator columns of each subject kind (from the scheme
the run used), each indicator's row on a subject's page, and the city totals' sentence. Shared
by the pages, the exports and the API, so the three always agree."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from assessments.indicators import STEP_CODES
from assessments.models import Run, SubjectKind
from assessments.scheme import DEFAULT_WEIGHTS, INDICATORS, default_rules

# Which weight group of the scheme scores each subject kind (``scheme.DEFAULT_WEIGHTS``).
GROUP_OF_KIND = {
    SubjectKind.OFFICER: "officer",
    SubjectKind.BRIGADE: "officer",
    SubjectKind.DEPARTMENT: "department",
    SubjectKind.COMMUNITY: "region",
    SubjectKind.STREET: "region",
    SubjectKind.DISTRICT: "region",
}
KIND_PLURALS: dict[str, Promise] = {
    SubjectKind.OFFICER: pgettext_lazy("assessment", "Officers"),
    SubjectKind.BRIGADE: pgettext_lazy("assessment", "Brigades"),
    SubjectKind.DEPARTMENT: pgettext_lazy("assessment", "Responsible units"),
    SubjectKind.COMMUNITY: pgettext_lazy("assessment", "Communities"),
    SubjectKind.STREET: pgettext_lazy("assessment", "Streets"),
    SubjectKind.DISTRICT: pgettext_lazy("assessment", "Districts"),
}
GRADE_STYLES = {"A": "success", "B": "primary", "C": "info", "D": "warning", "E": "danger"}


def rules_of(run: Run) -> dict[str, Any]:
    """The rules the run used (its snapshot), or the scheme's while it has not finished."""
    return run.scheme_snapshot or (run.scheme.rules if run.scheme_id else None) or default_rules()


def _in_design_order(codes: list[str], group: str) -> list[str]:
    """``codes`` in DESIGN §8's order (the default weights', then ``INDICATORS``'): a JSON
    object's key order is not kept by PostgreSQL (jsonb sorts keys by length), so the order of
    a run's stored weights says nothing."""
    order = [*DEFAULT_WEIGHTS.get(group, {}), *INDICATORS]
    return sorted(codes, key=order.index)


def indicator_codes(run: Run, kind: str) -> list[str]:
    """The indicators a kind's ranking shows, in DESIGN §8's order (brigades: their officers'
    indicators summed, the survey, and the desk steps' on-time rates of runs that counted
    them)."""
    group = GROUP_OF_KIND[kind]
    weights = rules_of(run).get("weights", {}).get(group, {})
    codes = _in_design_order([code for code in weights if code in INDICATORS], group)
    if kind == SubjectKind.BRIGADE:
        codes.append("survey")
        if run.totals and "register_due" in run.totals:
            codes += list(STEP_CODES.values())
    return codes


def weighted_codes(run: Run, kind: str) -> list[str]:
    """The indicators that carry weight for a kind (a missing one moves its weight)."""
    weights = rules_of(run).get("weights", {}).get(GROUP_OF_KIND[kind], {})
    codes = [code for code, weight in weights.items() if weight and code in INDICATORS]
    if kind == SubjectKind.BRIGADE:
        codes.append("survey")
    return codes


@dataclass
class IndicatorRow:
    code: str
    label: Promise
    numerator: Promise
    denominator: Promise
    num: int | None
    den: int | None
    rate: float | None
    points: float | None
    weight: float | None
    penalty: bool
    scored_by_table: bool

    @property
    def missing(self) -> bool:
        return self.rate is None


def indicator_rows(indicators: dict[str, Any], codes: list[str]) -> list[IndicatorRow]:
    rows = []
    for code in codes:
        meta = INDICATORS[code]
        entry = indicators.get(code) or {}
        rows.append(
            IndicatorRow(
                code=code,
                label=meta.label,
                numerator=meta.numerator,
                denominator=meta.denominator,
                num=entry.get("num"),
                den=entry.get("den"),
                rate=entry.get("rate"),
                points=entry.get("points"),
                weight=entry.get("weight"),
                penalty=meta.scoring == "penalty",
                scored_by_table=meta.scoring == "table",
            )
        )
    return rows


def rate_percent(rate: Any) -> int | None:
    """A rate of ``Run.totals`` (``engine`` keeps them as percentages with one decimal, 66.7)
    as a whole percentage, rounded half up as the engine rounds."""
    if not isinstance(rate, int | float | Decimal):
        return None
    return int(Decimal(str(rate)).quantize(Decimal("1"), ROUND_HALF_UP))


def totals_view(totals: dict[str, Any]) -> dict[str, Any]:
    """The keys ``engine.compute`` writes into ``Run.totals`` (rates as percentages), with the
    whole percentages the sentence shows; absent keys stay None."""
    return {
        "found": totals.get("found"),
        "fixed_on_site": totals.get("fixed_on_site"),
        "on_site_percent": rate_percent(totals.get("on_site_rate")),
        "resident_reports": totals.get("resident_reports"),
        "resident_resolved": totals.get("resident_resolved"),
        "satisfaction_percent": rate_percent(totals.get("satisfaction_rate")),
        "registered": totals.get("registered"),
        "closed": totals.get("closed"),
        "on_time_percent": rate_percent(totals.get("on_time_rate")),
        "officers": totals.get("officers"),
        "brigades": totals.get("brigades"),
        # The command centre's desk steps (absent from runs made before they were counted).
        "steps": [
            {
                "code": code,
                "label": INDICATORS[code].label,
                "due": totals[f"{step}_due"],
                "in_time": totals[f"{step}_in_time"],
                "percent": rate_percent(totals.get(f"{step}_on_time_rate")),
            }
            for step, code in STEP_CODES.items()
            if f"{step}_due" in totals
        ],
    }


def split_721(totals: dict[str, Any]) -> list[dict[str, Any]]:
    """The 721 split (on-site / managed / enforced) for the donut, names translated here."""
    parts = [
        ("split_on_site", _("Fixed on site")),
        ("split_managed", _("Managed (referred)")),
        ("split_enforced", _("Enforced")),
    ]
    return [
        {"name": str(label), "value": totals.get(key) or 0}
        for key, label in parts
        if totals.get(key) is not None
    ]
