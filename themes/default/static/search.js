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
  K.pinyin = function (n, data) { settle("y" + n, data); };
  K.facets = function (n, data) { settle("f" + n, data); };
  K.fold = function (pairs) { settle("fold", pairs); };
  K.hints = function (h) { settle("hints", h); };
  K.syllables = function (list) { settle("syllables", list); };

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
  // Traditional -> Simplified (fold.js: the pairs whose Simplified form the site uses);
  // null until loaded.
  var foldMap = null;

  function setFold(pairs) {
    var map = new Map(), cs = Array.from(pairs || "");
    for (var i = 0; i + 1 < cs.length; i += 2) map.set(cs[i], cs[i + 1]);
    foldMap = map;
  }

  function foldChar(ch) {
    var c = ch.codePointAt(0);
    if (c === 0x3000) return " ";
    if (c >= 0xff01 && c <= 0xff5e) ch = String.fromCodePoint((c -= 0xfee0));
    if (c < 0x80) return ch.toLowerCase();
    if (isCjk(c)) return (foldMap && foldMap.get(ch)) || ch;
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

  // Reads the gap varints of postings and facets (encode.rs, push_varint).
  function varints(data) {
    var pos = 0;
    return {
      more: function () { return pos < data.length; },
      next: function () {
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
      },
    };
  }

  // Doc ids written as gaps (the first whole).
  function decodeIds(data) {
    var r = varints(data), out = [], id = 0;
    while (r.more()) out.push((id += r.next()));
    return out;
  }

  var decoded = {}; // term -> postings decoded (head, or head + tail)

  function decode(data, into) {
    var r = varints(data), v = r.next, doc = 0;
    while (r.more()) {
      doc += v();
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

  // Loads every alternative's postings (and the last word's completions first).
  async function fetchTerms(m, q, full) {
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
    if (q.partial && !q.partial.expanded) {
      q.partial.expanded = true;
      await expandPrefix(m, q.partial);
      fetchAlts();
    }
    await Promise.all(jobs);
  }

  function dead(slot) {
    return slot.alts.every(function (a) { return !a.p || !a.p.df; });
  }

  /* ---- Traditional characters ---- */

  var foldPromise = null;

  function loadFold() {
    if (!foldPromise) foldPromise = load("fold", "fold.js").then(setFold);
    return foldPromise;
  }

  /* ---- pinyin: a Latin run that matches no word may be pinyin of Han text ---- */

  var syllablePromise = null;

  function loadSyllables() {
    if (!syllablePromise) {
      syllablePromise = load("syllables", "pinyin.js").then(function (list) { return new Set(list || []); });
    }
    return syllablePromise;
  }

  // The split of `s` into the fewest syllables, at least two; null when there is none.
  function syllablesOf(s, known) {
    var n = s.length, best = [[]];
    for (var i = 1; i <= n; i++) {
      best[i] = null;
      for (var j = Math.max(0, i - 6); j < i; j++) {
        var part = s.slice(j, i);
        if (!best[j] || !known.has(part)) continue;
        // Fewest syllables, but a whole string that is one syllable also splits in two.
        var cand = best[j].concat([part]);
        if (i === n && cand.length < 2) continue;
        if (!best[i] || cand.length < best[i].length) best[i] = cand;
      }
    }
    return best[n] && best[n].length >= 2 ? best[n] : null;
  }

  // Pinyin key file `n` of the manifest's `y` (shard.rs, hex_name).
  function pinyinKey(m, key) {
    var n = fnv32(key) & (m.y - 1);
    return loadPacked("y" + n, hexName("y", n, m.y)).then(function (map) { return (map && map[key]) || null; });
  }

  /* Replaces each run of Latin words that found nothing and reads as pinyin (full syllables
   * `cuishou`, `cui shou`, or initials `cs`) by slots of the Han bigrams with those keys in
   * titles, questions and headings (aids.rs). Returns whether the query changed. */
  async function pinyinRewrite(m, q) {
    if (!m.y) return false;
    var runs = [], run = null;
    q.slots.forEach(function (slot, i) {
      if (slot.word && /^[a-z]+$/.test(slot.word) && dead(slot)) {
        if (run && run.end === i && q.slots[run.last].to === slot.from) {
          run.words.push(slot.word);
          run.end = i + 1;
          run.last = i;
          return;
        }
        runs.push((run = { start: i, end: i + 1, last: i, words: [slot.word] }));
      } else if (!slot.bonus) {
        run = null;
      }
    });
    if (!runs.length) return false;
    // Initials are for a query of letters alone (`cs`): beside Han text (`LPR四倍`) they
    // are far more likely a word the site lacks.
    var lettersOnly = q.slots.every(function (s) { return s.word; });
    // Without a vowel a run reads as initials only.
    runs = runs.filter(function (R) { return lettersOnly || /[aeiouv]/.test(R.words.join("")); });
    if (!runs.length) return false;
    var known = await loadSyllables();
    var changed = false;
    for (var r = runs.length - 1; r >= 0; r--) {
      var R = runs[r], text = R.words.join("");
      var syl = syllablesOf(text, known), keys = [];
      if (syl) {
        for (var k = 0; k + 1 < syl.length; k++) keys.push(syl[k] + syl[k + 1]);
      } else if (lettersOnly && text.length >= 2 && text.length <= 4) {
        // Initials (`cs`, `zxyy`): short, since every letter string reads as some.
        for (var k2 = 0; k2 + 1 < text.length; k2++) keys.push("^" + text[k2] + text[k2 + 1]);
      }
      if (!keys.length) continue;
      var found = await Promise.all(keys.map(function (key) { return pinyinKey(m, key); }));
      // Keys come from inside words, so a pair across two words (`geren xinxi`: 人信) may be
      // missing; initials must still cover every letter (`rhss`: 如何 + 申诉).
      if (!found.some(Boolean)) continue;
      if (!syl && !found.every(function (f, i) { return f || found[i - 1] || found[i + 1]; })) continue;
      var from = q.slots[R.start].from, oldUnits = q.slots[R.last].to - from, units = keys.length + 1;
      var slots = [];
      found.forEach(function (list, i) {
        if (!list) return;
        var top = list[1] || 1, alts = [];
        for (var a = 0; a < list.length; a += 2) {
          alts.push({ t: list[a], w: (keys[i][0] === "^" ? 0.8 : 1) * (0.6 + (0.4 * list[a + 1]) / top) });
        }
        slots.push({ from: from + i, to: from + i + 2, weight: 1, alts: alts, pinyin: true });
      });
      var shift = units - oldUnits;
      q.slots.slice(R.end).forEach(function (s2) { s2.from += shift; s2.to += shift; });
      q.slots.splice.apply(q.slots, [R.start, R.end - R.start].concat(slots));
      q.units += shift;
      if (q.partial && R.words.indexOf(q.partial.word) >= 0) q.partial = null;
      changed = true;
    }
    return changed;
  }

  /* ---- synonyms (search.synonyms): each group's words find each other ---- */

  // The query and, for each synonym group one of whose words it contains, the query with
  // that word replaced by each other word of the group (at most 6 in all).
  function variants(norm, m) {
    var out = [norm];
    (m.syn || []).forEach(function (group) {
      group.forEach(function (word) {
        var at = norm.indexOf(word);
        if (at < 0) return;
        // A Latin word matches whole words only.
        var before = norm.slice(0, at), after = norm.slice(at + word.length);
        if (/^[a-z0-9]/.test(word) && /[a-z0-9]$/.test(before)) return;
        if (/[a-z0-9]$/.test(word) && /^[a-z0-9]/.test(after)) return;
        group.forEach(function (other) {
          if (other === word || out.length >= 6) return;
          var v = before + (/^[a-z0-9]/.test(other) && before && !/\s$/.test(before) ? " " : "") + other + after;
          if (out.indexOf(v) < 0) out.push(v);
        });
      });
    });
    return out;
  }

  /* Cuts one query and loads what it needs: its terms; the Traditional pairs when a
   * character of it found nothing (or at once on a site written in Traditional); the pinyin
   * keys of Latin words that found nothing. */
  async function resolve(query, m, full) {
    if (m.tr) await loadFold();
    var q = analyze(query, m);
    await fetchTerms(m, q, full);
    if (!foldMap && q.slots.some(function (s) { return !s.word && !s.bonus && dead(s); })) {
      await loadFold();
      var folded = analyze(query, m);
      if (folded.norm !== q.norm) {
        q = folded;
        q.rewritten = true;
        await fetchTerms(m, q, full);
      }
    }
    if (await pinyinRewrite(m, q)) {
      q.rewritten = true;
      await fetchTerms(m, q, full);
    }
    return q;
  }

  function score(m, q) {
    var docs = new Map(), more = false;
    q.slots.forEach(function (slot, si) {
      slot.alts.forEach(function (alt) {
        var p = alt.p;
        if (!p || !p.df) return;
        more = more || p.more;
        var idf = Math.log(1 + (m.n - p.df + 0.5) / (p.df + 0.5));
        p.list.forEach(function (post) {
          var s = alt.w * termScore(m, post, idf);
          var d = docs.get(post.doc);
          if (!d) docs.set(post.doc, (d = { id: post.doc, q: q, slots: {} }));
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
    return { hits: hits, more: more };
  }

  /* Ranks documents from the shards alone, for the query and its synonym variants (a doc
   * keeps its best score; a variant's a little less). `full` also loads the tails of
   * common terms (only when the reader asks for more than the heads hold). */
  async function rank(query, full) {
    var m = await loadManifest();
    if (!m) return null;
    var first = await resolve(query, m, full);
    if (!first.units) return { q: first, m: m, hits: [], more: false };
    var others = await Promise.all(variants(first.norm, m).slice(1).map(function (v) {
      return resolve(v, m, full).then(function (q) { q.rewritten = true; return q; });
    }));
    var qs = [first].concat(others);
    var best = new Map(), more = false;
    qs.forEach(function (q, i) {
      if (!q.units) return;
      var r = score(m, q);
      more = more || r.more;
      r.hits.forEach(function (h) {
        if (i) h.score *= 0.9;
        var b = best.get(h.id);
        if (!b || h.score > b.score) best.set(h.id, h);
      });
    });
    var hits = Array.from(best.values());
    hits.sort(function (a, b) { return b.score - a.score || a.id - b.id; });
    return { q: qs[0], m: m, hits: hits, more: more };
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
    var out = [];
    slice.forEach(function (h, i) {
      var d = docs[i];
      if (!d) return;
      // The query as this hit matched it: typed, folded, a synonym's, or pinyin's Han terms.
      var q = h.q || r.q, compact = q.norm.replace(/\s+/g, "");
      // A record: [id, url, title, section index, [field, anchor, text, …]].
      var anchor = "", flat = [0, "", d[2]].concat(d[4]), parts = [];
      for (var k = 0; k + 2 < flat.length; k += 3) {
        var norm = normalize(flat[k + 2]);
        // 0 stands for the previous part's anchor (a heading's text, an FAQ answer), 1 for
        // the name of the part's text.
        var a = flat[k + 1];
        if (a === 1) anchor = (flat[k] === 1 ? "faq-" : "") + nameOf(flat[k + 2]);
        else if (a !== 0) anchor = a;
        parts.push({ field: flat[k], anchor: anchor, text: flat[k + 2], norm: norm, cov: partCoverage(q, norm) });
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
        snippet: snip ? snippet(snip, queryStrings(q)) : [],
        // What the opened page highlights: the terms as matched, when they are not as typed.
        hl: q.rewritten ? queryStrings(q).join(" ") : null,
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
  async function search(query, limit, full, skip, only) {
    var r = await rank(query, full);
    // The heads of common terms may share no document that holds enough of the query:
    // before saying "nothing found", rank with their tails too.
    if (r && !full && r.more && !r.hits.length) r = await rank(query, true);
    if (!r) return { error: true, results: [], total: 0, more: false, ids: [] };
    var hits = r.hits.filter(function (h) { return !(skip && skip.has(h.id)) && !(only && !only.has(h.id)); });
    var results = await details({ q: r.q, m: r.m, hits: hits }, 0, limit);
    return {
      results: results,
      total: hits.length,
      more: r.more,
      terms: queryStrings(r.q),
      ids: r.hits.map(function (h) { return h.id; }),
    };
  }

  /* ---- when nothing matches: the nearest terms that exist ---- */

  var hintsPromise = null;

  function loadHints() {
    if (!hintsPromise) hintsPromise = load("hints", "hints.js");
    return hintsPromise;
  }

  // What two texts are compared by: CJK characters and bigrams, Latin letter trigrams.
  function grams(text) {
    var out = new Set();
    pieces(normalize(text), function (kind, t) {
      var cs = Array.from(kind === "c" ? t : " " + t + " ");
      if (kind === "c") cs.forEach(function (c) { out.add(c); });
      var n = kind === "c" ? 2 : 3;
      for (var i = 0; i + n <= cs.length; i++) out.add(cs.slice(i, i + n).join(""));
    });
    return out;
  }

  function similarity(a, b) {
    var shared = 0;
    a.forEach(function (g) { if (b.has(g)) shared++; });
    return a.size + b.size ? (2 * shared) / (a.size + b.size) : 0;
  }

  /* Up to five terms of the site nearest the query (taxonomy terms with their pages, the
   * index's whole words, synonyms), else its most used terms; and whether there is an FAQ
   * page. Null when the hints cannot be loaded. */
  async function suggestions(query) {
    var m = await loadManifest(), h = await loadHints();
    if (!m || !h) return null;
    if (m.tr) await loadFold();
    var qg = grams(query), seen = new Set(), scored = [];
    var add = function (text, url, count) {
      var key = normalize(text);
      if (seen.has(key) || key === normalize(query).trim()) return;
      seen.add(key);
      scored.push({ text: text, url: url, count: count || 0, score: similarity(qg, grams(text)) });
    };
    h.terms.forEach(function (t) { add(t[1], t[2], t[3]); });
    (m.words || []).forEach(function (w) { add(w, null, 0); });
    (m.syn || []).forEach(function (g) { g.forEach(function (w) { add(w, null, 0); }); });
    var near = scored.filter(function (c) { return c.score > 0; });
    var pick = near.length ? near : scored.filter(function (c) { return c.url; });
    pick.sort(function (a, b) { return b.score - a.score || b.count - a.count || (a.text < b.text ? -1 : 1); });
    return { items: pick.slice(0, 5), faq: !!h.faq };
  }

  /* ---- filters: which docs each section and taxonomy term holds (facets.js) ---- */

  var facetsPromise = null;

  function loadFacets() {
    if (!facetsPromise) {
      facetsPromise = loadManifest().then(function (m) {
        return m ? loadPacked("f0", "facets.js") : null;
      }).then(function (f) {
        if (!f) return null;
        var ids = function (data) { return new Set(decodeIds(data)); };
        return {
          sections: f.sec.map(ids),
          taxonomies: f.tax.map(function (t) {
            return { key: t[0], title: t[1], terms: t[2].map(function (e) { return { name: e[0], slug: e[1], ids: ids(e[2]) }; }) };
          }),
        };
      });
    }
    return facetsPromise;
  }

  K._core = {
    normalize: normalize,
    analyze: analyze,
    fnv32: fnv32,
    nameOf: nameOf,
    search: search,
    setFold: setFold,
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
    url += "?hl=" + encodeURIComponent(r.hl || query);
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

  var searchPage = form.getAttribute("action") || "";

  // Links for the empty state: each suggested term (its page, or a search for a word), then
  // the FAQ page. Words come from the form's data-i18n-* attributes.
  function suggestionLinks(sug, where) {
    var out = [];
    sug.items.forEach(function (c) {
      var a = document.createElement("a");
      if (c.url) {
        a.href = siteRoot + c.url + (portable ? "index.html" : "");
      } else {
        a.href = searchPage + "?q=" + encodeURIComponent(c.text);
      }
      a.textContent = c.text;
      a.setAttribute("data-suggest", where);
      out.push(a);
    });
    var faq = form.getAttribute("data-faq");
    if (sug.faq && faq) {
      var f = document.createElement("a");
      f.href = faq;
      f.className = "search-faq-link";
      f.textContent = form.getAttribute("data-i18n-faq") || "FAQ";
      out.push(f);
    }
    return out;
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
      var mine = seq;
      suggestions(query).then(function (sug) {
        if (!sug || mine !== seq || popup.hidden) return;
        suggestionLinks(sug, "popup").forEach(function (a, i) {
          a.setAttribute("role", "option");
          a.id = "site-search-opt-" + i;
          a.className = "search-option search-suggestion";
          a.setAttribute("aria-selected", "false");
          a.tabIndex = -1;
          popup.appendChild(a);
        });
      });
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
    var suggestBox = document.getElementById("search-suggest");
    var filterBox = document.getElementById("search-filters");
    var params = new URLSearchParams(window.location.search);
    var query = params.get("q") || "";
    input.value = query;
    var shownIds = new Set(), full = false, moreButton = null;
    // The filter, as the URL says it (so it can be shared): `section=TITLE`, and for a
    // taxonomy `KEY=SLUG` as section and term pages write theirs (`remedy_type=投诉`).
    var chosen = {};
    params.forEach(function (v, k) {
      if (k !== "q" && k !== "hl") (chosen[k] = chosen[k] || []).push(v);
    });
    var picked = function (k) { return chosen[k] || (chosen[k] = []); };
    var anyChosen = function () {
      return Object.keys(chosen).some(function (k) { return chosen[k].length; });
    };
    var only = null, allIds = [];

    var renderPage = function (res) {
      if (pageStatus) pageStatus.classList.remove("visually-hidden");
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
          var next = await search(query, PAGE, full, shownIds, only);
          // Once the shards' heads run out, rank again with the full postings of common terms.
          if (next.results.length < PAGE && next.more && !full) {
            full = true;
            next = await search(query, PAGE, true, shownIds, only);
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

    var showEmpty = async function (res) {
      if (empty) empty.hidden = false;
      if (pageStatus && !res.error) {
        pageStatus.textContent = ui("none");
        // #search-empty says it on screen; the status line says it to screen readers.
        pageStatus.classList.add("visually-hidden");
      }
      if (!suggestBox || res.error) return;
      var sug = await suggestions(query);
      if (!sug) return;
      var links = suggestionLinks(sug, "page");
      if (!links.length) return;
      var label = suggestBox.getAttribute("data-label");
      var p = document.createElement("p");
      if (label) p.appendChild(document.createTextNode(label + " "));
      links.forEach(function (a, i) {
        if (i) p.appendChild(document.createTextNode(" · "));
        p.appendChild(a);
      });
      suggestBox.textContent = "";
      suggestBox.appendChild(p);
      suggestBox.hidden = false;
    };

    // Docs the chosen filter lets through: any chosen section, and for each taxonomy with
    // a chosen term, any of its chosen terms. Null when nothing is chosen.
    var allowed = function (facets) {
      if (!facets || !currentManifest || !anyChosen()) return null;
      var sets = [], secIds = [];
      if (picked("section").length) {
        facets.sections.forEach(function (ids, k) {
          if (picked("section").indexOf(currentManifest.sec[k]) >= 0) secIds.push(ids);
        });
        sets.push(secIds);
      }
      facets.taxonomies.forEach(function (t) {
        var hit = t.terms.filter(function (e) { return picked(t.key).indexOf(e.slug) >= 0; });
        if (hit.length) sets.push(hit.map(function (e) { return e.ids; }));
      });
      var out = new Set();
      allIds.forEach(function (id) {
        var ok = sets.every(function (group) { return group.some(function (ids) { return ids.has(id); }); });
        if (ok) out.add(id);
      });
      return out;
    };

    var syncUrl = function () {
      var url = new URL(window.location.href);
      Object.keys(chosen).forEach(function (k) {
        url.searchParams.delete(k);
        chosen[k].forEach(function (v) { url.searchParams.append(k, v); });
      });
      try {
        history.replaceState(history.state, "", url.href);
      } catch (e) {
        // file:// may refuse; the filter still applies.
      }
    };

    var currentManifest = null;

    var chip = function (name, value, count, kind) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "filter-chip";
      b.setAttribute("data-filter", kind);
      b.setAttribute("data-value", value);
      var on = picked(kind).indexOf(value) >= 0;
      b.setAttribute("aria-pressed", on ? "true" : "false");
      b.appendChild(document.createTextNode(name + " "));
      var n = document.createElement("span");
      n.textContent = String(count);
      b.appendChild(n);
      b.addEventListener("click", function () {
        var list = picked(kind), at = list.indexOf(value);
        if (at >= 0) list.splice(at, 1);
        else list.push(value);
        b.setAttribute("aria-pressed", at >= 0 ? "false" : "true");
        syncUrl();
        run(true);
      });
      return b;
    };

    // Chips for the sections and terms among all the query's hits, with their counts.
    var renderFilters = function (facets) {
      if (!filterBox || !facets || !currentManifest) return;
      var body = filterBox.querySelector(".search-filter-groups");
      if (!body) return;
      body.textContent = "";
      var hits = new Set(allIds);
      var count = function (ids) {
        var n = 0;
        hits.forEach(function (id) { if (ids.has(id)) n++; });
        return n;
      };
      var group = function (title, entries, kind) {
        var shown = entries.filter(function (e) { return e.n > 0 || picked(kind).indexOf(e.value) >= 0; });
        if (!shown.length) return;
        var g = document.createElement("div");
        g.className = "filter-chip-group";
        g.setAttribute("role", "group");
        var label = document.createElement("span");
        label.className = "filter-chip-label";
        label.id = "search-filter-" + body.children.length;
        label.textContent = title;
        g.setAttribute("aria-labelledby", label.id);
        g.appendChild(label);
        shown.sort(function (a, b) { return b.n - a.n || (a.name < b.name ? -1 : 1); });
        shown.forEach(function (e) { g.appendChild(chip(e.name, e.value, e.n, kind)); });
        body.appendChild(g);
      };
      group(filterBox.getAttribute("data-sections") || "", facets.sections.map(function (ids, k) {
        var title = currentManifest.sec[k];
        return { name: title, value: title, n: count(ids) };
      }), "section");
      facets.taxonomies.forEach(function (t) {
        group(t.title, t.terms.map(function (e) { return { name: e.name, value: e.slug, n: count(e.ids) }; }), t.key);
      });
      filterBox.hidden = !body.children.length;
    };

    var run = async function (refilter) {
      list.textContent = "";
      shownIds = new Set();
      full = false;
      if (moreButton) {
        moreButton.remove();
        moreButton = null;
      }
      if (empty) empty.hidden = true;
      if (suggestBox) suggestBox.hidden = true;
      var filtering = anyChosen();
      var facets = filtering || (filterBox && filterBox.open) ? await loadFacets() : null;
      currentManifest = await loadManifest();
      var res = refilter ? null : await search(query, PAGE, false, shownIds, null);
      if (res) allIds = res.ids;
      if (res && res.error) {
        if (pageStatus) pageStatus.textContent = ui("error");
        return finish();
      }
      only = allowed(facets);
      if (only || !res) res = await search(query, PAGE, false, shownIds, only);
      if (!res.results.length) await showEmpty(res);
      else renderPage(res);
      if (facets) renderFilters(facets);
      else if (filterBox && allIds.length) filterBox.hidden = false;
      // A filter from the address shows what it keeps.
      if (filtering && filterBox && !filterBox.hidden) filterBox.open = true;
      finish();
    };

    var finish = function () { document.body.dataset.searchState = "done"; };
    if (filterBox) {
      filterBox.addEventListener("toggle", function () {
        if (!filterBox.open) return;
        loadFacets().then(function (facets) { renderFilters(facets); });
      });
    }
    if (!query.trim()) {
      finish();
    } else {
      document.body.dataset.searchState = "searching";
      run(false);
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
