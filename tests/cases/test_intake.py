"""The hotline intake (/cases/new/): a supervisor files what came in by 12345, the digital-city
platform or a leadership patrol; the map point decides the grid and everything above it. And the
locate snippet (/cases/locate/) that names the place of a tapped point."""

import io
import json

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from cases.models import Action, Category, DailySequence, Photo, PhotoKind, Source, State, Ticket
from grids.geometry import offset
from grids.models import GridCell
from tests.factories import ORIGIN, CommunityFactory
from tests.maps import map_json

pytestmark = pytest.mark.django_db


def point(east_m: float, north_m: float) -> dict[str, float]:
    """The lattice point east/north of the origin: 黄楼's grids are the row 0–100 m north,
    泰山's the row 200–300 m north; nothing lies in between."""
    lng, lat = offset(*ORIGIN, east_m, north_m)
    return {"lat": lat, "lng": lng}


IN_HUANGLOU_001 = point(50, 50)
IN_HUANGLOU_002 = point(150, 50)
IN_TAISHAN = point(50, 250)
ON_NO_GRID = point(50, 150)


@pytest.fixture
def as_supervisor(client, supervisor_gulou):
    client.force_login(supervisor_gulou)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def complaint(db) -> dict:
    """What the call-taker types for a 12345 call, before the place."""
    return {
        "source": Source.HOTLINE,
        "category": Category.objects.get(kind="event", code="0102").pk,
        "priority": "normal",
        "description": "黄楼小区东门垃圾三天没人收，气味很大",
        "address": "黄楼小区东门",
        "reporter_name": "张女士",
        "reporter_phone": "13812345678",
        "internal_note": "市民情绪激动，请尽快处理",
    }


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- filing ---------------------------------------------------------------------------------------


def test_a_hotline_complaint_with_a_point_is_filed_in_its_grid(
    as_supervisor, supervisor_gulou, gulou_community, complaint
):
    response = as_supervisor.post("/cases/new/", {**complaint, **IN_HUANGLOU_002})
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{ticket.number}/"
    assert ticket.state == State.REPORTED
    assert ticket.source == Source.HOTLINE
    assert ticket.grid_cell == GridCell.objects.get(code="320302001001002")
    assert ticket.community == gulou_community
    assert ticket.street == gulou_community.street
    assert ticket.district == gulou_community.street.district
    assert ticket.brigade == gulou_community.brigade
    assert (ticket.lat, ticket.lng) == pytest.approx(
        (IN_HUANGLOU_002["lat"], IN_HUANGLOU_002["lng"])
    )
    assert ticket.reporter_name == "张女士" and ticket.reporter_phone == "13812345678"
    assert ticket.description == complaint["description"]
    event = ticket.events.get()
    assert event.action == Action.CREATE
    assert event.actor == supervisor_gulou
    assert (event.from_state, event.to_state) == ("", State.REPORTED)
    assert event.internal_note == "市民情绪激动，请尽快处理"
    assert event.public_note == ""  # the caller's page never shows the internal note
    assert any(ticket.number in m for m in messages_of(response))


def test_the_grid_decides_the_community_when_both_are_given(
    as_supervisor, gulou_community, complaint
):
    other = CommunityFactory(
        street=gulou_community.street, code="002", name="民主社区", brigade=gulou_community.brigade
    )
    as_supervisor.post("/cases/new/", {**complaint, **IN_HUANGLOU_001, "community": other.pk})
    ticket = Ticket.objects.get()
    assert ticket.grid_cell.code == "320302001001001"
    assert ticket.community == gulou_community


def test_a_point_on_no_grid_with_a_community_makes_a_ticket_without_a_grid(
    as_supervisor, gulou_community, complaint
):
    response = as_supervisor.post(
        "/cases/new/", {**complaint, **ON_NO_GRID, "community": gulou_community.pk}
    )
    ticket = Ticket.objects.get()
    assert response["Location"] == f"/cases/{ticket.number}/"
    assert ticket.grid_cell is None
    assert ticket.community == gulou_community
    assert ticket.brigade == gulou_community.brigade
    assert ticket.lat == pytest.approx(ON_NO_GRID["lat"])


def test_a_community_alone_is_enough(as_supervisor, gulou_community, complaint):
    as_supervisor.post("/cases/new/", {**complaint, "community": gulou_community.pk})
    ticket = Ticket.objects.get()
    assert ticket.community == gulou_community and ticket.grid_cell is None
    assert ticket.lat is None and ticket.lng is None


