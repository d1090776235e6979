"""The computation of a month's scores (DESIGN §8), in SQL aggregates.

``compute`` returns unsaved ``Score`` rows and the city totals; ``services.execute_run`` stores
them in one transaction. It calls ``progress(percent, note)`` between its steps.

Every ticket count is one ``annotate(Count(..., filter=...))`` per way of belonging to a subject
(found by, assigned to, in the grids of, referred to, in the region), over all subjects at once,
with the filters of ``assessments.indicators``; duty days come from one query over the month's
postings and the official calendar (``patrols.duty``). The number of SQL statements does not
depend on how many officers or tickets there are. Python only walks subject rows: scoring,
ranking, the brigades' means.

**Score.indicators** entries ``{num, den, rate, points, weight}``:

- rate / penalty indicators: ``rate = num / den``; ``points`` = 100 × rate (penalty: 100 − that),
  rounded to 2 decimals. ``den == 0``: n/a, ``rate`` and ``points`` are None and ``weight`` 0.
- ``hotline`` (scored by the scheme's table): ``num`` and ``den`` are both the complaints,
  ``rate`` is None, ``points`` come from the table; never n/a.
- ``cases_per_grid`` (information, never scored): ``num`` tickets registered, ``den`` active
  unit grids, ``rate = num / den``, ``points`` None, ``weight`` 0.
- ``weight`` is the weight applied after redistribution: the scheme's weights of the indicators
  that exist, scaled to sum to 100 (so an entry's weight differs from the scheme's exactly when
  something was n/a). A brigade's officer-indicator entries sum its officers' counts and weigh 0
  (its composite is its officers' mean); its ``survey`` entry has ``num`` the sum of the points
  given, ``den`` the answers, ``points`` their mean and ``weight`` the survey's share.

**Composite** = Σ applied weight × points / 100, computed exactly and rounded half-up to 2
decimals; None (no grade, no rank) when nothing could be scored. Brigades: (100 − share)% × the
mean of their officers' composites + share% × the survey score; no answers: the officers' mean.
Ranks per subject type, ties share a rank (1, 2, 2, 4). ``previous_composite`` and ``change``
compare with the same subject in the latest published run of the month before.

**Run.totals** (read by the month overview), counts are ints, ``*_rate`` are percentages with one
decimal (None when nothing to divide by):

- ``found``, ``fixed_on_site``, ``on_site_rate``: tickets found on patrol in the month, of which
  fixed on site;
- ``resident_reports`` (resident + 12345 hotline reported in the month), ``resident_resolved``
  (of those, resolved by now);
- ``satisfaction_rate``: ratings of 4–5 among the month's ratings (``rated``);
- ``registered``, ``closed`` (of those registered in the month), ``on_time_rate`` (tickets due
  in the month resolved by their deadline, ``due``);
- the command centre's desk steps, city-wide (``cases.step_clocks``): ``register_due``,
  ``register_in_time``, ``register_on_time_rate`` (按时立案率), and likewise ``dispatch_*``
  (按时派遣率) and ``verify_*`` (按时核查率): steps due in the month, taken by their due time;
- the 721 split among the month's registered tickets: ``split_on_site`` (fixed on site),
  ``split_managed`` (referred to a unit), ``split_enforced`` (enforcement route);
- ``officers``, ``brigades``: how many were scored;
- ``na``: ``{subject type: [indicator codes]}`` the indicators that were n/a for every subject of
  that type (their weight went to the others, city-wide); ``redistributed``: ``{subject type:
  count}`` of subjects with at least one n/a indicator.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Count, F, FilteredRelation, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Officer, Unit, UnitKind
from assessments.indicators import (
    DEPARTMENT_INDICATORS,
    OFFICER_INDICATORS,
    REGION_FIELD,
    STEP_CODES,
    STEP_INDICATORS,
    TicketIndicator,
    Window,
    region_indicators,
    totals_filters,
)
from assessments.models import Run, Score, SubjectKind
from assessments.scheme import INDICATORS, Scoring, exact, grade_of, hotline_points
from assessments.surveys import brigade_survey_totals
from cases.models import Ticket
from grids.models import Assignment, Community, District, GridCell, Street
from patrols.duty import is_duty_day
from patrols.models import SUBMITTED_STATES, DailyLog

CENT = Decimal("0.01")
# An officer's indicators in the scheme's order: the ticket counts and the daily logs.
OFFICER_CODES = [code for code in INDICATORS if code in OFFICER_INDICATORS or code == "logs"]
Counts = dict[str, tuple[int, int]]  # code → (num, den)


@dataclass
class Result:
    scores: list[Score] = field(default_factory=list)
    totals: dict[str, Any] = field(default_factory=dict)


def compute(
    *, month: datetime.date, rules: dict[str, Any], progress: Callable[[int, str], None]
) -> Result:
    """Every subject's scores for ``month`` under ``rules`` (the shape of
    ``scheme.default_rules()``)."""
    window = Window.of(month)
    result = Result()

    progress(5, _("Officers' reports and cases (1/5)"))
    officers = _officers(window)
    counts = _ticket_counts(OFFICER_INDICATORS, window, officers.keys())
    logs = _log_counts(window, officers)
    officer_scores = []
    for officer_id, (officer, brigade_id) in officers.items():
        entries = counts.get(officer_id, {})
        entries = {code: entries.get(code, (0, 0)) for code in OFFICER_INDICATORS}
        entries["logs"] = logs.get(officer_id, (0, 0))
        score = Score(
            kind=SubjectKind.OFFICER,
            officer_id=officer_id,
            brigade_id=brigade_id,
            name=str(officer.user)[:120],
        )
        _score(score, entries, rules["weights"]["officer"], rules)
        officer_scores.append(score)

    progress(30, _("Brigades and surveys (2/5)"))
    brigade_scores = _brigades(window, officer_scores, rules)

    progress(45, _("Responsible units (3/5)"))
    department_scores = _departments(window, rules)

    progress(60, _("Communities, streets and districts (4/5)"))
    region_scores = _regions(window, rules)

    progress(80, _("Ranks and last month (5/5)"))
    groups = [officer_scores, brigade_scores, department_scores, *region_scores]
    for group in groups:
        _rank(group)
    result.scores = [score for group in groups for score in group]
    _compare_with_previous(month, result.scores)
    result.totals = _totals(window, result.scores)
    progress(95, _("Saving the scores"))
    return result


# --- who is assessed ---------------------------------------------------------------------------


def _postings(window: Window):
    return Assignment.objects.filter(valid_from__lte=window.last).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=window.first)
    )


def _officers(window: Window) -> dict[int, tuple[Officer, int]]:
    """Officers with any posting valid in the month (active today or not), with their brigade
    that month: the brigade covering the community of their latest posting in the month, which
    follows a transfer better than ``Officer.brigade`` (today's); their own as a fallback."""
    brigade_of: dict[int, int] = {}
    rows = (
        _postings(window)
        .order_by("officer_id", "valid_from", "pk")
        .values_list("officer_id", "community__brigade_id")
    )
    for officer_id, brigade_id in rows:
        brigade_of[officer_id] = brigade_id  # later postings win
    officers = Officer.objects.filter(pk__in=brigade_of).select_related("user")
    return {o.pk: (o, brigade_of[o.pk] or o.brigade_id) for o in officers}


# --- counting ----------------------------------------------------------------------------------


def _ticket_counts(
    definitions: dict[str, TicketIndicator], window: Window, subjects: Iterable[int] | None
) -> dict[int, Counts]:
    """``{subject id: {code: (num, den)}}`` for every definition, one query per subject field."""
    by_group: dict[tuple[str, bool], list[TicketIndicator]] = defaultdict(list)
    for definition in definitions.values():
        by_group[(definition.group, definition.link is not None)].append(definition)
    out: dict[int, Counts] = defaultdict(dict)
    for (group, linked), members in by_group.items():
        if linked:
            rows = _grid_rows(members, window, subjects)
        else:
            rows = _ticket_rows(group, members, window, subjects)
        for row in rows:
            for definition in members:
                code = definition.code
                out[row["subject"]][code] = (row[f"{code}__num"], row[f"{code}__den"])
    return out


def _ticket_rows(
    group: str, members: list[TicketIndicator], window: Window, subjects: Iterable[int] | None
):
    """One row per subject named by a column of the ticket (assignee, unit, community …)."""
    base = Q()
    for definition in members:
        base |= definition.den_q(window)
    condition = Q(**{f"{group}__isnull": False}) & base
    if subjects is not None:
        condition &= Q(**{f"{group}__in": list(subjects)})
    aggregates = {}
    for definition in members:
        aggregates[f"{definition.code}__den"] = Count("pk", filter=definition.den_q(window))
        aggregates[f"{definition.code}__num"] = Count("pk", filter=definition.num_q(window))
    return (
        Ticket.objects.filter(condition).order_by().values(subject=F(group)).annotate(**aggregates)
    )


def _grid_rows(members: list[TicketIndicator], window: Window, subjects: Iterable[int] | None):
    """One row per officer for the tickets in their grids (漏报率, hotline), counted from the
    month's postings outwards: posting → its cells → the month's tickets there, outer joins.

    Rooted at the tickets, the planner may order the joins freely, and with statistics that
    do not yet know the rows (a casebook loaded in the same transaction, a table analysed
    while empty) it chose to scan every ticket for every (posting, cell) pair: minutes for the
    demo city. Outer joins fix the order, the month's conditions sit in the last join's ON
    clause, and each step is an index lookup (or, with real statistics, a hash of the month's
    tickets) whatever the statistics say. A ticket counts for a posting in force on its
    reported day (history), and once per officer however many of their postings cover its
    grid (DISTINCT).
    """
    in_month = Q()
    for definition in members:
        in_month |= definition.den_q(window)
    tickets = "month_tickets__"
    day = TruncDate(f"{tickets}reported_at", tzinfo=timezone.get_current_timezone())
    in_force = Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))
    aggregates = {}
    for definition in members:
        for part, q in (("den", definition.den_q(window)), ("num", definition.num_q(window))):
            aggregates[f"{definition.code}__{part}"] = Count(
                f"{tickets}pk", filter=in_force & _rooted(q, tickets), distinct=True
            )
    postings = Assignment.objects.filter(
        Q(valid_from__lte=window.last) & (Q(valid_to__isnull=True) | Q(valid_to__gte=window.first))
    )
    if subjects is not None:
        postings = postings.filter(officer_id__in=list(subjects))
    return (
        postings.annotate(
            month_tickets=FilteredRelation(
                "grid_cells__tickets", condition=_rooted(in_month, "grid_cells__tickets__")
            )
        )
        .order_by()
        .values(subject=F("officer_id"))
        .annotate(**aggregates)
    )


