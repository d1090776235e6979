"""The command centre's map: scope (a brigade's supervisor never sees another brigade's tickets),
denials, deadline colours, the queue's filters, clusters and points, constant query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import State, Ticket
from command import selectors
from patrols.models import PatrolPoint, PatrolSession
from tests.cases.conftest import GULOU_POINT, QUANSHAN_POINT

DATA = reverse("command:map_data")
# A view around both test communities (w,s,e,n).
BBOX = "117.17,34.25,117.20,34.27"


def _data(client, user, **params):
    client.force_login(user)
    response = client.get(DATA, params)
    assert response.status_code == 200, response.content
    return response.json()


def _numbers(body) -> set[str]:
    return {p["number"] for p in body["points"]}


@pytest.mark.django_db
def test_command_centre_sees_every_brigades_tickets_clustered_per_community(
    client, make_ticket, command_supervisor
):
    make_ticket(State.REGISTERED, place="gulou")
    make_ticket(State.REGISTERED, place="quanshan")

    body = _data(client, command_supervisor, zoom=11)

    assert body["mode"] == "clusters" and body["level"] == "community"
    assert {c["label"]: c["n"] for c in body["clusters"]} == {"黄楼社区": 1, "泰山社区": 1}


@pytest.mark.django_db
def test_clusters_go_per_unit_grid_when_zoomed_in(client, make_ticket, command_supervisor):
    make_ticket(State.REGISTERED, place="gulou")

    body = _data(client, command_supervisor, zoom=selectors.GRID_ZOOM, bbox=BBOX)

    assert body["level"] == "grid"
    assert [(c["label"][-3:], c["n"]) for c in body["clusters"]] == [("001", 1)]


@pytest.mark.django_db
def test_brigade_supervisor_never_sees_another_brigades_tickets(
    client, make_ticket, supervisor_gulou
):
    ours = make_ticket(State.REGISTERED, place="gulou")
    theirs = make_ticket(State.REGISTERED, place="quanshan")

    clusters = _data(client, supervisor_gulou, zoom=11)["clusters"]
    points = _data(client, supervisor_gulou, zoom=selectors.POINT_ZOOM, bbox=BBOX)

    assert [c["label"] for c in clusters] == ["黄楼社区"]
    assert _numbers(points) == {ours.number}
    assert theirs.number not in str(points)


@pytest.mark.django_db
def test_brigade_supervisor_never_sees_another_brigades_officers_on_patrol(
    client, supervisor_gulou, officer_gulou, officer_quanshan
):
    now = timezone.now()
    for user, (lat, lng) in ((officer_gulou, GULOU_POINT), (officer_quanshan, QUANSHAN_POINT)):
        session = PatrolSession.objects.create(
            officer=user.officer, brigade=user.officer.brigade, started_at=now
        )
        PatrolPoint.objects.create(session=session, lat=lat, lng=lng, recorded_at=now)

    officers = _data(client, supervisor_gulou, zoom=11)["officers"]

    assert [o["badge"] for o in officers] == ["GL1-001"]
    assert officers[0]["lat"] == pytest.approx(GULOU_POINT[0])


@pytest.mark.django_db
def test_an_ended_patrol_is_not_on_the_map(client, command_supervisor, officer_gulou):
    now = timezone.now()
    session = PatrolSession.objects.create(
        officer=officer_gulou.officer, brigade=officer_gulou.officer.brigade, ended_at=now
    )
    PatrolPoint.objects.create(session=session, lat=1, lng=2, recorded_at=now)

    assert _data(client, command_supervisor, zoom=11)["officers"] == []


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["officer_gulou", "handler_sanitation", "assessor", "resident"])
def test_others_than_supervisors_are_refused_the_map_and_its_data(client, request, who):
    client.force_login(request.getfixturevalue(who))

    assert client.get(reverse("command:map")).status_code == 403
    response = client.get(DATA)
    assert response.status_code == 403
    assert "error" in response.json()


@pytest.mark.django_db
def test_anonymous_visitors_go_to_the_login_page_and_get_no_data(client):
    assert client.get(reverse("command:map")).status_code == 302
    assert client.get(DATA).status_code == 403


@pytest.mark.django_db
def test_points_are_coloured_by_deadline_and_overdue_ones_come_first(
    client, make_ticket, command_supervisor
):
    late = make_ticket(State.DISPATCHED)
    soon = make_ticket(State.DISPATCHED)
    fine = make_ticket(State.DISPATCHED)
    now = timezone.now()
    hour = datetime.timedelta(hours=1)
    Ticket.objects.filter(pk=late.pk).update(warn_at=now - 2 * hour, deadline=now - hour)
    Ticket.objects.filter(pk=soon.pk).update(warn_at=now - hour, deadline=now + hour)
    Ticket.objects.filter(pk=fine.pk).update(warn_at=now + hour, deadline=now + 2 * hour)

    points = _data(client, command_supervisor, zoom=selectors.POINT_ZOOM, bbox=BBOX)["points"]
    clusters = _data(client, command_supervisor, zoom=11)["clusters"]

    assert [(p["number"], p["colour"]) for p in points] == [
        (late.number, "red"),
        (soon.number, "yellow"),
        (fine.number, "green"),
    ]
    assert clusters[0] | {"id": 0, "lat": 0, "lng": 0} == {
        "id": 0,
        "label": "黄楼社区",
        "lat": 0,
        "lng": 0,
        "n": 3,
        "red": 1,
        "yellow": 1,
        "green": 1,
    }


@pytest.mark.django_db
def test_the_map_takes_the_queues_filters(client, make_ticket, command_supervisor):
    make_ticket(State.REGISTERED)  # a resident's report
    closed = make_ticket(State.CLOSED)

    by_source = _data(client, command_supervisor, zoom=11, source="hotline_12345")
    open_only = _data(client, command_supervisor, zoom=selectors.POINT_ZOOM, bbox=BBOX)
    finished = _data(
        client, command_supervisor, zoom=selectors.POINT_ZOOM, bbox=BBOX, status="closed"
    )

    assert by_source["clusters"] == []
    assert closed.number not in _numbers(open_only)
    assert _numbers(finished) == {closed.number}


@pytest.mark.django_db
def test_a_bad_filter_is_a_json_400_and_a_bad_view_is_ignored(client, command_supervisor):
    client.force_login(command_supervisor)

    bad = client.get(DATA, {"reported_after": "yesterday-ish"})
    ignored = client.get(DATA, {"bbox": "a,b,c", "zoom": "x"})

    assert bad.status_code == 400 and "reported_after" in bad.json()["errors"]
    assert ignored.status_code == 200 and ignored.json()["mode"] == "clusters"


@pytest.mark.django_db
def test_points_stop_at_the_limit_and_say_so(client, make_ticket, command_supervisor, monkeypatch):
    for _i in range(3):
        make_ticket(State.REGISTERED)
    monkeypatch.setattr(selectors, "POINT_LIMIT", 2)

    body = _data(client, command_supervisor, zoom=selectors.POINT_ZOOM, bbox=BBOX)

    assert len(body["points"]) == 2 and body["truncated"] is True


@pytest.mark.django_db
@pytest.mark.parametrize("zoom", [11, selectors.GRID_ZOOM, selectors.POINT_ZOOM])
def test_map_data_takes_the_same_number_of_queries_however_many_tickets(
    client, make_ticket, command_supervisor, officer_gulou, django_assert_num_queries, zoom
):
    client.force_login(command_supervisor)
    make_ticket(State.REGISTERED)
    session = PatrolSession.objects.create(
        officer=officer_gulou.officer, brigade=officer_gulou.officer.brigade
    )
    PatrolPoint.objects.create(
        session=session, lat=GULOU_POINT[0], lng=GULOU_POINT[1], recorded_at=timezone.now()
    )
    client.get(DATA, {"zoom": zoom, "bbox": BBOX})  # the session and caches warmed
    with CaptureQueriesContext(connection) as few:
        client.get(DATA, {"zoom": zoom, "bbox": BBOX})
    for place in ("gulou", "quanshan", "gulou", "quanshan"):
        make_ticket(State.DISPATCHED, place=place)

    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(DATA, {"zoom": zoom, "bbox": BBOX})
    assert response.status_code == 200


@pytest.mark.django_db
def test_the_map_page_shows_the_filters_and_the_data_address(client, command_supervisor):
    client.force_login(command_supervisor)

    response = client.get(reverse("command:map"), {"source": "resident"})

    assert response.status_code == 200
    assert b'id="command-map"' in response.content
    assert b"data.json?source=resident" in response.content
