"""Nothing a user can type makes a casework page answer 500: garbage in every field of every
action form comes back as a form error (400), a message, or a 404."""

import pytest

from cases.actions import ACTIONS
from cases.models import Route, State

GARBAGE = {
    "expected_state": "<script>",
    "officer": "not-a-number",
    "unit": "99999999999999999999",
    "person": "x" * 500,
    "deadline": "2026-13-45T99:99",
    "note": "\x00" * 10,
    "reason": "",
    "duplicate_of": "XZ" + "9" * 100,
    "category": "-1",
    "priority": "sky-high",
    "extra_hours": "1e309",
    "decision": "maybe",
    "result": "perhaps",
    "lat": "nan",
    "lng": "1e999",
    "community": "[]",
    "template": "999999999999999999999",
}
STATE_FOR = {
    "register": State.REPORTED,
    "reject": State.REPORTED,
    "dispatch": State.REGISTERED,
    "refer": State.REGISTERED,
    "enforce": State.REGISTERED,
    "accept": State.REFERRED,
    "start": State.DISPATCHED,
    "resolve": State.IN_PROGRESS,
    "conclude": State.ENFORCEMENT,
    "verify": State.RESOLVED,
    "extend": State.IN_PROGRESS,
    "decide_extension": State.IN_PROGRESS,
    "return": State.DISPATCHED,
    "reopen": State.CLOSED,
    "field_check_send": State.RESOLVED,
    "field_check": State.RESOLVED,
    "place": State.REPORTED,
}


@pytest.mark.parametrize("action", [spec.name for spec in ACTIONS])
def test_garbage_in_an_action_form_is_never_a_server_error(
    client, make_ticket, supervisor_gulou, officer_gulou, handler_sanitation, action
):
    state = STATE_FOR[action]
    route = Route.REFER if state == State.REFERRED else Route.DISPATCH
    ticket = make_ticket(state, route=route)
    actor = {
        State.REFERRED: handler_sanitation,
        State.DISPATCHED: officer_gulou,
        State.IN_PROGRESS: officer_gulou,
        State.ENFORCEMENT: officer_gulou,
    }.get(state, supervisor_gulou)
    client.force_login(actor)
    data = {f"{action}-{name}": value for name, value in GARBAGE.items()}
    response = client.post(f"/cases/{ticket.number}/{action}/", data)
    assert response.status_code in (302, 400, 403, 404)
    ticket.refresh_from_db()
    assert ticket.state == state  # nothing moved


@pytest.mark.parametrize(
    "path",
    [
        "/cases/%00/",
        "/cases/XZ20261122-0001/%E4%B8%AD/",
        "/cases/photos/99999999999999999999/",
        "/cases/photos/1/huge/",
        "/cases/?page=-1&status=%00&q=%27%22%3C",
        "/cases/?reported_after=0000-00-00&colour=🟥&grid=%25",
        "/cases/?q=%00&grid=%00",
        "/cases/?q=XZ%00",
        "/cases/locate/?lat=1e400&lng=-1e400",
        "/cases/locate/?lat=nan&lng=inf",
        "/cases/communities/0/cells/",
        "/notifications/99999999999/",
    ],
)
def test_garbage_in_a_url_is_never_a_server_error(client, supervisor_gulou, path):
    client.force_login(supervisor_gulou)
    response = client.get(path)
    assert response.status_code in (200, 302, 400, 404)


def test_nul_characters_in_the_intake_form_are_a_form_error(client, supervisor_gulou, category):
    client.force_login(supervisor_gulou)
    response = client.post(
        "/cases/new/",
        {
            "source": "hotline_12345",
            "category": category.pk,
            "priority": "normal",
            "description": "垃圾\x00",
            "reporter_name": "\x00",
            "address": "\x00",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["description"]


def test_nul_characters_in_a_bulk_referral_are_refused_without_a_server_error(
    client, supervisor_gulou, make_ticket
):
    ticket = make_ticket(State.REGISTERED)
    client.force_login(supervisor_gulou)
    response = client.post(
        "/cases/bulk/",
        {"action": "refer", "tickets": [ticket.pk], "unit": "1", "person": "\x00", "next": "\x00"},
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.state == State.REGISTERED


@pytest.mark.parametrize("value", ["²", "١٢", "9" * 40, "-1"])
def test_digits_int_refuses_in_a_bulk_action_are_no_ticket_and_no_server_error(
    client, supervisor_gulou, make_ticket, value
):
    ticket = make_ticket(State.REPORTED)
    client.force_login(supervisor_gulou)
    response = client.post("/cases/bulk/", {"action": "register", "tickets": [value]})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.state == State.REPORTED
