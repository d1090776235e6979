// The finding form: show only the fields of the chosen outcome (all stay in the form: the
// server checks).
(function () {
  "use strict";
  var form = document.getElementById("finding-form");
  if (!form) {
    return;
  }
  function show() {
    var checked = form.querySelector("input[name=outcome]:checked");
    var outcome = checked ? checked.value : "on_site";
    form.querySelectorAll("[data-outcome]").forEach(function (box) {
      box.hidden = box.dataset.outcome.split(" ").indexOf(outcome) < 0;
    });
  }
  form.querySelectorAll("input[name=outcome]").forEach(function (radio) {
    radio.addEventListener("change", show);
  });
  show();
})();
