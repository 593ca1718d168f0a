// Builds the service worker (served at /sw.js by webapp/offline) with Workbox's generateSW:
//   node scripts/build-sw.js [out]      (default webapp/static/sw/sw.js; run by `make assets`)
// It precaches the app's scripts, styles, fonts and icons from webapp/static (each with the hash
// of its content, so a changed file is fetched again by the next worker) and routes the rest by
// the rules of webapp/static/js/sw-routes.js, which the worker imports. The Workbox runtime is
// inlined: the worker is one file, and nothing comes from a CDN. See docs/offline.md.
"use strict";
const path = require("path");
// Debian 12's Node.js 18 has no global Web Crypto, which serialize-javascript (under
// workbox-build) reads at load time, also in the worker threads that minify the worker: run
// again with the flag that gives it (worker threads inherit the flags); later versions have it.
if (typeof globalThis.crypto === "undefined") {
  const again = require("child_process").spawnSync(
    process.execPath,
    ["--experimental-global-webcrypto", __filename, ...process.argv.slice(2)],
    { stdio: "inherit" },
  );
  process.exit(again.status === null ? 1 : again.status);
}
const { generateSW } = require("workbox-build");

const root = path.resolve(__dirname, "..");
const out = path.resolve(process.argv[2] || path.join(root, "webapp/static/sw/sw.js"));

/* The plugins below are written into the worker as source text (workbox-build serialises
 * them): they may name only the worker's globals, such as self.bwSw (sw-routes.js). */
const keep = {
  cacheWillUpdate: ({ response }) => self.bwSw.keptCopy(response),
};
const accountPages = {
  handlerDidError: () => caches.match(self.bwSw.SHELL, { cacheName: self.bwSw.CACHES.shell }),
};

generateSW({
  swDest: out,
  globDirectory: path.join(root, "webapp/static"),
  // what the field app's pages load (the shell /app and My reports), nothing of the other pages:
  // the install fetches these one after another, so every file costs a round trip on a weak link
  globPatterns: [
    "js/{base,i18n,csrf,layers,outbox,photo,pindrop,my-reports,sw-routes,bell}.js",
    "css/{base,map,pindrop,my-reports}.css",
    "icons/*.{png,svg}",
    "vendor/fonts/*.{css,woff2}",
    "vendor/leaflet/leaflet.{js,css}",
    "vendor/leaflet/images/*.png",
    "vendor/leaflet.markercluster/*.{js,css}",
    "vendor/workbox-window/*.js",
  ],
  modifyURLPrefix: { "": "/static/" },
  // pages ask for /static/... ?v=<hash> (webapp/static_files.py): the same file
  ignoreURLParametersMatching: [/^v$/],
  importScripts: ["/static/js/sw-routes.js"],
  inlineWorkboxRuntime: true,
  mode: "production",
  sourcemap: false,
  // a new worker waits until the page says so (base.js: "a new version is ready: reload")
  skipWaiting: false,
  clientsClaim: true,
  cleanupOutdatedCaches: true,
  runtimeCaching: [
    {
      urlPattern: ({ request }) => self.bwSw.routeOf(request, self.location.origin) === "shell",
      handler: "NetworkFirst",
      options: { cacheName: "bw-shell", networkTimeoutSeconds: 5, plugins: [keep] },
    },
    {
      urlPattern: ({ request }) => self.bwSw.routeOf(request, self.location.origin) === "page",
      handler: "NetworkFirst",
      options: { cacheName: "bw-pages", networkTimeoutSeconds: 5, plugins: [keep, accountPages] },
    },
    {
      urlPattern: ({ request }) => self.bwSw.routeOf(request, self.location.origin) === "layer",
      handler: "NetworkFirst",
      options: {
        cacheName: "bw-layers",
        networkTimeoutSeconds: 8,
        expiration: { maxEntries: 400 },
        plugins: [
          keep,
          { cacheKeyWillBeUsed: ({ request }) => self.bwSw.layerCacheKey(request.url) },
          // no copy at this zoom: the same layer at the nearest zoom the phone kept
          {
            handlerDidError: ({ request }) =>
              caches.open("bw-layers").then((cache) =>
                cache.keys().then((keys) => {
                  const key = self.bwSw.nearestLayerKey(keys.map((k) => k.url), request.url);
                  return key ? cache.match(key) : undefined;
                }),
              ),
          },
        ],
      },
    },
    {
      urlPattern: ({ request }) => self.bwSw.routeOf(request, self.location.origin) === "catalogue",
      handler: "CacheFirst",
      options: { cacheName: "bw-catalogues", expiration: { maxEntries: 8 }, plugins: [keep] },
    },
    {
      urlPattern: ({ request }) => self.bwSw.routeOf(request, self.location.origin) === "navigate",
      handler: "NetworkOnly",
      options: { plugins: [accountPages] },
    },
  ],
})
  .then(({ count, size, warnings }) => {
    warnings.forEach((w) => console.warn("borderwatch: " + w));
    // the runtime's warning about precaching without revisions (never shown: every entry has
    // one) names a link shortener; the app's files name no other host (tests/test_no_other_hosts)
    const fs = require("fs");
    const text = fs.readFileSync(out, "utf8").replace(/ Learn more at https:\/\/bit\.ly\/wb-precache/g, "");
    fs.writeFileSync(out, text);
    console.log(
      "borderwatch: service worker " + path.relative(root, out) + " precaches " + count +
        " files (" + Math.round(size / 1024) + " KiB)",
    );
  })
  .catch((error) => {
    console.error("borderwatch: the service worker could not be built: " + error.message);
    process.exit(1);
  });
