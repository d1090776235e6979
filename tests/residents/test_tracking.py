"""The tracking page (/track/<code>/): plain status, the public timeline and photos, nothing
internal; codes that cannot be guessed or enumerated; finding a lost code by phone digits."""

import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import services
from cases.models import Action, PhotoKind, State, Ticket, new_tracking_code
from cases.photos import store_photos
from cases.services import create_ticket
from residents.tracking import PLAIN_STATUS
from tests.cases.conftest import GULOU_POINT
from tests.celery.conftest import redis_unreachable
from tests.factories import jpeg_bytes, processed_photo

pytestmark = pytest.mark.django_db


def track(client, ticket: Ticket):
    return client.get(f"/track/{ticket.tracking_code}/")


def test_tracking_codes_have_at_least_40_bits_and_are_unguessable():
    codes = {new_tracking_code() for _n in range(2000)}
    assert len(codes) == 2000
    alphabet = set("".join(codes))
    assert len(alphabet) == 32  # 5 bits a character
    assert all(len(code) == 10 for code in codes)  # 50 bits


def test_the_page_shows_the_status_in_plain_words_and_each_public_step(
    english, make_ticket, officer_gulou
):
    ticket = make_ticket(State.IN_PROGRESS)
    officer_gulou.officer.public_phone = "0516-83880002"
    officer_gulou.officer.save(update_fields=["public_phone"])

    response = track(english, ticket)

    assert response.status_code == 200
    page = response.content.decode()
    assert str(PLAIN_STATUS[State.IN_PROGRESS]) in page
    steps = re.findall(r'<span class="fw-semibold timeline-action">([^<]+)</span>', page)
    assert steps == ["Reported", "Registered", "Dispatched", "Work started"]
    assert "王建国 (GL1-001)" in page
    assert "0516-83880002" in page  # the officer's public phone
    assert (
        timezone.localtime(ticket.deadline).strftime("%Y-%m-%d %H:%M") in page
    )  # expected completion
    assert response["Cache-Control"].startswith("max-age=0")  # never_cache
    assert "no-store" in response["Cache-Control"]


def test_internal_notes_and_staff_data_never_appear_on_the_public_page(
    english, make_ticket, supervisor_gulou, officer_gulou, enforceable_category
):
    ticket = make_ticket(State.DISPATCHED, category=enforceable_category)
    supervisor_gulou.phone = "13900001111"
    supervisor_gulou.save(update_fields=["phone"])
    services.return_ticket(actor=officer_gulou, ticket_id=ticket.pk, reason="内部：不归我管")
    services.enforce_ticket(
        actor=supervisor_gulou,
        ticket_id=ticket.pk,
        officer_id=officer_gulou.officer.pk,
        note="内部：当事人张三有前科",
    )
    services.request_extension(
        actor=officer_gulou, ticket_id=ticket.pk, extra_hours=4, reason="内部：等待执法车"
    )
    other = make_ticket(State.REPORTED)
    Ticket.objects.filter(pk=other.pk).update(reporter_phone="13700002222")

    page = track(english, ticket).content.decode()

    for secret in ("内部", "张三", "13900001111", "赵队长", "supervisor_gulou", "13700002222"):
        assert secret not in page
    assert "Returned" not in page and "Extension requested" not in page
    assert ticket.reporter_phone not in page  # not even the reporter's own, unmasked


def test_the_after_photo_is_shown_through_the_tickets_own_code(english, make_ticket):
    ticket = make_ticket(State.RESOLVED)
    after = ticket.photos.get(kind=PhotoKind.AFTER)
    page = track(english, ticket).content.decode()
    url = f"/track/{ticket.tracking_code}/photos/{after.pk}/thumb/"
    assert url in page
    response = english.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"


def test_a_photo_cannot_be_fetched_with_another_tickets_code(english, make_ticket):
    mine = make_ticket(State.REPORTED)
    other = make_ticket(State.RESOLVED)
    after = other.photos.get(kind=PhotoKind.AFTER)
    assert english.get(f"/track/{mine.tracking_code}/photos/{after.pk}/full/").status_code == 404
    assert english.get(f"/track/WRONGCODE1/photos/{after.pk}/full/").status_code == 404
    assert english.get(f"/track/{other.tracking_code}/photos/{after.pk}/full/").status_code == 200


def test_enforcement_evidence_is_not_public(english, make_ticket, supervisor_gulou):
    ticket = make_ticket(State.ENFORCEMENT)
    services.conclude_enforcement(
        actor=supervisor_gulou, ticket_id=ticket.pk, note="已整改", photos=[processed_photo()]
    )
    evidence = ticket.photos.get(kind=PhotoKind.EVIDENCE)
    page = track(english, ticket).content.decode()
    assert f"/photos/{evidence.pk}/" not in page
    url = f"/track/{ticket.tracking_code}/photos/{evidence.pk}/full/"
    assert english.get(url).status_code == 404


