/* Every page (templates/base.html): the header's menu button on phones, the language switch,
 * the question asked before an irreversible action (a form with data-confirm="..." is sent
 * only when confirmed), and for signed-in accounts the field app's service worker
 * (webapp/offline): registered with workbox-window, a new version announced ("reload"), the
 * connection shown when it is lost, the session's CSRF token asked for on pages the worker
 * keeps (they hold none: bw.csrfToken), and the account's kept copies emptied on sign-out. */
(function () {
  "use strict";
  const toggle = document.querySelector(".bw-bar-toggle");
  const menu = document.getElementById("bw-menu");
  if (toggle && menu) {
    toggle.addEventListener("click", function () {
      const open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      menu.classList.toggle("bw-open", open);
    });
  }
  // the language switch: its buttons are type=button (a page's own form keeps the first submit
  // button of the page), so the choice is sent from here
  document.querySelectorAll(".bw-lang [data-lang]").forEach(function (button) {
    button.addEventListener("click", function () {
      const form = button.form;
      form.elements.namedItem("lang").value = button.getAttribute("data-lang");
      form.submit();
    });
  });
  document.addEventListener("submit", function (event) {
    const form = event.target;
    const question = form instanceof HTMLFormElement ? form.getAttribute("data-confirm") : null;
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  /* ---- the field app (webapp/offline, static/js/sw-routes.js) ---- */
  window.bw = window.bw || {};
  const worker = document.querySelector('meta[name="bw-service-worker"]');
  const csrfMeta = document.querySelector('meta[name="csrf-token"]');
  const banner = document.getElementById("bw-connection");
  const t = window.bw.t || function (text) { return text; };
  /** The worker's rules (static/js/sw-routes.js, loaded before this script when signed in). */
  const rules = window.bwSw || { ACCOUNT_CACHES: [], warmUrls: function () { return []; } };
  let session = null;

  function say(text, signIn) {
    if (!banner) return;
    banner.textContent = text;
    if (signIn) {
      const link = document.createElement("a");
      link.href = "/login?next=" + encodeURIComponent(window.location.pathname);
      link.textContent = t("Sign in");
      banner.appendChild(document.createTextNode(" "));
      banner.appendChild(link);
    }
    banner.hidden = !text;
  }

  function showConnection() {
    // the browser says it is offline, or the server did not answer the session's question
    if (navigator.onLine === false || session === "unreachable") {
      say(t("No connection: you see what this phone kept. Reports wait on the phone and are sent when the signal returns."));
    } else if (session === "signed-out") {
      say(t("You are signed out: sign in again to send the reports kept on this phone."), true);
    } else {
      say("");
    }
  }

  function fillToken(token) {
    if (!csrfMeta) return;
    csrfMeta.setAttribute("content", token);
    document.querySelectorAll('input[name="csrf_token"]').forEach(function (input) {
      if (!input.value) input.value = token;
    });
  }

  /** The session's CSRF token: the page's own, or asked for (pages the worker keeps hold none);
   * "" when it cannot be had (no connection, signed out). */
  let asking = null;
  window.bw.csrfToken = function () {
    const known = csrfMeta ? csrfMeta.getAttribute("content") : "";
    if (known || !worker || !window.fetch) return Promise.resolve(known || "");
    if (!asking) {
      asking = window
        .fetch(worker.getAttribute("data-session"), {
          credentials: "same-origin",
          cache: "no-store",
          headers: { Accept: "application/json" },
        })
        .then(function (response) {
          if (response.status === 401) session = "signed-out";
          else if (!response.ok) session = "unreachable"; // e.g. the worker had no answer
          return response.ok ? response.json() : null;
        })
        .then(function (body) {
          if (body && body.csrf_token) {
            session = "signed-in";
            fillToken(body.csrf_token);
            return body.csrf_token;
          }
          return "";
        })
        .catch(function () {
          session = "unreachable";
          return "";
        })
        .then(function (token) {
          asking = null;
          showConnection();
          return token;
        });
    }
    return asking;
  };

  window.addEventListener("online", function () {
    showConnection();
    window.bw.csrfToken();
  });
  window.addEventListener("offline", showConnection);
  showConnection();
  if (document.body.getAttribute("data-shell") === "true") window.bw.csrfToken();

  // signing out empties the copies of the account's pages and layers kept on this phone (the
  // outbox of unsent reports stays: it is sent after the next sign-in of the same account)
  const signOut = document.getElementById("sign-out-form");
  if (signOut && window.caches) {
    signOut.addEventListener("submit", function (event) {
      if (signOut.getAttribute("data-emptied") === "true") return;
      event.preventDefault();
      const done = function () {
        signOut.setAttribute("data-emptied", "true");
        window.bw.csrfToken().then(function () {
          signOut.submit();
        });
      };
      Promise.all(rules.ACCOUNT_CACHES.map(function (name) {
        return window.caches.delete(name);
      })).then(done, done);
    });
  }

  if (worker && "serviceWorker" in navigator && window.workbox && window.workbox.Workbox) {
    const wb = new window.workbox.Workbox(worker.getAttribute("content"));
    const update = document.getElementById("bw-update");
    const reload = document.getElementById("bw-update-reload");
    // a new version waits until the user says so: a report being written is never lost to a
    // reload, and the outbox (localStorage, IndexedDB) outlives every version of the worker
    wb.addEventListener("waiting", function () {
      if (!update || !reload) return;
      update.hidden = false;
      reload.onclick = function () {
        wb.addEventListener("controlling", function () {
          window.location.reload();
        });
        wb.messageSkipWaiting();
      };
    });
    // the first visit's requests left before there was a worker: once it controls the page,
    // have it keep the shell, the account's pages and this page's catalogue (unless kept)
    const warm = function () {
      if (!navigator.serviceWorker.controller || !window.caches) return;
      window.caches.match(rules.SHELL || "/app").then(function (kept) {
        if (kept) return;
        const catalogue = document.querySelector('script[src^="/i18n/"]');
        const pages = (worker.getAttribute("data-pages") || "").split(" ").filter(Boolean);
        rules.warmUrls(catalogue ? catalogue.getAttribute("src") : null, pages).forEach(
          function (url) {
            window.fetch(url, { credentials: "same-origin" }).catch(function () {});
          },
        );
      });
    };
    navigator.serviceWorker.addEventListener("controllerchange", warm);
    wb.register()
      .then(warm)
      .catch(function () {
        /* no worker (a private window, an old browser): the pages work online as before */
      });
    window.addEventListener("online", function () {
      wb.update().catch(function () {});
    });
    window.bw.serviceWorker = wb;
  }
})();
