"""The platform's calls on an order: urge (督办) tells the ticket's holders and brigade, callback
(回访) records the caller's word and a dissatisfied one reopens the closed ticket, cancel (撤单)
withdraws it. Each is applied once whatever how often it is sent."""

import pytest

from cases import services
from cases.models import Action, RejectReason, State, Ticket
from hotline.models import CALLBACK_EVENT, URGE_EVENT, Call
from notifications.models import Notification
from outbox.models import Message
from tests.factories import processed_photo
from tests.hotline.conftest import ORDERS, order_body

pytestmark = pytest.mark.django_db
ORDER = "/api/v1/hotline/orders/GD20261207001"


@pytest.fixture
def ticket(connector, garbage, gulou_community, platform_call) -> Ticket:
    platform_call(ORDERS, order_body())
    return Ticket.objects.get()


@pytest.fixture
def dispatched(ticket, supervisor_gulou, officer_gulou) -> Ticket:
    services.register_ticket(actor=supervisor_gulou, ticket_id=ticket.pk)
    services.dispatch_ticket(
        actor=supervisor_gulou, ticket_id=ticket.pk, officer_id=officer_gulou.officer.pk
    )
    return ticket


@pytest.fixture
def closed(dispatched, supervisor_gulou, officer_gulou, media) -> Ticket:
    services.start_ticket(actor=officer_gulou, ticket_id=dispatched.pk)
    services.resolve_ticket(
        actor=officer_gulou, ticket_id=dispatched.pk, note="已清运", photos=[processed_photo()]
    )
    services.verify_ticket(actor=supervisor_gulou, ticket_id=dispatched.pk, passed=True)
    return dispatched


def test_an_urge_tells_the_officer_and_the_brigade_once(
    dispatched, supervisor_gulou, officer_gulou, platform_call
):
    first = platform_call(f"{ORDER}/urge/", {"text": "市民再次来电催办"}, message_id="u1")
    again = platform_call(f"{ORDER}/urge/", {"text": "市民再次来电催办"}, message_id="u1")

    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    event = dispatched.events.get(action=URGE_EVENT)
    assert event.actor is None and event.internal_note == "市民再次来电催办"
    told = set(Notification.objects.filter(kind=URGE_EVENT).values_list("recipient", flat=True))
    assert told == {officer_gulou.pk, supervisor_gulou.pk}


def test_a_satisfied_callback_is_recorded_and_changes_nothing(closed, platform_call):
    response = platform_call(f"{ORDER}/callback/", {"satisfied": True, "text": "满意"})

    assert response.json()["state"] == State.CLOSED
    closed.refresh_from_db()
    assert closed.state == State.CLOSED
    assert closed.events.get(action=CALLBACK_EVENT).data["satisfied"] is True


def test_a_dissatisfied_callback_reopens_the_ticket_through_the_reopen_transition(
    closed, platform_call
):
    response = platform_call(
        f"{ORDER}/callback/", {"satisfied": False, "text": "垃圾又堆起来了"}, message_id="cb1"
    )
    again = platform_call(
        f"{ORDER}/callback/", {"satisfied": False, "text": "垃圾又堆起来了"}, message_id="cb1"
    )

    assert response.status_code == again.status_code == 200
    closed.refresh_from_db()
    assert closed.state == State.REGISTERED
    reopen = closed.events.get(action=Action.REOPEN)
    assert reopen.actor is None and reopen.public_note == "垃圾又堆起来了"
    assert reopen.data["by"] == "hotline"
    assert Call.objects.filter(satisfied=False).count() == 1


def test_a_dissatisfied_callback_on_an_open_ticket_is_a_conflict_and_writes_nothing(
    dispatched, platform_call
):
    response = platform_call(f"{ORDER}/callback/", {"satisfied": False, "text": "不满意"})

    assert response.status_code == 409
    assert response.json()["type"] == "client_error"
    assert not Call.objects.exists()
    assert not dispatched.events.filter(action=CALLBACK_EVENT).exists()


def test_a_cancel_withdraws_the_ticket_and_writes_nothing_back(
    dispatched, platform_call, officer_gulou
):
    before = Message.objects.count()
    response = platform_call(f"{ORDER}/cancel/", {"text": "市民已撤诉"})

    assert response.json()["state"] == State.REJECTED
    dispatched.refresh_from_db()
    assert dispatched.reject_reason == RejectReason.WITHDRAWN
    assert dispatched.deadline is None
    assert dispatched.events.get(action=Action.WITHDRAW).public_note == "市民已撤诉"
    assert Message.objects.count() == before


def test_a_cancel_of_a_finished_ticket_is_a_conflict(closed, platform_call):
    response = platform_call(f"{ORDER}/cancel/", {"text": "撤单"})

    assert response.status_code == 409
    closed.refresh_from_db()
    assert closed.state == State.CLOSED


def test_a_call_on_an_unknown_order_is_a_404(connector, platform_call):
    response = platform_call("/api/v1/hotline/orders/NOPE/urge/", {"text": "?"})

    assert response.status_code == 404


def test_the_months_totals_count_hotline_complaints_and_dissatisfied_callbacks(
    closed, platform_call
):
    import datetime

    from django.db.models import Count
    from django.utils import timezone

    from assessments.engine import _hotline_filters
    from assessments.indicators import Window

    platform_call(f"{ORDER}/callback/", {"satisfied": False, "text": "不满意"})
    filters = _hotline_filters(Window.of(timezone.localdate().replace(day=1)))
    row = Ticket.objects.aggregate(**{k: Count("pk", filter=q) for k, q in filters.items()})
    last_month = _hotline_filters(
        Window.of((timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1))
    )
    before = Ticket.objects.aggregate(**{k: Count("pk", filter=q) for k, q in last_month.items()})

    assert row == {"hotline": 1, "hotline_dissatisfied": 1}
    assert before == {"hotline": 0, "hotline_dissatisfied": 0}
