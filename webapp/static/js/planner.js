/*
 * borderwatch patrol planner (templates/patrols/planner.html).
 *
 * The map is the map page's (layers/mapbuild.py, static/js/layers.js): reference layers, the
 * hotspot, hexagon and Gi* layers and the coverage layer, as the account's role allows. This
 * script adds, beside it:
 *   - the ranked hotspots of the latest run (GET /api/patrols/hotspots), drawn as outlined hulls
 *     with their rank; a click zooms there, lists the incidents inside that the account may see
 *     (GET /api/patrols/hotspots/<id>/incidents) and draws their time-of-day and day-of-week
 *     profile (GET /api/patrols/profile) as a small SVG chart;
 *   - filters: district (reloads the list), a date range of two sliders and categories (filter
 *     the list by the hotspots' first/last seen and categories, and the incidents layer);
 *   - the "run hotspots" form when the hotspot API is there (POST /api/hotspots/runs, then the
 *     run is polled until it is done and the list reloads);
 *   - the "make a plan" form: ticked hotspots, start, unit, date -> POST /api/patrols, then the
 *     printable sheet opens;
 *   - the recent plans, each with its sheet and a button that draws its route and numbered stops
 *     on the map (GET /api/patrols/<id>);
 *   - on a phone, the panel opens over the map from a button and closes to show the map.
 * Words come from the page's catalogue (bw.t, bw.tn), vocabularies from the configuration's
 * labels, dates and numbers from bw.formatDate / bw.formatDateTime / bw.formatNumber. Every text
 * from data is written with textContent; nothing is assembled into HTML.
 * window.borderwatch.planner = {map, hotspots: [...], selected: Set of ids, reload(), showPlan(id)}.
 */
