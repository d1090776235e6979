"""The big screen: today's figures by the assessment's definitions, in the viewer's scope, in a
constant number of queries; the page is the supervisors' only."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Source, State, Ticket
from tests.cases.conftest import GULOU_POINT

DATA = reverse("command:screen_data")


def _screen(client, user):
    client.force_login(user)
    response = client.get(DATA)
    assert response.status_code == 200
    return response.json()


def _hotline(category):
    return services.create_ticket(
        actor=None,
        source=Source.HOTLINE,
        category=category,
        description="12345 转来：路边垃圾",
        lat=GULOU_POINT[0],
        lng=GULOU_POINT[1],
    )


@pytest.mark.django_db
def test_todays_figures_count_residents_reports_hotline_orders_and_the_overdue(
    client, make_ticket, command_supervisor, category
):
    make_ticket(State.REPORTED)  # a resident's report
    make_ticket(State.REPORTED, place="quanshan")
    _hotline(category)
    late = make_ticket(State.DISPATCHED)
    Ticket.objects.filter(pk=late.pk).update(deadline=timezone.now() - datetime.timedelta(hours=1))

    today = _screen(client, command_supervisor)["today"]

    assert today["residents"] == 3
    assert today["hotline"] == 1
    assert today["overdue"] == 1
    assert today["found"] == 0 and today["satisfaction"] is None


@pytest.mark.django_db
def test_a_brigade_supervisors_screen_counts_their_brigade_only(
    client, make_ticket, supervisor_gulou
):
    make_ticket(State.REPORTED)
    make_ticket(State.REPORTED, place="quanshan")

    body = _screen(client, supervisor_gulou)

    assert body["today"]["residents"] == 1
    assert [r["brigade"] for r in body["ranking"]] == ["鼓楼执法监督一大队"]
    assert all(t["community"] == "黄楼社区" for t in body["latest"])


@pytest.mark.django_db
def test_the_latest_reports_show_a_new_complaint_first(client, make_ticket, command_supervisor):
    make_ticket(State.REGISTERED)
    newest = make_ticket(State.REPORTED, place="quanshan")

    latest = _screen(client, command_supervisor)["latest"]

    assert latest[0]["number"] == newest.number
    assert latest[0]["community"] == "泰山社区"


@pytest.mark.django_db
def test_the_ranking_orders_brigades_by_on_time_disposal_this_month(
    client, make_ticket, command_supervisor
):
    on_time = make_ticket(State.RESOLVED, place="quanshan")
    late = make_ticket(State.RESOLVED, place="gulou")
    now = timezone.now()
    Ticket.objects.filter(pk=on_time.pk).update(deadline=now - datetime.timedelta(minutes=1))
    Ticket.objects.filter(pk=late.pk).update(
        deadline=now - datetime.timedelta(minutes=1), resolved_at=now
    )
    Ticket.objects.filter(pk=on_time.pk).update(resolved_at=now - datetime.timedelta(minutes=5))

    ranking = _screen(client, command_supervisor)["ranking"]

    assert [(r["rank"], r["brigade"], r["on_time"]) for r in ranking] == [
        (1, "泉山执法监督三大队", 100.0),
        (2, "鼓楼执法监督一大队", 0.0),
    ]


@pytest.mark.django_db
def test_the_screen_data_takes_the_same_number_of_queries_however_many_tickets(
    client, make_ticket, command_supervisor
):
    client.force_login(command_supervisor)
    make_ticket(State.REPORTED)
    client.get(DATA)
    with CaptureQueriesContext(connection) as few:
        client.get(DATA)
    for place in ("gulou", "quanshan", "gulou"):
        make_ticket(State.CLOSED, place=place)
        make_ticket(State.DISPATCHED, place=place)

    with CaptureQueriesContext(connection) as many:
        client.get(DATA)

    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.django_db
def test_the_big_screen_is_a_dark_page_of_its_own(client, command_supervisor):
    client.force_login(command_supervisor)

    response = client.get(reverse("command:screen"))

    assert response.status_code == 200
    assert b'class="big-screen"' in response.content
    assert b"screen-config" in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["officer_gulou", "handler_sanitation", "assessor"])
def test_others_than_supervisors_are_refused_the_screen(client, request, who):
    client.force_login(request.getfixturevalue(who))

    assert client.get(reverse("command:screen")).status_code == 403
    assert client.get(DATA).status_code == 403
