// Small behaviours of every page, here rather than in on...= attributes, which the
// Content-Security-Policy forbids.
(function () {
  "use strict";
  // <select data-autosubmit>: choosing an option sends its form (the language switcher).
  document.addEventListener("change", function (event) {
    var select = event.target.closest && event.target.closest("[data-autosubmit]");
    if (select && select.form) {
      select.form.submit();
    }
  });
  // <button data-print>: print the page (contact cards, pledges, problem lists).
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) {
      window.print();
    }
  });
})();
