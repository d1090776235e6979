"""Surveys (调查表), the writes: an assessor creates a survey and issues one-time links; a
respondent answers once, before the link expires; the month's brigade scores are their mean."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.http import Http404

from assessments.models import RespondentKind, Survey, SurveyLink, SurveyResponse
from assessments.surveys import (
    LinkStatus,
    LinkUnavailable,
    Respondent,
    answer,
    brigade_survey_scores,
    create_survey,
    issue_links,
)
from tests.assessments import survey_fixtures
from tests.assessments.factories import SurveyFactory, SurveyLinkFactory
from tests.assessments.survey_fixtures import CLOSES, NOW, OCTOBER, issue
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db

_in_english = survey_fixtures._in_english
frozen = survey_fixtures.frozen
survey = survey_fixtures.survey
link = survey_fixtures.link
shop_gulou = survey_fixtures.shop_gulou
shop_quanshan = survey_fixtures.shop_quanshan

QUESTIONS = ["巡查是否到位", "处置是否及时", "服务态度"]


def new_survey(actor, **changes) -> Survey:
    values = {
        "month": OCTOBER,
        "title": "10月满意度调查",
        "questions": QUESTIONS,
        "closes_at": CLOSES,
        "actor": actor,
    }
    return create_survey(**{**values, **changes})


# --- creating a survey ------------------------------------------------------------------------


def test_assessor_creates_a_survey_for_the_month_that_ended(frozen, assessor):
    survey = new_survey(
        assessor, month=datetime.date(2026, 10, 17), questions=[" 巡查 ", "", "处置"]
    )

    assert survey.month == OCTOBER
    assert survey.questions == ["巡查", "处置"]
    assert survey.created_by == assessor
    assert survey.closes_at == CLOSES


def test_assessor_may_survey_the_current_month(frozen, assessor):
    assert new_survey(assessor, month=datetime.date(2026, 11, 1)).month.month == 11


@pytest.mark.parametrize("who", ["supervisor_gulou", "command_supervisor", "officer_gulou"])
def test_only_assessors_create_surveys(frozen, request, who):
    with pytest.raises(PermissionDenied):
        new_survey(request.getfixturevalue(who))
    assert not Survey.objects.exists()


def test_a_month_still_to_come_cannot_be_surveyed(frozen, assessor):
    with pytest.raises(ValidationError) as error:
        new_survey(assessor, month=datetime.date(2026, 12, 1))
    assert "month" in error.value.message_dict


def test_the_closing_time_must_be_in_the_future(frozen, assessor):
    with pytest.raises(ValidationError) as error:
        new_survey(assessor, closes_at=NOW)
    assert "closes_at" in error.value.message_dict


@pytest.mark.parametrize("questions", [[], ["", "  "], [f"问题{i}" for i in range(11)]])
def test_a_survey_asks_between_one_and_ten_questions(frozen, assessor, questions):
    with pytest.raises(ValidationError) as error:
        new_survey(assessor, questions=questions)
    assert error.value.message_dict["questions"] == ["Ask between 1 and 10 questions."]


def test_ten_questions_are_fine(frozen, assessor):
    assert len(new_survey(assessor, questions=[f"问题{i}" for i in range(10)]).questions) == 10


# --- issuing links ----------------------------------------------------------------------------


def test_links_go_to_the_brigades_streets_communities_and_shops(
    survey, assessor, gulou_community, shop_gulou
):
    brigade = gulou_community.brigade
    links = issue_links(
        survey=survey,
        brigade=brigade,
        respondents=[
            Respondent(kind="street", street=gulou_community.street),
            Respondent(kind="community", community=gulou_community),
            Respondent(kind="shop", merchant=shop_gulou),
            Respondent(kind="street", name="黄楼街道城管科"),
        ],
        actor=assessor,
    )

    assert [(x.respondent_kind, x.respondent_name) for x in links] == [
        (RespondentKind.STREET, "黄楼街道"),
        (RespondentKind.COMMUNITY, "黄楼社区"),
        (RespondentKind.SHOP, "老王水果店"),
        (RespondentKind.STREET, "黄楼街道城管科"),
    ]
    assert {x.expires_at for x in links} == {CLOSES}
    assert {x.brigade_id for x in links} == {brigade.pk}
    assert {x.issued_by for x in links} == {assessor}
    assert len({x.token for x in SurveyLink.objects.all()}) == 4


def test_issuing_again_does_not_duplicate_a_respondents_link(
    survey, assessor, gulou_community, shop_gulou
):
    brigade = gulou_community.brigade
    first = issue(survey, brigade, assessor, kind="shop", merchant=shop_gulou)
    again = issue_links(
        survey=survey,
        brigade=brigade,
        respondents=[
            Respondent(kind="shop", merchant=shop_gulou),
            Respondent(kind="community", community=gulou_community),
            Respondent(kind="community", community=gulou_community),
        ],
        actor=assessor,
    )

    assert len(first) == 1
    assert [x.respondent_name for x in again] == ["黄楼社区"]
    assert SurveyLink.objects.filter(survey=survey).count() == 2


def test_the_same_respondent_may_rate_another_survey(survey, assessor, gulou_community):
    other = SurveyFactory(month=OCTOBER, closes_at=CLOSES)
    issue(survey, gulou_community.brigade, assessor, kind="community", community=gulou_community)
    issue(other, gulou_community.brigade, assessor, kind="community", community=gulou_community)
    assert SurveyLink.objects.count() == 2


@pytest.mark.parametrize("who", ["supervisor_gulou", "officer_gulou"])
def test_only_assessors_issue_links(survey, request, gulou_community, who):
    with pytest.raises(PermissionDenied):
        issue(
            survey,
            gulou_community.brigade,
            request.getfixturevalue(who),
            kind="community",
            community=gulou_community,
        )
    assert not SurveyLink.objects.exists()


def test_a_respondent_outside_the_brigades_area_is_refused(
    survey, assessor, gulou_community, taishan_community, shop_quanshan
):
    brigade = gulou_community.brigade
    for who in (
        {"kind": "community", "community": taishan_community},
        {"kind": "shop", "merchant": shop_quanshan},
        {"kind": "street", "street": taishan_community.street},
        {"kind": "street", "name": "   "},
    ):
        with pytest.raises(ValidationError):
            issue(survey, brigade, assessor, **who)
    assert not SurveyLink.objects.exists()


def test_only_a_brigade_is_rated(survey, assessor, gulou_community):
    department = UnitFactory(code="sanitation", name="环卫处", kind="department")
    with pytest.raises(ValidationError):
        issue(survey, department, assessor, kind="street", name="黄楼街道")


def test_a_closed_survey_issues_no_more_links(survey, assessor, gulou_community, frozen):
    frozen.move_to(CLOSES)
    with pytest.raises(ValidationError, match="closed"):
        issue(
            survey, gulou_community.brigade, assessor, kind="community", community=gulou_community
        )


# --- answering --------------------------------------------------------------------------------


def test_an_answer_is_stored_with_its_score_and_uses_the_link(link):
    response = answer(token=link.token, ratings=[5, "4"], comment=" 很及时 ")

    link.refresh_from_db()
    assert response.answers == [5, 4]
    assert response.score == Decimal("90.00")
    assert response.comment == "很及时"
    assert link.used_at == NOW
    assert response.submitted_at == NOW


def test_the_score_is_the_mean_rating_times_twenty_to_two_places(survey, gulou_community):
    survey.questions = ["一", "二", "三"]
    survey.save(update_fields=["questions"])
    link = SurveyLinkFactory(survey=survey, brigade=gulou_community.brigade)
    assert answer(token=link.token, ratings=[5, 4, 4]).score == Decimal("86.67")


def test_a_link_answers_once_and_the_second_time_changes_nothing(link):
    answer(token=link.token, ratings=[5, 5])

    with pytest.raises(LinkUnavailable) as refused:
        answer(token=link.token, ratings=[1, 1], comment="再来一次")

    assert refused.value.reason == LinkStatus.ANSWERED
    response = SurveyResponse.objects.get()
    assert (response.answers, response.score, response.comment) == ([5, 5], 100, "")


def test_an_expired_link_is_refused(link, frozen):
    frozen.move_to(CLOSES + datetime.timedelta(minutes=1))
    with pytest.raises(LinkUnavailable) as refused:
        answer(token=link.token, ratings=[5, 5])
    assert refused.value.reason == LinkStatus.EXPIRED
    assert not SurveyResponse.objects.exists()


def test_a_link_of_a_closed_survey_is_refused_even_before_its_own_expiry(link, survey):
    survey.closes_at = NOW - datetime.timedelta(hours=1)
    survey.save(update_fields=["closes_at"])
    with pytest.raises(LinkUnavailable):
        answer(token=link.token, ratings=[5, 5])
    assert SurveyLink.objects.get().used_at is None


@pytest.mark.parametrize("ratings", [[5], [5, 5, 5], [], "55", None, {"a": 5}])
def test_one_rating_per_question_is_needed(link, ratings):
    with pytest.raises(ValidationError) as error:
        answer(token=link.token, ratings=ratings)
    assert error.value.message_dict["ratings"] == ["Give 2 ratings, one per question."]
    assert SurveyLink.objects.get().used_at is None


@pytest.mark.parametrize("bad", [0, 6, -1, "x", None, "3.5", "", "\x00"])
def test_a_rating_is_a_whole_number_from_one_to_five(link, bad):
    with pytest.raises(ValidationError) as error:
        answer(token=link.token, ratings=[5, bad])
    assert error.value.message_dict["ratings"] == ["Each rating is a whole number from 1 to 5."]
    assert not SurveyResponse.objects.exists()


def test_a_comment_with_control_characters_is_refused(link):
    with pytest.raises(ValidationError):
        answer(token=link.token, ratings=[5, 5], comment="好\x00")
    assert SurveyLink.objects.get().used_at is None


@pytest.mark.parametrize(
    "token", ["", "nope", "A" * 22, "A" * 5000, "abc\x00defghijklmnopqrstu", "../../etc/passwd"]
)
def test_a_token_that_is_no_link_is_not_found(link, token, django_assert_max_num_queries):
    with pytest.raises(Http404), django_assert_max_num_queries(1):
        answer(token=token, ratings=[5, 5])


def test_a_token_with_control_characters_is_refused_before_any_query(
    link, django_assert_num_queries
):
    with pytest.raises(Http404), django_assert_num_queries(0):
        answer(token=link.token[:-1] + "\x00", ratings=[5, 5])


# --- the month's brigade scores ---------------------------------------------------------------


def test_brigade_survey_scores_are_the_mean_of_the_months_responses(
    frozen, survey, gulou_community, taishan_community, django_assert_num_queries
):
    gulou, quanshan = gulou_community.brigade, taishan_community.brigade
    second = SurveyFactory(month=OCTOBER, questions=["一"], closes_at=CLOSES)
    september = SurveyFactory(month=datetime.date(2026, 9, 1), questions=["一"], closes_at=CLOSES)

    def answered(survey, brigade, ratings):
        link = SurveyLinkFactory(survey=survey, brigade=brigade)
        answer(token=link.token, ratings=ratings)

    answered(survey, gulou, [5, 5])  # 100
    answered(survey, gulou, [4, 3])  # 70
    answered(second, gulou, [4])  # 80
    answered(survey, quanshan, [3, 4])  # 70
    answered(september, quanshan, [1])  # another month: not counted
    SurveyLinkFactory(survey=survey, brigade=quanshan)  # unanswered: not counted

    with django_assert_num_queries(1):
        scores = brigade_survey_scores(datetime.date(2026, 10, 31))

    assert scores == {gulou.pk: Decimal("83.33"), quanshan.pk: Decimal("70.00")}
    assert brigade_survey_scores(datetime.date(2026, 9, 1)) == {quanshan.pk: Decimal("20.00")}
    assert brigade_survey_scores(datetime.date(2026, 8, 1)) == {}


def test_a_brigade_with_no_answers_has_no_survey_score(survey, link):
    assert brigade_survey_scores(OCTOBER) == {}


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises writers by locking the file"
)
@pytest.mark.django_db(transaction=True)
def test_two_submissions_of_one_link_at_once_store_exactly_one(frozen, gulou_community):
    survey = SurveyFactory(month=OCTOBER, questions=["一"], closes_at=CLOSES)
    link = SurveyLinkFactory(survey=survey, brigade=gulou_community.brigade)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def submit(rating: int) -> None:
        try:
            start.wait()
            answer(token=link.token, ratings=[rating])
            outcomes.append("stored")
        except LinkUnavailable as refused:
            outcomes.append(refused.reason)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(r,)) for r in (5, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == [LinkStatus.ANSWERED, "stored"]
    assert SurveyResponse.objects.filter(link=link).count() == 1
