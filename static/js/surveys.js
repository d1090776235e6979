// Survey links: <button data-copy="URL"> copies the link for pasting into a message.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (!button) {
      return;
    }
    var text = button.getAttribute("data-copy");
    var done = function () {
      button.classList.add("btn-success");
      button.classList.remove("btn-outline-secondary");
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done);
    } else {
      var input = button.parentElement.querySelector("input");
      if (input) {
        input.select();
        document.execCommand("copy");
        done();
      }
    }
  });
})();
