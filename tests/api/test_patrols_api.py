"""Patrols and daily logs through the REST API: scoped like the pages (an officer their own, a
supervisor their brigade's, the command centre and assessors the city's, 404 out of scope), the
phone's writes done by the same services as the pages (the same rows), lists constant in queries,
and garbage answered with a 400, never a 500."""

import datetime
import json

import pytest
from django.urls import reverse

from patrols import services
from patrols.models import (
    DailyLog,
    DailyLogEvent,
    LogAction,
    LogStatus,
    Outreach,
    PatrolPoint,
    PatrolSession,
)
from tests.api.conftest import errors
from tests.factories import AssignmentFactory, OfficerFactory
from tests.patrols.conftest import (  # noqa: F401  (fixtures shared with the patrol tests)
    BETWEEN_GRIDS,
    GULOU_001,
    GULOU_002,
    OUTSIDE_CITY,
    QUANSHAN_001,
    at,
    english,
)

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 11, 23)


def walk(user, *points, end=True):
    """``user`` patrols through ``points`` (and ends the patrol) through the services."""
    session, _ = services.start_patrol(actor=user)
    for lat, lng in points:
        services.record_point(actor=user, session_id=session.pk, lat=lat, lng=lng)
    if end:
        services.end_patrol(actor=user, session_id=session.pk)
    return session


def logged(user, summary="巡查黄楼社区两个网格"):
    return services.submit_log(actor=user, day=MONDAY, summary=summary, problems="")


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


# --- reading: scope -------------------------------------------------------------------------


def test_an_officer_lists_and_reads_their_own_patrols(monday, api_as, officer_gulou):
    mine = walk(officer_gulou, GULOU_001)
    client = api_as(officer_gulou)

    assert ids(client.get("/api/v1/patrols/")) == {mine.pk}
    assert client.get(f"/api/v1/patrols/{mine.pk}/").status_code == 200


def test_an_officers_token_cannot_see_another_officers_patrols(
    monday, api_as, officer_gulou, officer_gulou_colleague
):
    theirs = walk(officer_gulou_colleague, GULOU_001)
    client = api_as(officer_gulou)

    assert ids(client.get("/api/v1/patrols/")) == set()
    assert client.get(f"/api/v1/patrols/{theirs.pk}/").status_code == 404


def test_a_supervisor_sees_their_brigades_patrols(
    monday, api_as, officer_gulou, officer_gulou_colleague, supervisor_gulou
):
    sessions = {walk(officer_gulou, GULOU_001).pk, walk(officer_gulou_colleague, GULOU_002).pk}
    client = api_as(supervisor_gulou)

    assert ids(client.get("/api/v1/patrols/")) == sessions
    for pk in sessions:
        assert client.get(f"/api/v1/patrols/{pk}/").status_code == 200


def test_a_supervisor_cannot_see_another_brigades_patrols(
    monday, api_as, officer_quanshan, supervisor_gulou
):
    theirs = walk(officer_quanshan, QUANSHAN_001)
    client = api_as(supervisor_gulou)

    assert ids(client.get("/api/v1/patrols/")) == set()
    assert client.get(f"/api/v1/patrols/{theirs.pk}/").status_code == 404


@pytest.mark.parametrize("who", ["command_supervisor", "assessor"])
def test_the_command_centre_and_assessors_see_the_citys_patrols(
    monday, api_as, officer_gulou, officer_quanshan, request, who
):
    sessions = {walk(officer_gulou, GULOU_001).pk, walk(officer_quanshan, QUANSHAN_001).pk}
    client = api_as(request.getfixturevalue(who))

    assert ids(client.get("/api/v1/patrols/")) == sessions
    assert ids(client.get("/api/v1/logs/")) == set()  # nobody has written one yet
    assert client.get(f"/api/v1/patrols/{min(sessions)}/").status_code == 200


@pytest.mark.parametrize("who", ["handler_municipal", "resident"])
def test_handlers_and_residents_see_no_patrols_or_logs(monday, api_as, officer_gulou, request, who):
    session = walk(officer_gulou, GULOU_001)
    log = logged(officer_gulou)
    client = api_as(request.getfixturevalue(who))

    assert ids(client.get("/api/v1/patrols/")) == set()
    assert ids(client.get("/api/v1/logs/")) == set()
    assert client.get(f"/api/v1/patrols/{session.pk}/").status_code == 404
    assert client.get(f"/api/v1/logs/{log.pk}/").status_code == 404


