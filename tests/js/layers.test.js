// The map's rules (webapp/static/js/layers.js) without a page: popups in the page's language
// with Thai times, legend entries, zoom ranges, boxes, notices, filters and the address's view.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const layers = require("../../webapp/static/js/layers.js");
const i18n = require("../../webapp/static/js/i18n.js");

const thai = i18n({
  language: "th",
  messages: {
    yes: "ใช่",
    no: "ไม่ใช่",
    "{n} on the map": "{n} รายการบนแผนที่",
    "Only the newest {n} of {total} are shown: zoom in or filter to see all.":
      "แสดงเฉพาะ {n} รายการล่าสุดจากทั้งหมด {total} รายการ ซูมเข้าหรือใช้ตัวกรองเพื่อดูทั้งหมด",
    "{n} incident here; zoom in to see it": ["ที่นี่มีเหตุ {n} รายการ ซูมเข้าเพื่อดู"],
    "Zoom in to see this layer.": "ซูมเข้าเพื่อดูชั้นข้อมูลนี้",
    "{field}: the first day lies after the last.": "{field}: วันเริ่มต้นอยู่หลังวันสิ้นสุด",
  },
});
const english = i18n({ language: "en", messages: {} });

/* The incidents layer as the server hands it to a Thai page (layers/elements.py). */
const INCIDENTS = {
  name: "incidents",
  minZoom: 0,
  maxZoom: 22,
  popupFields: [
    {
      property: "category",
      label: "เหตุ",
      values: [
        ["drug_trafficking", "ค้ายาเสพติด"],
        ["smuggling", "ลักลอบขนสินค้า"],
      ],
      template: null,
    },
    { property: "id", label: "เลขที่", values: [], template: null },
    { property: "status", label: "สถานะ", values: [["verified", "ตรวจสอบแล้ว"]], template: null },
    { property: "occurred_at", label: "เวลาเกิดเหตุ", values: [], template: null },
    { property: "description", label: "รายละเอียด", values: [], template: null },
  ],
  filters: [
    { param: "category", label: "ประเภท", kind: "choice", choices: [] },
    { param: "since", label: "ตั้งแต่วันที่", kind: "date", choices: [] },
    { param: "until", label: "ถึงวันที่ (รวมวันนั้น)", kind: "date", choices: [] },
  ],
};

test("a popup is its heading and rows, values as the page names them, times in Thai time", () => {
  const props = {
    category: "drug_trafficking",
    id: 42,
    status: "verified",
    occurred_at: "2026-06-01T05:00:00Z",
    description: "",
  };
  const content = layers.popupContent(INCIDENTS.popupFields, props, thai);
  assert.equal(content.title, "ค้ายาเสพติด");
  assert.deepEqual(content.rows, [
    ["เลขที่", "42"],
    ["สถานะ", "ตรวจสอบแล้ว"],
    ["เวลาเกิดเหตุ", "1 มิ.ย. 2569 12:00"], // 05:00 UTC is noon in Thailand, 2569 BE
  ]); // the empty description is left out
  const inEnglish = layers.popupContent(INCIDENTS.popupFields, props, english);
  assert.deepEqual(inEnglish.rows[2], ["เวลาเกิดเหตุ", "1 Jun 2026, 12:00"]);
});

test("a place shows its Thai name on a Thai page, its English name where it has no Thai one", () => {
  const fields = [
    { property: "id", label: "เลขที่", values: [], template: null },
    { property: "district_th", fallback: "district", label: "อำเภอ", values: [], template: null },
  ];
  const named = layers.popupContent(fields, { id: 1, district: "Chiang Khong", district_th: "เชียงของ" }, thai);
  assert.deepEqual(named.rows, [["อำเภอ", "เชียงของ"]]);
  const unnamed = layers.popupContent(fields, { id: 2, district: "Chiang Khong", district_th: null }, thai);
  assert.deepEqual(unnamed.rows, [["อำเภอ", "Chiang Khong"]]);
  const feature = layers.incidentFeature({
    id: 3,
    lon: 100.4,
    lat: 20.26,
    district: { name: "Chiang Khong", name_th: "เชียงของ", province: "Chiang Rai", province_th: "เชียงราย" },
  });
  assert.equal(feature.properties.district_th, "เชียงของ");
  assert.equal(feature.properties.province_th, "เชียงราย");
});

