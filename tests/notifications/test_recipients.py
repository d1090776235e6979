"""Who hears about what happened to a ticket (the bell and the inbox), and only if it committed.

Services write the notifications in their own transaction, under a savepoint (e-mail goes out
after the commit: ``test_email_delivery``); tickets set up by ``make_ticket`` come without the
notifications of their setting up.
"""

from urllib.parse import urlsplit

import pytest
from django.db import connection, transaction

from cases import services
from cases.models import Action, State
from notifications import services as notifications
from notifications.models import Notification
from tests.factories import UserFactory, processed_photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def deputy_gulou(gulou_brigade):
    """A second supervisor of 鼓楼一大队: hears what the brigade's supervisors hear."""
    return UserFactory(username="deputy_gulou", unit=gulou_brigade, roles=["supervisor"])


def notified(**filters) -> list[tuple[str, str]]:
    """(username, kind) of the notifications written, sorted."""
    rows = Notification.objects.filter(**filters).values_list("recipient__username", "kind")
    return sorted(rows)


def dispatch(ticket, supervisor, officer_user, note="请今天处理"):
    return services.dispatch_ticket(
        actor=supervisor, ticket_id=ticket.pk, officer_id=officer_user.officer.pk, note=note
    )


# --- who is told ------------------------------------------------------------------------------


def test_dispatching_tells_the_officer_and_nobody_else(
    make_ticket, supervisor_gulou, deputy_gulou, officer_gulou, django_capture_on_commit_callbacks
):
    ticket = make_ticket(State.REGISTERED)
    with django_capture_on_commit_callbacks(execute=True):
        dispatch(ticket, supervisor_gulou, officer_gulou)
    (note,) = Notification.objects.all()
    assert (note.recipient, note.ticket, note.kind) == (officer_gulou, ticket, Action.DISPATCH)
    assert (note.message, note.read_at) == ("请今天处理", None)


def test_referring_tells_every_active_handler_of_the_unit_and_no_other_unit(
    make_ticket,
    supervisor_gulou,
    handler_sanitation,
    handler_municipal,
    django_capture_on_commit_callbacks,
):
    UserFactory(username="sanitation_2", unit=handler_sanitation.unit, roles=["handler"])
    UserFactory(
        username="sanitation_left", unit=handler_sanitation.unit, roles=["handler"], is_active=False
    )
    ticket = make_ticket(State.REGISTERED)
    with django_capture_on_commit_callbacks(execute=True):
        services.refer_ticket(
            actor=supervisor_gulou,
            ticket_id=ticket.pk,
            unit_id=handler_sanitation.unit_id,
            person="陈科长",
        )
    assert notified() == [("handler_sanitation", "refer"), ("sanitation_2", "refer")]


def test_reporting_a_fix_tells_the_supervisors_of_the_brigade_only(
    make_ticket,
    officer_gulou,
    supervisor_gulou,
    deputy_gulou,
    supervisor_quanshan,
    command_supervisor,
    django_capture_on_commit_callbacks,
):
    ticket = make_ticket(State.IN_PROGRESS)
    with django_capture_on_commit_callbacks(execute=True):
        services.resolve_ticket(
            actor=officer_gulou, ticket_id=ticket.pk, note="已清运", photos=[processed_photo()]
        )
    assert notified() == [("deputy_gulou", "resolve"), ("supervisor_gulou", "resolve")]


def test_the_person_who_acted_is_never_told_about_their_own_step(
    make_ticket, supervisor_gulou, deputy_gulou, django_capture_on_commit_callbacks
):
    # Concluding an enforcement case tells the brigade's supervisors, but not the one who did it.
    ticket = make_ticket(State.ENFORCEMENT)
    with django_capture_on_commit_callbacks(execute=True):
        services.conclude_enforcement(actor=supervisor_gulou, ticket_id=ticket.pk, note="已处罚")
    assert notified() == [("deputy_gulou", "conclude")]


def test_a_failed_check_tells_the_officer_the_ticket_is_back(
    make_ticket, supervisor_gulou, officer_gulou, django_capture_on_commit_callbacks
):
    ticket = make_ticket(State.RESOLVED)
    with django_capture_on_commit_callbacks(execute=True):
        services.verify_ticket(
            actor=supervisor_gulou, ticket_id=ticket.pk, passed=False, note="墙角仍有垃圾"
        )
    (note,) = Notification.objects.all()
    assert (note.recipient, note.kind, note.message) == (
        officer_gulou,
        Action.VERIFY_FAIL,
        "墙角仍有垃圾",
    )


