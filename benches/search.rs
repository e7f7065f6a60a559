//! Search benchmark: kbgen's search side by side with Pagefind on the generated corpus.
//!
//! `cargo bench --bench search` (env: KBGEN_BENCH_N, default 10000 articles;
//! KBGEN_BENCH_DIR, default /dev/shm/kbgen-search-bench). It generates the corpus
//! with ../shared/bench/gen_corpus.py (plus a kbgen.yaml with `language: zh-CN`, so
//! both engines see `<html lang="zh-CN">`), builds it with the release kbgen, runs
//! Pagefind (npm `pagefind`, installed into the work folder, outside the repo) over a
//! copy of kbgen's HTML, then measures both in headless Chromium (the tests' harness)
//! on a plain static server without compression, and prints a markdown table.
//!
//! Queries: bench/search_queries.txt (no ground truth: a top-3 result counts as a
//! "title hit" when its title contains the query) plus bench/search_queries_derived_nN.txt
//! (derived from titles of fixed article numbers, each with its expected articles;
//! written on the first run for that N and reused afterwards).

#[path = "../tests/it/support/mod.rs"]
mod support;

mod common;

use common::run;
use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::browser::browser;
use support::server::{Served, StaticServer};

const TIMEOUT: Duration = Duration::from_secs(30);
/// search.js waits this long after the last keystroke before running the popup query.
const POPUP_DEBOUNCE_MS: f64 = 100.0;
const DERIVED: usize = 20;

struct Query {
    text: String,
    /// Paths (`/section/slug/`) of the articles a derived query must find.
    expected: Vec<String>,
}

#[derive(Default, Clone)]
struct Measure {
    first_ms: f64,
    cold_bytes: u64,
    cold_search_bytes: u64,
    next_bytes: u64,
    next_ms: f64,
    top: Vec<(String, String)>, // (path, title)
    error: Option<String>,
}

fn main() {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let n: usize = std::env::var("KBGEN_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let work = PathBuf::from(
        std::env::var("KBGEN_BENCH_DIR").unwrap_or_else(|_| "/dev/shm/kbgen-search-bench".into()),
    );
    fs::create_dir_all(&work).expect("create the work folder");

    // 1. Corpus.
    let corpus = common::corpus(&work, n, "title: 法律知识库基准\nlanguage: zh-CN\n");

    // 2. kbgen build (the release binary cargo bench built).
    let out = work.join(format!("out{n}"));
    let _ = fs::remove_dir_all(&out);
    eprintln!("kbgen build …");
    let (kb_build, kb_mem) = timed(
        Command::new(env!("CARGO_BIN_EXE_kbgen"))
            .args(["build", "--root"])
            .arg(&corpus)
            .arg("--output")
            .arg(&out),
        &work,
    );
    let (kb_bytes, kb_files) = dir_size(&out.join("search"));

    // 3. Queries.
    let queries = load_queries(&manifest_dir, &corpus, n);

    // 4. Pagefind over a copy of kbgen's HTML.
    let pf_dir = work.join("pagefind-npm");
    let pf_bin = pf_dir.join("node_modules/.bin/pagefind");
    if !pf_bin.exists() {
        fs::create_dir_all(&pf_dir).unwrap();
        eprintln!("npm install pagefind@1 into {}", pf_dir.display());
        run(Command::new("npm")
            .args([
                "install",
                "--no-save",
                "--no-audit",
                "--no-fund",
                "pagefind@1",
            ])
            .current_dir(&pf_dir));
    }
    let pf_version = String::from_utf8_lossy(
        &Command::new(&pf_bin)
            .arg("--version")
            .output()
            .expect("pagefind --version")
            .stdout,
    )
    .trim()
    .trim_start_matches("pagefind ")
    .to_string();
    let site = work.join(format!("pf-site{n}"));
    let _ = fs::remove_dir_all(&site);
    support::site::copy_dir(&out, &site);
    eprintln!("pagefind --site …");
    let (pf_build, pf_mem) = timed(Command::new(&pf_bin).arg("--site").arg(&site), &work);
    let (pf_bytes, pf_files) = dir_size(&site.join("pagefind"));
    fs::create_dir_all(site.join("pf-bench")).unwrap();
    fs::write(site.join("pf-bench/index.html"), PF_PAGE).unwrap();

    // 5. Browser runs (the browser is taken after the slow steps: it drops idle connections).
    let Some(b) = browser() else {
        eprintln!("no Chromium: set KBGEN_CHROMIUM or install chromium");
        std::process::exit(1);
    };
    let kb_server = StaticServer::start(&out);
    let pf_server = StaticServer::start(&site);
    let mut kb = Vec::new();
    let mut pf = Vec::new();
    for (i, q) in queries.iter().enumerate() {
        let next = &queries[(i + 1) % queries.len()].text;
        kb.push(measure(&b, &kb_server, Engine::Kbgen, &q.text, next));
        pf.push(measure(&b, &pf_server, Engine::Pagefind, &q.text, next));
        eprintln!("{:>2}/{} {}", i + 1, queries.len(), q.text);
    }

    // 6. Report.
    report(
        n,
        &queries,
        &kb,
        &pf,
        &pf_version,
        [
            (kb_build, kb_mem, kb_bytes, kb_files),
            (pf_build, pf_mem, pf_bytes, pf_files),
        ],
    );
}

