"""Filing tickets through the API is the intake's job: supervisors only (the web intake refuses
the same people), a community picked by hand only among those they supervise, control characters
in free text a 400, line breaks kept."""

import json

import pytest

from cases.models import Action, Source, Ticket, TicketEvent
from tests.api.conftest import errors
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


def test_a_supervisor_picks_by_hand_only_a_community_they_supervise(
    api_as, supervisor_gulou, category, gulou_community, taishan_community
):
    client = api_as(supervisor_gulou)
    body = {"category": category.pk, "description": "路边垃圾桶满溢"}
    theirs = client.post(TICKETS, {**body, "community": taishan_community.pk}, format="json")
    assert theirs.status_code == 400
    assert "community" in errors(theirs)
    assert not Ticket.objects.exists()
    own = client.post(TICKETS, {**body, "community": gulou_community.pk}, format="json")
    assert own.status_code == 201, own.content
    assert Ticket.objects.get().community == gulou_community


@pytest.mark.parametrize("field", ["description", "address", "reporter_name"])
def test_control_characters_in_a_filed_ticket_are_a_400(
    api_as, supervisor_gulou, category, gulou_community, field
):
    body = filing(category, **{field: "彭城路\x1b12号"})
    response = api_as(supervisor_gulou).post(TICKETS, body, format="json")
    assert response.status_code == 400
    assert field in errors(response)
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("field", ["description", "address", "reporter_name"])
def test_a_lone_surrogate_in_a_filed_ticket_is_a_400_on_the_field(
    api_as, supervisor_gulou, category, gulou_community, field
):
    body = json.dumps(filing(category, **{field: "彭城路\ud80012号"}))  # valid JSON, not text
    response = api_as(supervisor_gulou).post(TICKETS, body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert list(errors(response)) == [field]
    assert not Ticket.objects.exists()


def test_line_breaks_in_a_filed_ticket_are_kept(
    api_as, supervisor_gulou, category, gulou_community
):
    body = filing(category, description="第一行\n第二行\t完")
    assert api_as(supervisor_gulou).post(TICKETS, body, format="json").status_code == 201
    assert Ticket.objects.get().description == "第一行\n第二行\t完"


def test_a_ticket_filed_through_the_api_carries_the_intake_source_not_api(
    api_as, supervisor_gulou, category, gulou_community
):
    client = api_as(supervisor_gulou)
    assert client.post(TICKETS, filing(category), format="json").status_code == 201
    given = filing(category, source=Source.DIGITAL_CITY)
    assert client.post(TICKETS, given, format="json").status_code == 201
    sources = set(Ticket.objects.values_list("source", flat=True))
    assert sources == {Source.HOTLINE, Source.DIGITAL_CITY}


@pytest.mark.parametrize("source", [Source.API, Source.RESIDENT, Source.PATROL, "nonsense"])
def test_staff_filing_through_the_api_cannot_claim_a_public_or_other_source(
    api_as, supervisor_gulou, category, gulou_community, source
):
    body = filing(category, source=source)
    response = api_as(supervisor_gulou).post(TICKETS, body, format="json")
    assert response.status_code == 400
    assert "source" in errors(response)
    assert not Ticket.objects.exists()


def test_a_phone_number_in_a_staff_filed_description_is_not_readable_through_open311(
    api_as, client, supervisor_gulou, category, gulou_community
):
    body = filing(category, description="来电人王女士 13912345678 反映垃圾堆积")
    response = api_as(supervisor_gulou).post(TICKETS, body, format="json")
    assert response.status_code == 201
    number = Ticket.objects.get().number
    assert client.get(f"/open311/v2/requests/{number}.json").status_code == 404
    listed = client.get("/open311/v2/requests.json")
    assert "13912345678" not in listed.content.decode()
