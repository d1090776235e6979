/* Draw unit-grid outlines with Leaflet. Data comes from a json_script element:
 *   {"cells": FeatureCollection (WGS84), "tiles": [{url, subdomains, attribution, maxZoom}],
 *    "gcj02": bool}
 * With no tile layer (the offline default) the polygons sit on a plain background. Chinese
 * tile sources use GCJ-02, so coordinates are shifted when the configured source says so
 * (citymgmt/tiles.py; the same formula as citymgmt/coords.py, which the navigate links use).
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

  // GCJ-02 -> WGS84 by one fixed-point step: metres of error, enough for a tapped pin.
  function fromGcj02(lng, lat) {
    var g = toGcj02(lng, lat);
    return [lng - (g[0] - lng), lat - (g[1] - lat)];
  }

  /* Options in the config besides cells/tiles/gcj02:
   *   point: [lat, lng] or null  a marker where the problem is
   * and on the element: data-pick-lat / data-pick-lng name inputs that a tap on the map fills
   * (WGS84, 6 decimals); the inputs then fire "change" so a form can react.
   */
  // Leaflet puts a string tooltip in as HTML; names and labels are text, so pass an element.
  function asText(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }

  function draw(element) {
    var config = JSON.parse(document.getElementById(element.dataset.source).textContent);
    var features = (config.cells && config.cells.features) || [];
    // Thousands of outlines (a whole city) draw faster on canvas; a few stay SVG paths.
    // Tile layers in order (Tianditu: the vector map, then its names on top); a bare URL
    // template is one layer.
    var tiles = typeof config.tiles === "string" ? (config.tiles ? [{ url: config.tiles }] : [])
      : (config.tiles || []);
    var map = L.map(element, { zoomControl: true, attributionControl: tiles.length > 0,
      preferCanvas: features.length + (config.markers || []).length > 300 });
    if (map.attributionControl) map.attributionControl.setPrefix(false);
    tiles.forEach(function (t) {
      L.tileLayer(t.url, { maxZoom: t.maxZoom || 19, subdomains: t.subdomains || "abc",
        attribution: t.attribution || "" }).addTo(map);
    });
    function toMap(lat, lng) {
      var p = config.gcj02 ? toGcj02(lng, lat) : [lng, lat];
      return L.latLng(p[1], p[0]);
    }
    var layer = L.geoJSON(config.cells, {
      coordsToLatLng: function (c) { return toMap(c[1], c[0]); },
      style: { color: "#1d4f86", weight: 2, fillColor: "#2f6fb3", fillOpacity: 0.12 },
      onEachFeature: function (feature, l) {
        // Permanent labels only where they stay readable; declutter() hides those that collide.
        l.bindTooltip(asText(feature.properties.label), { permanent: features.length <= 60,
          direction: "center", className: "grid-label" });
      },
    }).addTo(map);
    var pins = [];  // circle markers that no grid label may cover (the problem's, the findings')
    // Grid labels must not pile on each other or on a pin (two communities on a phone): in
    // feature order, a label is shown only if its box is clear of every label already shown and
    // of every pin; run again whenever the zoom, the cells or the pin change.
    function declutter() {
      var origin = element.getBoundingClientRect();
      var taken = pins.filter(function (p) { return map.hasLayer(p); }).map(function (p) {
        var c = map.latLngToContainerPoint(p.getLatLng()), r = p.getRadius() + 2;
        return { left: c.x - r, top: c.y - r, right: c.x + r, bottom: c.y + r };
      });
      function clashes(a) {
        return taken.some(function (b) {
          return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
        });
      }
      layer.eachLayer(function (l) {
        var tip = l.getTooltip(), label = tip && tip.options.permanent && tip.getElement();
        if (!label) return;
        label.classList.remove("grid-label-hidden");
        var r = label.getBoundingClientRect();
        var box = { left: r.left - origin.left, top: r.top - origin.top,
          right: r.right - origin.left, bottom: r.bottom - origin.top };
        if (clashes(box)) label.classList.add("grid-label-hidden");
        else taken.push(box);
      });
    }
    // A phone turned sideways resizes the map without a zoom: labels are laid out again.
    map.on("zoomend resize", declutter);
    // Patrol tracks (lines, one colour per officer) and findings (markers), when given:
    //   tracks: [{officer, open, points: [[lat, lng], …]}], markers: [{number, url, lat, lng, on_site}]
    // They are added once the view is set (Leaflet projects vector layers on add).
    var colours = ["#d63384", "#fd7e14", "#6f42c1", "#198754", "#0dcaf0", "#b02a37"];
    var lines = (config.tracks || []).map(function (t, i) {
      var line = L.polyline(t.points.map(function (p) { return toMap(p[0], p[1]); }),
        { color: colours[i % colours.length], weight: 4, opacity: 0.9, className: "patrol-track" });
      if (t.officer) line.bindTooltip(asText(t.officer), { sticky: true });
      return line;
    });
    var findings = (config.markers || []).map(function (m) {
      var marker = L.circleMarker(toMap(m.lat, m.lng), { radius: 7, weight: 2,
        color: m.on_site ? "#146c43" : "#b02a37", fillColor: m.on_site ? "#20c997" : "#dc3545",
        fillOpacity: 0.85, className: "finding-marker", pane: "pin" });
      pins.push(marker);
      var link = document.createElement("a");
      link.href = m.url; link.textContent = m.number;
      marker.bindPopup(link);
      return marker;
    });
    // The view must be set before a marker is added (it is projected on add).
    var bounds = layer.getLayers().length ? layer.getBounds() : null;
    lines.forEach(function (l) {
      var b = l.getLatLngs().length ? l.getBounds() : null;
      if (b && b.isValid()) bounds = bounds ? bounds.extend(b) : b;
    });
    findings.forEach(function (m) {
      bounds = bounds ? bounds.extend(m.getLatLng()) : L.latLngBounds([m.getLatLng(), m.getLatLng()]);
    });
    if (bounds && bounds.isValid()) {
      map.fitBounds(bounds, { padding: [16, 16], maxZoom: 18 });
    } else {
      map.setView([34.26, 117.18], 12);
    }
    // The pin gets its own pane above the grid labels (tooltips sit at z-index 650).
    map.createPane("pin").style.zIndex = 660;
    lines.forEach(function (l) { l.addTo(map); });
    findings.forEach(function (m) { m.addTo(map); });
    var marker = null;
    function place(lat, lng) {
      if (marker) {
        marker.setLatLng(toMap(lat, lng));
      } else {
        marker = L.circleMarker(toMap(lat, lng), { radius: 9, color: "#b02a37", weight: 3,
          fillColor: "#dc3545", fillOpacity: 0.85, className: "problem-marker", pane: "pin" })
          .addTo(map);
        pins.push(marker);
      }
      declutter();
    }
    if (config.point) place(config.point[0], config.point[1]);
    declutter();

    // The officer on a task: their own position (from the phone, never sent) beside the task's
    // pin, and the view kept on both: whenever either leaves it, the map fits them again.
    var me = null;
    function showMe(lat, lng) {
      var at = toMap(lat, lng);
      if (me) {
        me.setLatLng(at);
      } else {
        me = L.circleMarker(at, { radius: 7, color: "#0b5ed7", weight: 3, fillColor: "#6ea8fe",
          fillOpacity: 0.9, className: "me-marker", pane: "pin" }).addTo(map);
        if (config.meLabel) me.bindTooltip(asText(config.meLabel));
        pins.push(me);
      }
      var both = marker ? L.latLngBounds([at, marker.getLatLng()]) : L.latLngBounds([at, at]);
      var view = map.getBounds().pad(-0.05);
      if (!view.contains(both)) {
        map.fitBounds(both, { padding: [32, 32], maxZoom: 17 });
      }
      element.dataset.meShown = "1";
      declutter();
    }
    if (config.locateMe && navigator.geolocation) {
      navigator.geolocation.watchPosition(function (pos) {
        showMe(pos.coords.latitude, pos.coords.longitude);
      }, function () { /* no permission or no fix: the task's pin alone */ },
      { enableHighAccuracy: true, timeout: 20000, maximumAge: 30000 });
    }

    var latInput = element.dataset.pickLat && document.getElementById(element.dataset.pickLat);
    var lngInput = element.dataset.pickLng && document.getElementById(element.dataset.pickLng);
    if (latInput && lngInput) {
      element.classList.add("pickable");
      map.on("click", function (e) {
        var w = config.gcj02 ? fromGcj02(e.latlng.lng, e.latlng.lat) : [e.latlng.lng, e.latlng.lat];
        latInput.value = w[1].toFixed(6);
        lngInput.value = w[0].toFixed(6);
        place(w[1], w[0]);
        latInput.dispatchEvent(new Event("change", { bubbles: true }));
      });
    }
    // The live patrol: patrol.js extends the officer's own (first) track as positions come in.
    function extendTrack(lat, lng) {
      if (!lines.length) {
        lines.push(L.polyline([], { color: colours[0], weight: 4, opacity: 0.9,
          className: "patrol-track" }).addTo(map));
      }
      lines[0].addLatLng(toMap(lat, lng));
      place(lat, lng);
      if (!map.getBounds().contains(toMap(lat, lng))) map.panTo(toMap(lat, lng));
    }
    element.citymgmtMap = { map: map, place: place, extendTrack: extendTrack, showMe: showMe };

    // Choosing a community draws its grids and moves the map there (a whole city is too many
    // outlines to send up front).
    var communitySelect = element.dataset.communitySelect &&
      document.getElementById(element.dataset.communitySelect);
    if (communitySelect && config.communityCellsUrl) {
      communitySelect.addEventListener("change", function () {
        if (!communitySelect.value) return;
        fetch(config.communityCellsUrl.replace("/0/", "/" + communitySelect.value + "/"),
              { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (cells) {
            if (!cells || !cells.features.length) return;
            layer.clearLayers();
            layer.addData(cells);
            map.fitBounds(layer.getBounds(), { padding: [16, 16], maxZoom: 18 });
            declutter();  // fitBounds may leave the zoom as it was: no zoomend
          });
      });
    }

    // "Use my position": the phone's GPS fills the same inputs a tap would.
    var locateButton = document.getElementById("use-my-position");
    if (locateButton && latInput && lngInput) {
      var status = document.getElementById("where-text");
      locateButton.addEventListener("click", function () {
        if (!navigator.geolocation) { if (status) status.textContent = locateButton.dataset.failed; return; }
        if (status) status.textContent = locateButton.dataset.waiting;
        navigator.geolocation.getCurrentPosition(function (pos) {
          latInput.value = pos.coords.latitude.toFixed(6);
          lngInput.value = pos.coords.longitude.toFixed(6);
          place(pos.coords.latitude, pos.coords.longitude);
          map.setView(toMap(pos.coords.latitude, pos.coords.longitude), 17);
          latInput.dispatchEvent(new Event("change", { bubbles: true }));
        }, function () {
          if (status) status.textContent = locateButton.dataset.failed;
        }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
      });
    }
  }

  // The command centre's maps (command-map.js) place their points the same way.
  window.citymgmtToGcj02 = toGcj02;
  document.querySelectorAll("[data-grid-map]").forEach(draw);
})();
