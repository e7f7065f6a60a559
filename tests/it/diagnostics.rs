//! Diagnostics (issue 12): they point where the parser says (line and column), `check`
//! reports exactly what `build` would, and their full text is snapshot-tested so a changed
//! message is reviewed (`cargo insta review`, or INSTA_UPDATE=always), not missed.

use crate::support::site::{copy_fixture, kbgen, stderr};
use std::path::Path;

fn replace_in(root: &Path, rel: &str, from: &str, to: &str) {
    let path = root.join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{rel} lacks {from:?}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

fn append(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    let mut all = std::fs::read(&path).unwrap();
    all.extend_from_slice(text.as_bytes());
    std::fs::write(&path, all).unwrap();
}

/// The `basic` fixture after `edit`.
fn site_with(edit: impl FnOnce(&Path)) -> tempfile::TempDir {
    let site = copy_fixture("basic");
    edit(site.path());
    site
}

/// Runs `check`, then `build`, on `root`: both must exit 1 and report the same problems (a
/// check that passes what build refuses was the bug). Returns check's stderr.
fn fails_alike(root: &Path) -> String {
    let dir = root.to_str().unwrap();
    let check = kbgen(["check", "--root", dir], root);
    let build = kbgen(["build", "--root", dir], root);
    let (check_err, build_err) = (stderr(&check), stderr(&build));
    assert_eq!(check.status.code(), Some(1), "check:\n{check_err}");
    assert_eq!(build.status.code(), Some(1), "build:\n{build_err}");
    // Everything but the last line (`check found …` / `build failed …`).
    let body = |s: &str| {
        s.lines()
            .filter(|l| !l.starts_with("check found") && !l.starts_with("build failed"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(body(&check_err), body(&build_err), "check and build differ");
    check_err
}

/// The `error: PATH:LINE:COLUMN: message` lines of `stderr`.
fn errors(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect()
}

/// Regression (issue 12): a top-level `date` was blamed on a nested `extra.date` line.
#[test]
fn a_top_level_date_is_blamed_on_its_own_line_not_a_nested_one() {
    let site = site_with(bad_top_level_date);
    let err = fails_alike(site.path());
    assert_eq!(
        errors(&err),
        ["error: content/debt/lpr.md:4:7: `date` must be a date: YYYY-MM-DD or RFC 3339"],
        "{err}"
    );
}

/// Regression (issue 12): in `related: [one, on]` a missing `on` was blamed at `one`.
#[test]
fn a_missing_related_article_is_blamed_at_its_own_item() {
    let site = site_with(|r| {
        std::fs::write(
            r.join("content/debt/one.md"),
            "---\ntitle: one\n---\n\nOne.\n",
        )
        .unwrap();
        replace_in(
            r,
            "content/debt/sms.md",
            "related: [privacy/leak.md]",
            "related: [one, on]",
        );
    });
    let err = fails_alike(site.path());
    let lines = errors(&err);
    assert_eq!(lines.len(), 1, "{err}");
    assert!(
        lines[0].starts_with(
            "error: content/debt/sms.md:11:16: related: link to a missing article `on`"
        ),
        "{err}"
    );
}

/// Regression (issue 12): an invalid taxonomy name was reported at kbgen.yaml:1:1; it is
/// reported at the `name:` entry's value, the text to fix.
#[test]
fn an_invalid_taxonomy_name_is_blamed_at_its_entry() {
    let site = site_with(|r| {
        replace_in(
            r,
            "kbgen.yaml",
            "  - { name: remedy_type, title: 救济途径 }\n",
            "  - { name: remedy_type, title: 救济途径 }\n  - name: bad name\n    title: 坏\n",
        )
    });
    let err = fails_alike(site.path());
    assert_eq!(
        errors(&err),
        ["error: kbgen.yaml:13:11: taxonomy name `bad name` may hold only letters, digits, `-` and `_`"],
        "{err}"
    );
}

/// Regression (issue 12): with a missing `search.dictionary`, `check` exited 0 and `build` 2
/// with no file:line.
#[test]
fn a_missing_dictionary_fails_check_and_build_at_its_config_line() {
    let site = site_with(|r| append(r, "kbgen.yaml", "search:\n  dictionary: words.txt\n"));
    let err = fails_alike(site.path());
    assert_eq!(
        errors(&err),
        ["error: kbgen.yaml:16:15: the search dictionary `words.txt` does not exist"],
        "{err}"
    );
}

/// Regression (issue 12): a missing theme folder exited 2 with no file:line.
#[test]
fn a_missing_theme_is_reported_at_its_config_line_with_the_other_problems() {
    let site = site_with(|r| {
        append(r, "kbgen.yaml", "theme: mine\n");
        replace_in(r, "content/debt/lpr.md", "title: LPR四倍怎么算\n", "");
    });
    let err = fails_alike(site.path());
    assert_eq!(
        errors(&err),
        [
            "error: content/debt/lpr.md:1:1: missing `title` in front matter",
            "error: kbgen.yaml:15:8: theme `mine` not found: the folder themes/mine does not exist",
        ],
        "{err}"
    );
}

#[test]
fn a_template_that_is_not_utf8_is_reported_at_its_first_bad_byte() {
    let site = site_with(|r| {
        let dir = r.join("themes/default/templates");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("article.html"), b"{# ok #}\nab\xff\n").unwrap();
    });
    let err = fails_alike(site.path());
    assert_eq!(
        errors(&err),
        ["error: themes/default/templates/article.html:2:3: file is not valid UTF-8"],
        "{err}"
    );
}

/// The full text `check` prints for a handful of bad inputs: a change to any message, excerpt
/// or caret shows up as a snapshot diff to review.
#[test]
fn diagnostic_text_is_reviewed() {
    type Edit = fn(&Path);
    let cases: [(&str, Edit); 7] = [
        ("config-nested-unknown-key", |r| {
            replace_in(
                r,
                "kbgen.yaml",
                "  - { name: remedy_type, title: 救济途径 }",
                "  - { name: remedy_type, titel: 救济途径 }",
            )
        }),
        ("config-named-files", |r| {
            append(
                r,
                "kbgen.yaml",
                "theme: mine\nsearch: {dictionary: content}\n",
            )
        }),
        ("config-browse-unknown-taxonomy", |r| {
            append(
                r,
                "kbgen.yaml",
                "browse: { rows: legal_basis, columns: remedy }\n",
            )
        }),
        ("front-matter-date", bad_top_level_date),
        ("related-missing", |r| {
            replace_in(
                r,
                "content/debt/sms.md",
                "related: [privacy/leak.md]",
                "related: [privacy/leak.md, on]",
            )
        }),
        ("unclosed-bracket", |r| {
            replace_in(
                r,
                "content/debt/sms.md",
                "tags: [短信, 催收]",
                "tags: [短信, 催收",
            )
        }),
        ("broken-links", |r| {
            replace_in(
                r,
                "content/debt/lpr.md",
                "回到[[sms#第一步：核实信息]]",
                "回到[[sms#第二步]]，[[smss]]",
            );
        }),
    ];
    for (name, edit) in cases {
        let site = site_with(edit);
        let err = fails_alike(site.path());
        insta::assert_snapshot!(format!("diagnostics-{name}"), err);
    }
}

/// lpr.md with a nested `extra.date` above a top-level `date: yesterday`.
fn bad_top_level_date(r: &Path) {
    replace_in(
        r,
        "content/debt/lpr.md",
        "---\ntitle",
        "---\nextra: {date: 明天}\ntitle",
    );
    replace_in(
        r,
        "content/debt/lpr.md",
        "date: 2025-03-01",
        "date: yesterday",
    );
}
