//! Helpers for tests that build sites: fixtures, running the kbgen binary,
//! reading and parsing its output, and a link checker over a built site.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use scraper::{Html, Selector};
use tempfile::TempDir;

/// `tests/fixtures/NAME` of this crate.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The bundled site (the repository's own content/ and kbgen.yaml) built with `extra`
/// arguments into `out/` of a new temp folder, which is returned with that path.
#[track_caller]
pub fn build_bundled(extra: &[&str]) -> (TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("out");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut args = vec![OsStr::new("--output"), out.as_os_str()];
    args.extend(extra.iter().map(OsStr::new));
    let mut all = vec![OsStr::new("build"), OsStr::new("--root"), repo.as_os_str()];
    all.extend(args);
    assert_success(&kbgen(all, repo));
    (dir, out)
}

/// A temp folder holding a copy of fixture `NAME` (its root is the site
/// root). Removed on drop.
#[track_caller]
pub fn copy_fixture(name: &str) -> TempDir {
    let from = fixture(name);
    assert!(from.is_dir(), "no fixture {}", from.display());
    let dir = tempfile::Builder::new()
        .prefix(&format!("kbgen-{name}-"))
        .tempdir()
        .expect("create temp dir");
    copy_dir(&from, dir.path());
    dir
}

/// Copies the contents of folder `from` into `to` (created if missing).
#[track_caller]
pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).sort_by_file_name() {
        let entry = entry.unwrap_or_else(|e| panic!("walk {}: {e}", from.display()));
        let rel = entry.path().strip_prefix(from).expect("under the root");
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            fs::create_dir_all(&dest).unwrap_or_else(|e| panic!("mkdir {}: {e}", dest.display()));
        } else {
            fs::copy(entry.path(), &dest).unwrap_or_else(|e| {
                panic!("copy {} → {}: {e}", entry.path().display(), dest.display())
            });
        }
    }
}

/// Runs the kbgen binary with `args` in `cwd` and returns what happened,
/// asserting nothing. stdin is closed (never a terminal).
#[track_caller]
pub fn kbgen<I, S>(args: I, cwd: &Path) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    Command::new(env!("CARGO_BIN_EXE_kbgen"))
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|e| panic!("cannot run kbgen: {e}"))
}

/// `kbgen build --root ROOT EXTRA…`, run in ROOT, asserting nothing.
/// (`build(root, &[])`; for path arguments use `kbgen` directly.)
#[track_caller]
pub fn build(root: &Path, extra_args: &[&str]) -> Output {
    let mut args = vec![OsStr::new("build"), OsStr::new("--root"), root.as_os_str()];
    args.extend(extra_args.iter().map(OsStr::new));
    kbgen(args, root)
}

/// Panics, showing stdout and stderr, unless `out` exited with status 0.
#[track_caller]
pub fn assert_success(out: &Output) {
    assert!(out.status.success(), "kbgen failed: {}", describe(out));
}

