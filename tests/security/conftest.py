"""The world the access matrix walks: two brigades, the people of each role, and one object of
every kind that a page or endpoint shows, all made once per module through the services (as the
people who would really do it) inside a transaction rolled back when the module ends. Each test
runs in a savepoint inside it, so a write one cell makes is gone before the next.

Places are the shared cast's lattice (tests/conftest.py): 黄楼社区 (鼓楼一大队, "brigade A") in
row 0, 泰山社区 (泉山三大队, "brigade B") in row 2.
"""

import datetime
import uuid
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import override_settings

from accounts.models import UnitKind, User
from cases import services
from cases.categories import invalidate_choices, load_categories
from cases.models import (
    Category,
    Photo,
    PhotoUpload,
    PhotoUploadPart,
    ReopenRequest,
    Source,
    Ticket,
    TicketEvent,
)
from grids import locator
from grids.geometry import offset
from hotline.models import CategoryMapping
from hotline.services import receive_order
from notifications.models import Notification
from patrols import services as patrol_services
from patrols.models import DailyLog, LeadershipPatrol, PatrolSession
from residents import services as resident_services
from shops import services as shop_services
from shops.models import FrontagePledge, Merchant, credit_code_check_char
from tests.cases import conftest as cases_fixtures
from tests.factories import (
    ORIGIN,
    AssignmentFactory,
    BrigadeFactory,
    CommunityFactory,
    DistrictFactory,
    GridCellFactory,
    OfficerFactory,
    StreetFactory,
    UnitFactory,
    UserFactory,
    jpeg_bytes,
    processed_photo,
    square,
)

# The casework fixtures, for the fuzz tests' tickets and photos (function-scoped, as everywhere).
category = cases_fixtures.category
enforceable_category = cases_fixtures.enforceable_category
fast_password_hashing = cases_fixtures.fast_password_hashing
make_ticket = cases_fixtures.make_ticket
media = cases_fixtures.media
supervisor_quanshan = cases_fixtures.supervisor_quanshan

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# A Monday, an ordinary working day: logs, patrols and deadlines behave as on any weekday.
MONDAY_10AM = datetime.datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)
POINT_A = tuple(reversed(offset(*ORIGIN, 50, 50)))  # (lat, lng) in 黄楼社区's grid 001
POINT_B = tuple(reversed(offset(*ORIGIN, 50, 250)))  # (lat, lng) in 泰山社区's grid 001


@dataclass
class World:
    """Everything the matrix asks about, by the name the table uses."""

    users: dict[str, User | None] = field(default_factory=dict)
    # The tracking code each role holds: only the resident holds one (their own report's).
    codes: dict[str, str] = field(default_factory=dict)
    objects: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.objects[name]
        except KeyError:
            raise AttributeError(name) from None


def _places() -> dict[str, Any]:
    brigade_a = BrigadeFactory(code="gl1", name="鼓楼执法监督一大队")
    brigade_b = BrigadeFactory(code="qs3", name="泉山执法监督三大队")
    street_a = StreetFactory(
        district=DistrictFactory(code="320302", name="鼓楼区"), name="黄楼街道"
    )
    community_a = CommunityFactory(street=street_a, code="001", name="黄楼社区", brigade=brigade_a)
    GridCellFactory(community=community_a, code="001", boundary=square(0, 0))
    GridCellFactory(community=community_a, code="002", boundary=square(1, 0))
    street_b = StreetFactory(
        district=DistrictFactory(code="320311", name="泉山区"), code="320311010", name="泰山街道"
    )
    community_b = CommunityFactory(
        street=street_b, code="320311010001", name="泰山社区", brigade=brigade_b
    )
    GridCellFactory(community=community_b, code="001", boundary=square(0, 2))
    GridCellFactory(community=community_b, code="002", boundary=square(1, 2))
    locator.invalidate()
    return {"brigade_a": brigade_a, "brigade_b": brigade_b, "a": community_a, "b": community_b}


def _officer(community: Any, badge: str, username: str, name: str) -> User:
    officer = OfficerFactory(
        brigade=community.brigade,
        badge_number=badge,
        user__username=username,
        user__display_name=name,
    )
    AssignmentFactory(
        officer=officer,
        community=community,
        grid_cells=list(community.grid_cells.all()),
        weekdays="1234567",
    )
    # A portrait, for the public notice board (served by grids:officer_photo only).
    officer.photo.save(f"{badge}.jpg", ContentFile(jpeg_bytes()), save=False)
    officer.save(update_fields=["photo"])
    return officer.user