test("values: yes and no, lists, days, a template filled from the properties, others as they are", () => {
  const plain = { label: "x", values: [], template: null };
  assert.equal(layers.displayValue(plain, true, {}, thai), "ใช่");
  assert.equal(layers.displayValue(plain, false, {}, thai), "ไม่ใช่");
  assert.equal(layers.displayValue(plain, ["Poipet", "Thma Puok"], {}, thai), "Poipet, Thma Puok");
  assert.equal(layers.displayValue(plain, "2024-02-29", {}, thai), "29 ก.พ. 2567");
  assert.equal(layers.displayValue(plain, "2026-13-45", {}, thai), "2026-13-45");
  assert.equal(layers.displayValue(plain, 0.25, {}, thai), "0.25");
  const heading = { label: "จุดเสี่ยง", values: [], template: "จุดเสี่ยงอันดับ {rank}: {days} วัน" };
  assert.equal(layers.displayValue(heading, 3, { rank: 3, days: 14 }, thai), "จุดเสี่ยงอันดับ 3: 14 วัน");
  // a value the field names wins over the date rule; a known false is not "no"
  const named = { label: "x", values: [[false, "ทราบแล้ว"]], template: null };
  assert.equal(layers.displayValue(named, false, {}, thai), "ทราบแล้ว");
  // a list of vocabulary codes reads item by item (what crosses at a natural crossing)
  const crosses = { label: "x", values: [["people", "คน"], ["goods", "สินค้า"]], template: null };
  assert.equal(layers.displayValue(crosses, ["people", "goods", "boats"], {}, thai), "คน, สินค้า, boats");
});

test("without i18n.js the words are English as written and times Thai time", () => {
  const w = layers.plainWords;
  assert.equal(w.t("{n} on the map", { n: 3 }), "3 on the map");
  assert.equal(w.tn("{n} report", "{n} reports", 1), "1 report");
  assert.equal(w.formatDateTime("2026-06-01T05:00:00Z"), "2026-06-01 12:00");
  assert.equal(w.formatDateTime("not a time"), "–");
});

test("a counted cell says how many incidents and of which categories, by their names", () => {
  const lines = layers.cellLines(
    INCIDENTS,
    { count: 1234, categories: { smuggling: 1000, drug_trafficking: 234 } },
    thai
  );
  assert.deepEqual(lines, [
    "ที่นี่มีเหตุ 1,234 รายการ ซูมเข้าเพื่อดู",
    "ค้ายาเสพติด: 234",
    "ลักลอบขนสินค้า: 1,000",
  ]);
  assert.equal(
    layers.cellLines(INCIDENTS, { count: 1, categories: {} }, english)[0],
    "1 incident here; zoom in to see it"
  );
});

test("legend entries: the base label, then each labelled rule over the base", () => {
  const style = {
    base: { color: "#111111", weight: 1 },
    label: "อำเภออื่น",
    rules: [
      { property: "target", equals: true, style: { color: "#e8590c" }, label: "อำเภอเป้าหมาย" },
      { property: "x", equals: 1, style: { weight: 3 } },
    ],
  };
  assert.deepEqual(layers.legendEntries(style), [
    { label: "อำเภออื่น", style: { color: "#111111", weight: 1 } },
    { label: "อำเภอเป้าหมาย", style: { color: "#e8590c", weight: 1 } },
  ]);
  assert.deepEqual(layers.resolveStyle(style, { target: true }).color, "#e8590c");
  assert.deepEqual(layers.resolveStyle(style, { target: 1 }).color, "#111111"); // === only
});

