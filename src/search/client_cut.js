// Runs search.js's query cut under node for the fuzz harness (src/fuzzing.rs, SearchJs):
// reads one JSON string a line on stdin and answers, one JSON line each, with the
// normalised text, the query terms (in slot order) and each term's shard hash (low 16 bits).
// Usage: node client_cut.js SEARCH_JS FOLD_PAIRS (Traditional → Simplified, as fold.js holds them)
"use strict";
const fs = require("fs");
const readline = require("readline");
const vm = require("vm");

const [searchJs, foldPairs] = process.argv.slice(2);
globalThis.window = globalThis;
vm.runInThisContext(fs.readFileSync(searchJs, "utf8"), { filename: searchJs });
const core = window.__kbgenSearch._core;
core.setFold(foldPairs || "");

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on("line", (line) => {
  const query = JSON.parse(line);
  const q = core.analyze(query, null);
  const terms = q.slots.filter((s) => !s.bonus).map((s) => s.alts[0].t);
  const shards = terms.map((t) => core.fnv32(t) & 0xffff);
  process.stdout.write(JSON.stringify({ norm: q.norm, terms, shards }) + "\n");
});
