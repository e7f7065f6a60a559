/* kbgen site search: loads the index kbgen wrote under search/ only when search is used,
 * cuts the query exactly as the build cut the articles (src/search/segment.rs), scores with
 * BM25F from the raw counts in the shards, and shows results in the header popup and on the
 * search page. Index files are scripts calling window.__kbgenSearch.*, so this works from
 * any static host, under a sub-path and from file:// (no fetch). */
(function () {
  "use strict";

  var K = (window.__kbgenSearch = window.__kbgenSearch || {});

  /* ---- loading index files ---- */

  var loads = {}; // key -> Promise of the payload (null when the file is missing)
  var settlers = {}; // key -> resolve function of a pending load
  var indexBase = ""; // absolute URL of the search/ folder

  function settle(key, value) {
    var resolve = settlers[key];
    if (resolve) {
      delete settlers[key];
      resolve(value);
    }
  }
  K.manifest = function (m) { settle("manifest", m); };
  // Shards, tails and docs come deflated (see packed() below).
  K.shard = function (n, data) { settle("s" + n, data); };
  K.tails = function (k, data) { settle("t" + k, data); };
  K.prefix = function (key, list) { settle("p" + key, list); };
  K.docs = function (b, data) { settle("d" + b, data); };

  // Replaceable so tests can load files without a DOM.
  K.loadScript = function (url, done) {
    var s = document.createElement("script");
    s.src = url;
    s.async = true;
    s.onload = s.onerror = function () {
      s.remove();
      done();
    };
    document.head.appendChild(s);
  };

  function load(key, path) {
    if (!loads[key]) {
      loads[key] = new Promise(function (resolve) {
        settlers[key] = resolve;
        // A file that loaded without calling back (or failed) settles as missing.
        K.loadScript(indexBase + path, function () { settle(key, null); });
      });
    }
    return loads[key];
  }

  // A shard, tail or doc file's payload is JSON deflated (zlib) and in base64 (shard.rs,
  // packed): Promise of the parsed value, null when the file is missing or unreadable.
  var unpacked = {};

  function inflateJson(b64) {
    var bin = atob(b64), bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
    return new Response(stream).text().then(JSON.parse);
  }

  function loadPacked(key, path) {
    if (!unpacked[key]) {
      unpacked[key] = load(key, path).then(function (data) {
        return typeof data === "string" ? inflateJson(data) : null;
      }).catch(function () { return null; });
    }
    return unpacked[key];
  }

  /* ---- the cut (mirrors segment.rs) ---- */

  var MAX_WORD_CHARS = 32;
  var ALNUM = /[\p{Alphabetic}\p{N}]/u;

  function foldChar(ch) {
    var c = ch.codePointAt(0);
    if (c === 0x3000) return " ";
    if (c >= 0xff01 && c <= 0xff5e) ch = String.fromCodePoint(c - 0xfee0);
    var lower = ch.toLowerCase();
    return Array.from(lower).length === 1 ? lower : ch;
  }

  function normalize(text) {
    var out = "";
    for (var ch of text) out += foldChar(ch);
    return out;
  }

  /* The name rule (src/names.rs, name_of) for the text the build lets the client name:
   * drop punctuation and symbols but - and _, lower-case ASCII, white space runs become -. */
  var NAME_CHAR = /[-_\p{Alphabetic}\p{N}]/u;

  function nameOf(text) {
    var out = "", space = false;
    for (var ch of text.trim().replace(/[\uff01-\uff5e\u3000]/g, function (c) {
      return c === "\u3000" ? " " : String.fromCharCode(c.charCodeAt(0) - 0xfee0);
    })) {
      if (/\s/.test(ch)) {
        space = true;
        continue;
      }
      if (!NAME_CHAR.test(ch)) continue;
      if (space && out) out += "-";
      space = false;
      out += ch < "\x80" ? ch.toLowerCase() : ch;
    }
    return out;
  }

  function isCjk(c) {
    return (c >= 0x3040 && c <= 0x30ff) || (c >= 0x3400 && c <= 0x4dbf) ||
      (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xac00 && c <= 0xd7af) ||
      (c >= 0xf900 && c <= 0xfaff) || (c >= 0x20000 && c <= 0x3ffff);
  }

  // Calls f("c", run) for CJK runs and f("w", word) for other letter/digit runs.
  function pieces(text, f) {
    var run = "", kind = "";
    function flush() {
      if (kind === "c") f("c", run);
      else if (kind === "w") f("w", Array.from(run).slice(0, MAX_WORD_CHARS).join(""));
      run = "";
    }
    for (var ch of text) {
      var c = ch.codePointAt(0);
      var k = isCjk(c) ? "c" : ALNUM.test(ch) ? "w" : "";
      if (k !== kind) {
        flush();
        kind = k;
      }
      run += ch;
    }
    flush();
  }

  function utf8(s) {
    return unescape(encodeURIComponent(s));
  }

  function fnv32(s) {
    var b = utf8(s), h = 0x811c9dc5;
    for (var i = 0; i < b.length; i++) {
      h ^= b.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    return h >>> 0;
  }

  /* Cuts a query into slots. A slot is one position-range of the query with alternative
   * terms (a Latin word and its prefix completions); coverage counts the query's units
   * (one per CJK character, two per word) that a document matches. Dictionary words are
   * bonus slots: they rank, but never decide whether a document matches. */
  function analyze(query, manifest) {
    var norm = normalize(query);
    var slots = [], units = 0, last = null;
    var words = manifest && manifest.wordSet;
    pieces(norm, function (kind, s) {
      if (kind === "w") {
        last = { from: units, to: units + 2, weight: 1, alts: [{ t: s, w: 1 }], word: s };
        slots.push(last);
        units += 2;
        return;
      }
      last = null;
      var cs = Array.from(s);
      if (cs.length === 1) slots.push({ from: units, to: units + 1, weight: 1, alts: [{ t: cs[0], w: 1 }] });
      for (var i = 0; i + 1 < cs.length; i++) {
        slots.push({ from: units + i, to: units + i + 2, weight: 1, alts: [{ t: cs[i] + cs[i + 1], w: 1 }] });
      }
      if (words) {
        for (var a = 0; a < cs.length; a++) {
          for (var len = Math.min(12, cs.length - a); len >= 3; len--) {
            var w = cs.slice(a, a + len).join("");
            if (words.has(w)) slots.push({ from: units + a, to: units + a + len, weight: 0.5, bonus: true, alts: [{ t: w, w: 1 }] });
          }
        }
      }
      units += cs.length;
    });
    // Typing is still going on at the end of the last word: complete it from the prefix list.
    var partial = last && !/\s$/.test(query) ? last : null;
    return { norm: norm, slots: slots, units: units, partial: partial };
  }

  /* ---- index access ---- */

  var manifestPromise = null;

  function loadManifest() {
    if (!manifestPromise) {
      manifestPromise = load("manifest", "manifest.js").then(function (m) {
        if (m) m.wordSet = new Set(m.words);
        return m;
      });
    }
    return manifestPromise;
  }

  // File `n` of a kind with `count` files: fixed-width hex (shard.rs, hex_name).
  function hexName(folder, n, count) {
    var width = Math.max(1, Math.ceil(Math.log2(Math.max(2, count)) / 4));
    var hex = n.toString(16);
    while (hex.length < width) hex = "0" + hex;
    return folder + "/" + hex + ".js";
  }

  function shardOf(m, term) {
    var n = fnv32(term) & (m.s - 1);
    return loadPacked("s" + n, hexName("s", n, m.s));
  }

  // A shard's tails share the bundle of the shard's number modulo the bundle count.
  function tailsOf(m, term) {
    var k = fnv32(term) & (m.t - 1);
    return loadPacked("t" + k, hexName("t", k, m.t));
  }

  var bundles = {}; // doc bundle -> Promise of Map id -> record

  // Doc bundles hold ranges of ids (shard.rs, Params::doc_bundle).
  function docsOf(m, id) {
    var b = Math.floor((id * m.d) / m.m);
    if (!bundles[b]) {
      bundles[b] = loadPacked("d" + b, hexName("d", b, m.d)).then(function (list) {
        var byId = new Map();
        (list || []).forEach(function (r) { byId.set(r[0], r); });
        return byId;
      });
    }
    return bundles[b].then(function (byId) { return byId.get(id) || null; });
  }

  async function expandPrefix(m, slot) {
    var w = slot.word;
    var key = w.codePointAt(0).toString(16);
    var list = await load("p" + key, "p/" + key + ".js");
    if (!list) return;
    var found = [];
    for (var i = 0; i < list.length; i += 2) {
      if (list[i] !== w && list[i].lastIndexOf(w, 0) === 0) found.push([list[i], list[i + 1]]);
    }
    found.sort(function (a, b) { return b[1] - a[1] || (a[0] < b[0] ? -1 : 1); });
    found.slice(0, 5).forEach(function (f) { slot.alts.push({ t: f[0], w: 0.8 }); });
  }

  var decoded = {}; // term -> postings decoded (head, or head + tail)

  function decode(data, into) {
    var pos = 0, doc = 0, first = true;
    function v() {
      var x = 0, shift = 0;
      for (;;) {
        var c = data.charCodeAt(pos++), d;
        if (c >= 65 && c <= 90) d = c - 65;
        else if (c >= 97 && c <= 122) d = c - 71;
        else if (c >= 48 && c <= 57) d = c + 4;
        else if (c === 45) d = 62;
        else d = 63;
        x += (d & 31) * Math.pow(2, shift);
        if (d < 32) return x;
        shift += 5;
      }
    }
    while (pos < data.length) {
      var gap = v();
      doc = first ? gap : doc + gap;
      first = false;
      var mask = v(), tf = [0, 0, 0, 0, 0, 0, 0], body = 0, title = 0;
      for (var f = 6; f >= 0; f--) {
        if (!(mask & (1 << (6 - f)))) continue;
        tf[f] = v() + 1;
        if (f === 6) body = v();
        if (f === 0) title = v();
      }
      into.push({ doc: doc, tf: tf, body: body, title: title });
    }
    return into;
  }

  async function postings(m, term, full) {
    var key = (full ? "+" : "") + term;
    if (decoded[key]) return decoded[key];
    var shard = await shardOf(m, term);
    var e = shard && shard[term];
    if (!e) return (decoded[key] = { df: 0, list: [], more: false });
    var list = decode(e[1], []);
    if (full && e[2]) {
      var tails = await tailsOf(m, term);
      if (tails && tails[term]) decode(tails[term], list);
    }
    return (decoded[key] = { df: e[0], list: list, more: !!e[2] && !full });
  }

  /* ---- scoring ---- */

  function termScore(m, p, idf) {
    var tfw = 0;
    for (var f = 0; f < 7; f++) {
      if (!p.tf[f]) continue;
      var len = f === 6 ? Math.pow(2, p.body / 2) - 1 : f === 0 ? p.title : m.avg[f];
      var norm = 1 - m.b[f] + (m.b[f] * len) / Math.max(1, m.avg[f]);
      tfw += (m.w[f] * p.tf[f]) / Math.max(0.1, norm);
    }
    return (idf * tfw) / (m.k1 + tfw);
  }

  /* Ranks documents from the shards alone. `full` also loads the tails of common terms
   * (only when the reader asks for more than the heads hold). */
  async function rank(query, full) {
    var m = await loadManifest();
    if (!m) return null;
    var q = analyze(query, m);
    if (!q.units) return { q: q, m: m, hits: [], more: false };
    // The query's own terms load while the last word's completions are looked up; then
    // the completions' postings.
    var jobs = [];
    function fetchAlts() {
      q.slots.forEach(function (slot) {
        slot.alts.forEach(function (alt) {
          if (!alt.loading) {
            alt.loading = true;
            jobs.push(postings(m, alt.t, full).then(function (p) { alt.p = p; }));
          }
        });
      });
    }
    fetchAlts();
    if (q.partial) {
      await expandPrefix(m, q.partial);
      fetchAlts();
    }
    await Promise.all(jobs);
    var docs = new Map(), more = false;
    q.slots.forEach(function (slot, si) {
      slot.alts.forEach(function (alt) {
        var p = alt.p;
        if (!p.df) return;
        more = more || p.more;
        var idf = Math.log(1 + (m.n - p.df + 0.5) / (p.df + 0.5));
        p.list.forEach(function (post) {
          var s = alt.w * termScore(m, post, idf);
          var d = docs.get(post.doc);
          if (!d) docs.set(post.doc, (d = { id: post.doc, slots: {} }));
          if (!(d.slots[si] >= s)) d.slots[si] = s;
        });
      });
    });
    var hits = [];
    docs.forEach(function (d) {
      var sum = 0, covered = new Uint8Array(q.units);
      for (var si in d.slots) {
        var slot = q.slots[si];
        sum += slot.weight * d.slots[si];
        if (!slot.bonus) for (var u = slot.from; u < slot.to; u++) covered[u] = 1;
      }
      var c = 0;
      for (var i = 0; i < covered.length; i++) c += covered[i];
      var coverage = c / q.units;
      // Half the query must be there: stray bigrams of an unrelated query match nothing.
      if (coverage < 0.5) return;
      d.score = sum * coverage * coverage;
      hits.push(d);
    });
    hits.sort(function (a, b) { return b.score - a.score || a.id - b.id; });
    return { q: q, m: m, hits: hits, more: more };
  }

  // All term strings a result's text is searched for (for coverage, anchors and <mark>).
  function queryStrings(q) {
    var out = [];
    q.slots.forEach(function (slot) {
      slot.alts.forEach(function (alt) { if (out.indexOf(alt.t) < 0) out.push(alt.t); });
    });
    return out;
  }

  function partCoverage(q, norm) {
    var covered = new Uint8Array(q.units), c = 0;
    q.slots.forEach(function (slot) {
      if (slot.bonus) return;
      var hit = slot.alts.some(function (alt) { return norm.indexOf(alt.t) >= 0; });
      if (hit) for (var u = slot.from; u < slot.to; u++) covered[u] = 1;
    });
    for (var i = 0; i < covered.length; i++) c += covered[i];
    return c / Math.max(1, q.units);
  }

  /* Loads the text of hits [from, to), re-ranks them by how close together the query's
   * terms occur (same part, or the whole query verbatim), and picks each one's anchor and
   * snippet. */
  async function details(r, from, to) {
    var slice = r.hits.slice(from, to);
    var docs = await Promise.all(slice.map(function (h) { return docsOf(r.m, h.id); }));
    var compact = r.q.norm.replace(/\s+/g, "");
    var out = [];
    slice.forEach(function (h, i) {
      var d = docs[i];
      if (!d) return;
      // A record: [id, url, title, section index, [field, anchor, text, …]].
      var anchor = "", flat = [0, "", d[2]].concat(d[4]), parts = [];
      for (var k = 0; k + 2 < flat.length; k += 3) {
        var norm = normalize(flat[k + 2]);
        // 0 stands for the previous part's anchor (a heading's text, an FAQ answer), 1 for
        // the name of the part's text.
        var a = flat[k + 1];
        if (a === 1) anchor = (flat[k] === 1 ? "faq-" : "") + nameOf(flat[k + 2]);
        else if (a !== 0) anchor = a;
        parts.push({ field: flat[k], anchor: anchor, text: flat[k + 2], norm: norm, cov: partCoverage(r.q, norm) });
      }
      var best = null, verbatim = false;
      parts.forEach(function (p) {
        if (compact.length > 1 && p.norm.indexOf(compact) >= 0) verbatim = true;
        if (!best || p.cov > best.cov || (p.cov === best.cov && r.m.w[p.field] > r.m.w[best.field])) best = p;
      });
      var bonus = verbatim ? 1.5 : 1 + 0.4 * best.cov;
      // The snippet comes from the best part other than the title (already shown).
      var snip = null;
      parts.slice(1).forEach(function (p) {
        if (!snip || p.cov > snip.cov) snip = p;
      });
      out.push({
        id: h.id,
        score: h.score * bonus,
        url: d[1],
        title: d[2],
        section: r.m.sec[d[3]] || "",
        anchor: best.field === 0 || best.field === 3 ? "" : best.anchor,
        snippet: snip ? snippet(snip, queryStrings(r.q)) : [],
      });
    });
    out.sort(function (a, b) { return b.score - a.score || a.id - b.id; });
    return out;
  }

  // Ranges [start, end) of every occurrence of any of `terms` in `norm`, merged.
  function matchRanges(norm, terms) {
    var ranges = [];
    terms.forEach(function (t) {
      if (!t) return;
      for (var i = norm.indexOf(t); i >= 0; i = norm.indexOf(t, i + 1)) ranges.push([i, i + t.length]);
    });
    ranges.sort(function (a, b) { return a[0] - b[0]; });
    var merged = [];
    ranges.forEach(function (r) {
      var last = merged[merged.length - 1];
      if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
      else merged.push(r.slice());
    });
    return merged;
  }

  var SNIPPET = 110;

  // [[text, isMatch], …] around the first match of the part, every match marked.
  function snippet(part, terms) {
    var ranges = matchRanges(part.norm, terms);
    var text = part.text, start = 0;
    if (ranges.length) start = Math.max(0, ranges[0][0] - 24);
    var end = Math.min(text.length, start + SNIPPET);
    if (end - start < SNIPPET) start = Math.max(0, end - SNIPPET);
    // Never split a surrogate pair.
    if (start > 0 && /[\udc00-\udfff]/.test(text[start])) start--;
    if (end < text.length && /[\udc00-\udfff]/.test(text[end])) end++;
    var out = [], at = start;
    if (start > 0) out.push(["…", false]);
    ranges.forEach(function (r) {
      var a = Math.max(r[0], start), b = Math.min(r[1], end);
      if (a >= b) return;
      if (a > at) out.push([text.slice(at, a), false]);
      out.push([text.slice(a, b), true]);
      at = b;
    });
    if (at < end) out.push([text.slice(at, end), false]);
    if (end < text.length) out.push(["…", false]);
    return out;
  }

  /* The search API: up to `limit` results, best first, leaving out the ids in `skip`
   * (those already shown). `full` ranks with the tails of common terms too. */
  async function search(query, limit, full, skip) {
    var r = await rank(query, full);
    // The heads of common terms may share no document that holds enough of the query:
    // before saying "nothing found", rank with their tails too.
    if (r && !full && r.more && !r.hits.length) r = await rank(query, true);
    if (!r) return { error: true, results: [], total: 0, more: false };
    var hits = skip ? r.hits.filter(function (h) { return !skip.has(h.id); }) : r.hits;
    var results = await details({ q: r.q, m: r.m, hits: hits }, 0, limit);
    return { results: results, total: hits.length, more: r.more, terms: queryStrings(r.q) };
  }

  K._core = {
    normalize: normalize,
    analyze: analyze,
    fnv32: fnv32,
    nameOf: nameOf,
    search: search,
    setBase: function (b) { indexBase = b; },
  };

  if (typeof document === "undefined") return;

  /* ---- page integration ---- */

  var form = document.querySelector("form.site-search[data-index]") || document.querySelector("form[role=search]");
  if (!form) return;
  var input = form.querySelector("input[name=q]");
  var popup = document.getElementById("site-search-popup");
  var status = document.getElementById("site-search-status");
  var lang = (document.documentElement.lang || "en").toLowerCase();
  var zh = lang.lastIndexOf("zh", 0) === 0;

  // UI strings: data-i18n-* attributes on the form win; then the site's language.
  function ui(name, n) {
    var fallback = {
      results: zh ? "找到 {n} 个结果" : "{n} results",
      none: zh ? "没有找到相关内容" : "No results",
      more: zh ? "显示更多结果" : "More results",
      error: zh ? "搜索索引加载失败" : "The search index could not be loaded",
    };
    var s = form.getAttribute("data-i18n-" + name) || fallback[name];
    if (name === "none") {
      var empty = document.getElementById("search-empty");
      if (empty && empty.textContent.trim()) s = empty.textContent.trim();
    }
    return s.replace("{n}", String(n));
  }

  var indexAttr = form.getAttribute("data-index") || "search/";
  indexBase = new URL(indexAttr, document.baseURI).href;
  var siteRoot = new URL("../", indexBase).href;
  // Portable builds link folders as …/index.html (file:// does not serve index files).
  var portable = /index\.html$/.test(form.getAttribute("action") || "");

  function resultHref(r, query) {
    var url = siteRoot + r.url;
    if (portable && /\/$/.test(url)) url += "index.html";
    url += "?hl=" + encodeURIComponent(query);
    if (r.anchor) url += "#" + encodeURIComponent(r.anchor);
    return url;
  }

  function snippetNode(tag, parts) {
    var el = document.createElement(tag);
    el.className = "search-snippet";
    parts.forEach(function (p) {
      if (p[1]) {
        var mark = document.createElement("mark");
        mark.textContent = p[0];
        el.appendChild(mark);
      } else {
        el.appendChild(document.createTextNode(p[0]));
      }
    });
    return el;
  }

  /* Header popup (combobox). */

  var POPUP = 6;
  var seq = 0, timer = 0, active = -1;

  function options() {
    return popup ? popup.querySelectorAll("[role=option]") : [];
  }

  function setActive(i) {
    var opts = options();
    if (!opts.length) return;
    active = (i + opts.length) % opts.length;
    opts.forEach(function (o, j) { o.setAttribute("aria-selected", j === active ? "true" : "false"); });
    input.setAttribute("aria-activedescendant", opts[active].id);
    opts[active].scrollIntoView({ block: "nearest" });
  }

  function close() {
    if (!popup) return;
    popup.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function renderPopup(query, res) {
    if (!popup) return;
    popup.textContent = "";
    active = -1;
    input.removeAttribute("aria-activedescendant");
    res.results.forEach(function (r, i) {
      var a = document.createElement("a");
      a.setAttribute("role", "option");
      a.id = "site-search-opt-" + i;
      a.className = "search-option";
      a.setAttribute("aria-selected", "false");
      a.tabIndex = -1;
      a.href = resultHref(r, query);
      var title = document.createElement("span");
      title.className = "search-option-title";
      title.textContent = r.title;
      var section = document.createElement("span");
      section.className = "search-section";
      section.textContent = r.section;
      a.appendChild(title);
      a.appendChild(section);
      a.appendChild(snippetNode("span", r.snippet));
      popup.appendChild(a);
    });
    if (!res.results.length) {
      var none = document.createElement("div");
      none.className = "search-none";
      none.textContent = ui("none");
      popup.appendChild(none);
    }
    popup.hidden = false;
    input.setAttribute("aria-expanded", "true");
    if (status) status.textContent = res.results.length ? ui("results", res.total + (res.more ? "+" : "")) : ui("none");
  }

  async function runPopup() {
    var query = input.value.trim();
    var mine = ++seq;
    if (!query) {
      close();
      if (status) status.textContent = "";
      return;
    }
    var res = await search(input.value, POPUP, false, null);
    if (mine !== seq || document.activeElement !== input) return;
    if (res.error) {
      if (status) status.textContent = ui("error");
      return;
    }
    renderPopup(query, res);
  }

  input.addEventListener("focus", function () { loadManifest(); });
  input.addEventListener("input", function () {
    loadManifest();
    clearTimeout(timer);
    timer = setTimeout(runPopup, 100);
  });
  input.addEventListener("keydown", function (e) {
    var open = popup && !popup.hidden;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      if (!open) return;
      e.preventDefault();
      setActive(active + (e.key === "ArrowDown" ? 1 : -1));
    } else if (e.key === "Enter") {
      var opts = options();
      if (open && active >= 0 && opts[active]) {
        e.preventDefault();
        window.location.href = opts[active].href;
      }
    } else if (e.key === "Escape") {
      if (open) {
        e.preventDefault();
        close();
      } else if (input.value) {
        // What type=search did natively (the box is type=text for its combobox role).
        e.preventDefault();
        input.value = "";
        if (status) status.textContent = "";
      }
    }
  });
  document.addEventListener("click", function (e) {
    if (!form.contains(e.target)) close();
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    var typing = t && (t.isContentEditable || /^(input|textarea|select)$/i.test(t.tagName));
    if (typing) return;
    e.preventDefault();
    input.focus();
  });

  /* Search page. */

  var list = document.getElementById("search-results");
  if (list) {
    var PAGE = 8;
    var pageStatus = document.getElementById("search-status");
    var empty = document.getElementById("search-empty");
    var query = new URLSearchParams(window.location.search).get("q") || "";
    input.value = query;
    var shownIds = new Set(), full = false, moreButton = null;

    var renderPage = function (res) {
      res.results.forEach(function (r) {
        shownIds.add(r.id);
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = resultHref(r, query);
        a.textContent = r.title;
        var section = document.createElement("span");
        section.className = "search-section";
        section.textContent = r.section;
        li.appendChild(a);
        li.appendChild(document.createTextNode(" "));
        li.appendChild(section);
        li.appendChild(document.createTextNode(" "));
        li.appendChild(snippetNode("p", r.snippet));
        list.appendChild(li);
      });
      var remaining = res.total - res.results.length;
      var hasMore = remaining > 0 || res.more;
      if (hasMore && !moreButton) {
        moreButton = document.createElement("button");
        moreButton.type = "button";
        moreButton.className = "search-more";
        moreButton.textContent = ui("more");
        moreButton.addEventListener("click", async function () {
          moreButton.disabled = true;
          var next = await search(query, PAGE, full, shownIds);
          // Once the shards' heads run out, rank again with the full postings of common terms.
          if (next.results.length < PAGE && next.more && !full) {
            full = true;
            next = await search(query, PAGE, true, shownIds);
          }
          moreButton.disabled = false;
          renderPage(next);
        });
        list.insertAdjacentElement("afterend", moreButton);
      } else if (!hasMore && moreButton) {
        moreButton.remove();
        moreButton = null;
      }
      if (pageStatus) pageStatus.textContent = ui("results", shownIds.size + remaining + (res.more ? "+" : ""));
    };

    var finish = function () { document.body.dataset.searchState = "done"; };
    if (!query.trim()) {
      finish();
    } else {
      document.body.dataset.searchState = "searching";
      search(query, PAGE, false, shownIds).then(function (res) {
        if (res.error && pageStatus) pageStatus.textContent = ui("error");
        if (!res.results.length) {
          if (empty) empty.hidden = false;
          if (pageStatus && !res.error) pageStatus.textContent = ui("none");
        } else {
          renderPage(res);
        }
        finish();
      });
    }
  }

  /* Highlight on the page a result opened (?hl=QUERY). */

  var hl = new URLSearchParams(window.location.search).get("hl");
  if (hl) {
    var terms = [];
    pieces(normalize(hl), function (kind, s) {
      if (kind === "w") return terms.push(s);
      var cs = Array.from(s);
      if (cs.length === 1) terms.push(s);
      for (var i = 0; i + 1 < cs.length; i++) terms.push(cs[i] + cs[i + 1]);
    });
    // Every .prose: the article body and each FAQ answer (a result may land on one).
    var roots = Array.from(document.querySelectorAll("main .prose"));
    if (!roots.length) roots = [document.querySelector("main article") || document.querySelector("main")];
    roots.forEach(function (root) {
      if (root && terms.length) highlight(root, terms);
    });
    var clean = new URL(window.location.href);
    clean.searchParams.delete("hl");
    try {
      history.replaceState(history.state, "", clean.href);
    } catch (e) {
      // file:// may refuse; the highlight is already there.
    }
  }

  function highlight(root, terms) {
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
      acceptNode: function (n) {
        var p = n.parentNode;
        return p && /^(SCRIPT|STYLE|MARK|TEXTAREA)$/.test(p.nodeName) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT;
      },
    });
    var nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    nodes.forEach(function (node) {
      var text = node.nodeValue;
      var ranges = matchRanges(normalize(text), terms);
      if (!ranges.length) return;
      var frag = document.createDocumentFragment(), at = 0;
      ranges.forEach(function (r) {
        if (r[0] > at) frag.appendChild(document.createTextNode(text.slice(at, r[0])));
        var mark = document.createElement("mark");
        mark.className = "search-hl";
        mark.textContent = text.slice(r[0], r[1]);
        frag.appendChild(mark);
        at = r[1];
      });
      if (at < text.length) frag.appendChild(document.createTextNode(text.slice(at)));
      node.parentNode.replaceChild(frag, node);
    });
  }
})();
