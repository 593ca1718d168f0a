// The outbox of unsent reports (webapp/static/js/outbox.js): what localStorage keeps, what each
// answer of the server means, the retry schedule, the idempotency keys and the RFC 3339 time a
// report carries.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { webcrypto } = require("node:crypto");
const factory = require("../../webapp/static/js/outbox.js");

const NOW = new Date("2026-12-07T07:05:00Z");
const outbox = factory({ crypto: webcrypto, now: () => NOW, random: () => 0.5 });
const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A Storage as localStorage is: strings under keys; optionally full. */
function memoryStorage(full = false) {
  const data = new Map();
  return {
    data,
    getItem: (key) => (data.has(key) ? data.get(key) : null),
    setItem: (key, value) => {
      if (full) throw new Error("QuotaExceededError");
      data.set(key, String(value));
    },
    removeItem: (key) => data.delete(key),
  };
}

const BODY = { lon: 102.5066, lat: 13.6928, category: "smuggling", severity: 4 };

test("each account has its own outbox key", () => {
  assert.equal(outbox.storageKey(7), "borderwatch.outbox.v1.7");
  assert.notEqual(outbox.storageKey(7), outbox.storageKey(8));
});

test("a new item carries its key in the report and waits, made now", () => {
  const item = outbox.makeItem(BODY, true);
  assert.match(item.key, UUID4);
  assert.equal(item.body.idempotency_key, item.key);
  assert.equal(item.body.category, "smuggling");
  assert.equal(BODY.idempotency_key, undefined, "the form's body is not changed");
  assert.deepEqual(
    [item.state, item.photo, item.incident, item.error, item.attempts, item.created],
    ["waiting", true, null, null, 0, "2026-12-07T07:05:00.000Z"],
  );
});

test("items are kept, found, changed and removed; an empty outbox leaves no key", () => {
  const storage = memoryStorage();
  const box = outbox.open(storage, outbox.storageKey(7));
  const first = outbox.makeItem(BODY, false, "k-1");
  const second = outbox.makeItem({ ...BODY, category: "other" }, false, "k-2");
  box.put(first);
  box.put(second);
  assert.deepEqual(
    box.items().map((i) => i.key),
    ["k-1", "k-2"],
  );
  assert.equal(JSON.parse(storage.getItem("borderwatch.outbox.v1.7")).length, 2);

  const changed = box.update("k-1", { state: "refused", attempts: 1 });
  assert.equal(changed.state, "refused");
  assert.equal(box.find("k-1").attempts, 1);
  assert.equal(box.update("gone", { state: "stored" }), null);

  box.put({ ...second, state: "signin" }); // the same key replaces the item
  assert.deepEqual(
    box.items().map((i) => [i.key, i.state]),
    [
      ["k-1", "refused"],
      ["k-2", "signin"],
    ],
  );
  box.remove("k-1");
  box.remove("k-2");
  assert.deepEqual(box.items(), []);
  assert.equal(storage.getItem("borderwatch.outbox.v1.7"), null);
  assert.equal(box.find("k-1"), null);
});

test("another account's outbox on the same phone is not read", () => {
  const storage = memoryStorage();
  outbox.open(storage, outbox.storageKey(7)).put(outbox.makeItem(BODY, false, "mine"));
  assert.deepEqual(outbox.open(storage, outbox.storageKey(8)).items(), []);
});

test("a damaged outbox reads as empty and only well-formed items are read", () => {
  const storage = memoryStorage();
  const box = outbox.open(storage, "k");
  storage.setItem("k", "{not json");
  assert.deepEqual(box.items(), []);
  storage.setItem("k", JSON.stringify({ key: "x" }));
  assert.deepEqual(box.items(), []);
  storage.setItem("k", JSON.stringify([null, { key: "no body" }, { key: "ok", body: {} }]));
  assert.deepEqual(
    box.items().map((i) => i.key),
    ["ok"],
  );
});

test("a full storage makes put throw, so the form can say the report was not kept", () => {
  const box = outbox.open(memoryStorage(true), "k");
  assert.throws(() => box.put(outbox.makeItem(BODY, false)));
});

const ANSWERS = [
  [201, null, "STORED"],
  [200, null, "STORED"],
  [401, { error: "unauthorized" }, "SIGNIN"],
  [403, { error: "forbidden" }, "SIGNIN"],
  [400, { error: "bad_request", message: "The CSRF token has expired.", field: null }, "SIGNIN"],
  [400, { error: "invalid_input", message: "ไม่มีหมวดหมู่", field: "category" }, "REFUSED"],
  [422, { error: "outside_watch_area", field: "location" }, "REFUSED"],
  [413, null, "REFUSED"],
  [408, null, "TRANSIENT"],
  [429, null, "TRANSIENT"],
  [500, null, "TRANSIENT"],
  [503, null, "TRANSIENT"],
  [0, null, "TRANSIENT"],
];

for (const [status, body, kind] of ANSWERS) {
  test(`an answer ${status} ${body ? body.error : ""} means ${kind}`, () => {
    assert.equal(outbox.classify(status, body), outbox[kind]);
  });
}

