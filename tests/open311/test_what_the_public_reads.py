"""What Open311 tells anyone who asks: only the tickets the public filed (the complaint form
and Open311 clients), and in ``status_notes`` only the notes a follower's tracking page shows."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from cases import services
from cases.models import Action, Source, State, Ticket
from cases.public import SHARED_ACTIONS
from residents.services import decide_reopen_request, rate_ticket
from shops.models import EnforcementEvent
from tests.cases.conftest import GULOU_POINT

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"


def listed(client) -> set[str]:
    return {row["service_request_id"] for row in client.get(f"{BASE}/requests.json").json()}


def test_a_shop_step_note_is_not_published_as_status_notes(client, make_ticket, officer_gulou):
    from shops import services as shop_services

    ticket = make_ticket(State.ENFORCEMENT)
    shop_services.record_offence(
        actor=officer_gulou,
        ticket_id=ticket.pk,
        step="persuade",
        vendor_description="烧烤摊，男，三十岁左右",
        note="当事人张三（电话13900001111）已劝离",
    )
    assert ticket.events.filter(action=EnforcementEvent.PERSUADE).exclude(public_note="").exists()
    (row,) = client.get(f"{BASE}/requests/{ticket.number}.json").json()
    assert "13900001111" not in row["status_notes"]
    assert "张三" not in client.get(f"{BASE}/requests.json").content.decode()


def test_a_public_step_note_is_still_published_as_status_notes(
    client, make_ticket, supervisor_gulou
):
    ticket = make_ticket(State.RESOLVED)
    services.verify_ticket(
        actor=supervisor_gulou, ticket_id=ticket.pk, passed=False, note="东侧仍有垃圾"
    )
    (row,) = client.get(f"{BASE}/requests/{ticket.number}.json").json()
    assert row["status_notes"] == "东侧仍有垃圾"


def test_a_reopen_decline_answer_is_not_published(client, make_ticket, supervisor_gulou):
    ticket = make_ticket(State.CLOSED)
    rate_ticket(code=ticket.tracking_code, satisfaction=1, comment="没扫干净")
    request = ticket.reopen_requests.get()
    decide_reopen_request(
        actor=supervisor_gulou, request_id=request.pk, reopen=False, note="已与刘女士电话沟通"
    )
    (row,) = client.get(f"{BASE}/requests/{ticket.number}.json").json()
    assert "刘女士" not in row["status_notes"]


def test_the_open311_allow_list_is_the_followers_one():
    assert EnforcementEvent.PERSUADE not in SHARED_ACTIONS
    assert Action.REOPEN_DECLINE not in SHARED_ACTIONS
    assert Action.VERIFY_FAIL in SHARED_ACTIONS


def hotline_ticket(category) -> Ticket:
    return services.create_ticket(
        actor=None,
        source=Source.HOTLINE,
        category=category,
        description="来电人王五，电话13911112222，反映楼下垃圾",
        lat=GULOU_POINT[0],
        lng=GULOU_POINT[1],
    )


@pytest.mark.parametrize("source", [Source.HOTLINE, Source.PATROL, Source.DIGITAL_CITY])
def test_tickets_the_bureau_filed_are_not_served(client, make_ticket, category, source):
    public = make_ticket(State.REGISTERED)  # a resident's: served
    internal = hotline_ticket(category)
    Ticket.objects.filter(pk=internal.pk).update(source=source)
    assert listed(client) == {public.number}
    assert "13911112222" not in client.get(f"{BASE}/requests.xml").content.decode()
    ids = f"{public.number},{internal.number}"
    by_ids = client.get(f"{BASE}/requests.json", {"service_request_id": ids}).json()
    assert [row["service_request_id"] for row in by_ids] == [public.number]
    assert client.get(f"{BASE}/requests/{internal.number}.json").status_code == 404
    assert client.get(f"{BASE}/requests/{public.number}.json").status_code == 200
    assert client.get(f"{BASE}/tokens/{internal.tracking_code}.json").status_code == 404
    assert client.get(f"{BASE}/tokens/{public.tracking_code}.json").status_code == 200


def test_tickets_filed_by_open311_clients_are_served(client, api_key, gulou_community):
    created = client.post(
        f"{BASE}/requests.json",
        {
            "api_key": api_key,
            "service_code": "E0102",
            "lat": GULOU_POINT[0],
            "long": GULOU_POINT[1],
            "description": "垃圾",
        },
    )
    number = created.json()[0]["service_request_id"]
    assert listed(client) == {number}


def test_discovery_says_which_requests_are_served(client):
    body = client.get(f"{BASE}/discovery.json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert "filed by the public" in body["service_notice"]
    root = ET.fromstring(client.get(f"{BASE}/discovery.xml").content)
    assert root.find("service_notice").text


def test_the_list_still_runs_a_constant_number_of_queries(
    client, make_ticket, django_assert_max_num_queries
):
    for _ in range(3):
        make_ticket(State.REGISTERED)
    with django_assert_max_num_queries(3):
        assert len(client.get(f"{BASE}/requests.json").json()) == 3
    start = (timezone.now() - datetime.timedelta(days=1)).isoformat(timespec="seconds")
    assert client.get(f"{BASE}/requests.json", {"start_date": start}).status_code == 200
