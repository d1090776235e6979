"""The public complaint form (/report/): filing without an account, bad input kept and explained,
the honeypot, the per-IP rate limit, CSRF, and following an open report nearby."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cases.models import Action, Photo, PhotoKind, Source, State, Ticket, TicketEvent
from citymgmt.client_ip import client_ip
from grids.geometry import offset
from tests.factories import ORIGIN, jpeg_bytes

pytestmark = pytest.mark.django_db

REPORT = "/report/"


def point(east_m: float, north_m: float) -> tuple[float, float]:
    lng, lat = offset(*ORIGIN, east_m, north_m)
    return lat, lng


IN_HUANGLOU = point(50, 50)
ON_NO_GRID = point(50, 150)  # between 黄楼 and 泰山: outside every unit grid
FAR_AWAY = (39.9042, 116.4074)  # Beijing


@pytest.fixture
def form_data(category, gulou_community):
    lat, lng = IN_HUANGLOU
    return {
        "category": str(category.pk),
        "description": "楼下垃圾堆了三天，味道很大",
        "lat": f"{lat:.6f}",
        "lng": f"{lng:.6f}",
        "address": "黄楼街道菜场西口",
        "reporter_name": "刘女士",
        "reporter_phone": "13812345678",
        "consent": "on",
        "website": "",
        "follows": "",
    }


def jpeg_upload(name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_bytes((800, 600)), content_type="image/jpeg")


def test_the_form_opens_preset_to_the_notice_boards_community(english, gulou_community):
    response = english.get(f"{REPORT}?community={gulou_community.code}")
    assert response.status_code == 200
    assert response.context["form"]["community"].value() == gulou_community.pk
    assert "黄楼社区" in response.content.decode()
    # The map starts on that community's two unit grids.
    assert len(response.context["map_data"]["cells"]["features"]) == 2


def test_a_garbage_community_in_the_qr_link_opens_a_plain_form(english, gulou_community):
    for junk in ("abc", "1" * 40, "999999999999", "%00", "<script>"):
        response = english.get(REPORT, {"community": junk})
        assert response.status_code == 200
        assert response.context["form"]["community"].value() is None


def test_the_categories_are_offered_in_plain_words(english, category):
    response = english.get(REPORT)
    groups = dict(list(response.context["form"].fields["category"].widget.choices)[1:])
    labels = [label for options in groups.values() for _pk, label in options]
    assert "垃圾乱堆没人清（暴露垃圾）" in labels
    assert not any(label[:4].isdigit() for label in labels)  # no GB/T codes for residents


def test_a_resident_files_a_report_without_an_account(english, form_data, media, category):
    response = english.post(REPORT, {**form_data, "photos": [jpeg_upload()]})

    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/track/{ticket.tracking_code}/filed/"
    assert ticket.state == State.REPORTED
    assert ticket.source == Source.RESIDENT
    assert ticket.reporter is None
    assert ticket.community.name == "黄楼社区"
    assert ticket.grid_cell.code.endswith("001")
    assert ticket.reporter_phone == "13812345678"
    event = TicketEvent.objects.get(ticket=ticket)
    assert (event.action, event.actor, event.data) == (Action.CREATE, None, {"source": "resident"})
    photo = Photo.objects.get(ticket=ticket)
    assert (photo.kind, photo.event) == (PhotoKind.REPORT, event)

    confirmation = english.get(response["Location"])
    page = confirmation.content.decode()
    assert ticket.number in page
    assert ticket.tracking_code in page
    assert f"/track/{ticket.tracking_code}/" in page
    assert "5678" in page  # how to find the code again


def test_a_phone_typed_with_spaces_or_country_code_is_accepted(english, form_data):
    english.post(REPORT, {**form_data, "reporter_phone": "+86 138-1234-5678"})
    assert Ticket.objects.get().reporter_phone == "13812345678"


def test_name_and_phone_are_optional(english, form_data):
    english.post(REPORT, {**form_data, "reporter_name": "", "reporter_phone": ""})
    assert Ticket.objects.get().reporter_phone == ""


def _refused(response, field: str, *, tickets: int = 0) -> str:
    assert response.status_code == 400
    assert Ticket.objects.count() == tickets
    errors = response.context["form"].errors
    assert field in errors, errors
    return " ".join(errors[field])


@pytest.mark.parametrize("phone", ["12345", "23812345678", "1381234567x", "138123456789"])
def test_an_invalid_phone_is_refused_with_the_input_kept(english, form_data, phone):
    response = english.post(REPORT, {**form_data, "reporter_phone": phone})
    assert "11-digit mainland mobile number" in _refused(response, "reporter_phone")
    page = response.content.decode()
    assert "楼下垃圾堆了三天，味道很大" in page
    assert "黄楼街道菜场西口" in page
    assert f'value="{phone}"' in page


def test_a_missing_category_is_refused_with_the_input_kept(english, form_data):
    response = english.post(REPORT, {**form_data, "category": ""})
    assert "required" in _refused(response, "category")
    assert "楼下垃圾堆了三天，味道很大" in response.content.decode()
    assert response.context["form"]["lat"].value() == form_data["lat"]


def test_a_point_outside_the_city_is_refused_with_a_clear_message(english, form_data):
    for lat, lng in (ON_NO_GRID, FAR_AWAY):
        response = english.post(REPORT, {**form_data, "lat": lat, "lng": lng})
        message = _refused(response, "lat")
        assert "outside the area we serve" in message
        assert message in response.content.decode()
        assert "楼下垃圾堆了三天，味道很大" in response.content.decode()


def test_a_report_without_a_point_asks_for_one(english, form_data, gulou_community):
    data = {**form_data, "lat": "", "lng": "", "community": str(gulou_community.pk)}
    response = english.post(REPORT, data)
    assert "Tap the map" in _refused(response, "lat")


def test_an_oversized_photo_is_refused_with_the_input_kept(english, form_data, media):
    big = SimpleUploadedFile("huge.jpg", b"\xff" * (10 * 1024 * 1024 + 1), "image/jpeg")
    response = english.post(REPORT, {**form_data, "photos": [big]})
    message = _refused(response, "photos")
    assert "huge.jpg" in message and "at most 10" in message
    assert "楼下垃圾堆了三天，味道很大" in response.content.decode()
    assert "Photos must be chosen again" in response.content.decode()


def test_a_file_that_is_not_an_image_is_refused(english, form_data, media):
    fake = SimpleUploadedFile("virus.jpg", b"MZ not an image", "image/jpeg")
    response = english.post(REPORT, {**form_data, "photos": [fake]})
    assert "not an image" in _refused(response, "photos")


def test_more_than_three_photos_are_refused(english, form_data, media):
    photos = [jpeg_upload(f"p{i}.jpg") for i in range(4)]
    response = english.post(REPORT, {**form_data, "photos": photos})
    assert "At most 3" in _refused(response, "photos")


def test_the_consent_must_be_given(english, form_data):
    data = {key: value for key, value in form_data.items() if key != "consent"}
    response = english.post(REPORT, data)
    assert "tick to agree" in _refused(response, "consent")


@pytest.mark.parametrize(
    "junk",
    [
        {"lat": "abc", "lng": "def"},
        {"lat": "1e400", "lng": "-1e400"},
        {"lat": "NaN", "lng": "Infinity"},
        {"lat": "91", "lng": "181"},
        {"category": "abc"},
        {"category": "99999999"},
        {"category": "-1"},
        {"community": "xyz"},
        {"community": "99999999"},
        {"follows": "'; DROP TABLE cases_ticket; --"},
        {"follows": "x" * 500},
        {"description": "x" * 5000},
        {"reporter_name": "名" * 300},
        {"description": "\x00\x01"},
    ],
)
def test_garbage_input_gives_a_form_error_never_a_500(english, form_data, junk):
    response = english.post(REPORT, {**form_data, **junk})
    assert response.status_code == 400
    assert not Ticket.objects.exists()
    assert response.context["form"].errors


def test_a_point_that_is_not_a_number_is_not_drawn_on_the_map(english, form_data):
    for junk in ("NaN", "1e400", "-inf"):
        response = english.post(REPORT, {**form_data, "lat": junk, "lng": junk})
        assert response.context["map_data"]["point"] is None


def test_a_text_posted_as_photos_is_ignored(english, form_data):
    response = english.post(REPORT, {**form_data, "photos": "not a file"})
    assert response.status_code == 302
    assert not Photo.objects.exists()


def test_a_major_class_is_not_a_category_one_can_report(english, form_data, category):
    response = english.post(REPORT, {**form_data, "category": str(category.parent_id)})
    _refused(response, "category")


def test_honeypot_submissions_are_dropped_silently(english, form_data):
    response = english.post(REPORT, {**form_data, "website": "http://spam.example"})
    assert response.status_code == 302
    assert response["Location"] == REPORT
    assert not Ticket.objects.exists()
    assert not TicketEvent.objects.exists()


def test_the_form_needs_its_csrf_token(form_data):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(REPORT, form_data)
    assert response.status_code == 403
    assert not Ticket.objects.exists()


def test_the_rate_limit_kicks_in_after_five_reports_and_says_so(english, form_data):
    limit = int(settings.CITYMGMT_RATE_REPORT.split("/")[0])
    for _n in range(limit):
        assert english.post(REPORT, form_data).status_code == 302
    response = english.post(REPORT, {**form_data, "description": "第六次反映"})

    assert response.status_code == 429
    assert Ticket.objects.count() == limit
    page = response.content.decode()
    assert "several reports in a few minutes" in page
    assert "第六次反映" in page  # what was typed is kept
    assert "黄楼街道菜场西口" in page


def test_typing_mistakes_do_not_use_up_the_report_limit(english, form_data):
    for _n in range(5):
        assert english.post(REPORT, {**form_data, "category": ""}).status_code == 400
    assert english.post(REPORT, form_data).status_code == 302


def test_the_rate_limit_counts_each_address_on_its_own(form_data):
    first, second = Client(REMOTE_ADDR="203.0.113.7"), Client(REMOTE_ADDR="203.0.113.8")
    for _n in range(5):
        first.post(REPORT, form_data)
    assert first.post(REPORT, form_data).status_code == 429
    assert second.post(REPORT, form_data).status_code == 302


def test_behind_our_proxy_the_limit_counts_the_residents_address(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9")
    assert client_ip(request) == "198.51.100.9"  # what our proxy saw; 1.2.3.4 may be forged


def test_without_a_proxy_a_forged_forwarded_header_is_ignored(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = rf.get("/", REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(request) == "198.51.100.9"


# --- the map helpers -------------------------------------------------------------------------


def test_the_where_snippet_names_the_community_or_says_outside(english, gulou_community):
    lat, lng = IN_HUANGLOU
    inside = english.get("/report/where/", {"lat": lat, "lng": lng}).content.decode()
    assert "黄楼社区" in inside and "001" in inside
    lat, lng = ON_NO_GRID
    outside = english.get("/report/where/", {"lat": lat, "lng": lng}).content.decode()
    assert "outside the area we serve" in outside
    for junk in ({}, {"lat": "x", "lng": "y"}, {"lat": "1e999", "lng": "0"}):
        assert english.get("/report/where/", junk).status_code == 200


def test_a_communitys_grids_are_public_and_an_unknown_one_is_404(english, gulou_community):
    response = english.get(reverse("residents:report_cells", args=[gulou_community.pk]))
    assert len(response.json()["features"]) == 2
    assert english.get(reverse("residents:report_cells", args=[999999])).status_code == 404


# --- "is it one of these?" ---------------------------------------------------------------------


@pytest.fixture
def open_report(make_ticket):
    """Someone else's report of the same problem, just registered."""
    return make_ticket(State.REGISTERED)


