"""The demo city (demo.grids.seed_city and the seed_demo command).

The city is the session's demo city (tests/conftest.py's ``demo_city``: seeded once, this module's
writes rolled back when it ends); each test runs in a savepoint inside it, so tests that seed
again leave nothing behind.
"""

import datetime
import io
from collections import defaultdict

import pytest
from django.core.management import call_command
from shapely import STRtree
from shapely.geometry import Point, shape
from shapely.ops import unary_union

from accounts.models import Officer, Unit, UnitKind, User
from demo.grids import DEMO_PASSWORD, ROTATION_DAY, seed_city
from grids.models import Assignment, Community, District, GridCell, Street

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def city(demo_city):
    """What seed_city returned when the demo city was seeded."""
    return demo_city["city"]


def snapshot() -> dict:
    """Counts and the values an accidental rewrite would change."""
    return {
        "counts": {
            model.__name__: model.objects.count()
            for model in (District, Street, Community, GridCell, Unit, User, Officer, Assignment)
        },
        "memberships": User.groups.through.objects.count(),
        "cell_links": Assignment.grid_cells.through.objects.count(),
        "users": list(
            User.objects.order_by("username").values_list(
                "username", "password", "display_name", "phone", "unit__code", "is_staff"
            )
        ),
        "cells": list(GridCell.objects.order_by("code").values_list("code", "boundary", "area_m2")),
        "communities": list(
            Community.objects.order_by("code").values_list(
                "code", "name", "brigade__code", "center_lat", "center_lng", "address"
            )
        ),
        "assignments": list(
            Assignment.objects.order_by("pk").values_list(
                "officer__badge_number", "community__code", "valid_from", "valid_to", "weekdays"
            )
        ),
    }


def test_the_city_has_the_programmes_numbers(city):
    assert District.objects.count() == 3
    assert Street.objects.count() == 31
    assert Community.objects.count() == 254
    assert Unit.objects.filter(kind=UnitKind.BRIGADE).count() == 10
    assert User.objects.filter(groups__name="officer").count() == 212
    assert Officer.objects.filter(user__groups__name="officer").count() == 212
    assert 2_300 <= GridCell.objects.count() <= 2_800
    assert city["counts"]["officers"] == 212
    assert city["counts"]["communities"] == 254


def test_communities_are_spread_over_the_districts_as_published(city):
    per_district = {
        d.name: Community.objects.filter(street__district=d).count() for d in District.objects.all()
    }
    assert per_district == {"鼓楼区": 80, "云龙区": 78, "泉山区": 96}
    assert all(s.name.endswith("街道") for s in Street.objects.all())
    assert Community.objects.filter(street__code="320311005").count() >= 8


def test_real_communities_keep_their_codes(city):
    assert Community.objects.get(code="320311010001").name == "泰山社区"
    assert Community.objects.get(code="320311005008").name == "段庄社区"
    assert Community.objects.get(code="320311004005").name == "杏山子社区"
    assert Community.objects.get(name="翟山社区").street.code == "320311006"
    assert Community.objects.values("name").distinct().count() == 254


def test_every_community_has_a_current_officer_of_its_own_brigade(city):
    current = Assignment.objects.filter(valid_to__isnull=True).select_related("officer")
    brigades_on_duty = defaultdict(set)
    for assignment in current:
        brigades_on_duty[assignment.community_id].add(assignment.officer.brigade_id)
    for community in Community.objects.all():
        assert brigades_on_duty[community.id] == {community.brigade_id}, community.code
    today = max(datetime.date(2026, 11, 21), ROTATION_DAY)
    covered = set(Assignment.objects.valid_on(today).values_list("community_id", flat=True))
    assert covered == set(Community.objects.values_list("id", flat=True))


def test_each_brigade_covers_whole_streets_of_its_own_district(city):
    brigades_of_street = defaultdict(set)
    for community in Community.objects.select_related("brigade", "street"):
        assert community.brigade.kind == UnitKind.BRIGADE
        assert community.brigade.district_id == community.street.district_id
        brigades_of_street[community.street_id].add(community.brigade_id)
    assert all(len(brigades) == 1 for brigades in brigades_of_street.values())
    assert len(brigades_of_street) == 31


def test_a_streets_communities_are_neighbours(city):
    # Community centres sit on a 600 m lattice; a street's must form one connected patch.
    centres = defaultdict(list)
    for c in Community.objects.all():
        centres[c.street_id].append((c.center_lng, c.center_lat))
    for points in centres.values():
        reached, todo = {points[0]}, [points[0]]
        while todo:
            lng, lat = todo.pop()
            for other in points:
                near = abs(other[0] - lng) < 0.0068 and abs(other[1] - lat) < 0.0056
                if other not in reached and near:
                    reached.add(other)
                    todo.append(other)
        assert len(reached) == len(points)


def test_officers_hold_one_or_two_current_postings_over_all_their_communitys_cells(city):
    current = Assignment.objects.filter(valid_to__isnull=True).prefetch_related("grid_cells")
    per_officer = defaultdict(int)
    for assignment in current:
        per_officer[assignment.officer_id] += 1
        cells = {cell.community_id for cell in assignment.grid_cells.all()}
        assert cells == {assignment.community_id}
        assert assignment.grid_cells.count() == assignment.community.grid_cells.count()
        assert assignment.weekdays in ("12345", "34567")
    assert len(per_officer) == 212
    assert set(per_officer.values()) <= {1, 2}


