"""The cast. Each named user's comment says what they may do; tests assert the denials too.

Places: 鼓楼区 黄楼街道 (community 320302001001, brigade 鼓楼一大队) and 泉山区 泰山街道
(community 320311010001, brigade 泉山三大队), two unit grids each, side by side.

Also the demo city (``demo_city``, seeded once per process), and what lets the suite run in
parallel under pytest-xdist (a Redis database per worker).
"""

import datetime
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import transaction

from accounts.models import UnitKind
from demo.management.commands.seed_demo import STEPS as DEMO_STEPS
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
    with blocker.unblock():
        _ensure_categories()


def _ensure_categories() -> None:
    from cases.categories import invalidate_choices, load_categories
    from cases.models import Category

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


# --- the demo city, seeded once per process ---------------------------------------------------
#
# Seeding the demo city takes seconds (much longer on a small machine), and several modules read
# it. It is seeded once per test process, as `seed_demo` makes it (the command's own steps), into
# a transaction that is never committed, each step in a savepoint of its own; each module that
# reads it runs in a further savepoint, rolled back when the module ends, so no module sees
# another's writes. `demo_city` is every step; `demo_casework` only the first two (the city and
# its tickets), for the module that counts exactly what those two wrote: it rolls back the later
# steps, and a later `demo_city` module seeds them again.
#
# That outer transaction must not outlive the modules that want the city: a test that expects an
# empty database (or runs in real transactions: browser journeys, workers) would see the city, or
# fail to start. So before any other test is set up, the city is rolled back
# (pytest_runtest_setup below), and seeded again if a demo-city module comes later. To make that
# rare, the demo-city modules run first, one after another, the casework first; under
# pytest-xdist (`--dist loadfile --no-loadscope-reorder`, see the Makefile) each worker takes
# them from the front of the queue, so each seeds at most once. The ordering only saves time;
# correctness does not depend on it.

_DEMO_CITY = pytest.StashKey["DemoCity"]()
DEMO_FIXTURES = {"demo_casework": "tickets", "demo_city": DEMO_STEPS[-1][0]}  # → its last step


@dataclass(frozen=True)
class SeededDemo:
    """What seeding returned: each `seed_demo` step's result and seconds, by the step's label
    ("city", "tickets", …, "assessments")."""

    results: dict[str, dict[str, Any]]
    seconds: dict[str, float]

    def __getitem__(self, label: str) -> dict[str, Any]:
        return self.results[label]


@dataclass
class _Layer:
    label: str
    atomic: Any  # the step's transaction.atomic(), entered
    result: dict[str, Any]
    seconds: float


class DemoCity:
    """The demo city in this process's test database: the `seed_demo` steps seeded so far, each
    in a transaction (the first) or savepoint of its own, still open."""

    def __init__(self, blocker) -> None:
        self._blocker = blocker
        self._layers: list[_Layer] = []

    def seed(self, through: str) -> SeededDemo:
        """The steps up to and including ``through``, and no later one."""
        labels = [label for label, _step in DEMO_STEPS]
        wanted = labels.index(through) + 1
        while len(self._layers) > wanted:
            self._pop()
        with self._blocker.unblock():
            if not self._layers:
                _ensure_categories()  # a transactional test before may have emptied the table
            for label, step in DEMO_STEPS[len(self._layers) : wanted]:
                atomic = transaction.atomic()
                atomic.__enter__()
                started = time.monotonic()
                try:
                    result = step()
                except BaseException:
                    transaction.set_rollback(True)
                    atomic.__exit__(None, None, None)
                    raise
                self._layers.append(_Layer(label, atomic, result, time.monotonic() - started))
                # The city's cells reach locate()'s index on commit, which never comes here.
                locator.invalidate()
        return SeededDemo(
            {layer.label: layer.result for layer in self._layers},
            {layer.label: layer.seconds for layer in self._layers},
        )

    def roll_back(self) -> None:
        while self._layers:
            self._pop()

    def _pop(self) -> None:
        layer = self._layers.pop()
        with self._blocker.unblock():
            transaction.set_rollback(True)
            layer.atomic.__exit__(None, None, None)
        locator.invalidate()


