"""Whatever the public (and an API client) sends, the answer is never a 500, and a refused
request changes nothing.

Hypothesis throws random and hostile text (NUL, right-to-left marks, emoji, astral CJK, 100 000
characters), huge numbers and malformed coordinates (NaN, inf, 1e308, "12,5", empty) at every
public form, the Open311 API, the public pages' query strings and the REST API's ticket create
and list filters. Each example starts with an empty cache (the per-IP limits would otherwise stop
the fuzzing after a few posts) and counts the rows a request could write; when the answer is a
refusal (a 4xx, a re-rendered form) the counts must not have moved. A successful submission adds
rows, and that is fine: only refusals are compared.

The number of examples per form is ``FUZZ_EXAMPLES`` (40 by default, as CI runs it); the
examples are derandomised so a CI failure replays locally, unless ``FUZZ_RANDOM=1``.

Then photo uploads: truncated files, polyglots, wrong extensions, a decompression bomb, formats
we do not take and an empty file, at the complaint form and the API.
"""

import io
import json
import os
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from cases.filters import TicketFilter
from cases.models import Photo, ReopenRequest, State, Ticket, TicketEvent
from notifications.models import Notification
from open311.services import issue_api_client
from privacy.models import ErasedContact
from residents.tracking import normalize_code
from tests.cases.conftest import GULOU_POINT
from tests.factories import jpeg_bytes
from tests.security.conftest import merchant_at

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "40")),
    deadline=None,
    derandomize=not os.environ.get("FUZZ_RANDOM"),
    database=None,
    # Fixtures are the test's, shared by its examples on purpose; examples may be large.
    suppress_health_check=list(HealthCheck),
)

# --- what is thrown ---------------------------------------------------------------------------

NASTY_TEXT = [
    "",
    " ",
    "\x00",
    "刘\x00女士",
    "\u202egnp.exe\u202c",  # right-to-left override
    "مرحبا بالعالم",
    "שלום עולם",
    "😀" * 40,
    "🇨🇳👨‍👩‍👧",
    "\ufeff\u200b\u200d",
    "𠀀𪚥𰻞",  # astral CJK
    "A" * 100_000,
    "<script>alert(1)</script>",
    "' OR 1=1; --",
    "%s%n%x{0}{{7*7}}",
    "../../etc/passwd",
    "line\r\nX-Injected: yes",
    "１３８１２３４５６７８",  # full-width digits
]
NASTY_NUMBERS = [
    "nan",
    "NaN",
    "inf",
    "-inf",
    "Infinity",
    "1e308",
    "-1e308",
    "1e309",
    "1e-400",
    "12,5",
    "34.26.1",
    "0x1A",
    "1_000",
    "--1",
    "١٢٣",
    "-0",
    str(2**63),
    str(-(2**63) - 1),
    "9" * 400,
]
NASTY_DATES = [
    "0001-01-01",
    "9999-12-31T23:59:59",
    "2026-02-30",
    "2026-11-23T25:00",
    "2026-11-23T10:00:00+99:00",
    "1970-01-01T00:00:00Z",
]
date = st.one_of(
    st.sampled_from(NASTY_DATES),
    st.datetimes().map(lambda d: d.isoformat()),
    st.dates().map(lambda d: d.isoformat()),
)
text = st.one_of(
    st.sampled_from(NASTY_TEXT),
    st.text(max_size=200),  # Hypothesis' text: any code point but surrogates
)
number = st.one_of(
    st.sampled_from(NASTY_NUMBERS),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
garbage = st.one_of(text, number, date)


def over(valid: dict[str, str], fields: list[str]) -> st.SearchStrategy[dict]:
    """The valid submission with up to four of ``fields`` replaced by garbage, or left out."""
    changes = st.dictionaries(st.sampled_from(fields), st.none() | garbage, max_size=4)

    def apply(change: dict) -> dict:
        data = dict(valid)
        for name, value in change.items():
            if value is None:
                data.pop(name, None)
            else:
                data[name] = value
        return data

    return changes.map(apply)


# --- what must not change ---------------------------------------------------------------------

WATCHED = (Ticket, TicketEvent, Photo, Notification, ReopenRequest)


def rows() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in WATCHED}


def media_files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


def check(response, before: dict[str, int], *, ok: tuple[int, ...], refused: tuple[int, ...]):
    """No 500; a status from the endpoint's answers; a refusal leaves every watched table as it
    was."""
    status = response.status_code
    assert status < 500, response.content[:500]
    assert status in ok + refused, (status, response.content[:300])
    if status in refused:
        assert rows() == before


