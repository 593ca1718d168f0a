// The reference editor's rules (webapp/static/js/reference-logic.js): a form read and compared
// with the feature, the body of a change, a stretch's body, what an error answer means for the
// form, the reviewer's differences, and the derived data's progress in words. The pages around
// them are driven in the browser (tests/browser/test_reference_edit.py).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const ref = require("../../webapp/static/js/reference-logic.js");

const checkpoint = {
  type: "Feature",
  id: "checkpoint:7",
  geometry: { type: "Point", coordinates: [100.4123456, 20.2654321] },
  properties: {
    feature_type: "checkpoint",
    feature_id: 7,
    version: 3,
    name: "Chiang Khong",
    name_th: "เชียงของ",
    kind: "permanent_crossing",
    status: "open",
    hours: "06:00-22:00",
    days: null,
    counterpart: "Houayxay",
    crossing_rules: null,
    status_note: null,
    precision: "approximate",
    pending_change: null,
  },
};

const crossing = {
  type: "Feature",
  id: "crossing:4",
  geometry: { type: "LineString", coordinates: [[100.1, 20.1], [100.2, 20.2]] },
  properties: {
    feature_type: "crossing", feature_id: 4, version: 1, name: "Ban Huai Sai path",
    risk_level: "high", season: "dry_only", crosses: ["goods", "people"], note: null,
    precision: "imagery",
  },
};

test("feature keys are read as the API writes them", () => {
  assert.deepEqual(ref.parseKey("checkpoint:12"), { type: "checkpoint", id: 12 });
  assert.deepEqual(ref.parseKey("segment:3"), { type: "segment", id: 3 });
  assert.equal(ref.parseKey("incident:1"), null);
  assert.equal(ref.parseKey("checkpoint:x"), null);
  assert.equal(ref.parseKey(undefined), null);
  assert.equal(ref.featureKey("crossing", 4), "crossing:4");
});

test("a form's entries become the type's values: trimmed, empty as null, lists in order", () => {
  const values = ref.readValues("crossing", [
    ["name", "  Ban Huai Sai path "],
    ["risk_level", "high"],
    ["season", "all_year"],
    ["crosses", "livestock"],
    ["crosses", "people"],
    ["crosses", "people"],
    ["note", "   "],
    ["precision", "surveyed"],
    ["reason", "not an attribute"],
    ["kind", "a checkpoint's, not a crossing's"],
  ]);
  assert.deepEqual(values, {
    name: "Ban Huai Sai path",
    risk_level: "high",
    season: "all_year",
    crosses: ["people", "livestock"],
    note: null,
    precision: "surveyed",
  });
  assert.deepEqual(ref.readValues("crossing", []).crosses, []);
  assert.equal(ref.readValues("centre", []).name_th, null);
});

test("an update sends only the moved geometry and the changed attributes, with the base version", () => {
  const values = Object.assign({}, checkpoint.properties, { status: "restricted", days: " Mon-Fri " });
  const body = ref.changeBody({
    type: "checkpoint",
    feature: checkpoint,
    values: ref.readValues("checkpoint", Object.entries(values)),
    geometry: { type: "Point", coordinates: [100.41512345678, 20.27] },
    reason: "  Surveyed on site with the district officer ",
    accuracy: 8.04,
  });
  assert.deepEqual(body, {
    feature_type: "checkpoint",
    feature_id: 7,
    action: "update",
    base_version: 3,
    geometry: { type: "Point", coordinates: [100.4151235, 20.27] },
    attributes: { status: "restricted", days: "Mon-Fri" },
    reason: "Surveyed on site with the district officer",
    accuracy_m: 8,
  });
  assert.equal(ref.isEmptyChange(body), false);
});

test("a marker dragged back where it was sends no geometry and no accuracy", () => {
  const body = ref.changeBody({
    type: "checkpoint",
    feature: checkpoint,
    values: ref.readValues("checkpoint", Object.entries(checkpoint.properties)),
    geometry: { type: "Point", coordinates: [100.41234561, 20.26543209] },
    reason: "no change",
    accuracy: 12,
  });
  assert.equal(body.geometry, null);
  assert.equal(body.accuracy_m, null);
  assert.deepEqual(body.attributes, {});
  assert.equal(ref.isEmptyChange(body), true);
});

test("a list attribute counts as changed only when its members change", () => {
  const same = ref.readValues("crossing", [["crosses", "people"], ["crosses", "goods"]]);
  assert.deepEqual(ref.changedAttributes("crossing", crossing.properties, { crosses: same.crosses }), {});
  assert.deepEqual(
    ref.changedAttributes("crossing", crossing.properties, { crosses: ["people"] }),
    { crosses: ["people"] }
  );
  // a text emptied is sent as null, so that the server clears it
  assert.deepEqual(ref.changedAttributes("checkpoint", checkpoint.properties, { hours: "" }), { hours: null });
});

