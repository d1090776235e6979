"""Patrol sessions: one open per officer, points inside the city only, distance and grids."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404

from patrols import services
from patrols.models import PatrolPoint, PatrolSession
from tests.patrols.conftest import BETWEEN_GRIDS, GULOU_001, GULOU_002, OUTSIDE_CITY

pytestmark = pytest.mark.django_db


def test_starting_a_patrol_opens_one_session(officer_gulou):
    session, created = services.start_patrol(actor=officer_gulou)

    assert created
    assert session.is_open
    assert session.brigade_id == officer_gulou.officer.brigade_id


def test_a_second_start_resumes_the_open_patrol(officer_gulou):
    first, _ = services.start_patrol(actor=officer_gulou)

    second, created = services.start_patrol(actor=officer_gulou)

    assert not created
    assert second.pk == first.pk
    assert PatrolSession.objects.filter(officer__user=officer_gulou).count() == 1


def test_after_ending_a_patrol_a_new_one_starts(officer_gulou):
    first, _ = services.start_patrol(actor=officer_gulou)
    services.end_patrol(actor=officer_gulou, session_id=first.pk, notes="巡查黄楼社区")

    second, created = services.start_patrol(actor=officer_gulou)

    assert created and second.pk != first.pk
    first.refresh_from_db()
    assert first.ended_at is not None and first.notes == "巡查黄楼社区"


def test_the_database_refuses_a_second_open_patrol(officer_gulou):
    services.start_patrol(actor=officer_gulou)
    officer = officer_gulou.officer

    with pytest.raises(IntegrityError), transaction.atomic():
        PatrolSession.objects.create(officer=officer, brigade_id=officer.brigade_id)


def test_a_supervisor_cannot_start_a_patrol(supervisor_gulou):
    with pytest.raises(PermissionDenied):
        services.start_patrol(actor=supervisor_gulou)


def test_points_extend_the_distance_and_the_grids_visited(officer_gulou):
    session, _ = services.start_patrol(actor=officer_gulou)

    services.record_point(
        actor=officer_gulou, session_id=session.pk, lat=GULOU_001[0], lng=GULOU_001[1], accuracy_m=8
    )
    services.record_point(
        actor=officer_gulou,
        session_id=session.pk,
        lat=GULOU_002[0],
        lng=GULOU_002[1],
        accuracy_m=12,
    )

    session.refresh_from_db()
    assert session.point_count == 2
    assert session.distance_m == pytest.approx(100, abs=1)
    assert sorted(c.code[-3:] for c in session.grids_visited.all()) == ["001", "002"]
    assert list(session.points.values_list("accuracy_m", flat=True)) == [8, 12]


def test_a_point_between_grids_inside_the_city_is_kept_without_a_grid(
    officer_gulou, taishan_community
):
    session, _ = services.start_patrol(actor=officer_gulou)

    point = services.record_point(
        actor=officer_gulou, session_id=session.pk, lat=BETWEEN_GRIDS[0], lng=BETWEEN_GRIDS[1]
    )

    assert point.grid_cell_id is None
    assert session.grids_visited.count() == 0


def test_a_point_outside_the_city_is_rejected(officer_gulou):
    session, _ = services.start_patrol(actor=officer_gulou)

    with pytest.raises(ValidationError, match="outside the city"):
        services.record_point(
            actor=officer_gulou, session_id=session.pk, lat=OUTSIDE_CITY[0], lng=OUTSIDE_CITY[1]
        )

    assert not PatrolPoint.objects.exists()
    session.refresh_from_db()
    assert session.point_count == 0


def test_an_officer_cannot_post_to_a_colleagues_patrol(officer_gulou, officer_quanshan):
    theirs, _ = services.start_patrol(actor=officer_quanshan)

    with pytest.raises(Http404):
        services.record_point(
            actor=officer_gulou, session_id=theirs.pk, lat=GULOU_001[0], lng=GULOU_001[1]
        )


def test_an_ended_patrol_takes_no_more_points(officer_gulou):
    session, _ = services.start_patrol(actor=officer_gulou)
    services.end_patrol(actor=officer_gulou, session_id=session.pk)

    with pytest.raises(ValidationError, match="ended"):
        services.record_point(
            actor=officer_gulou, session_id=session.pk, lat=GULOU_001[0], lng=GULOU_001[1]
        )


def test_the_same_position_again_soon_is_not_a_new_point(officer_gulou):
    session, _ = services.start_patrol(actor=officer_gulou)
    lat, lng = GULOU_001

    first = services.record_point(actor=officer_gulou, session_id=session.pk, lat=lat, lng=lng)
    again = services.record_point(actor=officer_gulou, session_id=session.pk, lat=lat, lng=lng)

    assert again.pk == first.pk
    session.refresh_from_db()
    assert session.point_count == 1
