/*
 * borderwatch triage queue map (templates/review/queue.html): the reports of the queue's current
 * page, with the page's filters, as dots coloured by status beside the list (below its button on
 * a phone: the button shows and hides the map).
 *
 * Data: <script type="application/json" id="review-items">{"items": [...], "colours": {...},
 * "categories": {value: label}, "statuses": {value: label}}</script>, written by the view with
 * Flask's tojson (escapes "<", ">", "&" and "'", so no text can close the element); items are as
 * GET /api/review/incidents lists them, with "url", their incident page. The map element
 * #review-map carries the basemap settings in data-tile-url, data-tile-attribution (trusted
 * configuration) and data-max-zoom; an empty data-tile-url draws no basemap.
 *
 * Unlike the map page's incidents layer, the queue shows unverified public reports: it is the
 * place where coordinators verify them. Popups and tooltips are DOM text, never HTML from data.
 * Words come from bw.t (static/js/i18n.js), times from bw.formatDateTime (Thai time).
 *
 * window.borderwatch.review = {map, markers: {incident id: Leaflet marker}}.
 */
(function (global) {
  "use strict";

  /* The watch area ([[south, west], [north, east]]), shown when the page lists nothing. */
  const WATCH_AREA = [
    [10.8, 99.2],
    [20.9, 107.2],
  ];

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function named(names, value) {
    return (names && names[value]) || String(value);
  }

  function popup(item, doc) {
    const root = el("div", "bw-popup");
    const title = "#" + item.id + " " + named(doc.categories, item.category);
    root.appendChild(el("strong", "bw-popup-title", title));
    const table = el("table");
    const district = item.district || {};
    const place = bw.locale === "th" && district.name_th ? district.name_th : district.name;
    [
      [bw.t("Status"), named(doc.statuses, item.status)],
      [bw.t("Severity"), bw.t("{n} of 5", { n: item.severity })],
      [bw.t("Happened"), bw.formatDateTime(item.occurred_at)],
      [bw.t("District"), place || "–"],
    ].forEach(function (pair) {
      const row = el("tr");
      row.appendChild(el("th", null, pair[0]));
      row.appendChild(el("td", null, pair[1]));
      table.appendChild(row);
    });
    root.appendChild(table);
    if (typeof item.url === "string" && item.url.charAt(0) === "/") {
      const link = el("a", null, bw.t("Open report #{id}", { id: item.id }));
      link.href = item.url;
      root.appendChild(link);
    }
    return root;
  }

  /* Leaflet's own words (the zoom buttons, the popups' close button) in the page's language. */
  function localise(map) {
    L.control.zoom({ zoomInTitle: bw.t("Zoom in"), zoomOutTitle: bw.t("Zoom out") }).addTo(map);
    map.on("popupopen", function (event) {
      const close = event.popup.getElement().querySelector(".leaflet-popup-close-button");
      if (close) close.setAttribute("aria-label", bw.t("Close"));
    });
  }

  function draw(container, doc) {
    const maxZoom = Number(container.dataset.maxZoom) || 18;
    const map = L.map(container, { maxZoom: maxZoom, scrollWheelZoom: false, zoomControl: false });
    localise(map);
    if (container.dataset.tileUrl) {
      L.tileLayer(container.dataset.tileUrl, {
        attribution: container.dataset.tileAttribution || "",
        maxZoom: maxZoom,
      }).addTo(map);
    }
    const group = L.featureGroup();
    const markers = {};
    (doc.items || []).forEach(function (item) {
      if (typeof item.lat !== "number" || typeof item.lon !== "number") return;
      const marker = L.circleMarker([item.lat, item.lon], {
        radius: item.overdue ? 9 : 7,
        weight: item.overdue ? 3 : 2,
        color: item.overdue ? "#7a4b00" : "#ffffff",
        fillColor: (doc.colours || {})[item.status] || "#f59f00",
        fillOpacity: 0.95,
        className: "bw-review-marker",
      });
      marker.bindPopup(function () {
        return popup(item, doc);
      });
      marker.bindTooltip(el("span", null, "#" + item.id + " " + named(doc.categories, item.category)));
      group.addLayer(marker);
      markers[item.id] = marker;
    });
    group.addTo(map);
    function frame() {
      if (group.getLayers().length) {
        map.fitBounds(group.getBounds(), { maxZoom: 13, padding: [24, 24], animate: false });
      } else {
        map.fitBounds(WATCH_AREA, { animate: false });
      }
    }
    frame();
    L.control.scale({ imperial: false }).addTo(map);
    return { map: map, markers: markers, frame: frame };
  }

  /* On a phone the map waits behind its button; on a desktop it stands beside the list and
     the button is hidden by the stylesheet. */
  function toggler(pane, button, drawn) {
    button.hidden = false;
    button.addEventListener("click", function () {
      const open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", open ? "true" : "false");
      button.textContent = open ? bw.t("Hide the map") : bw.t("Show the map");
      pane.classList.toggle("rv-map-open", open);
      if (open) {
        drawn.map.invalidateSize();
        drawn.frame();
      }
    });
  }

  function start() {
    const container = document.getElementById("review-map");
    const data = document.getElementById("review-items");
    if (!container || !data || !global.L) return;
    const doc = JSON.parse(data.textContent);
    const drawn = draw(container, doc);
    const pane = container.closest(".rv-map-pane");
    const button = document.getElementById("review-map-toggle");
    if (pane && button) toggler(pane, button, drawn);
    global.borderwatch = global.borderwatch || {};
    global.borderwatch.review = { map: drawn.map, markers: drawn.markers };
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})(window);