/// Exit status, stdout and stderr of a run, for assertion messages.
pub fn describe(out: &Output) -> String {
    format!(
        "{}\n--- stdout ---\n{}--- stderr ---\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// stderr of a run as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[track_caller]
pub fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

#[track_caller]
pub fn parse_html(path: &Path) -> Html {
    Html::parse_document(&read(path))
}

/// Every `.html` file under `dir`, sorted.
pub fn html_files(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension() == Some(OsStr::new("html")))
        .map(walkdir::DirEntry::into_path)
        .collect()
}

/// The URL path a file in `output_dir` is served at under `base_path`
/// (`/kb/`): `a/b/index.html` → `/kb/a/b/`, `404.html` → `/kb/404.html`.
pub fn page_url(output_dir: &Path, file: &Path, base_path: &str) -> String {
    let rel = file
        .strip_prefix(output_dir)
        .expect("file inside the output");
    let rel: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let rel = rel.join("/");
    let rel = match rel.strip_suffix("index.html") {
        Some(folder) if folder.is_empty() || folder.ends_with('/') => folder,
        _ => &rel,
    };
    format!("{}{rel}", normalize_base(base_path))
}

/// The references the crawler follows: (selector, attribute).
const REFERENCES: [(&str, &str); 6] = [
    ("a[href]", "href"),
    ("link[href]", "href"),
    ("script[src]", "src"),
    ("img[src]", "src"),
    ("form[action]", "action"),
    ("meta[http-equiv]", "content"),
];

struct Page {
    url: String,
    /// (what, reference as written)
    refs: Vec<(String, String)>,
}

/// Checks every internal reference in every `.html` file of a built site as
/// served under `base_path` (`/` or `/kb/`): `a[href]`, `link[href]`,
/// `script[src]`, `img[src]`, `form[action]` and a refresh `meta`'s URL.
/// External ones (any `scheme:` — http, https, mailto, tel, data,
/// javascript, file — or `//host`) are skipped. Each is resolved against the
/// page's own URL, so relative links from `--portable` builds are checked the
/// same way; the target file must exist (a folder means its `index.html`, and
/// only when the URL ends in `/`), and a `#fragment` must be an `id` on the
/// target page. Returns readable problems, sorted: `from PAGE: REF → why`.
pub fn crawl(output_dir: &Path, base_path: &str) -> Vec<String> {
    let base = normalize_base(base_path);
    let selectors = reference_selectors();
    let id_selector = Selector::parse("[id]").expect("valid selector");

    let mut pages = Vec::new();
    let mut ids: HashMap<PathBuf, HashSet<String>> = HashMap::new();
    for file in html_files(output_dir) {
        let html = parse_html(&file);
        let refs = page_references(&html, &selectors);
        let page_ids = html
            .select(&id_selector)
            .filter_map(|el| el.value().id().map(str::to_string))
            .collect();
        ids.insert(file.clone(), page_ids);
        pages.push(Page {
            url: page_url(output_dir, &file, &base),
            refs,
        });
    }

    let mut problems = Vec::new();
    for page in &pages {
        for (what, reference) in &page.refs {
            if let Err(why) = check_reference(output_dir, &base, &page.url, reference, &ids) {
                problems.push(format!("from {}: {what}=\"{reference}\" → {why}", page.url));
            }
        }
    }
    problems.sort();
    problems.dedup();
    problems
}

fn reference_selectors() -> Vec<(Selector, &'static str, &'static str)> {
    REFERENCES
        .iter()
        .map(|(sel, attr)| (Selector::parse(sel).expect("valid selector"), *sel, *attr))
        .collect()
}

/// The references of one page the crawler follows: (`a[href]`…, value as written).
fn page_references(
    html: &Html,
    selectors: &[(Selector, &'static str, &'static str)],
) -> Vec<(String, String)> {
    let mut refs = Vec::new();
    for (selector, sel, attr) in selectors {
        for el in html.select(selector) {
            let Some(value) = el.value().attr(attr) else {
                continue;
            };
            let value = if *sel == "meta[http-equiv]" {
                match refresh_url(el.value().attr("http-equiv"), value) {
                    Some(url) => url,
                    None => continue,
                }
            } else {
                value.to_string()
            };
            refs.push((
                format!("{}[{attr}]", &sel[..sel.find('[').unwrap_or(0)]),
                value,
            ));
        }
    }
    refs
}

/// For a `--portable` build, opened from disk: every reference of every HTML page that leaves
/// `output_dir` — root-based (`/kb/x/`), protocol-relative (`//host/x`), an absolute URL of
/// the site itself (starting with `site_url`, its absolute base URL, when it has one), a
/// relative one climbing above the folder — or that names a folder instead of a file
/// (file:// has no index files), plus everything `crawl` finds broken (missing files and
/// ids). Links to other sites are the content's own and fine. Sorted, readable problems.
pub fn crawl_portable(output_dir: &Path, site_url: Option<&str>) -> Vec<String> {
    let selectors = reference_selectors();
    let mut problems = Vec::new();
    for file in html_files(output_dir) {
        let rel = file.strip_prefix(output_dir).expect("under the output");
        let shown = rel.display().to_string();
        for (what, reference) in page_references(&parse_html(&file), &selectors) {
            let reference = reference.trim();
            let why = if reference.starts_with("//") {
                Some("protocol-relative: leaves the folder".to_string())
            } else if is_external(reference) {
                site_url
                    .filter(|site| reference.starts_with(site))
                    .map(|_| "an absolute URL of the site itself: leaves the folder".into())
            } else if reference.starts_with('/') {
                Some("root-based: leaves the folder opened from disk".into())
            } else {
                portable_path_problem(output_dir, rel, reference)
            };
            if let Some(why) = why {
                problems.push(format!("from {shown}: {what}=\"{reference}\" → {why}"));
            }
        }
    }
    problems.extend(crawl(output_dir, "/"));
    problems.sort();
    problems.dedup();
    problems
}

/// Why a relative reference from the page at `rel` (relative to the output) fails from disk.
fn portable_path_problem(output_dir: &Path, rel: &Path, reference: &str) -> Option<String> {
    let path = reference.split(['#', '?']).next().unwrap_or("");
    if path.is_empty() {
        return None; // the page itself
    }
    let mut at: Vec<String> = rel
        .parent()
        .into_iter()
        .flat_map(|p| p.components())
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                if at.pop().is_none() {
                    return Some("climbs above the folder".into());
                }
            }
            s => at.push(
                percent_encoding::percent_decode_str(s)
                    .decode_utf8_lossy()
                    .into_owned(),
            ),
        }
    }
    let target = output_dir.join(at.join("/"));
    if path.ends_with('/') || target.is_dir() {
        Some("names a folder, not a file (file:// shows no index.html)".into())
    } else {
        None
    }
}

