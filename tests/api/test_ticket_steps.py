"""Workflow steps through the API: the same actions, forms and services as the ticket page, so
the same people may take them, with the same errors and the same audit rows; a referral's
deadline is at most a year ahead, refused at once."""

import time
from collections.abc import Callable

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from cases.models import Action, State, Ticket, TicketEvent
from tests.api.conftest import errors
from tests.factories import jpeg_bytes

pytestmark = pytest.mark.django_db

TICKETS = "/api/v1/tickets/"


def step(client, ticket: Ticket, action: str, data: dict | None = None, **kwargs):
    return client.post(
        f"/api/v1/tickets/{ticket.number}/{action}/", data or {}, format="json", **kwargs
    )


def test_supervisor_dispatches_a_ticket_and_the_event_is_recorded(
    api_as, supervisor_gulou, officer_gulou, make_ticket
):
    ticket = make_ticket(State.REGISTERED)
    response = step(
        api_as(supervisor_gulou),
        ticket,
        "dispatch",
        {"officer": officer_gulou.officer.pk, "note": "请今天处理", "expected_state": "registered"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == State.DISPATCHED
    assert body["ticket"]["assignee"]["badge_number"] == "GL1-001"
    event = TicketEvent.objects.filter(ticket=ticket).latest("id")
    assert (event.action, event.from_state, event.to_state, event.actor) == (
        Action.DISPATCH,
        State.REGISTERED,
        State.DISPATCHED,
        supervisor_gulou,
    )
    assert body["event"]["id"] == event.pk and event.public_note == "请今天处理"


def test_officer_cannot_dispatch_a_ticket_in_their_own_grid(api_as, officer_gulou, make_ticket):
    ticket = make_ticket(State.REGISTERED)
    response = step(
        api_as(officer_gulou), ticket, "dispatch", {"officer": officer_gulou.officer.pk}
    )
    assert response.status_code == 403
    assert Ticket.objects.get(pk=ticket.pk).state == State.REGISTERED
    assert not TicketEvent.objects.filter(ticket=ticket, action=Action.DISPATCH).exists()


def test_a_step_on_a_ticket_that_moved_on_is_a_conflict(api_as, supervisor_gulou, make_ticket):
    ticket = make_ticket(State.REGISTERED)
    response = step(api_as(supervisor_gulou), ticket, "register", {"expected_state": "reported"})
    assert response.status_code == 409
    assert ticket.number in errors(response)["detail"][0]


def test_repeating_a_step_already_taken_is_a_conflict_a_client_can_read(
    api_as, supervisor_gulou, make_ticket
):
    ticket = make_ticket(State.REPORTED)
    client = api_as(supervisor_gulou)
    assert step(client, ticket, "register", {"priority": "normal"}).status_code == 200
    again = step(client, ticket, "register", {"priority": "normal"})
    assert again.status_code == 409, again.content
    assert again.json()["errors"][0]["code"] == "conflict"
    message = errors(again)["detail"][0]
    assert ticket.number in message
    assert "页面已刷新" not in message and "refreshed" not in message  # the web page's words
    assert TicketEvent.objects.filter(ticket=ticket, action=Action.REGISTER).count() == 1


def test_a_step_the_user_never_takes_stays_a_403_whatever_the_state(
    api_as, officer_gulou, make_ticket
):
    ticket = make_ticket(State.DISPATCHED)
    response = step(api_as(officer_gulou), ticket, "register", {"priority": "normal"})
    assert response.status_code == 403


def test_a_lone_surrogate_in_a_step_note_is_a_400_on_the_note(
    api_as, supervisor_gulou, make_ticket
):
    ticket = make_ticket(State.REPORTED)
    response = api_as(supervisor_gulou).post(
        f"/api/v1/tickets/{ticket.number}/register/",
        '{"priority": "normal", "note": "a\\ud800b"}',
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert list(errors(response)) == ["note"]
    assert Ticket.objects.get(pk=ticket.pk).state == State.REPORTED


def test_a_stale_expected_state_is_a_conflict_even_when_the_step_is_allowed(
    api_as, supervisor_gulou, officer_gulou, make_ticket
):
    ticket = make_ticket(State.REGISTERED)
    data = {"officer": officer_gulou.officer.pk, "expected_state": "reported"}
    response = step(api_as(supervisor_gulou), ticket, "dispatch", data)
    assert response.status_code == 409
    assert Ticket.objects.get(pk=ticket.pk).state == State.REGISTERED


def test_missing_and_garbage_fields_are_field_errors(api_as, supervisor_gulou, make_ticket):
    ticket = make_ticket(State.REGISTERED)
    client = api_as(supervisor_gulou)
    response = step(client, ticket, "dispatch", {"officer": "not-a-number"})
    assert response.status_code == 400
    assert list(errors(response)) == ["officer"]
    response = step(client, ticket, "refer", {"unit": 99999999, "person": ""})
    assert response.status_code == 400
    assert {"unit", "person"} <= set(errors(response))
    response = client.post(
        f"/api/v1/tickets/{ticket.number}/dispatch/", "[1, 2]", content_type="application/json"
    )
    assert response.status_code == 400
    response = client.post(
        f"/api/v1/tickets/{ticket.number}/dispatch/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400


def test_an_officer_resolves_with_a_photo_uploaded_as_multipart(api_as, officer_gulou, make_ticket):
    ticket = make_ticket(State.IN_PROGRESS)
    photo = SimpleUploadedFile("after.jpg", jpeg_bytes(), content_type="image/jpeg")
    response = api_as(officer_gulou).post(
        f"/api/v1/tickets/{ticket.number}/resolve/",
        {"note": "已清运", "photos": [photo]},
        format="multipart",
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == State.RESOLVED
    assert ticket.photos.filter(kind="after").count() == 1
    photos = api_as(officer_gulou).get(f"/api/v1/tickets/{ticket.number}/photos/").json()
    image = api_as(officer_gulou).get(f"/api/v1/photos/{photos[-1]['id']}/")
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"


def test_a_file_that_is_not_an_image_is_refused_with_a_field_error(
    api_as, officer_gulou, make_ticket
):
    ticket = make_ticket(State.IN_PROGRESS)
    fake = SimpleUploadedFile("after.jpg", b"<?php echo 1; ?>", content_type="image/jpeg")
    response = api_as(officer_gulou).post(
        f"/api/v1/tickets/{ticket.number}/resolve/",
        {"note": "已清运", "photos": [fake]},
        format="multipart",
    )
    assert response.status_code == 400
    assert "photos" in errors(response)
    assert Ticket.objects.get(pk=ticket.pk).state == State.IN_PROGRESS


def test_a_photo_of_another_brigades_ticket_is_a_404(
    api_as, officer_gulou, officer_quanshan, make_ticket
):
    ticket = make_ticket(State.RESOLVED, place="quanshan")
    photo = ticket.photos.first()
    assert api_as(officer_quanshan).get(f"/api/v1/photos/{photo.pk}/").status_code == 200
    assert api_as(officer_gulou).get(f"/api/v1/photos/{photo.pk}/").status_code == 404


def test_a_unit_returning_a_ticket_gets_the_event_but_no_longer_the_ticket(
    api_as, handler_sanitation, make_ticket
):
    ticket = make_ticket(State.REFERRED)
    response = step(api_as(handler_sanitation), ticket, "return", {"reason": "不属于环卫"})
    assert response.status_code == 200
    body = response.json()
    assert (body["state"], body["ticket"]) == (State.REGISTERED, None)
    assert body["event"]["action"] == Action.RETURN


# --- the web and the API write the same audit rows --------------------------------------------


def web_step(client: Client, ticket: Ticket, action: str, data: dict):
    fields = {f"{action}-{name}": value for name, value in data.items()}
    fields[f"{action}-expected_state"] = Ticket.objects.get(pk=ticket.pk).state
    return client.post(f"/cases/{ticket.number}/{action}/", fields)


def audit(ticket: Ticket) -> list[tuple]:
    return [
        (e.action, e.from_state, e.to_state, e.actor_id, e.public_note, e.internal_note, e.data)
        for e in TicketEvent.objects.filter(ticket=ticket).order_by("id")
    ]


def test_the_api_and_the_web_write_identical_audit_events(
    api_as, supervisor_gulou, officer_gulou, make_ticket
):
    by_web, by_api = make_ticket(State.REPORTED), make_ticket(State.REPORTED)
    web_supervisor, web_officer = Client(), Client()
    web_supervisor.force_login(supervisor_gulou)
    web_officer.force_login(officer_gulou)
    api_supervisor, api_officer = api_as(supervisor_gulou), api_as(officer_gulou)
    officer_id = officer_gulou.officer.pk
    steps: list[tuple[Callable, Callable, str, dict]] = [
        (web_supervisor, api_supervisor, "register", {"priority": "urgent", "note": "立案"}),
        (web_supervisor, api_supervisor, "dispatch", {"officer": officer_id, "note": "尽快"}),
        (web_officer, api_officer, "start", {"note": "已到场"}),
        (web_officer, api_officer, "extend", {"extra_hours": 2, "reason": "需要车辆"}),
        (web_supervisor, api_supervisor, "decide_extension", {"decision": "approve", "note": ""}),
        (web_supervisor, api_supervisor, "verify", {}),  # not resolved yet: refused by both
    ]
    for web, api, action, data in steps:
        web_response = web_step(web, by_web, action, data)
        api_response = step(api, by_api, action, data)
        assert (web_response.status_code < 400) == (api_response.status_code < 400), action
    photo = {"photos": SimpleUploadedFile("a.jpg", jpeg_bytes(), content_type="image/jpeg")}
    web_officer.post(
        f"/cases/{by_web.number}/resolve/",
        {
            "resolve-note": "已清运",
            "resolve-expected_state": "in_progress",
            "resolve-photos": photo["photos"],
        },
    )
    photo = SimpleUploadedFile("a.jpg", jpeg_bytes(), content_type="image/jpeg")
    api_officer.post(
        f"/api/v1/tickets/{by_api.number}/resolve/",
        {"note": "已清运", "photos": [photo]},
        format="multipart",
    )
    web_step(web_supervisor, by_web, "verify", {"result": "pass", "note": "核查通过"})
    step(api_supervisor, by_api, "verify", {"result": "pass", "note": "核查通过"})

    web_audit, api_audit = audit(by_web), audit(by_api)
    assert [row[0] for row in web_audit] == [
        Action.CREATE,
        Action.REGISTER,
        Action.DISPATCH,
        Action.START,
        Action.EXTEND_REQUEST,
        Action.EXTEND_APPROVE,
        Action.RESOLVE,
        Action.VERIFY_PASS,
    ]
    assert api_audit == web_audit
    assert Ticket.objects.get(pk=by_api.pk).state == State.CLOSED


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
    assert "at most one year ahead" in errors(response)["deadline"][0]
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
