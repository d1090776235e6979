"""The demo survey: last month's, every brigade rated by its streets, communities and shops,
most links answered with mostly 4–5, a few left open; a second run adds nothing."""

import pytest
from django.db.models import Count
from django.utils import timezone

from accounts.models import Unit, UnitKind
from assessments.models import RespondentKind, Survey, SurveyLink, SurveyResponse
from assessments.surveys import brigade_survey_scores
from citymgmt.months import previous_month
from demo.surveys import seed_surveys

pytestmark = pytest.mark.django_db


def test_the_demo_survey_rates_every_brigade_and_is_seeded_once(demo_city):
    month = previous_month(timezone.localdate())
    survey = Survey.objects.get()
    assert survey.month == month
    brigades = set(Unit.objects.filter(kind=UnitKind.BRIGADE).values_list("pk", flat=True))
    assert set(SurveyLink.objects.values_list("brigade", flat=True)) == brigades
    kinds = set(SurveyLink.objects.values_list("respondent_kind", flat=True))
    assert kinds == {RespondentKind.STREET, RespondentKind.COMMUNITY, RespondentKind.SHOP}
    per_brigade = SurveyLink.objects.values("brigade").annotate(n=Count("id"))
    assert all(5 <= row["n"] <= 7 for row in per_brigade)

    open_links = SurveyLink.objects.filter(used_at__isnull=True).count()
    assert open_links == 3
    ratings = [
        r for answers in SurveyResponse.objects.values_list("answers", flat=True) for r in answers
    ]
    assert set(ratings) <= {3, 4, 5}
    assert sum(r >= 4 for r in ratings) / len(ratings) > 0.8
    scores = brigade_survey_scores(month)
    assert set(scores) == brigades
    assert all(75 <= s <= 100 for s in scores.values())

    before = (SurveyLink.objects.count(), SurveyResponse.objects.count())
    assert seed_surveys()["created"] == {"surveys": 0, "survey_links": 0, "survey_responses": 0}
    assert before == (SurveyLink.objects.count(), SurveyResponse.objects.count())
