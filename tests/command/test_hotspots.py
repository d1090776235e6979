"""Hotspots (≥ N tickets of one category in one unit grid within D days) and the governance
task a supervisor opens from one: a ticket of its own, referred, with the recurring tickets
linked and every step in the audit trail; counted by the assessment once cured."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.indicators import Window, totals_filters
from cases import services as case_services
from cases.models import Source, State, Ticket, TicketEvent
from command import hotspots
from command.models import GovernanceEvent, GovernanceTask
from command.services import open_governance_task
from tests.factories import processed_photo

LIST = reverse("command:hotspots")
OPEN = reverse("command:open_task")


@pytest.fixture
def recurring(make_ticket):
    """Three reports of 暴露垃圾 in 黄楼社区's grid 001 within the month: a hotspot."""
    return [make_ticket(State.REPORTED) for _i in range(3)]


def _post(client, user, ticket, handler, **extra):
    client.force_login(user)
    data = {
        "grid_cell": ticket.grid_cell_id,
        "category": ticket.category_id,
        "description": "垃圾反复堆放：增设垃圾桶，约谈物业",
        "unit": handler.unit_id,
        "person": "陈科长",
        **extra,
    }
    return client.post(OPEN, data)


@pytest.mark.django_db
def test_three_tickets_of_one_category_in_one_grid_make_a_hotspot(recurring, supervisor_gulou):
    rows = hotspots.hotspots(supervisor_gulou)

    assert [(r["category"], r["current"], r["previous"]) for r in rows] == [("暴露垃圾", 3, 0)]


@pytest.mark.django_db
def test_two_are_not_a_hotspot_unless_the_setting_says_so(make_ticket, supervisor_gulou, settings):
    make_ticket(State.REPORTED)
    make_ticket(State.REPORTED)

    assert hotspots.hotspots(supervisor_gulou) == []
    settings.CITYMGMT_HOTSPOT_MIN_TICKETS = 2
    assert len(hotspots.hotspots(supervisor_gulou)) == 1


@pytest.mark.django_db
def test_the_trend_compares_with_the_period_before(recurring, make_ticket, supervisor_gulou):
    older = make_ticket(State.CLOSED)
    Ticket.objects.filter(pk=older.pk).update(
        reported_at=timezone.now() - datetime.timedelta(days=40)
    )
    rejected = make_ticket(State.REJECTED)  # nothing there: not a recurrence

    (row,) = hotspots.hotspots(supervisor_gulou)

    assert (row["current"], row["previous"], row["change"]) == (3, 1, 2)
    assert rejected.pk not in hotspots.recurring_tickets(
        supervisor_gulou,
        grid_cell_id=row["grid_cell_id"],
        category_id=row["category_id"],
        since=timezone.now() - datetime.timedelta(days=30),
    ).values_list("pk", flat=True)


@pytest.mark.django_db
def test_a_supervisor_never_sees_another_brigades_hotspots(client, recurring, supervisor_quanshan):
    client.force_login(supervisor_quanshan)

    response = client.get(LIST)

    assert hotspots.hotspots(supervisor_quanshan) == []
    assert "暴露垃圾" not in response.content.decode()


@pytest.mark.django_db
def test_the_hotspots_page_lists_them_with_a_heat_layer_in_constant_queries(
    client, recurring, make_ticket, command_supervisor, enforceable_category
):
    client.force_login(command_supervisor)
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        response = client.get(LIST)
    for _i in range(3):
        make_ticket(State.REPORTED, place="quanshan", category=enforceable_category)

    with CaptureQueriesContext(connection) as many:
        again = client.get(LIST)

    assert response.status_code == 200 and b"leaflet-heat.js" in response.content
    assert again.content.decode().count('class="hotspot') == 2
    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.django_db
