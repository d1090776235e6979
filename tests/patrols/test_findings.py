"""Findings on patrol: three honest outcomes, each with its audit rows."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases.models import Action, PhotoKind, Source, State
from patrols import services
from tests.factories import processed_photo
from tests.patrols.conftest import GULOU_001, QUANSHAN_001

pytestmark = pytest.mark.django_db


def find(actor, outcome, category, *, point=GULOU_001, **extra):
    defaults = {
        "photos": [processed_photo()] if outcome != "on_site" else [],
        "before": [processed_photo("before.jpg")] if outcome == "on_site" else [],
        "after": [processed_photo("after.jpg")] if outcome == "on_site" else [],
        "note": "已清理" if outcome == "on_site" else "",
    }
    return services.file_finding(
        actor=actor,
        outcome=outcome,
        category=category,
        description="人行道上有暴露垃圾",
        lat=point[0],
        lng=point[1],
        **{**defaults, **extra},
    )


def actions(ticket):
    return list(ticket.events.order_by("id").values_list("action", "actor__username"))


def test_fixed_on_site_is_a_closed_ticket_with_before_and_after_photos(
    officer_gulou, category, media
):
    ticket = find(officer_gulou, "on_site", category)

    assert ticket.state == State.CLOSED and ticket.on_site and ticket.source == Source.PATROL
    assert sorted(ticket.photos.values_list("kind", flat=True)) == [
        PhotoKind.AFTER,
        PhotoKind.BEFORE,
    ]
    assert actions(ticket) == [(Action.ON_SITE, "officer_gulou")]


def test_a_finding_for_dispatch_is_registered_by_the_officer_who_saw_it(
    officer_gulou, category, media
):
    ticket = find(officer_gulou, "dispatch", category)

    assert ticket.state == State.REGISTERED and ticket.registered_at is not None
    assert ticket.source == Source.PATROL and not ticket.on_site
    assert actions(ticket) == [
        (Action.CREATE, "officer_gulou"),
        (Action.REGISTER, "officer_gulou"),
    ]
    assert ticket.photos.get().kind == PhotoKind.REPORT


def test_a_finding_referred_to_a_unit_starts_its_clock(
    officer_gulou, category, handler_sanitation, media
):
    deadline = timezone.now() + datetime.timedelta(days=2)

    ticket = find(
        officer_gulou,
        "refer",
        category,
        unit_id=handler_sanitation.unit_id,
        person="陈科长",
        deadline=deadline,
    )

    assert ticket.state == State.REFERRED
    assert ticket.responsible_unit_id == handler_sanitation.unit_id
    assert ticket.responsible_person == "陈科长"
    assert ticket.deadline == deadline and ticket.clock_started_at is not None
    assert actions(ticket) == [
        (Action.CREATE, "officer_gulou"),
        (Action.REGISTER, "officer_gulou"),
        (Action.REFER, "officer_gulou"),
    ]


def test_a_referral_needs_a_responsible_person(officer_gulou, category, handler_sanitation, media):
    with pytest.raises(ValidationError, match="person"):
        find(officer_gulou, "refer", category, unit_id=handler_sanitation.unit_id, person=" ")


def test_a_finding_in_another_brigades_area_stays_a_report_for_that_brigade(
    officer_gulou, taishan_community, category, media
):
    ticket = find(officer_gulou, "dispatch", category, point=QUANSHAN_001)

    assert ticket.state == State.REPORTED
    assert ticket.brigade_id == taishan_community.brigade_id
    assert actions(ticket) == [(Action.CREATE, "officer_gulou")]


def test_a_supervisor_cannot_file_a_patrol_finding(supervisor_gulou, gulou_community, category):
    with pytest.raises(PermissionDenied):
        find(supervisor_gulou, "dispatch", category)


def test_a_fix_on_site_in_another_brigades_area_is_refused_on_the_community_field(
    officer_gulou, category, media
):
    with pytest.raises(ValidationError) as refused:
        find(officer_gulou, "on_site", category, point=QUANSHAN_001)

    assert "community" in refused.value.message_dict
    assert not officer_gulou.reported_tickets.exists()