(function (global) {
  "use strict";

  const SVG_NS = "http://www.w3.org/2000/svg";
  const DAY_MS = 24 * 3600 * 1000;
  const MAX_STOPS = 25;
  const ROUTE_PANE = "bw-planner-route";
  /* Small screens show the map or the panel, not both (css/planner.css). */
  const NARROW = "(max-width: 63.99rem)";

  function $(id) { return document.getElementById(id); }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function svg(tag, attrs) {
    const node = document.createElementNS(SVG_NS, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, String(attrs[k])); });
    return node;
  }

  /* [[value, label], ...] of the configuration as {value: label}. */
  function table(pairs) {
    const found = {};
    (pairs || []).forEach(function (pair) { found[pair[0]] = pair[1]; });
    return found;
  }

  /* Today in Thai time as YYYY-MM-DD, and n days before it. */
  function thaiDay(daysBack) {
    const now = new Date(Date.now() + 7 * 3600 * 1000 - (daysBack || 0) * DAY_MS);
    return now.toISOString().slice(0, 10);
  }

  /* A distance in the page's language: "31.9 km" / "31.9 กม.", "850 m" / "850 ม.". */
  function distance(metres) {
    if (metres === null || metres === undefined) return "–";
    if (metres >= 1000) return bw.t("{n} km", { n: bw.formatNumber(metres / 1000, 1) });
    return bw.t("{n} m", { n: bw.formatNumber(Math.round(metres)) });
  }

  /* An error of the API as the page says it: the field's label, then the server's message (in
   * the page's language); a failed connection in words. */
  function failure(response, body) {
    const error = new Error(
      (body && body.message) || bw.t("The server answered with an error ({status}).", { status: response.status })
    );
    error.field = body && body.field;
    error.status = response.status;
    return error;
  }

  function request(url, options) {
    return fetch(url, Object.assign({ credentials: "same-origin" }, options)).then(
      function (response) {
        return response.json().catch(function () { return null; }).then(function (body) {
          if (!response.ok) throw failure(response, body);
          return body;
        });
      },
      function () {
        throw new Error(bw.t("No connection to borderwatch. Try again."));
      }
    );
  }

  function getJSON(url) {
    return request(url, { headers: { Accept: "application/json" } });
  }

  function postJSON(url, body) {
    return request(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body)
    });
  }

  /* The words of an error: "Date: must be a day such as ..." when the field is on the form. */
  function describe(error, form) {
    if (error.field && form) {
      const control = form.querySelector('[name="' + CSS.escape(error.field) + '"]');
      const labelled = control && control.labels && control.labels[0];
      if (labelled) {
        return bw.t("{field}: {message}", { field: labelled.textContent.trim(), message: error.message });
      }
    }
    return error.message;
  }

  /* ------------------------------------------------------------------ profile chart */

  /* Bars of counts in an SVG: labels under every `every`-th bar, window bars shaded. */
  function barChart(title, counts, labels, every, shaded) {
    const width = 300, height = 92, top = 16, bottom = 16, left = 4;
    const max = Math.max.apply(null, counts.concat([1]));
    const barW = (width - left * 2) / counts.length;
    const root = svg("svg", {
      viewBox: "0 0 " + width + " " + height, width: "100%", role: "img",
      "aria-label": title, "class": "bw-planner-chart"
    });
    const heading = svg("text", { x: left, y: 12, "font-size": 11, fill: "#1b2630" });
    heading.textContent = title;
    root.appendChild(heading);
    counts.forEach(function (n, i) {
      const h = (height - top - bottom) * n / max;
      const x = left + i * barW;
      if (shaded && shaded(i)) {
        root.appendChild(svg("rect", {
          x: x, y: top, width: barW, height: height - top - bottom, fill: "#fff3bf"
        }));
      }
      const bar = svg("rect", {
        x: x + 1, y: height - bottom - h, width: Math.max(barW - 2, 1), height: h,
        fill: "#c92a2a", "class": "bw-planner-bar"
      });
      const tip = svg("title", {});
      tip.textContent = labels[i] + ": " + bw.formatNumber(n);
      bar.appendChild(tip);
      root.appendChild(bar);
      if (i % every === 0) {
        const label = svg("text", {
          x: x + barW / 2, y: height - 3, "font-size": 9, "text-anchor": "middle", fill: "#4d5b66"
        });
        label.textContent = labels[i];
        root.appendChild(label);
      }
    });
    return root;
  }

  function inWindow(window_, hour) {
    if (!window_) return false;
    const start = parseInt(window_.start, 10), n = window_.hours;
    return ((hour - start + 24) % 24) < n;
  }

  function weekdays() {
    return [bw.t("Mon"), bw.t("Tue"), bw.t("Wed"), bw.t("Thu"), bw.t("Fri"), bw.t("Sat"), bw.t("Sun")];
  }

  function drawProfile(container, profile) {
    container.textContent = "";
    if (!profile.total) {
      container.appendChild(el("p", "bw-muted", bw.t("No incident times for this hotspot.")));
      return;
    }
    const hours = [];
    for (let h = 0; h < 24; h++) hours.push(String(h).padStart(2, "0"));
    container.appendChild(barChart(
      bw.tn("By hour of the day ({n} incident)", "By hour of the day ({n} incidents)",
        profile.total, { n: bw.formatNumber(profile.total) }),
      profile.hours, hours, 3, function (i) { return inWindow(profile.window, i); }
    ));
    container.appendChild(barChart(bw.t("By day of the week"), profile.weekdays, weekdays(), 1, null));
    if (profile.window) {
      const w = profile.window;
      container.appendChild(el("p", "bw-muted", bw.tn(
        "Densest {hours} hours: {start}–{end} ({n} incident)",
        "Densest {hours} hours: {start}–{end} ({n} incidents)",
        w.incidents, { hours: w.hours, start: w.start, end: w.end, n: bw.formatNumber(w.incidents) }
      )));
    }
  }

  /* ------------------------------------------------------------------ the planner */

  function Planner(map, config) {
    this.map = map;
    this.config = config;
    this.hotspots = [];
    this.selected = new Set();
    this.hulls = L.featureGroup().addTo(map);
    this.byId = {};
    this.run = null;
    this.route = null;
    /* a drawn plan lies above the map's layers, which load later and would tint it */
    if (!map.getPane(ROUTE_PANE)) map.createPane(ROUTE_PANE).style.zIndex = "450";
    this.words = {
      categories: table(config.categories),
      statuses: table(config.statuses),
      units: table(config.units),
      runs: table(config.runStatuses)
    };
    this.districtNames = {};
    const names = this.districtNames;
    config.districts.forEach(function (d) { names[d.id] = d.name; });
  }

  /* Fit the map to bounds, keeping clear of a panel open over the map's right side (the layer
   * list or legend of static/js/layers.js). */
  Planner.prototype.fit = function (bounds, maxZoom) {
    let right = 40;
    this.map.getContainer().querySelectorAll(".bw-map-panel-over").forEach(function (panel) {
      if (panel.offsetParent !== null && !panel.hidden) right = Math.max(right, panel.offsetWidth + 30);
    });
    if (right > this.map.getSize().x / 2) right = 40;  /* a phone: the panel covers the map anyway */
    this.map.fitBounds(bounds, { maxZoom: maxZoom, paddingTopLeft: [40, 40], paddingBottomRight: [right, 40] });
  };

  Planner.prototype.filters = function () {
    const from = Number($("pl-from").value), to = Number($("pl-to").value);
    const categories = [];
    document.querySelectorAll('#planner-filters input[name="category"]').forEach(function (box) {
      if (box.checked) categories.push(box.value);
    });
    return {
      district: $("pl-district").value,
      since: thaiDay(from),
      until: thaiDay(to),
      categories: categories,
      allCategories: categories.length === this.config.categories.length,
      valid: from >= to
    };
  };

  Planner.prototype.reload = function () {
    const self = this, f = this.filters();
    const url = this.config.hotspotsUrl + (f.district ? "?district=" + encodeURIComponent(f.district) : "");
    $("pl-run-info").textContent = bw.t("Loading…");
    return getJSON(url).then(function (body) {
      self.run = body.run;
      self.hotspots = body.items || [];
      self.render();
      self.followRun();
      /* show the listed hotspots (the map opens on the whole watch area) */
      if (self.hulls.getLayers().length) {
        self.fit(self.hulls.getBounds(), 13);
      }
    }).catch(function (error) {
      $("pl-run-info").textContent = bw.t("The hotspots could not be loaded: {message}", { message: error.message });
    });
  };

  Planner.prototype.visible = function () {
    const f = this.filters();
    return this.hotspots.filter(function (h) {
      if (h.last_seen && h.last_seen.slice(0, 10) < f.since) return false;
      if (h.first_seen && h.first_seen.slice(0, 10) > f.until) return false;
      if (!f.allCategories) {
        const cats = Object.keys(h.categories || {});
        if (!cats.some(function (c) { return f.categories.indexOf(c) >= 0; })) return false;
      }
      return true;
    });
  };

  /* "Illegal entry 2, Smuggling of goods 3" in the page's words. */
  Planner.prototype.categoryWords = function (counts) {
    const words = this.words.categories;
    return Object.keys(counts || {}).map(function (c) {
      return (words[c] || c) + " " + bw.formatNumber(counts[c]);
    }).join(", ");
  };

  Planner.prototype.placeNames = function (h) {
    const names = this.districtNames;
    return (h.district_ids || []).map(function (id, i) {
      return names[id] || (h.districts || [])[i] || "";
    }).join(", ");
  };

  Planner.prototype.render = function () {
    const self = this, list = $("pl-hotspots");
    const shown = this.visible();
    list.textContent = "";
    this.hulls.clearLayers();
    this.byId = {};
    if (!this.run) {
      $("pl-run-info").textContent = bw.t("No finished hotspot run covers these districts yet.");
    } else {
      $("pl-run-info").textContent = bw.t(
        "Run no. {id} of {when}: {shown} of {total} hotspots shown, outlined on the map with their rank (DBSCAN hulls).",
        {
          id: this.run.id,
          when: bw.formatDateTime(this.run.finished_at),
          shown: bw.formatNumber(shown.length),
          total: bw.formatNumber(this.hotspots.length)
        }
      );
    }
    shown.forEach(function (h) {
      const item = el("li", "bw-planner-hotspot");
      item.dataset.id = h.id;
      const box = el("input");
      box.type = "checkbox";
      box.className = "bw-planner-pick";
      box.checked = self.selected.has(h.id);
      box.setAttribute("aria-label", bw.t("Add hotspot no. {rank} to the plan", { rank: h.rank }));
      box.addEventListener("change", function () {
        if (box.checked) self.selected.add(h.id); else self.selected.delete(h.id);
        self.updateSelection();
      });
      const button = el("button", "bw-planner-open");
      button.type = "button";
      button.appendChild(el("strong", null, "#" + h.rank));
      button.appendChild(document.createTextNode(" " + self.placeNames(h)));
      button.appendChild(el("span", "bw-planner-facts", bw.tn(
        "{n} incident · score {score} · last {day}",
        "{n} incidents · score {score} · last {day}",
        h.n_incidents,
        { n: bw.formatNumber(h.n_incidents), score: bw.formatNumber(h.score, 1), day: bw.formatDate(h.last_seen) }
      )));
      button.appendChild(el("span", "bw-planner-cats", self.categoryWords(h.categories)));
      button.addEventListener("click", function () { self.open(h); });
      item.appendChild(box);
      item.appendChild(button);
      list.appendChild(item);
      const hull = L.geoJSON(h.hull, {
        style: { color: "#862e9c", weight: 2, fillOpacity: 0.08, className: "bw-planner-hull" }
      });
      hull.bindTooltip(el("span", null, "#" + h.rank), {
        permanent: true, direction: "center", className: "bw-planner-rank"
      });
      hull.on("click", function () { self.open(h); });
      hull.addTo(self.hulls);
      self.byId[h.id] = hull;
    });
    this.updateSelection();
  };

  Planner.prototype.updateSelection = function () {
    const n = this.selected.size;
    let text = bw.t("Tick hotspots in the list (up to 25).");
    if (n) {
      text = bw.tn("{n} hotspot ticked", "{n} hotspots ticked", n, { n: n });
      if (n > MAX_STOPS) text += " " + bw.t("(at most 25)");
    }
    $("pl-selected").textContent = text;
    const byId = this.byId, selected = this.selected;
    Object.keys(byId).forEach(function (id) {
      byId[id].setStyle({
        color: selected.has(Number(id)) ? "#e8590c" : "#862e9c",
        weight: selected.has(Number(id)) ? 4 : 2
      });
    });
  };

  Planner.prototype.open = function (h) {
    const self = this, words = this.words;
    const b = h.bbox;
    this.fit([[b[1], b[0]], [b[3], b[2]]], 14);
    document.querySelectorAll(".bw-planner-hotspot").forEach(function (node) {
      node.classList.toggle("bw-active", Number(node.dataset.id) === h.id);
    });
    $("planner-detail").hidden = false;
    /* bring the detail to the top of the panel (the panel scrolls, never the page) */
    const side = $("planner-side");
    side.scrollTop += $("planner-detail").getBoundingClientRect().top - side.getBoundingClientRect().top - 8;
    $("pl-detail-title").textContent = bw.tn(
      "Hotspot #{rank} ({n} incident)", "Hotspot #{rank} ({n} incidents)", h.n_incidents,
      { rank: h.rank, n: bw.formatNumber(h.n_incidents) }
    );
    $("pl-profile").textContent = bw.t("Loading…");
    $("pl-incidents").textContent = "";
    $("pl-incidents-note").textContent = "";
    const hours = Number($("pl-window").value) || 4;
    getJSON(this.config.profileUrl + "?hotspots=" + h.id + "&window_hours=" + hours)
      .then(function (profile) { drawProfile($("pl-profile"), profile); })
      .catch(function (error) { $("pl-profile").textContent = error.message; });
    getJSON(this.config.hotspotIncidentsUrl.replace("{id}", String(h.id)))
      .then(function (body) {
        const list = $("pl-incidents");
        body.items.forEach(function (i) {
          const row = el("li");
          const show = el("button", "bw-planner-incident", bw.t(
            "#{id} {category} · {status} · severity {severity} · {when}",
            {
              id: i.id,
              category: words.categories[i.category] || i.category,
              status: words.statuses[i.status] || i.status,
              severity: i.severity,
              when: bw.formatDateTime(i.occurred_at)
            }
          ));
          show.type = "button";
          show.dataset.id = i.id;
          show.addEventListener("click", function () {
            if (global.borderwatch.showIncident) {
              self.showMap();
              global.borderwatch.showIncident(self.map, i.id);
            }
          });
          row.appendChild(show);
          list.appendChild(row);
        });
        let note = bw.tn("{n} listed.", "{n} listed.", body.items.length, { n: bw.formatNumber(body.items.length) });
        if (body.hidden) {
          note += " " + bw.tn(
            "{n} outside your districts is not shown.", "{n} outside your districts are not shown.",
            body.hidden, { n: bw.formatNumber(body.hidden) }
          );
        }
        $("pl-incidents-note").textContent = note;
      })
      .catch(function (error) { $("pl-incidents-note").textContent = error.message; });
  };

  /* The run-based layers (DBSCAN hulls, Gi* bins) show the listed run. */
  Planner.prototype.followRun = function () {
    if (!this.run) return;
    const map = this.map, run = String(this.run.id);
    ["hotspots", "gistar"].forEach(function (name) {
      const layer = global.borderwatch.findLayer(map, name);
      if (layer && layer.spec.filters.some(function (f) { return f.param === "run"; }) &&
          layer.filters.run !== run) {
        layer.setFilters(Object.assign({}, layer.filters, { run: run }));
      }
    });
  };

  /* The incidents layer follows the filters (dates and categories). */
  Planner.prototype.filterIncidents = function () {
    const layer = global.borderwatch.findLayer(this.map, "incidents");
    const f = this.filters();
    if (!layer || !f.valid) return;
    const filters = { since: f.since, until: f.until };
    if (!f.allCategories && f.categories.length) filters.category = f.categories.join(",");
    layer.setFilters(filters);
  };

  Planner.prototype.fillStarts = function () {
    const config = this.config, district = $("pl-plan-district").value, select = $("pl-start");
    select.textContent = "";
    const d = config.districts.filter(function (x) { return x.pcode === district; })[0];
    if (!d) return;
    const centre = el("option", null, bw.t("{name} (coordination centre)", { name: d.centre }));
    centre.value = "";
    select.appendChild(centre);
    config.checkpoints.forEach(function (c) {
      if (c.district_id !== d.id) return;
      const option = el("option", null, bw.t("{name} (checkpoint)", { name: c.name }));
      option.value = String(c.id);
      select.appendChild(option);
    });
  };

  Planner.prototype.makePlan = function (event) {
    event.preventDefault();
    const self = this, form = event.target, error = $("pl-plan-error"), status = $("pl-plan-status");
    error.hidden = true;
    const ids = Array.from(this.selected);
    const body = {
      district: $("pl-plan-district").value,
      unit: $("pl-unit").value,
      planned_for: $("pl-date").value,
      window_hours: Number($("pl-window").value)
    };
    const top = $("pl-top").value;
    if (!ids.length && top) body.top = Number(top);
    else body.hotspot_ids = ids;
    const start = $("pl-start").value;
    if (start) body.start_checkpoint_id = Number(start);
    status.textContent = bw.t("Routing the plan…");
    $("pl-make").disabled = true;
    postJSON(this.config.patrolsUrl, body).then(function (plan) {
      const p = plan.properties;
      status.textContent = bw.tn(
        "Plan no. {id}: {n} stop, {length}. Opening the sheet…",
        "Plan no. {id}: {n} stops, {length}. Opening the sheet…",
        p.stops, { id: plan.id, n: bw.formatNumber(p.stops), length: distance(p.length_m) }
      );
      self.drawRoute(plan);
      global.location.assign(plan.links.sheet);
    }).catch(function (failed) {
      status.textContent = "";
      error.textContent = describe(failed, form);
      error.hidden = false;
    }).finally(function () { $("pl-make").disabled = false; });
  };

  /* A plan's route and its numbered stops on the map (replacing the one drawn before). */
  Planner.prototype.drawRoute = function (plan) {
    if (this.route) this.map.removeLayer(this.route);
    this.route = null;
    if (!plan.geometry) return null;
    const group = L.featureGroup();
    L.geoJSON(plan.geometry, {
      pane: ROUTE_PANE,
      style: { color: "#212529", weight: 3, className: "bw-planner-route" }
    }).addTo(group);
    const start = plan.properties && plan.properties.start;
    if (start && start.lat !== null && start.lon !== null) {
      const home = L.circleMarker([start.lat, start.lon], {
        radius: 8, color: "#ffffff", weight: 2, fillColor: "#2b8a3e", fillOpacity: 1,
        className: "bw-planner-start-mark", pane: ROUTE_PANE
      });
      home.bindTooltip(bw.t("Start and end"), {
        permanent: true, direction: "right", offset: [10, 0], className: "bw-planner-start"
      });
      home.addTo(group);
    }
    ((plan.stops && plan.stops.features) || []).forEach(function (stop) {
      const c = stop.geometry.coordinates;
      const mark = L.circleMarker([c[1], c[0]], {
        radius: 9, color: "#212529", weight: 2, fillColor: "#ffffff", fillOpacity: 1,
        className: "bw-planner-stop-mark", pane: ROUTE_PANE
      });
      mark.bindTooltip(String(stop.properties.seq), {
        permanent: true, direction: "center", className: "bw-planner-stop"
      });
      mark.addTo(group);
    });
    group.addTo(this.map);
    this.route = group;
    return group;
  };

  /* GET /api/patrols/<id>, drawn on the map, which comes into view. */
  Planner.prototype.showPlan = function (id) {
    const self = this;
    return getJSON(this.config.planUrl.replace("{id}", String(id))).then(function (plan) {
      const drawn = self.drawRoute(plan);
      self.showMap();
      if (drawn) self.fit(drawn.getBounds(), 14);
      return plan;
    });
  };

  Planner.prototype.runHotspots = function (event) {
    event.preventDefault();
    const self = this, form = event.target, status = $("pl-run-status"), f = this.filters();
    const body = {
      since: f.since,
      until: f.until,
      eps_m: Number(form.elements.eps_m.value),
      min_points: Number(form.elements.min_points.value),
      corridor_only: form.elements.corridor_only.checked
    };
    if (!f.allCategories) body.categories = f.categories;
    if (f.district) body.districts = [f.district];
    status.textContent = bw.t("Starting the run…");
    postJSON(this.config.runsUrl, body).then(function (run) {
      const id = run.id;
      function poll() {
        getJSON(self.config.runsUrl + "/" + id).then(function (state) {
          status.textContent = bw.t("Run no. {id}: {status} ({progress} %)", {
            id: id,
            status: self.words.runs[state.status] || state.status,
            progress: bw.formatNumber(Math.round(100 * (state.progress || 0)))
          });
          if (state.status === "done") {
            self.reload();
            self.map.eachLayer(function (layer) { if (layer.redraw) layer.redraw(); });
          } else if (state.status !== "failed") {
            setTimeout(poll, 1500);
          }
        }).catch(function (error) { status.textContent = error.message; });
      }
      poll();
    }).catch(function (error) {
      status.textContent = describe(error, form);
    });
  };

  /* The plans of the account's districts for the coming and the past weeks: the sheet, and the
   * route on the map. */
  Planner.prototype.listPlans = function () {
    const self = this, list = $("pl-plans"), units = this.words.units;
    const url = this.config.plansUrl + "?from=" + thaiDay(30) + "&to=" + thaiDay(-60);
    getJSON(url).then(function (body) {
      list.textContent = "";
      if (!body.items.length) list.appendChild(el("li", "bw-muted", bw.t("No plan yet.")));
      body.items.slice(0, 20).forEach(function (p) {
        const row = el("li");
        row.dataset.id = p.id;
        const place = bw.locale === "th" && p.district.name_th ? p.district.name_th : p.district.name;
        const link = el("a", null, bw.t("No. {id}, {day}, {district}", {
          id: p.id, day: bw.formatDate(p.planned_for), district: place
        }));
        link.href = p.links.sheet;
        row.appendChild(link);
        row.appendChild(el("span", "bw-planner-facts", bw.tn(
          "{unit} · {n} stop, {done} recorded", "{unit} · {n} stops, {done} recorded", p.stops,
          { unit: units[p.unit] || p.unit, n: bw.formatNumber(p.stops), done: bw.formatNumber(p.stops_done) }
        )));
        const show = el("button", null, bw.t("Show on the map"));
        show.classList.add("bw-btn", "bw-planner-show");
        show.type = "button";
        show.addEventListener("click", function () {
          self.showPlan(p.id).catch(function (error) { show.textContent = error.message; });
        });
        row.appendChild(show);
        list.appendChild(row);
      });
    }).catch(function (error) { list.textContent = error.message; });
  };

  /* ------------------------------------------------------------------ the panel on a phone */

  Planner.prototype.showPanel = function (open) {
    const side = $("planner-side"), toggle = $("pl-toggle");
    side.classList.toggle("bw-open", open);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) $("pl-close").focus();
    else if (global.matchMedia(NARROW).matches) toggle.focus();
    this.map.invalidateSize();
  };

  /* On a small screen, close the panel so that what was asked for shows on the map. */
  Planner.prototype.showMap = function () {
    if (global.matchMedia(NARROW).matches && $("planner-side").classList.contains("bw-open")) {
      this.showPanel(false);
    }
  };

  function start(map) {
    const node = $("planner-config");
    if (!node) return;
    const config = JSON.parse(node.textContent);
    const planner = new Planner(map, config);
    $("pl-date").value = thaiDay(-1);
    function showDate() {
      const day = $("pl-date").value;
      $("pl-date-day").textContent = day ? bw.formatDate(day) : "";
    }
    showDate();
    $("pl-date").addEventListener("input", showDate);
    function showDays() {
      $("pl-from-day").textContent = bw.formatDate(thaiDay(Number($("pl-from").value)));
      $("pl-to-day").textContent = bw.formatDate(thaiDay(Number($("pl-to").value)));
      const bad = Number($("pl-from").value) < Number($("pl-to").value);
      $("pl-filter-error").hidden = !bad;
      $("pl-filter-error").textContent = bad ? bw.t("The start of the dates lies after their end.") : "";
    }
    showDays();
    ["pl-from", "pl-to"].forEach(function (id) {
      $(id).addEventListener("input", showDays);
      $(id).addEventListener("change", function () {
        planner.render();
        planner.filterIncidents();
      });
    });
    document.querySelectorAll('#planner-filters input[name="category"]').forEach(function (box) {
      box.addEventListener("change", function () {
        planner.render();
        planner.filterIncidents();
      });
    });
    $("pl-district").addEventListener("change", function () {
      if ($("pl-district").value) $("pl-plan-district").value = $("pl-district").value;
      planner.fillStarts();
      planner.reload();
    });
    $("pl-plan-district").addEventListener("change", function () { planner.fillStarts(); });
    planner.fillStarts();
    $("planner-plan").addEventListener("submit", function (event) { planner.makePlan(event); });
    const runForm = $("pl-run-form");
    if (runForm) runForm.addEventListener("submit", function (event) { planner.runHotspots(event); });
    $("pl-toggle").addEventListener("click", function () { planner.showPanel(true); });
    $("pl-close").addEventListener("click", function () { planner.showPanel(false); });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && $("planner-side").classList.contains("bw-open")) {
        planner.showPanel(false);
      }
    });
    global.borderwatch.planner = planner;
    planner.reload();
    planner.listPlans();
  }

  let started = false;
  global.borderwatch.onMap(function (map) {
    if (started) return;
    started = true;
    start(map);
  });
})(window);