def _people(places: dict[str, Any]) -> dict[str, User | None]:
    bureau = UnitFactory(code="xzcg", name="徐州市城市管理局", kind=UnitKind.BUREAU)
    return {
        "anonymous": None,
        "resident": None,  # no account: holds the tracking code of their report
        "officer_a": _officer(places["a"], "GL1-001", "officer_a", "王建国"),
        "officer_b": _officer(places["b"], "QS3-001", "officer_b", "李秀英"),
        "handler_x": UserFactory(
            username="handler_x",
            roles=["handler"],
            unit=UnitFactory(code="sanitation", name="环卫处", kind=UnitKind.DEPARTMENT),
        ),
        "handler_y": UserFactory(
            username="handler_y",
            roles=["handler"],
            unit=UnitFactory(code="municipal", name="市政处", kind=UnitKind.DEPARTMENT),
        ),
        "supervisor_a": UserFactory(
            username="supervisor_a", unit=places["brigade_a"], roles=["supervisor"]
        ),
        # Not a role of the matrix: brigade B's leader only moves brigade B's tickets here.
        "supervisor_b": UserFactory(
            username="supervisor_b", unit=places["brigade_b"], roles=["supervisor"]
        ),
        "command": UserFactory(username="command", unit=bureau, roles=["supervisor"]),
        "assessor": UserFactory(username="assessor", unit=bureau, roles=["assessor"]),
    }


HOTLINE_SECRET = "whsec_" + "c2VjcmV0LW9mLXRoZS1tYXRyaXgtMTIzNDU2"


def _report(point: tuple[float, float], *, photo: bool = False, code: str = "0102") -> Ticket:
    """A resident's report at ``point`` (state reported), with a photo if asked."""
    lat, lng = point
    return services.create_ticket(
        actor=None,
        source=Source.RESIDENT,
        category=Category.objects.get(kind="event", code=code),
        description="小区门口垃圾堆了三天没人清",
        lat=lat,
        lng=lng,
        reporter_name="刘女士",
        reporter_phone="13812345678",
        photos=[processed_photo()] if photo else [],
    )


def _closed(point: tuple[float, float], supervisor: User, officer: User) -> Ticket:
    ticket = _report(point, photo=True)
    services.register_ticket(actor=supervisor, ticket_id=ticket.pk)
    services.dispatch_ticket(actor=supervisor, ticket_id=ticket.pk, officer_id=officer.officer.pk)
    services.start_ticket(actor=officer, ticket_id=ticket.pk)
    services.resolve_ticket(
        actor=officer, ticket_id=ticket.pk, note="已清运", photos=[processed_photo()]
    )
    services.verify_ticket(actor=supervisor, ticket_id=ticket.pk, passed=True)
    return Ticket.objects.get(pk=ticket.pk)


