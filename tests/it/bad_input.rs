//! Bad input: each case exits 1, names the file and line, and leaves the previous output as it was.

use crate::support::site::{assert_success, build, copy_fixture, kbgen, snapshot_dir, stderr};
use std::path::Path;

/// Builds the `basic` fixture, applies `edit`, rebuilds, and checks the failure.
fn assert_fails(edit: impl FnOnce(&Path), expected: &[&str]) {
    let site = copy_fixture("basic");
    assert_success(&build(site.path(), &[]));
    let public = site.path().join("public");
    let before = snapshot_dir(&public);
    edit(site.path());
    let out = build(site.path(), &[]);
    let err = stderr(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "expected exit 1, got {:?}:\n{err}",
        out.status.code()
    );
    for e in expected {
        assert!(err.contains(e), "stderr lacks {e:?}:\n{err}");
    }
    assert!(
        snapshot_dir(&public) == before,
        "a failed build changed the previous output"
    );
    let leftovers: Vec<_> = std::fs::read_dir(site.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains("kbgen-new"))
        .collect();
    assert!(leftovers.is_empty(), "temporary folder left behind");
}

fn write(root: &Path, rel: &str, text: &str) {
    std::fs::write(root.join(rel), text).unwrap();
}

#[test]
fn malformed_yaml() {
    assert_fails(
        |r| {
            write(
                r,
                "content/debt/lpr.md",
                "---\ntitle: x\ntags: [a, b\n---\nbody\n",
            )
        },
        &["error: content/debt/lpr.md:"],
    );
}

#[test]
fn missing_title() {
    assert_fails(
        |r| write(r, "content/debt/lpr.md", "---\nsummary: s\n---\nbody\n"),
        &["error: content/debt/lpr.md:1:1: missing `title`"],
    );
}

#[test]
fn unknown_key_suggests_the_closest() {
    assert_fails(
        |r| write(r, "content/debt/lpr.md", "---\ntitle: x\nlegal_bassis: [民法典]\n---\nbody\n"),
        &["error: content/debt/lpr.md:3:1: unknown front-matter key `legal_bassis` (did you mean `legal_basis`?)"],
    );
}

#[test]
fn link_to_a_missing_article() {
    assert_fails(
        |r| {
            write(
                r,
                "content/debt/lpr.md",
                "---\ntitle: x\n---\n\n第一段\n\n见[别处](nowhere.md)。\n",
            )
        },
        &["error: content/debt/lpr.md:7:2: link to a missing article `debt/nowhere.md`"],
    );
}

#[test]
fn link_to_a_missing_anchor() {
    assert_fails(
        |r| {
            write(
                r,
                "content/debt/lpr.md",
                "---\ntitle: x\n---\n\n见[删除](../privacy/leak.md#删除)。\n",
            )
        },
        &[
            "error: content/debt/lpr.md:5:2:",
            "no heading `#删除`",
            "did you mean `#删除权`?",
        ],
    );
}

#[test]
fn unknown_allowed_term_names_the_closest() {
    assert_fails(
        |r| write(r, "content/debt/lpr.md", "---\ntitle: x\nlegal_basis: [民法典典]\n---\nbody\n"),
        &["error: content/debt/lpr.md:3:1: `民法典典` is not an allowed term of `legal_basis` (did you mean"],
    );
}

#[test]
fn duplicate_slug() {
    assert_fails(
        |r| {
            write(
                r,
                "content/debt/copy.md",
                "---\ntitle: copy\nslug: sms\n---\nbody\n",
            )
        },
        &["error: content/debt/sms.md", "slug `sms` is already used"],
    );
}

#[test]
fn slug_that_would_escape_the_output() {
    assert_fails(
        |r| {
            write(
                r,
                "content/debt/evil.md",
                "---\ntitle: evil\nslug: ../../../evil\n---\nbody\n",
            )
        },
        &["error: content/debt/evil.md:3:1: slug `../../../evil`"],
    );
}

#[test]
fn alias_that_would_escape_the_output() {
    assert_fails(
        |r| write(r, "content/debt/evil.md", "---\ntitle: evil\naliases: [../../../../tmp/evil]\n---\nbody\n"),
        &["error: content/debt/evil.md:3:1: alias `../../../../tmp/evil` must be a path inside the site"],
    );
}

/// Regression (issue 11): `aliases: [https://evil.example/x]` built with exit 0 and wrote
/// `public/https:/evil.example/x/index.html`.
#[test]
fn alias_that_is_a_url_or_names_another_host() {
    assert_fails(
        |r| write(r, "content/debt/evil.md", "---\ntitle: evil\naliases:\n  - https://evil.example/x\n  - //evil.example/y\n  - 'C:\\\\x'\n  - a/%2e%2e/%2E%2E/b\n---\nbody\n"),
        &[
            "error: content/debt/evil.md:4:1: alias `https://evil.example/x` must be a path inside the site",
            "error: content/debt/evil.md:5:1: alias `//evil.example/y` must be a path inside the site",
            "error: content/debt/evil.md:6:1: alias `C:\\\\x` must be a path inside the site",
            "error: content/debt/evil.md:7:1: alias `a/%2e%2e/%2E%2E/b` must be a path inside the site",
        ],
    );
}

#[test]
fn non_utf8_file() {
    assert_fails(
        |r| {
            std::fs::write(
                r.join("content/debt/latin1.md"),
                b"---\ntitle: caf\xe9\n---\n",
            )
            .unwrap()
        },
        &["error: content/debt/latin1.md:2:11: file is not valid UTF-8"],
    );
}

#[test]
fn broken_template_names_the_file_and_line() {
    assert_fails(
        |r| {
            std::fs::create_dir_all(r.join("themes/default/templates")).unwrap();
            write(r, "themes/default/templates/article.html", "{% extends \"base.html\" %}\n{% block main %}\n{{ article.title | nosuchfilter }}\n{% endblock main %}\n");
        },
        &["error: themes/default/templates/article.html:3:"],
    );
}

#[test]
fn broken_config() {
    assert_fails(
        |r| write(r, "kbgen.yaml", "title: x\nbase_urll: /kb/\n"),
        &["error: kbgen.yaml:2:1: unknown key `base_urll` (did you mean `base_url`?)"],
    );
}

#[test]
fn check_reports_every_broken_file_in_one_run() {
    let root = crate::support::site::fixture("many-errors");
    let out = kbgen(["check", "--root", root.to_str().unwrap()], &root);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    for expected in [
        "error: content/a/one.md:3:1: unknown front-matter key `legal_bassis` (did you mean `legal_basis`?)",
        "error: content/a/two.md:1:1: missing `title`",
        "error: content/a/three.md:5:4: link to a missing article `a/missing.md`",
        "error: content/a/four.md:5:4: link `one.md#没有这个标题`: no heading `#没有这个标题`",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
    assert!(!root.join("public").exists(), "check must not write");
}

#[test]
fn usage_errors_exit_2() {
    let site = copy_fixture("basic");
    let out = kbgen(["build", "--no-such-flag"], site.path());
    assert_eq!(out.status.code(), Some(2));
    let out = kbgen(
        [
            "build",
            "--root",
            site.path().to_str().unwrap(),
            "--output",
            site.path().to_str().unwrap(),
        ],
        site.path(),
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "an output folder holding the site is refused: {}",
        stderr(&out)
    );
    assert!(site.path().join("content/debt/sms.md").is_file());
}
