/* The phone's outbox: writes the officer made (a finding, a task's start or resolve, a track
 * point, a tap, the daily log) kept in IndexedDB (idb) until the server has them, and sent in
 * the order they were made. Loaded by the pages (static/js/offline.js) and by the service worker
 * (templates/offline/sw.js, for Background Sync): no DOM here.
 *
 * An item: {id: a UUID made when the officer pressed the button (the server's Idempotency-Key:
 * sent twice it is applied once), url, fields, photos: [{field, blob, upload}], csrf, label,
 * made (ms), page (sent from the form on screen), state: "waiting" | "refused" | "conflict",
 * error}.
 * Photos go first, each in parts of PART bytes that resume where the server stopped
 * (/api/v1/uploads/), then the write names them (`<field>_upload`).
 * The server's answer decides: 2xx sent (removed); 409 a conflict and 400/403/404 refused, both
 * kept with the server's words for the officer to read; no answer (a network error, or nothing
 * within TIMEOUT: the phone may believe it is online under an overpass), a 5xx (a proxy's
 * 502/503/504) or a 429: stop, keep everything, try later with the same ids.
 */
(function (scope) {
  "use strict";
  var DB = "citymgmt-outbox";
  var STORE = "items";
  var PART = 128 * 1024;
  var UPLOADS = "/api/v1/uploads/";
  var TIMEOUT = 15 * 1000;  // ms without an answer before a request counts as unanswered
  var PAGE_HEADER = "X-Field-App-Page";
  var PAGE_FRESH = 2 * 60 * 1000;
  var channel = typeof BroadcastChannel === "function" ? new BroadcastChannel(DB) : null;
  var database = null;

  function open() {
    if (!database) {
      database = scope.idb.openDB(DB, 1, {
        upgrade: function (db) {
          db.createObjectStore(STORE, { keyPath: "seq", autoIncrement: true });
        },
      });
    }
    return database;
  }
  function uuid() {
    return scope.crypto.randomUUID();
  }
  function tell(message) {
    if (channel) channel.postMessage(message);
    if (scope.dispatchEvent && typeof CustomEvent === "function") {
      scope.dispatchEvent(new CustomEvent("citymgmt-outbox", { detail: message }));
    }
  }
  function all() {
    return open().then(function (db) { return db.getAll(STORE); });
  }
  function save(item) {
    return open().then(function (db) { return db.put(STORE, item); });
  }
  function remove(seq) {
    return open().then(function (db) { return db.delete(STORE, seq); });
  }
  /* Keep a write. The same id again (the officer tapped twice) is the same write: while it
   * waits it is not kept twice; one the server refused is replaced (a refusal stored nothing). */
  function add(item) {
    item.id = item.id || uuid();
    item.made = item.made || Date.now();
    item.state = "waiting";
    item.photos = (item.photos || []).map(function (photo) {
      return { field: photo.field, blob: photo.blob, upload: uuid(), done: false };
    });
    return all().then(function (items) {
      var same = items.filter(function (kept) { return kept.id === item.id; })[0];
      if (same && same.state === "waiting") return same;
      return (same ? remove(same.seq) : Promise.resolve()).then(function () {
        return save(item);
      }).then(function (seq) {
        item.seq = seq;
        tell({ type: "queued", id: item.id });
        return item;
      });
    });
  }

  // An answer the server did give, with its body read as JSON (or null).
  function answered(response) {
    return response.json().catch(function () { return null; }).then(function (body) {
      return { status: response.status, body: body };
    });
  }
  function words(body) {
    if (!body || !body.errors) return "";
    return body.errors.map(function (e) {
      return (e.attr && e.attr !== "non_field_errors" ? e.attr + ": " : "") + e.detail;
    }).join(" ");
  }
  function Offline() {}  // thrown when the server cannot be reached: stop, keep everything

  /* One request; Offline if the server does not answer within the timeout (the answer's body
   * included). ``citymgmtOutboxTimeout`` (ms) on the page or worker overrides it (tests). */
  function request(url, options) {
    var abort = typeof AbortController === "function" ? new AbortController() : null;
    var timer = abort ? setTimeout(function () { abort.abort(); }, scope.citymgmtOutboxTimeout || TIMEOUT) : null;
    return fetch(url, Object.assign({ credentials: "same-origin", signal: abort && abort.signal }, options)).then(
      function (response) {
        if (response.status >= 500 || response.status === 429) throw new Offline();
        return answered(response);
      },
      function () { throw new Offline(); }
    ).then(function (answer) {
      clearTimeout(timer);
      return answer;
    }, function (error) {
      clearTimeout(timer);
      throw error;
    });
  }
  function jsonHeaders(csrf, extra) {
    return Object.assign({ "Content-Type": "application/json", "X-CSRFToken": csrf }, extra || {});
  }

  /* Open the upload (again: the server answers how much it has) and send the rest in parts. A
   * part the server did not expect (409: it has more or less than the phone thought) starts
   * over from what the server has, once. */
  function sendPhoto(photo, csrf, retried) {
    var size = photo.blob.size;
    return request(UPLOADS, {
      method: "POST",
      headers: jsonHeaders(csrf),
      body: JSON.stringify({ id: photo.upload, size: size }),
    }).then(function (answer) {
      if (answer.status >= 300) return answer;
      var from = answer.body.received;
      function next() {
        if (from >= size) {
          return request(UPLOADS + photo.upload + "/complete/", {
            method: "POST", headers: { "X-CSRFToken": csrf },
          });
        }
        var part = photo.blob.slice(from, Math.min(size, from + PART));
        return request(UPLOADS + photo.upload + "/?offset=" + from, {
          method: "PUT",
          headers: { "Content-Type": "application/octet-stream", "X-CSRFToken": csrf },
          body: part,
        }).then(function (sent) {
          if (sent.status === 409 && !retried) return sendPhoto(photo, csrf, true);
          if (sent.status >= 300) return sent;
          from = sent.body.received;
          return next();
        });
      }
      return next();
    });
  }

  function sendItem(item, csrf) {
    var photos = item.photos.filter(function (p) { return !p.done; });
    function photosFrom(i) {
      if (i >= photos.length) return Promise.resolve(null);
      return sendPhoto(photos[i], csrf).then(function (answer) {
        if (answer.status >= 300) return answer;
        photos[i].done = true;
        photos[i].blob = null;  // the server has it: free the phone's storage
        return save(item).then(function () { return photosFrom(i + 1); });
      });
    }
    return photosFrom(0).then(function (refused) {
      if (refused) return refused;
      var body = Object.assign({}, item.fields);
      item.photos.forEach(function (photo) {
        var key = photo.field + "_upload";
        body[key] = (body[key] || []).concat([photo.upload]);
      });
      var extra = { "Idempotency-Key": item.id };
      // Sent from the form the officer is looking at (not a write kept from earlier): the
      // server keeps its usual message for the page to show as it reloads.
      if (item.page && Date.now() - item.made < PAGE_FRESH) extra[PAGE_HEADER] = "1";
      return request(item.url, {
        method: "POST",
        headers: jsonHeaders(csrf, extra),
        body: JSON.stringify(body),
      });
    });
  }

  var running = null;
  var unreachable = false;
  /* Send what is waiting, oldest first. ``csrf``: the page's current token (the service worker
   * uses the one each item was made with). Resolves with the number still waiting. */
  function flush(csrf) {
    // One at a time; a call meanwhile (a tap while a point goes out) runs again after it, so
    // what was added in between is not left waiting (unless the server could not be reached:
    // then the next page load, `online` event or sync tries again).
    if (running) {
      return running.then(function (left) { return unreachable ? left : flush(csrf); });
    }
    unreachable = false;
    var work = function () {
      return all().then(function (items) {
        var waiting = items.filter(function (item) { return item.state === "waiting"; });
        function from(i) {
          if (i >= waiting.length) return Promise.resolve();
          var item = waiting[i];
          if (csrf) item.csrf = csrf;
          return sendItem(item, item.csrf).then(function (answer) {
            if (answer.status < 300) {
              return remove(item.seq).then(function () {
                tell({ type: "sent", id: item.id, label: item.label, body: answer.body,
                  quiet: item.quiet });
                return from(i + 1);
              });
            }
            if (answer.status === 401 || (answer.status === 403 && /CSRF/i.test(words(answer.body)))) {
              throw new Offline();  // signed out: wait for the officer to sign in again
            }
            if (item.quiet) {  // a track point the server will not take: nothing to show
              return remove(item.seq).then(function () { return from(i + 1); });
            }
            item.state = answer.status === 409 ? "conflict" : "refused";
            item.status = answer.status;
            item.error = words(answer.body);
            item.errors = answer.body && answer.body.errors;
            return save(item).then(function () {
              tell({ type: item.state, id: item.id, label: item.label, error: item.error });
              return from(i + 1);
            });
          });
        }
        return from(0);
      });
    };
    var locked = scope.navigator && scope.navigator.locks
      ? scope.navigator.locks.request(DB, work)
      : work();
    running = locked.catch(function (error) {
      if (!(error instanceof Offline)) throw error;
      unreachable = true;
    }).then(function () {
      running = null;
      tell({ type: "flushed" });
      return count();
    }, function (error) {
      running = null;
      throw error;
    });
    return running;
  }
  function count() {
    return all().then(function (items) {
      return items.filter(function (item) { return item.state === "waiting"; }).length;
    });
  }

  scope.citymgmtOutbox = {
    SYNC_TAG: "citymgmt-outbox",
    add: add,
    all: all,
    count: count,
    flush: flush,
    remove: remove,
    uuid: uuid,
    channel: channel,
  };
})(self);