def selects(queries) -> list[str]:
    """The statements that read (ATOMIC_REQUESTS adds savepoints around each request)."""
    return [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]


@pytest.mark.parametrize(
    "code",
    [
        "AAAAAAAAAA",
        "a",
        "x" * 300,
        "%00",
        "'; DROP TABLE cases_ticket; --",
        "ＡＢＣ",
        "<script>alert(1)",
    ],
)
def test_a_wrong_or_malformed_code_is_404_after_one_indexed_lookup(english, make_ticket, code):
    make_ticket(State.REPORTED)
    with CaptureQueriesContext(connection) as queries:
        response = english.get(f"/track/{code}/")
    assert response.status_code == 404
    assert len(selects(queries)) == 1
    assert '"cases_ticket"."tracking_code" =' in selects(queries)[0]


def test_a_code_with_a_slash_is_not_even_a_tracking_url(english):
    assert english.get("/track/../../etc/passwd/").status_code == 404


def test_a_right_code_takes_the_same_lookup_as_a_wrong_one(english, make_ticket):
    ticket = make_ticket(State.REPORTED)
    with CaptureQueriesContext(connection) as wrong:
        english.get("/track/AAAAAAAAAA/")
    with CaptureQueriesContext(connection) as right:
        english.get(f"/track/{ticket.tracking_code}/")
    first_right = selects(right)[0].replace(ticket.tracking_code, "AAAAAAAAAA")
    assert first_right == selects(wrong)[0]


def test_a_code_read_out_by_phone_works_in_any_case_and_with_spaces(english, make_ticket):
    ticket = make_ticket(State.REPORTED)
    code = ticket.tracking_code
    spaced = f"{code[:5].lower()}-{code[5:].lower()}"
    assert english.get(f"/track/{spaced}/").status_code == 200
    response = english.get("/track/", {"code": f" {code[:5]} {code[5:]} "})
    assert response.status_code == 302
    assert response["Location"] == f"/track/{code}/"


def test_the_page_runs_the_same_queries_for_a_short_or_long_history(
    english, make_ticket, officer_gulou, supervisor_gulou, django_assert_max_num_queries
):
    short = make_ticket(State.DISPATCHED)
    long = make_ticket(State.CLOSED)
    for _n in range(3):
        services.reopen_ticket(actor=supervisor_gulou, ticket_id=long.pk, reason="又堆上了")
        services.dispatch_ticket(
            actor=supervisor_gulou, ticket_id=long.pk, officer_id=officer_gulou.officer.pk
        )
        services.start_ticket(actor=officer_gulou, ticket_id=long.pk)
        services.resolve_ticket(
            actor=officer_gulou, ticket_id=long.pk, note="已清", photos=[processed_photo()]
        )
        services.verify_ticket(actor=supervisor_gulou, ticket_id=long.pk, passed=True)
        long = Ticket.objects.get(pk=long.pk)
    assert long.events.count() > 3 * short.events.count()
    for ticket in (short, long):
        with django_assert_max_num_queries(8):
            assert track(english, ticket).status_code == 200


# --- following another report ------------------------------------------------------------------


@pytest.fixture
def follower(make_ticket, category):
    """A second resident who chose to follow the first one's report from the form."""
    from residents.services import file_complaint

    original = make_ticket(State.DISPATCHED)
    mine = file_complaint(
        category=category,
        description="我家楼下也是这堆垃圾",
        lat=GULOU_POINT[0],
        lng=GULOU_POINT[1],
        reporter_name="周先生",
        reporter_phone="13698765432",
        follows=original.number,
    )
    return mine, original


def test_a_follower_sees_the_originals_progress_but_not_its_reporter(english, follower):
    mine, original = follower
    page = track(english, mine).content.decode()
    assert original.number in page
    assert str(PLAIN_STATUS[State.DISPATCHED]) in page
    assert "王建国 (GL1-001)" in page  # who was sent, from the original's timeline
    for private in (
        original.tracking_code,
        original.reporter_name,
        original.reporter_phone,
        original.description,
    ):
        assert private not in page


def test_the_original_reporter_sees_only_that_someone_else_reported_it(english, follower):
    mine, original = follower
    page = track(english, original).content.decode()
    assert "Someone else reported the same problem." in page
    for private in (mine.tracking_code, mine.reporter_name, mine.reporter_phone, mine.number):
        assert private not in page


