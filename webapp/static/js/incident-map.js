/*
 * The incident page's small map (templates/review/incident.html): the report's place as a
 * marker, the basemap if one is configured. Coordinates and the tile URL come from the map
 * element's data attributes; the element stays hidden when they are missing or Leaflet is not
 * there. The map takes the keyboard focus like any control (arrows pan it) and Tab leaves it.
 */
(function () {
  "use strict";

  function start() {
    const box = document.getElementById("incident-map");
    if (!box || !window.L) return;
    const lat = parseFloat(box.dataset.lat);
    const lon = parseFloat(box.dataset.lon);
    if (!isFinite(lat) || !isFinite(lon)) return;
    box.hidden = false;
    const map = L.map(box, { zoomControl: false, scrollWheelZoom: false }).setView([lat, lon], 13);
    L.control.zoom({ zoomInTitle: bw.t("Zoom in"), zoomOutTitle: bw.t("Zoom out") }).addTo(map);
    if (box.dataset.tileUrl) {
      L.tileLayer(box.dataset.tileUrl, {
        maxZoom: 19,
        attribution: box.dataset.tileAttribution || "",
      }).addTo(map);
    }
    L.circleMarker([lat, lon], { radius: 9, color: "#a40000", weight: 3 }).addTo(map);
    L.control.scale({ imperial: false }).addTo(map);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
