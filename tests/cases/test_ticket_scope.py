"""Who sees which tickets: ``tickets_visible_to`` per role, and the pages built on it. A ticket
outside one's scope is a 404 everywhere (indistinguishable from one that does not exist); a page
meant for another role is a 403; anonymous visitors are sent to the login page."""

import datetime
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from cases import services
from cases.models import Photo, Source, State
from cases.selectors import tickets_visible_to
from grids.models import Assignment
from tests.factories import CommunityFactory, GridCellFactory, square

pytestmark = pytest.mark.django_db


@pytest.fixture
def sudi_community(gulou_community):
    """苏堤社区: another community of 鼓楼一大队, to which officer_gulou is not posted."""
    community = CommunityFactory(
        street=gulou_community.street, code="002", name="苏堤社区", brigade=gulou_community.brigade
    )
    GridCellFactory(community=community, code="001", boundary=square(0, 4))
    return community


@pytest.fixture
def tickets(
    make_ticket,
    sudi_community,
    gulou_community,
    category,
    supervisor_gulou,
    officer_gulou,
    handler_municipal,
):
    """One ticket of each kind of relation to the cast."""
    in_sudi = [
        services.create_ticket(
            actor=None,
            source=Source.HOTLINE,
            category=category,
            description="苏堤路垃圾",
            community=sudi_community,
        )
        for _ in range(2)
    ]
    for ticket in in_sudi:
        services.register_ticket(actor=supervisor_gulou, ticket_id=ticket.pk)
    services.dispatch_ticket(
        actor=supervisor_gulou, ticket_id=in_sudi[0].pk, officer_id=officer_gulou.officer.pk
    )
    to_municipal = make_ticket(State.REGISTERED)
    services.refer_ticket(
        actor=supervisor_gulou,
        ticket_id=to_municipal.pk,
        unit_id=handler_municipal.unit_id,
        person="周工",
    )
    return SimpleNamespace(
        reported_in_my_grid=make_ticket(State.REPORTED),
        dispatched_to_me=make_ticket(State.DISPATCHED),
        referred_to_sanitation=make_ticket(State.REFERRED),
        referred_to_municipal=to_municipal,
        on_no_grid_in_my_community=services.create_ticket(
            actor=None,
            source=Source.HOTLINE,
            category=category,
            description="黄楼某处垃圾",
            community=gulou_community,
        ),
        mine_outside_my_grids=in_sudi[0],
        outside_my_grids=in_sudi[1],
        quanshan=make_ticket(State.DISPATCHED, place="quanshan"),
        quanshan_referred_to_sanitation=make_ticket(State.REFERRED, place="quanshan"),
    )


def visible(user, tickets) -> set[str]:
    """Names (from the ``tickets`` fixture) of the tickets the user may see."""
    pks = set(tickets_visible_to(user).values_list("pk", flat=True))
    return {name for name, ticket in vars(tickets).items() if ticket.pk in pks}


ALL = {
    "reported_in_my_grid",
    "dispatched_to_me",
    "referred_to_sanitation",
    "referred_to_municipal",
    "on_no_grid_in_my_community",
    "mine_outside_my_grids",
    "outside_my_grids",
    "quanshan",
    "quanshan_referred_to_sanitation",
}
GULOU = ALL - {"quanshan", "quanshan_referred_to_sanitation"}


# --- tickets_visible_to ---------------------------------------------------------------------


def test_an_officer_sees_the_tickets_of_their_grids_and_those_dispatched_to_them(
    tickets, officer_gulou
):
    assert visible(officer_gulou, tickets) == {
        "reported_in_my_grid",
        "dispatched_to_me",
        "referred_to_sanitation",
        "referred_to_municipal",
        "on_no_grid_in_my_community",
        "mine_outside_my_grids",
    }


def test_an_officer_of_another_brigade_sees_none_of_these_gulou_tickets(tickets, officer_quanshan):
    assert visible(officer_quanshan, tickets) == {"quanshan", "quanshan_referred_to_sanitation"}