/// `/`, `/kb/` — always with both slashes.
fn normalize_base(base_path: &str) -> String {
    let trimmed = base_path.trim_matches('/');
    if trimmed.is_empty() {
        "/".to_string()
    } else {
        format!("/{trimmed}/")
    }
}

/// The URL of `<meta http-equiv="refresh" content="0; url=…">`.
fn refresh_url(http_equiv: Option<&str>, content: &str) -> Option<String> {
    if !http_equiv?.eq_ignore_ascii_case("refresh") {
        return None;
    }
    let (_, rest) = content.split_once(';')?;
    let rest = rest.trim_start();
    let eq = rest.find('=')?;
    if !rest[..eq].trim().eq_ignore_ascii_case("url") {
        return None;
    }
    Some(rest[eq + 1..].trim().trim_matches(['\'', '"']).to_string())
}

fn is_external(reference: &str) -> bool {
    if reference.starts_with("//") {
        return true;
    }
    // RFC 3986 scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"
    match reference.find(':') {
        Some(colon) => {
            let scheme = &reference[..colon];
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

fn check_reference(
    output_dir: &Path,
    base: &str,
    page_url: &str,
    reference: &str,
    ids: &HashMap<PathBuf, HashSet<String>>,
) -> Result<(), String> {
    let reference = reference.trim();
    if is_external(reference) {
        return Ok(());
    }
    let (without_fragment, fragment) = match reference.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (reference, None),
    };
    let path_part = without_fragment.split('?').next().unwrap_or("");
    let resolved = if path_part.is_empty() {
        page_url.to_string()
    } else if path_part.starts_with('/') {
        remove_dot_segments(path_part)
    } else {
        let dir = &page_url[..=page_url.rfind('/').expect("page URLs start with /")];
        remove_dot_segments(&format!("{dir}{path_part}"))
    };
    // Compare decoded forms: `/深/` and `/%E6%B7%B1/` name the same path.
    let decoded = percent_encoding::percent_decode_str(&resolved)
        .decode_utf8()
        .map_err(|_| format!("{resolved} is not UTF-8 once percent-decoded"))?;
    let base = percent_encoding::percent_decode_str(base).decode_utf8_lossy();
    let Some(rel) = decoded.strip_prefix(base.as_ref()) else {
        return Err(format!("{resolved} is outside the base path {base}"));
    };
    let rel = rel.to_string();
    let mut file = output_dir.to_path_buf();
    file.extend(rel.split('/').filter(|s| !s.is_empty()));
    if rel.is_empty() || rel.ends_with('/') {
        file.push("index.html");
    } else if file.is_dir() {
        return Err(format!(
            "{resolved} is a folder without a trailing slash (needs a redirect; fails from file://)"
        ));
    }
    let shown = file
        .strip_prefix(output_dir)
        .unwrap_or(&file)
        .display()
        .to_string();
    if !file.is_file() {
        return Err(format!("{resolved}: no file {shown}"));
    }
    let Some(fragment) = fragment.filter(|f| !f.is_empty()) else {
        return Ok(());
    };
    let Some(target_ids) = ids.get(&file) else {
        return Ok(()); // fragments of non-HTML files are not ours to judge
    };
    let decoded = percent_encoding::percent_decode_str(fragment).decode_utf8_lossy();
    if target_ids.contains(fragment) || target_ids.contains(decoded.as_ref()) {
        Ok(())
    } else {
        Err(format!("{resolved}: no id=\"{decoded}\" in {shown}"))
    }
}

/// RFC 3986 §5.2.4 for an absolute path: `/a/b/../c/./d` → `/a/c/d`.
/// Going above `/` stays at `/`, as browsers do.
fn remove_dot_segments(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let last = segments.len().saturating_sub(1);
    for (i, segment) in segments.iter().enumerate() {
        match *segment {
            "." | ".." => {
                if *segment == ".." {
                    out.pop();
                }
                // A trailing dot segment still names a folder.
                if i == last {
                    out.push("");
                }
            }
            s => out.push(s),
        }
    }
    format!("/{}", out.join("/"))
}

/// Writes `files` (relative path → text) under `root`.
#[track_caller]
pub fn write_files(root: &Path, files: &[(&str, &str)]) {
    for (rel, text) in files {
        let path = root.join(rel);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).unwrap_or_else(|e| panic!("mkdir {}: {e}", dir.display()));
        }
        fs::write(&path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    }
}

/// Sorted map of every file under `dir` (relative path → bytes), to compare
/// whole outputs (determinism, a failed build leaving output untouched).
pub fn snapshot_dir(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).expect("under dir");
            let bytes = fs::read(e.path()).unwrap_or_default();
            (rel.to_string_lossy().replace('\\', "/"), bytes)
        })
        .collect()
}

