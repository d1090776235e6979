"""The patrol pages as officers and supervisors use them: the position endpoint (JSON, bad input
is a 400 never a 500), scoping (another brigade's patrols and logs are a 404), and the pages."""

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from patrols import services
from patrols.models import DailyLog, LogStatus, Outreach, PatrolPoint
from tests.factories import jpeg_bytes
from tests.maps import map_json
from tests.patrols.conftest import GULOU_001, GULOU_002, OUTSIDE_CITY, QUANSHAN_001

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 11, 23)


def post_point(client, session, payload):
    body = payload if isinstance(payload, str | bytes) else json.dumps(payload)
    return client.post(
        reverse("patrols:point", args=[session.pk]), body, content_type="application/json"
    )


@pytest.fixture
def on_patrol(monday, officer_gulou, client):
    """officer_gulou, logged in, on patrol at 10:00 on Monday 23 November 2026."""
    client.force_login(officer_gulou)
    session, _ = services.start_patrol(actor=officer_gulou)
    return session


def test_the_browser_posts_a_position_and_gets_the_running_totals(on_patrol, client):
    first = post_point(client, on_patrol, {"lat": GULOU_001[0], "lng": GULOU_001[1], "accuracy": 9})
    second = post_point(
        client,
        on_patrol,
        {"lat": GULOU_002[0], "lng": GULOU_002[1], "accuracy": 9, "timestamp": 1795000000000},
    )

    assert first.status_code == second.status_code == 201
    assert second.json()["points"] == 2 and second.json()["distance_m"] == 100


def test_a_position_outside_the_city_is_a_400_with_a_message(on_patrol, client):
    response = post_point(client, on_patrol, {"lat": OUTSIDE_CITY[0], "lng": OUTSIDE_CITY[1]})

    assert response.status_code == 400
    assert response.json()["ok"] is False and response.json()["error"]
    assert not PatrolPoint.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [
        "",
        "not json",
        b"\xff\xfe",
        "[1, 2]",
        "null",
        {"lat": "north", "lng": 117},
        {"lat": 95, "lng": 117.18},
        {"lat": 34.26},
        {"lat": 34.26, "lng": 117.18, "accuracy": -5},
        {"lat": 34.26, "lng": 117.18, "timestamp": "soon"},
        {"lat": 34.26, "lng": 117.18, "timestamp": 10**20},
        {"lat": "NaN", "lng": "Infinity"},
    ],
)
def test_garbage_positions_are_a_400_never_a_500(on_patrol, client, payload):
    assert post_point(client, on_patrol, payload).status_code == 400


def test_an_officer_cannot_post_to_another_officers_patrol(on_patrol, officer_quanshan, client):
    client.force_login(officer_quanshan)

    response = post_point(client, on_patrol, {"lat": QUANSHAN_001[0], "lng": QUANSHAN_001[1]})

    assert response.status_code == 404


def test_a_second_start_on_the_page_resumes_the_patrol(on_patrol, client):
    response = client.post(reverse("patrols:start"), follow=True)

    assert response.status_code == 200
    assert f"/patrols/{on_patrol.pk}/points/" in response.content.decode()


