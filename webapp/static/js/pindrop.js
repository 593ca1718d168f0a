/*
 * borderwatch pin drop: a signed-in officer, volunteer or coordinator reports an incident from
 * the map page, also on a weak or absent connection.
 *
 * "Report an incident" (a map control), then a tap on the map or "Use my location" places a
 * draggable pin and opens the form (templates/map.html). On submit the report gets a
 * client-made idempotency key (crypto.randomUUID) and goes into the outbox BEFORE it is sent:
 *
 *   localStorage["borderwatch.outbox.v1.<account id>"] = [item, …]
 *   item = { key, body, photo, state, incident, error, attempts, created }
 *   body = the JSON of POST /api/incidents (gis/incidents/reports.py), idempotency_key = key
 *   state: "waiting"  not stored yet; sent again when `online` fires, on page load and with
 *                     backoff (network failure, 5xx, 408, 429)
 *          "signin"   401/403 or a stale CSRF token: kept, sent again after a new sign-in
 *          "refused"  another 4xx: never sent again; the server's message is shown and the
 *                     user discards it
 *          "stored"   the report is stored (incident = the server's answer), its photo is not
 *          "photo_refused"  the photo API refused the photo (the report itself is stored)
 *
 * An item leaves the outbox only when the server answered 201/200 for the report and, when it
 * has a photo, for the photo. A retry sends the same key, so the server stores the report once.
 * The photo Blob waits in IndexedDB ("borderwatch-pindrop", store "photos", keyed by the
 * idempotency key) and is uploaded to POST /api/incidents/<id>/photos (field "photo") once the
 * report is stored; a retry sends the same bytes.
 *
 * Contract with the other map scripts:
 *   - map.fire("bw:incidentcreated", {incident: <JSON answer of POST /api/incidents>}) on the
 *     Leaflet map once per report when it is stored (201, or 200 for a retry whose first answer
 *     was lost; also for a report sent after a reload, so a listener dedupes by incident.id).
 *   - window.borderwatch.pindrop: { map, storageKey, items(), flush(), onStored(fn) }.
 *
 * Everything from the server or the user is written with textContent (no HTML from data).
 */
