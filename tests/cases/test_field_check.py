"""The check (核查) on site: a supervisor of the ticket's brigade sends a resolved ticket's check
to an officer on duty in its unit grid, who passes it (closed) or fails it (rework) there, with a
photo and the point where they stood; the verification event records who checked and where.

The cast: ``supervisor_gulou`` sends 鼓楼's checks; ``officer_gulou_colleague`` (posted to the
same grids, on duty every day) checks; ``officer_gulou`` did the work; ``officer_quanshan``
(another grid), ``supervisor_quanshan`` (another brigade) and ``resident`` may do none of it.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse
from django_fsm import has_transition_perm
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases import selectors, services
from cases.models import Action, Photo, PhotoKind, State, Ticket, TicketEvent
from notifications.models import Notification
from tests.cases.conftest import GULOU_POINT
from tests.factories import AssignmentFactory, OfficerFactory, jpeg_bytes, processed_photo

pytestmark = pytest.mark.django_db

CHECK_POINT = (GULOU_POINT[0] + 0.0001, GULOU_POINT[1])  # about 11 m north of the ticket


@pytest.fixture
def resolved(make_ticket) -> Ticket:
    return make_ticket(State.RESOLVED)


@pytest.fixture
def checker(officer_gulou_colleague):
    return officer_gulou_colleague


@pytest.fixture
def sent(resolved, supervisor_gulou, checker) -> Ticket:
    services.send_for_field_check(
        actor=supervisor_gulou, ticket_id=resolved.pk, officer_id=checker.officer.pk
    )
    return Ticket.objects.get(pk=resolved.pk)


def check(ticket: Ticket, actor, *, passed: bool = True, note: str = "", photos=None) -> Ticket:
    services.check_on_site(
        actor=actor,
        ticket_id=ticket.pk,
        passed=passed,
        note=note,
        lat=CHECK_POINT[0],
        lng=CHECK_POINT[1],
        photos=[processed_photo()] if photos is None else photos,
    )
    return Ticket.objects.get(pk=ticket.pk)


# --- sending the check ------------------------------------------------------------------------


def test_the_supervisor_sends_the_check_to_an_officer_on_duty_in_the_grid(
    sent, supervisor_gulou, checker
):
    assert sent.state == State.RESOLVED
    assert sent.field_checker_id == checker.officer.pk
    assert sent.field_check_sent_at is not None
    event = TicketEvent.objects.filter(ticket=sent).latest("id")
    assert (event.action, event.actor, event.data["officer"]) == (
        Action.FIELD_CHECK,
        supervisor_gulou,
        "GL1-002",
    )
    assert Notification.objects.filter(recipient=checker, ticket=sent, kind="field_check").exists()


def test_the_check_goes_only_to_officers_posted_to_the_tickets_grid(
    resolved, supervisor_gulou, checker, officer_quanshan
):
    offered = set(selectors.field_checkers(resolved))
    assert checker.officer in offered
    assert officer_quanshan.officer not in offered
    with pytest.raises(ValidationError) as refused:
        services.send_for_field_check(
            actor=supervisor_gulou, ticket_id=resolved.pk, officer_id=officer_quanshan.officer.pk
        )
    assert "officer" in refused.value.message_dict


def test_an_officer_off_duty_today_is_not_offered(resolved, gulou_community):
    """A posting of the grid whose duty days leave out today: its officer is not offered."""
    officer = OfficerFactory(brigade=gulou_community.brigade, badge_number="GL1-009")
    today = Ticket.objects.get(pk=resolved.pk).reported_at.isoweekday()
    AssignmentFactory(
        officer=officer,
        community=gulou_community,
        grid_cells=list(gulou_community.grid_cells.all()),
        weekdays="1234567".replace(str(today), ""),
    )
    assert officer not in set(selectors.field_checkers(resolved))


def test_a_supervisor_of_another_brigade_cannot_send_the_check(
    resolved, supervisor_quanshan, officer_quanshan
):
    with pytest.raises(Http404):
        services.send_for_field_check(
            actor=supervisor_quanshan, ticket_id=resolved.pk, officer_id=officer_quanshan.officer.pk
        )


def test_an_officer_cannot_send_the_check(resolved, officer_gulou, checker):
    with pytest.raises(PermissionDenied):
        services.send_for_field_check(
            actor=officer_gulou, ticket_id=resolved.pk, officer_id=checker.officer.pk
        )


def test_only_a_resolved_ticket_is_sent_for_a_check(make_ticket, supervisor_gulou, checker):
    working = make_ticket(State.IN_PROGRESS)
    with pytest.raises(services.TicketConflict):
        services.send_for_field_check(
            actor=supervisor_gulou, ticket_id=working.pk, officer_id=checker.officer.pk
        )


# --- checking on site --------------------------------------------------------------------------


def test_a_passed_check_closes_the_ticket_and_records_who_and_where(sent, checker):
    closed = check(sent, checker, note="现场已恢复整洁")
    assert closed.state == State.CLOSED
    assert closed.closed_at is not None
    assert closed.field_checker_id is None
    event = TicketEvent.objects.filter(ticket=closed).latest("id")
    assert event.action == Action.VERIFY_PASS
    assert event.actor == checker
    assert (event.from_state, event.to_state) == (State.RESOLVED, State.CLOSED)
    assert event.data["on_site"] is True
    assert (event.data["lat"], event.data["lng"]) == CHECK_POINT
    assert 5 <= event.data["distance_m"] <= 20
    assert event.data["officer"] == "GL1-002"
    assert [p.kind for p in Photo.objects.filter(event=event)] == [PhotoKind.CHECK]


def test_a_failed_check_sends_the_ticket_back_for_rework_with_the_reason(
    sent, checker, officer_gulou
):
    back = check(sent, checker, passed=False, note="东侧仍有垃圾未清")
    assert back.state == State.DISPATCHED
    assert back.assignee_id == officer_gulou.officer.pk
    assert back.rework_count == 1
    assert back.deadline is not None and back.resolved_at is None
    assert back.field_checker_id is None
    event = TicketEvent.objects.filter(ticket=back).latest("id")
    assert (event.action, event.actor, event.public_note) == (
        Action.VERIFY_FAIL,
        checker,
        "东侧仍有垃圾未清",
    )
    assert event.data["lat"] == CHECK_POINT[0]
    assert Photo.objects.filter(event=event, kind=PhotoKind.CHECK).count() == 1
    # The officer who did the work hears of the rework, as after a failed check at the desk.
    assert Notification.objects.filter(recipient=officer_gulou, kind="verify_fail").exists()


def test_a_failed_check_needs_a_reason(sent, checker):
    with pytest.raises(ValidationError) as refused:
        check(sent, checker, passed=False, note=" ")
    assert "note" in refused.value.message_dict
    assert Ticket.objects.get(pk=sent.pk).state == State.RESOLVED


@pytest.mark.parametrize("passed", [True, False])
def test_a_check_needs_a_photo(sent, checker, passed):
    with pytest.raises(ValidationError) as refused:
        check(sent, checker, passed=passed, note="未整改", photos=[])
    assert "photos" in refused.value.message_dict
    assert Ticket.objects.get(pk=sent.pk).state == State.RESOLVED


def test_only_the_officer_sent_may_check(sent, officer_gulou, supervisor_gulou):
    for someone in (officer_gulou, supervisor_gulou):
        with pytest.raises(PermissionDenied):
            check(sent, someone)
    assert Ticket.objects.get(pk=sent.pk).state == State.RESOLVED


def test_an_officer_of_another_grid_a_resident_and_another_brigade_cannot_check(
    sent, officer_quanshan, resident, supervisor_quanshan
):
    for someone in (officer_quanshan, resident, supervisor_quanshan):
        with pytest.raises(Http404):
            check(sent, someone)
    assert Ticket.objects.get(pk=sent.pk).state == State.RESOLVED


def test_nothing_to_check_before_the_check_is_sent(resolved, checker):
    assert not has_transition_perm(resolved.field_check_pass, checker)
    with pytest.raises(PermissionDenied):
        check(resolved, checker)


def test_a_desk_check_calls_off_the_check_on_site(sent, supervisor_gulou, checker):
    services.verify_ticket(actor=supervisor_gulou, ticket_id=sent.pk, passed=True)
    closed = Ticket.objects.get(pk=sent.pk)
    assert closed.state == State.CLOSED and closed.field_checker_id is None
    assert selectors.officer_tasks(checker).filter(pk=sent.pk).count() == 0


# --- the pages and the API ------------------------------------------------------------------


def test_the_check_is_on_the_checking_officers_task_list(client, sent, checker):
    client.force_login(checker)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.get(reverse("cases:my_tasks"))
    assert sent.number in [t.number for t in response.context["tasks"]]
    assert "Check on site" in response.content.decode()


def test_the_ticket_page_offers_each_their_step(client, sent, supervisor_gulou, checker):
    client.force_login(supervisor_gulou)
    names = [spec.name for spec, _form in client.get(sent.get_absolute_url()).context["actions"]]
    assert "field_check_send" in names and "verify" in names and "field_check" not in names
    client.force_login(checker)
    names = [spec.name for spec, _form in client.get(sent.get_absolute_url()).context["actions"]]
    assert names == ["field_check"]


def test_the_check_on_the_ticket_page(client, sent, checker):
    client.force_login(checker)
    response = client.post(
        reverse("cases:act", args=[sent.number, "field_check"]),
        {
            "field_check-expected_state": "resolved",
            "field_check-result": "pass",
            "field_check-note": "",
            "field_check-lat": CHECK_POINT[0],
            "field_check-lng": CHECK_POINT[1],
            "field_check-photos": SimpleUploadedFile("after.jpg", jpeg_bytes(), "image/jpeg"),
        },
    )
    assert response.status_code == 302
    assert Ticket.objects.get(pk=sent.pk).state == State.CLOSED


def test_a_check_without_a_position_comes_back_with_the_reason(client, sent, checker):
    client.force_login(checker)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.post(
        reverse("cases:act", args=[sent.number, "field_check"]),
        {
            "field_check-expected_state": "resolved",
            "field_check-result": "fail",
            "field_check-note": "仍有垃圾",
            "field_check-photos": SimpleUploadedFile("x.jpg", jpeg_bytes(), "image/jpeg"),
        },
    )
    assert response.status_code == 400
    assert "Use my position" in response.content.decode()
    assert "仍有垃圾" in response.content.decode()
    assert Ticket.objects.get(pk=sent.pk).state == State.RESOLVED


def test_a_photo_that_is_no_image_is_refused(client, sent, checker):
    client.force_login(checker)
    response = client.post(
        reverse("cases:act", args=[sent.number, "field_check"]),
        {
            "field_check-expected_state": "resolved",
            "field_check-result": "pass",
            "field_check-lat": CHECK_POINT[0],
            "field_check-lng": CHECK_POINT[1],
            "field_check-photos": SimpleUploadedFile("x.jpg", b"not a photo", "image/jpeg"),
        },
    )
    assert response.status_code == 400
    assert Ticket.objects.get(pk=sent.pk).state == State.RESOLVED


def test_send_and_check_through_the_api(resolved, supervisor_gulou, checker):
    def api(user) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
        return client

    url = f"/api/v1/tickets/{resolved.number}/"
    response = api(supervisor_gulou).post(
        url + "field_check_send/", {"officer": checker.officer.pk}, format="json"
    )
    assert response.status_code == 200, response.json()
    response = api(checker).post(
        url + "field_check/",
        {
            "result": "pass",
            "lat": CHECK_POINT[0],
            "lng": CHECK_POINT[1],
            "photos": SimpleUploadedFile("x.jpg", jpeg_bytes(), "image/jpeg"),
        },
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == State.CLOSED
    assert response.json()["event"]["data"]["lat"] == CHECK_POINT[0]
