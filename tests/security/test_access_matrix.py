"""Who may read and write what: every role × every object-bearing page and endpoint × read/write.

``ALLOWED`` below is the policy at a glance: the cells each role may use. Every other cell is
denied, and how it is denied is part of the policy too (``denial``):

- out of scope (the object is someone else's): **404**, the same answer as for an object that
  does not exist, so ids and numbers leak nothing;
- the role never uses the page at all (an officer on the supervisors' reopen-request list, a
  handler on a patrol): **403**, since that says nothing about any object;
- in scope but not theirs to do (the supervisor of a ticket pressing the officer's "start"):
  **403**, since they can already see the ticket exists;
- anonymous on a staff page: **302** to the login page; anonymous on the REST API: **401**.

Public by design (the answer is the same for everyone, logged in or not): the notice board's
officer portrait (of officers with a current posting), the Open311 request of a publicly filed
ticket, and the tracking pages, whose unguessable code *is* the credential: the resident holds
their report's code, nobody else holds one and tries a well-formed code that is no one's.

A write cell counts as allowed only when its change happened (the ticket moved, the log was
approved…), and a denied one must leave it undone. Monthly scores (issue 7) do not exist yet and
are not in the matrix.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse

from cases.models import Notification, ReopenRequest, State, Ticket, TicketEvent
from patrols.models import DailyLog, LogStatus, PatrolSession
from shops.models import FrontagePledge, Offence
from tests.security.conftest import POINT_A, World

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "resident",
    "officer_a",
    "officer_b",
    "handler_x",
    "handler_y",
    "supervisor_a",
    "command",
    "assessor",
)
NO_ONES_CODE = "K7Q2M9X4P8R3T6W5"  # well-formed, and the tracking code of no ticket

LOGIN = "login"  # a 302 to the login page
PAGE, API, PUBLIC = "page", "api", "public"


@dataclass(frozen=True)
class Cell:
    """One endpoint used one way: how to call it and, for writes, how to see it took effect."""

    name: str
    method: str
    kind: str  # PAGE (staff, session), API (REST, session), PUBLIC (no account)
    url: Callable[[World, str], str]
    data: Callable[[World], dict] = lambda w: {}
    done: Callable[[World], bool] | None = None  # writes: did the change happen?
    # Logged-in roles that pass the page's role gate; the others get a 403 (None: all pass).
    gate: tuple[str, ...] | None = None
    # Roles that see the object but may not do this to it: a 403, not a 404.
    seen: tuple[str, ...] = ()
    ok: int = 200  # the status of an allowed call
    # Acts only on the caller's own rows (mark *my* notifications read): anyone signed in gets
    # the ``ok`` answer, and nothing of anyone else's changes.
    own_rows_only: bool = False
    json: bool = False  # the body is JSON (the API's, and the patrol page's position posts)

    @property
    def mode(self) -> str:
        return "read" if self.method == "GET" else "write"


def code_of(world: World, role: str) -> str:
    return world.codes.get(role, NO_ONES_CODE)


def media_url(file: Any) -> str:
    assert file.name, "the world's file should exist"
    return f"{settings.MEDIA_URL}{file.name}"


def _ticket(world: World, name: str) -> Ticket:
    return Ticket.objects.get(pk=world.objects[name].pk)


def _events(world: World, name: str, action: str) -> bool:
    return TicketEvent.objects.filter(ticket=world.objects[name], action=action).exists()


OFFICERS = ("officer_a", "officer_b")
SUPERVISORS = ("supervisor_a", "command")
STAFF = (*OFFICERS, *SUPERVISORS, "assessor")  # shops.views.STAFF
FIELD = (*OFFICERS, *SUPERVISORS)  # officers and supervisors: patrol and shop records
SUPERVISING_A = ("supervisor_a", "command", "assessor")

CELLS = (
    # --- a ticket, its actions and its photo ---------------------------------------------------
    Cell("ticket page", "GET", PAGE, lambda w, r: w.ticket_a.get_absolute_url()),
    Cell(
        "ticket start (officer's step)",
        "POST",
        PAGE,
        lambda w, r: reverse("cases:act", args=[w.ticket_a.number, "start"]),
        lambda w: {"start-expected_state": State.DISPATCHED, "start-note": "已到现场"},
        done=lambda w: _ticket(w, "ticket_a").state == State.IN_PROGRESS,
        seen=SUPERVISING_A,
        ok=302,
    ),
    Cell(
        "referred ticket accept (unit's step)",
        "POST",
        PAGE,
        lambda w, r: reverse("cases:act", args=[w.referred_x.number, "accept"]),
        lambda w: {"accept-expected_state": State.REFERRED, "accept-note": "已签收"},
        done=lambda w: _events(w, "referred_x", "accept"),
        seen=(*SUPERVISING_A, "officer_a"),  # it lies in officer A's grids
        ok=302,
    ),
    Cell("referred ticket page", "GET", PAGE, lambda w, r: w.referred_x.get_absolute_url()),
    Cell("ticket photo", "GET", PAGE, lambda w, r: reverse("cases:photo", args=[w.photo_a.pk])),
    # --- the REST API on the same ticket -------------------------------------------------------
    Cell("api ticket", "GET", API, lambda w, r: f"/api/v1/tickets/{w.ticket_a.number}/"),
    Cell("api events", "GET", API, lambda w, r: f"/api/v1/tickets/{w.ticket_a.number}/events/"),
    Cell("api photos", "GET", API, lambda w, r: f"/api/v1/tickets/{w.ticket_a.number}/photos/"),
    Cell("api photo file", "GET", API, lambda w, r: f"/api/v1/photos/{w.photo_a.pk}/"),
    Cell(
        "api start (officer's step)",
        "POST",
        API,
        lambda w, r: f"/api/v1/tickets/{w.ticket_a.number}/start/",
        lambda w: {"note": "已到现场"},
        done=lambda w: _ticket(w, "ticket_a").state == State.IN_PROGRESS,
        seen=SUPERVISING_A,
    ),
    # --- patrols and daily logs ----------------------------------------------------------------
    Cell(
        "patrol page",
        "GET",
        PAGE,
        lambda w, r: reverse("patrols:session", args=[w.session_a.pk]),
        gate=(*OFFICERS, *SUPERVISORS, "assessor"),
    ),
    Cell("api patrol", "GET", API, lambda w, r: f"/api/v1/patrols/{w.session_a.pk}/"),
    Cell(
        "api patrol end",
        "POST",
        API,
        lambda w, r: f"/api/v1/patrols/{w.session_a.pk}/end/",
        lambda w: {"notes": "收队"},
        done=lambda w: PatrolSession.objects.get(pk=w.session_a.pk).ended_at is not None,
        gate=OFFICERS,
    ),
    Cell(
        "patrol position (page)",
        "POST",
        PAGE,
        lambda w, r: reverse("patrols:point", args=[w.session_a.pk]),
        lambda w: {"lat": POINT_A[0], "lng": POINT_A[1], "accuracy": 10},
        done=lambda w: PatrolSession.objects.get(pk=w.session_a.pk).point_count == 1,
        gate=OFFICERS,
        ok=201,
        json=True,
    ),
    Cell(
        "api patrol position",
        "POST",
        API,
        lambda w, r: f"/api/v1/patrols/{w.session_a.pk}/points/",
        lambda w: {"lat": POINT_A[0], "lng": POINT_A[1], "accuracy": 10},
        done=lambda w: PatrolSession.objects.get(pk=w.session_a.pk).point_count == 1,
        gate=OFFICERS,
        ok=201,
    ),
    Cell(
        "patrol end (page)",
        "POST",
        PAGE,
        lambda w, r: reverse("patrols:end", args=[w.session_a.pk]),
        lambda w: {"notes": "收队"},
        done=lambda w: PatrolSession.objects.get(pk=w.session_a.pk).ended_at is not None,
        gate=OFFICERS,
        ok=302,
    ),
    Cell(
        "daily log page",
        "GET",
        PAGE,
        lambda w, r: reverse("patrols:log_detail", args=[w.log_a.pk]),
        gate=(*OFFICERS, *SUPERVISORS),
    ),
    Cell(
        "daily log approve",
        "POST",
        PAGE,
        lambda w, r: reverse("patrols:log_detail", args=[w.log_a.pk]),
        lambda w: {"decision": "approve", "note": ""},
        done=lambda w: DailyLog.objects.get(pk=w.log_a.pk).status == LogStatus.APPROVED,
        gate=(*OFFICERS, *SUPERVISORS),
        seen=("officer_a",),
        ok=302,
    ),
    Cell("api daily log", "GET", API, lambda w, r: f"/api/v1/logs/{w.log_a.pk}/"),
    Cell(
        "week view",
        "GET",
        PAGE,
        lambda w, r: reverse("patrols:week", args=[w.log_a.officer_id]),
        gate=(*OFFICERS, *SUPERVISORS),
    ),
    Cell(
        "leadership patrol",
        "GET",
        PAGE,
        lambda w, r: reverse("patrols:leadership_detail", args=[w.walk_a.pk]),
        gate=SUPERVISORS,
    ),
    # --- shops (门前三包) -----------------------------------------------------------------------
    Cell(
        "merchant page",
        "GET",
        PAGE,
        lambda w, r: reverse("shops:detail", args=[w.merchant_a.pk]),
        gate=STAFF,
    ),
    Cell(
        "door card",
        "GET",
        PAGE,
        lambda w, r: reverse("shops:door_card", args=[w.merchant_a.pk]),
        gate=STAFF,
    ),
    Cell(
        "pledge sheet",
        "GET",
        PAGE,
        lambda w, r: reverse("shops:pledge_print", args=[w.pledge_a.pk]),
        gate=STAFF,
    ),
    Cell(
        "pledge new",
        "POST",
        PAGE,
        lambda w, r: reverse("shops:pledge_new", args=[w.merchant_a.pk]),
        lambda w: {
            "signed_on": "2026-11-23",
            "valid_until": "2027-11-22",
            "keeps_clean": "on",
        },
        done=lambda w: FrontagePledge.objects.filter(merchant=w.merchant_a).count() == 2,
        gate=FIELD,
        ok=302,
    ),
    Cell(
        "offence on a ticket",
        "POST",
        PAGE,
        lambda w, r: reverse("shops:record_offence", args=[w.enforcement_a.number]),
        lambda w: {"party": f"m{w.merchant_a.pk}", "step": "persuade", "note": "当面规劝"},
        done=lambda w: Offence.objects.filter(ticket=w.enforcement_a).exists(),
        seen=("assessor",),
        ok=302,
    ),
    # --- brigade B's counterparts: brigade A's supervisor is out of scope ----------------------
    Cell("B: ticket page", "GET", PAGE, lambda w, r: w.ticket_b.get_absolute_url()),
    Cell("B: api ticket", "GET", API, lambda w, r: f"/api/v1/tickets/{w.ticket_b.number}/"),
    Cell(
        "B: patrol page",
        "GET",
        PAGE,
        lambda w, r: reverse("patrols:session", args=[w.session_b.pk]),
        gate=(*OFFICERS, *SUPERVISORS, "assessor"),
    ),
    Cell("B: api daily log", "GET", API, lambda w, r: f"/api/v1/logs/{w.log_b.pk}/"),
    Cell(
        "B: daily log approve",
        "POST",
        PAGE,
        lambda w, r: reverse("patrols:log_detail", args=[w.log_b.pk]),
        lambda w: {"decision": "approve", "note": ""},
        done=lambda w: DailyLog.objects.get(pk=w.log_b.pk).status == LogStatus.APPROVED,
        gate=(*OFFICERS, *SUPERVISORS),
        seen=("officer_b",),
        ok=302,
    ),
    Cell(
        "B: week view",
        "GET",
        PAGE,
        lambda w, r: reverse("patrols:week", args=[w.log_b.officer_id]),
        gate=(*OFFICERS, *SUPERVISORS),
    ),
    Cell(
        "B: leadership patrol",
        "GET",
        PAGE,
        lambda w, r: reverse("patrols:leadership_detail", args=[w.walk_b.pk]),
        gate=SUPERVISORS,
    ),
    Cell(
        "B: merchant page",
        "GET",
        PAGE,
        lambda w, r: reverse("shops:detail", args=[w.merchant_b.pk]),
        gate=STAFF,
    ),
    # --- supervisors' answers, notifications ---------------------------------------------------
    Cell(
        "reopen request decide (brigade B's)",
        "POST",
        PAGE,
        lambda w, r: reverse("cases:decide_reopen_request", args=[w.reopen_b.pk]),
        lambda w: {f"r{w.reopen_b.pk}-decision": "decline", f"r{w.reopen_b.pk}-note": "已复查"},
        done=lambda w: ReopenRequest.objects.get(pk=w.reopen_b.pk).decided_at is not None,
        gate=SUPERVISORS,
        ok=302,
    ),
    Cell(
        "notification open",
        "GET",
        PAGE,
        lambda w, r: reverse("cases:open_notification", args=[w.notification_a.pk]),
        ok=302,
    ),
    Cell(
        "notification mark read",
        "POST",
        PAGE,
        lambda w, r: reverse("cases:mark_read"),
        lambda w: {"id": str(w.notification_a.pk)},
        done=lambda w: Notification.objects.get(pk=w.notification_a.pk).read_at is not None,
        ok=302,
        own_rows_only=True,
    ),
    Cell(
        "api notification mark read",
        "POST",
        API,
        lambda w, r: "/api/v1/notifications/read/",
        lambda w: {"ids": [w.notification_a.pk]},
        done=lambda w: Notification.objects.get(pk=w.notification_a.pk).read_at is not None,
        own_rows_only=True,
    ),
    # --- public by design ----------------------------------------------------------------------
    Cell(
        "officer portrait",
        "GET",
        PUBLIC,
        lambda w, r: reverse("grids:officer_photo", args=["GL1-001"]),
    ),
    Cell(
        "open311 request",
        "GET",
        PUBLIC,
        lambda w, r: reverse("open311:request", args=[w.ticket_a.number, "json"]),
    ),
    Cell(
        "open311 request of a patrol finding",
        "GET",
        PUBLIC,
        lambda w, r: reverse("open311:request", args=[w.finding_a.number, "json"]),
    ),
    # Uploads are never files under MEDIA_URL, whoever asks (no route serves MEDIA_ROOT).
    Cell("photo by its media url", "GET", PUBLIC, lambda w, r: media_url(w.photo_a.image)),
    Cell("portrait by its media url", "GET", PUBLIC, lambda w, r: media_url(w.portrait)),
    Cell("track page", "GET", PUBLIC, lambda w, r: reverse("cases:track", args=[code_of(w, r)])),
    Cell(
        "track photo",
        "GET",
        PUBLIC,
        lambda w, r: reverse("cases:track_photo", args=[code_of(w, r), w.mine_photo.pk, "full"]),
    ),
    Cell(
        "track photo of another's ticket",
        "GET",
        PUBLIC,
        lambda w, r: reverse("cases:track_photo", args=[code_of(w, r), w.photo_a.pk, "full"]),
    ),
    Cell(
        "rating",
        "POST",
        PUBLIC,
        lambda w, r: reverse("cases:rate", args=[code_of(w, r)]),
        lambda w: {"satisfaction": "5", "comment": "很快"},
        done=lambda w: _ticket(w, "mine").satisfaction == 5,
        ok=302,
    ),
)

EVERYONE = {*ROLES}
PUBLIC_CELLS = {"officer portrait", "open311 request"}
RESIDENT_CELLS = {"track page", "track photo", "rating"}

# The policy: the cells each role may use (a GET cell is a read, a POST cell a write); every
# cell not listed for a role is denied to it, as ``denial`` says.
ALLOWED: dict[str, set[str]] = {
    "anonymous": {*PUBLIC_CELLS},
    "resident": {*PUBLIC_CELLS, *RESIDENT_CELLS},
    "officer_a": {
        *PUBLIC_CELLS,
        # their ticket: read it, start it, its photo, through the pages and the API
        "ticket page",
        "ticket start (officer's step)",
        "ticket photo",
        "api ticket",
        "api events",
        "api photos",
        "api photo file",
        "api start (officer's step)",
        # the referred ticket lies in their grids: they see it (not accept it)
        "referred ticket page",
        # their patrol and log; their week
        "patrol page",
        "api patrol",
        "api patrol end",
        "patrol position (page)",
        "api patrol position",
        "patrol end (page)",
        "daily log page",
        "api daily log",
        "week view",
        # shops of their grids, and the ladder on their enforcement case
        "merchant page",
        "door card",
        "pledge sheet",
        "pledge new",
        "offence on a ticket",
        # their own notification
        "notification open",
        "notification mark read",
        "api notification mark read",
    },
    "officer_b": {
        *PUBLIC_CELLS,
        "B: ticket page",
        "B: api ticket",
        "B: patrol page",
        "B: api daily log",
        "B: week view",
        "B: merchant page",
    },
    # a handler sees only what was referred to their unit, and takes the unit's steps on it
    "handler_x": {
        *PUBLIC_CELLS,
        "referred ticket page",
        "referred ticket accept (unit's step)",
    },
    "handler_y": {*PUBLIC_CELLS},
    "supervisor_a": {
        *PUBLIC_CELLS,
        "ticket page",
        "referred ticket page",
        "ticket photo",
        "api ticket",
        "api events",
        "api photos",
        "api photo file",
        "patrol page",
        "api patrol",
        "daily log page",
        "daily log approve",
        "api daily log",
        "week view",
        "leadership patrol",
        "merchant page",
        "door card",
        "pledge sheet",
        "pledge new",
        "offence on a ticket",
    },
    "command": {
        *PUBLIC_CELLS,
        "ticket page",
        "referred ticket page",
        "ticket photo",
        "api ticket",
        "api events",
        "api photos",
        "api photo file",
        "patrol page",
        "api patrol",
        "daily log page",
        "daily log approve",
        "api daily log",
        "week view",
        "leadership patrol",
        "merchant page",
        "door card",
        "pledge sheet",
        "pledge new",
        "offence on a ticket",
        "reopen request decide (brigade B's)",
        "B: ticket page",
        "B: api ticket",
        "B: patrol page",
        "B: api daily log",
        "B: daily log approve",
        "B: week view",
        "B: leadership patrol",
        "B: merchant page",
    },
    "assessor": {
        *PUBLIC_CELLS,
        "ticket page",
        "referred ticket page",
        "ticket photo",
        "api ticket",
        "api events",
        "api photos",
        "api photo file",
        "patrol page",
        "api patrol",
        "api daily log",
        "merchant page",
        "door card",
        "pledge sheet",
        "B: ticket page",
        "B: api ticket",
        "B: patrol page",
        "B: api daily log",
        "B: merchant page",
    },
}

# A misspelt cell in the table would pass silently as "denied": the table names cells that exist.
assert len({c.name for c in CELLS}) == len(CELLS), "cell names are unique"
assert set().union(*ALLOWED.values()) <= {c.name for c in CELLS}, "ALLOWED names known cells"
assert set(ALLOWED) == set(ROLES)


def denial(cell: Cell, role: str) -> int | str:
    """How ``role`` is refused ``cell`` (see the module's docstring)."""
    if cell.kind == PUBLIC:
        return 404
    if role in ("anonymous", "resident"):
        return LOGIN if cell.kind == PAGE else 401
    if cell.own_rows_only:
        return cell.ok
    if cell.gate is not None and role not in cell.gate:
        return 403
    if role in cell.seen:
        return 403
    return 404


def client_for(world: World, role: str) -> Client:
    client = Client()
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    return client


def call(client: Client, cell: Cell, world: World, role: str) -> Any:
    url = cell.url(world, role)
    if cell.method == "GET":
        return client.get(url)
    if cell.kind == API or cell.json:
        return client.post(url, cell.data(world), content_type="application/json")
    return client.post(url, cell.data(world))


def outcome(response: Any) -> int | str:
    if response.status_code == 302 and response["Location"].startswith(
        resolve_url(settings.LOGIN_URL)
    ):
        return LOGIN
    return response.status_code


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("cell", CELLS, ids=lambda c: f"{c.name} [{c.mode}]")
def test_each_role_reaches_exactly_its_cells(world: World, cell: Cell, role: str) -> None:
    allowed = cell.name in ALLOWED[role]
    response = call(client_for(world, role), cell, world, role)
    expected = cell.ok if allowed else denial(cell, role)
    assert outcome(response) == expected, f"{role} → {cell.name}"
    if cell.done is not None:
        assert cell.done(world) is allowed, f"{role} → {cell.name}: change {allowed=}"