test("a new crossing sends its line and every attribute given, with no id nor base version", () => {
  const body = ref.changeBody({
    type: "crossing",
    feature: null,
    values: ref.readValues("crossing", [
      ["name", "ท่าข้ามบ้านห้วยลึก"],
      ["risk_level", "medium"],
      ["season", "dry_only"],
      ["crosses", "people"],
      ["note", ""],
      ["precision", "imagery"],
    ]),
    geometry: { type: "LineString", coordinates: [[100.3, 20.1], [100.31, 20.12], [100.32, 20.125]] },
    reason: "Path walked with the village head",
    accuracy: null,
  });
  assert.equal(body.action, "create");
  assert.equal(body.feature_id, null);
  assert.equal(body.base_version, null);
  assert.equal(body.geometry.type, "LineString");
  assert.deepEqual(body.attributes, {
    name: "ท่าข้ามบ้านห้วยลึก",
    risk_level: "medium",
    season: "dry_only",
    crosses: ["people"],
    precision: "imagery",
  });
});

test("retiring sends neither geometry nor attributes, only the version and the reason", () => {
  const body = ref.changeBody({
    type: "crossing",
    feature: crossing,
    action: "retire",
    values: { name: "changed but not sent" },
    geometry: { type: "LineString", coordinates: [[0, 0], [1, 1]] },
    reason: "The path is flooded for good",
    accuracy: 5,
  });
  assert.deepEqual(body, {
    feature_type: "crossing",
    feature_id: 4,
    action: "retire",
    base_version: 1,
    geometry: null,
    attributes: {},
    reason: "The path is flooded for good",
    accuracy_m: null,
  });
});

test("a flagged stretch sends the segment and the two clicked points", () => {
  const body = ref.stretchBody({
    segmentId: 31,
    from: [102.123456789, 17.9],
    to: [102.2, 17.95],
    values: { demarcation: "unmarked", source: " Joint survey 2026 " },
    reason: "Pillars missing",
  });
  assert.deepEqual(body, {
    feature_type: "stretch",
    feature_id: null,
    action: "create",
    base_version: null,
    geometry: null,
    attributes: {
      segment_id: 31,
      from_point: [102.1234568, 17.9],
      to_point: [102.2, 17.95],
      demarcation: "unmarked",
      source: "Joint survey 2026",
    },
    reason: "Pillars missing",
    accuracy_m: null,
  });
});

test("a 409 is a conflict naming the current version", () => {
  const answer = ref.interpretAnswer("checkpoint", 409, {
    error: "conflict", message: "changed", field: "base_version", current_version: 5,
  });
  assert.equal(answer.kind, "conflict");
  assert.equal(answer.currentVersion, 5);
  assert.equal(answer.field, null);
  assert.equal(ref.interpretAnswer("checkpoint", 409, { current: "4" }).currentVersion, 4);
  assert.equal(ref.interpretAnswer("checkpoint", 409, {}).currentVersion, null);
});

test("a refusal naming a field goes next to that field of the form", () => {
  const cases = [
    ["checkpoint", 422, "name_th", "name_th"],
    ["checkpoint", 422, "attributes.kind", "kind"],
    ["checkpoint", 400, "reason", "reason"],
    ["checkpoint", 422, "geometry", "geometry"],
    ["checkpoint", 422, "accuracy_m", "geometry"],
    ["stretch", 422, "attributes.from_point", "geometry"],
    ["stretch", 422, "source", "source"],
    ["crossing", 422, "crosses[1]", "crosses"],
  ];
  for (const [type, status, field, expected] of cases) {
    const answer = ref.interpretAnswer(type, status, { message: "m", field: field });
    assert.equal(answer.kind, "field", field);
    assert.equal(answer.field, expected, field);
    assert.equal(answer.message, "m");
  }
  // a field the form does not hold, or none: said above the form
  assert.equal(ref.interpretAnswer("centre", 422, { field: "kind", message: "m" }).kind, "general");
  assert.equal(ref.interpretAnswer("centre", 422, { message: "m" }).kind, "general");
  assert.equal(ref.interpretAnswer("centre", 500, { field: "name", message: "m" }).kind, "general");
});

test("a refusal's message names the field by its label, not its code", () => {
  assert.equal(ref.namedMessage("name ต้องไม่ว่าง", "name", "ชื่อภาษาอังกฤษ"), "ชื่อภาษาอังกฤษ ต้องไม่ว่าง");
  assert.equal(ref.namedMessage("'kind' must be one of a, b", "kind", "Kind"), "Kind must be one of a, b");
  assert.equal(ref.namedMessage("the place is outside", "geometry", "Position"), "the place is outside");
  assert.equal(ref.namedMessage("m", null, "x"), "m");
  assert.equal(ref.namedMessage(null, "name", "x"), null);
});

