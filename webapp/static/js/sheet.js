/*
 * borderwatch patrol sheet (templates/patrols/sheet.html): the "Print" button, and on screen
 * the form that records a stop's outcome (POST /api/patrols/<id>/stops/<seq>/outcome with the
 * CSRF header of static/js/csrf.js); the page reloads to show it. No inline script (the CSP).
 * An "incident found" carries its own idempotency key (crypto.randomUUID), made before the first
 * try and sent again with every retry for that stop, so that a retry is stored once.
 */
(function () {
  "use strict";
  var button = document.getElementById("print-sheet");
  if (button) button.addEventListener("click", function () { window.print(); });

  var form = document.getElementById("record-form");
  if (!form) return;
  var outcome = document.getElementById("record-outcome");
  var incident = document.getElementById("record-incident");
  var status = document.getElementById("record-status");
  function toggle() { incident.hidden = outcome.value !== "incident_found"; }
  /* The key of the incident found at each stop (by seq), kept until it is saved. */
  var keys = {};
  function newKey() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    var b = window.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(b, function (x) {
      return (x + 0x100).toString(16).slice(1);
    });
    return hex.slice(0, 4).join("") + "-" + hex.slice(4, 6).join("") + "-" +
      hex.slice(6, 8).join("") + "-" + hex.slice(8, 10).join("") + "-" + hex.slice(10).join("");
  }
  outcome.addEventListener("change", toggle);
  toggle();
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var seq = document.getElementById("record-seq").value;
    var body = { outcome: outcome.value };
    var note = document.getElementById("record-note").value.trim();
    if (note) body.note = note;
    if (outcome.value === "incident_found") {
      if (!keys[seq]) keys[seq] = newKey();
      body.incident = {
        category: document.getElementById("record-category").value,
        severity: Number(document.getElementById("record-severity").value),
        idempotency_key: keys[seq]
      };
      var description = document.getElementById("record-description").value.trim();
      if (description) body.incident.description = description;
    }
    var url = form.dataset.url.replace(/\/stops\/0\//, "/stops/" + encodeURIComponent(seq) + "/");
    status.textContent = "Saving…";
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) {
          status.textContent = (data.field ? data.field + ": " : "") + (data.message || response.status);
          return;
        }
        status.textContent = "Saved" + (data.incident_id ? ": incident no. " + data.incident_id : "") + ".";
        window.location.reload();
      });
    }).catch(function () {
      status.textContent = "Not saved: no connection. Try again; it is stored once.";
    });
  });
})();
