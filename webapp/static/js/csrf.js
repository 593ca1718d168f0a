// Adds the page's CSRF token (<meta name="csrf-token">) as the X-CSRFToken header to every
// same-origin fetch() that changes state. Load it before scripts that POST to the app.
(function () {
  "use strict";
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (!meta || !window.fetch) { return; }
  const token = meta.getAttribute("content");
  const safe = { GET: 1, HEAD: 1, OPTIONS: 1, TRACE: 1 };
  const nativeFetch = window.fetch.bind(window);
  window.fetch = function (input, init) {
    init = init || {};
    const method = (init.method || (input && input.method) || "GET").toUpperCase();
    const url = new URL(typeof input === "string" ? input : input.url, window.location.href);
    if (!safe[method] && url.origin === window.location.origin) {
      const headers = new Headers(init.headers || (input && input.headers) || {});
      if (!headers.has("X-CSRFToken")) { headers.set("X-CSRFToken", token); }
      init = Object.assign({}, init, { headers: headers });
    }
    return nativeFetch(input, init);
  };
})();
