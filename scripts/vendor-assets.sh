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
rm -rf "$dest" && mv "$dest.tmp" "$dest"
echo "borderwatch: map assets installed in $dest"