@pytest.fixture(scope="session")
def _demo_city_of_this_process(request, django_db_setup, django_db_blocker):
    city = DemoCity(django_db_blocker)
    request.config.stash[_DEMO_CITY] = city
    yield city
    city.roll_back()  # before django_db_setup drops the test database
    del request.config.stash[_DEMO_CITY]


def _module_savepoint(city: DemoCity, blocker, through: str) -> Iterator[SeededDemo]:
    seeded = city.seed(through)
    with blocker.unblock():
        module = transaction.atomic()
        module.__enter__()
    try:
        yield seeded
    finally:
        with blocker.unblock():
            transaction.set_rollback(True)
            module.__exit__(None, None, None)
        locator.invalidate()


@pytest.fixture(scope="module")
def demo_city(_demo_city_of_this_process, django_db_blocker) -> Iterator[SeededDemo]:
    """The demo city as `seed_demo` makes it today, shared by every module that asks for it;
    this module's writes are rolled back when it ends."""
    yield from _module_savepoint(
        _demo_city_of_this_process, django_db_blocker, DEMO_FIXTURES["demo_city"]
    )


@pytest.fixture(scope="module")
def demo_casework(_demo_city_of_this_process, django_db_blocker) -> Iterator[SeededDemo]:
    """The demo city and its tickets, as `seed_demo`'s first two steps make them today, and
    nothing of the later steps (residents' ratings, shops' offences, privacy's erasure, …)."""
    yield from _module_savepoint(
        _demo_city_of_this_process, django_db_blocker, DEMO_FIXTURES["demo_casework"]
    )


def _demo_fixture_of(item: pytest.Item) -> str | None:
    return next((name for name in DEMO_FIXTURES if name in item.fixturenames), None)


# tryfirst: before pytest-django's (stable) sort of database tests before transactional ones.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """The demo-city tests first, one module after another, the casework first (see above)."""
    order = list(DEMO_FIXTURES)
    demo = [item for item in items if _demo_fixture_of(item)]
    demo.sort(key=lambda item: order.index(_demo_fixture_of(item)))
    items[:] = demo + [item for item in items if not _demo_fixture_of(item)]


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """A test that does not ask for the demo city never sees it: roll it back before any of the
    test's fixtures (a module's own seeding, a transactional database) is set up."""
    city = item.config.stash.get(_DEMO_CITY, None)
    if city is not None and not _demo_fixture_of(item):
        city.roll_back()


# --- Redis under pytest-xdist -----------------------------------------------------------------
#
# With REDIS_URL set (CI), the cache, the rate limits and the Celery broker live in Redis. Every
# test starts by clearing the cache, which is FLUSHDB: parallel workers sharing one Redis
# database would empty each other's. Each xdist worker gets a database of its own (gw0 → n+1,
# gw1 → n+2, … after the configured n); serial runs keep the configured one. Database 13 is
# tests/bench's.

MAX_REDIS_WORKER_DB = 12


def pytest_configure(config):
    from django.conf import settings

    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not settings.REDIS_URL or not worker.startswith("gw"):
        return
    url = urlsplit(settings.REDIS_URL)
    if url.scheme == "unix":
        raise pytest.UsageError("REDIS_URL on a unix socket: run the suite without -n")
    configured = int(url.path.strip("/") or 0)
    number = configured + 1 + int(worker.removeprefix("gw"))
    if number > MAX_REDIS_WORKER_DB:
        raise pytest.UsageError(
            f"xdist worker {worker} would use Redis database {number}: run fewer workers (-n)"
        )
    _use_redis(urlunsplit(url._replace(path=f"/{number}")))


def _use_redis(url: str) -> None:
    from django.conf import settings
    from django.test import override_settings

    from citymgmt.celery import app

    caches = {"default": {**settings.CACHES["default"], "LOCATION": url}}
    # Never disabled: it holds for the whole run of this worker. Changing CACHES this way drops
    # any cache connection already made (Django's setting_changed handler).
    override_settings(
        REDIS_URL=url, CACHES=caches, CELERY_BROKER_URL=url, CELERY_RESULT_BACKEND=url
    ).enable()
    app.conf.broker_url = url
    app.conf.result_backend = url
    os.environ["REDIS_URL"] = url  # for the processes tests start
