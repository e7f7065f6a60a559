//! Valid pages (issue 11): every page of the bundled site, of the site `kbgen init` writes, of
//! the documentation (docs/) and of every fixture that builds has its headings in order (one `<h1>`, no skipped level), a
//! search box that is a wired-up combobox, and zero errors from the W3C Nu HTML checker (vnu).
//!
//! vnu is `$KBGEN_VNU` (a path to vnu.jar) or `node_modules/vnu-jar/build/dist/vnu.jar`
//! (`.ci/run` installs it with npm) and runs on `java`. Without either the vnu part prints
//! `SKIPPED (no vnu)`; with `KBGEN_REQUIRE_BROWSER=1` (set by `.ci/run`) that is a failure.
//! The heading and combobox checks run either way.

use std::ffi::OsStr;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use scraper::{ElementRef, Html, Selector};
use serde_json::Value;
use tempfile::TempDir;

use crate::support::site::{assert_success, copy_fixture, fixture, html_files, kbgen, read};

/// Fixtures made to fail their build (they test diagnostics), so they have no pages.
const FAILING_FIXTURES: [&str; 1] = ["many-errors"];

/// One built site: a label for messages and its output folder.
struct Built {
    label: String,
    out: PathBuf,
    _dirs: Vec<TempDir>,
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Builds `root` with `args` into a fresh temp folder.
#[track_caller]
fn build_into(label: &str, root: &Path, args: &[&str], keep: Vec<TempDir>) -> Built {
    let dir = tempfile::Builder::new()
        .prefix("kbgen-valid-")
        .tempdir()
        .expect("temp dir");
    let out = dir.path().join("out");
    let mut all = vec![
        OsStr::new("build"),
        OsStr::new("--root"),
        root.as_os_str(),
        OsStr::new("--output"),
        out.as_os_str(),
    ];
    all.extend(args.iter().map(OsStr::new));
    let run = kbgen(all, root);
    assert_success(&run);
    let mut dirs = keep;
    dirs.push(dir);
    Built {
        label: label.to_string(),
        out,
        _dirs: dirs,
    }
}

/// The bundled site (plain, and portable with an absolute base URL: feed links, 404 script),
/// the site `kbgen init` writes, the documentation, and every fixture that builds (plain; `basic` portable too).
fn build_all() -> Vec<Built> {
    let mut sites = vec![
        build_into("bundled", repo(), &[], Vec::new()),
        build_into(
            "bundled --portable",
            repo(),
            &["--portable", "--base-url", "https://example.org/kb/"],
            Vec::new(),
        ),
    ];
    // The site `kbgen init` writes: the starting point of every new site.
    let init = tempfile::tempdir().expect("temp dir");
    let root = init.path().join("site");
    assert_success(&kbgen([OsStr::new("init"), root.as_os_str()], init.path()));
    sites.push(build_into("kbgen init", &root, &[], vec![init]));
    // The documentation site, docs/: tables, code blocks and callouts of every kind.
    sites.push(build_into("docs", &repo().join("docs"), &[], Vec::new()));
    let mut names: Vec<String> = std::fs::read_dir(fixture(""))
        .expect("tests/fixtures")
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !FAILING_FIXTURES.contains(&n.as_str()))
        .collect();
    names.sort();
    assert!(names.iter().any(|n| n == "basic"), "fixtures: {names:?}");
    for name in &names {
        let site = copy_fixture(name);
        let root = site.path().to_path_buf();
        sites.push(build_into(name, &root, &[], vec![site]));
        if name == "basic" {
            let site = copy_fixture(name);
            let root = site.path().to_path_buf();
            sites.push(build_into(
                "basic --portable",
                &root,
                &["--portable"],
                vec![site],
            ));
        }
    }
    sites
}