@pytest.fixture
def public(client: Client) -> Client:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def complaint(category, gulou_community) -> dict[str, str]:
    lat, lng = GULOU_POINT
    return {
        "category": str(category.pk),
        "description": "楼下垃圾堆了三天，味道很大",
        "lat": f"{lat:.6f}",
        "lng": f"{lng:.6f}",
        "address": "黄楼街道菜场西口",
        "reporter_name": "刘女士",
        "reporter_phone": "13812345678",
        "consent": "on",
        "website": "",
        "follows": "",
    }


# --- the public forms -------------------------------------------------------------------------


def test_the_complaint_form_survives_anything(public, complaint, media):
    @FUZZ
    @given(data=over(complaint, [*complaint, "community", "photos"]))
    def run(data: dict) -> None:
        cache.clear()
        before = rows()
        response = public.post("/report/", data)
        # 302 to the confirmation when filed; 302 back to the form when the honeypot was filled
        # (dropped silently: that is a refusal too); 400 with the form and its errors.
        check(response, before, ok=(302,), refused=(400,))
        if response.status_code == 302 and "/track/" not in response["Location"]:
            assert rows() == before

    run()


def test_the_tracking_code_lookup_survives_anything(public, make_ticket):
    ticket = make_ticket(State.REGISTERED)
    valid = {"number": ticket.number, "phone_last4": "5678"}

    @FUZZ
    @given(data=over(valid, list(valid)), code=garbage)
    def run(data: dict, code: str) -> None:
        cache.clear()
        before = rows()
        check(public.post("/track/", data), before, ok=(302,), refused=(400,))
        check(public.get("/track/", {"code": code}), before, ok=(200, 302), refused=())
        code_path = f"/track/{quote(code, safe='')}/"
        check(public.get(code_path), before, ok=(200,), refused=(404,))
        check(
            public.post(f"{code_path}rate/", {"satisfaction": "5"}), before, ok=(), refused=(404,)
        )
        check(
            public.get(f"{code_path}photos/1/{quote(code, safe='')}/"),
            before,
            ok=(),
            refused=(404,),
        )
        assert rows() == before  # a lookup never writes

    run()


def test_the_rating_and_reopen_request_survive_anything(public, make_ticket):
    """A rating of 1–2 also asks the supervisors to reopen the ticket (a ReopenRequest row)."""
    ticket = make_ticket(State.CLOSED)
    url = f"/track/{ticket.tracking_code}/rate/"
    satisfaction = st.one_of(st.sampled_from(["1", "2", "3", "4", "5"]), garbage)

    @FUZZ
    @given(
        data=st.fixed_dictionaries({}, optional={"satisfaction": satisfaction, "comment": garbage})
    )
    def run(data: dict) -> None:
        cache.clear()
        before = rows()
        rated_before = Ticket.objects.get(pk=ticket.pk).satisfaction
        response = public.post(url, data)
        check(response, before, ok=(302,), refused=(400,))
        if response.status_code == 400:
            assert Ticket.objects.get(pk=ticket.pk).satisfaction == rated_before

    run()


def test_the_contact_erasure_form_survives_anything(public, make_ticket):
    """/track/erase/: only the report's own code with its own phone blanks the contact; any
    other submission is refused (400) or answered like a success (no oracle) and changes
    nothing: no ErasedContact row, the reporter's name and phone kept."""
    ticket = make_ticket(State.CLOSED)
    valid = {"code": ticket.tracking_code, "phone": "13812345678", "confirm": "on"}

    def contact() -> tuple[str, str, bool]:
        fresh = Ticket.objects.get(pk=ticket.pk)
        erased = ErasedContact.objects.filter(ticket=ticket).exists()
        return fresh.reporter_name, fresh.reporter_phone, erased

    kept = contact()
    assert kept == ("刘女士", "13812345678", False)

    @FUZZ
    @given(data=over(valid, list(valid)), code=garbage)
    def run(data: dict, code: str) -> None:
        cache.clear()
        before = rows()
        response = public.post("/track/erase/", data)
        check(response, before, ok=(302,), refused=(400,))
        # The page itself, with any ?code= prefill.
        check(public.get("/track/erase/", {"code": code}), before, ok=(200,), refused=())
        erased = contact() != kept
        if erased:  # only ever by the true pair, however it was spelt
            assert response.status_code == 302
            assert contact() == ("", "", True)
            assert normalize_code(str(data.get("code", ""))) == ticket.tracking_code, data
            assert "13812345678" in "".join(filter(str.isdigit, str(data.get("phone", "")))), data
            # put the contact back for the next example
            ErasedContact.objects.filter(ticket=ticket).delete()
            Ticket.objects.filter(pk=ticket.pk).update(
                reporter_name=kept[0], reporter_phone=kept[1]
            )
        elif data == valid:
            pytest.fail("the true code and phone did not erase the contact")

    run()


