// Runs search.js under node against a built index folder, for the Rust tests and the bench.
// Usage: node client_test.js SEARCH_JS INDEX_DIR QUERIES_JSON -> JSON lines of results.
"use strict";
const fs = require("fs");
const path = require("path");
const vm = require("vm");

const [searchJs, dir, queriesJson] = process.argv.slice(2);
globalThis.window = globalThis;
let bytes = 0;
vm.runInThisContext(fs.readFileSync(searchJs, "utf8"), { filename: searchJs });
const K = window.__kbgenSearch;
K.loadScript = (url, done) => {
  const file = path.join(dir, url);
  try {
    const code = fs.readFileSync(file, "utf8");
    bytes += Buffer.byteLength(code);
    vm.runInThisContext(code, { filename: file });
  } catch (e) {
    // A missing file settles as null, like a failed <script>.
  }
  setImmediate(done);
};
K._core.setBase("");

(async () => {
  const out = [];
  for (const q of JSON.parse(queriesJson)) {
    const before = bytes;
    const t = process.hrtime.bigint();
    const res = await K._core.search(q, 8, false, null);
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    out.push({
      q,
      total: res.total,
      urls: res.results.map((r) => r.url + (r.anchor ? "#" + r.anchor : "")),
      snippet: res.results.length ? res.results[0].snippet : [],
      bytes: bytes - before,
      ms,
    });
  }
  process.stdout.write(JSON.stringify(out));
})();