#[derive(Clone, Copy, PartialEq)]
enum Engine {
    Kbgen,
    Pagefind,
}

/// A cold page for `query` (fresh browser context: empty cache), then `next` on the same page.
fn measure(
    b: &support::browser::Browser,
    server: &StaticServer,
    engine: Engine,
    query: &str,
    next: &str,
) -> Measure {
    let page = b.page(1280, 800);
    let enc = |q: &str| {
        percent_encoding::utf8_percent_encode(q, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    let (url, shown) = match engine {
        Engine::Kbgen => (
            server.url(&format!("/search/?q={}", enc(query))),
            "document.querySelector('#search-results li') || (document.getElementById('search-empty') && !document.getElementById('search-empty').hidden)",
        ),
        Engine::Pagefind => (
            server.url(&format!("/pf-bench/?q={}", enc(query))),
            "document.querySelector('#search-results li') || document.body.dataset.searchState === 'done'",
        ),
    };
    let mut m = Measure::default();
    server.reset_log();
    match page.goto_timed(&url, shown, TIMEOUT) {
        Ok(t) => m.first_ms = t.as_secs_f64() * 1000.0,
        Err(e) => {
            m.error = Some(e);
            return m;
        }
    }
    // Counted by the server: Pagefind 1.6 fetches its index from a Web Worker, whose
    // requests the page's DevTools network log does not see.
    let served = server.requests();
    m.cold_bytes = served.iter().map(|t| t.bytes).sum();
    m.cold_search_bytes = served
        .iter()
        .filter(|t| is_search_file(engine, t))
        .map(|t| t.bytes)
        .sum();
    if let Err(e) = page.wait_for("document.body.dataset.searchState === 'done'", TIMEOUT) {
        m.error = Some(e);
        return m;
    }
    let top = page.eval(
        "Array.from(document.querySelectorAll('#search-results li a')).slice(0, 3)\
         .map(a => [decodeURI(new URL(a.href).pathname), a.textContent])",
    );
    m.top = top
        .as_array()
        .map(|a| {
            a.iter()
                .map(|p| {
                    (
                        p[0].as_str().unwrap_or("").to_string(),
                        p[1].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();

    // The further query on the same page.
    server.reset_log();
    let js = match engine {
        Engine::Kbgen => format!(
            r#"new Promise(resolve => {{
  const input = document.getElementById('site-search-input');
  const popup = document.getElementById('site-search-popup');
  input.focus();
  popup.textContent = '';
  const done = () => popup.querySelector('[role=option], .search-none');
  const t0 = performance.now();
  const obs = new MutationObserver(() => {{ if (done()) {{ obs.disconnect(); resolve(performance.now() - t0); }} }});
  obs.observe(popup, {{ childList: true, subtree: true }});
  input.value = {q};
  input.dispatchEvent(new Event('input', {{ bubbles: true }}));
}})"#,
            q = Value::String(next.to_string())
        ),
        Engine::Pagefind => format!("window.runQ({})", Value::String(next.to_string())),
    };
    match page.try_eval(&js) {
        Ok(v) => {
            let ms = v.as_f64().unwrap_or(f64::NAN);
            m.next_ms = if engine == Engine::Kbgen {
                ms - POPUP_DEBOUNCE_MS
            } else {
                ms
            };
            m.next_bytes = server.requests().iter().map(|t| t.bytes).sum();
        }
        Err(e) => m.error = Some(format!("further query: {e}")),
    }
    let errors = page.js_errors();
    if !errors.is_empty() && m.error.is_none() {
        m.error = Some(errors.join("; "));
    }
    m
}

fn is_search_file(engine: Engine, t: &Served) -> bool {
    let path = t.url.split('?').next().unwrap_or("");
    match engine {
        Engine::Kbgen => {
            path.starts_with("/search/") && path.ends_with(".js")
                || path.ends_with("/static/search.js")
        }
        Engine::Pagefind => path.starts_with("/pagefind/"),
    }
}

/// Runs `cmd` (in `cwd` for the memory file) under /usr/bin/time when there is one:
/// (wall seconds, peak RSS in MB).
fn timed(cmd: &mut Command, work: &Path) -> (f64, Option<u64>) {
    let mem_file = work.join("peak-rss");
    let mut full = if Path::new("/usr/bin/time").is_file() {
        let mut c = Command::new("/usr/bin/time");
        c.arg("-f")
            .arg("%M")
            .arg("-o")
            .arg(&mem_file)
            .arg(cmd.get_program())
            .args(cmd.get_args());
        if let Some(dir) = cmd.get_current_dir() {
            c.current_dir(dir);
        }
        c
    } else {
        std::mem::replace(cmd, Command::new("true"))
    };
    let _ = fs::remove_file(&mem_file);
    let start = Instant::now();
    run(full.stdout(Stdio::null()));
    let secs = start.elapsed().as_secs_f64();
    let mem = fs::read_to_string(&mem_file)
        .ok()
        .and_then(|s| s.lines().last().and_then(|l| l.trim().parse::<u64>().ok()))
        .map(|kb| kb / 1024);
    (secs, mem)
}

fn dir_size(dir: &Path) -> (u64, usize) {
    let mut bytes = 0;
    let mut files = 0;
    for e in walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
    {
        if e.file_type().is_file() {
            bytes += e.metadata().map(|m| m.len()).unwrap_or(0);
            files += 1;
        }
    }
    (bytes, files)
}

fn load_queries(manifest_dir: &Path, corpus: &Path, n: usize) -> Vec<Query> {
    let fixed = fs::read_to_string(manifest_dir.join("bench/search_queries.txt"))
        .expect("bench/search_queries.txt");
    let mut queries: Vec<Query> = fixed
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| Query {
            text: l.to_string(),
            expected: Vec::new(),
        })
        .collect();
    let derived_path = manifest_dir.join(format!("bench/search_queries_derived_n{n}.txt"));
    if !derived_path.exists() {
        fs::write(&derived_path, derive_queries(corpus, n)).expect("write the derived queries");
        eprintln!("wrote {}", derived_path.display());
    }
    for line in fs::read_to_string(&derived_path).unwrap().lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let (q, exp) = line.split_once('\t').expect("query<TAB>expected paths");
        queries.push(Query {
            text: q.to_string(),
            expected: exp.split_whitespace().map(String::from).collect(),
        });
    }
    queries
}

/// For fixed article numbers k·N/20 (or the next article that has one), the pure-Han
/// 4–8 character substring of its title that the fewest titles contain (at most 3;
/// ties: the shorter, then the first). Expected: every article whose title contains it.
fn derive_queries(corpus: &Path, n: usize) -> String {
    // (article number, path, title)
    let mut arts: BTreeMap<usize, (String, String)> = BTreeMap::new();
    for e in walkdir::WalkDir::new(corpus.join("content"))
        .into_iter()
        .filter_map(Result::ok)
    {
        let p = e.path();
        if p.extension().and_then(|x| x.to_str()) != Some("md") {
            continue;
        }
        let slug = p.file_stem().unwrap().to_string_lossy().to_string();
        let Some(num) = slug
            .rsplit('-')
            .next()
            .and_then(|s| s.parse::<usize>().ok())
        else {
            continue;
        };
        let section = p
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .to_string();
        let text = fs::read_to_string(p).unwrap();
        let Some(title) = text.lines().find_map(|l| l.strip_prefix("title: ")) else {
            continue;
        };
        let title = title.trim().trim_matches('"').to_string();
        arts.insert(num, (format!("/{section}/{slug}/"), title));
    }
    let titles: Vec<(&String, &String)> = arts.values().map(|(p, t)| (p, t)).collect();
    let han = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c);
    let mut used = HashSet::new();
    let mut out = format!(
        "# Derived by benches/search.rs from the titles of gen_corpus.py -n {n} (seed 42).\n\
         # query<TAB>expected article paths (a hit: one of them in the top 3)\n"
    );
    let nums: Vec<usize> = arts.keys().copied().collect();
    for k in 0..DERIVED {
        let start = nums.partition_point(|&x| x < k * n / DERIVED + 7);
        for &num in nums[start..].iter().chain(&nums[..start]) {
            let title: Vec<char> = arts[&num].1.chars().collect();
            let mut best: Option<(usize, usize, String)> = None;
            for len in 4..=8 {
                for i in 0..title.len().saturating_sub(len - 1) {
                    let w = &title[i..i + len];
                    if !w.iter().all(|&c| han(c)) {
                        continue;
                    }
                    let s: String = w.iter().collect();
                    if used.contains(&s) {
                        continue;
                    }
                    let count = titles.iter().filter(|(_, t)| t.contains(&s)).count();
                    if best.as_ref().is_none_or(|b| (count, len) < (b.0, b.1)) {
                        best = Some((count, len, s));
                    }
                }
            }
            if let Some((count, _, s)) = best.filter(|b| b.0 <= 3) {
                let expected: Vec<&str> = titles
                    .iter()
                    .filter(|(_, t)| t.contains(&s))
                    .map(|(p, _)| p.as_str())
                    .collect();
                debug_assert_eq!(expected.len(), count);
                out.push_str(&format!("{s}\t{}\n", expected.join(" ")));
                used.insert(s);
                break;
            }
        }
    }
    out
}

fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c as u32 {
            0xff01..=0xff5e => char::from_u32(c as u32 - 0xfee0).unwrap(),
            _ => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.retain(|x| x.is_finite());
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    }
}