def test_the_patrol_page_records_one_tap_visits(on_patrol, client):
    response = client.post(
        reverse("patrols:outreach"), {"kind": "visit"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200 and "1" in response.content.decode()
    assert Outreach.objects.get().session == on_patrol
    assert client.post(reverse("patrols:outreach"), {"kind": "bogus"}).status_code == 400


def test_the_finding_form_keeps_the_input_and_says_what_is_missing(on_patrol, client, category):
    response = client.post(
        reverse("patrols:finding"),
        {
            "outcome": "on_site",
            "category": category.pk,
            "description": "人行道上有暴露垃圾",
            "lat": GULOU_001[0],
            "lng": GULOU_001[1],
        },
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "人行道上有暴露垃圾" in page and 'class="invalid-feedback' in page


def test_a_finding_at_a_point_that_is_no_number_is_a_clear_error_not_a_broken_map(
    on_patrol, client, category
):
    response = client.post(
        reverse("patrols:finding"),
        {
            "outcome": "dispatch",
            "category": category.pk,
            "description": "人行道上有暴露垃圾",
            "lat": "NaN",
            "lng": "NaN",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "where-error" in page and "Tap the map where the problem is." in page
    assert json.loads(map_json(page))["point"] is None  # NaN is not JSON: the map would not load


def test_the_finding_form_files_a_finding_for_dispatch(on_patrol, client, category, media):
    photo = ("p.jpg", jpeg_bytes())
    response = client.post(
        reverse("patrols:finding"),
        {
            "outcome": "dispatch",
            "category": category.pk,
            "description": "井盖松动",
            "lat": GULOU_001[0],
            "lng": GULOU_001[1],
            "photos": SimpleUploadedFile(*photo, content_type="image/jpeg"),
        },
    )

    assert response.status_code == 302
    assert on_patrol.officer.user.reported_tickets.get().state == "registered"


def test_garbage_in_the_finding_url_is_ignored(on_patrol, client):
    url = reverse("patrols:finding")
    assert client.get(url, {"lat": "x", "lng": "1e999"}).status_code == 200


def test_an_officer_cannot_see_another_brigades_patrols(on_patrol, officer_quanshan, client):
    client.force_login(officer_quanshan)

    assert client.get(reverse("patrols:session", args=[on_patrol.pk])).status_code == 404


def test_an_officer_sees_their_own_patrol(on_patrol, client):
    assert client.get(reverse("patrols:session", args=[on_patrol.pk])).status_code == 200


def test_a_supervisor_sees_their_brigades_patrol_on_the_map(on_patrol, supervisor_gulou, client):
    services.record_point(
        actor=on_patrol.officer.user, session_id=on_patrol.pk, lat=GULOU_001[0], lng=GULOU_001[1]
    )
    client.force_login(supervisor_gulou)

    response = client.get(reverse("patrols:today"))

    assert response.status_code == 200
    assert response.context["map_data"]["tracks"][0]["points"] == [list(GULOU_001)]
    assert client.get(reverse("patrols:session", args=[on_patrol.pk])).status_code == 200


def test_another_brigades_supervisor_does_not_see_the_patrol(
    on_patrol, supervisor_quanshan, client
):
    client.force_login(supervisor_quanshan)

    response = client.get(reverse("patrols:today"))

    assert response.context["map_data"]["tracks"] == []
    assert client.get(reverse("patrols:session", args=[on_patrol.pk])).status_code == 404


def test_the_command_centre_sees_every_brigades_patrols(on_patrol, command_supervisor, client):
    client.force_login(command_supervisor)

    assert len(client.get(reverse("patrols:today")).context["map_data"]["tracks"]) == 1


def test_the_supervisor_approves_a_log_on_its_page(on_patrol, supervisor_gulou, client):
    user = on_patrol.officer.user
    log = services.submit_log(actor=user, day=MONDAY, summary="巡查两个网格", problems="")
    client.force_login(supervisor_gulou)
    assert log in client.get(reverse("patrols:review_queue")).context["logs"]

    response = client.post(reverse("patrols:log_detail", args=[log.pk]), {"decision": "approve"})

    assert response.status_code == 302
    assert DailyLog.objects.get().status == LogStatus.APPROVED


def test_returning_a_log_without_a_note_is_refused_with_a_message(
    on_patrol, supervisor_gulou, client
):
    user = on_patrol.officer.user
    log = services.submit_log(actor=user, day=MONDAY, summary="巡查", problems="")
    client.force_login(supervisor_gulou)

    response = client.post(reverse("patrols:log_detail", args=[log.pk]), {"decision": "return"})

    assert response.status_code == 400
    assert DailyLog.objects.get().status == LogStatus.SUBMITTED


def test_another_brigades_supervisor_cannot_open_the_log(on_patrol, supervisor_quanshan, client):
    user = on_patrol.officer.user
    log = services.submit_log(actor=user, day=MONDAY, summary="巡查", problems="")
    client.force_login(supervisor_quanshan)

    assert client.get(reverse("patrols:log_detail", args=[log.pk])).status_code == 404
    assert log not in client.get(reverse("patrols:review_queue")).context["logs"]


def test_an_officer_cannot_open_a_colleagues_week(on_patrol, officer_quanshan, client):
    client.force_login(officer_quanshan)
    url = reverse("patrols:week", args=[on_patrol.officer_id])

    assert client.get(url).status_code == 404


def test_the_supervisor_opens_an_officers_week(on_patrol, supervisor_gulou, client):
    client.force_login(supervisor_gulou)
    url = reverse("patrols:week", args=[on_patrol.officer_id])

    response = client.get(url, {"week": "garbage"})

    assert response.status_code == 200 and len(response.context["days"]) == 7
    assert response.context["days"][MONDAY.weekday()].patrols == 1


def test_supervisor_pages_are_closed_to_officers(on_patrol, client):
    for name in ("patrols:today", "patrols:review_queue", "patrols:leadership_list"):
        assert client.get(reverse(name)).status_code == 403


def test_the_homes_show_the_patrol_controls(on_patrol, supervisor_gulou, client):
    assert "patrol-card" in client.get(reverse("web:officer_home")).content.decode()
    client.force_login(supervisor_gulou)
    response = client.get(reverse("web:supervisor_home"))
    assert "patrol-summary" in response.content.decode()
    # 王建国 is on duty from 08:30, patrolling since 10:00, no log yet.
    assert (response.context["patrols_open"], response.context["logs_missing"]) == (1, 1)


def test_the_patrol_page_counts_track_points_not_a_shops_score(on_patrol, client):
    html = client.get(reverse("patrols:patrol"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "轨迹点" in html
    assert "分数" not in html
