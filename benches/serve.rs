//! Preview-server benchmark: how long after saving an article does `kbgen serve` serve the
//! updated page?
//!
//! `cargo bench --bench serve` (env: KBGEN_BENCH_N, default 10000 articles; KBGEN_BENCH_EDITS,
//! default 20 body edits; KBGEN_BENCH_DIR, default /dev/shm/kbgen-serve-bench;
//! KBGEN_BENCH_VERBOSE=1 or `cargo bench --bench serve -- --verbose` prints the server's
//! build reports as they come). It:
//!
//! 1. generates the corpus once with ../shared/bench/gen_corpus.py (reused afterwards; a
//!    `kbgen.yaml` with `language: zh-CN` is added, since `kbgen serve` requires one) and
//!    copies the release kbgen that cargo bench built into the work folder, so a concurrent
//!    `cargo build` cannot swap the binary mid-run;
//! 2. times `kbgen build` of the whole corpus 3 times (median: the full-build baseline);
//! 3. starts `kbgen serve` on a free loopback port (its private build folder, normally under
//!    the system temp dir, goes to WORK/serve-tmp: same tmpfs as the build, removed at the end)
//!    and waits for its initial build;
//! 4. picks 5 articles spread over the sorted article list and checks each one's page
//!    (`/SECTION/SLUG/`, SLUG = `slug:` or the file stem) was built and is served with 200;
//! 5. body edit: appends a unique marker paragraph to one of them (a plain in-place
//!    `fs::write`, like an editor's save), then polls the page every 2 ms (plain HTTP/1.1
//!    GETs, `Connection: close`) until it contains the marker. Latency = from just before the
//!    write to that response. Then it waits for the server's rebuild report and 300 ms more,
//!    so edits never coalesce; repeated KBGEN_BENCH_EDITS times, cycling over the 5 articles;
//! 6. title edit: the same with a marker appended to the front-matter `title:`, 5 times;
//! 7. restores the articles, waits until the pages are clean again, stops the server (SIGINT
//!    like Ctrl-C, then SIGTERM, then a kill), and prints a markdown table plus the server's
//!    last rebuild reports.
//!
//! A rebuild report is any server stderr line, after the initial build's, that contains
//! "built", "updated", "failed" or ": error:" (diagnostic lines, `warning: …`/`error: …`, are
//! not reports). The bench exits with status 1 when an edit never showed up within 60 s.
//! An interrupted run may leave markers in the corpus; the next run strips them first.

#[path = "../tests/it/support/mod.rs"]
mod support;

mod common;

use std::fs;
use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use support::serve::{free_port, http_get as get};

const BUILD_RUNS: usize = 3;
const ARTICLES: usize = 5;
const TITLE_EDITS: usize = 5;
const INITIAL_TIMEOUT: Duration = Duration::from_secs(180);
const EDIT_TIMEOUT: Duration = Duration::from_secs(60);
const POLL: Duration = Duration::from_millis(2);
/// Quiet time after each edit's rebuild, so the next save is never part of the same burst.
const PAUSE: Duration = Duration::from_millis(300);
/// How many of the server's last rebuild reports the summary shows.
const LAST_REPORTS: usize = 6;

/// The body marker paragraph is "\n\n{BODY_TAG} {BODY_MARK}<k>-<nanos>\n", appended to the file.
const BODY_TAG: &str = "基准标记";
const BODY_MARK: &str = "bench-marker-";
/// The title marker is " {TITLE_TAG} {TITLE_MARK}<k>-<nanos>", appended to the title.
const TITLE_TAG: &str = "基准标题";
const TITLE_MARK: &str = "bench-title-";
/// The terms marker is a new tag "{TERM_MARK}<k>-<nanos>" added to the `tags:` list.
const TERM_MARK: &str = "bench-tag-";
/// New articles are "bench-new-<k>.md" in the first chosen article's folder.
const NEW_MARK: &str = "bench-new-";
/// Tag, new-article and deletion edits, each.
const OTHER_EDITS: usize = 5;

