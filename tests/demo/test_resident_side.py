"""The demo's residents step: rating events for rated demo tickets, reopen requests for recent
dissatisfied ones, and tracking links printed with the logins; twice adds nothing."""

import pytest

from cases.models import Action, ReopenRequest, State, Ticket, TicketEvent
from demo.cases.residents import seed_resident_side

pytestmark = pytest.mark.django_db


def test_the_step_completes_rated_demo_tickets_once_and_lists_tracking_pages(make_ticket):
    happy = make_ticket(State.CLOSED)
    unhappy = make_ticket(State.CLOSED)
    working = make_ticket(State.IN_PROGRESS)
    # As the demo writes them: the rating on the ticket, no event.
    Ticket.objects.filter(pk=happy.pk).update(satisfaction=5, rated_at=happy.closed_at)
    Ticket.objects.filter(pk=unhappy.pk).update(
        satisfaction=1, satisfaction_comment="没修好", rated_at=unhappy.closed_at
    )

    result = seed_resident_side()
    again = seed_resident_side()

    assert TicketEvent.objects.filter(action=Action.RATE).count() == 2
    request = ReopenRequest.objects.get()
    assert (request.ticket_id, request.comment) == (unhappy.pk, "没修好")
    assert again["counts"]["reopen_requests"] == 1
    descriptions = [login.description for login in result["logins"]]
    assert any(f"/track/{happy.tracking_code}/" in d for d in descriptions)
    assert any(f"/track/{working.tracking_code}/" in d for d in descriptions)
    assert all(login.role == "resident" for login in result["logins"])
