"""Whatever a user types or puts in a URL on the shop pages: a page or a form error, never a 500,
and nothing written."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shops.models import FrontagePledge, Merchant, Offence

pytestmark = pytest.mark.django_db

GARBAGE = {
    "party": "m99999999999999999999",
    "step": "🟥",
    "note": "\x00",
    "vendor_description": "\x00" * 3,
    "seized_items": "×" * 500,
    "return_on": "0000-00-00",
    "penalty_case_number": "x" * 500,
    "notice_number": "\x00",
    "promise_photo": "not a file",
}


@pytest.mark.parametrize(
    "path",
    [
        "/shops/?community=%00&q=%00&page=-1",
        "/shops/?community=99999999999999999999999",
        "/shops/99999999999999999999/",
        "/shops/0/door-card/",
        "/shops/99999999999999999999/door-card/qr.png",
        "/shops/pledges/99999999999999999999/print/",
        "/shops/pledges/1/scan/huge/",
        "/shops/s/%00/",
        "/shops/s/..%2F..%2Fetc/",
        "/shops/stats/721/?month=9999-99",
        "/shops/stats/721/?month=%00",
        "/shops/stats/721/?month=9999-12",
        "/shops/stats/721/?month=0001-01",
        "/shops/stats/721/?month=-0001-01",
        "/shops/import/template.exe",
    ],
)
def test_garbage_in_a_url_is_never_a_server_error(client, supervisor_gulou, shop, path):
    client.force_login(supervisor_gulou)
    assert client.get(path).status_code in (200, 302, 400, 404)


def test_garbage_step_form_is_a_form_error(client, officer_gulou, shop, street_ticket):
    ticket = street_ticket()
    client.force_login(officer_gulou)
    response = client.post(reverse("shops:record_offence", args=[ticket.number]), GARBAGE)
    assert response.status_code == 400
    assert not Offence.objects.exists()


def test_garbage_party_on_a_valid_step_is_a_form_error(client, officer_gulou, street_ticket):
    ticket = street_ticket()
    client.force_login(officer_gulou)
    for party in ("m99999", "v1", "new", "", "m-1"):
        response = client.post(
            reverse("shops:record_offence", args=[ticket.number]),
            {"party": party, "step": "persuade"},
        )
        assert response.status_code == 400
    assert not Offence.objects.exists()


def test_garbage_pledge_form_is_a_form_error(client, officer_gulou, shop):
    client.force_login(officer_gulou)
    response = client.post(
        reverse("shops:pledge_new", args=[shop.pk]),
        {
            "signed_on": "\x00",
            "valid_until": "31/31/2026",
            "keeps_clean": "\x00",
            "scan": SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50),
        },
    )
    assert response.status_code == 400 and not FrontagePledge.objects.exists()


def test_garbage_import_upload_is_a_form_error(client, supervisor_gulou, gulou_community):
    client.force_login(supervisor_gulou)
    for body in (b"\xff\xfe\x00\x00" * 100, "名称,\x00\n".encode(), b"PK\x03\x04" + b"\x00" * 100):
        response = client.post(
            reverse("shops:import"), {"sheet": SimpleUploadedFile("s.xlsx", body)}
        )
        assert response.status_code == 400
    assert client.post(reverse("shops:import"), {}).status_code == 400
    assert not Merchant.objects.exclude(pk__in=[]).exists()


def test_nul_characters_in_a_csv_row_are_a_row_error(client, supervisor_gulou, gulou_community):
    from tests.shops.conftest import GULOU_POINT, licence

    client.force_login(supervisor_gulou)
    lat, lng = GULOU_POINT
    header = "店铺名称,统一社会信用代码,负责人,联系电话,地址,纬度,经度"
    filler = "".join(f"好店{n},,张三,13852001234,路,{lat},{lng}\n" for n in range(30))
    bad = f"店\x00,{licence(3)},张三,13852001234,路,{lat},{lng}\n"  # row 32, past the sniffing
    body = f"{header}\n{filler}{bad}".encode()
    response = client.post(reverse("shops:import"), {"sheet": SimpleUploadedFile("s.csv", body)})
    assert response.status_code == 400
    assert 'data-row="32"' in response.content.decode()
    assert not Merchant.objects.exists()


@pytest.mark.parametrize("party", ["m²", "v²", "m١٢"])
def test_a_party_with_digits_int_refuses_is_a_form_error(
    client, officer_gulou, street_ticket, party
):
    ticket = street_ticket()
    client.force_login(officer_gulou)
    response = client.post(
        reverse("shops:record_offence", args=[ticket.number]),
        {"party": party, "step": "persuade"},
    )
    assert response.status_code == 400
    assert not Offence.objects.exists()
