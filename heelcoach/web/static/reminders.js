// Installable app and reminders while the app is open: registers the service worker, and once a
// day, at the check-in and exercise times set in Settings -> Reminders, shows a browser
// notification while any heelcoach page is open (or the app is installed and open). The check-in
// reminder is skipped when today's check-in is done (Today says so through data-checked-in on
// <body>). Permission is asked only when the runner presses the button in Settings.
(function () {
  "use strict";
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () { /* no offline use */ });
  }
  var KEY = "heelcoach-reminders";
  var KINDS = [
    { key: "checkin", field: "checkin_time", title: "heelcoach: morning check-in",
      body: "How did your first steps feel? Check in, then start today's exercises.", url: "/today" },
    { key: "session", field: "session_time", title: "heelcoach: today's exercises",
      body: "Time for your heel exercises: one at a time, with a timer.", url: "/session" }
  ];
  function settings() {
    var s;
    try { s = JSON.parse(localStorage.getItem(KEY) || "{}"); } catch (e) { s = {}; }
    if (!s || typeof s !== "object") s = {};
    if (!s.shown || typeof s.shown !== "object") s.shown = {};  // an older version kept one day here
    return s;
  }
  function save(s) { try { localStorage.setItem(KEY, JSON.stringify(s)); } catch (e) { /* private mode */ } }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function dayOf(d) { return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()); }
  function minutes(hhmm) {
    var m = /^(\d{1,2}):(\d{2})$/.exec(hhmm || "");
    return m ? Number(m[1]) * 60 + Number(m[2]) : null;
  }
  function allowed() { return "Notification" in window && Notification.permission === "granted"; }
  function due(kind, s, now) {
    var at = minutes(s[kind.key]);
    if (at === null || s.shown[kind.key] === dayOf(now)) return false;
    if (kind.key === "checkin" && document.body.dataset.checkedIn === "yes") return false;
    return now.getHours() * 60 + now.getMinutes() >= at;
  }
  function show(kind) {
    var n = new Notification(kind.title, { body: kind.body, tag: "heelcoach-" + kind.key, icon: "/static/icon-192.png" });
    n.onclick = function () { window.focus(); location.assign(kind.url); };
  }
  function check() {
    var s = settings();
    if (!s.on || !allowed()) return;
    var now = new Date();
    KINDS.forEach(function (kind) {
      if (!due(kind, s, now)) return;
      s.shown[kind.key] = dayOf(now); save(s);
      show(kind);
    });
  }
  // the reminder times typed on the Reminders page (after a save they are the stored ones)
  function timesOnPage(s) {
    KINDS.forEach(function (kind) {
      var input = document.getElementById(kind.field);
      if (input && input.value) s[kind.key] = input.value;
    });
    return s;
  }
  function state(text) { var out = document.getElementById("reminders-state"); if (out) out.textContent = text; }
  function describe(s) {
    return s.on ? "Reminders are on in this browser: check-in at " + s.checkin + ", exercises at " + s.session + "."
      : "Browser reminders are off.";
  }
  var zone = document.querySelector("[data-detect-timezone]");
  if (zone && !zone.value && window.Intl) { zone.value = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; }
  if (document.getElementById("reminders-state")) {
    var current = settings();
    if (current.on) { save(timesOnPage(current)); }
    if (!("Notification" in window)) state("This browser cannot show notifications; use the calendar file instead.");
    else if (Notification.permission === "denied") state("Notifications are blocked for heelcoach in this browser's settings.");
    else state(describe(settings()));
  }
  setInterval(check, 30000);
  check();
  // Settings -> Reminders: the button asks for permission (a user action) and keeps the times
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-reminders]");
    if (!button || !("Notification" in window)) return;
    Notification.requestPermission().then(function (p) {
      var s = timesOnPage(settings()); s.on = p === "granted"; s.shown = {};
      save(s);
      state(s.on ? describe(s) : "The browser did not allow notifications.");
      check();
    });
  });
})();
