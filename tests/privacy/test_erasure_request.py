"""A resident asks, with the tracking code and the phone given with the report, for their name
and phone to be removed now. The answer never tells whether the code or the number matched."""

import pytest
from django.conf import settings
from django.test import Client

from cases.models import State, Ticket
from privacy.models import ErasedContact, ErasureReason
from tests.celery.conftest import redis_unreachable

ERASE = "/track/erase/"
DONE = "/track/erase/done/"


def ask(client: Client, code: str, phone: str, confirm: bool = True):
    data = {"code": code, "phone": phone}
    if confirm:
        data["confirm"] = "on"
    return client.post(ERASE, data)


def contact(ticket: Ticket) -> tuple[str, str]:
    ticket.refresh_from_db()
    return ticket.reporter_name, ticket.reporter_phone


def test_the_right_code_and_phone_remove_the_name_and_phone_and_keep_the_ticket(
    english, make_ticket
):
    ticket = make_ticket(State.CLOSED)
    events, photos = ticket.events.count(), ticket.photos.count()

    response = ask(english, ticket.tracking_code, "13812345678")

    assert response.status_code == 302 and response["Location"] == DONE
    assert contact(ticket) == ("", "")
    erasure = ErasedContact.objects.get(ticket=ticket)
    assert erasure.reason == ErasureReason.REQUEST and erasure.originals_removed_at is None
    assert ticket.state == State.CLOSED and ticket.description
    assert (ticket.events.count(), ticket.photos.count()) == (events, photos)
    assert all(p.image for p in ticket.photos.all())


def test_the_confirmation_says_what_happened_without_saying_whether_it_matched(db, english):
    html = english.get(DONE).content.decode()
    assert "If the tracking code and the mobile number match a report" in html


@pytest.mark.parametrize(
    ("code", "phone"),
    [
        ("right", "13900000000"),  # wrong phone
        ("ABCDEFGHJK", "13812345678"),  # wrong code
        ("right", "5678"),  # the last digits are not the number
    ],
    ids=["wrong-phone", "wrong-code", "partial-phone"],
)
def test_a_wrong_code_or_phone_gets_the_same_answer_and_changes_nothing(
    english, make_ticket, code, phone
):
    ticket = make_ticket(State.IN_PROGRESS)
    code = ticket.tracking_code if code == "right" else code
    response = ask(english, code, phone)
    if phone == "5678":
        assert response.status_code == 400  # not a mobile number: a form error, no lookup
    else:
        assert response.status_code == 302 and response["Location"] == DONE
    assert contact(ticket) == ("刘女士", "13812345678")
    assert not ErasedContact.objects.exists()


def test_the_code_and_phone_may_be_typed_as_read_out(english, make_ticket):
    ticket = make_ticket(State.REPORTED)
    code = ticket.tracking_code
    ask(english, f" {code[:5].lower()}-{code[5:]} ", "+86 138-1234-5678")
    assert contact(ticket) == ("", "")


def test_without_the_confirmation_nothing_is_removed(english, make_ticket):
    ticket = make_ticket(State.REPORTED)
    response = ask(english, ticket.tracking_code, "13812345678", confirm=False)
    assert response.status_code == 400
    assert "Please tick to confirm." in response.content.decode()
    assert f'value="{ticket.tracking_code}"' in response.content.decode()  # kept as typed
    assert contact(ticket) == ("刘女士", "13812345678")


def test_asking_twice_is_harmless(english, make_ticket):
    ticket = make_ticket(State.REPORTED)
    ask(english, ticket.tracking_code, "13812345678")
    response = ask(english, ticket.tracking_code, "13812345678")
    assert response.status_code == 302
    assert ErasedContact.objects.filter(ticket=ticket).count() == 1


def test_a_ticket_without_a_phone_cannot_be_erased_by_an_empty_phone(english, make_ticket):
    ticket = make_ticket(State.REPORTED)
    Ticket.objects.filter(pk=ticket.pk).update(reporter_phone="")
    assert ask(english, ticket.tracking_code, "").status_code == 400
    assert contact(ticket) == ("刘女士", "")


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"code": "\x00", "phone": "\x00", "confirm": "on"},
        {"code": "x" * 5000, "phone": "1" * 500, "confirm": "on"},
        {"code": "ＡＢＣ", "phone": "１３８１２３４５６７８", "confirm": "yes"},
        {"code": "../../etc", "phone": "13812345678' OR 1=1 --", "confirm": "on"},
        {"code": ["a", "b"], "phone": "13812345678", "confirm": "on"},
        {"code": "!!!", "phone": "13812345678", "confirm": "on"},
    ],
)
def test_garbage_input_is_a_form_error_never_a_500(english, make_ticket, data):
    ticket = make_ticket(State.REPORTED)
    response = english.post(ERASE, data)
    assert response.status_code in (302, 400)
    assert contact(ticket) == ("刘女士", "13812345678")