test("the state after each kind of answer", () => {
  assert.equal(outbox.stateAfter(outbox.STORED), "stored");
  assert.equal(outbox.stateAfter(outbox.REFUSED), "refused");
  assert.equal(outbox.stateAfter(outbox.SIGNIN), "signin");
  assert.equal(outbox.stateAfter(outbox.TRANSIENT), "waiting");
});

test("the error kept is the server's, message in its language, or null parts", () => {
  assert.deepEqual(
    outbox.errorOf(422, {
      message: "ตำแหน่งอยู่นอกพื้นที่",
      field: "location",
      distance_m: 12345.6,
    }),
    { status: 422, message: "ตำแหน่งอยู่นอกพื้นที่", field: "location", distance_m: 12345.6 },
  );
  assert.deepEqual(outbox.errorOf(413, null), {
    status: 413,
    message: null,
    field: null,
    distance_m: null,
  });
});

test("retries back off from 2 s, doubling, to at most 5 minutes, with jitter", () => {
  const lowest = [1, 2, 3, 4].map((n) => outbox.backoff(n, 0));
  assert.deepEqual(lowest, [1000, 2000, 4000, 8000]);
  assert.equal(outbox.backoff(1, 1), 2000);
  assert.equal(outbox.backoff(0, 1), 2000);
  assert.equal(outbox.backoff(30, 1), 5 * 60 * 1000);
  assert.equal(outbox.backoff(1000, 0), 2.5 * 60 * 1000);
  assert.equal(outbox.backoff(3), 6000, "the environment's random draw (0.5)");
});

const LIST = [
  { key: "a", body: {}, state: "waiting", created: "2026-12-07T03:00:00.000Z" },
  { key: "b", body: {}, state: "signin", created: "2026-12-07T01:00:00.000Z" },
  { key: "c", body: {}, state: "refused", created: "2026-12-06T23:00:00.000Z" },
  { key: "d", body: {}, state: "stored", incident: { id: 4 }, created: "2026-12-05T00:00:00Z" },
  { key: "e", body: {}, state: "photo_refused", incident: { id: 5 }, created: "2026-12-04" },
];

test("the items due now: waiting reports and photos; sign-in ones after a new sign-in", () => {
  assert.deepEqual(outbox.due(LIST, false), ["a", "d"]);
  assert.deepEqual(outbox.due(LIST, true), ["a", "b", "d"]);
});

test("the reports the server has not stored, oldest first", () => {
  assert.deepEqual(
    outbox.unsent(LIST).map((i) => i.key),
    ["c", "b", "a"],
  );
});

test("the badge counts reports and photos waiting, since the oldest waiting report", () => {
  assert.deepEqual(outbox.summary(LIST), {
    waiting: 2,
    photos: 1,
    refused: 2,
    signin: 1,
    since: "2026-12-07T01:00:00.000Z",
    attention: true,
  });
  assert.deepEqual(outbox.summary([LIST[0]]), {
    waiting: 1,
    photos: 0,
    refused: 0,
    signin: 0,
    since: "2026-12-07T03:00:00.000Z",
    attention: false,
  });
  assert.equal(outbox.summary([]).since, null);
});

test("keys are version 4 UUIDs, from randomUUID or made from random bytes", () => {
  const keys = new Set(Array.from({ length: 200 }, () => outbox.newKey()));
  assert.equal(keys.size, 200);
  for (const key of keys) assert.match(key, UUID4);

  const bytes = { getRandomValues: (array) => array.fill(0xff) };
  assert.equal(outbox.newKey(bytes), "ffffffff-ffff-4fff-bfff-ffffffffffff");
  const zeros = { getRandomValues: (array) => array.fill(0) };
  assert.equal(outbox.newKey(zeros), "00000000-0000-4000-8000-000000000000");
  const native = { randomUUID: () => "from-the-browser" };
  assert.equal(outbox.newKey(native), "from-the-browser");
});

test("a datetime-local value becomes RFC 3339 with the device's offset", () => {
  // node reads TZ when it is set: the device is in Thai time here, then in New York
  const before = process.env.TZ;
  try {
    process.env.TZ = "Asia/Bangkok";
    assert.equal(outbox.rfc3339("2026-11-21T14:05"), "2026-11-21T14:05:00+07:00");
    assert.equal(outbox.rfc3339("2026-11-21T14:05:30"), "2026-11-21T14:05:30+07:00");
    assert.equal(outbox.localMinute(new Date("2026-12-07T07:05:00Z")), "2026-12-07T14:05");
    process.env.TZ = "America/New_York";
    assert.equal(outbox.rfc3339("2026-07-01T08:00"), "2026-07-01T08:00:00-04:00");
  } finally {
    if (before === undefined) delete process.env.TZ;
    else process.env.TZ = before;
  }
});

test("a value that is not a datetime-local time is refused", () => {
  for (const value of ["", null, undefined, "2026-11-21", "2026-02-30T10:00", "21/11/2026 14:05"]) {
    assert.equal(outbox.rfc3339(value), null, String(value));
  }
});
