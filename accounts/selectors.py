"""Reads about people and units, scoped to who is asking."""

from django.db.models import Count, Q, QuerySet

from accounts.models import Officer, Unit, UnitKind, User
from accounts.roles import Role
from accounts.scope import scope_of


def brigade_of(user: User) -> Unit | None:
    """The brigade a supervisor or officer works in, or None (command centre, departments)."""
    unit = user.unit
    return unit.brigade if unit is not None else None


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
    """Officers whose profiles, postings, patrols and logs the user may read: a supervisor their
    brigade's (the command centre and assessors: all), an officer only themselves, anyone else
    none."""
    scope = scope_of(user)
    officers = Officer.objects.select_related("user", "brigade")
    return scope.visible(officers, scope.brigade_q("brigade_id"), scope.officer_q("pk"))
