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
 *
 * Clustered layers (spec.cluster, e.g. "incidents") are drawn in a Leaflet.markercluster group;
 * each cluster's number is the count of features it holds, so the numbers on the map add up to
 * the features loaded. Layers with filters (spec.filters) get a filter form (category, status,
 * days) that reloads them, and a notice when the server answered with only the newest features
 * (the collection's "truncated", "total" and "limit" members): zoom in to see all.
 *
 * What other scripts may use, on window.borderwatch:
 *   maps                         [{map, layers}] for each map built by addLayers
 *   onMap(callback)              callback(map, layers) for each map, now or once it is built
 *   findLayer(map, name)         the Layer called name on map (or null); a Layer has .group
 *                                (the Leaflet layer), .count (features loaded), .total,
 *                                .truncated, .filters ({param: value}), .refresh(),
 *                                .setFilters({param: value}), .addFeature(geojsonFeature)
 *   incidentFeature(incident)    a GeoJSON feature of the incidents layer from an incident as
 *                                GET /api/incidents/<id> answers (null if it has no position)
 *   addIncident(map, incident)   draws that incident on map's incidents layer at once
 *   showIncident(map, id)        zooms to the incident's marker (out of its cluster), opens it
 * Events on the map:
 *   bw:incidentcreated           fire it with {incident: <GET /api/incidents/<id> JSON>} after
 *                                a report was stored: the pin shows at once, without a reload
 *                                (the next load of the layer replaces it with the server's copy)
 *   bw:layerload                 fired after each load: {name, count, total, truncated}
 *   bw:layererror                fired when a load failed: {name, status, message, field}
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
  /* Characters of an incident's description shown on the map (gis/incidents/map_layer.py). */
  var DESCRIPTION_CHARS = 200;
  var pendingCallbacks = [];

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

  /* RFC 3339 date-times (e.g. occurred_at) are shown as "2026-06-01 12:00 (Thai time)". */
  var DATE_TIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

  function displayValue(field, value) {
    for (var i = 0; i < field.values.length; i++) {
      if (field.values[i][0] === value) return String(field.values[i][1]);
    }
    var when = typeof value === "string" ? DATE_TIME.exec(value) : null;
    if (when) {
      var zone = when[5] === "+07:00" ? "Thai time" : "UTC" + (when[5] === "Z" ? "" : when[5]);
      return when[1] + " " + when[2] + " (" + zone + ")";
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

  /* A markercluster-style bubble showing a count. */
  function countIcon(count) {
    var size = count < 10 ? "small" : count < 100 ? "medium" : "large";
    var inner = document.createElement("div");
    var label = document.createElement("span");
    label.textContent = formatCount(count);
    inner.appendChild(label);
    return L.divIcon({
      html: inner, /* an element, not markup */
      className: "marker-cluster marker-cluster-" + size,
      iconSize: L.point(40, 40)
    });
  }

  /* A counted cell of the incidents layer: its bubble, the count by category as its title (the
   * browser's own tooltip, plain text), and a click that zooms in towards its incidents. */
  function cellMarker(map, feature, latlng) {
    var props = feature.properties || {};
    var lines = [formatCount(props.count || 0) + " incidents here; zoom in to see them"];
    Object.keys(props.categories || {}).sort().forEach(function (key) {
      lines.push(key.replace(/_/g, " ") + ": " + formatCount(props.categories[key]));
    });
    var marker = L.marker(latlng, {
      icon: countIcon(props.count || 0),
      bwCount: props.count || 0,
      keyboard: true,
      title: lines.join("\n"),
      alt: lines[0]
    });
    marker.on("click", function () {
      map.setView(latlng, Math.min(map.getMaxZoom(), map.getZoom() + 2));
    });
    return marker;
  }

  function Layer(map, spec) {
    var pane = PANES[spec.geometry] || PANES.polygon;
    var self = this;
    this.map = map;
    this.spec = spec;
    this.controller = null;
    this.loadedBounds = null;
    this.loadedZoom = null;
    this.loadedOnce = false;
    this.count = 0;
    this.total = 0;
    this.truncated = false;
    this.filters = {};
    this.byId = {};
    this.pendingOpen = null;
    this.geojsonOptions = {
      pane: pane.name,
      className: "bw-layer-" + spec.name,
      style: function (feature) { return resolveStyle(spec.style, feature.properties); },
      pointToLayer: function (feature, latlng) {
        if (self.aggregated) return cellMarker(map, feature, latlng);
        return L.circleMarker(latlng, Object.assign(
          { pane: pane.name, className: "bw-layer-" + spec.name },
          resolveStyle(spec.style, feature.properties)
        ));
      },
      onEachFeature: function (feature, layer) {
        if (self.aggregated) return; /* a counted cell: a tooltip, and a click zooms in */
        if (feature.id !== undefined && feature.id !== null) self.byId[feature.id] = layer;
        layer.bindPopup(function () { return buildPopup(spec.popupFields, feature.properties); });
      }
    };
    if (spec.cluster) {
      this.group = L.markerClusterGroup({
        chunkedLoading: true,
        showCoverageOnHover: false,
        maxClusterRadius: 50,
        spiderfyOnMaxZoom: true,
        iconCreateFunction: function (cluster) {
          var total = 0;
          cluster.getAllChildMarkers().forEach(function (marker) {
            total += marker.options.bwCount || 1;
          });
          return countIcon(total);
        }
      });
    } else {
      this.group = L.geoJSON(null, this.geojsonOptions);
    }
  }

  /* Replace the layer's features with a FeatureCollection. */
  Layer.prototype.setData = function (collection) {
    /* a popup open on a feature stays open on its new copy */
    var byId = this.byId, openId = null;
    Object.keys(byId).forEach(function (id) {
      if (byId[id].isPopupOpen && byId[id].isPopupOpen()) openId = id;
    });
    this.group.clearLayers();
    this.byId = {};
    /* a crowded box comes as counted cells (the server counts): drawn as cluster bubbles */
    this.aggregated = collection.aggregated === true;
    if (this.spec.cluster) {
      this.group.addLayers(L.geoJSON(collection, this.geojsonOptions).getLayers());
    } else {
      this.group.addData(collection);
    }
    var reopen = openId === null ? null : this.byId[openId];
    if (reopen && this.map.hasLayer(reopen)) reopen.openPopup();
    this.count = this.aggregated ? collection.total : collection.features.length;
    this.total = typeof collection.total === "number" ? collection.total : this.count;
    this.truncated = collection.truncated === true;
  };

  /* Add (or replace, by id) one feature without a reload. */
  Layer.prototype.addFeature = function (feature) {
    var old = this.byId[feature.id];
    if (old) {
      this.group.removeLayer(old);
      this.count -= 1;
      this.total -= 1;
    }
    var aggregated = this.aggregated;
    this.aggregated = false; /* a new report is a point, also among counted cells */
    var layers = L.geoJSON(feature, this.geojsonOptions).getLayers();
    this.aggregated = aggregated;
    if (this.spec.cluster) this.group.addLayers(layers);
    else layers.forEach(function (layer) { this.group.addLayer(layer); }, this);
    this.count += 1;
    this.total += 1;
    /* the next move reloads the box, and the server's copy replaces this one */
    this.loadedBounds = null;
    this.map.fire("bw:layerload", {
      name: this.spec.name, count: this.count, total: this.total, truncated: this.truncated
    });
    return this.byId[feature.id] || layers[0];
  };

  /* Show the feature asked for by showIncident(): out of its cluster, popup open. The layer may
   * reload while the map zooms there; then the new copy is shown (setData calls this again). */
  Layer.prototype.openPending = function () {
    var id = this.pendingOpen, map = this.map, self = this;
    var marker = id === null || id === undefined ? null : this.byId[id];
    if (!marker) return;
    if (map.hasLayer(marker)) {
      this.pendingOpen = null;
      marker.openPopup();
      return;
    }
    /* In a cluster: zoom to where it stands alone (the reload there calls this again), or, at
     * the highest zoom, spread the cluster out. Not markercluster's zoomToShowLayer, whose
     * listeners outlive a reload of the layer. */
    var cluster = this.spec.cluster ? this.group.getVisibleParent(marker) : null;
    if (!cluster) return;
    var alone = marker.__parent && marker.__parent._zoom !== undefined
      ? marker.__parent._zoom + 1 : map.getMaxZoom();
    var target = Math.min(map.getMaxZoom(), alone);
    if (target > map.getZoom()) {
      map.setView(marker.getLatLng(), target);
    } else if (cluster.spiderfy) {
      this.group.once("spiderfied", function () {
        if (self.byId[id] === marker && map.hasLayer(marker)) {
          self.pendingOpen = null;
          marker.openPopup();
        }
      });
      cluster.spiderfy();
    }
  };

  Layer.prototype.setFilters = function (filters) {
    var clean = {};
    Object.keys(filters || {}).forEach(function (key) {
      if (filters[key]) clean[key] = String(filters[key]);
    });
    this.filters = clean;
    this.loadedBounds = null;
    this.loadedOnce = false;
    this.refresh();
  };

  Layer.prototype.filterQuery = function () {
    var filters = this.filters;
    return Object.keys(filters).sort().map(function (key) {
      return "&" + encodeURIComponent(key) + "=" + encodeURIComponent(filters[key]);
    }).join("");
  };

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
      this.byId = {};
      this.count = 0;
      this.total = 0;
      this.truncated = false;
      this.loadedBounds = null;
      this.loadedOnce = false;
      map.fire("bw:layerload", { name: spec.name, count: 0, total: 0, truncated: false });
      return;
    }
    var url, bounds = null, zoom = Math.ceil(map.getZoom());
    if (spec.loading === "once") {
      if (this.loadedOnce || this.controller) return;
      var query = this.filterQuery();
      url = query ? spec.url + "?" + query.slice(1) : spec.url;
    } else {
      if (this.loadedBounds && this.loadedZoom === zoom &&
          this.loadedBounds.contains(map.getBounds())) return;
      bounds = map.getBounds().pad(PAD);
      url = spec.url + "?bbox=" + clampedBbox(bounds) + "&zoom=" + zoom + this.filterQuery();
    }
    this.abort();
    var controller = new AbortController();
    this.controller = controller;
    fetch(url, { signal: controller.signal, headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (response.status === 400) {
          /* a bad filter: the answer names the field; the filter form shows it */
          return response.json().then(function (body) {
            var error = new Error(body.message || "bad request");
            error.status = 400;
            error.field = body.field || null;
            throw error;
          });
        }
        if (!response.ok) throw new Error("HTTP " + response.status + " for " + url);
        return response.json();
      })
      .then(function (collection) {
        if (self.controller !== controller) return;
        function apply() {
          if (self.controller !== controller) return;
          self.controller = null;
          self.setData(collection);
          self.loadedOnce = spec.loading === "once";
          self.loadedBounds = bounds;
          self.loadedZoom = zoom;
          self.openPending();
          self.map.fire("bw:layerload", {
            name: spec.name, count: self.count, total: self.total, truncated: self.truncated
          });
        }
        /* markercluster cannot swap its markers in the middle of a zoom animation */
        if (spec.cluster && self.group._inZoomAnimation) self.group.once("animationend", apply);
        else apply();
      })
      .catch(function (error) {
        if (error && error.name === "AbortError") return;
        if (self.controller === controller) self.controller = null;
        self.map.fire("bw:layererror", {
          name: spec.name,
          status: (error && error.status) || null,
          message: String((error && error.message) || error),
          field: (error && error.field) || null
        });
        if (error && error.status === 400) return;
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

  function formatCount(n) {
    return Number(n).toLocaleString("en-US");
  }

  /* The filter form of a layer with filters, and its notice ("N shown", "zoom in"). */
  function addFilterControl(map, layer) {
    var control = L.control({ position: "topleft" });
    var spec = layer.spec;
    control.onAdd = function () {
      var root = el("div", "bw-filters leaflet-control leaflet-bar");
      root.id = "bw-filters-" + spec.name;
      var notice = el("div", "bw-filters-notice");
      notice.setAttribute("role", "status");
      notice.setAttribute("aria-live", "polite");
      var details = el("details");
      details.appendChild(el("summary", null, spec.title + ": filters"));
      var form = el("form", "bw-filters-form");
      form.noValidate = true;
      spec.filters.forEach(function (field) {
        var set = el("fieldset", "bw-filter bw-filter-" + field.kind);
        set.dataset.param = field.param;
        set.appendChild(el("legend", null, field.label));
        if (field.kind === "choice") {
          field.choices.forEach(function (choice) {
            var label = el("label");
            var box = el("input");
            box.type = "checkbox";
            box.name = field.param;
            box.value = String(choice[0]);
            label.appendChild(box);
            label.appendChild(document.createTextNode(" " + String(choice[1])));
            set.appendChild(label);
          });
        } else {
          var input = el("input");
          input.type = "date";
          input.name = field.param;
          input.setAttribute("aria-label", field.label);
          set.appendChild(input);
        }
        form.appendChild(set);
      });
      var error = el("p", "bw-filters-error");
      error.setAttribute("role", "alert");
      error.hidden = true;
      form.appendChild(error);
      var buttons = el("div", "bw-filters-buttons");
      var apply = el("button", null, "Apply");
      apply.type = "submit";
      var clear = el("button", null, "Clear");
      clear.type = "reset";
      buttons.appendChild(apply);
      buttons.appendChild(clear);
      form.appendChild(buttons);
      details.appendChild(form);
      root.appendChild(notice);
      root.appendChild(details);

      function values() {
        var out = {};
        spec.filters.forEach(function (field) {
          var inputs = form.querySelectorAll('input[name="' + field.param + '"]');
          var chosen = [];
          inputs.forEach(function (input) {
            if (field.kind === "choice" ? input.checked : input.value) chosen.push(input.value);
          });
          if (chosen.length) out[field.param] = chosen.join(",");
        });
        return out;
      }
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        error.hidden = true;
        var chosen = values();
        var first = spec.filters.filter(function (f) { return f.kind === "date"; });
        if (first.length === 2 && chosen[first[0].param] && chosen[first[1].param] &&
            chosen[first[0].param] > chosen[first[1].param]) {
          error.textContent = first[0].label + ": the first day lies after the last.";
          error.hidden = false;
          return;
        }
        layer.setFilters(chosen);
      });
      form.addEventListener("reset", function () {
        error.hidden = true;
        /* after the browser has cleared the inputs */
        setTimeout(function () { layer.setFilters({}); }, 0);
      });
      map.on("bw:layererror", function (event) {
        if (event.name !== spec.name) return;
        error.textContent = event.field ? event.field + ": " + event.message : event.message;
        error.hidden = false;
        details.open = true;
      });
      map.on("bw:layerload", function (event) {
        if (event.name !== spec.name) return;
        notice.classList.toggle("bw-truncated", layer.truncated);
        if (!map.hasLayer(layer.group)) {
          notice.textContent = "";
        } else if (layer.truncated) {
          notice.textContent = "Showing the newest " + formatCount(layer.count) + " of " +
            formatCount(layer.total) + " " + spec.title.toLowerCase() +
            ": zoom in or filter to see all.";
        } else {
          notice.textContent = formatCount(layer.count) + " " + spec.title.toLowerCase() +
            " on the map";
        }
      });
      map.on("overlayremove", function (event) {
        if (event.layer === layer.group) notice.textContent = "";
      });
      L.DomEvent.disableClickPropagation(root);
      L.DomEvent.disableScrollPropagation(root);
      return root;
    };
    control.addTo(map);
    return control;
  }

  /* An RFC 3339 date-time in Thai time, as the layer API writes occurred_at. */
  function thaiTime(value) {
    var when = new Date(value);
    if (typeof value !== "string" || isNaN(when.getTime())) return value;
    return new Date(when.getTime() + 7 * 3600 * 1000).toISOString().slice(0, 19) + "+07:00";
  }

  /* A feature of the incidents layer from an incident of the incidents API. */
  function incidentFeature(incident) {
    if (!incident || typeof incident.lon !== "number" || typeof incident.lat !== "number" ||
        !isFinite(incident.lon) || !isFinite(incident.lat)) return null;
    var text = typeof incident.description === "string" ? incident.description : null;
    var cut = text !== null && text.length > DESCRIPTION_CHARS;
    var district = incident.district || {};
    return {
      type: "Feature",
      id: incident.id,
      geometry: { type: "Point", coordinates: [incident.lon, incident.lat] },
      properties: {
        id: incident.id,
        category: incident.category,
        status: incident.status,
        severity: incident.severity,
        occurred_at: thaiTime(incident.occurred_at),
        district: district.name === undefined ? null : district.name,
        province: district.province === undefined ? null : district.province,
        description: cut ? text.slice(0, DESCRIPTION_CHARS) + "\u2026" : text,
        description_truncated: cut
      }
    };
  }

  function findLayer(map, name) {
    for (var i = 0; i < global.borderwatch.maps.length; i++) {
      var entry = global.borderwatch.maps[i];
      if (entry.map !== map) continue;
      for (var j = 0; j < entry.layers.length; j++) {
        if (entry.layers[j].spec.name === name) return entry.layers[j];
      }
    }
    return null;
  }

  function addIncident(map, incident) {
    var layer = findLayer(map, "incidents");
    var feature = incidentFeature(incident);
    if (!layer || !feature) return null;
    return layer.addFeature(feature);
  }

  function showIncident(map, id) {
    var layer = findLayer(map, "incidents");
    if (!layer || !layer.byId[id]) return false;
    if (!map.hasLayer(layer.group)) layer.group.addTo(map);
    layer.pendingOpen = id;
    layer.openPending();
    return true;
  }

  function onMap(callback) {
    global.borderwatch.maps.forEach(function (entry) { callback(entry.map, entry.layers); });
    pendingCallbacks.push(callback);
  }

  /* "#map=zoom/lat/lon" in the page's address: the view a map built with linkView opens at,
   * kept up to date as it moves, so that a view can be bookmarked or sent to a colleague. */
  var VIEW_HASH = /^#map=(\d{1,2}(?:\.\d+)?)\/(-?\d{1,2}(?:\.\d+)?)\/(-?\d{1,3}(?:\.\d+)?)$/;

  function linkedView(map) {
    var match = VIEW_HASH.exec(global.location.hash || "");
    if (!match) return null;
    var zoom = Number(match[1]), lat = Number(match[2]), lon = Number(match[3]);
    if (lat < -85 || lat > 85 || lon < -180 || lon > 180) return null;
    zoom = Math.max(map.getMinZoom(), Math.min(zoom, map.getMaxZoom()));
    return { center: [lat, lon], zoom: zoom };
  }

  function keepViewLinked(map) {
    map.on("moveend", function () {
      var centre = map.getCenter();
      var hash = "#map=" + map.getZoom() + "/" + centre.lat.toFixed(5) + "/" +
        centre.lng.toFixed(5);
      if (global.location.hash !== hash) global.history.replaceState(null, "", hash);
    });
  }

  function addLayers(map, options) {
    var view = options.linkView ? linkedView(map) : null;
    if (view) map.setView(view.center, view.zoom, { animate: false });
    else if (options.bounds) map.fitBounds(options.bounds, { animate: false });
    if (options.linkView) keepViewLinked(map);
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
    /* Open on wide screens; on phones a tap opens it, so that it does not cover the map. */
    var narrow = global.matchMedia && global.matchMedia("(max-width: 700px)").matches;
    L.control.layers(null, overlays, { collapsed: !!narrow, position: "topright" }).addTo(map);
    var updateLegend = addLegend(map, layers);
    if (options.aboutUrl && map.attributionControl) {
      map.attributionControl.addAttribution(
        '<a href="' + escapeHtml(options.aboutUrl) + '">Data sources</a>');
    }

    /* top layer first (the incidents): the browser sends at most six requests to a server at
     * once, and what a user comes for should not wait behind the reference layers */
    function refreshAll() {
      layers.slice().reverse().forEach(function (layer) { layer.refresh(); });
    }
    map.on("moveend", refreshAll);
    map.on("bw:layerload", updateLegend);
    map.on("overlayadd overlayremove", function (event) {
      layers.forEach(function (layer) { if (layer.group === event.layer) layer.refresh(); });
      updateLegend();
    });
    layers.forEach(function (layer) {
      if (layer.spec.filters && layer.spec.filters.length) addFilterControl(map, layer);
    });
    map.on("bw:incidentcreated", function (event) {
      if (!addIncident(map, event.incident)) {
        console.warn("borderwatch: the new incident could not be drawn.", event.incident);
      }
    });
    global.borderwatch.maps.push({ map: map, layers: layers });
    refreshAll();
    pendingCallbacks.forEach(function (callback) { callback(map, layers); });
    return layers;
  }

  global.borderwatch = {
    addLayers: addLayers,
    addIncident: addIncident,
    buildPopup: buildPopup,
    escapeHtml: escapeHtml,
    findLayer: findLayer,
    incidentFeature: incidentFeature,
    onMap: onMap,
    resolveStyle: resolveStyle,
    showIncident: showIncident,
    maps: []
  };
})(window);
