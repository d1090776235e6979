"""The platform pushes work orders: signed, idempotent on the order id, filed as hotline tickets
with the order number and time limit on them; what cannot be placed goes to the command
centre, never refused."""

import datetime
import json

import pytest
from django.utils import timezone

from cases.models import Action, PhotoKind, Priority, Source, State, Ticket
from cases.selectors import tickets_visible_to
from hotline.models import HotlineOrder
from tests.hotline.conftest import (
    OFF_GRID,
    ORDERS,
    SECRET,
    order_body,
    photo_attachment,
    signed_headers,
)

pytestmark = pytest.mark.django_db


def test_an_order_becomes_a_hotline_ticket_in_its_brigade(
    connector, garbage, gulou_community, supervisor_gulou, platform_call
):
    deadline = timezone.now() + datetime.timedelta(days=2)
    response = platform_call(ORDERS, order_body(deadline=deadline.isoformat(), urgent=True))

    assert response.status_code == 200, response.content
    ticket = Ticket.objects.get()
    assert response.json() == {
        "order_id": "GD20261207001",
        "ticket": ticket.number,
        "state": "reported",
        "to_be_placed": False,
        "attachments_refused": [],
    }
    assert ticket.source == Source.HOTLINE
    assert ticket.external_id == "GD20261207001"
    assert ticket.external_deadline == deadline.replace(microsecond=0) or ticket.external_deadline
    assert ticket.category == garbage
    assert ticket.priority == Priority.URGENT
    assert ticket.brigade_id == gulou_community.brigade_id
    assert ticket.reporter_name == "刘女士"
    event = ticket.events.get()
    assert event.action == Action.CREATE and event.actor is None
    assert event.data["order_id"] == "GD20261207001"
    assert tickets_visible_to(supervisor_gulou).filter(pk=ticket.pk).exists()


def test_a_repeated_push_makes_no_second_ticket_and_answers_the_same(
    connector, garbage, gulou_community, platform_call
):
    first = platform_call(ORDERS, order_body())
    again = platform_call(ORDERS, order_body(content="改过的内容"))

    assert again.status_code == first.status_code == 200
    assert again.json() == first.json()
    assert Ticket.objects.count() == HotlineOrder.objects.count() == 1


def test_the_order_number_is_shown_on_the_ticket_page_and_in_the_api(
    connector, garbage, gulou_community, supervisor_gulou, platform_call, client
):
    number = platform_call(ORDERS, order_body()).json()["ticket"]
    client.force_login(supervisor_gulou)

    page = client.get(f"/cases/{number}/")
    api = client.get(f"/api/v1/tickets/{number}/")

    assert "GD20261207001" in page.content.decode()
    assert api.json()["external_id"] == "GD20261207001"


@pytest.mark.parametrize(
    "tamper",
    ["body", "signature", "stale", "other secret", "unsigned"],
)
def test_a_call_not_signed_by_the_platform_is_refused(
    connector, garbage, gulou_community, client, tamper
):
    raw = json.dumps(order_body()).encode()
    headers = signed_headers(raw)
    if tamper == "body":
        raw = raw.replace(b"GD20261207001", b"GD20261207002")
    elif tamper == "signature":
        headers["HTTP_WEBHOOK_SIGNATURE"] = "v1,AAAA" + headers["HTTP_WEBHOOK_SIGNATURE"][7:]
    elif tamper == "stale":
        at = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=10)
        headers = signed_headers(raw, at=at)
    elif tamper == "other secret":
        headers = signed_headers(raw, secret="whsec_" + "QUJD" * 8)
    else:
        headers = {}

    response = client.post(ORDERS, raw, content_type="application/json", **headers)

    assert response.status_code == 401
    assert response.json()["type"] == "client_error"
    assert Ticket.objects.count() == 0


def test_the_endpoints_are_not_there_while_the_connector_is_off(
    settings, garbage, gulou_community, platform_call
):
    settings.HOTLINE_URL = ""
    settings.HOTLINE_SECRET = SECRET

    response = platform_call(ORDERS, order_body())

    assert response.status_code == 404
    assert response.json()["type"] == "client_error"


