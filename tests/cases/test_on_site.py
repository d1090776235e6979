"""An officer records a problem fixed on the spot (现场整改): the ticket is born closed."""

import json

from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import Action, PhotoKind, State, Ticket
from tests.factories import jpeg_bytes
from tests.maps import map_json

URL = "/cases/on-site/"


def photo(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_bytes(), content_type="image/jpeg")


def form(category, cell, **overrides) -> dict:
    data = {
        "category": category.pk,
        "description": "人行道上堆放纸箱",
        "note": "已督促店主清理",
        "lat": cell.centroid_lat,
        "lng": cell.centroid_lng,
        "before": photo("before.jpg"),
        "after": photo("after.jpg"),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_an_officer_records_an_on_site_fix_as_a_closed_ticket_with_both_photos(
    client, officer_gulou, gulou_community, category, media
):
    cell = gulou_community.grid_cells.first()
    client.force_login(officer_gulou)
    response = client.post(URL, form(category, cell))
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response.url == ticket.get_absolute_url()
    assert ticket.state == State.CLOSED
    assert ticket.on_site
    assert ticket.grid_cell == cell
    assert ticket.assignee == officer_gulou.officer
    assert sorted(ticket.photos.values_list("kind", flat=True)) == [
        PhotoKind.AFTER,
        PhotoKind.BEFORE,
    ]
    event = ticket.events.get()
    assert (event.action, event.actor, event.to_state) == (
        Action.ON_SITE,
        officer_gulou,
        State.CLOSED,
    )


def test_an_on_site_fix_without_the_after_photo_is_refused_and_the_text_is_kept(
    client, officer_gulou, gulou_community, category, media
):
    client.force_login(officer_gulou)
    cell = gulou_community.grid_cells.first()
    response = client.post(URL, form(category, cell, after=None))
    assert response.status_code == 400
    assert response.context["form"].errors["after"]
    assert "人行道上堆放纸箱" in response.content.decode()
    assert not Ticket.objects.exists()


def test_the_on_site_page_offers_the_officers_own_communities(
    client, officer_gulou, gulou_community, taishan_community
):
    client.force_login(officer_gulou)
    response = client.get(URL)
    assert response.status_code == 200
    assert list(response.context["form"].fields["community"].queryset) == [gulou_community]


def test_a_supervisor_cannot_record_an_on_site_fix(client, supervisor_gulou):
    client.force_login(supervisor_gulou)
    assert client.get(URL).status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/login/" in response.url


def test_an_on_site_fix_at_a_point_that_is_no_number_is_a_clear_error_not_a_broken_map(
    client, officer_gulou, gulou_community, category, media
):
    client.force_login(officer_gulou)
    cell = gulou_community.grid_cells.first()
    response = client.post(
        URL, form(category, cell, lat="NaN", lng="inf"), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "where-error" in page and "Tap the map where the problem is." in page
    assert json.loads(map_json(page))["point"] is None  # NaN is not JSON: the map would not load
    assert not Ticket.objects.exists()