# --- Open311 ----------------------------------------------------------------------------------

OPEN311_FIELDS = [
    "api_key",
    "service_code",
    "lat",
    "long",
    "address_string",
    "description",
    "media_url",
    "first_name",
    "last_name",
    "phone",
    "email",
    "device_id",
    "attribute[urgent]",
]


def test_open311_requests_survive_anything(public, gulou_community):
    _client, key = issue_api_client(name="12345热线平台", created_by=None, rate_limit="100/m")
    lat, lng = GULOU_POINT
    valid = {
        "api_key": key,
        "service_code": "E0102",
        "lat": str(lat),
        "long": str(lng),
        "description": "小区门口垃圾堆积",
        "first_name": "刘",
        "phone": "13812345678",
    }
    queries = st.dictionaries(
        st.sampled_from(["service_request_id", "service_code", "start_date", "end_date", "status"]),
        garbage,
        max_size=4,
    )

    @FUZZ
    @given(data=over(valid, OPEN311_FIELDS), query=queries, fmt=st.sampled_from(["json", "xml"]))
    def run(data: dict, query: dict, fmt: str) -> None:
        cache.clear()
        before = rows()
        response = public.post(f"/open311/v2/requests.{fmt}", data)
        # 403: no key or an unknown one.
        check(response, before, ok=(201,), refused=(400, 403))
        before = rows()
        check(public.get(f"/open311/v2/requests.{fmt}", query), before, ok=(200,), refused=(400,))
        assert rows() == before

    run()


# --- the public pages' query strings ----------------------------------------------------------


def test_public_pages_survive_any_query_string(public, gulou_community):
    shop = merchant_at(GULOU_POINT, 7, "老王水果店")
    pages = [
        "/communities/",
        f"/communities/{gulou_community.code}/",
        f"/shops/s/{shop.public_slug}/",
        "/report/",
        "/report/where/",
        "/report/nearby/",
        f"/report/communities/{gulou_community.pk}/cells/",
    ]
    names = ["q", "page", "community", "lat", "lng", "category", "follows", "code", "lang"]

    @FUZZ
    @given(
        page=st.sampled_from(pages),
        query=st.dictionaries(st.sampled_from(names) | st.text(max_size=8), garbage, max_size=4),
        path_part=garbage,
    )
    def run(page: str, query: dict, path_part: str) -> None:
        cache.clear()
        before = rows()
        check(public.get(page, query), before, ok=(200,), refused=())
        # An unknown community or shop in the path is a 404, whatever it is made of.
        for prefix in ("/communities/", "/shops/s/"):
            response = public.get(f"{prefix}{quote(path_part, safe='')}/")
            check(response, before, ok=(200,), refused=(404,))
        assert rows() == before

    run()


# --- the REST API (signed in) -----------------------------------------------------------------

json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)


def test_the_api_ticket_create_and_filters_survive_anything(
    client, supervisor_gulou, category, gulou_community, media
):
    client.force_login(supervisor_gulou)
    lat, lng = GULOU_POINT
    valid = {
        "category": category.pk,
        "description": "小区门口垃圾堆了三天没人清",
        "lat": lat,
        "lng": lng,
        "address": "黄楼街道彭城路12号",
        "priority": "normal",
        "reporter_phone": "13812345678",
    }
    fields = [*valid, "community", "reporter_name", "photos"]
    filters = [*TicketFilter.base_filters, "cursor", "page_size", "ordering"]

    @FUZZ
    @given(
        change=st.dictionaries(st.sampled_from(fields), json_value | garbage, max_size=4),
        form_encoded=st.booleans(),
        query=st.dictionaries(st.sampled_from(filters), garbage, max_size=4),
    )
    def run(change: dict, form_encoded: bool, query: dict) -> None:
        cache.clear()
        before = rows()
        data = {**valid, **change}
        if form_encoded:
            flat = {k: v if isinstance(v, str) else json.dumps(v) for k, v in data.items()}
            response = client.post("/api/v1/tickets/", flat)
        else:
            response = client.post("/api/v1/tickets/", data, content_type="application/json")
        check(response, before, ok=(201,), refused=(400,))
        if response.status_code == 400:
            assert isinstance(response.json(), dict)
        before = rows()
        check(client.get("/api/v1/tickets/", query), before, ok=(200,), refused=(400,))
        assert rows() == before

    run()