/// What is escaped in a URL path segment: everything but letters, digits and `-_.~`.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

fn main() {
    let n: usize = env_num("KBGEN_BENCH_N", 10_000);
    let edits: usize = env_num("KBGEN_BENCH_EDITS", 20);
    let verbose = std::env::var("KBGEN_BENCH_VERBOSE").is_ok_and(|v| !v.is_empty() && v != "0")
        || std::env::args().any(|a| a == "--verbose" || a == "-v");
    let work = PathBuf::from(
        std::env::var("KBGEN_BENCH_DIR").unwrap_or_else(|_| "/dev/shm/kbgen-serve-bench".into()),
    );
    fs::create_dir_all(&work).expect("create the work folder");

    // 1. Corpus, config and binary.
    let corpus = common::corpus(&work, n, "title: Bench\nlanguage: zh-CN\n");
    let kbgen = work.join("kbgen");
    // Removed first: a copy over a binary still running elsewhere fails with "text file busy".
    let _ = fs::remove_file(&kbgen);
    fs::copy(env!("CARGO_BIN_EXE_kbgen"), &kbgen).expect("copy the kbgen binary");

    // The articles, chosen before any build so the build sees them clean.
    let articles = choose_articles(&corpus);

    // 2. Full builds.
    let out = work.join("out");
    let _ = fs::remove_dir_all(&out);
    let mut build_secs = Vec::new();
    for i in 1..=BUILD_RUNS {
        let start = Instant::now();
        let output = Command::new(&kbgen)
            .args(["build", "--root"])
            .arg(&corpus)
            .arg("--output")
            .arg(&out)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .expect("run kbgen build");
        let secs = start.elapsed().as_secs_f64();
        assert!(
            output.status.success(),
            "kbgen build failed ({}):\n{}",
            output.status,
            tail(&String::from_utf8_lossy(&output.stderr), 20)
        );
        eprintln!("full build {i}/{BUILD_RUNS}: {secs:.2} s");
        build_secs.push(secs);
    }
    for a in &articles {
        let built = out.join(&a.page_dir).join("index.html");
        assert!(
            built.is_file(),
            "{} was expected at {} but kbgen build wrote no {}",
            a.rel,
            a.url,
            built.display()
        );
    }

    // 3. The server.
    let mut server = Server::start(&kbgen, &corpus, &work.join("serve-tmp"), verbose);
    eprintln!("waiting for the initial build on port {} …", server.port);
    let initial = server.wait_initial();
    eprintln!("{initial}");
    let port = server.port;

    // 4. The chosen pages are served.
    for a in &articles {
        match get(port, &a.url) {
            Ok((200, body)) if !body.contains(BODY_MARK) && !body.contains(TITLE_MARK) => {}
            Ok((200, _)) => panic!("{} is served with an old marker in it", a.url),
            Ok((status, _)) => panic!("GET {} for {}: status {status}", a.url, a.rel),
            Err(e) => panic!("GET {} for {}: {e}", a.url, a.rel),
        }
        eprintln!("{} → {}", a.rel, a.url);
    }

    // 5 and 6. Edits. The guard puts the originals back however this ends.
    let mut restore = Restore(
        articles
            .iter()
            .map(|a| (a.file.clone(), a.original.clone()))
            .collect(),
    );
    let mut body_edits = Vec::new();
    for k in 0..edits {
        let a = &articles[k % articles.len()];
        let marker = format!("{BODY_MARK}{k}-{}", nanos());
        let text = format!("{}\n\n{BODY_TAG} {marker}\n", a.original);
        let e = measure_edit(&mut server, a, &text, &marker);
        eprintln!("body edit {:>2}/{edits} {}: {}", k + 1, a.rel, e.describe());
        body_edits.push(e);
    }
    let mut title_edits = Vec::new();
    for k in 0..TITLE_EDITS {
        let a = &articles[k % articles.len()];
        let marker = format!("{TITLE_MARK}{k}-{}", nanos());
        let text = with_title_suffix(&a.original, &format!(" {TITLE_TAG} {marker}"))
            .unwrap_or_else(|| panic!("{} has no `title:` line to edit", a.rel));
        let e = measure_edit(&mut server, a, &text, &marker);
        eprintln!(
            "title edit {}/{TITLE_EDITS} {}: {}",
            k + 1,
            a.rel,
            e.describe()
        );
        title_edits.push(e);
    }

    let mut term_edits = Vec::new();
    for k in 0..OTHER_EDITS {
        let a = &articles[k % articles.len()];
        let marker = format!("{TERM_MARK}{k}-{}", nanos());
        let text = with_tag(&a.original, &marker)
            .unwrap_or_else(|| panic!("{} has no one-line `tags: [...]` to edit", a.rel));
        let e = measure_edit(&mut server, a, &text, &marker);
        eprintln!(
            "tag edit {}/{OTHER_EDITS} {}: {}",
            k + 1,
            a.rel,
            e.describe()
        );
        term_edits.push(e);
        // Back to the original, so the next tag edit starts from the same site.
        let _ = measure_edit(&mut server, a, &a.original, "");
    }
    let mut new_edits = Vec::new();
    let mut delete_edits = Vec::new();
    let folder = articles[0].file.parent().unwrap().to_path_buf();
    let section_url = articles[0]
        .url
        .trim_end_matches('/')
        .rsplit_once('/')
        .unwrap()
        .0
        .to_string();
    for k in 0..OTHER_EDITS {
        let marker = format!("{NEW_MARK}{k}-{}", nanos());
        let file = folder.join(format!("{marker}.md"));
        let url = format!("{section_url}/{marker}/");
        let text = format!(
            "---\ntitle: 基准新文章 {marker}\ntags: [\"基准\"]\n---\n\n{BODY_TAG} {marker}\n"
        );
        restore.0.push((file.clone(), String::new()));
        let e = measure(
            &mut server,
            &url,
            || fs::write(&file, &text).expect("write a new article"),
            |status, body| status == 200 && body.contains(&marker),
        );
        eprintln!("new article {}/{OTHER_EDITS}: {}", k + 1, e.describe());
        new_edits.push(e);
        let e = measure(
            &mut server,
            &url,
            || fs::remove_file(&file).expect("delete the new article"),
            |status, _| status == 404,
        );
        eprintln!("deleted article {}/{OTHER_EDITS}: {}", k + 1, e.describe());
        delete_edits.push(e);
    }

    // 7. Restore, wait until every page is clean again, stop.
    server.pump();
    let before = server.rebuilds.len();
    let t0 = Instant::now();
    restore.restore();
    for a in &articles {
        let clean = poll(port, &a.url, t0 + EDIT_TIMEOUT, |body| {
            !body.contains(BODY_MARK) && !body.contains(TITLE_MARK) && !body.contains(TERM_MARK)
        });
        assert!(
            clean.is_some(),
            "{} still shows a marker after the restore",
            a.url
        );
    }
    server.wait_rebuilds(before + 1, Instant::now() + EDIT_TIMEOUT);
    eprintln!(
        "restored {} articles; pages clean after {:.0} ms",
        articles.len(),
        ms(t0.elapsed())
    );
    server.stop();

    let failed = report(
        n,
        &build_secs,
        &[
            ("body edit", &body_edits),
            ("title edit", &title_edits),
            ("tag edit", &term_edits),
            ("new article", &new_edits),
            ("deleted article", &delete_edits),
        ],
        &initial,
        &server.rebuilds,
    );
    if failed {
        std::process::exit(1);
    }
}

