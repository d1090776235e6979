"""Public reads about places: what a community's notice board (公示牌) shows."""

import datetime

from django.db.models import BooleanField, Case, Count, Prefetch, QuerySet, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import Officer, User
from accounts.scope import scope_of
from accounts.selectors import officers_visible_to
from grids.maps import cells_geojson
from grids.models import Assignment, Community, District, Street


def board_index() -> QuerySet[District]:
    """Districts with their streets and communities, for the public list of notice boards."""
    streets = Street.objects.order_by("code").prefetch_related(
        Prefetch("communities", queryset=Community.objects.order_by("code"))
    )
    return District.objects.order_by("code").prefetch_related(Prefetch("streets", queryset=streets))


def community_for_board(code: str) -> Community:
    return get_object_or_404(
        Community.objects.select_related("street__district", "brigade").annotate(
            cell_count=Count("grid_cells")
        ),
        code=code,
    )


def community_cells_geojson(community: Community) -> dict:
    """The community's active unit grids as a GeoJSON FeatureCollection (WGS84) for its map."""
    return cells_geojson(community.grid_cells.all())


def board_postings(community: Community, day: datetime.date) -> QuerySet[Assignment]:
    """Postings in force on ``day`` (whatever the weekday: the board lists the whole roster)."""
    return (
        Assignment.objects.valid_on(day)
        .filter(community=community, officer__is_active=True)
        .select_related("officer__user__unit", "officer__brigade")
        .prefetch_related("grid_cells")
        .order_by("start_time", "officer__badge_number")
    )


def officer_for_card(badge_number: str, day: datetime.date) -> tuple[Officer, list[Assignment]]:
    """An active officer with a current posting, and those postings; 404 for anyone else."""
    officer = get_object_or_404(
        Officer.objects.select_related("user__unit", "brigade"),
        badge_number=badge_number,
        is_active=True,
    )
    postings = list(
        Assignment.objects.valid_on(day)
        .filter(officer=officer)
        .select_related("community__street__district")
        .order_by("community__code")
    )
    if not postings:
        # Supervisors and officers between postings have no public card.
        raise Http404
    return officer, postings


def supervised_communities(user: User) -> QuerySet[Community]:
    """Communities a supervisor answers for: their brigade's, or all for the command centre.

    Read from the user's unit whatever their role (the bureau's staff: all; a brigade's: its
    own), as the queue's and the API's community choices are."""
    scope = scope_of(user)
    communities = Community.objects.select_related("street__district", "brigade")
    if scope.unit_covers_city:
        return communities
    if scope.unit_brigade_id is None:
        return communities.none()
    return communities.filter(brigade_id=scope.unit_brigade_id)


def current_assignments_of(officer: Officer, day: datetime.date | None = None) -> QuerySet:
    day = day or timezone.localdate()
    return (
        Assignment.objects.valid_on(day)
        .filter(officer=officer)
        .select_related("community__street__district")
        .prefetch_related("grid_cells")
        .order_by("community__code")
    )


def roster(communities: QuerySet[Community], day: datetime.date) -> QuerySet:
    """Postings in force on ``day`` in the given communities, each marked ``on_duty`` when the
    day is one of its duty days, with what a roster shows."""
    return (
        Assignment.objects.valid_on(day)
        .filter(community__in=communities)
        .annotate(
            on_duty=Case(
                When(weekdays__contains=str(day.isoweekday()), then=True),
                default=False,
                output_field=BooleanField(),
            )
        )
        .select_related("officer__user", "community")
        .order_by("-on_duty", "community__code", "start_time", "officer__badge_number")
    )


def uncovered_communities(communities: QuerySet[Community], day: datetime.date) -> QuerySet:
    """Communities with no posting in force on ``day``: a gap in 定人定岗 to fill."""
    return communities.exclude(
        id__in=Assignment.objects.valid_on(day).values("community_id")
    ).order_by("code")


def assignments_visible_to(user: User) -> QuerySet[Assignment]:
    """Postings (current and ended) of the officers the user may read."""
    return (
        Assignment.objects.filter(officer__in=officers_visible_to(user).values("pk"))
        .select_related("officer__user", "community")
        .prefetch_related("grid_cells")
    )
