"""Fixtures of the survey tests (imported by name into tests/assessments/test_survey_*.py, so the
other assessment tests keep their own conftest): a survey of October 2026 seen on 20 November,
and the places of the shared cast with a shop each."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.utils import translation

from assessments.models import RespondentKind, Survey, SurveyLink
from assessments.surveys import Respondent, issue_links
from shops.models import Merchant, credit_code_check_char
from tests.assessments.factories import SurveyFactory, SurveyLinkFactory

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)
OCTOBER = datetime.date(2026, 10, 1)
CLOSES = datetime.datetime(2026, 11, 30, 18, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _in_english():
    """Messages are asserted in English (the msgids), whatever the catalogue holds."""
    with translation.override("en"):
        yield


@pytest.fixture
def frozen():
    """20 November 2026, 10:00: October has ended, the survey closes on the 30th."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def make_shop(community, name: str, n: int) -> Merchant:
    return Merchant.objects.create(
        name=name,
        licence_number=f"923203027{n:08d}" + credit_code_check_char(f"923203027{n:08d}"),
        business_kind="grocery",
        owner_name="王建华",
        owner_phone="13852001234",
        address=f"中山北路{n}号",
        lat=34.27,
        lng=117.18,
        community=community,
        brigade=community.brigade,
    )


@pytest.fixture
def shop_gulou(gulou_community) -> Merchant:
    """老王水果店, a shop of 黄楼社区 (鼓楼一大队)."""
    return make_shop(gulou_community, "老王水果店", 1)


@pytest.fixture
def shop_quanshan(taishan_community) -> Merchant:
    """泰山小吃, in 泉山三大队's area: never a respondent rating 鼓楼一大队."""
    return make_shop(taishan_community, "泰山小吃", 2)


@pytest.fixture
def survey(frozen, assessor) -> Survey:
    """October 2026's survey, two questions, open until 30 November 18:00."""
    return SurveyFactory(
        month=OCTOBER,
        title="2026年10月 城管进社区工作满意度调查",
        questions=["巡查是否到位", "处置是否及时"],
        closes_at=CLOSES,
        created_by=assessor,
    )


@pytest.fixture
def link(survey, gulou_community) -> SurveyLink:
    """黄楼社区居委会's link rating 鼓楼一大队."""
    return SurveyLinkFactory(
        survey=survey,
        brigade=gulou_community.brigade,
        respondent_kind=RespondentKind.COMMUNITY,
        respondent_name=gulou_community.name,
        community=gulou_community,
        expires_at=survey.closes_at,
    )


def issue(survey, brigade, assessor, **who) -> list[SurveyLink]:
    return issue_links(
        survey=survey, brigade=brigade, respondents=[Respondent(**who)], actor=assessor
    )
