"""``scope_of(user)``: who sees what, decided once. Each role's grant has its denial twin."""

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import Officer
from accounts.scope import ANONYMOUS, scope_of
from accounts.selectors import officers_visible_to
from grids.models import Community, GridCell
from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def visible_communities(user):
    scope = scope_of(user)
    return set(
        scope.visible(
            Community.objects.all(),
            scope.brigade_q("brigade_id"),
            scope.posted_communities_q("pk"),
        ).values_list("name", flat=True)
    )


def test_anonymous_users_have_the_empty_scope_and_see_nothing(gulou_community):
    scope = scope_of(AnonymousUser())
    assert scope is ANONYMOUS
    assert not scope.authenticated
    assert not scope.city_wide
    assert not scope.supervises(gulou_community.brigade_id)
    assert visible_communities(AnonymousUser()) == set()


def test_the_scope_is_built_once_per_user_object(supervisor_gulou, django_assert_num_queries):
    first = scope_of(supervisor_gulou)
    with django_assert_num_queries(0):
        assert scope_of(supervisor_gulou) is first


def test_supervisor_supervises_their_brigade(supervisor_gulou, gulou_community):
    scope = scope_of(supervisor_gulou)
    assert scope.brigade_id == gulou_community.brigade_id
    assert scope.is_supervisor
    assert scope.supervises(gulou_community.brigade_id)
    assert visible_communities(supervisor_gulou) == {"黄楼社区"}


def test_supervisor_does_not_supervise_another_brigade(supervisor_gulou, taishan_community):
    scope = scope_of(supervisor_gulou)
    assert not scope.city_wide
    assert not scope.supervises(taishan_community.brigade_id)
    assert "泰山社区" not in visible_communities(supervisor_gulou)


def test_command_centre_supervises_the_whole_city(
    command_supervisor, gulou_community, taishan_community
):
    scope = scope_of(command_supervisor)
    assert scope.supervises_city and scope.city_wide
    assert scope.brigade_id is None
    assert scope.supervises(gulou_community.brigade_id)
    assert scope.supervises(taishan_community.brigade_id)
    assert visible_communities(command_supervisor) == {"黄楼社区", "泰山社区"}


def test_assessor_reads_the_city_but_supervises_nothing(
    assessor, gulou_community, taishan_community
):
    scope = scope_of(assessor)
    assert scope.city_wide
    assert not scope.is_supervisor
    assert not scope.supervises(gulou_community.brigade_id)
    assert visible_communities(assessor) == {"黄楼社区", "泰山社区"}


def test_officer_sees_the_communities_and_grids_of_their_postings(officer_gulou, gulou_community):
    scope = scope_of(officer_gulou)
    assert scope.is_officer
    assert scope.officer_brigade_id == gulou_community.brigade_id
    assert visible_communities(officer_gulou) == {"黄楼社区"}
    cells = GridCell.objects.filter(scope.posted_cells_q("pk"))
    assert set(cells) == set(gulou_community.grid_cells.all())


def test_officer_sees_nothing_of_another_brigade_and_supervises_nothing(
    officer_gulou, taishan_community
):
    scope = scope_of(officer_gulou)
    assert not scope.is_supervisor
    assert not scope.supervises(taishan_community.brigade_id)
    assert "泰山社区" not in visible_communities(officer_gulou)
    assert not GridCell.objects.filter(
        scope.posted_cells_q("pk"), community=taishan_community
    ).exists()


def test_officer_is_the_officer_of_their_own_profile_only(officer_gulou, officer_quanshan):
    scope = scope_of(officer_gulou)
    assert scope.is_the_officer(officer_gulou.officer.pk)
    assert not scope.is_the_officer(officer_quanshan.officer.pk)
    assert not scope.is_the_officer(None)


def test_handler_handles_for_their_unit(handler_sanitation):
    scope = scope_of(handler_sanitation)
    assert scope.handler_unit_id == handler_sanitation.unit_id
    assert scope.handles_for(handler_sanitation.unit_id)


def test_handler_handles_for_no_other_unit_and_sees_no_community(
    handler_sanitation, supervisor_gulou, gulou_community
):
    scope = scope_of(handler_sanitation)
    assert not scope.handles_for(supervisor_gulou.unit_id)
    assert not scope.handles_for(None)
    assert not scope.is_officer and not scope.is_supervisor
    assert visible_communities(handler_sanitation) == set()


def test_resident_sees_nothing_and_may_do_nothing(resident, gulou_community):
    scope = scope_of(resident)
    assert scope.authenticated
    assert not (scope.city_wide or scope.is_supervisor or scope.is_officer)
    assert scope.handler_unit_id is None
    assert visible_communities(resident) == set()


def test_supervisors_read_their_brigades_officers_and_officers_themselves(
    supervisor_gulou, command_supervisor, officer_gulou, officer_quanshan
):
    assert set(officers_visible_to(supervisor_gulou)) == {officer_gulou.officer}
    assert set(officers_visible_to(command_supervisor)) == set(Officer.objects.all())
    assert set(officers_visible_to(officer_gulou)) == {officer_gulou.officer}


def test_officers_of_other_brigades_and_other_roles_are_not_readable(
    supervisor_gulou, officer_gulou, officer_quanshan, handler_sanitation, resident
):
    assert officer_quanshan.officer not in officers_visible_to(supervisor_gulou)
    assert officer_quanshan.officer not in officers_visible_to(officer_gulou)
    assert not officers_visible_to(handler_sanitation).exists()
    assert not officers_visible_to(resident).exists()
    assert not officers_visible_to(AnonymousUser()).exists()


def test_a_supervisor_without_a_brigade_supervises_nothing(db):
    unit = UnitFactory(code="roads", name="市政处", kind="department")
    user = UserFactory(username="lost_supervisor", unit=unit, roles=["supervisor"])
    scope = scope_of(user)
    assert not scope.is_supervisor
    assert not scope.supervises(None)
