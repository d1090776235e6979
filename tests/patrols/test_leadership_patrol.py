"""每周巡街: a leader's walk whose problem list becomes referred tickets — the printable
responsibility list."""

import datetime

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from cases.models import Action, Source, State, Ticket
from patrols import services
from patrols.models import LeadershipProblem

pytestmark = pytest.mark.django_db

DEADLINE = "2026-11-27T17:00"


@pytest.fixture
def walk(monday, supervisor_gulou, gulou_community):
    return services.record_leadership_patrol(
        actor=supervisor_gulou,
        date=datetime.date(2026, 11, 23),
        route="黄楼社区 — 中山路 — 彭城广场",
        participants="赵队长、王建国",
    )


def problem_form(category, community, unit, **extra):
    return {
        "category": category.pk,
        "description": "中山路人行道井盖缺失",
        "community": community.pk,
        "address": "中山路18号门前",
        "unit": unit,
        "person": "陈科长",
        "deadline": DEADLINE,
        **extra,
    }


def test_a_problem_of_the_walk_becomes_a_referred_ticket_with_a_deadline(
    walk, supervisor_gulou, gulou_community, category, handler_sanitation, client
):
    client.force_login(supervisor_gulou)
    url = reverse("patrols:leadership_detail", args=[walk.pk])

    response = client.post(url, problem_form(category, gulou_community, handler_sanitation.unit_id))

    assert response.status_code == 302
    ticket = LeadershipProblem.objects.get(patrol=walk, position=1).ticket
    assert ticket.source == Source.LEADERSHIP_PATROL and ticket.state == State.REFERRED
    assert ticket.responsible_unit_id == handler_sanitation.unit_id
    assert timezone.localtime(ticket.deadline).strftime("%Y-%m-%dT%H:%M") == DEADLINE
    assert list(ticket.events.values_list("action", flat=True)) == [
        Action.CREATE,
        Action.REGISTER,
        Action.REFER,
    ]
    printable = client.get(reverse("patrols:leadership_print", args=[walk.pk])).content.decode()
    for shown in (
        "中山路人行道井盖缺失",
        "中山路18号门前",
        "环卫处",
        "2026-11-27 17:00",
        ticket.number,
    ):
        assert shown in printable


def test_a_bad_problem_form_keeps_the_input(
    walk, supervisor_gulou, gulou_community, category, client
):
    client.force_login(supervisor_gulou)
    url = reverse("patrols:leadership_detail", args=[walk.pk])

    response = client.post(
        url, problem_form(category, gulou_community, "999999", deadline="yesterday")
    )

    assert response.status_code == 400
    assert "中山路18号门前" in response.content.decode()
    assert not LeadershipProblem.objects.exists()


def test_another_brigades_supervisor_cannot_open_the_list(walk, supervisor_quanshan, client):
    client.force_login(supervisor_quanshan)

    assert client.get(reverse("patrols:leadership_detail", args=[walk.pk])).status_code == 404
    assert client.get(reverse("patrols:leadership_print", args=[walk.pk])).status_code == 404


def add_problem(actor, walk, category, community, unit_id):
    return services.add_leadership_problem(
        actor=actor,
        patrol_id=walk.pk,
        category=category,
        description="中山路人行道井盖缺失",
        community=community,
        address="中山路18号门前",
        unit_id=unit_id,
        person="陈科长",
        deadline=timezone.now() + datetime.timedelta(days=3),
    )


def test_problems_added_one_after_another_are_numbered_in_order(
    walk, supervisor_gulou, gulou_community, category, handler_sanitation
):
    # The walk is locked on its bare row (no GROUP BY): PostgreSQL refuses FOR UPDATE otherwise.
    for _ in range(2):
        add_problem(supervisor_gulou, walk, category, gulou_community, handler_sanitation.unit_id)

    assert list(walk.problems.values_list("position", flat=True)) == [1, 2]


def test_another_brigades_supervisor_cannot_add_a_problem_to_the_walk(
    walk, supervisor_quanshan, taishan_community, category, handler_sanitation
):
    with pytest.raises(Http404):
        add_problem(
            supervisor_quanshan, walk, category, taishan_community, handler_sanitation.unit_id
        )

    assert not LeadershipProblem.objects.exists()
    assert not Ticket.objects.exists()


def test_an_officer_cannot_record_a_leadership_patrol(monday, officer_gulou, client):
    client.force_login(officer_gulou)

    response = client.post(
        reverse("patrols:leadership_list"), {"date": "2026-11-23", "route": "中山路"}
    )

    assert response.status_code == 403


def test_a_leader_records_a_walk_on_the_list_page(monday, supervisor_gulou, client):
    client.force_login(supervisor_gulou)

    response = client.post(
        reverse("patrols:leadership_list"), {"date": "2026-11-23", "route": "中山路"}
    )

    assert response.status_code == 302
    assert client.get(reverse("patrols:leadership_list")).context["walks"][0].route == "中山路"