def test_bad_fields_are_a_json_400_naming_them(connector, garbage, platform_call):
    response = platform_call(ORDERS, order_body(order_id="空 格", content="", lat=200))

    assert response.status_code == 400
    assert {e["attr"] for e in response.json()["errors"]} == {"order_id", "content", "lat"}


def test_an_unmapped_category_lands_with_the_command_centre_to_be_placed(
    connector, garbage, gulou_community, supervisor_gulou, command_supervisor, platform_call
):
    answer = platform_call(ORDERS, order_body(category_code="9999")).json()

    ticket = Ticket.objects.get()
    assert answer["to_be_placed"] is True
    assert ticket.brigade_id is None and ticket.community_id is None
    assert "9999" in ticket.events.get().internal_note
    assert tickets_visible_to(command_supervisor).filter(pk=ticket.pk).exists()
    assert not tickets_visible_to(supervisor_gulou).filter(pk=ticket.pk).exists()
    # The command centre hears of it (a ticket on no brigade has no brigade supervisors).
    assert command_supervisor.notifications.filter(ticket=ticket).exists()


def test_a_point_on_no_grid_is_placed_by_the_command_centre_then_its_brigade_registers_it(
    connector, garbage, gulou_community, supervisor_gulou, command_supervisor, platform_call, client
):
    lat, lng = OFF_GRID
    number = platform_call(ORDERS, order_body(lat=lat, lng=lng)).json()["ticket"]
    client.force_login(command_supervisor)

    page = client.get(f"/cases/{number}/")
    assert "action-place" in page.content.decode()
    response = client.post(
        f"/cases/{number}/place/",
        {
            "place-expected_state": "reported",
            "place-community": gulou_community.pk,
            "place-category": garbage.pk,
        },
    )

    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.state == State.REPORTED
    assert ticket.brigade_id == gulou_community.brigade_id
    assert ticket.grid_cell_id is None
    assert ticket.events.filter(action=Action.PLACE).exists()
    assert tickets_visible_to(supervisor_gulou).filter(pk=ticket.pk).exists()
    assert supervisor_gulou.notifications.filter(ticket=ticket, kind=Action.PLACE).exists()


def test_a_brigade_supervisor_may_not_place_a_ticket(
    connector, garbage, gulou_community, supervisor_gulou, platform_call, client
):
    number = platform_call(ORDERS, order_body()).json()["ticket"]
    client.force_login(supervisor_gulou)

    response = client.post(
        f"/cases/{number}/place/",
        {"place-expected_state": "reported", "place-community": gulou_community.pk},
    )

    assert response.status_code in (302, 403)
    assert not Ticket.objects.get().events.filter(action=Action.PLACE).exists()


def test_attachments_are_checked_like_photos_and_a_bad_one_is_named_not_fatal(
    connector, garbage, gulou_community, media, platform_call
):
    body = order_body(
        attachments=[
            photo_attachment(),
            {"name": "x.jpg", "content": "bm90IGFuIGltYWdl"},
            {"name": "y.jpg", "content": "%%%"},
            {"url": "ftp://example.org/a.jpg"},
        ]
    )

    answer = platform_call(ORDERS, body).json()

    ticket = Ticket.objects.get()
    assert ticket.photos.filter(kind=PhotoKind.REPORT).count() == 1
    assert [item["index"] for item in answer["attachments_refused"]] == [1, 2, 3]
    assert (
        "Attachment 1" in ticket.events.get().internal_note
        or "附件" in ticket.events.get().internal_note
    )


def test_the_platforms_time_limit_caps_the_clock_at_dispatch(
    connector, garbage, gulou_community, supervisor_gulou, officer_gulou, platform_call
):
    from cases import services

    limit = timezone.now() + datetime.timedelta(hours=1)
    platform_call(ORDERS, order_body(deadline=limit.isoformat()))
    ticket = Ticket.objects.get()
    services.register_ticket(actor=supervisor_gulou, ticket_id=ticket.pk)
    services.dispatch_ticket(
        actor=supervisor_gulou, ticket_id=ticket.pk, officer_id=officer_gulou.officer.pk
    )

    ticket.refresh_from_db()
    assert abs((ticket.deadline - limit).total_seconds()) < 1
