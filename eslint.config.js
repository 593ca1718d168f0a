// ESLint for borderwatch's own JavaScript (`make lint-js`): the page scripts under
// webapp/static/js and their tests under tests/js. Vendor copies and node_modules are not ours.
"use strict";

const js = require("@eslint/js");
const globals = require("globals");

// What every file of ours must not do, on top of ESLint's recommended rules.
const rules = {
  "no-eval": "error",
  "no-implied-eval": "error",
  "no-new-func": "error",
  eqeqeq: "error",
  "no-var": "error",
  "prefer-const": "error",
};

module.exports = [
  {
    ignores: ["node_modules/", "webapp/static/vendor/", "test-output/"],
  },
  js.configs.recommended,
  {
    // The page scripts are classic scripts sharing the page's globals: Leaflet's L (and its
    // markercluster plugin on L), bw from i18n.js (translation and Thai dates and numbers) and
    // the borderwatch namespace that layers.js fills for the other scripts. `module` is there
    // for a script that also hands itself to the node tests when it runs under node
    // (`if (typeof module === "object" && module.exports) module.exports = ...`).
    files: ["webapp/static/js/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "script",
      globals: {
        ...globals.browser,
        L: "readonly",
        bw: "writable",
        borderwatch: "writable",
        module: "readonly",
      },
    },
    rules,
  },
  {
    // Tests run in node (`node --test tests/js/`) and load the page scripts themselves.
    files: ["tests/js/**/*.js", "tests/js/**/*.mjs", "eslint.config.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "commonjs",
      globals: { ...globals.node },
    },
    rules,
  },
  {
    files: ["tests/js/**/*.mjs"],
    languageOptions: { sourceType: "module" },
  },
  {
    // Set-up scripts run in node; the service worker's plugins in build-sw.js are written
    // into the worker as source text and run there (self, caches).
    files: ["scripts/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "commonjs",
      globals: { ...globals.node, ...globals.serviceworker },
    },
    rules,
  },
  {
    // The service worker's rules run in the worker (and in node for their tests).
    files: ["webapp/static/js/sw-routes.js"],
    languageOptions: { globals: { ...globals.serviceworker } },
  },
];
