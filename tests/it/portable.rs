//! `--portable` builds are self-contained (issue 11): a crawl finds no link that leaves the
//! folder — the feed linked relatively, 404.html relative, faq.json's URLs relative to
//! faq.json — and 404.html works both opened from disk and served by a host for a missing
//! path at any depth.

use std::path::{Path, PathBuf};
use std::time::Duration;

use scraper::{Html, Selector};
use serde_json::Value;
use tempfile::TempDir;

use crate::support::browser::browser;
use crate::support::server::StaticServer;
use crate::support::site::{
    assert_success, build, copy_fixture, crawl, crawl_portable, kbgen, parse_html, read,
    write_files,
};

const SITE_URL: &str = "https://example.org/kb/";

/// The `basic` fixture (base URL https://example.org/kb/ in its kbgen.yaml) built portable.
fn portable_basic() -> (TempDir, PathBuf) {
    let site = copy_fixture("basic");
    assert_success(&build(site.path(), &["--portable"]));
    let out = site.path().join("public");
    (site, out)
}

/// The bundled site built portable, with an absolute base URL so that it has a feed.
fn portable_bundled() -> (TempDir, PathBuf) {
    crate::support::site::build_bundled(&["--portable", "--base-url", SITE_URL])
}

#[test]
fn portable_builds_link_nothing_outside_their_folder() {
    for (label, (_dir, out)) in [("basic", portable_basic()), ("bundled", portable_bundled())] {
        assert!(out.join("atom.xml").is_file(), "{label}: no feed to link");
        let index = read(&out.join("index.html"));
        assert!(
            index.contains(r#"type="application/atom+xml" title="#)
                && index.contains(r#"href="atom.xml""#),
            "{label}: the home page does not link its feed relatively"
        );
        let problems = crawl_portable(&out, Some(SITE_URL));
        assert!(
            problems.is_empty(),
            "{label}: {} references fail from disk:\n  {}",
            problems.len(),
            problems.join("\n  ")
        );
        let problems = faq_json_problems(&out);
        assert!(
            problems.is_empty(),
            "{label}: faq.json:\n  {}",
            problems.join("\n  ")
        );
    }
}

/// Regression: the portable 404 script first lived in a new block of base.html that 404.html
/// filled, and Tera refuses a child's block its parent lacks, so a site's own base.html
/// (an ejected theme from before) failed every build.
#[test]
fn a_sites_own_base_html_without_the_404_hook_still_builds() {
    let site = copy_fixture("basic");
    write_files(
        site.path(),
        &[(
            "themes/default/templates/base.html",
            "<!doctype html><html lang=\"{{ site.language }}\"><head><meta charset=\"utf-8\">\
             <title>{% block title %}{{ site.title }}{% endblock title %}</title>\
             {% block head %}{% endblock head %}</head><body><main>{% block main %}\
             {% endblock main %}</main></body></html>\n",
        )],
    );
    for args in [&[][..], &["--portable"][..]] {
        let run = build(site.path(), args);
        assert_success(&run);
        let page = read(&site.path().join("public/404.html"));
        assert!(
            page.contains("<main>") && !page.contains("kbBase"),
            "{page}"
        );
    }
}

/// Regression (issue 11): an answer's same-page links (`[below](#details)`, a footnote whose
/// definition sits at the article's end) pointed at the FAQ page, or at faq.json, instead of
/// at the article.
#[test]
fn answers_same_page_links_point_at_their_article() {
    let site = tempfile::tempdir().expect("temp dir");
    write_files(
        site.path(),
        &[
            (
                "kbgen.yaml",
                "title: T\nbase_url: https://example.org/kb/\n",
            ),
            (
                "content/a/one.md",
                "---\ntitle: One\n---\nIntro.\n\n## Can I complain?\n\n\
                 Yes, see [below](#details) and the note[^n].\n\n## Details\n\nText.\n\n\
                 [^n]: A footnote.\n",
            ),
        ],
    );
    assert_success(&build(site.path(), &[]));
    let out = site.path().join("public");
    let broken = crawl(&out, "/kb/");
    assert!(broken.is_empty(), "{broken:#?}");
    let faq = read(&out.join("faq.json"));
    assert!(
        faq.contains(r#"href=\"https://example.org/kb/a/one/#details\""#),
        "{faq}"
    );

    assert_success(&build(site.path(), &["--portable"]));
    let problems = crawl_portable(&out, Some(SITE_URL));
    assert!(problems.is_empty(), "{problems:#?}");
    let problems = faq_json_problems(&out);
    assert!(problems.is_empty(), "{problems:#?}");
    let faq = read(&out.join("faq.json"));
    assert!(
        faq.contains(r#"href=\"a/one/index.html#details\""#),
        "{faq}"
    );
}

/// Every `url` of faq.json and every link inside its `answer_html` names, relative to
/// faq.json, a file of the folder (and an id on that page for a `#fragment`).
fn faq_json_problems(out: &Path) -> Vec<String> {
    let json: Value = serde_json::from_str(&read(&out.join("faq.json"))).expect("faq.json");
    let questions = json["questions"].as_array().expect("questions");
    assert!(!questions.is_empty(), "faq.json lists no question");
    let links = Selector::parse("a[href], img[src]").expect("selector");
    let mut problems = Vec::new();
    for q in questions {
        let question = q["question"].as_str().unwrap_or("?");
        let url = q["url"].as_str().unwrap_or("");
        if let Err(why) = resolve_from_root(out, url, true) {
            problems.push(format!("`{question}`: url \"{url}\" → {why}"));
        }
        let answer = Html::parse_fragment(q["answer_html"].as_str().unwrap_or(""));
        for el in answer.select(&links) {
            let href = el
                .value()
                .attr("href")
                .or(el.value().attr("src"))
                .unwrap_or("");
            if href.contains(':') && !href.starts_with(SITE_URL) {
                continue; // another site
            }
            if let Err(why) = resolve_from_root(out, href, false) {
                problems.push(format!("`{question}`: answer link \"{href}\" → {why}"));
            }
        }
    }
    problems
}

/// Resolves `reference` against the folder's root (where faq.json is): it must be relative,
/// stay inside, name a file, and (when `needs_fragment`) carry a `#fragment` that is an id
/// on that page.
fn resolve_from_root(out: &Path, reference: &str, needs_fragment: bool) -> Result<(), String> {
    if reference.starts_with('/') || reference.contains(':') {
        return Err("not relative to faq.json".into());
    }
    let (path, fragment) = reference.split_once('#').unwrap_or((reference, ""));
    let mut file = out.to_path_buf();
    let mut depth = 0usize;
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." if depth == 0 => return Err("climbs above the folder".into()),
            ".." => {
                depth -= 1;
                file.pop();
            }
            s => {
                depth += 1;
                file.push(
                    percent_encoding::percent_decode_str(s)
                        .decode_utf8_lossy()
                        .as_ref(),
                );
            }
        }
    }
    if !file.is_file() {
        return Err(format!("no file {}", file.display()));
    }
    if needs_fragment && fragment.is_empty() {
        return Err("no #fragment".into());
    }
    if fragment.is_empty() {
        return Ok(());
    }
    let id = percent_encoding::percent_decode_str(fragment).decode_utf8_lossy();
    let selector = Selector::parse("[id]").expect("selector");
    let has_id = parse_html(&file)
        .select(&selector)
        .any(|el| el.value().id() == Some(id.as_ref()));
    if has_id {
        Ok(())
    } else {
        Err(format!("no id=\"{id}\" in {}", file.display()))
    }
}

/// 404.html of a portable build, opened from disk and served (as hosts do) for a missing path
/// three folders deep under the base path: in both, the stylesheet applies and every link,
/// script and the search form resolve to files of the site.
#[test]
fn portable_404_works_from_disk_and_for_any_missing_path() {
    // Served under /kb/, the base path of the fixture's base URL.
    let root = tempfile::tempdir().expect("temp dir");
    let site = copy_fixture("basic");
    let out = root.path().join("kb");
    let run = kbgen(
        [
            "build".as_ref(),
            "--root".as_ref(),
            site.path().as_os_str(),
            "--output".as_ref(),
            out.as_os_str(),
            "--portable".as_ref(),
        ],
        site.path(),
    );
    assert_success(&run);
    // What a host does for /kb/a/b/missing/: answer with 404.html's bytes. (A folder the site
    // does not have, so no link of the page can name a file in it.)
    let deep = out.join("a/b/missing");
    std::fs::create_dir_all(&deep).unwrap();
    std::fs::copy(out.join("404.html"), deep.join("index.html")).unwrap();

    let Some(b) = browser() else { return };
    let server = StaticServer::start(root.path());
    let page = b.page(1280, 800);
    let file_url = format!("file://{}", out.join("404.html").display());
    // (as written, as resolved) for every reference; same-page ones must stay on the page.
    let resolved = "Array.from(document.querySelectorAll('a[href], link[href], script[src], \
                    form[action]'), e => [e.getAttribute('href') || e.getAttribute('src') \
                    || e.getAttribute('action'), e.href || e.src || e.action])";
    let styled = "getComputedStyle(document.body).display === 'flex'";
    let check = |page: &crate::support::browser::Page, how: &str, prefix: &str| {
        let here = page.url();
        let refs: Vec<(String, String)> = serde_json::from_value(page.eval(resolved)).unwrap();
        assert!(refs.len() > 10, "{how}: {refs:?}");
        for (written, url) in &refs {
            // 404.html's script pins `#main` to the page itself once it has set a <base>.
            if written.starts_with('#') || written.starts_with(&format!("{here}#")) {
                let fragment = &written[written.find('#').unwrap_or(0)..];
                assert_eq!(
                    url,
                    &format!("{here}{fragment}"),
                    "{how}: a same-page link leaves"
                );
                continue;
            }
            let path = url.split(['#', '?']).next().unwrap();
            let rel = path
                .strip_prefix(prefix)
                .unwrap_or_else(|| panic!("{how}: {written} → {url} is outside {prefix}"));
            let rel = percent_encoding::percent_decode_str(rel).decode_utf8_lossy();
            assert!(
                out.join(rel.as_ref()).is_file() && !rel.starts_with("a/"),
                "{how}: {written} → {url} names no file of the site"
            );
        }
    };

    page.goto(&file_url);
    page.wait_for(styled, Duration::from_secs(10))
        .expect("the stylesheet applies to 404.html opened from disk");
    check(&page, "from disk", &format!("file://{}/", out.display()));

    page.goto(&server.url("/kb/a/b/missing/"));
    page.wait_for(styled, Duration::from_secs(10))
        .expect("the stylesheet applies to 404.html served for a missing path");
    check(&page, "served for /kb/a/b/missing/", &server.url("/kb/"));
    // Chromium's preload scanner asks for static/… relative to the page before the inline
    // script has set <base> (a host answers those with the 404 page; nothing uses them):
    // wasted requests, but every reference the page uses resolved above.
    let failed: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.status != 200)
        .filter(|r| !(r.url.starts_with("/kb/a/b/missing/static/") || r.url == "/favicon.ico"))
        .collect();
    assert!(failed.is_empty(), "{failed:?}");
    assert!(page.js_errors().is_empty(), "{:?}", page.js_errors());
}