def test_reading_without_credentials_is_refused(monday, api_as, officer_gulou):
    session = walk(officer_gulou, GULOU_001)

    assert api_as(None).get("/api/v1/patrols/").status_code == 401
    assert api_as(None).get(f"/api/v1/patrols/{session.pk}/").status_code == 401


def test_an_officer_reads_their_own_log_with_its_audit_trail(
    monday, api_as, officer_gulou, supervisor_gulou
):
    log = logged(officer_gulou)
    services.return_log(actor=supervisor_gulou, log_id=log.pk, note="请补充巡查网格")
    client = api_as(officer_gulou)

    assert ids(client.get("/api/v1/logs/")) == {log.pk}
    body = client.get(f"/api/v1/logs/{log.pk}/").json()
    assert (body["status"], body["review_note"]) == (LogStatus.RETURNED, "请补充巡查网格")
    assert [(e["action"], e["actor"]) for e in body["events"]] == [
        (LogAction.SUBMIT, "王建国"),
        (LogAction.RETURN, "赵队长"),
    ]


def test_an_officers_token_cannot_read_another_officers_log(
    monday, api_as, officer_gulou, officer_gulou_colleague
):
    theirs = logged(officer_gulou_colleague)
    client = api_as(officer_gulou)

    assert ids(client.get("/api/v1/logs/")) == set()
    assert client.get(f"/api/v1/logs/{theirs.pk}/").status_code == 404


def test_a_supervisor_reads_their_brigades_logs(monday, api_as, officer_gulou, supervisor_gulou):
    log = logged(officer_gulou)
    client = api_as(supervisor_gulou)

    assert ids(client.get("/api/v1/logs/?status=submitted")) == {log.pk}
    assert ids(client.get("/api/v1/logs/?status=approved")) == set()
    assert client.get(f"/api/v1/logs/{log.pk}/").json()["summary"] == "巡查黄楼社区两个网格"


def test_a_supervisor_cannot_read_another_brigades_logs(
    monday, api_as, officer_quanshan, supervisor_gulou
):
    theirs = logged(officer_quanshan, summary="巡查泰山社区")
    client = api_as(supervisor_gulou)

    assert ids(client.get("/api/v1/logs/")) == set()
    assert client.get(f"/api/v1/logs/{theirs.pk}/").status_code == 404


# --- reading: what a patrol carries ---------------------------------------------------------


def test_a_patrol_carries_its_points_and_its_track_as_a_geojson_line(
    monday, api_as, officer_gulou, taishan_community
):
    session = walk(officer_gulou, GULOU_001, BETWEEN_GRIDS, GULOU_002)

    body = api_as(officer_gulou).get(f"/api/v1/patrols/{session.pk}/").json()

    assert [(p["lat"], p["lng"]) for p in body["points"]] == [GULOU_001, BETWEEN_GRIDS, GULOU_002]
    assert [p["grid_cell"] for p in body["points"]] == ["320302001001001", None, "320302001001002"]
    assert body["grids_visited"] == ["320302001001001", "320302001001002"]
    assert body["track"]["type"] == "Feature"
    assert body["track"]["geometry"] == {
        "type": "LineString",
        "coordinates": [[lng, lat] for lat, lng in (GULOU_001, BETWEEN_GRIDS, GULOU_002)],
    }
    assert body["track"]["properties"]["points"] == body["point_count"] == 3
    assert body["distance_m"] > 200 and not body["is_open"]


def test_a_patrol_with_one_point_has_no_line_yet(monday, api_as, officer_gulou):
    session = walk(officer_gulou, GULOU_001, end=False)

    body = api_as(officer_gulou).get(f"/api/v1/patrols/{session.pk}/").json()

    assert body["is_open"] and body["track"]["geometry"] is None


def test_the_patrol_list_filters_by_officer_state_and_day(
    monday, api_as, officer_gulou, officer_gulou_colleague, supervisor_gulou
):
    ended = walk(officer_gulou, GULOU_001)
    running = walk(officer_gulou_colleague, GULOU_002, end=False)
    officer_id = officer_gulou.officer.pk
    client = api_as(supervisor_gulou)

    assert ids(client.get(f"/api/v1/patrols/?officer={officer_id}")) == {ended.pk}
    assert ids(client.get("/api/v1/patrols/?open=true")) == {running.pk}
    assert ids(client.get("/api/v1/patrols/?date_from=2026-11-23&date_to=2026-11-23")) == {
        ended.pk,
        running.pk,
    }
    assert ids(client.get("/api/v1/patrols/?date_from=2026-11-24")) == set()
    assert ids(client.get("/api/v1/patrols/?date_to=2026-11-22")) == set()


