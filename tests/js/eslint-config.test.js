// What `make lint-js` holds our scripts to (eslint.config.js): the rules the project asked for
// fire on the code they forbid, the page scripts' shared globals are known and nothing else is,
// and vendor copies are not linted.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");
const { ESLint } = require("eslint");

const root = path.resolve(__dirname, "..", "..");
const eslint = new ESLint({ cwd: root });

// The rules that fire on `code` when it is the page script (or test) at `file`.
async function rulesFor(code, file = "webapp/static/js/example.js") {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result.messages.map((message) => message.ruleId);
}

test("a page script using the page's globals and browser APIs passes", async () => {
  const code = [
    "(function () {",
    '  "use strict";',
    '  const box = document.getElementById("map");',
    "  if (!box || !window.L) { return; }",
    "  const map = L.map(box);",
    "  let count = 0;",
    "  count += 1;",
    '  box.title = bw.t("{n} waiting", {n: count});',
    "  borderwatch.maps = [map];",
    '  if (count === 1) { window.setTimeout(function () { map.invalidateSize(); }, 10); }',
    "})();",
    "",
  ].join("\n");
  assert.deepEqual(await rulesFor(code), []);
});

test("an undeclared global in a page script is an error", async () => {
  assert.deepEqual(await rulesFor("jQuery(document);\n"), ["no-undef"]);
});

const forbidden = [
  ["no-eval", 'eval("1 + 1");\n'],
  ["no-implied-eval", 'setTimeout("alert(1)", 10);\n'],
  ["no-new-func", 'const f = new Function("return 1");\nf();\n'],
  ["eqeqeq", "const a = document.title;\nif (a == 1) { a.trim(); }\n"],
  ["no-var", "var a = 1;\na.toString();\n"],
  ["prefer-const", "let a = 1;\na.toString();\n"],
  ["no-unused-vars", "const unused = 1;\n"],
];

for (const [rule, code] of forbidden) {
  test(`${rule} is an error in page scripts and in tests`, async () => {
    assert.ok((await rulesFor(code)).includes(rule), `${rule} in webapp/static/js`);
    assert.ok((await rulesFor(code, "tests/js/example.test.js")).includes(rule), `${rule} in tests/js`);
  });
}

test("tests run in node: require and process are known there, not in page scripts", async () => {
  const code = 'const fs = require("node:fs");\nfs.existsSync(process.cwd());\n';
  assert.deepEqual(await rulesFor(code, "tests/js/example.test.js"), []);
  assert.deepEqual(await rulesFor(code), ["no-undef", "no-undef"]);
});

test("vendor copies and node_modules are not linted", async () => {
  assert.equal(await eslint.isPathIgnored(path.join(root, "webapp/static/vendor/leaflet/leaflet.js")), true);
  assert.equal(await eslint.isPathIgnored(path.join(root, "node_modules/leaflet/dist/leaflet.js")), true);
  assert.equal(await eslint.isPathIgnored(path.join(root, "webapp/static/js/layers.js")), false);
});
