"""Reads about people and units, scoped to who is asking."""

from django.db.models import Count, Q, QuerySet

from accounts.models import Officer, Unit, UnitKind, User
from accounts.roles import Role, has_role


def brigade_of(user: User) -> Unit | None:
    """The brigade a supervisor or officer works in, or None (command centre, departments)."""
    unit = user.unit
    return unit.brigade if unit is not None else None


def is_command_centre(user: User) -> bool:
    """A supervisor posted at the bureau sees the whole city."""
    return user.unit is not None and user.unit.kind == UnitKind.BUREAU


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
