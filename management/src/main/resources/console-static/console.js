// signage-fleet console: small progressive enhancement. Every page works without it.
"use strict";

// Live parts: <div data-live="/console/live/..."> is replaced whenever the server sends a new fragment.
function startLive() {
  document.querySelectorAll("[data-live]").forEach(function (el) {
    var source = new EventSource(el.getAttribute("data-live"));
    source.addEventListener("fragment", function (event) {
      el.innerHTML = JSON.parse(event.data);
      el.setAttribute("data-updated", new Date().toISOString());
    });
  });
}

// Upload: drop a file on the zone to choose it, then send the form.
function startDropzone() {
  var zone = document.querySelector(".dropzone");
  if (!zone) { return; }
  var input = zone.querySelector("input[type=file]");
  ["dragenter", "dragover"].forEach(function (type) {
    zone.addEventListener(type, function (e) { e.preventDefault(); zone.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (type) {
    zone.addEventListener(type, function (e) { e.preventDefault(); zone.classList.remove("over"); });
  });
  zone.addEventListener("drop", function (e) {
    if (e.dataTransfer && e.dataTransfer.files.length > 0) {
      input.files = e.dataTransfer.files;
      zone.closest("form").submit();
    }
  });
}

// Tables with checkboxes: "select all" toggles every row.
function startSelectAll() {
  document.querySelectorAll("input[data-select-all]").forEach(function (all) {
    all.addEventListener("change", function () {
      document.querySelectorAll("input[name='" + all.getAttribute("data-select-all") + "']").forEach(function (box) {
        box.checked = all.checked;
      });
    });
  });
}

// Buttons that ask before doing something that cannot be undone.
function startConfirm() {
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { e.preventDefault(); }
    });
  });
}

document.addEventListener("DOMContentLoaded", function () {
  startLive();
  startDropzone();
  startSelectAll();
  startConfirm();
});
