// Adds the page's CSRF token (<meta name="csrf-token">) as the X-CSRFToken header to every
// same-origin fetch() that changes state. Load it before scripts that POST to the app.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (!meta || !window.fetch) { return; }
  var token = meta.getAttribute("content");
  var safe = { GET: 1, HEAD: 1, OPTIONS: 1, TRACE: 1 };
  var nativeFetch = window.fetch.bind(window);
  window.fetch = function (input, init) {
    init = init || {};
    var method = (init.method || (input && input.method) || "GET").toUpperCase();
    var url = new URL(typeof input === "string" ? input : input.url, window.location.href);
    if (!safe[method] && url.origin === window.location.origin) {
      var headers = new Headers(init.headers || (input && input.headers) || {});
      if (!headers.has("X-CSRFToken")) { headers.set("X-CSRFToken", token); }
      init = Object.assign({}, init, { headers: headers });
    }
    return nativeFetch(input, init);
  };
})();
