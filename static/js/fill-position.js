// "Use my position" on a form that records where it was filled in (the check on site): the
// phone's GPS fills the form's hidden latitude and longitude inputs.
(function () {
  "use strict";
  document.querySelectorAll("[data-fill-position]").forEach(function (button) {
    var ids = button.dataset.fillPosition.split(" ");
    var lat = document.getElementById(ids[0]);
    var lng = document.getElementById(ids[1]);
    var status = document.getElementById(button.dataset.status);
    function say(text) { if (status) status.textContent = text; }
    button.addEventListener("click", function () {
      if (!navigator.geolocation || !lat || !lng) { say(button.dataset.failed); return; }
      say(button.dataset.waiting);
      navigator.geolocation.getCurrentPosition(function (pos) {
        lat.value = pos.coords.latitude.toFixed(6);
        lng.value = pos.coords.longitude.toFixed(6);
        say(button.dataset.found + " " + lat.value + ", " + lng.value);
      }, function () {
        say(button.dataset.failed);
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  });
})();
