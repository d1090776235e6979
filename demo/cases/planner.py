"""Planning the demo stories in memory, from one seeded generator.

Each story says who found or reported the ticket, where, what it was and how it went (fixed on
site, rejected, dispatched, referred or enforced, reworked, verified, rated), each step a
plausible time after the one before, whether or not that time has come yet.
"""

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from accounts.models import Unit
from cases import deadlines
from cases.models import (
    Action,
    Category,
    CategoryKind,
    DeadlineUnit,
    Priority,
    RejectReason,
    Route,
    Source,
    State,
)
from citymgmt import workcalendar
from demo.cases.city import Cell, City
from demo.cases.story import Step, Story
from demo.cases.texts import (
    COMPONENT_DESCRIPTIONS,
    DEFAULT_FIXED_NOTE,
    DESCRIPTIONS,
    EVENT_DESCRIPTIONS,
    FIXED_NOTES,
    INTERNAL_NOTES,
    RATING_COMMENTS,
    REJECT_NOTES,
    RESIDENT_CLOSINGS,
    SOURCE_OPENINGS,
    SPOTS,
)
from demo.cases.timing import advance, clock_fields, local, within
from demo.grids import SEED, load_city
from grids.models import Community

TOTAL = 2_000
DAYS = 90

SOURCE_WEIGHTS = {
    Source.PATROL: 55,
    Source.RESIDENT: 15,
    Source.HOTLINE: 15,
    Source.DIGITAL_CITY: 10,
    Source.LEADERSHIP_PATROL: 5,
}
ON_SITE_SHARE = 0.8  # of patrol findings
REJECT_SHARE = {
    Source.PATROL: 0.02,
    Source.RESIDENT: 0.08,
    Source.HOTLINE: 0.06,
    Source.DIGITAL_CITY: 0.03,
    Source.LEADERSHIP_PATROL: 0.0,
}
DUPLICATE_SHARE = 0.05  # of resident and hotline reports: someone else reports it again
REWORK_SHARE = 0.07  # of resolved tickets, verification fails once
LATE_SHARE = 0.13  # of worked tickets, resolved after the deadline
RATED_SHARE = {Source.RESIDENT: 0.85, Source.HOTLINE: 0.7}
SATISFACTION_WEIGHTS = {5: 62, 4: 25, 3: 7, 2: 4, 1: 2}

# How often each minor class comes up (by name; anything unlisted weighs UNLISTED_WEIGHT).
CATEGORY_WEIGHTS = {
    "暴露垃圾": 16,
    "店外经营": 14,
    "乱堆物堆料": 12,
    "非机动车乱停放": 11,
    "共享单车乱停放": 6,
    "非法小广告": 10,
    "机动车乱停放": 9,
    "无照经营游商": 7,
    "道路不洁": 5,
    "积存垃圾渣土": 4,
    "沿街晾挂": 4,
    "露天烧烤": 3,
    "占道废品收购": 3,
    "街头散发广告": 3,
    "占道广告牌": 3,
    "施工扰民": 3,
    "违章张贴悬挂广告牌匾": 2,
    "私搭乱建": 2,
    "工地扬尘": 2,
    "施工占道": 2,
    "绿地脏乱": 2,
    "废弃家具设备": 2,
    "不文明养犬": 2,
    "垃圾箱": 2,
    "路灯": 2,
}
UNLISTED_WEIGHT = 0.6
# Residents call about what keeps them awake or in their way more than patrols log it.
PUBLIC_FAVOURITES = {"施工扰民": 4, "露天烧烤": 3, "不文明养犬": 2, "道路积水": 2, "工地扬尘": 2}
# What an officer can put right on the spot by talking to people or clearing up.
FIXABLE = {
    "暴露垃圾",
    "店外经营",
    "乱堆物堆料",
    "非机动车乱停放",
    "共享单车乱停放",
    "非法小广告",
    "机动车乱停放",
    "无照经营游商",
    "沿街晾挂",
    "露天烧烤",
    "占道废品收购",
    "街头散发广告",
    "占道广告牌",
    "道路不洁",
    "绿地脏乱",
    "废弃家具设备",
    "不文明养犬",
}
# Hazards are often urgent (natural-hour deadlines); anything else now and then.
HAZARDS = ("井盖", "塌陷", "破裂", "积水", "外溢", "堵塞", "结冰")
URGENT_SHARE_HAZARD = 0.5
URGENT_SHARE = 0.07

