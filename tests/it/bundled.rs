//! The bundled help site (the repository's own content/) builds clean and holds together.

use crate::support::site::{assert_success, crawl, kbgen, parse_html, stderr};
use scraper::Selector;
use std::collections::HashMap;
use std::path::Path;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Builds the repository's own site into a temporary folder (never into ROOT/public).
fn build_bundled(extra: &[&str]) -> (tempfile::TempDir, std::process::Output) {
    let out_dir = tempfile::tempdir().unwrap();
    let mut args = vec![
        "build",
        "--root",
        repo().to_str().unwrap(),
        "--output",
        out_dir.path().to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let out = kbgen(args, repo());
    (out_dir, out)
}

#[test]
fn bundled_site_builds_clean_with_the_promised_counts() {
    let (out_dir, out) = build_bundled(&[]);
    assert_success(&out);
    let err = stderr(&out);
    assert!(
        !err.contains("warning"),
        "the bundled site must build without warnings:\n{err}"
    );
    let public = out_dir.path();

    let articles: Vec<_> = walk_md(&repo().join("content"))
        .into_iter()
        .filter(|p| !p.ends_with("_index.md"))
        .collect();
    assert!(
        (35..=45).contains(&articles.len()),
        "{} articles",
        articles.len()
    );
    let sections: Vec<_> = std::fs::read_dir(repo().join("content"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .collect();
    assert!(
        (4..=6).contains(&sections.len()),
        "{} sections",
        sections.len()
    );

    let faq = parse_html(&public.join("faq/index.html"));
    let questions = faq.select(&Selector::parse("a.faq-q").unwrap()).count();
    assert!(questions >= 60, "only {questions} FAQ questions");

    // Every article has at least one FAQ entry of its own and is linked from another article.
    let backlinks = Selector::parse("section#backlinks a").unwrap();
    let faq_items = Selector::parse("section#faq details").unwrap();
    let mut inbound: HashMap<String, usize> = HashMap::new();
    for a in &articles {
        let rel = a
            .strip_prefix(repo().join("content"))
            .unwrap()
            .to_string_lossy()
            .replace(".md", "");
        let page = parse_html(&public.join(&rel).join("index.html"));
        assert!(
            page.select(&faq_items).count() >= 1,
            "{rel} has no FAQ entry"
        );
        inbound.insert(rel, page.select(&backlinks).count());
    }
    let orphans: Vec<_> = inbound
        .iter()
        .filter(|(_, n)| **n == 0)
        .map(|(k, _)| k)
        .collect();
    assert!(
        orphans.is_empty(),
        "articles no other article links to: {orphans:?}"
    );

    // Every article says it is general information, and the regulator's current name is used.
    for a in &articles {
        let text = std::fs::read_to_string(a).unwrap();
        assert!(
            text.contains("不构成法律意见") || text.contains("一般性"),
            "{} lacks the general-information note",
            a.display()
        );
    }
    let broken = crawl(public, "/");
    assert!(broken.is_empty(), "{broken:#?}");
}

#[test]
fn bundled_site_links_work_under_a_sub_path() {
    let (out_dir, out) = build_bundled(&["--base-url", "/kb/"]);
    assert_success(&out);
    let broken = crawl(out_dir.path(), "/kb/");
    assert!(broken.is_empty(), "{broken:#?}");
}

fn walk_md(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk_md(&p));
        } else if p.extension().is_some_and(|x| x == "md") {
            out.push(p);
        }
    }
    out.sort();
    out
}