#[test]
fn every_page_is_valid_html_with_headings_in_order() {
    let sites = build_all();
    let mut problems = Vec::new();
    let mut pages = 0;
    for site in &sites {
        for file in html_files(&site.out) {
            pages += 1;
            let rel = file.strip_prefix(&site.out).unwrap_or(&file).display();
            let doc = Html::parse_document(&read(&file));
            for p in heading_problems(&doc)
                .into_iter()
                .chain(combobox_problems(&doc))
            {
                problems.push(format!("{} {rel}: {p}", site.label));
            }
        }
    }
    assert!(pages > 150, "only {pages} pages checked");
    // vnu too before judging, so that one run shows every problem.
    let errors = vnu().map(|vnu| run_vnu(&vnu, &sites)).unwrap_or_default();
    assert!(
        problems.is_empty() && errors.is_empty(),
        "{} heading or combobox problems:\n  {}\nthe Nu checker found {} errors on {pages} pages:\n  {}",
        problems.len(),
        problems.join("\n  "),
        errors.len(),
        errors.join("\n  ")
    );
}

/// One `<h1>` (none on a redirect page) and no heading more than one level below the one
/// before it, in document order (what the Nu checker and screen-reader users go by).
fn heading_problems(doc: &Html) -> Vec<String> {
    let headings = Selector::parse("h1, h2, h3, h4, h5, h6").expect("selector");
    let is_redirect = doc
        .select(&Selector::parse("meta[http-equiv=refresh]").expect("selector"))
        .next()
        .is_some();
    let mut problems = Vec::new();
    let mut previous = 0u8;
    let mut h1s = 0;
    for h in doc.select(&headings) {
        let level = h.value().name()[1..].parse::<u8>().unwrap_or(0);
        let text: String = h.text().collect::<String>().trim().to_string();
        if level == 1 {
            h1s += 1;
        }
        if level > previous + 1 {
            let after = if previous == 0 {
                "the start of the page".to_string()
            } else {
                format!("an h{previous}")
            };
            problems.push(format!("<h{level}> `{text}` follows {after}"));
        }
        previous = level;
    }
    let want = usize::from(!is_redirect);
    if h1s != want {
        problems.push(format!("{h1s} <h1> elements, want {want}"));
    }
    problems
}

/// The header search box stays an accessible combobox (SPEC "Stable page hooks"): a labelled
/// `input[name=q]` of type text with role=combobox, aria-expanded, aria-autocomplete and
/// aria-controls naming the listbox on the page.
fn combobox_problems(doc: &Html) -> Vec<String> {
    let sel = |s: &str| Selector::parse(s).expect("selector");
    let Some(input) = doc.select(&sel("form[role=search] input[name=q]")).next() else {
        return if doc
            .select(&sel("meta[http-equiv=refresh]"))
            .next()
            .is_some()
        {
            Vec::new()
        } else {
            vec!["no form[role=search] input[name=q]".into()]
        };
    };
    let attr = |el: &ElementRef<'_>, name: &str| el.value().attr(name).map(str::to_string);
    let mut problems = Vec::new();
    let wants = [
        ("type", Some("text")),
        ("role", Some("combobox")),
        ("aria-expanded", Some("false")),
        ("aria-autocomplete", Some("list")),
        ("id", None),
        ("aria-controls", None),
    ];
    for (name, value) in wants {
        match (attr(&input, name), value) {
            (None, _) => problems.push(format!("the search input has no {name}")),
            (Some(got), Some(want)) if got != want => problems.push(format!(
                "the search input has {name}={got:?}, want {want:?}"
            )),
            _ => {}
        }
    }
    if let Some(popup) = attr(&input, "aria-controls") {
        let listbox = doc
            .select(&sel("[role=listbox]"))
            .any(|el| el.value().id() == Some(popup.as_str()));
        if !listbox {
            problems.push(format!(
                "aria-controls={popup:?} names no role=listbox element"
            ));
        }
    }
    if let Some(id) = attr(&input, "id") {
        let labelled = doc.select(&sel("label[for]")).any(|l| {
            l.value().attr("for") == Some(id.as_str()) && l.text().any(|t| !t.trim().is_empty())
        });
        if !labelled && attr(&input, "aria-label").is_none() {
            problems.push("the search input has no label".into());
        }
    }
    problems
}

