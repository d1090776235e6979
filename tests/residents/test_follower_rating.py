"""A resident who follows a nearby open report from the form: their ticket is filed already
closed as a duplicate of it (no work in the supervisors' queue), and once the original is closed
they rate its result once, on their own ticket; a dissatisfied rating within 30 days asks the
supervisors to reopen the original."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from cases import services
from cases.models import Action, RejectReason, ReopenRequest, State, Ticket
from residents.services import decide_reopen_request, file_complaint
from tests.cases.conftest import GULOU_POINT

pytestmark = pytest.mark.django_db


@pytest.fixture
def follow(category):
    """``follow(original)``: a second resident files the same problem, following ``original``."""

    def filed(original: Ticket) -> Ticket:
        return file_complaint(
            category=category,
            description="我家楼下也是这堆垃圾",
            lat=GULOU_POINT[0],
            lng=GULOU_POINT[1],
            reporter_name="周先生",
            reporter_phone="13698765432",
            follows=original.number,
        )

    return filed


def rate(client, ticket: Ticket, satisfaction: int, comment: str = ""):
    return client.post(
        f"/track/{ticket.tracking_code}/rate/",
        {"satisfaction": satisfaction, "comment": comment},
    )


def close(ticket: Ticket, supervisor, officer) -> None:
    """Take a dispatched ticket to closed, as its officer and supervisor would."""
    from tests.factories import processed_photo

    services.start_ticket(actor=officer, ticket_id=ticket.pk)
    services.resolve_ticket(
        actor=officer, ticket_id=ticket.pk, note="已清运", photos=[processed_photo()]
    )
    services.verify_ticket(actor=supervisor, ticket_id=ticket.pk, passed=True)


def test_a_followers_report_is_filed_as_a_duplicate_with_one_audit_row(make_ticket, follow):
    original = make_ticket(State.REGISTERED)
    mine = follow(original)
    assert (mine.state, mine.reject_reason, mine.duplicate_of) == (
        State.REJECTED,
        RejectReason.DUPLICATE,
        original,
    )
    assert mine.rejected_at is not None
    link = mine.events.get(action=Action.DUPLICATE_LINKED)
    assert (link.from_state, link.to_state, link.actor) == (State.REPORTED, State.REJECTED, None)
    assert link.data == {"duplicate_of": original.number, "by": "reporter", "reason": "duplicate"}
    assert list(mine.events.values_list("action", flat=True).order_by("id")) == [
        Action.CREATE,
        Action.DUPLICATE_LINKED,
    ]


def test_a_followers_report_is_not_work_in_the_supervisors_reported_queue(
    client, make_ticket, follow, supervisor_gulou
):
    original = make_ticket(State.REGISTERED)
    mine = follow(original)
    stray = make_ticket(State.REPORTED)  # the twin: a plain report is work to check
    client.force_login(supervisor_gulou)
    page = client.get("/cases/", {"status": "reported"}).content.decode()
    assert stray.number in page
    assert mine.number not in page


def test_a_follower_rates_once_the_original_is_closed(
    english, make_ticket, follow, supervisor_gulou, officer_gulou
):
    original = make_ticket(State.DISPATCHED)
    mine = follow(original)
    close(original, supervisor_gulou, officer_gulou)

    assert english.get(f"/track/{mine.tracking_code}/").context["rating_form"] is not None
    response = rate(english, mine, 5, "处理得很快")
    assert response.status_code == 302
    mine.refresh_from_db()
    original.refresh_from_db()
    assert (mine.satisfaction, mine.satisfaction_comment) == (5, "处理得很快")
    assert original.satisfaction is None  # the original reporter's rating is theirs to give
    event = mine.events.get(action=Action.RATE)
    assert (event.actor, event.data["satisfaction"]) == (None, 5)
    assert not ReopenRequest.objects.exists()

    again = rate(english, mine, 1)
    assert again.status_code == 400
    assert "already been rated" in again.content.decode()
    mine.refresh_from_db()
    assert mine.satisfaction == 5
    assert mine.events.filter(action=Action.RATE).count() == 1


def test_a_follower_cannot_rate_before_the_original_is_closed(english, make_ticket, follow):
    original = make_ticket(State.DISPATCHED)
    mine = follow(original)
    assert english.get(f"/track/{mine.tracking_code}/").context["rating_form"] is None
    response = rate(english, mine, 5)
    assert response.status_code == 400
    assert "once the case is closed" in response.content.decode()
    mine.refresh_from_db()
    assert mine.satisfaction is None
    assert not mine.events.filter(action=Action.RATE).exists()


def test_a_dissatisfied_follower_asks_to_reopen_the_original_and_reads_the_answer(
    english, make_ticket, follow, supervisor_gulou, officer_gulou
):
    original = make_ticket(State.DISPATCHED)
    mine = follow(original)
    close(original, supervisor_gulou, officer_gulou)

    assert rate(english, mine, 2, "还是很脏").status_code == 302
    request = ReopenRequest.objects.get()
    assert (request.ticket, request.satisfaction, request.comment) == (original, 2, "还是很脏")
    asked = original.events.get(action=Action.REOPEN_REQUEST)
    assert (asked.internal_note, asked.public_note) == ("还是很脏", "")
    assert mine.events.get(action=Action.RATE).data["reopen_request"] == request.pk
    page = english.get(f"/track/{mine.tracking_code}/").content.decode()
    assert "A supervisor will look at the case again" in page

    decide_reopen_request(
        actor=supervisor_gulou, request_id=request.pk, reopen=False, note="已复查，现场整洁"
    )
    page = english.get(f"/track/{mine.tracking_code}/").content.decode()
    assert "The case stays closed:" in page
    assert "已复查，现场整洁" in page


def test_a_second_unhappy_resident_joins_the_pending_request(
    english, make_ticket, follow, supervisor_gulou, officer_gulou
):
    original = make_ticket(State.DISPATCHED)
    mine = follow(original)
    close(original, supervisor_gulou, officer_gulou)
    assert rate(english, original, 1, "没有清理").status_code == 302
    assert rate(english, mine, 2).status_code == 302
    request = ReopenRequest.objects.get()
    assert request.ticket == original
    assert mine.events.get(action=Action.RATE).data["reopen_request"] == request.pk
    assert original.events.filter(action=Action.REOPEN_REQUEST).count() == 2


def test_a_follower_rating_low_after_30_days_asks_for_no_reopening(
    english, make_ticket, follow, supervisor_gulou, officer_gulou
):
    original = make_ticket(State.DISPATCHED)
    mine = follow(original)
    close(original, supervisor_gulou, officer_gulou)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=31)):
        assert rate(english, mine, 1).status_code == 302
    mine.refresh_from_db()
    assert mine.satisfaction == 1
    assert not ReopenRequest.objects.exists()
    assert not original.events.filter(action=Action.REOPEN_REQUEST).exists()
    assert "reopen_request" not in mine.events.get(action=Action.RATE).data