def test_the_decision_on_an_extension_is_told_to_whoever_asked(
    make_ticket, officer_gulou, supervisor_gulou, django_capture_on_commit_callbacks
):
    ticket = make_ticket(State.IN_PROGRESS)
    services.request_extension(
        actor=officer_gulou, ticket_id=ticket.pk, extra_hours=2, reason="需调用清运车"
    )
    assert notified() == [("supervisor_gulou", "extend_request")]
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_extension(
            actor=supervisor_gulou, ticket_id=ticket.pk, approve=True, note="同意延期"
        )
    assert notified(kind=Action.EXTEND_APPROVE) == [("officer_gulou", "extend_approve")]


# --- only after the commit --------------------------------------------------------------------


def test_notifications_are_written_in_the_transitions_own_transaction(
    make_ticket, supervisor_gulou, officer_gulou, django_capture_on_commit_callbacks
):
    # They commit with the change they tell of: one COMMIT a request, nothing left waiting for
    # after it (without e-mail configured).
    ticket = make_ticket(State.REGISTERED)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        dispatch(ticket, supervisor_gulou, officer_gulou)
        assert notified() == [("officer_gulou", "dispatch")]
    assert callbacks == []


def test_a_failure_writing_notifications_never_undoes_the_transition(
    make_ticket, supervisor_gulou, officer_gulou, monkeypatch, caplog
):
    def broken_recipients(event):
        # A real database error inside the notifications' savepoint (on PostgreSQL it aborts
        # the transaction unless the savepoint is rolled back).
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table")

    ticket = make_ticket(State.REGISTERED)
    monkeypatch.setattr(notifications, "recipients_for", broken_recipients)
    with transaction.atomic():  # as in a request (ATOMIC_REQUESTS)
        dispatch(ticket, supervisor_gulou, officer_gulou)
        ticket.refresh_from_db()  # the transaction is still usable
    assert ticket.state == State.DISPATCHED
    assert ticket.events.filter(action=Action.DISPATCH, actor=supervisor_gulou).count() == 1
    assert not Notification.objects.exists()
    assert "Could not write notifications" in caplog.text


def test_no_notification_is_written_when_the_transaction_rolls_back(
    make_ticket, supervisor_gulou, officer_gulou, django_capture_on_commit_callbacks
):
    ticket = make_ticket(State.REGISTERED)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        dispatch(ticket, supervisor_gulou, officer_gulou)
        raise RuntimeError("the request failed after the service returned")
    assert callbacks == []
    assert not Notification.objects.exists()
    ticket.refresh_from_db()
    assert ticket.state == State.REGISTERED


def test_a_refused_post_on_the_ticket_page_notifies_nobody(
    client, make_ticket, officer_gulou, django_capture_on_commit_callbacks
):
    ticket = make_ticket(State.REGISTERED)
    client.force_login(officer_gulou)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/cases/{ticket.number}/dispatch/",
            {"dispatch-officer": officer_gulou.officer.pk, "dispatch-expected_state": "registered"},
        )
    assert response.status_code == 403
    assert not Notification.objects.exists()


# --- the bell and the inbox -------------------------------------------------------------------


@pytest.fixture
def two_dispatched(
    make_ticket, supervisor_gulou, officer_gulou, django_capture_on_commit_callbacks
):
    """Two tickets dispatched to officer_gulou, each with its unread notification."""
    tickets = [make_ticket(State.REGISTERED) for _ in range(2)]
    with django_capture_on_commit_callbacks(execute=True):
        for ticket in tickets:
            dispatch(ticket, supervisor_gulou, officer_gulou)
    return tickets


def bell(html: str) -> str:
    """The header's bell link, as rendered."""
    start = html.index('id="bell"')
    return html[start : html.index("</a>", start)]


def test_the_bell_in_the_page_header_shows_the_unread_count(client, two_dispatched, officer_gulou):
    client.force_login(officer_gulou)
    html = client.get("/cases/mine/").content.decode()
    assert 'text-bg-danger">2<' in bell(html)


