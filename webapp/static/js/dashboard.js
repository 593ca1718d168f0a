/*
 * The statistics dashboard (templates/dashboard/index.html): draws each chart with Chart.js from
 * the data the page carries (#dashboard-data: labels and data sets, every word already in the
 * page's language; the same numbers are in the table beside each chart) and the choropleth of the
 * districts with Leaflet from /api/dashboard/map. Thai labels are drawn only once the page's font
 * has loaded (a canvas does not redraw when a font arrives).
 */
(function () {
  "use strict";

  //: Colours of the data sets (Okabe-Ito, told apart by colour-blind readers too).
  const COLOURS = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"];
  //: Fill colours of the choropleth's classes (the legend's .db-class-N in css/dashboard.css).
  const CLASSES = ["#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b"];

  function config() {
    const node = document.getElementById("dashboard-data");
    return node ? JSON.parse(node.textContent) : null;
  }

  function drawChart(chart) {
    const canvas = document.getElementById("chart-" + chart.name);
    if (!canvas || !window.Chart) return;
    const stacked = chart.kind === "stacked";
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: chart.labels,
        datasets: chart.datasets.map(function (set, i) {
          return { label: set.label, data: set.data, backgroundColor: COLOURS[i % COLOURS.length] };
        }),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        indexAxis: chart.name === "response" ? "y" : "x",
        scales: {
          x: { stacked: stacked },
          y: { stacked: stacked, beginAtZero: true },
        },
        plugins: {
          legend: { position: "bottom", labels: { boxWidth: 12 } },
          tooltip: {
            callbacks: {
              label: function (item) {
                return item.dataset.label + ": " + bw.formatNumber(item.raw, 1);
              },
            },
          },
        },
      },
    });
  }

  /** Class breaks: 0, then four classes of equal count ranges up to the largest count. */
  function breaks(counts) {
    const top = Math.max.apply(null, counts.concat([0]));
    if (top === 0) return [];
    const step = Math.max(1, Math.ceil(top / 4));
    return [1, step + 1, 2 * step + 1, 3 * step + 1].filter(function (b) { return b <= top; });
  }

  function classOf(count, limits) {
    let found = 0;
    limits.forEach(function (limit, i) { if (count >= limit) found = i + 1; });
    return found;
  }

  /** The new and intensifying hot spots of the latest analysed run, as dark red rings. */
  function drawPlaces(map, places) {
    places.forEach(function (place) {
      const box = document.createElement("div");
      const pattern = document.createElement("strong");
      pattern.textContent = place.pattern;
      box.appendChild(pattern);
      if (place.place) {
        const where = document.createElement("div");
        where.textContent = place.place;
        box.appendChild(where);
      }
      L.circleMarker([place.lat, place.lon], {
        radius: 7, color: "#67001f", weight: 3, fillColor: "#b2182b", fillOpacity: 0.7,
        className: "db-place",
      }).bindPopup(box).addTo(map);
    });
  }

  function legend(limits, top, withPlaces) {
    const list = document.getElementById("db-legend");
    if (!list) return;
    list.textContent = "";
    const ranges = [{ text: bw.t("None"), cls: 0 }];
    limits.forEach(function (low, i) {
      const high = i + 1 < limits.length ? limits[i + 1] - 1 : top;
      const text = low === high ? bw.formatNumber(low) : bw.t("{low} to {high}", { low: bw.formatNumber(low), high: bw.formatNumber(high) });
      ranges.push({ text: text, cls: i + 1 });
    });
    if (withPlaces) ranges.push({ text: bw.t("New or intensifying hot spot"), cls: "place" });
    ranges.forEach(function (range) {
      const item = document.createElement("li");
      const swatch = document.createElement("span");
      swatch.className = "db-swatch db-class-" + range.cls;
      swatch.setAttribute("aria-hidden", "true");
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(range.text));
      list.appendChild(item);
    });
  }

  function popup(props) {
    const thai = document.documentElement.lang === "th";
    const box = document.createElement("div");
    const name = document.createElement("strong");
    name.textContent = thai && props.name_th ? props.name_th : props.name;
    box.appendChild(name);
    const province = document.createElement("div");
    province.textContent = thai && props.province_th ? props.province_th : props.province;
    box.appendChild(province);
    const counts = document.createElement("div");
    counts.textContent = bw.tn("{n} report in the period", "{n} reports in the period", props.count, { n: bw.formatNumber(props.count) });
    box.appendChild(counts);
    const before = document.createElement("div");
    before.textContent = bw.t("Previous period: {n}", { n: bw.formatNumber(props.previous) });
    box.appendChild(before);
    return box;
  }

  function drawMap(data) {
    const box = document.getElementById("db-map");
    if (!box || !window.L || !data.mapUrl) return;
    const map = L.map(box, { scrollWheelZoom: false, zoomControl: false }).setView([16.5, 103.5], 5);
    L.control.zoom({ zoomInTitle: bw.t("Zoom in"), zoomOutTitle: bw.t("Zoom out") }).addTo(map);
    if (data.tileUrl) {
      L.tileLayer(data.tileUrl, { maxZoom: 18, attribution: data.tileAttribution || "", opacity: 0.5 }).addTo(map);
    }
    fetch(data.mapUrl, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (collection) {
        const counts = collection.features.map(function (f) { return f.properties.count; });
        const limits = breaks(counts);
        const layer = L.geoJSON(collection, {
          style: function (feature) {
            return {
              color: "#37474f",
              weight: 1,
              fillOpacity: 0.8,
              fillColor: CLASSES[classOf(feature.properties.count, limits)],
            };
          },
          onEachFeature: function (feature, shape) { shape.bindPopup(popup(feature.properties)); },
        }).addTo(map);
        if (collection.features.length) map.fitBounds(layer.getBounds(), { padding: [8, 8] });
        legend(limits, Math.max.apply(null, counts.concat([0])), (data.places || []).length > 0);
        drawPlaces(map, data.places || []);
      })
      .catch(function () {
        box.textContent = bw.t("The map could not be loaded.");
      });
  }

  function start() {
    const data = config();
    if (!data) return;
    drawMap(data);
    // the page's font (css/base.css): the charts draw their labels in it, once it has loaded
    const family = window.getComputedStyle(document.body).fontFamily;
    if (window.Chart) window.Chart.defaults.font.family = family;
    const fonts = document.fonts && document.fonts.load ? document.fonts.load("16px " + family, "กขค") : Promise.resolve();
    fonts.catch(function () {}).then(function () {
      data.charts.forEach(drawChart);
      document.documentElement.dataset.chartsDrawn = "true";
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
