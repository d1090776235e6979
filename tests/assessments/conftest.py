"""The small city the engine's figures are computed by hand on: October 2026 (国庆 1–7 October
are holidays, Saturday 10 October is a make-up working day).

People: 鼓楼一大队 has 王建国 (黄楼 grid 001) and 孙立 (黄楼 grid 002, posting ended 16 October);
泉山三大队 has 李秀英 (泰山 grid 001, every day) and 周敏 (泰山 grid 002). 环卫处 takes
referrals; 园林处 got nothing this month. Every ticket is written below as data, with the
indicator it feeds; ``tests/assessments/test_engine_hand_computed.py`` holds the expected table.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Officer, Unit, UnitKind
from assessments.models import SurveyResponse
from cases.models import Category, Route, Source, State, Ticket
from grids.models import Community
from patrols.models import DailyLog, LogStatus
from tests.assessments.factories import SurveyFactory, SurveyLinkFactory
from tests.factories import AssignmentFactory, OfficerFactory, UnitFactory

OCTOBER = datetime.date(2026, 10, 1)
SEPTEMBER = datetime.date(2026, 9, 1)
# Duty days of a Monday–Friday posting in October 2026: the 8th, 9th, the make-up Saturday 10th,
# then every weekday from the 12th (18 days); a posting working every day: the 8th to the 31st.
WEEKDAY_DUTY_DAYS = [8, 9, 10, 12, 13, 14, 15, 16, 19, 20, 21, 22, 23, 26, 27, 28, 29, 30]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def at(when: str, year: int = 2026) -> datetime.datetime:
    """``"10-09 17:30"`` (or ``"10-09"``: 10:00) as an aware Asia/Shanghai datetime."""
    day, _sep, clock = when.partition(" ")
    month, dom = (int(part) for part in day.split("-"))
    hour, minute = (int(part) for part in (clock or "10:00").split(":"))
    return datetime.datetime(year, month, dom, hour, minute, tzinfo=timezone.get_current_timezone())


def ticket_number(number: int, reported: datetime.datetime) -> str:
    """The fixture's ticket ``number`` as the case system spells it (``XZ20261009-0029``), so
    it fits the ticket URL converter and a drill-down opens it."""
    return f"XZ{timezone.localtime(reported):%Y%m%d}-{number:04d}"


def number_of(ticket: Ticket) -> int:
    """The fixture's number back from a ticket's: ``XZ20261009-0029`` → 29."""
    return int(ticket.number.rpartition("-")[2])


@dataclass
class SmallCity:
    officers: dict[str, Officer]
    brigades: dict[str, Unit]
    departments: dict[str, Unit]
    communities: dict[str, Community]
    tickets: dict[int, Ticket]


# Each ticket: (number, fields). Places: "g1"/"g2" are 黄楼's grids 001/002, "t1"/"t2" 泰山's;
# "黄楼"/"泰山" alone is the community with no grid. Officers by key; times are October 2026.
TICKETS: list[tuple[int, dict[str, Any]]] = [
    # 王建国 (A1), grid g1 — found 5, valid 4 (the duplicate is not), on site 3.
    (1, dict(src="patrol", by="A1", at="g1", state="closed", rep="10-08", on_site=True)),
    (2, dict(src="patrol", by="A1", at="g1", state="closed", rep="10-09", on_site=True)),
    (3, dict(src="patrol", by="A1", at="g1", state="closed", rep="10-12", on_site=True)),
    (4, dict(src="patrol", by="A1", at="g1", state="dispatched", rep="10-13", to="A1")),
    (5, dict(src="patrol", by="A1", at="g1", state="rejected", rep="10-14", reject="duplicate")),
    # Dispatched to A1: due 4 (on time 2), resolved 6 with the on-site ones (reworked 1),
    # rated 3 (4–5: 2).
    (6, dict(at="g1", state="closed", rep="10-08", to="A1", due="10-09 17:30",
             done="10-09 10:00", rating=5, rated="10-12")),
    (7, dict(at="g1", state="closed", rep="10-12", to="A1", due="10-15 17:30",
             done="10-16 09:00", rating=3, rated="10-20")),
    (8, dict(at="g1", state="closed", rep="10-16", to="A1", due="10-20 17:30",
             done="10-19 15:00", rework=1, rating=4, rated="10-22")),
    (9, dict(at="g1", state="in_progress", rep="10-27", to="A1", due="10-30 17:30")),
    # First reported by residents or the hotline in g1 (漏报): 2 of the 10 registered there.
    (10, dict(src="resident", at="g1", state="registered", rep="10-21")),
    (11, dict(src="hotline_12345", at="g1", state="closed", rep="10-22", unit="环卫处",
              due="10-27 17:30", done="10-26 11:00")),
    # Reported on the hotline, not registered yet: a hotline complaint (2nd), not in 漏报.
    (12, dict(src="hotline_12345", at="g1", state="reported", rep="10-28")),
    # 孙立 (A2), grid g2 until 16 October — found 2, both valid: the one rejected as out of
    # scope was still a real problem (DESIGN §8 leaves out only invalid and duplicate reports).
    (13, dict(src="patrol", by="A2", at="g2", state="closed", rep="10-09", on_site=True)),
    (14, dict(src="patrol", by="A2", at="g2", state="rejected", rep="10-12",
              reject="out_of_scope")),
    (15, dict(at="g2", state="closed", rep="10-12", to="A2", due="10-14 17:30",
              done="10-13 16:00")),
    (16, dict(src="resident", at="g2", state="registered", rep="10-15")),
    # After A2's posting ended: grid g2 is nobody's, these count for no officer.
    (17, dict(src="resident", at="g2", state="registered", rep="10-20")),
    (18, dict(src="hotline_12345", at="g2", state="registered", rep="10-25")),
    # 李秀英 (B1), grid t1: 4 found, all fixed on site (one on Sunday the 11th).
    (19, dict(src="patrol", by="B1", at="t1", state="closed", rep="10-08", on_site=True)),
    (20, dict(src="patrol", by="B1", at="t1", state="closed", rep="10-09", on_site=True)),
    (21, dict(src="patrol", by="B1", at="t1", state="closed", rep="10-10", on_site=True)),
    (22, dict(src="patrol", by="B1", at="t1", state="closed", rep="10-11", on_site=True)),
    (23, dict(at="t1", state="closed", rep="10-16", to="B1", due="10-20 17:30",
              done="10-19 10:00", rating=5, rated="10-23")),
    (24, dict(at="t1", state="closed", rep="10-16", to="B1", due="10-21 17:30",
              done="10-20 10:00", rating=5, rated="10-23")),
    # A hotline complaint taken to enforcement, due in November.
    (25, dict(src="hotline_12345", at="t1", state="enforcement", rep="10-26", to="B1",
              route="enforce", due="11-05 17:30")),
    # 周敏 (B2), grid t2: late, reworked twice, a poor rating, one still open.
    (26, dict(at="t2", state="closed", rep="10-19", to="B2", due="10-22 17:30",
              done="10-23 10:00", rework=2, rating=2, rated="10-26")),
    (27, dict(at="t2", state="dispatched", rep="10-20", to="B2", due="10-23 17:30")),
    (28, dict(src="resident", at="t2", state="registered", rep="10-27")),
    # 环卫处: referred 3 (closed 1: #11), due 2 (on time 2), resolved 2 (reworked 1).
    # #29 was resolved before its deadline and awaits verification: on time for 环卫处's
    # 按期处置率, not closed by the deadline for 黄楼's 按期结案率.
    (29, dict(at="黄楼", state="resolved", rep="10-09", unit="环卫处", due="10-13 17:30",
              done="10-13 10:00", rework=1)),
    (30, dict(at="泰山", state="referred", rep="10-12", unit="环卫处", due="11-03 17:30")),
    # September: outside the month everywhere.
    (31, dict(src="patrol", by="A1", at="g1", state="closed", rep="09-28", on_site=True)),
    (32, dict(at="g1", state="closed", rep="09-21", to="A1", due="09-25 17:30",
              done="09-30 10:00", rating=1, rated="09-30")),
]  # fmt: skip


def _make_ticket(number: int, row: dict[str, Any], city: SmallCity, grids: dict) -> Ticket:
    category = Category.objects.get(kind="event", code="0102")
    place = row["at"]
    grid = grids.get(place)
    community = grid.community if grid else city.communities[place]
    state = row["state"]
    reported = at(row["rep"], 2026)
    registered = None if state in ("reported", "rejected") else reported
    assignee = city.officers[row["to"]] if "to" in row else None
    unit = city.departments[row["unit"]] if "unit" in row else None
    route = row.get("route") or (Route.REFER if unit else Route.DISPATCH if assignee else "")
    on_site = row.get("on_site", False)
    if on_site:
        assignee = city.officers[row["by"]]
    done = at(row["done"]) if "done" in row else (reported if on_site else None)
    if state == "closed" and done is None:
        done = reported
    return Ticket.objects.create(
        number=ticket_number(number, reported),
        source=row.get("src", Source.DIGITAL_CITY),
        category=category,
        description=f"小城第{number}号案卷",
        grid_cell=grid,
        community=community,
        street=community.street,
        district=community.street.district,
        brigade=community.brigade,
        reporter=city.officers[row["by"]].user if "by" in row else None,
        state=state,
        route="" if on_site else route,
        assignee=assignee,
        responsible_unit=unit,
        deadline=at(row["due"]) if "due" in row else None,
        rework_count=row.get("rework", 0),
        reject_reason=row.get("reject", ""),
        on_site=on_site,
        reported_at=reported,
        registered_at=registered,
        dispatched_at=registered if assignee else None,
        referred_at=registered if unit else None,
        resolved_at=done,
        closed_at=done if state == State.CLOSED else None,
        rejected_at=reported if state == State.REJECTED else None,
        satisfaction=row.get("rating"),
        rated_at=at(row["rated"]) if "rated" in row else None,
    )


# Daily logs handed in, by officer: days of October (a log on a day off does not count, nor a
# draft, nor one after the posting ended).
LOGS = {
    "A1": WEEKDAY_DUTY_DAYS[:15],  # 15 of 18
    "A2": [8, 9, 10, 12, 13, 14, 15, 16],  # 8 of 8 (posting ended on the 16th)
    "B1": list(range(8, 32)),  # 24 of 24
    "B2": WEEKDAY_DUTY_DAYS[::2],  # 9 of 18
}
EXTRA_LOGS = [
    ("A1", 17, LogStatus.SUBMITTED),  # Saturday: no duty
    ("A1", 29, LogStatus.DRAFT),  # not handed in
    ("A2", 19, LogStatus.SUBMITTED),  # after the posting ended
    ("B2", 3, LogStatus.SUBMITTED),  # 国庆: no duty
]


@pytest.fixture
def small_city(gulou_community, taishan_community) -> SmallCity:
    gulou, quanshan = gulou_community.brigade, taishan_community.brigade
    g1, g2 = gulou_community.grid_cells.order_by("code")
    t1, t2 = taishan_community.grid_cells.order_by("code")
    grids = {"g1": g1, "g2": g2, "t1": t1, "t2": t2}

    def officer(key, brigade, badge, name, grid, weekdays, valid_to=None):
        person = OfficerFactory(
            brigade=brigade, badge_number=badge, user__username=badge, user__display_name=name
        )
        AssignmentFactory(
            officer=person,
            community=grid.community,
            grid_cells=[grid],
            weekdays=weekdays,
            valid_from=datetime.date(2026, 1, 1),
            valid_to=valid_to,
        )
        return key, person

    officers = dict(
        [
            officer("A1", gulou, "GL1-001", "王建国", g1, "12345"),
            officer("A2", gulou, "GL1-002", "孙立", g2, "12345", datetime.date(2026, 10, 16)),
            officer("B1", quanshan, "QS3-001", "李秀英", t1, "1234567"),
            officer("B2", quanshan, "QS3-002", "周敏", t2, "12345"),
        ]
    )
    # Ended before October: not assessed at all.
    officer("X", gulou, "GL1-009", "退休的老刘", g1, "12345", datetime.date(2026, 9, 30))
    departments = {
        "环卫处": UnitFactory(code="sanitation", name="环卫处", kind=UnitKind.DEPARTMENT),
        "园林处": UnitFactory(code="parks", name="园林处", kind=UnitKind.DEPARTMENT),
    }
    city = SmallCity(
        officers=officers,
        brigades={"gl1": gulou, "qs3": quanshan},
        departments=departments,
        communities={"黄楼": gulou_community, "泰山": taishan_community},
        tickets={},
    )
    for number, row in TICKETS:
        city.tickets[number] = _make_ticket(number, row, city, grids)

    def log(key: str, day: int, status: str) -> None:
        person = officers[key]
        DailyLog.objects.create(
            officer=person,
            brigade=person.brigade,
            date=datetime.date(2026, 10, day),
            status=status,
            summary="巡查社区",
            submitted_at=None if status == LogStatus.DRAFT else at(f"10-{day:02d} 18:00"),
        )

    for key, days in LOGS.items():
        for day in days:
            log(key, day, LogStatus.SUBMITTED)
    for key, day, status in EXTRA_LOGS:
        log(key, day, status)

    # Surveys: 黄楼 and a shop rate 鼓楼一大队 90 and 80 in October; September's answer for
    # 泉山三大队 belongs to September.
    october = SurveyFactory(month=OCTOBER)
    for name, answers in (("黄楼社区居委会", [5, 4, 5, 4]), ("苏宁广场商户", [4, 4, 4, 4])):
        link = SurveyLinkFactory(survey=october, brigade=gulou, respondent_name=name)
        SurveyResponse.objects.create(
            link=link, answers=answers, score=Decimal(sum(answers)) / len(answers) * 20
        )
    unused = SurveyLinkFactory(survey=october, brigade=quanshan, respondent_name="泰山社区居委会")
    assert not hasattr(unused, "response")
    september = SurveyFactory(month=SEPTEMBER, title="2026年9月调查")
    link = SurveyLinkFactory(survey=september, brigade=quanshan, respondent_name="泰山街道办")
    SurveyResponse.objects.create(link=link, answers=[1, 1, 1, 1], score=20)
    return city
