// Adds the session's CSRF token as the X-CSRFToken header to every same-origin fetch() that
// changes state: the page's own (<meta name="csrf-token">), or, on a page the service worker
// keeps (it holds none), the one base.js asks /api/session for (bw.csrfToken). Load it before
// scripts that POST to the app.
(function () {
  "use strict";
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (!meta || !window.fetch) { return; }
  const safe = { GET: 1, HEAD: 1, OPTIONS: 1, TRACE: 1 };
  const nativeFetch = window.fetch.bind(window);
  function token() {
    const known = meta.getAttribute("content");
    if (known || !window.bw || !window.bw.csrfToken) { return Promise.resolve(known); }
    return window.bw.csrfToken();
  }
  window.fetch = function (input, init) {
    init = init || {};
    const method = (init.method || (input && input.method) || "GET").toUpperCase();
    const url = new URL(typeof input === "string" ? input : input.url, window.location.href);
    if (safe[method] || url.origin !== window.location.origin) {
      return nativeFetch(input, init);
    }
    const headers = new Headers(init.headers || (input && input.headers) || {});
    if (headers.has("X-CSRFToken")) { return nativeFetch(input, init); }
    return token().then(function (value) {
      headers.set("X-CSRFToken", value);
      return nativeFetch(input, Object.assign({}, init, { headers: headers }));
    });
  };
})();