fn hit(q: &Query, m: &Measure) -> bool {
    m.top.iter().any(|(p, _)| q.expected.contains(p))
}

fn title_hit(q: &Query, m: &Measure) -> bool {
    let nq = norm(&q.text);
    m.top.iter().any(|(_, t)| norm(t).contains(&nq))
}

fn report(
    n: usize,
    queries: &[Query],
    kb: &[Measure],
    pf: &[Measure],
    pf_version: &str,
    builds: [(f64, Option<u64>, u64, usize); 2],
) {
    let kib = |b: f64| format!("{:.1} KB", b / 1024.0);
    let ok = |ms: &[Measure]| {
        ms.iter()
            .filter(|m| m.error.is_none())
            .cloned()
            .collect::<Vec<_>>()
    };
    let (kbo, pfo) = (ok(kb), ok(pf));
    let med = |ms: &[Measure], f: &dyn Fn(&Measure) -> f64| median(ms.iter().map(f).collect());
    let derived: Vec<usize> = (0..queries.len())
        .filter(|&i| !queries[i].expected.is_empty())
        .collect();
    let fixed: Vec<usize> = (0..queries.len())
        .filter(|&i| queries[i].expected.is_empty())
        .collect();
    let count = |idx: &[usize], ms: &[Measure], f: &dyn Fn(&Query, &Measure) -> bool| {
        idx.iter()
            .filter(|&&i| ms[i].error.is_none() && f(&queries[i], &ms[i]))
            .count()
    };
    let mem = |m: Option<u64>| m.map_or(String::new(), |m| format!(", peak {m} MB"));
    println!("\n## Search benchmark: {n} articles, {} queries ({} from bench/search_queries.txt, {} derived)\n", queries.len(), fixed.len(), derived.len());
    println!("| metric | kbgen | Pagefind {pf_version} |\n| --- | --- | --- |");
    println!(
        "| index build time | {:.1} s (whole site incl. index{}) | {:.1} s (indexing kbgen's HTML only{}) |",
        builds[0].0, mem(builds[0].1), builds[1].0, mem(builds[1].1)
    );
    println!(
        "| total index size | {:.1} MB in {} files | {:.1} MB in {} files |",
        builds[0].2 as f64 / 1e6,
        builds[0].3,
        builds[1].2 as f64 / 1e6,
        builds[1].3
    );
    println!(
        "| first result, cold page (median) | {:.0} ms | {:.0} ms |",
        med(&kbo, &|m| m.first_ms),
        med(&pfo, &|m| m.first_ms)
    );
    println!(
        "| bytes before first result, cold: all (median) | {} | {} |",
        kib(med(&kbo, &|m| m.cold_bytes as f64)),
        kib(med(&pfo, &|m| m.cold_bytes as f64))
    );
    println!(
        "| … of which search JS + index (median) | {} | {} |",
        kib(med(&kbo, &|m| m.cold_search_bytes as f64)),
        kib(med(&pfo, &|m| m.cold_search_bytes as f64))
    );
    println!(
        "| bytes for a further query, same page (median) | {} | {} |",
        kib(med(&kbo, &|m| m.next_bytes as f64)),
        kib(med(&pfo, &|m| m.next_bytes as f64))
    );
    println!(
        "| further query time, same page (median) | {:.0} ms | {:.0} ms |",
        med(&kbo, &|m| m.next_ms),
        med(&pfo, &|m| m.next_ms)
    );
    println!(
        "| derived queries: expected article in top 3 | {}/{} | {}/{} |",
        count(&derived, kb, &hit),
        derived.len(),
        count(&derived, pf, &hit),
        derived.len()
    );
    println!(
        "| fixed queries: a top-3 title contains the query | {}/{} | {}/{} |",
        count(&fixed, kb, &title_hit),
        fixed.len(),
        count(&fixed, pf, &title_hit),
        fixed.len()
    );
    println!(
        "| fixed queries with no result | {} | {} |",
        count(&fixed, kb, &|_, m| m.top.is_empty()),
        count(&fixed, pf, &|_, m| m.top.is_empty())
    );
    let errs: Vec<String> = kb
        .iter()
        .zip(queries)
        .filter_map(|(m, q)| m.error.as_ref().map(|e| format!("kbgen `{}`: {e}", q.text)))
        .chain(pf.iter().zip(queries).filter_map(|(m, q)| {
            m.error
                .as_ref()
                .map(|e| format!("Pagefind `{}`: {e}", q.text))
        }))
        .collect();
    println!(
        "\nbytes = response bodies the static server sent (no compression, headers not counted; \
              counted at the server because Pagefind searches in a Web Worker)."
    );
    println!("\nfurther query = the next query of the list run on the same page (kbgen: header search box, \
              time less its {POPUP_DEBOUNCE_MS} ms typing debounce; Pagefind: pagefind.search + first 3 results' data).");
    println!("\n### Per query\n\n| query | kbgen top 3 | Pagefind top 3 | kbgen first result | Pagefind first result | kbgen cold bytes | Pagefind cold bytes |\n| --- | --- | --- | --- | --- | --- | --- |");
    for (i, q) in queries.iter().enumerate() {
        let verdict = |m: &Measure| {
            if m.error.is_some() {
                return "error".to_string();
            }
            let first = m.top.first().map_or("—".to_string(), |(_, t)| t.clone());
            if q.expected.is_empty() {
                format!(
                    "{}{} ({} shown)",
                    if title_hit(q, m) { "✓ " } else { "" },
                    first,
                    m.top.len()
                )
            } else {
                format!("{} {}", if hit(q, m) { "✓" } else { "✗" }, first)
            }
        };
        println!(
            "| {}{} | {} | {} | {:.0} ms | {:.0} ms | {} | {} |",
            q.text.replace('|', "\\|"),
            if q.expected.is_empty() {
                ""
            } else {
                " (derived)"
            },
            verdict(&kb[i]).replace('|', "\\|"),
            verdict(&pf[i]).replace('|', "\\|"),
            kb[i].first_ms,
            pf[i].first_ms,
            kib(kb[i].cold_bytes as f64),
            kib(pf[i].cold_bytes as f64)
        );
    }
    if !errs.is_empty() {
        println!("\nErrors:\n");
        for e in errs {
            println!("- {e}");
        }
    }
}

/// The Pagefind side: its own JS API, the first 3 results' data loaded, like a results list.
const PF_PAGE: &str = r#"<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>Pagefind bench</title></head>
<body>
<ol id="search-results"></ol>
<script type="module">
const pagefind = await import("/pagefind/pagefind.js");
window.runQ = async (q) => {
  const t0 = performance.now();
  const res = await pagefind.search(q);
  const top = await Promise.all(res.results.slice(0, 3).map((r) => r.data()));
  const list = document.getElementById("search-results");
  list.textContent = "";
  for (const d of top) {
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.href = d.url;
    a.textContent = (d.meta && d.meta.title) || d.url;
    li.appendChild(a);
    list.appendChild(li);
  }
  return performance.now() - t0;
};
await window.runQ(new URLSearchParams(location.search).get("q") || "");
document.body.dataset.searchState = "done";
</script>
</body></html>
"#;