test("other answers: success, no connection, signed out, forbidden", () => {
  assert.equal(ref.interpretAnswer("centre", 201, {}).kind, "ok");
  assert.equal(ref.interpretAnswer("centre", 0, null).kind, "offline");
  assert.equal(ref.interpretAnswer("centre", 401, {}).kind, "signin");
  assert.equal(ref.interpretAnswer("centre", 403, { message: "no" }).kind, "forbidden");
});

test("the reviewer's differences: every attribute of either side, changed ones marked", () => {
  const rows = ref.diffAttributes(
    "checkpoint",
    { name: "Chiang Khong", status: "open", hours: "06:00-22:00", precision: "approximate" },
    { status: "restricted", precision: "surveyed", hours: "06:00-22:00" }
  );
  assert.deepEqual(rows, [
    { name: "name", before: "Chiang Khong", after: "Chiang Khong", changed: false },
    { name: "status", before: "open", after: "restricted", changed: true },
    { name: "hours", before: "06:00-22:00", after: "06:00-22:00", changed: false },
    { name: "precision", before: "approximate", after: "surveyed", changed: true },
  ]);
  // a new feature: nothing before
  const created = ref.diffAttributes("crossing", null, { name: "x", crosses: ["goods", "people"] });
  assert.deepEqual(created, [
    { name: "name", before: null, after: "x", changed: true },
    { name: "crosses", before: null, after: ["people", "goods"], changed: true },
  ]);
  // an attribute the page does not know still shows
  assert.equal(ref.diffAttributes("centre", {}, { extra: "y" })[0].name, "extra");
});

test("distances: a moved point and a line's length in metres", () => {
  const moved = ref.movedM(
    { type: "Point", coordinates: [100.4, 20.26] },
    { type: "Point", coordinates: [100.41, 20.26] }
  );
  assert.ok(Math.abs(moved - 1043.6) < 1, String(moved)); // 0.01° of longitude at 20.26° N
  assert.equal(ref.movedM(null, { type: "Point", coordinates: [0, 0] }), null);
  assert.equal(ref.movedM(crossing.geometry, crossing.geometry), null);
  const length = ref.lengthM({ type: "LineString", coordinates: [[100, 20], [100, 20.01], [100, 20.02]] });
  assert.ok(Math.abs(length - 2223.9) < 1, String(length));
  assert.equal(ref.lengthM({ type: "Point", coordinates: [0, 0] }), 0);
});

test("geometries are compared once rounded to 7 places", () => {
  assert.ok(ref.sameGeometry(crossing.geometry, { type: "LineString", coordinates: [[100.100000001, 20.1], [100.2, 20.2]] }));
  assert.ok(!ref.sameGeometry(crossing.geometry, { type: "LineString", coordinates: [[100.1, 20.1], [100.2, 20.21]] }));
  assert.ok(!ref.sameGeometry(crossing.geometry, null));
  assert.ok(ref.sameGeometry(null, null));
  assert.equal(ref.GEOMETRY.crossing, "LineString");
});

// The derived data's progress in words, as both pages say it: with the page's words (the scripts'
// catalogue, static/js/i18n.js) in English and with the Thai of the area's catalogue.
const i18n = require("../../webapp/static/js/i18n.js");
const fs = require("node:fs");
const path = require("node:path");

/** The translated messages of a catalogue written by scripts/catalogue.sh (one line each). */
function readCatalogue(file) {
  const messages = {};
  let id = null;
  fs.readFileSync(file, "utf8").split("\n").forEach(function (line) {
    const idLine = /^msgid "(.*)"$/.exec(line);
    const strLine = /^msgstr "(.*)"$/.exec(line);
    if (idLine) id = JSON.parse('"' + idLine[1] + '"');
    else if (strLine && id) messages[id] = JSON.parse('"' + strLine[1] + '"');
  });
  return messages;
}

const english = i18n({ language: "en", messages: {} });
const thai = i18n({
  language: "th",
  messages: readCatalogue(
    path.join(__dirname, "../../webapp/translations/th/LC_MESSAGES/reference_pages.po")
  ),
});

test("the derived data's progress: waiting, counted, up to date, in English", () => {
  assert.deepEqual(ref.derivedProgress(200, { status: "queued", done: 0, total: 0 }, english), {
    message: "The incidents’ distances and the watch corridor will be updated in a moment.",
    again: true,
  });
  assert.deepEqual(ref.derivedProgress(200, { status: "running", done: 1250, total: 48000 }, english), {
    message: "Updating the incidents’ distances: 1,250 of 48,000.",
    again: true,
  });
  // a queued recomputation already counted says how far it is
  assert.equal(
    ref.derivedProgress(200, { status: "queued", done: 0, total: 12 }, english).message,
    "Updating the incidents’ distances: 0 of 12."
  );
  assert.deepEqual(ref.derivedProgress(200, { status: "idle", done: 12, total: 12, reference_version: 1042 }, english), {
    message: "Distances and the watch corridor are up to date (reference version 1042).",
    again: false,
  });
});