def _tickets(users: dict[str, User | None]) -> dict[str, Any]:
    sup_a, sup_b = users["supervisor_a"], users["supervisor_b"]
    off_a, off_b = users["officer_a"], users["officer_b"]
    # Brigade A's report, dispatched to officer A (the ticket most cells ask about).
    ticket_a = _report(POINT_A, photo=True)
    services.register_ticket(actor=sup_a, ticket_id=ticket_a.pk)
    services.dispatch_ticket(actor=sup_a, ticket_id=ticket_a.pk, officer_id=off_a.officer.pk)
    # Brigade B's counterpart, dispatched to officer B (for brigade A's denials).
    ticket_b = _report(POINT_B)
    services.register_ticket(actor=sup_b, ticket_id=ticket_b.pk)
    services.dispatch_ticket(actor=sup_b, ticket_id=ticket_b.pk, officer_id=off_b.officer.pk)
    # Brigade A's report referred to unit X (环卫处).
    referred = _report(POINT_A)
    services.register_ticket(actor=sup_a, ticket_id=referred.pk)
    services.refer_ticket(
        actor=sup_a, ticket_id=referred.pk, unit_id=users["handler_x"].unit_id, person="陈科长"
    )
    # A 店外经营 enforcement case in brigade A, worked by officer A (the shops' offence ladder).
    street_trade = _report(POINT_A, code="0504")
    services.register_ticket(actor=sup_a, ticket_id=street_trade.pk)
    services.enforce_ticket(actor=sup_a, ticket_id=street_trade.pk, officer_id=off_a.officer.pk)
    # An officer's patrol finding: staff business, never an Open311 request.
    finding = services.create_ticket(
        actor=off_a,
        source=Source.PATROL,
        category=Category.objects.get(kind="event", code="0102"),
        description="巡查发现绿化带内有建筑垃圾",
        lat=POINT_A[0],
        lng=POINT_A[1],
    )
    # The resident's own report, closed, not rated yet; and one in brigade B whose unhappy
    # reporter asked to reopen it.
    mine = _closed(POINT_A, sup_a, off_a)
    # One brigade-A ticket in each state a workflow step starts from (the API and page step
    # cells): a fresh report, a registered one, one being worked, one whose officer asked for
    # more time, and one reported fixed.
    reported = _report(POINT_A)
    registered = _report(POINT_A, code="0504")  # 店外经营: enforceable, for the enforce step
    services.register_ticket(actor=sup_a, ticket_id=registered.pk)
    working, extension, resolved = (_report(POINT_A) for _ in range(3))
    for ticket in (working, extension, resolved):
        services.register_ticket(actor=sup_a, ticket_id=ticket.pk)
        services.dispatch_ticket(actor=sup_a, ticket_id=ticket.pk, officer_id=off_a.officer.pk)
        services.start_ticket(actor=off_a, ticket_id=ticket.pk)
    services.request_extension(
        actor=off_a, ticket_id=extension.pk, extra_hours=4, reason="需协调环卫车辆"
    )
    services.resolve_ticket(
        actor=off_a, ticket_id=resolved.pk, note="已清运", photos=[processed_photo()]
    )
    # Reported fixed and sent to officer A to check on site (核查 on site, issue 23).
    checking = _report(POINT_A)
    services.register_ticket(actor=sup_a, ticket_id=checking.pk)
    services.dispatch_ticket(actor=sup_a, ticket_id=checking.pk, officer_id=off_a.officer.pk)
    services.start_ticket(actor=off_a, ticket_id=checking.pk)
    services.resolve_ticket(
        actor=off_a, ticket_id=checking.pk, note="已清运", photos=[processed_photo()]
    )
    services.send_for_field_check(actor=sup_a, ticket_id=checking.pk, officer_id=off_a.officer.pk)
    # A 12345 order on brigade A's grid, and one whose category nobody mapped: on no brigade,
    # for the command centre to place.
    CategoryMapping.objects.create(
        code="0301", category=Category.objects.get(kind="event", code="0102")
    )
    hotline_a = receive_order(
        order_id="GD-A", content="市民来电：垃圾堆积", category_code="0301",
        lat=POINT_A[0], lng=POINT_A[1],
    )[0].ticket  # fmt: skip
    unplaced = receive_order(order_id="GD-U", content="市民来电：位置不明", category_code="?")[0]
    closed_b = _closed(POINT_B, sup_b, off_b)
    resident_services.rate_ticket(code=closed_b.tracking_code, satisfaction=1, comment="没修好")
    return {
        "ticket_a": Ticket.objects.get(pk=ticket_a.pk),
        "hotline_a": hotline_a,
        "unplaced": Ticket.objects.get(pk=unplaced.ticket_id),
        "photo_a": Photo.objects.get(ticket=ticket_a),
        "ticket_b": Ticket.objects.get(pk=ticket_b.pk),
        "finding_a": finding,
        "referred_x": Ticket.objects.get(pk=referred.pk),
        "enforcement_a": Ticket.objects.get(pk=street_trade.pk),
        "mine": mine,
        "mine_photo": Photo.objects.filter(ticket=mine, kind="report").get(),
        "reopen_b": ReopenRequest.objects.get(ticket=closed_b),
        "reported_a": Ticket.objects.get(pk=reported.pk),
        "registered_a": Ticket.objects.get(pk=registered.pk),
        "in_progress_a": Ticket.objects.get(pk=working.pk),
        "extension_a": Ticket.objects.get(pk=extension.pk),
        "resolved_a": Ticket.objects.get(pk=resolved.pk),
        "checking_a": Ticket.objects.get(pk=checking.pk),
    }


def _patrols(users: dict[str, User | None]) -> dict[str, Any]:
    """Each officer's open patrol and submitted log of today; each brigade leader's walk."""
    made: dict[str, Any] = {}
    for side in ("a", "b"):
        officer = users[f"officer_{side}"]
        session, _created = patrol_services.start_patrol(actor=officer)
        log = patrol_services.submit_log(
            actor=officer, day=MONDAY_10AM.date(), summary="巡查本社区两个网格", problems=""
        )
        walk = patrol_services.record_leadership_patrol(
            actor=users[f"supervisor_{side}"], date=MONDAY_10AM.date(), route="中山北路—黄河路"
        )
        made[f"session_{side}"] = PatrolSession.objects.get(pk=session.pk)
        made[f"log_{side}"] = DailyLog.objects.get(pk=log.pk)
        made[f"walk_{side}"] = LeadershipPatrol.objects.get(pk=walk.pk)
    # A photo officer A's phone has sent in full but not yet completed (issue 22).
    photo = jpeg_bytes()
    made["upload_a"] = PhotoUpload.objects.create(
        id=uuid.UUID("00000000-0000-4000-8000-00000000000a"),
        user=users["officer_a"],
        size=len(photo),
        received=len(photo),
    )
    PhotoUploadPart.objects.create(upload=made["upload_a"], offset=0, data=photo)
    return made