def test_open_reports_nearby_are_offered_without_their_reporters_data(
    english, open_report, category
):
    lat, lng = IN_HUANGLOU
    response = english.get(
        "/report/nearby/", {"lat": lat + 0.0001, "lng": lng, "category": category.pk}
    )
    page = response.content.decode()
    assert open_report.number in page
    assert "Is it one of these?" in page
    for private in (
        open_report.tracking_code,
        open_report.reporter_phone,
        open_report.reporter_name,
        open_report.description,
    ):
        assert private not in page


def test_nothing_is_offered_for_another_kind_or_far_away(english, open_report, category):
    lat, lng = ON_NO_GRID
    far = english.get("/report/nearby/", {"lat": lat, "lng": lng, "category": category.pk})
    assert open_report.number not in far.content.decode()
    for junk in ({}, {"lat": "a", "lng": "b", "category": "c"}, {"lat": 1, "lng": 2}):
        assert english.get("/report/nearby/", junk).status_code == 200


@pytest.mark.parametrize(
    "source", [Source.HOTLINE, Source.PATROL, Source.DIGITAL_CITY, Source.LEADERSHIP_PATROL]
)
def test_staff_intake_and_patrol_tickets_are_never_offered_nearby(
    english, open_report, category, source
):
    Ticket.objects.filter(pk=open_report.pk).update(source=source)
    lat, lng = IN_HUANGLOU
    response = english.get(
        "/report/nearby/", {"lat": lat + 0.0001, "lng": lng, "category": category.pk}
    )
    assert response.status_code == 200
    assert open_report.number not in response.content.decode()


