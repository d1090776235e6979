"""GET /api/v1/tickets/<number>/officers/: the dispatch list in the order the ticket page's form
shows it, for the ticket's supervisors only."""

import datetime

import pytest
import time_machine

from cases.models import State
from grids.models import Assignment
from tests.cases.test_dispatch_suggestion import TUESDAY_10
from tests.factories import OfficerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(make_ticket, officer_gulou, officer_gulou_colleague, gulou_brigade):
    OfficerFactory(brigade=gulou_brigade, badge_number="GL1-000")  # posted nowhere
    Assignment.objects.filter(officer=officer_gulou_colleague.officer).update(
        end_time=datetime.time(9, 0)  # off duty at ten
    )
    return make_ticket(State.REGISTERED)


def test_the_supervisor_gets_the_suggested_officer_first(api_as, supervisor_gulou, ticket):
    with time_machine.travel(TUESDAY_10, tick=False):
        response = api_as(supervisor_gulou).get(
            f"/api/v1/tickets/{ticket.number}/officers/", HTTP_ACCEPT_LANGUAGE="en"
        )
    assert response.status_code == 200
    body = response.json()
    assert [(o["badge_number"], o["suggested"]) for o in body] == [
        ("GL1-001", True),
        ("GL1-002", False),
        ("GL1-000", False),
    ]
    assert body[0]["reason"] == "suggested: posted to this grid, on duty now"
    assert body[1]["posted_here"] is True and body[2]["posted_here"] is False


def test_the_assigned_officer_may_not_read_the_dispatch_list(api_as, officer_gulou, ticket):
    response = api_as(officer_gulou).get(f"/api/v1/tickets/{ticket.number}/officers/")
    assert response.status_code == 403


def test_another_brigades_supervisor_gets_a_404(api_as, supervisor_quanshan, ticket):
    response = api_as(supervisor_quanshan).get(f"/api/v1/tickets/{ticket.number}/officers/")
    assert response.status_code == 404
