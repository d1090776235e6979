"""The supervisor's patrol pages run a constant number of queries however many officers patrol."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from patrols import services
from tests.factories import AssignmentFactory, OfficerFactory
from tests.patrols.conftest import GULOU_001, GULOU_002

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 11, 23)


def brigade_at_work(community, n):
    """``n`` officers of 黄楼社区 each walk two points, file nothing and submit their log."""
    for i in range(n):
        officer = OfficerFactory(brigade=community.brigade, badge_number=f"GL1-1{i:02}")
        AssignmentFactory(
            officer=officer, community=community, grid_cells=list(community.grid_cells.all())
        )
        session, _ = services.start_patrol(actor=officer.user)
        for lat, lng in (GULOU_001, GULOU_002):
            services.record_point(actor=officer.user, session_id=session.pk, lat=lat, lng=lng)
        services.submit_log(actor=officer.user, day=MONDAY, summary="巡查", problems="")


@pytest.mark.parametrize("n", [1, 6])
def test_the_patrols_today_page_is_constant_in_queries(
    n, monday, gulou_community, supervisor_gulou, client, django_assert_max_num_queries
):
    brigade_at_work(gulou_community, n)
    client.force_login(supervisor_gulou)

    with django_assert_max_num_queries(14):
        response = client.get(reverse("patrols:today"))

    assert len(response.context["board"]) == n
    assert len(response.context["map_data"]["tracks"]) == n


@pytest.mark.parametrize("n", [1, 6])
def test_the_review_queue_is_constant_in_queries(
    n, monday, gulou_community, supervisor_gulou, client, django_assert_max_num_queries
):
    brigade_at_work(gulou_community, n)
    client.force_login(supervisor_gulou)

    with django_assert_max_num_queries(8):
        response = client.get(reverse("patrols:review_queue"))

    assert len(response.context["logs"]) == n


@pytest.mark.parametrize("n", [1, 6])
def test_the_supervisor_home_is_constant_in_queries(
    n, monday, gulou_community, supervisor_gulou, client, django_assert_max_num_queries
):
    brigade_at_work(gulou_community, n)
    client.force_login(supervisor_gulou)

    with django_assert_max_num_queries(14):
        response = client.get(reverse("web:supervisor_home"))

    assert response.context["logs_awaiting"] == n


def test_the_patrols_today_page_draws_each_row_without_an_include(
    monday, gulou_community, supervisor_gulou, client
):
    # The command centre's board lists every officer of the city: an ``{% include %}`` and two
    # ``{% url %}`` a row cost more than the page's SQL.
    brigade_at_work(gulou_community, 2)
    client.force_login(supervisor_gulou)
    response = client.get(reverse("patrols:today"))
    assert "patrols/_log_status.html" not in {t.name for t in response.templates}
    html = response.content.decode()
    for officer in response.context["board"]:
        assert f'href="{reverse("patrols:week", args=[officer.pk])}"' in html
        assert f'href="{reverse("patrols:log_detail", args=[officer.log_id])}"' in html
    assert html.count('<span class="badge text-bg-primary">') >= 2  # submitted


def test_the_review_queue_links_each_log_with_its_counts(
    monday, gulou_community, supervisor_gulou, client
):
    brigade_at_work(gulou_community, 2)
    client.force_login(supervisor_gulou)
    with translation.override("en"):
        response = client.get(reverse("patrols:review_queue"), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    for log in response.context["logs"]:
        # Made in the view from one reverse and one translation, not a tag a row.
        assert log.url == reverse("patrols:log_detail", args=[log.pk])
        assert f'href="{log.url}"' in html
    assert html.count("0 found, 0 fixed on site, 0 visits") == 2