def test_a_nearby_report_shows_no_typed_address(english, open_report, category):
    Ticket.objects.filter(pk=open_report.pk).update(address="解放南路138号3单元502室 王女士家门口")
    lat, lng = IN_HUANGLOU
    response = english.get(
        "/report/nearby/", {"lat": lat + 0.0001, "lng": lng, "category": category.pk}
    )
    page = response.content.decode()
    assert open_report.number in page
    assert "王女士" not in page
    assert "解放南路" not in page


def test_the_nearby_offer_is_rate_limited_per_address(english, open_report, category, settings):
    settings.CITYMGMT_RATE_NEARBY = "3/10m"
    lat, lng = IN_HUANGLOU
    query = {"lat": lat + 0.0001, "lng": lng, "category": category.pk}
    for _n in range(3):
        assert english.get("/report/nearby/", query).status_code == 200
    refused = english.get("/report/nearby/", query)
    assert refused.status_code == 429
    assert open_report.number not in refused.content.decode()
    other = Client(REMOTE_ADDR="203.0.113.9")
    assert other.get("/report/nearby/", query).status_code == 200


def test_following_a_nearby_report_links_the_new_one_with_events_on_both(
    english, form_data, open_report
):
    response = english.post(REPORT, {**form_data, "follows": open_report.number})

    assert response.status_code == 302
    mine = Ticket.objects.exclude(pk=open_report.pk).get()
    assert mine.duplicate_of == open_report
    assert mine.tracking_code != open_report.tracking_code
    mine_event = mine.events.get(action=Action.DUPLICATE_LINKED)
    assert mine_event.data["duplicate_of"] == open_report.number
    original_event = open_report.events.get(action=Action.DUPLICATE_LINKED)
    assert original_event.data["duplicate"] == mine.number


