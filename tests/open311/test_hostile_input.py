"""Open311 under hostile or careless clients: the anonymous rate limit is per resident behind
our proxy, extreme dates and control characters are 400s, XML answers stay well-formed whatever
is stored, and a point outside the city is refused whatever the address says."""

import xml.etree.ElementTree as ET

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from cases import services
from cases.models import Source, Ticket
from tests.cases.conftest import GULOU_POINT

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"
LIMIT = int(settings.CITYMGMT_RATE_OPEN311.split("/")[0])


def services_as(client, forwarded_for: str):
    return client.get(
        f"{BASE}/services.json", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded_for
    )


@pytest.fixture
def one_window():
    """The clock held still: django-ratelimit counts in fixed windows, and a loop of LIMIT
    requests on a slow machine could cross into the next one and start counting afresh."""
    with time_machine.travel(timezone.now(), tick=False):
        yield


def test_residents_behind_our_proxy_have_their_own_rate_limit(
    client, settings, category, one_window
):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(LIMIT):
        assert services_as(client, "1.1.1.1").status_code == 200
    assert services_as(client, "1.1.1.1").status_code == 429
    assert services_as(client, "2.2.2.2").status_code == 200  # same proxy, another resident


def test_without_a_trusted_proxy_a_forged_header_gets_no_fresh_bucket(
    client, settings, category, one_window
):
    settings.TRUSTED_PROXY_COUNT = 0
    for _ in range(LIMIT):
        assert services_as(client, "1.1.1.1").status_code == 200
    assert services_as(client, "2.2.2.2").status_code == 429


@pytest.mark.parametrize(
    "query",
    [
        {"end_date": "0001-01-01T00:00:00"},
        {"start_date": "9999-12-31T00:00:00"},
        {"start_date": "0001-01-01T00:00:00", "end_date": "0001-01-02T00:00:00"},
        {"start_date": "0001-01-01"},
        {"end_date": "9999-12-31T23:59:59"},
        {"start_date": "1999-12-31T00:00:00"},
        {"end_date": "2101-01-01T00:00:00"},
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_dates_outside_2000_to_2100_are_a_400_error_list(client, query, fmt):
    client.raise_request_exception = False
    response = client.get(f"{BASE}/requests.{fmt}", query, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    if fmt == "json":
        (error,) = response.json()
        assert error["code"] == 400
        assert "between the years 2000 and 2100" in error["description"]
    else:
        assert ET.fromstring(response.content).find("error/code").text == "400"


@pytest.mark.parametrize(
    "query",
    [
        {"start_date": "2000-01-01T00:00:00"},
        {"end_date": "2100-12-31T00:00:00", "start_date": "2100-10-31T00:00:00"},
    ],
)
def test_dates_at_the_edges_of_the_range_are_answered(client, query):
    assert client.get(f"{BASE}/requests.json", query).status_code == 200


def stored_with_control_characters(category) -> Ticket:
    """A ticket stored before input was checked (or by a path that does not check)."""
    return services.create_ticket(
        actor=None,
        source=Source.RESIDENT,
        category=category,
        description="垃圾\x0b堆放\x1b，\ufffe见图",
        address="彭城路\x0112号",
        lat=GULOU_POINT[0],
        lng=GULOU_POINT[1],
    )


def test_xml_answers_drop_characters_xml_cannot_carry(client, category, gulou_community):
    ticket = stored_with_control_characters(category)
    for path in (f"{BASE}/requests/{ticket.number}.xml", f"{BASE}/requests.xml"):
        root = ET.fromstring(client.get(path).content)
        assert root.find("request/description").text == "垃圾堆放，见图"
        assert root.find("request/address").text == "彭城路12号"
    (row,) = client.get(f"{BASE}/requests/{ticket.number}.json").json()
    assert row["description"] == "垃圾\x0b堆放\x1b，\ufffe见图"  # JSON carries them escaped


@pytest.mark.parametrize("field", ["description", "address_string", "first_name", "last_name"])
@pytest.mark.parametrize("bad", ["\x0b", "\x1b", "\x07", "\x0c"])
def test_control_characters_in_free_text_are_a_400(client, api_key, gulou_community, field, bad):
    data = {
        "api_key": api_key,
        "service_code": "E0102",
        "lat": GULOU_POINT[0],
        "long": GULOU_POINT[1],
        "description": "垃圾堆放",
        field: f"黄楼社区{bad}门口",
    }
    response = client.post(f"{BASE}/requests.json", data)
    assert response.status_code == 400
    assert field in response.json()[0]["description"]
    assert not Ticket.objects.exists()


def test_tabs_and_line_breaks_are_kept(client, api_key, gulou_community):
    data = {
        "api_key": api_key,
        "service_code": "E0102",
        "lat": GULOU_POINT[0],
        "long": GULOU_POINT[1],
        "description": "第一行\r\n第二行\t末尾",
    }
    assert client.post(f"{BASE}/requests.json", data).status_code == 201
    assert Ticket.objects.get().description == "第一行\r\n第二行\t末尾"


@pytest.mark.parametrize("point", [(0, 0), (39.9, 116.4)])
def test_a_point_outside_the_city_is_refused_even_if_the_address_names_a_community(
    client, api_key, gulou_community, point
):
    response = client.post(
        f"{BASE}/requests.json",
        {
            "api_key": api_key,
            "service_code": "E0102",
            "lat": point[0],
            "long": point[1],
            "address_string": "黄楼社区门口",
            "description": "垃圾",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "outside the city" in response.json()[0]["description"]
    assert not Ticket.objects.exists()


def test_without_a_point_the_address_still_places_the_request(client, api_key, gulou_community):
    response = client.post(
        f"{BASE}/requests.json",
        {
            "api_key": api_key,
            "service_code": "E0102",
            "address_string": "黄楼社区门口",
            "description": "垃圾",
        },
    )
    assert response.status_code == 201
    assert Ticket.objects.get().community == gulou_community