/// `java` and vnu.jar, or `None` after a loud SKIPPED line (a failure under
/// `KBGEN_REQUIRE_BROWSER=1`).
fn vnu() -> Option<(PathBuf, PathBuf)> {
    let jar = match std::env::var_os("KBGEN_VNU").filter(|p| !p.is_empty()) {
        Some(path) => {
            let path = PathBuf::from(path);
            // An explicit setting that points nowhere is a mistake, not a skip.
            assert!(path.is_file(), "KBGEN_VNU={} is not a file", path.display());
            Some(path)
        }
        None => {
            Some(repo().join("node_modules/vnu-jar/build/dist/vnu.jar")).filter(|p| p.is_file())
        }
    };
    let java = which("java");
    match (java, jar) {
        (Some(java), Some(jar)) => Some((java, jar)),
        (java, jar) => {
            let missing = match (java, jar) {
                (None, None) => "java and vnu.jar",
                (None, Some(_)) => "java",
                _ => "vnu.jar",
            };
            assert!(
                std::env::var("KBGEN_REQUIRE_BROWSER").as_deref() != Ok("1"),
                "KBGEN_REQUIRE_BROWSER=1 but no {missing}: install a JRE and \
                 `npm install --no-save vnu-jar` (as .ci/run does), or set KBGEN_VNU"
            );
            // Straight to the stderr handle: the test harness captures eprintln!.
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED (no vnu): the Nu HTML checker did not run — no {missing}; \
                 `npm install --no-save vnu-jar` or set KBGEN_VNU; \
                 KBGEN_REQUIRE_BROWSER=1 makes this a failure"
            );
            None
        }
    }
}

fn which(name: &str) -> Option<PathBuf> {
    let dirs = std::env::var_os("PATH")?;
    std::env::split_paths(&dirs)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// Runs vnu once over every site's HTML files; returns its errors as
/// `SITE FILE:LINE:COLUMN: message — «extract»`.
fn run_vnu((java, jar): &(PathBuf, PathBuf), sites: &[Built]) -> Vec<String> {
    let mut cmd = Command::new(java);
    cmd.arg("-jar")
        .arg(jar)
        .args(["--errors-only", "--format", "json", "--skip-non-html"]);
    for site in sites {
        cmd.arg(&site.out);
    }
    let run = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", java.display()));
    // vnu writes its report to stderr (exit status 1 when it found errors).
    let report = String::from_utf8_lossy(&run.stderr);
    let json: Value = serde_json::from_str(&report).unwrap_or_else(|e| {
        panic!(
            "vnu's output is not JSON ({e}); status {}:\n{report}\n{}",
            run.status,
            String::from_utf8_lossy(&run.stdout)
        )
    });
    let messages = json["messages"].as_array().cloned().unwrap_or_default();
    let mut errors: Vec<String> = messages
        .iter()
        .filter(|m| m["type"] != "info")
        .map(|m| {
            let url = m["url"].as_str().unwrap_or("");
            // file:/tmp/… (or file:///tmp/…) → /tmp/…
            let path = url.strip_prefix("file:").unwrap_or(url);
            let path = format!("/{}", path.trim_start_matches('/'));
            let path = percent_encoding::percent_decode_str(&path).decode_utf8_lossy();
            let place = sites
                .iter()
                .find_map(|s| {
                    let out = s.out.to_string_lossy();
                    path.strip_prefix(out.as_ref())
                        .map(|rel| format!("{} {}", s.label, rel.trim_start_matches('/')))
                })
                .unwrap_or_else(|| path.to_string());
            format!(
                "{place}:{}:{}: {} — «{}»",
                m["lastLine"],
                m["firstColumn"].as_u64().unwrap_or(0).max(1),
                m["message"].as_str().unwrap_or("?"),
                m["extract"].as_str().unwrap_or("").replace('\n', "↵")
            )
        })
        .collect();
    errors.sort();
    if errors.is_empty() && !run.status.success() {
        errors.push(format!(
            "vnu exited with {} but reported nothing:\n{report}",
            run.status
        ));
    }
    errors
}
