/*
 * The district's map editor (templates/reference/edit.html), on Leaflet with Leaflet-Geoman.
 *
 * Data: <script type="application/json" id="reference-config"> written by the view
 * (webapp/reference/pages.py): the API's URLs, the account's role, the vocabularies' labels
 * ({vocabulary: {value: label}}) and the fields' names in the page's language. The map element
 * carries the basemap settings (data-tile-url, data-tile-attribution, data-max-zoom); an empty
 * data-tile-url draws no basemap.
 *
 * What it does:
 *   - loads the district's editable features (GET /api/reference/editable) and draws them:
 *     checkpoints and the centre as dots, crossings as lines, flagged stretches as dashed lines;
 *     a feature with a proposal waiting is outlined in amber and marked in the list;
 *   - a feature tapped on the map or picked from the list opens the form of its type, filled;
 *     a point is dragged to its place and a crossing reshaped in Geoman's edit mode; "I am here"
 *     puts a point at the phone's position (navigator.geolocation), sets the precision to
 *     "surveyed on site" and sends the position's accuracy as accuracy_m;
 *   - "Draw a new crossing path" draws a line (Geoman's draw mode); "Flag a stretch of the
 *     border" shows the district's border segments and takes two taps on one of them;
 *   - sending POSTs the change (bw.reference.changeBody: only what changed, with the version it
 *     was made on); a 409 says someone else changed the feature and names its current version,
 *     a refusal naming a field is written under that field; an accepted change's derived data
 *     is followed (GET /api/reference/derived, bw.reference.followDerived) until it is up to date.
 * Every text from data is written with textContent; nothing is assembled into HTML.
 * window.borderwatch.referenceEditor = {map, features, layers, select(key), reload()}.
 */
