"""The ticket list: the queue's filters, cursor pages, bad filters as 400s, and a constant
number of queries whatever the page size."""

import base64

import pytest

from cases.models import Source, State, Ticket
from tests.api.conftest import errors

pytestmark = pytest.mark.django_db


def test_the_list_filters_like_the_queue(api_as, command_supervisor, make_ticket):
    reported = make_ticket(State.REPORTED)
    closed = make_ticket(State.CLOSED)
    client = api_as(command_supervisor)
    open_rows = client.get("/api/v1/tickets/").json()["results"]
    assert [r["number"] for r in open_rows] == [reported.number]
    closed_rows = client.get("/api/v1/tickets/?status=closed").json()["results"]
    assert [r["number"] for r in closed_rows] == [closed.number]
    assert len(client.get("/api/v1/tickets/?status=all").json()["results"]) == 2
    searched = client.get("/api/v1/tickets/", {"status": "all", "q": reported.number})
    assert [r["number"] for r in searched.json()["results"]] == [reported.number]


@pytest.mark.parametrize(
    "query",
    [
        "status=nonsense",
        "category=abc",
        "community=99999999",
        "overdue=maybe",
        "reported_after=2026-13-45",
        "colour=purple",
        "cursor=garbage",
        "page_size=abc",
        "page_size=0",
    ],
)
def test_garbage_filters_are_400s_naming_the_field(api_as, command_supervisor, make_ticket, query):
    make_ticket(State.REPORTED)
    response = api_as(command_supervisor).get(f"/api/v1/tickets/?{query}")
    assert response.status_code == 400, response.content
    assert list(errors(response)) == [query.split("=")[0]]


def test_the_default_status_open_is_said_in_the_schema(api_as, command_supervisor):
    schema = api_as(command_supervisor).get("/api/schema/?format=json").json()
    parameters = schema["paths"]["/api/v1/tickets/"]["get"]["parameters"]
    status = next(p for p in parameters if p["name"] == "status")
    assert status["schema"]["default"] == "open"
    assert "status=all" in status["description"]


ALTERED_CURSORS = [
    "cD1hYmM=",  # base64 of p=abc: a position no id can hold
    base64.b64encode(b"p=99999999999999999999999").decode(),
    base64.b64encode(b"p=1%002").decode(),
    "not base64!",
]


@pytest.mark.parametrize("cursor", ALTERED_CURSORS)
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/tickets/",
        "/api/v1/notifications/",
        "/api/v1/patrols/",
        "/api/v1/logs/",
        "/api/v1/officers/",
    ],
)
def test_an_altered_cursor_is_a_400_on_the_cursor(
    api_as, command_supervisor, make_ticket, path, cursor
):
    make_ticket(State.REPORTED)
    response = api_as(command_supervisor).get(path, {"cursor": cursor})
    assert response.status_code == 400, response.content
    assert list(errors(response)) == ["cursor"]


def test_a_filter_value_outside_the_choices_names_the_field(api_as, command_supervisor):
    response = api_as(command_supervisor).get("/api/v1/tickets/?status=nonsense")
    assert response.status_code == 400
    assert list(errors(response)) == ["status"]


def test_cursor_pages_walk_every_ticket_once(api_as, command_supervisor, make_ticket):
    made = {make_ticket(State.REPORTED).number for _ in range(5)}
    client = api_as(command_supervisor)
    seen, url = [], "/api/v1/tickets/?page_size=2"
    while url:
        body = client.get(url).json()
        seen += [row["number"] for row in body["results"]]
        url = body["next"]
    assert sorted(seen) == sorted(made) and len(seen) == 5


@pytest.mark.parametrize("size", [2, 12])
def test_the_list_runs_a_constant_number_of_queries(
    api_as, supervisor_gulou, make_ticket, django_assert_max_num_queries, size
):
    for _ in range(size):
        make_ticket(State.DISPATCHED)
    client = api_as(supervisor_gulou)
    with django_assert_max_num_queries(10):
        response = client.get("/api/v1/tickets/?status=all&page_size=50")
    assert len(response.json()["results"]) == size


def test_a_ticket_filed_through_the_api_is_reported_with_the_intakes_source(
    api_as, supervisor_gulou, category, gulou_community
):
    from tests.cases.conftest import GULOU_POINT

    response = api_as(supervisor_gulou).post(
        "/api/v1/tickets/",
        {
            "category": category.pk,
            "description": "路边垃圾桶满溢",
            "lat": GULOU_POINT[0],
            "lng": GULOU_POINT[1],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    ticket = Ticket.objects.get(number=body["number"])
    assert body["tracking_code"] == ticket.tracking_code
    assert body["tracking_url"].endswith(f"/track/{ticket.tracking_code}/")
    detail = api_as(supervisor_gulou).get(f"/api/v1/tickets/{ticket.number}/").json()
    assert "tracking_code" not in detail
    assert (ticket.state, ticket.source, ticket.reporter) == (
        State.REPORTED,
        Source.HOTLINE,  # staff intake, never the public source "api"
        supervisor_gulou,
    )
    event = ticket.events.get()
    assert (event.action, event.actor, event.data) == (
        "create",
        supervisor_gulou,
        {"source": Source.HOTLINE},
    )


def test_filing_without_a_place_or_with_garbage_is_a_400_with_field_errors(
    api_as, supervisor_gulou, category
):
    client = api_as(supervisor_gulou)
    response = client.post("/api/v1/tickets/", {"category": category.pk}, format="json")
    assert response.status_code == 400
    assert {"description", "community"} <= set(errors(response))
    response = client.post(
        "/api/v1/tickets/",
        '{"category": "x", "description": "d", "lat": "nan", "lng": 1e309, "reporter_phone": 1}',
        content_type="application/json",
    )
    assert response.status_code == 400
    assert {"category", "lat", "reporter_phone"} <= set(errors(response))
    assert not Ticket.objects.exists()


def test_filing_is_refused_without_credentials(api_as, category):
    response = api_as(None).post("/api/v1/tickets/", {"category": category.pk}, format="json")
    assert response.status_code == 401


@pytest.mark.parametrize("cursor", ALTERED_CURSORS[2:])
def test_an_altered_cursor_on_a_list_in_code_order_is_a_400_too(api_as, command_supervisor, cursor):
    response = api_as(command_supervisor).get("/api/v1/districts/", {"cursor": cursor})
    assert response.status_code == 400, response.content
    assert list(errors(response)) == ["cursor"]
