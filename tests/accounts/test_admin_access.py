import json

import pytest

from grids.models import GridCell
from tests.factories import square

pytestmark = pytest.mark.django_db

# A self-intersecting ring: not a valid polygon.
BOW_TIE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}


def test_an_assessor_maintains_places_and_postings_in_the_admin(client, assessor, gulou_community):
    client.force_login(assessor)
    for url in [
        "/admin/grids/community/",
        "/admin/grids/gridcell/",
        "/admin/grids/assignment/",
        "/admin/accounts/officer/",
        f"/admin/grids/community/{gulou_community.pk}/change/",
    ]:
        assert client.get(url).status_code == 200, url


def test_an_assessor_cannot_manage_user_accounts(client, assessor):
    client.force_login(assessor)
    assert client.get("/admin/accounts/user/").status_code == 403


def test_an_officer_cannot_open_the_admin(client, officer_gulou):
    client.force_login(officer_gulou)
    response = client.get("/admin/grids/community/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def add_grid_cell(client, community, *, name: str, boundary: dict):
    return client.post(
        "/admin/grids/gridcell/add/",
        {
            "community": community.pk,
            "code": "320302001001005",
            "name": name,
            "boundary": json.dumps(boundary),
            "is_active": "on",
        },
    )


def test_a_grid_cell_with_a_broken_boundary_is_refused_in_the_admin(
    client, assessor, gulou_community
):
    client.force_login(assessor)
    response = add_grid_cell(client, gulou_community, name="坏网格", boundary=BOW_TIE)
    assert response.status_code == 200  # re-rendered with the error, input kept
    html = response.content.decode()
    assert "坏网格" in html
    assert "errorlist" in html


def test_an_assessor_adds_a_grid_cell_and_its_metrics_are_computed(
    client, assessor, gulou_community
):
    client.force_login(assessor)
    response = add_grid_cell(client, gulou_community, name="新网格", boundary=square(4, 0))
    assert response.status_code == 302
    cell = GridCell.objects.get(code="320302001001005")
    assert cell.area_m2 == pytest.approx(10_000, rel=0.01)
