// Installable app and reminders while the app is open: registers the service worker, and once a
// day after the check-in time set in Settings shows a browser notification if today has no
// check-in yet (the page tells us through data-checked-in on <body>, set by Today).
(function () {
  "use strict";
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () { /* no offline use */ });
  }
  var KEY = "heelcoach-reminders";
  function settings() { try { return JSON.parse(localStorage.getItem(KEY) || "{}"); } catch (e) { return {}; } }
  function today() { var d = new Date(); return d.getFullYear() + "-" + (d.getMonth() + 1) + "-" + d.getDate(); }
  function check() {
    var s = settings();
    if (!s.on || !s.checkin || !("Notification" in window) || Notification.permission !== "granted") return;
    if (document.body.dataset.checkedIn === "yes" || s.shown === today()) return;
    var parts = s.checkin.split(":"), now = new Date();
    if (now.getHours() * 60 + now.getMinutes() < Number(parts[0]) * 60 + Number(parts[1])) return;
    s.shown = today(); localStorage.setItem(KEY, JSON.stringify(s));
    var n = new Notification("heelcoach: morning check-in", { body: "How did your first steps feel? Then start today's exercises.", tag: "heelcoach-checkin" });
    n.onclick = function () { window.focus(); location.assign("/today"); };
  }
  var zone = document.querySelector("[data-detect-timezone]");
  if (zone && !zone.value && window.Intl) { zone.value = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; }
  setInterval(check, 60000);
  check();
  // Settings: the "remind me in this browser" button asks for permission and keeps the time
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-reminders]");
    if (!button || !("Notification" in window)) return;
    var time = document.getElementById("checkin_time");
    Notification.requestPermission().then(function (p) {
      var s = settings(); s.on = p === "granted"; s.checkin = time ? time.value : "07:30";
      localStorage.setItem(KEY, JSON.stringify(s));
      var out = document.getElementById("reminders-state");
      if (out) out.textContent = s.on ? "Reminders are on in this browser at " + s.checkin + "." : "The browser did not allow notifications.";
    });
  });
})();
