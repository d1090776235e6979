"""The engine runs a fixed number of SQL statements whatever the size of the city: aggregates
per subject type, never a query (or a Python loop) per officer or per ticket."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments import engine
from assessments.scheme import default_rules
from cases.models import Category, Source, State, Ticket
from tests.assessments.conftest import OCTOBER, at
from tests.factories import (
    AssignmentFactory,
    BrigadeFactory,
    CommunityFactory,
    GridCellFactory,
    OfficerFactory,
    StreetFactory,
    square,
)

pytestmark = pytest.mark.django_db


def grow_city(n: int) -> None:
    """``n`` more communities, each with its brigade, a grid, an officer and a few tickets."""
    category = Category.objects.get(kind="event", code="0102")
    street = StreetFactory(code="320302099", name="扩展街道")
    for i in range(n):
        brigade = BrigadeFactory(code=f"extra{i}", name=f"扩展大队{i}")
        community = CommunityFactory(street=street, code=f"{i + 100:03d}", brigade=brigade)
        grid = GridCellFactory(community=community, code="001", boundary=square(10 + i, 10))
        officer = OfficerFactory(brigade=brigade, badge_number=f"EX-{i:03d}")
        AssignmentFactory(
            officer=officer,
            community=community,
            grid_cells=[grid],
            valid_from=datetime.date(2026, 1, 1),
        )
        for j, source in enumerate((Source.PATROL, Source.RESIDENT, Source.HOTLINE)):
            Ticket.objects.create(
                number=f"EX{i:03d}{j}",
                source=source,
                category=category,
                description="扩展",
                grid_cell=grid,
                community=community,
                street=street,
                district=street.district,
                reporter=officer.user if source == Source.PATROL else None,
                assignee=officer,
                state=State.CLOSED,
                reported_at=at(f"10-{12 + j}"),
                registered_at=at(f"10-{12 + j}"),
                deadline=at(f"10-{13 + j} 17:30"),
                resolved_at=at(f"10-{13 + j}"),
                closed_at=at(f"10-{13 + j}"),
                satisfaction=5,
                rated_at=at(f"10-{14 + j}"),
            )


def count_queries() -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        result = engine.compute(month=OCTOBER, rules=default_rules(), progress=lambda p, n: None)
    assert result.scores
    return len(captured.captured_queries), [q["sql"] for q in captured.captured_queries]


def test_engine_query_count_does_not_grow_with_the_city(small_city, django_assert_max_num_queries):
    small, _sql = count_queries()
    grow_city(12)
    with django_assert_max_num_queries(small):
        engine.compute(month=OCTOBER, rules=default_rules(), progress=lambda p, n: None)
    assert small <= 19


def test_grid_indicators_join_each_posting_once(small_city):
    """漏报 and hotline counts group by the posting whose validity they check, and are read
    from the postings outwards (outer joins fix the join order whatever the statistics)."""
    _count, statements = count_queries()
    grid_queries = [sql for sql in statements if "grids_assignment_grid_cells" in sql]
    assert grid_queries
    for sql in grid_queries:
        if '"cases_ticket"' in sql:
            references = sql.count('FROM "grids_assignment" ') + sql.count(
                'JOIN "grids_assignment" '
            )
            assert references == 1, sql
            assert sql.startswith("SELECT") and 'FROM "grids_assignment" ' in sql, sql
            assert 'LEFT OUTER JOIN "cases_ticket"' in sql, sql


def test_communities_streets_and_districts_share_one_count_of_the_month(small_city):
    """The three levels are one GROUP BY (community, street, district) rolled up, not three scans
    of the month's tickets."""
    _count, statements = count_queries()
    # Each level's counts carry the region indicators' aliases (cases_per_grid, closure…).
    regional = [sql for sql in statements if '"cases_per_grid__den"' in sql]
    assert len(regional) == 1
    for field in ("community_id", "street_id", "district_id"):
        assert f'"cases_ticket"."{field}"' in regional[0]
