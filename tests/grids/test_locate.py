import pytest
from django.core.exceptions import ValidationError

from grids.geometry import offset
from grids.models import GridCell
from grids.services import locate, locate_id
from tests.factories import ORIGIN, GridCellFactory, square

pytestmark = pytest.mark.django_db


def point(east_m: float, north_m: float) -> tuple[float, float]:
    """(lat, lng) of the point east/north of the lattice origin, as locate() takes it."""
    lng, lat = offset(*ORIGIN, east_m, north_m)
    return lat, lng


def test_a_point_inside_a_cell_is_located_in_that_cell(gulou_community):
    cell = locate(*point(150, 50))
    assert cell is not None
    assert cell.code == "320302001001002"
    assert cell.community == gulou_community


def test_a_point_on_a_shared_edge_belongs_to_the_cell_with_the_lowest_code(gulou_community):
    # x = 100 m is the edge between cell 001 (0–100 m) and cell 002 (100–200 m).
    lat, _ = point(100, 50)
    edge_lng = GridCell.objects.get(code="320302001001002").boundary["coordinates"][0][0][0]
    cell = locate(lat, edge_lng)
    assert cell is not None
    assert cell.code == "320302001001001"
    assert locate_id(lat, edge_lng) == cell.pk


def test_a_point_outside_every_cell_is_on_no_grid(gulou_community):
    assert locate(*point(50, 150)) is None  # the row north of the cells
    assert locate(*point(-50, 50)) is None  # west of them
    assert locate(0.0, 0.0) is None


def test_locate_sees_a_new_cell_at_once(gulou_community):
    assert locate(*point(250, 50)) is None
    GridCellFactory(community=gulou_community, code="003", boundary=square(2, 0))
    cell = locate(*point(250, 50))
    assert cell is not None and cell.code == "320302001001003"


def test_locate_ignores_a_deactivated_cell(gulou_community):
    cell = GridCell.objects.get(code="320302001001002")
    cell.is_active = False
    cell.save(update_fields=["is_active"])
    assert locate(*point(150, 50)) is None


def test_a_moved_boundary_moves_the_answer(gulou_community):
    cell = GridCell.objects.get(code="320302001001002")
    cell.boundary = square(5, 5)
    cell.save(update_fields=["boundary"])
    cell.refresh_from_db()
    assert locate(*point(150, 50)) is None
    assert locate(*point(550, 550)).code == "320302001001002"
    assert cell.min_lng > ORIGIN[0]  # the stored bbox followed the boundary


def test_a_cell_stores_its_bbox_centroid_and_area(gulou_community):
    cell = GridCell.objects.get(code="320302001001001")
    assert cell.area_m2 == pytest.approx(10_000, rel=0.01)
    assert cell.min_lng < cell.centroid_lng < cell.max_lng
    assert cell.min_lat < cell.centroid_lat < cell.max_lat


@pytest.mark.parametrize(
    "boundary",
    [
        {"type": "Point", "coordinates": [117.18, 34.26]},
        {"type": "Polygon", "coordinates": [[[117.18, 34.26], [117.19, 34.27]]]},
        {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]},
        {"type": "Polygon", "coordinates": [[[500, 0], [501, 0], [501, 1], [500, 0]]]},
        "not even json",
    ],
)
def test_a_malformed_boundary_is_rejected_with_a_message(gulou_community, boundary):
    cell = GridCell(community=gulou_community, code="320302001001009", boundary=boundary)
    with pytest.raises(ValidationError) as error:
        cell.full_clean()
    assert "boundary" in error.value.message_dict
