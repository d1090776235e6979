"""GeoReport v2, after the specification's examples (wiki.open311.org/GeoReport_v2): service
discovery, the service list and definitions, POST then GET of a request, filters, tokens, and
errors as [{"code", "description"}] in JSON and in XML."""

import datetime
import xml.etree.ElementTree as ET

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from cases.models import Action, Category, Priority, Source, State, Ticket

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"


def xml(response) -> ET.Element:
    assert response["Content-Type"].startswith("text/xml")
    return ET.fromstring(response.content)


def post_request(client, api_key, fmt="json", **fields):
    data = {"api_key": api_key, "service_code": "E0102", "description": "小区门口垃圾堆积"}
    data.update(fields)
    return client.post(f"{BASE}/requests.{fmt}", {k: v for k, v in data.items() if v is not None})


# --- discovery and services --------------------------------------------------------------------


def test_discovery_lists_this_endpoint_and_its_formats(client):
    body = client.get(f"{BASE}/discovery.json").json()
    (endpoint,) = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2")
    assert set(endpoint["formats"]) == {"application/json", "text/xml"}
    root = xml(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.find("endpoints/endpoint/formats")] == [
        "application/json",
        "text/xml",
    ]


def test_service_list_has_every_active_minor_category_in_json(client, category):
    services = client.get(f"{BASE}/services.json").json()
    by_code = {s["service_code"]: s for s in services}
    minors = Category.objects.filter(is_active=True, parent__isnull=False).count()
    assert len(services) == minors
    garbage = by_code["E0102"]
    assert set(garbage) == {
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    }
    assert garbage["service_name"] == category.name
    assert garbage["type"] == "realtime"
    assert garbage["group"] == category.parent.name
    assert "C0101" in by_code  # components too


