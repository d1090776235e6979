"""A resident's mobile number proved by an SMS code: the code through the outbox (stored
hashed), its limits (per number, per address, lifetime, wrong tries), the short verified session,
the complaint form's required/optional/off, and the resident's own reports (nobody else's)."""

import datetime

import pytest
import time_machine
from django.core.signing import get_cookie_signer
from django.utils import timezone

from cases.models import Ticket
from outbox.models import Message
from residents import phone as phones
from residents.models import PhoneCode
from tests.residents.test_report import form_data  # noqa: F401  the complaint form's fields

pytestmark = pytest.mark.django_db

MINE = "13812345678"
THEIRS = "13987654321"


@pytest.fixture
def sms(settings):
    settings.SMS_URL = "console://"
    settings.CITYMGMT_PHONE_VERIFICATION = "optional"
    return settings


def sent_code(number: str) -> str:
    """The code the SMS carries: the outbox row's template parameters."""
    message = Message.objects.filter(channel="sms", kind="verify_code", target=number).latest("pk")
    return message.payload["code"]


def ask_code(client, number: str = MINE, **environ):
    return client.post("/phone/", {"phone": number}, **environ)


def verify(client, number: str = MINE, next_url: str = ""):
    ask_code(client, number)
    return client.post("/phone/", {"phone": number, "code": sent_code(number), "next": next_url})


def test_a_code_goes_through_the_outbox_and_is_kept_only_hashed(client, sms):
    response = ask_code(client, "138 1234 5678")
    assert response.status_code == 200
    assert "138****5678" in response.content.decode()
    message = Message.objects.get(channel="sms")
    assert (message.target, message.kind) == (MINE, "verify_code")
    code = message.payload["code"]
    assert len(code) == 6 and code.isdigit() and message.payload["minutes"] == 10
    row = PhoneCode.objects.get()
    assert code not in row.code_hash and row.code_hash == phones.code_hash(MINE, code)


def test_the_right_code_verifies_the_number_and_lists_its_reports(client, sms, make_ticket):
    mine = make_ticket()
    theirs = make_ticket()
    Ticket.objects.filter(pk=mine.pk).update(reporter_phone=MINE)
    Ticket.objects.filter(pk=theirs.pk).update(reporter_phone=THEIRS)

    response = verify(client)
    assert response.status_code == 302 and response["Location"] == "/my-reports/"
    html = client.get("/my-reports/").content.decode()
    assert mine.number in html and f"/track/{mine.tracking_code}/" in html
    assert theirs.number not in html and theirs.tracking_code not in html


def test_someone_elses_number_cannot_list_their_reports(client, sms, make_ticket):
    theirs = make_ticket()
    Ticket.objects.filter(pk=theirs.pk).update(reporter_phone=THEIRS)
    verify(client, MINE)
    # Nothing in the request picks the number but the signed cookie.
    html = client.get("/my-reports/", {"phone": THEIRS}).content.decode()
    assert theirs.number not in html
    # A cookie written by hand, or signed for another purpose, is no verified number.
    for forged in (THEIRS, get_cookie_signer(salt="other").sign(THEIRS)):
        client.cookies[phones.COOKIE] = forged
        response = client.get("/my-reports/")
        assert response.status_code == 302 and response["Location"].startswith("/phone/")
    # A code sent to their number is of no use without that number's SMS.
    ask_code(client, THEIRS)
    response = client.post("/phone/", {"phone": THEIRS, "code": "000000"})
    assert response.status_code == 400
    assert phones.COOKIE not in response.cookies


def test_a_wrong_code_counts_and_the_code_dies_after_its_tries(client, sms):
    sms.CITYMGMT_PHONE_CODE_ATTEMPTS = 3
    ask_code(client)
    code = sent_code(MINE)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(3):
        assert client.post("/phone/", {"phone": MINE, "code": wrong}).status_code == 400
    assert PhoneCode.objects.get().attempts == 3
    # The right code no longer helps: ask for a new one.
    response = client.post("/phone/", {"phone": MINE, "code": code})
    assert response.status_code == 400 and phones.COOKIE not in response.cookies


def test_a_code_is_good_once(client, sms):
    ask_code(client)
    code = sent_code(MINE)
    assert client.post("/phone/", {"phone": MINE, "code": code}).status_code == 302
    assert client.post("/phone/", {"phone": MINE, "code": code}).status_code == 400


def test_a_code_expires(client, sms):
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        ask_code(client)
    code = sent_code(MINE)
    with time_machine.travel(now + datetime.timedelta(minutes=11), tick=False):
        assert client.post("/phone/", {"phone": MINE, "code": code}).status_code == 400


