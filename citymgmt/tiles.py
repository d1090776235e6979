"""The background tiles of every map: none (grid outlines on a plain background, as in the demo),
a preset for a provider Chinese cities use, or the operator's own tile server.

Read once by ``settings`` from ``MAP_TILES`` (``tianditu`` or ``amap``), ``TIANDITU_KEY``,
``MAP_TILE_URL``/``MAP_TILE_GCJ02`` (a server of one's own) and ``MAP_TILE_ATTRIBUTION``. The
result is a list of Leaflet tile layers, drawn in order, and whether they are in GCJ-02 (the
maps then shift our WGS84 outlines and pins onto them, ``static/js/grid-map.js``).

Attribution: both providers' terms ask that their name stay visible on the map, and a map shown
to the public in China carries the 审图号 (map approval number) its provider publishes with its
service; ``MAP_TILE_ATTRIBUTION`` adds that text (or replaces ours for a server of one's own).
"""

from typing import NamedTuple, TypedDict

from django.core.exceptions import ImproperlyConfigured

# Tianditu (天地图, the national platform): Web-Mercator ("_w", EPSG:3857) WMTS tiles on WGS84/
# CGCS2000 coordinates, which need no shift. Vector map and its annotation layer (the names).
_TIANDITU = (
    "https://t{s}.tianditu.gov.cn/%(layer)s_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER=%(layer)s&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
    "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=%(key)s"
)
TIANDITU_ATTRIBUTION = '&copy; <a href="https://www.tianditu.gov.cn/">天地图</a>'
# Amap (高德): its street map, in GCJ-02.
AMAP_URL = (
    "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
    "&x={x}&y={y}&z={z}"
)
AMAP_ATTRIBUTION = '&copy; <a href="https://www.amap.com/">高德地图</a>'

PRESETS = ("tianditu", "amap")


class TileLayer(TypedDict):
    url: str
    subdomains: str
    attribution: str
    maxZoom: int


class Tiles(NamedTuple):
    layers: list[TileLayer]
    gcj02: bool


def _attribution(ours: str, extra: str) -> str:
    return f"{ours} {extra}".strip()


def tile_layers(
    *, preset: str, tianditu_key: str, url: str, gcj02: bool, attribution: str
) -> Tiles:
    """The tile layers the settings ask for (none by default); ImproperlyConfigured, naming the
    variable, for a preset we do not know, Tianditu without its key, or a preset and a URL."""
    preset = preset.strip().lower()
    if preset and preset not in PRESETS:
        raise ImproperlyConfigured(
            f"MAP_TILES must be one of {', '.join(PRESETS)} (or empty), not {preset!r}"
        )
    if preset and url:
        raise ImproperlyConfigured("Set MAP_TILES or MAP_TILE_URL, not both")
    if preset == "tianditu":
        key = tianditu_key.strip()
        if not key:
            raise ImproperlyConfigured("MAP_TILES=tianditu needs TIANDITU_KEY (the tk= key)")
        credit = _attribution(TIANDITU_ATTRIBUTION, attribution)
        return Tiles(
            [
                TileLayer(
                    url=_TIANDITU % {"layer": layer, "key": key},
                    subdomains="01234567",
                    attribution=credit if layer == "vec" else "",
                    maxZoom=18,
                )
                for layer in ("vec", "cva")
            ],
            gcj02=False,
        )
    if preset == "amap":
        return Tiles(
            [
                TileLayer(
                    url=AMAP_URL,
                    subdomains="1234",
                    attribution=_attribution(AMAP_ATTRIBUTION, attribution),
                    maxZoom=18,
                )
            ],
            gcj02=True,
        )
    if url:
        return Tiles(
            [TileLayer(url=url, subdomains="abc", attribution=attribution.strip(), maxZoom=19)],
            gcj02=gcj02,
        )
    return Tiles([], gcj02=False)
