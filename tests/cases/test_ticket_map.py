"""The ticket page's map for someone on their way there: "navigate" links that open Amap or
Baidu Maps at the pin in the coordinates each app uses, and for an officer their own position
beside the pin."""

import json
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from cases.models import State
from citymgmt.coords import wgs84_to_bd09, wgs84_to_gcj02

pytestmark = pytest.mark.django_db


def _links(html: str) -> dict[str, dict[str, str]]:
    links = {}
    for chunk in html.split('class="btn btn-sm btn-outline-primary navigate-link"')[1:]:
        app = chunk.split('data-app="')[1].split('"')[0]
        href = unescape(chunk.split('href="')[1].split('"')[0])
        links[app] = {k: v[0] for k, v in parse_qs(urlsplit(href).query).items()}
    return links


def _map_data(response) -> dict:
    html = response.content.decode()
    start = html.index('id="ticket-map-data"')
    return json.loads(html[html.index(">", start) + 1 : html.index("</script>", start)])


def test_the_assigned_officer_gets_links_shifted_for_each_map_app(client, make_ticket):
    ticket = make_ticket(State.DISPATCHED)
    client.force_login(ticket.assignee.user)
    links = _links(client.get(ticket.get_absolute_url()).content.decode())
    gcj_lat, gcj_lng = wgs84_to_gcj02(ticket.lat, ticket.lng)
    bd_lat, bd_lng = wgs84_to_bd09(ticket.lat, ticket.lng)
    assert links["amap"]["position"] == f"{gcj_lng:.6f},{gcj_lat:.6f}"
    assert links["amap"]["name"].startswith(ticket.number)
    assert links["baidu"]["location"] == f"{bd_lat:.6f},{bd_lng:.6f}"


def test_the_links_are_labelled_in_chinese_by_default(client, make_ticket):
    ticket = make_ticket(State.DISPATCHED)
    client.force_login(ticket.assignee.user)
    html = client.get(ticket.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "高德地图导航" in html
    assert "百度地图导航" in html


def test_a_ticket_without_a_point_has_no_navigate_links(client, make_ticket):
    ticket = make_ticket(State.REGISTERED)
    type(ticket).objects.filter(pk=ticket.pk).update(lat=None, lng=None)
    client.force_login(ticket.brigade.members.get(username="supervisor_gulou"))
    response = client.get(ticket.get_absolute_url())
    assert "navigate-link" not in response.content.decode()
    assert _map_data(response)["locateMe"] is False


def test_an_officers_map_shows_their_own_position_beside_the_pin(client, make_ticket):
    ticket = make_ticket(State.DISPATCHED)
    client.force_login(ticket.assignee.user)
    data = _map_data(client.get(ticket.get_absolute_url()))
    assert data["locateMe"] is True
    assert data["point"] == [ticket.lat, ticket.lng]


def test_a_supervisors_map_does_not_ask_for_their_position(client, make_ticket):
    ticket = make_ticket(State.DISPATCHED)
    client.force_login(ticket.brigade.members.get(username="supervisor_gulou"))
    assert _map_data(client.get(ticket.get_absolute_url()))["locateMe"] is False


def test_without_tiles_configured_the_map_has_a_plain_background(client, make_ticket, settings):
    ticket = make_ticket(State.DISPATCHED)
    client.force_login(ticket.assignee.user)
    data = _map_data(client.get(ticket.get_absolute_url()))
    assert data["tiles"] == []
    assert data["gcj02"] is False


def test_on_amap_tiles_the_page_is_told_to_shift_the_pin(client, make_ticket, settings):
    settings.MAP_TILE_LAYERS = [{"url": "https://webrd0{s}.is.autonavi.com/x", "maxZoom": 18}]
    settings.MAP_TILE_GCJ02 = True
    ticket = make_ticket(State.DISPATCHED)
    client.force_login(ticket.assignee.user)
    data = _map_data(client.get(ticket.get_absolute_url()))
    assert data["gcj02"] is True
    assert data["tiles"][0]["url"].startswith("https://webrd0{s}.is.autonavi.com/")