def test_service_list_in_xml_follows_the_specs_shape(client):
    root = xml(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services"
    first = root.find("service")
    assert [child.tag for child in first] == [
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    ]
    assert first.findtext("metadata") in ("true", "false")


def test_a_category_with_an_urgent_deadline_asks_whether_it_is_urgent(client, category):
    assert category.urgent_hours
    listed = {s["service_code"]: s for s in client.get(f"{BASE}/services.json").json()}
    assert listed["E0102"]["metadata"] is True
    body = client.get(f"{BASE}/services/E0102.json").json()
    assert body["service_code"] == "E0102"
    (urgent,) = body["attributes"]
    assert urgent["code"] == "urgent"
    assert urgent["datatype"] == "singlevaluelist"
    assert (urgent["variable"], urgent["required"], urgent["order"]) == (True, False, 1)
    assert [v["key"] for v in urgent["values"]] == ["yes", "no"]
    assert set(urgent) == {
        "variable",
        "code",
        "datatype",
        "required",
        "datatype_description",
        "order",
        "description",
        "values",
    }


def test_service_definition_in_xml(client, enforceable_category):
    root = xml(client.get(f"{BASE}/services/{enforceable_category.service_code}.xml"))
    assert root.tag == "service_definition"
    codes = [a.findtext("code") for a in root.find("attributes")]
    assert "shop_name" in codes


def test_an_unknown_service_code_is_a_404_in_the_error_format(client):
    response = client.get(f"{BASE}/services/E9999.json")
    assert response.status_code == 404
    assert response.json() == [{"code": 404, "description": response.json()[0]["description"]}]
    response = client.get(f"{BASE}/services/E9999.xml")
    root = xml(response)
    assert response.status_code == 404
    assert root.tag == "errors" and root.findtext("error/code") == "404"


def test_an_unknown_resource_or_format_is_a_404_error_list(client):
    response = client.get(f"{BASE}/services.yaml")
    assert response.status_code == 404
    assert response.json()[0]["code"] == 404


# --- POST then GET -----------------------------------------------------------------------------


def test_post_then_get_by_id_in_json(client, api_key, category, gulou_point):
    lat, lng = gulou_point
    response = post_request(
        client,
        api_key,
        lat=lat,
        long=lng,
        address_string="黄楼街道彭城路12号",
        first_name="女士",
        last_name="刘",
        phone="13812345678",
        email="liu@example.com",
        media_url="https://img.example.com/1.jpg",
    )
    assert response.status_code == 201, response.content
    (created,) = response.json()
    ticket = Ticket.objects.get(number=created["service_request_id"])
    assert created["token"] == ticket.tracking_code
    assert created["tracking_url"].endswith(f"/track/{ticket.tracking_code}/")
    assert created["account_id"] is None
    assert (ticket.state, ticket.source, ticket.reporter_name) == (
        State.REPORTED,
        Source.API,
        "刘 女士",
    )
    event = ticket.events.get()
    assert event.action == Action.CREATE
    assert event.data == {
        "source": "api",
        "api_client": "12345热线平台",
        "media_url": "https://img.example.com/1.jpg",
    }

    (shown,) = client.get(f"{BASE}/requests/{ticket.number}.json").json()
    assert shown["service_request_id"] == ticket.number
    assert shown["status"] == "open"
    assert shown["service_code"] == "E0102"
    assert shown["service_name"] == category.name
    assert shown["description"] == "小区门口垃圾堆积"
    assert shown["agency_responsible"] == "鼓楼执法监督一大队"
    assert shown["media_url"] == "https://img.example.com/1.jpg"
    assert (shown["lat"], shown["long"]) == (lat, lng)
    assert shown["requested_datetime"].endswith("+08:00")
    assert shown["expected_datetime"] is None
    assert set(shown) == {
        "service_request_id",
        "status",
        "status_notes",
        "service_name",
        "service_code",
        "description",
        "agency_responsible",
        "service_notice",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
        "address",
        "address_id",
        "zipcode",
        "lat",
        "long",
        "media_url",
    }
    text = str(shown)
    assert "13812345678" not in text and "刘" not in text and "liu@" not in text


def test_post_then_get_by_id_in_xml(client, api_key, gulou_point):
    response = post_request(client, api_key, fmt="xml", lat=gulou_point[0], long=gulou_point[1])
    assert response.status_code == 201
    root = xml(response)
    assert root.tag == "service_requests"
    number = root.findtext("request/service_request_id")
    assert root.findtext("request/token")
    shown = xml(client.get(f"{BASE}/requests/{number}.xml"))
    assert shown.tag == "service_requests"
    assert shown.findtext("request/service_request_id") == number
    assert shown.findtext("request/status") == "open"
    assert shown.find("request/expected_datetime").text is None


def test_a_yes_to_the_urgent_attribute_files_an_urgent_ticket(client, api_key, gulou_point):
    response = post_request(
        client, api_key, lat=gulou_point[0], long=gulou_point[1], **{"attribute[urgent]": "yes"}
    )
    ticket = Ticket.objects.get(number=response.json()[0]["service_request_id"])
    assert ticket.priority == Priority.URGENT
    assert ticket.events.get().data["attributes"] == {"urgent": "yes"}


def test_an_address_naming_a_community_is_placed_there(client, api_key, gulou_community):
    response = post_request(client, api_key, address_string="鼓楼区黄楼社区3号楼东侧")
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get(number=response.json()[0]["service_request_id"])
    assert (ticket.community, ticket.grid_cell) == (gulou_community, None)


def test_the_status_follows_the_workflow_and_the_deadline_is_expected(
    client, make_ticket, supervisor_gulou
):
    closed = make_ticket(State.CLOSED)
    dispatched = make_ticket(State.DISPATCHED)
    (row,) = client.get(f"{BASE}/requests/{closed.number}.json").json()
    assert row["status"] == "closed"
    (row,) = client.get(f"{BASE}/requests/{dispatched.number}.json").json()
    expected = timezone.localtime(dispatched.deadline).isoformat(timespec="seconds")
    assert (row["status"], row["expected_datetime"]) == ("open", expected)


def test_status_notes_are_the_latest_public_note_never_an_internal_one(client, make_ticket):
    ticket = make_ticket(State.REJECTED)
    (row,) = client.get(f"{BASE}/requests/{ticket.number}.json").json()
    assert (row["status"], row["status_notes"]) == ("closed", "无此问题")


def test_a_closed_request_was_updated_when_it_closed_not_at_the_rows_last_write(
    client, make_ticket
):
    closed, rejected = make_ticket(State.CLOSED), make_ticket(State.REJECTED)
    closed_at = datetime.datetime(2026, 11, 2, 15, 30, tzinfo=datetime.UTC)
    rejected_at = datetime.datetime(2026, 11, 3, 9, 0, tzinfo=datetime.UTC)
    Ticket.objects.filter(pk=closed.pk).update(closed_at=closed_at)
    Ticket.objects.filter(pk=rejected.pk).update(rejected_at=rejected_at)
    # A later write to the rows (a reminder flag, an erased phone) is no update of the request.
    for ticket in (closed, rejected):
        ticket.refresh_from_db()
        ticket.reporter_phone = ""
        ticket.save(update_fields=["reporter_phone", "updated_at"])
    for ticket, when in ((closed, closed_at), (rejected, rejected_at)):
        (row,) = client.get(f"{BASE}/requests/{ticket.number}.json").json()
        assert row["status"] == "closed"
        assert row["updated_datetime"] == timezone.localtime(when).isoformat(timespec="seconds")


def test_tokens_lead_to_the_service_request(client, api_key, gulou_point):
    created = post_request(client, api_key, lat=gulou_point[0], long=gulou_point[1]).json()[0]
    body = client.get(f"{BASE}/tokens/{created['token']}.json").json()
    assert body == [
        {"service_request_id": created["service_request_id"], "token": created["token"]}
    ]
    assert client.get(f"{BASE}/tokens/NOSUCHTOKEN.json").status_code == 404


# --- GET filters -------------------------------------------------------------------------------


def test_get_requests_filters_by_ids_status_code_and_dates(
    client, make_ticket, enforceable_category
):
    with time_machine.travel(timezone.now() - datetime.timedelta(days=100), tick=True):
        old = make_ticket(State.REPORTED)
    reported = make_ticket(State.REPORTED)
    closed = make_ticket(State.CLOSED)
    shop = make_ticket(State.REPORTED, category=enforceable_category)

    def ids(query: str = "") -> set[str]:
        response = client.get(f"{BASE}/requests.json?{query}")
        assert response.status_code == 200, response.content
        return {r["service_request_id"] for r in response.json()}

    assert ids() == {reported.number, closed.number, shop.number}  # last 90 days by default
    assert ids("status=open") == {reported.number, shop.number}
    assert ids("status=closed") == {closed.number}
    assert ids(f"service_code={shop.category.service_code}") == {shop.number}
    assert ids(f"service_request_id={old.number},{closed.number}") == {old.number, closed.number}
    start = (timezone.now() - datetime.timedelta(days=120)).isoformat()
    end = (timezone.now() - datetime.timedelta(days=50)).isoformat()
    assert ids(f"start_date={start}&end_date={end}".replace("+", "%2B")) == {old.number}


@pytest.mark.parametrize(
    "query",
    [
        "start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z",
        "start_date=2026-06-01T00:00:00Z&end_date=2026-01-01T00:00:00Z",
        "start_date=yesterday",
        "status=pending",
    ],
)
def test_bad_get_parameters_are_400_error_lists(client, query):
    response = client.get(f"{BASE}/requests.json?{query}")
    assert response.status_code == 400
    (error,) = response.json()
    assert error["code"] == 400 and error["description"]


def test_an_unknown_request_id_is_a_404_in_xml(client):
    response = client.get(f"{BASE}/requests/XZ20990101-0001.xml")
    assert response.status_code == 404
    assert xml(response).findtext("error/description")


# --- POST errors and keys ----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("code", ["E9999", "C0000", "E01", "X0102", "E01²2"])
def test_post_with_an_unknown_service_code_is_a_404_error_list(
    client, api_key, gulou_point, fmt, code
):
    lat, lng = gulou_point
    response = post_request(client, api_key, fmt, service_code=code, lat=lat, long=lng)
    assert response.status_code == 404, response.content
    if fmt == "json":
        (error,) = response.json()
        assert error["code"] == 404 and "service_code" in error["description"]
    else:
        assert xml(response).findtext("error/code") == "404"
    assert not Ticket.objects.exists()


def test_the_api_key_may_come_in_the_query_string_of_a_post(client, api_key, gulou_point):
    lat, lng = gulou_point
    body = {"service_code": "E0102", "description": "垃圾堆积", "lat": lat, "long": lng}
    response = client.post(f"{BASE}/requests.json?api_key={api_key}", body)
    assert response.status_code == 201, response.content
    assert Ticket.objects.get().source == Source.API
    refused = client.post(f"{BASE}/requests.json?api_key=nonsense", body)
    assert refused.status_code == 403
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("post", "services.json", "GET, HEAD"),
        ("delete", "requests/XZ20261101-0001.xml", "GET, HEAD"),
        ("put", "requests.json", "GET, POST, HEAD"),
        ("post", "discovery.xml", "GET, HEAD"),
        ("patch", "tokens/ABC.json", "GET, HEAD"),
    ],
)
def test_a_wrong_method_is_a_405_error_list_not_a_page(db, method, path, allow):
    # A real client sends no CSRF cookie: the check must not answer first with Django's page.
    strict = Client(enforce_csrf_checks=True)
    response = getattr(strict, method)(f"{BASE}/{path}")
    assert response.status_code == 405
    assert response["Allow"] == allow
    if path.endswith(".xml"):
        assert xml(response).findtext("error/code") == "405"
    else:
        assert response.json()[0]["code"] == 405