def test_garbage_in_the_links_code_is_ignored(db, english):
    for code in ("\x00", "x" * 3000, "<script>", "ＡＢＣ"):
        response = english.get(ERASE, {"code": code})
        assert response.status_code == 200
        assert "<script>" not in response.content.decode()


def test_requests_are_rate_limited_per_address(make_ticket):
    ticket = make_ticket(State.REPORTED)
    client = Client(REMOTE_ADDR="203.0.113.60", HTTP_ACCEPT_LANGUAGE="en")
    limit = int(settings.CITYMGMT_RATE_ERASURE.split("/")[0])
    for i in range(limit):
        ask(client, ticket.tracking_code, f"139{i:08d}")
    response = ask(client, ticket.tracking_code, "13812345678")
    assert response.status_code == 429  # even the right number, once over the limit
    assert "Too many requests" in response.content.decode()
    assert contact(ticket) == ("刘女士", "13812345678")
    other = Client(REMOTE_ADDR="203.0.113.61", HTTP_ACCEPT_LANGUAGE="en")
    assert ask(other, ticket.tracking_code, "13812345678").status_code == 302
    assert contact(ticket) == ("", "")


def test_requests_are_refused_while_the_rate_limit_cache_is_unreachable(make_ticket):
    ticket = make_ticket(State.CLOSED)
    client = Client(REMOTE_ADDR="203.0.113.61", HTTP_ACCEPT_LANGUAGE="en")
    with redis_unreachable():
        response = ask(client, ticket.tracking_code, "13812345678")
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert "paused for a moment" in response.content.decode()
    assert contact(ticket) != ("", "")


def test_the_tracking_page_links_to_the_request_with_its_code(english, make_ticket):
    ticket = make_ticket(State.REPORTED)
    html = english.get(f"/track/{ticket.tracking_code}/").content.decode()
    assert f"/track/erase/?code={ticket.tracking_code}" in html
    form = english.get(ERASE, {"code": ticket.tracking_code}).content.decode()
    assert f'value="{ticket.tracking_code}"' in form


def test_the_link_goes_once_the_contact_is_removed(english, make_ticket):
    ticket = make_ticket(State.REPORTED)
    ask(english, ticket.tracking_code, "13812345678")
    html = english.get(f"/track/{ticket.tracking_code}/").content.decode()
    assert "/track/erase/" not in html


def test_the_supervisor_sees_that_the_reporter_asked(english, make_ticket, supervisor_gulou):
    ticket = make_ticket(State.REPORTED)
    ask(english, ticket.tracking_code, "13812345678")
    english.force_login(supervisor_gulou)
    html = english.get(ticket.get_absolute_url()).content.decode()
    assert "Contact details removed at the reporter's request" in html


def test_the_page_is_chinese_by_default(db, client):
    html = client.get(ERASE).content.decode()
    assert 'lang="zh-hans"' in html


@pytest.mark.parametrize("stored", ["+86 138-1234-5678", "138 1234 5678", "8613812345678"])
def test_a_phone_stored_as_an_open311_client_sent_it_still_matches(english, make_ticket, stored):
    ticket = make_ticket(State.CLOSED)
    Ticket.objects.filter(pk=ticket.pk).update(reporter_phone=stored)
    ask(english, ticket.tracking_code, "13812345678")
    assert contact(ticket) == ("", "")


def test_a_different_number_with_the_same_last_digits_does_not_match(english, make_ticket):
    ticket = make_ticket(State.CLOSED)
    ask(english, ticket.tracking_code, "13912345678")
    assert contact(ticket) == ("刘女士", "13812345678")


def test_erasure_also_removes_the_e_mail_and_the_numbers_messages_were_sent_to(
    english, make_ticket, settings, tmp_path
):
    from messaging.models import ReporterContact
    from outbox.models import Message, Status
    from tests.messaging.conftest import seed_templates

    seed_templates()
    settings.SMS_URL = f"file://{tmp_path}"
    ticket = make_ticket(State.DISPATCHED)  # two updates queued to 13812345678
    ReporterContact.objects.create(ticket=ticket, email="liu@example.org")

    ask(english, ticket.tracking_code, "13812345678")

    assert ReporterContact.objects.get(ticket=ticket).email == ""
    messages = Message.objects.filter(ref=f"ticket:{ticket.pk}")
    assert messages.count() == 2
    assert set(messages.values_list("target", "status")) == {("", Status.CANCELLED)}