def test_a_point_on_no_grid_without_a_community_asks_for_the_community(
    as_supervisor, gulou_community, complaint
):
    # Otherwise the ticket belongs to no community and no brigade: no supervisor but the
    # command centre would ever see it.
    response = as_supervisor.post("/cases/new/", {**complaint, **ON_NO_GRID})
    assert response.status_code == 400
    assert response.context["form"].errors["community"]
    assert not Ticket.objects.exists()


def test_without_a_point_or_a_community_the_form_comes_back_with_everything_typed(
    as_supervisor, gulou_community, complaint
):
    response = as_supervisor.post("/cases/new/", complaint)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["community"]
    assert "Tap the map where the problem is, or choose the community." in errors["community"]
    html = response.content.decode()
    assert "Tap the map where the problem is, or choose the community." in html
    assert "黄楼小区东门垃圾三天没人收，气味很大</textarea>" in html
    assert 'value="张女士"' in html
    assert 'value="13812345678"' in html
    assert 'value="黄楼小区东门"' in html
    assert "市民情绪激动，请尽快处理</textarea>" in html
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("phone", ["12345", "23812345678", "1381234567x", "138123456789"])
def test_an_invalid_phone_is_a_field_error_and_nothing_is_filed(
    as_supervisor, gulou_community, complaint, phone
):
    response = as_supervisor.post(
        "/cases/new/", {**complaint, **IN_HUANGLOU_001, "reporter_phone": phone}
    )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["reporter_phone"]
    assert f'value="{phone}"' in response.content.decode()
    assert not Ticket.objects.exists()
    assert not DailySequence.objects.exists()  # no number was used up


def test_a_point_in_another_brigade_files_the_ticket_there_and_says_so(
    as_supervisor, gulou_community, taishan_community, complaint
):
    response = as_supervisor.post("/cases/new/", {**complaint, **IN_TAISHAN})
    ticket = Ticket.objects.get()
    assert ticket.community == taishan_community
    assert ticket.brigade == taishan_community.brigade
    assert response.status_code == 302
    assert response["Location"] == "/cases/new/"
    message = " ".join(messages_of(response))
    assert ticket.number in message and "went to its own" in message
    assert as_supervisor.get(f"/cases/{ticket.number}/").status_code == 404


def test_a_supervisor_cannot_choose_another_brigades_community(
    as_supervisor, gulou_community, taishan_community, complaint
):
    response = as_supervisor.post("/cases/new/", {**complaint, "community": taishan_community.pk})
    assert response.status_code == 400
    assert response.context["form"].errors["community"]
    assert not Ticket.objects.exists()


def test_the_community_list_is_the_supervisors_brigade(
    as_supervisor, gulou_community, taishan_community
):
    response = as_supervisor.get("/cases/new/")
    assert response.status_code == 200
    assert list(response.context["form"].fields["community"].queryset) == [gulou_community]
    cells = [f["properties"]["code"] for f in response.context["map_data"]["cells"]["features"]]
    assert cells == ["320302001001001", "320302001001002"]


@pytest.mark.parametrize(
    "place",
    [
        {"lat": "95", "lng": "117.18"},
        {"lat": "abc", "lng": "117.18"},
        {"lat": "34.26", "lng": ""},
        {"lat": "nan", "lng": "nan"},
        {"lat": "1e999", "lng": "1e999"},
    ],
)
def test_a_malformed_point_is_a_form_error_not_a_crash(
    as_supervisor, gulou_community, complaint, place
):
    response = as_supervisor.post("/cases/new/", {**complaint, **place})
    assert response.status_code == 400
    assert response.context["form"].errors
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("source", ["resident", "patrol", "api", "bogus"])
def test_intake_takes_only_staff_sources(as_supervisor, gulou_community, complaint, source):
    response = as_supervisor.post("/cases/new/", {**complaint, **IN_HUANGLOU_001, "source": source})
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["source"]


def test_a_major_class_is_not_a_category_to_file_under(as_supervisor, gulou_community, complaint):
    major = Category.objects.get(kind="event", code="01")
    response = as_supervisor.post(
        "/cases/new/", {**complaint, **IN_HUANGLOU_001, "category": major.pk}
    )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["category"]


def test_a_photo_filed_with_the_complaint_is_stored_as_a_report_photo(
    as_supervisor, gulou_community, complaint, media
):
    out = io.BytesIO()
    Image.new("RGB", (400, 300), (90, 90, 90)).save(out, "JPEG")
    photo = SimpleUploadedFile("wechat.jpg", out.getvalue(), content_type="image/jpeg")
    as_supervisor.post("/cases/new/", {**complaint, **IN_HUANGLOU_001, "photos": [photo]})
    ticket = Ticket.objects.get()
    stored = Photo.objects.get()
    assert stored.ticket == ticket and stored.kind == PhotoKind.REPORT
    assert stored.event == ticket.events.get(action=Action.CREATE)


