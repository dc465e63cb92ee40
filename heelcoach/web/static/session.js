// The guided session: one exercise at a time, a hold/tempo/minutes timer with a beep and a visible
// count, set and rep counting, reasons ("too hard", "it hurts", ...) with the version to do instead,
// and the 60-per-minute metronome of the heel-raise test. Every event goes to /session/log, which
// writes it into today's check-in; offline, events wait in localStorage and are sent later.
(function () {
  "use strict";
  var root = document.getElementById("session");
  var PENDING = "heelcoach-session-pending";
  var audio = null;

  function beep(freq, ms) {
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) return;
      audio = audio || new Ctx();
      var osc = audio.createOscillator(), gain = audio.createGain();
      osc.frequency.value = freq || 880; gain.gain.value = 0.2;
      osc.connect(gain); gain.connect(audio.destination);
      osc.start(); osc.stop(audio.currentTime + (ms || 150) / 1000);
    } catch (e) { /* no sound: the count on screen still shows */ }
  }

  // ---------------------------------------------------------------- pictures that are not there yet
  document.querySelectorAll(".illustration img").forEach(function (img) {
    function missing() { img.hidden = true; var c = img.parentNode.querySelector(".no-picture"); if (c) c.hidden = false; }
    img.addEventListener("error", missing);
    if (img.complete && img.naturalWidth === 0) missing();
  });

  // ---------------------------------------------------------------- logging (with an offline queue)
  function pending() { try { return JSON.parse(localStorage.getItem(PENDING) || "[]"); } catch (e) { return []; } }
  function setPending(list) { try { localStorage.setItem(PENDING, JSON.stringify(list)); } catch (e) { /* full */ } }
  function showPending() {
    var p = document.querySelector("#finish .pending");
    if (p) p.hidden = pending().length === 0;
  }
  function clock() { var d = new Date(); return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2); }
  function send(event) {
    var csrf = root ? root.dataset.csrf : (document.body.dataset.csrf || "");
    return fetch("/session/log", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(event)
    }).then(function (r) { if (r.status >= 500) throw new Error("server"); return r.json().then(function (b) { return { ok: r.ok, body: b }; }); });
  }
  function log(event, card) {
    event.at = event.at || clock();
    var out = card ? card.querySelector(".saved") : null;
    return send(event).then(function (res) {
      if (out) out.textContent = res.ok ? (event.event === "done" ? "Saved to today's check-in" + (res.body.times_today > 1 ? " (" + res.body.times_today + " times today)." : ".") : "Noted in today's check-in.") : res.body.error;
      if (res.ok && event.event === "done") markDone(card, res.body.done_items.length);
    }).catch(function () {
      var list = pending(); list.push(event); setPending(list); showPending();
      if (out) out.textContent = "Saved on this device; it goes into today's check-in when you are back online.";
      if (event.event === "done") markDone(card, null);
    });
  }
  var flushing = false;
  function forget(ev) {  // drop one sent event from the device's queue
    var key = JSON.stringify(ev), list = pending();
    for (var i = 0; i < list.length; i++) {
      if (JSON.stringify(list[i]) === key) { list.splice(i, 1); setPending(list); return; }
    }
  }
  function flush() {  // send what waited on this device, one by one; each leaves the queue once sent
    var list = pending();
    if (!list.length || flushing) return;
    flushing = true;
    list.reduce(function (p, ev) {
      return p.then(function () { return send(ev).then(function () { forget(ev); }); });
    }, Promise.resolve()).catch(function () {}).then(function () { flushing = false; showPending(); });
  }
  window.addEventListener("online", flush);
  flush();

  function markDone(card, count) {
    if (!card) return;
    card.classList.add("is-done");
    var fin = document.querySelector("#finish .done-count");
    var n = document.querySelectorAll(".session-item.is-done").length;
    if (fin) fin.textContent = "Done in this session: " + n + " of " + (root ? root.dataset.count : n) + (count !== null ? "." : " (waiting to be sent).");
  }

  // ---------------------------------------------------------------- one card at a time
  var cards = root ? Array.prototype.slice.call(root.querySelectorAll(".session-item")) : [];
  function show(id) {
    var target = document.getElementById(id) || cards[0];
    cards.forEach(function (c) { c.hidden = c !== target; });
    if (root) { root.classList.add("one-at-a-time"); }
    var h = target.querySelector("h2"); if (h) { h.setAttribute("tabindex", "-1"); h.focus({ preventScroll: true }); }
    window.scrollTo(0, root.offsetTop - 8);
  }
  if (root && cards.length) {
    show((location.hash || "#item-1").slice(1).replace("start", "item-1"));
    window.addEventListener("hashchange", function () { if (location.hash.indexOf("#item-") === 0 || location.hash === "#finish") show(location.hash.slice(1)); });
  }

  // ---------------------------------------------------------------- the timer of one card
  function plan(el) {
    var t = (el.dataset.tempo || "").split("-").map(Number);
    return {
      sets: Number(el.dataset.sets) || 1, reps: Number(el.dataset.reps) || 0,
      hold: Number(el.dataset.hold) || 0, minutes: Number(el.dataset.minutes) || 0,
      tempo: t.length === 3 && t[0] > 0 ? t : null, sides: Number(el.dataset.sides) || 1
    };
  }
  function Timer(card) {
    this.card = card; this.p = plan(card); this.set = 1; this.side = 1; this.rep = 0; this.steps = []; this.tick = null;
    this.out = card.querySelector(".big-count"); this.cue = card.querySelector(".cue");
    this.bar = card.querySelector(".tempo-bar");
  }
  Timer.prototype.label = function () {
    var p = this.p;
    this.card.querySelector(".set-label").textContent = "Set " + this.set + " of " + p.sets;
    this.card.querySelector(".side-label").textContent = p.sides > 1 ? (this.side === 1 ? "· first side" : "· second side") : "";
  };
  // a phase: show `text`, count `seconds` down, beep at its end, then call next
  Timer.prototype.phase = function (text, seconds, next, showBar) {
    var self = this, left = seconds, total = seconds;
    self.cue.textContent = text;
    self.out.textContent = String(Math.ceil(left));
    if (self.bar) { self.bar.hidden = !showBar; self.bar.value = 0; }
    clearInterval(self.tick);
    self.tick = setInterval(function () {
      left -= 1;
      if (self.bar && showBar) self.bar.value = Math.round(100 * (total - left) / total);
      if (left <= 0) { clearInterval(self.tick); beep(text === "Rest" ? 660 : 880); next(); return; }
      self.out.textContent = String(left);
    }, 1000);
  };
  Timer.prototype.start = function () {
    var p = this.p;
    beep(520, 80);
    this.card.querySelector("[data-action=start]").hidden = true;
    this.label();
    if (p.hold > 0 && p.reps > 0) return this.holdRep();
    if (p.hold > 0) return this.holdRep();
    if (p.tempo && p.reps > 0) return this.tempoRep();
    if (p.minutes > 0) return this.phase("Keep going", Math.round(p.minutes * 60), this.setDone.bind(this), true);
    var rep = this.card.querySelector("[data-action=rep]");
    rep.hidden = false; this.out.textContent = "0 / " + p.reps; this.cue.textContent = "Press +1 rep after each one.";
  };
  Timer.prototype.holdRep = function () {
    var self = this, p = self.p, target = p.reps || 1;
    self.rep += 1;
    self.phase("Hold " + self.rep + " of " + target, p.hold, function () {
      if (self.rep >= target) return self.setDone();
      self.phase("Relax", Number(root.dataset.relax) || 5, self.holdRep.bind(self), false);
    }, true);
  };
  Timer.prototype.tempoRep = function () {
    var self = this, t = self.p.tempo;
    self.rep += 1;
    var n = "Rep " + self.rep + " of " + self.p.reps + ": ";
    self.phase(n + "up", t[0], function () {
      var down = function () { self.phase(n + "down", t[2], function () { if (self.rep >= self.p.reps) self.setDone(); else self.tempoRep(); }, true); };
      if (t[1] > 0) self.phase(n + "hold", t[1], down, true); else down();
    }, true);
  };
  Timer.prototype.countRep = function () {
    this.rep += 1;
    this.out.textContent = this.rep + " / " + this.p.reps;
    if (this.rep >= this.p.reps) this.setDone();
  };
  Timer.prototype.setDone = function () {
    var p = this.p, self = this;
    self.rep = 0;
    self.card.querySelector("[data-action=rep]").hidden = true;
    if (self.side < p.sides) { self.side += 1; self.label(); self.phase("Change sides", 10, self.start.bind(self), false); return; }
    if (self.set < p.sets) {
      self.set += 1; self.side = 1;
      self.phase("Rest", Number(root.dataset.rest) || 60, function () { self.label(); self.cue.textContent = "Set " + self.set + ": go."; self.start(); }, false);
      return;
    }
    self.out.textContent = "Done";
    self.cue.textContent = "Well done.";
    beep(990, 300);
    finish(self.card, p);
  };
  function doseText(p) {
    var bits = [];
    if (p.sets > 1) bits.push(p.sets + " sets");
    if (p.reps) bits.push(p.reps + (p.hold ? " holds of " + p.hold + " s" : " reps"));
    else if (p.hold) bits.push("hold " + p.hold + " s");
    if (p.minutes) bits.push(p.minutes + " min");
    if (p.sides > 1) bits.push("each side");
    return bits.join(", ");
  }
  function finish(card, p) {
    if (card._finished) return;
    card._finished = true;
    log({ item_id: card.dataset.item, item_name: card.dataset.name, event: "done", detail: doseText(p || plan(card)) }, card);
  }

  // ---------------------------------------------------------------- the metronome
  var metro = null;
  function metronome(box, button) {
    var out = box.querySelector(".beat"), cue = box.querySelector(".metronome-cue");
    if (metro) { clearInterval(metro); metro = null; button.textContent = "Start metronome"; return; }
    var beat = 0, ms = 60000 / (Number(box.dataset.bpm) || 60);
    button.textContent = "Stop";
    metro = setInterval(function () {
      beat += 1; out.textContent = String(beat);
      cue.textContent = beat % 2 ? "Up" : "Down";
      beep(beat % 2 ? 880 : 660, 60);
    }, ms);
  }

  // ---------------------------------------------------------------- clicks
  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-action],[data-reason]");
    if (!el) return;
    var card = el.closest(".session-item");
    var action = el.dataset.action;
    if (action === "metronome") return metronome(el.closest(".metronome"), el);
    if (el.dataset.reason) {
      card.querySelectorAll(".offer").forEach(function (o) { o.hidden = o.dataset.offer !== el.dataset.reason; });
      if (card._timer) { clearInterval(card._timer.tick); card._timer.cue.textContent = "Paused."; card._timer = null; }
      var again = card.querySelector("[data-action=start]");
      if (again && again.hidden) { again.hidden = false; again.textContent = "Start again"; }
      log({ item_id: card.dataset.item, item_name: card.dataset.name, event: "reason", reason: el.dataset.reason }, card);
      return;
    }
    if (action === "start") { card._timer = new Timer(card); card._timer.start(); return; }
    if (action === "rep" && card._timer) { card._timer.countRep(); return; }
    if (action === "done") { if (card._timer) clearInterval(card._timer.tick); finish(card, card._timer ? card._timer.p : null); return; }
    if (action === "use-offer") {
      var offer = el.closest(".offer");
      ["sets", "reps", "hold", "minutes", "tempo", "sides"].forEach(function (k) { card.dataset[k] = offer.dataset[k] || ""; });
      card.dataset.name = offer.querySelector(".offer-name").textContent;
      card.querySelector(".dose-text").textContent = offer.querySelector(".offer-dose").textContent;
      offer.hidden = true; card._finished = false;
      if (card._timer) clearInterval(card._timer.tick);
      card._timer = null;
      card.querySelector("[data-action=start]").hidden = false;
      card.querySelector(".big-count").textContent = "Ready";
      card.querySelector(".cue").textContent = "Today's version: " + card.dataset.name + ". Press Start.";
      return;
    }
    if (action === "restart") {
      cards.forEach(function (c) {
        if (c._timer) clearInterval(c._timer.tick);
        c._timer = null; c._finished = false; c.classList.remove("is-done");
        var start = c.querySelector("[data-action=start]"); if (start) start.hidden = false;
        var out = c.querySelector(".big-count"); if (out) out.textContent = "Ready";
      });
    }
  });
})();