def test_a_report_rejected_as_a_duplicate_follows_the_original(
    english, make_ticket, supervisor_gulou
):
    original = make_ticket(State.DISPATCHED)
    mine = make_ticket(State.REPORTED)
    services.reject_ticket(
        actor=supervisor_gulou,
        ticket_id=mine.pk,
        reason="duplicate",
        note="同一堆垃圾，已在处理",
        duplicate_of_number=original.number,
    )
    page = track(english, mine).content.decode()
    assert "同一堆垃圾，已在处理" in page  # the public reason
    assert str(PLAIN_STATUS[State.DISPATCHED]) in page  # the original's status
    assert original.tracking_code not in page


def test_the_original_reporters_photos_are_not_shown_to_a_follower(english, follower, media):
    mine, original = follower
    report_photo = store_photos(
        ticket=original,
        photos=[processed_photo()],
        kind=PhotoKind.REPORT,
        uploaded_by=None,
        event=original.events.get(action=Action.CREATE),
    )[0]
    url = f"/track/{mine.tracking_code}/photos/{report_photo.pk}/full/"
    assert english.get(url).status_code == 404
    assert f"/photos/{report_photo.pk}/" not in track(english, mine).content.decode()


# --- a lost code -------------------------------------------------------------------------------


def test_the_ticket_number_and_phone_digits_lead_back_to_the_code(english, make_ticket):
    ticket = make_ticket(State.REPORTED)  # reported with 13812345678
    response = english.post("/track/", {"number": ticket.number.lower(), "phone_last4": "5678"})
    assert response.status_code == 302
    assert response["Location"] == f"/track/{ticket.tracking_code}/"


def test_the_lookup_does_not_tell_a_wrong_number_from_wrong_digits(english, make_ticket):
    ticket = make_ticket(State.REPORTED)
    wrong_digits = english.post("/track/", {"number": ticket.number, "phone_last4": "0000"})
    wrong_number = english.post("/track/", {"number": "XZ20000101-0001", "phone_last4": "5678"})
    assert wrong_digits.status_code == wrong_number.status_code == 400
    assert wrong_digits.context["form"].non_field_errors() == (
        wrong_number.context["form"].non_field_errors()
    )
    assert ticket.tracking_code not in wrong_digits.content.decode()


def test_a_ticket_without_a_phone_cannot_be_found_by_digits(english, category, gulou_community):
    ticket = create_ticket(
        actor=None,
        source="resident",
        category=category,
        description="x",
        lat=GULOU_POINT[0],
        lng=GULOU_POINT[1],
    )
    response = english.post("/track/", {"number": ticket.number, "phone_last4": ""})
    assert response.status_code == 400
    for digits in ("0000", "abcd", "12345"):
        response = english.post("/track/", {"number": ticket.number, "phone_last4": digits})
        assert response.status_code == 400


def test_the_lookup_is_rate_limited_against_enumeration(make_ticket):
    ticket = make_ticket(State.REPORTED)
    client = Client(REMOTE_ADDR="203.0.113.50", HTTP_ACCEPT_LANGUAGE="en")
    limit = int(settings.CITYMGMT_RATE_CODE_LOOKUP.split("/")[0])
    for digits in range(limit):
        client.post("/track/", {"number": ticket.number, "phone_last4": f"{digits:04d}"})
    response = client.post("/track/", {"number": ticket.number, "phone_last4": "5678"})
    assert response.status_code == 429  # even the right digits, once over the limit
    assert "Too many tries" in response.content.decode()
    assert ticket.tracking_code not in response.content.decode()


def test_the_lookup_refuses_while_the_rate_limit_cache_is_unreachable(make_ticket):
    ticket = make_ticket(State.REPORTED)
    client = Client(REMOTE_ADDR="203.0.113.51", HTTP_ACCEPT_LANGUAGE="en")
    with redis_unreachable():
        # The right digits too: without a count, the lookup is a guessing machine.
        response = client.post("/track/", {"number": ticket.number, "phone_last4": "5678"})
    assert response.status_code == 503
    assert response["Retry-After"].isascii() and int(response["Retry-After"]) > 0
    page = response.content.decode()
    assert "paused for a moment" in page
    assert ticket.tracking_code not in page


def test_garbage_in_the_lookup_is_a_form_error(english):
    for data in ({}, {"number": "x" * 500, "phone_last4": "x" * 50}, {"number": "\x00"}):
        assert english.post("/track/", data).status_code == 400


def test_a_large_upload_to_the_lookup_is_harmless(english):
    junk = SimpleUploadedFile("a.jpg", jpeg_bytes(), "image/jpeg")
    assert english.post("/track/", {"number": "XZ", "file": junk}).status_code == 400


@pytest.mark.parametrize("typed", ["a/b", "../x", "%2F", "ＡＢＣ", "?", "x" * 1000])
def test_any_code_typed_in_the_lookup_box_leads_to_a_page_never_a_500(english, typed):
    response = english.get("/track/", {"code": typed}, follow=True)
    assert response.status_code in (200, 404)
