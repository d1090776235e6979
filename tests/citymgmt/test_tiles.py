"""Map backgrounds from the settings (citymgmt/tiles.py): none by default, a Tianditu or Amap
preset, or a tile server of one's own; a wrong combination stops the process naming the
variable."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from citymgmt.tiles import tile_layers


def tiles(**given):
    values = {"preset": "", "tianditu_key": "", "url": "", "gcj02": False, "attribution": ""}
    return tile_layers(**{**values, **given})


def test_nothing_set_draws_a_plain_background():
    assert tiles() == ([], False)


def test_tianditu_draws_its_vector_map_and_names_with_the_key_in_web_mercator():
    layers, gcj02 = tiles(preset="tianditu", tianditu_key="abc123")
    assert gcj02 is False  # Tianditu is on WGS84/CGCS2000: nothing to shift
    vector, names = layers
    assert "/vec_w/wmts?" in vector["url"] and "LAYER=vec" in vector["url"]
    assert "/cva_w/wmts?" in names["url"] and "LAYER=cva" in names["url"]
    assert all("TILEMATRIXSET=w" in layer["url"] for layer in layers)
    assert all(layer["url"].endswith("&tk=abc123") for layer in layers)
    assert all(layer["url"].startswith("https://t{s}.tianditu.gov.cn/") for layer in layers)
    assert "天地图" in vector["attribution"]


def test_tianditu_without_its_key_stops_the_process():
    with pytest.raises(ImproperlyConfigured, match="TIANDITU_KEY"):
        tiles(preset="tianditu")


def test_amap_is_drawn_in_gcj02_so_our_points_are_shifted_onto_it():
    (layer,), gcj02 = tiles(preset="AMap ")
    assert gcj02 is True
    assert layer["url"].startswith("https://webrd0{s}.is.autonavi.com/appmaptile?")
    assert layer["subdomains"] == "1234"
    assert "高德" in layer["attribution"]


def test_the_map_approval_number_is_added_to_the_credit_line():
    (layer,), _ = tiles(preset="amap", attribution="审图号：GS(2099)0001号")
    assert layer["attribution"].endswith("审图号：GS(2099)0001号")
    assert "高德" in layer["attribution"]


def test_a_tile_server_of_ones_own_keeps_its_gcj02_switch():
    (layer,), gcj02 = tiles(url="https://tiles.example.cn/{z}/{x}/{y}.png", gcj02=True)
    assert layer["url"] == "https://tiles.example.cn/{z}/{x}/{y}.png"
    assert gcj02 is True


def test_an_unknown_preset_stops_the_process_naming_the_variable():
    with pytest.raises(ImproperlyConfigured, match="MAP_TILES must be one of tianditu, amap"):
        tiles(preset="google")


def test_a_preset_and_a_url_together_stop_the_process():
    with pytest.raises(ImproperlyConfigured, match="not both"):
        tiles(preset="amap", url="https://tiles.example.cn/{z}/{x}/{y}.png")
