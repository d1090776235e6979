import datetime
import io

import pytest
import time_machine
import zxingcpp
from django.core.cache import cache
from django.urls import reverse
from PIL import Image

from grids.models import Assignment
from tests.factories import AssignmentFactory, OfficerFactory

pytestmark = pytest.mark.django_db


def test_the_board_shows_each_officer_posted_there(client, officer_quanshan, taishan_community):
    response = client.get("/communities/320311010001/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "泰山社区" in html
    assert "李秀英" in html  # name
    assert "泉山执法监督三大队" in html  # unit
    assert "0516-83880001" in html  # public phone
    assert "社区执法监督网格员" in html  # post
    assert "巡查泰山社区市容环境秩序" in html  # duties
    assert "08:30–17:30" in html  # hours
    assert 'class="avatar avatar-placeholder"' in html  # photo placeholder


def test_the_board_does_not_show_an_officer_whose_posting_ended(client, taishan_community):
    gone = OfficerFactory(brigade=taishan_community.brigade, user__display_name="调走的人")
    AssignmentFactory(
        officer=gone,
        community=taishan_community,
        valid_from=datetime.date(2023, 1, 1),
        valid_to=datetime.date(2025, 12, 31),
    )
    html = client.get("/communities/320311010001/").content.decode()
    assert "调走的人" not in html
    assert "No officer is posted" in html or "暂无" in html or "目前没有" in html


def test_the_board_shows_no_private_phone_of_the_officer(client, officer_quanshan):
    officer_quanshan.phone = "13912345678"
    officer_quanshan.save(update_fields=["phone"])
    html = client.get("/communities/320311010001/").content.decode()
    assert "13912345678" not in html


def test_the_board_of_an_unknown_community_is_not_found(client, taishan_community):
    assert client.get("/communities/999999999999/").status_code == 404
    assert client.get("/communities/<script>/").status_code == 404


def test_the_board_qr_code_opens_the_complaint_form_for_that_community(client, officer_quanshan):
    response = client.get("/communities/320311010001/qr.png")
    assert response["Content-Type"] == "image/png"
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(response.content)))
    assert [d.text for d in decoded] == ["http://testserver/report/?community=320311010001"]
    html = client.get("/communities/320311010001/").content.decode()
    assert "<svg" in html and 'id="board-qr"' in html


def test_the_qr_code_uses_the_configured_site_url(client, officer_quanshan, settings):
    settings.SITE_URL = "https://cg.xz.gov.cn"
    html = client.get("/communities/320311010001/").content.decode()
    assert 'href="https://cg.xz.gov.cn/report/?community=320311010001"' in html


def test_the_board_runs_a_constant_number_of_queries(
    client, taishan_community, officer_quanshan, django_assert_max_num_queries
):
    # Six for the board, one for the community's month (12 months in one query).
    with django_assert_max_num_queries(7):
        client.get("/communities/320311010001/")
    cache.clear()  # the month's figures are cached: count them again
    for _ in range(5):
        AssignmentFactory(
            community=taishan_community,
            grid_cells=list(taishan_community.grid_cells.all()),
            officer__brigade=taishan_community.brigade,
        )
    assert Assignment.objects.filter(community=taishan_community).count() == 6
    with django_assert_max_num_queries(7):
        client.get("/communities/320311010001/")


def test_the_public_index_lists_districts_streets_and_communities(
    client, gulou_community, taishan_community
):
    response = client.get(reverse("grids:board_index"))
    html = response.content.decode()
    for text in ["鼓楼区", "泉山区", "黄楼街道", "泰山街道", "黄楼社区", "泰山社区"]:
        assert text in html
    assert 'href="/communities/320311010001/"' in html


def test_an_officer_has_a_printable_contact_card(client, officer_quanshan):
    response = client.get("/officers/QS3-001/card/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "李秀英" in html and "0516-83880001" in html and "泰山社区" in html
    assert "<svg" in html


def test_an_officer_without_a_current_posting_has_no_public_card(client, taishan_community):
    OfficerFactory(badge_number="QS3-099", brigade=taishan_community.brigade)
    assert client.get("/officers/QS3-099/card/").status_code == 404
    assert client.get("/officers/NOPE/card/").status_code == 404


@time_machine.travel(datetime.datetime(2026, 11, 21, 10, 0, tzinfo=datetime.UTC))
def test_the_complaint_link_preselects_the_community(client, taishan_community):
    html = client.get("/report/?community=320311010001").content.decode()
    assert "泰山社区" in html
    assert client.get("/report/?community=bogus").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/communities/%00/",
        "/communities/32031101%0001/qr.png",
        "/officers/GL1%00/card/",
        "/officers/%1b/photo/",
    ],
)
def test_a_control_character_in_a_public_url_is_a_404_not_a_database_error(client, db, path):
    # PostgreSQL refuses NUL in text: the URL must not reach a query at all.
    assert client.get(path).status_code == 404
