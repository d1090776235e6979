// Notice boards: narrow the long list of communities as the resident types; the server's list
// works without script too.
(function () {
  "use strict";
  var filter = document.getElementById("community-filter");
  if (!filter) {
    return;
  }
  filter.addEventListener("input", function () {
    var q = filter.value.trim();
    document.querySelectorAll(".community-list a").forEach(function (a) {
      a.hidden = q !== "" && !a.dataset.name.includes(q);
    });
    document.querySelectorAll(".street").forEach(function (s) {
      s.hidden = q !== "" && !s.querySelector(".community-list a:not([hidden])");
    });
  });
})();
