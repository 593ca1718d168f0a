/* What the service worker keeps, and under which key: the rules of the routes that
 * scripts/build-sw.js hands to Workbox's generateSW. No DOM and no Workbox here: the worker
 * loads this file with importScripts (self.bwSw) and node's test runner requires it
 * (tests/js/sw-routes.test.js).
 *
 *   the app shell   /app (the map page without per-request secrets) and /app/map.js (its map
 *                   script), network first, the last good copy kept ("bw-shell")
 *   pages           "My reports", network first, the last good copy kept ("bw-pages")
 *   warm-up         warmUrls: what a page asks the worker to keep as soon as it controls the
 *                   page, so that the first visit is enough to open the app offline
 *   layers          /api/layers/<name>: network first; the last answer of each layer at each
 *                   zoom is kept whatever the box ("bw-layers"), so that the district opened at
 *                   a zoom draws again offline at that zoom
 *   catalogues      /i18n/<lang>.js?v=<digest>: cache first (the digest names the version)
 *   navigation      anything else opened offline falls back to the kept shell
 *
 * Scripts, styles, fonts and icons are precached by generateSW from webapp/static. Nothing that
 * changes state (POST, PATCH, DELETE) and nothing of another origin is ever kept; neither is an
 * answer that is not a plain 200 of this origin (a redirect to the sign-in page is not the shell).
 */
(function (root, factory) {
  "use strict";
  if (typeof module === "object" && module.exports) {
    module.exports = factory();
  } else {
    root.bwSw = factory();
  }
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";
  const CACHES = {
    shell: "bw-shell",
    pages: "bw-pages",
    layers: "bw-layers",
    catalogues: "bw-catalogues",
  };
  /** The caches that hold the signed-in account's data: emptied when it signs out. */
  const ACCOUNT_CACHES = [CACHES.shell, CACHES.pages, CACHES.layers];
  const SHELL = "/app";
  const SHELL_PATHS = [SHELL, "/app/map.js"];
  const PAGES = ["/my-reports"];
  /** The query parameters of a layer that choose what it shows (every one but the box). */
  const LAYER_PARAMS = ["zoom", "category", "status", "since", "until", "run", "plan"];
  const LAYER_PATH = /^\/api\/layers\/([a-z0-9_]+)$/;
  const CATALOGUE_PATH = /^\/i18n\/[a-z]{2}\.js$/;

  function asUrl(value, base) {
    if (value instanceof URL) return value;
    return new URL(String(value), base || "http://localhost/");
  }

  /** Whether a request is one the worker may answer from a cache at all: a GET of this
   * origin. */
  function keepable(request, url, origin) {
    return (!request || !request.method || request.method === "GET") && url.origin === origin;
  }

  function isShell(url) {
    return SHELL_PATHS.indexOf(url.pathname) >= 0;
  }

  function isPage(url) {
    return PAGES.indexOf(url.pathname) >= 0;
  }

  /** The name of the layer a URL loads, or null. */
  function layerName(url) {
    const match = LAYER_PATH.exec(url.pathname);
    return match ? match[1] : null;
  }

  function isCatalogue(url) {
    return CATALOGUE_PATH.test(url.pathname);
  }

  /** The key a layer's answer is kept under: its path and the parameters that choose what it
   * shows, in a fixed order, without the box (the last view at each zoom stands for all). */
  function layerCacheKey(value) {
    const url = asUrl(value);
    const key = new URL(url.origin + url.pathname);
    LAYER_PARAMS.forEach(function (name) {
      const given = url.searchParams.get(name);
      if (given !== null && given !== "") key.searchParams.set(name, given);
    });
    return key.href;
  }

  /** Of the kept answers' keys, the one to show for a layer the phone has no copy of at this
   * zoom: the same layer and filters at the nearest zoom kept (the closer of two at the same
   * distance is the one further in, which holds the finer shapes); null when there is none. */
  function nearestLayerKey(keptKeys, value) {
    const wanted = asUrl(layerCacheKey(value));
    const zoom = Number(wanted.searchParams.get("zoom"));
    wanted.searchParams.delete("zoom");
    let best = null;
    let bestScore = Infinity;
    (keptKeys || []).forEach(function (key) {
      const kept = asUrl(key);
      const keptZoom = Number(kept.searchParams.get("zoom"));
      kept.searchParams.delete("zoom");
      if (kept.href !== wanted.href) return;
      const distance = isFinite(zoom) && isFinite(keptZoom) ? Math.abs(keptZoom - zoom) : 0;
      const score = distance * 2 - (keptZoom > zoom ? 1 : 0);
      if (score < bestScore) {
        bestScore = score;
        best = String(key);
      }
    });
    return best;
  }

  /** Which route a request takes: "shell", "page", "layer", "catalogue", "navigate" (any
   * other page: network, the shell when offline) or null (the network only). */
  function routeOf(request, origin) {
    const url = asUrl(request.url);
    if (!keepable(request, url, origin)) return null;
    if (isShell(url)) return "shell";
    // the account's pages: opened, or fetched by the page that warms the caches (base.js)
    if (isPage(url) && request.mode !== "no-cors") return "page";
    if (layerName(url)) return "layer";
    if (isCatalogue(url)) return "catalogue";
    if (request.mode === "navigate") return "navigate";
    return null;
  }

  /** Whether an answer may be kept: a plain 200 of this origin, not reached by a redirect. */
  function keepsAnswer(response) {
    return !!response && response.status === 200 && !response.redirected && response.type !== "opaque";
  }

  /** The copy of an answer the worker keeps: the same answer without Vary, with the time it
   * was fetched (X-Bw-Kept-At, RFC 3339), which a page shows when it is served instead of the network
   * ("the copy kept on this phone on ..."); null for an answer that is not kept. */
  function keptCopy(response, now) {
    if (!keepsAnswer(response)) return Promise.resolve(null);
    const headers = new Headers(response.headers);
    headers.set("X-Bw-Kept-At", (now || new Date()).toISOString());
    // kept for this phone's account only (emptied at sign-out): matched by its address alone,
    // whatever the Vary of the answer (the Cache API would compare cookies it cannot see)
    headers.delete("Vary"); // i18n-ignore (a header name)
    return response.blob().then(function (body) {
      return new Response(body, {
        status: response.status,
        statusText: response.statusText,
        headers: headers,
      });
    });
  }

  /** What a page fetches through the worker as soon as the worker controls it, unless the
   * shell is kept already: the shell and its map script, those of the account's pages its role
   * reads (``pages``) and the page's own catalogue (the first visit's requests left before
   * there was a worker to keep them). */
  function warmUrls(catalogue, pages) {
    const urls = SHELL_PATHS.concat(
      (pages || []).filter(function (path) {
        return PAGES.indexOf(path) >= 0;
      }),
    );
    if (catalogue && isCatalogue(asUrl(catalogue))) urls.push(String(catalogue));
    return urls;
  }

  return {
    warmUrls: warmUrls,
    keptCopy: keptCopy,
    CACHES: CACHES,
    ACCOUNT_CACHES: ACCOUNT_CACHES,
    PAGES: PAGES,
    SHELL: SHELL,
    routeOf: routeOf,
    layerName: layerName,
    layerCacheKey: layerCacheKey,
    nearestLayerKey: nearestLayerKey,
    keepsAnswer: keepsAnswer,
  };
});