def test_the_bell_shows_no_count_to_someone_with_nothing_unread(
    client, two_dispatched, officer_gulou_colleague
):
    client.force_login(officer_gulou_colleague)
    html = client.get("/cases/mine/").content.decode()
    assert "text-bg-danger" not in bell(html)


def test_the_inbox_lists_the_users_notifications_newest_first(
    client, two_dispatched, officer_gulou
):
    client.force_login(officer_gulou)
    response = client.get("/notifications/")
    assert response.status_code == 200
    assert [n.ticket for n in response.context["page"]] == two_dispatched[::-1]
    html = response.content.decode()
    assert all(ticket.number in html for ticket in two_dispatched)


def test_the_inbox_does_not_list_another_users_notifications(
    client, two_dispatched, officer_gulou_colleague
):
    client.force_login(officer_gulou_colleague)
    response = client.get("/notifications/")
    assert list(response.context["page"]) == []
    assert two_dispatched[0].number not in response.content.decode()


def test_opening_a_notification_marks_it_read_and_leads_to_the_ticket(
    client, two_dispatched, officer_gulou
):
    note = Notification.objects.get(ticket=two_dispatched[0])
    client.force_login(officer_gulou)
    response = client.get(f"/notifications/{note.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{two_dispatched[0].number}/"
    note.refresh_from_db()
    assert note.read_at is not None
    assert Notification.objects.get(ticket=two_dispatched[1]).read_at is None
    assert 'text-bg-danger">1<' in bell(client.get("/cases/mine/").content.decode())


def test_a_user_cannot_open_another_users_notification(
    client, two_dispatched, officer_gulou_colleague
):
    note = Notification.objects.get(ticket=two_dispatched[0])
    client.force_login(officer_gulou_colleague)
    assert client.get(f"/notifications/{note.pk}/").status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_a_notification_about_a_ticket_no_longer_in_view_leads_back_to_the_inbox(
    client, make_ticket, supervisor_gulou, handler_sanitation, django_capture_on_commit_callbacks
):
    ticket = make_ticket(State.REGISTERED)
    with django_capture_on_commit_callbacks(execute=True):
        services.refer_ticket(
            actor=supervisor_gulou,
            ticket_id=ticket.pk,
            unit_id=handler_sanitation.unit_id,
            person="陈科长",
        )
    services.return_ticket(actor=handler_sanitation, ticket_id=ticket.pk, reason="不归我们")
    note = Notification.objects.get(recipient=handler_sanitation)
    client.force_login(handler_sanitation)
    response = client.get(f"/notifications/{note.pk}/")
    assert response.status_code == 302
    assert response["Location"] == "/notifications/"


def test_marking_all_read_clears_the_bell(client, two_dispatched, officer_gulou):
    client.force_login(officer_gulou)
    response = client.post("/notifications/read/", {"next": "/cases/mine/"})
    assert response.status_code == 302
    assert response["Location"] == "/cases/mine/"
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    assert "text-bg-danger" not in bell(client.get("/cases/mine/").content.decode())


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example/"])
def test_marking_read_never_redirects_to_another_site(
    client, two_dispatched, officer_gulou, target
):
    # Browsers read "/\\evil.example/" as "//evil.example/"; Django escapes the backslash.
    client.force_login(officer_gulou)
    response = client.post("/notifications/read/", {"next": target})
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert (location.scheme, location.netloc) == ("", "")
    assert location.path.startswith("/")
    assert not location.path.startswith("//")
    assert "\\" not in location.path


def test_marking_read_does_not_touch_another_users_notifications(
    client, two_dispatched, officer_gulou_colleague
):
    client.force_login(officer_gulou_colleague)
    ids = list(Notification.objects.values_list("pk", flat=True))
    client.post("/notifications/read/", {"id": ids})
    assert Notification.objects.filter(read_at__isnull=True).count() == 2


def test_an_anonymous_visitor_is_sent_to_log_in_for_the_inbox(client):
    response = client.get("/notifications/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("value", ["²", "٣", "9" * 40, "-1", "1e3", ""])
def test_ids_that_are_no_ids_mark_nothing_and_never_fail(
    client, two_dispatched, officer_gulou, value
):
    client.force_login(officer_gulou)
    response = client.post("/notifications/read/", {"id": [value]})
    assert response.status_code == 302
    # Not one of the user's ids: nothing is marked ("mark all" is a post without ids).
    assert Notification.objects.filter(recipient=officer_gulou, read_at__isnull=True).exists()