def _rooted(q: Q, prefix: str) -> Q:
    """``q`` (lookups on Ticket) as seen from a model that reaches tickets through ``prefix``."""
    rooted = Q(_connector=q.connector, _negated=q.negated)
    for child in q.children:
        if isinstance(child, Q):
            rooted.children.append(_rooted(child, prefix))
        else:
            lookup, value = child
            if isinstance(value, F):
                value = F(prefix + value.name)
            rooted.children.append((prefix + lookup, value))
    return rooted


def _log_counts(window: Window, officers: dict[int, tuple[Officer, int]]) -> dict[int, tuple]:
    """``{officer id: (duty days with a submitted log, duty days)}``: the month's postings in one
    query, the official calendar for ≤ 31 days in Python, the submitted logs in one query."""
    postings: dict[int, list[Assignment]] = defaultdict(list)
    for posting in (
        _postings(window).order_by().only("officer_id", "weekdays", "valid_from", "valid_to")
    ):
        postings[posting.officer_id].append(posting)
    days = [window.first + datetime.timedelta(days=n) for n in range(window.last.day)]
    duty: dict[int, set[datetime.date]] = {
        officer_id: {d for d in days if any(is_duty_day(p, d) for p in officer_postings)}
        for officer_id, officer_postings in postings.items()
    }
    logged: dict[int, set[datetime.date]] = defaultdict(set)
    for officer_id, day in (
        DailyLog.objects.filter(
            officer_id__in=list(officers),
            date__gte=window.first,
            date__lte=window.last,
            status__in=SUBMITTED_STATES,
        )
        .order_by()
        .values_list("officer_id", "date")
    ):
        logged[officer_id].add(day)
    return {
        officer_id: (
            len(duty.get(officer_id, set()) & logged[officer_id]),
            len(duty.get(officer_id, ())),
        )
        for officer_id in officers
    }


