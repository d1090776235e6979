"""The month's overview: who may open it, what it says about the run (a run id that is not one
is a 404), and the assessors' run and publish buttons with the progress bar."""

import datetime
import json
import zoneinfo

import pytest
from django.urls import reverse

from assessments.models import Run, RunStatus
from tests.assessments import scored
from tests.assessments.factories import RunFactory

pytestmark = pytest.mark.django_db

october = scored.october
fast_password_hashing = scored.fast_password_hashing
september_draft = scored.september_draft
NOW = datetime.datetime(2026, 11, 22, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
OCTOBER_URL = reverse("assessments:month", kwargs={"month": "2026-10"})


@pytest.fixture(autouse=True)
def _november(time_machine):
    time_machine.move_to(NOW, tick=False)


def charts_of(response) -> dict:
    content = response.content.decode()
    start = content.index('<script id="assessment-charts" type="application/json">')
    body = content[start:].split(">", 1)[1].split("</script>", 1)[0]
    return json.loads(body)


def test_assessor_sees_city_totals_sentence_in_chinese(client, assessor, october):
    client.force_login(assessor)
    response = client.get(OCTOBER_URL, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    text = response.content.decode()
    assert 'id="city-totals"' in text
    for figure in ("317", "261", "82", "45", "44", "98"):
        assert figure in text.split('id="city-totals"')[1].split("</p>")[0]


def test_overview_without_a_month_opens_last_month(client, assessor, october):
    client.force_login(assessor)
    response = client.get(reverse("assessments:overview"))
    assert response.status_code == 200
    assert response.context["month"] == datetime.date(2026, 10, 1)
    assert response.context["run"] == october.run


@pytest.mark.parametrize("garbage", ["2026-13", "abcd-ef", "2026", "1999-12", "2026-10-01", "%00"])
def test_garbage_month_is_a_404(client, assessor, garbage):
    client.force_login(assessor)
    assert client.get(f"/assessments/{garbage}/").status_code == 404


def test_charts_carry_grades_brigades_trend_and_split(client, assessor, october):
    client.force_login(assessor)
    charts = charts_of(client.get(OCTOBER_URL))
    assert charts["grades"] == {"A": 1, "B": 0, "C": 1, "D": 0, "E": 0}
    assert [b["name"] for b in charts["brigades"]] == ["鼓楼执法监督一大队", "泉山执法监督三大队"]
    assert charts["trend"] == [{"month": "2026-10", "value": pytest.approx(81.88, abs=0.01)}]
    assert [part["value"] for part in charts["split"]] == [70, 20, 10]


def test_page_says_when_weights_were_redistributed(client, assessor, october):
    client.force_login(assessor)
    assert 'id="redistributed"' in client.get(OCTOBER_URL).content.decode()


def test_page_is_silent_about_redistribution_when_every_indicator_counted(
    client, assessor, october
):
    october.officer_quanshan.delete()
    client.force_login(assessor)
    assert 'id="redistributed"' not in client.get(OCTOBER_URL).content.decode()


# --- who sees what -------------------------------------------------------------------------


def test_officer_sees_own_score_but_not_city_totals_or_brigade_bars(client, officer_gulou, october):
    client.force_login(officer_gulou)
    response = client.get(OCTOBER_URL)
    assert response.status_code == 200
    assert response.context["own_officer"] == october.officer_gulou
    assert 'id="city-totals"' not in response.content.decode()
    charts = charts_of(response)
    assert charts["brigades"] == [] and charts["split"] == []
    assert charts["grades"] == {"A": 1, "B": 0, "C": 0, "D": 0, "E": 0}


def test_officer_does_not_see_another_officers_grade_in_the_distribution(
    client, officer_quanshan, october
):
    client.force_login(officer_quanshan)
    charts = charts_of(client.get(OCTOBER_URL))
    assert charts["grades"]["A"] == 0 and charts["grades"]["C"] == 1


def test_supervisor_sees_city_totals_and_only_their_brigade(client, supervisor_gulou, october):
    client.force_login(supervisor_gulou)
    response = client.get(OCTOBER_URL)
    assert 'id="city-totals"' in response.content.decode()
    assert [b["name"] for b in charts_of(response)["brigades"]] == ["鼓楼执法监督一大队"]


def test_officer_cannot_see_an_unpublished_run(client, officer_gulou, september_draft):
    client.force_login(officer_gulou)
    response = client.get(reverse("assessments:month", kwargs={"month": "2026-09"}))
    assert response.status_code == 200
    assert response.context["run"] is None
    assert "王建国" not in response.content.decode().split('id="main"')[1]


def test_assessor_sees_the_unpublished_run(client, assessor, september_draft):
    client.force_login(assessor)
    response = client.get(reverse("assessments:month", kwargs={"month": "2026-09"}))
    assert response.context["run"] == september_draft.run
    assert 'id="run-unpublished"' in response.content.decode()


def test_resident_is_refused_the_assessment(client, resident, october):
    client.force_login(resident)
    assert client.get(OCTOBER_URL).status_code == 403


def test_anonymous_is_sent_to_log_in(client, october):
    response = client.get(OCTOBER_URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_handler_sees_their_units_score_only(client, handler_sanitation, october):
    client.force_login(handler_sanitation)
    response = client.get(OCTOBER_URL)
    assert response.context["own_unit"] == october.department
    assert [kind for kind, _label in response.context["kinds"]] == ["department"]


# --- run, progress, publish ----------------------------------------------------------------


def test_assessor_starts_last_months_run(client, assessor, django_capture_on_commit_callbacks):
    client.force_login(assessor)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("assessments:start", kwargs={"month": "2026-10"}))
    run = Run.objects.get(month=datetime.date(2026, 10, 1))
    assert response.status_code == 302 and response["Location"].endswith(f"?run={run.pk}")
    assert run.status == RunStatus.QUEUED and run.started_by == assessor


def test_supervisor_cannot_start_a_run(client, command_supervisor):
    client.force_login(command_supervisor)
    response = client.post(reverse("assessments:start", kwargs={"month": "2026-10"}))
    assert response.status_code == 403
    assert not Run.objects.exists()


def test_the_current_month_cannot_be_run(client, assessor):
    client.force_login(assessor)
    response = client.post(reverse("assessments:start", kwargs={"month": "2026-11"}), follow=True)
    assert not Run.objects.exists()
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_progress_bar_polls_while_running_and_stops_when_done(client, assessor):
    run = RunFactory(month=datetime.date(2026, 10, 1), status=RunStatus.RUNNING, progress=40)
    client.force_login(assessor)
    url = reverse("assessments:progress", kwargs={"run_id": run.pk})
    running = client.get(url).content.decode()
    assert 'hx-trigger="every 1s"' in running and 'value="40"' in running
    Run.objects.filter(pk=run.pk).update(status=RunStatus.DONE, progress=100)
    done = client.get(url).content.decode()
    assert "hx-trigger" not in done and f"?run={run.pk}" in done


def test_a_poll_that_finds_the_run_no_longer_in_hand_reloads_the_whole_page(client, assessor):
    run = RunFactory(month=datetime.date(2026, 10, 1), status=RunStatus.RUNNING, progress=40)
    client.force_login(assessor)
    url = reverse("assessments:progress", kwargs={"run_id": run.pk})
    assert "HX-Refresh" not in client.get(url, headers={"HX-Request": "true"})
    Run.objects.filter(pk=run.pk).update(status=RunStatus.DONE, progress=100, finished_at=NOW)
    # The page then shows the results and the publish button, and no "started" banner.
    assert client.get(url, headers={"HX-Request": "true"})["HX-Refresh"] == "true"
    assert "HX-Refresh" not in client.get(url)  # opened by hand: just the fragment


def test_a_poll_that_finds_the_run_interrupted_reloads_the_page(client, assessor, time_machine):
    run = RunFactory(month=datetime.date(2026, 10, 1), status=RunStatus.RUNNING, progress=5)
    Run.objects.filter(pk=run.pk).update(heartbeat_at=NOW)
    client.force_login(assessor)
    url = reverse("assessments:progress", kwargs={"run_id": run.pk})
    time_machine.move_to(NOW + datetime.timedelta(minutes=2), tick=False)
    response = client.get(url, headers={"HX-Request": "true"})
    assert response["HX-Refresh"] == "true" and 'id="run-interrupted"' in response.text


def test_the_started_banner_goes_once_the_run_has_finished(
    client, assessor, django_capture_on_commit_callbacks
):
    client.force_login(assessor)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        started = client.post(
            reverse("assessments:start", kwargs={"month": "2026-10"}), follow=True
        )
    assert len(queued) == 1
    assert [m.level_tag for m in started.context["messages"]] == ["success"]
    run = Run.objects.get()
    Run.objects.filter(pk=run.pk).update(status=RunStatus.DONE, progress=100, finished_at=NOW)
    page = client.get(OCTOBER_URL + f"?run={run.pk}")  # what the poll's reload shows
    assert not list(page.context["messages"]) and 'id="publish-run"' in page.text


def test_the_run_button_says_so_when_the_run_is_already_under_way(
    client, assessor, django_capture_on_commit_callbacks
):
    run = RunFactory(month=datetime.date(2026, 10, 1), status=RunStatus.RUNNING, progress=5)
    client.force_login(assessor)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(
            reverse("assessments:start", kwargs={"month": "2026-10"}), follow=True
        )
    assert not queued  # nothing was queued, and the page does not claim it was
    assert [m.level_tag for m in response.context["messages"]] == ["info"]
    assert response.redirect_chain[-1][0].endswith(f"?run={run.pk}")


def test_failed_run_shows_its_error(client, assessor):
    run = RunFactory(status=RunStatus.FAILED, error="OperationalError: database is locked")
    client.force_login(assessor)
    text = client.get(reverse("assessments:progress", kwargs={"run_id": run.pk})).content.decode()
    assert "database is locked" in text and "hx-trigger" not in text


def test_officer_cannot_poll_an_unpublished_run(client, officer_gulou, september_draft):
    client.force_login(officer_gulou)
    url = reverse("assessments:progress", kwargs={"run_id": september_draft.run.pk})
    assert client.get(url).status_code == 404


def test_huge_run_id_is_a_404(client, assessor):
    client.force_login(assessor)
    assert client.get("/assessments/runs/99999999999999999999/progress/").status_code == 404


def test_assessor_publishes_a_finished_run(client, assessor, september_draft):
    client.force_login(assessor)
    response = client.post(
        reverse("assessments:publish", kwargs={"month": "2026-09"}),
        {"run": september_draft.run.pk},
    )
    assert response.status_code == 302
    run = Run.objects.get(pk=september_draft.run.pk)
    assert run.published and run.published_by == assessor


def test_supervisor_cannot_publish(client, command_supervisor, september_draft):
    client.force_login(command_supervisor)
    response = client.post(
        reverse("assessments:publish", kwargs={"month": "2026-09"}),
        {"run": september_draft.run.pk},
    )
    assert response.status_code == 403
    assert not Run.objects.get(pk=september_draft.run.pk).published


@pytest.mark.parametrize("value", ["", "abc", "999999999999999999999", "-1"])
def test_publishing_garbage_is_a_message_not_a_500(client, assessor, september_draft, value):
    client.force_login(assessor)
    response = client.post(
        reverse("assessments:publish", kwargs={"month": "2026-09"}), {"run": value}, follow=True
    )
    assert response.status_code == 200
    assert not Run.objects.get(pk=september_draft.run.pk).published


def test_a_published_month_says_it_is_frozen_and_offers_a_new_run(client, assessor, october):
    client.force_login(assessor)
    text = client.get(OCTOBER_URL).content.decode()
    assert 'id="run-published"' in text and 'id="start-run"' in text
    assert 'id="publish-run"' not in text


def test_overview_runs_a_constant_number_of_queries(
    client, assessor, october, django_assert_max_num_queries
):
    client.force_login(assessor)
    with django_assert_max_num_queries(20) as small:
        client.get(OCTOBER_URL)
    scored.more_officers(october.run, october.officer_gulou.brigade, 30)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(OCTOBER_URL)


def test_a_running_run_offers_no_second_start(client, assessor):
    run = RunFactory(status=RunStatus.RUNNING, progress=10)
    client.force_login(assessor)
    text = client.get(OCTOBER_URL + f"?run={run.pk}").content.decode()
    assert 'id="run-progress"' in text and 'id="start-run"' not in text


def test_a_failed_run_can_be_started_again(client, assessor):
    run = RunFactory(status=RunStatus.FAILED, error="boom")
    client.force_login(assessor)
    text = client.get(OCTOBER_URL + f"?run={run.pk}").content.decode()
    assert 'id="start-run"' in text and "boom" in text


def test_assessor_home_links_to_the_monthly_assessment(client, assessor):
    client.force_login(assessor)
    html = client.get(reverse("web:assessor_home")).content.decode()
    assert f'href="{reverse("assessments:overview")}" id="assessment-link"' in html


def test_officer_menu_links_to_the_monthly_assessment(client, officer_gulou):
    client.force_login(officer_gulou)
    html = client.get(reverse("web:officer_home")).content.decode()
    assert f'href="{reverse("assessments:overview")}"' in html


def test_resident_menu_has_no_assessment_link(client, resident):
    client.force_login(resident)
    html = client.get(reverse("grids:board_index")).content.decode()
    assert f'href="{reverse("assessments:overview")}"' not in html


@pytest.mark.parametrize("run", ["²", "١٢", "1e3", "-1", "9" * 11])
def test_a_run_id_of_other_digits_is_a_404_not_a_500(client, assessor, october, run):
    client.force_login(assessor)
    url = reverse("assessments:month", kwargs={"month": "2026-10"})
    assert client.get(url, {"run": run}).status_code == 404