# --- the officer's writes -------------------------------------------------------------------


def post(client, url, payload=None):
    """POST JSON, asking for English answers (messages are asserted on their msgids)."""
    return client.post(
        url, payload if payload is not None else {}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )


def point_url(session_pk):
    return f"/api/v1/patrols/{session_pk}/points/"


def test_an_officer_starts_a_patrol_and_a_second_start_resumes_it(monday, api_as, officer_gulou):
    client = api_as(officer_gulou)

    started = post(client, "/api/v1/patrols/")
    resumed = post(client, "/api/v1/patrols/")

    assert (started.status_code, resumed.status_code) == (201, 200)
    assert started.json()["id"] == resumed.json()["id"]
    assert started.json()["is_open"] and started.json()["track"]["geometry"] is None
    assert PatrolSession.objects.filter(officer__user=officer_gulou).count() == 1


def test_a_supervisor_cannot_start_a_patrol(monday, api_as, supervisor_gulou):
    response = post(api_as(supervisor_gulou), "/api/v1/patrols/")

    assert response.status_code == 403
    assert errors(response) == {"detail": ["Only officers patrol and keep a daily log."]}
    assert not PatrolSession.objects.exists()


def test_an_officer_posts_positions_and_gets_the_running_totals(monday, api_as, officer_gulou):
    session = walk(officer_gulou, end=False)
    client = api_as(officer_gulou)

    first = post(client, point_url(session.pk), {"lat": GULOU_001[0], "lng": GULOU_001[1]})
    second = post(
        client,
        point_url(session.pk),
        {"lat": GULOU_002[0], "lng": GULOU_002[1], "accuracy": 8.5, "timestamp": 1795403000000},
    )

    assert (first.status_code, second.status_code) == (201, 201), second.content
    body = second.json()
    assert (body["session"], body["points"]) == (session.pk, 2)
    assert 90 < body["distance_m"] < 110
    assert body["point"]["grid_cell"] == "320302001001002"
    assert body["point"]["accuracy_m"] == 8.5
    assert PatrolPoint.objects.filter(session=session).count() == 2


def test_a_position_outside_the_city_is_a_400_with_the_message_and_nothing_stored(
    monday, api_as, officer_gulou
):
    session = walk(officer_gulou, end=False)

    response = post(
        api_as(officer_gulou),
        point_url(session.pk),
        {"lat": OUTSIDE_CITY[0], "lng": OUTSIDE_CITY[1]},
    )

    assert response.status_code == 400
    assert errors(response) == {
        "non_field_errors": ["This position is outside the city; it was not recorded."]
    }
    assert not PatrolPoint.objects.exists()


def test_an_officer_cannot_post_positions_to_another_officers_patrol(
    monday, api_as, officer_gulou, officer_gulou_colleague
):
    theirs = walk(officer_gulou_colleague, end=False)

    response = post(
        api_as(officer_gulou), point_url(theirs.pk), {"lat": GULOU_001[0], "lng": GULOU_001[1]}
    )

    assert response.status_code == 404
    assert not PatrolPoint.objects.exists()


def test_the_owner_may_post_positions_to_their_open_patrol(monday, api_as, officer_gulou):
    # The twin of the denial above: the same request from the patrol's own officer.
    mine = walk(officer_gulou, end=False)

    response = post(
        api_as(officer_gulou), point_url(mine.pk), {"lat": GULOU_001[0], "lng": GULOU_001[1]}
    )

    assert response.status_code == 201
    assert PatrolPoint.objects.filter(session=mine).count() == 1


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[]",
        "null",
        '"lat"',
        "{}",
        '{"lat": "abc", "lng": 117.18}',
        '{"lat": 95, "lng": 117.18}',
        '{"lat": "NaN", "lng": "Infinity"}',
        '{"lat": 1e309, "lng": -1e309}',
        '{"lat": 34.26, "lng": 117.18, "accuracy": -3}',
        '{"lat": 34.26, "lng": 117.18, "timestamp": 1e30}',
        '{"lat": 34.26, "lng": 117.18, "timestamp": "yesterday"}',
        '{"lat": [34.26], "lng": {"x": 1}}',
    ],
)
def test_garbage_positions_are_400s_never_500s(monday, api_as, officer_gulou, body):
    session = walk(officer_gulou, end=False)

    response = api_as(officer_gulou).post(
        point_url(session.pk), body, content_type="application/json"
    )

    assert response.status_code == 400, response.content
    assert isinstance(response.json(), dict)
    assert not PatrolPoint.objects.exists()


