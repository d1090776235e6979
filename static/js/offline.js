/* The officer's field app on every officer page (templates/base.html, #field-app):
 * - registers the service worker (templates/offline/sw.js) and offers to install the app;
 * - says when the page is the copy kept on the phone, and since when;
 * - sends forms marked data-outbox through the outbox (static/js/outbox.js), with network or
 *   without: photos shrunk here first, the write sent at once with its client id; when the
 *   server does not answer (no network, or none within the outbox's timeout, or a proxy's
 *   5xx) it is kept on the phone, "waiting to send (N)" shown, and sent on every page load,
 *   every minute while the page is open, when the network comes back and by Background Sync;
 *   the server's answer otherwise does what the form's own post would (the next page with the
 *   server's message, or the form's errors with what was typed kept); conflicts and
 *   refusals are listed with the server's words until the officer dismisses them. Without
 *   JavaScript (or IndexedDB) the forms post as usual;
 * - keeps the officer's tasks (and their photos) on the phone while there is network.
 * Messages come from data-* attributes on #field-app (translated in the template).
 */
(function () {
  "use strict";
  var root = document.getElementById("field-app");
  var outbox = window.citymgmtOutbox;
  if (!root || !outbox || !window.indexedDB) return;
  var text = root.dataset;
  var MAX_SIDE = 1600;
  var RETRY_EVERY = 60 * 1000;
  var TICKET = /^\/cases\/XZ\d{8}-\d{4,6}\/$/;

  function csrf() {
    return root.querySelector("[name=csrfmiddlewaretoken]").value;
  }
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_m, key) { return values[key]; });
  }
  function element(tag, className, content) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (content) node.textContent = content;
    return node;
  }

  // --- the service worker, Background Sync and the install prompt ----------------------------
  var registration = null;
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(text.sw, { scope: "/" }).then(function (r) {
      registration = r;
    }).catch(function () {});
  }
  function askForSync() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.ready.then(function (r) {
      if (r.sync) return r.sync.register(outbox.SYNC_TAG);
    }).catch(function () {});
  }
  var install = document.getElementById("install-app");
  var deferred = null;
  window.addEventListener("beforeinstallprompt", function (event) {
    event.preventDefault();
    deferred = event;
    if (install) install.hidden = false;
  });
  if (install) {
    install.addEventListener("click", function () {
      if (!deferred) return;
      deferred.prompt();
      deferred.userChoice.then(function () { install.hidden = true; deferred = null; });
    });
  }
  window.addEventListener("appinstalled", function () { if (install) install.hidden = true; });

  // --- the copy kept on the phone ------------------------------------------------------------
  var copy = document.getElementById("field-app-copy");
  var meta = document.querySelector("meta[name=citymgmt-copy]");
  function showFreshness() {
    var isCopy = meta && meta.content === "copy";
    if (!isCopy && navigator.onLine) { copy.hidden = true; return; }
    var at = meta ? new Date(meta.dataset.at) : null;
    var when = at && !isNaN(at) ? at.toLocaleString([], {
      month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit",
    }) : "";
    copy.textContent = isCopy ? fill(text.copy, { time: when }) : text.offline;
    copy.hidden = false;
  }
  showFreshness();
  window.addEventListener("offline", showFreshness);
  window.addEventListener("online", showFreshness);
  // Forms that need the server (not kept on the phone) say so while offline.
  function markNeedsServer() {
    document.querySelectorAll("main form[method=post]:not([data-outbox])").forEach(function (form) {
      var note = form.querySelector(".needs-network");
      if (navigator.onLine) { if (note) note.remove(); return; }
      if (!note) form.prepend(element("div", "needs-network alert alert-warning py-1 small", text.needsNetwork));
    });
  }
  markNeedsServer();
  window.addEventListener("offline", markNeedsServer);
  window.addEventListener("online", markNeedsServer);

  // --- what is waiting, and what the server refused ------------------------------------------
  var waiting = document.getElementById("field-app-waiting");
  var problems = document.getElementById("field-app-problems");
  var flash = document.getElementById("field-app-flash");
  function say(message, kind) {
    flash.replaceChildren(element("div", "alert py-2 small mb-2 alert-" + kind, message));
  }
  function refresh() {
    return outbox.all().then(function (items) {
      var n = items.filter(function (i) { return i.state === "waiting"; }).length;
      waiting.textContent = fill(text.waiting, { n: n });
      waiting.hidden = n === 0;
      problems.replaceChildren();
      items.filter(function (i) { return i.state !== "waiting"; }).forEach(function (item) {
        var row = element("li", "alert alert-" + (item.state === "conflict" ? "danger" : "warning") + " py-2 small mb-2");
        row.dataset.outboxProblem = item.state;
        row.append(element("strong", "", (item.state === "conflict" ? text.conflict : text.refused) + " "));
        row.append(element("span", "", item.label + ": " + (item.error || "")));
        var dismiss = element("button", "btn btn-sm btn-outline-secondary ms-2", text.dismiss);
        dismiss.type = "button";
        dismiss.addEventListener("click", function () { outbox.remove(item.seq).then(refresh); });
        row.append(dismiss);
        problems.append(row);
      });
    });
  }
  function send() {
    if (!navigator.onLine) return Promise.resolve(refresh());
    return outbox.flush(csrf()).catch(function () {}).then(refresh);
  }
  window.addEventListener("citymgmt-outbox", function (event) {
    var body = event.detail.body;
    if (event.detail.type === "sent" && event.detail.label && !event.detail.quiet) {
      say(fill(text.sent, { what: event.detail.label }), "success");
    }
    var counts = document.getElementById("outreach-counts");
    if (counts && body && body.today) counts.textContent = fill(counts.dataset.template, body.today);
    refresh();
  });
  if (outbox.channel) outbox.channel.addEventListener("message", refresh);
  window.addEventListener("online", send);
  // The phone may believe it is online while the server does not answer: try again meanwhile.
  setInterval(function () { if (!waiting.hidden) send(); }, RETRY_EVERY);
  var pending = sessionStorage.getItem("citymgmt-flash");
  if (pending) {
    sessionStorage.removeItem("citymgmt-flash");
    var parsed = JSON.parse(pending);
    say(parsed.message, parsed.kind);
  }
  send();

  // --- forms sent through the outbox ---------------------------------------------------------
  function shrink(file) {
    return new Promise(function (resolve) {
      if (!/^image\/(jpeg|png|webp)$/.test(file.type)) { resolve(file); return; }
      var url = URL.createObjectURL(file);
      var image = new Image();
      image.onload = function () {
        URL.revokeObjectURL(url);
        var scale = Math.min(1, MAX_SIDE / Math.max(image.naturalWidth, image.naturalHeight));
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(image.naturalWidth * scale);
        canvas.height = Math.round(image.naturalHeight * scale);
        canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
        canvas.toBlob(function (blob) { resolve(blob || file); }, "image/jpeg", 0.85);
      };
      image.onerror = function () { URL.revokeObjectURL(url); resolve(file); };
      image.src = url;
    });
  }
  function collect(form, submitter) {
    var fields = {};
    var files = [];
    var prefix = form.dataset.outboxPrefix || "";
    function named(input) {
      return prefix && input.name.indexOf(prefix) === 0 ? input.name.slice(prefix.length) : input.name;
    }
    Array.prototype.forEach.call(form.elements, function (input) {
      if (!input.name || input.disabled || input.name === "csrfmiddlewaretoken") return;
      if (input.type === "file") {
        Array.prototype.forEach.call(input.files, function (file) {
          files.push({ field: named(input), file: file });
        });
        return;
      }
      if (input.type === "submit" || input.tagName === "BUTTON") return;
      if ((input.type === "radio" || input.type === "checkbox") && !input.checked) return;
      var values = input.tagName === "SELECT" && input.multiple
        ? Array.prototype.filter.call(input.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; })
        : [input.value];
      values.forEach(function (value) {
        if (value === "") return;
        var name = named(input);
        fields[name] = name in fields ? [].concat(fields[name], value) : value;
      });
    });
    if (submitter && submitter.name) fields[submitter.name] = submitter.value;
    return Promise.all(files.map(function (f) { return shrink(f.file); })).then(function (blobs) {
      return {
        url: (submitter && submitter.dataset.outboxUrl) || form.dataset.outbox,
        label: (submitter && submitter.dataset.outboxLabel) || form.dataset.outboxLabel,
        fields: fields,
        photos: blobs.map(function (blob, i) { return { field: files[i].field, blob: blob }; }),
        csrf: csrf(),
      };
    });
  }
  function showErrors(form, errors) {
    var box = form.querySelector(".outbox-errors") || element("div", "outbox-errors alert alert-danger");
    box.replaceChildren(element("div", "", text.fix));
    var list = element("ul", "mb-0");
    (errors || []).forEach(function (e) {
      var input = e.attr && form.querySelector("[name='" + (form.dataset.outboxPrefix || "") + e.attr.replace(/_upload$/, "") + "']");
      if (input) input.classList.add("is-invalid");
      var label = input && input.id && form.querySelector("label[for='" + input.id + "']");
      list.append(element("li", "", (label ? label.textContent.trim() + ": " : "") + e.detail));
    });
    box.append(list);
    form.prepend(box);
    box.scrollIntoView({ block: "center" });
  }
  function finish(form, item, how) {
    var message = how === "sent" ? (item.page ? "" : fill(text.sent, { what: item.label }))
      : how === "waiting" ? fill(navigator.onLine ? text.unanswered : text.queued, { what: item.label })
      : "";
    var kind = how === "sent" ? "success" : "info";
    var bump = form.dataset.outboxBump && document.querySelector(form.dataset.outboxBump);
    if (form.dataset.outboxNext) {
      if (message) sessionStorage.setItem("citymgmt-flash", JSON.stringify({ message: message, kind: kind }));
      window.location.href = form.dataset.outboxNext;
      return;
    }
    if (how === "sent" && !form.dataset.outboxStay) {
      if (message) sessionStorage.setItem("citymgmt-flash", JSON.stringify({ message: message, kind: kind }));
      window.location.reload();
      return;
    }
    if (message) say(message, kind);
    if (bump) bump.hidden = false;
    if (!form.dataset.outboxStay) {
      form.querySelectorAll("button, input, textarea, select").forEach(function (input) {
        input.disabled = true;
      });
    }
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.dataset || !form.dataset.outbox || form.dataset.outboxPlain) return;
    // Sent at once when the server answers, kept on the phone when it does not (see the top).
    event.preventDefault();
    if (form.outboxBusy) return;  // tapped again while the first is on its way: the same write
    form.outboxBusy = true;
    // One client id per form: whatever happens to the first tap, a second is the same write.
    if (!form.dataset.outboxId) form.dataset.outboxId = outbox.uuid();
    var submitter = event.submitter;
    var online = navigator.onLine;
    form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    form.querySelectorAll(".is-invalid").forEach(function (i) { i.classList.remove("is-invalid"); });
    var box = form.querySelector(".outbox-errors");
    if (box) box.remove();
    var made = null;
    collect(form, submitter).then(function (item) {
      item.id = form.dataset.outboxId;
      item.page = online && !form.dataset.outboxAlways;
      if (item.page) say(fill(text.sending, { what: item.label }), "secondary");
      return outbox.add(item).catch(function () {
        // No IndexedDB after all (a private window): the form's own post.
        form.dataset.outboxPlain = "1";
        form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = false; });
        form.requestSubmit(submitter);
        return null;
      });
    }).then(function (item) {
      if (!item) return null;
      made = item;
      askForSync();
      return send().then(function () { return outbox.all(); });
    }).then(function (items) {
      form.outboxBusy = false;
      if (!items) return;
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = false; });
      flash.replaceChildren();
      var still = items.filter(function (i) { return i.id === made.id; })[0];
      if (still && still.state === "refused" && still.status === 400) {
        // The officer is here to put it right: the form shows why, with what they typed.
        return outbox.remove(still.seq).then(refresh).then(function () {
          showErrors(form, still.errors);
        });
      }
      finish(form, made, still ? still.state : "sent");
    });
  });

  // --- keep the officer's tasks on the phone -------------------------------------------------
  var WARM_EVERY = 10 * 60 * 1000;  // fetch the tasks again at most every ten minutes
  function warm() {
    if (!navigator.onLine || !navigator.serviceWorker || !navigator.serviceWorker.controller) return;
    var last = parseInt(localStorage.getItem("citymgmt-warmed") || "0", 10);
    if (Date.now() - last < WARM_EVERY && !document.querySelector("[data-offline-tasks]")) return;
    localStorage.setItem("citymgmt-warmed", String(Date.now()));
    var seen = {};
    var links = Array.prototype.filter.call(document.querySelectorAll("main a[href]"), function (a) {
      var url = new URL(a.href, window.location.href);
      if (url.origin !== window.location.origin || !TICKET.test(url.pathname) || seen[url.pathname]) return false;
      seen[url.pathname] = true;
      return true;
    }).slice(0, 40);
    links.reduce(function (chain, a) {
      return chain.then(function () {
        return fetch(a.href, { credentials: "same-origin" }).then(function (r) { return r.text(); })
          .then(function (html) {
            var page = new DOMParser().parseFromString(html, "text/html");
            var photos = Array.prototype.map.call(page.querySelectorAll("img[src^='/cases/photos/'], a[href^='/cases/photos/']"), function (n) {
              return n.getAttribute("src") || n.getAttribute("href");
            });
            return Promise.all(photos.map(function (src) {
              return fetch(src, { credentials: "same-origin" }).catch(function () {});
            }));
          }).catch(function () {});
      });
    }, Promise.resolve()).then(function () { root.dataset.warmed = "1"; });
  }
  if (navigator.serviceWorker) {
    navigator.serviceWorker.ready.then(function () {
      if (navigator.serviceWorker.controller) warm();
      else navigator.serviceWorker.addEventListener("controllerchange", warm);
    });
  }

  // --- signing out: the pages kept on the phone go (what waits to be sent stays) -------------
  document.querySelectorAll("form[action$='/logout/']").forEach(function (form) {
    form.addEventListener("submit", function () {
      if (navigator.serviceWorker && navigator.serviceWorker.controller) {
        navigator.serviceWorker.controller.postMessage({ type: "forget" });
      }
    });
  });
})();
