/*
 * borderwatch map layers (used by layers/elements.py, LayerLoader).
 *
 * borderwatch.addLayers(map, options) loads each layer from the layer API, by bounding box as
 * the map moves ("bbox" layers) or once ("once" layers), draws it with the layer's style rules
 * (layers/styles.py documents them; resolve() there is the reference for resolveStyle() here),
 * and adds two buttons on the map that open the layer list and the legend, one panel at a time:
 * in the page's element named by options.panel (beside the map on a desktop, over it on a phone,
 * as the page's stylesheet places it), or over the map when the page has none. Closed at first
 * on small screens, the layer list open on a desktop. The bottom right corner stays free (the
 * map page's report button is there).
 *
 * Words: every text comes in the page's language, the layers' own (titles, legend, popup and
 * filter labels, vocabulary labels) in the options from the server, the script's through bw.t
 * (static/js/i18n.js); dates and times in Thai time through bw.formatDateTime. The map is built
 * once the page's scripts have run (i18n.js is deferred); without i18n.js, English as written.
 *
 * Safety: every text that comes from data (feature properties) or from the options is written
 * with textContent or passed through escapeHtml(); nothing is assembled into HTML from data.
 *
 * Clustered layers (spec.cluster, e.g. "incidents") are drawn in a Leaflet.markercluster group;
 * each cluster's number is the count of features it holds, so the numbers on the map add up to
 * the features loaded. Layers with filters (spec.filters) get a filter form (category, status,
 * days) in the layer list that reloads them, and a notice when the server answered with only the
 * newest features (the collection's "truncated", "total" and "limit" members): zoom in to see
 * all.
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
 *   bw:layerloading              fired when a load starts: {name}
 *   bw:layerload                 fired after each load: {name, count, total, truncated}
 *   bw:layererror                fired when a load failed: {name, status, message, field}
 *
 * Under node (tests/js/layers.test.js) the file exports the same object; its rules (popups,
 * legend, zoom ranges, boxes, notices, the address's view) need no page.
 */
