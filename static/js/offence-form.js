// The enforcement panel shows only the fields of the step chosen (all stay in the form, so
// nothing is lost when the officer changes their mind).
(function () {
  "use strict";
  document.querySelectorAll("[data-offence-form]").forEach(function (form) {
    function sync() {
      var checked = form.querySelector("input[name=step]:checked");
      var step = checked ? checked.value : "";
      form.querySelectorAll("fieldset[data-for-step]").forEach(function (set) {
        set.hidden = set.getAttribute("data-for-step") !== step;
      });
    }
    form.addEventListener("change", sync);
    sync();
  });
})();
