/*
 * borderwatch review queue map (templates/review/queue.html): the incidents of the queue's
 * current page, with the page's filters, as dots coloured by status above the list.
 *
 * Data: <script type="application/json" id="review-items">{"items": [...], "colours": {...}}
 * </script>, written by the view with Flask's tojson (escapes "<", ">", "&" and "'", so no text
 * can close the element); items are as GET /api/review/incidents lists them. The map element
 * #review-map carries the basemap settings in data-tile-url, data-tile-attribution (trusted
 * configuration) and data-max-zoom; an empty data-tile-url draws no basemap.
 *
 * Unlike the map page's incidents layer, the queue shows unverified public reports: it is the
 * place where coordinators verify them. Popups and tooltips are DOM text, never HTML from data.
 *
 * window.borderwatch.review = {map, markers: {incident id: Leaflet marker}}.
 */
(function (global) {
  "use strict";

  /* The watch area ([[south, west], [north, east]]), shown when the page lists nothing. */
  var WATCH_AREA = [[10.8, 99.2], [20.9, 107.2]];

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function words(value) {
    return String(value).replace(/_/g, " ");
  }

  /* "2026-06-01 12:00 (Thai time)" from an RFC 3339 date-time. */
  function thaiTime(value) {
    var when = new Date(value);
    if (typeof value !== "string" || isNaN(when.getTime())) return value;
    var local = new Date(when.getTime() + 7 * 3600 * 1000).toISOString();
    return local.slice(0, 10) + " " + local.slice(11, 16) + " (Thai time)";
  }

  function popup(item) {
    var root = el("div", "bw-popup");
    root.appendChild(el("strong", "bw-popup-title", "#" + item.id + " " + words(item.category)));
    var table = el("table");
    var district = item.district || {};
    [
      ["Status", words(item.status)],
      ["Severity (1-5)", item.severity],
      ["Occurred", thaiTime(item.occurred_at)],
      ["District", district.name + (district.province ? " (" + district.province + ")" : "")]
    ].forEach(function (pair) {
      var row = el("tr");
      row.appendChild(el("th", null, pair[0]));
      row.appendChild(el("td", null, pair[1]));
      table.appendChild(row);
    });
    root.appendChild(table);
    return root;
  }

  function start() {
    var container = document.getElementById("review-map");
    var data = document.getElementById("review-items");
    if (!container || !data || !global.L) return;
    var doc = JSON.parse(data.textContent);
    var maxZoom = Number(container.dataset.maxZoom) || 18;
    var map = L.map(container, { maxZoom: maxZoom, scrollWheelZoom: false });
    if (container.dataset.tileUrl) {
      L.tileLayer(container.dataset.tileUrl, {
        attribution: container.dataset.tileAttribution || "",
        maxZoom: maxZoom
      }).addTo(map);
    }
    var group = L.featureGroup();
    var markers = {};
    (doc.items || []).forEach(function (item) {
      if (typeof item.lat !== "number" || typeof item.lon !== "number") return;
      var marker = L.circleMarker([item.lat, item.lon], {
        radius: 7,
        weight: 2,
        color: "#ffffff",
        fillColor: (doc.colours || {})[item.status] || "#f59f00",
        fillOpacity: 0.95,
        className: "bw-review-marker"
      });
      marker.bindPopup(function () { return popup(item); });
      marker.bindTooltip(el("span", null, "#" + item.id + " " + words(item.category)));
      group.addLayer(marker);
      markers[item.id] = marker;
    });
    group.addTo(map);
    if (group.getLayers().length) {
      map.fitBounds(group.getBounds(), { maxZoom: 13, padding: [24, 24], animate: false });
    } else {
      map.fitBounds(WATCH_AREA, { animate: false });
    }
    L.control.scale().addTo(map);
    global.borderwatch = global.borderwatch || {};
    global.borderwatch.review = { map: map, markers: markers };
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})(window);
