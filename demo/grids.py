"""The demo city: Xuzhou's three central districts under 城管进社区, built from data/xuzhou.json.

``seed_city`` first plans everything in memory, then creates only the rows that are missing.
Planning is deterministic (fixed random seeds, fixed dates), so the plan is the same on every
run; rows are keyed on their natural codes and usernames, and existing rows are never changed,
because an admin may have edited them since the last run.

Layout: the city centre is ``city.center``; each district is a block of 600 m slots (one
community per slot), filled along a path that keeps a street's communities (and a brigade's
streets) next to each other. Every community's unit grids are 100 m squares of one city-wide
lattice, so neighbouring cells share their edges exactly and no two communities overlap.
"""

import datetime
import json
import random
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import Officer, Unit, UnitKind, User
from accounts.roles import Role, ensure_role_groups
from grids import locator
from grids.geometry import offset, polygon_metrics, rectangle
from grids.models import Assignment, Community, District, GridCell, Street

DATA_PATH = Path(__file__).resolve().parent / "data" / "xuzhou.json"
DEMO_PASSWORD = "citymgmt2026"
SEED = 20221101
PROGRAMME_START = datetime.date(2022, 11, 1)
# Some officers swapped communities on this day; their earlier postings stay as history.
ROTATION_DAY = datetime.date(2026, 7, 1)
ROTATED_PAIRS = 5
WEEKEND_SHARE = 0.15
WEEKDAY_SHIFT = ("12345", datetime.time(8, 30), datetime.time(17, 30))
WEEKEND_SHIFT = ("34567", datetime.time(9, 0), datetime.time(18, 0))
DATE_JOINED = datetime.datetime(2022, 11, 1, 8, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
BATCH = 500


class Writer(Protocol):
    def write(self, msg: str) -> Any: ...


@dataclass(frozen=True)
class DemoLogin:
    """One demo account, as the seed_demo report lists it."""

    role: str  # admin, assessor, supervisor, handler or officer
    username: str
    display_name: str
    description: str  # what the person is, e.g. "鼓楼执法监督一大队 大队长"


@cache
def load_city() -> dict[str, Any]:
    """The demo city's facts (districts, streets, brigades, units, name pools)."""
    with DATA_PATH.open(encoding="utf-8") as f:
        return json.load(f)


# --- Planning: pure Python, no database ---------------------------------------------------


@dataclass(frozen=True)
class _UnitPlan:
    code: str
    name: str
    kind: str
    parent: str | None = None
    district: str | None = None
    phone: str = ""


@dataclass(frozen=True)
class _CommunityPlan:
    code: str
    name: str
    street: str
    brigade: str
    lng: float
    lat: float
    address: str
    phone: str
    cells: tuple[tuple[str, str, dict[str, Any]], ...]  # (code, name, boundary)


@dataclass(frozen=True)
class _OfficerPlan:
    badge_number: str
    brigade: str
    title: str
    public_phone: str
    duties: str


@dataclass(frozen=True)
class _UserPlan:
    username: str
    display_name: str
    phone: str
    unit: str | None
    role: Role | None
    description: str
    is_staff: bool = False
    is_superuser: bool = False
    officer: _OfficerPlan | None = None


@dataclass(frozen=True)
class _AssignmentPlan:
    badge_number: str
    community: str
    valid_from: datetime.date
    valid_to: datetime.date | None
    weekdays: str
    start_time: datetime.time
    end_time: datetime.time


@dataclass(frozen=True)
class CityPlan:
    districts: tuple[tuple[str, str], ...]
    streets: tuple[tuple[str, str, str], ...]  # (code, name, district code)
    units: tuple[tuple[_UnitPlan, ...], ...]  # by level: parents before children
    communities: tuple[_CommunityPlan, ...]
    users: tuple[_UserPlan, ...]
    assignments: tuple[_AssignmentPlan, ...]
    post: str
    assignment_duties: str


def _slot_path(cols: int, rows: int) -> list[tuple[int, int]]:
    """(east, south) offsets visiting a cols × rows block in strips two rows high, column by
    column, turning at each end, so that consecutive slots are neighbours and any run of
    them is a compact patch."""
    if cols % 2 == 0:
        raise ValueError("A district's layout needs an odd number of columns.")
    path = []
    for strip, top in enumerate(range(0, rows, 2)):
        rows_here = list(range(top, min(top + 2, rows)))
        columns = range(cols) if strip % 2 == 0 else range(cols - 1, -1, -1)
        for k, col in enumerate(columns):
            path.extend((col, row) for row in (rows_here if k % 2 == 0 else rows_here[::-1]))
    return path


def _blob(rng: random.Random, n: int, size: int) -> list[tuple[int, int]]:
    """``n`` connected cells of a size × size block, grown at random from its centre 2 × 2,
    ordered north to south, west to east (the order of their codes)."""
    mid = size // 2
    cells = {(mid - 1, mid - 1), (mid - 1, mid), (mid, mid - 1), (mid, mid)}
    while len(cells) < n:
        frontier = sorted(
            {
                (a + da, b + db)
                for a, b in cells
                for da, db in ((1, 0), (-1, 0), (0, 1), (0, -1))
                if 0 <= a + da < size and 0 <= b + db < size
            }
            - cells
        )
        cells.add(rng.choice(frontier))
    return sorted(cells, key=lambda cell: (-cell[1], cell[0]))


def _shares(total: int, weights: list[int]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder, ties to the first)."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    shares = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in by_remainder[: total - sum(shares)]:
        shares[i] += 1
    return shares


def _chunks(items: list[str], n: int) -> list[list[str]]:
    """``items`` cut into ``n`` consecutive runs of one or two, the pairs spread evenly."""
    if not n <= len(items) <= 2 * n:
        raise ValueError(f"Cannot give {len(items)} communities to {n} officers, 1–2 each.")
    doubles = len(items) - n
    out, i = [], 0
    for k in range(n):
        size = 1 + ((k + 1) * doubles // n - k * doubles // n)
        out.append(items[i : i + size])
        i += size
    return out


class _People:
    """Unique Chinese names and phone numbers, drawn in a fixed order from one generator."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.rng = random.Random(f"{SEED}:people")
        self.surnames = data["surnames"]
        self.given = data["given_name_chars"]
        self.prefixes = data["mobile_prefixes"]
        self.taken: set[str] = set()

    def _unique(self, make: Callable[[], str]) -> str:
        while (value := make()) in self.taken:
            pass
        self.taken.add(value)
        return value

    def name(self) -> str:
        def make() -> str:
            length = 1 if self.rng.random() < 0.35 else 2
            given = "".join(self.rng.choice(self.given) for _ in range(length))
            return self.rng.choice(self.surnames) + given

        return self._unique(make)

    def mobile(self) -> str:
        return self._unique(
            lambda: self.rng.choice(self.prefixes) + f"{self.rng.randrange(10**8):08d}"
        )

    def landline(self) -> str:
        return self._unique(lambda: f"0516-8{self.rng.randrange(10**7):07d}")


def plan_city(data: dict[str, Any] | None = None) -> CityPlan:
    """Everything the demo city holds, computed without touching the database."""
    data = data or load_city()
    center, cell_m = data["city"]["center"], data["layout"]["cell_m"]

    @cache
    def corner(i: int, j: int) -> tuple[float, float]:
        """Corner (i, j) of the city-wide lattice: i cells east, j cells north of the centre."""
        return offset(center["lng"], center["lat"], i * cell_m, j * cell_m)

    known = {c["code"]: c["name"] for c in data["known_communities"]}
    known_stems = {name.removesuffix("社区") for name in known.values()}
    stems = [s for s in data["community_stems"] if s not in known_stems]
    if len(stems) + len(known) < data["programme"]["communities"]:
        raise ValueError("Not enough community_stems for unique community names.")
    random.Random(f"{SEED}:names").shuffle(stems)
    stems.reverse()  # pop() from the end takes them in shuffled order

    bureau = data["bureau"]
    # By level, parents first: the bureau; district bureaus, street offices and departments;
    # brigades; squadrons.
    units: list[list[_UnitPlan]] = [
        [_UnitPlan(bureau["code"], bureau["name"], UnitKind.BUREAU, phone=bureau["phone"])],
        *([] for _ in range(3)),
    ]
    districts, streets, communities = [], [], []
    brigade_names: dict[str, str] = {}
    brigade_communities: dict[str, list[str]] = {}
    for district in data["districts"]:
        districts.append((district["code"], district["name"]))
        dbureau = district["bureau"]
        units[1].append(
            _UnitPlan(
                code=dbureau["code"],
                name=dbureau["name"],
                kind=UnitKind.DISTRICT_BUREAU,
                parent=bureau["code"],
                district=district["code"],
            )
        )
        brigade_of_street = {}
        for brigade in district["brigades"]:
            brigade_names[brigade["code"]] = brigade["name"]
            brigade_communities[brigade["code"]] = []
            units[2].append(
                _UnitPlan(
                    code=brigade["code"],
                    name=brigade["name"],
                    kind=UnitKind.BRIGADE,
                    parent=dbureau["code"],
                    district=district["code"],
                )
            )
            for n, squadron in enumerate(data["squadrons"], start=1):
                units[3].append(
                    _UnitPlan(
                        code=f"{brigade['code']}-{n}",
                        name=brigade["name"] + squadron,
                        kind=UnitKind.SQUADRON,
                        parent=brigade["code"],
                        district=district["code"],
                    )
                )
            brigade_of_street.update(dict.fromkeys(brigade["streets"], brigade["code"]))

        layout = district["layout"]
        path = iter(_slot_path(layout["cols"], layout["rows"]))
        if sum(s["communities"] for s in district["streets"]) > layout["cols"] * layout["rows"]:
            raise ValueError(f"{district['name']}'s layout has fewer slots than communities.")
        for street in district["streets"]:
            streets.append((street["code"], street["name"], district["code"]))
            units[1].append(
                _UnitPlan(
                    code=f"street-{street['code']}",
                    name=street["name"] + "办事处",
                    kind=UnitKind.STREET_OFFICE,
                    district=district["code"],
                )
            )
            for seq in range(1, street["communities"] + 1):
                code = f"{street['code']}{seq:03d}"
                east, south = next(path)
                community = _plan_community(
                    data,
                    corner,
                    code=code,
                    name=known.get(code) or stems.pop() + "社区",
                    street=street["code"],
                    district_name=district["name"],
                    brigade=brigade_of_street[street["code"]],
                    slot=(layout["west_col"] + east, layout["north_row"] - south),
                )
                communities.append(community)
                brigade_communities[community.brigade].append(code)

    for dept in data["departments"]:
        parent = bureau["code"] if dept["under_bureau"] else None
        units[1].append(_UnitPlan(dept["code"], dept["name"], UnitKind.DEPARTMENT, parent=parent))

    users, assignments = _plan_people(data, brigade_names, brigade_communities, communities)
    officer_role = data["roles"]["officer"]
    return CityPlan(
        districts=tuple(districts),
        streets=tuple(streets),
        units=tuple(tuple(level) for level in units),
        communities=tuple(communities),
        users=tuple(users),
        assignments=tuple(assignments),
        post=officer_role["post"],
        assignment_duties=officer_role["assignment_duties"],
    )


def _plan_community(
    data: dict[str, Any],
    corner: Callable[[int, int], tuple[float, float]],
    *,
    code: str,
    name: str,
    street: str,
    district_name: str,
    brigade: str,
    slot: tuple[int, int],
) -> _CommunityPlan:
    """A community in its slot (col east, row north of the centre): its unit grids, centre,
    office address and phone, all drawn from a generator seeded with its code."""
    per_slot = data["layout"]["slot_m"] // data["layout"]["cell_m"]
    min_cells, max_cells = data["layout"]["cells_per_community"]
    rng = random.Random(f"{SEED}:{code}")
    base_i, base_j = slot[0] * per_slot, slot[1] * per_slot
    cells = []
    for n, (a, b) in enumerate(_blob(rng, rng.randint(min_cells, max_cells), per_slot), start=1):
        sw = corner(base_i + a, base_j + b)
        ne = corner(base_i + a + 1, base_j + b + 1)
        cells.append((f"{code}{n:03d}", f"{name}第{n}网格", rectangle(sw, ne)))
    lng, lat = corner(base_i + per_slot // 2, base_j + per_slot // 2)
    road, number = rng.choice(data["roads"]), rng.randint(1, 199)
    return _CommunityPlan(
        code=code,
        name=name,
        street=street,
        brigade=brigade,
        lng=round(lng, 7),
        lat=round(lat, 7),
        address=f"{data['city']['name']}{district_name}{road}{number}号",
        phone=f"0516-8{rng.randrange(10**7):07d}",
        cells=tuple(cells),
    )


def _plan_people(
    data: dict[str, Any],
    brigade_names: dict[str, str],
    brigade_communities: dict[str, list[str]],
    communities: list[_CommunityPlan],
) -> tuple[list[_UserPlan], list[_AssignmentPlan]]:
    people = _People(data)
    bureau = data["bureau"]
    roles = data["roles"]
    community_names = {c.code: c.name for c in communities}
    users = [
        _UserPlan(
            username="admin",
            display_name="系统管理员",
            phone=people.mobile(),
            unit=bureau["code"],
            role=None,
            description="Django admin 超级用户",
            is_staff=True,
            is_superuser=True,
        ),
        _UserPlan(
            username="assessor",
            display_name=people.name(),
            phone=people.mobile(),
            unit=bureau["code"],
            role=Role.ASSESSOR,
            description=f"{bureau['name']} 考核管理员",
            is_staff=True,
        ),
        _UserPlan(
            username="command",
            display_name=people.name(),
            phone=people.mobile(),
            unit=bureau["code"],
            role=Role.SUPERVISOR,
            description=f"{bureau['name']}指挥中心 值班长（全市）",
        ),
    ]
    for code, name in brigade_names.items():
        users.append(
            _UserPlan(
                username=f"sup_{code}",
                display_name=people.name(),
                phone=people.mobile(),
                unit=code,
                role=Role.SUPERVISOR,
                description=f"{name} {roles['supervisor']['title']}",
                officer=_OfficerPlan(
                    badge_number=f"{code.upper()}-000",
                    brigade=code,
                    title=roles["supervisor"]["title"],
                    public_phone=people.landline(),
                    duties=roles["supervisor"]["profile_duties"],
                ),
            )
        )
    for dept in data["departments"]:
        users.append(
            _UserPlan(
                username=f"handler_{dept['code']}",
                display_name=people.name(),
                phone=people.mobile(),
                unit=dept["code"],
                role=Role.HANDLER,
                description=f"{dept['name']} 责任单位经办人",
            )
        )

    brigades = list(brigade_names)
    counts = _shares(data["programme"]["officers"], [len(brigade_communities[b]) for b in brigades])
    postings = {
        brigade: [
            (f"{brigade.upper()}-{seq:03d}", chunk)
            for seq, chunk in enumerate(_chunks(brigade_communities[brigade], n), start=1)
        ]
        for brigade, n in zip(brigades, counts, strict=True)
    }
    rotated = _rotations(postings)
    shift_rng = random.Random(f"{SEED}:shifts")
    shifts = {
        badge: WEEKEND_SHIFT if shift_rng.random() < WEEKEND_SHARE else WEEKDAY_SHIFT
        for brigade in brigades
        for badge, _chunk in postings[brigade]
    }
    last_day = ROTATION_DAY - datetime.timedelta(days=1)
    titles, duties = roles["officer"]["titles"], roles["officer"]["profile_duties"]
    assignments = []
    for brigade in brigades:
        first_half = (len(postings[brigade]) + 1) // 2
        for seq, (badge, chunk) in enumerate(postings[brigade], start=1):
            shift = shifts[badge]
            now_at = []
            for community in chunk:
                after = rotated.get((badge, community))
                if after is None:
                    assignments.append(
                        _AssignmentPlan(badge, community, PROGRAMME_START, None, *shift)
                    )
                else:
                    assignments.append(
                        _AssignmentPlan(badge, community, PROGRAMME_START, last_day, *shift)
                    )
                    assignments.append(_AssignmentPlan(badge, after, ROTATION_DAY, None, *shift))
                now_at.append(after or community)
            squadron = 1 if seq <= first_half else 2
            level = "leader" if seq in (1, first_half + 1) else "member"
            squadron_name = brigade_names[brigade] + data["squadrons"][squadron - 1]
            where = "、".join(community_names[c] for c in now_at)
            users.append(
                _UserPlan(
                    username=f"off_{brigade}_{seq:02d}",
                    display_name=people.name(),
                    phone=people.mobile(),
                    unit=f"{brigade}-{squadron}",
                    role=Role.OFFICER,
                    description=f"{squadron_name} {titles[level]}（{where}）",
                    officer=_OfficerPlan(
                        badge_number=badge,
                        brigade=brigade,
                        title=titles[level],
                        public_phone=people.landline(),
                        duties=duties[level],
                    ),
                )
            )
    assignments.sort(key=lambda a: (a.community, a.valid_from, a.badge_number))
    return users, assignments


def _rotations(postings: dict[str, list[tuple[str, list[str]]]]) -> dict[tuple[str, str], str]:
    """Pairs of neighbouring one-community officers who swapped communities on ROTATION_DAY:
    (badge, community before) → community after."""
    rng = random.Random(f"{SEED}:rotation")
    swaps: dict[tuple[str, str], str] = {}
    for brigade in sorted(rng.sample(sorted(postings), ROTATED_PAIRS)):
        posts = postings[brigade]
        pairs = [
            (posts[k], posts[k + 1])
            for k in range(len(posts) - 1)
            if len(posts[k][1]) == 1 and len(posts[k + 1][1]) == 1
        ]
        (a, [x]), (b, [y]) = rng.choice(pairs)
        swaps[(a, x)] = y
        swaps[(b, y)] = x
    return swaps


# --- Writing: create what is missing ------------------------------------------------------


class _Run:
    def __init__(self, stdout: Writer | None) -> None:
        self.stdout = stdout
        self.created: Counter[str] = Counter()

    def say(self, msg: str) -> None:
        if self.stdout is not None:
            self.stdout.write(msg + "\n")

    def create_missing(self, label: str, model: Any, key: str, objs: list[Any]) -> list[Any]:
        """bulk_create the objects whose ``key`` is not in the table yet; return them."""
        existing = set(model.objects.values_list(key, flat=True))
        new = [obj for obj in objs if getattr(obj, key) not in existing]
        if new:
            model.objects.bulk_create(new, batch_size=BATCH)
        self.created[label] += len(new)
        return new


def _ids(model: Any, key: str) -> dict[Any, int]:
    return dict(model.objects.values_list(key, "id"))


def seed_city(*, stdout: Writer | None = None) -> dict[str, Any]:
    """Create the demo city's missing places, units, people and postings, in one transaction.

    Returns ``{"counts": totals in the database, "created": rows created by this run,
    "logins": [DemoLogin, ...], "password": DEMO_PASSWORD}``. A second run creates nothing.
    """
    plan = plan_city()
    run = _Run(stdout)
    with transaction.atomic():
        ensure_role_groups()
        _write_places(run, plan)
        _write_people(run, plan)
        _write_assignments(run, plan)
        transaction.on_commit(locator.invalidate)  # bulk_create sends no post_save
    logins = [
        DemoLogin(
            role="admin" if u.is_superuser else (u.role.value if u.role else ""),
            username=u.username,
            display_name=u.display_name,
            description=u.description,
        )
        for u in plan.users
    ]
    return {
        "counts": city_counts(),
        "created": dict(run.created),
        "logins": logins,
        "password": DEMO_PASSWORD,
    }


def _write_places(run: _Run, plan: CityPlan) -> None:
    run.create_missing(
        "districts", District, "code", [District(code=c, name=n) for c, n in plan.districts]
    )
    district_ids = _ids(District, "code")
    run.create_missing(
        "streets",
        Street,
        "code",
        [Street(code=c, name=n, district_id=district_ids[d]) for c, n, d in plan.streets],
    )
    for level in plan.units:
        unit_ids = _ids(Unit, "code")
        run.create_missing(
            "units",
            Unit,
            "code",
            [
                Unit(
                    code=u.code,
                    name=u.name,
                    kind=u.kind,
                    parent_id=unit_ids[u.parent] if u.parent else None,
                    district_id=district_ids[u.district] if u.district else None,
                    phone=u.phone,
                )
                for u in level
            ],
        )

    street_ids, unit_ids = _ids(Street, "code"), _ids(Unit, "code")
    run.create_missing(
        "communities",
        Community,
        "code",
        [
            Community(
                code=c.code,
                name=c.name,
                street_id=street_ids[c.street],
                brigade_id=unit_ids[c.brigade],
                address=c.address,
                phone=c.phone,
                center_lat=c.lat,
                center_lng=c.lng,
            )
            for c in plan.communities
        ],
    )
    community_ids = _ids(Community, "code")
    existing_cells = set(GridCell.objects.values_list("code", flat=True))
    cells = []
    for community in plan.communities:
        for code, name, boundary in community.cells:
            if code in existing_cells:
                continue
            # bulk_create skips GridCell.save(): fill its derived columns here.
            metrics = polygon_metrics(boundary)
            cells.append(
                GridCell(
                    community_id=community_ids[community.code],
                    code=code,
                    name=name,
                    boundary=boundary,
                    min_lng=metrics.bbox[0],
                    min_lat=metrics.bbox[1],
                    max_lng=metrics.bbox[2],
                    max_lat=metrics.bbox[3],
                    centroid_lng=metrics.centroid[0],
                    centroid_lat=metrics.centroid[1],
                    area_m2=metrics.area_m2,
                )
            )
    run.create_missing("grid_cells", GridCell, "code", cells)
    run.say(
        f"  places: {run.created['units']} units, {run.created['districts']} districts, "
        f"{run.created['streets']} streets, "
        f"{run.created['communities']} communities, {run.created['grid_cells']} grid cells created"
    )


def _write_people(run: _Run, plan: CityPlan) -> None:
    unit_ids = _ids(Unit, "code")
    existing = set(User.objects.values_list("username", flat=True))
    missing = [u for u in plan.users if u.username not in existing]
    password = make_password(DEMO_PASSWORD) if missing else ""  # hashing is slow: once
    run.create_missing(
        "users",
        User,
        "username",
        [
            User(
                username=u.username,
                password=password,
                display_name=u.display_name,
                phone=u.phone,
                unit_id=unit_ids[u.unit] if u.unit else None,
                is_staff=u.is_staff,
                is_superuser=u.is_superuser,
                date_joined=DATE_JOINED,
            )
            for u in missing
        ],
    )
    # Group memberships and profiles only for people this run created: an admin may have
    # changed an existing person's roles on purpose.
    user_ids = _ids(User, "username")
    group_ids = _ids(Group, "name")
    memberships = [
        User.groups.through(user_id=user_ids[u.username], group_id=group_ids[u.role.value])
        for u in missing
        if u.role is not None
    ]
    User.groups.through.objects.bulk_create(memberships, batch_size=BATCH)

    with_profile = set(Officer.objects.values_list("user_id", flat=True))
    run.create_missing(
        "officers",
        Officer,
        "badge_number",
        [
            Officer(
                user_id=user_ids[u.username],
                brigade_id=unit_ids[u.officer.brigade],
                badge_number=u.officer.badge_number,
                title=u.officer.title,
                public_phone=u.officer.public_phone,
                duties=u.officer.duties,
            )
            for u in missing
            if u.officer is not None and user_ids[u.username] not in with_profile
        ],
    )
    run.say(f"  people: {run.created['users']} users, {run.created['officers']} officers created")


def _write_assignments(run: _Run, plan: CityPlan) -> None:
    officer_ids = _ids(Officer, "badge_number")
    community_ids = _ids(Community, "code")
    names = {c.code: c.name for c in plan.communities}
    existing = set(Assignment.objects.values_list("officer_id", "community_id", "valid_from"))
    new = []
    for a in plan.assignments:
        officer_id = officer_ids.get(a.badge_number)
        community_id = community_ids[a.community]
        if officer_id is None or (officer_id, community_id, a.valid_from) in existing:
            continue
        new.append(
            Assignment(
                officer_id=officer_id,
                community_id=community_id,
                post=plan.post,
                duties=plan.assignment_duties.format(community=names[a.community]),
                weekdays=a.weekdays,
                start_time=a.start_time,
                end_time=a.end_time,
                valid_from=a.valid_from,
                valid_to=a.valid_to,
            )
        )
    Assignment.objects.bulk_create(new, batch_size=BATCH)
    run.created["assignments"] += len(new)

    cells_of: dict[int, list[int]] = defaultdict(list)
    for community_id, cell_id in GridCell.objects.order_by("code").values_list(
        "community_id", "id"
    ):
        cells_of[community_id].append(cell_id)
    through = Assignment.grid_cells.through
    links = [
        through(assignment_id=a.pk, gridcell_id=cell_id)
        for a in new
        for cell_id in cells_of[a.community_id]
    ]
    through.objects.bulk_create(links, batch_size=BATCH)
    run.say(f"  postings: {run.created['assignments']} assignments created")


def city_counts() -> dict[str, int]:
    """What the database holds now, in the terms of the programme."""
    return {
        "districts": District.objects.count(),
        "streets": Street.objects.count(),
        "communities": Community.objects.count(),
        "grid_cells": GridCell.objects.count(),
        "brigades": Unit.objects.filter(kind=UnitKind.BRIGADE).count(),
        "units": Unit.objects.count(),
        "users": User.objects.count(),
        "officers": User.objects.filter(groups__name=Role.OFFICER.value).count(),
        "current_assignments": Assignment.objects.filter(valid_to__isnull=True).count(),
        "ended_assignments": Assignment.objects.filter(valid_to__isnull=False).count(),
    }