#[test]
fn crawl_resolves_links_and_reports_broken_ones() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path();
    write_files(
        out,
        &[
            (
                "index.html",
                r##"<html><head><link rel="stylesheet" href="/kb/style.css">
                <script src="/kb/app.js"></script></head><body>
                <form role="search" action="/kb/search/"><input type="search" name="q"></form>
                <a href="/kb/debt/">ok section</a>
                <a href="debt/sms/#催收">ok relative + id</a>
                <a href="debt/sms/#%E5%82%AC%E6%94%B6">ok encoded id</a>
                <a href="/kb/legal-basis/%E6%B0%91%E6%B3%95%E5%85%B8/">ok encoded folder</a>
                <a href="https://example.org/x">external</a><a href="mailto:a@b.c">mail</a>
                <a href="#top-of-home">ok own id</a><a href="#">top</a>
                <a href="/kb/missing/">missing</a>
                <a href="/elsewhere/">outside base</a>
                <a href="/kb/debt">no slash</a>
                <a href="debt/sms/#nope">bad id</a>
                <img src="pic.png"><h1 id="top-of-home">Home</h1></body></html>"##,
            ),
            ("style.css", "body{}"),
            ("app.js", ""),
            ("search/index.html", "<main></main>"),
            (
                "debt/index.html",
                r#"<a href="../">up</a><a href="./sms/">sms</a>"#,
            ),
            (
                "debt/sms/index.html",
                r#"<h2 id="催收">催收</h2><a href="../../index.html">portable up</a>
                <a href="../../../../../index.html">above root</a>"#,
            ),
            ("legal-basis/民法典/index.html", "<p>民法典</p>"),
            (
                "old/path/index.html",
                r#"<meta http-equiv="refresh" content="0; url=/kb/debt/gone/">"#,
            ),
        ],
    );
    let problems = crawl(out, "/kb");
    let expected = [
        "from /kb/: a[href]=\"/elsewhere/\" → /elsewhere/ is outside the base path /kb/",
        "from /kb/: a[href]=\"/kb/debt\" → /kb/debt is a folder without a trailing slash \
         (needs a redirect; fails from file://)",
        "from /kb/: a[href]=\"/kb/missing/\" → /kb/missing/: no file missing/index.html",
        "from /kb/: a[href]=\"debt/sms/#nope\" → /kb/debt/sms/: no id=\"nope\" in debt/sms/index.html",
        "from /kb/: img[src]=\"pic.png\" → /kb/pic.png: no file pic.png",
        "from /kb/debt/sms/: a[href]=\"../../../../../index.html\" → /index.html is outside the base path /kb/",
        "from /kb/old/path/: meta[content]=\"/kb/debt/gone/\" → /kb/debt/gone/: no file debt/gone/index.html",
    ];
    assert_eq!(problems, expected);
}

