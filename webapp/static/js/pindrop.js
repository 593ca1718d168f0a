/*
 * borderwatch pin drop: a signed-in officer, volunteer or coordinator reports an incident from
 * the map page, also on a weak or absent connection.
 *
 * The floating report button (templates/pindrop.html), then a tap on the map or "Use my
 * location" places a draggable pin and opens the form (a bottom sheet on phones). On submit the
 * report gets a client-made idempotency key and goes into the outbox BEFORE it is sent. The
 * outbox itself (what localStorage keeps, what each answer means, the retry schedule, the keys)
 * is static/js/outbox.js (bw.outbox), shared with "My reports"; this script is its pages' side:
 * the form, the map's pins, the badge and the requests.
 *
 * An item leaves the outbox only when the server answered 201/200 for the report and, when it
 * has a photo, for the photo. A retry sends the same key, so the server stores the report once.
 * The photo Blob waits in IndexedDB ("borderwatch-pindrop", store "photos", keyed by the
 * idempotency key) and is uploaded to POST /api/incidents/<id>/photos (field "photo") once the
 * report is stored; a retry sends the same bytes. Reports waiting are sent again when the
 * connection returns, when the page is shown again, on page load and with backoff.
 *
 * Every word goes through bw.t / bw.tn (static/js/i18n.js); the server's error messages come
 * in the page's language and are shown as they are, with the form's label of the field.
 *
 * Contract with the other map scripts:
 *   - map.fire("bw:incidentcreated", {incident: <JSON answer of POST /api/incidents>}) on the
 *     Leaflet map once per report when it is stored (201, or 200 for a retry whose first answer
 *     was lost; also for a report sent after a reload, so a listener dedupes by incident.id).
 *   - borderwatch.pindrop: { map, storageKey, items(), flush(), onStored(fn) }.
 *
 * Everything from the server or the user is written with textContent (no HTML from data).
 */
