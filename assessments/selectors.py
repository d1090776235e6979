"""Reads of the monthly assessment, always scoped to who is asking (the issue's "who sees what").

- Assessors (and superusers): every run, published or not, and every score.
- The command centre: published runs, every score.
- A brigade supervisor: published runs; their brigade's score and its officers' scores.
- An officer: published runs; their own score.
- A handler: published runs; their unit's score as a responsible unit.
- Anyone else: nothing (the views answer 403, or send the anonymous to log in).

A person may hold several of these (a brigade leader has an officer profile too): what each
grants is added up. ``viewer`` reads the roles once; everything else takes its answer.
"""

import datetime
import re
from dataclasses import dataclass

from django.db.models import Avg, Count, Q, QuerySet
from django.http import Http404

from accounts.models import User
from accounts.scope import scope_of
from assessments.models import Run, Score, SubjectKind
from citymgmt.months import previous_month


@dataclass(frozen=True)
class Viewer:
    """What one user may see of the assessment."""

    everything: bool = False  # unpublished runs too (assessors)
    city: bool = False  # every score of a run they may see
    brigade_id: int | None = None
    officer_id: int | None = None
    unit_id: int | None = None  # a handler's responsible unit

    @property
    def has_access(self) -> bool:
        return self.city or any(
            x is not None for x in (self.brigade_id, self.officer_id, self.unit_id)
        )

    @property
    def sees_city_totals(self) -> bool:
        """City totals (aggregates of everyone's tickets) are for supervisors and assessors."""
        return self.city or self.brigade_id is not None

    @property
    def kinds(self) -> list[str]:
        """The subject kinds whose ranking this viewer has rows in, in display order."""
        if self.city:
            return list(SubjectKind.values)
        kinds = []
        if self.brigade_id is not None or self.officer_id is not None:
            kinds.append(SubjectKind.OFFICER.value)
        if self.brigade_id is not None:
            kinds.append(SubjectKind.BRIGADE.value)
        if self.unit_id is not None:
            kinds.append(SubjectKind.DEPARTMENT.value)
        return kinds


def viewer(user: User) -> Viewer:
    scope = scope_of(user)
    if not scope.authenticated:
        return Viewer()
    if scope.is_superuser or scope.is_assessor:
        return Viewer(everything=True, city=True)
    return Viewer(
        city=scope.supervises_city,
        brigade_id=scope.brigade_id,
        officer_id=scope.officer_id,
        unit_id=scope.handler_unit_id,
    )


def runs_visible_to(user: User, who: Viewer | None = None) -> QuerySet[Run]:
    """Runs the user may open, newest month first: assessors every run, the others the
    published ones (and only if they see any score at all)."""
    who = who or viewer(user)
    runs = Run.objects.select_related("started_by", "published_by")
    if who.everything:
        return runs
    if not who.has_access:
        return runs.none()
    return runs.filter(published=True)


def official_run(user: User, month: datetime.date, who: Viewer | None = None) -> Run | None:
    """The run a month is read from: its latest published run; for assessors, when none is
    published yet, its latest run of any status."""
    who = who or viewer(user)
    runs = runs_visible_to(user, who).filter(month=month)
    published = runs.filter(published=True).order_by("-published_at", "-pk").first()
    if published is not None or not who.everything:
        return published
    return runs.order_by("-created_at", "-pk").first()


def pending_run(user: User, month: datetime.date, who: Viewer | None = None) -> Run | None:
    """The month's unpublished run (at most one), for assessors only."""
    who = who or viewer(user)
    if not who.everything:
        return None
    return Run.objects.select_related("started_by").filter(month=month, published=False).first()


def run_for(user: User, month: datetime.date, run_id: str | None, who: Viewer) -> Run | None:
    """``?run=<id>`` when given (one of the month's runs the user may see, else 404), otherwise
    the month's official run."""
    if run_id is None:
        return official_run(user, month, who)
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
    if not re.fullmatch(r"[0-9]{1,10}", run_id):
        raise Http404
    run = runs_visible_to(user, who).filter(month=month, pk=int(run_id)).first()
    if run is None:
        raise Http404
    return run


