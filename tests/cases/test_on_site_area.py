"""Fixed on site (现场整改) only in the officer's own brigade's area: elsewhere the case is the
other brigade's to register and check, as for a patrol finding (``files_on_patrol``)."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from cases import services
from cases.models import Action, State, Ticket, TicketEvent
from tests.cases.conftest import GULOU_POINT, QUANSHAN_POINT
from tests.factories import jpeg_bytes, processed_photo

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted on their msgids, whatever the catalogue holds."""
    with translation.override("en"):
        yield


def fix_on_site(actor, category, **place):
    return services.create_on_site_ticket(
        actor=actor,
        category=category,
        description="路边散落垃圾",
        before=[processed_photo("before.jpg")],
        after=[processed_photo("after.jpg")],
        note="已现场清理",
        **place,
    )


def test_an_officer_cannot_close_a_case_on_site_in_another_brigades_grid(
    officer_gulou, category, taishan_community, media
):
    lat, lng = QUANSHAN_POINT
    with pytest.raises(ValidationError) as refused:
        fix_on_site(officer_gulou, category, lat=lat, lng=lng)

    assert "another brigade" in refused.value.message_dict["community"][0]
    assert not Ticket.objects.exists()
    assert not TicketEvent.objects.exists()


def test_an_officer_cannot_close_a_case_on_site_in_another_brigades_community(
    officer_gulou, category, taishan_community, media
):
    with pytest.raises(ValidationError) as refused:
        fix_on_site(officer_gulou, category, community=taishan_community)

    assert list(refused.value.message_dict) == ["community"]
    assert not Ticket.objects.exists()


def test_an_officer_closes_a_case_on_site_in_their_own_brigades_community(
    officer_gulou, category, gulou_community, media
):
    ticket = fix_on_site(officer_gulou, category, community=gulou_community)

    assert ticket.state == State.CLOSED and ticket.brigade_id == gulou_community.brigade_id
    assert list(ticket.events.values_list("action", "actor")) == [
        (Action.ON_SITE, officer_gulou.pk)
    ]


def on_site_form(category, point):
    return {
        "category": category.pk,
        "description": "路边散落垃圾",
        "note": "已现场清理",
        "lat": point[0],
        "lng": point[1],
        "before": SimpleUploadedFile("before.jpg", jpeg_bytes(), content_type="image/jpeg"),
        "after": SimpleUploadedFile("after.jpg", jpeg_bytes(), content_type="image/jpeg"),
    }


def test_the_on_site_form_refuses_another_brigades_point_with_a_field_error(
    officer_gulou, category, taishan_community, media, client
):
    client.force_login(officer_gulou)

    response = client.post(reverse("cases:on_site"), on_site_form(category, QUANSHAN_POINT))

    assert response.status_code == 400
    form = response.context["form"]
    # The page's language follows the request: the field, not the wording, is asserted here.
    assert form.has_error("community") and len(form.errors) == 1
    assert "路边散落垃圾" in response.content.decode()
    assert not Ticket.objects.exists()


def test_the_on_site_form_records_a_fix_in_the_officers_own_grid(
    officer_gulou, category, media, client
):
    client.force_login(officer_gulou)

    response = client.post(reverse("cases:on_site"), on_site_form(category, GULOU_POINT))

    assert response.status_code == 302
    assert Ticket.objects.get().on_site is True