(function (global) {
  "use strict";

  /* Runs once the deferred scripts it needs (i18n.js, outbox.js, layers.js) have run. */
  function boot() {
    const configNode = document.getElementById("pindrop-config");
    const ns = global.borderwatch;
    if (!configNode || !global.L || !ns || !global.bw || !bw.outbox || !bw.t) return;
    const config = JSON.parse(configNode.textContent);
    let started = false;
    function once(map) {
      if (started) return;
      started = true;
      start(map, config, ns);
    }
    /* layers.js calls back for the page's map, now or once it is built. */
    if (typeof ns.onMap === "function") ns.onMap(once);
    else if (ns.maps && ns.maps.length) once(ns.maps[0].map);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();

  /* Everything else needs the map. */
  function start(map, config, ns) {
    const outbox = bw.outbox;
    const box = outbox.open(global.localStorage, outbox.storageKey(config.user));
    const STORAGE_KEY = box.key;
    const IDB_NAME = "borderwatch-pindrop";
    const IDB_STORE = "photos";
    const FUTURE_TOLERANCE_MS = 60 * 60 * 1000;
    const MAX_DESCRIPTION = config.maxDescription || 5000;
    const { STORED, TRANSIENT, SIGNIN, REFUSED } = outbox;
    const categoryNames = new Map(config.categories || []);

    const form = document.getElementById("pd-form");
    const hint = document.getElementById("pd-hint");
    const message = document.getElementById("pd-message");
    const outboxBox = document.getElementById("pd-outbox");
    const outboxStatus = document.getElementById("pd-outbox-status");
    const outboxSince = document.getElementById("pd-outbox-since");
    const outboxToggle = document.getElementById("pd-outbox-toggle");
    const outboxList = document.getElementById("pd-outbox-items");
    const reportButton = document.getElementById("pd-report");
    const reportLabel = reportButton.querySelector(".bw-pd-fab-label");
    const reportText = reportLabel.textContent;
    const latInput = document.getElementById("pd-lat");
    const lonInput = document.getElementById("pd-lon");
    const categoryInput = document.getElementById("pd-category");
    const whenInput = document.getElementById("pd-when");
    const severityInput = document.getElementById("pd-severity");
    const descriptionInput = document.getElementById("pd-description");
    const photoInput = document.getElementById("pd-photo");
    const photoChosen = document.getElementById("pd-photo-chosen");
    const noPhotoText = photoChosen.textContent;
    const submitButton = document.getElementById("pd-submit");
    const accuracyNote = document.getElementById("pd-accuracy");

    function el(tag, className, text) {
      const node = document.createElement(tag);
      if (className) node.className = className;
      if (text !== undefined) node.textContent = text;
      return node;
    }

    function categoryName(value) {
      return categoryNames.get(value) || bw.t("Report");
    }

    function remove(key) {
      box.remove(key);
      deletePhoto(key);
    }

    /* ---- photos in IndexedDB, keyed by the idempotency key ---- */

    let dbPromise = null;

    function photoDb() {
      if (!dbPromise) {
        dbPromise = new Promise(function (resolve, reject) {
          if (!global.indexedDB) {
            reject(new Error("IndexedDB is not available")); // i18n-ignore: never shown
            return;
          }
          const request = global.indexedDB.open(IDB_NAME, 1);
          request.onupgradeneeded = function () {
            request.result.createObjectStore(IDB_STORE);
          };
          request.onsuccess = function () {
            resolve(request.result);
          };
          request.onerror = function () {
            reject(request.error);
          };
        });
        dbPromise.catch(function () {
          dbPromise = null;
        });
      }
      return dbPromise;
    }

    function photoRequest(mode, action) {
      return photoDb().then(function (db) {
        return new Promise(function (resolve, reject) {
          const tx = db.transaction(IDB_STORE, mode);
          const request = action(tx.objectStore(IDB_STORE));
          let result;
          request.onsuccess = function () {
            result = request.result;
          };
          tx.oncomplete = function () {
            resolve(result);
          };
          tx.onerror = tx.onabort = function () {
            reject(tx.error || request.error);
          };
        });
      });
    }

    function savePhoto(key, file) {
      return photoRequest("readwrite", function (store) {
        return store.put({ blob: file, name: file.name || "photo", type: file.type }, key);
      });
    }

    function loadPhoto(key) {
      return photoRequest("readonly", function (store) {
        return store.get(key);
      });
    }

    function deletePhoto(key) {
      photoRequest("readwrite", function (store) {
        return store.delete(key);
      }).catch(function () {
        /* nothing stored, or no IndexedDB */
      });
    }

    /* ---- talking to the server ---- */

    function answerOf(response) {
      return response
        .json()
        .catch(function () {
          return null;
        })
        .then(function (body) {
          return { kind: outbox.classify(response.status, body), status: response.status, body };
        });
    }

    function noAnswer() {
      return { kind: TRANSIENT, status: 0, body: null };
    }

    const inflight = {};

    function sendReport(item) {
      return fetch(config.incidentsUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(item.body),
      }).then(answerOf, noAnswer);
    }

    function sendPhoto(item) {
      return loadPhoto(item.key).then(
        function (record) {
          if (!record || !record.blob) return { kind: STORED, lost: true };
          const data = new FormData();
          data.append("photo", record.blob, record.name || "photo");
          return fetch(config.incidentsUrl + "/" + item.incident.id + "/photos", {
            method: "POST",
            credentials: "same-origin",
            headers: { Accept: "application/json" },
            body: data,
          }).then(answerOf, noAnswer);
        },
        function () {
          return { kind: STORED, lost: true };
        },
      );
    }

    const storedListeners = [];
    const storedIncidents = {};

    function reportStored(key, incident) {
      storedIncidents[key] = incident;
      map.fire("bw:incidentcreated", { incident: incident });
      /* The incidents layer (layers.js) draws it when it is on the map; else a pin of our own. */
      const layer = typeof ns.findLayer === "function" ? ns.findLayer(map, "incidents") : null;
      if (!layer || !map.hasLayer(layer.group)) showSent(incident);
      storedListeners.forEach(function (fn) {
        fn(incident);
      });
    }

    /* Sends one item as far as it goes now; resolves to STORED (all done), TRANSIENT, SIGNIN or
       REFUSED. */
    function deliver(key) {
      if (inflight[key]) return inflight[key];
      let item = box.find(key);
      if (!item) return Promise.resolve(STORED);
      const report = item.incident
        ? Promise.resolve(item)
        : sendReport(item).then(function (res) {
            if (res.kind === STORED && !(res.body && res.body.id)) res.kind = TRANSIENT;
            if (res.kind === STORED) {
              item = box.update(key, { state: "stored", incident: res.body, error: null });
              reportStored(key, res.body);
              return item || STORED;
            }
            box.update(key, {
              state: outbox.stateAfter(res.kind),
              attempts: (item.attempts || 0) + 1,
              error: res.kind === TRANSIENT ? null : outbox.errorOf(res.status, res.body),
            });
            return res.kind;
          });
      const promise = report.then(function (stored) {
        if (typeof stored === "number") return stored;
        if (!stored.photo) {
          remove(key);
          return STORED;
        }
        return sendPhoto(stored).then(function (res) {
          if (res.kind === STORED) {
            if (res.lost) {
              showMessage(
                bw.t(
                  "The photo of report #{id} was no longer on this phone; the report itself is stored.",
                  { id: stored.incident.id },
                ),
              );
            }
            remove(key);
            return STORED;
          }
          let state = "stored";
          if (res.kind === REFUSED) state = "photo_refused";
          else if (res.kind === SIGNIN) state = "signin";
          box.update(key, {
            state: state,
            error: res.kind === TRANSIENT ? null : outbox.errorOf(res.status, res.body),
          });
          return res.kind;
        });
      });
      inflight[key] = promise;
      const done = function () {
        delete inflight[key];
        render();
      };
      promise.then(done, done);
      return promise;
    }

    /* ---- retries: on `online`, on page load, and with backoff while something waits ---- */

    let retryTimer = null;
    let failures = 0;

    function flush(includeSignin) {
      const keys = outbox.due(box.items(), includeSignin);
      if (!keys.length) return Promise.resolve([]);
      return Promise.all(keys.map(deliver)).then(function (results) {
        if (results.indexOf(TRANSIENT) >= 0) {
          failures += 1;
          schedule();
        } else {
          failures = 0;
        }
        return results;
      });
    }

    function schedule() {
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = setTimeout(function () {
        retryTimer = null;
        flush(false);
      }, outbox.backoff(failures));
    }

    global.addEventListener("online", function () {
      failures = 0;
      flush(false);
    });
    global.addEventListener("offline", function () {
      render();
    });
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
        popupAnchor: [0, -28],
      });
    }

    const outboxLayer = L.layerGroup().addTo(map);
    const sentLayer = L.layerGroup().addTo(map);
    let draftPin = null;
    /* The accuracy (metres) of the phone's fix when the pin came from "Use my location", and
     * its circle on the map; null once the pin is placed by hand. */
    let fixAccuracy = null;
    let accuracyCircle = null;
    const MAX_ACCURACY_M = config.maxAccuracyM || 100;

    function forgetFix() {
      fixAccuracy = null;
      accuracyNote.hidden = true;
      if (accuracyCircle) {
        map.removeLayer(accuracyCircle);
        accuracyCircle = null;
      }
    }

    function popupText(lines) {
      const root = el("div", "bw-popup");
      lines.forEach(function (line, i) {
        if (line) root.appendChild(el(i ? "div" : "strong", null, line));
      });
      return root;
    }

    /* A district's and province's names in the page's language (Thai names on Thai pages). */
    function place(district) {
      const thai = bw.locale === "th";
      return {
        district: (thai && district.name_th) || district.name,
        province: (thai && district.province_th) || district.province,
      };
    }

    function storedText(incident) {
      return bw.t("Report #{id} stored", { id: incident.id });
    }

    function showSent(incident) {
      if (!incident || typeof incident.lat !== "number") return;
      L.marker([incident.lat, incident.lon], {
        icon: pinIcon("sent"),
        title: storedText(incident),
        keyboard: false,
      })
        .bindPopup(
          popupText([
            storedText(incident),
            categoryName(incident.category),
            incident.district ? bw.t("{district} ({province})", place(incident.district)) : "",
          ]),
        )
        .addTo(sentLayer);
    }

    /* The form's own name of a field the server named (its label), or null. */
    function fieldLabel(field) {
      const slot = FIELD_SLOT[field];
      const wrap = slot && form.querySelector('[data-field="' + slot + '"]');
      const label = wrap && wrap.querySelector("[data-field-label], legend, label");
      return label ? label.textContent.trim() : null;
    }

    /* The server's message (or ours when it said nothing), with the distance to the service
       area unless the message gives it already, and the field's label. */
    function errorText(error) {
      let text =
        error.message || bw.t("The server refused it (HTTP {status}).", { status: error.status });
      if (typeof error.distance_m === "number") {
        const km = error.distance_m / 1000;
        if (text.indexOf(km.toFixed(1)) < 0 && text.indexOf(bw.formatNumber(km, 1)) < 0) {
          text += " (" + distanceText(error.distance_m) + ")";
        }
      }
      return text;
    }

    function withField(error) {
      const label = error.field ? fieldLabel(error.field) : null;
      const text = errorText(error);
      return label ? bw.t("{message} ({field})", { message: text, field: label }) : text;
    }

    function distanceText(metres) {
      return metres >= 1000
        ? bw.t("{km} km outside the service area", { km: bw.formatNumber(metres / 1000, 1) })
        : bw.t("{m} m outside the service area", { m: bw.formatNumber(Math.round(metres)) });
    }

    function stateText(item) {
      const e = item.error || { status: 0, message: null, field: null, distance_m: null };
      switch (item.state) {
        case "refused":
          return bw.t("Refused: {message}", { message: withField(e) });
        case "signin":
          return bw.t("Waiting: sign in again to send it.");
        case "stored":
          return bw.t("Report #{id} stored; its photo is waiting to be sent.", {
            id: item.incident.id,
          });
        case "photo_refused":
          return bw.t("Report #{id} stored, but the photo was refused: {message}", {
            id: item.incident.id,
            message: errorText(e),
          });
        default:
          return inflight[item.key] ? bw.t("Sending…") : bw.t("Waiting to be sent.");
      }
    }

    function discardButton(item) {
      const label = item.state === "photo_refused" ? bw.t("Discard photo") : bw.t("Discard");
      const button = el("button", "bw-btn bw-btn-quiet bw-pd-discard", label);
      button.type = "button";
      button.addEventListener("click", function () {
        remove(item.key);
        render();
      });
      return button;
    }

    function itemRow(item) {
      const row = el("li", "bw-pd-item bw-pd-item--" + item.state);
      const what = bw.t("{category}, {when}", {
        category: categoryName(item.body.category),
        when: bw.formatDateTime(item.body.occurred_at),
      });
      row.appendChild(el("strong", null, what));
      row.appendChild(el("span", "bw-pd-item-state", stateText(item)));
      if (item.state === "refused" || item.state === "photo_refused") {
        row.appendChild(discardButton(item));
      } else if (item.state === "signin") {
        const link = el("a", "bw-pd-signin", bw.t("Sign in again"));
        link.href = config.loginUrl;
        row.appendChild(link);
      }
      if (!item.incident) {
        const refused = item.state === "refused";
        const title = refused ? bw.t("Report refused") : bw.t("Report waiting");
        L.marker([item.body.lat, item.body.lon], {
          icon: pinIcon(refused ? "refused" : "pending"),
          title: title,
          keyboard: false,
        })
          .bindPopup(
            popupText([
              refused ? bw.t("Report refused") : bw.t("Report waiting to be sent"),
              what,
              stateText(item),
            ]),
          )
          .addTo(outboxLayer);
      }
      return row;
    }

    function setExpanded(open) {
      outboxToggle.setAttribute("aria-expanded", open ? "true" : "false");
      outboxList.hidden = !open;
      outboxBox.classList.toggle("bw-pd-outbox--open", open);
      outboxToggle.textContent = open ? bw.t("Hide the reports") : bw.t("Show the reports");
    }

    outboxToggle.addEventListener("click", function () {
      setExpanded(outboxList.hidden);
    });

    let attentionShown = false;

    function render() {
      const list = box.items();
      outboxLayer.clearLayers();
      outboxList.textContent = "";
      list.forEach(function (item) {
        outboxList.appendChild(itemRow(item));
      });
      const counts = outbox.summary(list);
      const parts = [];
      if (counts.waiting) {
        parts.push(
          bw.tn("{n} report waiting to be sent", "{n} reports waiting to be sent", counts.waiting),
        );
      }
      if (counts.photos) {
        parts.push(
          bw.tn("{n} photo waiting to be sent", "{n} photos waiting to be sent", counts.photos),
        );
      }
      if (counts.refused) {
        parts.push(bw.tn("{n} report refused", "{n} reports refused", counts.refused));
      }
      outboxStatus.textContent = parts.join(" · ");
      let since = counts.since
        ? bw.t("Waiting since {when}.", { when: bw.formatDateTime(counts.since) })
        : "";
      /* one line each (pindrop.css: white-space pre-line) */
      if (counts.signin) since += "\n" + bw.t("Sign in again to send them; they stay on this phone.");
      else if (counts.waiting && !navigator.onLine) {
        since += "\n" + bw.t("No connection: they are kept on this phone.");
      }
      outboxSince.textContent = since.trim();
      outboxBox.hidden = list.length === 0;
      outboxBox.classList.toggle("bw-pd-outbox--attention", counts.attention);
      /* What needs the user (refused, sign in again) opens the list once; the rest is a badge. */
      if (counts.attention && !attentionShown) setExpanded(true);
      else if (!list.length) setExpanded(false);
      attentionShown = counts.attention;
    }

    let messageTimer = null;

    function showMessage(text, sticky) {
      message.textContent = text;
      message.hidden = false;
      if (messageTimer) clearTimeout(messageTimer);
      messageTimer = sticky
        ? null
        : setTimeout(function () {
            message.hidden = true;
          }, 8000);
    }

    /* ---- the form ---- */

    let formKey = null; /* the refused item the open form would replace */

    const FIELD_SLOT = {
      lon: "location",
      lat: "location",
      location: "location",
      location_accuracy_m: "location",
      photo: "photo",
      category: "category",
      occurred_at: "occurred_at",
      severity: "severity",
      description: "description",
    };

    /* A field's error goes as soon as the field changes. */
    function clearError(slot) {
      const node = form.querySelector('[data-error-for="' + slot + '"]');
      if (node) {
        node.hidden = true;
        node.textContent = "";
      }
      const wrap = form.querySelector('[data-field="' + slot + '"]');
      if (wrap) {
        wrap.querySelectorAll("[aria-invalid]").forEach(function (input) {
          input.removeAttribute("aria-invalid");
        });
      }
    }

    function clearErrors() {
      form.querySelectorAll("[data-error-for]").forEach(function (node) {
        node.hidden = true;
        node.textContent = "";
      });
      form.querySelectorAll("[aria-invalid]").forEach(function (node) {
        node.removeAttribute("aria-invalid");
      });
    }

    function fieldError(field, text) {
      const slot = FIELD_SLOT[field] || "body";
      const node = form.querySelector('[data-error-for="' + slot + '"]');
      node.textContent = node.hidden || !node.textContent ? text : node.textContent + " " + text;
      node.hidden = false;
      const inputs = {
        location: [latInput, lonInput],
        category: [categoryInput],
        occurred_at: [whenInput],
        severity: [severityInput],
        description: [descriptionInput],
        photo: [photoInput],
      }[slot];
      (inputs || []).forEach(function (input) {
        input.setAttribute("aria-invalid", "true");
      });
      return node;
    }

    function number(input) {
      const value = parseFloat(String(input.value).trim().replace(",", "."));
      return isFinite(value) ? value : null;
    }

    function setPin(latlng, pan) {
      const p = L.latLng(latlng).wrap();
      latInput.value = p.lat.toFixed(6);
      lonInput.value = p.lng.toFixed(6);
      if (!draftPin) {
        draftPin = L.marker(p, {
          icon: pinIcon("draft"),
          draggable: true,
          autoPan: true,
          title: bw.t("New report"),
          alt: bw.t("New report"),
        }).addTo(map);
        draftPin.on("dragend", function () {
          forgetFix(); /* moved by hand: no longer the phone's fix */
          const q = draftPin.getLatLng().wrap();
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
      const lat = number(latInput);
      const lon = number(lonInput);
      if (lat === null || lon === null || Math.abs(lat) > 90 || Math.abs(lon) > 180) return;
      if (draftPin) draftPin.setLatLng([lat, lon]);
      keepPinVisible();
    }

    /* The form covers the lower part of the map on a phone, its left side on a wider screen:
       move the pin into the part of the map left free. */
    function keepPinVisible() {
      if (!draftPin) return;
      const size = map.getSize();
      const area = map.getContainer().getBoundingClientRect();
      const sheet = form.getBoundingClientRect();
      let left = 0;
      let bottom = size.y;
      if (sheet.width < area.width * 0.9) left = Math.min(size.x - 80, sheet.right - area.left);
      else bottom = Math.max(80, Math.min(size.y, sheet.top - area.top));
      const point = map.latLngToContainerPoint(draftPin.getLatLng());
      if (point.x > left + 30 && point.x < size.x - 30 && point.y > 30 && point.y < bottom - 30) {
        return;
      }
      map.panBy([point.x - (left + size.x) / 2, point.y - bottom / 2], { animate: false });
    }

    function formOpen(on) {
      map.getContainer().classList.toggle("bw-pd-form-open", on);
      document.body.classList.toggle("bw-pd-form-open", on);
    }

    /* The chosen photo's name and size under our photo button (or that none is chosen). */
    function showChosenPhoto() {
      const photo = photoInput.files && photoInput.files[0];
      photoChosen.textContent = photo
        ? bw.t("{name} ({size} MB)", {
            name: photo.name,
            size: bw.formatNumber(photo.size / 1048576, 1),
          })
        : noPhotoText;
    }

    function openForm() {
      if (!form.hidden) return;
      clearErrors();
      form.reset();
      showChosenPhoto();
      formKey = null;
      whenInput.value = outbox.localMinute(new Date());
      if (draftPin) {
        const p = draftPin.getLatLng();
        latInput.value = p.lat.toFixed(6);
        lonInput.value = p.lng.toFixed(6);
      }
      hint.hidden = true;
      form.hidden = false;
      formOpen(true);
      submitButton.disabled = false;
      submitButton.textContent = bw.t("Send report");
      categoryInput.focus({ preventScroll: true });
    }

    let reporting = false;

    function setReporting(on) {
      reporting = on;
      reportButton.classList.toggle("bw-pd-active", on);
      reportLabel.textContent = on ? bw.t("Cancel") : reportText;
      /* While reporting, a tap on a district or a marker is a tap on the map (pindrop.css). */
      map.getContainer().classList.toggle("bw-pd-reporting", on);
    }

    function closeForm() {
      const wasOpen = !form.hidden;
      form.hidden = true;
      formOpen(false);
      hint.hidden = true;
      setReporting(false);
      if (draftPin) {
        map.removeLayer(draftPin);
        draftPin = null;
      }
      forgetFix();
      formKey = null;
      if (wasOpen) reportButton.focus({ preventScroll: true });
    }

    function checkForm() {
      clearErrors();
      let ok = true;
      const lat = number(latInput);
      const lon = number(lonInput);
      if (lat === null || lon === null || Math.abs(lat) > 90 || Math.abs(lon) > 180) {
        fieldError("lat", bw.t("Place the pin on the map (or give a latitude and longitude)."));
        ok = false;
      }
      if (!categoryInput.value) {
        fieldError("category", bw.t("Choose what happened."));
        ok = false;
      }
      const when = outbox.rfc3339(whenInput.value);
      if (!when) {
        fieldError("occurred_at", bw.t("Give the date and time it happened."));
        ok = false;
      } else if (new Date(when).getTime() > Date.now() + FUTURE_TOLERANCE_MS) {
        fieldError("occurred_at", bw.t("This lies in the future: check the date and time."));
        ok = false;
      }
      if (descriptionInput.value.length > MAX_DESCRIPTION) {
        fieldError(
          "description",
          bw.t("At most {n} characters.", { n: bw.formatNumber(MAX_DESCRIPTION) }),
        );
        ok = false;
      }
      const photo = photoInput.files && photoInput.files[0];
      if (photo) {
        if (config.photoTypes.indexOf(photo.type) < 0) {
          fieldError("photo", bw.t("The photo must be a JPEG, PNG or WebP image."));
          ok = false;
        }
      }
      if (!ok) {
        const first = form.querySelector("[data-error-for]:not([hidden])");
        if (first && first.scrollIntoView) first.scrollIntoView({ block: "nearest" });
        return null;
      }
      const body = {
        lon: lon,
        lat: lat,
        category: categoryInput.value,
        occurred_at: when,
        severity: parseInt(severityInput.value, 10),
      };
      if (descriptionInput.value.trim()) body.description = descriptionInput.value;
      if (fixAccuracy !== null) body.location_accuracy_m = Math.round(fixAccuracy * 10) / 10;
      return { body: body, photo: photo || null };
    }

    function showServerError(error) {
      const node = fieldError(error.field || "body", errorText(error));
      if (node.scrollIntoView) node.scrollIntoView({ block: "nearest" });
    }

    function sentMessage(incident, now) {
      let text = incident.district
        ? bw.t("Report #{id} stored ({district}).", {
            id: incident.id,
            district: place(incident.district).district,
          })
        : bw.t("Report #{id} stored.", { id: incident.id });
      if (now && now.state === "photo_refused") {
        text += " " + bw.t("The photo was refused: {message}", { message: errorText(now.error) });
      } else if (now) {
        text += " " + bw.t("Its photo is waiting to be sent.");
      }
      return text;
    }

    function busy(on) {
      submitButton.disabled = on;
      submitButton.textContent = on ? bw.t("Sending…") : bw.t("Send report");
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      const checked = checkForm();
      if (!checked) return;
      busy(true);
      /* the photo is shrunk on the phone first (static/js/photo.js): a fifth of the bytes */
      const shrunk = checked.photo ? bw.photo.shrink(checked.photo) : Promise.resolve(null);
      shrunk.then(function (photo) {
        if (photo && photo.size > config.maxPhotoBytes) {
          busy(false);
          fieldError(
            "photo",
            bw.t("The photo is larger than {max} MB ({size} MB).", {
              max: bw.formatNumber(config.maxPhotoBytes / 1048576),
              size: bw.formatNumber(photo.size / 1048576, 1),
            }),
          );
          return;
        }
        keep({ body: checked.body, photo: photo });
      });
    });

    /* Keep the checked report (and its shrunk photo) in the outbox, then send it; a report
     * refused before and corrected in the form takes its place. */
    function keep(checked) {
      if (formKey) {
        remove(formKey);
        formKey = null;
      }
      const item = outbox.makeItem(checked.body, !!checked.photo);
      const key = item.key;
      const kept = checked.photo ? savePhoto(key, checked.photo) : Promise.resolve();
      kept
        .then(function () {
          box.put(item); /* on the phone before the request leaves */
          render();
          return deliver(key);
        })
        .then(
          function (result) {
            const now = box.find(key);
            if (result === REFUSED && now && now.state === "refused") {
              formKey = key;
              busy(false);
              showServerError(now.error);
              return;
            }
            closeForm();
            /* The form covered the lower part of the map: show the report's place in the middle. */
            map.panTo([item.body.lat, item.body.lon], { animate: false });
            const incident = storedIncidents[key];
            if (incident) {
              showMessage(sentMessage(incident, now), !!now);
            } else if (result === SIGNIN) {
              showMessage(
                bw.t(
                  "Your session has ended. The report is kept on this phone: sign in again to send it.",
                ),
                true,
              );
            } else {
              showMessage(
                bw.t(
                  "No connection: the report is kept on this phone and will be sent when the connection returns.",
                ),
              );
            }
            if (result === TRANSIENT) {
              failures += 1;
              schedule();
            }
          },
          function () {
            busy(false);
            fieldError(
              checked.photo ? "photo" : "body",
              checked.photo
                ? bw.t(
                    "This phone could not keep the report (storage full or blocked): try without the photo.",
                  )
                : bw.t("This phone could not keep the report (storage full or blocked)."),
            );
          },
        );
    }

    /* A report stored later (a retry) says so; deliver() removed it from the outbox already. */
    storedListeners.push(function (incident) {
      if (!form.hidden) return;
      showMessage(sentMessage(incident, null));
    });

    document.getElementById("pd-cancel").addEventListener("click", closeForm);
    ["input", "change"].forEach(function (type) {
      form.addEventListener(type, function (event) {
        const wrap = event.target.closest && event.target.closest("[data-field]");
        if (wrap) clearError(wrap.getAttribute("data-field"));
      });
    });
    photoInput.addEventListener("change", showChosenPhoto);
    latInput.addEventListener("change", function () {
      forgetFix();
      pinFromInputs();
    });
    lonInput.addEventListener("change", function () {
      forgetFix();
      pinFromInputs();
    });
    form.addEventListener("keydown", function (event) {
      if (event.key === "Escape") closeForm();
    });

    /* ---- report mode: the floating button, taps on the map, "my location" ---- */

    reportButton.addEventListener("click", function () {
      if (reporting) {
        closeForm();
        return;
      }
      setReporting(true);
      map.closePopup();
      hint.hidden = false;
    });
    reportButton.hidden = false;
    [hint, form, outboxBox, message, reportButton].forEach(function (node) {
      L.DomEvent.disableClickPropagation(node);
      L.DomEvent.disableScrollPropagation(node);
    });

    map.on("click", function (event) {
      if (!reporting) return;
      map.closePopup();
      forgetFix(); /* placed by hand */
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
      document.querySelectorAll(".bw-pd-locate").forEach(function (b) {
        b.disabled = false;
      });
    }

    map.on("locationfound", function (event) {
      locateDone();
      if (!reporting) return;
      const accuracy = typeof event.accuracy === "number" && isFinite(event.accuracy)
        ? event.accuracy
        : null;
      /* a fix worse than the set accuracy is used only when the reporter says so */
      if (
        accuracy !== null &&
        accuracy > MAX_ACCURACY_M &&
        !window.confirm(
          bw.t(
            "Your phone places you only within {accuracy} m (more than {max} m). Use this place anyway?",
            { accuracy: bw.formatNumber(Math.round(accuracy)), max: bw.formatNumber(MAX_ACCURACY_M) },
          ),
        )
      ) {
        const text = bw.t("Tap the map where it happened, or try again under the open sky.");
        if (!form.hidden) fieldError("lat", text);
        else showMessage(text);
        return;
      }
      map.setView(event.latlng, Math.max(map.getZoom(), 15), { animate: false });
      setPin(event.latlng, true);
      fixAccuracy = accuracy;
      if (accuracy !== null) {
        accuracyCircle = L.circle(event.latlng, {
          radius: accuracy,
          interactive: false,
          className: "bw-pd-accuracy",
          weight: 1,
          fillOpacity: 0.12,
        }).addTo(map);
        accuracyNote.textContent = bw.t("From your phone's location, within {accuracy} m.", {
          accuracy: bw.formatNumber(Math.round(accuracy)),
        });
        accuracyNote.hidden = false;
      }
    });

    map.on("locationerror", function (event) {
      locateDone();
      const text =
        event.code === 1
          ? bw.t(
              "Location permission was denied: tap the map where it happened, or allow location for this site in the browser's settings.",
            )
          : bw.t("Your location could not be found ({reason}): tap the map instead.", {
              reason: event.message,
            });
      if (!form.hidden) fieldError("lat", text);
      else showMessage(text);
    });

    ns.pindrop = {
      map: map,
      storageKey: STORAGE_KEY,
      items: box.items,
      flush: function () {
        return flush(true);
      },
      onStored: function (fn) {
        storedListeners.push(fn);
      },
    };

    render();
    flush(true);
  }
})(window);
