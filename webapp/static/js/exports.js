/* The export jobs page (templates/export/jobs.html): the form asks POST /api/exports for a job,
 * and while any job is waiting or being written the page asks GET /api/exports every 1.5 s and
 * redraws each job's state, progress bar (features written of the estimate) and download link. */
(function () {
  "use strict";
  const config = document.getElementById("export-jobs-config");
  const form = document.getElementById("export-job-form");
  if (!config || !form || !window.fetch) { return; }
  const page = JSON.parse(config.textContent);
  const body = document.querySelector("#export-jobs tbody");
  const empty = document.getElementById("jobs-empty");
  const table = document.getElementById("jobs-table");
  const error = document.getElementById("job-error");
  const start = document.getElementById("job-start");
  const ACTIVE = { queued: true, running: true };
  let timer = null;

  function cell(tag, text) {
    const node = document.createElement(tag);
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function row(job) {
    const tr = document.createElement("tr");
    tr.setAttribute("data-job", String(job.id));
    const layer = cell("th", page.titles[job.collection] || job.collection);
    layer.setAttribute("scope", "row");
    const format = cell("span", page.formats[job.format] || job.format);
    format.className = "bw-job-format";
    layer.append(document.createElement("br"), format);
    tr.appendChild(layer);
    tr.appendChild(cell("td", bw.formatDateTime(job.created_at)));
    const state = cell("td");
    const words = cell("span", page.statuses[job.status] || "");
    words.className = "bw-job-status";
    const bar = document.createElement("progress");
    bar.className = "bw-job-progress";
    bar.max = 1;
    bar.value = job.progress;
    bar.setAttribute("aria-label", bw.t("Progress of the export"));
    const count = cell("span", bw.t("{written} of about {estimated} features", {
      written: bw.formatNumber(job.features_written),
      estimated: bw.formatNumber(job.features_estimated || 0),
    }));
    count.className = "bw-job-count";
    state.append(words, " ", bar, " ", count);
    if (job.status === "failed" && job.error) {
      state.append(" ", cell("span", job.error));
    }
    if (job.status === "done") {
      const link = cell("a", bw.t("Download"));
      link.className = "bw-btn";
      link.href = page.api + "/" + job.id + "/file";
      link.setAttribute("download", job.file_name || "");
      state.append(" ", link);
    }
    tr.appendChild(state);
    return tr;
  }

  function draw(jobs) {
    body.replaceChildren.apply(body, jobs.map(row));
    empty.hidden = jobs.length > 0;
    table.hidden = jobs.length === 0; // no header row over an empty list
    const moving = jobs.some(function (job) { return ACTIVE[job.status]; });
    if (moving && timer === null) {
      timer = window.setInterval(poll, 1500);
    } else if (!moving && timer !== null) {
      window.clearInterval(timer);
      timer = null;
    }
  }

  function poll() {
    fetch(page.api, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) { if (answer) { draw(answer.exports); } })
      .catch(function () { /* offline: the page keeps the last state and asks again */ });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    error.hidden = true;
    start.disabled = true;
    const params = {};
    ["datetime", "district"].forEach(function (name) {
      const value = form.elements[name].value.trim();
      if (value) { params[name] = value; }
    });
    fetch(page.api, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({
        collection: form.elements.collection.value,
        format: form.elements.format.value,
        params: params,
        job: true,
      }),
    })
      .then(function (response) {
        return response.json().then(function (answer) {
          if (!response.ok) { throw answer; }
          return answer;
        });
      })
      .then(function () { poll(); })
      .catch(function (answer) {
        error.textContent = (answer && answer.message) || bw.t("The export could not be started.");
        error.hidden = false;
      })
      .finally(function () { start.disabled = false; });
  });

  draw(page.jobs);
})();
