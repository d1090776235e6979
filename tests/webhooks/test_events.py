"""Which events reach which endpoint, with what: an outbox message per subscribed endpoint,
written with the ticket's change; public facts only, unless an admin trusted the endpoint."""

import datetime

import pytest

from cases import services
from cases.models import State, Ticket
from notifications import reminders
from outbox.models import Message
from tests.cases.conftest import GULOU_POINT
from webhooks.models import Endpoint, EventType

pytestmark = pytest.mark.django_db

ALL = [choice.value for choice in EventType]


def hook(**fields) -> Endpoint:
    fields.setdefault("name", "dashboard")
    fields.setdefault("url", "https://bi.example.cn/hook")
    fields.setdefault("events", ALL)
    return Endpoint.objects.create(**fields)


def sent(endpoint: Endpoint) -> list[str]:
    return list(
        Message.objects.filter(channel="webhook", target=str(endpoint.pk))
        .order_by("pk")
        .values_list("kind", flat=True)
    )


def test_a_ticket_walked_to_closure_tells_each_step(make_ticket):
    endpoint = hook()

    make_ticket(State.CLOSED)

    assert sent(endpoint) == [
        "ticket.created",
        *["ticket.state_changed"] * 5,  # registered, dispatched, in progress, resolved, closed
        "ticket.closed",
    ]


def test_an_endpoint_gets_only_the_events_it_asked_for(make_ticket):
    closed_only = hook(events=[EventType.TICKET_CLOSED])
    hook(events=[EventType.TICKET_CREATED], active=False)

    make_ticket(State.CLOSED)

    assert sent(closed_only) == ["ticket.closed"]
    assert Message.objects.filter(channel="webhook").count() == 1


def test_a_district_endpoint_hears_nothing_of_another_district(make_ticket, gulou_community):
    gulou = hook(district=gulou_community.street.district)
    elsewhere = hook(district_id=None, events=[EventType.TICKET_CREATED])

    make_ticket(State.REPORTED, place="quanshan")

    assert sent(gulou) == []
    assert sent(elsewhere) == ["ticket.created"]


def test_the_reporters_contact_and_words_go_only_to_a_trusted_endpoint(make_ticket):
    public = hook(events=[EventType.TICKET_CREATED])
    trusted = hook(events=[EventType.TICKET_CREATED], trusted=True)

    ticket = make_ticket(State.REPORTED)

    public_body = Message.objects.get(target=str(public.pk)).payload
    trusted_body = Message.objects.get(target=str(trusted.pk)).payload
    text = str(public_body)
    for private in ("13812345678", "刘女士", ticket.description):
        assert private not in text
    assert public_body["data"]["ticket"]["lat"] == round(ticket.lat, 3)
    assert trusted_body["data"]["ticket"]["reporter_phone"] == "13812345678"
    assert trusted_body["data"]["ticket"]["lat"] == ticket.lat


def test_an_internal_note_is_never_sent_even_to_a_trusted_endpoint(
    category, supervisor_gulou, gulou_community
):
    endpoint = hook(events=[EventType.TICKET_CREATED], trusted=True)

    services.create_ticket(
        actor=supervisor_gulou,
        source="hotline_12345",
        category=category,
        description="路口占道经营",
        lat=GULOU_POINT[0],
        lng=GULOU_POINT[1],
        internal_note="举报人与商户有纠纷-INTERNAL",
    )

    assert "INTERNAL" not in str(Message.objects.get(target=str(endpoint.pk)).payload)


def test_the_payload_has_the_standard_webhooks_shape(make_ticket):
    endpoint = hook(events=[EventType.TICKET_CREATED])

    ticket = make_ticket(State.REPORTED)

    body = Message.objects.get(target=str(endpoint.pk)).payload
    assert body["type"] == "ticket.created"
    assert datetime.datetime.fromisoformat(body["timestamp"])
    assert body["data"]["ticket"]["number"] == ticket.number
    assert body["data"]["event"]["action"] == "create"


def test_overdue_is_told_once_per_deadline(make_ticket):
    endpoint = hook(events=[EventType.TICKET_OVERDUE])
    ticket = make_ticket(State.DISPATCHED)
    after = ticket.deadline + datetime.timedelta(minutes=1)

    reminders.scan(after)
    reminders.scan(after)

    assert sent(endpoint) == ["ticket.overdue"]
    assert Ticket.objects.get(pk=ticket.pk).overdue


def test_a_rating_is_told(make_ticket):
    from residents import services as resident_services

    endpoint = hook(events=[EventType.TICKET_RATED])
    ticket = make_ticket(State.CLOSED)

    resident_services.rate_ticket(code=ticket.tracking_code, satisfaction=5, comment="很快")

    assert sent(endpoint) == ["ticket.rated"]


def test_publishing_the_assessment_is_told_with_the_ranking(assessor):
    from assessments import services as assessment_services

    endpoint = hook(events=[EventType.ASSESSMENT_PUBLISHED])
    november = datetime.date(2026, 11, 1)
    run = assessment_services.execute_run(
        assessment_services.start_run(month=november, actor=assessor, queue=False).pk
    )

    assessment_services.publish_run(run=run, actor=assessor)

    message = Message.objects.get(target=str(endpoint.pk))
    assert message.payload["data"]["month"] == "2026-11"
    assert message.payload["data"]["brigades"] == []
