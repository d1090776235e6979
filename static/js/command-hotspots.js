/* The hotspots' map (command/views.py: hotspot_list): a heat layer of the period's tickets per
 * unit grid (Leaflet.heat), and a ring on each hotspot sized by its count. */
(function () {
  "use strict";

  var element = document.querySelector("[data-hotspot-map]");
  if (!element) return;
  var config = JSON.parse(document.getElementById(element.dataset.source).textContent);
  var map = L.map(element, { attributionControl: !!config.tiles });
  if (config.tiles) L.tileLayer(config.tiles, { maxZoom: 19 }).addTo(map);
  var shift = config.gcj02 && window.citymgmtToGcj02;
  function at(lat, lng) {
    if (!shift) return [lat, lng];
    var p = window.citymgmtToGcj02(lng, lat);
    return [p[1], p[0]];
  }
  var heat = config.heat.map(function (h) { return at(h[0], h[1]).concat([h[2]]); });
  var most = heat.reduce(function (m, h) { return Math.max(m, h[2]); }, 1);
  L.heatLayer(heat, { radius: 25, blur: 18, max: most, minOpacity: 0.3 }).addTo(map);
  config.spots.forEach(function (s) {
    var label = document.createElement("span");
    label.textContent = s.label + " · " + s.n;
    L.circleMarker(at(s.lat, s.lng), { radius: 6 + Math.min(14, s.n), color: "#dc3545",
      weight: 2, fill: false, className: "hotspot-ring" }).bindTooltip(label).addTo(map);
  });
  var points = heat.map(function (h) { return [h[0], h[1]]; });
  if (points.length) {
    map.fitBounds(L.latLngBounds(points).pad(0.1), { maxZoom: 16 });
  } else {
    map.setView([34.26, 117.19], 11);
  }
})();
