/* The open patrol: post the phone's position every few seconds while the page is open.
 *
 * On #patrol-tracker: data-points-url (POST JSON {lat, lng, accuracy, timestamp}; with the field
 * app loaded, data-api-points-url through its outbox: a point taken offline keeps its time),
 * data-interval (seconds), and the messages to show (data-recording, data-denied,
 * data-unavailable, data-offline). Without permission the patrol still works, without a track.
 * Links marked data-with-position get ?lat=&lng= of the latest fix (a finding's place).
 */
(function () {
  "use strict";
  var tracker = document.getElementById("patrol-tracker");
  if (!tracker) return;
  var status = document.getElementById("patrol-status");
  var pointsOut = document.getElementById("patrol-points");
  var distanceOut = document.getElementById("patrol-distance");
  var csrf = tracker.querySelector("[name=csrfmiddlewaretoken]").value;
  var every = Math.max(2, parseInt(tracker.dataset.interval, 10) || 45) * 1000;
  var lastSent = null;
  var STILL_MS = 5 * 60 * 1000; // standing still: one point every five minutes is enough

  function say(text, kind) {
    status.textContent = text;
    status.className = "alert py-2 small mb-2 alert-" + kind;
  }
  function mapApi() {
    var element = document.querySelector("[data-grid-map]");
    return element && element.citymgmtMap;
  }
  function withPosition(lat, lng) {
    document.querySelectorAll("a[data-with-position]").forEach(function (a) {
      var url = new URL(a.href, window.location.href);
      url.searchParams.set("lat", lat.toFixed(6));
      url.searchParams.set("lng", lng.toFixed(6));
      a.href = url.toString();
    });
  }
  function send(pos) {
    var lat = pos.coords.latitude, lng = pos.coords.longitude;
    withPosition(lat, lng);
    var same = lastSent && lastSent.lat === lat && lastSent.lng === lng;
    if (same && pos.timestamp - lastSent.at < STILL_MS) return;
    lastSent = { lat: lat, lng: lng, at: pos.timestamp };
    var outbox = window.citymgmtOutbox;
    if (outbox && tracker.dataset.apiPointsUrl) {
      // Kept on the phone with its own time until the server has it (static/js/outbox.js).
      var api = mapApi();
      if (api) api.extendTrack(lat, lng);
      outbox.add({
        url: tracker.dataset.apiPointsUrl,
        label: tracker.dataset.pointLabel,
        quiet: true,
        fields: { lat: lat, lng: lng, accuracy: pos.coords.accuracy, timestamp: Math.round(pos.timestamp) },
        csrf: csrf,
      }).then(function () {
        return navigator.onLine ? outbox.flush(csrf) : null;
      }).then(function () {
        say(navigator.onLine ? tracker.dataset.recording : tracker.dataset.offline, navigator.onLine ? "success" : "warning");
      }).catch(function () { say(tracker.dataset.offline, "warning"); });
      return;
    }
    fetch(tracker.dataset.pointsUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ lat: lat, lng: lng, accuracy: pos.coords.accuracy,
        timestamp: Math.round(pos.timestamp) }),
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (result) {
      if (!result.ok) { say(result.body.error || tracker.dataset.offline, "warning"); return; }
      if (pointsOut) pointsOut.textContent = result.body.points;
      if (distanceOut) distanceOut.textContent = (result.body.distance_m / 1000).toFixed(2);
      var api = mapApi();
      if (api) api.extendTrack(lat, lng);
      say(tracker.dataset.recording, "success");
    }).catch(function () {
      lastSent = null; // try again at the next tick
      say(tracker.dataset.offline, "warning");
    });
  }
  window.addEventListener("citymgmt-outbox", function (event) {
    var body = event.detail.body;
    if (event.detail.type !== "sent" || !body || body.points === undefined) return;
    if (pointsOut) pointsOut.textContent = body.points;
    if (distanceOut) distanceOut.textContent = (body.distance_m / 1000).toFixed(2);
  });
  function failed(error) {
    say(error && error.code === 1 ? tracker.dataset.denied : tracker.dataset.unavailable,
      "warning");
  }
  function tick() {
    navigator.geolocation.getCurrentPosition(send, failed,
      { enableHighAccuracy: true, timeout: 20000, maximumAge: 0 });
  }
  if (!navigator.geolocation) { failed(null); return; }
  tick();
  window.setInterval(tick, every);
})();
