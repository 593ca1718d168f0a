// The public report form's map: a tap places the pin and fills the latitude and longitude
// inputs; typing coordinates moves the pin. Without JavaScript the inputs alone work.
(function () {
  "use strict";
  const box = document.getElementById("report-map");
  const latInput = document.getElementById("report-lat");
  const lonInput = document.getElementById("report-lon");
  if (!box || !latInput || !lonInput || !window.L) { return; }
  box.hidden = false;
  document.querySelectorAll(".bw-js-only").forEach(function (el) { el.hidden = false; });

  const map = L.map(box, { zoomControl: false }).setView(
    [parseFloat(box.dataset.lat), parseFloat(box.dataset.lon)], 6);
  // the zoom buttons' names in the page's language (Leaflet's own are English)
  L.control.zoom({ zoomInTitle: bw.t("Zoom in"), zoomOutTitle: bw.t("Zoom out") }).addTo(map);
  if (box.dataset.tileUrl) {
    L.tileLayer(box.dataset.tileUrl, {
      maxZoom: 19, attribution: box.dataset.tileAttribution || ""
    }).addTo(map);
  }
  let marker = null;

  function place(lat, lon) {
    if (marker) { marker.setLatLng([lat, lon]); } else {
      marker = L.circleMarker([lat, lon], { radius: 9, color: "#a40000", weight: 3 }).addTo(map);
    }
  }

  function fromInputs() {
    const lat = parseFloat(latInput.value.replace(",", "."));
    const lon = parseFloat(lonInput.value.replace(",", "."));
    if (isFinite(lat) && isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180) {
      place(lat, lon);
      return true;
    }
    return false;
  }

  map.on("click", function (event) {
    const p = event.latlng.wrap();
    latInput.value = p.lat.toFixed(5);
    lonInput.value = p.lng.toFixed(5);
    place(p.lat, p.lng);
  });
  latInput.addEventListener("change", fromInputs);
  lonInput.addEventListener("change", fromInputs);
  if (fromInputs()) { map.setView(marker.getLatLng(), 12); }
}());
