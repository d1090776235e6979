"""What the stories draw on, read once from the seeded city: cells, postings, staff, classes."""

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass

from accounts.models import Officer, Unit, UnitKind, User
from accounts.roles import Role
from cases.models import Category, Source
from grids.models import Assignment, Community, GridCell


@dataclass(frozen=True)
class Posting:
    """A field officer's posting: which cells, from when to when, on which days and hours."""

    officer_id: int
    community_id: int
    cell_ids: tuple[int, ...]
    valid_from: dt.date
    valid_to: dt.date | None
    weekdays: str
    start: dt.time
    end: dt.time

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True)
class Cell:
    """A unit grid as tickets are placed in it: near the centroid, inside the bbox shrunk by 20%
    (10% off each side), which for the demo's square cells is well inside the cell."""

    id: int
    community_id: int
    lat: float
    lng: float
    lat_range: tuple[float, float]
    lng_range: tuple[float, float]

    @classmethod
    def of(cls, cell: GridCell) -> "Cell":
        margin_lat = 0.1 * (cell.max_lat - cell.min_lat)
        margin_lng = 0.1 * (cell.max_lng - cell.min_lng)
        return cls(
            id=cell.id,
            community_id=cell.community_id,
            lat=cell.centroid_lat,
            lng=cell.centroid_lng,
            lat_range=(cell.min_lat + margin_lat, cell.max_lat - margin_lat),
            lng_range=(cell.min_lng + margin_lng, cell.max_lng - margin_lng),
        )


class City:
    """What the stories draw on, read once from the seeded city."""

    def __init__(self) -> None:
        self.cells = [Cell.of(c) for c in GridCell.objects.filter(is_active=True).order_by("code")]
        self.cell_by_id = {cell.id: cell for cell in self.cells}
        self.communities = {
            c.id: c for c in Community.objects.select_related("street__district").order_by("code")
        }
        self.cells_of: dict[int, list[Cell]] = defaultdict(list)
        for cell in self.cells:
            self.cells_of[cell.community_id].append(cell)
        units = Unit.objects.filter(kind=UnitKind.STREET_OFFICE, code__startswith="street-")
        self.street_office = {u.code.removeprefix("street-"): u for u in units}

        field_officers = dict(
            Officer.objects.filter(is_active=True, user__groups__name=Role.OFFICER.value)
            .order_by("id")
            .values_list("id", "user_id")
        )
        self.officer_user = field_officers
        # What a dispatch event records of the officer, as cases.services does.
        self.officer_label = {
            o.id: {"officer": o.badge_number, "officer_name": str(o.user)}
            for o in Officer.objects.filter(id__in=field_officers).select_related("user")
        }
        cells_of_assignment: dict[int, list[int]] = defaultdict(list)
        for assignment_id, cell_id in Assignment.grid_cells.through.objects.order_by(
            "assignment_id", "gridcell_id"
        ).values_list("assignment_id", "gridcell_id"):
            cells_of_assignment[assignment_id].append(cell_id)
        self.postings = [
            Posting(
                officer_id=a.officer_id,
                community_id=a.community_id,
                cell_ids=tuple(cells_of_assignment[a.id]),
                valid_from=a.valid_from,
                valid_to=a.valid_to,
                weekdays=a.weekdays,
                start=a.start_time,
                end=a.end_time,
            )
            for a in Assignment.objects.filter(officer_id__in=field_officers).order_by("id")
            if cells_of_assignment[a.id]
        ]
        self.postings_of_cell: dict[int, list[Posting]] = defaultdict(list)
        for posting in self.postings:
            for cell_id in posting.cell_ids:
                self.postings_of_cell[cell_id].append(posting)

        self.supervisors: dict[int, list[int]] = defaultdict(list)  # brigade id → user ids
        self.command: list[int] = []  # the command centre (supervisors at the bureau)
        self.handlers: dict[int, list[User]] = defaultdict(list)  # unit id → users
        for user in _staff(Role.SUPERVISOR):
            if user.unit.kind == UnitKind.BRIGADE:
                self.supervisors[user.unit_id].append(user.id)
            elif user.unit.kind == UnitKind.BUREAU:
                self.command.append(user.id)
        for user in _staff(Role.HANDLER):
            self.handlers[user.unit_id].append(user)

        self.categories = [
            c
            for c in Category.objects.filter(is_active=True, parent__is_active=True)
            .select_related("default_unit")
            .order_by("kind", "code")
            if len(c.code) == 4
        ]

    def officers_for(self, cell_id: int, day: dt.date) -> list[int]:
        """Field officers whose posting covers the cell on the day."""
        return sorted({p.officer_id for p in self.postings_of_cell[cell_id] if p.valid_on(day)})

    def supervisor_for(self, brigade_id: int, rng: random.Random) -> int | None:
        pool = self.supervisors.get(brigade_id) or self.command
        return rng.choice(pool) if pool else None

    def desk_for(self, brigade_id: int, source: str, rng: random.Random) -> int | None:
        """Who registers: the command centre takes the hotline and the digital-city feed."""
        if source in (Source.HOTLINE, Source.DIGITAL_CITY) and self.command:
            return rng.choice(self.command)
        return self.supervisor_for(brigade_id, rng)


def _staff(role: Role) -> list[User]:
    return list(
        User.objects.filter(groups__name=role.value, is_active=True, unit__isnull=False)
        .select_related("unit")
        .order_by("username")
    )
