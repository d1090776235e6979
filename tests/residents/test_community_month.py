"""A community's month on its notice board and its public page: the monthly assessment's
figures for that community, 12 months, only counts."""

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.services import execute_run, start_run
from cases.models import Source, Ticket
from tests.assessments.conftest import OCTOBER
from tests.factories import CommunityFactory

pytestmark = pytest.mark.django_db

NOV_2 = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
OCT_20 = datetime.datetime(2026, 10, 20, 4, 0, tzinfo=datetime.UTC)
COUNTS = (
    "found",
    "fixed_on_site",
    "resident_reports",
    "resident_resolved",
    "rated",
)


def _figures(html: str) -> dict[str, str]:
    """The month's figures as the page prints them (``data-figure`` cells)."""
    return dict(re.findall(r'data-figure="(\w+)">([^<]*)<', html))


def _month_page(client, community, month: str = "2026-10") -> str:
    response = client.get(f"/communities/{community.code}/month/?month={month}")
    assert response.status_code == 200
    return response.content.decode()


def _run_october(assessor):
    with time_machine.travel(NOV_2, tick=False):
        return execute_run(start_run(month=OCTOBER, actor=assessor, queue=False).pk)


def _as_printed(rate: float | None) -> str:
    return "—" if rate is None else f"{rate}%"


def test_a_communitys_month_equals_the_assessments_figures_for_it(client, small_city, assessor):
    # The assessment's figures are the city's: with only 黄楼's tickets, they are 黄楼's.
    huanglou, taishan = small_city.communities["黄楼"], small_city.communities["泰山"]
    Ticket.objects.filter(community=taishan).delete()
    totals = _run_october(assessor).totals

    with time_machine.travel(NOV_2, tick=False):
        shown = _figures(_month_page(client, huanglou))
    for name in COUNTS:
        assert shown[name] == str(totals[name]), name
    assert shown["on_site_rate"] == f"({totals['on_site_rate']}%)"
    assert shown["satisfaction_rate"] == _as_printed(totals["satisfaction_rate"])
    assert totals["found"] == 7 and totals["satisfaction_rate"] == 66.7  # not all zeros


def test_the_communities_months_add_up_to_the_assessments_city_totals(client, small_city, assessor):
    totals = _run_october(assessor).totals
    with time_machine.travel(NOV_2, tick=False):
        huanglou = _figures(_month_page(client, small_city.communities["黄楼"]))
        taishan = _figures(_month_page(client, small_city.communities["泰山"]))

    for name in COUNTS:
        assert int(huanglou[name]) + int(taishan[name]) == totals[name], name
    # By hand (tests/assessments/conftest.py): 黄楼 found 7 (#1–5, #13, #14), fixed 4 on site;
    # 6 resident and hotline reports, 1 resolved (#11); 3 ratings, 2 of 4–5 stars.
    assert huanglou == {
        "found": "7",
        "fixed_on_site": "4",
        "on_site_rate": "(57.1%)",
        "resident_reports": "6",
        "resident_resolved": "1",
        "rated": "3",
        "satisfaction_rate": "66.7%",
    }
    assert taishan["found"] == "4" and taishan["on_site_rate"] == "(100.0%)"


def test_the_notice_board_shows_this_months_figures_so_far(client, small_city):
    with time_machine.travel(OCT_20, tick=False):
        html = client.get(f"/communities/{small_city.communities['黄楼'].code}/").content.decode()
    assert 'id="community-month"' in html
    figures = _figures(html)
    assert figures["found"] == "7" and figures["resident_reports"] == "6"
    # The chart's script, after the board's own.
    assert "vendor/echarts/echarts.min.js" in html and "js/community-month.js" in html


def test_the_last_12_months_each_with_its_figures(client, small_city):
    with time_machine.travel(NOV_2, tick=False):
        html = _month_page(client, small_city.communities["黄楼"])
    rows = re.findall(r'<tr data-month="(\d{4}-\d{2})">', html)
    assert rows == [f"2026-{m:02d}" for m in range(10, 0, -1)] + ["2025-12", "2025-11"]
    # September (#31 found and fixed on site, #32 rated 1 star on 30 September).
    september = html.split('<tr data-month="2026-09">')[1].split("</tr>")[0]
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", september)
    assert cells == ["1", "1 (100.0%)", "0", "0", "1", "0.0%"]
    chart = re.search(r'id="community-month-chart"[^>]*>(.*?)</script>', html).group(1)
    assert '"months": ["2025-11"' in chart and '"2026-10"]' in chart


def test_a_community_with_nothing_shows_zeros(client, db):
    empty = CommunityFactory()
    with time_machine.travel(NOV_2, tick=False):
        html = _month_page(client, empty)
    assert _figures(html) == {
        "found": "0",
        "fixed_on_site": "0",
        "on_site_rate": "",
        "resident_reports": "0",
        "resident_resolved": "0",
        "rated": "0",
        "satisfaction_rate": "—",
    }
    assert len(re.findall(r'<tr data-month="', html)) == 12


@pytest.mark.parametrize("month", ["", "garbage", "2026-13", "1999-12", "2099-12", "%00"])
def test_any_month_asked_for_answers(client, small_city, month):
    with time_machine.travel(NOV_2, tick=False):
        html = _month_page(client, small_city.communities["黄楼"], month)
    # Unreadable or still to come: the current month, so far.
    assert 'data-month="2026-11"' in html


def test_the_page_reads_the_same_queries_however_many_tickets(client, small_city):
    empty = CommunityFactory()
    counts = []
    for community in (empty, small_city.communities["黄楼"]):
        with time_machine.travel(NOV_2, tick=False), CaptureQueriesContext(connection) as ctx:
            _month_page(client, community)
        # The request's transaction aside: the community, then the 12 months in one query.
        statements = [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]
        counts.append(len(statements))
    assert counts == [2, 2]


def test_the_figures_are_cached_briefly(client, small_city):
    huanglou = small_city.communities["黄楼"]
    with time_machine.travel(NOV_2, tick=False):
        first = client.get(f"/communities/{huanglou.code}/month/?month=2026-10")
        Ticket.objects.filter(community=huanglou).delete()
        again = _figures(_month_page(client, huanglou))
    assert again["found"] == "7"
    assert "max-age=300" in first["Cache-Control"] and "private" in first["Cache-Control"]


def test_nothing_personal_on_the_page(client, small_city):
    huanglou = small_city.communities["黄楼"]
    Ticket.objects.filter(pk=small_city.tickets[10].pk).update(
        source=Source.RESIDENT,
        reporter_name="张三丰",
        reporter_phone="13912345678",
        address="黄楼街12号",
    )
    with time_machine.travel(NOV_2, tick=False):
        html = client.get(f"/communities/{huanglou.code}/month/?month=2026-10").content.decode()
    for ticket in small_city.tickets.values():
        assert ticket.number not in html
        assert ticket.description not in html
    for private in ("张三丰", "13912345678", "黄楼街12号", "王建国", "孙立", "环卫处"):
        assert private not in html


def test_an_unknown_community_has_no_month(client, db):
    assert client.get("/communities/999999999999/month/").status_code == 404
