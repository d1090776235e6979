"""The queue's exports (/cases/export.csv, /cases/export.xlsx and the API's
/api/v1/tickets/export.csv|.xlsx): exactly the tickets of the page they are asked from (scope,
filters, tab, order), reporters' contacts masked as the pages mask them, a constant number of
queries whatever the rows, and a bad query string refused with a clear 400.

The cast: ``supervisor_gulou`` (鼓楼一大队: its tickets, contacts in full), ``command_supervisor``
(the city), ``officer_gulou`` (no queue page; through the API the tickets of their grids, only
those assigned to them with the reporter's contact in full), ``resident`` and anonymous
visitors (nothing).
"""

import csv
import io

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases.contacts import reporter_name_for, reporter_phone_for
from cases.exports import header
from cases.models import State, Ticket

pytestmark = pytest.mark.django_db

# Session, user, roles, the user's unit, the three choice lists, the categories (from the cache
# when it is warm), the rows (one statement), and the savepoint ATOMIC_REQUESTS makes inside the
# test's transaction (two statements).
EXPORT_QUERIES = 11
QUERIES = ["", "status=all", "status=closed", "status=all&sort=reported_at", "q=XZ"]


@pytest.fixture
def tickets(make_ticket) -> list[Ticket]:
    """Two brigades' tickets in several states: 鼓楼's with officer_gulou (one dispatched to
    them, one resolved by them, one still reported), 泉山's out of 鼓楼's sight."""
    return [
        make_ticket(State.REPORTED),
        make_ticket(State.DISPATCHED),
        make_ticket(State.RESOLVED),
        make_ticket(State.CLOSED),
        make_ticket(State.REJECTED),
        make_ticket(State.REGISTERED, place="quanshan"),
        make_ticket(State.CLOSED, place="quanshan"),
    ]


def csv_rows(response) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff"), "Excel needs the BOM to read UTF-8"
    return list(csv.DictReader(io.StringIO(body[1:])))


def page_numbers(client, query: str) -> list[str]:
    """Every ticket the queue page lists for ``query``, in its order (all its pages)."""
    response = client.get(f"{reverse('cases:queue')}?{query}")
    assert response.status_code == 200
    rows = response.context["page"].paginator.object_list
    return [t.number for t in rows[0 : rows.count()]]


def api_client(user) -> APIClient:
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def api_list(client: APIClient, query: str) -> dict[str, tuple[str, str]]:
    """The API list's tickets for ``query``, every page: number → (reporter name, phone)."""
    seen, url = {}, f"{reverse('api:tickets')}?{query}"
    while url:
        body = client.get(url).json()
        seen.update(
            {t["number"]: (t["reporter_name"], t["reporter_phone"]) for t in body["results"]}
        )
        url = body["next"]
    return seen


@pytest.fixture
def english(settings):
    settings.LANGUAGE_CODE = "en"


NUMBER, NAME, PHONE = "Number", "Reporter's name", "Reporter's phone"


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("who", ["supervisor_gulou", "command_supervisor"])
def test_export_holds_exactly_the_queue_pages_tickets_in_its_order(
    client, request, tickets, english, who, query
):
    client.force_login(request.getfixturevalue(who))
    shown = page_numbers(client, query)
    exported = csv_rows(client.get(f"{reverse('cases:export_csv')}?{query}"))
    assert [row[NUMBER] for row in exported] == shown


def test_a_brigade_supervisor_exports_none_of_another_brigades_tickets(
    client, supervisor_gulou, tickets, english
):
    client.force_login(supervisor_gulou)
    exported = {
        row[NUMBER] for row in csv_rows(client.get(reverse("cases:export_csv") + "?status=all"))
    }
    assert exported == {t.number for t in tickets if t.brigade.code == "gl1"}


def test_the_workbook_holds_the_same_rows_as_the_csv(client, supervisor_gulou, tickets, english):
    client.force_login(supervisor_gulou)
    csv_numbers = [
        r[NUMBER] for r in csv_rows(client.get(reverse("cases:export_csv") + "?status=all"))
    ]
    response = client.get(reverse("cases:export_xlsx") + "?status=all")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    lines = list(sheet.iter_rows(values_only=True))
    assert list(lines[0]) == header()
    assert [line[0] for line in lines[1:]] == csv_numbers


def test_the_export_shows_contacts_in_full_to_the_brigades_supervisor(
    client, supervisor_gulou, tickets, english
):
    client.force_login(supervisor_gulou)
    rows = csv_rows(client.get(reverse("cases:export_csv") + "?status=all"))
    assert rows and all((r[NAME], r[PHONE]) == ("刘女士", "13812345678") for r in rows)


def test_an_officers_export_masks_contacts_as_the_api_and_ticket_page_do(
    officer_gulou, tickets, english
):
    """The officer sees the tickets of their grids; only those assigned to them show the
    reporter in full, as on the ticket page (``cases.contacts``) and in the API list."""
    client = api_client(officer_gulou)
    response = client.get(reverse("api:tickets_export_csv") + "?status=all")
    assert response.status_code == 200
    exported = {r[NUMBER]: (r[NAME], r[PHONE]) for r in csv_rows(response)}
    assert exported == api_list(client, "status=all")
    for ticket in Ticket.objects.filter(number__in=exported):
        assert exported[ticket.number] == (
            reporter_name_for(officer_gulou, ticket),
            reporter_phone_for(officer_gulou, ticket),
        )
    assert ("刘女士", "13812345678") in exported.values(), "their own tickets in full"
    assert ("刘**", "138****5678") in exported.values(), "the grid's other tickets masked"


