/*
 * The review of changes to the reference map (templates/reference/review.html).
 *
 * Data: <script type="application/json" id="reference-config"> written by the view
 * (webapp/reference/pages.py): the API's URLs, the vocabularies' labels and the fields' names in
 * the page's language. The map element carries the basemap settings.
 *
 * What it does:
 *   - lists the changes of the chosen status and district (GET /api/reference/changes);
 *   - the selected change: who proposed it, when and why; its old and new geometry on ONE map,
 *     the old dashed grey and the new solid blue (with how far a point moved, or a line's
 *     length); the table of differences of its attributes (bw.reference.diffAttributes), the
 *     changed rows marked; accept (note optional) or reject (note needed) for a proposal, a 409
 *     saying the feature changed since the proposal;
 *   - the feature's versions (GET .../versions), newest first, each older one with "restore"
 *     and its reason (POST .../restore with the newest version as the base);
 *   - after an accepted change, the derived data's progress (GET /api/reference/derived,
 *     bw.reference.followDerived).
 * Every text from data is written with textContent; nothing is assembled into HTML.
 * window.borderwatch.referenceReview = {map, reload(), select(id)}.
 */
(function (global) {
  "use strict";

  const OLD = { color: "#6b7780", weight: 4, dashArray: "8 7", opacity: 0.95, fillColor: "#c9d3da", fillOpacity: 0.6 };
  const NEW = { color: "#0a6aa1", weight: 5, opacity: 0.95, fillColor: "#0a6aa1", fillOpacity: 0.9 };
  const ref = global.bw.reference;

  function $(id) { return document.getElementById(id); }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  const state = { config: null, map: null, drawn: null, changes: [], current: null, versions: [], busy: false };

  function say(id, text) {
    const node = $(id);
    if (!node) return;
    node.textContent = text || "";
    node.hidden = !text;
  }

  function label(vocabulary, value) {
    const table = (state.config.vocab || {})[vocabulary] || {};
    return table[value] || (value === null || value === undefined ? "–" : String(value));
  }

  function fieldName(name) {
    return (state.config.fields || {})[name] || name;
  }

  /** An attribute's value as people read it: a vocabulary's label, a list of labels, text. */
  function shown(name, value) {
    if (value === null || value === undefined || value === "") return "–";
    if (Array.isArray(value)) {
      return value.length ? value.map(function (v) { return label(name, v); }).join(", ") : "–";
    }
    if ((state.config.vocab || {})[name]) return label(name, value);
    if (typeof value === "number") return bw.formatNumber(value, Number.isInteger(value) ? 0 : 3);
    return String(value);
  }

  function url(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, name) {
      return encodeURIComponent(values[name]);
    });
  }

  function request(method, address, body) {
    const init = { method: method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(address, init).then(
      function (response) {
        return response.json().then(
          function (answer) { return { status: response.status, body: answer }; },
          function () { return { status: response.status, body: null }; }
        );
      },
      function () { return { status: 0, body: null }; }
    );
  }

  function failed(answer) {
    if (!answer.status) return bw.t("No connection: nothing was sent. Try again when you have a signal.");
    return (answer.body && answer.body.message) ||
      bw.t("The server answered with an error ({status}).", { status: answer.status });
  }

  function who(actor) {
    if (!actor) return "–";
    return (actor.name || "–") + (actor.role ? " (" + label("role", actor.role) + ")" : "");
  }

  /* -- the list ---------------------------------------------------------------------------- */

  function listItem(change) {
    const item = el("li");
    const button = el("button", "rr-item");
    button.type = "button";
    button.dataset.change = String(change.id);
    const title = el("span", "rr-item-title", ref.featureLabel(change, bw));
    title.setAttribute("translate", "no"); // a place's name as the data has it
    button.appendChild(title);
    const badges = el("span", "rr-item-badges");
    badges.appendChild(el("span", "bw-badge", label("feature_type", change.feature_type)));
    badges.appendChild(el("span", "bw-badge bw-badge-" + (change.status === "proposed" ? "pending" : change.status === "accepted" ? "verified" : "rejected"),
      label("action", change.action)));
    button.appendChild(badges);
    button.appendChild(el("span", "rr-item-meta",
      bw.t("{who}, {when}", { who: who(change.proposed_by), when: bw.formatDateTime(change.proposed_at) })));
    button.addEventListener("click", function () { select(change.id); });
    item.appendChild(button);
    return item;
  }

  function load() {
    const params = new URLSearchParams({ status: $("rr-status").value });
    const district = $("rr-district");
    if (district && district.value) params.set("district", district.value);
    say("rr-list-note", bw.t("Loading…"));
    return request("GET", state.config.changesUrl + "?" + params.toString()).then(function (answer) {
      const list = $("rr-list");
      list.textContent = "";
      if (answer.status !== 200 || !answer.body) {
        say("rr-list-note", failed(answer));
        return;
      }
      state.changes = answer.body.changes || [];
      state.changes.forEach(function (change) { list.appendChild(listItem(change)); });
      say("rr-list-note", state.changes.length
        ? bw.tn("{n} change", "{n} changes", state.changes.length, { n: bw.formatNumber(state.changes.length) })
        : bw.t("Nothing to show here."));
    });
  }

  /* -- the map: old dashed, new solid -------------------------------------------------------- */

  function drawGeometry(geometry, style) {
    if (!geometry) return null;
    if (geometry.type === "Point") {
      const c = geometry.coordinates;
      return L.circleMarker([c[1], c[0]], Object.assign({ radius: style === OLD ? 11 : 8 }, style));
    }
    return L.geoJSON(geometry, { style: function () { return style; } });
  }

  function ensureMap() {
    if (state.map) return state.map;
    const container = $("rr-map");
    const maxZoom = Number(container.dataset.maxZoom) || 18;
    state.map = L.map(container, { maxZoom: maxZoom, zoomControl: false, scrollWheelZoom: false });
    L.control.zoom({ zoomInTitle: bw.t("Zoom in"), zoomOutTitle: bw.t("Zoom out") }).addTo(state.map);
    if (container.dataset.tileUrl) {
      L.tileLayer(container.dataset.tileUrl, {
        attribution: container.dataset.tileAttribution || "",
        maxZoom: maxZoom,
      }).addTo(state.map);
    }
    L.control.scale({ imperial: false }).addTo(state.map);
    return state.map;
  }

  function drawBoth(change) {
    const map = ensureMap();
    if (state.drawn) map.removeLayer(state.drawn);
    const before = change.before && change.before.geometry;
    const after = (change.after && change.after.geometry) || before;
    const group = L.featureGroup();
    const old = drawGeometry(before, OLD);
    const now = drawGeometry(after, NEW);
    if (old) {
      old.bindTooltip(el("span", null, bw.t("Before")));
      group.addLayer(old);
    }
    if (now) {
      now.bindTooltip(el("span", null, bw.t("After")));
      group.addLayer(now);
    }
    state.drawn = group.addTo(map);
    map.invalidateSize();
    if (group.getLayers().length) {
      map.fitBounds(group.getBounds(), { padding: [32, 32], maxZoom: 16, animate: false });
    }
    const moved = ref.movedM(before, after);
    let words = "";
    if (moved !== null && moved > 0.5) {
      words = bw.t("Moved by {n} m.", { n: bw.formatNumber(Math.round(moved)) });
    } else if (after && after.type === "LineString") {
      words = before && !ref.sameGeometry(before, after)
        ? bw.t("Reshaped: {before} m long before, {after} m after.", {
          before: bw.formatNumber(Math.round(ref.lengthM(before))),
          after: bw.formatNumber(Math.round(ref.lengthM(after))),
        })
        : bw.t("Line of {n} m.", { n: bw.formatNumber(Math.round(ref.lengthM(after))) });
    } else if (before && ref.sameGeometry(before, after)) {
      words = bw.t("The position does not change.");
    }
    say("rr-moved", words);
  }

  /* -- the selected change --------------------------------------------------------------- */

  function fact(list, term, value) {
    list.appendChild(el("dt", null, term));
    const dd = el("dd", null, value);
    list.appendChild(dd);
    return dd;
  }

  function drawDiff(change) {
    const body = $("rr-diff");
    body.textContent = "";
    const rows = ref.diffAttributes(
      change.feature_type,
      change.before ? change.before.attributes : null,
      change.after ? change.after.attributes : null
    );
    let unchanged = 0;
    rows.forEach(function (row) {
      if (!row.changed) {
        unchanged += 1;
        return;
      }
      const tr = el("tr", "rr-changed");
      tr.appendChild(el("th", null, fieldName(row.name))).setAttribute("scope", "row");
      tr.appendChild(el("td", null, shown(row.name, row.before)));
      tr.appendChild(el("td", null, shown(row.name, row.after)));
      body.appendChild(tr);
    });
    if (!body.children.length) {
      const tr = el("tr");
      const td = el("td", null, bw.t("No attribute changes."));
      td.colSpan = 3;
      tr.appendChild(td);
      body.appendChild(tr);
    }
    say("rr-unchanged", unchanged ? bw.tn("{n} other field stays as it is.", "{n} other fields stay as they are.", unchanged, { n: unchanged }) : "");
  }

  function select(id) {
    const change = state.changes.find(function (c) { return c.id === id; });
    if (!change) return;
    say("rr-done", "");
    say("rr-derived", "");
    show(change);
    // on a phone the detail stands below the list: bring it into view
    if (global.matchMedia && global.matchMedia("(max-width: 63.99rem)").matches) {
      $("rr-detail").scrollIntoView({ block: "start" });
    }
  }

  /* The change in the detail: facts, map, differences, and the decision while it is proposed. */
  function show(change) {
    state.current = change;
    const id = change.id;
    document.querySelectorAll(".rr-item").forEach(function (button) {
      button.setAttribute("aria-current", button.dataset.change === String(id) ? "true" : "false");
    });
    $("rr-detail").hidden = false;
    $("rr-history").hidden = true;
    const heading = $("rr-title");
    heading.textContent = label("feature_type", change.feature_type) + ": ";
    heading.appendChild(el("span", null, ref.featureLabel(change, bw))).setAttribute("translate", "no");
    const badges = $("rr-badges");
    badges.textContent = "";
    badges.appendChild(el("span", "bw-badge", label("action", change.action)));
    badges.appendChild(el("span", "bw-badge bw-badge-" + (change.status === "proposed" ? "pending" : change.status === "accepted" ? "verified" : "rejected"),
      label("change_status", change.status)));
    const facts = $("rr-facts");
    facts.textContent = "";
    fact(facts, bw.t("Proposed by"), who(change.proposed_by));
    fact(facts, bw.t("When"), bw.formatDateTime(change.proposed_at));
    fact(facts, bw.t("Reason"), change.reason || "–").className = "rr-note-text";
    if (typeof change.accuracy_m === "number") {
      fact(facts, bw.t("Position taken on site"), bw.t("within {n} m", { n: bw.formatNumber(Math.round(change.accuracy_m)) }));
    }
    if (change.before && change.before.version !== undefined && change.before.version !== null) {
      fact(facts, bw.t("Made on version"), String(change.before.version));
    }
    if (change.reviewed_at) {
      fact(facts, bw.t("Reviewed"), who(change.reviewed_by) + ", " + bw.formatDateTime(change.reviewed_at));
      if (change.review_note) fact(facts, bw.t("Review note"), change.review_note).className = "rr-note-text";
    }
    $("rr-decide").hidden = change.status !== "proposed";
    $("rr-note").value = "";
    say("rr-note-error", "");
    say("rr-error", "");
    $("rr-history-open").hidden = !change.feature_id;
    drawDiff(change);
    drawBoth(change);
  }

  /* The feature's own version after an accepted change, as the answer's feature has it. */
  function featureVersion(body) {
    const feature = body && body.feature;
    return feature && feature.properties && feature.properties.version !== undefined ? feature.properties.version : "–";
  }

  function decide(verdict) {
    const change = state.current;
    if (!change || state.busy) return;
    const note = $("rr-note").value.trim();
    say("rr-note-error", "");
    say("rr-error", "");
    $("rr-note").removeAttribute("aria-invalid");
    if (verdict === "reject" && !note) {
      say("rr-note-error", bw.t("Say why the proposal is rejected: the proposer reads it."));
      $("rr-note").setAttribute("aria-invalid", "true");
      $("rr-note").focus();
      return;
    }
    state.busy = true;
    const address = url(verdict === "accept" ? state.config.acceptUrl : state.config.rejectUrl, { id: change.id });
    request("POST", address, note ? { note: note } : {}).then(function (answer) {
      state.busy = false;
      if (answer.status === 200) {
        if (answer.body && answer.body.change) show(answer.body.change);
        say("rr-done", verdict === "accept"
          ? bw.t("Accepted: the feature is now at version {n}.", { n: featureVersion(answer.body) })
          : bw.t("Rejected: the proposer reads your note."));
        $("rr-decide").hidden = true;
        if (verdict === "accept") followDerived();
        load();
        return;
      }
      const meaning = ref.interpretAnswer(change.feature_type, answer.status, answer.body);
      if (meaning.kind === "conflict") {
        say("rr-error", meaning.currentVersion === null
          ? bw.t("The feature changed since this proposal was made: it cannot be accepted as it is.")
          : bw.t("The feature changed since this proposal was made (its current version is {n}): it cannot be accepted as it is.", { n: meaning.currentVersion }));
        return;
      }
      if (answer.body && answer.body.field === "note") {
        say("rr-note-error", answer.body.message);
        $("rr-note").setAttribute("aria-invalid", "true");
        return;
      }
      say("rr-error", failed(answer));
    });
  }

  /* -- versions and restore ---------------------------------------------------------------- */

  function restoreForm(version) {
    const form = el("form", "rr-restore");
    form.noValidate = true;
    const id = "rr-restore-reason-" + version.version;
    const field = el("div", "bw-field");
    const caption = el("label", null, bw.t("Reason for restoring version {n}", { n: ownVersion(version) }));
    caption.htmlFor = id;
    const reason = el("textarea");
    reason.id = id;
    reason.name = "reason";
    reason.maxLength = 500;
    const error = el("p", "bw-field-error");
    error.id = id + "-error";
    error.hidden = true;
    field.appendChild(caption);
    field.appendChild(reason);
    field.appendChild(error);
    form.appendChild(field);
    const button = el("button", "bw-btn", bw.t("Restore this version"));
    button.type = "submit";
    form.appendChild(button);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      restore(version, reason, error);
    });
    return form;
  }

  function restore(version, reason, error) {
    const change = state.current;
    if (!change || state.busy) return;
    const newest = state.versions[0];
    state.busy = true;
    error.hidden = true;
    request("POST", url(state.config.restoreUrl, { type: change.feature_type, id: change.feature_id }), {
      version: version.version,
      // the feature's own version now (a version's "version" numbers the reference data)
      base_version: newest ? ownVersion(newest) : null,
      reason: reason.value.trim(),
    }).then(function (answer) {
      state.busy = false;
      if (answer.status >= 200 && answer.status < 300) {
        const made = (answer.body && answer.body.change) || {};
        say("rr-history-note", made.status === "accepted"
          ? bw.t("Version {n} is restored as the newest version.", { n: ownVersion(version) })
          : bw.t("Restoring version {n} is proposed: it waits for a reviewer.", { n: ownVersion(version) }));
        if (made.status === "accepted") followDerived();
        history();
        load();
        return;
      }
      const meaning = ref.interpretAnswer(change.feature_type, answer.status, answer.body);
      error.textContent = meaning.kind === "conflict"
        ? bw.t("Changed by someone else: reload the feature before you change it. Its current version is {n}.", { n: meaning.currentVersion === null ? "–" : meaning.currentVersion })
        : failed(answer);
      error.hidden = false;
      reason.setAttribute("aria-invalid", "true");
      reason.setAttribute("aria-describedby", error.id);
    });
  }

  function ownVersion(version) {
    return version.feature_version !== undefined && version.feature_version !== null
      ? version.feature_version
      : version.version;
  }

  function versionItem(version, newest) {
    const item = el("li", "rr-version");
    const head = el("p", "rr-version-head");
    head.appendChild(el("span", null, bw.t("Version {n}", { n: ownVersion(version) })));
    head.appendChild(el("span", "bw-badge", label("action", version.action)));
    if (newest) head.appendChild(el("span", "bw-badge bw-badge-verified", bw.t("Current")));
    item.appendChild(head);
    item.appendChild(el("p", "bw-muted", who(version.actor) + ", " + bw.formatDateTime(version.at)));
    // the first version is the state as imported: its action says so, its reason is not words
    if (version.action !== "imported") item.appendChild(el("p", "rr-note-text", version.reason || "–"));
    if (!newest) {
      const details = el("details");
      details.appendChild(el("summary", null, bw.t("Restore this version")));
      details.appendChild(restoreForm(version));
      item.appendChild(details);
    }
    return item;
  }

  function history() {
    const change = state.current;
    if (!change || !change.feature_id) return;
    $("rr-history").hidden = false;
    const list = $("rr-versions");
    request("GET", url(state.config.versionsUrl, { type: change.feature_type, id: change.feature_id })).then(function (answer) {
      list.textContent = "";
      if (answer.status !== 200 || !answer.body) {
        say("rr-history-note", failed(answer));
        return;
      }
      state.versions = answer.body.versions || [];
      state.versions.forEach(function (version, i) { list.appendChild(versionItem(version, i === 0)); });
      if (!state.versions.length) say("rr-history-note", bw.t("No version is recorded yet."));
    });
  }

  /* -- derived data ---------------------------------------------------------------------------- */

  function followDerived() {
    ref.followDerived({
      url: state.config.derivedUrl,
      get: function (address) { return request("GET", address); },
      show: function (text) { say("rr-derived", text); },
      words: bw,
    });
  }

  function start() {
    const data = $("reference-config");
    if (!data || !global.L || !ref) return;
    state.config = JSON.parse(data.textContent);
    $("rr-status").addEventListener("change", load);
    const district = $("rr-district");
    if (district) district.addEventListener("change", load);
    $("rr-accept").addEventListener("click", function () { decide("accept"); });
    $("rr-reject").addEventListener("click", function () { decide("reject"); });
    $("rr-history-open").addEventListener("click", history);
    load();
    global.borderwatch = global.borderwatch || {};
    global.borderwatch.referenceReview = {
      get map() { return state.map; },
      reload: load,
      select: select,
    };
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})(window);