test("zoom ranges: a layer below its range asks to zoom in, a layer that is off says nothing", () => {
  const crossings = { minZoom: 7, maxZoom: 22 };
  assert.equal(layers.zoomPlace(crossings, 6), "below");
  assert.equal(layers.zoomPlace(crossings, 7), "in");
  assert.equal(layers.zoomPlace({ minZoom: 0, maxZoom: 11 }, 12), "above");
  const on = { on: true, loading: false, error: false };
  assert.equal(layers.layerHint(crossings, on, 6, thai), "ซูมเข้าเพื่อดูชั้นข้อมูลนี้");
  assert.equal(layers.layerHint(crossings, on, 9, thai), "");
  assert.equal(layers.layerHint(crossings, { on: false }, 6, thai), "");
  assert.equal(layers.layerHint(crossings, { on: true, loading: true }, 9, english), "Loading…");
});

test("the box of a view is clamped to the world and written with five decimals", () => {
  const bounds = {
    getWest: () => -190.123456,
    getSouth: () => 13.5,
    getEast: () => 102.0000049,
    getNorth: () => 95,
  };
  assert.equal(layers.clampedBbox(bounds), "-180.00000,13.50000,102.00000,90.00000");
});

test("the notice counts the features on the map, or says that only the newest came", () => {
  const state = { on: true, count: 5000, total: 5010, truncated: true };
  assert.equal(
    layers.noticeText(state, english),
    "Only the newest 5,000 of 5,010 are shown: zoom in or filter to see all."
  );
  assert.equal(
    layers.noticeText(state, thai),
    "แสดงเฉพาะ 5,000 รายการล่าสุดจากทั้งหมด 5,010 รายการ ซูมเข้าหรือใช้ตัวกรองเพื่อดูทั้งหมด"
  );
  assert.equal(layers.noticeText({ on: true, count: 31, total: 31 }, thai), "31 รายการบนแผนที่");
  assert.equal(layers.noticeText({ on: false, count: 31 }, thai), "");
});

test("filters: a first day after the last is refused naming the field, a server's error too", () => {
  const later = { since: "2026-06-02", until: "2026-06-01" };
  assert.equal(
    layers.filterProblem(INCIDENTS.filters, later, thai),
    "ตั้งแต่วันที่: วันเริ่มต้นอยู่หลังวันสิ้นสุด"
  );
  assert.equal(layers.filterProblem(INCIDENTS.filters, { since: "2026-06-01" }, thai), null);
  assert.equal(
    layers.filterErrorText(INCIDENTS.filters, "until", "ไม่ใช่วันที่"),
    "ถึงวันที่ (รวมวันนั้น): ไม่ใช่วันที่"
  );
  assert.equal(layers.filterErrorText(INCIDENTS.filters, null, "ข้อผิดพลาด"), "ข้อผิดพลาด");
});

test("the address's view: read within the map's zoom range, refused outside the world", () => {
  assert.deepEqual(layers.parseViewHash("#map=12/13.68/102.5", 0, 19), {
    center: [13.68, 102.5],
    zoom: 12,
  });
  assert.equal(layers.parseViewHash("#map=25/13.68/102.5", 0, 19).zoom, 19);
  for (const bad of ["#map=12/913.68/102.5", "#map=twelve/13/102", "#elsewhere", "", undefined]) {
    assert.equal(layers.parseViewHash(bad, 0, 19), null, String(bad));
  }
  assert.equal(layers.viewHash(10, 17.9, 102.6), "#map=10/17.90000/102.60000");
});

test("an incident of the API becomes a feature of the layer, its time in Thai time", () => {
  const feature = layers.incidentFeature({
    id: 7,
    lon: 102.5,
    lat: 13.7,
    category: "smuggling",
    status: "new",
    severity: 3,
    occurred_at: "2026-06-01T05:00:00Z",
    description: "x".repeat(250),
    district: { name: "Aranyaprathet", province: "Sa Kaeo" },
  });
  assert.deepEqual(feature.geometry.coordinates, [102.5, 13.7]);
  assert.equal(feature.properties.occurred_at, "2026-06-01T12:00:00+07:00");
  assert.equal(feature.properties.description.length, 201);
  assert.equal(feature.properties.description_truncated, true);
  assert.equal(layers.incidentFeature({ id: 8, lon: null, lat: 13 }), null);
});

test("text written as HTML is escaped", () => {
  assert.equal(layers.escapeHtml('<a href="x">`\'&'), "&lt;a href=&quot;x&quot;&gt;&#96;&#39;&amp;");
});

