// Small helpers that need no build step: the self-test timer. Stopping it offers to put the time
// into each result field of the same test ("Use 34 s for the left side"), so nothing is retyped.
document.addEventListener("click", function (event) {
  var use = event.target.closest("[data-timer-use]");
  if (use) {
    var field = document.getElementById(use.dataset.timerUse);
    if (field) { field.value = use.dataset.seconds; field.focus(); }
    return;
  }
  var button = event.target.closest("[data-timer]");
  if (!button) return;
  var box = button.closest(".timer");
  var out = box.querySelector("output");
  var offers = box.querySelector(".timer-use");
  if (box._interval) {
    clearInterval(box._interval); box._interval = null; button.textContent = "Start timer";
    var seconds = Math.floor((Date.now() - box._start) / 1000);
    out.textContent = seconds + " s";
    var section = box.closest("section") || box.parentElement;
    section.querySelectorAll("input[type=number]").forEach(function (input) {
      var label = section.querySelector("label[for='" + input.id + "']");
      var side = label ? label.textContent.replace(/\s*\(.*\)\s*$/, "").toLowerCase() : "the result";
      var offer = document.createElement("button");
      offer.type = "button"; offer.className = "secondary";
      offer.dataset.timerUse = input.id; offer.dataset.seconds = String(seconds);
      offer.textContent = "Use " + seconds + " s for " + side;
      offers.appendChild(offer);
    });
    return;
  }
  offers.textContent = "";
  box._start = Date.now();
  button.textContent = "Stop";
  box._interval = setInterval(function () {
    out.textContent = Math.floor((Date.now() - box._start) / 1000) + " s";
  }, 250);
});

// Upload with a progress bar: forms marked data-upload-progress send by XHR and show how far they got.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.matches("[data-upload-progress]") || !window.XMLHttpRequest || !window.FormData) return;
  event.preventDefault();
  var bar = form.querySelector("progress");
  var button = form.querySelector("button[type=submit]");
  if (bar) { bar.hidden = false; bar.value = 0; }
  if (button) { button.disabled = true; button.textContent = "Uploading…"; }
  var xhr = new XMLHttpRequest();
  xhr.open("POST", form.action);
  xhr.upload.onprogress = function (e) { if (bar && e.lengthComputable) bar.value = Math.round(100 * e.loaded / e.total); };
  xhr.onload = function () {
    if (xhr.status < 400 && xhr.responseURL && xhr.responseURL !== form.action) { window.location.assign(xhr.responseURL); return; }
    document.open(); document.write(xhr.responseText); document.close();
  };
  xhr.onerror = function () { if (button) { button.disabled = false; button.textContent = "Upload and analyse"; } alert("The upload failed. Check the connection and try again."); };
  xhr.send(new FormData(form));
});

// Print buttons (the summary for a clinician): the browser's own print dialog, which can also save a PDF.
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) window.print();
});

// Follow-up questions (data-ask-if): shown only when the answer they follow is given, e.g. where
// the numbness is, once numbness is reported. Without scripts every question stays visible and the
// server drops a follow-up's answer when its condition does not hold.
function heelcoachAskIf() {
  document.querySelectorAll("[data-ask-if]").forEach(function (box) {
    var form = box.closest("form");
    var chosen = form ? form.querySelector("input[name='" + box.dataset.askIf + "']:checked") : null;
    box.hidden = !(chosen && chosen.value === box.dataset.askIfValue);
  });
}
document.addEventListener("change", function (event) {
  if (event.target.closest("form") && document.querySelector("[data-ask-if]")) heelcoachAskIf();
});
document.addEventListener("DOMContentLoaded", heelcoachAskIf);
