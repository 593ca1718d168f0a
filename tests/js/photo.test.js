// The phone-side shrink of a report's photo (webapp/static/js/photo.js): the size it is drawn
// at, its name, and which of the two is sent. The drawing itself is measured in the browser
// (tests/browser/test_offline.py, bench/offline.py).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const photo = require("../../webapp/static/js/photo.js");

test("the longest edge is at most 2048 pixels, proportions kept, never enlarged", () => {
  assert.deepEqual(photo.targetSize(4000, 3000), { width: 2048, height: 1536 }); // 12 MP
  assert.deepEqual(photo.targetSize(3000, 4000), { width: 1536, height: 2048 }); // held upright
  assert.deepEqual(photo.targetSize(4032, 1816), { width: 2048, height: 922 });
  assert.deepEqual(photo.targetSize(1600, 1200), { width: 1600, height: 1200 });
  assert.deepEqual(photo.targetSize(2048, 2048), { width: 2048, height: 2048 });
  assert.deepEqual(photo.targetSize(100000, 10), { width: 2048, height: 1 });
  assert.deepEqual(photo.targetSize(800, 600, 400), { width: 400, height: 300 });
  assert.throws(() => photo.targetSize(0, 10), RangeError);
  assert.throws(() => photo.targetSize(NaN, 10), RangeError);
  assert.equal(photo.MAX_EDGE, 2048);
  assert.equal(photo.QUALITY, 0.85);
});

test("the shrunk photo is a .jpg of the original's name", () => {
  assert.equal(photo.jpegName("IMG_2031.HEIC"), "IMG_2031.jpg");
  assert.equal(photo.jpegName("river.png"), "river.jpg");
  assert.equal(photo.jpegName("no-extension"), "no-extension.jpg");
  assert.equal(photo.jpegName(""), "photo.jpg");
  assert.equal(photo.jpegName(undefined), "photo.jpg");
});

test("the shrunk photo is sent unless it came out larger than one that needed no shrinking", () => {
  const original = { size: 300000 };
  assert.equal(photo.smaller(original, { size: 200000 }, false).size, 200000);
  assert.equal(photo.smaller(original, { size: 400000 }, false), original);
  assert.equal(photo.smaller(original, { size: 400000 }, true).size, 400000); // resized: sent
  assert.equal(photo.smaller(original, null, true), original);
});

test("under node (no canvas) the photo is sent as it is", async () => {
  const file = { name: "x.jpg", size: 10 };
  assert.equal(await photo.shrink(file), file);
});
