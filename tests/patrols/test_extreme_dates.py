"""Dates a user can put in a URL: years 1 and 9999 parse as dates but overflow any arithmetic
on them, so they are refused (a 404) or ignored (a query parameter falls back to today)."""

import datetime

import pytest
from django.urls import reverse

from cases.models import Ticket
from patrols import services

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 11, 23)
EXTREMES = ("0001-01-01", "1999-12-31", "9999-12-31")


@pytest.mark.parametrize("week", EXTREMES)
def test_an_extreme_week_falls_back_to_this_week(
    monday, officer_gulou, supervisor_gulou, client, week
):
    client.force_login(supervisor_gulou)
    url = reverse("patrols:week", args=[officer_gulou.officer.pk])

    response = client.get(url, {"week": week})

    assert response.status_code == 200 and response.context["monday"] == MONDAY


def test_a_sane_week_in_the_past_is_shown(monday, officer_gulou, supervisor_gulou, client):
    client.force_login(supervisor_gulou)
    url = reverse("patrols:week", args=[officer_gulou.officer.pk])

    response = client.get(url, {"week": "2026-11-18"})

    assert response.status_code == 200
    assert response.context["monday"] == datetime.date(2026, 11, 16)


@pytest.mark.parametrize("day", EXTREMES)
def test_a_daily_log_of_an_extreme_day_is_a_404(monday, officer_gulou, client, day):
    client.force_login(officer_gulou)

    assert client.get(reverse("patrols:log_day", args=[day])).status_code == 404
    assert client.post(reverse("patrols:log_day", args=[day]), {"summary": "x"}).status_code == 404


@pytest.mark.parametrize("day", EXTREMES)
def test_the_today_board_of_an_extreme_day_is_a_404(monday, supervisor_gulou, client, day):
    client.force_login(supervisor_gulou)

    assert client.get(reverse("patrols:today"), {"day": day}).status_code == 404


def test_the_today_board_of_a_past_day_is_shown(monday, supervisor_gulou, client):
    client.force_login(supervisor_gulou)

    response = client.get(reverse("patrols:today"), {"day": "2026-11-20"})

    assert response.status_code == 200 and response.context["day"] == datetime.date(2026, 11, 20)


@pytest.mark.parametrize(
    ("deadline", "accepted"), [("9999-12-31T23:59", False), ("2026-12-04T17:00", True)]
)
def test_a_problem_deadline_must_be_within_a_year(
    monday,
    supervisor_gulou,
    gulou_community,
    category,
    handler_sanitation,
    client,
    deadline,
    accepted,
):
    walk = services.record_leadership_patrol(
        actor=supervisor_gulou, date=MONDAY, route="黄楼社区 — 中山路"
    )
    client.force_login(supervisor_gulou)

    response = client.post(
        reverse("patrols:leadership_detail", args=[walk.pk]),
        {
            "category": category.pk,
            "description": "中山路人行道井盖缺失",
            "community": gulou_community.pk,
            "address": "中山路18号门前",
            "unit": handler_sanitation.unit_id,
            "person": "陈科长",
            "deadline": deadline,
        },
    )

    if accepted:
        assert response.status_code == 302 and Ticket.objects.get().deadline is not None
    else:
        assert response.status_code == 400 and response.context["form"].has_error("deadline")
        assert not Ticket.objects.exists()
