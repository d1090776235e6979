"""Places (public facts, any signed-in user), officers and postings (scoped like the roster),
notifications (one's own only; marking them read takes sane ids), and the docs served offline."""

import pytest

from cases.models import State
from notifications.models import Notification
from tests.factories import processed_photo

pytestmark = pytest.mark.django_db


def test_grids_come_as_a_geojson_feature_collection(api_as, officer_gulou, gulou_community):
    body = api_as(officer_gulou).get(f"/api/v1/grids/?community={gulou_community.code}").json()
    assert body["type"] == "FeatureCollection"
    codes = [f["properties"]["code"] for f in body["features"]]
    assert codes == sorted(gulou_community.grid_cells.values_list("code", flat=True))
    feature = body["features"][0]
    assert feature["type"] == "Feature" and feature["geometry"]["type"] == "Polygon"


def test_places_filter_by_their_parents_code(
    api_as, officer_gulou, gulou_community, taishan_community
):
    client = api_as(officer_gulou)
    street = taishan_community.street
    rows = client.get(f"/api/v1/communities/?street={street.code}").json()["results"]
    assert [r["code"] for r in rows] == [taishan_community.code]
    rows = client.get(f"/api/v1/streets/?district={street.district.code}").json()["results"]
    assert [r["code"] for r in rows] == [street.code]
    assert len(client.get("/api/v1/districts/").json()["results"]) == 2


@pytest.mark.parametrize("size", [1, 8])
def test_grid_pages_run_a_constant_number_of_queries(
    api_as, officer_gulou, gulou_community, django_assert_max_num_queries, size
):
    from tests.factories import GridCellFactory, square

    for i in range(size):
        GridCellFactory(community=gulou_community, code=f"{100 + i}", boundary=square(i, 5))
    client = api_as(officer_gulou)
    with django_assert_max_num_queries(4):
        response = client.get("/api/v1/grids/")
    assert len(response.json()["features"]) == size + 2


def test_supervisor_lists_own_brigades_officers_only(
    api_as, supervisor_gulou, officer_gulou, officer_quanshan
):
    rows = api_as(supervisor_gulou).get("/api/v1/officers/").json()["results"]
    assert [r["badge_number"] for r in rows] == ["GL1-001"]


def test_command_centre_lists_every_brigades_officers(
    api_as, command_supervisor, officer_gulou, officer_quanshan
):
    rows = api_as(command_supervisor).get("/api/v1/officers/").json()["results"]
    assert {r["badge_number"] for r in rows} == {"GL1-001", "QS3-001"}


def test_officer_sees_only_their_own_postings(api_as, officer_gulou, officer_quanshan):
    rows = api_as(officer_gulou).get("/api/v1/assignments/").json()["results"]
    assert {r["officer"] for r in rows} == {"GL1-001"}
    assert rows[0]["start_time"] == "08:30"


def test_handler_sees_no_officers_or_postings(api_as, handler_sanitation, officer_gulou):
    client = api_as(handler_sanitation)
    assert client.get("/api/v1/officers/").json()["results"] == []
    assert client.get("/api/v1/assignments/").json()["results"] == []


def test_notifications_are_ones_own_and_can_be_marked_read(api_as, officer_gulou, officer_quanshan):
    mine = Notification.objects.create(recipient=officer_gulou, kind="dispatch", message="派遣")
    Notification.objects.create(recipient=officer_quanshan, kind="dispatch", message="别人的")
    client = api_as(officer_gulou)
    rows = client.get("/api/v1/notifications/").json()["results"]
    assert [r["id"] for r in rows] == [mine.pk]
    response = client.post("/api/v1/notifications/read/", {"ids": [mine.pk]}, format="json")
    assert response.json() == {"marked": 1}
    assert (
        client.post("/api/v1/notifications/read/", {"ids": "all"}, format="json").status_code == 400
    )


def test_marking_someone_elses_notification_read_changes_nothing(
    api_as, officer_gulou, officer_quanshan
):
    theirs = Notification.objects.create(recipient=officer_quanshan, kind="x", message="别人的")
    response = api_as(officer_gulou).post(
        "/api/v1/notifications/read/", {"ids": [theirs.pk]}, format="json"
    )
    assert response.json() == {"marked": 0}
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.parametrize(
    "body",
    [
        {"ids": [2**63]},
        {"ids": [99999999999999999999999]},
        {"ids": [0]},
        {"ids": [-1]},
        {"ids": ["x"]},
        {"ids": "1"},
        {"ids": [[1]]},
        [1, 2],
        "x",
    ],
)
def test_marking_read_with_bad_ids_is_a_400(api_as, officer_gulou, body):
    mine = Notification.objects.create(recipient=officer_gulou, kind="dispatch", message="派遣")
    response = api_as(officer_gulou).post("/api/v1/notifications/read/", body, format="json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    mine.refresh_from_db()
    assert mine.read_at is None


def test_marking_read_with_the_largest_id_is_answered(api_as, officer_gulou):
    mine = Notification.objects.create(recipient=officer_gulou, kind="dispatch", message="派遣")
    client = api_as(officer_gulou)
    response = client.post("/api/v1/notifications/read/", {"ids": [2**63 - 1]}, format="json")
    assert response.json() == {"marked": 0}
    response = client.post("/api/v1/notifications/read/", {"ids": [mine.pk]}, format="json")
    assert response.json() == {"marked": 1}


def test_the_schema_and_its_readers_are_served_without_a_cdn(client):
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/tickets/{number}/dispatch/" in paths
    for page in ("/api/docs/", "/api/redoc/"):
        html = client.get(page).content.decode()
        assert "cdn" not in html.lower() and "/static/drf_spectacular_sidecar/" in html


@pytest.mark.parametrize("extra", [0, 6])
def test_the_timeline_runs_a_constant_number_of_queries(
    api_as, supervisor_gulou, make_ticket, django_assert_max_num_queries, extra
):
    from cases import services

    ticket = make_ticket(State.RESOLVED)
    for i in range(extra):  # rework rounds add events with photos
        services.verify_ticket(
            actor=supervisor_gulou, ticket_id=ticket.pk, passed=False, note=f"返工{i}"
        )
        services.start_ticket(actor=ticket.assignee.user, ticket_id=ticket.pk)
        services.resolve_ticket(
            actor=ticket.assignee.user,
            ticket_id=ticket.pk,
            note="再次处置",
            photos=[processed_photo()],
        )
    client = api_as(supervisor_gulou)
    with django_assert_max_num_queries(8):
        events = client.get(f"/api/v1/tickets/{ticket.number}/events/").json()
    assert len(events) == 5 + 3 * extra


@pytest.mark.parametrize("size", [1, 6])
def test_postings_run_a_constant_number_of_queries(
    api_as, command_supervisor, gulou_community, django_assert_max_num_queries, size
):
    from tests.factories import AssignmentFactory, OfficerFactory

    for _ in range(size):
        officer = OfficerFactory(brigade=gulou_community.brigade)
        AssignmentFactory(
            officer=officer,
            community=gulou_community,
            grid_cells=list(gulou_community.grid_cells.all()),
        )
    client = api_as(command_supervisor)
    with django_assert_max_num_queries(7):
        rows = client.get("/api/v1/assignments/").json()["results"]
    assert len(rows) == size
