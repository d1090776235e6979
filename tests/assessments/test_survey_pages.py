"""Surveys (调查表), the pages: the assessors' list, new survey, per-brigade links and the
printable sheet (assessors only), and the public answer page a one-time link opens."""

import datetime
import re

import pytest
from django.urls import reverse

from assessments.models import Survey, SurveyLink, SurveyResponse
from assessments.surveys import answer
from tests.assessments import survey_fixtures
from tests.assessments.factories import SurveyFactory, SurveyLinkFactory
from tests.assessments.survey_fixtures import CLOSES, OCTOBER
from tests.factories import BrigadeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _pages_in_english(client, settings):
    """The pages answer in the language the browser asks for: English here, to match msgids."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


_in_english = survey_fixtures._in_english
frozen = survey_fixtures.frozen
survey = survey_fixtures.survey
link = survey_fixtures.link
shop_gulou = survey_fixtures.shop_gulou


def answer_url(token: str) -> str:
    return f"/survey/{token}/"


def brigade_url(survey, brigade) -> str:
    return reverse("surveys:brigade", kwargs={"pk": survey.pk, "brigade_pk": brigade.pk})


# --- who may open the assessors' pages --------------------------------------------------------


@pytest.mark.parametrize("name", ["surveys:list", "surveys:create"])
def test_assessor_opens_the_survey_pages(client, assessor, name):
    client.force_login(assessor)
    assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize(
    "who", ["supervisor_gulou", "command_supervisor", "officer_gulou", "handler_sanitation"]
)
def test_other_staff_are_refused_the_survey_pages(client, request, who, survey, gulou_community):
    client.force_login(request.getfixturevalue(who))
    for url in (
        reverse("surveys:list"),
        reverse("surveys:create"),
        reverse("surveys:detail", args=[survey.pk]),
        brigade_url(survey, gulou_community.brigade),
    ):
        assert client.get(url).status_code == 403, url


def test_anonymous_is_sent_to_log_in(client, survey):
    response = client.get(reverse("surveys:detail", args=[survey.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


# --- list -------------------------------------------------------------------------------------


def make_surveys(count: int, brigade) -> None:
    for n in range(count):
        survey = SurveyFactory(title=f"调查 {n}", closes_at=CLOSES)
        for _ in range(3):
            SurveyLinkFactory(survey=survey, brigade=brigade)


@pytest.mark.parametrize("count", [2, 12])
def test_the_list_runs_a_constant_number_of_queries(
    client, assessor, frozen, gulou_brigade, count, django_assert_max_num_queries
):
    make_surveys(count, gulou_brigade)
    client.force_login(assessor)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("surveys:list"))
    assert response.content.decode().count("data-survey=") == count


def test_the_list_counts_answers(client, assessor, link, survey):
    answer(token=link.token, ratings=[5, 5])
    SurveyLinkFactory(survey=survey, brigade=link.brigade)
    client.force_login(assessor)
    assert "1 / 2 answered" in client.get(reverse("surveys:list")).content.decode()


@pytest.mark.parametrize("page", ["999", "x", "-1", "%00"])
def test_a_garbage_page_number_is_no_error(client, assessor, survey, page):
    client.force_login(assessor)
    assert client.get(reverse("surveys:list") + f"?page={page}").status_code == 200


# --- create -----------------------------------------------------------------------------------


def test_assessor_creates_a_survey_from_the_form(client, assessor, frozen):
    client.force_login(assessor)
    response = client.post(
        reverse("surveys:create"),
        {
            "month": "2026-10",
            "title": "十月满意度调查",
            "questions": "巡查是否到位\n\n处置是否及时\n",
            "closes_at": "2026-11-30T18:00",
        },
    )
    survey = Survey.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("surveys:detail", args=[survey.pk])
    assert (survey.month, survey.questions) == (OCTOBER, ["巡查是否到位", "处置是否及时"])
    assert survey.closes_at == CLOSES
    assert survey.created_by == assessor


def test_the_form_offers_last_month_and_the_default_questions(client, assessor, frozen):
    client.force_login(assessor)
    page = client.get(reverse("surveys:create")).content.decode()
    assert 'value="2026-10"' in page
    assert "巡查是否到位，问题发现是否及时" in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"month": "2026-13"}, "month", "Enter a month as YYYY-MM."),
        ({"month": "\x00"}, "month", "Null characters are not allowed."),
        ({"month": "2027-01"}, "month", "A survey rates a month that has ended"),
        ({"closes_at": "2026-11-01T08:00"}, "closes_at", "must be in the future"),
        ({"closes_at": "garbage"}, "closes_at", "Enter a valid date/time."),
        ({"questions": "\n \n"}, "questions", "This field is required."),
        ({"questions": "\n".join(f"问题{i}" for i in range(11))}, "questions", "Ask between"),
        ({"title": ""}, "title", "This field is required."),
        ({"title": "坏\x00标题"}, "title", "control"),
    ],
)
def test_a_bad_survey_form_comes_back_with_the_input_and_the_error(
    client, assessor, frozen, data, field, message
):
    good = {
        "month": "2026-10",
        "title": "十月满意度调查",
        "questions": "巡查是否到位",
        "closes_at": "2026-11-30T18:00",
    }
    client.force_login(assessor)
    response = client.post(reverse("surveys:create"), {**good, **data})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert message in " ".join(errors[field]), errors
    assert not Survey.objects.exists()
    if field != "title":
        assert "十月满意度调查" in response.content.decode()  # what was typed stays


# --- detail: per brigade ----------------------------------------------------------------------


def test_the_detail_shows_each_brigades_answers_mean_and_question_means(
    client, assessor, survey, link, gulou_community, taishan_community
):
    second = SurveyLinkFactory(survey=survey, brigade=link.brigade)
    answer(token=link.token, ratings=[5, 4])  # 90
    answer(token=second.token, ratings=[4, 2])  # 60
    client.force_login(assessor)
    response = client.get(reverse("surveys:detail", args=[survey.pk]))
    brigades = {b.pk: b for b in response.context["brigades"]}
    gulou = brigades[gulou_community.brigade_id]
    assert (gulou.link_count, gulou.answered_count, gulou.mean_score) == (2, 2, 75)
    assert gulou.question_means == [("巡查是否到位", 4.5), ("处置是否及时", 3.0)]
    quanshan = brigades[taishan_community.brigade_id]
    assert (quanshan.link_count, quanshan.answered_count, quanshan.mean_score) == (0, 0, None)
    page = response.content.decode()
    assert "75.00" in page and "4.50 / 5" in page


@pytest.mark.parametrize("count", [2, 9])
def test_the_detail_runs_a_constant_number_of_queries(
    client, assessor, survey, count, django_assert_max_num_queries
):
    for n in range(count):
        brigade = BrigadeFactory(code=f"b{n}", name=f"第{n}大队")
        for _ in range(2):
            link = SurveyLinkFactory(survey=survey, brigade=brigade)
            answer(token=link.token, ratings=[4, 5])
    client.force_login(assessor)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("surveys:detail", args=[survey.pk]))
    assert response.content.decode().count("data-brigade=") == count


@pytest.mark.parametrize("path", ["/assessments/surveys/999999/", "/assessments/surveys/0/"])
def test_an_unknown_survey_is_not_found(client, assessor, path):
    client.force_login(assessor)
    assert client.get(path).status_code == 404


# --- one brigade's links ----------------------------------------------------------------------


def test_assessor_issues_links_to_ticked_respondents(
    client, assessor, survey, gulou_community, shop_gulou
):
    brigade = gulou_community.brigade
    client.force_login(assessor)
    url = brigade_url(survey, brigade)
    page = client.get(url).content.decode()
    assert "黄楼街道" in page and "黄楼社区" in page and "老王水果店" in page

    response = client.post(
        url,
        {
            "streets": [gulou_community.street_id],
            "communities": [gulou_community.pk],
            "merchants": [shop_gulou.pk],
            "other_name": "黄楼街道城管科",
        },
    )
    assert response.status_code == 302
    names = set(SurveyLink.objects.values_list("respondent_name", flat=True))
    assert names == {"黄楼街道", "黄楼社区", "老王水果店", "黄楼街道城管科"}

    client.post(url, {"communities": [gulou_community.pk]})
    assert SurveyLink.objects.count() == 4  # issuing again duplicates nothing


def test_another_brigades_community_cannot_be_ticked(
    client, assessor, survey, gulou_community, taishan_community
):
    client.force_login(assessor)
    response = client.post(
        brigade_url(survey, gulou_community.brigade), {"communities": [taishan_community.pk]}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["communities"]
    assert not SurveyLink.objects.exists()


@pytest.mark.parametrize(
    "data",
    [{}, {"communities": ["x"]}, {"merchants": ["\x00"]}, {"other_name": "街道\x00"}],
)
def test_garbage_link_requests_are_form_errors(client, assessor, survey, gulou_community, data):
    client.force_login(assessor)
    response = client.post(brigade_url(survey, gulou_community.brigade), data)
    assert response.status_code == 400
    assert response.context["form"].errors
    assert not SurveyLink.objects.exists()


def test_the_brigade_page_shows_each_links_status_and_url(
    client, assessor, survey, link, frozen, gulou_community
):
    expired = SurveyLinkFactory(
        survey=survey, brigade=link.brigade, respondent_name="过期", expires_at=frozen_now(-1)
    )
    unused = SurveyLinkFactory(survey=survey, brigade=link.brigade, respondent_name="未答")
    answer(token=link.token, ratings=[5, 5])
    client.force_login(assessor)
    response = client.get(brigade_url(survey, link.brigade))
    statuses = {x.pk: x.status for x in response.context["links"]}
    assert statuses == {link.pk: "answered", expired.pk: "expired", unused.pk: "unused"}
    page = response.content.decode()
    assert f"http://testserver/survey/{unused.token}/" in page
    assert link.token not in page and expired.token not in page  # used up: nothing to copy
    assert page.count('<div class="qr mt-1"><svg') == 1  # a QR code for the open link only


def frozen_now(hours: int) -> datetime.datetime:
    return survey_fixtures.NOW + datetime.timedelta(hours=hours)


@pytest.mark.parametrize("count", [2, 15])
def test_the_brigade_page_runs_a_constant_number_of_queries(
    client, assessor, survey, gulou_community, shop_gulou, count, django_assert_max_num_queries
):
    for n in range(count):
        link = SurveyLinkFactory(survey=survey, brigade=gulou_community.brigade, issued_by=assessor)
        if n % 2:
            answer(token=link.token, ratings=[3, 4])
    client.force_login(assessor)
    with django_assert_max_num_queries(12):
        response = client.get(brigade_url(survey, gulou_community.brigade))
    assert response.content.decode().count('class="list-group-item survey-link"') == count


def test_a_unit_that_is_no_brigade_is_not_found(client, assessor, survey, handler_sanitation):
    client.force_login(assessor)
    url = f"/assessments/surveys/{survey.pk}/brigades/{handler_sanitation.unit_id}/"
    assert client.get(url).status_code == 404


def test_the_printable_sheet_has_a_qr_code_per_unanswered_link(
    client, assessor, survey, link, gulou_community
):
    others = [SurveyLinkFactory(survey=survey, brigade=link.brigade) for _ in range(2)]
    answer(token=link.token, ratings=[5, 5])
    client.force_login(assessor)
    url = reverse("surveys:print", kwargs={"pk": survey.pk, "brigade_pk": link.brigade_id})
    page = client.get(url).content.decode()
    assert page.count('<div class="qr flex-shrink-0"><svg') == 2
    assert all(f"/survey/{x.token}/" in page for x in others)
    assert link.token not in page


# --- the public answer page -------------------------------------------------------------------


def test_a_respondent_answers_without_an_account(client, link):
    page = client.get(answer_url(link.token))
    text = page.content.decode()
    assert page.status_code == 200
    assert "鼓楼执法监督一大队" in text and "黄楼社区" in text and "巡查是否到位" in text
    assert page["X-Robots-Tag"].startswith("noindex")
    assert page["Referrer-Policy"] == "same-origin"
    assert "no-cache" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]

    response = client.post(answer_url(link.token), {"q0": "5", "q1": "4", "comment": "很好"})

    assert response.status_code == 302 and response["Location"] == reverse("surveys:thanks")
    saved = SurveyResponse.objects.get()
    assert (saved.link_id, saved.answers, saved.comment) == (link.pk, [5, 4], "很好")
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200 and link.token not in thanks.content.decode()


def test_the_answer_page_needs_the_csrf_token(link):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(answer_url(link.token), {"q0": "5", "q1": "5"}).status_code == 403
    assert not SurveyResponse.objects.exists()


def test_a_missing_rating_comes_back_with_the_choices_kept(client, link):
    response = client.post(answer_url(link.token), {"q0": "4", "q1": "", "comment": "路灯"})
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["q1"] == ["Choose a rating for this question."]
    page = response.content.decode()
    assert re.search(r'value="4"[^>]*id="id_q0_1"[^>]*checked|checked[^>]*value="4"', page) or (
        'name="q0" value="4"' in page and "checked" in page
    )
    assert "路灯" in page
    assert SurveyLink.objects.get().used_at is None


@pytest.mark.parametrize("bad", ["0", "6", "x", "\x00", "3.5", "9" * 50])
def test_a_garbage_rating_is_a_form_error(client, link, bad):
    response = client.post(answer_url(link.token), {"q0": bad, "q1": "5"})
    assert response.status_code == 400
    assert response.context["form"].errors["q0"]
    assert not SurveyResponse.objects.exists()


def test_a_used_link_says_it_was_answered(client, link):
    answer(token=link.token, ratings=[5, 5])
    for response in (
        client.get(answer_url(link.token)),
        client.post(answer_url(link.token), {"q0": "1", "q1": "1"}),
    ):
        assert response.status_code == 410
        assert "already been answered" in response.content.decode()
        assert response["Referrer-Policy"] == "same-origin"
    assert SurveyResponse.objects.get().answers == [5, 5]


def test_an_expired_link_says_so(client, link, frozen):
    frozen.move_to(CLOSES)
    response = client.get(answer_url(link.token))
    assert response.status_code == 410
    assert "expired" in response.content.decode()


@pytest.mark.parametrize(
    "token",
    [
        "A" * 22,  # well-formed, no one's
        "nope",
        "A" * 3000,
        "abc%00defghijklmnopqrstu",
        "%00",
        "%E4%B8%AD%E6%96%87%E6%96%87%E6%96%87%E6%96%87%E6%96%87%E6%96%87",
        "'%20OR%201=1--aaaaaaaaaaa",
        "%0A%0D" * 10,
    ],
)
def test_a_token_that_is_no_link_is_not_found_and_never_an_error(client, link, token):
    assert client.get(f"/survey/{token}/").status_code == 404
    assert client.post(f"/survey/{token}/", {"q0": "5", "q1": "5"}).status_code == 404


def test_answer_posts_are_limited_per_ip(client, survey, gulou_community):
    links = [SurveyLinkFactory(survey=survey, brigade=gulou_community.brigade) for _ in range(21)]
    for link in links[:20]:
        assert client.post(answer_url(link.token), {"q0": "5"}).status_code == 400
    response = client.post(answer_url(links[20].token), {"q0": "5", "q1": "4", "comment": "好"})
    assert response.status_code == 429
    assert "好" in response.content.decode()  # kept as typed
    assert not SurveyResponse.objects.exists()