def test_an_officer_ends_their_patrol_with_a_note(monday, api_as, officer_gulou):
    session = walk(officer_gulou, GULOU_001, end=False)
    client = api_as(officer_gulou)

    response = post(client, f"/api/v1/patrols/{session.pk}/end/", {"notes": " 巡查黄楼社区 "})
    again = post(client, f"/api/v1/patrols/{session.pk}/end/")

    assert response.status_code == 200
    assert (response.json()["is_open"], response.json()["notes"]) == (False, "巡查黄楼社区")
    assert again.status_code == 400
    assert errors(again) == {
        "non_field_errors": ["This patrol has ended. Start a new one to record your route."]
    }
    session.refresh_from_db()
    assert session.ended_at is not None


def test_an_officer_cannot_end_another_officers_patrol(
    monday, api_as, officer_gulou, officer_gulou_colleague
):
    theirs = walk(officer_gulou_colleague, end=False)

    response = post(api_as(officer_gulou), f"/api/v1/patrols/{theirs.pk}/end/")

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_open


def test_a_note_too_long_to_end_with_is_a_400(monday, api_as, officer_gulou):
    session = walk(officer_gulou, end=False)

    response = post(
        api_as(officer_gulou), f"/api/v1/patrols/{session.pk}/end/", {"notes": "长" * 2001}
    )

    assert response.status_code == 400 and list(errors(response)) == ["notes"]
    session.refresh_from_db()
    assert session.is_open


def test_an_officer_submits_the_days_log(monday, api_as, officer_gulou):
    walk(officer_gulou, GULOU_001, GULOU_002)

    response = post(
        api_as(officer_gulou),
        "/api/v1/logs/submit/",
        {"summary": "巡查黄楼社区两个网格", "problems": "井盖缺失需市政协调"},
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["date"], body["status"], body["patrol_count"]) == ("2026-11-23", "submitted", 1)
    log = DailyLog.objects.get(officer__user=officer_gulou)
    event = log.events.get()
    assert (event.action, event.actor, event.counts["patrol_count"]) == (
        LogAction.SUBMIT,
        officer_gulou,
        1,
    )


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"summary": "   "}, "summary"),
        ({}, "summary"),
        ({"summary": "巡查", "date": "2026-13-45"}, "date"),
        ({"summary": "巡查", "date": "yesterday"}, "date"),
        ({"summary": "巡查", "date": "2026-11-24"}, "non_field_errors"),
        ({"summary": "巡" * 4001}, "summary"),
        ({"summary": "巡查", "problems": "问" * 4001}, "problems"),
    ],
)
def test_a_log_that_cannot_be_submitted_is_a_400_naming_the_field(
    monday, api_as, officer_gulou, payload, field
):
    response = post(api_as(officer_gulou), "/api/v1/logs/submit/", payload)

    assert response.status_code == 400, response.content
    assert field in errors(response)
    assert not DailyLogEvent.objects.exists()


def test_a_submitted_log_cannot_be_submitted_again(monday, api_as, officer_gulou):
    logged(officer_gulou)

    response = post(api_as(officer_gulou), "/api/v1/logs/submit/", {"summary": "再交一次"})

    assert response.status_code == 400
    assert DailyLogEvent.objects.count() == 1


def test_a_supervisor_has_no_daily_log_to_submit(monday, api_as, supervisor_gulou):
    response = post(api_as(supervisor_gulou), "/api/v1/logs/submit/", {"summary": "巡查"})

    assert response.status_code == 403
    assert not DailyLog.objects.exists()


