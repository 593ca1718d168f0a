// The service worker's rules (webapp/static/js/sw-routes.js) without a worker: which requests
// are kept and under which key, and the copy kept with the time it was fetched.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const sw = require("../../webapp/static/js/sw-routes.js");

const ORIGIN = "https://bw.example";
const get = (path, mode) => ({ url: ORIGIN + path, method: "GET", mode: mode || "cors" });

test("the shell, the account's pages, layers and catalogues are routed; nothing else", () => {
  assert.equal(sw.routeOf(get("/app", "navigate"), ORIGIN), "shell");
  assert.equal(sw.routeOf(get("/app/map.js?v=abc"), ORIGIN), "shell");
  assert.equal(sw.routeOf(get("/my-reports?status=new", "navigate"), ORIGIN), "page");
  assert.equal(sw.routeOf(get("/api/layers/districts?bbox=1,2,3,4&zoom=9"), ORIGIN), "layer");
  assert.equal(sw.routeOf(get("/api/layers/incidents?zoom=12&status=new"), ORIGIN), "layer");
  assert.equal(sw.routeOf(get("/i18n/th.js?v=1234"), ORIGIN), "catalogue");
  assert.equal(sw.routeOf(get("/review", "navigate"), ORIGIN), "navigate");
  assert.equal(sw.routeOf(get("/", "navigate"), ORIGIN), "navigate");
  // the map page's live copy holds a nonce and a CSRF token: never kept, only fallen back from
  assert.equal(sw.routeOf(get("/api/session"), ORIGIN), null);
  assert.equal(sw.routeOf(get("/api/incidents"), ORIGIN), null);
  assert.equal(sw.routeOf(get("/my-reports"), ORIGIN), "page"); // the warm-up's fetch
  assert.equal(sw.routeOf(get("/my-reports", "no-cors"), ORIGIN), null);
  assert.equal(sw.routeOf(get("/api/layers/../admin"), ORIGIN), null);
});

test("nothing that changes state and nothing of another origin is kept", () => {
  const post = { url: ORIGIN + "/api/layers/districts", method: "POST", mode: "cors" };
  assert.equal(sw.routeOf(post, ORIGIN), null);
  assert.equal(sw.routeOf({ url: "https://tiles.example/app", method: "GET", mode: "cors" }, ORIGIN), null);
  assert.equal(sw.routeOf({ url: "https://other.example/app", method: "GET", mode: "navigate" }, ORIGIN), null);
});

test("a layer is kept per zoom and filter whatever the box, its parameters in one order", () => {
  const a = sw.layerCacheKey(ORIGIN + "/api/layers/incidents?bbox=1,2,3,4&zoom=12&status=new&category=smuggling");
  const b = sw.layerCacheKey(ORIGIN + "/api/layers/incidents?category=smuggling&zoom=12&bbox=9,9,9,9&status=new");
  assert.equal(a, b);
  assert.equal(a, ORIGIN + "/api/layers/incidents?zoom=12&category=smuggling&status=new");
  assert.notEqual(sw.layerCacheKey(ORIGIN + "/api/layers/districts?zoom=9"), sw.layerCacheKey(ORIGIN + "/api/layers/districts?zoom=10"));
  assert.equal(sw.layerCacheKey(ORIGIN + "/api/layers/mekong"), ORIGIN + "/api/layers/mekong");
  assert.equal(sw.layerName(new URL(ORIGIN + "/api/layers/border")), "border");
  assert.equal(sw.layerName(new URL(ORIGIN + "/api/layers")), null);
});

test("only a plain 200 of this origin is kept, with the time it was fetched", async () => {
  const when = new Date("2026-12-07T04:30:00Z");
  const kept = await sw.keptCopy(new Response('{"type":"FeatureCollection"}', {
    status: 200,
    headers: { "Content-Type": "application/geo+json", Vary: "Cookie, Accept-Language" },
  }), when);
  assert.equal(kept.headers.get("Vary"), null); // matched by its address alone
  assert.equal(kept.headers.get("X-Bw-Kept-At"), "2026-12-07T04:30:00.000Z");
  assert.equal(kept.headers.get("Content-Type"), "application/geo+json");
  assert.equal(await kept.text(), '{"type":"FeatureCollection"}');
  assert.equal(await sw.keptCopy(new Response("", { status: 500 })), null);
  assert.equal(await sw.keptCopy(new Response(null, { status: 304 })), null);
  const redirected = new Response("<html>sign in</html>", { status: 200 });
  Object.defineProperty(redirected, "redirected", { value: true });
  assert.equal(await sw.keptCopy(redirected), null); // the sign-in page is not the shell
  assert.equal(await sw.keptCopy(null), null);
});

test("the caches of the account's data are named, so that signing out empties them", () => {
  assert.deepEqual(sw.ACCOUNT_CACHES.sort(), ["bw-layers", "bw-pages", "bw-shell"]);
  assert.equal(sw.SHELL, "/app");
});

test("without a copy at this zoom, the same layer at the nearest zoom kept is shown", () => {
  const kept = [
    ORIGIN + "/api/layers/districts?zoom=6",
    ORIGIN + "/api/layers/districts?zoom=12",
    ORIGIN + "/api/layers/districts?zoom=14",
    ORIGIN + "/api/layers/border?zoom=15",
    ORIGIN + "/api/layers/incidents?zoom=15&status=new",
  ];
  const at = (path) => sw.nearestLayerKey(kept, ORIGIN + path);
  assert.equal(at("/api/layers/districts?bbox=1,2,3,4&zoom=15"), ORIGIN + "/api/layers/districts?zoom=14");
  assert.equal(at("/api/layers/districts?zoom=13"), ORIGIN + "/api/layers/districts?zoom=14"); // a tie: further in
  assert.equal(at("/api/layers/districts?zoom=8"), ORIGIN + "/api/layers/districts?zoom=6");
  assert.equal(at("/api/layers/incidents?zoom=15"), null); // other filters are another layer
  assert.equal(at("/api/layers/incidents?zoom=12&status=new"), ORIGIN + "/api/layers/incidents?zoom=15&status=new");
  assert.equal(at("/api/layers/mekong"), null);
  assert.equal(sw.nearestLayerKey([], ORIGIN + "/api/layers/districts?zoom=9"), null);
});

test("a page warms the shell, its script, the account's pages and its catalogue", () => {
  assert.deepEqual(sw.warmUrls("/i18n/th.js?v=abc", ["/my-reports"]), ["/app", "/app/map.js", "/my-reports", "/i18n/th.js?v=abc"]);
  assert.deepEqual(sw.warmUrls(null, []), ["/app", "/app/map.js"]); // a role without My reports
  assert.deepEqual(sw.warmUrls("/static/js/evil.js", ["/admin/users"]), ["/app", "/app/map.js"]);
});