def _score_scope(who: Viewer) -> Q:
    if who.city:
        return Q()
    scope = Q(pk__in=[])
    if who.brigade_id is not None:
        scope |= Q(kind=SubjectKind.OFFICER, brigade_id=who.brigade_id)
        scope |= Q(kind=SubjectKind.BRIGADE, unit_id=who.brigade_id)
    if who.officer_id is not None:
        scope |= Q(kind=SubjectKind.OFFICER, officer_id=who.officer_id)
    if who.unit_id is not None:
        scope |= Q(kind=SubjectKind.DEPARTMENT, unit_id=who.unit_id)
    return scope


def scores_visible_to(
    user: User, run: Run, kind: str | None = None, who: Viewer | None = None
) -> QuerySet[Score]:
    """The scores of ``run`` the user may see (of one kind when given), by rank, with what a
    ranking row shows. ``run`` must come from ``runs_visible_to``."""
    who = who or viewer(user)
    scores = Score.objects.filter(run=run).filter(_score_scope(who))
    if kind is not None:
        scores = scores.filter(kind=kind)
    return scores.select_related("officer", "unit", "brigade").order_by(
        "kind", "rank", "name", "pk"
    )


def officer_score(user: User, run: Run, badge: str, who: Viewer | None = None) -> Score:
    """One officer's score in ``run`` if the user may see it; 404 otherwise."""
    score = (
        scores_visible_to(user, run, SubjectKind.OFFICER, who)
        .select_related("officer__user")
        .filter(officer__badge_number=badge)
        .first()
    )
    if score is None:
        raise Http404
    return score


def brigade_score(user: User, run: Run, code: str, who: Viewer | None = None) -> Score:
    score = scores_visible_to(user, run, SubjectKind.BRIGADE, who).filter(unit__code=code).first()
    if score is None:
        raise Http404
    return score


def grade_counts(scores: QuerySet[Score]) -> dict[str, int]:
    """How many subjects got each grade (the score distribution), in one query."""
    rows = scores.order_by().values("grade").annotate(n=Count("*"))
    counts = {row["grade"]: row["n"] for row in rows}
    return {grade: counts.get(grade, 0) for grade in ("A", "B", "C", "D", "E")}


def has_missing_indicators(scores: QuerySet[Score], codes: list[str]) -> bool:
    """Whether any of ``scores`` had an indicator with nothing to count (a zero denominator),
    so its weight went to the others: one EXISTS query on the JSON."""
    if not codes:
        return False
    missing = Q(pk__in=[])
    for code in codes:
        missing |= Q(**{f"indicators__{code}__den": 0})
    return scores.filter(missing).exists()


def _last_twelve(month: datetime.date) -> datetime.date:
    first = month
    for _step in range(11):
        first = previous_month(first)
    return first


def trend(
    user: User,
    month: datetime.date,
    *,
    kind: str = SubjectKind.OFFICER,
    subject: Q | None = None,
    who: Viewer | None = None,
) -> list[dict]:
    """Composites over the 12 months up to ``month`` from published runs (a month's latest
    published run counts): the subject's when ``subject`` (a filter on Score) is given, else the
    mean of the ``kind`` scores the user may see. One query; months with nothing are absent."""
    who = who or viewer(user)
    scores = Score.objects.filter(
        _score_scope(who),
        kind=kind,
        run__published=True,
        run__month__gte=_last_twelve(month),
        run__month__lte=month,
    )
    if subject is not None:
        scores = scores.filter(subject)
    rows = (
        scores.order_by()
        .values("run__month", "run_id")
        .annotate(value=Avg("composite"))
        .order_by("run__month", "run_id")
    )
    by_month: dict[datetime.date, float | None] = {}
    for row in rows:  # a later run of the same month (a re-published re-run) wins
        value = row["value"]
        by_month[row["run__month"]] = round(float(value), 2) if value is not None else None
    return [{"month": f"{m:%Y-%m}", "value": v} for m, v in by_month.items()]