#[test]
fn crawl_portable_reports_what_leaves_the_folder() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path();
    write_files(
        out,
        &[
            (
                "index.html",
                r#"<link rel="alternate" href="https://example.org/kb/atom.xml">
                <a href="a/index.html">ok</a><a href="https://other.example/">other site</a>
                <a href="/kb/a/">root-based</a><a href="//example.org/kb/">protocol-relative</a>
                <a href="a/">folder</a><a href="../index.html">above</a>"#,
            ),
            ("atom.xml", ""),
            (
                "a/index.html",
                r#"<a href="../index.html#">ok up</a><a href="../a">folder without slash</a>"#,
            ),
        ],
    );
    let problems = crawl_portable(out, Some("https://example.org/kb/"));
    let expected = [
        // From `crawl`, which resolves a climb above the root to the root, as browsers do.
        "from /: a[href]=\"/kb/a/\" → /kb/a/: no file kb/a/index.html",
        "from /a/: a[href]=\"../a\" → /a is a folder without a trailing slash (needs a redirect; \
         fails from file://)",
        "from a/index.html: a[href]=\"../a\" → names a folder, not a file (file:// shows no index.html)",
        "from index.html: a[href]=\"../index.html\" → climbs above the folder",
        "from index.html: a[href]=\"//example.org/kb/\" → protocol-relative: leaves the folder",
        "from index.html: a[href]=\"/kb/a/\" → root-based: leaves the folder opened from disk",
        "from index.html: a[href]=\"a/\" → names a folder, not a file (file:// shows no index.html)",
        "from index.html: link[href]=\"https://example.org/kb/atom.xml\" → an absolute URL of the \
         site itself: leaves the folder",
    ];
    assert_eq!(problems, expected);
}

#[test]
fn crawl_dot_segments_follow_rfc_3986() {
    assert_eq!(remove_dot_segments("/a/b/../c/./d"), "/a/c/d");
    assert_eq!(remove_dot_segments("/a/b/.."), "/a/");
    assert_eq!(remove_dot_segments("/a/b/."), "/a/b/");
    assert_eq!(remove_dot_segments("/../../x"), "/x");
    assert_eq!(remove_dot_segments("/a/"), "/a/");
}

/// Panics unless `served` (a folder `serve` or a session updated) equals, byte for byte, a
/// clean build of `root` with serve's options (live reload, base URL `base_url`).
#[track_caller]
/// Returns the clean build's warnings, as printed.
pub fn assert_same_as_clean(root: &Path, served: &Path, base_url: &str, step: &str) -> Vec<String> {
    let clean = tempfile::tempdir().expect("temp dir");
    let out = clean.path().join("out");
    let opts = kbgen::BuildOptions {
        root: root.to_path_buf(),
        output: Some(out.clone()),
        base_url: Some(base_url.into()),
        live_reload: true,
        ..Default::default()
    };
    let warnings = match kbgen::build(&opts) {
        Ok(built) => built.warnings.iter().map(|w| w.to_string()).collect(),
        Err(failure) => panic!("{step}: the clean build failed:\n{failure}"),
    };
    let want = snapshot_dir(&out);
    let got = snapshot_dir(served);
    let missing: Vec<&String> = want.keys().filter(|k| !got.contains_key(*k)).collect();
    let extra: Vec<&String> = got.keys().filter(|k| !want.contains_key(*k)).collect();
    let differ: Vec<&String> = want
        .iter()
        .filter(|(k, v)| got.get(*k).is_some_and(|g| g != *v))
        .map(|(k, _)| k)
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty() && differ.is_empty(),
        "{step}: the served output differs from a clean build\nmissing: {missing:?}\nextra: {extra:?}\ndiffer: {differ:?}"
    );
    warnings
}

/// A CSS selector (panics on a malformed one: a test's own mistake).
pub fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap_or_else(|e| panic!("selector {s}: {e}"))
}

/// The trimmed text of each element `s` selects.
pub fn texts(doc: &Html, s: &str) -> Vec<String> {
    doc.select(&sel(s))
        .map(|e| e.text().collect::<String>().trim().to_string())
        .collect()
}

/// Attribute `name` of each element `s` selects that has it.
pub fn attrs(doc: &Html, s: &str, name: &str) -> Vec<String> {
    doc.select(&sel(s))
        .filter_map(|e| e.value().attr(name).map(str::to_string))
        .collect()
}
