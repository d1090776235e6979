"""Links that open the phone's map app at a point, so an officer can be guided there.

Amap (高德) and Baidu (百度) are the apps officers carry. Both web addresses open the app when it
is installed (and a map page when it is not); each wants the point in its own coordinates, so
our WGS84 is shifted on the server (``citymgmt.coords``) before it goes into the link.
"""

from typing import NamedTuple
from urllib.parse import urlencode

from django.utils.translation import gettext_lazy as _

from citymgmt.coords import wgs84_to_bd09, wgs84_to_gcj02

# Both APIs ask the caller to name itself; Baidu wants "webapp.<company>.<app>".
AMAP_SOURCE = "citymgmt"
BAIDU_SOURCE = "webapp.citymgmt.fieldapp"


class NavigateLink(NamedTuple):
    app: str  # "amap" or "baidu"
    label: str
    url: str


def amap_marker_url(lat: float, lng: float, name: str) -> str:
    """uri.amap.com's marker page at the WGS84 point, shifted to GCJ-02 (``coordinate=gaode``);
    ``callnative=1`` hands it to the Amap app when the phone has it."""
    g_lat, g_lng = wgs84_to_gcj02(lat, lng)
    query = {
        "position": f"{g_lng:.6f},{g_lat:.6f}",
        "name": name,
        "src": AMAP_SOURCE,
        "coordinate": "gaode",
        "callnative": "1",
    }
    return f"https://uri.amap.com/marker?{urlencode(query)}"


def baidu_marker_url(lat: float, lng: float, name: str) -> str:
    """api.map.baidu.com's marker page at the WGS84 point, shifted to BD-09 (``bd09ll``)."""
    b_lat, b_lng = wgs84_to_bd09(lat, lng)
    query = {
        "location": f"{b_lat:.6f},{b_lng:.6f}",
        "title": name,
        "content": name,
        "coord_type": "bd09ll",
        "output": "html",
        "src": BAIDU_SOURCE,
    }
    return f"https://api.map.baidu.com/marker?{urlencode(query)}"


def navigate_links(lat: float | None, lng: float | None, name: str) -> list[NavigateLink]:
    """The "navigate" links for a point (none without one), Amap first: most officers use it."""
    if lat is None or lng is None:
        return []
    return [
        NavigateLink("amap", str(_("Navigate with Amap")), amap_marker_url(lat, lng, name)),
        NavigateLink("baidu", str(_("Navigate with Baidu Maps")), baidu_marker_url(lat, lng, name)),
    ]
