// Small helpers that need no build step: the self-test timer.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-timer]");
  if (!button) return;
  var box = button.closest(".timer");
  var out = box.querySelector("output");
  if (box._interval) { clearInterval(box._interval); box._interval = null; button.textContent = "Start timer"; return; }
  var start = Date.now();
  button.textContent = "Stop";
  box._interval = setInterval(function () {
    var s = Math.floor((Date.now() - start) / 1000);
    out.textContent = s + " s";
    var input = box.parentElement.querySelector("input[type=number]");
    if (input && box.dataset.fill === "1") input.value = s;
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