(function (global) {
  "use strict";

  const WATCH_AREA = [
    [10.8, 99.2],
    [20.9, 107.2],
  ];
  const TYPES = "checkpoint,centre,crossing,stretch";
  const STYLE = {
    checkpoint: { radius: 9, color: "#ffffff", weight: 2, fillColor: "#0a6aa1", fillOpacity: 0.95 },
    centre: { radius: 10, color: "#ffffff", weight: 2, fillColor: "#5b2a7a", fillOpacity: 0.95 },
    crossing: { color: "#a4161a", weight: 5, opacity: 0.9 },
    stretch: { color: "#7a4b00", weight: 7, opacity: 0.9, dashArray: "10 8" },
    segment: { color: "#1b5e20", weight: 9, opacity: 0.55 },
  };
  /* What is drawn under the features for orientation, not editable: the map's own reference
   * layers (GET /api/layers/<name>) over the district's view, as the map page draws them. */
  const CONTEXT = {
    districts: { color: "#6b7280", weight: 1, fill: false, opacity: 0.8 },
    mekong: { color: "#4a90c8", weight: 3, opacity: 0.8 },
    border: { color: "#37474f", weight: 3, opacity: 0.9 },
  };
  const PENDING = { color: "#f0b400", weight: 4 };
  const ref = global.bw.reference;

  function $(id) { return document.getElementById(id); }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  const state = {
    config: null,
    map: null,
    district: null,
    features: {},
    layers: {},
    group: null,
    context: null,
    segments: null,
    selected: null, // key of the feature in the form, or "new" for a new one
    type: null,
    mode: null, // "edit", "draw", "stretch"
    newLayer: null,
    accuracy: null,
    stretch: { segmentId: null, points: [], markers: [] },
    sending: false,
  };

  function label(vocabulary, value) {
    const table = (state.config.vocab || {})[vocabulary] || {};
    return table[value] || (value === null || value === undefined ? "–" : String(value));
  }

  function say(id, text) {
    const node = $(id);
    if (!node) return;
    node.textContent = text || "";
    if (node.hasAttribute("hidden") || node.hidden !== undefined) node.hidden = !text;
  }

  /* -- reading the API ------------------------------------------------------------------- */

  function getJson(url) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" }).then(
      function (response) {
        return response.json().then(
          function (body) { return { status: response.status, body: body }; },
          function () { return { status: response.status, body: null }; }
        );
      },
      function () { return { status: 0, body: null }; }
    );
  }

  function postJson(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
    }).then(
      function (response) {
        return response.json().then(
          function (answer) { return { status: response.status, body: answer }; },
          function () { return { status: response.status, body: null }; }
        );
      },
      function () { return { status: 0, body: null }; }
    );
  }

  function editableUrl(types) {
    const params = new URLSearchParams({ types: types });
    if (state.district) params.set("district", state.district);
    return state.config.editableUrl + "?" + params.toString();
  }

  /* -- the map ----------------------------------------------------------------------------- */

  function makeMap(container) {
    const maxZoom = Number(container.dataset.maxZoom) || 18;
    const map = L.map(container, { maxZoom: maxZoom, zoomControl: false });
    L.control.zoom({ zoomInTitle: bw.t("Zoom in"), zoomOutTitle: bw.t("Zoom out") }).addTo(map);
    if (container.dataset.tileUrl) {
      L.tileLayer(container.dataset.tileUrl, {
        attribution: container.dataset.tileAttribution || "",
        maxZoom: maxZoom,
      }).addTo(map);
    }
    L.control.scale({ imperial: false }).addTo(map);
    map.fitBounds(WATCH_AREA, { animate: false });
    if (map.pm) {
      // Geoman's hints while a line is drawn, in the page's language
      map.pm.setLang(
        "borderwatch",
        {
          tooltips: {
            firstVertex: bw.t("Tap where the path starts"),
            continueLine: bw.t("Tap at each bend of the path"),
            finishLine: bw.t("Tap the last point again to finish"),
          },
        },
        "en"
      );
      map.pm.setGlobalOptions({ snappable: false, allowSelfIntersection: false });
    }
    return map;
  }

  function styleOf(feature) {
    const type = feature.properties.feature_type;
    const base = Object.assign({}, STYLE[type] || STYLE.crossing);
    if (feature.properties.precision === "approximate" && base.fillOpacity) base.fillOpacity = 0.45;
    if (feature.properties.pending_change) Object.assign(base, PENDING);
    return base;
  }

  function drawFeature(feature) {
    const props = feature.properties;
    const key = ref.featureKey(props.feature_type, props.feature_id);
    let layer;
    if (feature.geometry.type === "Point") {
      const c = feature.geometry.coordinates;
      layer = L.circleMarker([c[1], c[0]], styleOf(feature));
    } else {
      layer = L.geoJSON(feature.geometry, { style: function () { return styleOf(feature); } }).getLayers()[0];
    }
    if (!layer) return;
    const tip = props.pending_change
      ? bw.t("{name} (waiting for review)", { name: ref.featureLabel(props, bw) })
      : ref.featureLabel(props, bw);
    const tooltip = el("span", null, tip);
    tooltip.setAttribute("translate", "no");
    layer.bindTooltip(tooltip);
    layer.on("click", function () {
      if (state.selected !== key) select(key, false);
    });
    // dragged by hand after "I am here": the phone's accuracy no longer says where it is
    layer.on("pm:dragend", function () {
      state.accuracy = null;
      say("rf-here-status", "");
    });
    layer.feature = feature;
    state.features[key] = feature;
    state.layers[key] = layer;
    state.group.addLayer(layer);
  }

  function listItem(key) {
    const feature = state.features[key];
    const props = feature.properties;
    const item = el("li", "rf-item");
    const button = el("button", "rf-item-open");
    button.type = "button";
    button.dataset.key = key;
    // a place's name as the data has it (often only in English): a name, not a word to translate
    const name = el("span", "rf-item-name", ref.featureLabel(props, bw));
    name.setAttribute("translate", "no");
    button.appendChild(name);
    const facts = el("span", "rf-item-facts");
    facts.textContent = label("feature_type", props.feature_type) +
      (props.precision ? " · " + label("precision", props.precision) : "");
    button.appendChild(facts);
    if (props.pending_change) button.appendChild(el("span", "bw-badge bw-badge-pending", bw.t("Waiting for review")));
    button.addEventListener("click", function () { select(key, true); });
    item.appendChild(button);
    return item;
  }

  function drawList() {
    const list = $("rf-list");
    list.textContent = "";
    const order = ["centre", "checkpoint", "crossing", "stretch"];
    const keys = Object.keys(state.features).sort(function (a, b) {
      const fa = state.features[a].properties;
      const fb = state.features[b].properties;
      const byType = order.indexOf(fa.feature_type) - order.indexOf(fb.feature_type);
      return byType || ref.featureLabel(fa, bw).localeCompare(ref.featureLabel(fb, bw), bw.locale);
    });
    keys.forEach(function (key) { list.appendChild(listItem(key)); });
    say("rf-list-note", keys.length
      ? bw.tn("{n} feature", "{n} features", keys.length, { n: bw.formatNumber(keys.length) })
      : bw.t("No feature of this district yet."));
  }

  /* The district's latest changes (proposals and decisions), with the reviewer's note: where a
   * coordinator learns what became of a proposal. */
  const SHOWN_CHANGES = 10;
  const BADGE = { proposed: "bw-badge-pending", accepted: "bw-badge-verified", rejected: "bw-badge-rejected" };

  function changeItem(change) {
    const item = el("li", "rf-change");
    const name = el("p", "rf-change-name", ref.featureLabel(change, bw));
    name.setAttribute("translate", "no");
    item.appendChild(name);
    const badges = el("p", "rf-change-badges");
    badges.appendChild(el("span", "bw-badge", label("feature_type", change.feature_type)));
    badges.appendChild(el("span", "bw-badge", label("action", change.action)));
    badges.appendChild(el("span", "bw-badge " + (BADGE[change.status] || ""), label("change_status", change.status)));
    item.appendChild(badges);
    const by = change.proposed_by || {};
    item.appendChild(el("p", "bw-muted", bw.t("{who}, {when}", { who: by.name || "–", when: bw.formatDateTime(change.proposed_at) })));
    if (change.review_note) {
      item.appendChild(el("p", "rf-change-note", bw.t("Note of the reviewer: {note}", { note: change.review_note })));
    }
    return item;
  }

  function loadChanges() {
    const params = new URLSearchParams();
    if (state.district) params.set("district", state.district);
    return getJson(state.config.changesUrl + "?" + params.toString()).then(function (answer) {
      const list = $("rf-changes");
      list.textContent = "";
      if (answer.status !== 200 || !answer.body) {
        say("rf-changes-note", (answer.body && answer.body.message) || bw.t("The features could not be loaded."));
        return;
      }
      const changes = (answer.body.changes || []).slice(0, SHOWN_CHANGES);
      changes.forEach(function (change) { list.appendChild(changeItem(change)); });
      say("rf-changes-note", changes.length ? "" : bw.t("No proposal yet."));
    });
  }

  function load() {
    loadChanges();
    say("rf-load-error", "");
    return getJson(editableUrl(TYPES)).then(function (answer) {
      if (answer.status !== 200 || !answer.body) {
        say("rf-load-error", (answer.body && answer.body.message) || bw.t("The features could not be loaded."));
        return;
      }
      state.group.clearLayers();
      state.features = {};
      state.layers = {};
      (answer.body.features || []).forEach(drawFeature);
      drawList();
      if (state.group.getLayers().length) {
        state.map.fitBounds(state.group.getBounds(), { padding: [24, 24], maxZoom: 14, animate: false });
      }
      loadContext();
    });
  }

  /* The districts' outlines, the Mekong and the border around the view, drawn once per load in
   * a pane under the features; Geoman leaves them alone (pmIgnore) and taps go through them. */
  function loadContext() {
    if (!state.config.layerUrl) return;
    state.context.clearLayers();
    const b = state.map.getBounds().pad(0.5);
    const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]
      .map(function (v) { return v.toFixed(4); }).join(",");
    const zoom = Math.round(state.map.getZoom());
    Object.keys(CONTEXT).forEach(function (name) {
      const url = state.config.layerUrl.replace("{name}", name) + "?bbox=" + bbox + "&zoom=" + zoom;
      getJson(url).then(function (answer) {
        if (answer.status !== 200 || !answer.body) return;
        L.geoJSON(answer.body, {
          pane: "rf-context",
          interactive: false,
          pmIgnore: true,
          style: function () { return CONTEXT[name]; },
        }).addTo(state.context);
      });
    });
  }

  /* -- the form ----------------------------------------------------------------------------- */

  /* The form's parts of a type (data-types names it) and of a way of editing ("draw",
   * "stretch-new"): the rest is hidden. */
  function showFieldsOf(type, kind) {
    document.querySelectorAll("#rf-form-box [data-types]").forEach(function (node) {
      const types = node.getAttribute("data-types").split(" ");
      node.hidden = types.indexOf(type) < 0 && types.indexOf(kind) < 0;
    });
  }

  function clearErrors() {
    document.querySelectorAll("#rf-form .bw-field-error, #rf-form-error").forEach(function (node) {
      node.textContent = "";
      node.hidden = true;
    });
    document.querySelectorAll("#rf-form [aria-invalid]").forEach(function (node) {
      node.removeAttribute("aria-invalid");
    });
    $("rf-conflict").hidden = true;
  }

  function fill(type, props) {
    const form = $("rf-form");
    form.reset();
    (ref.FIELDS[type] || []).forEach(function (name) {
      const value = props ? props[name] : null;
      if (ref.LISTS[name]) {
        form.querySelectorAll('input[name="' + name + '"]').forEach(function (box) {
          box.checked = Array.isArray(value) && value.indexOf(box.value) >= 0;
        });
        return;
      }
      const input = form.elements.namedItem(name);
      if (!input) return;
      if (value === null || value === undefined) {
        if (input.tagName !== "SELECT") input.value = "";
      } else {
        input.value = String(value);
      }
    });
  }

  function geometryHelp(kind) {
    const words = {
      checkpoint: bw.t("Drag the dot to where the checkpoint really is, or tap “I am here” on site."),
      centre: bw.t("Drag the dot to where the centre really is, or tap “I am here” on site."),
      crossing: bw.t("Drag the line’s points to reshape the path; tap a point to remove it."),
      draw: bw.t("Tap the map at each bend of the path, then tap the last point again."),
      stretch: bw.t("A flagged stretch keeps its place on the border; change what is known of it."),
      "stretch-new": bw.t("Tap the border line where the stretch begins, then where it ends."),
    };
    return words[kind] || "";
  }

  function openForm(type, title, kind, name) {
    state.type = type;
    clearErrors();
    say("rf-said", "");
    $("rf-form-box").hidden = false;
    const heading = $("rf-form-title");
    heading.textContent = title;
    if (name) heading.appendChild(el("span", null, ": " + name)).setAttribute("translate", "no");
    showFieldsOf(type, kind || type);
    say("rf-geometry-help", geometryHelp(kind || type));
    say("rf-here-status", "");
    say("rf-map-hint", geometryHelp(kind || type));
  }

  function stopEditing() {
    if (state.selected && state.layers[state.selected]) {
      const layer = state.layers[state.selected];
      if (layer.pm) layer.pm.disable();
      const feature = state.features[state.selected];
      // back where it was: an unsent move is forgotten
      if (feature.geometry.type === "Point") {
        const c = feature.geometry.coordinates;
        layer.setLatLng([c[1], c[0]]);
      } else if (feature.geometry.type === "LineString") {
        layer.setLatLngs(feature.geometry.coordinates.map(function (c) { return [c[1], c[0]]; }));
      }
      if (layer.setStyle) layer.setStyle(styleOf(feature));
    }
    if (state.map.pm) state.map.pm.disableDraw();
    if (state.newLayer) {
      state.map.removeLayer(state.newLayer);
      state.newLayer = null;
    }
    stopStretch();
    state.selected = null;
    state.mode = null;
    state.accuracy = null;
  }

  function closeForm() {
    stopEditing();
    $("rf-form-box").hidden = true;
    say("rf-map-hint", "");
  }

  function select(key, fromList) {
    const feature = state.features[key];
    if (!feature || state.sending) return;
    stopEditing();
    const props = feature.properties;
    state.selected = key;
    state.mode = "edit";
    openForm(props.feature_type, label("feature_type", props.feature_type), null, ref.featureLabel(props, bw));
    fill(props.feature_type, props);
    $("rf-pending").hidden = !props.pending_change;
    const layer = state.layers[key];
    if (layer.setStyle) layer.setStyle({ color: "#f0b400", weight: props.feature_type === "stretch" ? 9 : layer instanceof L.CircleMarker ? 4 : 7 });
    if (props.feature_type !== "stretch" && layer.pm) {
      layer.pm.enable({ draggable: true, allowSelfIntersection: false, snappable: false });
    }
    // no animation: a later move (I am here) must not be undone by this one ending
    if (layer.getLatLng) state.map.setView(layer.getLatLng(), Math.max(state.map.getZoom(), 14), { animate: false });
    else if (layer.getBounds) state.map.fitBounds(layer.getBounds(), { padding: [32, 32], maxZoom: 15, animate: false });
    if (fromList) $("rf-map").scrollIntoView({ block: "nearest" });
  }

  function currentGeometry() {
    if (state.mode === "draw") return state.newLayer ? state.newLayer.toGeoJSON(8).geometry : null;
    const layer = state.layers[state.selected];
    return layer ? layer.toGeoJSON(8).geometry : null;
  }

  /* -- I am here -------------------------------------------------------------------------- */

  function hereIAm() {
    const layer = state.layers[state.selected];
    if (!layer || !layer.setLatLng) return;
    if (!navigator.geolocation) {
      say("rf-here-status", bw.t("This browser cannot tell where you are."));
      return;
    }
    say("rf-here-status", bw.t("Finding where you are…"));
    navigator.geolocation.getCurrentPosition(
      function (position) {
        const c = position.coords;
        layer.setLatLng([c.latitude, c.longitude]);
        state.map.setView([c.latitude, c.longitude], Math.max(state.map.getZoom(), 16), { animate: false });
        state.accuracy = c.accuracy;
        $("rf-precision").value = "surveyed";
        say("rf-here-status", bw.t("Moved to your position (within {n} m). The precision is now “surveyed on site”.", {
          n: bw.formatNumber(Math.round(c.accuracy)),
        }));
      },
      function () {
        say("rf-here-status", bw.t("Your position could not be found: allow it in the browser, or drag the dot."));
      },
      { enableHighAccuracy: true, timeout: 20000, maximumAge: 0 }
    );
  }

  /* -- a new crossing ----------------------------------------------------------------------- */

  function drawCrossing() {
    if (state.sending || !state.map.pm) return;
    stopEditing();
    state.selected = "new";
    state.mode = "draw";
    openForm("crossing", bw.t("New crossing path"), "draw");
    fill("crossing", null);
    $("rf-pending").hidden = true;
    $("rf-retire").hidden = true;
    state.map.pm.enableDraw("Line", { // i18n-ignore (Geoman's shape name)
      templineStyle: { color: STYLE.crossing.color, weight: 4 },
      hintlineStyle: { color: STYLE.crossing.color, dashArray: "6 6" },
      pathOptions: Object.assign({}, STYLE.crossing),
    });
  }

  function created(event) {
    if (state.mode !== "draw") {
      state.map.removeLayer(event.layer);
      return;
    }
    state.newLayer = event.layer;
    event.layer.pm.enable({ allowSelfIntersection: false, snappable: false });
    say("rf-geometry-help", bw.t("The path is drawn: drag its points to adjust it, then fill in the form."));
    say("rf-map-hint", bw.t("The path is drawn: drag its points to adjust it, then fill in the form."));
  }

  /* -- a flagged stretch -------------------------------------------------------------------- */

  function stopStretch() {
    if (state.segments) {
      state.map.removeLayer(state.segments);
      state.segments = null;
    }
    state.stretch.markers.forEach(function (marker) { state.map.removeLayer(marker); });
    state.stretch = { segmentId: null, points: [], markers: [] };
  }

  function restartStretch() {
    state.stretch.markers.forEach(function (marker) { state.map.removeLayer(marker); });
    state.stretch = { segmentId: null, points: [], markers: [] };
    say("rf-geometry-help", geometryHelp("stretch-new"));
    say("rf-map-hint", geometryHelp("stretch-new"));
  }

  function pickOnSegment(segmentId, latlng) {
    const stretch = state.stretch;
    if (stretch.points.length >= 2) restartStretch();
    if (stretch.points.length === 1 && stretch.segmentId !== segmentId) {
      say("rf-map-hint", bw.t("Tap the same border line for the end of the stretch."));
      return;
    }
    stretch.segmentId = segmentId;
    stretch.points.push([latlng.lng, latlng.lat]);
    const marker = L.circleMarker(latlng, { radius: 8, color: "#1b2630", weight: 3, fillColor: "#f0b400", fillOpacity: 1 });
    marker.addTo(state.map);
    stretch.markers.push(marker);
    const hint = stretch.points.length === 1
      ? bw.t("Now tap where the stretch ends.")
      : bw.t("Both ends are picked: say what is known of the stretch and send it.");
    say("rf-map-hint", hint);
    say("rf-geometry-help", hint);
  }

  function flagStretch() {
    if (state.sending) return;
    stopEditing();
    state.selected = "new";
    state.mode = "stretch";
    openForm("stretch", bw.t("New flagged stretch of the border"), "stretch-new");
    fill("stretch", { demarcation: "unmarked" });
    $("rf-pending").hidden = true;
    $("rf-retire").hidden = true;
    getJson(editableUrl("segment")).then(function (answer) {
      if (state.mode !== "stretch") return;
      if (answer.status !== 200 || !answer.body) {
        say("rf-form-error", (answer.body && answer.body.message) || bw.t("The border could not be loaded."));
        return;
      }
      const group = L.featureGroup();
      (answer.body.features || []).forEach(function (feature) {
        const line = L.geoJSON(feature.geometry, { style: function () { return STYLE.segment; } }).getLayers()[0];
        if (!line) return;
        const id = feature.properties.feature_id;
        line.bindTooltip(el("span", null, bw.t("Border segment {n}", { n: feature.properties.segment_no || id })));
        line.on("click", function (event) {
          L.DomEvent.stopPropagation(event);
          pickOnSegment(id, event.latlng);
        });
        group.addLayer(line);
      });
      state.segments = group.addTo(state.map);
      if (group.getLayers().length) state.map.fitBounds(group.getBounds(), { padding: [24, 24], animate: false });
      else say("rf-map-hint", bw.t("This district has no border segment to flag."));
    });
  }

  /* -- sending -------------------------------------------------------------------------------- */

  function showAnswer(answer) {
    const meaning = ref.interpretAnswer(state.type, answer.status, answer.body);
    if (meaning.kind === "conflict") {
      $("rf-conflict-text").textContent = meaning.currentVersion === null
        ? bw.t("Changed by someone else: reload the feature before you change it.")
        : bw.t("Changed by someone else: reload the feature before you change it. Its current version is {n}.", {
          n: meaning.currentVersion,
        });
      $("rf-conflict").hidden = false;
      $("rf-reload").focus();
      return;
    }
    if (meaning.kind === "field") {
      const error = $("rf-" + meaning.field + "-error");
      if (error) {
        const caption = document.querySelector('label[for="rf-' + meaning.field + '"]') ||
          (error.closest("fieldset") && error.closest("fieldset").querySelector("legend")) ||
          (meaning.field === "geometry" ? $("rf-geometry-label") : null);
        const named = ref.namedMessage(meaning.message, answer.body && answer.body.field,
          caption ? caption.textContent.trim() : null);
        error.textContent = named || bw.t("Check this field.");
        error.hidden = false;
        const input = $("rf-" + meaning.field);
        if (input) {
          input.setAttribute("aria-invalid", "true");
          input.setAttribute("aria-describedby", error.id);
          input.focus();
        } else {
          error.setAttribute("tabindex", "-1");
          error.focus();
        }
        return;
      }
    }
    const words = {
      offline: bw.t("No connection: nothing was sent. Try again when you have a signal."),
      signin: bw.t("Your session has ended: sign in again, then send the change."),
      forbidden: meaning.message || bw.t("You may not change this feature."),
    };
    say("rf-form-error", words[meaning.kind] || meaning.message ||
      bw.t("The server answered with an error ({status}).", { status: answer.status }));
  }

  function sent(answer) {
    const change = (answer.body && answer.body.change) || {};
    const feature = answer.body && answer.body.feature;
    if (change.status === "accepted") {
      const version = feature && feature.properties ? feature.properties.version : null;
      say("rf-said", version
        ? bw.t("Change accepted: the feature is now at version {n}.", { n: version })
        : bw.t("Change accepted."));
      followDerived();
    } else {
      say("rf-said", bw.t("Proposal sent: it waits for a reviewer."));
    }
    closeForm();
    return load();
  }

  function body(action) {
    const form = $("rf-form");
    const reason = form.elements.namedItem("reason").value;
    if (state.mode === "stretch") {
      const values = ref.readValues("stretch", Array.from(new FormData(form).entries()));
      return ref.stretchBody({
        segmentId: state.stretch.segmentId,
        from: state.stretch.points[0],
        to: state.stretch.points[1],
        values: values,
        reason: reason,
      });
    }
    const feature = state.mode === "draw" ? null : state.features[state.selected];
    return ref.changeBody({
      type: state.type,
      feature: feature,
      action: action,
      values: ref.readValues(state.type, Array.from(new FormData(form).entries())),
      geometry: currentGeometry(),
      reason: reason,
      accuracy: state.accuracy,
    });
  }

  function send(action) {
    if (state.sending || !state.selected) return;
    clearErrors();
    if (state.mode === "draw" && !state.newLayer) {
      say("rf-geometry-error", bw.t("Draw the path on the map first."));
      return;
    }
    if (state.mode === "stretch" && state.stretch.points.length < 2) {
      say("rf-geometry-error", bw.t("Tap the two ends of the stretch on the border line first."));
      return;
    }
    const change = body(action);
    if (ref.isEmptyChange(change)) {
      say("rf-form-error", bw.t("Nothing has changed: move the feature or change a field first."));
      return;
    }
    state.sending = true;
    $("rf-send").disabled = true;
    postJson(state.config.changesUrl, change).then(function (answer) {
      state.sending = false;
      $("rf-send").disabled = false;
      if (answer.status >= 200 && answer.status < 300) return sent(answer);
      showAnswer(answer);
      return null;
    });
  }

  function retire() {
    if (!state.selected || state.mode !== "edit") return;
    if (!window.confirm(bw.t("Retire this feature? It leaves the map once the change is accepted; its history is kept."))) return;
    send("retire");
  }

  function reloadSelected() {
    const key = state.selected;
    closeForm();
    load().then(function () {
      if (key && state.features[key]) select(key, false);
    });
  }

  /* -- derived data --------------------------------------------------------------------------- */

  function followDerived() {
    ref.followDerived({
      url: state.config.derivedUrl,
      get: getJson,
      show: function (text) { say("rf-derived", text); },
      words: bw,
    });
  }

  /* Geoman's handles on a line being drawn or edited are buttons without a name: named here
   * for screen readers (its middle handles add a point). */
  function nameHandle(event) {
    const layer = event.layer;
    if (!(layer instanceof L.Marker) || !layer.getElement) return;
    const icon = layer.getElement();
    if (!icon || icon.hasAttribute("aria-label")) return;
    icon.setAttribute("aria-label", icon.classList.contains("marker-icon-middle")
      ? bw.t("Drag to add a point to the line here")
      : bw.t("A point of the line: drag it to move it"));
  }

  /* -- start ----------------------------------------------------------------------------------- */

  function start() {
    const container = $("rf-map");
    const data = $("reference-config");
    if (!container || !data || !global.L || !ref) return;
    state.config = JSON.parse(data.textContent);
    state.map = makeMap(container);
    state.map.createPane("rf-context").style.zIndex = 350; // under the features' overlay pane
    state.context = L.layerGroup().addTo(state.map);
    state.group = L.featureGroup().addTo(state.map);
    const district = $("rf-district");
    state.district = district ? district.value : null;
    if (district && district.tagName === "SELECT") {
      district.addEventListener("change", function () {
        closeForm();
        state.district = district.value;
        load();
      });
    }
    state.map.on("pm:create", created);
    state.map.on("layeradd", nameHandle);
    $("rf-draw-crossing").addEventListener("click", drawCrossing);
    $("rf-flag-stretch").addEventListener("click", flagStretch);
    $("rf-here").addEventListener("click", hereIAm);
    $("rf-stretch-restart").addEventListener("click", restartStretch);
    $("rf-cancel").addEventListener("click", closeForm);
    $("rf-retire").addEventListener("click", retire);
    $("rf-reload").addEventListener("click", reloadSelected);
    $("rf-form").addEventListener("submit", function (event) {
      event.preventDefault();
      send();
    });
    load();
    global.borderwatch = global.borderwatch || {};
    global.borderwatch.referenceEditor = {
      map: state.map,
      state: state,
      select: function (key) { select(key, false); },
      reload: load,
    };
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})(window);
