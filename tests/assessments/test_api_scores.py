"""The assessment through the REST API: runs and scores, scoped exactly like the pages (the city
totals only for those the page shows them to)."""

import datetime
import zoneinfo

import pytest

from tests.api.conftest import errors
from tests.assessments import scored

pytestmark = pytest.mark.django_db

october = scored.october
september_draft = scored.september_draft
fast_password_hashing = scored.fast_password_hashing
NOW = datetime.datetime(2026, 11, 22, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
RUNS = "/api/v1/assessments/runs/"


@pytest.fixture(autouse=True)
def _november(time_machine):
    time_machine.move_to(NOW, tick=False)


def scores_url(run, kind: str = "") -> str:
    return f"/api/v1/assessments/runs/{run.pk}/scores/" + (f"?kind={kind}" if kind else "")


def names(response) -> list[str]:
    return [row["name"] for row in response.json()["results"]]


def test_assessor_lists_published_and_unpublished_runs(client, assessor, october, september_draft):
    client.force_login(assessor)
    body = client.get(RUNS).json()
    assert {row["id"] for row in body["results"]} == {october.run.pk, september_draft.run.pk}
    assert {row["month"] for row in body["results"]} == {"2026-10", "2026-09"}


def test_officer_lists_only_published_runs(client, officer_gulou, october, september_draft):
    client.force_login(officer_gulou)
    assert [row["id"] for row in client.get(RUNS).json()["results"]] == [october.run.pk]


def test_resident_is_refused_the_runs(client, resident, october):
    client.force_login(resident)
    response = client.get(RUNS)
    assert response.status_code == 403 and "detail" in errors(response)


def test_anonymous_gets_401(client, october):
    assert client.get(RUNS).status_code == 401


def test_officer_scores_show_indicators_in_rank_order(client, assessor, october):
    client.force_login(assessor)
    response = client.get(scores_url(october.run, "officer"))
    assert names(response) == ["王建国", "李秀英"]
    first = response.json()["results"][0]
    assert first["badge_number"] == "GL1-001" and first["grade"] == "A"
    assert first["indicators"]["on_time"] == {
        "num": 9,
        "den": 10,
        "rate": pytest.approx(0.9),
        "points": pytest.approx(90.0),
        "weight": 20.0,
    }


def test_officer_sees_only_their_own_score(client, officer_gulou, october):
    client.force_login(officer_gulou)
    assert names(client.get(scores_url(october.run))) == ["王建国"]


def test_supervisor_sees_their_brigade_not_the_other(client, supervisor_gulou, october):
    client.force_login(supervisor_gulou)
    assert names(client.get(scores_url(october.run, "officer"))) == ["王建国"]
    assert names(client.get(scores_url(october.run, "brigade"))) == ["鼓楼执法监督一大队"]
    assert names(client.get(scores_url(october.run, "district"))) == []


def test_handler_sees_their_units_score(client, handler_sanitation, october):
    client.force_login(handler_sanitation)
    assert names(client.get(scores_url(october.run, "department"))) == ["环卫处"]
    assert names(client.get(scores_url(october.run, "officer"))) == []


def test_officer_cannot_read_an_unpublished_runs_scores(client, officer_gulou, september_draft):
    client.force_login(officer_gulou)
    assert client.get(scores_url(september_draft.run)).status_code == 404


def test_assessor_reads_an_unpublished_runs_scores(client, assessor, september_draft):
    client.force_login(assessor)
    assert client.get(scores_url(september_draft.run)).status_code == 200


@pytest.mark.parametrize("kind", ["wizard", "%00", "OFFICER"])
def test_unknown_kind_is_a_400_with_the_field(client, assessor, october, kind):
    client.force_login(assessor)
    response = client.get(scores_url(october.run, kind))
    assert response.status_code == 400 and "kind" in errors(response)


@pytest.mark.parametrize("run_id", ["0", "99999999999999999999", "123456"])
def test_unknown_run_is_a_404(client, assessor, october, run_id):
    client.force_login(assessor)
    response = client.get(f"/api/v1/assessments/runs/{run_id}/scores/")
    assert response.status_code == 404


def test_schema_documents_the_assessment_endpoints(client, assessor):
    client.force_login(assessor)
    paths = client.get("/api/schema/?format=json").json()["paths"]
    assert "/api/v1/assessments/runs/" in paths
    assert "/api/v1/assessments/runs/{run_id}/scores/" in paths


def test_scores_run_a_constant_number_of_queries(
    client, assessor, october, django_assert_max_num_queries
):
    client.force_login(assessor)
    with django_assert_max_num_queries(10) as small:
        client.get(scores_url(october.run))
    scored.more_officers(october.run, october.officer_gulou.brigade, 30)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(names(client.get(scores_url(october.run)))) == 32


def test_runs_list_runs_a_constant_number_of_queries(
    client, assessor, october, django_assert_max_num_queries
):
    from tests.assessments.factories import RunFactory

    client.force_login(assessor)
    with django_assert_max_num_queries(10) as small:
        client.get(RUNS)
    for month in range(1, 9):
        RunFactory(month=datetime.date(2026, month, 1), published=True)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(client.get(RUNS).json()["results"]) == 9


@pytest.mark.parametrize("who", ["officer_gulou", "handler_sanitation"])
def test_officers_and_handlers_get_runs_without_the_city_totals(client, request, october, who):
    client.force_login(request.getfixturevalue(who))
    rows = client.get(RUNS).json()["results"]
    assert rows and all(row["totals"] is None for row in rows)


@pytest.mark.parametrize("who", ["supervisor_gulou", "assessor"])
def test_supervisors_and_assessors_get_the_city_totals(client, request, october, who):
    client.force_login(request.getfixturevalue(who))
    rows = client.get(RUNS).json()["results"]
    assert rows[0]["totals"]["found"] == scored.TOTALS["found"]