# --- scoring -----------------------------------------------------------------------------------


def _points(code: str, num: int, den: int, rules: dict[str, Any]) -> tuple:
    """(rate, points) as exact fractions, None when n/a or not scored."""
    scoring = INDICATORS[code].scoring
    if scoring == Scoring.TABLE:
        return None, hotline_points(num, rules["hotline_table"])
    if den == 0:
        return None, None
    rate = Fraction(num, den)
    if scoring == Scoring.INFO:
        return rate, None
    if scoring == Scoring.PENALTY:
        return rate, 100 - 100 * rate
    return rate, 100 * rate


def _decimal(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        CENT, rounding=ROUND_HALF_UP
    )


def _score(
    score: Score, counts: dict[str, tuple[int, int]], weights: dict[str, float], rules: dict
) -> None:
    """Fill ``score.indicators``, ``composite`` and ``grade`` from the counts and the weights;
    n/a indicators give their weight to the others in proportion."""
    scored: dict[str, tuple] = {}
    for code in INDICATORS:  # the scheme's order, whatever order the counts came in
        if code in counts:
            num, den = counts[code]
            scored[code] = (num, den, *_points(code, num, den, rules))
    present = {
        code: exact(weights.get(code, 0))
        for code, (_n, _d, _r, points) in scored.items()
        if points is not None and INDICATORS[code].scoring != Scoring.INFO
    }
    total_weight = sum(present.values(), Fraction(0))
    entries = {}
    composite = Fraction(0)
    for code, (num, den, rate, points) in scored.items():
        applied = Fraction(0)
        if code in present and total_weight:
            applied = present[code] * 100 / total_weight
            composite += applied * points / 100
        entries[code] = {
            "num": num,
            "den": den,
            "rate": None if rate is None else float(rate),
            "points": None if points is None else float(_decimal(points)),
            "weight": round(float(applied), 4),
        }
    score.indicators = entries
    if total_weight:
        score.composite = _decimal(composite)
        score.grade = grade_of(score.composite, rules["grades"])
    else:
        score.composite = None
        score.grade = ""