(function (root, factory) {
  "use strict";
  if (typeof module === "object" && module.exports) {
    module.exports = factory(root || {});
  } else {
    root.borderwatch = factory(root);
  }
})(typeof self !== "undefined" ? self : this, function (global) {
  "use strict";

  const PANES = {
    polygon: { name: "bw-polygons", zIndex: 410 },
    line: { name: "bw-lines", zIndex: 420 },
    point: { name: "bw-points", zIndex: 430 },
  };
  /* Extra margin around the visible box, so that small pans need no new request. */
  const PAD = 0.25;
  /* Characters of an incident's description shown on the map (gis/incidents/map_layer.py). */
  const DESCRIPTION_CHARS = 200;
  /* From this width the panels stand beside the map, open (css/base.css's desktop). */
  const DESKTOP = "(min-width: 64rem)";
  /* A load that takes longer than this shows "Loading…" on the map. */
  const LOADING_DELAY_MS = 400;
  /* The other layers of a view wait at most this long for the top layer's answer. */
  const FIRST_WAIT_MS = 1000;
  const THAI_OFFSET_MS = 7 * 3600 * 1000;
  const SVG_NS = "http://www.w3.org/2000/svg";
  const pendingCallbacks = [];
  const maps = [];

  /* ---------------------------------------------------------------- words */

  /** Put values in place of {name}; unknown names stay as written. */
  function fill(text, values) {
    if (!values) return text;
    return text.replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }

  /* A time as Thai time, "2026-06-01 12:00", for pages without i18n.js. */
  function plainTime(value, length) {
    const when = new Date(value);
    if (isNaN(when.getTime())) return "–";
    return new Date(when.getTime() + THAI_OFFSET_MS).toISOString().slice(0, length).replace("T", " ");
  }

  /* The words of a page without static/js/i18n.js: English as written. */
  const PLAIN = {
    t: fill,
    tn: function (one, many, n, values) {
      return fill(n === 1 ? one : many, values || { n: n });
    },
    formatDateTime: function (value) {
      return plainTime(value, 16);
    },
    formatDate: function (value) {
      return plainTime(value, 10);
    },
    formatNumber: function (n) {
      return String(n);
    },
  };

  /* The page's words (bw of static/js/i18n.js), read when used: i18n.js runs after this file. */
  function words() {
    return global.bw && typeof global.bw.t === "function" ? global.bw : PLAIN;
  }

  /* ---------------------------------------------------------------- rules (no page needed) */

  const HTML_ESCAPES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "'": "&#39;",
    "`": "&#96;",
  };

  function escapeHtml(text) {
    return String(text).replace(/[&<>"'`]/g, function (c) {
      return HTML_ESCAPES[c];
    });
  }

  function resolveStyle(style, props) {
    const out = Object.assign({}, style.base);
    (style.rules || []).forEach(function (rule) {
      if (props && props[rule.property] === rule.equals) Object.assign(out, rule.style);
    });
    return out;
  }

  function isEmpty(value) {
    return (
      value === null ||
      value === undefined ||
      value === "" ||
      (Array.isArray(value) && value.length === 0)
    );
  }

  /* RFC 3339 date-times (occurred_at, last_seen, ...) and days, as the layer API writes them. */
  const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
  const DAY = /^\d{4}-\d{2}-\d{2}$/;

  /* A popup field's template with {property} replaced by the feature's properties. */
  function fillProperties(template, props) {
    return template.replace(/\{(\w+)\}/g, function (whole, name) {
      return props && !isEmpty(props[name]) ? String(props[name]) : whole;
    });
  }

  /* What a popup shows for a value: the field's template, its text for that value (a
   * vocabulary's label), a time in Thai time, a list joined by commas (each item by its text),
   * yes or no. */
  function displayValue(field, value, props, w) {
    if (field.template) return fillProperties(field.template, props);
    const known = (field.values || []).find(function (pair) {
      return pair[0] === value;
    });
    if (known) return String(known[1]);
    const time = typeof value === "string" ? new Date(value).getTime() : NaN;
    if (!isNaN(time) && DATE_TIME.test(value)) return w.formatDateTime(value);
    if (!isNaN(time) && DAY.test(value)) return w.formatDate(value);
    if (Array.isArray(value)) {
      // each item by its text (a list of vocabulary codes: what crosses at a crossing)
      return value
        .map(function (item) {
          const text = (field.values || []).find(function (pair) {
            return pair[0] === item;
          });
          return text ? String(text[1]) : String(item);
        })
        .join(", ");
    }
    if (value === true) return w.t("yes");
    if (value === false) return w.t("no");
    return String(value);
  }

  /* A feature's popup as text: the first field is the heading, the others rows [label, text];
   * empty values are left out. A field with a fallback (a place's Thai name on a Thai page)
   * shows the fallback property where its own is empty. */
  function popupContent(fields, props, w) {
    let title = null;
    const rows = [];
    fields.forEach(function (field, i) {
      let value = props ? props[field.property] : undefined;
      if (isEmpty(value) && field.fallback && props) value = props[field.fallback];
      if (isEmpty(value)) return;
      const text = displayValue(field, value, props, w);
      if (i === 0) title = text;
      else rows.push([field.label, text]);
    });
    return { title: title, rows: rows };
  }

  /* The label of a value of a layer's property, from its popup field ("drug_trafficking" ->
   * "Drug trafficking"); the value as written when the field does not name it. */
  function valueLabel(spec, property, value) {
    const field = (spec.popupFields || []).find(function (f) {
      return f.property === property;
    });
    const known = field && field.values.find(function (pair) {
      return pair[0] === value;
    });
    return known ? String(known[1]) : String(value);
  }

  /* The lines of a counted cell's title: how many incidents, then the count of each category. */
  function cellLines(spec, props, w) {
    const n = props.count || 0;
    const lines = [
      w.tn(
        "{n} incident here; zoom in to see it",
        "{n} incidents here; zoom in to see them",
        n,
        { n: w.formatNumber(n) }
      ),
    ];
    const counts = props.categories || {};
    Object.keys(counts)
      .map(function (key) {
        return [valueLabel(spec, "category", key), counts[key]];
      })
      .sort(function (a, b) {
        return a[0].localeCompare(b[0]);
      })
      .forEach(function (pair) {
        lines.push(pair[0] + ": " + w.formatNumber(pair[1]));
      });
    return lines;
  }

  /* The box of a view (Leaflet bounds or anything with getWest...) as the bbox parameter. */
  function clampedBbox(bounds) {
    const w = Math.max(-180, bounds.getWest());
    const s = Math.max(-90, bounds.getSouth());
    const e = Math.min(180, bounds.getEast());
    const n = Math.min(90, bounds.getNorth());
    return [w, s, e, n]
      .map(function (v) {
        return v.toFixed(5);
      })
      .join(",");
  }

  /* Whether a layer is drawn at zoom: below its range "below", above it "above", else "in". */
  function zoomPlace(spec, zoom) {
    if (zoom < spec.minZoom) return "below";
    if (zoom > spec.maxZoom) return "above";
    return "in";
  }

  /* Legend entries of a layer: its base label, then each rule with a label. */
  function legendEntries(style) {
    const entries = [];
    if (style.label) entries.push({ label: style.label, style: style.base });
    (style.rules || []).forEach(function (rule) {
      if (rule.label) {
        entries.push({ label: rule.label, style: Object.assign({}, style.base, rule.style) });
      }
    });
    return entries;
  }

  /* A layer's line in the layer list under its name: why it shows nothing, or what it does. */
  function layerHint(spec, state, zoom, w) {
    if (!state.on) return "";
    const place = zoomPlace(spec, zoom);
    if (place === "below") return w.t("Zoom in to see this layer.");
    if (place === "above") return w.t("Zoom out to see this layer.");
    if (state.error) return w.t("Could not be loaded; it is tried again when the map moves.");
    if (state.loading) return w.t("Loading…");
    if (state.keptAt) {
      return w.t("No connection: the copy kept on this phone on {time}.", {
        time: w.formatDateTime(state.keptAt),
      });
    }
    return "";
  }

  /* The notice of a filtered layer: how many features are on the map, or that only the newest
   * came (zoom in or filter to see all). */
  function noticeText(state, w) {
    if (!state.on) return "";
    const n = w.formatNumber(state.count);
    if (state.truncated) {
      return w.t("Only the newest {n} of {total} are shown: zoom in or filter to see all.", {
        n: n,
        total: w.formatNumber(state.total),
      });
    }
    return w.t("{n} on the map", { n: n });
  }

  /* What a filter form's values get wrong before they are sent, or null: a first day after the
   * last. */
  function filterProblem(filters, chosen, w) {
    const days = filters.filter(function (f) {
      return f.kind === "date";
    });
    if (
      days.length === 2 &&
      chosen[days[0].param] &&
      chosen[days[1].param] &&
      chosen[days[0].param] > chosen[days[1].param]
    ) {
      return w.t("{field}: the first day lies after the last.", { field: days[0].label });
    }
    return null;
  }

  /* A refused filter as people read it: the field's label (not its parameter) and the server's
   * message (already in the page's language). */
  function filterErrorText(filters, field, message) {
    const named = filters.find(function (f) {
      return f.param === field;
    });
    if (!field) return message;
    return (named ? named.label : field) + ": " + message;
  }

  /* "#map=zoom/lat/lon" in the page's address: the view a map built with linkView opens at,
   * kept up to date as it moves, so that a view can be bookmarked or sent to a colleague. */
  const VIEW_HASH = /^#map=(\d{1,2}(?:\.\d+)?)\/(-?\d{1,2}(?:\.\d+)?)\/(-?\d{1,3}(?:\.\d+)?)$/;

  function parseViewHash(hash, minZoom, maxZoom) {
    const match = VIEW_HASH.exec(hash || "");
    if (!match) return null;
    const lat = Number(match[2]);
    const lon = Number(match[3]);
    if (lat < -85 || lat > 85 || lon < -180 || lon > 180) return null;
    const zoom = Math.max(minZoom, Math.min(Number(match[1]), maxZoom));
    return { center: [lat, lon], zoom: zoom };
  }

  function viewHash(zoom, lat, lon) {
    return "#map=" + zoom + "/" + lat.toFixed(5) + "/" + lon.toFixed(5);
  }

  /* An RFC 3339 date-time in Thai time, as the layer API writes occurred_at. */
  function thaiTime(value) {
    const when = new Date(value);
    if (typeof value !== "string" || isNaN(when.getTime())) return value;
    return new Date(when.getTime() + THAI_OFFSET_MS).toISOString().slice(0, 19) + "+07:00";
  }

  /* A feature of the incidents layer from an incident of the incidents API. */
  function incidentFeature(incident) {
    if (
      !incident ||
      typeof incident.lon !== "number" ||
      typeof incident.lat !== "number" ||
      !isFinite(incident.lon) ||
      !isFinite(incident.lat)
    ) {
      return null;
    }
    const text = typeof incident.description === "string" ? incident.description : null;
    const cut = text !== null && text.length > DESCRIPTION_CHARS;
    const district = incident.district || {};
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
        district_th: district.name_th === undefined ? null : district.name_th,
        province: district.province === undefined ? null : district.province,
        province_th: district.province_th === undefined ? null : district.province_th,
        description: cut ? text.slice(0, DESCRIPTION_CHARS) + "\u2026" : text,
        description_truncated: cut,
      },
    };
  }

  /* ---------------------------------------------------------------- low data */

  /* Where the choice "do not load the basemap" is kept on this phone. */
  const LOW_DATA_KEY = "borderwatch.lowData";

  function lowDataChosen(storage) {
    try {
      return !!storage && storage.getItem(LOW_DATA_KEY) === "1";
    } catch {
      return false; /* storage blocked: the basemap loads */
    }
  }

  function chooseLowData(storage, on) {
    try {
      if (on) storage.setItem(LOW_DATA_KEY, "1");
      else storage.removeItem(LOW_DATA_KEY);
    } catch {
      /* storage blocked: the choice lasts as long as the page */
    }
  }

  /* The "low data" switch under the layer list: on a weak link the basemap's tiles (most of the
   * bytes of a map view) are not loaded; our layers still are. Kept on this phone. */
  function lowDataSwitch(map, section, w) {
    const tiles = [];
    map.eachLayer(function (layer) {
      if (layer instanceof L.TileLayer) tiles.push(layer);
    });
    if (!tiles.length) return;
    const storage = typeof localStorage === "undefined" ? null : localStorage;
    const box = el("div", "bw-low-data");
    const label = el("label", "bw-layer-toggle");
    const check = el("input");
    check.type = "checkbox";
    check.id = "bw-low-data";
    label.appendChild(check);
    label.appendChild(el("span", null, w.t("Save data: do not load the basemap")));
    box.appendChild(label);
    section.appendChild(box);
    function apply(on) {
      tiles.forEach(function (tile) {
        if (on && map.hasLayer(tile)) map.removeLayer(tile);
        if (!on && !map.hasLayer(tile)) tile.addTo(map);
      });
      check.checked = on;
    }
    check.addEventListener("change", function () {
      chooseLowData(storage, check.checked);
      apply(check.checked);
    });
    apply(lowDataChosen(storage));
  }

  /* ---------------------------------------------------------------- page */

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /* The popup of a feature, as DOM nodes: the heading, then a table of the other fields. */
  function buildPopup(fields, props) {
    const content = popupContent(fields, props, words());
    const root = el("div", "bw-popup");
    if (content.title !== null) root.appendChild(el("strong", "bw-popup-title", content.title));
    if (content.rows.length) {
      const table = el("table");
      content.rows.forEach(function (pair) {
        const row = el("tr");
        row.appendChild(el("th", null, pair[0]));
        row.appendChild(el("td", null, pair[1]));
        table.appendChild(row);
      });
      root.appendChild(table);
    }
    return root;
  }

  /* A markercluster-style bubble showing a count. */
  function countIcon(count) {
    const size = count < 10 ? "small" : count < 100 ? "medium" : "large";
    const inner = document.createElement("div");
    const label = document.createElement("span");
    label.textContent = words().formatNumber(count);
    inner.appendChild(label);
    return L.divIcon({
      html: inner /* an element, not markup */,
      className: "marker-cluster marker-cluster-" + size,
      iconSize: L.point(40, 40),
    });
  }

  /* A counted cell of the incidents layer: its bubble, the count by category as its title (the
   * browser's own tooltip, plain text), and a click that zooms in towards its incidents. */
  function cellMarker(map, spec, feature, latlng) {
    const props = feature.properties || {};
    const lines = cellLines(spec, props, words());
    const marker = L.marker(latlng, {
      icon: countIcon(props.count || 0),
      bwCount: props.count || 0,
      keyboard: true,
      title: lines.join("\n"),
      alt: lines[0],
    });
    marker.on("click", function () {
      map.setView(latlng, Math.min(map.getMaxZoom(), map.getZoom() + 2));
    });
    return marker;
  }

  function Layer(map, spec) {
    const pane = PANES[spec.geometry] || PANES.polygon;
    const self = this;
    /* wide enough to read on a phone; kept clear of the buttons above and the report button */
    const popupOptions = {
      minWidth: 220,
      maxWidth: 300,
      autoPanPaddingTopLeft: L.point(10, 70),
      autoPanPaddingBottomRight: L.point(10, 90),
    };
    this.map = map;
    this.spec = spec;
    this.controller = null;
    this.loadedBounds = null;
    this.loadedZoom = null;
    this.loadedOnce = false;
    this.count = 0;
    this.total = 0;
    this.truncated = false;
    this.failed = false;
    this.filters = {};
    this.byId = {};
    this.pendingOpen = null;
    this.geojsonOptions = {
      pane: pane.name,
      className: "bw-layer-" + spec.name,
      style: function (feature) {
        return resolveStyle(spec.style, feature.properties);
      },
      pointToLayer: function (feature, latlng) {
        if (self.aggregated) return cellMarker(map, spec, feature, latlng);
        return L.circleMarker(
          latlng,
          Object.assign(
            { pane: pane.name, className: "bw-layer-" + spec.name },
            resolveStyle(spec.style, feature.properties)
          )
        );
      },
      onEachFeature: function (feature, layer) {
        if (self.aggregated) return; /* a counted cell: a tooltip, and a click zooms in */
        if (feature.id !== undefined && feature.id !== null) self.byId[feature.id] = layer;
        layer.bindPopup(function () {
          return buildPopup(spec.popupFields, feature.properties);
        }, popupOptions);
      },
    };
    if (spec.cluster) {
      this.group = L.markerClusterGroup({
        chunkedLoading: true,
        showCoverageOnHover: false,
        maxClusterRadius: 50,
        spiderfyOnMaxZoom: true,
        iconCreateFunction: function (cluster) {
          let total = 0;
          cluster.getAllChildMarkers().forEach(function (marker) {
            total += marker.options.bwCount || 1;
          });
          return countIcon(total);
        },
      });
    } else {
      this.group = L.geoJSON(null, this.geojsonOptions);
    }
  }

  /* Replace the layer's features with a FeatureCollection. */
  Layer.prototype.setData = function (collection) {
    /* a popup open on a feature stays open on its new copy */
    const byId = this.byId;
    let openId = null;
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
    const reopen = openId === null ? null : this.byId[openId];
    if (reopen && this.map.hasLayer(reopen)) reopen.openPopup();
    this.count = this.aggregated ? collection.total : collection.features.length;
    this.total = typeof collection.total === "number" ? collection.total : this.count;
    this.truncated = collection.truncated === true;
  };

  /* Add (or replace, by id) one feature without a reload. */
  Layer.prototype.addFeature = function (feature) {
    const old = this.byId[feature.id];
    if (old) {
      this.group.removeLayer(old);
      this.count -= 1;
      this.total -= 1;
    }
    const aggregated = this.aggregated;
    this.aggregated = false; /* a new report is a point, also among counted cells */
    const layers = L.geoJSON(feature, this.geojsonOptions).getLayers();
    this.aggregated = aggregated;
    if (this.spec.cluster) this.group.addLayers(layers);
    else
      layers.forEach(function (layer) {
        this.group.addLayer(layer);
      }, this);
    this.count += 1;
    this.total += 1;
    /* the next move reloads the box, and the server's copy replaces this one */
    this.loadedBounds = null;
    this.map.fire("bw:layerload", {
      name: this.spec.name,
      count: this.count,
      total: this.total,
      truncated: this.truncated,
    });
    return this.byId[feature.id] || layers[0];
  };

  /* Show the feature asked for by showIncident(): out of its cluster, popup open. The layer may
   * reload while the map zooms there; then the new copy is shown (setData calls this again). */
  Layer.prototype.openPending = function () {
    const id = this.pendingOpen;
    const map = this.map;
    const self = this;
    const marker = id === null || id === undefined ? null : this.byId[id];
    if (!marker) return;
    if (map.hasLayer(marker)) {
      this.pendingOpen = null;
      marker.openPopup();
      return;
    }
    /* In a cluster: zoom to where it stands alone (the reload there calls this again), or, at
     * the highest zoom, spread the cluster out. Not markercluster's zoomToShowLayer, whose
     * listeners outlive a reload of the layer. */
    const cluster = this.spec.cluster ? this.group.getVisibleParent(marker) : null;
    if (!cluster) return;
    const alone =
      marker.__parent && marker.__parent._zoom !== undefined
        ? marker.__parent._zoom + 1
        : map.getMaxZoom();
    const target = Math.min(map.getMaxZoom(), alone);
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
    const clean = {};
    Object.keys(filters || {}).forEach(function (key) {
      if (filters[key]) clean[key] = String(filters[key]);
    });
    this.filters = clean;
    this.loadedBounds = null;
    this.loadedOnce = false;
    this.refresh();
  };

  Layer.prototype.filterQuery = function () {
    const filters = this.filters;
    return Object.keys(filters)
      .sort()
      .map(function (key) {
        return "&" + encodeURIComponent(key) + "=" + encodeURIComponent(filters[key]);
      })
      .join("");
  };

  Layer.prototype.inZoomRange = function () {
    return zoomPlace(this.spec, this.map.getZoom()) === "in";
  };

  /* What the layer list and the notices show of the layer. */
  Layer.prototype.state = function () {
    return {
      on: this.map.hasLayer(this.group),
      loading: this.controller !== null,
      error: this.failed,
      count: this.count,
      total: this.total,
      truncated: this.truncated,
      keptAt: this.keptAt || null,
    };
  };

  Layer.prototype.refresh = function () {
    const map = this.map;
    const spec = this.spec;
    const self = this;
    if (!map.hasLayer(this.group)) return;
    if (!this.inZoomRange()) {
      this.abort();
      this.group.clearLayers();
      this.byId = {};
      this.count = 0;
      this.total = 0;
      this.truncated = false;
      this.failed = false;
      this.loadedBounds = null;
      this.loadedOnce = false;
      map.fire("bw:layerload", { name: spec.name, count: 0, total: 0, truncated: false });
      return;
    }
    let url;
    let bounds = null;
    const zoom = Math.ceil(map.getZoom());
    if (spec.loading === "once") {
      if (this.loadedOnce || this.controller) return;
      const query = this.filterQuery();
      url = query ? spec.url + "?" + query.slice(1) : spec.url;
    } else {
      if (
        this.loadedBounds &&
        this.loadedZoom === zoom &&
        this.loadedBounds.contains(map.getBounds())
      ) {
        return;
      }
      bounds = map.getBounds().pad(PAD);
      url = spec.url + "?bbox=" + clampedBbox(bounds) + "&zoom=" + zoom + this.filterQuery();
    }
    this.abort();
    const controller = new AbortController();
    this.controller = controller;
    map.fire("bw:layerloading", { name: spec.name });
    let keptAt = null;
    fetch(url, { signal: controller.signal, headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        /* the service worker's copy, when the network failed (static/js/sw-routes.js) */
        keptAt = response.headers.get("X-Bw-Kept-At");
        if (response.status === 400) {
          /* a bad filter: the answer names the field; the filter form shows it */
          return response.json().then(function (body) {
            const error = new Error(body.message || String(response.status));
            error.status = 400;
            error.field = body.field || null;
            throw error;
          });
        }
        if (!response.ok) throw new Error("HTTP " + response.status + " " + url);
        return response.json();
      })
      .then(function (collection) {
        if (self.controller !== controller) return;
        function apply() {
          if (self.controller !== controller) return;
          self.controller = null;
          self.failed = false;
          self.keptAt = keptAt;
          self.setData(collection);
          self.loadedOnce = spec.loading === "once";
          self.loadedBounds = bounds;
          self.loadedZoom = zoom;
          self.openPending();
          self.map.fire("bw:layerload", {
            name: spec.name,
            count: self.count,
            total: self.total,
            truncated: self.truncated,
          });
        }
        /* markercluster cannot swap its markers in the middle of a zoom animation */
        if (spec.cluster && self.group._inZoomAnimation) self.group.once("animationend", apply);
        else apply();
      })
      .catch(function (error) {
        if (error && error.name === "AbortError") return;
        if (self.controller === controller) self.controller = null;
        self.failed = !(error && error.status === 400);
        self.map.fire("bw:layererror", {
          name: spec.name,
          status: (error && error.status) || null,
          message: String((error && error.message) || error),
          field: (error && error.field) || null,
        });
        if (error && error.status === 400) return;
        const problem = "borderwatch: the layer " + spec.name + " could not be loaded."; // i18n-ignore (console)
        console.error(problem, error);
      });
  };

  Layer.prototype.abort = function () {
    if (this.controller) this.controller.abort();
    this.controller = null;
  };

  function swatch(geometry, style) {
    const svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("width", "22");
    svg.setAttribute("height", "14");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("class", "bw-swatch");
    let shape;
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
    const stroke = style.color || "#3388ff";
    shape.setAttribute("stroke", stroke);
    shape.setAttribute("stroke-width", String(Math.min(style.weight || 1, 3)));
    shape.setAttribute("stroke-opacity", String(style.opacity === undefined ? 1 : style.opacity));
    if (style.dashArray) shape.setAttribute("stroke-dasharray", style.dashArray);
    if (geometry === "line") {
      shape.setAttribute("fill", "none");
    } else {
      shape.setAttribute("fill", style.fillColor || stroke);
      shape.setAttribute(
        "fill-opacity",
        String(style.fillOpacity === undefined ? 0.2 : Math.max(style.fillOpacity, 0.15))
      );
    }
    svg.appendChild(shape);
    return svg;
  }

  /* Simple outline icons of the two map buttons (decoration: the buttons say their names). */
  function icon(kind) {
    const svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("width", "20");
    svg.setAttribute("height", "20");
    svg.setAttribute("viewBox", "0 0 20 20");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    const path = document.createElementNS(SVG_NS, "path");
    path.setAttribute(
      "d",
      kind === "layers"
        ? "M10 2 1 7l9 5 9-5-9-5Zm-6.5 8L1 11.5l9 5 9-5-2.5-1.5L10 13.5 3.5 10Z"
        : "M3 4h3v3H3V4Zm5 1h9v1H8V5Zm-5 4h3v3H3V9Zm5 1h9v1H8v-1Zm-5 4h3v3H3v-3Zm5 1h9v1H8v-1Z"
    );
    path.setAttribute("fill", "currentColor");
    svg.appendChild(path);
    return svg;
  }

  /* The filter form of a layer with filters, and its notice ("N on the map", "zoom in"). */
  function filterBlock(map, layer) {
    const w = words();
    const spec = layer.spec;
    const root = el("div", "bw-filters");
    root.id = "bw-filters-" + spec.name;
    const notice = el("p", "bw-filters-notice");
    notice.setAttribute("role", "status");
    notice.setAttribute("aria-live", "polite");
    const details = el("details");
    details.appendChild(el("summary", null, w.t("Filters")));
    const form = el("form", "bw-filters-form");
    form.noValidate = true;
    spec.filters.forEach(function (field) {
      const set = el("fieldset", "bw-filter bw-filter-" + field.kind);
      set.dataset.param = field.param;
      set.appendChild(el("legend", null, field.label));
      if (field.kind === "choice") {
        field.choices.forEach(function (choice) {
          const label = el("label", "bw-filter-choice");
          const box = el("input");
          box.type = "checkbox";
          box.name = field.param;
          box.value = String(choice[0]);
          label.appendChild(box);
          label.appendChild(el("span", null, String(choice[1])));
          set.appendChild(label);
        });
      } else {
        const input = el("input");
        input.type = "date";
        input.name = field.param;
        input.setAttribute("aria-label", field.label);
        set.appendChild(input);
      }
      form.appendChild(set);
    });
    const error = el("p", "bw-filters-error");
    error.setAttribute("role", "alert");
    error.hidden = true;
    form.appendChild(error);
    const buttons = el("div", "bw-filters-buttons");
    const apply = el("button", "bw-map-action bw-map-action-primary", w.t("Apply"));
    apply.type = "submit";
    const clear = el("button", "bw-map-action", w.t("Clear"));
    clear.type = "reset";
    buttons.appendChild(apply);
    buttons.appendChild(clear);
    form.appendChild(buttons);
    details.appendChild(form);
    root.appendChild(notice);
    root.appendChild(details);

    function values() {
      const out = {};
      spec.filters.forEach(function (field) {
        const chosen = [];
        form.querySelectorAll('input[name="' + field.param + '"]').forEach(function (input) {
          if (field.kind === "choice" ? input.checked : input.value) chosen.push(input.value);
        });
        if (chosen.length) out[field.param] = chosen.join(",");
      });
      return out;
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      error.hidden = true;
      const chosen = values();
      const problem = filterProblem(spec.filters, chosen, words());
      if (problem) {
        error.textContent = problem;
        error.hidden = false;
        return;
      }
      layer.setFilters(chosen);
    });
    form.addEventListener("reset", function () {
      error.hidden = true;
      /* after the browser has cleared the inputs */
      setTimeout(function () {
        layer.setFilters({});
      }, 0);
    });
    map.on("bw:layererror", function (event) {
      if (event.name !== spec.name || event.status !== 400) return;
      error.textContent = filterErrorText(spec.filters, event.field, event.message);
      error.hidden = false;
      details.open = true;
    });
    function update() {
      const state = layer.state();
      notice.classList.toggle("bw-truncated", state.on && state.truncated);
      notice.textContent = noticeText(state, words());
    }
    map.on("bw:layerload", function (event) {
      if (event.name === spec.name) update();
    });
    map.on("layerremove", function (event) {
      if (event.layer === layer.group) update();
    });
    return root;
  }

  /* The two panels (layer list, legend), their buttons on the map, and the map's message. */
  function addPanels(map, layers, options, index) {
    const w = words();
    const suffix = index ? "-" + index : "";
    const host = options.panel ? document.getElementById(options.panel) : null;
    const box = host || el("div", "bw-map-panel bw-map-panel-over");
    box.classList.add("bw-map-panels");
    const before = host ? host.firstChild : null;

    function panel(kind, title) {
      const section = el("section", "bw-panel bw-panel-" + kind);
      section.id = "bw-" + kind + "-panel" + suffix;
      section.hidden = true;
      const head = el("div", "bw-panel-head");
      const heading = el("h2", "bw-panel-title", title);
      heading.id = section.id + "-title";
      section.setAttribute("aria-labelledby", heading.id);
      const close = el("button", "bw-panel-close");
      close.type = "button";
      close.setAttribute("aria-label", w.t("Close"));
      close.appendChild(el("span", null, "\u00d7")).setAttribute("aria-hidden", "true");
      head.appendChild(heading);
      head.appendChild(close);
      section.appendChild(head);
      box.insertBefore(section, before);
      return { section: section, close: close };
    }
    const layerPanel = panel("layers", w.t("Layers"));
    const legendPanel = panel("legend", w.t("Legend"));

    /* the layer list: a check box per layer, its hint, its filters */
    const list = el("ul", "bw-layer-list");
    const items = {};
    layers.forEach(function (layer) {
      const spec = layer.spec;
      const item = el("li", "bw-layer-item");
      item.dataset.layer = spec.name;
      const label = el("label", "bw-layer-toggle");
      const check = el("input");
      check.type = "checkbox";
      check.name = "bw-layer";
      check.value = spec.name;
      check.checked = map.hasLayer(layer.group);
      label.appendChild(check);
      const entries = legendEntries(spec.style);
      label.appendChild(swatch(spec.geometry, entries.length ? entries[0].style : spec.style.base));
      label.appendChild(el("span", "bw-layer-title", spec.title));
      item.appendChild(label);
      const hint = el("p", "bw-layer-hint");
      hint.hidden = true;
      item.appendChild(hint);
      if (spec.filters && spec.filters.length) item.appendChild(filterBlock(map, layer));
      check.addEventListener("change", function () {
        if (check.checked && !map.hasLayer(layer.group)) {
          layer.group.addTo(map);
          map.fire("overlayadd", { layer: layer.group, name: spec.title });
        } else if (!check.checked && map.hasLayer(layer.group)) {
          map.removeLayer(layer.group);
          map.fire("overlayremove", { layer: layer.group, name: spec.title });
        }
      });
      items[spec.name] = { check: check, hint: hint };
      list.appendChild(item);
    });
    layerPanel.section.appendChild(list);
    lowDataSwitch(map, layerPanel.section, w);

    /* the legend: a section per layer, shown while the layer is on and has features in view */
    const legend = el("div", "bw-legend");
    const sections = {};
    layers.forEach(function (layer) {
      const section = el("div", "bw-legend-section");
      section.appendChild(el("h3", "bw-legend-layer", layer.spec.title));
      const rows = el("ul", "bw-legend-rows");
      legendEntries(layer.spec.style).forEach(function (entry) {
        const row = el("li", "bw-legend-row");
        row.appendChild(swatch(layer.spec.geometry, entry.style));
        row.appendChild(el("span", null, entry.label));
        rows.appendChild(row);
      });
      section.appendChild(rows);
      sections[layer.spec.name] = section;
      legend.appendChild(section);
    });
    const empty = el("p", "bw-legend-empty", w.t("No layer shows anything here yet."));
    legend.appendChild(empty);
    legendPanel.section.appendChild(legend);

    /* the buttons on the map, top right */
    const buttons = {};
    const control = L.control({ position: "topright" });
    control.onAdd = function () {
      const root = el("div", "bw-map-buttons leaflet-control");
      [
        ["layers", w.t("Layers"), layerPanel],
        ["legend", w.t("Legend"), legendPanel],
      ].forEach(function (entry) {
        const button = el("button", "bw-map-button");
        button.type = "button";
        button.id = "bw-" + entry[0] + "-button" + suffix;
        button.setAttribute("aria-controls", entry[2].section.id);
        button.setAttribute("aria-expanded", "false");
        button.appendChild(icon(entry[0]));
        button.appendChild(el("span", null, entry[1]));
        button.addEventListener("click", function () {
          open(entry[2].section.hidden ? entry[0] : null);
        });
        buttons[entry[0]] = button;
        root.appendChild(button);
      });
      L.DomEvent.disableClickPropagation(root);
      L.DomEvent.disableScrollPropagation(root);
      return root;
    };
    control.addTo(map);
    if (!host) {
      const over = L.control({ position: "topright" });
      over.onAdd = function () {
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.disableScrollPropagation(box);
        return box;
      };
      over.addTo(map);
    }

    /* one panel at a time; none: the panel's space goes back to the map */
    const panels = { layers: layerPanel, legend: legendPanel };
    function open(which) {
      Object.keys(panels).forEach(function (kind) {
        const shown = kind === which;
        panels[kind].section.hidden = !shown;
        buttons[kind].setAttribute("aria-expanded", shown ? "true" : "false");
        buttons[kind].classList.toggle("bw-active", shown);
      });
      box.hidden = !which;
      box.classList.toggle("bw-open", !!which);
      if (host) map.invalidateSize({ pan: false });
    }
    Object.keys(panels).forEach(function (kind) {
      panels[kind].close.addEventListener("click", function () {
        open(null);
        buttons[kind].focus();
      });
      panels[kind].section.addEventListener("keydown", function (event) {
        if (event.key !== "Escape") return;
        open(null);
        buttons[kind].focus();
      });
    });
    const desktop = global.matchMedia && global.matchMedia(DESKTOP).matches;
    open(desktop ? "layers" : null);

    /* the map's message: loads that failed, a layer cut to its newest features; "Loading…" */
    const status = L.control({ position: "topleft" });
    let message, loading;
    status.onAdd = function () {
      const root = el("div", "bw-map-status leaflet-control");
      message = el("p", "bw-map-message");
      message.setAttribute("role", "status");
      message.setAttribute("aria-live", "polite");
      loading = el("p", "bw-map-loading", w.t("Loading…"));
      loading.setAttribute("aria-hidden", "true");
      loading.hidden = true;
      root.appendChild(message);
      root.appendChild(loading);
      return root;
    };
    status.addTo(map);
    let loadingTimer = null;

    function update() {
      const zoom = map.getZoom();
      const ww = words();
      let anyLoading = false;
      let anyShown = false;
      const failed = [];
      const cut = [];
      layers.forEach(function (layer) {
        const state = layer.state();
        const name = layer.spec.name;
        if (items[name].check.checked !== state.on) items[name].check.checked = state.on;
        const hint = layerHint(layer.spec, state, zoom, ww);
        items[name].hint.textContent = hint;
        items[name].hint.hidden = !hint;
        const visible = state.on && state.count > 0;
        sections[name].hidden = !visible;
        anyShown = anyShown || visible;
        anyLoading = anyLoading || (state.on && state.loading);
        if (state.on && state.error) failed.push(layer.spec.title);
        if (state.on && state.truncated) cut.push(layer);
      });
      empty.hidden = anyShown;
      let text = "";
      if (failed.length) {
        text = ww.t("Could not load: {layers}. The map tries again when it moves.", {
          layers: failed.join(", "),
        });
      } else if (cut.length) {
        text = cut[0].spec.title + ": " + noticeText(cut[0].state(), ww);
      }
      if (message.textContent !== text) message.textContent = text;
      message.hidden = !text;
      message.classList.toggle("bw-error", failed.length > 0);
      if (anyLoading && loadingTimer === null && loading.hidden) {
        loadingTimer = setTimeout(function () {
          loadingTimer = null;
          loading.hidden = !layers.some(function (layer) {
            return layer.state().on && layer.state().loading;
          });
        }, LOADING_DELAY_MS);
      } else if (!anyLoading) {
        if (loadingTimer !== null) clearTimeout(loadingTimer);
        loadingTimer = null;
        loading.hidden = true;
      }
    }
    return update;
  }

  /* Leaflet's own words (zoom buttons, the popups' close button) in the page's language, the
   * scale in metres only, the attribution at the bottom left with a link to the data sources. */
  function localiseMap(map, options) {
    const w = words();
    if (map.zoomControl) {
      map.removeControl(map.zoomControl);
      map.zoomControl = L.control
        .zoom({ position: "topleft", zoomInTitle: w.t("Zoom in"), zoomOutTitle: w.t("Zoom out") })
        .addTo(map);
    }
    map.on("popupopen", function (event) {
      const close = event.popup.getElement().querySelector(".leaflet-popup-close-button");
      if (close) close.setAttribute("aria-label", words().t("Close"));
    });
    if (map.attributionControl) {
      map.attributionControl.setPosition("bottomleft");
      map.attributionControl.setPrefix(escapeHtml("Leaflet"));
      if (options.aboutUrl) {
        map.attributionControl.addAttribution(
          '<a href="' +
            escapeHtml(options.aboutUrl) +
            '">' +
            escapeHtml(w.t("Data sources")) +
            "</a>"
        );
      }
    }
  }

  /* The order in which a map's layers (in drawing order, the top one last) load a new view:
   * the top layer alone (the incidents on the map page: what a user comes for), then the
   * others once its answer is in, or failed, or after waitMs. Loaded together, the reference
   * and analysis layers' requests reached the server with the incidents' and took the same two
   * processes' time: the incidents' answer waited behind them (bench/mapload.py). The others
   * are loaded at once when the top layer sends nothing (hidden, out of its zoom range, or the
   * view already loaded).
   *   layers  objects with .spec.name, .refresh() and .controller (non-null while loading)
   *   timers  {set(callback, ms) -> id, clear(id)}
   * Returns {refreshAll(), answered(name)}: call answered with the name of each layer whose
   * load ended (bw:layerload, bw:layererror). */
  function refreshQueue(layers, waitMs, timers) {
    const ordered = layers.slice().reverse();
    const first = ordered[0];
    const rest = ordered.slice(1);
    let waiting = false;
    let timer = null;
    function release() {
      if (timer !== null) timers.clear(timer);
      timer = null;
      if (!waiting) return;
      waiting = false;
      rest.forEach(function (layer) {
        layer.refresh();
      });
    }
    return {
      refreshAll: function () {
        if (!first) return;
        first.refresh();
        waiting = true;
        if (!first.controller) {
          release();
          return;
        }
        if (timer !== null) timers.clear(timer);
        timer = timers.set(release, waitMs);
      },
      answered: function (name) {
        if (first && name === first.spec.name && !first.controller) release();
      },
    };
  }

  function findLayer(map, name) {
    for (let i = 0; i < maps.length; i++) {
      const entry = maps[i];
      if (entry.map !== map) continue;
      for (let j = 0; j < entry.layers.length; j++) {
        if (entry.layers[j].spec.name === name) return entry.layers[j];
      }
    }
    return null;
  }

  function addIncident(map, incident) {
    const layer = findLayer(map, "incidents");
    const feature = incidentFeature(incident);
    if (!layer || !feature) return null;
    return layer.addFeature(feature);
  }

  function showIncident(map, id) {
    const layer = findLayer(map, "incidents");
    if (!layer || !layer.byId[id]) return false;
    if (!map.hasLayer(layer.group)) layer.group.addTo(map);
    layer.pendingOpen = id;
    layer.openPending();
    return true;
  }

  function onMap(callback) {
    maps.forEach(function (entry) {
      callback(entry.map, entry.layers);
    });
    pendingCallbacks.push(callback);
  }

  function keepViewLinked(map) {
    map.on("moveend", function () {
      const centre = map.getCenter();
      const hash = viewHash(map.getZoom(), centre.lat, centre.lng);
      if (global.location.hash !== hash) global.history.replaceState(null, "", hash);
    });
  }

  function buildLayers(map, options) {
    Object.keys(PANES).forEach(function (key) {
      const pane = map.createPane(PANES[key].name);
      pane.style.zIndex = String(PANES[key].zIndex);
    });
    localiseMap(map, options);
    const layers = options.layers.map(function (spec) {
      return new Layer(map, spec);
    });
    /* the panels first: a panel beside the map makes it narrower before the view is fitted */
    const update = addPanels(map, layers, options, maps.length);
    const view = options.linkView
      ? parseViewHash(global.location.hash, map.getMinZoom(), map.getMaxZoom())
      : null;
    if (view) map.setView(view.center, view.zoom, { animate: false });
    else if (options.bounds) map.fitBounds(options.bounds, { animate: false });
    if (options.linkView) keepViewLinked(map);
    layers.forEach(function (layer) {
      if (layer.spec.show) layer.group.addTo(map);
    });

    /* the top layer first (the incidents), the others once it has answered: see refreshQueue */
    const queue = refreshQueue(layers, FIRST_WAIT_MS, {
      set: function (callback, ms) {
        return global.setTimeout(callback, ms);
      },
      clear: function (id) {
        global.clearTimeout(id);
      },
    });
    function refreshAll() {
      queue.refreshAll();
      update();
    }
    map.on("moveend", refreshAll);
    map.on("bw:layerloading bw:layerload bw:layererror", update);
    map.on("bw:layerload bw:layererror", function (event) {
      queue.answered(event.name);
    });
    map.on("layeradd layerremove", function (event) {
      layers.forEach(function (layer) {
        if (layer.group !== event.layer) return;
        layer.refresh();
        update();
      });
    });
    map.on("bw:incidentcreated", function (event) {
      if (!addIncident(map, event.incident)) {
        const problem = "borderwatch: the new incident could not be drawn."; // i18n-ignore (console)
        console.warn(problem, event.incident);
      }
    });
    maps.push({ map: map, layers: layers });
    refreshAll();
    pendingCallbacks.forEach(function (callback) {
      callback(map, layers);
    });
    return layers;
  }

  /* The map's script runs while the page is read; the words (i18n.js, deferred) are there
   * once it has been read. */
  function addLayers(map, options) {
    if (global.document && global.document.readyState === "loading") {
      global.document.addEventListener("DOMContentLoaded", function () {
        buildLayers(map, options);
      });
      return [];
    }
    return buildLayers(map, options);
  }

  return {
    addLayers: addLayers,
    addIncident: addIncident,
    buildPopup: buildPopup,
    cellLines: cellLines,
    clampedBbox: clampedBbox,
    displayValue: displayValue,
    escapeHtml: escapeHtml,
    filterErrorText: filterErrorText,
    filterProblem: filterProblem,
    findLayer: findLayer,
    incidentFeature: incidentFeature,
    layerHint: layerHint,
    legendEntries: legendEntries,
    noticeText: noticeText,
    onMap: onMap,
    parseViewHash: parseViewHash,
    plainWords: PLAIN,
    popupContent: popupContent,
    refreshQueue: refreshQueue,
    lowDataChosen: lowDataChosen,
    chooseLowData: chooseLowData,
    resolveStyle: resolveStyle,
    showIncident: showIncident,
    viewHash: viewHash,
    zoomPlace: zoomPlace,
    maps: maps,
  };
});
