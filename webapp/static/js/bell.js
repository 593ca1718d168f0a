/* The notifications' bell in the header (templates/base.html): asks the unread count of
 * /api/notifications/unread when the page opens, every 30 seconds while the page is shown, and
 * when it is shown again, and writes it on the bell without a reload. Polling, not server-sent
 * events: one small GET through the same gunicorn workers and proxies as every other request,
 * no long-held connection per open tab (docs/notifications.md). */
(function () {
  "use strict";
  const bell = document.getElementById("bw-bell");
  if (!bell || !window.fetch) { return; }
  const count = document.getElementById("bw-bell-count");
  const label = document.getElementById("bw-bell-label");
  const url = bell.getAttribute("data-unread-url");
  const every = Number(bell.getAttribute("data-poll-ms")) || 30000;

  function show(n) {
    count.textContent = bw.formatNumber(n);
    count.hidden = n === 0;
    label.textContent = n === 0
      ? bw.t("Notifications")
      : bw.tn("Notifications: {n} unread", "Notifications: {n} unread", n, { n: bw.formatNumber(n) });
  }

  function poll() {
    if (document.hidden) { return; }
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (body && typeof body.unread === "number") { show(body.unread); }
      })
      .catch(function () { /* offline: the bell keeps its last count */ });
  }

  poll();
  window.setInterval(poll, every);
  document.addEventListener("visibilitychange", poll);
})();
