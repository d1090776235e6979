"""Possible duplicates: open tickets of the same category within the category's radius and 72 h,
nearest first; offered to the supervisor on the ticket page, and linked by rejecting a report as
a duplicate of the original."""

import datetime

import pytest
from django.utils import timezone

from cases.models import Action, Category, RejectReason, Source, State, Ticket, TicketEvent
from cases.selectors import distance_m, possible_duplicates
from grids.geometry import offset
from grids.models import Community, GridCell

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
_serial = iter(range(1, 10_000))


def garbage() -> Category:
    """暴露垃圾: duplicates within 50 m."""
    return Category.objects.get(kind="event", code="0102")


def point_from(cell: GridCell, east_m: float, north_m: float = 0.0) -> dict:
    lng, lat = offset(cell.centroid_lng, cell.centroid_lat, east_m, north_m)
    return {"lat": lat, "lng": lng}


def add(community: Community, *, east_m: float = 0.0, north_m: float = 0.0, **fields) -> Ticket:
    """A ticket ``east_m``/``north_m`` metres from the centre of the community's first grid."""
    cell = GridCell.objects.filter(community=community).order_by("code").first()
    values = {
        "number": f"XZ20260301-{next(_serial):04d}",
        "source": Source.HOTLINE,
        "category": garbage(),
        "description": "小区门口垃圾堆积",
        "grid_cell": cell,
        "community": community,
        "street_id": community.street_id,
        "district_id": community.street.district_id,
        "brigade_id": community.brigade_id,
        **point_from(cell, east_m, north_m),
    }
    values.update(fields)
    return Ticket.objects.create(**values)


@pytest.fixture
def report(gulou_community) -> Ticket:
    """The new report the supervisor is looking at, at the centre of 黄楼 grid 001."""
    return add(gulou_community, description="垃圾桶满了溢出来")


def numbers(tickets) -> list[str]:
    return [t.number for t in tickets]


# --- the selector ---------------------------------------------------------------------------------


def test_the_points_used_here_are_as_far_apart_as_they_say(gulou_community, report):
    near = add(gulou_community, east_m=30)
    far = add(gulou_community, east_m=80)
    assert distance_m(report.lat, report.lng, near.lat, near.lng) == pytest.approx(30, abs=0.5)
    assert distance_m(report.lat, report.lng, far.lat, far.lng) == pytest.approx(80, abs=0.5)
    assert garbage().duplicate_radius_m == 50


def test_an_open_ticket_of_the_same_category_nearby_is_a_possible_duplicate(
    command_supervisor, gulou_community, report
):
    original = add(gulou_community, east_m=30, reported_at=report.reported_at - 5 * HOUR)
    found = possible_duplicates(report, command_supervisor)
    assert numbers(found) == [original.number]
    assert found[0].distance_m == pytest.approx(30, abs=0.5)


def test_a_ticket_of_another_category_is_not_a_duplicate(
    command_supervisor, gulou_community, report
):
    add(gulou_community, east_m=10, category=Category.objects.get(kind="event", code="0104"))
    assert possible_duplicates(report, command_supervisor) == []


def test_a_ticket_farther_than_the_radius_is_not_a_duplicate(
    command_supervisor, gulou_community, report
):
    add(gulou_community, east_m=80)
    add(gulou_community, east_m=-60, north_m=10)
    assert possible_duplicates(report, command_supervisor) == []


def test_the_radius_is_the_categorys(command_supervisor, gulou_community):
    noise = Category.objects.get(kind="event", code="0301")  # 施工扰民: 200 m
    assert noise.duplicate_radius_m == 200
    report = add(gulou_community, category=noise)
    original = add(gulou_community, east_m=80, category=noise)
    assert numbers(possible_duplicates(report, command_supervisor)) == [original.number]


