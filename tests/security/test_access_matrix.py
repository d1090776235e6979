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

Lists are cells too ("queue: ticket A"): allowed means the role's list shows the world's
object, and a role let into the list that may not see the object gets the list without it
(``HIDDEN``), so a selector that forgets its scope fails here. Every workflow step has a cell
through the API (``api:ticket_<action>``) and through the ticket page, on a ticket in the state
the step starts from. ``test_every_route_is_in_the_matrix`` walks the URL resolver: a route
with a parameter, or under /api/v1/, /cases/, /patrols/, /shops/, /open311/ or /track/, needs a
cell or a line in ``NOT_OBJECT_BEARING`` saying why it bears no one's object.

A write cell counts as allowed only when its change happened (the ticket moved, the log was
approved…), and a denied one must leave it undone. Monthly scores (issue 7) are in
``ASSESSMENT_CELLS``.
"""

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import Resolver404, URLResolver, get_resolver, resolve, reverse
from openpyxl import load_workbook

from accounts.models import User
from assessments.models import Run, RunStatus
from cases.models import PhotoUpload, ReopenRequest, State, Ticket, TicketEvent
from messaging.models import ReporterContact
from notifications.models import Notification
from patrols.models import DailyLog, LogStatus, PatrolSession
from privacy.models import ErasedContact
from shops.models import FrontagePledge, Offence, VolunteerAct
from tests.factories import jpeg_bytes
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
SHOWN, HIDDEN = "shown", "hidden"  # a list with / without the world's object
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
    # Lists: does the (200) answer show the world's object? Allowed means it does; a role that
    # is let in but may not see the object gets the list without it (``HIDDEN``), not a 404.
    shows: Callable[[World, Any], bool] | None = None
    photo: str = ""  # writes: the form field that carries one photo (a multipart post)
    role_data: Callable[[World, str], dict] | None = None  # data that depends on who posts
    refused: int | str | None = None  # how every denied role is refused, when it is one way

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


def _stepped(world: World, name: str, state: str | None) -> bool:
    """The step was taken: it wrote an event on the ticket (and moved it to ``state``)."""
    ticket = _ticket(world, name)
    wrote = TicketEvent.objects.filter(ticket=ticket, pk__gt=world.last_event_id).exists()
    return wrote and (state is None or ticket.state == state)


def _links(url: Callable[[World], str]) -> Callable[[World, Any], bool]:
    """An HTML list shows the object when it links to its page."""
    return lambda w, response: f'href="{url(w)}' in response.content.decode()


def _api_has(key: str, value: Callable[[World], Any]) -> Callable[[World, Any], bool]:
    """A REST list (paginated or not) shows the object when a row has its ``key``."""

    def shows(w: World, response: Any) -> bool:
        body = response.json()
        rows = body["results"] if isinstance(body, dict) else body
        return any(row.get(key) == value(w) for row in rows)

    return shows


def _export_has(number: Callable[[World], str]) -> Callable[[World, Any], bool]:
    """A queue export (CSV or workbook) shows the ticket when a row holds its number."""

    def shows(w: World, response: Any) -> bool:
        body = b"".join(response.streaming_content)
        if response["Content-Type"].startswith("text/csv"):
            return number(w) in body.decode("utf-8")
        sheet = load_workbook(io.BytesIO(body), read_only=True).active
        return any(row[0] == number(w) for row in sheet.iter_rows(values_only=True))

    return shows


# The workflow steps, each on a brigade-A ticket in the state it starts from: (action, ticket,
# form data, the state it moves to, or None when it records without moving). ``start`` is the
# cells above. One API cell and one ticket-page cell each.
STEPS: tuple[tuple[str, str, Callable[[World], dict], str | None], ...] = (
    ("register", "reported_a", lambda w: {"priority": "normal", "note": "情况属实"}, "registered"),
    ("reject", "reported_a", lambda w: {"reason": "invalid", "note": "现场无此问题"}, "rejected"),
    (
        "dispatch",
        "registered_a",
        lambda w: {"officer": w.users["officer_a"].officer.pk, "note": ""},
        "dispatched",
    ),
    (
        "refer",
        "registered_a",
        lambda w: {"unit": w.users["handler_x"].unit_id, "person": "陈科长", "note": ""},
        "referred",
    ),
    (
        "enforce",
        "registered_a",
        lambda w: {"officer": w.users["officer_a"].officer.pk, "note": ""},
        "enforcement",
    ),
    ("accept", "referred_x", lambda w: {"note": "已签收"}, None),
    ("return", "ticket_a", lambda w: {"reason": "不属于本网格"}, None),
    ("resolve", "in_progress_a", lambda w: {"note": "已清运"}, "resolved"),
    ("extend", "in_progress_a", lambda w: {"extra_hours": 4, "reason": "需协调车辆"}, None),
    ("decide_extension", "extension_a", lambda w: {"decision": "approve", "note": ""}, None),
    ("conclude", "enforcement_a", lambda w: {"note": "责令改正，已整改"}, None),
    ("verify", "resolved_a", lambda w: {"result": "pass", "note": ""}, "closed"),
    (
        "field_check_send",
        "resolved_a",
        lambda w: {"officer": w.users["officer_a"].officer.pk, "note": ""},
        None,
    ),
    (
        "field_check",
        "checking_a",
        lambda w: {"result": "pass", "note": "", "lat": POINT_A[0], "lng": POINT_A[1]},
        "closed",
    ),
    ("reopen", "mine", lambda w: {"reason": "居民反映问题复现"}, None),
)


def _step_cells() -> tuple[Cell, ...]:
    cells = []
    # Everyone who sees brigade A's tickets: a step not theirs is a 403; to the rest, a 404.
    seen = ("officer_a", "supervisor_a", "command", "assessor")
    for action, name, data, state in STEPS:
        # resolve needs a photo; conclude's is optional, but its endpoint takes multipart only
        photo = "photos" if action in ("resolve", "conclude", "field_check") else ""

        def done(w: World, name: str = name, state: str | None = state) -> bool:
            return _stepped(w, name, state)

        def api_data(w: World, name: str = name, data: Callable = data) -> dict:
            return {"expected_state": w.objects[name].state, **data(w)}

        def page_data(w: World, name: str = name, data: Callable = data, a: str = action) -> dict:
            return {f"{a}-{k}": v for k, v in api_data(w, name, data).items()}

        cells.append(
            Cell(
                f"api:ticket_{action}",
                "POST",
                API,
                lambda w, r, name=name, a=action: f"/api/v1/tickets/{w.objects[name].number}/{a}/",
                api_data,
                done=done,
                seen=seen,
                photo=photo,
            )
        )
        cells.append(
            Cell(
                f"step {action} (page)",
                "POST",
                PAGE,
                lambda w, r, name=name, a=action: reverse(
                    "cases:act", args=[w.objects[name].number, a]
                ),
                page_data,
                done=done,
                seen=seen,
                ok=302,
                photo=f"{action}-photos" if photo else "",
            )
        )
    return tuple(cells)


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
        "api dispatch officers",
        "GET",
        API,
        lambda w, r: f"/api/v1/tickets/{w.ticket_a.number}/officers/",
        seen=("officer_a", "assessor"),  # they see the ticket, but do not dispatch it
    ),
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
    Cell("api upload", "GET", API, lambda w, r: f"/api/v1/uploads/{w.upload_a.pk}/"),
    Cell(
        "api upload complete",
        "POST",
        API,
        lambda w, r: f"/api/v1/uploads/{w.upload_a.pk}/complete/",
        done=lambda w: PhotoUpload.objects.get(pk=w.upload_a.pk).completed_at is not None,
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
        lambda w, r: reverse("residents:decide_reopen_request", args=[w.reopen_b.pk]),
        lambda w: {f"r{w.reopen_b.pk}-decision": "decline", f"r{w.reopen_b.pk}-note": "已复查"},
        done=lambda w: ReopenRequest.objects.get(pk=w.reopen_b.pk).decided_at is not None,
        gate=SUPERVISORS,
        ok=302,
    ),
    Cell(
        "notification open",
        "GET",
        PAGE,
        lambda w, r: reverse("notifications:open_notification", args=[w.notification_a.pk]),
        ok=302,
    ),
    Cell(
        "notification mark read",
        "POST",
        PAGE,
        lambda w, r: reverse("notifications:mark_read"),
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
    Cell(
        "track page", "GET", PUBLIC, lambda w, r: reverse("residents:track", args=[code_of(w, r)])
    ),
    Cell(
        "track photo",
        "GET",
        PUBLIC,
        lambda w, r: reverse(
            "residents:track_photo", args=[code_of(w, r), w.mine_photo.pk, "full"]
        ),
    ),
    Cell(
        "track photo of another's ticket",
        "GET",
        PUBLIC,
        lambda w, r: reverse("residents:track_photo", args=[code_of(w, r), w.photo_a.pk, "full"]),
    ),
    Cell(
        "rating",
        "POST",
        PUBLIC,
        lambda w, r: reverse("residents:rate", args=[code_of(w, r)]),
        lambda w: {"satisfaction": "5", "comment": "很快"},
        done=lambda w: _ticket(w, "mine").satisfaction == 5,
        ok=302,
    ),
    Cell(
        "short tracking link",
        "GET",
        PUBLIC,
        lambda w, r: reverse("messaging:short_link", args=[code_of(w, r)]),
        ok=302,
    ),
    Cell(
        "stop the updates",
        "POST",
        PUBLIC,
        lambda w, r: reverse("messaging:set_updates", args=[code_of(w, r)]),
        lambda w: {"stop": "1"},
        done=lambda w: ReporterContact.objects.filter(
            ticket=w.objects["mine"], updates_stopped_at__isnull=False
        ).exists(),
        ok=302,
    ),
)

# The pages and endpoints the first table missed: other sizes and prints of the same objects,
# the public faces, one's own settings, the supervisors' overview, the admin.
MORE_CELLS = (
    Cell(
        "ticket photo thumbnail",
        "GET",
        PAGE,
        lambda w, r: reverse("cases:photo_size", args=[w.photo_a.pk, "thumb"]),
    ),
    Cell(
        "leadership patrol print",
        "GET",
        PAGE,
        lambda w, r: reverse("patrols:leadership_print", args=[w.walk_a.pk]),
        gate=SUPERVISORS,
    ),
    Cell(
        "door card QR png",
        "GET",
        PAGE,
        lambda w, r: reverse("shops:door_card_png", args=[w.merchant_a.pk]),
        gate=STAFF,
    ),
    Cell(
        "pledge scan",
        "GET",
        PAGE,
        lambda w, r: reverse("shops:pledge_scan", args=[w.pledge_a.pk]),
        gate=STAFF,
    ),
    Cell(
        "pledge scan thumbnail",
        "GET",
        PAGE,
        lambda w, r: reverse("shops:pledge_scan_size", args=[w.pledge_a.pk, "thumb"]),
        gate=STAFF,
    ),
    Cell(
        "volunteer act new",
        "POST",
        PAGE,
        lambda w, r: reverse("shops:volunteer_new", args=[w.merchant_a.pk]),
        lambda w: {"done_on": "2026-11-23", "description": "参加社区清雪"},
        done=lambda w: VolunteerAct.objects.filter(merchant=w.merchant_a).exists(),
        gate=FIELD,
        ok=302,
    ),
    Cell(
        "operations overview",
        "GET",
        PAGE,
        lambda w, r: reverse("ops:operations"),
        gate=(*SUPERVISORS, "assessor"),
        seen=("supervisor_a",),  # a brigade's leader passes the role gate, not the city's
    ),
    Cell(
        "notification settings",
        "GET",
        PAGE,
        lambda w, r: reverse("notifications:notification_settings"),
        gate=(*OFFICERS, "handler_x", "handler_y", *SUPERVISORS, "assessor"),
    ),
    Cell(
        "notification settings save",
        "POST",
        PAGE,
        lambda w, r: reverse("notifications:notification_settings"),
        lambda w: {"email": "wang.jianguo@example.cn", "email_notifications": "on"},
        # Only one's own: officer A's address changes only when officer A saves it.
        done=lambda w: (
            User.objects.get(pk=w.users["officer_a"].pk).email == "wang.jianguo@example.cn"
        ),
        own_rows_only=True,
        ok=302,
    ),
    # The admin is for superusers only (none in the matrix): everyone is sent to log in.
    Cell("admin ticket list", "GET", PAGE, lambda w, r: "/admin/cases/ticket/", refused=LOGIN),
    Cell("shop public page", "GET", PUBLIC, lambda w, r: w.merchant_a.get_public_url()),
    Cell(
        "report filed",
        "GET",
        PUBLIC,
        lambda w, r: reverse("residents:report_filed", args=[code_of(w, r)]),
    ),
    Cell(
        "open311 token",
        "GET",
        PUBLIC,
        lambda w, r: reverse("open311:token", kwargs={"token": code_of(w, r), "fmt": "json"}),
    ),
    # The same answer for every code and number (no oracle), so ``own_rows_only``: only the
    # resident's own code and phone blank the contact on their report.
    Cell(
        "erase contact",
        "POST",
        PUBLIC,
        lambda w, r: reverse("privacy:erase"),
        role_data=lambda w, r: {"code": code_of(w, r), "phone": "13812345678", "confirm": "on"},
        done=lambda w: (
            _ticket(w, "mine").reporter_phone == ""
            and ErasedContact.objects.filter(ticket=w.mine).exists()
        ),
        own_rows_only=True,
        ok=302,
    ),
    Cell(
        "bulk register",
        "POST",
        PAGE,
        lambda w, r: reverse("cases:bulk"),
        lambda w: {"action": "register", "tickets": [w.reported_a.pk]},
        done=lambda w: _ticket(w, "reported_a").state == State.REGISTERED,
        gate=SUPERVISORS,
        own_rows_only=True,  # back to the queue whatever was ticked; only one's own tickets move
        ok=302,
    ),
    Cell(
        "log of a day (own)",
        "GET",
        PAGE,
        lambda w, r: reverse("patrols:log_day", args=[w.log_a.date.isoformat()]),
        shows=lambda w, response: "巡查本社区两个网格" in response.content.decode(),
        gate=OFFICERS,
    ),
    Cell(
        "reopen requests: brigade B's",
        "GET",
        PAGE,
        lambda w, r: reverse("residents:reopen_requests"),
        shows=_links(lambda w: w.reopen_b.ticket.get_absolute_url()),
        gate=SUPERVISORS,
    ),
    Cell(
        "leadership patrols: walk A",
        "GET",
        PAGE,
        lambda w, r: reverse("patrols:leadership_list"),
        shows=_links(lambda w: reverse("patrols:leadership_detail", args=[w.walk_a.pk])),
        gate=SUPERVISORS,
    ),
    Cell(
        "community grids (staff map)",
        "GET",
        PAGE,
        lambda w, r: reverse("cases:community_cells", args=[w.a.pk]),
    ),
    Cell(
        "community grids (report map)",
        "GET",
        PUBLIC,
        lambda w, r: reverse("residents:report_cells", args=[w.a.pk]),
    ),
    Cell(
        "community notice board",
        "GET",
        PUBLIC,
        lambda w, r: reverse("grids:community_board", args=[w.a.code]),
    ),
    Cell(
        "community month",
        "GET",
        PUBLIC,
        lambda w, r: reverse("residents:community_month", args=[w.a.code]),
    ),
    Cell(
        "community board QR",
        "GET",
        PUBLIC,
        lambda w, r: reverse("grids:community_qr", args=[w.a.code]),
    ),
    Cell(
        "officer contact card",
        "GET",
        PUBLIC,
        lambda w, r: reverse("grids:contact_card", args=["GL1-001"]),
    ),
    Cell(
        "open311 requests: ticket A",
        "GET",
        PUBLIC,
        lambda w, r: reverse("open311:requests", kwargs={"fmt": "json"}),
        shows=lambda w, response: w.ticket_a.number in response.content.decode(),
    ),
    Cell(
        "open311 requests: patrol finding",
        "GET",
        PUBLIC,
        lambda w, r: reverse("open311:requests", kwargs={"fmt": "json"}),
        shows=lambda w, response: w.finding_a.number in response.content.decode(),
    ),
    # --- lists: does each role's list show the world's object? -------------------------------
    Cell(
        "queue: ticket A",
        "GET",
        PAGE,
        lambda w, r: reverse("cases:queue"),
        shows=_links(lambda w: w.ticket_a.get_absolute_url()),
        gate=SUPERVISORS,
    ),
    Cell(
        "queue: ticket B",
        "GET",
        PAGE,
        lambda w, r: reverse("cases:queue"),
        shows=_links(lambda w: w.ticket_b.get_absolute_url()),
        gate=SUPERVISORS,
    ),
    Cell(
        "unit queue: referred ticket",
        "GET",
        PAGE,
        lambda w, r: reverse("cases:unit_queue"),
        shows=_links(lambda w: w.referred_x.get_absolute_url()),
        gate=("handler_x", "handler_y"),
    ),
    Cell(
        "my tasks: ticket A",
        "GET",
        PAGE,
        lambda w, r: reverse("cases:my_tasks"),
        shows=_links(lambda w: w.ticket_a.get_absolute_url()),
        gate=OFFICERS,
    ),
    Cell(
        "log review queue: log A",
        "GET",
        PAGE,
        lambda w, r: reverse("patrols:review_queue"),
        shows=_links(lambda w: reverse("patrols:log_detail", args=[w.log_a.pk])),
        gate=SUPERVISORS,
    ),
    Cell(
        "log review queue: log B",
        "GET",
        PAGE,
        lambda w, r: reverse("patrols:review_queue"),
        shows=_links(lambda w: reverse("patrols:log_detail", args=[w.log_b.pk])),
        gate=SUPERVISORS,
    ),
    Cell(
        "duty board: officer A",
        "GET",
        PAGE,
        lambda w, r: reverse("patrols:today"),
        shows=_links(lambda w: reverse("patrols:week", args=[w.log_a.officer_id])),
        gate=SUPERVISORS,
    ),
    Cell(
        "inbox: notification",
        "GET",
        PAGE,
        lambda w, r: reverse("notifications:inbox"),
        shows=_links(
            lambda w: reverse("notifications:open_notification", args=[w.notification_a.pk])
        ),
    ),
    Cell(
        "shop list: merchant A",
        "GET",
        PAGE,
        lambda w, r: reverse("shops:list"),
        shows=_links(lambda w: reverse("shops:detail", args=[w.merchant_a.pk])),
        gate=STAFF,
    ),
    Cell(
        "shop list: merchant B",
        "GET",
        PAGE,
        lambda w, r: reverse("shops:list"),
        shows=_links(lambda w: reverse("shops:detail", args=[w.merchant_b.pk])),
        gate=STAFF,
    ),
    Cell(
        "api list: ticket A",
        "GET",
        API,
        lambda w, r: "/api/v1/tickets/?page_size=100",
        shows=_api_has("number", lambda w: w.ticket_a.number),
    ),
    Cell(
        "api list: ticket B",
        "GET",
        API,
        lambda w, r: "/api/v1/tickets/?page_size=100",
        shows=_api_has("number", lambda w: w.ticket_b.number),
    ),
    # The queue's exports (issue 23): what the queue and the API list show, as files.
    *[
        Cell(
            f"{list_name} {fmt}: ticket {x}",
            "GET",
            kind,
            lambda w, r, url=url, fmt=fmt: f"{reverse(url + fmt)}?status=all",
            shows=_export_has(lambda w, x=x: getattr(w, f"ticket_{x.lower()}").number),
            gate=SUPERVISORS if kind == PAGE else None,
        )
        for list_name, url, kind in (
            ("queue export", "cases:export_", PAGE),
            ("api export", "api:tickets_export_", API),
        )
        for fmt in ("csv", "xlsx")
        for x in "AB"
    ],
    Cell(
        "api list: patrol A",
        "GET",
        API,
        lambda w, r: "/api/v1/patrols/",
        shows=_api_has("id", lambda w: w.session_a.pk),
    ),
    Cell(
        "api list: log A",
        "GET",
        API,
        lambda w, r: "/api/v1/logs/",
        shows=_api_has("id", lambda w: w.log_a.pk),
    ),
    Cell(
        "api list: notification",
        "GET",
        API,
        lambda w, r: "/api/v1/notifications/",
        shows=_api_has("id", lambda w: w.notification_a.pk),
    ),
)


def _survey_url(name: str) -> Callable[[World, str], str]:
    return lambda w, r: reverse(name, args=[w.survey.pk, w.brigade_a.pk])


# The surveys (调查表): assessors keep them; the one-time link is public, its token the key.
SURVEY_CELLS = (
    Cell("survey list", "GET", PAGE, lambda w, r: reverse("surveys:list"), gate=("assessor",)),
    Cell("survey new", "GET", PAGE, lambda w, r: reverse("surveys:create"), gate=("assessor",)),
    Cell(
        "survey create",
        "POST",
        PAGE,
        lambda w, r: reverse("surveys:create"),
        lambda w: {
            "month": "2026-10",
            "title": "矩阵调查",
            "questions": "巡查是否到位",
            "closes_at": "2026-11-30T18:00",
        },
        done=lambda w: _survey_exists("矩阵调查"),
        gate=("assessor",),
        ok=302,
    ),
    Cell(
        "survey detail",
        "GET",
        PAGE,
        lambda w, r: reverse("surveys:detail", args=[w.survey.pk]),
        gate=("assessor",),
    ),
    Cell("survey brigade links", "GET", PAGE, _survey_url("surveys:brigade"), gate=("assessor",)),
    Cell(
        "survey issue links",
        "POST",
        PAGE,
        _survey_url("surveys:brigade"),
        lambda w: {"other_name": "黄楼街道城管科"},
        done=lambda w: w.survey.links.filter(respondent_name="黄楼街道城管科").exists(),
        gate=("assessor",),
        ok=302,
    ),
    Cell("survey print sheet", "GET", PAGE, _survey_url("surveys:print"), gate=("assessor",)),
    Cell(
        "survey answer page",
        "GET",
        PUBLIC,
        lambda w, r: reverse("surveys:answer", args=[w.survey_link_a.token]),
    ),
    Cell(
        "survey answer",
        "POST",
        PUBLIC,
        lambda w, r: reverse("surveys:answer", args=[w.survey_link_a.token]),
        lambda w: {"q0": "5", "q1": "4"},
        done=lambda w: hasattr(
            type(w.survey_link_a).objects.get(pk=w.survey_link_a.pk), "response"
        ),
        ok=302,
    ),
)


def _survey_exists(title: str) -> bool:
    from assessments.models import Survey

    return Survey.objects.filter(title=title).exists()


# The monthly assessment (issue 7): October published (officer A's and B's scores, both
# brigades', unit X's), September computed and not published. Pages and exports scope as
# ``assessments.selectors`` says; a kind a role has no row in is a 403.
DRILL_DOWN = {"assessment officer A's tickets"}
ASSESSED = (*OFFICERS, "handler_x", "handler_y", *SUPERVISORS, "assessor")
OCTOBER, SEPTEMBER = {"month": "2026-10"}, {"month": "2026-09"}


def _officer_score_page(w: World) -> str:
    return reverse("assessments:officer", kwargs={**OCTOBER, "badge": "GL1-001"})


ASSESSMENT_CELLS = (
    Cell(
        "assessment month",
        "GET",
        PAGE,
        lambda w, r: reverse("assessments:month", kwargs=OCTOBER),
        gate=ASSESSED,
    ),
    Cell(
        "assessment ranking: officer A",
        "GET",
        PAGE,
        lambda w, r: reverse("assessments:ranking", kwargs={**OCTOBER, "kind": "officer"}),
        gate=(*OFFICERS, *SUPERVISORS, "assessor"),
        shows=_links(_officer_score_page),
    ),
    Cell("assessment officer A", "GET", PAGE, lambda w, r: _officer_score_page(w)),
    Cell(
        "assessment officer A's tickets",
        "GET",
        PAGE,
        lambda w, r: reverse(
            "assessments:officer_tickets",
            kwargs={**OCTOBER, "badge": "GL1-001", "code": "on_time", "part": "den"},
        ),
    ),
    Cell(
        "assessment brigade A",
        "GET",
        PAGE,
        lambda w, r: reverse("assessments:brigade", kwargs={**OCTOBER, "code": "gl1"}),
    ),
    Cell(
        "assessment draft progress",
        "GET",
        PAGE,
        lambda w, r: reverse("assessments:progress", kwargs={"run_id": w.run_draft.pk}),
        gate=ASSESSED,
    ),
    Cell(
        "assessment export xlsx",
        "GET",
        PAGE,
        lambda w, r: reverse("assessments:export_xlsx", kwargs=OCTOBER),
        gate=(*SUPERVISORS, "assessor"),
    ),
    Cell(
        "assessment export csv",
        "GET",
        PAGE,
        lambda w, r: reverse("assessments:export_csv", kwargs=OCTOBER) + "?kind=officer",
        gate=(*SUPERVISORS, "assessor"),
    ),
    Cell(
        "assessment draft re-run",
        "POST",
        PAGE,
        lambda w, r: reverse("assessments:start", kwargs=SEPTEMBER),
        done=lambda w: Run.objects.get(pk=w.run_draft.pk).status == RunStatus.QUEUED,
        gate=("assessor",),
        ok=302,
    ),
    Cell(
        "assessment draft publish",
        "POST",
        PAGE,
        lambda w, r: reverse("assessments:publish", kwargs=SEPTEMBER),
        lambda w: {"run": w.run_draft.pk},
        done=lambda w: Run.objects.get(pk=w.run_draft.pk).published,
        gate=("assessor",),
        ok=302,
    ),
    Cell(
        "api assessment runs: draft",
        "GET",
        API,
        lambda w, r: "/api/v1/assessments/runs/",
        shows=_api_has("id", lambda w: w.run_draft.pk),
    ),
    Cell(
        "api assessment scores: officer A",
        "GET",
        API,
        lambda w, r: f"/api/v1/assessments/runs/{w.run_published.pk}/scores/?kind=officer",
        shows=_api_has("id", lambda w: w.score_officer_a.pk),
    ),
)


def _placed(w: World) -> bool:
    return _events(w, "unplaced", "place")


def _place_data(w: World) -> dict:
    return {
        "expected_state": "reported",
        "community": w.a.pk,
        "category": w.ticket_a.category_id,
    }


def _hotline_call(kind: str, data: dict) -> Cell:
    # The platform's, signed with the shared secret: no user's login counts (a 401 to all).
    action = {"urge": "hotline_urge", "callback": "hotline_callback", "cancel": "withdraw"}[kind]
    return Cell(
        f"12345 {kind}",
        "POST",
        API,
        lambda w, r, kind=kind: f"/api/v1/hotline/orders/{w.hotline_a.external_id}/{kind}/",
        lambda w, data=data: data,
        done=lambda w, action=action: _events(w, "hotline_a", action),
        refused=401,
    )


# The 12345 connector (issue 21): the command centre places what landed on no brigade; the
# platform's endpoints take its signature only; the photo links it is sent serve hotline
# tickets' photos only; its admin pages are the admin's.
HOTLINE_CELLS = (
    Cell(
        "api:ticket_place",
        "POST",
        API,
        lambda w, r: f"/api/v1/tickets/{w.unplaced.number}/place/",
        _place_data,
        done=_placed,
        seen=("command", "assessor"),
    ),
    Cell(
        "step place (page)",
        "POST",
        PAGE,
        lambda w, r: reverse("cases:act", args=[w.unplaced.number, "place"]),
        lambda w: {f"place-{k}": v for k, v in _place_data(w).items()},
        done=_placed,
        seen=("command", "assessor"),
        ok=302,
    ),
    Cell(
        "12345 order push",
        "POST",
        API,
        lambda w, r: "/api/v1/hotline/orders/",
        lambda w: {"order_id": "GD-NEW", "content": "来电", "category_code": "0301"},
        done=lambda w: Ticket.objects.filter(external_id="GD-NEW").exists(),
        refused=401,
    ),
    _hotline_call("urge", {"text": "催办"}),
    _hotline_call("callback", {"satisfied": False, "text": "不满意"}),
    _hotline_call("cancel", {"text": "撤单"}),
    Cell(
        "12345 photo link: not a hotline ticket's photo",
        "GET",
        PUBLIC,
        lambda w, r: reverse("hotline:photo", args=[_signed_photo(w.photo_a.pk)]),
    ),
    Cell(
        "admin 12345 category mappings",
        "GET",
        PAGE,
        lambda w, r: "/admin/hotline/categorymapping/",
        refused=LOGIN,
    ),
    Cell(
        "admin 12345 orders",
        "GET",
        PAGE,
        lambda w, r: "/admin/hotline/hotlineorder/",
        refused=LOGIN,
    ),
    Cell(
        "admin reply templates",
        "GET",
        PAGE,
        lambda w, r: "/admin/cases/replytemplate/",
        refused=LOGIN,
    ),
    # Webhook endpoints hold signing secrets and may be trusted with residents' contacts, and
    # the outbox log shows every number and address messages went to: the admin's alone.
    Cell(
        "admin webhook endpoints",
        "GET",
        PAGE,
        lambda w, r: "/admin/webhooks/endpoint/",
        refused=LOGIN,
    ),
    Cell(
        "admin outbox log",
        "GET",
        PAGE,
        lambda w, r: "/admin/outbox/message/",
        refused=LOGIN,
    ),
)


def _signed_photo(pk: int) -> str:
    from django.core import signing

    from hotline.photos import SALT

    return signing.TimestampSigner(salt=SALT).sign(str(pk))


CELLS = (
    *CELLS, *MORE_CELLS, *ASSESSMENT_CELLS, *_step_cells(), *SURVEY_CELLS, *HOTLINE_CELLS
)  # fmt: skip

EVERYONE = {*ROLES}
PUBLIC_CELLS = {
    "officer portrait",
    "open311 request",
    "shop public page",
    "community grids (report map)",
    "community notice board",
    "community month",
    "community board QR",
    "officer contact card",
    "open311 requests: ticket A",
    "survey answer page",
    "survey answer",
}
SIGNED_IN = {"community grids (staff map)"}
RESIDENT_CELLS = {
    "track page",
    "short tracking link",
    "stop the updates",
    "track photo",
    "rating",
    "report filed",
    "open311 token",
    "erase contact",
}

# The workflow steps (API and ticket page): whose step each is on brigade A's tickets.
SUPERVISOR_STEPS = (
    "register",
    "reject",
    "dispatch",
    "refer",
    "enforce",
    "verify",
    "field_check_send",
    "reopen",
    "decide_extension",
    "conclude",
)
OFFICER_STEPS = ("return", "resolve", "extend", "conclude", "field_check")


def steps(*actions: str) -> set[str]:
    return {name for a in actions for name in (f"api:ticket_{a}", f"step {a} (page)")}


STAFF_READS_A = {  # brigade A's shop and ticket files, for everyone who sees brigade A
    "ticket photo thumbnail",
    "door card QR png",
    "pledge scan",
    "pledge scan thumbnail",
    "notification settings",
}
SUPERVISING_A_LISTS = {
    "queue: ticket A",
    "log review queue: log A",
    "duty board: officer A",
    "leadership patrol print",
    "volunteer act new",
    "shop list: merchant A",
    "api list: ticket A",
    "api list: patrol A",
    "api list: log A",
}

# The policy: the cells each role may use (a GET cell is a read, a POST cell a write); every
# cell not listed for a role is denied to it, as ``denial`` says.
ALLOWED: dict[str, set[str]] = {
    "anonymous": {*PUBLIC_CELLS},
    "resident": {*PUBLIC_CELLS, *RESIDENT_CELLS},
    "officer_a": {
        # the monthly assessment (issue 7)
        "assessment month",
        "assessment ranking: officer A",
        "assessment officer A",
        *DRILL_DOWN,
        "api assessment scores: officer A",
        *PUBLIC_CELLS,
        "log of a day (own)",
        *SIGNED_IN,
        *STAFF_READS_A,
        *steps(*OFFICER_STEPS),
        "notification settings save",
        "volunteer act new",
        "my tasks: ticket A",
        "inbox: notification",
        "shop list: merchant A",
        "api list: ticket A",
        "api list: patrol A",
        "api list: log A",
        "api list: notification",
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
        # the photo their phone is sending
        "api upload",
        "api upload complete",
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
        # the monthly assessment (issue 7)
        "assessment month",
        *PUBLIC_CELLS,
        "log of a day (own)",
        *SIGNED_IN,
        "notification settings",
        "shop list: merchant B",
        "api list: ticket B",
        "B: ticket page",
        "B: api ticket",
        "B: patrol page",
        "B: api daily log",
        "B: week view",
        "B: merchant page",
    },
    # a handler sees only what was referred to their unit, and takes the unit's steps on it
    "handler_x": {
        # the monthly assessment (issue 7)
        "assessment month",
        *PUBLIC_CELLS,
        *SIGNED_IN,
        "notification settings",
        "unit queue: referred ticket",
        *steps("accept"),
        "referred ticket page",
        "referred ticket accept (unit's step)",
    },
    "handler_y": {*PUBLIC_CELLS, *SIGNED_IN, "notification settings", "assessment month"},
    "supervisor_a": {
        # the monthly assessment (issue 7)
        "assessment month",
        "assessment ranking: officer A",
        "assessment officer A",
        *DRILL_DOWN,
        "assessment brigade A",
        "assessment export xlsx",
        "assessment export csv",
        "api assessment scores: officer A",
        *PUBLIC_CELLS,
        "bulk register",
        "leadership patrols: walk A",
        *SIGNED_IN,
        *STAFF_READS_A,
        *SUPERVISING_A_LISTS,
        *steps(*SUPERVISOR_STEPS),
        "ticket page",
        "referred ticket page",
        "ticket photo",
        "api ticket",
        "api events",
        "api photos",
        "api photo file",
        "api dispatch officers",
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
        # the monthly assessment (issue 7)
        "assessment month",
        "assessment ranking: officer A",
        "assessment officer A",
        *DRILL_DOWN,
        "assessment brigade A",
        "assessment export xlsx",
        "assessment export csv",
        "api assessment scores: officer A",
        *PUBLIC_CELLS,
        "bulk register",
        "leadership patrols: walk A",
        "reopen requests: brigade B's",
        *SIGNED_IN,
        *STAFF_READS_A,
        *SUPERVISING_A_LISTS,
        *steps(*SUPERVISOR_STEPS),
        *steps("place"),  # the command centre places what landed on no brigade
        "operations overview",
        "queue: ticket B",
        "log review queue: log B",
        "shop list: merchant B",
        "api list: ticket B",
        "ticket page",
        "referred ticket page",
        "ticket photo",
        "api ticket",
        "api events",
        "api photos",
        "api photo file",
        "api dispatch officers",
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
        # the monthly assessment (issue 7)
        "assessment month",
        "assessment ranking: officer A",
        "assessment officer A",
        *DRILL_DOWN,
        "assessment brigade A",
        "assessment export xlsx",
        "assessment export csv",
        "api assessment scores: officer A",
        "assessment draft progress",
        "assessment draft re-run",
        "assessment draft publish",
        "api assessment runs: draft",
        *PUBLIC_CELLS,
        *SIGNED_IN,
        *{c.name for c in SURVEY_CELLS},
        *STAFF_READS_A,
        "operations overview",
        "shop list: merchant A",
        "shop list: merchant B",
        "api list: ticket A",
        "api list: ticket B",
        "api list: patrol A",
        "api list: log A",
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

# The queue's exports hold exactly what the queue and the API list hold (cases.exports): a role
# reads ticket X in an export when it reads it in the list the export is of.
for _cells in ALLOWED.values():
    for _list, _export in (("queue", "queue export"), ("api list", "api export")):
        _cells |= {
            f"{_export} {fmt}: ticket {x}"
            for x in "AB"
            for fmt in ("csv", "xlsx")
            if f"{_list}: ticket {x}" in _cells
        }

# A misspelt cell in the table would pass silently as "denied": the table names cells that exist.
assert len({c.name for c in CELLS}) == len(CELLS), "cell names are unique"
assert set().union(*ALLOWED.values()) <= {c.name for c in CELLS}, "ALLOWED names known cells"
assert set(ALLOWED) == set(ROLES)


def denial(cell: Cell, role: str) -> int | str:
    """How ``role`` is refused ``cell`` (see the module's docstring)."""
    if cell.refused is not None:
        return cell.refused
    if cell.kind == PUBLIC:
        if cell.shows is not None:
            return HIDDEN
        return cell.ok if cell.own_rows_only else 404
    if role in ("anonymous", "resident"):
        return LOGIN if cell.kind == PAGE else 401
    if cell.gate is not None and role not in cell.gate:
        return 403
    if cell.own_rows_only:
        return cell.ok
    if cell.shows is not None:
        return HIDDEN
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
    if cell.role_data is not None:
        return client.post(url, cell.role_data(world, role))
    if cell.photo:
        photo = SimpleUploadedFile("fixed.jpg", jpeg_bytes(), content_type="image/jpeg")
        return client.post(url, {**cell.data(world), cell.photo: photo})
    if cell.kind == API or cell.json:
        return client.post(url, cell.data(world), content_type="application/json")
    return client.post(url, cell.data(world))


def outcome(response: Any, cell: Cell, world: World) -> int | str:
    if response.status_code == 302 and response["Location"].startswith(
        (resolve_url(settings.LOGIN_URL), "/admin/login/")
    ):
        return LOGIN
    if cell.shows is not None and response.status_code == 200:
        return SHOWN if cell.shows(world, response) else HIDDEN
    return response.status_code


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("cell", CELLS, ids=lambda c: f"{c.name} [{c.mode}]")
def test_each_role_reaches_exactly_its_cells(world: World, cell: Cell, role: str) -> None:
    allowed = cell.name in ALLOWED[role]
    response = call(client_for(world, role), cell, world, role)
    ok = SHOWN if cell.shows is not None else cell.ok
    expected = ok if allowed else denial(cell, role)
    assert outcome(response, cell, world) == expected, f"{role} → {cell.name}"
    if cell.done is not None:
        assert cell.done(world) is allowed, f"{role} → {cell.name}: change {allowed=}"


# --- every route is in the matrix, or says why not ---------------------------------------------

# The sections where every route touches someone's records (a parameter elsewhere does too).
GUARDED = ("api/v1/", "cases/", "patrols/", "shops/", "open311/", "track/")

# Routes that bear no one's object, each with why. A new route that is neither here nor in a
# cell fails ``test_every_route_is_in_the_matrix``: give it a cell (or, if it truly shows
# nothing of anyone's, a line here).
NOT_OBJECT_BEARING = {
    # the superusers' admin: is_staff-gated by Django; the ticket list cell proves the gate
    "admin:": "Django admin (superusers; every role is sent to log in: 'admin ticket list')",
    "set_language": "the language switch",
    "api:schema": "the OpenAPI schema (no data)",
    "api:docs": "Swagger UI for the schema",
    "api:redoc": "ReDoc for the schema",
    # the same for everyone signed in: the city's places and categories, the caller themself
    "api:me": "the caller's own account",
    "api:categories": "the category catalogue",
    "api:districts": "the city's districts",
    "api:streets": "the city's streets",
    "api:communities": "the city's communities",
    "api:grids": "the city's unit grids",
    "api:officers": "the officer roster (names, badges: shown on the public notice boards)",
    "api:assignments": "the postings of officers to communities (also on the notice boards)",
    "open311:discovery": "Open311's endpoint list",
    "open311:services": "Open311's service (category) list",
    "open311:service": "one Open311 service definition (a category)",
    "open311:(unnamed) /open311/v2/(?P<rest>.*)": "Open311's 'no such resource' answer",
    # forms that create the caller's own records, or act on the caller's own record (no id)
    "api:log_save": "the caller's own daily log of today",
    "api:log_submit": "the caller's own daily log of today",
    "api:outreach": "a tap on the caller's own open patrol",
    "api:findings": "files a new ticket (a patrol finding)",
    "api:uploads": "opens an upload of the caller's own (another's id: 404)",
    "patrols:patrol": "the caller's own patrol of today",
    "patrols:start": "starts the caller's own patrol",
    "patrols:finding": "files a new ticket (a patrol finding)",
    "patrols:outreach": "a tap on the caller's own open patrol",
    "patrols:log_today": "the caller's own daily log of today",
    "cases:intake": "files a new ticket",
    "cases:on_site": "files a new ticket, fixed on the spot",
    "cases:locate": "which grid a point lies in (public facts)",
    "residents:find_code": "the public 'enter your tracking code' form",
    # The token (32 random characters) is the credential, sent only to the subscriber's address;
    # tests/residents/test_alerts.py holds them to it (a wrong token is a 404).
    "residents:alert_confirm": "confirms the alert whose unguessable token the e-mail carried",
    "residents:alert_stop": "stops the alert whose unguessable token its message carried",
    "privacy:erase_done": "the public 'done' page, the same for every request",
    "shops:new": "registers a new shop",
    "shops:import": "imports new shops from a spreadsheet",
    "shops:import_template": "the empty import spreadsheet",
    # Aggregates only (counts per community), scoped by shops.selectors.split_721: no rows of
    # anyone's to leak one by one. Weakest line here: a matrix cell could assert brigade B's
    # community is absent for brigade A's leader.
    "shops:split_721": "the month's 7:2:1 counts per community",
}


def _routes(
    resolver: Any, prefix: str = "", namespace: str = "", params: int = 0
) -> Iterator[tuple[str, str, bool]]:
    """(route, namespaced name, takes a parameter) of every pattern, through every include."""
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern).lstrip("^").rstrip("$")
        takes = params + pattern.pattern.regex.groups
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace]))
            yield from _routes(pattern, route, inner, takes)
        else:
            label = pattern.name or f"(unnamed) /{route}"
            name = ":".join(filter(None, [namespace, label]))
            yield route, name, takes > 0


def _covered(world: World) -> set[str]:
    names = set()
    for cell in CELLS:
        try:
            match = resolve(urlsplit(cell.url(world, "resident")).path)
        except Resolver404:
            continue  # media URLs: no route serves them, which is the point of their cells
        names.add(match.view_name)
    return names


def test_every_route_is_in_the_matrix(world: World) -> None:
    covered = _covered(world)
    missing = sorted(
        f"{name} (/{route})"
        for route, name, takes in _routes(get_resolver())
        if (takes or route.startswith(GUARDED))
        and name not in covered
        and not any(
            name.startswith(n) if n.endswith(":") else name == n for n in NOT_OBJECT_BEARING
        )
    )
    assert not missing, "routes with no cell in the matrix:\n" + "\n".join(missing)
