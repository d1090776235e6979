"""Whose things a user may see and act on: the one place that decides (DESIGN §3, "Scope").

``scope_of(user)`` reads the user's roles and officer profile once per request (their unit when a
question first needs it) and gives a frozen ``Scope``. Selectors build their filters from it
(``scope.visible(queryset, ...rules)``) and permissions their predicates
(``scope.supervises(brigade_id)``), so "city-wide or my brigade" is never re-derived by hand.

accounts stands below grids and cases, so the filters take field names (``"brigade_id"``,
``"grid_cell_id"``) from the caller instead of importing their models; an officer's postings are
read through the ``Officer.assignments`` reverse relation.
"""

import datetime
from dataclasses import dataclass, field
from functools import cached_property, reduce
from operator import or_
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import Officer, UnitKind
from accounts.roles import Role, roles_of

# A filter that matches no row: the base of every "visible if any of these" union.
NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class Scope:
    """Who a user is for the purpose of seeing things. Anonymous users get ``Scope()``."""

    user_id: int | None = None
    is_superuser: bool = False
    roles: frozenset[str] = frozenset()
    unit_id: int | None = None
    # The field-officer profile: officers only (a brigade leader has a profile too, unused here).
    officer_id: int | None = None
    officer_brigade_id: int | None = None
    # The user, to read their unit only when a question needs it (``unit_brigade_id``,
    # ``at_bureau``): an officer's or an assessor's pages never pay for that query.
    user: Any = field(default=None, compare=False, repr=False)

    # --- where --------------------------------------------------------------------------------

    @cached_property
    def _place(self) -> tuple[int | None, bool]:
        unit = self.user.unit if self.unit_id is not None else None
        if unit is None:
            return None, False
        brigade = unit.brigade
        return (brigade.pk if brigade is not None else None), unit.kind == UnitKind.BUREAU

    @property
    def unit_brigade_id(self) -> int | None:
        """The brigade the user's unit is or belongs to (any role)."""
        return self._place[0]

    @property
    def at_bureau(self) -> bool:
        """Whether the user's unit is the bureau (the command centre's and assessors')."""
        return self._place[1]

    # --- who ----------------------------------------------------------------------------------

    @property
    def authenticated(self) -> bool:
        return self.user_id is not None

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles & {role.value for role in roles})

    @property
    def is_officer(self) -> bool:
        return self.officer_id is not None

    @property
    def is_assessor(self) -> bool:
        return self.has_role(Role.ASSESSOR)

    @property
    def supervises_city(self) -> bool:
        """Superusers and the command centre (supervisors posted at the bureau)."""
        return self.is_superuser or (self.has_role(Role.SUPERVISOR) and self.at_bureau)

    @property
    def brigade_id(self) -> int | None:
        """The brigade a (non city-wide) supervisor answers for; None for everyone else."""
        if self.supervises_city or not self.has_role(Role.SUPERVISOR):
            return None
        return self.unit_brigade_id

    @property
    def is_supervisor(self) -> bool:
        """Supervises something: the whole city or a brigade (a supervisor without a brigade
        supervises nothing)."""
        return self.supervises_city or self.brigade_id is not None

    @property
    def city_wide(self) -> bool:
        """Reads the whole city: the city-wide supervisors and the assessors."""
        return self.supervises_city or self.is_assessor

    @property
    def handler_unit_id(self) -> int | None:
        """The responsible unit a department handler works for."""
        return self.unit_id if self.has_role(Role.HANDLER) else None

    @property
    def unit_covers_city(self) -> bool:
        """Whose unit answers for every community (superusers, anyone at the bureau)."""
        return self.is_superuser or self.at_bureau

    # --- predicates ---------------------------------------------------------------------------

    def supervises(self, brigade_id: int | None) -> bool:
        """Whether the user supervises things of ``brigade_id`` (the command centre: any)."""
        return self.supervises_city or (
            self.brigade_id is not None and self.brigade_id == brigade_id
        )

    def is_the_officer(self, officer_id: int | None) -> bool:
        return self.officer_id is not None and self.officer_id == officer_id

    def handles_for(self, unit_id: int | None) -> bool:
        """Whether the user is a handler of ``unit_id``."""
        return self.handler_unit_id is not None and self.handler_unit_id == unit_id

    # --- filters ------------------------------------------------------------------------------

    def brigade_q(self, field: str = "brigade_id") -> Q:
        """Rows of the supervised brigade (``field`` names their brigade column)."""
        return Q(**{field: self.brigade_id}) if self.brigade_id is not None else NOTHING

    def officer_q(self, field: str = "officer_id") -> Q:
        """Rows of the officer themselves."""
        return Q(**{field: self.officer_id}) if self.officer_id is not None else NOTHING

    def handler_unit_q(self, field: str) -> Q:
        """Rows of the handler's unit."""
        unit_id = self.handler_unit_id
        return Q(**{field: unit_id}) if unit_id is not None else NOTHING

    def postings(self, day: datetime.date | None = None) -> QuerySet[Officer]:
        """The officer's postings in force on ``day`` (default today), as a queryset to take
        ``values("assignments__…")`` of. The same rule as ``AssignmentQuerySet.valid_on``, in
        one ``filter()`` so every condition is on the same posting."""
        day = day or timezone.localdate()
        return Officer.objects.filter(
            Q(pk=self.officer_id),
            Q(assignments__valid_from__lte=day),
            Q(assignments__valid_to__isnull=True) | Q(assignments__valid_to__gte=day),
        )

    def posted_cells_q(self, field: str) -> Q:
        """Rows in a unit grid of the officer's postings today (``field``: the grid id)."""
        if self.officer_id is None:
            return NOTHING
        return Q(**{f"{field}__in": self.postings().values("assignments__grid_cells")})

    def posted_communities_q(self, field: str) -> Q:
        """Rows in a community of the officer's postings today (``field``: the community id)."""
        if self.officer_id is None:
            return NOTHING
        return Q(**{f"{field}__in": self.postings().values("assignments__community_id")})

    def visible(self, queryset: QuerySet, *rules: Q) -> QuerySet:
        """``queryset`` as the user may read it: nothing for anonymous users, everything for a
        city-wide reader, else the rows any of ``rules`` allows."""
        if not self.authenticated:
            return queryset.none()
        if self.city_wide:
            return queryset
        return queryset.filter(reduce(or_, rules, NOTHING))


ANONYMOUS = Scope()


def scope_of(user: Any) -> Scope:
    """The user's ``Scope``, cached on the instance for the request (like ``roles_of``)."""
    if not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    cached = getattr(user, "_scope", None)
    if cached is None:
        cached = _build(user)
        user._scope = cached
    return cached


def _build(user: Any) -> Scope:
    roles = frozenset(roles_of(user))
    officer = getattr(user, "officer", None) if Role.OFFICER.value in roles else None
    return Scope(
        user_id=user.pk,
        is_superuser=user.is_superuser,
        roles=roles,
        unit_id=user.unit_id,
        officer_id=officer.pk if officer is not None else None,
        officer_brigade_id=officer.brigade_id if officer is not None else None,
        user=user,
    )