def test_the_api_writes_the_same_rows_as_the_phone_page(
    monday, api_as, client, officer_gulou, officer_gulou_colleague, taishan_community
):
    """One officer walks with the page, the other with the API: same route, same records."""
    client.force_login(officer_gulou)
    client.post(reverse("patrols:start"))
    web_session = PatrolSession.objects.get(officer__user=officer_gulou)
    for lat, lng in (GULOU_001, BETWEEN_GRIDS, GULOU_002):
        client.post(
            reverse("patrols:point", args=[web_session.pk]),
            json.dumps({"lat": lat, "lng": lng}),
            content_type="application/json",
        )
    client.post(reverse("patrols:end", args=[web_session.pk]), {"notes": "巡查黄楼社区"})
    client.post(
        reverse("patrols:log_today"), {"summary": "巡查两个网格", "problems": "", "submit": "1"}
    )

    api = api_as(officer_gulou_colleague)
    api_session_id = post(api, "/api/v1/patrols/").json()["id"]
    for lat, lng in (GULOU_001, BETWEEN_GRIDS, GULOU_002):
        post(api, point_url(api_session_id), {"lat": lat, "lng": lng})
    post(api, f"/api/v1/patrols/{api_session_id}/end/", {"notes": "巡查黄楼社区"})
    post(api, "/api/v1/logs/submit/", {"summary": "巡查两个网格", "problems": ""})

    def record(user):
        session = PatrolSession.objects.get(officer__user=user)
        log = DailyLog.objects.get(officer__user=user)
        return {
            "session": (
                session.point_count,
                round(session.distance_m, 6),
                session.notes,
                session.ended_at,
                sorted(session.grids_visited.values_list("code", flat=True)),
            ),
            "points": list(
                session.points.values_list("lat", "lng", "grid_cell__code", "recorded_at")
            ),
            "log": (log.status, log.summary, log.submitted_at, log.patrol_count, log.distance_m),
            "events": list(log.events.values_list("action", "note", "counts", "created_at")),
        }

    web, through_api = record(officer_gulou), record(officer_gulou_colleague)
    assert web == through_api
    assert web["session"][0] == 3 and web["events"][0][0] == LogAction.SUBMIT


# --- lists: pages, filters and queries ------------------------------------------------------


def brigade_at_work(community, n):
    """``n`` officers of 黄楼社区 each walk two points and submit their log."""
    for i in range(n):
        officer = OfficerFactory(brigade=community.brigade, badge_number=f"GL1-1{i:02}")
        AssignmentFactory(
            officer=officer, community=community, grid_cells=list(community.grid_cells.all())
        )
        walk(officer.user, GULOU_001, GULOU_002)
        logged(officer.user)


@pytest.mark.parametrize("n", [1, 8])
@pytest.mark.parametrize("url", ["/api/v1/patrols/", "/api/v1/logs/"])
def test_the_lists_run_a_constant_number_of_queries(
    monday, api_as, gulou_community, supervisor_gulou, django_assert_max_num_queries, n, url
):
    brigade_at_work(gulou_community, n)
    client = api_as(supervisor_gulou)

    # The token and user, their roles, their unit, the page, and its grids (patrols only).
    with django_assert_max_num_queries(7):
        response = client.get(f"{url}?page_size=50")

    assert len(response.json()["results"]) == n


def test_cursor_pages_walk_every_patrol_once(monday, api_as, gulou_community, supervisor_gulou):
    brigade_at_work(gulou_community, 5)
    client = api_as(supervisor_gulou)
    seen, url = [], "/api/v1/patrols/?page_size=2"
    while url:
        body = client.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]

    assert sorted(seen) == sorted(PatrolSession.objects.values_list("pk", flat=True))
    assert len(seen) == 5


@pytest.mark.parametrize("url", ["/api/v1/patrols/", "/api/v1/logs/"])
@pytest.mark.parametrize(
    "query",
    [
        "officer=abc",
        "officer=99999999999999999999",
        "officer=-1",
        "brigade=1.5",
        "date_from=2026-13-45",
        "date_to=yesterday",
        "status=nonsense",
        "open=maybe",
        "cursor=garbage",
        "page_size=abc",
    ],
)
def test_garbage_filters_are_answered_never_500s(
    monday, api_as, officer_gulou, supervisor_gulou, url, query
):
    walk(officer_gulou, GULOU_001)
    logged(officer_gulou)

    response = api_as(supervisor_gulou).get(f"{url}?{query}")

    assert response.status_code in (200, 400, 404), response.content
    if response.status_code == 400:
        assert isinstance(response.json(), dict)


