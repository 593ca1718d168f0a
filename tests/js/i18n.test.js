// The scripts' catalogue (webapp/static/js/i18n.js): messages, plurals, Thai time and
// Buddhist-era years, the same way as the server's webapp/i18n.py.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const factory = require("../../webapp/static/js/i18n.js");

const thai = factory({
  language: "th",
  messages: { Sent: "ส่งแล้ว", "{n} waiting": "รอส่ง {n} รายการ", "{n} report": ["{n} รายงาน"] },
});
const english = factory({ language: "en", messages: {} });

test("a translated message is read in Thai, an untranslated one in English", () => {
  assert.equal(thai.t("Sent"), "ส่งแล้ว");
  assert.equal(thai.t("Not in the catalogue"), "Not in the catalogue");
});

test("values are put in place, unknown names are left as written", () => {
  assert.equal(thai.t("{n} waiting", { n: 3 }), "รอส่ง 3 รายการ");
  assert.equal(english.t("{n} of {total}", { n: 2 }), "2 of {total}");
});

test("plurals: one form in Thai, two in English", () => {
  assert.equal(thai.tn("{n} report", "{n} reports", 5), "5 รายงาน");
  assert.equal(english.tn("{n} report", "{n} reports", 1), "1 report");
  assert.equal(english.tn("{n} report", "{n} reports", 2), "2 reports");
});

test("times are Thai time with a Buddhist-era year on Thai pages", () => {
  // 23:30 UTC on 31 December 2026 is already 1 January 2027 (2570 BE) in Thailand
  assert.equal(thai.formatDateTime("2026-12-31T23:30:00Z"), "1 ม.ค. 2570 06:30");
  assert.equal(english.formatDateTime("2026-12-31T23:30:00Z"), "1 Jan 2027, 06:30");
  assert.equal(thai.formatDate("2024-02-29T05:00:00Z"), "29 ก.พ. 2567");
});

test("a value that is not a time reads as a dash", () => {
  assert.equal(thai.formatDateTime("not a time"), "–");
  assert.equal(thai.formatDate(undefined), "–");
});

test("numbers are grouped", () => {
  assert.equal(thai.formatNumber(1234567), "1,234,567");
  assert.equal(english.formatNumber(2.345, 1), "2.3");
});
