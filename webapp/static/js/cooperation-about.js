// The map's popups of hotspots, natural crossings and checkpoints list the cooperation
// register's agreements about them: when such a popup opens, GET /api/cooperation/about
// (the agreements the signed-in account reads, in its scope) and, when there are any, add them
// under the popup's table with links to their activities. The map page loads this script only
// for the roles that read the register. Every text from data is written with textContent.
(function () {
  "use strict";
  const script = document.currentScript;
  const api = script && script.dataset.api;
  const ns = window.borderwatch;
  if (!api || !ns || typeof ns.onMap !== "function") { return; }

  // layer name -> the agreement's field that links to its features
  const LINKS = {
    hotspots: "hotspot_id",
    natural_crossings: "natural_crossing_id",
    checkpoints: "checkpoint_id",
  };

  function t(message, values) {
    return window.bw ? window.bw.t(message, values) : message;
  }

  function day(iso) {
    return window.bw && window.bw.formatDate ? window.bw.formatDate(iso) : iso;
  }

  // whether group holds layer, directly or in a group inside it (a layer's GeoJSON groups)
  function holds(group, layer) {
    if (group.hasLayer(layer)) { return true; }
    let found = false;
    group.eachLayer(function (child) {
      if (!found && typeof child.eachLayer === "function") { found = holds(child, layer); }
    });
    return found;
  }

  function linkOf(map, source) {
    for (const name of Object.keys(LINKS)) {
      const layer = ns.findLayer(map, name);
      if (layer && layer.group && holds(layer.group, source)) { return LINKS[name]; }
    }
    return null;
  }

  function section(items) {
    const box = document.createElement("div");
    box.className = "bw-popup-about";
    const title = document.createElement("strong");
    title.textContent = t("Agreements with the parallel areas about this place");
    box.appendChild(title);
    const list = document.createElement("ul");
    items.forEach(function (item) {
      const row = document.createElement("li");
      const link = document.createElement("a");
      link.href = item.activity.url;
      link.textContent = item.text;
      row.appendChild(link);
      const note = item.due_on
        ? t("{title}, due {day}", { title: item.activity.title, day: day(item.due_on) })
        : item.activity.title;
      const overdue = item.overdue ? ", " + t("Overdue") : "";
      row.appendChild(document.createTextNode(" (" + note + overdue + ")"));
      list.appendChild(row);
    });
    box.appendChild(list);
    return box;
  }

  ns.onMap(function (map) {
    map.on("popupopen", function (event) {
      const source = event.popup && event.popup._source;
      const feature = source && source.feature;
      if (!feature || feature.id === undefined || feature.id === null) { return; }
      const link = linkOf(map, source);
      if (!link) { return; }
      const url = api + "?link=" + encodeURIComponent(link) +
        "&id=" + encodeURIComponent(feature.id);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (resp) { return resp.ok ? resp.json() : { items: [] }; })
        .then(function (body) {
          const element = event.popup.getElement();
          const root = element && element.querySelector(".bw-popup");
          if (!root || !body.items || !body.items.length || !event.popup.isOpen()) { return; }
          root.appendChild(section(body.items)); // update() would build the popup anew
        })
        .catch(function () { /* no list when the register does not answer */ });
    });
  });
})();
