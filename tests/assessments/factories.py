"""Factories for the assessment's records. Scores are written as the engine writes them, so the
pages and exports can be tested on known figures without running the engine."""

import datetime

import factory
from django.utils import timezone

from assessments.models import (
    RespondentKind,
    Run,
    RunStatus,
    Scheme,
    Score,
    SubjectKind,
    Survey,
    SurveyLink,
)
from assessments.scheme import default_rules
from tests.factories import BrigadeFactory

LAST_MONTH = datetime.date(2026, 10, 1)


class SchemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Scheme

    name = factory.Sequence(lambda n: f"方案 {n}")
    rules = factory.LazyFunction(default_rules)


class RunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Run

    month = LAST_MONTH
    scheme = factory.SubFactory(SchemeFactory)
    scheme_snapshot = factory.LazyAttribute(lambda o: o.scheme.rules)
    status = RunStatus.DONE
    progress = 100
    started_at = factory.LazyFunction(timezone.now)
    finished_at = factory.LazyFunction(timezone.now)


def indicator(num: int, den: int, weight: float, *, penalty: bool = False) -> dict:
    """One entry of ``Score.indicators`` as the engine writes it."""
    if den == 0:
        return {"num": num, "den": den, "rate": None, "points": None, "weight": 0.0}
    rate = num / den
    points = 100 - 100 * rate if penalty else 100 * rate
    return {"num": num, "den": den, "rate": rate, "points": points, "weight": weight}


class ScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Score

    run = factory.SubFactory(RunFactory)
    kind = SubjectKind.OFFICER
    name = factory.Sequence(lambda n: f"队员 {n}")
    indicators = factory.LazyFunction(
        lambda: {"on_time": indicator(9, 10, 50.0), "logs": indicator(20, 20, 50.0)}
    )
    composite = 95
    grade = "A"
    rank = 1


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Survey

    month = LAST_MONTH
    title = "2026年10月 城管进社区工作满意度调查"
    closes_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=14))


class SurveyLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyLink

    survey = factory.SubFactory(SurveyFactory)
    brigade = factory.SubFactory(BrigadeFactory)
    respondent_kind = RespondentKind.COMMUNITY
    respondent_name = "民主社区居委会"
    expires_at = factory.LazyAttribute(lambda o: o.survey.closes_at)
