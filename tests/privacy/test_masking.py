"""Reporters' names and phones are shown in full only to those who may call the reporter back
(the brigade's supervisors, the command centre, the assigned officer); everyone else who may see
the ticket gets 刘** / 138****5678, on every page and answer."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from cases.contacts import can_see_contact
from cases.models import State
from citymgmt.masking import mask_name, mask_phone
from tests.factories import UserFactory

FULL_NAME, FULL_PHONE = "刘女士", "13812345678"
MASKED_NAME, MASKED_PHONE = "刘**", "138****5678"


def signed_in(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("name", "masked"),
    [("刘女士", "刘**"), ("欧阳建国", "欧***"), ("王", "*"), ("", ""), ("  张三 ", "张*")],
)
def test_a_name_keeps_only_its_first_character(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("phone", "masked"), [("13812345678", "138****5678"), ("+8613812345678", "+86*******5678")]
)
def test_a_phone_keeps_its_first_three_and_last_four_digits(phone, masked):
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [("83721234", "****1234"), ("1234567", "*****67"), ("12345", "***45"), ("1234", "****")],
)
def test_a_short_number_keeps_at_most_half_its_digits(phone, masked):
    assert mask_phone(phone) == masked
    assert sum(c != "*" for c in masked) <= len(phone) // 2


# --- who sees what: the policy, then each page and answer -------------------------------------

# (fixture, state of a 鼓楼 ticket, sees in full?)
CAST = [
    ("supervisor_gulou", State.REPORTED, True),
    ("command_supervisor", State.REPORTED, True),
    ("officer_gulou", State.IN_PROGRESS, True),  # the assigned officer
    ("officer_gulou_colleague", State.IN_PROGRESS, False),  # same grids, not assigned
    ("officer_gulou", State.REGISTERED, False),  # their grid, not (yet) their ticket
    ("handler_sanitation", State.REFERRED, False),  # works on it, does not call residents
    ("assessor", State.REPORTED, False),
]
IDS = [f"{name}-{state}" for name, state, _full in CAST]


@pytest.mark.parametrize(("who", "state", "full"), CAST, ids=IDS)
def test_the_policy_names_who_may_call_the_reporter_back(request, make_ticket, who, state, full):
    ticket = make_ticket(state)
    assert can_see_contact(request.getfixturevalue(who), ticket) is full


def test_the_other_brigades_supervisor_may_not_see_the_contact(make_ticket, supervisor_quanshan):
    assert can_see_contact(supervisor_quanshan, make_ticket(State.REPORTED)) is False


def test_the_public_may_not_see_the_contact(make_ticket):
    assert can_see_contact(AnonymousUser(), make_ticket(State.REPORTED)) is False


@pytest.mark.parametrize(("who", "state", "full"), CAST, ids=IDS)
def test_the_ticket_page_shows_the_contact_as_the_policy_says(
    request, make_ticket, who, state, full
):
    ticket = make_ticket(state)
    page = signed_in(request.getfixturevalue(who)).get(ticket.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    if full:
        assert FULL_NAME in html and f'href="tel:{FULL_PHONE}"' in html
    else:
        assert FULL_NAME not in html and FULL_PHONE not in html
        assert MASKED_NAME in html and MASKED_PHONE in html


def test_the_queue_shows_only_masked_phones_even_to_the_supervisor(make_ticket, supervisor_gulou):
    make_ticket(State.REPORTED)
    html = signed_in(supervisor_gulou).get("/cases/").content.decode()
    assert MASKED_PHONE in html
    assert FULL_PHONE not in html and FULL_NAME not in html


def test_my_tasks_show_no_full_contact_to_the_assigned_officer(make_ticket, officer_gulou):
    make_ticket(State.IN_PROGRESS)
    html = signed_in(officer_gulou).get("/cases/mine/").content.decode()
    assert FULL_PHONE not in html and FULL_NAME not in html


@pytest.mark.parametrize(("who", "state", "full"), CAST, ids=IDS)
def test_the_api_detail_and_list_show_the_contact_as_the_policy_says(
    request, make_ticket, who, state, full
):
    ticket = make_ticket(state)
    client = signed_in(request.getfixturevalue(who))
    row = client.get(f"/api/v1/tickets/{ticket.number}/").json()
    listed = client.get("/api/v1/tickets/", {"status": "all"}).json()["results"]
    assert [t["number"] for t in listed] == [ticket.number]
    expected = (FULL_NAME, FULL_PHONE) if full else (MASKED_NAME, MASKED_PHONE)
    assert (row["reporter_name"], row["reporter_phone"]) == expected
    assert (listed[0]["reporter_name"], listed[0]["reporter_phone"]) == expected


def test_the_api_list_asks_the_same_queries_for_one_row_or_many(
    make_ticket, supervisor_gulou, officer_gulou, django_assert_max_num_queries
):
    """Masking decides per row from what the row and the user already hold: no query a row."""
    make_ticket(State.IN_PROGRESS)
    client = signed_in(officer_gulou)
    with django_assert_max_num_queries(12) as one:
        client.get("/api/v1/tickets/", {"status": "all"})
    for _i in range(4):
        make_ticket(State.IN_PROGRESS)
    with django_assert_max_num_queries(len(one.captured_queries)):
        rows = client.get("/api/v1/tickets/", {"status": "all"}).json()["results"]
    assert len(rows) == 5 and {r["reporter_phone"] for r in rows} == {FULL_PHONE}


def test_open311_never_shows_the_reporters_name_or_phone(client, make_ticket):
    ticket = make_ticket(State.IN_PROGRESS)
    for url in ("/open311/v2/requests.json", f"/open311/v2/requests/{ticket.number}.json"):
        body = client.get(url).content.decode()
        assert ticket.number in body
        assert FULL_PHONE not in body and FULL_NAME not in body and MASKED_PHONE not in body


def test_the_admin_shows_the_assessor_a_masked_contact(make_ticket, assessor):
    ticket = make_ticket(State.REPORTED)
    html = signed_in(assessor).get(f"/admin/cases/ticket/{ticket.pk}/change/").content.decode()
    assert MASKED_NAME in html and MASKED_PHONE in html
    assert FULL_PHONE not in html and FULL_NAME not in html


def test_the_admin_shows_a_superuser_the_full_contact(make_ticket):
    ticket = make_ticket(State.REPORTED)
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    html = signed_in(admin).get(f"/admin/cases/ticket/{ticket.pk}/change/").content.decode()
    assert FULL_NAME in html and FULL_PHONE in html


@pytest.mark.parametrize(
    "query",
    [
        "reporter_phone=13812345678",
        "reporter_phone__startswith=13812",
        "reporter_name__startswith=刘",
        "reporter__username=resident",
    ],
)
def test_the_admin_list_cannot_be_filtered_on_the_reporters_contact(make_ticket, assessor, query):
    make_ticket(State.CLOSED)
    response = signed_in(assessor).get(f"/admin/cases/ticket/?{query}")
    assert response.status_code == 400