def test_a_report_that_was_not_offered_cannot_be_followed(
    english, form_data, make_ticket, category
):
    elsewhere = make_ticket(State.REGISTERED, place="quanshan")  # 200 m away: not offered
    response = english.post(REPORT, {**form_data, "follows": elsewhere.number})
    assert "no longer open" in _refused(response, "follows", tickets=1)
    assert "楼下垃圾堆了三天，味道很大" in response.content.decode()


def test_a_closed_report_can_no_longer_be_followed(english, form_data, make_ticket):
    closed = make_ticket(State.CLOSED)
    response = english.post(REPORT, {**form_data, "follows": closed.number})
    _refused(response, "follows", tickets=1)


@pytest.mark.parametrize("digits", ["²", "١٢", "²" * 12])
def test_digits_int_refuses_are_harmless(english, form_data, digits):
    response = english.post(REPORT, {**form_data, "community": digits, "category": digits})
    assert response.status_code == 400
    assert "楼下垃圾堆了三天，味道很大" in response.content.decode()
    nearby = english.get("/report/nearby/", {"lat": 34.26, "lng": 117.18, "category": digits})
    assert nearby.status_code == 200
    assert english.get(REPORT, {"community": digits}).status_code == 200


@pytest.mark.parametrize("huge", ["9" * 30, "-" + "9" * 30])
def test_numbers_too_large_for_the_database_are_harmless(english, form_data, huge):
    assert english.post(REPORT, {**form_data, "category": huge}).status_code == 400
    assert english.post(REPORT, {**form_data, "community": huge}).status_code == 400
    nearby = english.get("/report/nearby/", {"lat": 34.26, "lng": 117.18, "category": huge})
    assert nearby.status_code == 200
    assert english.get(f"/report/communities/{huge.lstrip('-')}/cells/").status_code == 404
    assert english.get(f"/track/AAAAAAAAAA/photos/{huge.lstrip('-')}/thumb/").status_code == 404
    assert english.get("/report/", {"community": huge}).status_code == 200