def test_a_ticket_older_than_72_hours_is_not_a_duplicate(
    command_supervisor, gulou_community, report
):
    add(gulou_community, east_m=20, reported_at=report.reported_at - 73 * HOUR)
    recent = add(gulou_community, east_m=25, reported_at=report.reported_at - 71 * HOUR)
    assert numbers(possible_duplicates(report, command_supervisor)) == [recent.number]


@pytest.mark.parametrize("state", [State.CLOSED, State.REJECTED])
def test_a_closed_or_rejected_ticket_is_not_a_duplicate(
    command_supervisor, gulou_community, report, state
):
    add(gulou_community, east_m=10, state=state)
    assert possible_duplicates(report, command_supervisor) == []


@pytest.mark.parametrize(
    "state", [State.REGISTERED, State.DISPATCHED, State.REFERRED, State.RESOLVED]
)
def test_a_ticket_being_worked_on_is_still_a_possible_duplicate(
    command_supervisor, gulou_community, report, state
):
    original = add(gulou_community, east_m=10, state=state)
    assert numbers(possible_duplicates(report, command_supervisor)) == [original.number]


def test_a_ticket_is_not_its_own_duplicate(command_supervisor, gulou_community, report):
    assert possible_duplicates(report, command_supervisor) == []


def test_the_nearest_comes_first(command_supervisor, gulou_community, report):
    at_40 = add(gulou_community, east_m=40)
    at_10 = add(gulou_community, north_m=-10)
    at_25 = add(gulou_community, east_m=-25)
    assert numbers(possible_duplicates(report, command_supervisor)) == [
        at_10.number,
        at_25.number,
        at_40.number,
    ]


def test_a_report_without_a_point_or_already_closed_has_no_duplicates(
    command_supervisor, gulou_community
):
    add(gulou_community)
    pointless = add(gulou_community, lat=None, lng=None)
    assert possible_duplicates(pointless, command_supervisor) == []
    closed = add(gulou_community, east_m=5, state=State.CLOSED)
    assert possible_duplicates(closed, command_supervisor) == []


# --- on the ticket page ---------------------------------------------------------------------------


@pytest.fixture
def as_supervisor(client, supervisor_gulou):
    client.force_login(supervisor_gulou)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_the_supervisor_sees_the_possible_duplicates_card(as_supervisor, gulou_community, report):
    original = add(gulou_community, east_m=30, description="东门垃圾没人收")
    html = as_supervisor.get(f"/cases/{report.number}/").content.decode()
    assert 'class="card border-warning mb-3 possible-duplicates"' in html
    card = html.split("possible-duplicates", 1)[1]
    assert original.number in card
    assert "30 m away" in card


def test_there_is_no_card_when_nothing_is_near(as_supervisor, gulou_community, report):
    add(gulou_community, east_m=80)
    html = as_supervisor.get(f"/cases/{report.number}/").content.decode()
    assert "possible-duplicates" not in html


def test_the_officer_does_not_get_the_duplicates_card(
    client, officer_gulou, gulou_community, report
):
    add(gulou_community, east_m=30)
    client.force_login(officer_gulou)
    response = client.get(f"/cases/{report.number}/")
    assert response.status_code == 200  # the report is in the officer's grid
    assert "possible-duplicates" not in response.content.decode()


def test_the_card_offers_only_tickets_the_supervisor_may_see(
    as_supervisor, gulou_community, taishan_community
):
    # 施工扰民 has a 200 m radius: a 泉山 ticket across the boundary is within it.
    noise = Category.objects.get(kind="event", code="0301")
    report = add(gulou_community, north_m=40, category=noise)
    theirs = add(taishan_community, north_m=-40, category=noise, description="泉山工地夜间施工")
    assert distance_m(report.lat, report.lng, theirs.lat, theirs.lng) < 200
    response = as_supervisor.get(f"/cases/{report.number}/")
    html = response.content.decode()
    assert theirs.number not in html
    assert "泉山工地夜间施工" not in html
    assert as_supervisor.get(f"/cases/{theirs.number}/").status_code == 404