test("the derived data's progress reads in Thai from the area's catalogue, numbers grouped", () => {
  assert.equal(
    ref.derivedProgress(200, { status: "queued", total: 0 }, thai).message,
    "ระยะทางของเหตุและแนวเฝ้าระวังจะได้รับการปรับในอีกสักครู่"
  );
  assert.equal(
    ref.derivedProgress(200, { status: "running", done: 1250, total: 48000 }, thai).message,
    "กำลังปรับระยะทางของเหตุ: 1,250 จาก 48,000"
  );
  assert.equal(
    ref.derivedProgress(200, { status: "idle", reference_version: 7 }, thai).message,
    "ระยะทางและแนวเฝ้าระวังเป็นปัจจุบันแล้ว (ข้อมูลอ้างอิงฉบับที่ 7)"
  );
});

test("an answer other than 200 says nothing and stops asking", () => {
  [0, 401, 403, 500].forEach(function (status) {
    assert.deepEqual(ref.derivedProgress(status, { message: "no" }, english), { message: null, again: false });
  });
});

test("following the derived data asks again until it is up to date, then stops", async () => {
  const answers = [
    { status: 200, body: { status: "queued", done: 0, total: 0 } },
    { status: 200, body: { status: "running", done: 3, total: 10 } },
    { status: 200, body: { status: "idle", done: 10, total: 10, reference_version: 5 } },
  ];
  const asked = [];
  const shown = [];
  const waits = [];
  let next = null;
  const follow = {
    url: "/api/reference/derived",
    get: function (url) {
      asked.push(url);
      return Promise.resolve(answers.shift());
    },
    show: function (text) { shown.push(text); },
    words: english,
    schedule: function (fn, ms) {
      waits.push(ms);
      next = fn;
    },
  };
  await ref.followDerived(follow);
  while (next) {
    const step = next;
    next = null;
    await step();
  }
  assert.deepEqual(asked, ["/api/reference/derived", "/api/reference/derived", "/api/reference/derived"]);
  assert.deepEqual(shown, [
    "The incidents’ distances and the watch corridor will be updated in a moment.",
    "Updating the incidents’ distances: 3 of 10.",
    "Distances and the watch corridor are up to date (reference version 5).",
  ]);
  assert.deepEqual(waits, [2000, 2000]);
});

test("following shows nothing on a refusal and nothing without a url", async () => {
  const shown = [];
  let scheduled = 0;
  await ref.followDerived({
    url: "/api/reference/derived",
    get: function () { return Promise.resolve({ status: 403, body: { message: "forbidden" } }); },
    show: function (text) { shown.push(text); },
    words: english,
    schedule: function () { scheduled += 1; },
  });
  assert.equal(ref.followDerived({ url: null, get: function () { throw new Error("asked"); } }), undefined);
  assert.deepEqual(shown, []);
  assert.equal(scheduled, 0);
});

test("a flagged stretch is named in words by its border segment and the part flagged", () => {
  const stretch = {
    feature_type: "stretch", label: "#2 35%-55%", segment_no: 2, from_fraction: 0.35, to_fraction: 0.55,
  };
  assert.equal(ref.featureLabel(stretch, english), "Border segment 2, 35% to 55% of its length");
  assert.equal(ref.featureLabel(stretch, thai), "ช่วงเส้นเขตแดนที่ 2 ตั้งแต่ 35% ถึง 55% ของความยาว");
  // a change: the part of its new state, or of its old one when it retires the stretch
  const change = { feature_type: "stretch", label: "#2 35%-55%", segment_no: 2, after: { attributes: { from_fraction: 0.1, to_fraction: 0.125 } } };
  assert.equal(ref.featureLabel(change, english), "Border segment 2, 10% to 13% of its length");
  const retired = { feature_type: "stretch", segment_no: 4, after: null, before: { attributes: { from_fraction: 0, to_fraction: 1 } } };
  assert.equal(ref.featureLabel(retired, english), "Border segment 4, 0% to 100% of its length");
  // other features keep the server's label; without its segment a stretch does too
  assert.equal(ref.featureLabel(checkpoint.properties, english), "–");
  assert.equal(ref.featureLabel({ feature_type: "crossing", label: "ช่องทางคลองลึก" }, thai), "ช่องทางคลองลึก");
  assert.equal(ref.featureLabel({ feature_type: "stretch", label: "#? 0%-10%", from_fraction: 0, to_fraction: 0.1 }, english), "#? 0%-10%");
  assert.equal(ref.featureLabel(null, english), "–");
});
