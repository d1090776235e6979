"""Rankings, an officer's page, a brigade's page and the tickets behind an officer's number:
what each shows, and that nobody opens what is not theirs."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from assessments.models import SubjectKind
from cases.models import State
from tests.assessments import scored
from tests.cases import conftest as cases_fixtures

pytestmark = pytest.mark.django_db

october = scored.october
september_draft = scored.september_draft
fast_password_hashing = scored.fast_password_hashing
category = cases_fixtures.category
enforceable_category = cases_fixtures.enforceable_category
media = cases_fixtures.media
make_ticket = cases_fixtures.make_ticket
supervisor_quanshan = cases_fixtures.supervisor_quanshan

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 11, 22, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _november(time_machine):
    time_machine.move_to(NOW, tick=False)


def ranking_url(kind: str, query: str = "") -> str:
    return reverse("assessments:ranking", kwargs={"month": "2026-10", "kind": kind}) + query


def officer_url(badge: str) -> str:
    return reverse("assessments:officer", kwargs={"month": "2026-10", "badge": badge})


def tickets_url(badge: str, code: str, part: str) -> str:
    kwargs = {"month": "2026-10", "badge": badge, "code": code, "part": part}
    return reverse("assessments:officer_tickets", kwargs=kwargs)


# --- rankings ------------------------------------------------------------------------------


def test_officer_ranking_shows_rank_grade_change_and_rates(client, assessor, october):
    client.force_login(assessor)
    response = client.get(ranking_url("officer"))
    text = response.content.decode()
    assert response.status_code == 200
    assert text.index("王建国") < text.index("李秀英")
    assert "text-bg-success" in text and "text-bg-info" in text  # grade A and C badges
    assert "▲" in text and "▼" in text
    assert "90.0%" in text  # 王建国's on-time rate, 9 of 10
    assert officer_url("GL1-001") in text


def test_officer_ranking_draws_its_rows_with_tags_not_an_include_a_cell(client, assessor, october):
    # Fifty rows a page, each with a grade, a change and its indicators: two includes and the
    # indicators' branches a row cost more than the page's SQL. The same marks as the includes.
    client.force_login(assessor)
    response = client.get(ranking_url("officer"))
    names = {t.name for t in response.templates}
    assert not names & {"assessments/_grade.html", "assessments/_change.html"}
    text = response.content.decode()
    assert '<span class="badge text-bg-success" title="等次">A</span>' in text
    assert '<span aria-hidden="true">▲</span><span class="visually-hidden">' in text
    assert '<td class="text-nowrap">90.0%</td>' in text


def test_missing_indicator_reads_not_applicable(client, assessor, october):
    client.force_login(assessor)
    response = client.get(ranking_url("officer"), HTTP_ACCEPT_LANGUAGE="en")
    assert "n/a" in response.content.decode()
    assert 'id="redistributed"' in response.content.decode()


def test_officer_ranking_filters_by_brigade(client, assessor, october):
    client.force_login(assessor)
    brigade = october.officer_quanshan.brigade
    text = client.get(ranking_url("officer", f"?brigade={brigade.pk}")).content.decode()
    assert "李秀英" in text and "王建国" not in text


@pytest.mark.parametrize("value", ["abc", "99999999999999999999", "-1", "%00"])
def test_garbage_brigade_filter_is_not_a_500(client, assessor, october, value):
    client.force_login(assessor)
    assert client.get(ranking_url("officer", f"?brigade={value}")).status_code == 200


@pytest.mark.parametrize("page", ["abc", "0", "-1", "99999"])
def test_garbage_page_number_is_not_a_500(client, assessor, october, page):
    client.force_login(assessor)
    assert client.get(ranking_url("officer", f"?page={page}")).status_code == 200


@pytest.mark.parametrize("kind", SubjectKind.values)
def test_assessor_opens_every_kinds_ranking(client, assessor, october, kind):
    client.force_login(assessor)
    assert client.get(ranking_url(kind)).status_code == 200


def test_unknown_kind_is_a_404(client, assessor, october):
    client.force_login(assessor)
    assert client.get(ranking_url("wizards")).status_code == 404


def test_supervisor_ranking_lists_only_their_brigades_officers(client, supervisor_gulou, october):
    client.force_login(supervisor_gulou)
    text = client.get(ranking_url("officer")).content.decode()
    assert "王建国" in text and "李秀英" not in text


def test_supervisor_cannot_open_the_districts_ranking(client, supervisor_gulou, october):
    client.force_login(supervisor_gulou)
    assert client.get(ranking_url("district")).status_code == 403


def test_command_centre_sees_every_officer(client, command_supervisor, october):
    client.force_login(command_supervisor)
    text = client.get(ranking_url("officer")).content.decode()
    assert "王建国" in text and "李秀英" in text


def test_officer_ranking_shows_only_their_own_row(client, officer_gulou, october):
    client.force_login(officer_gulou)
    text = client.get(ranking_url("officer")).content.decode()
    assert "王建国" in text and "李秀英" not in text


def test_officer_cannot_rank_brigades(client, officer_gulou, october):
    client.force_login(officer_gulou)
    assert client.get(ranking_url("brigade")).status_code == 403


def test_officer_cannot_open_an_unpublished_ranking(client, officer_gulou, september_draft):
    client.force_login(officer_gulou)
    url = reverse("assessments:ranking", kwargs={"month": "2026-09", "kind": "officer"})
    assert client.get(url).status_code == 404


def test_assessor_opens_an_unpublished_ranking(client, assessor, september_draft):
    client.force_login(assessor)
    url = reverse("assessments:ranking", kwargs={"month": "2026-09", "kind": "officer"})
    assert client.get(url).status_code == 200


def test_run_parameter_of_another_month_is_a_404(client, assessor, october, september_draft):
    client.force_login(assessor)
    assert client.get(ranking_url("officer", f"?run={september_draft.run.pk}")).status_code == 404
    assert client.get(ranking_url("officer", "?run=abc")).status_code == 404


def test_ranking_runs_a_constant_number_of_queries(
    client, assessor, october, django_assert_max_num_queries
):
    client.force_login(assessor)
    with django_assert_max_num_queries(15) as small:
        client.get(ranking_url("officer"))
    scored.more_officers(october.run, october.officer_gulou.brigade, 60)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(ranking_url("officer"))
    assert response.context["page"].paginator.count == 62


# --- an officer's page ---------------------------------------------------------------------


def test_officer_page_shows_numerator_denominator_points_and_weight(client, assessor, october):
    client.force_login(assessor)
    response = client.get(officer_url("GL1-001"))
    assert response.status_code == 200
    on_time = next(row for row in response.context["rows"] if row.code == "on_time")
    assert (on_time.num, on_time.den, on_time.weight) == (9, 10, 20.0)
    text = response.content.decode()
    assert tickets_url("GL1-001", "on_time", "num") in text
    assert tickets_url("GL1-001", "on_time", "den") in text
    assert tickets_url("GL1-001", "logs", "num") not in text  # days, not tickets


def test_officer_page_marks_redistributed_weights(client, assessor, october):
    client.force_login(assessor)
    response = client.get(officer_url("QS3-001"))
    assert 'id="redistributed"' in response.content.decode()
    on_time = next(row for row in response.context["rows"] if row.code == "on_time")
    assert on_time.weight == 35.0


def test_officer_sees_their_own_page(client, officer_gulou, october):
    client.force_login(officer_gulou)
    assert client.get(officer_url("GL1-001")).status_code == 200


def test_officer_cannot_see_another_officers_page(client, officer_gulou, october):
    client.force_login(officer_gulou)
    assert client.get(officer_url("QS3-001")).status_code == 404


def test_supervisor_sees_their_brigades_officer(client, supervisor_gulou, october):
    client.force_login(supervisor_gulou)
    assert client.get(officer_url("GL1-001")).status_code == 200


def test_supervisor_cannot_see_another_brigades_officer(client, supervisor_gulou, october):
    client.force_login(supervisor_gulou)
    assert client.get(officer_url("QS3-001")).status_code == 404


def test_unknown_badge_is_a_404(client, assessor, october):
    client.force_login(assessor)
    assert client.get(officer_url("NOBODY")).status_code == 404
    assert client.get("/assessments/2026-10/officers/%00/").status_code == 404


def test_officer_page_runs_a_constant_number_of_queries(
    client, assessor, october, django_assert_max_num_queries
):
    client.force_login(assessor)
    with django_assert_max_num_queries(15) as small:
        client.get(officer_url("GL1-001"))
    scored.more_officers(october.run, october.officer_gulou.brigade, 30)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(officer_url("GL1-001"))


# --- a brigade's page ------------------------------------------------------------------------


def test_brigade_page_lists_its_officers_and_survey_score(client, assessor, october):
    client.force_login(assessor)
    url = reverse("assessments:brigade", kwargs={"month": "2026-10", "code": "gl1"})
    text = client.get(url).content.decode()
    assert "王建国" in text and "李秀英" not in text
    assert 'id="survey-score"' in text and "85.0" in text


def test_supervisor_cannot_see_another_brigades_page(client, supervisor_gulou, october):
    client.force_login(supervisor_gulou)
    url = reverse("assessments:brigade", kwargs={"month": "2026-10", "code": "qs3"})
    assert client.get(url).status_code == 404


def test_supervisor_sees_their_brigades_page(client, supervisor_gulou, october):
    client.force_login(supervisor_gulou)
    url = reverse("assessments:brigade", kwargs={"month": "2026-10", "code": "gl1"})
    assert client.get(url).status_code == 200


# --- the tickets behind a number -------------------------------------------------------------


@pytest.fixture
def october_ticket(make_ticket, officer_gulou):
    """A 鼓楼 ticket dispatched to 王建国 and fixed in October, in time."""
    with time_machine.travel(datetime.datetime(2026, 10, 13, 9, 0, tzinfo=SHANGHAI), tick=False):
        return make_ticket(State.RESOLVED)


def test_officer_drills_down_to_the_tickets_behind_a_number(
    client, officer_gulou, october, october_ticket
):
    client.force_login(officer_gulou)
    response = client.get(tickets_url("GL1-001", "on_time", "den"))
    assert response.status_code == 200
    assert october_ticket.number in response.content.decode()


def test_officer_cannot_drill_into_another_officers_number(client, officer_gulou, october):
    client.force_login(officer_gulou)
    assert client.get(tickets_url("QS3-001", "on_time", "den")).status_code == 404


@pytest.mark.parametrize(
    ("code", "part"), [("on_time", "all"), ("wizardry", "num"), ("survey", "num")]
)
def test_drill_down_into_nothing_is_a_404(client, assessor, october, code, part):
    client.force_login(assessor)
    assert client.get(tickets_url("GL1-001", code, part)).status_code == 404


def test_drill_down_runs_a_constant_number_of_queries(
    client, assessor, october, make_ticket, django_assert_max_num_queries
):
    client.force_login(assessor)
    url = tickets_url("GL1-001", "on_time", "den")
    with time_machine.travel(datetime.datetime(2026, 10, 13, 9, 0, tzinfo=SHANGHAI)):
        make_ticket(State.RESOLVED)
    with django_assert_max_num_queries(15) as small:
        assert client.get(url).status_code == 200
    with time_machine.travel(datetime.datetime(2026, 10, 14, 9, 0, tzinfo=SHANGHAI)):
        for _n in range(5):
            make_ticket(State.RESOLVED)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_brigade_page_runs_a_constant_number_of_queries(
    client, assessor, october, django_assert_max_num_queries
):
    client.force_login(assessor)
    url = reverse("assessments:brigade", kwargs={"month": "2026-10", "code": "gl1"})
    with django_assert_max_num_queries(15) as small:
        client.get(url)
    scored.more_officers(october.run, october.officer_gulou.brigade, 30)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert "队员29" in client.get(url).content.decode()
