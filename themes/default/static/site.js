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

  /* FAQ index: text filter and term chips (OR within a taxonomy, AND across taxonomies). */
  var index = doc.getElementById("faq-index");
  if (!index) return;
  var entries = [].slice.call(index.querySelectorAll("li.faq-entry"));
  var groups = [].slice.call(index.querySelectorAll(".faq-group"));
  var controls = doc.querySelector(".faq-controls");
  var input = doc.getElementById("faq-filter");
  var status = doc.getElementById("faq-filter-status");
  var chips = [].slice.call(doc.querySelectorAll(".faq-chip"));
  var allChip = doc.querySelector(".faq-chip-all");
  var template = (status && status.getAttribute("data-template")) || "{n}";
  var total = entries.length;

  var data = entries.map(function (li) {
    var q = li.querySelector(".faq-q");
    return {
      li: li,
      text: (q ? q.textContent : li.textContent).toLowerCase(),
      keys: (li.getAttribute("data-terms") || "").split(/\s+/).filter(Boolean)
    };
  });

  [controls, input, doc.querySelector(".faq-chips")].forEach(function (el) { if (el) el.hidden = false; });
  // On a phone the chips would fill the first screen: start them folded.
  var chipBox = doc.querySelector("details.faq-chips");
  if (chipBox && window.matchMedia && window.matchMedia("(max-width: 40em)").matches) chipBox.open = false;

  function groupOf(chip) {
    var g = chip.closest(".faq-chip-group");
    return g ? g.getAttribute("aria-labelledby") || "" : "";
  }

  function selected() {
    var byGroup = {};
    chips.forEach(function (c) {
      var key = c.getAttribute("data-key");
      if (!key || c.getAttribute("aria-pressed") !== "true") return;
      var g = groupOf(c);
      (byGroup[g] = byGroup[g] || []).push(key);
    });
    return byGroup;
  }

  function apply() {
    var words = input ? input.value.toLowerCase().trim().split(/\s+/).filter(Boolean) : [];
    var byGroup = selected();
    var names = Object.keys(byGroup);
    var shown = 0;
    data.forEach(function (d) {
      var ok = words.every(function (w) { return d.text.indexOf(w) !== -1; }) &&
        names.every(function (g) { return byGroup[g].some(function (k) { return d.keys.indexOf(k) !== -1; }); });
      d.li.hidden = !ok;
      if (ok) shown++;
    });
    groups.forEach(function (g) { g.hidden = !g.querySelector("li.faq-entry:not([hidden])"); });
    if (allChip) allChip.setAttribute("aria-pressed", names.length ? "false" : "true");
    if (status) {
      var filtering = words.length || names.length;
      status.textContent = filtering ? template.replace("{n}", shown + " / " + total) : "";
    }
  }

  chips.forEach(function (c) {
    c.addEventListener("click", function () {
      if (c === allChip) {
        chips.forEach(function (o) { if (o !== allChip) o.setAttribute("aria-pressed", "false"); });
      } else {
        c.setAttribute("aria-pressed", c.getAttribute("aria-pressed") === "true" ? "false" : "true");
      }
      apply();
    });
  });
  if (input) {
    input.addEventListener("input", apply);
    input.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && input.value) { input.value = ""; apply(); }
    });
  }
  apply();
})();