test("the low-data choice is kept on the phone, and a blocked storage means the basemap loads", () => {
  const kept = new Map();
  const storage = {
    getItem: (k) => (kept.has(k) ? kept.get(k) : null),
    setItem: (k, v) => kept.set(k, String(v)),
    removeItem: (k) => kept.delete(k),
  };
  assert.equal(layers.lowDataChosen(storage), false);
  layers.chooseLowData(storage, true);
  assert.equal(layers.lowDataChosen(storage), true);
  assert.equal(kept.get("borderwatch.lowData"), "1");
  layers.chooseLowData(storage, false);
  assert.equal(layers.lowDataChosen(storage), false);
  const blocked = {
    getItem: () => { throw new Error("SecurityError"); },
    setItem: () => { throw new Error("SecurityError"); },
    removeItem: () => { throw new Error("SecurityError"); },
  };
  assert.equal(layers.lowDataChosen(blocked), false);
  layers.chooseLowData(blocked, true); // does not throw
  assert.equal(layers.lowDataChosen(null), false);
});

/* Layers as refreshQueue sees them: refresh() starts a load (or not: already loaded, hidden),
 * the log says in which order they asked the server. */
function fakeLayers(names, log, sends) {
  return names.map((name) => {
    const layer = { spec: { name }, controller: null };
    layer.refresh = () => {
      if (sends && !sends(name)) return;
      layer.controller = {};
      log.push(name);
    };
    layer.finish = () => {
      layer.controller = null;
    };
    return layer;
  });
}

function fakeTimers() {
  const pending = new Map();
  let next = 1;
  return {
    set: (callback, ms) => {
      pending.set(next, { callback, ms });
      return next++;
    },
    clear: (id) => pending.delete(id),
    fire: () => {
      const due = [...pending.values()];
      pending.clear();
      due.forEach((t) => t.callback());
    },
    pending,
  };
}

test("a new view loads the top layer alone, the others once its answer is in", () => {
  const log = [];
  const timers = fakeTimers();
  const [districts, border, incidents] = fakeLayers(["districts", "border", "incidents"], log);
  const queue = layers.refreshQueue([districts, border, incidents], 1000, timers);
  queue.refreshAll();
  assert.deepEqual(log, ["incidents"]);
  queue.answered("border"); // another layer's late answer releases nothing
  assert.deepEqual(log, ["incidents"]);
  incidents.finish();
  queue.answered("incidents");
  assert.deepEqual(log, ["incidents", "border", "districts"]);
  assert.equal(timers.pending.size, 0);
  queue.answered("incidents"); // once per view
  assert.deepEqual(log, ["incidents", "border", "districts"]);
});

test("a view moved again before the answer waits for the newest answer only", () => {
  const log = [];
  const timers = fakeTimers();
  const [districts, incidents] = fakeLayers(["districts", "incidents"], log);
  const queue = layers.refreshQueue([districts, incidents], 1000, timers);
  queue.refreshAll();
  queue.refreshAll(); // the first load was superseded (aborted): a new one is under way
  assert.deepEqual(log, ["incidents", "incidents"]);
  assert.equal(timers.pending.size, 1);
  incidents.finish();
  queue.answered("incidents");
  assert.deepEqual(log, ["incidents", "incidents", "districts"]);
});

test("the others do not wait for a top layer that sends nothing, nor longer than the limit", () => {
  const log = [];
  const timers = fakeTimers();
  // the top layer hidden, out of its zoom range or with the view already loaded
  const idle = fakeLayers(["districts", "incidents"], log, (name) => name !== "incidents");
  layers.refreshQueue(idle, 1000, timers).refreshAll();
  assert.deepEqual(log, ["districts"]);
  assert.equal(timers.pending.size, 0);

  log.length = 0;
  const [districts, incidents] = fakeLayers(["districts", "incidents"], log);
  layers.refreshQueue([districts, incidents], 1000, timers).refreshAll();
  assert.deepEqual([...timers.pending.values()].map((t) => t.ms), [1000]);
  timers.fire(); // no answer within a second: the others load anyway
  assert.deepEqual(log, ["incidents", "districts"]);
});
