/*
 * borderwatch patrol sheet (templates/patrols/sheet.html): the "Print" button, and on screen
 * the form that records a stop's outcome (POST /api/patrols/<id>/stops/<seq>/outcome with the
 * CSRF header of static/js/csrf.js); the page reloads to show it. No inline script (the CSP).
 * An "incident found" carries its own idempotency key (bw.outbox.newKey of static/js/outbox.js),
 * made before the first try and sent again with every retry for that stop, so that a retry is
 * stored once. Words come from the page's catalogue (bw.t); an error names the form's own label
 * of its field.
 */
(function () {
  "use strict";
  const button = document.getElementById("print-sheet");
  if (button) button.addEventListener("click", function () { window.print(); });

  const form = document.getElementById("record-form");
  if (!form) return;
  const outcome = document.getElementById("record-outcome");
  const incident = document.getElementById("record-incident");
  const status = document.getElementById("record-status");
  function toggle() { incident.hidden = outcome.value !== "incident_found"; }
  /* The key of the incident found at each stop (by seq), kept until it is saved; made as the
   * pin drop makes its keys (static/js/outbox.js). */
  const keys = {};

  /* The server's message (in the page's language), after the label of the field it names when
   * the form has that field ("incident.category" names the category). */
  function refusal(data, code) {
    const message = (data && data.message) || bw.t("The server answered with an error ({status}).", { status: code });
    const field = data && data.field ? String(data.field).split(".").pop() : "";
    const control = field ? form.querySelector('[name="' + CSS.escape(field) + '"]') : null;
    const labelled = control && control.labels && control.labels[0];
    return labelled
      ? bw.t("{field}: {message}", { field: labelled.textContent.trim(), message: message })
      : message;
  }

  outcome.addEventListener("change", toggle);
  toggle();
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const seq = document.getElementById("record-seq").value;
    const body = { outcome: outcome.value };
    const note = document.getElementById("record-note").value.trim();
    if (note) body.note = note;
    if (outcome.value === "incident_found") {
      if (!keys[seq]) keys[seq] = bw.outbox.newKey();
      body.incident = {
        category: document.getElementById("record-category").value,
        severity: Number(document.getElementById("record-severity").value),
        idempotency_key: keys[seq]
      };
      const description = document.getElementById("record-description").value.trim();
      if (description) body.incident.description = description;
    }
    const url = form.dataset.url.replace(/\/stops\/0\//, "/stops/" + encodeURIComponent(seq) + "/");
    status.textContent = bw.t("Saving…");
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (data) {
        if (!response.ok) {
          status.textContent = refusal(data, response.status);
          return;
        }
        status.textContent = data && data.incident_id
          ? bw.t("Saved: incident no. {id}.", { id: data.incident_id })
          : bw.t("Saved.");
        window.location.reload();
      });
    }).catch(function () {
      status.textContent = bw.t("Not saved: no connection. Try again; it is stored once.");
    });
  });
})();
