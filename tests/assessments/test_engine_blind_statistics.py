"""The engine stays fast when PostgreSQL's statistics do not know the rows: tables analysed while
empty, then a whole city loaded in the transaction that assesses it (the demo seed, a test). The
grids' query, rooted at the tickets, once took minutes there: the planner, expecting one row
everywhere, scanned every ticket for every (posting, cell) pair."""

import pytest
from django.db import connection, transaction
from django.utils import timezone

from assessments import engine
from assessments.scheme import default_rules
from cases.categories import load_categories
from cases.models import Ticket
from citymgmt.months import previous_month
from demo.cases import seed_tickets
from demo.grids import seed_city
from grids import locator
from grids.models import Assignment, GridCell

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's planner statistics"
)


@pytest.mark.django_db(transaction=True)
def test_a_month_of_the_demo_city_loaded_unseen_by_the_statistics_takes_seconds():
    # The tables as a test run leaves them: rows come and go, and autovacuum analyses them
    # between tests, when they are empty but keep their pages (reltuples 0, relpages > 0).
    load_categories()
    seed_city()
    seed_tickets()
    Ticket.objects.update(duplicate_of=None)
    Ticket.objects.all().delete()
    Assignment.objects.all().delete()
    GridCell.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(
            "ANALYZE cases_ticket, grids_assignment, grids_assignment_grid_cells, grids_gridcell"
        )
    with transaction.atomic():
        load_categories()
        seed_city()
        locator.invalidate()
        seed_tickets()
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = '20s'")  # was minutes
        month = previous_month(timezone.localdate())
        result = engine.compute(month=month, rules=default_rules(), progress=lambda *_: None)
        assert any(score.kind == "officer" for score in result.scores)
        transaction.set_rollback(True)
