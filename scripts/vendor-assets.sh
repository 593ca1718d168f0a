#!/usr/bin/env bash
# Installs the map's JS/CSS libraries from the npm registry (package-lock.json pins them) and copies
# the files the app serves into webapp/static/vendor/ (ignored by git). The development tools
# (ESLint for `make lint-js`, axe-core for the browser tests) are installed too, whatever NODE_ENV
# says, and stay in node_modules: nothing of theirs is served.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --include=dev --no-audit --no-fund --loglevel=error
dest=webapp/static/vendor
rm -rf "$dest.tmp" && mkdir -p "$dest.tmp/leaflet" "$dest.tmp/leaflet.markercluster"
cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css "$dest.tmp/leaflet/"
cp -r node_modules/leaflet/dist/images "$dest.tmp/leaflet/"
cp node_modules/leaflet/LICENSE "$dest.tmp/leaflet/"
cp node_modules/leaflet.markercluster/dist/leaflet.markercluster.js \
   node_modules/leaflet.markercluster/dist/MarkerCluster.css \
   node_modules/leaflet.markercluster/dist/MarkerCluster.Default.css \
   node_modules/leaflet.markercluster/MIT-LICENCE.txt "$dest.tmp/leaflet.markercluster/"
# The pages' font: Sarabun (SIL Open Font License), the Thai and Latin subsets of the regular
# and semi-bold weights only; fonts.css keeps those @font-face rules of the package's own CSS,
# pointing at the copies beside it (woff2 only: every browser the service supports reads it).
mkdir -p "$dest.tmp/fonts"
font=node_modules/@fontsource/sarabun
for weight in 400 600; do
  for subset in thai latin; do
    cp "$font/files/sarabun-$subset-$weight-normal.woff2" "$dest.tmp/fonts/"
  done
done
cp "$font/LICENSE" "$dest.tmp/fonts/OFL.txt"
node -e '
const fs = require("fs");
const [font, out] = process.argv.slice(1);
const rules = [];
for (const weight of ["400", "600"]) {
  const css = fs.readFileSync(font + "/" + weight + ".css", "utf8");
  for (const block of css.split("/*").slice(1)) {
    const name = block.slice(0, block.indexOf("*/")).trim();
    if (!/^sarabun-(thai|latin)-\d+-normal$/.test(name)) continue;
    const rule = block.slice(block.indexOf("@font-face"))
      .replace(/url\(\.\/files\/([^)]+)\.woff2\) format\(.woff2.\)(, url\([^)]+\) format\(.woff.\))?/, "url(./$1.woff2) format(\"woff2\")");
    rules.push(rule.trim());
  }
}
if (rules.length !== 4) throw new Error("expected 4 font rules, found " + rules.length);
fs.writeFileSync(out, rules.join("\n") + "\n");
' "$font" "$dest.tmp/fonts/fonts.css"
# The page side of the service worker (updates announced, static/js/base.js); the worker itself
# is built by scripts/build-sw.js (make assets).
mkdir -p "$dest.tmp/workbox-window"
cp node_modules/workbox-window/build/workbox-window.prod.umd.js "$dest.tmp/workbox-window/"
cp node_modules/workbox-window/LICENSE "$dest.tmp/workbox-window/"
# Charts of the dashboard: Chart.js's UMD build (no eval, no injected inline styles: the strict
# CSP holds), @kurkle/color bundled in it.
mkdir -p "$dest.tmp/chart.js"
cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/LICENSE.md "$dest.tmp/chart.js/"
# Editing on the map (the reference editor, /reference/edit): Leaflet-Geoman's bundle (its turf,
# lodash and polyclip dependencies inside; no eval in a browser) and its stylesheet, whose icons
# are data: SVGs (the CSP's img-src allows data:).
mkdir -p "$dest.tmp/leaflet-geoman"
geoman=node_modules/@geoman-io/leaflet-geoman-free
cp "$geoman/dist/leaflet-geoman.min.js" "$geoman/dist/leaflet-geoman.css" "$geoman/LICENSE" \
   "$dest.tmp/leaflet-geoman/"
rm -rf "$dest" && mv "$dest.tmp" "$dest"
echo "borderwatch: map assets installed in $dest"