def _brigades(window: Window, officer_scores: list[Score], rules: dict) -> list[Score]:
    """Brigades: their officers' counts summed, the mean of their officers' composites and the
    survey score of the month (the mean of the answers' points, in SQL); beside them, not
    weighted, the desk steps' on-time rates of the brigade's tickets (one query)."""
    members: dict[int, list[Score]] = defaultdict(list)
    for score in officer_scores:
        members[score.brigade_id].append(score)
    surveys = brigade_survey_totals(window.first)
    steps = _ticket_counts(STEP_INDICATORS, window, None)
    brigades = Unit.objects.filter(
        Q(pk__in=list(members)) | Q(pk__in=list(surveys)) | Q(pk__in=list(steps))
    ).order_by("code")
    share = Fraction(str(rules["survey_share"]))
    out = []
    for brigade in brigades:
        team = members.get(brigade.pk, [])
        entries = {}
        for code in OFFICER_CODES:
            num = sum(s.indicators[code]["num"] for s in team)
            den = sum(s.indicators[code]["den"] for s in team)
            rate, points = _points(code, num, den, rules)
            if INDICATORS[code].scoring == Scoring.TABLE:
                points = None  # the table scores one officer's grids, not a brigade's
            entries[code] = {
                "num": num,
                "den": den,
                "rate": None if rate is None else float(rate),
                "points": None if points is None else float(_decimal(points)),
                "weight": 0.0,
            }
        for code in STEP_INDICATORS:
            num, den = steps.get(brigade.pk, {}).get(code, (0, 0))
            rate, points = _points(code, num, den, rules)
            entries[code] = {
                "num": num,
                "den": den,
                "rate": None if rate is None else float(rate),
                "points": None if points is None else float(_decimal(points)),
                "weight": 0.0,
            }
        composites = [Fraction(str(s.composite)) for s in team if s.composite is not None]
        mean = sum(composites, Fraction(0)) / len(composites) if composites else None
        survey = surveys.get(brigade.pk)
        survey_points = None
        if survey:
            survey_points = Fraction(str(survey[0])) / survey[1]
        entries["survey"] = {
            "num": float(survey[0]) if survey else 0,
            "den": survey[1] if survey else 0,
            "rate": None if survey_points is None else float(survey_points / 100),
            "points": None if survey_points is None else float(_decimal(survey_points)),
            "weight": float(share) if survey_points is not None and mean is not None else 0.0,
        }
        if survey_points is not None and mean is None:
            entries["survey"]["weight"] = 100.0
        if mean is not None and survey_points is not None:
            composite = (100 - share) * mean / 100 + share * survey_points / 100
        else:
            composite = mean if mean is not None else survey_points
        score = Score(
            kind=SubjectKind.BRIGADE, unit=brigade, brigade=brigade, name=brigade.name[:120]
        )
        score.indicators = entries
        if composite is not None:
            score.composite = _decimal(composite)
            score.grade = grade_of(score.composite, rules["grades"])
        out.append(score)
    return out


