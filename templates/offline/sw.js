{% load static %}/* The officer's field app: keeps the officer's pages for use without signal and sends the
 * writes queued on the phone (static/js/outbox.js) when the network is back.
 *
 * Pages: network first (4 s, then the copy kept here), marked as a copy so the page can say
 * since when it is out of date; a page never kept falls back to {{ offline_url }}. Photos: kept
 * once seen. Static files: the copy first, refreshed behind. Everything else (other staff pages,
 * the API, every POST) goes to the network untouched.
 */
/* global workbox, citymgmtOutbox */
importScripts(
  "{% static 'vendor/workbox/workbox-core.prod.js' %}",
  "{% static 'vendor/workbox/workbox-routing.prod.js' %}",
  "{% static 'vendor/workbox/workbox-strategies.prod.js' %}",
  "{% static 'vendor/workbox/workbox-expiration.prod.js' %}",
  "{% static 'vendor/workbox/workbox-cacheable-response.prod.js' %}",
  "{% static 'vendor/idb/idb.umd.js' %}",
  "{% static 'js/outbox.js' %}"
);

var PAGES = "citymgmt-pages-v1";
var PHOTOS = "citymgmt-photos-v1";
var STATIC = "citymgmt-static-v1";
var OFFLINE_URL = "{{ offline_url|escapejs }}";
var WARM = [
  OFFLINE_URL,
  "{% url 'web:officer_home' as u %}{{ u|escapejs }}",
  "{% url 'cases:my_tasks' as u %}{{ u|escapejs }}",
  "{% url 'patrols:patrol' as u %}{{ u|escapejs }}",
  "{% url 'patrols:log_today' as u %}{{ u|escapejs }}"
];
// The officer's pages: home, my tasks, a task, today's patrol, a finding, the daily log, and
// the grid outlines the finding form's map loads.
var OFFLINE_PAGES = /^\/(offline\/|officer\/|cases\/mine\/|cases\/XZ\d{8}-\d{4,6}\/|cases\/communities\/\d+\/cells\/|patrols\/(finding\/|log\/(\d{4}-\d{2}-\d{2}\/)?)?)$/;
var PHOTO = /^\/cases\/photos\/\d+\/(thumb\/|full\/)?$/;

workbox.core.setCacheNameDetails({ prefix: "citymgmt" });
self.skipWaiting();
workbox.core.clientsClaim();

// Keep only real answers: a redirect to the login page must not stand in for a task.
var onlyGood = {
  cacheWillUpdate: function (args) {
    var response = args.response;
    return response && response.status === 200 && !response.redirected ? response : null;
  },
};
// A page read from the copy says so (templates/base.html: <meta name="citymgmt-copy">).
var markCopy = {
  cachedResponseWillBeUsed: function (args) {
    var cached = args.cachedResponse;
    if (!cached || (cached.headers.get("Content-Type") || "").indexOf("text/html") !== 0) {
      return cached;
    }
    return cached.text().then(function (text) {
      return new Response(
        text.replace('name="citymgmt-copy" content="live"', 'name="citymgmt-copy" content="copy"'),
        { status: cached.status, statusText: cached.statusText, headers: cached.headers }
      );
    });
  },
};

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(PAGES).then(function (cache) {
    return Promise.all(WARM.map(function (url) {
      return fetch(url, { credentials: "same-origin" }).then(function (response) {
        if (response.ok && !response.redirected) return cache.put(url, response);
      }).catch(function () {});
    }));
  }));
});

workbox.routing.registerRoute(
  function (options) {
    return options.request.method === "GET" && options.sameOrigin &&
      OFFLINE_PAGES.test(options.url.pathname);
  },
  new workbox.strategies.NetworkFirst({
    cacheName: PAGES,
    networkTimeoutSeconds: 4,
    matchOptions: { ignoreVary: true },
    plugins: [onlyGood, markCopy, new workbox.expiration.ExpirationPlugin({ maxEntries: 200 })],
  })
);
workbox.routing.registerRoute(
  function (options) { return options.sameOrigin && PHOTO.test(options.url.pathname); },
  new workbox.strategies.CacheFirst({
    cacheName: PHOTOS,
    matchOptions: { ignoreVary: true },
    plugins: [
      new workbox.cacheableResponse.CacheableResponsePlugin({ statuses: [200] }),
      new workbox.expiration.ExpirationPlugin({ maxEntries: 400, maxAgeSeconds: 14 * 86400 }),
    ],
  })
);
workbox.routing.registerRoute(
  function (options) {
    return options.sameOrigin && options.url.pathname.indexOf("{% get_static_prefix %}") === 0;
  },
  new workbox.strategies.StaleWhileRevalidate({
    cacheName: STATIC,
    plugins: [new workbox.cacheableResponse.CacheableResponsePlugin({ statuses: [200] })],
  })
);
workbox.routing.setCatchHandler(function (options) {
  if (options.request.destination === "document") {
    return caches.match(OFFLINE_URL, { ignoreVary: true }).then(function (page) {
      return page || Response.error();
    });
  }
  return Response.error();
});

// Background Sync: the browser wakes this worker when the network is back.
self.addEventListener("sync", function (event) {
  // Still waiting (no answer): fail, so that the browser tries again later.
  if (event.tag === citymgmtOutbox.SYNC_TAG) {
    event.waitUntil(citymgmtOutbox.flush().then(function (left) {
      if (left) throw new Error(left + " still waiting");
    }));
  }
});
// A page asks for its caches to be dropped (the officer logs out).
self.addEventListener("message", function (event) {
  if (event.data && event.data.type === "forget") {
    event.waitUntil(Promise.all([PAGES, PHOTOS].map(function (name) {
      return caches.delete(name);
    })));
  }
});