# --- rejecting as a duplicate ---------------------------------------------------------------------


def reject(client, ticket: Ticket, duplicate_of: str, reason: str = RejectReason.DUPLICATE):
    return client.post(
        f"/cases/{ticket.number}/reject/",
        {
            "reject-reason": reason,
            "reject-duplicate_of": duplicate_of,
            "reject-note": "已有相同投诉，正在处理",
            "reject-expected_state": ticket.state,
        },
    )


def test_rejecting_as_a_duplicate_links_the_original_and_notes_it_on_its_timeline(
    as_supervisor, supervisor_gulou, gulou_community, report
):
    original = add(gulou_community, east_m=30, state=State.DISPATCHED)
    response = reject(as_supervisor, report, f"  {original.number} ")
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == State.REJECTED
    assert report.reject_reason == RejectReason.DUPLICATE
    assert report.duplicate_of == original
    rejection = TicketEvent.objects.get(ticket=report, action=Action.REJECT)
    assert rejection.actor == supervisor_gulou
    assert rejection.data["duplicate_of"] == original.number
    linked = TicketEvent.objects.get(ticket=original, action=Action.DUPLICATE_LINKED)
    assert linked.actor == supervisor_gulou
    assert linked.data == {"duplicate": report.number}
    original.refresh_from_db()
    assert original.state == State.DISPATCHED
    assert list(original.duplicates.all()) == [report]
    page = as_supervisor.get(f"/cases/{original.number}/").content.decode()
    assert report.number in page.split('id="timeline"', 1)[1]


def test_rejecting_as_a_duplicate_of_another_brigades_ticket_is_refused(
    as_supervisor, gulou_community, taishan_community, report
):
    theirs = add(taishan_community)
    response = reject(as_supervisor, report, theirs.number)
    assert response.status_code == 400
    reject_form = next(f for spec, f in response.context["actions"] if spec.name == "reject")
    assert "one you can see" in reject_form.errors["duplicate_of"][0]
    report.refresh_from_db()
    assert report.state == State.REPORTED and report.duplicate_of is None
    assert not TicketEvent.objects.exists()


@pytest.mark.parametrize("number", ["XZ20990101-0001", "not-a-number", "self"])
def test_rejecting_as_a_duplicate_of_no_such_ticket_is_refused(
    as_supervisor, gulou_community, report, number
):
    response = reject(as_supervisor, report, report.number if number == "self" else number)
    assert response.status_code == 400
    assert "one you can see" in response.content.decode()
    report.refresh_from_db()
    assert report.state == State.REPORTED
    assert not TicketEvent.objects.exists()


def test_rejecting_as_a_duplicate_needs_the_original_number(as_supervisor, report):
    response = reject(as_supervisor, report, "")
    assert response.status_code == 400
    assert "Give the number of the original ticket." in response.content.decode()
    report.refresh_from_db()
    assert report.state == State.REPORTED


@pytest.mark.parametrize("state", [State.REJECTED, State.CLOSED])
def test_rejecting_as_a_duplicate_of_a_finished_ticket_is_refused(
    as_supervisor, gulou_community, report, state
):
    # reject_ticket's contract: "a duplicate of an open ticket"; a reporter sent to follow a
    # rejected or closed ticket would never see their problem handled.
    finished = add(gulou_community, east_m=10, state=state, reported_at=timezone.now() - HOUR)
    response = reject(as_supervisor, report, finished.number)
    assert response.status_code == 400
    report.refresh_from_db()
    assert report.state == State.REPORTED and report.duplicate_of is None


def test_an_officer_cannot_reject_as_a_duplicate(client, officer_gulou, gulou_community, report):
    original = add(gulou_community, east_m=30)
    client.force_login(officer_gulou)
    response = reject(client, report, original.number)
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.state == State.REPORTED
    assert not TicketEvent.objects.exists()