def _departments(window: Window, rules: dict) -> list[Score]:
    """Responsible units (kind department): 结案率, 按期处置率, 返工率 of what was referred."""
    counts = _ticket_counts(DEPARTMENT_INDICATORS, window, None)
    units = Unit.objects.filter(
        Q(kind=UnitKind.DEPARTMENT) & (Q(is_active=True) | Q(pk__in=list(counts)))
    )
    out = []
    for unit in units.order_by("code"):
        score = Score(kind=SubjectKind.DEPARTMENT, unit=unit, name=unit.name[:120])
        entries = {
            code: counts.get(unit.pk, {}).get(code, (0, 0)) for code in DEPARTMENT_INDICATORS
        }
        _score(score, entries, rules["weights"]["department"], rules)
        out.append(score)
    return out


def _regions(window: Window, rules: dict) -> list[list[Score]]:
    """Communities, streets and districts: the month's tickets counted once per (community,
    street, district) and rolled up to each level (counts add up: a ticket has one of each), and
    the active grids per community rolled up the same way."""
    grids: dict[str, dict[int, int]] = {kind: defaultdict(int) for kind in REGION_FIELD}
    for row in (
        GridCell.objects.filter(is_active=True)
        .order_by()
        .values("community_id", "community__street_id", "community__street__district_id")
        .annotate(n=Count("pk"))
    ):
        grids["community"][row["community_id"]] += row["n"]
        grids["street"][row["community__street_id"]] += row["n"]
        grids["district"][row["community__street__district_id"]] += row["n"]
    counts = _region_counts(window)
    subjects = {
        "community": Community.objects.order_by("code"),
        "street": Street.objects.order_by("code"),
        "district": District.objects.order_by("code"),
    }
    out = []
    for kind, model_rows in subjects.items():
        definitions = region_indicators(kind)
        level = []
        for place in model_rows:
            entries = {
                code: counts[kind].get(place.pk, {}).get(code, (0, 0)) for code in definitions
            }
            registered = entries["cases_per_grid"][0]
            entries["cases_per_grid"] = (registered, grids[kind].get(place.pk, 0))
            score = Score(kind=kind, name=place.name[:120], **{kind: place})
            _score(score, entries, rules["weights"]["region"], rules)
            level.append(score)
        out.append(level)
    return out


def _region_counts(window: Window) -> dict[str, dict[int, dict[str, tuple[int, int]]]]:
    """``{kind: {place id: {code: (num, den)}}}`` for the three levels from one query grouped by
    the ticket's community, street and district (one scan of the month instead of three)."""
    definitions = region_indicators("community")  # the same filters at every level
    in_month = Q()
    aggregates = {}
    for definition in definitions.values():
        in_month |= definition.den_q(window)
        aggregates[f"{definition.code}__den"] = Count("pk", filter=definition.den_q(window))
        aggregates[f"{definition.code}__num"] = Count("pk", filter=definition.num_q(window))
    located = Q(community__isnull=False) | Q(street__isnull=False) | Q(district__isnull=False)
    rows = (
        Ticket.objects.filter(in_month & located)
        .order_by()
        .values("community_id", "street_id", "district_id")
        .annotate(**aggregates)
    )
    out: dict[str, dict[int, dict[str, list[int]]]] = {kind: {} for kind in REGION_FIELD}
    for row in rows:
        for kind in REGION_FIELD:
            place = row[f"{REGION_FIELD[kind]}_id"]
            if place is None:
                continue
            entry = out[kind].setdefault(place, {code: [0, 0] for code in definitions})
            for code in definitions:
                entry[code][0] += row[f"{code}__num"]
                entry[code][1] += row[f"{code}__den"]
    return {
        kind: {place: {c: (n, d) for c, (n, d) in e.items()} for place, e in places.items()}
        for kind, places in out.items()
    }


