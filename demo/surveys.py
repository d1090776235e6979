"""Demo survey (调查表) of last month: each demo brigade rated by two street offices, three
communities and up to two shops of its area, most links answered (mostly 4–5), a few left open.

Deterministic (respondents follow the codes, ratings a seeded generator per brigade) and
idempotent: the survey is keyed on its month and title, links are issued only to respondents
who have none (``issue_links``), and only links never answered are answered.
"""

import datetime
import random
from typing import Any, Protocol

from django.db import transaction
from django.utils import timezone

from accounts.models import Unit, UnitKind, User
from accounts.roles import Role
from assessments.models import Survey, SurveyLink, SurveyResponse
from assessments.scheme import default_questions
from assessments.surveys import Respondent, answer, issue_links
from citymgmt.months import previous_month
from grids.models import Community, Street
from shops.models import Merchant

TITLE = "{month:%Y年%m月} 城管进社区工作满意度调查"
COMMENTS = [
    "网格员巡查很勤，门前秩序好多了。",
    "问题反映后处理及时，满意。",
    "希望晚上也多来看看夜市。",
    "",
    "",
]


class Writer(Protocol):
    def write(self, msg: str) -> Any: ...


def _respondents(brigade: Unit) -> list[Respondent]:
    communities = list(Community.objects.filter(brigade=brigade).order_by("code")[:3])
    streets = list(
        Street.objects.filter(communities__brigade=brigade).distinct().order_by("code")[:2]
    )
    shops = list(Merchant.objects.filter(brigade=brigade, is_active=True).order_by("pk")[:2])
    return (
        [Respondent(kind="street", street=s) for s in streets]
        + [Respondent(kind="community", community=c) for c in communities]
        + [Respondent(kind="shop", merchant=m) for m in shops]
    )


def _ratings(rng: random.Random, count: int) -> list[int]:
    # mostly 4–5, now and then a 3
    return [rng.choices([5, 4, 3], weights=[6, 4, 1])[0] for _ in range(count)]


def seed_surveys(*, stdout: Writer | None = None) -> dict[str, Any]:
    """Last month's survey, its links for every brigade, and most answers."""

    def say(msg: str) -> None:
        if stdout is not None:
            stdout.write(msg + "\n")

    assessor = User.objects.filter(groups__name=Role.ASSESSOR).order_by("pk").first()
    brigades = list(Unit.objects.filter(kind=UnitKind.BRIGADE).order_by("code"))
    created = {"surveys": 0, "survey_links": 0, "survey_responses": 0}
    if assessor is None or not brigades:
        say("  surveys: no assessor or brigades to survey")
        return {"counts": {}, "created": created}
    month = previous_month(timezone.localdate())
    with transaction.atomic():
        survey, made = Survey.objects.get_or_create(
            month=month,
            title=TITLE.format(month=month),
            defaults={
                "questions": default_questions(),
                "closes_at": timezone.now() + datetime.timedelta(days=14),
                "created_by": assessor,
            },
        )
        created["surveys"] += made
        if survey.closes_at <= timezone.now():
            say("  surveys: last month's survey has closed; left as it is")
            return {"counts": _counts(), "created": created}
        for index, brigade in enumerate(brigades):
            respondents = _respondents(brigade)
            if respondents:
                fresh = issue_links(
                    survey=survey, brigade=brigade, respondents=respondents, actor=assessor
                )
                created["survey_links"] += len(fresh)
            rng = random.Random(f"{month:%Y%m}-{brigade.code}")
            links = list(
                SurveyLink.objects.filter(survey=survey, brigade=brigade).order_by(
                    "respondent_kind", "respondent_name", "pk"
                )
            )
            # The first three brigades keep their last link open, to show "not answered yet".
            keep_open = {links[-1].pk} if index < 3 and links else set()
            for link in links:
                ratings = _ratings(rng, len(survey.questions))
                comment = rng.choice(COMMENTS)
                if link.used_at is not None or link.pk in keep_open:
                    continue
                answer(token=link.token, ratings=ratings, comment=comment)
                created["survey_responses"] += 1
    say(f"  surveys: {survey.title}")
    return {"counts": _counts(), "created": created}


def _counts() -> dict[str, int]:
    return {
        "survey_links": SurveyLink.objects.count(),
        "survey_responses": SurveyResponse.objects.count(),
    }
