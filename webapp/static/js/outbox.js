/* The outbox of reports made in this browser and not yet stored by the server, and the
 * idempotency keys that let a retry be stored once. No DOM here: the pin drop (pindrop.js) sends
 * the reports, "My reports" (my-reports.js) lists those still waiting, the patrol sheet
 * (sheet.js) makes keys; node's test runner loads it too (tests/js/outbox.test.js).
 *
 * In a page it is bw.outbox (beside static/js/i18n.js's bw.t); under node the module is the
 * factory: require("webapp/static/js/outbox.js")({crypto, now, random}).
 *
 *   localStorage["borderwatch.outbox.v1.<account id>"] = [item, ...]   (storageKey(user))
 *   item = { key, body, photo, state, incident, error, attempts, created }
 *   body = the JSON of POST /api/incidents (gis/incidents/reports.py), idempotency_key = key
 *   state: "waiting"  not stored yet; sent again when the connection returns, on page load and
 *                     with backoff (network failure, 5xx, 408, 429)
 *          "signin"   401/403 or a stale CSRF token: kept, sent again after a new sign-in
 *          "refused"  another 4xx: never sent again; the user corrects or discards it
 *          "stored"   the report is stored (incident = the server's answer), its photo is not
 *          "photo_refused"  the photo API refused the photo (the report itself is stored)
 *   error = { status, message, field, distance_m }: the server's answer (message in the
 *           language of the request, or null when the server said nothing)
 *
 * An item leaves the outbox only when the server stored the report and, when it has a photo,
 * the photo. The list is read again before every change (another tab may have changed it).
 */
