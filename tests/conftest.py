"""The cast. Each named user's comment says what they may do; tests assert the denials too.

Places: 鼓楼区 黄楼街道 (community 320302001001, brigade 鼓楼一大队) and 泉山区 泰山街道
(community 320311010001, brigade 泉山三大队), two unit grids each, side by side.
"""

import datetime

import pytest

from accounts.models import UnitKind
from grids import locator
from tests.factories import (
    AssignmentFactory,
    BrigadeFactory,
    CommunityFactory,
    DistrictFactory,
    GridCellFactory,
    OfficerFactory,
    StreetFactory,
    UnitFactory,
    UserFactory,
    square,
)


@pytest.fixture
def gulou_brigade(db):
    return BrigadeFactory(code="gl1", name="鼓楼执法监督一大队")


@pytest.fixture
def quanshan_brigade(db):
    return BrigadeFactory(code="qs3", name="泉山执法监督三大队")


@pytest.fixture
def gulou_community(gulou_brigade):
    street = StreetFactory(district=DistrictFactory(code="320302", name="鼓楼区"), name="黄楼街道")
    community = CommunityFactory(street=street, code="001", name="黄楼社区", brigade=gulou_brigade)
    GridCellFactory(community=community, code="001", boundary=square(0, 0))
    GridCellFactory(community=community, code="002", boundary=square(1, 0))
    return community


@pytest.fixture
def taishan_community(quanshan_brigade):
    district = DistrictFactory(code="320311", name="泉山区")
    street = StreetFactory(district=district, code="320311010", name="泰山街道")
    community = CommunityFactory(
        street=street, code="320311010001", name="泰山社区", brigade=quanshan_brigade
    )
    GridCellFactory(community=community, code="001", boundary=square(0, 2))
    GridCellFactory(community=community, code="002", boundary=square(1, 2))
    return community


@pytest.fixture
def officer_gulou(gulou_community):
    """Posted to 黄楼社区 (鼓楼一大队): sees their own grids and work, nothing of 泉山."""
    officer = OfficerFactory(
        brigade=gulou_community.brigade,
        badge_number="GL1-001",
        user__username="officer_gulou",
        user__display_name="王建国",
    )
    AssignmentFactory(
        officer=officer,
        community=gulou_community,
        grid_cells=list(gulou_community.grid_cells.all()),
        weekdays="1234567",
    )
    return officer.user


@pytest.fixture
def officer_quanshan(taishan_community):
    """Posted to 泰山社区 (泉山三大队): the 鼓楼 officer's counterpart, for denials."""
    officer = OfficerFactory(
        brigade=taishan_community.brigade,
        badge_number="QS3-001",
        user__username="officer_quanshan",
        user__display_name="李秀英",
        public_phone="0516-83880001",
    )
    AssignmentFactory(
        officer=officer,
        community=taishan_community,
        grid_cells=list(taishan_community.grid_cells.all()),
        post="社区执法监督网格员",
        duties="巡查泰山社区市容环境秩序",
        weekdays="1234567",
        start_time=datetime.time(8, 30),
        end_time=datetime.time(17, 30),
    )
    return officer.user


@pytest.fixture
def supervisor_gulou(gulou_brigade):
    """Leads 鼓楼一大队: sees that brigade's communities and officers, not 泉山's."""
    return UserFactory(
        username="supervisor_gulou", unit=gulou_brigade, roles=["supervisor"], display_name="赵队长"
    )


@pytest.fixture
def command_supervisor(db):
    """Command-centre dispatcher at the bureau: sees the whole city."""
    bureau = UnitFactory(code="xzcg", name="徐州市城市管理局", kind=UnitKind.BUREAU)
    return UserFactory(username="command", unit=bureau, roles=["supervisor"])


@pytest.fixture
def handler_sanitation(db):
    """Handler at 环卫处: sees tickets referred to their unit only."""
    unit = UnitFactory(code="sanitation", name="环卫处", kind=UnitKind.DEPARTMENT)
    return UserFactory(username="handler_sanitation", unit=unit, roles=["handler"])


@pytest.fixture
def assessor(db):
    """Bureau staff: maintains places and postings, runs the monthly assessment."""
    bureau = UnitFactory(code="xzcg", name="徐州市城市管理局", kind=UnitKind.BUREAU)
    return UserFactory(username="assessor", unit=bureau, roles=["assessor"], is_staff=True)


@pytest.fixture
def resident(db):
    """A resident with an account (most file without one): no staff page is theirs."""
    return UserFactory(username="resident", roles=["resident"])


@pytest.fixture(autouse=True)
def _categories_loaded(request):
    """The category tree comes from a data migration. Tests that run in real transactions
    (browser journeys, races) empty every table when they end, and with --reuse-db the next run
    would find no categories: put them back before any test that uses the database."""
    names = set(request.fixturenames)
    if not (request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & names):
        return
    request.getfixturevalue("django_db_setup")
    blocker = request.getfixturevalue("django_db_blocker")
    from cases.categories import invalidate_choices, load_categories
    from cases.models import Category

    with blocker.unblock():
        if not Category.objects.exists():
            load_categories()
            invalidate_choices()  # the cached <select> (Redis on CI) holds the old ids


@pytest.fixture(autouse=True)
def _fresh_grid_index():
    """locate() keeps its grid index in the process; cells made inside a test transaction (or
    rolled back with it) send no signal the index can trust, so each test starts afresh."""
    locator.invalidate()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Per-IP rate limits (django-ratelimit) and cached choice lists live in the cache: each test
    starts with none, so one test's requests never count against the next."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _publishing_resumed():
    """A test that meets a dead broker pauses publishing in this process (citymgmt.queue); the
    next test starts with the broker tried again."""
    yield
    from citymgmt import queue

    queue.resume()
