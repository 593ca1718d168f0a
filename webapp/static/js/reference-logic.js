/* The reference editor's and review page's rules, without a page (templates/reference/): which
 * attributes each kind of feature has, a form's values read and compared with the feature's,
 * the body of a change (POST /api/reference/changes), the differences a reviewer reads, and what
 * an error answer means for the form (409: someone else changed it; 400/422: the named field).
 *
 * It also follows the data derived from an accepted change (GET /api/reference/derived) and says
 * its progress in words, for both pages (followDerived, derivedProgress), and names a flagged
 * stretch in words (featureLabel).
 *
 * In a page it is bw.reference (reference-edit.js and reference-review.js use it); under node the
 * module is the object itself (tests/js/reference-logic.test.js). Its only words for people are
 * the derived data's progress and a stretch's name, put through the `words` it is given (the
 * page's bw: t and formatNumber); everything else the pages put into words around what these
 * functions return.
 */
(function (root, factory) {
  "use strict";
  if (typeof module === "object" && module.exports) {
    module.exports = factory();
  } else {
    root.bw = root.bw || {};
    root.bw.reference = factory();
  }
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  /** The attributes of each feature type that the editor's form holds, in the form's order. */
  const FIELDS = {
    checkpoint: [
      "name_th", "name", "kind", "status", "hours", "days", "counterpart", "crossing_rules",
      "status_note", "precision",
    ],
    centre: ["name_th", "name", "address", "phone", "precision"],
    crossing: ["name", "risk_level", "season", "crosses", "note", "precision"],
    stretch: ["demarcation", "source", "precision"],
  };
  /** Attributes holding a list (checkboxes of the form), in their vocabulary's order. */
  const LISTS = { crosses: ["people", "goods", "vehicles", "livestock"] };
  /** Points and lines: the geometry each type is drawn as. */
  const GEOMETRY = { checkpoint: "Point", centre: "Point", crossing: "LineString", stretch: "LineString" };
  /** Decimal places kept of a coordinate (about 1 cm). */
  const DIGITS = 7;
  const EARTH_RADIUS_M = 6371008.8;
  /** How long to wait before asking again for the derived data's progress. */
  const DERIVED_POLL_MS = 2000;

  /** "checkpoint:12" -> {type: "checkpoint", id: 12}; null for anything else. */
  function parseKey(key) {
    const match = /^(checkpoint|centre|crossing|stretch|segment):(\d+)$/.exec(String(key || ""));
    return match ? { type: match[1], id: Number(match[2]) } : null;
  }

  function featureKey(type, id) {
    return type + ":" + id;
  }

  /** A value as the API keeps it: trimmed text, null for nothing, a list in its vocabulary's
   * order without repeats. */
  function normalise(name, value) {
    if (LISTS[name]) {
      const given = Array.isArray(value) ? value : value === null || value === undefined ? [] : [value];
      return LISTS[name].filter(function (member) { return given.indexOf(member) >= 0; });
    }
    if (value === null || value === undefined) return null;
    if (typeof value === "string") {
      const text = value.trim();
      return text === "" ? null : text;
    }
    return value;
  }

  /** The form's values of a type from its entries ([[name, value], ...], as FormData gives
   * them): each attribute of FIELDS[type], a list attribute from all its entries. */
  function readValues(type, entries) {
    const values = {};
    (FIELDS[type] || []).forEach(function (name) {
      values[name] = LISTS[name] ? [] : null;
    });
    (entries || []).forEach(function (pair) {
      const name = pair[0];
      if (!Object.prototype.hasOwnProperty.call(values, name)) return;
      if (LISTS[name]) values[name].push(pair[1]);
      else values[name] = pair[1];
    });
    Object.keys(values).forEach(function (name) {
      values[name] = normalise(name, values[name]);
    });
    return values;
  }

  function sameValue(a, b) {
    if (Array.isArray(a) || Array.isArray(b)) {
      const x = Array.isArray(a) ? a : [];
      const y = Array.isArray(b) ? b : [];
      return x.length === y.length && x.every(function (v, i) { return v === y[i]; });
    }
    return a === b;
  }

  /** The attributes whose value in `values` differs from the feature's `properties` (both
   * normalised): {name: new value}. */
  function changedAttributes(type, properties, values) {
    const changed = {};
    (FIELDS[type] || []).forEach(function (name) {
      if (!Object.prototype.hasOwnProperty.call(values, name)) return;
      const now = normalise(name, values[name]);
      const before = normalise(name, (properties || {})[name]);
      if (!sameValue(now, before)) changed[name] = now;
    });
    return changed;
  }

  function roundNumber(n) {
    const factor = Math.pow(10, DIGITS);
    return Math.round(n * factor) / factor;
  }

  function roundCoordinates(coordinates) {
    if (typeof coordinates === "number") return roundNumber(coordinates);
    return coordinates.map(roundCoordinates);
  }

  /** A GeoJSON geometry with its coordinates rounded to DIGITS places. */
  function roundGeometry(geometry) {
    if (!geometry) return null;
    return { type: geometry.type, coordinates: roundCoordinates(geometry.coordinates) };
  }

  /** Whether two GeoJSON geometries are the same once rounded (a marker dragged back, a line
   * whose vertices were only touched). */
  function sameGeometry(a, b) {
    if (!a || !b) return a === b;
    const x = roundGeometry(a);
    const y = roundGeometry(b);
    return x.type === y.type && JSON.stringify(x.coordinates) === JSON.stringify(y.coordinates);
  }

  /** The body of POST /api/reference/changes.
   *
   * change: {type, feature (the GeoJSON feature as the API listed it, or null for a new one),
   *          action ("update" by default, "create" when there is no feature, or "retire"),
   *          values (the form's, readValues), geometry (the edited geometry, or null),
   *          reason, accuracy (metres, from "I am here", or null)}.
   * An update sends only what changed: the geometry when it moved, the attributes that differ;
   * a new feature sends its geometry and every attribute given; a retirement neither.
   * The accuracy goes with a geometry only. */
  function changeBody(change) {
    const feature = change.feature || null;
    const props = (feature && feature.properties) || {};
    const action = change.action || (feature ? "update" : "create");
    const body = {
      feature_type: change.type,
      feature_id: feature ? props.feature_id : null,
      action: action,
      base_version: feature ? props.version : null,
      geometry: null,
      attributes: {},
      reason: normalise("reason", change.reason) || "",
      accuracy_m: null,
    };
    if (action === "retire") return body;
    if (action === "create") {
      body.geometry = roundGeometry(change.geometry);
      Object.keys(change.values || {}).forEach(function (name) {
        const value = normalise(name, change.values[name]);
        if (value !== null && !(Array.isArray(value) && value.length === 0)) body.attributes[name] = value;
      });
    } else {
      if (change.geometry && !sameGeometry(change.geometry, feature && feature.geometry)) {
        body.geometry = roundGeometry(change.geometry);
      }
      body.attributes = changedAttributes(change.type, props, change.values || {});
    }
    if (body.geometry && typeof change.accuracy === "number" && isFinite(change.accuracy)) {
      body.accuracy_m = Math.round(change.accuracy * 10) / 10;
    }
    return body;
  }

  /** Whether a body would change nothing (an update with no geometry and no attribute). */
  function isEmptyChange(body) {
    return body.action === "update" && !body.geometry && Object.keys(body.attributes).length === 0;
  }

  /** The body of a new flagged stretch of a border segment: the two points clicked on it
   * ([lon, lat] each; the server snaps them onto the segment and cuts it there). */
  function stretchBody(stretch) {
    const attributes = {
      segment_id: stretch.segmentId,
      from_point: roundCoordinates(stretch.from),
      to_point: roundCoordinates(stretch.to),
    };
    ["demarcation", "source", "precision"].forEach(function (name) {
      const value = normalise(name, (stretch.values || {})[name]);
      if (value !== null) attributes[name] = value;
    });
    return {
      feature_type: "stretch",
      feature_id: null,
      action: "create",
      base_version: null,
      geometry: null,
      attributes: attributes,
      reason: normalise("reason", stretch.reason) || "",
      accuracy_m: null,
    };
  }

  /** The form field an error's `field` is about: "attributes.name_th" -> "name_th"; the
   * geometry and what makes it ("accuracy_m", a stretch's points and segment) -> "geometry";
   * "base_version" -> null (a conflict is said for the whole form); anything the form does not
   * hold -> null. */
  function formField(type, field) {
    if (!field) return null;
    const name = String(field).replace(/^(attributes|properties)\./, "").replace(/\[\d+\]$/, "");
    if (name === "reason") return "reason";
    if (/^geometry\b/.test(name) || ["accuracy_m", "from_point", "to_point", "segment_id"].indexOf(name) >= 0) {
      return "geometry";
    }
    return (FIELDS[type] || []).indexOf(name) >= 0 ? name : null;
  }

  /** What an answer means for the form: {kind, field, message, currentVersion}.
   * kind: "ok" (2xx), "conflict" (409: changed by someone else; currentVersion is the
   * feature's version now), "field" (a refusal naming a field the form holds), "general"
   * (any other refusal: the message stands above the form), "signin" (401), "forbidden" (403),
   * "offline" (no answer: status 0). `message` is the server's, in the page's language. */
  function interpretAnswer(type, status, body) {
    const answer = body || {};
    const result = { kind: "general", field: null, message: answer.message || null, currentVersion: null };
    if (status >= 200 && status < 300) {
      result.kind = "ok";
      return result;
    }
    if (!status) {
      result.kind = "offline";
      return result;
    }
    if (status === 401) {
      result.kind = "signin";
      return result;
    }
    if (status === 403) {
      result.kind = "forbidden";
      return result;
    }
    if (status === 409) {
      result.kind = "conflict";
      const current = answer.current_version !== undefined ? answer.current_version : answer.current;
      result.currentVersion = current === undefined || current === null ? null : Number(current);
      return result;
    }
    const field = formField(type, answer.field);
    if (field && status >= 400 && status < 500) {
      result.kind = "field";
      result.field = field;
    }
    return result;
  }

  /** A refusal's message as the form shows it: the field's code the server names it by
   * ("name", 'attributes.kind') at its start replaced by the field's label ("ชื่อภาษาอังกฤษ"). */
  function namedMessage(message, field, label) {
    if (!message || !field || !label) return message;
    const code = String(field);
    for (const written of [code, "'" + code + "'", "\"" + code + "\""]) {
      if (message.indexOf(written) === 0) return label + message.slice(written.length);
    }
    return message;
  }

  /** The reviewer's table of differences: one row per attribute of before or after,
   * {name, before, after, changed}, in the type's form order (then any other name). An
   * attribute the change does not name keeps its value before. */
  function diffAttributes(type, before, after) {
    const old = before || {};
    const next = after || {};
    const names = (FIELDS[type] || []).slice();
    Object.keys(old).concat(Object.keys(next)).forEach(function (name) {
      if (names.indexOf(name) < 0) names.push(name);
    });
    const rows = [];
    names.forEach(function (name) {
      const inOld = Object.prototype.hasOwnProperty.call(old, name);
      const inNext = Object.prototype.hasOwnProperty.call(next, name);
      if (!inOld && !inNext) return;
      const was = inOld ? normalise(name, old[name]) : null;
      const now = inNext ? normalise(name, next[name]) : was;
      rows.push({ name: name, before: was, after: now, changed: !sameValue(was, now) });
    });
    return rows;
  }

  function toRad(deg) {
    return (deg * Math.PI) / 180;
  }

  /** Great-circle distance in metres between two [lon, lat] points. */
  function distanceM(a, b) {
    const dLat = toRad(b[1] - a[1]);
    const dLon = toRad(b[0] - a[0]);
    const h =
      Math.sin(dLat / 2) * Math.sin(dLat / 2) +
      Math.cos(toRad(a[1])) * Math.cos(toRad(b[1])) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
    return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
  }

  /** How far a point moved, in metres (null unless both geometries are points). */
  function movedM(before, after) {
    if (!before || !after || before.type !== "Point" || after.type !== "Point") return null;
    return distanceM(before.coordinates, after.coordinates);
  }

  /** A line's length in metres (0 for anything else). */
  function lengthM(geometry) {
    if (!geometry || geometry.type !== "LineString") return 0;
    let total = 0;
    for (let i = 1; i < geometry.coordinates.length; i += 1) {
      total += distanceM(geometry.coordinates[i - 1], geometry.coordinates[i]);
    }
    return total;
  }

  /** The name people read of a feature (GET /api/reference/editable's properties) or of a
   * change (GET /api/reference/changes): the server's label, except a flagged stretch's, which
   * is said in words by its border segment and the part of it flagged ("Border segment 2, 35%
   * to 55% of its length") rather than by numbers alone; a dash for none. A change's part is
   * that of its new state (of its old one for a retirement). words: the page's bw. */
  function featureLabel(item, words) {
    const it = item || {};
    const state = it.after || it.before;
    const place = (state && state.attributes) || it;
    const whole = typeof place.from_fraction === "number" && typeof place.to_fraction === "number";
    if (it.feature_type === "stretch" && it.segment_no !== undefined && it.segment_no !== null && whole) {
      return words.t("Border segment {n}, {from} to {to} of its length", {
        n: it.segment_no,
        from: words.formatNumber(Math.round(place.from_fraction * 100)) + "%",
        to: words.formatNumber(Math.round(place.to_fraction * 100)) + "%",
      });
    }
    return it.label || "–";
  }

  /** What the progress of the data derived from accepted changes tells the person who made or
   * accepted one, and whether to ask again: {message, again}.
   *
   * status, body: the answer of GET /api/reference/derived ({status: "queued", "running" or
   * "idle", done, total, reference_version}); words: the page's bw (t, formatNumber). A queued
   * recomputation not yet counted is "in a moment", a counted one "done of total", an idle one
   * "up to date" with its reference version (and nothing more to ask); an answer other than 200
   * says nothing and stops. */
  function derivedProgress(status, body, words) {
    const d = body || {};
    if (status !== 200) return { message: null, again: false };
    if (d.status === "queued" && !d.total) {
      return {
        message: words.t("The incidents’ distances and the watch corridor will be updated in a moment."),
        again: true,
      };
    }
    if (d.status === "idle") {
      return {
        message: words.t("Distances and the watch corridor are up to date (reference version {n}).", {
          n: d.reference_version,
        }),
        again: false,
      };
    }
    return {
      message: words.t("Updating the incidents’ distances: {done} of {total}.", {
        done: words.formatNumber(d.done || 0),
        total: words.formatNumber(d.total || 0),
      }),
      again: true,
    };
  }

  /** Follows the derived data until it is up to date, saying its progress (derivedProgress).
   *
   * follow: {url (none: nothing is followed), get(url) (a promise of {status, body}),
   *          show(text) (writes the message), words (the page's bw),
   *          schedule(fn, ms) (setTimeout unless given), delayMs (DERIVED_POLL_MS unless given)}.
   * Returns the promise of the first answer handled (undefined without a url). */
  function followDerived(follow) {
    if (!follow.url) return undefined;
    const schedule = follow.schedule || setTimeout;
    const delay = follow.delayMs || DERIVED_POLL_MS;
    function ask() {
      return follow.get(follow.url).then(function (answer) {
        const progress = derivedProgress(answer.status, answer.body, follow.words);
        if (progress.message !== null) follow.show(progress.message);
        if (progress.again) schedule(ask, delay);
      });
    }
    return ask();
  }

  return {
    FIELDS: FIELDS,
    LISTS: LISTS,
    GEOMETRY: GEOMETRY,
    parseKey: parseKey,
    featureKey: featureKey,
    normalise: normalise,
    readValues: readValues,
    changedAttributes: changedAttributes,
    roundGeometry: roundGeometry,
    sameGeometry: sameGeometry,
    changeBody: changeBody,
    isEmptyChange: isEmptyChange,
    stretchBody: stretchBody,
    formField: formField,
    interpretAnswer: interpretAnswer,
    namedMessage: namedMessage,
    diffAttributes: diffAttributes,
    distanceM: distanceM,
    movedM: movedM,
    lengthM: lengthM,
    featureLabel: featureLabel,
    derivedProgress: derivedProgress,
    followDerived: followDerived,
  };
});
