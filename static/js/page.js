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
  // <select data-reply-target="id">: a reply template fills the note it names with its text
  // (each option's data-reply); the note stays editable. Without JavaScript the server does it.
  document.addEventListener("change", function (event) {
    var select = event.target.closest && event.target.closest("select[data-reply-target]");
    if (!select) {
      return;
    }
    var option = select.options[select.selectedIndex];
    var note = document.getElementById(select.getAttribute("data-reply-target"));
    if (note && option && option.hasAttribute("data-reply")) {
      note.value = option.getAttribute("data-reply");
    }
  });
  // <button data-print>: print the page (contact cards, pledges, problem lists).
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) {
      window.print();
    }
  });
})();
