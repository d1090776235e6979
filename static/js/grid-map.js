/* Draw unit-grid outlines with Leaflet. Data comes from a json_script element:
 *   {"cells": FeatureCollection (WGS84), "tiles": "" | url template, "gcj02": bool}
 * With no tile server (the offline default) the polygons sit on a plain background. Chinese
 * tile sources use GCJ-02, so coordinates are shifted when the configured source says so.
 */
(function () {
  "use strict";

  function outOfChina(lng, lat) {
    return lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271;
  }
  function transformLat(x, y) {
    var r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3;
    r += (20 * Math.sin(y * Math.PI) + 40 * Math.sin(y / 3 * Math.PI)) * 2 / 3;
    r += (160 * Math.sin(y / 12 * Math.PI) + 320 * Math.sin(y * Math.PI / 30)) * 2 / 3;
    return r;
  }
  function transformLng(x, y) {
    var r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3;
    r += (20 * Math.sin(x * Math.PI) + 40 * Math.sin(x / 3 * Math.PI)) * 2 / 3;
    r += (150 * Math.sin(x / 12 * Math.PI) + 300 * Math.sin(x / 30 * Math.PI)) * 2 / 3;
    return r;
  }
  // WGS84 -> GCJ-02 (the published approximation used by Chinese map providers).
  function toGcj02(lng, lat) {
    if (outOfChina(lng, lat)) return [lng, lat];
    var a = 6378245.0, ee = 0.00669342162296594323;
    var dLat = transformLat(lng - 105, lat - 35), dLng = transformLng(lng - 105, lat - 35);
    var radLat = lat / 180 * Math.PI, magic = Math.sin(radLat);
    magic = 1 - ee * magic * magic;
    var sqrtMagic = Math.sqrt(magic);
    dLat = (dLat * 180) / ((a * (1 - ee)) / (magic * sqrtMagic) * Math.PI);
    dLng = (dLng * 180) / (a / sqrtMagic * Math.cos(radLat) * Math.PI);
    return [lng + dLng, lat + dLat];
  }

  function draw(element) {
    var config = JSON.parse(document.getElementById(element.dataset.source).textContent);
    var map = L.map(element, { zoomControl: true, attributionControl: !!config.tiles });
    if (config.tiles) {
      L.tileLayer(config.tiles, { maxZoom: 19 }).addTo(map);
    }
    var layer = L.geoJSON(config.cells, {
      coordsToLatLng: function (c) {
        var p = config.gcj02 ? toGcj02(c[0], c[1]) : c;
        return L.latLng(p[1], p[0]);
      },
      style: { color: "#1d4f86", weight: 2, fillColor: "#2f6fb3", fillOpacity: 0.12 },
      onEachFeature: function (feature, l) {
        l.bindTooltip(feature.properties.label, { permanent: true, direction: "center",
          className: "grid-label" });
      },
    }).addTo(map);
    if (layer.getLayers().length) {
      map.fitBounds(layer.getBounds(), { padding: [12, 12] });
    } else {
      map.setView([34.26, 117.18], 12);
    }
  }

  document.querySelectorAll("[data-grid-map]").forEach(draw);
})();