def test_an_officer_whose_posting_has_ended_no_longer_sees_its_grids(tickets, officer_gulou):
    Assignment.objects.filter(officer__user=officer_gulou).update(
        valid_to=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert visible(officer_gulou, tickets) == {"dispatched_to_me", "mine_outside_my_grids"}


def test_a_supervisor_sees_every_ticket_of_their_brigade_and_none_of_another(
    tickets, supervisor_gulou, supervisor_quanshan
):
    assert visible(supervisor_gulou, tickets) == GULOU
    assert visible(supervisor_quanshan, tickets) == {"quanshan", "quanshan_referred_to_sanitation"}


def test_the_command_centre_sees_every_ticket_of_the_city(tickets, command_supervisor):
    assert visible(command_supervisor, tickets) == ALL


def test_a_handler_sees_only_the_tickets_referred_to_their_unit(
    tickets, handler_sanitation, handler_municipal
):
    assert visible(handler_sanitation, tickets) == {
        "referred_to_sanitation",
        "quanshan_referred_to_sanitation",
    }
    assert visible(handler_municipal, tickets) == {"referred_to_municipal"}


def test_a_handler_loses_sight_of_a_ticket_once_they_return_it(tickets, handler_sanitation):
    services.return_ticket(
        actor=handler_sanitation, ticket_id=tickets.referred_to_sanitation.pk, reason="不归我们"
    )
    assert visible(handler_sanitation, tickets) == {"quanshan_referred_to_sanitation"}


def test_a_resident_and_an_anonymous_visitor_see_no_ticket(tickets, resident):
    assert visible(resident, tickets) == set()
    assert visible(AnonymousUser(), tickets) == set()


def test_an_assessor_reads_every_ticket_but_moves_none(tickets, assessor, officer_gulou):
    assert visible(assessor, tickets) == ALL
    with pytest.raises(PermissionDenied):
        services.register_ticket(actor=assessor, ticket_id=tickets.reported_in_my_grid.pk)
    with pytest.raises(PermissionDenied):
        services.start_ticket(actor=assessor, ticket_id=tickets.dispatched_to_me.pk)


# --- the ticket page --------------------------------------------------------------------------


def test_an_officer_of_another_brigade_gets_not_found_for_a_ticket_page(
    client, make_ticket, officer_quanshan
):
    ticket = make_ticket(State.DISPATCHED)
    client.force_login(officer_quanshan)
    assert client.get(f"/cases/{ticket.number}/").status_code == 404


def test_the_officer_of_the_grid_opens_the_ticket_page(client, make_ticket, officer_gulou):
    ticket = make_ticket(State.DISPATCHED)
    client.force_login(officer_gulou)
    response = client.get(f"/cases/{ticket.number}/")
    assert response.status_code == 200
    assert ticket.number in response.content.decode()


def test_a_supervisor_of_another_brigade_gets_not_found_for_a_ticket_page(
    client, make_ticket, supervisor_quanshan
):
    ticket = make_ticket(State.REGISTERED)
    client.force_login(supervisor_quanshan)
    assert client.get(f"/cases/{ticket.number}/").status_code == 404


def test_the_brigades_supervisor_opens_the_ticket_page(client, make_ticket, supervisor_gulou):
    ticket = make_ticket(State.REGISTERED)
    client.force_login(supervisor_gulou)
    assert client.get(f"/cases/{ticket.number}/").status_code == 200


def test_a_ticket_that_does_not_exist_looks_the_same_as_one_out_of_scope(client, supervisor_gulou):
    client.force_login(supervisor_gulou)
    assert client.get("/cases/XZ20991231-9999/").status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in_for_a_ticket_page(client, make_ticket):
    ticket = make_ticket(State.REGISTERED)
    response = client.get(f"/cases/{ticket.number}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


# --- photos -----------------------------------------------------------------------------------


@pytest.fixture
def gulou_photo(make_ticket) -> Photo:
    """The after photo of a resolved 鼓楼 ticket."""
    return Photo.objects.get(ticket=make_ticket(State.RESOLVED))


def test_a_photo_of_another_brigades_ticket_is_not_found(client, gulou_photo, officer_quanshan):
    client.force_login(officer_quanshan)
    assert client.get(f"/cases/photos/{gulou_photo.pk}/").status_code == 404
    assert client.get(f"/cases/photos/{gulou_photo.pk}/thumb/").status_code == 404


def test_the_brigades_supervisor_gets_the_photo_as_a_private_image(
    client, gulou_photo, supervisor_gulou
):
    client.force_login(supervisor_gulou)
    for url in (f"/cases/photos/{gulou_photo.pk}/", f"/cases/photos/{gulou_photo.pk}/thumb/"):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert response["Cache-Control"] == "private, max-age=86400"
        assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"  # a JPEG


def test_a_handler_of_an_unrelated_unit_cannot_get_the_photo(
    client, gulou_photo, handler_municipal
):
    client.force_login(handler_municipal)
    assert client.get(f"/cases/photos/{gulou_photo.pk}/").status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in_for_a_photo(client, gulou_photo):
    response = client.get(f"/cases/photos/{gulou_photo.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


# --- queues -----------------------------------------------------------------------------------


def test_the_supervisors_queue_lists_their_brigades_tickets_only(client, tickets, supervisor_gulou):
    client.force_login(supervisor_gulou)
    response = client.get("/cases/", {"status": "all"})
    assert response.status_code == 200
    listed = {t.pk for t in response.context["page"].object_list}
    assert listed == {getattr(tickets, name).pk for name in GULOU}


def test_an_officer_is_forbidden_the_supervisors_queue(client, officer_gulou):
    client.force_login(officer_gulou)
    assert client.get("/cases/").status_code == 403


def test_a_handler_is_forbidden_the_supervisors_queue(client, handler_sanitation):
    client.force_login(handler_sanitation)
    assert client.get("/cases/").status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in_for_the_queue(client):
    response = client.get("/cases/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_my_tasks_lists_only_the_tickets_dispatched_to_me(
    client, make_ticket, officer_gulou, officer_gulou_colleague, supervisor_gulou
):
    mine = make_ticket(State.DISPATCHED)
    colleagues = make_ticket(State.REGISTERED)
    services.dispatch_ticket(
        actor=supervisor_gulou,
        ticket_id=colleagues.pk,
        officer_id=officer_gulou_colleague.officer.pk,
    )
    elsewhere = make_ticket(State.DISPATCHED, place="quanshan")
    client.force_login(officer_gulou)
    response = client.get("/cases/mine/")
    assert response.status_code == 200
    assert [t.pk for t in response.context["tasks"]] == [mine.pk]
    # The colleague's ticket is in my grids, so it shows below as "open in my grids".
    assert [t.pk for t in response.context["in_grids"]] == [colleagues.pk]
    assert elsewhere.number not in response.content.decode()


def test_a_supervisor_is_forbidden_the_officers_task_list(client, supervisor_gulou):
    client.force_login(supervisor_gulou)
    assert client.get("/cases/mine/").status_code == 403


def test_the_unit_list_shows_only_tickets_referred_to_the_handlers_unit(
    client, tickets, handler_sanitation
):
    client.force_login(handler_sanitation)
    response = client.get("/cases/unit/")
    assert response.status_code == 200
    assert {t.pk for t in response.context["open_tickets"]} == {
        tickets.referred_to_sanitation.pk,
        tickets.quanshan_referred_to_sanitation.pk,
    }
    assert tickets.referred_to_municipal.number not in response.content.decode()


def test_an_officer_is_forbidden_the_unit_list(client, officer_gulou):
    client.force_login(officer_gulou)
    assert client.get("/cases/unit/").status_code == 403


def test_uploads_are_not_served_at_a_public_media_url_even_in_development(settings):
    import importlib

    from django.urls import Resolver404, clear_url_caches, resolve

    import web.urls

    settings.DEBUG = True  # the URLconf is read again as `make run` would read it
    try:
        importlib.reload(web.urls)
        clear_url_caches()
        with pytest.raises(Resolver404):
            resolve("/media/tickets/2026/11/0123456789abcdef.jpg")
    finally:
        settings.DEBUG = False
        importlib.reload(web.urls)
        clear_url_caches()
