"""Through the API a user sees exactly the tickets the web pages show them; anything else is a
404, indistinguishable from a ticket that does not exist."""

import pytest

from cases.models import State

pytestmark = pytest.mark.django_db


def numbers(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["number"] for row in response.json()["results"]}


def test_officer_token_lists_own_grids_tickets(api_as, officer_gulou, make_ticket):
    mine = make_ticket(State.REPORTED, place="gulou")
    assert numbers(api_as(officer_gulou).get("/api/v1/tickets/")) == {mine.number}


def test_officer_token_cannot_list_another_brigades_tickets(
    api_as, officer_gulou, officer_quanshan, make_ticket
):
    make_ticket(State.REPORTED, place="gulou")
    theirs = make_ticket(State.REPORTED, place="quanshan")
    listed = numbers(api_as(officer_gulou).get("/api/v1/tickets/?status=all"))
    assert theirs.number not in listed
    assert numbers(api_as(officer_quanshan).get("/api/v1/tickets/")) == {theirs.number}


def test_supervisor_sees_own_brigades_ticket_in_detail(api_as, supervisor_gulou, make_ticket):
    ticket = make_ticket(State.REPORTED, place="gulou")
    response = api_as(supervisor_gulou).get(f"/api/v1/tickets/{ticket.number}/")
    assert response.status_code == 200
    assert response.json()["number"] == ticket.number
    assert "register" in response.json()["actions"]


def test_supervisor_gets_404_for_another_brigades_ticket(api_as, supervisor_gulou, make_ticket):
    ticket = make_ticket(State.REPORTED, place="quanshan")
    client = api_as(supervisor_gulou)
    assert client.get(f"/api/v1/tickets/{ticket.number}/").status_code == 404
    assert client.get(f"/api/v1/tickets/{ticket.number}/events/").status_code == 404
    assert client.get(f"/api/v1/tickets/{ticket.number}/photos/").status_code == 404
    assert client.post(f"/api/v1/tickets/{ticket.number}/register/", {}).status_code == 404


def test_handler_sees_only_tickets_referred_to_their_unit(
    api_as, handler_sanitation, handler_municipal, make_ticket
):
    referred = make_ticket(State.REFERRED)
    make_ticket(State.REPORTED)
    assert numbers(api_as(handler_sanitation).get("/api/v1/tickets/")) == {referred.number}
    assert numbers(api_as(handler_municipal).get("/api/v1/tickets/")) == set()


def test_anonymous_client_is_refused(api_as, make_ticket):
    ticket = make_ticket(State.REPORTED)
    client = api_as(None)
    assert client.get("/api/v1/tickets/").status_code in (401, 403)
    assert client.get(f"/api/v1/tickets/{ticket.number}/").status_code in (401, 403)


def test_a_deleted_token_no_longer_works(api_as, supervisor_gulou):
    client = api_as(supervisor_gulou)
    assert client.get("/api/v1/me/").status_code == 200
    supervisor_gulou.auth_token.delete()
    assert client.get("/api/v1/me/").status_code == 401


def test_supervisor_sees_the_reporters_phone(api_as, supervisor_gulou, make_ticket):
    ticket = make_ticket(State.REPORTED)
    row = api_as(supervisor_gulou).get(f"/api/v1/tickets/{ticket.number}/").json()
    assert (row["reporter_name"], row["reporter_phone"]) == ("刘女士", "13812345678")


def test_officer_sees_only_a_masked_name_and_phone(api_as, officer_gulou, make_ticket):
    ticket = make_ticket(State.REPORTED)
    client = api_as(officer_gulou)
    row = client.get(f"/api/v1/tickets/{ticket.number}/").json()
    assert (row["reporter_name"], row["reporter_phone"]) == ("刘**", "138****5678")
    listed = client.get("/api/v1/tickets/").json()["results"][0]
    assert "13812345678" not in str(listed) and "刘女士" not in str(listed)