def test_a_hotspot_becomes_a_governance_task_referred_with_the_recurring_tickets_linked(
    client, recurring, supervisor_gulou, handler_sanitation
):
    response = _post(client, supervisor_gulou, recurring[0], handler_sanitation)

    task = GovernanceTask.objects.get()
    ticket = task.ticket
    assert response.status_code == 302 and response["Location"] == ticket.get_absolute_url()
    assert ticket.source == Source.GOVERNANCE
    assert ticket.state == State.REFERRED
    assert ticket.responsible_unit_id == handler_sanitation.unit_id
    assert ticket.brigade_id == supervisor_gulou.unit_id
    assert set(task.recurring.all()) == set(recurring)
    assert list(ticket.events.values_list("action", flat=True)) == [
        "create",
        "register",
        "refer",
        GovernanceEvent.OPENED,
    ]
    assert ticket.events.last().data["linked"] == [t.number for t in recurring]
    assert (
        TicketEvent.objects.filter(
            ticket__in=recurring, action=GovernanceEvent.LINKED, data__task=ticket.number
        ).count()
        == 3
    )


@pytest.mark.django_db
def test_the_ticket_pages_show_the_link_both_ways(
    client, recurring, supervisor_gulou, handler_sanitation
):
    _post(client, supervisor_gulou, recurring[0], handler_sanitation)
    task = GovernanceTask.objects.get()

    on_task = client.get(task.ticket.get_absolute_url()).content.decode()
    on_recurring = client.get(recurring[1].get_absolute_url()).content.decode()

    assert all(t.number in on_task for t in recurring)
    assert task.ticket.number in on_recurring


@pytest.mark.django_db
def test_a_second_task_for_the_same_hotspot_is_refused(
    client, recurring, supervisor_gulou, handler_sanitation
):
    _post(client, supervisor_gulou, recurring[0], handler_sanitation)

    again = _post(client, supervisor_gulou, recurring[0], handler_sanitation)

    assert again.status_code == 400
    assert GovernanceTask.objects.count() == 1


@pytest.mark.django_db
def test_a_form_error_comes_back_with_the_input_kept(
    client, recurring, supervisor_gulou, handler_sanitation
):
    response = _post(client, supervisor_gulou, recurring[0], handler_sanitation, person="")

    assert response.status_code == 400
    assert "垃圾反复堆放：增设垃圾桶，约谈物业" in response.content.decode()
    assert not GovernanceTask.objects.exists()


@pytest.mark.django_db
def test_another_brigades_supervisor_cannot_open_a_task_on_our_hotspot(
    client, recurring, supervisor_quanshan, handler_sanitation
):
    response = _post(client, supervisor_quanshan, recurring[0], handler_sanitation)

    assert response.status_code == 403
    assert not Ticket.objects.filter(source=Source.GOVERNANCE).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["officer_gulou", "handler_sanitation", "assessor"])
def test_others_than_supervisors_are_refused_hotspots(
    client, request, recurring, handler_sanitation, who
):
    user = request.getfixturevalue(who)

    assert _post(client, user, recurring[0], handler_sanitation).status_code == 403
    assert client.get(LIST).status_code == 403
    assert not GovernanceTask.objects.exists()


@pytest.mark.django_db
def test_the_assessment_counts_governance_tasks_cured_at_the_source(
    recurring, supervisor_gulou, handler_sanitation, media
):
    task = open_governance_task(
        actor=supervisor_gulou,
        grid_cell_id=recurring[0].grid_cell_id,
        category_id=recurring[0].category_id,
        unit_id=handler_sanitation.unit_id,
        person="陈科长",
        description="增设垃圾桶",
    )
    window = Window.of(timezone.localdate().replace(day=1))
    filters = totals_filters(window)

    def count(name: str) -> int:
        return Ticket.objects.filter(filters[name]).count()

    assert (count("governance_opened"), count("governance_cured")) == (1, 0)
    case_services.resolve_ticket(
        actor=handler_sanitation,
        ticket_id=task.ticket_id,
        note="已增设",
        photos=[processed_photo()],
    )
    case_services.verify_ticket(actor=supervisor_gulou, ticket_id=task.ticket_id, passed=True)
    assert (count("governance_opened"), count("governance_cured")) == (1, 1)
