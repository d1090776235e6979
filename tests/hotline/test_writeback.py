"""What goes back to the platform: one outbox message per event it hears of, written in the
transition's transaction, keyed by the order; nothing while the connector is off."""

import pytest
from django.db import transaction

from cases import services
from cases.models import State, Ticket
from hotline.services import receive_order
from outbox.models import Message
from tests.hotline.conftest import order_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(connector, garbage, gulou_community) -> Ticket:
    return receive_order(**order_body())[0].ticket


def test_registering_writes_the_accepted_message_keyed_by_the_order(ticket, supervisor_gulou):
    services.register_ticket(actor=supervisor_gulou, ticket_id=ticket.pk)

    message = Message.objects.get()
    assert (message.channel, message.kind) == ("hotline", "order.accepted")
    assert message.key == "hotline:GD20261207001"
    assert message.target.endswith("/writeback")
    assert message.payload["data"]["ticket"] == ticket.number


def test_a_transition_rolled_back_leaves_no_message(ticket, supervisor_gulou):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.register_ticket(actor=supervisor_gulou, ticket_id=ticket.pk)
        raise RuntimeError

    assert not Message.objects.exists()


def test_an_approved_extension_writes_the_new_deadline(ticket, supervisor_gulou, officer_gulou):
    services.register_ticket(actor=supervisor_gulou, ticket_id=ticket.pk)
    services.dispatch_ticket(
        actor=supervisor_gulou, ticket_id=ticket.pk, officer_id=officer_gulou.officer.pk
    )
    services.request_extension(
        actor=officer_gulou, ticket_id=ticket.pk, extra_hours=4, reason="需协调环卫车辆"
    )
    services.decide_extension(actor=supervisor_gulou, ticket_id=ticket.pk, approve=True)

    message = Message.objects.get(kind="order.extended")
    ticket.refresh_from_db()
    assert message.payload["data"]["extra_hours"] == 4
    assert message.payload["data"]["text"] == "需协调环卫车辆"
    assert message.payload["data"]["deadline"].startswith(ticket.deadline.date().isoformat()[:4])


def test_a_denied_extension_and_the_other_steps_write_nothing(
    ticket, supervisor_gulou, officer_gulou
):
    services.register_ticket(actor=supervisor_gulou, ticket_id=ticket.pk)
    services.dispatch_ticket(
        actor=supervisor_gulou, ticket_id=ticket.pk, officer_id=officer_gulou.officer.pk
    )
    services.start_ticket(actor=officer_gulou, ticket_id=ticket.pk)

    assert list(Message.objects.values_list("kind", flat=True)) == ["order.accepted"]


def test_nothing_is_written_back_while_the_connector_is_off(
    settings, garbage, gulou_community, supervisor_gulou
):
    ticket = receive_order(**order_body())[0].ticket
    settings.HOTLINE_URL = ""

    services.register_ticket(actor=supervisor_gulou, ticket_id=ticket.pk)

    assert not Message.objects.exists()


def test_other_sources_are_never_written_back(connector, supervisor_gulou, gulou_community):
    from cases.models import Category, Source
    from tests.hotline.conftest import GULOU_POINT

    lat, lng = GULOU_POINT
    ticket = services.create_ticket(
        actor=supervisor_gulou,
        source=Source.HOTLINE,
        category=Category.objects.get(kind="event", code="0102"),
        description="电话录入",
        lat=lat,
        lng=lng,
    )
    registered = services.register_ticket(actor=supervisor_gulou, ticket_id=ticket.pk)

    assert registered.state == State.REGISTERED
    assert not Message.objects.exists()  # a call typed in on the intake page has no order