/// One article under test.
struct Article {
    file: PathBuf,
    /// The path under the corpus root, for messages.
    rel: String,
    /// The served path, `/SECTION/SLUG/`, percent-encoded.
    url: String,
    /// `SECTION/SLUG` as a folder of the output.
    page_dir: PathBuf,
    /// The file as it was (any marker an interrupted run left is stripped).
    original: String,
}

/// `ARTICLES` articles spread evenly over the sorted list of non-draft articles.
fn choose_articles(corpus: &Path) -> Vec<Article> {
    let content = corpus.join("content");
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(&content)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .filter(|p| {
            p.extension().is_some_and(|x| x == "md")
                && p.file_name().is_some_and(|f| f != "_index.md")
                && p.is_file()
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no articles under {}", content.display());
    let step = (files.len() / ARTICLES).max(1);
    let mut chosen = Vec::new();
    for file in files.iter().skip(step / 2).step_by(step) {
        if chosen.len() == ARTICLES {
            break;
        }
        let text = fs::read_to_string(file).expect("read an article");
        let original = strip_markers(&text);
        if original != text {
            eprintln!("{}: removing markers an earlier run left", file.display());
            fs::write(file, &original).expect("clean an article");
        }
        if front_matter_value(&original, "draft").is_some_and(|d| d == "true") {
            continue;
        }
        let slug = front_matter_value(&original, "slug")
            .unwrap_or_else(|| file.file_stem().unwrap().to_string_lossy().into_owned());
        let section = file.parent().unwrap().strip_prefix(&content).unwrap();
        let mut url = String::from("/");
        for segment in section.iter() {
            url.push_str(&utf8_percent_encode(&segment.to_string_lossy(), SEGMENT).to_string());
            url.push('/');
        }
        url.push_str(&utf8_percent_encode(&slug, SEGMENT).to_string());
        url.push('/');
        chosen.push(Article {
            file: file.clone(),
            rel: file
                .strip_prefix(corpus)
                .unwrap()
                .to_string_lossy()
                .into_owned(),
            url,
            page_dir: section.join(&slug),
            original,
        });
    }
    chosen
}

/// The lines between the opening `---` and the next `---`.
fn front_matter(text: &str) -> impl Iterator<Item = &str> {
    let mut lines = text.lines();
    let open = lines.next().is_some_and(|l| l.trim_end() == "---");
    lines.take_while(move |l| open && l.trim_end() != "---")
}

/// A top-level scalar of the front matter, unquoted.
fn front_matter_value(text: &str, key: &str) -> Option<String> {
    front_matter(text).find_map(|l| {
        let value = l.strip_prefix(key)?.strip_prefix(':')?.trim();
        Some(unquote(value).to_string()).filter(|v| !v.is_empty())
    })
}

fn unquote(v: &str) -> &str {
    for q in ['"', '\''] {
        if v.len() >= 2 && v.starts_with(q) && v.ends_with(q) {
            return &v[1..v.len() - 1];
        }
    }
    v
}

/// `text` with `tag` added to its one-line `tags: [...]`; None when there is none.
fn with_tag(text: &str, tag: &str) -> Option<String> {
    let start = text.find("\ntags: [")? + 1;
    let end = start + text[start..].find(']')?;
    let list = &text[start + "tags: [".len()..end];
    let sep = if list.trim().is_empty() { "" } else { ", " };
    Some(format!("{}{sep}\"{tag}\"{}", &text[..end], &text[end..]))
}

/// `text` with `suffix` appended to the value of its front-matter `title:` (inside the quotes
/// when it is quoted). None when there is no single-line title to edit.
fn with_title_suffix(text: &str, suffix: &str) -> Option<String> {
    let line = front_matter(text).find(|l| l.starts_with("title:"))?;
    // `line` borrows from `text`: its offset is where it starts.
    let start = line.as_ptr() as usize - text.as_ptr() as usize;
    let value = line["title:".len()..].trim_end();
    let trimmed = value.trim_start();
    if trimmed.is_empty() || trimmed.starts_with(['|', '>']) {
        return None;
    }
    let value_end = start + "title:".len() + value.len();
    let quoted = trimmed.len() >= 2
        && ['"', '\'']
            .iter()
            .any(|&q| trimmed.starts_with(q) && trimmed.ends_with(q));
    let at = if quoted { value_end - 1 } else { value_end };
    Some(format!("{}{suffix}{}", &text[..at], &text[at..]))
}

/// Removes the markers this bench adds (left by an interrupted run).
fn strip_markers(text: &str) -> String {
    let mut s = text.to_string();
    if let Some(i) = s.find(&format!("\n\n{BODY_TAG} {BODY_MARK}")) {
        s.truncate(i);
    }
    let title = format!(" {TITLE_TAG} {TITLE_MARK}");
    while let Some(i) = s.find(&title) {
        let rest = &s[i + title.len()..];
        let len = rest
            .find(|c: char| !c.is_ascii_digit() && c != '-')
            .unwrap_or(rest.len());
        s.replace_range(i..i + title.len() + len, "");
    }
    s
}

/// Puts the original articles back; on drop too, so a panic leaves the corpus clean.
/// Files to put back as they were (an empty text: a file the bench added, removed).
struct Restore(Vec<(PathBuf, String)>);

impl Restore {
    fn restore(&mut self) {
        for (file, text) in self.0.drain(..) {
            if text.is_empty() {
                let _ = fs::remove_file(&file);
                continue;
            }
            if let Err(e) = fs::write(&file, text) {
                eprintln!("could not restore {}: {e}", file.display());
            }
        }
    }
}

impl Drop for Restore {
    fn drop(&mut self) {
        self.restore();
    }
}

/// One timed edit.
#[derive(Default)]
struct Edit {
    /// From just before the write until the page served the marker; None: timed out.
    latency: Option<Duration>,
    /// From just before the write until the server printed its first rebuild report.
    reported: Option<Duration>,
    /// The server's rebuild reports that arrived for this edit (normally exactly one).
    reports: Vec<String>,
    /// Responses other than 200 (status) and failed requests seen while polling.
    odd: Vec<String>,
}

impl Edit {
    fn describe(&self) -> String {
        let mut s = match self.latency {
            Some(l) => format!("{:.0} ms", ms(l)),
            None => format!("TIMED OUT after {} s", EDIT_TIMEOUT.as_secs()),
        };
        if let Some(r) = self.reported {
            s.push_str(&format!(" (rebuild reported at {:.0} ms)", ms(r)));
        }
        if self.reports.len() != 1 {
            s.push_str(&format!("; {} rebuild reports", self.reports.len()));
        }
        if !self.odd.is_empty() {
            s.push_str(&format!("; while polling: {}", summarize(&self.odd)));
        }
        s
    }
}

/// Writes `text` over the article and waits for its page to contain `marker`, then for the
/// server's report of that rebuild, then `PAUSE`.
fn measure_edit(server: &mut Server, a: &Article, text: &str, marker: &str) -> Edit {
    let write = || fs::write(&a.file, text).unwrap_or_else(|err| panic!("write {}: {err}", a.rel));
    let gone = |body: &str| {
        !body.contains(BODY_MARK) && !body.contains(TITLE_MARK) && !body.contains(TERM_MARK)
    };
    measure(server, &a.url, write, |status, body| {
        status == 200
            && if marker.is_empty() {
                gone(body)
            } else {
                body.contains(marker)
            }
    })
}

/// Runs `act` (a file write or removal) and waits until `url` answers so that `done`
/// (status, body) holds, then for the server's report of that rebuild, then `PAUSE`.
fn measure(
    server: &mut Server,
    url: &str,
    act: impl FnOnce(),
    done: impl Fn(u16, &str) -> bool,
) -> Edit {
    server.pump();
    let before = server.rebuilds.len();
    let mut e = Edit::default();
    let t0 = Instant::now();
    act();
    e.latency =
        poll_status(server.port, url, t0 + EDIT_TIMEOUT, &mut e.odd, done).map(|at| at - t0);
    // The page can be in place before the build finishes (search index, lists): wait for the
    // report so the next edit starts on an idle server.
    let grace = e
        .latency
        .map_or(Duration::from_secs(5), |l| l * 2 + Duration::from_secs(5));
    server.wait_rebuilds(before + 1, Instant::now() + grace);
    std::thread::sleep(PAUSE);
    server.pump();
    let reports = &server.rebuilds[before..];
    e.reported = reports
        .first()
        .map(|(at, _)| at.saturating_duration_since(t0));
    e.reports = reports.iter().map(|(_, l)| l.clone()).collect();
    assert!(
        !server.exited,
        "kbgen serve exited during an edit for {url}; its last lines:\n{}",
        server.tail()
    );
    e
}

/// Polls `url` every `POLL` until a 200 response satisfies `done` or `deadline` passes;
/// returns when it succeeded.
fn poll(port: u16, url: &str, deadline: Instant, done: impl Fn(&str) -> bool) -> Option<Instant> {
    poll_with(port, url, deadline, &mut Vec::new(), done)
}

fn poll_with(
    port: u16,
    url: &str,
    deadline: Instant,
    odd: &mut Vec<String>,
    done: impl Fn(&str) -> bool,
) -> Option<Instant> {
    poll_status(port, url, deadline, odd, |status, body| {
        status == 200 && done(body)
    })
}

/// Polls until `done(status, body)`; statuses other than 200 that do not satisfy it are
/// noted in `odd` (a page that is being added answers 404 until it is there: not noted).
fn poll_status(
    port: u16,
    url: &str,
    deadline: Instant,
    odd: &mut Vec<String>,
    done: impl Fn(u16, &str) -> bool,
) -> Option<Instant> {
    loop {
        match get(port, url) {
            Ok((status, body)) if done(status, &body) => return Some(Instant::now()),
            Ok((200 | 404, _)) => {}
            Ok((status, _)) => odd.push(format!("status {status}")),
            Err(e) => odd.push(format!("request failed ({e})")),
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(POLL);
    }
}

/// "status 404 ×3, request failed (…) ×1", in order of first appearance.
fn summarize(items: &[String]) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for item in items {
        match counts.iter_mut().find(|(s, _)| *s == item) {
            Some((_, c)) => *c += 1,
            None => counts.push((item, 1)),
        }
    }
    counts
        .iter()
        .map(|(s, c)| format!("{s} ×{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What the stderr reader hands the main thread.
enum Line {
    Text(Instant, String),
    Eof,
}

/// A running `kbgen serve`, stopped (and its build folder removed) however the bench ends.
struct Server {
    child: Child,
    port: u16,
    tmp: PathBuf,
    lines: Receiver<Line>,
    initial: Option<String>,
    /// (arrival, line) of every rebuild report after the initial build.
    rebuilds: Vec<(Instant, String)>,
    /// The last stderr lines, for error messages.
    recent: Vec<String>,
    exited: bool,
}

/// A line the server prints when a build ends (see the module docs).
fn is_report(line: &str) -> bool {
    !line.starts_with("warning")
        && !line.starts_with("error")
        && (line.contains("built")
            || line.contains("updated")
            || line.contains("failed")
            || line.contains(": error:"))
}

impl Server {
    fn start(kbgen: &Path, root: &Path, tmp: &Path, verbose: bool) -> Server {
        let _ = fs::remove_dir_all(tmp);
        fs::create_dir_all(tmp).expect("create the server's temp folder");
        let port = free_port();
        let mut child = Command::new(kbgen)
            .args(["serve", "--root"])
            .arg(root)
            .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
            .env("TMPDIR", tmp)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start kbgen serve");
        let stderr = child.stderr.take().unwrap();
        let (tx, lines) = mpsc::channel();
        // Drains stderr continuously: a full pipe would block the server (every build prints
        // its warnings).
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stderr);
            let mut buf = Vec::new();
            loop {
                buf.clear();
                match reader.read_until(b'\n', &mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
                let line = String::from_utf8_lossy(&buf).trim_end().to_string();
                if verbose && is_report(&line) {
                    eprintln!("  [serve] {line}");
                }
                if tx.send(Line::Text(Instant::now(), line)).is_err() {
                    return;
                }
            }
            let _ = tx.send(Line::Eof);
        });
        Server {
            child,
            port,
            tmp: tmp.to_path_buf(),
            lines,
            initial: None,
            rebuilds: Vec::new(),
            recent: Vec::new(),
            exited: false,
        }
    }

    fn take(&mut self, line: Line) {
        match line {
            Line::Text(at, text) => {
                if is_report(&text) {
                    if self.initial.is_none() {
                        self.initial = Some(text.clone());
                    } else {
                        self.rebuilds.push((at, text.clone()));
                    }
                }
                self.recent.push(text);
                if self.recent.len() > 40 {
                    self.recent.remove(0);
                }
            }
            Line::Eof => self.exited = true,
        }
    }

    /// Takes every line that has arrived.
    fn pump(&mut self) {
        while let Ok(line) = self.lines.try_recv() {
            self.take(line);
        }
    }

    /// Waits until there are `count` rebuild reports, the server exits, or `deadline`.
    fn wait_rebuilds(&mut self, count: usize, deadline: Instant) {
        self.pump();
        while self.rebuilds.len() < count && !self.exited {
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                return;
            };
            match self.lines.recv_timeout(left) {
                Ok(line) => self.take(line),
                Err(RecvTimeoutError::Timeout) => return,
                Err(RecvTimeoutError::Disconnected) => self.exited = true,
            }
        }
    }

    /// The initial build's report line; panics when it fails, the server exits, or it takes
    /// longer than `INITIAL_TIMEOUT`.
    fn wait_initial(&mut self) -> String {
        let deadline = Instant::now() + INITIAL_TIMEOUT;
        while self.initial.is_none() && !self.exited {
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                break;
            };
            match self.lines.recv_timeout(left) {
                Ok(line) => self.take(line),
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => self.exited = true,
            }
        }
        match self.initial.clone() {
            Some(line) if line.contains("built ") => line,
            Some(line) => panic!("the initial build failed: {line}\n{}", self.tail()),
            None if self.exited => {
                let status = self.child.wait().map(|s| s.to_string()).unwrap_or_default();
                panic!(
                    "kbgen serve exited ({status}) before its initial build:\n{}",
                    self.tail()
                )
            }
            None => panic!(
                "no initial build report within {} s:\n{}",
                INITIAL_TIMEOUT.as_secs(),
                self.tail()
            ),
        }
    }

    fn tail(&mut self) -> String {
        self.pump();
        tail(&self.recent.join("\n"), 20)
    }

    /// Stops the server the way Ctrl-C does (SIGINT: it removes its build folder and says
    /// "stopped"), then SIGTERM and finally a kill if it is still running; removes its temp
    /// folder either way.
    fn stop(&mut self) {
        for signal in ["-INT", "-TERM"] {
            if !matches!(self.child.try_wait(), Ok(None)) {
                break;
            }
            let _ = Command::new("kill")
                .args([signal, &self.child.id().to_string()])
                .status();
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(3) {
                if let Ok(Some(status)) = self.child.try_wait() {
                    eprintln!(
                        "kbgen serve stopped on SIG{} after {:.0} ms ({status})",
                        &signal[1..],
                        ms(start.elapsed())
                    );
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.pump();
        let _ = fs::remove_dir_all(&self.tmp);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Prints the summary; true when an edit timed out.
fn report(
    n: usize,
    build_secs: &[f64],
    kinds: &[(&str, &Vec<Edit>)],
    initial: &str,
    rebuilds: &[(Instant, String)],
) -> bool {
    let failures = |edits: &[Edit]| edits.iter().filter(|e| e.latency.is_none()).count();
    let stats = |v: Vec<f64>| {
        if v.is_empty() {
            "—".to_string()
        } else {
            format!(
                "{:.0} / {:.0} / {:.0} ms",
                median(&v),
                v.iter().copied().fold(f64::INFINITY, f64::min),
                v.iter().copied().fold(f64::NEG_INFINITY, f64::max)
            )
        }
    };

    println!("\n## Preview server edit latency: {n} articles\n");
    println!("| metric | value |\n| --- | --- |");
    println!("| articles (N) | {n} |");
    println!(
        "| full build, `kbgen build` (median of {}) | {:.2} s ({}) |",
        build_secs.len(),
        median(build_secs),
        build_secs
            .iter()
            .map(|s| format!("{s:.2}"))
            .collect::<Vec<_>>()
            .join(" / ")
    );
    for &(kind, edits) in kinds {
        println!(
            "| {kind} → page updated, median / min / max ({} edits{}) | {} |",
            edits.len(),
            failed_note(failures(edits)),
            stats(edits.iter().filter_map(|e| e.latency.map(ms)).collect())
        );
        println!(
            "| {kind} → server's rebuild report, median / min / max | {} |",
            stats(edits.iter().filter_map(|e| e.reported.map(ms)).collect())
        );
        for (what, search) in [("pages", false), ("then search files", true)] {
            println!(
                "| {kind}: server-reported time, {what}, median / min / max | {} |",
                stats(
                    edits
                        .iter()
                        .flat_map(|e| &e.reports)
                        .filter_map(|l| reported_ms(l, search))
                        .collect()
                )
            );
        }
    }
    let edits: usize = kinds.iter().map(|(_, e)| e.len()).sum();
    let report_count: usize = kinds
        .iter()
        .flat_map(|(_, e)| e.iter())
        .map(|e| e.reports.len())
        .sum();
    println!("| rebuild reports / edits | {report_count} / {edits} |");

    println!(
        "\nPage updated: from just before the file write until a GET of the article's page \
         returns the new text (a new article: its page answers 200 with it; a deleted one: 404; \
         polled every {} ms). Rebuild report: until the server's stderr line for that rebuild \
         arrived.",
        POLL.as_millis()
    );
    println!("\nInitial build: `{initial}`");
    println!("\nThe server's last rebuild reports:\n\n```");
    for (_, line) in &rebuilds[rebuilds.len().saturating_sub(LAST_REPORTS)..] {
        println!("{line}");
    }
    println!("```");

    let mut notes = Vec::new();
    for &(kind, edits) in kinds {
        for (i, e) in edits.iter().enumerate() {
            let failed_report = e
                .reports
                .iter()
                .any(|r| r.contains("failed") || r.contains(": error:"));
            if e.latency.is_none() || e.reports.len() != 1 || !e.odd.is_empty() || failed_report {
                notes.push(format!("- {kind} {}: {}", i + 1, e.describe()));
                for r in &e.reports {
                    notes.push(format!("  - server: `{r}`"));
                }
            }
        }
    }
    if !notes.is_empty() {
        println!("\nNotes:\n");
        for note in notes {
            println!("{note}");
        }
    }
    kinds.iter().map(|(_, e)| failures(e)).sum::<usize>() > 0
}

fn failed_note(failures: usize) -> String {
    if failures == 0 {
        String::new()
    } else {
        format!(", {failures} timed out")
    }
}

/// The `in N ms` of a report line: the first (the pages), or with `search` the one that
/// says how much longer the search files took (`search index: F files in N ms more`).
fn reported_ms(line: &str, search: bool) -> Option<f64> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let mut found = words.windows(3).filter_map(|w| {
        (w[0] == "in" && w[2].starts_with("ms"))
            .then(|| w[1].parse().ok())
            .flatten()
    });
    if search {
        line.contains("search index:")
            .then(|| found.nth(1))
            .flatten()
    } else {
        found.next()
    }
}

fn median(v: &[f64]) -> f64 {
    let mut v: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn nanos() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

fn env_num(name: &str, default: usize) -> usize {
    match std::env::var(name) {
        Ok(v) => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v} is not a number")),
        Err(_) => default,
    }
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}