def test_a_number_gets_only_so_many_codes_an_hour(client, sms):
    sms.CITYMGMT_PHONE_CODES_PER_HOUR = 2
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        assert ask_code(client).status_code == 200
        # From another address too: the cap is the number's.
        assert ask_code(client, REMOTE_ADDR="10.0.0.9").status_code == 200
        assert ask_code(client).status_code == 429
    assert Message.objects.filter(target=MINE).count() == 2
    with time_machine.travel(now + datetime.timedelta(minutes=61), tick=False):
        assert ask_code(client).status_code == 200


def test_an_address_asks_only_so_many_codes(client, sms):
    sms.CITYMGMT_RATE_PHONE_CODE = "2/h"
    assert ask_code(client, "13800000001").status_code == 200
    assert ask_code(client, "13800000002").status_code == 200
    assert ask_code(client, "13800000003").status_code == 429
    assert Message.objects.count() == 2


def test_an_address_tries_only_so_many_codes(client, sms):
    sms.CITYMGMT_RATE_PHONE_CHECK = "2/h"
    ask_code(client)
    for _ in range(2):
        assert client.post("/phone/", {"phone": MINE, "code": "000000"}).status_code == 400
    response = client.post("/phone/", {"phone": MINE, "code": sent_code(MINE)})
    assert response.status_code == 429 and phones.COOKIE not in response.cookies


def test_the_verified_session_is_short(client, sms, make_ticket):
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        verify(client)
        assert client.get("/my-reports/").status_code == 200
    with time_machine.travel(now + datetime.timedelta(minutes=31), tick=False):
        assert client.get("/my-reports/").status_code == 302


def test_forgetting_the_number_ends_the_session(client, sms):
    verify(client)
    client.post("/phone/forget/")
    assert client.get("/my-reports/").status_code == 302


def test_garbage_never_fails(client, sms):
    for data in ({}, {"phone": "abc"}, {"phone": MINE, "code": "x" * 50}, {"code": "123456"}):
        assert client.post("/phone/", data).status_code in (400,)
    assert client.get("/phone/", {"next": "https://evil.example/"}).status_code == 200
    response = verify(client, next_url="https://evil.example/")
    assert response["Location"] == "/my-reports/"


def test_without_sms_there_is_no_verification(client, settings, form_data):  # noqa: F811
    settings.SMS_URL = ""
    assert client.get("/phone/").status_code == 404
    assert client.get("/my-reports/").status_code == 404
    html = client.get("/report/").content.decode()
    assert 'id="phone-verification"' not in html
    assert 'id="find-by-sms"' not in client.get("/track/").content.decode()


def test_required_verification_refuses_an_unverified_number(client, sms, form_data):  # noqa: F811
    sms.CITYMGMT_PHONE_VERIFICATION = "required"
    response = client.post("/report/", form_data)
    assert response.status_code == 400
    assert "reporter_phone" in response.context["form"].errors
    assert response.context["form"]["description"].value() == form_data["description"]
    # Without a number at all, too.
    response = client.post("/report/", {**form_data, "reporter_phone": ""})
    assert response.status_code == 400 and not Ticket.objects.exists()

    verify(client, MINE, next_url="/report/")
    assert client.post("/report/", form_data).status_code == 302
    assert Ticket.objects.get().reporter_phone == MINE


def test_optional_verification_files_either_way(client, sms, form_data):  # noqa: F811
    html = client.get("/report/").content.decode()
    assert 'id="verify-phone"' in html
    assert client.post("/report/", form_data).status_code == 302
    verify(client, MINE)
    html = client.get("/report/").content.decode()
    assert 'id="phone-verified"' in html and MINE in html  # the form starts with the number


def test_off_asks_nothing_even_with_sms(client, sms, form_data):  # noqa: F811
    sms.CITYMGMT_PHONE_VERIFICATION = "off"
    assert 'id="phone-verification"' not in client.get("/report/").content.decode()
    assert client.post("/report/", form_data).status_code == 302
    # The resident's own list still works by SMS.
    assert 'id="find-by-sms"' in client.get("/track/").content.decode()


def test_my_reports_reads_a_constant_number_of_queries(
    client, sms, make_ticket, django_assert_max_num_queries
):
    verify(client)
    for _ in range(3):
        Ticket.objects.filter(pk=make_ticket().pk).update(reporter_phone=MINE)
    with django_assert_max_num_queries(3):
        response = client.get("/my-reports/")
    assert response.content.decode().count('class="list-group-item"') == 3