def _rank(scores: list[Score]) -> None:
    """Rank by composite, highest first; ties share a rank (1, 2, 2, 4); no composite, no rank."""
    ranked = sorted((s for s in scores if s.composite is not None), key=lambda s: -s.composite)
    for position, score in enumerate(ranked):
        if position and score.composite == ranked[position - 1].composite:
            score.rank = ranked[position - 1].rank
        else:
            score.rank = position + 1


def _subject_key(score: Score) -> tuple:
    return (
        score.kind,
        score.officer_id,
        score.unit_id,
        score.community_id,
        score.street_id,
        score.district_id,
    )


def _compare_with_previous(month: datetime.date, scores: list[Score]) -> None:
    """``previous_composite`` and ``change`` from the month before's latest published run."""
    from citymgmt.months import previous_month

    previous = (
        Run.objects.filter(month=previous_month(month), published=True)
        .order_by("-published_at", "-pk")
        .values("pk")[:1]
    )
    before = {
        (row[0], *row[1:6]): row[6]
        for row in Score.objects.filter(run__in=previous)
        .order_by()
        .values_list(
            "kind", "officer_id", "unit_id", "community_id", "street_id", "district_id", "composite"
        )
    }
    for score in scores:
        last = before.get(_subject_key(score))
        score.previous_composite = last
        if last is not None and score.composite is not None:
            score.change = score.composite - last


def _rate(num: int, den: int) -> float | None:
    """A percentage with one decimal, rounded half up once."""
    if not den:
        return None
    return float((Decimal(100 * num) / Decimal(den)).quantize(Decimal("0.1"), ROUND_HALF_UP))


def _totals(window: Window, scores: list[Score]) -> dict[str, Any]:
    """The city's figures for the overview: one aggregate query over the month's tickets."""
    filters = totals_filters(window)
    any_of = Q()
    for condition in filters.values():
        any_of |= condition
    row = Ticket.objects.filter(any_of).aggregate(
        **{name: Count("pk", filter=condition) for name, condition in filters.items()}
    )
    totals: dict[str, Any] = {
        "found": row["found"],
        "fixed_on_site": row["fixed_on_site"],
        "on_site_rate": _rate(row["fixed_on_site"], row["found"]),
        "resident_reports": row["resident_reports"],
        "resident_resolved": row["resident_resolved"],
        "rated": row["rated"],
        "satisfaction_rate": _rate(row["rated_good"], row["rated"]),
        "registered": row["registered"],
        "closed": row["closed"],
        "due": row["due"],
        "on_time_rate": _rate(row["due_on_time"], row["due"]),
        "split_on_site": row["split_on_site"],
        "split_managed": row["split_managed"],
        "split_enforced": row["split_enforced"],
        "governance_opened": row["governance_opened"],
        "governance_cured": row["governance_cured"],
        **{
            key: value
            for step in STEP_CODES
            for key, value in (
                (f"{step}_due", row[f"{step}_due"]),
                (f"{step}_in_time", row[f"{step}_due_in_time"]),
                (f"{step}_on_time_rate", _rate(row[f"{step}_due_in_time"], row[f"{step}_due"])),
            )
        },
        "officers": sum(1 for s in scores if s.kind == SubjectKind.OFFICER),
        "brigades": sum(1 for s in scores if s.kind == SubjectKind.BRIGADE),
    }
    na: dict[str, list[str]] = {}
    redistributed: dict[str, int] = {}
    for kind in SubjectKind.values:
        of_kind = [s for s in scores if s.kind == kind]
        if not of_kind:
            continue
        codes = [
            code
            for code in of_kind[0].indicators
            if INDICATORS[code].scoring not in (Scoring.INFO, Scoring.TABLE)
            and code not in STEP_INDICATORS  # shown, never weighted: no weight to share
            and all(s.indicators[code]["points"] is None for s in of_kind)
        ]
        if codes:
            na[kind] = codes
        redistributed[kind] = sum(
            1
            for s in of_kind
            if any(
                e["points"] is None
                and INDICATORS[c].scoring in (Scoring.RATE, Scoring.PENALTY)
                and c not in STEP_INDICATORS
                for c, e in s.indicators.items()
            )
        )
    totals["na"] = na
    totals["redistributed"] = redistributed
    return totals
