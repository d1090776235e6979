"""Importing shops from CSV (UTF-8, UTF-8 with BOM, GB18030) and XLSX: good rows in, bad rows
listed with their row numbers and reasons."""

import csv
import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shops.importer import import_sheet
from shops.models import Merchant
from tests.shops.conftest import GULOU_POINT, QUANSHAN_POINT, licence

pytestmark = pytest.mark.django_db

HEADERS = ["店铺名称", "统一社会信用代码", "经营类别", "负责人", "联系电话", "地址", "纬度", "经度"]


def row(name: str, code: str, point=GULOU_POINT, phone: str = "13852001234") -> list[str]:
    return [name, code, "餐饮", "张三", phone, "中山北路1号", str(point[0]), str(point[1])]


def good_and_bad_rows() -> list[list[str]]:
    return [
        HEADERS,
        row("老王水果店", licence(1)),  # row 2: good
        row("无照小店", ""),  # row 3: missing licence
        row("城外小店", licence(3), point=(30.0, 120.0)),  # row 4: outside the city
        row("重复小店", licence(1)),  # row 5: the licence of row 2 again
        row("李记面馆", licence(5)),  # row 6: good
        row("泰山小吃", licence(6), point=QUANSHAN_POINT),  # row 7: another brigade's community
        row("错号小店", licence(7), phone="12345"),  # row 8: bad phone
        row("坏码小店", "91320302MA1ABCD019"),  # row 9: wrong check digit
    ]


def csv_upload(rows: list[list[str]], encoding: str = "utf-8", name: str = "shops.csv"):
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode(encoding), content_type="text/csv")


def xlsx_upload(rows: list[list[str]]):
    book = openpyxl.Workbook()
    for r in rows:
        book.active.append(r)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("shops.xlsx", out.getvalue())


def assert_good_in_bad_listed(result) -> None:
    assert sorted(m.name for m in result.created) == ["李记面馆", "老王水果店"]
    assert [number for number, _messages in result.errors] == [3, 4, 5, 7, 8, 9]
    messages = dict(result.errors)
    assert any("licence" in m.lower() for m in messages[3])
    assert any("outside" in m for m in messages[4])
    assert any("twice" in m for m in messages[5])
    assert any("not yours" in m for m in messages[7])
    assert any("mobile" in m for m in messages[8])
    assert any("credit code" in m for m in messages[9])
    assert set(Merchant.objects.values_list("name", flat=True)) == {"老王水果店", "李记面馆"}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_imports_good_rows_and_lists_bad_ones(
    encoding, supervisor_gulou, gulou_community, taishan_community
):
    result = import_sheet(actor=supervisor_gulou, upload=csv_upload(good_and_bad_rows(), encoding))
    assert_good_in_bad_listed(result)
    shop = Merchant.objects.get(name="老王水果店")
    assert shop.community == gulou_community and shop.grid_cell.community == gulou_community
    assert shop.brigade == gulou_community.brigade
    assert shop.created_by == supervisor_gulou


def test_xlsx_imports_good_rows_and_lists_bad_ones(
    supervisor_gulou, gulou_community, taishan_community
):
    assert_good_in_bad_listed(
        import_sheet(actor=supervisor_gulou, upload=xlsx_upload(good_and_bad_rows()))
    )


def test_english_headers_are_understood(supervisor_gulou, gulou_community):
    rows = [
        ["Name", "Licence", "Category", "Owner", "Phone", "Address", "Latitude", "Longitude"],
        [
            "Wang's Fruit",
            licence(11),
            "grocery",
            "Wang",
            "13852001234",
            "1 Zhongshan Rd",
            *map(str, GULOU_POINT),
        ],
    ]
    result = import_sheet(actor=supervisor_gulou, upload=csv_upload(rows))
    assert [m.name for m in result.created] == ["Wang's Fruit"] and not result.errors


def test_a_licence_already_registered_is_a_bad_row(supervisor_gulou, shop):
    rows = [HEADERS, row("又一家", shop.licence_number)]
    result = import_sheet(actor=supervisor_gulou, upload=csv_upload(rows))
    assert not result.created
    assert result.errors[0][0] == 2 and "already registered" in result.errors[0][1][0]


def test_a_sheet_without_the_needed_columns_is_refused_as_a_whole(
    supervisor_gulou, gulou_community
):
    result = import_sheet(actor=supervisor_gulou, upload=csv_upload([["foo", "bar"], ["1", "2"]]))
    assert result.problem and not result.created


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x00\x01\x02garbage" * 20,
        b"PK\x03\x04 not really a zip",
        "店名\n\udcff".encode("utf-8", "surrogateescape"),
    ],
)
def test_garbage_files_give_a_message_not_an_error(content, supervisor_gulou, gulou_community):
    upload = SimpleUploadedFile("x.csv", content)
    result = import_sheet(actor=supervisor_gulou, upload=upload)
    assert result.problem
    assert not Merchant.objects.exists()


def broken_xlsx(breakage: str) -> SimpleUploadedFile:
    """A good workbook of three shops, then its first sheet's XML damaged: a cell pointing past
    the end of the shared strings (row 3), or the XML cut off in the middle of row 3."""
    rows = [HEADERS, *(row(f"好店{n}", licence(n)) for n in (1, 2, 3))]
    good = xlsx_upload(rows).read()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                xml = data.decode()
                third = xml.index('<c r="A3"')
                if breakage == "shared-string":
                    end = xml.index("</c>", third) + len("</c>")
                    xml = xml[:third] + '<c r="A3" t="s"><v>999</v></c>' + xml[end:]
                else:
                    xml = xml[: third + 20]
                data = xml.encode()
            target.writestr(item, data)
    return SimpleUploadedFile("shops.xlsx", out.getvalue())


@pytest.mark.parametrize("breakage", ["shared-string", "truncated"])
def test_a_damaged_xlsx_is_refused_with_a_message(breakage, supervisor_gulou, gulou_community):
    result = import_sheet(actor=supervisor_gulou, upload=broken_xlsx(breakage))
    assert "Excel" in result.problem
    assert not result.created and not Merchant.objects.exists()


def test_a_damaged_xlsx_on_the_page_is_a_form_message(client, supervisor_gulou, gulou_community):
    client.force_login(supervisor_gulou)
    for breakage in ("shared-string", "truncated"):
        response = client.post(reverse("shops:import"), {"sheet": broken_xlsx(breakage)})
        assert response.status_code == 400
        assert "Excel" in response.content.decode()
    assert not Merchant.objects.exists()


def test_supervisor_imports_through_the_page(
    client, supervisor_gulou, gulou_community, taishan_community
):
    client.force_login(supervisor_gulou)
    response = client.post(
        reverse("shops:import"), {"sheet": csv_upload(good_and_bad_rows(), "gb18030")}
    )
    assert response.status_code == 400  # some rows need fixing
    page = response.content.decode()
    assert 'data-row="3"' in page and 'data-row="9"' in page
    assert Merchant.objects.count() == 2


def test_officers_cannot_import(client, officer_gulou):
    client.force_login(officer_gulou)
    assert client.get(reverse("shops:import")).status_code == 403


def test_the_template_sheets_download_and_read_back(client, supervisor_gulou):
    client.force_login(supervisor_gulou)
    xlsx = client.get(reverse("shops:import_template", args=["xlsx"]))
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert next(book.active.iter_rows(values_only=True))[1] == "统一社会信用代码"
    csv_body = client.get(reverse("shops:import_template", args=["csv"])).content
    assert csv_body.startswith("\ufeff".encode())
    assert client.get(reverse("shops:import_template", args=["pdf"])).status_code == 404
