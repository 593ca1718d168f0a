// The incident page's small map: the incident's place as a marker, the basemap if configured.
// Coordinates and the tile URL come from the map element's data attributes.
(function () {
  "use strict";
  var box = document.getElementById("incident-map");
  if (!box || !window.L) { return; }
  var lat = parseFloat(box.dataset.lat);
  var lon = parseFloat(box.dataset.lon);
  if (!isFinite(lat) || !isFinite(lon)) { return; }
  box.hidden = false;
  var map = L.map(box, { zoomControl: true }).setView([lat, lon], 13);
  if (box.dataset.tileUrl) {
    L.tileLayer(box.dataset.tileUrl, {
      maxZoom: 19, attribution: box.dataset.tileAttribution || ""
    }).addTo(map);
  }
  L.circleMarker([lat, lon], { radius: 9, color: "#a40000", weight: 3 }).addTo(map);
  L.control.scale({ imperial: false }).addTo(map);
}());
