/* The command centre's map of the casework (command/views.py: map_data).
 * Config (json_script named by data-source): {dataUrl, tiles, gcj02, gridZoom, pointZoom}.
 * At low zoom the server sends clusters per community or unit grid (counts by deadline colour,
 * computed in SQL); zoomed in, the tickets in view. Officers on patrol at their last position.
 * window.CommandMap.create(element, config) returns {map, refresh()} for the big screen.
 */
(function () {
  "use strict";

  var COLOURS = { red: "#dc3545", yellow: "#ffc107", green: "#198754" };

  function strings() {
    var el = document.getElementById("command-map-strings");
    return el ? el.dataset : {};
  }

  function text(tag, value, className) {
    var el = document.createElement(tag);
    el.textContent = value;
    if (className) el.className = className;
    return el;
  }

  function create(element, config) {
    var words = strings();
    var map = L.map(element, { preferCanvas: true, attributionControl: !!config.tiles,
      zoomSnap: 1 });
    if (config.tiles) L.tileLayer(config.tiles, { maxZoom: 19 }).addTo(map);
    map.setView([34.26, 117.19], 11);
    var shift = config.gcj02 && window.citymgmtToGcj02;
    function at(lat, lng) {
      if (!shift) return L.latLng(lat, lng);
      var p = window.citymgmtToGcj02(lng, lat);
      return L.latLng(p[1], p[0]);
    }
    var tickets = L.layerGroup().addTo(map);
    var officers = L.layerGroup().addTo(map);
    var status = document.getElementById(config.statusId || "map-status");
    var fitted = false;
    var pending = null;

    function clusterIcon(c) {
      var worst = c.red / c.n >= 0.2 ? "red" : (c.red + c.yellow) / c.n >= 0.2 ? "yellow" : "green";
      var size = Math.round(28 + Math.min(28, Math.log(c.n + 1) * 5));
      var box = document.createElement("div");
      box.className = "map-cluster map-cluster-" + worst;
      box.appendChild(text("span", String(c.n), "map-cluster-n"));
      if (c.red) box.appendChild(text("span", "!" + c.red, "map-cluster-red"));
      return L.divIcon({ html: box, className: "", iconSize: [size, size] });
    }

    function drawClusters(rows) {
      rows.forEach(function (c) {
        var marker = L.marker(at(c.lat, c.lng), { icon: clusterIcon(c), keyboard: false,
          title: c.label + " · " + c.n + " " + (words.tickets || "") });
        var tip = document.createElement("div");
        tip.appendChild(text("strong", c.label));
        tip.appendChild(text("div", c.n + " " + (words.tickets || "") + " · " + c.red + " " +
          (words.overdue || "") + " · " + c.yellow + " " + (words.dueSoon || "")));
        marker.bindTooltip(tip);
        marker.on("click", function () {
          var next = c.level === "grid" ? config.pointZoom : config.gridZoom;
          map.setView(at(c.lat, c.lng), Math.max(map.getZoom() + 1, next));
        });
        marker.addTo(tickets);
      });
    }

    function drawPoints(rows) {
      rows.forEach(function (p) {
        var late = p.colour === "red";
        var marker = L.circleMarker(at(p.lat, p.lng), {
          radius: late ? 8 : 6, color: late ? "#6f1d1b" : "#ffffff", weight: late ? 3 : 1,
          fillColor: COLOURS[p.colour], fillOpacity: 0.95,
          className: "map-ticket map-ticket-" + p.colour,
        });
        var pop = document.createElement("div");
        var link = text("a", p.number);
        link.href = p.url;
        pop.appendChild(link);
        pop.appendChild(text("div", p.category));
        if (p.deadline) {
          pop.appendChild(text("div", (words.deadline || "") + " " +
            p.deadline.slice(0, 16).replace("T", " ")));
        }
        marker.bindPopup(pop);
        marker.addTo(tickets);
      });
    }

    function drawOfficers(rows) {
      officers.clearLayers();
      rows.forEach(function (o) {
        var marker = L.circleMarker(at(o.lat, o.lng), { radius: 7, color: "#0b3d91", weight: 3,
          fillColor: "#6ea8fe", fillOpacity: 1, className: "map-officer" });
        var tip = document.createElement("div");
        tip.appendChild(text("strong", o.name));
        tip.appendChild(text("div", (words.positionAt || "") + " " + o.at.slice(11, 16)));
        marker.bindTooltip(tip);
        marker.addTo(officers);
      });
    }

    function query() {
      var url = new URL(config.dataUrl, window.location.href);
      url.searchParams.set("zoom", String(map.getZoom()));
      if (fitted) url.searchParams.set("bbox", map.getBounds().toBBoxString());
      return url;
    }

    function refresh() {
      if (pending) pending.abort();
      pending = new AbortController();
      return fetch(query(), { credentials: "same-origin", signal: pending.signal,
        headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
        .then(function (data) {
          tickets.clearLayers();
          if (data.mode === "points") {
            drawPoints(data.points);
          } else {
            data.clusters.forEach(function (c) { c.level = data.level; });
            drawClusters(data.clusters);
          }
          drawOfficers(data.officers);
          element.dataset.mode = data.mode;
          element.dataset.count = String((data.points || data.clusters).length);
          if (status) {
            status.textContent = data.mode === "points"
              ? (words.points || "") + (data.truncated ? " " + (words.truncated || "") : "")
              : data.level === "grid" ? (words.byGrid || "") : (words.byCommunity || "");
          }
          if (!fitted) {
            fitted = true;
            var spots = (data.clusters || data.points || []).map(function (c) {
              return at(c.lat, c.lng);
            });
            if (spots.length) map.fitBounds(L.latLngBounds(spots).pad(0.1), { maxZoom: 13 });
          }
        })
        .catch(function (error) {
          if (error.name !== "AbortError" && status) status.textContent = words.error || "";
        });
    }

    var timer = null;
    map.on("moveend", function () {
      if (!fitted) return;
      clearTimeout(timer);
      timer = setTimeout(refresh, 250);
    });
    refresh();
    return { map: map, refresh: refresh };
  }

  window.CommandMap = { create: create };
  document.querySelectorAll("[data-command-map]").forEach(function (element) {
    var config = JSON.parse(document.getElementById(element.dataset.source).textContent);
    create(element, config);
  });
})();
