"""The REST API's gates and bounds: filing tickets is the intake's job (supervisors only),
marking notifications read takes sane ids, free text refuses control characters, and a
referral's deadline is at most a year ahead."""

import time

import pytest
import time_machine
from django.utils import timezone

from cases.models import Action, State, Ticket, TicketEvent
from notifications.models import Notification
from tests.cases.conftest import GULOU_POINT

pytestmark = pytest.mark.django_db

TICKETS = "/api/v1/tickets/"


def filing(category, **extra) -> dict:
    return {
        "category": category.pk,
        "description": "路边垃圾桶满溢",
        "lat": GULOU_POINT[0],
        "lng": GULOU_POINT[1],
        **extra,
    }


@pytest.mark.parametrize("who", ["handler_sanitation", "assessor", "officer_gulou"])
def test_only_supervisors_file_tickets_through_the_api(
    request, api_as, category, gulou_community, who
):
    user = request.getfixturevalue(who)
    response = api_as(user).post(TICKETS, filing(category), format="json")
    assert response.status_code == 403
    assert not Ticket.objects.exists()
    assert not TicketEvent.objects.exists()


@pytest.mark.parametrize("who", ["supervisor_gulou", "command_supervisor"])
def test_a_supervisor_files_a_ticket_through_the_api(
    request, api_as, category, gulou_community, who
):
    user = request.getfixturevalue(who)
    response = api_as(user).post(TICKETS, filing(category), format="json")
    assert response.status_code == 201, response.content
    event = Ticket.objects.get().events.get()
    assert (event.action, event.actor) == (Action.CREATE, user)


@pytest.mark.parametrize("who", ["handler_sanitation", "assessor", "officer_gulou"])
def test_the_web_intake_refuses_the_same_people(request, client, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/cases/new/").status_code == 403


def test_the_web_intake_lets_a_supervisor_in(client, supervisor_gulou):
    client.force_login(supervisor_gulou)
    assert client.get("/cases/new/").status_code == 200


@pytest.mark.parametrize("field", ["description", "address", "reporter_name"])
def test_control_characters_in_a_filed_ticket_are_a_400(
    api_as, supervisor_gulou, category, gulou_community, field
):
    body = filing(category, **{field: "彭城路\x1b12号"})
    response = api_as(supervisor_gulou).post(TICKETS, body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Ticket.objects.exists()


def test_line_breaks_in_a_filed_ticket_are_kept(
    api_as, supervisor_gulou, category, gulou_community
):
    body = filing(category, description="第一行\n第二行\t完")
    assert api_as(supervisor_gulou).post(TICKETS, body, format="json").status_code == 201
    assert Ticket.objects.get().description == "第一行\n第二行\t完"


# --- notifications ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"ids": [2**63]},
        {"ids": [99999999999999999999999]},
        {"ids": [0]},
        {"ids": [-1]},
        {"ids": ["x"]},
        {"ids": "1"},
        {"ids": [[1]]},
        [1, 2],
        "x",
    ],
)
def test_marking_read_with_bad_ids_is_a_400(api_as, officer_gulou, body):
    mine = Notification.objects.create(recipient=officer_gulou, kind="dispatch", message="派遣")
    response = api_as(officer_gulou).post("/api/v1/notifications/read/", body, format="json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    mine.refresh_from_db()
    assert mine.read_at is None


def test_marking_read_with_the_largest_id_is_answered(api_as, officer_gulou):
    mine = Notification.objects.create(recipient=officer_gulou, kind="dispatch", message="派遣")
    client = api_as(officer_gulou)
    response = client.post("/api/v1/notifications/read/", {"ids": [2**63 - 1]}, format="json")
    assert response.json() == {"marked": 0}
    response = client.post("/api/v1/notifications/read/", {"ids": [mine.pk]}, format="json")
    assert response.json() == {"marked": 1}


# --- a referral's deadline ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "deadline", ["2028-01-01T17:00:00+08:00", "2200-12-31T17:00:00", "9999-12-31T23:59:59"]
)
def test_a_deadline_more_than_a_year_ahead_is_a_400_at_once(
    api_as, supervisor_gulou, handler_sanitation, make_ticket, deadline
):
    ticket = make_ticket(State.REGISTERED)
    client = api_as(supervisor_gulou)
    started = time.monotonic()
    with time_machine.travel("2026-11-23 10:00 +0800", tick=False):
        response = client.post(
            f"{TICKETS}{ticket.number}/refer/",
            {"unit": handler_sanitation.unit_id, "person": "陈科长", "deadline": deadline},
            format="json",
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert time.monotonic() - started < 5
    assert response.status_code == 400
    assert "at most one year ahead" in response.json()["deadline"][0]
    assert Ticket.objects.get(pk=ticket.pk).state == State.REGISTERED


def test_a_deadline_within_the_year_is_accepted(
    api_as, supervisor_gulou, handler_sanitation, make_ticket
):
    ticket = make_ticket(State.REGISTERED)
    with time_machine.travel("2026-11-23 10:00 +0800", tick=False):
        response = api_as(supervisor_gulou).post(
            f"{TICKETS}{ticket.number}/refer/",
            {
                "unit": handler_sanitation.unit_id,
                "person": "陈科长",
                "deadline": "2027-11-20T17:00:00+08:00",
            },
            format="json",
        )
        assert response.status_code == 200, response.content
    ticket.refresh_from_db()
    assert ticket.state == State.REFERRED
    assert timezone.localtime(ticket.deadline).isoformat() == "2027-11-20T17:00:00+08:00"
    assert ticket.events.filter(action=Action.REFER).count() == 1


def test_a_supervisor_picks_by_hand_only_a_community_they_supervise(
    api_as, supervisor_gulou, category, gulou_community, taishan_community
):
    client = api_as(supervisor_gulou)
    body = {"category": category.pk, "description": "路边垃圾桶满溢"}
    theirs = client.post(TICKETS, {**body, "community": taishan_community.pk}, format="json")
    assert theirs.status_code == 400
    assert "community" in theirs.json()
    assert not Ticket.objects.exists()
    own = client.post(TICKETS, {**body, "community": gulou_community.pk}, format="json")
    assert own.status_code == 201, own.content
    assert Ticket.objects.get().community == gulou_community
