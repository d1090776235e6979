"""A patrol left open overnight: the next day's Start closes it (at its last point, or at the
midnight that ended its day) and opens a new one, so each day counts its own patrols."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from patrols import selectors, services
from patrols.models import PatrolSession
from tests.patrols.conftest import GULOU_001, GULOU_002, SHANGHAI

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 11, 23)
TUESDAY = MONDAY + datetime.timedelta(days=1)


def local(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=SHANGHAI)


def test_start_the_next_day_closes_the_patrol_at_its_last_point_and_opens_a_new_one(
    monday, officer_gulou
):
    monday.move_to(local(MONDAY, 17, 30))
    yesterday, _ = services.start_patrol(actor=officer_gulou)
    services.record_point(
        actor=officer_gulou, session_id=yesterday.pk, lat=GULOU_001[0], lng=GULOU_001[1]
    )
    monday.move_to(local(MONDAY, 18, 5))
    services.record_point(
        actor=officer_gulou, session_id=yesterday.pk, lat=GULOU_002[0], lng=GULOU_002[1]
    )

    monday.move_to(local(TUESDAY, 8, 0))
    today, created = services.start_patrol(actor=officer_gulou)

    assert created and today.pk != yesterday.pk and today.is_open
    yesterday.refresh_from_db()
    assert yesterday.ended_at == local(MONDAY, 18, 5)
    assert "left open overnight" in yesterday.notes
    officer = officer_gulou.officer
    assert selectors.day_counts(officer, MONDAY)["patrol_minutes"] == 35
    assert selectors.day_counts(officer, TUESDAY)["patrol_count"] == 1


def test_a_stale_patrol_without_points_is_closed_at_midnight_keeping_its_notes(
    monday, officer_gulou
):
    monday.move_to(local(MONDAY, 22, 0))
    yesterday, _ = services.start_patrol(actor=officer_gulou)
    PatrolSession.objects.filter(pk=yesterday.pk).update(notes="夜间巡查")

    monday.move_to(local(TUESDAY, 0, 10))
    _today, created = services.start_patrol(actor=officer_gulou)

    assert created
    yesterday.refresh_from_db()
    assert timezone.localtime(yesterday.ended_at) == local(TUESDAY, 0, 0)
    assert yesterday.notes.startswith("夜间巡查\n") and "overnight" in yesterday.notes
    assert (
        PatrolSession.objects.filter(officer__user=officer_gulou, ended_at__isnull=True).count()
        == 1
    )


def test_start_later_the_same_day_resumes_the_open_patrol(monday, officer_gulou):
    monday.move_to(local(MONDAY, 7, 0))
    morning, _ = services.start_patrol(actor=officer_gulou)

    monday.move_to(local(MONDAY, 23, 50))
    again, created = services.start_patrol(actor=officer_gulou)

    assert not created and again.pk == morning.pk
    morning.refresh_from_db()
    assert morning.ended_at is None and morning.notes == ""


def test_the_next_morning_the_patrol_page_offers_start_instead_of_yesterdays_patrol(
    monday, officer_gulou, client
):
    monday.move_to(local(MONDAY, 18, 0))
    yesterday, _ = services.start_patrol(actor=officer_gulou)
    client.force_login(officer_gulou)
    monday.move_to(local(TUESDAY, 8, 0))

    page = client.get(reverse("patrols:patrol"))
    home = client.get(reverse("web:officer_home"))
    started = client.post(reverse("patrols:start"))

    assert page.context["session"] is None and 'id="patrol-tracker"' not in page.content.decode()
    assert reverse("patrols:start") in home.content.decode()
    assert started.status_code == 302
    today = PatrolSession.objects.get(officer__user=officer_gulou, ended_at__isnull=True)
    assert today.pk != yesterday.pk
    assert client.get(reverse("patrols:patrol")).context["session"] == today


def test_later_the_same_day_the_patrol_page_carries_on_the_open_patrol(
    monday, officer_gulou, client
):
    session, _ = services.start_patrol(actor=officer_gulou)
    client.force_login(officer_gulou)

    page = client.get(reverse("patrols:patrol"))

    assert page.context["session"] == session and 'id="patrol-tracker"' in page.content.decode()