(function (root, factory) {
  "use strict";
  if (typeof module === "object" && module.exports) {
    module.exports = factory;
  } else {
    root.bw = root.bw || {};
    root.bw.outbox = factory({
      crypto: root.crypto,
      now: function () {
        return new Date();
      },
      random: Math.random,
    });
  }
})(typeof self !== "undefined" ? self : this, function (env) {
  "use strict";
  const PREFIX = "borderwatch.outbox.v1.";
  /** What an answer means for an item. */
  const STORED = 1;
  const TRANSIENT = 2;
  const SIGNIN = 3;
  const REFUSED = 4;
  /** Retries of reports waiting: 2 s after the first failure, doubling, at most 5 minutes. */
  const BACKOFF_MIN_MS = 2000;
  const BACKOFF_MAX_MS = 5 * 60 * 1000;
  /** States of items the server has not stored yet, and of items that need the user. */
  const UNSENT = ["waiting", "signin", "refused"];
  const NEEDS_USER = ["signin", "refused", "photo_refused"];

  /** The localStorage key of an account's outbox (another account on the phone never sends
   * them). */
  function storageKey(user) {
    return PREFIX + user;
  }

  /** A random (version 4) UUID: crypto.randomUUID, or made from getRandomValues where the
   * browser lacks it (pages served over plain HTTP on a local network). */
  function newKey(crypto) {
    const c = crypto || env.crypto;
    if (c && typeof c.randomUUID === "function") return c.randomUUID();
    const b = c.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const hex = Array.from(b, function (x) {
      return (x + 0x100).toString(16).slice(1);
    });
    return [
      hex.slice(0, 4).join(""),
      hex.slice(4, 6).join(""),
      hex.slice(6, 8).join(""),
      hex.slice(8, 10).join(""),
      hex.slice(10).join(""),
    ].join("-");
  }

  /** The outbox kept under `key` in `storage` (a Storage: localStorage). */
  function open(storage, key) {
    function items() {
      try {
        const list = JSON.parse(storage.getItem(key) || "[]");
        return Array.isArray(list) ? list.filter(isItem) : [];
      } catch {
        return [];
      }
    }

    function save(list) {
      if (list.length) storage.setItem(key, JSON.stringify(list));
      else storage.removeItem(key);
    }

    function find(itemKey) {
      return (
        items().find(function (item) {
          return item.key === itemKey;
        }) || null
      );
    }

    /** Adds the item, or replaces the one with its key; throws when the storage is full. */
    function put(item) {
      const list = items().filter(function (other) {
        return other.key !== item.key;
      });
      list.push(item);
      save(list);
    }

    /** Changes the item with `itemKey`; returns it changed, or null when it is gone. */
    function update(itemKey, changes) {
      const list = items();
      let found = null;
      list.forEach(function (item) {
        if (item.key === itemKey) {
          Object.assign(item, changes);
          found = item;
        }
      });
      save(list);
      return found;
    }

    function remove(itemKey) {
      save(
        items().filter(function (item) {
          return item.key !== itemKey;
        }),
      );
    }

    return { key: key, items: items, find: find, put: put, update: update, remove: remove };
  }

  function isItem(item) {
    return !!item && typeof item.key === "string" && !!item.body && typeof item.body === "object";
  }

  /** A new item for a report `body` (its idempotency_key set to the item's key). */
  function makeItem(body, hasPhoto, key) {
    const itemKey = key || newKey();
    return {
      key: itemKey,
      body: Object.assign({}, body, { idempotency_key: itemKey }),
      photo: !!hasPhoto,
      state: "waiting",
      incident: null,
      error: null,
      attempts: 0,
      created: env.now().toISOString(),
    };
  }

  /** What an answer (HTTP status, JSON body or null; 0: no answer) means for the outbox. */
  function classify(status, body) {
    if (status === 200 || status === 201) return STORED;
    if (status === 401 || status === 403) return SIGNIN;
    // A stale CSRF token (signed out and in again elsewhere) is not a fault of the report.
    const said = body ? String(body.error || "") + " " + String(body.message || "") : "";
    if (status === 400 && body && !body.field && /csrf/i.test(said)) return SIGNIN;
    if (status === 408 || status === 429 || status >= 500) return TRANSIENT;
    if (status >= 400) return REFUSED;
    return TRANSIENT;
  }

  /** The state an item takes after an answer of `kind` to its report. */
  function stateAfter(kind) {
    if (kind === STORED) return "stored";
    if (kind === REFUSED) return "refused";
    if (kind === SIGNIN) return "signin";
    return "waiting";
  }

  /** The error kept with an item: the server's message (already in the page's language). */
  function errorOf(status, body) {
    return {
      status: status,
      message: (body && typeof body.message === "string" && body.message) || null,
      field: (body && typeof body.field === "string" && body.field) || null,
      distance_m: body && typeof body.distance_m === "number" ? body.distance_m : null,
    };
  }

  /** Milliseconds before the next try after `failures` failed rounds in a row: doubling from
   * BACKOFF_MIN_MS up to BACKOFF_MAX_MS, and a random half of it ("equal jitter"), so that
   * phones that lost the same network do not all come back at once. */
  function backoff(failures, random) {
    const draw = random === undefined ? env.random() : random;
    const exponent = Math.min(Math.max(0, failures - 1), 20);
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * Math.pow(2, exponent));
    return delay / 2 + (draw * delay) / 2;
  }

  /** The keys of the items to send now: waiting reports and photos, and the items waiting
   * for a sign-in when `includeSignin` (the page was loaded after one). */
  function due(list, includeSignin) {
    return list
      .filter(function (item) {
        return (
          item.state === "waiting" ||
          item.state === "stored" ||
          (includeSignin && item.state === "signin")
        );
      })
      .map(function (item) {
        return item.key;
      });
  }

  /** The items whose report the server has not stored, oldest first (what "My reports" shows
   * as waiting to be sent). */
  function unsent(list) {
    return list
      .filter(function (item) {
        return !item.incident && UNSENT.indexOf(item.state) >= 0;
      })
      .sort(function (a, b) {
        return String(a.created).localeCompare(String(b.created));
      });
  }

  /** Counts of an outbox for its badge: reports waiting (with the oldest one's time), photos
   * waiting, refused items, items waiting for a sign-in, and whether one needs the user. */
  function summary(list) {
    const counts = { waiting: 0, photos: 0, refused: 0, signin: 0, since: null, attention: false };
    list.forEach(function (item) {
      if (item.state === "refused" || item.state === "photo_refused") counts.refused += 1;
      else if (item.state === "stored") counts.photos += 1;
      else {
        counts.waiting += 1;
        if (!counts.since || String(item.created) < counts.since) counts.since = item.created;
      }
      if (item.state === "signin") counts.signin += 1;
      if (NEEDS_USER.indexOf(item.state) >= 0) counts.attention = true;
    });
    return counts;
  }

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  /** "2026-11-21T14:05" of `date` in the device's time (a datetime-local input's value). */
  function localMinute(date) {
    return (
      date.getFullYear() +
      "-" +
      pad(date.getMonth() + 1) +
      "-" +
      pad(date.getDate()) +
      "T" +
      pad(date.getHours()) +
      ":" +
      pad(date.getMinutes())
    );
  }

  /** "2026-11-21T14:05" (device time) -> "2026-11-21T14:05:00+07:00", or null. */
  function rfc3339(value) {
    const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value || "");
    if (!m) return null;
    const date = new Date(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0));
    if (isNaN(date.getTime()) || date.getDate() !== +m[3] || date.getMonth() !== +m[2] - 1) {
      return null;
    }
    let offset = -date.getTimezoneOffset();
    const sign = offset < 0 ? "-" : "+";
    offset = Math.abs(offset);
    return (
      localMinute(date) +
      ":" +
      pad(date.getSeconds()) +
      sign +
      pad(Math.floor(offset / 60)) +
      ":" +
      pad(offset % 60)
    );
  }

  return {
    STORED: STORED,
    TRANSIENT: TRANSIENT,
    SIGNIN: SIGNIN,
    REFUSED: REFUSED,
    BACKOFF_MIN_MS: BACKOFF_MIN_MS,
    BACKOFF_MAX_MS: BACKOFF_MAX_MS,
    storageKey: storageKey,
    newKey: newKey,
    open: open,
    makeItem: makeItem,
    classify: classify,
    stateAfter: stateAfter,
    errorOf: errorOf,
    backoff: backoff,
    due: due,
    unsent: unsent,
    summary: summary,
    localMinute: localMinute,
    rfc3339: rfc3339,
  };
});