def merchant_at(point: tuple[float, float], n: int, name: str) -> Merchant:
    """A shop at ``point`` (in a unit grid), with a valid licence number made from ``n``."""
    first17 = f"9232030270000000{n}"
    cell = locator.locate(*point)
    return Merchant.objects.create(
        name=name,
        licence_number=first17 + credit_code_check_char(first17),
        business_kind="grocery",
        owner_name="王建华",
        owner_phone="13852001234",
        address=f"中山北路{n}号",
        lat=point[0],
        lng=point[1],
        grid_cell=cell,
        community=cell.community,
        brigade_id=cell.community.brigade_id,
    )


def _shops(users: dict[str, User | None]) -> dict[str, Any]:
    merchant = merchant_at(POINT_A, 1, "老王水果店")
    pledge = shop_services.sign_pledge(
        actor=users["officer_a"],
        merchant_id=merchant.pk,
        signed_on=datetime.date(2026, 11, 2),
        valid_until=datetime.date(2027, 11, 1),
        scan=processed_photo("pledge.jpg"),  # the signed sheet, served by shops:pledge_scan
    )
    return {
        "merchant_a": merchant,
        "pledge_a": FrontagePledge.objects.get(pk=pledge.pk),
        "merchant_b": merchant_at(POINT_B, 2, "泰山小吃"),
    }


def _survey(places: dict[str, Any]) -> dict[str, Any]:
    """October's survey sheet (调查表), open all week, with one link rating brigade A."""
    from assessments.models import Survey, SurveyLink

    survey = Survey.objects.create(
        month=datetime.date(2026, 10, 1),
        title="10月满意度调查",
        questions=["巡查是否到位", "处置是否及时"],
        closes_at=MONDAY_10AM + datetime.timedelta(days=7),
    )
    link = SurveyLink.objects.create(
        survey=survey,
        brigade=places["brigade_a"],
        respondent_kind="community",
        respondent_name="黄楼社区",
        community=places["a"],
        expires_at=survey.closes_at,
    )
    return {"survey": survey, "survey_link_a": link}


def _assessments(places: dict[str, Any], users: dict[str, User | None]) -> dict[str, Any]:
    """October 2026 published, with officer A's, officer B's, both brigades' and unit X's
    scores; September computed but not published (assessors only)."""
    from assessments.models import Run, SubjectKind
    from tests.assessments.factories import RunFactory, ScoreFactory

    run = RunFactory(month=datetime.date(2026, 10, 1), published=True, published_at=MONDAY_10AM)
    scores = {}
    for side in ("a", "b"):
        officer = users[f"officer_{side}"].officer
        scores[f"score_officer_{side}"] = ScoreFactory(
            run=run, officer=officer, brigade=officer.brigade, name=str(officer.user)
        )
        brigade = places[f"brigade_{side}"]
        scores[f"score_brigade_{side}"] = ScoreFactory(
            run=run, kind=SubjectKind.BRIGADE, unit=brigade, name=brigade.name
        )
    unit = users["handler_x"].unit
    scores["score_unit_x"] = ScoreFactory(
        run=run, kind=SubjectKind.DEPARTMENT, unit=unit, name=unit.name
    )
    draft = RunFactory(month=datetime.date(2026, 9, 1), scheme=run.scheme)
    return {"run_published": Run.objects.get(pk=run.pk), "run_draft": draft, **scores}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[World]:
    media_root = tmp_path_factory.mktemp("media")
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(
            MEDIA_ROOT=media_root,
            PASSWORD_HASHERS=fast,
            # The 12345 connector on: its endpoints answer (a 401 to anyone but the platform).
            HOTLINE_URL="http://127.0.0.1:9/writeback",
            HOTLINE_SECRET=HOTLINE_SECRET,
        ),
        time_machine.travel(MONDAY_10AM, tick=False),
    ):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            if not Category.objects.exists():  # a transactional test may have emptied it
                load_categories()
                invalidate_choices()
            places = _places()
            users = _people(places)
            objects = {**places, **_tickets(users), **_patrols(users), **_shops(users)}
            objects.update(_survey(places))
            objects.update(_assessments(places, users))
            objects["notification_a"] = Notification.objects.create(
                recipient=users["officer_a"],
                ticket=objects["ticket_a"],
                kind="dispatch",
                message="案件已派遣给您",
            )
            objects["portrait"] = users["officer_a"].officer.photo
            # Step cells count a step as taken when it wrote an event after this one.
            objects["last_event_id"] = TicketEvent.objects.order_by("-id").values_list(
                "id", flat=True
            )[0]
            yield World(
                users=users, codes={"resident": objects["mine"].tracking_code}, objects=objects
            )
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            locator.invalidate()