(function (global) {
  "use strict";

  var configNode = document.getElementById("pindrop-config");
  var bw = global.borderwatch;
  if (!configNode || !global.L || !bw) return;
  var config = JSON.parse(configNode.textContent);
  var started = false;

  function once(map) {
    if (started) return;
    started = true;
    start(map);
  }
  /* layers.js calls back for the page's map, now or once it is built. */
  if (typeof bw.onMap === "function") bw.onMap(once);
  else if (bw.maps && bw.maps.length) once(bw.maps[0].map);

  /* Everything else needs the map. */
  function start(map) {
    var STORAGE_KEY = "borderwatch.outbox.v1." + config.user;
    var IDB_NAME = "borderwatch-pindrop";
    var IDB_STORE = "photos";
    var BACKOFF_MIN_MS = 2000;
    var BACKOFF_MAX_MS = 5 * 60 * 1000;
    var FUTURE_TOLERANCE_MS = 60 * 60 * 1000;
    var MAX_DESCRIPTION = 5000;
    var STORED = 1, TRANSIENT = 2, SIGNIN = 3, REFUSED = 4;
    var CATEGORY_NAMES = {};

    var form = document.getElementById("pd-form");
    var hint = document.getElementById("pd-hint");
    var message = document.getElementById("pd-message");
    var outboxBox = document.getElementById("pd-outbox");
    var outboxStatus = document.getElementById("pd-outbox-status");
    var outboxList = document.getElementById("pd-outbox-items");
    var latInput = document.getElementById("pd-lat");
    var lonInput = document.getElementById("pd-lon");
    var categoryInput = document.getElementById("pd-category");
    var whenInput = document.getElementById("pd-when");
    var severityInput = document.getElementById("pd-severity");
    var descriptionInput = document.getElementById("pd-description");
    var photoInput = document.getElementById("pd-photo");
    var submitButton = document.getElementById("pd-submit");

    Array.prototype.forEach.call(categoryInput.options, function (option) {
      if (option.value) CATEGORY_NAMES[option.value] = option.textContent;
    });

    function el(tag, className, text) {
      var node = document.createElement(tag);
      if (className) node.className = className;
      if (text !== undefined) node.textContent = text;
      return node;
    }

    function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }

    /* ---- the outbox in localStorage (read again before every change: other tabs) ---- */

    function items() {
      try {
        var list = JSON.parse(global.localStorage.getItem(STORAGE_KEY) || "[]");
        return Array.isArray(list) ? list : [];
      } catch (error) {
        return [];
      }
    }

    function save(list) {
      if (list.length) global.localStorage.setItem(STORAGE_KEY, JSON.stringify(list));
      else global.localStorage.removeItem(STORAGE_KEY);
    }

    function find(key) {
      return items().filter(function (item) { return item.key === key; })[0] || null;
    }

    function put(item) {
      var list = items().filter(function (other) { return other.key !== item.key; });
      list.push(item);
      save(list);
    }

    function update(key, changes) {
      var list = items(), found = null;
      list.forEach(function (item) {
        if (item.key === key) { Object.assign(item, changes); found = item; }
      });
      save(list);
      return found;
    }

    function remove(key) {
      save(items().filter(function (item) { return item.key !== key; }));
      deletePhoto(key);
    }

    /* ---- photos in IndexedDB, keyed by the idempotency key ---- */

    var dbPromise = null;

    function photoDb() {
      if (!dbPromise) {
        dbPromise = new Promise(function (resolve, reject) {
          if (!global.indexedDB) { reject(new Error("IndexedDB is not available")); return; }
          var request = global.indexedDB.open(IDB_NAME, 1);
          request.onupgradeneeded = function () { request.result.createObjectStore(IDB_STORE); };
          request.onsuccess = function () { resolve(request.result); };
          request.onerror = function () { reject(request.error); };
        });
        dbPromise.catch(function () { dbPromise = null; });
      }
      return dbPromise;
    }

    function photoRequest(mode, action) {
      return photoDb().then(function (db) {
        return new Promise(function (resolve, reject) {
          var tx = db.transaction(IDB_STORE, mode);
          var request = action(tx.objectStore(IDB_STORE));
          var result;
          request.onsuccess = function () { result = request.result; };
          tx.oncomplete = function () { resolve(result); };
          tx.onerror = tx.onabort = function () { reject(tx.error || request.error); };
        });
      });
    }

    function savePhoto(key, file) {
      return photoRequest("readwrite", function (store) {
        return store.put({ blob: file, name: file.name || "photo", type: file.type }, key);
      });
    }

    function loadPhoto(key) {
      return photoRequest("readonly", function (store) { return store.get(key); });
    }

    function deletePhoto(key) {
      photoRequest("readwrite", function (store) { return store.delete(key); })
        .catch(function () { /* nothing stored, or no IndexedDB */ });
    }

    /* ---- talking to the server ---- */

    function readJson(response) {
      return response.json().catch(function () { return null; });
    }

    /* What an answer means for the outbox: stored, try again later, sign in again, or refused. */
    function classify(status, body) {
      if (status === 200 || status === 201) return STORED;
      if (status === 401 || status === 403) return SIGNIN;
      // A stale CSRF token (signed out and in again elsewhere) is not a fault of the report.
      if (status === 400 && body && !body.field && /csrf/i.test(body.message || "")) return SIGNIN;
      if (status === 408 || status === 429 || status >= 500) return TRANSIENT;
      if (status >= 400) return REFUSED;
      return TRANSIENT;
    }

    function errorOf(status, body) {
      return {
        status: status,
        message: (body && body.message) || "The server refused this (HTTP " + status + ").",
        field: (body && body.field) || null,
        distance_m: body && typeof body.distance_m === "number" ? body.distance_m : null
      };
    }

    var inflight = {};

    function sendReport(item) {
      return fetch(config.incidentsUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(item.body)
      }).then(function (response) {
        return readJson(response).then(function (body) {
          return { kind: classify(response.status, body), status: response.status, body: body };
        });
      }, function () {
        return { kind: TRANSIENT, status: 0, body: null };
      });
    }

    function sendPhoto(item) {
      return loadPhoto(item.key).then(function (record) {
        if (!record || !record.blob) return { kind: STORED, lost: true };
        var data = new FormData();
        data.append("photo", record.blob, record.name || "photo");
        return fetch(config.incidentsUrl + "/" + item.incident.id + "/photos", {
          method: "POST",
          credentials: "same-origin",
          headers: { Accept: "application/json" },
          body: data
        }).then(function (response) {
          return readJson(response).then(function (body) {
            return { kind: classify(response.status, body), status: response.status, body: body };
          });
        }, function () {
          return { kind: TRANSIENT, status: 0, body: null };
        });
      }, function () {
        return { kind: STORED, lost: true };
      });
    }

    var storedListeners = [];

    var storedIncidents = {};

    function reportStored(key, incident) {
      storedIncidents[key] = incident;
      map.fire("bw:incidentcreated", { incident: incident });
      /* The incidents layer (layers.js) draws it when it is on the map; else a pin of our own. */
      var layer = typeof bw.findLayer === "function" ? bw.findLayer(map, "incidents") : null;
      if (!layer || !map.hasLayer(layer.group)) showSent(incident);
      storedListeners.forEach(function (fn) { fn(incident); });
    }

    /* Sends one item as far as it goes now; resolves to STORED (all done), TRANSIENT, SIGNIN or
       REFUSED. */
    function deliver(key) {
      if (inflight[key]) return inflight[key];
      var item = find(key);
      if (!item) return Promise.resolve(STORED);
      var promise = (item.incident ? Promise.resolve(item) : sendReport(item).then(function (res) {
        if (res.kind === STORED && !(res.body && res.body.id)) res.kind = TRANSIENT;
        if (res.kind === STORED) {
          item = update(key, { state: "stored", incident: res.body, error: null });
          reportStored(key, res.body);
          return item || STORED;
        }
        var state = res.kind === REFUSED ? "refused" : res.kind === SIGNIN ? "signin" : "waiting";
        update(key, {
          state: state,
          attempts: (item.attempts || 0) + 1,
          error: res.kind === TRANSIENT ? null : errorOf(res.status, res.body)
        });
        return res.kind;
      })).then(function (stored) {
        if (typeof stored === "number") return stored;
        if (!stored.photo) { remove(key); return STORED; }
        return sendPhoto(stored).then(function (res) {
          if (res.kind === STORED) {
            if (res.lost) showMessage("The photo of report #" + stored.incident.id +
              " was no longer on this phone; the report itself is stored.");
            remove(key);
            return STORED;
          }
          var state = res.kind === REFUSED ? "photo_refused"
            : res.kind === SIGNIN ? "signin" : "stored";
          update(key, {
            state: state,
            error: res.kind === TRANSIENT ? null : errorOf(res.status, res.body)
          });
          return res.kind;
        });
      });
      inflight[key] = promise;
      var done = function () { delete inflight[key]; render(); };
      promise.then(done, done);
      return promise;
    }

    /* ---- retries: on `online`, on page load, and with backoff while something waits ---- */

    var retryTimer = null;
    var failures = 0;

    function flush(includeSignin) {
      var keys = items().filter(function (item) {
        return item.state === "waiting" || item.state === "stored" ||
          (includeSignin && item.state === "signin");
      }).map(function (item) { return item.key; });
      if (!keys.length) return Promise.resolve([]);
      return Promise.all(keys.map(deliver)).then(function (results) {
        if (results.indexOf(TRANSIENT) >= 0) { failures += 1; schedule(); } else { failures = 0; }
        return results;
      });
    }

    function schedule() {
      if (retryTimer) clearTimeout(retryTimer);
      var delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * Math.pow(2, Math.max(0, failures - 1)));
      delay = delay / 2 + Math.random() * delay / 2;
      retryTimer = setTimeout(function () { retryTimer = null; flush(false); }, delay);
    }

    global.addEventListener("online", function () { failures = 0; flush(false); });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") flush(false);
    });
    global.addEventListener("storage", function (event) {
      if (event.key === STORAGE_KEY) render();
    });

    /* ---- markers: the draft pin, the reports waiting, the reports stored ---- */

    function pinIcon(kind) {
      return L.divIcon({
        className: "bw-pd-pin bw-pd-pin--" + kind,
        html: "",
        iconSize: [26, 26],
        iconAnchor: [13, 31],
        popupAnchor: [0, -28]
      });
    }

    var outboxLayer = L.layerGroup().addTo(map);
    var sentLayer = L.layerGroup().addTo(map);
    var draftPin = null;

    function popupText(lines) {
      var root = el("div", "bw-popup");
      lines.forEach(function (line, i) { root.appendChild(el(i ? "div" : "strong", null, line)); });
      return root;
    }

    function showSent(incident) {
      if (!incident || typeof incident.lat !== "number") return;
      L.marker([incident.lat, incident.lon], {
        icon: pinIcon("sent"), title: "Report #" + incident.id + " stored", keyboard: false
      }).bindPopup(popupText([
        "Report #" + incident.id + " stored",
        CATEGORY_NAMES[incident.category] || incident.category,
        incident.district ? incident.district.name + " (" + incident.district.province + ")" : ""
      ])).addTo(sentLayer);
    }

    function stateText(item) {
      var e = item.error;
      switch (item.state) {
        case "refused":
          return "Refused: " + withDistance(e) + (e.field ? " (" + e.field + ")" : "");
        case "signin":
          return "Waiting: sign in again to send it.";
        case "stored":
          return "Report #" + item.incident.id + " stored; its photo is waiting to be sent.";
        case "photo_refused":
          return "Report #" + item.incident.id + " stored, but the photo was refused: " +
            e.message + (e.field ? " (" + e.field + ")" : "");
        default:
          return inflight[item.key] ? "Sending…" : "Waiting to be sent.";
      }
    }

    /* The server's message, with the distance to the service area unless it gives it already. */
    function withDistance(error) {
      var text = error.message;
      if (error.distance_m !== null &&
          text.indexOf((error.distance_m / 1000).toFixed(1) + " km") < 0) {
        text += " (" + distanceText(error.distance_m) + ")";
      }
      return text;
    }

    function distanceText(metres) {
      return metres >= 1000 ? (metres / 1000).toFixed(1) + " km outside the service area"
        : Math.round(metres) + " m outside the service area";
    }

    function discardButton(item) {
      var label = item.state === "photo_refused" ? "Discard photo" : "Discard";
      var button = el("button", "bw-pd-discard", label);
      button.type = "button";
      button.addEventListener("click", function () { remove(item.key); render(); });
      return button;
    }

    function render() {
      var list = items();
      outboxLayer.clearLayers();
      outboxList.textContent = "";
      var waiting = 0, photos = 0, refused = 0, signin = 0;
      list.forEach(function (item) {
        if (item.state === "refused" || item.state === "photo_refused") refused += 1;
        else if (item.state === "stored") photos += 1;
        else waiting += 1;
        if (item.state === "signin") signin += 1;
        var row = el("li", "bw-pd-item bw-pd-item--" + item.state);
        var what = (CATEGORY_NAMES[item.body.category] || item.body.category) + ", " +
          item.body.occurred_at.slice(0, 16).replace("T", " ");
        row.appendChild(el("strong", null, what));
        row.appendChild(el("span", "bw-pd-item-state", stateText(item)));
        if (item.state === "refused" || item.state === "photo_refused") {
          row.appendChild(discardButton(item));
        } else if (item.state === "signin") {
          var link = el("a", null, "Sign in again");
          link.href = config.loginUrl;
          row.appendChild(link);
        }
        outboxList.appendChild(row);
        if (!item.incident) {
          var kind = item.state === "refused" ? "refused" : "pending";
          L.marker([item.body.lat, item.body.lon], {
            icon: pinIcon(kind), title: kind === "refused" ? "Report refused" : "Report waiting",
            keyboard: false
          }).bindPopup(popupText([
            kind === "refused" ? "Report refused" : "Report waiting to be sent",
            what, stateText(item)
          ])).addTo(outboxLayer);
        }
      });
      var parts = [];
      if (waiting) parts.push(plural(waiting, "report", "reports") + " waiting to be sent");
      if (photos) parts.push(plural(photos, "photo", "photos") + " waiting to be sent");
      if (refused) parts.push(plural(refused, "report", "reports") + " refused");
      var text = parts.join(", ") + (parts.length ? "." : "");
      if (signin) text += " Sign in again to send them; they stay on this phone.";
      else if (waiting && !navigator.onLine) text += " No connection: they are kept on this phone.";
      outboxStatus.textContent = text;
      outboxBox.hidden = list.length === 0;
    }

    var messageTimer = null;

    function showMessage(text, sticky) {
      message.textContent = text;
      message.hidden = false;
      if (messageTimer) clearTimeout(messageTimer);
      messageTimer = sticky ? null : setTimeout(function () { message.hidden = true; }, 8000);
    }

    /* ---- the form ---- */

    var formKey = null; /* the refused item the open form would replace */

    function pad(n) { return (n < 10 ? "0" : "") + n; }

    function localMinute(date) {
      return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) +
        "T" + pad(date.getHours()) + ":" + pad(date.getMinutes());
    }

    /* "2026-11-21T14:05" (device time) -> "2026-11-21T14:05:00+07:00", or null. */
    function rfc3339(value) {
      var m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value || "");
      if (!m) return null;
      var date = new Date(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0));
      if (isNaN(date.getTime())) return null;
      var offset = -date.getTimezoneOffset();
      var sign = offset < 0 ? "-" : "+";
      offset = Math.abs(offset);
      return localMinute(date) + ":" + pad(date.getSeconds()) + sign +
        pad(Math.floor(offset / 60)) + ":" + pad(offset % 60);
    }

    function newKey() {
      if (global.crypto && typeof global.crypto.randomUUID === "function") {
        return global.crypto.randomUUID();
      }
      var b = global.crypto.getRandomValues(new Uint8Array(16));
      b[6] = (b[6] & 0x0f) | 0x40;
      b[8] = (b[8] & 0x3f) | 0x80;
      var hex = Array.prototype.map.call(b, function (x) {
        return (x + 0x100).toString(16).slice(1);
      });
      return hex.slice(0, 4).join("") + "-" + hex.slice(4, 6).join("") + "-" +
        hex.slice(6, 8).join("") + "-" + hex.slice(8, 10).join("") + "-" + hex.slice(10).join("");
    }

    var FIELD_SLOT = { lon: "location", lat: "location", location: "location", photo: "photo",
      category: "category",
      occurred_at: "occurred_at", severity: "severity", description: "description" };

    function clearErrors() {
      form.querySelectorAll("[data-error-for]").forEach(function (node) {
        node.hidden = true;
        node.textContent = "";
      });
      form.querySelectorAll(".bw-pd-invalid").forEach(function (node) {
        node.classList.remove("bw-pd-invalid");
      });
    }

    function fieldError(field, text) {
      var slot = FIELD_SLOT[field] || "body";
      var node = form.querySelector('[data-error-for="' + slot + '"]');
      node.textContent = node.hidden || !node.textContent ? text : node.textContent + " " + text;
      node.hidden = false;
      var input = { location: null, category: categoryInput, occurred_at: whenInput,
        severity: severityInput, description: descriptionInput, photo: photoInput }[slot];
      if (slot === "location") {
        latInput.classList.add("bw-pd-invalid");
        lonInput.classList.add("bw-pd-invalid");
      }
      if (input) input.classList.add("bw-pd-invalid");
      return node;
    }

    function number(input) {
      var value = parseFloat(String(input.value).trim().replace(",", "."));
      return isFinite(value) ? value : null;
    }

    function setPin(latlng, pan) {
      var p = L.latLng(latlng).wrap();
      latInput.value = p.lat.toFixed(6);
      lonInput.value = p.lng.toFixed(6);
      if (!draftPin) {
        draftPin = L.marker(p, {
          icon: pinIcon("draft"), draggable: true, autoPan: true, title: "New report",
          alt: "New report"
        }).addTo(map);
        draftPin.on("dragend", function () {
          var q = draftPin.getLatLng().wrap();
          latInput.value = q.lat.toFixed(6);
          lonInput.value = q.lng.toFixed(6);
        });
      } else {
        draftPin.setLatLng(p);
      }
      openForm();
      if (pan) keepPinVisible();
    }

    function pinFromInputs() {
      var lat = number(latInput), lon = number(lonInput);
      if (lat === null || lon === null || Math.abs(lat) > 90 || Math.abs(lon) > 180) return;
      if (draftPin) draftPin.setLatLng([lat, lon]);
      keepPinVisible();
    }

    /* The form covers the lower part of the map on a phone, its left side on a wider screen:
       move the pin into the part of the map left free. */
    function keepPinVisible() {
      if (!draftPin) return;
      var size = map.getSize();
      var box = map.getContainer().getBoundingClientRect();
      var sheet = form.getBoundingClientRect();
      var left = 0, bottom = size.y;
      if (sheet.width < box.width * 0.9) left = Math.min(size.x - 80, sheet.right - box.left);
      else bottom = Math.max(80, Math.min(size.y, sheet.top - box.top));
      var point = map.latLngToContainerPoint(draftPin.getLatLng());
      if (point.x > left + 30 && point.x < size.x - 30 && point.y > 30 && point.y < bottom - 30) {
        return;
      }
      map.panBy([point.x - (left + size.x) / 2, point.y - bottom / 2], { animate: false });
    }

    function openForm() {
      if (!form.hidden) return;
      clearErrors();
      form.reset();
      formKey = null;
      whenInput.value = localMinute(new Date());
      if (draftPin) {
        var p = draftPin.getLatLng();
        latInput.value = p.lat.toFixed(6);
        lonInput.value = p.lng.toFixed(6);
      }
      hint.hidden = true;
      form.hidden = false;
      map.getContainer().classList.add("bw-pd-form-open");
      submitButton.disabled = false;
      submitButton.textContent = "Send report";
    }

    function setReporting(on) {
      reporting = on;
      reportButton.classList.toggle("bw-pd-active", on);
      /* While reporting, a tap on a district or a marker is a tap on the map (pindrop.css). */
      map.getContainer().classList.toggle("bw-pd-reporting", on);
    }

    function closeForm() {
      form.hidden = true;
      map.getContainer().classList.remove("bw-pd-form-open");
      hint.hidden = true;
      setReporting(false);
      if (draftPin) { map.removeLayer(draftPin); draftPin = null; }
      formKey = null;
    }

    function checkForm() {
      clearErrors();
      var ok = true;
      var lat = number(latInput), lon = number(lonInput);
      if (lat === null || lon === null || Math.abs(lat) > 90 || Math.abs(lon) > 180) {
        fieldError("lat", "Place the pin on the map (or give a latitude and longitude).");
        ok = false;
      }
      if (!categoryInput.value) { fieldError("category", "Choose what happened."); ok = false; }
      var when = rfc3339(whenInput.value);
      if (!when) {
        fieldError("occurred_at", "Give the date and time it happened.");
        ok = false;
      } else if (new Date(when).getTime() > Date.now() + FUTURE_TOLERANCE_MS) {
        fieldError("occurred_at", "This lies in the future: check the date and time.");
        ok = false;
      }
      if (descriptionInput.value.length > MAX_DESCRIPTION) {
        fieldError("description", "At most 5,000 characters.");
        ok = false;
      }
      var photo = photoInput.files && photoInput.files[0];
      if (photo) {
        if (config.photoTypes.indexOf(photo.type) < 0) {
          fieldError("photo", "The photo must be a JPEG, PNG or WebP image.");
          ok = false;
        } else if (photo.size > config.maxPhotoBytes) {
          fieldError("photo", "The photo is larger than 10 MB (" +
            (photo.size / 1048576).toFixed(1) + " MB).");
          ok = false;
        }
      }
      if (!ok) return null;
      var body = {
        lon: lon, lat: lat, category: categoryInput.value, occurred_at: when,
        severity: parseInt(severityInput.value, 10)
      };
      if (descriptionInput.value.trim()) body.description = descriptionInput.value;
      return { body: body, photo: photo || null };
    }

    function showServerError(error) {
      var node = fieldError(error.field || "body", withDistance(error));
      if (node.scrollIntoView) node.scrollIntoView({ block: "nearest" });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var checked = checkForm();
      if (!checked) return;
      if (formKey) { remove(formKey); formKey = null; }
      var key = newKey();
      checked.body.idempotency_key = key;
      var item = {
        key: key, body: checked.body, photo: !!checked.photo, state: "waiting", incident: null,
        error: null, attempts: 0, created: new Date().toISOString()
      };
      submitButton.disabled = true;
      submitButton.textContent = "Sending…";
      var kept = checked.photo ? savePhoto(key, checked.photo) : Promise.resolve();
      kept.then(function () {
        try {
          put(item); /* on the phone before the request leaves */
        } catch (error) {
          return Promise.reject(error);
        }
        render();
        return deliver(key);
      }).then(function (result) {
        var now = find(key);
        if (result === REFUSED && now && now.state === "refused") {
          formKey = key;
          submitButton.disabled = false;
          submitButton.textContent = "Send report";
          showServerError(now.error);
          return;
        }
        closeForm();
        /* The form covered the lower part of the map: show the report's place in the middle. */
        map.panTo([item.body.lat, item.body.lon], { animate: false });
        var incident = storedIncidents[key];
        if (incident) {
          var text = "Report #" + incident.id + " stored" +
            (incident.district ? " (" + incident.district.name + ")" : "") + ".";
          if (now && now.state === "photo_refused") {
            text += " The photo was refused: " + now.error.message;
          } else if (now) {
            text += " Its photo is waiting to be sent.";
          }
          showMessage(text, !!now);
        } else if (result === SIGNIN) {
          showMessage("Your session has ended. The report is kept on this phone: sign in again " +
            "to send it.", true);
        } else {
          showMessage("No connection: the report is kept on this phone and will be sent when " +
            "the connection returns.");
        }
        if (result === TRANSIENT) { failures += 1; schedule(); }
      }, function () {
        submitButton.disabled = false;
        submitButton.textContent = "Send report";
        fieldError(checked.photo ? "photo" : "body",
          "This phone could not keep the report (storage full or blocked)" +
          (checked.photo ? ": try without the photo." : "."));
      });
    });

    /* A stored report's message names its id (deliver() removed it from the outbox already). */
    storedListeners.push(function (incident) {
      if (!form.hidden) return;
      showMessage("Report #" + incident.id + " stored" +
        (incident.district ? " (" + incident.district.name + ")." : "."));
    });

    document.getElementById("pd-cancel").addEventListener("click", closeForm);
    latInput.addEventListener("change", pinFromInputs);
    lonInput.addEventListener("change", pinFromInputs);

    /* ---- report mode: the control, taps on the map, "my location" ---- */

    var reporting = false;
    var reportButton;

    var ReportControl = L.Control.extend({
      options: { position: "topleft" },
      onAdd: function () {
        var root = el("div", "leaflet-bar bw-pd-control");
        reportButton = el("button", "bw-pd-report", "Report an incident");
        reportButton.type = "button";
        reportButton.id = "pd-report";
        reportButton.addEventListener("click", function () {
          if (reporting) { closeForm(); return; }
          setReporting(true);
          map.closePopup();
          hint.hidden = false;
        });
        root.appendChild(reportButton);
        L.DomEvent.disableClickPropagation(root);
        return root;
      }
    });
    new ReportControl().addTo(map);
    [hint, form, outboxBox, message].forEach(function (node) {
      L.DomEvent.disableClickPropagation(node);
      L.DomEvent.disableScrollPropagation(node);
    });

    map.on("click", function (event) {
      if (!reporting) return;
      map.closePopup();
      setPin(event.latlng, true);
    });

    document.querySelectorAll(".bw-pd-locate").forEach(function (button) {
      button.addEventListener("click", function () {
        if (!reporting) setReporting(true);
        button.disabled = true;
        map.locate({ setView: false, enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
      });
    });
    hint.querySelector(".bw-pd-hint-cancel").addEventListener("click", closeForm);

    function locateDone() {
      document.querySelectorAll(".bw-pd-locate").forEach(function (b) { b.disabled = false; });
    }

    map.on("locationfound", function (event) {
      locateDone();
      if (!reporting) return;
      map.setView(event.latlng, Math.max(map.getZoom(), 15), { animate: false });
      setPin(event.latlng, true);
    });

    map.on("locationerror", function (event) {
      locateDone();
      var text = event.code === 1
        ? "Location permission was denied: tap the map where it happened, or allow location " +
          "for this site in the browser's settings."
        : "Your location could not be found (" + event.message + "): tap the map instead.";
      if (!form.hidden) fieldError("lat", text);
      else showMessage(text);
    });

    bw.pindrop = {
      map: map,
      storageKey: STORAGE_KEY,
      items: items,
      flush: function () { return flush(true); },
      onStored: function (fn) { storedListeners.push(fn); }
    };

    render();
    flush(true);
  }
})(window);