# Hours in which people file reports (weights by hour of day, 0–23).
PUBLIC_HOURS = [1, 1, 0, 0, 0, 1, 2, 5, 8, 9, 8, 7, 5, 5, 6, 7, 7, 6, 6, 7, 6, 5, 3, 2]
DAYTIME_HOURS = [0] * 8 + [6, 8, 8, 6, 3, 5, 8, 8, 6, 2] + [0] * 6
# Supervisors (the command centre) work long days: desk steps fall within these hours.
DESK = (dt.time(8, 0), dt.time(20, 0))


class Planner:
    """Plans every story from one generator seeded from the demo's SEED, so the same city and
    ``now`` always give the same casework."""

    def __init__(self, city: City, now: dt.datetime) -> None:
        self.city = city
        self.now = now
        self.rng = random.Random(f"{SEED}:tickets")
        data = load_city()
        self.surnames = data["surnames"]
        self.given = data["given_name_chars"]
        self.prefixes = data["mobile_prefixes"]
        self.roads = data["roads"]
        today = timezone.localdate(now)
        self.days = [today - dt.timedelta(days=n) for n in range(DAYS - 1, -1, -1)]
        self.on_duty = {
            day: [
                p for p in city.postings if p.valid_on(day) and str(day.isoweekday()) in p.weekdays
            ]
            for day in self.days
        }
        self.busy = {c.id: self.rng.lognormvariate(0, 0.7) for c in city.cells}
        self.people_at: dict[str, str] = {}  # unit code → an invented person, if no handler
        self.fixable = [c for c in city.categories if c.name in FIXABLE] or city.categories
        self.weights = {
            c.id: _by_name(CATEGORY_WEIGHTS, c.name) or UNLISTED_WEIGHT for c in city.categories
        }

    # --- small draws ---

    def name(self) -> str:
        given = "".join(self.rng.choice(self.given) for _ in range(self.rng.choice((1, 2, 2))))
        return self.rng.choice(self.surnames) + given

    def mobile(self) -> str:
        return self.rng.choice(self.prefixes) + f"{self.rng.randrange(10**8):08d}"

    def minutes(self, low: float, high: float) -> float:
        return self.rng.uniform(low, high)

    def category(self, choices: list[Category], source: str) -> Category:
        weights = [self.weights[c.id] for c in choices]
        if source in (Source.RESIDENT, Source.HOTLINE):
            weights = [
                w * PUBLIC_FAVOURITES.get(c.name, 1) for c, w in zip(choices, weights, strict=True)
            ]
        return self.rng.choices(choices, weights)[0]

    def at_hour(self, day: dt.date, hours: list[int]) -> dt.datetime:
        hour = self.rng.choices(range(24), hours)[0]
        return local(day, dt.time(hour, self.rng.randrange(60), self.rng.randrange(60)))

    def point(self, cell: Cell) -> tuple[float, float]:
        """(lat, lng) within 40 m or so of the cell's centroid, inside its shrunk bbox."""
        low, high = cell.lat_range
        lat = min(max(cell.lat + self.rng.uniform(-0.4, 0.4) * (high - low) / 0.8, low), high)
        low, high = cell.lng_range
        lng = min(max(cell.lng + self.rng.uniform(-0.4, 0.4) * (high - low) / 0.8, low), high)
        return round(lat, 7), round(lng, 7)

    def place(self, community: Community) -> tuple[str, str]:
        """(how a description names the spot, the ticket's address)."""
        roads = random.Random(f"{SEED}:{community.code}:roads").sample(self.roads, 3)
        road = self.rng.choice(roads)
        spot = f"{road}{self.rng.randint(1, 299)}号{self.rng.choice(SPOTS)}"
        street = community.street
        address = f"{street.district.name}{street.name}{community.name} {spot}"
        return spot, address

    def description(self, category: Category, spot: str, source: str) -> str:
        templates = _by_name(DESCRIPTIONS, category.name) or (
            COMPONENT_DESCRIPTIONS
            if category.kind == CategoryKind.COMPONENT
            else EVENT_DESCRIPTIONS
        )
        text = self.rng.choice(templates).format(place=f"{spot}，", name=category.name)
        text = SOURCE_OPENINGS.get(source, "") + text
        if source == Source.RESIDENT:
            text += self.rng.choice(RESIDENT_CLOSINGS)
        return text

    def responsible_person(self, unit: Unit) -> str:
        handlers = self.city.handlers.get(unit.id)
        if handlers:
            return handlers[0].display_name or handlers[0].username
        if unit.code not in self.people_at:
            self.people_at[unit.code] = self.name()
        return self.people_at[unit.code]

    # --- where and when ---

    def patrol_finding(self) -> tuple[dt.datetime, Cell, int] | None:
        """A moment an officer on duty finds something in one of their cells."""
        for _attempt in range(20):
            day = self.rng.choice(self.days)
            postings = self.on_duty[day]
            if not postings:
                continue
            posting = self.rng.choice(postings)
            start = local(day, posting.start)
            end = local(day, posting.end) - dt.timedelta(minutes=20)
            at = start + (end - start) * self.rng.random()
            if at > self.now - dt.timedelta(minutes=15):
                continue
            cells = [
                c for c in self.city.cells_of[posting.community_id] if c.id in posting.cell_ids
            ]
            if not cells:
                continue
            cell = self.rng.choices(cells, [self.busy[c.id] for c in cells])[0]
            return at, cell, posting.officer_id
        return None

    def public_report(self, source: str) -> tuple[dt.datetime, Cell] | None:
        cells = self.city.cells
        for _attempt in range(20):
            day = self.rng.choice(self.days)
            if source == Source.LEADERSHIP_PATROL:
                # 每周巡街: on a working-day morning.
                if not workcalendar.is_working_day(day):
                    continue
                at = local(day, dt.time(9, 0)) + dt.timedelta(minutes=self.minutes(0, 150))
            elif source == Source.DIGITAL_CITY:
                at = self.at_hour(day, DAYTIME_HOURS)
            else:
                at = self.at_hour(day, PUBLIC_HOURS)
            if at > self.now - dt.timedelta(minutes=10):
                continue
            cell = self.rng.choices(cells, [self.busy[c.id] for c in cells])[0]
            return at, cell
        return None

    # --- stories ---

    def plan(self) -> list[Story]:
        stories: list[Story] = []
        sources = list(SOURCE_WEIGHTS)
        weights = list(SOURCE_WEIGHTS.values())
        while len(stories) < TOTAL:
            source = self.rng.choices(sources, weights)[0]
            story = self.patrol_story() if source == Source.PATROL else self.public_story(source)
            if story is None:
                continue
            stories.append(story)
            if (
                source in (Source.RESIDENT, Source.HOTLINE)
                and story.steps[-1].action != Action.REJECT
                and self.rng.random() < DUPLICATE_SHARE
            ):
                duplicate = self.duplicate_story(story)
                if duplicate.reported_at < self.now:
                    stories.append(duplicate)
        return stories

    def base_fields(
        self, source: str, at: dt.datetime, cell: Cell, category: Category, **extra: Any
    ) -> dict[str, Any]:
        community = self.city.communities[cell.community_id]
        spot, address = self.place(community)
        lat, lng = self.point(cell)
        fields = {
            "source": source,
            "category": category,
            "description": self.description(category, spot, source),
            "address": address,
            "lat": lat,
            "lng": lng,
            "grid_cell_id": cell.id,
            "community_id": community.id,
            "street_id": community.street_id,
            "district_id": community.street.district_id,
            "brigade_id": community.brigade_id,
            "reported_at": at,
        }
        if source in (Source.RESIDENT, Source.HOTLINE):
            fields["reporter_name"] = self.name()
            fields["reporter_phone"] = self.mobile()
        fields.update(extra)
        return fields

    def patrol_story(self) -> Story | None:
        found = self.patrol_finding()
        if found is None:
            return None
        at, cell, officer_id = found
        officer_user = self.city.officer_user[officer_id]
        on_site = self.rng.random() < ON_SITE_SHARE
        category = self.category(self.fixable if on_site else self.city.categories, Source.PATROL)
        fields = self.base_fields(Source.PATROL, at, cell, category, reporter_id=officer_user)
        create = Step(
            Action.CREATE, "", State.REPORTED, at, officer_user, data={"source": Source.PATROL}
        )
        if not on_site:
            return self.worked_story(fields, create, finder=officer_id)
        fixed_at = at + dt.timedelta(minutes=self.minutes(5, 40))
        note = _by_name(FIXED_NOTES, category.name) or DEFAULT_FIXED_NOTE
        fixed = Step(
            Action.ON_SITE,
            State.REPORTED,
            State.CLOSED,
            fixed_at,
            officer_user,
            public_note=f"现场整改：{note}",
            # As cases.services.create_on_site_ticket: every milestone at the moment of the fix.
            sets={
                "on_site": True,
                "assignee_id": officer_id,
                **dict.fromkeys(
                    ("registered_at", "dispatched_at", "started_at", "resolved_at", "closed_at"),
                    fixed_at,
                ),
            },
        )
        return Story(fields=fields, steps=[create, fixed])

    def public_story(self, source: str) -> Story | None:
        found = self.public_report(source)
        if found is None:
            return None
        at, cell = found
        category = self.category(self.city.categories, source)
        community = self.city.communities[cell.community_id]
        reporter = None
        if source == Source.LEADERSHIP_PATROL:
            reporter = self.city.supervisor_for(community.brigade_id, self.rng)
        fields = self.base_fields(source, at, cell, category, reporter_id=reporter)
        create = Step(Action.CREATE, "", State.REPORTED, at, reporter, data={"source": source})
        return self.worked_story(fields, create)

    def duplicate_story(self, original: Story) -> Story:
        """Someone else reports the same thing at the same place a little later."""
        at = original.reported_at + dt.timedelta(minutes=self.minutes(20, 48 * 60))
        source = self.rng.choice([Source.RESIDENT, Source.HOTLINE])
        fields = dict(original.fields)
        spot = fields["address"].split(" ", 1)[-1]
        lat, lng = self.point(self.city.cell_by_id[fields["grid_cell_id"]])
        fields.update(
            lat=lat,
            lng=lng,
            source=source,
            reported_at=at,
            description=self.description(fields["category"], spot, source),
            reporter_name=self.name(),
            reporter_phone=self.mobile(),
        )
        supervisor = self.city.desk_for(fields["brigade_id"], source, self.rng)
        rejected_at = within(at, self.minutes(10, 180), DESK)
        steps = [
            Step(Action.CREATE, "", State.REPORTED, at, None, data={"source": source}),
            Step(
                Action.REJECT,
                State.REPORTED,
                State.REJECTED,
                rejected_at,
                supervisor,
                public_note=REJECT_NOTES[RejectReason.DUPLICATE],
                data={"reason": RejectReason.DUPLICATE, "duplicate_of": ""},  # number: on writing
                sets={"reject_reason": RejectReason.DUPLICATE, "rejected_at": rejected_at},
            ),
        ]
        return Story(fields=fields, steps=steps, duplicate_of=original)

    def worked_story(
        self, fields: dict[str, Any], create: Step, finder: int | None = None
    ) -> Story:
        """Register (or reject), then dispatch, refer or enforce, work, verify, maybe rework."""
        rng, city = self.rng, self.city
        source, category = fields["source"], fields["category"]
        brigade_id = fields["brigade_id"]
        story = Story(fields=fields, steps=[create])
        steps = story.steps
        desk = city.desk_for(brigade_id, source, rng)
        supervisor = city.supervisor_for(brigade_id, rng)
        t = within(create.at, self.minutes(5, 120), DESK)

        if rng.random() < REJECT_SHARE[source]:
            if rng.random() < 0.25:
                steps.append(self.register_step(t, desk))
                t = within(t, self.minutes(10, 240), DESK)
            reason = rng.choice([RejectReason.INVALID, RejectReason.OUT_OF_SCOPE])
            steps.append(
                Step(
                    Action.REJECT,
                    steps[-1].to_state,
                    State.REJECTED,
                    t,
                    desk,
                    public_note=REJECT_NOTES[reason],
                    data={"reason": reason, "duplicate_of": ""},
                    sets={"reject_reason": reason, "rejected_at": t},
                )
            )
            return story
        steps.append(self.register_step(t, desk))

        urgent = category.urgent_hours is not None and rng.random() < (
            URGENT_SHARE_HAZARD if any(h in category.name for h in HAZARDS) else URGENT_SHARE
        )
        if urgent:
            fields["priority"] = Priority.URGENT
            budget, natural = category.urgent_hours * 60, True
        else:
            budget = deadlines.budget_minutes(category.deadline_value, category.deadline_unit)
            natural = category.deadline_unit == DeadlineUnit.NATURAL_HOURS
        day = timezone.localdate(create.at)
        officers = city.officers_for(fields["grid_cell_id"], day)
        officer = finder or (rng.choice(officers) if officers else None)

        route = self.route(source, category, officer)
        t = within(t, self.minutes(2, 60), DESK)
        if route == Route.REFER and rng.random() < 0.04:
            first = self.refer_step(t, supervisor, category, fields, budget, natural)
            steps.append(first)
            t = workcalendar.add_working_minutes(t, round(self.minutes(30, 480)))
            steps.append(self.return_step(t, first))
            t = within(t, self.minutes(10, 120), DESK)
            steps.append(
                self.refer_step(
                    t,
                    supervisor,
                    category,
                    fields,
                    budget,
                    natural,
                    avoid=first.sets["responsible_unit_id"],
                )
            )
        elif route == Route.REFER:
            steps.append(self.refer_step(t, supervisor, category, fields, budget, natural))
        else:
            steps.append(self.assign_step(route, t, supervisor, officer, budget, natural))
        clock = steps[-1]

        worker = self.worker_of(clock)
        self.work(steps, worker, category, budget, natural, first=True)
        if rng.random() < REWORK_SHARE:
            t = within(steps[-1].at, self.minutes(30, 600), DESK)
            back = clock.to_state
            steps.append(
                Step(
                    Action.VERIFY_FAIL,
                    State.RESOLVED,
                    back,
                    t,
                    supervisor,
                    public_note="核查未整改到位，退回返工",
                    # Rework comes with a fresh deadline, as in cases.services.verify_ticket.
                    sets={
                        "rework_count": 1,
                        "resolved_at": None,
                        "started_at": None,
                        **clock_fields(t, budget, natural),
                    },
                )
            )
            self.work(steps, worker, category, budget, natural, first=False)
        t = within(steps[-1].at, self.minutes(20, 600), DESK)
        steps.append(
            Step(
                Action.VERIFY_PASS,
                State.RESOLVED,
                State.CLOSED,
                t,
                supervisor,
                public_note="经核查已处置到位，予以结案",
                sets={"closed_at": t},
            )
        )
        if source in RATED_SHARE and rng.random() < RATED_SHARE[source]:
            score = rng.choices(list(SATISFACTION_WEIGHTS), list(SATISFACTION_WEIGHTS.values()))[0]
            rated_at = t + dt.timedelta(minutes=self.minutes(60, 3 * 24 * 60))
            story.rating = (score, rng.choice(RATING_COMMENTS[score]), rated_at)
        return story

    def route(self, source: str, category: Category, officer: int | None) -> str:
        rng = self.rng
        if category.enforceable and officer and rng.random() < 0.2:
            return Route.ENFORCE
        if source == Source.LEADERSHIP_PATROL:
            refer = 0.8
        elif category.kind == CategoryKind.COMPONENT:
            refer = 0.9
        elif category.default_unit_id:
            refer = 0.45
        else:
            refer = 0.15
        if rng.random() < refer or officer is None:
            return Route.REFER
        return Route.DISPATCH

    # --- steps ---

    def register_step(self, at: dt.datetime, actor: int | None) -> Step:
        note = self.rng.choice(INTERNAL_NOTES) if self.rng.random() < 0.05 else ""
        return Step(
            Action.REGISTER,
            State.REPORTED,
            State.REGISTERED,
            at,
            actor,
            public_note="已受理",
            internal_note=note,
            sets={"registered_at": at},
        )

    def assign_step(
        self,
        route: str,
        at: dt.datetime,
        actor: int | None,
        officer: int,
        budget: int,
        natural: bool,
    ) -> Step:
        enforce = route == Route.ENFORCE
        return Step(
            Action.ENFORCE if enforce else Action.DISPATCH,
            State.REGISTERED,
            State.ENFORCEMENT if enforce else State.DISPATCHED,
            at,
            actor,
            public_note="" if enforce else "已派遣网格员处理",
            internal_note="立案查处" if enforce else "",
            data=self.city.officer_label[officer],
            sets={
                "route": route,
                "assignee_id": officer,
                "dispatched_at": at,
                **clock_fields(at, budget, natural),
            },
        )

    def refer_step(
        self,
        at: dt.datetime,
        actor: int | None,
        category: Category,
        fields: dict[str, Any],
        budget: int,
        natural: bool,
        avoid: int | None = None,
    ) -> Step:
        street_code = self.city.communities[fields["community_id"]].street.code
        street_office = self.city.street_office.get(street_code)
        unit = category.default_unit
        if unit is None or unit.id == avoid or self.rng.random() < 0.2:
            unit = street_office or unit
        if unit is None or unit.id == avoid:
            unit = category.default_unit or street_office
        person = self.responsible_person(unit)
        return Step(
            Action.REFER,
            State.REGISTERED,
            State.REFERRED,
            at,
            actor,
            public_note=f"已转{unit.name}办理",
            data={"unit": unit.name, "person": person},
            sets={
                "route": Route.REFER,
                "responsible_unit_id": unit.id,
                "responsible_person": person,
                "referred_at": at,
                "accepted_at": None,
                **clock_fields(at, budget, natural),
            },
        )

    def return_step(self, at: dt.datetime, refer: Step) -> Step:
        return Step(
            Action.RETURN,
            State.REFERRED,
            State.REGISTERED,
            at,
            self.handler_of(refer.sets["responsible_unit_id"]),
            internal_note="非本单位职责，申请退回",
            data={"unit": refer.data["unit"]},
            sets={
                "route": "",
                "responsible_unit_id": None,
                "responsible_person": "",
                "accepted_at": None,
                "time_budget_minutes": None,
                "clock_started_at": None,
                "warn_at": None,
                "deadline": None,
            },
        )

    def handler_of(self, unit_id: int) -> int | None:
        handlers = self.city.handlers.get(unit_id)
        return handlers[0].id if handlers else None

    def worker_of(self, clock: Step) -> int | None:
        if clock.action == Action.REFER:
            return self.handler_of(clock.sets["responsible_unit_id"])
        return self.city.officer_user.get(clock.sets["assignee_id"])

    def work(
        self,
        steps: list[Step],
        worker: int | None,
        category: Category,
        budget: int,
        natural: bool,
        *,
        first: bool,
    ) -> None:
        """The worker's steps up to ``resolved``: start or accept, then resolve or conclude."""
        rng = self.rng
        since = steps[-1].at
        state = steps[-1].to_state
        deadline = next(s.sets["deadline"] for s in reversed(steps) if "deadline" in s.sets)
        share = rng.uniform(1.05, 2.5) if rng.random() < LATE_SHARE else rng.uniform(0.1, 0.9)
        done = advance(since, round(budget * share), natural)
        done = max(done, since + dt.timedelta(minutes=20))
        begin = since + (done - since) * rng.uniform(0.1, 0.4)
        note = _by_name(FIXED_NOTES, category.name) or DEFAULT_FIXED_NOTE
        internal = rng.choice(INTERNAL_NOTES) if rng.random() < 0.08 else ""
        if state == State.DISPATCHED:
            steps.append(
                Step(
                    Action.START,
                    State.DISPATCHED,
                    State.IN_PROGRESS,
                    begin,
                    worker,
                    public_note="网格员已到达现场处置",
                    sets={"started_at": begin},
                )
            )
            steps.append(
                self.resolved(Action.RESOLVE, State.IN_PROGRESS, done, worker, note, internal)
            )
            steps[-1].data["late"] = done > deadline
        elif state == State.REFERRED:
            if first:
                steps.append(
                    Step(
                        Action.ACCEPT,
                        State.REFERRED,
                        State.REFERRED,
                        begin,
                        worker,
                        public_note="责任单位已签收",
                        sets={"accepted_at": begin},
                    )
                )
            steps.append(
                self.resolved(Action.RESOLVE, State.REFERRED, done, worker, note, internal)
            )
            steps[-1].data["late"] = done > deadline
        else:
            steps.append(
                self.resolved(
                    Action.CONCLUDE,
                    State.ENFORCEMENT,
                    done,
                    worker,
                    f"已依法查处，{note}",
                    "已下达责令限期改正通知书",
                )
            )
            steps[-1].data["late"] = done > deadline

    @staticmethod
    def resolved(
        action: str, source: str, at: dt.datetime, actor: int | None, note: str, internal: str
    ) -> Step:
        return Step(
            action,
            source,
            State.RESOLVED,
            at,
            actor,
            public_note=note,
            internal_note=internal,
            sets={"resolved_at": at},
        )


def _by_name(table: dict[str, Any], name: str) -> Any:
    """The entry for a category name: its own, else the first key the name contains (井盖)."""
    if name in table:
        return table[name]
    return next((value for key, value in table.items() if key in name), None)