def test_ended_postings_are_kept_as_history(city):
    ended = Assignment.objects.filter(valid_to__isnull=False)
    assert ended.count() == 10
    for assignment in ended:
        assert assignment.valid_to == ROTATION_DAY - datetime.timedelta(days=1)
        successor = Assignment.objects.get(
            community=assignment.community, valid_from=ROTATION_DAY, valid_to__isnull=True
        )
        assert successor.officer_id != assignment.officer_id


def test_supervisors_lead_a_brigade_without_a_posting(city):
    for brigade in Unit.objects.filter(kind=UnitKind.BRIGADE):
        supervisor = User.objects.get(username=f"sup_{brigade.code}")
        assert supervisor.unit == brigade
        assert supervisor.officer.title == "大队长"
        assert not supervisor.officer.assignments.exists()


def test_cell_counts_and_codes_follow_their_community(city):
    for community in Community.objects.prefetch_related("grid_cells"):
        cells = list(community.grid_cells.all())
        assert 6 <= len(cells) <= 14, community.code
        for n, cell in enumerate(sorted(cells, key=lambda c: c.code), start=1):
            assert len(cell.code) == 15
            assert cell.code == f"{community.code}{n:03d}"
            assert cell.name == f"{community.name}第{n}网格"
            assert 9_900 < cell.area_m2 < 10_100
            polygon = shape(cell.boundary)
            assert (cell.min_lng, cell.min_lat, cell.max_lng, cell.max_lat) == polygon.bounds


def test_no_two_communities_cells_overlap(city):
    cells = list(GridCell.objects.values_list("community_id", "boundary"))
    polygons = [shape(boundary) for _community, boundary in cells]
    union = unary_union(polygons)
    assert union.area == pytest.approx(sum(p.area for p in polygons), rel=1e-9)
    tree = STRtree(polygons)
    left, right = tree.query(polygons, predicate="intersects")
    for i, j in zip(left, right, strict=True):
        if i < j:
            assert polygons[i].intersection(polygons[j]).area == 0


def test_community_centres_lie_in_their_own_cells(city):
    for community in Community.objects.prefetch_related("grid_cells"):
        area = unary_union([shape(c.boundary) for c in community.grid_cells.all()])
        assert area.intersects(Point(community.center_lng, community.center_lat))
    # 鼓楼 north, 云龙 east, 泉山 west of the city centre.
    assert (
        Community.objects.filter(street__district__code="320302", center_lat__lt=34.26).count() == 0
    )
    assert (
        Community.objects.filter(street__district__code="320303", center_lng__lt=117.18).count()
        == 0
    )
    assert (
        Community.objects.filter(street__district__code="320311", center_lng__gt=117.18).count()
        == 0
    )


def test_demo_users_belong_to_the_right_groups(city):
    def groups(username: str) -> set[str]:
        return set(User.objects.get(username=username).groups.values_list("name", flat=True))

    assert groups("assessor") == {"assessor"}
    assert groups("command") == {"supervisor"}
    assert User.objects.get(username="command").unit.code == "xzcg"
    assert groups("sup_gl1") == {"supervisor"}
    assert groups("handler_sanitation") == {"handler"}
    assert User.objects.get(username="handler_sanitation").unit.code == "sanitation"
    assert groups("off_gl1_01") == {"officer"}
    officer = User.objects.get(username="off_qs4_01")
    assert officer.unit.kind == UnitKind.SQUADRON
    assert officer.unit.parent == officer.officer.brigade
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    staff = set(User.objects.filter(is_staff=True).values_list("username", flat=True))
    assert staff == {"admin", "assessor"}
    assert User.objects.get(username="off_yl2_03").check_password(DEMO_PASSWORD)
    assert len({u.password for u in User.objects.all()}) == 1  # hashed once


def test_running_it_twice_changes_nothing(city):
    before = snapshot()
    again = seed_city()
    assert snapshot() == before
    assert sum(again["created"].values()) == 0


def test_it_creates_what_is_missing_and_keeps_what_an_admin_edited(city):
    Community.objects.filter(code="320311010001").update(phone="0516-80000000")
    # Tickets protect their cell, and where the demo's tickets fall depends on today's date.
    taishan_cell = (
        GridCell.objects.filter(community__code="320311010001", tickets__isnull=True)
        .order_by("code")
        .first()
    )
    taishan_cell.assignments.clear()
    taishan_cell.delete()
    seed_city()
    assert Community.objects.get(code="320311010001").phone == "0516-80000000"
    assert GridCell.objects.filter(code=taishan_cell.code).exists()


def test_the_command_prints_the_logins_and_the_password(city):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    text = out.getvalue()
    assert DEMO_PASSWORD in text
    for username in ("admin", "assessor", "command", "sup_qs4", "handler_market", "off_yl3_01"):
        assert username in text
    assert "off_gl1_02" not in text
    assert "202 more officers" in text
    assert "/communities/320311010001/" in text
    assert "Nothing new" in text
    assert len(text.splitlines()) <= 45
