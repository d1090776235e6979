"""Casework fixtures: the categories tickets are filed under, and tickets driven to any state
through the services by the people who would really do it.

Places: a 鼓楼 ticket is reported in 黄楼社区's grid 001, a 泉山 one in 泰山社区's grid 001.
"""

from collections.abc import Callable

import pytest

from accounts.models import UnitKind
from cases import services
from cases.models import Category, Priority, Route, Source, State, Ticket
from grids.geometry import offset
from notifications.models import Notification
from tests.factories import (
    ORIGIN,
    AssignmentFactory,
    OfficerFactory,
    UnitFactory,
    UserFactory,
    processed_photo,
)

# (lat, lng) inside grid 001 of each test community (see tests/conftest.py's lattice).
GULOU_POINT = tuple(reversed(offset(*ORIGIN, 50, 50)))
QUANSHAN_POINT = tuple(reversed(offset(*ORIGIN, 50, 250)))


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Users are made by the dozen here; Django's default hasher takes about a second each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def category(db) -> Category:
    """事件 0102 暴露垃圾: 4 working hours, 2 natural hours when urgent; not enforceable."""
    return Category.objects.get(kind="event", code="0102")


@pytest.fixture
def enforceable_category(db) -> Category:
    """事件 0504 店外经营: 2 working hours; officers may open an enforcement case."""
    return Category.objects.get(kind="event", code="0504")


@pytest.fixture
def media(settings, tmp_path):
    """Photos are written under a throw-away MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def supervisor_quanshan(quanshan_brigade):
    """Leads 泉山三大队: supervises 泉山's tickets, cannot even see 鼓楼's."""
    return UserFactory(
        username="supervisor_quanshan",
        unit=quanshan_brigade,
        roles=["supervisor"],
        display_name="钱队长",
    )


@pytest.fixture
def handler_municipal(db):
    """Handler at 市政处: a unit other than 环卫处, for the handlers' denials."""
    unit = UnitFactory(code="municipal", name="市政处", kind=UnitKind.DEPARTMENT)
    return UserFactory(username="handler_municipal", unit=unit, roles=["handler"])


@pytest.fixture
def officer_gulou_colleague(gulou_community):
    """A second officer of 鼓楼一大队 posted to the same grids as officer_gulou: sees the same
    tickets, but may work only those dispatched to them."""
    officer = OfficerFactory(
        brigade=gulou_community.brigade,
        badge_number="GL1-002",
        user__username="officer_gulou_colleague",
        user__display_name="孙立",
    )
    AssignmentFactory(
        officer=officer,
        community=gulou_community,
        grid_cells=list(gulou_community.grid_cells.all()),
        weekdays="1234567",
    )
    return officer.user


@pytest.fixture
def make_ticket(request, category, enforceable_category, media) -> Callable[..., Ticket]:
    """``make_ticket(state, place="gulou"|"quanshan", route=…, category=…, priority=…)``: a
    resident's report taken to ``state`` by the place's supervisor, officer, and 环卫处's handler.

    The route decides how a resolved or closed ticket got there (dispatch by default); referred
    and enforcement tickets take their own route. Enforcement uses 店外经营 unless told otherwise.
    The ticket comes without the notifications its setting up wrote: tests see only their own.
    """

    def actors(place: str):
        names = {
            "gulou": ("supervisor_gulou", "officer_gulou", GULOU_POINT),
            "quanshan": ("supervisor_quanshan", "officer_quanshan", QUANSHAN_POINT),
        }[place]
        return request.getfixturevalue(names[0]), request.getfixturevalue(names[1]), names[2]

    def walk(
        state: str = State.REGISTERED,
        *,
        place: str = "gulou",
        route: str = Route.DISPATCH,
        category: Category | None = None,
        priority: str = Priority.NORMAL,
    ) -> Ticket:
        if state == State.REFERRED:
            route = Route.REFER
        elif state == State.ENFORCEMENT:
            route = Route.ENFORCE
        if category is None:
            category = request.getfixturevalue(
                "enforceable_category" if route == Route.ENFORCE else "category"
            )
        supervisor, officer, (lat, lng) = actors(place)
        ticket = services.create_ticket(
            actor=None,
            source=Source.RESIDENT,
            category=category,
            description="小区门口垃圾堆了三天没人清",
            lat=lat,
            lng=lng,
            priority=priority,
            reporter_name="刘女士",
            reporter_phone="13812345678",
        )
        pk = ticket.pk
        if state == State.REPORTED:
            return ticket
        if state == State.REJECTED:
            services.reject_ticket(
                actor=supervisor, ticket_id=pk, reason="invalid", note="无此问题"
            )
            return Ticket.objects.get(pk=pk)
        services.register_ticket(actor=supervisor, ticket_id=pk)
        if state == State.REGISTERED:
            return Ticket.objects.get(pk=pk)
        if route == Route.DISPATCH:
            services.dispatch_ticket(actor=supervisor, ticket_id=pk, officer_id=officer.officer.pk)
            if state != State.DISPATCHED:
                services.start_ticket(actor=officer, ticket_id=pk)
            if state not in (State.DISPATCHED, State.IN_PROGRESS):
                services.resolve_ticket(
                    actor=officer, ticket_id=pk, note="已清运", photos=[processed_photo()]
                )
        elif route == Route.REFER:
            handler = request.getfixturevalue("handler_sanitation")
            services.refer_ticket(
                actor=supervisor, ticket_id=pk, unit_id=handler.unit_id, person="陈科长"
            )
            if state != State.REFERRED:
                services.resolve_ticket(
                    actor=handler, ticket_id=pk, note="环卫已清运", photos=[processed_photo()]
                )
        else:
            services.enforce_ticket(actor=supervisor, ticket_id=pk, officer_id=officer.officer.pk)
            if state != State.ENFORCEMENT:
                services.conclude_enforcement(actor=officer, ticket_id=pk, note="责令改正，已整改")
        if state == State.CLOSED:
            services.verify_ticket(actor=supervisor, ticket_id=pk, passed=True)
        ticket = Ticket.objects.get(pk=pk)
        assert ticket.state == state, f"make_ticket cannot reach {state} by {route}"
        return ticket

    def make(state: str = State.REGISTERED, **kwargs) -> Ticket:
        ticket = walk(state, **kwargs)
        Notification.objects.filter(ticket=ticket).delete()
        return ticket

    return make
