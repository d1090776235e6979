"""A scored month for the pages, exports and API tests: October 2026 published, with a score for
every subject the cast stands for, written as the engine writes them (``factories.indicator``).

Test modules take the fixtures by assignment (``october = scored.october``).
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

import pytest

from accounts.models import Unit
from assessments.models import Run, Score, SubjectKind
from tests.assessments.factories import RunFactory, SchemeFactory, ScoreFactory, indicator

OCTOBER = datetime.date(2026, 10, 1)
SEPTEMBER = datetime.date(2026, 9, 1)


def officer_indicators(on_time: tuple[int, int], *, missing_logs: bool = False) -> dict:
    """Every officer indicator; ``missing_logs``: no duty days, its weight moved to on_time."""
    logs = indicator(0, 0, 0.0) if missing_logs else indicator(20, 22, 15.0)
    return {
        "valid_reports": indicator(9, 10, 10.0),
        "on_site": indicator(7, 10, 15.0),
        "on_time": indicator(*on_time, 35.0 if missing_logs else 20.0),
        "rework": indicator(1, 8, 10.0, penalty=True),
        "missed": indicator(2, 20, 10.0, penalty=True),
        "logs": logs,
        "satisfaction": indicator(4, 5, 10.0),
        "hotline": {"num": 1, "den": 1, "rate": 1.0, "points": 90.0, "weight": 10.0},
    }


@dataclass
class Month:
    run: Run
    scores: dict[str, Score] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.scores[name]
        except KeyError:
            raise AttributeError(name) from None


def score_month(
    run: Run, *, gulou: Any, quanshan: Any, department: Unit | None, regions: Any = None
) -> Month:
    """Scores of ``run`` for the two officers (users), their brigades, a unit and the regions."""
    month = Month(run=run)
    gulou_officer, quanshan_officer = gulou.officer, quanshan.officer
    month.scores["officer_gulou"] = ScoreFactory(
        run=run,
        kind=SubjectKind.OFFICER,
        officer=gulou_officer,
        brigade=gulou_officer.brigade,
        name="王建国",
        indicators=officer_indicators((9, 10)),
        composite=91.5,
        grade="A",
        rank=1,
        previous_composite=88,
        change=3.5,
    )
    month.scores["officer_quanshan"] = ScoreFactory(
        run=run,
        kind=SubjectKind.OFFICER,
        officer=quanshan_officer,
        brigade=quanshan_officer.brigade,
        name="李秀英",
        indicators=officer_indicators((6, 10), missing_logs=True),
        composite=72.25,
        grade="C",
        rank=2,
        previous_composite=75,
        change=-2.75,
    )
    for rank, (name, officer, composite) in enumerate(
        (("brigade_gulou", gulou_officer, 90.2), ("brigade_quanshan", quanshan_officer, 74.0)),
        start=1,
    ):
        month.scores[name] = ScoreFactory(
            run=run,
            kind=SubjectKind.BRIGADE,
            unit=officer.brigade,
            name=officer.brigade.name,
            indicators={
                **officer_indicators((9, 10)),
                "survey": {"num": 340, "den": 4, "rate": 0.85, "points": 85.0, "weight": 20.0},
            },
            composite=composite,
            grade="A" if composite >= 90 else "C",
            rank=rank,
        )
    if department is not None:
        month.scores["department"] = ScoreFactory(
            run=run,
            kind=SubjectKind.DEPARTMENT,
            unit=department,
            name=department.name,
            indicators={
                "closure": indicator(8, 10, 40.0),
                "on_time": indicator(7, 10, 40.0),
                "rework": indicator(1, 8, 20.0, penalty=True),
            },
            composite=75.5,
            grade="B",
            rank=1,
        )
    if regions is not None:
        community = regions
        street, district = community.street, community.street.district
        for kind, name, fk in (
            (SubjectKind.COMMUNITY, community.name, {"community": community}),
            (SubjectKind.STREET, street.name, {"street": street}),
            (SubjectKind.DISTRICT, district.name, {"district": district}),
        ):
            month.scores[kind.value] = ScoreFactory(
                run=run,
                kind=kind,
                name=name,
                indicators={
                    "cases_per_grid": {
                        "num": 12,
                        "den": 2,
                        "rate": 6.0,
                        "points": None,
                        "weight": 0.0,
                    },
                    "closure": indicator(10, 12, 50.0),
                    "on_time_closure": indicator(9, 12, 50.0),
                },
                composite=79.17,
                grade="B",
                rank=1,
                **fk,
            )
    return month


# As ``engine`` writes them: counts, and rates as percentages with one decimal.
TOTALS = {
    "found": 317,
    "fixed_on_site": 261,
    "on_site_rate": 82.3,
    "resident_reports": 45,
    "resident_resolved": 44,
    "satisfaction_rate": 98.0,
    "registered": 120,
    "closed": 100,
    "on_time_rate": 90.0,
    "split_on_site": 70,
    "split_managed": 20,
    "split_enforced": 10,
    "officers": 2,
    "brigades": 2,
}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Users are made by the dozen here; Django's default hasher takes about a second each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def october(officer_gulou, officer_quanshan, handler_sanitation, gulou_community) -> Month:
    """October 2026, published: both officers, both brigades, 环卫处 and 黄楼's regions."""
    run = RunFactory(
        month=OCTOBER,
        scheme=SchemeFactory(is_current=True),
        published=True,
        published_at=datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC),
        totals=TOTALS,
    )
    return score_month(
        run,
        gulou=officer_gulou,
        quanshan=officer_quanshan,
        department=handler_sanitation.unit,
        regions=gulou_community,
    )


@pytest.fixture
def september_draft(officer_gulou, officer_quanshan) -> Month:
    """September 2026, computed but not published: only assessors may see it."""
    run = RunFactory(month=SEPTEMBER, published=False, totals=TOTALS)
    return score_month(run, gulou=officer_gulou, quanshan=officer_quanshan, department=None)


def more_officers(run: Run, brigade: Unit, count: int) -> None:
    """``count`` more officer rows in ``run`` (for query counts at two sizes)."""
    from tests.factories import OfficerFactory

    for n in range(count):
        officer = OfficerFactory(brigade=brigade, badge_number=f"X-{run.pk}-{n:03d}")
        ScoreFactory(
            run=run,
            kind=SubjectKind.OFFICER,
            officer=officer,
            brigade=brigade,
            name=f"队员{n}",
            indicators=officer_indicators((5, 10)),
            composite=60 + n % 30,
            grade="C",
            rank=3 + n,
        )