def test_a_post_to_an_unknown_resource_is_a_404_error_list(db):
    response = Client(enforce_csrf_checks=True).post(f"{BASE}/nothing.xml")
    assert response.status_code == 404
    assert xml(response).findtext("error/code") == "404"


def test_post_without_an_api_key_is_a_403(client):
    response = client.post(f"{BASE}/requests.json", {"service_code": "E0102", "lat": 34.26})
    assert response.status_code == 403
    assert response.json()[0]["code"] == 403


def test_post_with_an_unknown_key_is_a_403_in_xml(client):
    response = post_request(client, "not-a-key-at-all", fmt="xml", lat=34.26, long=117.18)
    assert response.status_code == 403
    assert xml(response).findtext("error/code") == "403"
    assert not Ticket.objects.exists()


def test_a_revoked_key_gets_a_403(client, hotline_client, gulou_point):
    from open311.services import revoke_api_client

    api_client, key = hotline_client
    assert post_request(client, key, lat=gulou_point[0], long=gulou_point[1]).status_code == 201
    revoke_api_client(client_id=api_client.pk)
    response = post_request(client, key, lat=gulou_point[0], long=gulou_point[1])
    assert response.status_code == 403
    assert client.get(f"{BASE}/services.json", {"api_key": key}).status_code == 403
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "mentions"),
    [
        ({"service_code": None, "lat": 34.26, "long": 117.18}, "service_code"),
        ({"lat": 34.26}, "long"),
        ({}, "address_string"),
        ({"lat": "north", "long": 117.18}, "lat"),
        ({"lat": 95, "long": 117.18}, "lat"),
        ({"lat": 39.9, "long": 116.4}, ""),  # Beijing: outside the city
        ({"address_string": "上海市南京东路"}, ""),  # names no community
        ({"lat": 34.26, "long": 117.18, "description": "长" * 4001}, "description"),
        ({"lat": 34.26, "long": 117.18, "media_url": "javascript:alert(1)"}, "media_url"),
        ({"address_string": "黄楼社区", "attribute[urgent]": "maybe"}, "attribute[urgent]"),
    ],
)
def test_bad_posts_are_400_error_lists_and_file_nothing(
    client, api_key, gulou_community, fields, mentions
):
    response = post_request(client, api_key, **fields)
    assert response.status_code == 400, response.content
    (error,) = response.json()
    assert error["code"] == 400
    assert mentions in error["description"]
    assert not Ticket.objects.exists()


def test_a_client_over_its_rate_gets_429s(client, db):
    from open311.services import issue_api_client

    _client, key = issue_api_client(name="测试", created_by=None, rate_limit="2/m")
    statuses = [client.get(f"{BASE}/services.json", {"api_key": key}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


@pytest.mark.parametrize("size", [1, 8])
def test_listing_requests_runs_a_constant_number_of_queries(
    client, make_ticket, django_assert_max_num_queries, size
):
    for _ in range(size):
        make_ticket(State.DISPATCHED)
    with django_assert_max_num_queries(3):  # the request's savepoint and one SELECT
        rows = client.get(f"{BASE}/requests.json").json()
    assert len(rows) == size


def test_guessing_keys_is_throttled_per_address(client, settings):
    settings.CITYMGMT_RATE_OPEN311 = "3/m"
    statuses = [
        client.post(f"{BASE}/requests.json", {"api_key": f"guess-{i}"}).status_code
        for i in range(4)
    ]
    assert statuses == [403, 403, 403, 429]
