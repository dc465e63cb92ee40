// heelcoach service worker: Today and the guided session open offline once visited. Pages are
// fetched from the network first (so they are fresh when online) and kept for offline use; static
// files are served from the cache first. POSTs are never cached: the session queues its own.
var CACHE = "heelcoach-v3";
var STATIC = ["/static/app.css", "/static/app.js", "/static/session.js", "/static/reminders.js",
  "/static/vendor/htmx.min.js", "/static/icon.svg", "/static/icon-192.png", "/manifest.webmanifest"];
var OFFLINE_PAGES = ["/today", "/session"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (c) { return c.addAll(STATIC); }).then(function () { return self.skipWaiting(); }));
});
self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

function networkFirst(request, key) {
  return fetch(request).then(function (response) {
    if (response.ok) { var copy = response.clone(); caches.open(CACHE).then(function (c) { c.put(key, copy); }); }
    return response;
  }).catch(function () {
    return caches.match(key).then(function (hit) {
      return hit || new Response("<!doctype html><title>Offline</title><p>You are offline and this page was not saved yet. Open Today once while online.</p>",
        { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (OFFLINE_PAGES.indexOf(url.pathname) !== -1) { event.respondWith(networkFirst(request, url.pathname)); return; }
  if (/^\/exercises\/[^/]+\/illustration\.svg$/.test(url.pathname)) { event.respondWith(networkFirst(request, url.pathname)); return; }
  if (url.pathname.indexOf("/static/") === 0 || url.pathname === "/manifest.webmanifest") {
    event.respondWith(caches.match(url.pathname).then(function (hit) { return hit || fetch(request); }));
  }
});
