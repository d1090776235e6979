"""The officer's phone sends its queued writes with ids it made (``Idempotency-Key``): each write
is applied once however often it arrives, and the API answers a repeat as it answered the first;
photos come in parts that survive a dropped connection, checked and stripped when complete; a
ticket reassigned while the phone was offline is a 409 saying who has it now."""

import datetime
import io
import uuid

import pytest
from PIL import Image

from cases.models import (
    Action,
    ClientWrite,
    Photo,
    PhotoUpload,
    State,
    Ticket,
    TicketEvent,
)
from patrols import services
from patrols.models import Outreach, PatrolPoint
from tests.api.conftest import errors
from tests.cases.conftest import GULOU_POINT
from tests.factories import jpeg_bytes
from tests.patrols.conftest import GULOU_001, MONDAY_10AM

pytestmark = pytest.mark.django_db

KEY = "HTTP_IDEMPOTENCY_KEY"


def jpeg_with_gps() -> bytes:
    """A 300×200 JPEG whose EXIF holds a GPS position (as a phone's camera writes it)."""
    image = Image.new("RGB", (300, 200), (200, 40, 40))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (34.0, 15.0, 0.0), 3: "E", 4: (117.0, 11.0, 0.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def upload(client, data: bytes, *, part: int = 1000) -> str:
    """Send ``data`` in parts of ``part`` bytes and complete it: the upload's id."""
    upload_id = str(uuid.uuid4())
    created = client.post("/api/v1/uploads/", {"id": upload_id, "size": len(data)}, format="json")
    assert created.status_code == 201, created.content
    for offset in range(0, len(data), part):
        sent = put_part(client, upload_id, offset, data[offset : offset + part])
        assert sent.status_code == 200, sent.content
    done = client.post(f"/api/v1/uploads/{upload_id}/complete/")
    assert done.status_code == 200, done.content
    return upload_id


def put_part(client, upload_id: str, offset: int, data: bytes):
    return client.put(
        f"/api/v1/uploads/{upload_id}/?offset={offset}",
        data,
        content_type="application/octet-stream",
    )


def finding(category, **extra) -> dict:
    lat, lng = GULOU_POINT
    return {
        "outcome": "dispatch",
        "category": category.pk,
        "description": "垃圾桶满溢",
        "lat": lat,
        "lng": lng,
        **extra,
    }


# --- applied once ---------------------------------------------------------------------------


def test_the_same_finding_sent_twice_makes_one_ticket_and_one_event(
    api_as, officer_gulou, category, media
):
    client = api_as(officer_gulou)
    key = str(uuid.uuid4())
    first = client.post("/api/v1/findings/", finding(category), format="json", **{KEY: key})
    events = TicketEvent.objects.count()
    again = client.post("/api/v1/findings/", finding(category), format="json", **{KEY: key})
    assert first.status_code == again.status_code == 201, again.content
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    ticket = Ticket.objects.get()
    assert ticket.number == first.json()["number"]
    assert TicketEvent.objects.filter(ticket=ticket).count() == events  # none added
    assert ClientWrite.objects.get().status == 201


def test_two_findings_with_two_ids_are_two_tickets(api_as, officer_gulou, category, media):
    client = api_as(officer_gulou)
    for _ in range(2):
        response = client.post(
            "/api/v1/findings/", finding(category), format="json", **{KEY: str(uuid.uuid4())}
        )
        assert response.status_code == 201
    assert Ticket.objects.count() == 2


def test_a_resolve_sent_twice_is_one_event_and_the_same_answer(
    api_as, officer_gulou, make_ticket, media
):
    ticket = make_ticket(State.IN_PROGRESS)
    photo = upload(api_as(officer_gulou), jpeg_bytes())
    client = api_as(officer_gulou)
    data = {"note": "已清理", "expected_state": "in_progress", "photos_upload": photo}
    key = {KEY: str(uuid.uuid4())}
    url = f"/api/v1/tickets/{ticket.number}/resolve/"
    first = client.post(url, data, **key)
    again = client.post(url, data, **key)
    assert first.status_code == again.status_code == 200, again.content
    assert again.json() == first.json()
    assert TicketEvent.objects.filter(ticket=ticket, action=Action.RESOLVE).count() == 1
    assert Photo.objects.filter(ticket=ticket, kind="after").count() == 1
    assert not PhotoUpload.objects.exists()  # used: its photo now belongs to the ticket
    # Without the id the repeat is judged again: the step was taken, a conflict.
    assert client.post(url, data).status_code == 409


def test_a_refused_write_is_not_remembered_and_the_corrected_one_applies(
    api_as, officer_gulou, category, media
):
    client = api_as(officer_gulou)
    key = {KEY: str(uuid.uuid4())}
    refused = client.post(
        "/api/v1/findings/", finding(category, description=""), format="json", **key
    )
    assert refused.status_code == 400
    assert not ClientWrite.objects.exists()
    applied = client.post("/api/v1/findings/", finding(category), format="json", **key)
    assert applied.status_code == 201
    assert Ticket.objects.count() == 1


def test_an_id_used_for_another_request_is_a_400(api_as, officer_gulou, category, media):
    client = api_as(officer_gulou)
    key = {KEY: str(uuid.uuid4())}
    assert client.post("/api/v1/findings/", finding(category), format="json", **key).status_code
    other = client.post("/api/v1/outreach/", {"kind": "visit"}, format="json", **key)
    assert other.status_code == 400
    assert "Idempotency-Key" in errors(other)
    assert not Outreach.objects.exists()


def test_an_id_that_is_no_uuid_is_a_400(api_as, officer_gulou):
    response = api_as(officer_gulou).post(
        "/api/v1/outreach/", {"kind": "visit"}, format="json", **{KEY: "nope"}
    )
    assert response.status_code == 400
    assert not Outreach.objects.exists()


def test_the_same_id_from_another_user_is_their_own_write(
    api_as, officer_gulou, officer_gulou_colleague
):
    key = {KEY: str(uuid.uuid4())}
    for user in (officer_gulou, officer_gulou_colleague):
        response = api_as(user).post("/api/v1/outreach/", {"kind": "visit"}, format="json", **key)
        assert response.status_code == 201
    assert Outreach.objects.count() == 2


def test_a_tap_and_a_track_point_queued_offline_keep_their_time_and_arrive_once(
    api_as, officer_gulou, monday
):
    client = api_as(officer_gulou)
    session, _created = services.start_patrol(actor=officer_gulou)
    monday.shift(datetime.timedelta(minutes=30))
    recorded = MONDAY_10AM + datetime.timedelta(minutes=10)
    ms = int(recorded.timestamp() * 1000)
    lat, lng = GULOU_001
    key = {KEY: str(uuid.uuid4())}
    for _ in range(2):
        response = client.post(
            f"/api/v1/patrols/{session.pk}/points/",
            {"lat": lat, "lng": lng, "timestamp": ms},
            format="json",
            **key,
        )
        assert response.status_code == 201, response.content
    assert PatrolPoint.objects.get().recorded_at == recorded
    tap_key = {KEY: str(uuid.uuid4())}
    for _ in range(2):
        client.post(
            "/api/v1/outreach/", {"kind": "visit", "timestamp": ms}, format="json", **tap_key
        )
    assert Outreach.objects.get().at == recorded


def test_a_tap_from_days_ago_counts_when_it_arrives(api_as, officer_gulou, monday):
    old = int((MONDAY_10AM - datetime.timedelta(days=3)).timestamp() * 1000)
    api_as(officer_gulou).post("/api/v1/outreach/", {"kind": "visit", "timestamp": old})
    assert Outreach.objects.get().at == MONDAY_10AM


# --- conflicts and denials ------------------------------------------------------------------


def test_a_ticket_reassigned_meanwhile_is_a_409_naming_who_has_it(
    api_as, officer_gulou, officer_gulou_colleague, supervisor_gulou, make_ticket, media
):
    ticket = make_ticket(State.DISPATCHED)
    seen = ticket.assignee_id
    api_as(supervisor_gulou).post(
        f"/api/v1/tickets/{ticket.number}/dispatch/",
        {"officer": officer_gulou_colleague.officer.pk, "note": "改派"},
        format="json",
    )
    Ticket.objects.filter(pk=ticket.pk).update(
        state=State.DISPATCHED, assignee=officer_gulou_colleague.officer
    )
    response = api_as(officer_gulou).post(
        f"/api/v1/tickets/{ticket.number}/start/",
        {"expected_state": "dispatched", "expected_assignee": seen},
        format="json",
        **{KEY: str(uuid.uuid4())},
    )
    assert response.status_code == 409, response.content
    message = errors(response)["detail"][0]
    assert ticket.number in message and officer_gulou_colleague.officer.badge_number in message
    assert Ticket.objects.get(pk=ticket.pk).state == State.DISPATCHED
    assert not ClientWrite.objects.exists()


def test_another_officers_task_cannot_be_started(api_as, officer_quanshan, make_ticket):
    ticket = make_ticket(State.DISPATCHED)
    response = api_as(officer_quanshan).post(
        f"/api/v1/tickets/{ticket.number}/start/", {}, format="json", **{KEY: str(uuid.uuid4())}
    )
    assert response.status_code == 404
    assert Ticket.objects.get(pk=ticket.pk).state == State.DISPATCHED


def test_only_officers_record_findings(api_as, supervisor_gulou, category):
    response = api_as(supervisor_gulou).post(
        "/api/v1/findings/", finding(category), format="json", **{KEY: str(uuid.uuid4())}
    )
    assert response.status_code == 403
    assert not Ticket.objects.exists()


# --- photos in parts --------------------------------------------------------------------------


def test_a_finding_with_two_photos_sent_in_parts(api_as, officer_gulou, category, media):
    client = api_as(officer_gulou)
    photos = [upload(client, jpeg_with_gps()), upload(client, jpeg_bytes())]
    response = client.post(
        "/api/v1/findings/",
        finding(category, photos_upload=photos),
        format="json",
        **{KEY: str(uuid.uuid4())},
    )
    assert response.status_code == 201, response.content
    stored = Photo.objects.filter(ticket__number=response.json()["number"])
    assert stored.count() == 2
    for photo in stored:
        with Image.open(photo.image.path) as image:
            assert not image.getexif()  # no GPS position left
    assert not PhotoUpload.objects.exists()


def test_an_interrupted_upload_resumes_where_the_server_stopped(api_as, officer_gulou, media):
    client = api_as(officer_gulou)
    data = jpeg_with_gps()
    upload_id = str(uuid.uuid4())
    client.post("/api/v1/uploads/", {"id": upload_id, "size": len(data)}, format="json")
    assert put_part(client, upload_id, 0, data[:500]).json()["received"] == 500
    # The connection dropped: the phone asks where to go on, opening the upload again.
    reopened = client.post("/api/v1/uploads/", {"id": upload_id, "size": len(data)}, format="json")
    assert reopened.status_code == 200 and reopened.json()["received"] == 500
    # A part sent again after its answer was lost is acknowledged, not stored twice.
    assert put_part(client, upload_id, 0, data[:500]).json()["received"] == 500
    gap = put_part(client, upload_id, 900, data[900:1000])
    assert gap.status_code == 409 and "500" in errors(gap)["detail"][0]
    early = client.post(f"/api/v1/uploads/{upload_id}/complete/")
    assert early.status_code == 409
    assert put_part(client, upload_id, 500, data[500:]).json()["received"] == len(data)
    done = client.post(f"/api/v1/uploads/{upload_id}/complete/")
    assert done.status_code == 200 and done.json()["complete"] is True
    stored = PhotoUpload.objects.get()
    with Image.open(stored.file.path) as image:
        assert image.size == (300, 200) and not image.getexif()
    assert not stored.parts.exists()
    again = client.post(f"/api/v1/uploads/{upload_id}/complete/")
    assert again.status_code == 200


def test_an_upload_that_is_no_image_is_refused_when_complete(api_as, officer_gulou, media):
    client = api_as(officer_gulou)
    upload_id = str(uuid.uuid4())
    client.post("/api/v1/uploads/", {"id": upload_id, "size": 10}, format="json")
    put_part(client, upload_id, 0, b"not a jpeg")
    response = client.post(f"/api/v1/uploads/{upload_id}/complete/")
    assert response.status_code == 400
    assert PhotoUpload.objects.get().completed_at is None


def test_an_upload_larger_than_a_photo_may_be_is_refused(api_as, officer_gulou):
    response = api_as(officer_gulou).post(
        "/api/v1/uploads/", {"id": str(uuid.uuid4()), "size": 50 * 1024 * 1024}, format="json"
    )
    assert response.status_code == 400
    assert not PhotoUpload.objects.exists()


def test_another_users_upload_is_not_found_and_cannot_be_used(
    api_as, officer_gulou, officer_gulou_colleague, category, media
):
    photo = upload(api_as(officer_gulou), jpeg_bytes())
    other = api_as(officer_gulou_colleague)
    assert other.get(f"/api/v1/uploads/{photo}/").status_code == 404
    assert put_part(other, photo, 0, b"x").status_code == 404
    assert other.post(f"/api/v1/uploads/{photo}/complete/").status_code == 404
    taken = other.post("/api/v1/uploads/", {"id": photo, "size": len(jpeg_bytes())}, format="json")
    assert taken.status_code == 404
    used = other.post("/api/v1/findings/", finding(category, photos_upload=[photo]), format="json")
    assert used.status_code == 400 and "photos_upload" in errors(used)
    assert not Ticket.objects.exists()
    assert PhotoUpload.objects.filter(pk=photo, user=officer_gulou).exists()
