/* kbgen default theme: small page behaviours. No dependencies; every string comes from the page. */
(function () {
  "use strict";
  var doc = document;

  /* Open the <details> a #hash points at (FAQ answers on articles), and any closed ancestors. */
  function openTarget() {
    var id = location.hash.slice(1);
    if (!id) return;
    try { id = decodeURIComponent(id); } catch (e) { /* keep raw */ }
    var el = doc.getElementById(id);
    var first = el;
    while (el) {
      if (el.tagName === "DETAILS") el.open = true;
      el = el.parentElement;
    }
    if (first && first.tagName === "DETAILS") first.scrollIntoView();
  }
  openTarget();
  window.addEventListener("hashchange", openTarget);

  /* Table of contents: open as a sidebar on wide screens, collapsed on phones. */
  var toc = doc.querySelector(".toc-box");
  if (toc && window.matchMedia) {
    var wide = window.matchMedia("(min-width: 66rem)");
    var sync = function () { if (wide.matches) toc.open = true; };
    sync();
    if (wide.addEventListener) wide.addEventListener("change", sync);
    toc.addEventListener("click", function (e) {
      var a = e.target.closest && e.target.closest("a");
      if (a && !wide.matches) toc.open = false;
    });
  }

  /* Print: show every answer, then put them back. */
  var reopened = [];
  window.addEventListener("beforeprint", function () {
    reopened = [].filter.call(doc.querySelectorAll("details:not([open])"), function (d) { d.open = true; return true; });
  });
  window.addEventListener("afterprint", function () {
    reopened.forEach(function (d) { d.open = false; });
    reopened = [];
  });

  /* Filter chips (the FAQ index, section and term pages): the items of the page's list
     carry their terms as `data-terms` keys (`TAXONOMY:TERM`); pressed chips keep the items
     with any of the chosen terms of a taxonomy and with one of each taxonomy chosen (OR
     within a taxonomy, AND across). The FAQ index adds a text box. The chosen terms live in
     the query string (`?legal_basis=…&remedy_type=…`, one entry per term), so a filtered list
     can be shared and reopened, from a copy on disk too. Without JavaScript the controls stay
     hidden and the whole list shows. */
  var controls = doc.querySelector(".filter-controls");
  var main = doc.getElementById("main");
  if (!controls || !main) return;
  var groups = [].slice.call(main.querySelectorAll("[data-filter-group]"));
  var input = controls.querySelector("input[type=search]");
  var status = doc.getElementById("filter-status");
  var chips = [].slice.call(controls.querySelectorAll(".filter-chip"));
  var allChip = controls.querySelector(".filter-chip-all");
  var template = (status && status.getAttribute("data-template")) || "{n}";

  var data = [].slice.call(main.querySelectorAll("[data-terms]")).map(function (el) {
    var title = el.querySelector("a");
    return {
      el: el,
      text: (title ? title.textContent : el.textContent).toLowerCase(),
      keys: (el.getAttribute("data-terms") || "").split(/\s+/).filter(Boolean)
    };
  });
  var total = data.length;

  controls.hidden = false;
  // On a phone the chips would fill the first screen: start them folded.
  var chipBox = controls.querySelector("details.filter-chips");
  if (chipBox && window.matchMedia && window.matchMedia("(max-width: 40em)").matches) chipBox.open = false;

  /* A key's taxonomy and term: `legal_basis:民法典` → ["legal_basis", "民法典"]. */
  function split(key) {
    var i = key.indexOf(":");
    return [key.slice(0, i), key.slice(i + 1)];
  }
  var taxonomies = [];
  chips.forEach(function (c) {
    var key = c.getAttribute("data-key");
    if (key && taxonomies.indexOf(split(key)[0]) === -1) taxonomies.push(split(key)[0]);
  });

  function selected() {
    var byTaxonomy = {};
    chips.forEach(function (c) {
      var key = c.getAttribute("data-key");
      if (!key || c.getAttribute("aria-pressed") !== "true") return;
      var t = split(key)[0];
      (byTaxonomy[t] = byTaxonomy[t] || []).push(key);
    });
    return byTaxonomy;
  }

  /* Presses the chips the query string names. */
  function readUrl() {
    if (!window.URLSearchParams) return;
    var params = new URLSearchParams(location.search);
    chips.forEach(function (c) {
      var key = c.getAttribute("data-key");
      if (!key) return;
      var parts = split(key);
      if (params.getAll(parts[0]).indexOf(parts[1]) !== -1) c.setAttribute("aria-pressed", "true");
    });
  }

  /* Writes the pressed chips into the query string, keeping whatever else it holds. */
  function writeUrl(byTaxonomy) {
    if (!window.URLSearchParams || !history.replaceState) return;
    var params = new URLSearchParams(location.search);
    taxonomies.forEach(function (t) { params.delete(t); });
    taxonomies.forEach(function (t) {
      (byTaxonomy[t] || []).forEach(function (key) { params.append(t, split(key)[1]); });
    });
    var query = params.toString();
    try {
      history.replaceState(history.state, "", location.pathname + (query ? "?" + query : "") + location.hash);
    } catch (e) { /* a browser that refuses: the filter still works, unshared */ }
  }

  function apply() {
    var words = input ? input.value.toLowerCase().trim().split(/\s+/).filter(Boolean) : [];
    var byTaxonomy = selected();
    var names = Object.keys(byTaxonomy);
    var shown = 0;
    data.forEach(function (d) {
      var ok = words.every(function (w) { return d.text.indexOf(w) !== -1; }) &&
        names.every(function (t) { return byTaxonomy[t].some(function (k) { return d.keys.indexOf(k) !== -1; }); });
      d.el.hidden = !ok;
      if (ok) shown++;
    });
    groups.forEach(function (g) { g.hidden = !g.querySelector("[data-terms]:not([hidden])"); });
    if (allChip) allChip.setAttribute("aria-pressed", names.length ? "false" : "true");
    if (status) {
      var filtering = words.length || names.length;
      status.textContent = filtering ? template.replace("{n}", shown + " / " + total) : "";
    }
    return byTaxonomy;
  }

  chips.forEach(function (c) {
    c.addEventListener("click", function () {
      if (c === allChip) {
        chips.forEach(function (o) { if (o !== allChip) o.setAttribute("aria-pressed", "false"); });
      } else {
        c.setAttribute("aria-pressed", c.getAttribute("aria-pressed") === "true" ? "false" : "true");
      }
      writeUrl(apply());
    });
  });
  if (input) {
    input.addEventListener("input", apply);
    input.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && input.value) { input.value = ""; apply(); }
    });
  }
  readUrl();
  apply();
})();