def test_the_api_export_with_a_token_equals_the_pages_export(
    client, supervisor_gulou, tickets, english
):
    client.force_login(supervisor_gulou)
    query = "status=all&sort=reported_at"
    page = csv_rows(client.get(f"{reverse('cases:export_csv')}?{query}"))
    api = csv_rows(api_client(supervisor_gulou).get(f"{reverse('api:tickets_export_csv')}?{query}"))
    assert api == page


def test_the_api_workbook_with_a_token(supervisor_gulou, tickets, english):
    response = api_client(supervisor_gulou).get(
        reverse("api:tickets_export_xlsx"), HTTP_ACCEPT="application/vnd.ms-excel"
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert (
        sheet.max_row
        == 1
        + Ticket.objects.filter(
            brigade__code="gl1", state__in=[State.REPORTED, State.DISPATCHED, State.RESOLVED]
        ).count()
    )


def test_an_officer_has_no_queue_export_page(client, officer_gulou, tickets):
    client.force_login(officer_gulou)
    assert client.get(reverse("cases:export_csv")).status_code == 403
    assert client.get(reverse("cases:export_xlsx")).status_code == 403


def test_a_resident_exports_nothing(client, resident, tickets, english):
    client.force_login(resident)
    assert client.get(reverse("cases:export_csv")).status_code == 403
    response = api_client(resident).get(reverse("api:tickets_export_csv") + "?status=all")
    assert response.status_code == 200
    assert csv_rows(response) == []


def test_an_anonymous_visitor_exports_nothing(client, tickets):
    response = client.get(reverse("cases:export_csv"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(settings.LOGIN_URL))
    assert APIClient().get(reverse("api:tickets_export_csv")).status_code == 401
    bad_token = APIClient()
    bad_token.credentials(HTTP_AUTHORIZATION="Token nope")
    assert bad_token.get(reverse("api:tickets_export_xlsx")).status_code == 401


def test_the_export_honours_the_filters(client, supervisor_gulou, tickets, english):
    client.force_login(supervisor_gulou)
    resolved = next(t for t in tickets if t.state == State.RESOLVED)
    rows = csv_rows(client.get(reverse("cases:export_csv") + "?status=resolved"))
    assert [r[NUMBER] for r in rows] == [resolved.number]
    rows = csv_rows(client.get(reverse("cases:export_csv") + f"?status=all&q={resolved.number}"))
    assert [r[NUMBER] for r in rows] == [resolved.number]
    rows = csv_rows(
        client.get(reverse("cases:export_csv") + f"?status=all&assignee={resolved.assignee_id}")
    )
    assert {r[NUMBER] for r in rows} == {
        t.number for t in tickets if t.assignee_id == resolved.assignee_id
    }


def test_the_export_costs_the_same_queries_whatever_its_rows(
    client, supervisor_gulou, make_ticket, django_assert_max_num_queries
):
    client.force_login(supervisor_gulou)
    make_ticket(State.DISPATCHED)
    b"".join(client.get(reverse("cases:export_csv")).streaming_content)  # the categories cached
    spent = {}
    for size in ("one", "twelve"):
        for name in ("cases:export_csv", "cases:export_xlsx"):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(reverse(name))
                lines = b"".join(response.streaming_content)
            assert lines
            spent[size, name] = len(queries)
            assert len(queries) <= EXPORT_QUERIES
        for _i in range(11):
            make_ticket(State.DISPATCHED)
    assert spent["one", "cases:export_csv"] == spent["twelve", "cases:export_csv"]
    assert spent["one", "cases:export_xlsx"] == spent["twelve", "cases:export_xlsx"]


@pytest.mark.parametrize(
    "query",
    [
        "status=bogus",
        "sort=secret",
        "overdue=maybe",
        "reported_after=2026-13-45",
        "community=999999",
    ],
)
def test_a_bad_query_string_is_a_clear_400(client, supervisor_gulou, english, query):
    client.force_login(supervisor_gulou)
    for name in ("cases:export_csv", "cases:export_xlsx"):
        response = client.get(f"{reverse(name)}?{query}")
        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/plain")
        text = response.content.decode()
        assert "The filters are not valid" in text
        assert query.split("=")[0] not in ("status",) or "Status" in text


def test_a_bad_query_string_is_a_json_400_in_the_api(supervisor_gulou):
    response = api_client(supervisor_gulou).get(
        reverse("api:tickets_export_csv") + "?status=bogus", HTTP_ACCEPT="text/csv"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error"
    assert body["errors"][0]["attr"] == "status"


def test_spreadsheet_formulas_typed_into_a_ticket_stay_text(
    client, supervisor_gulou, make_ticket, english
):
    ticket = make_ticket(State.REPORTED)
    Ticket.objects.filter(pk=ticket.pk).update(
        address='=HYPERLINK("http://x")', description="@SUM(1)"
    )
    client.force_login(supervisor_gulou)
    row = csv_rows(client.get(reverse("cases:export_csv")))[0]
    assert row["Address"].startswith("'=")
    assert row["Description"].startswith("'@")
    response = client.get(reverse("cases:export_xlsx"))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cell = next(sheet.iter_rows(min_row=2, max_row=2))[header().index("Address")]
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("http://x")'


def test_the_queue_links_its_exports_with_the_current_filters(client, supervisor_gulou, english):
    client.force_login(supervisor_gulou)
    response = client.get(reverse("cases:queue") + "?status=all&sort=reported_at&page=2")
    html = response.content.decode()
    assert f'href="{reverse("cases:export_csv")}?status=all&amp;sort=reported_at"' in html
    assert f'href="{reverse("cases:export_xlsx")}?status=all&amp;sort=reported_at"' in html
