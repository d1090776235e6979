import datetime

import pytest
from django.db import IntegrityError

from grids.models import Assignment
from grids.services import end_assignment
from tests.factories import AssignmentFactory, OfficerFactory

pytestmark = pytest.mark.django_db


def test_an_ended_assignment_is_kept_and_answers_for_its_own_period(gulou_community):
    officer = OfficerFactory(brigade=gulou_community.brigade)
    october = AssignmentFactory(
        officer=officer, community=gulou_community, valid_from=datetime.date(2026, 1, 1)
    )
    end_assignment(assignment_id=october.pk, on=datetime.date(2026, 10, 31))
    successor = AssignmentFactory(community=gulou_community, valid_from=datetime.date(2026, 11, 1))

    in_october = Assignment.objects.valid_on(datetime.date(2026, 10, 15)).filter(
        community=gulou_community
    )
    in_november = Assignment.objects.valid_on(datetime.date(2026, 11, 15)).filter(
        community=gulou_community
    )
    assert list(in_october) == [october]
    assert list(in_november) == [successor]
    assert Assignment.objects.filter(pk=october.pk).exists()


def test_ending_an_already_ended_assignment_changes_nothing(gulou_community):
    posting = AssignmentFactory(community=gulou_community, valid_to=datetime.date(2026, 3, 31))
    end_assignment(assignment_id=posting.pk, on=datetime.date(2026, 6, 30))
    posting.refresh_from_db()
    assert posting.valid_to == datetime.date(2026, 3, 31)


def test_on_duty_follows_the_posted_weekdays(gulou_community):
    weekday_only = AssignmentFactory(community=gulou_community, weekdays="12345")
    weekend = AssignmentFactory(community=gulou_community, weekdays="67")
    saturday = datetime.date(2026, 11, 21)
    monday = datetime.date(2026, 11, 23)
    assert list(Assignment.objects.on_duty(saturday)) == [weekend]
    assert list(Assignment.objects.on_duty(monday)) == [weekday_only]


def test_an_assignment_cannot_end_before_it_starts(gulou_community):
    with pytest.raises(IntegrityError):
        AssignmentFactory(
            community=gulou_community,
            valid_from=datetime.date(2026, 5, 1),
            valid_to=datetime.date(2026, 4, 1),
        )


def test_the_admin_cannot_delete_an_assignment(client, assessor, gulou_community):
    posting = AssignmentFactory(community=gulou_community)
    from django.contrib.auth.models import Permission

    assessor.user_permissions.add(Permission.objects.get(codename="delete_assignment"))
    client.force_login(assessor)
    response = client.post(f"/admin/grids/assignment/{posting.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert Assignment.objects.filter(pk=posting.pk).exists()
