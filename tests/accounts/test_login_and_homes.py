import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from tests.factories import (
    AssignmentFactory,
    CommunityFactory,
    GridCellFactory,
    OfficerFactory,
    square,
)

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-2026"


@pytest.mark.parametrize(
    ("fixture", "home"),
    [
        ("officer_gulou", "/officer/"),
        ("supervisor_gulou", "/supervisor/"),
        ("command_supervisor", "/supervisor/"),
        ("handler_sanitation", "/handler/"),
        ("assessor", "/assessor/"),
    ],
)
def test_each_role_logs_in_and_lands_on_its_own_home(client, request, fixture, home):
    user = request.getfixturevalue(fixture)
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == home
    assert response.status_code == 200


def test_a_wrong_password_is_refused_and_keeps_the_username(client, officer_gulou):
    response = client.post(
        reverse("accounts:login"), {"username": "officer_gulou", "password": "wrong"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="officer_gulou"' in html
    assert "alert-danger" in html
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("fixture", "page"),
    [
        ("officer_gulou", "/supervisor/"),
        ("officer_gulou", "/assessor/"),
        ("officer_gulou", "/handler/"),
        ("supervisor_gulou", "/officer/"),
        ("handler_sanitation", "/supervisor/"),
        ("resident", "/officer/"),
        ("resident", "/supervisor/"),
        ("assessor", "/supervisor/"),
    ],
)
def test_a_page_of_another_role_is_denied(client, request, fixture, page):
    client.force_login(request.getfixturevalue(fixture))
    response = client.get(page)
    assert response.status_code == 403
    assert (
        "not part of your role" in response.content.decode() or "角色" in response.content.decode()
    )


@pytest.mark.parametrize("page", ["/officer/", "/supervisor/", "/handler/", "/assessor/", "/home/"])
def test_an_anonymous_visitor_is_sent_to_the_login_page(client, page):
    response = client.get(page)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_the_officer_home_lists_their_postings(client, officer_gulou):
    client.force_login(officer_gulou)
    html = client.get("/officer/").content.decode()
    assert "黄楼社区" in html
    assert "泰山社区" not in html


def test_a_supervisor_sees_their_brigades_roster_and_not_another(
    client, supervisor_gulou, officer_gulou, officer_quanshan
):
    client.force_login(supervisor_gulou)
    html = client.get("/supervisor/").content.decode()
    assert "王建国" in html  # 鼓楼 officer on duty
    assert "李秀英" not in html  # 泉山 officer
    assert "泰山社区" not in html


@time_machine.travel(
    datetime.datetime(2026, 11, 23, 10, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai")), tick=False
)
def test_the_supervisor_home_counts_people_on_duty_once_in_header_and_card(
    client, supervisor_gulou, officer_gulou, gulou_community
):
    # 王建国 covers two communities of the brigade: two postings, one person on duty.
    second = CommunityFactory(
        street=gulou_community.street, code="002", name="牌楼社区", brigade=gulou_community.brigade
    )
    GridCellFactory(community=second, code="001", boundary=square(3, 0))
    AssignmentFactory(
        officer=officer_gulou.officer,
        community=second,
        grid_cells=list(second.grid_cells.all()),
        weekdays="1234567",
    )
    client.force_login(supervisor_gulou)

    response = client.get("/supervisor/", HTTP_ACCEPT_LANGUAGE="en")

    html = response.content.decode()
    assert len(response.context["roster"]) == 2
    assert "1 officer on duty today" in html
    assert "1 of 1 officers on duty are patrolling now" not in html  # nobody is patrolling
    assert "0 of 1 officers on duty are patrolling now" in html


def test_the_command_centre_sees_every_brigade_and_counts_field_officers(
    client, command_supervisor, officer_gulou, officer_quanshan, supervisor_gulou
):
    # The brigade leader's own Officer profile is not a field officer.
    OfficerFactory(user=supervisor_gulou, brigade=officer_gulou.officer.brigade)
    client.force_login(command_supervisor)
    response = client.get("/supervisor/")
    html = response.content.decode()
    assert "鼓楼执法监督一大队" in html and "泉山执法监督三大队" in html
    counts = {b.code: (b.community_count, b.officer_count) for b in response.context["brigades"]}
    assert counts == {"gl1": (1, 1), "qs3": (1, 1)}


def test_logging_out_needs_a_post_and_ends_the_session(client, officer_gulou):
    client.force_login(officer_gulou)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get("/officer/").status_code == 302


def test_the_interface_speaks_chinese_by_default_and_english_on_request(client):
    assert 'lang="zh-hans"' in client.get("/communities/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/communities/"})
    html = client.get("/communities/").content.decode()
    assert 'lang="en"' in html
    assert "Community notice boards" in html
