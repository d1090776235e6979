"""Rating the result (回访): once, only after closure; a dissatisfied rating within 30 days asks
the brigade's supervisors to reopen, and they reopen or decline."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from cases.models import Action, ReopenRequest, State, Ticket, TicketEvent
from notifications.models import Notification
from residents.services import decide_reopen_request, rate_ticket

pytestmark = pytest.mark.django_db

QUERIES = 8  # for any number of requests: the page, not the rows, decides


def rate(client, ticket: Ticket, satisfaction, comment: str = ""):
    return client.post(
        f"/track/{ticket.tracking_code}/rate/",
        {"satisfaction": satisfaction, "comment": comment},
    )


def test_the_rating_form_appears_only_after_closure(english, make_ticket):
    resolved = make_ticket(State.RESOLVED)
    closed = make_ticket(State.CLOSED)
    assert english.get(f"/track/{resolved.tracking_code}/").context["rating_form"] is None
    assert english.get(f"/track/{closed.tracking_code}/").context["rating_form"] is not None


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_rating_card_asks_its_question_once(client, make_ticket, language):
    closed = make_ticket(State.CLOSED)

    response = client.get(f"/track/{closed.tracking_code}/", HTTP_ACCEPT_LANGUAGE=language)

    card = response.content.decode().split('id="rating"', 1)[1].split("</form>", 1)[0]
    question = {"zh-hans": "您对处理结果满意吗", "en": "with the result?"}[language]
    assert card.count(question) == 1, card


def test_a_rating_before_closure_is_refused(english, make_ticket):
    ticket = make_ticket(State.RESOLVED)
    response = rate(english, ticket, 5)
    assert response.status_code == 400
    assert "once the case is closed" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.satisfaction is None
    assert not ticket.events.filter(action=Action.RATE).exists()


def test_the_reporter_rates_a_closed_ticket_once(english, make_ticket):
    ticket = make_ticket(State.CLOSED)
    response = rate(english, ticket, 5, "  清理得很干净，谢谢  ")
    assert response.status_code == 302
    assert response["Location"] == f"/track/{ticket.tracking_code}/"
    ticket.refresh_from_db()
    assert (ticket.satisfaction, ticket.satisfaction_comment) == (5, "清理得很干净，谢谢")
    assert ticket.rated_at is not None
    event = ticket.events.get(action=Action.RATE)
    assert (event.actor, event.data["satisfaction"]) == (None, 5)

    again = rate(english, ticket, 1, "改主意了")
    assert again.status_code == 400
    ticket.refresh_from_db()
    assert ticket.satisfaction == 5
    assert ticket.events.filter(action=Action.RATE).count() == 1
    page = english.get(f"/track/{ticket.tracking_code}/").content.decode()
    assert "Your rating" in page and "★★★★★" in page
    assert 'action="/track/' not in page  # no second form


def test_a_rating_for_a_wrong_code_is_404(english, make_ticket):
    make_ticket(State.CLOSED)
    response = english.post("/track/AAAAAAAAAA/rate/", {"satisfaction": 5})
    assert response.status_code == 404


@pytest.mark.parametrize("value", ["0", "6", "abc", "", "5.5", "-1", "9" * 30])
def test_a_garbage_rating_is_a_form_error(english, make_ticket, value):
    ticket = make_ticket(State.CLOSED)
    response = rate(english, ticket, value)
    assert response.status_code == 400
    ticket.refresh_from_db()
    assert ticket.satisfaction is None


def test_a_satisfied_rating_asks_for_nothing(make_ticket):
    ticket = make_ticket(State.CLOSED)
    rate_ticket(code=ticket.tracking_code, satisfaction=3)
    assert not ReopenRequest.objects.exists()
    assert not ticket.events.filter(action=Action.REOPEN_REQUEST).exists()


def test_a_dissatisfied_rating_within_30_days_asks_the_supervisors_to_reopen(
    make_ticket, supervisor_gulou, supervisor_quanshan, django_capture_on_commit_callbacks
):
    ticket = make_ticket(State.CLOSED)
    with django_capture_on_commit_callbacks(execute=True):
        rate_ticket(code=ticket.tracking_code, satisfaction=1, comment="根本没清，还在那")

    request = ReopenRequest.objects.get()
    assert (request.ticket, request.satisfaction, request.comment) == (
        ticket,
        1,
        "根本没清，还在那",
    )
    assert request.decided_at is None
    event = ticket.events.get(action=Action.REOPEN_REQUEST)
    assert event.internal_note == "根本没清，还在那"
    assert event.public_note == ""
    note = Notification.objects.get(kind=Action.REOPEN_REQUEST)
    assert note.recipient == supervisor_gulou  # not 泉山's supervisor
    assert note.message == "根本没清，还在那"


def test_a_dissatisfied_rating_after_30_days_is_recorded_but_asks_nothing(make_ticket):
    ticket = make_ticket(State.CLOSED)
    later = ticket.closed_at + datetime.timedelta(days=31)
    with time_machine.travel(later, tick=False):
        rate_ticket(code=ticket.tracking_code, satisfaction=2)
    ticket.refresh_from_db()
    assert ticket.satisfaction == 2
    assert not ReopenRequest.objects.exists()


@pytest.fixture
def dissatisfied(make_ticket) -> ReopenRequest:
    ticket = make_ticket(State.CLOSED)
    rate_ticket(code=ticket.tracking_code, satisfaction=2, comment="角落还有垃圾")
    return ReopenRequest.objects.get(ticket=ticket)


def test_the_supervisor_sees_the_request_on_the_home_page_and_the_ticket(
    client, supervisor_gulou, dissatisfied
):
    client.force_login(supervisor_gulou)
    home = client.get("/supervisor/")
    assert home.context["tickets"]["reopen_requests"] == 1
    listing = client.get("/cases/reopen-requests/").content.decode()
    assert dissatisfied.ticket.number in listing and "角落还有垃圾" in listing
    detail = client.get(dissatisfied.ticket.get_absolute_url()).content.decode()
    assert "★★☆☆☆" in detail and "角落还有垃圾" in detail
    assert "/cases/reopen-requests/" in detail


def test_another_brigades_supervisor_does_not_see_the_request(
    client, supervisor_quanshan, dissatisfied
):
    client.force_login(supervisor_quanshan)
    assert client.get("/supervisor/").context["tickets"]["reopen_requests"] == 0
    listing = client.get("/cases/reopen-requests/").content.decode()
    assert dissatisfied.ticket.number not in listing
    response = client.post(
        f"/cases/reopen-requests/{dissatisfied.pk}/",
        {f"r{dissatisfied.pk}-decision": "reopen", f"r{dissatisfied.pk}-note": "重新处理"},
    )
    assert response.status_code == 404
    dissatisfied.refresh_from_db()
    assert dissatisfied.decided_at is None


def test_an_officer_cannot_open_the_requests(client, officer_gulou, dissatisfied):
    client.force_login(officer_gulou)
    assert client.get("/cases/reopen-requests/").status_code == 403
    url = f"/cases/reopen-requests/{dissatisfied.pk}/"
    assert client.post(url, {f"r{dissatisfied.pk}-decision": "reopen"}).status_code == 403


def test_the_supervisor_reopens_the_ticket_from_the_request(client, supervisor_gulou, dissatisfied):
    client.force_login(supervisor_gulou)
    prefix = f"r{dissatisfied.pk}"
    response = client.post(
        f"/cases/reopen-requests/{dissatisfied.pk}/",
        {f"{prefix}-decision": "reopen", f"{prefix}-note": "派人再去清理角落"},
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get(pk=dissatisfied.ticket_id)
    assert ticket.state == State.REGISTERED
    dissatisfied.refresh_from_db()
    assert (dissatisfied.reopened, dissatisfied.decided_by) == (True, supervisor_gulou)
    event = ticket.events.get(action=Action.REOPEN)
    assert (event.actor, event.public_note) == (supervisor_gulou, "派人再去清理角落")
    page = client.get(f"/track/{ticket.tracking_code}/").content.decode()
    assert "派人再去清理角落" in page


def test_the_supervisor_declines_and_the_reporter_reads_why(client, supervisor_gulou, dissatisfied):
    decide_reopen_request(
        actor=supervisor_gulou, request_id=dissatisfied.pk, reopen=False, note="现场复查已清理干净"
    )
    ticket = Ticket.objects.get(pk=dissatisfied.ticket_id)
    assert ticket.state == State.CLOSED
    dissatisfied.refresh_from_db()
    assert (dissatisfied.reopened, dissatisfied.decision_note) == (False, "现场复查已清理干净")
    event = TicketEvent.objects.get(ticket=ticket, action=Action.REOPEN_DECLINE)
    assert event.actor == supervisor_gulou
    page = client.get(f"/track/{ticket.tracking_code}/").content.decode()
    assert "现场复查已清理干净" in page


def test_an_answer_needs_a_note_and_is_given_once(supervisor_gulou, dissatisfied):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        decide_reopen_request(
            actor=supervisor_gulou, request_id=dissatisfied.pk, reopen=False, note=" "
        )
    decide_reopen_request(
        actor=supervisor_gulou, request_id=dissatisfied.pk, reopen=False, note="ok"
    )
    with pytest.raises(ValidationError):
        decide_reopen_request(
            actor=supervisor_gulou, request_id=dissatisfied.pk, reopen=True, note="x"
        )
    assert Ticket.objects.get(pk=dissatisfied.ticket_id).state == State.CLOSED


def test_reopening_from_the_ticket_page_answers_the_request(supervisor_gulou, dissatisfied):
    from cases.services import reopen_ticket

    reopen_ticket(actor=supervisor_gulou, ticket_id=dissatisfied.ticket_id, reason="重新处理")
    dissatisfied.refresh_from_db()
    assert dissatisfied.reopened is True
    assert dissatisfied.decided_at <= timezone.now()


def test_the_request_list_runs_the_same_queries_for_one_or_five_requests(
    client, supervisor_gulou, make_ticket, django_assert_max_num_queries
):
    client.force_login(supervisor_gulou)
    for size in (1, 5):
        while ReopenRequest.objects.count() < size:
            ticket = make_ticket(State.CLOSED)
            rate_ticket(code=ticket.tracking_code, satisfaction=1)
        with django_assert_max_num_queries(QUERIES) as captured:
            page = client.get("/cases/reopen-requests/").content.decode()
        assert page.count('class="card mb-2 reopen-request"') == size
        assert len(captured) == QUERIES