@pytest.mark.parametrize(
    "query",
    [
        "officer=abc",
        "officer=99999999999999999999",
        "date_from=x",
        "date_to=23/11/2026",  # days are YYYY-MM-DD, as the schema says
        "open=maybe",  # not read as "not given"
        "open=",
        "date_to=",
        "officer=1&officer=2",  # not the last one quietly
    ],
)
def test_a_filter_value_that_is_not_one_names_the_field(monday, api_as, supervisor_gulou, query):
    response = api_as(supervisor_gulou).get(f"/api/v1/patrols/?{query}")

    assert response.status_code == 400
    assert list(errors(response)) == [query.split("=")[0]]


def test_garbage_in_a_patrol_or_log_path_is_a_404(api_as, supervisor_gulou):
    client = api_as(supervisor_gulou)

    for url in (
        "/api/v1/patrols/99999999999999999999/",
        "/api/v1/patrols/0/",
        "/api/v1/patrols/abc/",
        "/api/v1/logs/99999999999999999999/",
        "/api/v1/logs/-1/",
    ):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("n", [2, 12])
def test_a_patrols_detail_runs_a_constant_number_of_queries(
    monday, api_as, officer_gulou, supervisor_gulou, django_assert_max_num_queries, n
):
    route = [at(10 + 15 * i, 50) for i in range(n)]  # east along the row of 黄楼社区's grids
    session = walk(officer_gulou, *route)
    client = api_as(supervisor_gulou)

    # The token and user, roles, unit, the patrol, its grids and its points.
    with django_assert_max_num_queries(8):
        response = client.get(f"/api/v1/patrols/{session.pk}/")

    assert len(response.json()["points"]) == n
    assert len(response.json()["track"]["geometry"]["coordinates"]) == n


def test_an_officer_records_a_visit_tied_to_their_open_patrol(monday, api_as, officer_gulou):
    session = walk(officer_gulou, end=False)
    client = api_as(officer_gulou)

    post(client, "/api/v1/outreach/", {"kind": "publicity"})
    response = post(client, "/api/v1/outreach/", {"kind": "visit", "lat": 34.26, "lng": 117.18})

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["session"]) == ("visit", session.pk)
    assert body["today"] == {"visits": 1, "publicity": 1}
    assert list(Outreach.objects.order_by("id").values_list("kind", "session_id")) == [
        ("publicity", session.pk),
        ("visit", session.pk),
    ]


def test_a_supervisor_cannot_record_a_visit(monday, api_as, supervisor_gulou):
    response = post(api_as(supervisor_gulou), "/api/v1/outreach/", {"kind": "visit"})

    assert response.status_code == 403
    assert not Outreach.objects.exists()


@pytest.mark.parametrize(
    "body",
    ['{"kind": "party"}', "{}", "[]", '{"kind": "visit", "lat": 200}', '{"kind": ["visit", 1]}'],
)
def test_garbage_taps_are_400s_never_500s(monday, api_as, officer_gulou, body):
    response = api_as(officer_gulou).post(
        "/api/v1/outreach/", body, content_type="application/json"
    )

    assert response.status_code == 400, response.content
    assert not Outreach.objects.exists()


def test_a_lone_surrogate_in_a_saved_log_is_a_400_on_the_summary(monday, api_as, officer_gulou):
    response = api_as(officer_gulou).post(
        "/api/v1/logs/save/", '{"summary": "a\\ud800b"}', content_type="application/json"
    )

    assert response.status_code == 400, response.content
    assert list(errors(response)) == ["summary"]
    assert not DailyLog.objects.exists()


def test_an_officer_saves_a_draft_then_submits_it(monday, api_as, officer_gulou):
    client = api_as(officer_gulou)

    saved = post(client, "/api/v1/logs/save/", {"summary": "上午巡查黄楼社区"})

    assert saved.status_code == 200, saved.content
    assert (saved.json()["status"], saved.json()["events"]) == (LogStatus.DRAFT, [])
    assert not DailyLogEvent.objects.exists()

    submitted = post(client, "/api/v1/logs/submit/", {"summary": "全天巡查黄楼社区"})
    late = post(client, "/api/v1/logs/save/", {"summary": "改过的"})

    assert submitted.json()["id"] == saved.json()["id"]
    assert submitted.json()["status"] == LogStatus.SUBMITTED
    assert late.status_code == 400
    assert DailyLog.objects.get().summary == "全天巡查黄楼社区"
