/*
 * borderwatch patrol sheet (templates/patrols/sheet.html): the "Print" button, and on screen
 * the form that records a stop's outcome (POST /api/patrols/<id>/stops/<seq>/outcome with the
 * CSRF header of static/js/csrf.js); the page reloads to show it. No inline script (the CSP).
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
  outcome.addEventListener("change", toggle);
  toggle();
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var seq = document.getElementById("record-seq").value;
    var body = { outcome: outcome.value };
    var note = document.getElementById("record-note").value.trim();
    if (note) body.note = note;
    if (outcome.value === "incident_found") {
      body.incident = {
        category: document.getElementById("record-category").value,
        severity: Number(document.getElementById("record-severity").value)
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
