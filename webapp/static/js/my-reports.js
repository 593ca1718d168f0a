/* "My reports" (templates/incidents/my_reports.html): the reports still waiting in this
 * browser's outbox (static/js/outbox.js, kept by the map's pin drop), listed above the reports
 * the server stored. The server does not know them; the map sends them. Everything is written
 * with textContent (no HTML from data). */
(function () {
  "use strict";
  const configNode = document.getElementById("my-reports-config");
  const box = document.getElementById("my-outbox");
  const list = document.getElementById("my-outbox-items");
  if (!configNode || !box || !list || !window.bw || !bw.outbox || !bw.t) return;
  const config = JSON.parse(configNode.textContent);
  const categories = new Map(config.categories);
  const key = bw.outbox.storageKey(config.user);
  let outbox;
  try {
    outbox = bw.outbox.open(window.localStorage, key);
  } catch {
    return; /* storage blocked: nothing can be waiting in it */
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /* What the user must do about an item, or null when the map only has to send it. */
  function stateText(item) {
    if (item.state === "signin") return bw.t("Waiting: sign in again on the map to send it.");
    if (item.state === "refused") {
      const error = item.error || {};
      const said =
        error.message || bw.t("The server refused it (HTTP {status}).", { status: error.status });
      return bw.t("Refused: {message} Correct it or discard it on the map.", { message: said });
    }
    return null;
  }

  function row(item) {
    const li = el("li", "bw-card bw-my-report bw-my-pending");
    li.dataset.key = item.key;
    const head = el("div", "bw-my-head");
    const category = item.body.category;
    head.appendChild(el("h3", "bw-my-title", categories.get(category) || bw.t("Report")));
    const refused = item.state === "refused";
    head.appendChild(
      el(
        "span",
        "bw-badge " + (refused ? "bw-badge-rejected" : "bw-badge-pending"),
        refused ? bw.t("Refused") : bw.t("Waiting to send"),
      ),
    );
    li.appendChild(head);
    const facts = el("dl", "bw-facts");
    facts.appendChild(el("dt", null, bw.t("Happened")));
    facts.appendChild(el("dd", null, bw.formatDateTime(item.body.occurred_at)));
    facts.appendChild(el("dt", null, bw.t("Made on this phone")));
    facts.appendChild(el("dd", null, bw.formatDateTime(item.created)));
    const state = stateText(item);
    if (state) {
      facts.appendChild(el("dt", null, bw.t("Status")));
      facts.appendChild(el("dd", "bw-my-state", state));
    }
    li.appendChild(facts);
    return li;
  }

  function render() {
    const waiting = bw.outbox.unsent(outbox.items());
    list.textContent = "";
    waiting.forEach(function (item) {
      list.appendChild(row(item));
    });
    box.hidden = waiting.length === 0;
  }

  /* The map in another tab sends them: follow its changes. */
  window.addEventListener("storage", function (event) {
    if (event.key === key || event.key === null) render();
  });
  render();
})();