# --- who may file ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", ["officer_gulou", "handler_sanitation", "resident"])
def test_other_roles_cannot_open_or_post_the_intake(
    client, request, gulou_community, complaint, fixture
):
    client.force_login(request.getfixturevalue(fixture))
    assert client.get("/cases/new/").status_code == 403
    response = client.post("/cases/new/", {**complaint, **IN_HUANGLOU_001})
    assert response.status_code == 403
    assert not Ticket.objects.exists()


def test_an_anonymous_visitor_is_sent_to_log_in(client, gulou_community, complaint):
    response = client.get("/cases/new/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/cases/new/")
    client.post("/cases/new/", {**complaint, **IN_HUANGLOU_001})
    assert not Ticket.objects.exists()


def test_the_command_centre_can_file_anywhere_and_lands_on_the_ticket(
    client, command_supervisor, taishan_community, complaint
):
    client.force_login(command_supervisor)
    response = client.post("/cases/new/", {**complaint, **IN_TAISHAN})
    ticket = Ticket.objects.get()
    assert response["Location"] == f"/cases/{ticket.number}/"
    assert ticket.brigade == taishan_community.brigade


# --- the locate snippet ---------------------------------------------------------------------------


def test_locate_names_the_community_and_grid_of_a_point(as_supervisor, gulou_community):
    response = as_supervisor.get("/cases/locate/", IN_HUANGLOU_002)
    assert response.status_code == 200
    assert response.content.decode() == "In 黄楼社区, unit grid 320302001001002."


def test_locate_says_when_a_point_is_on_no_grid(as_supervisor, gulou_community):
    response = as_supervisor.get("/cases/locate/", ON_NO_GRID)
    assert response.status_code == 200
    assert "on no unit grid" in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"lat": "34.26"},
        {"lng": "117.18"},
        {"lat": "abc", "lng": "def"},
        {"lat": "", "lng": ""},
        {"lat": "nan", "lng": "nan"},
        {"lat": "inf", "lng": "-inf"},
        {"lat": "1e999", "lng": "1e999"},
        {"lat": "95", "lng": "200"},
        {"lat": "34.26\x00", "lng": "117.18"},
    ],
)
def test_locate_handles_missing_or_garbage_parameters(as_supervisor, gulou_community, params):
    response = as_supervisor.get("/cases/locate/", params)
    assert response.status_code == 200
    assert "黄楼社区" not in response.content.decode()


def test_locate_needs_a_login(client, gulou_community):
    response = client.get("/cases/locate/", IN_HUANGLOU_001)
    assert response.status_code == 302
    assert "黄楼社区" not in response.content.decode()


# --- the pick map -------------------------------------------------------------------------------


def test_a_brigade_supervisor_gets_the_grids_of_their_communities_on_the_map(
    as_supervisor, gulou_community, taishan_community
):
    cells = as_supervisor.get("/cases/new/").context["map_data"]["cells"]
    assert sorted(f["properties"]["code"] for f in cells["features"]) == sorted(
        gulou_community.grid_cells.values_list("code", flat=True)
    )


def test_a_city_too_large_to_draw_starts_with_an_empty_map(
    client, command_supervisor, gulou_community, monkeypatch
):
    monkeypatch.setattr("grids.maps.PICK_MAP_MAX_CELLS", 1)
    client.force_login(command_supervisor)
    map_data = client.get("/cases/new/").context["map_data"]
    assert map_data["cells"] is None
    assert map_data["communityCellsUrl"] == "/cases/communities/0/cells/"


def test_choosing_a_community_loads_its_grids(client, command_supervisor, gulou_community):
    client.force_login(command_supervisor)
    response = client.get(f"/cases/communities/{gulou_community.pk}/cells/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert len(response.json()["features"]) == 2


def test_the_grids_of_no_such_community_are_a_404(client, command_supervisor):
    client.force_login(command_supervisor)
    assert client.get("/cases/communities/999999/cells/").status_code == 404


def test_a_point_that_is_no_number_comes_back_as_a_clear_error_and_a_map_that_loads(
    as_supervisor, gulou_community, complaint
):
    response = as_supervisor.post("/cases/new/", {**complaint, "lat": "NaN", "lng": "NaN"})
    assert response.status_code == 400
    page = response.content.decode()
    assert '<div class="invalid-feedback d-block mb-2 where-error">Tap the map where' in page
    assert json.loads(map_json(page))["point"] is None  # NaN is not JSON: the map would not load
    assert "黄楼小区东门垃圾三天没人收" in page
    assert not Ticket.objects.exists()
