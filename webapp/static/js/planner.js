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
 *     printable sheet opens.
 * Every text from data is written with textContent; nothing is assembled into HTML.
 * window.borderwatch.planner = {map, hotspots: [...], selected: Set of ids, reload()}.
 */
(function (global) {
  "use strict";

  var SVG_NS = "http://www.w3.org/2000/svg";
  var DAY_MS = 24 * 3600 * 1000;
  var WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
  var MAX_STOPS = 25;

  function $(id) { return document.getElementById(id); }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function svg(tag, attrs) {
    var node = document.createElementNS(SVG_NS, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, String(attrs[k])); });
    return node;
  }

  function words(value) { return String(value).replace(/_/g, " "); }

  /* Today in Thai time as YYYY-MM-DD, and n days before it. */
  function thaiDay(daysBack) {
    var now = new Date(Date.now() + 7 * 3600 * 1000 - (daysBack || 0) * DAY_MS);
    return now.toISOString().slice(0, 10);
  }

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) {
            var error = new Error(body.message || ("HTTP " + response.status));
            error.field = body.field;
            error.status = response.status;
            throw error;
          }
          return body;
        });
      });
  }

  function postJSON(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) {
          var error = new Error(data.message || ("HTTP " + response.status));
          error.field = data.field;
          error.status = response.status;
          throw error;
        }
        return data;
      });
    });
  }

  /* ------------------------------------------------------------------ profile chart */

  /* Bars of counts in an SVG: labels under every `every`-th bar, window bars shaded. */
  function barChart(title, counts, labels, every, shaded) {
    var width = 300, height = 92, top = 16, bottom = 16, left = 4;
    var max = Math.max.apply(null, counts.concat([1]));
    var barW = (width - left * 2) / counts.length;
    var root = svg("svg", {
      viewBox: "0 0 " + width + " " + height, width: "100%", role: "img",
      "aria-label": title, "class": "bw-planner-chart"
    });
    var heading = svg("text", { x: left, y: 11, "font-size": 10, fill: "#343a40" });
    heading.textContent = title;
    root.appendChild(heading);
    counts.forEach(function (n, i) {
      var h = (height - top - bottom) * n / max;
      var x = left + i * barW;
      if (shaded && shaded(i)) {
        root.appendChild(svg("rect", {
          x: x, y: top, width: barW, height: height - top - bottom, fill: "#fff3bf"
        }));
      }
      var bar = svg("rect", {
        x: x + 1, y: height - bottom - h, width: Math.max(barW - 2, 1), height: h,
        fill: "#c92a2a", "class": "bw-planner-bar"
      });
      var tip = svg("title", {});
      tip.textContent = labels[i] + ": " + n;
      bar.appendChild(tip);
      root.appendChild(bar);
      if (i % every === 0) {
        var label = svg("text", {
          x: x + barW / 2, y: height - 4, "font-size": 8, "text-anchor": "middle", fill: "#495057"
        });
        label.textContent = labels[i];
        root.appendChild(label);
      }
    });
    return root;
  }

  function inWindow(window_, hour) {
    if (!window_) return false;
    var start = parseInt(window_.start, 10), n = window_.hours;
    return ((hour - start + 24) % 24) < n;
  }

  function drawProfile(container, profile) {
    container.textContent = "";
    if (!profile.total) {
      container.appendChild(el("p", "bw-planner-help", "No incident times for this hotspot."));
      return;
    }
    var hours = [];
    for (var h = 0; h < 24; h++) hours.push(String(h).padStart(2, "0"));
    container.appendChild(barChart(
      "By hour of the day (" + profile.total + " incidents)", profile.hours, hours, 3,
      function (i) { return inWindow(profile.window, i); }
    ));
    container.appendChild(barChart("By day of the week", profile.weekdays, WEEKDAYS, 1, null));
    if (profile.window) {
      container.appendChild(el("p", "bw-planner-help",
        "Densest " + profile.window.hours + " hours: " + profile.window.start + "–" +
        profile.window.end + " (" + profile.window.incidents + " incidents)"));
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
  }

  Planner.prototype.filters = function () {
    var from = Number($("pl-from").value), to = Number($("pl-to").value);
    var categories = [];
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
    var self = this, f = this.filters();
    var url = this.config.hotspotsUrl + (f.district ? "?district=" + encodeURIComponent(f.district) : "");
    $("pl-run-info").textContent = "Loading…";
    return getJSON(url).then(function (body) {
      self.run = body.run;
      self.hotspots = body.items || [];
      self.render();
      self.followRun();
      /* show the listed hotspots (the map opens on the whole watch area) */
      if (self.hulls.getLayers().length) {
        self.map.fitBounds(self.hulls.getBounds(), { maxZoom: 13, padding: [40, 40] });
      }
    }).catch(function (error) {
      $("pl-run-info").textContent = "The hotspots could not be loaded: " + error.message;
    });
  };

  Planner.prototype.visible = function () {
    var f = this.filters();
    return this.hotspots.filter(function (h) {
      if (h.last_seen && h.last_seen.slice(0, 10) < f.since) return false;
      if (h.first_seen && h.first_seen.slice(0, 10) > f.until) return false;
      if (!f.allCategories) {
        var cats = Object.keys(h.categories || {});
        if (!cats.some(function (c) { return f.categories.indexOf(c) >= 0; })) return false;
      }
      return true;
    });
  };

  Planner.prototype.render = function () {
    var self = this, list = $("pl-hotspots");
    var shown = this.visible();
    list.textContent = "";
    this.hulls.clearLayers();
    this.byId = {};
    if (!this.run) {
      $("pl-run-info").textContent = "No finished hotspot run covers these districts yet.";
    } else {
      $("pl-run-info").textContent = "Run no. " + this.run.id + " of " +
        String(this.run.finished_at || "").replace("T", " ").slice(0, 16) + " (Thai time): " +
        shown.length + " of " + this.hotspots.length + " hotspots shown. Outlined on the map " +
        "with their rank (DBSCAN hulls).";
    }
    shown.forEach(function (h) {
      var item = el("li", "bw-planner-hotspot");
      item.dataset.id = h.id;
      var box = el("input");
      box.type = "checkbox";
      box.className = "bw-planner-pick";
      box.checked = self.selected.has(h.id);
      box.setAttribute("aria-label", "Add hotspot " + h.rank + " to the plan");
      box.addEventListener("change", function () {
        if (box.checked) self.selected.add(h.id); else self.selected.delete(h.id);
        self.updateSelection();
      });
      var button = el("button", "bw-planner-open");
      button.type = "button";
      button.appendChild(el("strong", null, "#" + h.rank));
      button.appendChild(document.createTextNode(" " + (h.districts || []).join(", ")));
      var facts = el("span", "bw-planner-facts",
        h.n_incidents + " incidents · score " + h.score + " · last " +
        String(h.last_seen || "").slice(0, 10));
      var cats = el("span", "bw-planner-cats", Object.keys(h.categories || {}).map(function (c) {
        return words(c) + " " + h.categories[c];
      }).join(", "));
      button.appendChild(el("br"));
      button.appendChild(facts);
      button.appendChild(el("br"));
      button.appendChild(cats);
      button.addEventListener("click", function () { self.open(h); });
      item.appendChild(box);
      item.appendChild(button);
      list.appendChild(item);
      var hull = L.geoJSON(h.hull, {
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
    var n = this.selected.size;
    $("pl-selected").textContent = n
      ? n + " hotspot" + (n === 1 ? "" : "s") + " ticked" + (n > MAX_STOPS ? " (at most 25)" : "")
      : "Tick hotspots in the list (up to 25).";
    var byId = this.byId, selected = this.selected;
    Object.keys(byId).forEach(function (id) {
      byId[id].setStyle({ color: selected.has(Number(id)) ? "#e8590c" : "#862e9c",
                          weight: selected.has(Number(id)) ? 4 : 2 });
    });
  };

  Planner.prototype.open = function (h) {
    var self = this;
    var b = h.bbox;
    this.map.fitBounds([[b[1], b[0]], [b[3], b[2]]], { maxZoom: 14, padding: [30, 30] });
    document.querySelectorAll(".bw-planner-hotspot").forEach(function (node) {
      node.classList.toggle("bw-active", Number(node.dataset.id) === h.id);
    });
    $("planner-detail").hidden = false;
    $("pl-detail-title").textContent = "Hotspot #" + h.rank + " (" + h.n_incidents + " incidents)";
    $("pl-profile").textContent = "Loading…";
    $("pl-incidents").textContent = "";
    $("pl-incidents-note").textContent = "";
    var hours = Number($("pl-window").value) || 4;
    getJSON(this.config.profileUrl + "?hotspots=" + h.id + "&window_hours=" + hours)
      .then(function (profile) { drawProfile($("pl-profile"), profile); })
      .catch(function (error) { $("pl-profile").textContent = error.message; });
    getJSON(this.config.hotspotIncidentsUrl.replace("{id}", String(h.id)))
      .then(function (body) {
        var list = $("pl-incidents");
        body.items.forEach(function (i) {
          var row = el("li", "bw-planner-incident");
          row.dataset.id = i.id;
          row.textContent = "#" + i.id + " " + words(i.category) + " · " + words(i.status) +
            " · severity " + i.severity + " · " + String(i.occurred_at).replace("T", " ").slice(0, 16);
          row.addEventListener("click", function () {
            if (global.borderwatch.showIncident) global.borderwatch.showIncident(self.map, i.id);
          });
          list.appendChild(row);
        });
        $("pl-incidents-note").textContent = body.items.length + " listed" +
          (body.hidden ? "; " + body.hidden + " outside your districts are not shown" : "") + ".";
      })
      .catch(function (error) { $("pl-incidents-note").textContent = error.message; });
  };

  /* The run-based layers (DBSCAN hulls, Gi* bins) show the listed run. */
  Planner.prototype.followRun = function () {
    if (!this.run) return;
    var map = this.map, run = String(this.run.id);
    ["hotspots", "gistar"].forEach(function (name) {
      var layer = global.borderwatch.findLayer(map, name);
      if (layer && layer.spec.filters.some(function (f) { return f.param === "run"; }) &&
          layer.filters.run !== run) {
        layer.setFilters(Object.assign({}, layer.filters, { run: run }));
      }
    });
  };

  /* The incidents layer follows the filters (dates and categories). */
  Planner.prototype.filterIncidents = function () {
    var layer = global.borderwatch.findLayer(this.map, "incidents");
    var f = this.filters();
    if (!layer || !f.valid) return;
    var filters = { since: f.since, until: f.until };
    if (!f.allCategories && f.categories.length) filters.category = f.categories.join(",");
    layer.setFilters(filters);
  };

  Planner.prototype.fillStarts = function () {
    var config = this.config, district = $("pl-plan-district").value, select = $("pl-start");
    select.textContent = "";
    var d = config.districts.filter(function (x) { return x.pcode === district; })[0];
    if (d) {
      var centre = el("option", null, (d.centre || "NTS-MWCC") + " (coordination centre)");
      centre.value = "";
      select.appendChild(centre);
      config.checkpoints.forEach(function (c) {
        if (c.district_id !== d.id) return;
        var option = el("option", null, c.name + " (checkpoint)");
        option.value = String(c.id);
        select.appendChild(option);
      });
    }
  };

  Planner.prototype.makePlan = function (event) {
    event.preventDefault();
    var self = this, error = $("pl-plan-error"), status = $("pl-plan-status");
    error.hidden = true;
    var ids = Array.from(this.selected);
    var body = {
      district: $("pl-plan-district").value,
      unit: $("pl-unit").value,
      planned_for: $("pl-date").value,
      window_hours: Number($("pl-window").value)
    };
    var top = $("pl-top").value;
    if (!ids.length && top) body.top = Number(top);
    else body.hotspot_ids = ids;
    var start = $("pl-start").value;
    if (start) body.start_checkpoint_id = Number(start);
    status.textContent = "Routing the plan…";
    $("pl-make").disabled = true;
    postJSON(this.config.patrolsUrl, body).then(function (plan) {
      var p = plan.properties;
      status.textContent = "Plan no. " + plan.id + ": " + p.stops + " stops, " +
        (p.length_m / 1000).toFixed(1) + " km. Opening the sheet…";
      self.drawRoute(plan);
      global.location.assign(plan.links.sheet);
    }).catch(function (failure) {
      status.textContent = "";
      error.textContent = (failure.field ? failure.field + ": " : "") + failure.message;
      error.hidden = false;
    }).finally(function () { $("pl-make").disabled = false; });
  };

  Planner.prototype.drawRoute = function (plan) {
    if (this.route) this.map.removeLayer(this.route);
    if (!plan.geometry) return;
    this.route = L.geoJSON(plan.geometry, { style: { color: "#212529", weight: 3 } }).addTo(this.map);
  };

  Planner.prototype.runHotspots = function (event) {
    event.preventDefault();
    var self = this, form = event.target, status = $("pl-run-status"), f = this.filters();
    var body = {
      since: f.since,
      until: f.until,
      eps_m: Number(form.elements.eps_m.value),
      min_points: Number(form.elements.min_points.value),
      corridor_only: form.elements.corridor_only.checked
    };
    if (!f.allCategories) body.categories = f.categories;
    if (f.district) body.districts = [f.district];
    status.textContent = "Starting the run…";
    postJSON(this.config.runsUrl, body).then(function (run) {
      var id = run.id;
      function poll() {
        getJSON(self.config.runsUrl + "/" + id).then(function (state) {
          var progress = Math.round(100 * (state.progress || 0));
          status.textContent = "Run no. " + id + ": " + state.status + " (" + progress + " %)";
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
      status.textContent = (error.field ? error.field + ": " : "") + error.message;
    });
  };

  /* The plans of the account's districts for the coming and the past weeks, linked to sheets. */
  Planner.prototype.listPlans = function () {
    var list = $("pl-plans");
    var url = this.config.plansUrl + "?from=" + thaiDay(30) + "&to=" + thaiDay(-60);
    getJSON(url).then(function (body) {
      list.textContent = "";
      if (!body.items.length) list.appendChild(el("li", "bw-planner-help", "No plan yet."));
      body.items.slice(0, 20).forEach(function (p) {
        var row = el("li");
        var link = el("a", null, "No. " + p.id + ", " + p.planned_for + ", " + p.district.name);
        link.href = p.links.sheet;
        row.appendChild(link);
        row.appendChild(document.createTextNode(
          " · " + words(p.unit) + " · " + p.stops + " stops, " + p.stops_done + " recorded"));
        list.appendChild(row);
      });
    }).catch(function (error) { list.textContent = error.message; });
  };

  function start(map) {
    var node = $("planner-config");
    if (!node) return;
    var config = JSON.parse(node.textContent);
    var planner = new Planner(map, config);
    $("pl-date").value = thaiDay(-1);
    function showDays() {
      $("pl-from-day").textContent = thaiDay(Number($("pl-from").value));
      $("pl-to-day").textContent = thaiDay(Number($("pl-to").value));
      var bad = Number($("pl-from").value) < Number($("pl-to").value);
      $("pl-filter-error").hidden = !bad;
      $("pl-filter-error").textContent = bad ? "From lies after To." : "";
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
    var runForm = $("pl-run-form");
    if (runForm) runForm.addEventListener("submit", function (event) { planner.runHotspots(event); });
    global.borderwatch.planner = planner;
    planner.reload();
    planner.listPlans();
  }

  var started = false;
  global.borderwatch.onMap(function (map) {
    if (started) return;
    started = true;
    start(map);
  });
})(window);
