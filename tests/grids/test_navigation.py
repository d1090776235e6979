from urllib.parse import parse_qs, urlsplit

import pytest

from citymgmt.coords import wgs84_to_bd09, wgs84_to_gcj02
from grids.navigation import amap_marker_url, baidu_marker_url, navigate_links

XUZHOU = (34.2617, 117.1843)  # WGS84, as stored


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_the_amap_link_carries_the_point_shifted_to_gcj02_in_lng_lat_order():
    url = amap_marker_url(*XUZHOU, "2026-000123")
    assert url.startswith("https://uri.amap.com/marker?")
    q = query(url)
    lat, lng = wgs84_to_gcj02(*XUZHOU)
    assert q["position"] == f"{lng:.6f},{lat:.6f}"
    assert q["position"] != f"{XUZHOU[1]:.6f},{XUZHOU[0]:.6f}"
    assert q["coordinate"] == "gaode"
    assert q["name"] == "2026-000123"
    assert q["callnative"] == "1"


def test_the_baidu_link_carries_the_point_shifted_to_bd09_in_lat_lng_order():
    url = baidu_marker_url(*XUZHOU, "黄楼社区 占道经营")
    assert url.startswith("https://api.map.baidu.com/marker?")
    q = query(url)
    lat, lng = wgs84_to_bd09(*XUZHOU)
    assert q["location"] == f"{lat:.6f},{lng:.6f}"
    assert q["coord_type"] == "bd09ll"
    assert q["title"] == "黄楼社区 占道经营"
    assert q["output"] == "html"
    assert q["src"].startswith("webapp.")


def test_a_point_outside_china_goes_into_the_links_unshifted():
    assert query(amap_marker_url(51.5007, -0.1246, "x"))["position"] == "-0.124600,51.500700"
    assert query(baidu_marker_url(51.5007, -0.1246, "x"))["location"] == "51.500700,-0.124600"


def test_a_ticket_without_a_point_has_no_navigate_links():
    assert navigate_links(None, None, "x") == []
    assert navigate_links(34.26, None, "x") == []


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_navigate_links_are_labelled_in_the_users_language(lang, settings):
    from django.utils import translation

    with translation.override(lang):
        links = navigate_links(*XUZHOU, "x")
    assert [link.app for link in links] == ["amap", "baidu"]
    assert ("高德" in links[0].label) == (lang == "zh-hans")
