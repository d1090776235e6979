"""What a resident's complaint POST costs in SQL (bench/report_bench.py times it on PostgreSQL):
each row it needs read once, the category none (it is checked against the cached categories),
and the supervisors told in the report's own transaction."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.categories import active_category
from cases.models import Action, Ticket
from grids.locator import locate_id
from notifications.models import Notification
from tests.residents.test_report import IN_HUANGLOU, REPORT
from webhooks.services import active_endpoints

pytestmark = pytest.mark.django_db

# The day's number, the grid cell with its community, street and district, the ticket, its
# creation event, the brigade's supervisors and their notifications, the community's alert
# subscriptions (residents.alerts).
BUDGET = 7
TRANSACTION = ("SAVEPOINT", "RELEASE", "BEGIN", "COMMIT", "ROLLBACK")


@pytest.fixture
def form_data(category, gulou_community) -> dict[str, str]:
    lat, lng = IN_HUANGLOU
    return {
        "category": str(category.pk),
        "description": "小区门口垃圾桶满了两天没人清",
        "lat": f"{lat:.6f}",
        "lng": f"{lng:.6f}",
        "consent": "on",
        "website": "",
    }


def post_complaint(client, data, capture_on_commit) -> list[str]:
    # As in a running server: the locator's tree built, the categories read once by this
    # process, and the category list cached in the request's language (the resident opened the
    # form first), and the webhook endpoints cached (they are asked on every ticket event).
    locate_id(float(data["lat"]), float(data["lng"]))
    active_category(int(data["category"]))
    active_endpoints()
    assert client.get(REPORT).status_code == 200
    with CaptureQueriesContext(connection) as captured, capture_on_commit(execute=True):
        response = client.post(REPORT, data)
    assert response.status_code == 302
    return [q["sql"] for q in captured.captured_queries if not q["sql"].startswith(TRANSACTION)]


def test_a_complaint_post_reads_its_grid_cell_once_and_stays_within_budget(
    client, form_data, gulou_community, supervisor_gulou, django_capture_on_commit_callbacks
):
    statements = post_complaint(client, form_data, django_capture_on_commit_callbacks)
    assert len(statements) <= BUDGET, "\n".join(statements)
    assert not any('FROM "cases_category"' in sql for sql in statements)
    assert sum('FROM "grids_gridcell"' in sql for sql in statements) == 1
    assert not any('FROM "grids_community"' in sql for sql in statements)
    # Community, street, district and brigade come from the located cell, not a second read.
    ticket = Ticket.objects.select_related("grid_cell", "community__street").get()
    assert ticket.community_id == ticket.grid_cell.community_id == gulou_community.pk
    assert ticket.street_id == gulou_community.street_id
    assert ticket.district_id == ticket.community.street.district_id
    assert ticket.brigade_id == gulou_community.brigade_id


def test_the_brigades_supervisors_are_told_of_the_new_report_without_reading_it_back(
    client, form_data, supervisor_gulou, django_capture_on_commit_callbacks
):
    statements = post_complaint(client, form_data, django_capture_on_commit_callbacks)
    ticket = Ticket.objects.get()
    (note,) = Notification.objects.all()
    assert (note.recipient, note.ticket, note.kind) == (supervisor_gulou, ticket, Action.CREATE)
    assert not any('FROM "cases_ticketevent"' in sql for sql in statements)


def test_no_notification_is_written_when_the_report_is_refused(
    client, form_data, supervisor_gulou, django_capture_on_commit_callbacks
):
    form_data["lat"] = "39.9042"  # Beijing: outside every unit grid
    form_data["lng"] = "116.4074"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(REPORT, form_data)
    assert response.status_code == 400
    assert not Ticket.objects.exists()
    assert not Notification.objects.exists()


def test_a_complaint_post_opens_one_transaction_with_one_savepoint_for_the_notifications(
    client, form_data, supervisor_gulou
):
    # In production: BEGIN (file_complaint), the statements, a savepoint around the
    # notifications, COMMIT. Here the test's own transaction turns file_complaint's into a
    # savepoint too; the request itself (no ATOMIC_REQUESTS on this view) and create_ticket
    # (nothing to protect) take none.
    locate_id(float(form_data["lat"]), float(form_data["lng"]))
    with CaptureQueriesContext(connection) as captured:
        response = client.post(REPORT, form_data)
    assert response.status_code == 302
    savepoints = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SAVEPOINT")]
    assert len(savepoints) == 2, savepoints
    assert Notification.objects.get().recipient == supervisor_gulou


def test_a_complaint_post_sends_at_most_eleven_statements_savepoints_included(
    client, form_data, supervisor_gulou, django_assert_max_num_queries
):
    # Here: file_complaint's savepoint (the test's transaction stands in for BEGIN), the cell's
    # places, the day's number, the ticket, its creation event, the notifications' savepoint,
    # the supervisors, their notifications, and the two RELEASEs; the community's alert
    # subscriptions (none here: no savepoint for them).
    locate_id(float(form_data["lat"]), float(form_data["lng"]))
    active_category(int(form_data["category"]))
    active_endpoints()
    with django_assert_max_num_queries(11):
        response = client.post(REPORT, form_data)
    assert response.status_code == 302
    assert Notification.objects.get().recipient == supervisor_gulou


def test_a_complaint_reads_its_places_and_supervisors_as_narrow_rows(
    client, form_data, supervisor_gulou, django_capture_on_commit_callbacks
):
    # The cell's polygon and four model rows, or the supervisors' whole accounts, are read for
    # nothing: the ticket is written with ids, a notification needs who and whether by e-mail.
    statements = post_complaint(client, form_data, django_capture_on_commit_callbacks)
    (cell,) = [sql for sql in statements if 'FROM "grids_gridcell"' in sql]
    assert '"boundary"' not in cell
    assert '"grids_district"' not in cell
    (people,) = [sql for sql in statements if 'FROM "accounts_user"' in sql]
    assert '"password"' not in people
    assert Notification.objects.get().recipient == supervisor_gulou