# --- photo uploads ----------------------------------------------------------------------------


def _png(size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(out, "PNG")
    return out.getvalue()


def _saved(fmt: str, mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (32, 32)).save(out, fmt)
    return out.getvalue()


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payload.sh", "echo owned")
    return out.getvalue()


def _declared(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` × ``height`` pixels (a decompression bomb's
    calling card: Pillow reads the size before any pixel)."""
    png = _png((1, 1))
    ihdr = struct.pack(">II", width, height) + png[24:29]
    chunk = b"IHDR" + ihdr
    return png[:8] + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk)) + png[33:]


PAYLOAD_MARKERS = (b"PK\x03\x04", b"<html", b"<script")
# name, bytes, declared content type, the English message a refusal carries (None: accepted,
# re-encoded as the format its content really is).
UPLOADS: list[tuple[str, Callable[[], bytes], str, str | None]] = [
    ("truncated.jpg", lambda: jpeg_bytes((800, 600))[:1500], "image/jpeg", "damaged"),
    ("truncated.png", lambda: _png((400, 300))[:200], "image/png", "damaged"),
    ("polyglot-zip.png", lambda: _png() + _zip(), "image/png", None),
    ("polyglot-html.png", lambda: _png() + b"<html><script>alert(1)</script></html>", "", None),
    ("png-named.jpg", _png, "image/jpeg", None),
    ("text-named.jpg", lambda: b"just some text, not a photo\n" * 20, "image/jpeg", "not an image"),
    ("bomb.png", lambda: _declared(20_000, 20_000), "image/png", "too large"),
    ("49mpx.png", lambda: _declared(7_000, 7_000), "image/png", "49 million pixels"),
    ("anim.gif", lambda: _saved("GIF", "P"), "image/gif", "GIF images are not accepted"),
    ("favicon.ico", lambda: _saved("ICO"), "image/x-icon", "ICO images are not accepted"),
    (
        "drawing.svg",
        lambda: b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "image/svg+xml",
        "not an image",
    ),
    (
        "iphone.heic",
        lambda: b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00heicmif1" + b"\x00" * 200,
        "image/heic",
        "not an image",
    ),
    ("empty.jpg", lambda: b"", "image/jpeg", "empty"),
]


def _refusal_text(content: bytes) -> str:
    return content.decode("utf-8", "replace").replace("&#x27;", "'")


def _assert_outcome(response, before, files_before, media_root, expected, *, ok: int) -> None:
    assert response.status_code < 500
    if expected is None:
        assert response.status_code == ok, response.content[:500]
        photo = Photo.objects.order_by("-pk").first()
        assert rows()["Photo"] == before["Photo"] + 1
        stored = photo.image.read()
        assert stored.startswith(b"\x89PNG"), "re-encoded as what the content is, a PNG"
        assert photo.content_type == "image/png" and photo.image.name.endswith(".png")
        assert not any(marker in stored for marker in PAYLOAD_MARKERS)
    else:
        assert response.status_code == 400, response.content[:500]
        assert expected in _refusal_text(response.content)
        assert rows() == before
        assert media_files(media_root) == files_before  # nothing stored, not even a thumbnail


@pytest.mark.parametrize(
    ("name", "make", "content_type", "expected"), UPLOADS, ids=[u[0] for u in UPLOADS]
)
def test_a_hostile_photo_at_the_complaint_form_is_refused_or_re_encoded(
    public, complaint, media, name, make, content_type, expected
):
    upload = SimpleUploadedFile(
        name, make(), content_type=content_type or "application/octet-stream"
    )
    before, files_before = rows(), media_files(media)
    response = public.post("/report/", {**complaint, "photos": upload})
    _assert_outcome(response, before, files_before, media, expected, ok=302)


@pytest.mark.parametrize(
    ("name", "make", "content_type", "expected"), UPLOADS, ids=[u[0] for u in UPLOADS]
)
def test_a_hostile_photo_at_the_api_is_refused_or_re_encoded(
    client, supervisor_gulou, category, gulou_community, media, name, make, content_type, expected
):
    client.force_login(supervisor_gulou)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    lat, lng = GULOU_POINT
    upload = SimpleUploadedFile(
        name, make(), content_type=content_type or "application/octet-stream"
    )
    data = {"category": category.pk, "description": "垃圾堆积", "lat": lat, "lng": lng}
    before, files_before = rows(), media_files(media)
    response = client.post("/api/v1/tickets/", {**data, "photos": upload})
    _assert_outcome(response, before, files_before, media, expected, ok=201)
