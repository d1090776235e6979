"""List pages run a constant number of queries whatever the number of rows."""

import re

import pytest

from tests.factories import AssignmentFactory, CommunityFactory, StreetFactory

pytestmark = pytest.mark.django_db

# ATOMIC_REQUESTS wraps each view in a savepoint inside the test's transaction: two "queries".
SAVEPOINTS = 2


def test_the_public_board_index_is_three_queries_whatever_the_city_size(
    client, gulou_community, django_assert_num_queries
):
    with django_assert_num_queries(3 + SAVEPOINTS):
        client.get("/communities/")
    street = StreetFactory(
        code="320302002", name="丰财街道", district=gulou_community.street.district
    )
    for _ in range(20):
        CommunityFactory(street=street, brigade=gulou_community.brigade)
    with django_assert_num_queries(3 + SAVEPOINTS):
        response = client.get("/communities/")
    # Factory sequences run across tests, so the codes are 320302002xxx, not always 001-020.
    assert len(set(re.findall(r"/communities/320302002\d{3}/", response.content.decode()))) == 20


def test_the_supervisor_roster_does_not_grow_with_officers(
    client, supervisor_gulou, gulou_community, django_assert_max_num_queries
):
    client.force_login(supervisor_gulou)
    AssignmentFactory(community=gulou_community, weekdays="1234567")
    # 9 for the roster page, +1 the ticket summary aggregate, +1 the bell's unread count,
    # +2 the patrol summary (on duty / patrolling / not logged, logs to review).
    with django_assert_max_num_queries(13) as first:
        client.get("/supervisor/")
    for _ in range(15):
        AssignmentFactory(
            community=gulou_community, weekdays="1234567", officer__brigade=gulou_community.brigade
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get("/supervisor/")
    assert response.content.decode().count("badge text-bg-success") == 16
