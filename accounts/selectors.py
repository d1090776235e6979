"""Reads about people and units, scoped to who is asking."""

import datetime

from django.db.models import BooleanField, Case, Count, Q, QuerySet, When
from django.utils import timezone

from accounts.models import Officer, Unit, UnitKind, User
from accounts.roles import Role, has_role
from grids.models import Assignment, Community


def brigade_of(user: User) -> Unit | None:
    """The brigade a supervisor or officer works in, or None (command centre, departments)."""
    unit = user.unit
    return unit.brigade if unit is not None else None


def is_command_centre(user: User) -> bool:
    """A supervisor posted at the bureau sees the whole city."""
    return user.unit is not None and user.unit.kind == UnitKind.BUREAU


def supervised_communities(user: User) -> QuerySet[Community]:
    """Communities a supervisor answers for: their brigade's, or all for the command centre."""
    communities = Community.objects.select_related("street__district", "brigade")
    if user.is_superuser or is_command_centre(user):
        return communities
    brigade = brigade_of(user)
    if brigade is None:
        return communities.none()
    return communities.filter(brigade=brigade)


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


def brigade_summaries() -> QuerySet[Unit]:
    """Every brigade with its community and field-officer counts, for the command centre."""
    return (
        Unit.objects.filter(kind=UnitKind.BRIGADE)
        .annotate(
            community_count=Count("communities", distinct=True),
            # Field officers only: a brigade leader has an Officer profile too.
            officer_count=Count(
                "officers",
                filter=Q(officers__is_active=True, officers__user__groups__name=Role.OFFICER),
                distinct=True,
            ),
        )
        .order_by("district__code", "code")
    )


def officers_visible_to(user: User) -> QuerySet[Officer]:
    """Officers whose profiles and postings the user may read: a supervisor their brigade's (the
    command centre and assessors: all), an officer only themselves, anyone else none."""
    officers = Officer.objects.select_related("user", "brigade")
    if not getattr(user, "is_authenticated", False):
        return officers.none()
    if user.is_superuser or has_role(user, Role.ASSESSOR):
        return officers
    if has_role(user, Role.SUPERVISOR):
        if is_command_centre(user):
            return officers
        brigade = brigade_of(user)
        if brigade is not None:
            return officers.filter(brigade=brigade)
    if has_role(user, Role.OFFICER):
        return officers.filter(user=user)
    return officers.none()


def assignments_visible_to(user: User) -> QuerySet[Assignment]:
    """Postings (current and ended) of the officers the user may read."""
    return (
        Assignment.objects.filter(officer__in=officers_visible_to(user).values("pk"))
        .select_related("officer__user", "community")
        .prefetch_related("grid_cells")
    )
