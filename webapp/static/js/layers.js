/*
 * borderwatch map layers (used by layers/elements.py, LayerLoader).
 *
 * borderwatch.addLayers(map, options) loads each layer from the layer API, by bounding box as
 * the map moves ("bbox" layers) or once ("once" layers), draws it with the layer's style rules
 * (layers/styles.py documents them; resolve() there is the reference for resolveStyle() here),
 * and adds a layer control and a legend.
 *
 * Safety: every text that comes from data (feature properties) or from the options is written
 * with textContent or passed through escapeHtml(); nothing is assembled into HTML from data.
 */
(function (global) {
  "use strict";

  var PANES = {
    polygon: { name: "bw-polygons", zIndex: 410 },
    line: { name: "bw-lines", zIndex: 420 },
    point: { name: "bw-points", zIndex: 430 }
  };
  /* Extra margin around the visible box, so that small pans need no new request. */
  var PAD = 0.25;

  var HTML_ESCAPES = {
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "`": "&#96;"
  };

  function escapeHtml(text) {
    return String(text).replace(/[&<>"'`]/g, function (c) { return HTML_ESCAPES[c]; });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function resolveStyle(style, props) {
    var out = Object.assign({}, style.base);
    (style.rules || []).forEach(function (rule) {
      if (props && props[rule.property] === rule.equals) Object.assign(out, rule.style);
    });
    return out;
  }

  function isEmpty(value) {
    return value === null || value === undefined || value === "" ||
      (Array.isArray(value) && value.length === 0);
  }

  function displayValue(field, value) {
    for (var i = 0; i < field.values.length; i++) {
      if (field.values[i][0] === value) return String(field.values[i][1]);
    }
    if (Array.isArray(value)) return value.map(String).join(", ");
    if (value === true) return "yes";
    if (value === false) return "no";
    return String(value);
  }

  /* The popup of a feature, as DOM nodes: the first field is the heading, the others a table. */
  function buildPopup(fields, props) {
    var root = el("div", "bw-popup");
    var table = el("table");
    fields.forEach(function (field, i) {
      var value = props ? props[field.property] : undefined;
      if (isEmpty(value)) return;
      if (i === 0) {
        root.appendChild(el("strong", "bw-popup-title", displayValue(field, value)));
        return;
      }
      var row = el("tr");
      row.appendChild(el("th", null, field.label));
      row.appendChild(el("td", null, displayValue(field, value)));
      table.appendChild(row);
    });
    if (table.childNodes.length) root.appendChild(table);
    return root;
  }

  function clampedBbox(bounds) {
    var w = Math.max(-180, bounds.getWest()), s = Math.max(-90, bounds.getSouth());
    var e = Math.min(180, bounds.getEast()), n = Math.min(90, bounds.getNorth());
    return [w, s, e, n].map(function (v) { return v.toFixed(5); }).join(",");
  }

  function Layer(map, spec) {
    var pane = PANES[spec.geometry] || PANES.polygon;
    this.map = map;
    this.spec = spec;
    this.controller = null;
    this.loadedBounds = null;
    this.loadedZoom = null;
    this.loadedOnce = false;
    this.count = 0;
    this.group = L.geoJSON(null, {
      pane: pane.name,
      className: "bw-layer-" + spec.name,
      style: function (feature) { return resolveStyle(spec.style, feature.properties); },
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, Object.assign(
          { pane: pane.name, className: "bw-layer-" + spec.name },
          resolveStyle(spec.style, feature.properties)
        ));
      },
      onEachFeature: function (feature, layer) {
        layer.bindPopup(function () { return buildPopup(spec.popupFields, feature.properties); });
      }
    });
  }

  Layer.prototype.inZoomRange = function () {
    var zoom = this.map.getZoom();
    return zoom >= this.spec.minZoom && zoom <= this.spec.maxZoom;
  };

  Layer.prototype.refresh = function () {
    var map = this.map, spec = this.spec, self = this;
    if (!map.hasLayer(this.group)) return;
    if (!this.inZoomRange()) {
      this.abort();
      this.group.clearLayers();
      this.count = 0;
      this.loadedBounds = null;
      this.loadedOnce = false;
      map.fire("bw:layerload", { name: spec.name, count: 0 });
      return;
    }
    var url, bounds = null, zoom = Math.ceil(map.getZoom());
    if (spec.loading === "once") {
      if (this.loadedOnce || this.controller) return;
      url = spec.url;
    } else {
      if (this.loadedBounds && this.loadedZoom === zoom &&
          this.loadedBounds.contains(map.getBounds())) return;
      bounds = map.getBounds().pad(PAD);
      url = spec.url + "?bbox=" + clampedBbox(bounds) + "&zoom=" + zoom;
    }
    this.abort();
    var controller = new AbortController();
    this.controller = controller;
    fetch(url, { signal: controller.signal, headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status + " for " + url);
        return response.json();
      })
      .then(function (collection) {
        if (self.controller !== controller) return;
        self.controller = null;
        self.group.clearLayers();
        self.group.addData(collection);
        self.count = collection.features.length;
        self.loadedOnce = spec.loading === "once";
        self.loadedBounds = bounds;
        self.loadedZoom = zoom;
        self.map.fire("bw:layerload", { name: spec.name, count: collection.features.length });
      })
      .catch(function (error) {
        if (error && error.name === "AbortError") return;
        if (self.controller === controller) self.controller = null;
        console.error("borderwatch: the layer " + spec.name + " could not be loaded.", error);
      });
  };

  Layer.prototype.abort = function () {
    if (this.controller) this.controller.abort();
    this.controller = null;
  };

  /* Legend entries of a layer: its base label, then each rule with a label. */
  function legendEntries(style) {
    var entries = [];
    if (style.label) entries.push({ label: style.label, style: style.base });
    (style.rules || []).forEach(function (rule) {
      if (rule.label) {
        entries.push({ label: rule.label, style: Object.assign({}, style.base, rule.style) });
      }
    });
    return entries;
  }

  var SVG_NS = "http://www.w3.org/2000/svg";

  function swatch(geometry, style) {
    var svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("width", "22");
    svg.setAttribute("height", "14");
    svg.setAttribute("aria-hidden", "true");
    var shape;
    if (geometry === "point") {
      shape = document.createElementNS(SVG_NS, "circle");
      shape.setAttribute("cx", "11");
      shape.setAttribute("cy", "7");
      shape.setAttribute("r", String(Math.min(style.radius || 5, 6)));
    } else if (geometry === "line") {
      shape = document.createElementNS(SVG_NS, "line");
      shape.setAttribute("x1", "1");
      shape.setAttribute("y1", "7");
      shape.setAttribute("x2", "21");
      shape.setAttribute("y2", "7");
    } else {
      shape = document.createElementNS(SVG_NS, "rect");
      shape.setAttribute("x", "2");
      shape.setAttribute("y", "2");
      shape.setAttribute("width", "18");
      shape.setAttribute("height", "10");
    }
    var stroke = style.color || "#3388ff";
    shape.setAttribute("stroke", stroke);
    shape.setAttribute("stroke-width", String(Math.min(style.weight || 1, 3)));
    shape.setAttribute("stroke-opacity", String(style.opacity === undefined ? 1 : style.opacity));
    if (style.dashArray) shape.setAttribute("stroke-dasharray", style.dashArray);
    if (geometry === "line") {
      shape.setAttribute("fill", "none");
    } else {
      shape.setAttribute("fill", style.fillColor || stroke);
      shape.setAttribute("fill-opacity", String(
        style.fillOpacity === undefined ? 0.2 : Math.max(style.fillOpacity, 0.15)));
    }
    svg.appendChild(shape);
    return svg;
  }

  /* A layer's legend section shows while the layer is on the map and has features in view. */
  function addLegend(map, layers) {
    var legend = L.control({ position: "bottomright" });
    var sections = {};
    function shown(layer) { return map.hasLayer(layer.group) && layer.count > 0; }
    legend.onAdd = function () {
      var root = el("div", "bw-legend leaflet-control");
      root.appendChild(el("div", "bw-legend-title", "Legend"));
      layers.forEach(function (layer) {
        var section = el("div", "bw-legend-section");
        section.appendChild(el("div", "bw-legend-layer", layer.spec.title));
        legendEntries(layer.spec.style).forEach(function (entry) {
          var row = el("div", "bw-legend-row");
          row.appendChild(swatch(layer.spec.geometry, entry.style));
          row.appendChild(el("span", null, entry.label));
          section.appendChild(row);
        });
        section.hidden = !shown(layer);
        sections[layer.spec.name] = section;
        root.appendChild(section);
      });
      L.DomEvent.disableClickPropagation(root);
      L.DomEvent.disableScrollPropagation(root);
      return root;
    };
    legend.addTo(map);
    return function update() {
      layers.forEach(function (layer) {
        var section = sections[layer.spec.name];
        if (section) section.hidden = !shown(layer);
      });
    };
  }

  function addLayers(map, options) {
    if (options.bounds) map.fitBounds(options.bounds, { animate: false });
    Object.keys(PANES).forEach(function (key) {
      var pane = map.createPane(PANES[key].name);
      pane.style.zIndex = String(PANES[key].zIndex);
    });
    var layers = options.layers.map(function (spec) { return new Layer(map, spec); });
    var overlays = {};
    layers.forEach(function (layer) {
      /* The layer control writes names as HTML: escape them. */
      overlays[escapeHtml(layer.spec.title)] = layer.group;
      if (layer.spec.show) layer.group.addTo(map);
    });
    L.control.layers(null, overlays, { collapsed: false, position: "topright" }).addTo(map);
    var updateLegend = addLegend(map, layers);
    if (options.aboutUrl && map.attributionControl) {
      map.attributionControl.addAttribution(
        '<a href="' + escapeHtml(options.aboutUrl) + '">Data sources</a>');
    }

    function refreshAll() { layers.forEach(function (layer) { layer.refresh(); }); }
    map.on("moveend", refreshAll);
    map.on("bw:layerload", updateLegend);
    map.on("overlayadd overlayremove", function (event) {
      layers.forEach(function (layer) { if (layer.group === event.layer) layer.refresh(); });
      updateLegend();
    });
    refreshAll();
    global.borderwatch.maps.push({ map: map, layers: layers });
    return layers;
  }

  global.borderwatch = {
    addLayers: addLayers,
    buildPopup: buildPopup,
    escapeHtml: escapeHtml,
    resolveStyle: resolveStyle,
    maps: []
  };
})(window);
