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
        &["error: content/debt/lpr.md:3:15: `民法典典` is not an allowed term of `legal_basis` (did you mean"],
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
        &[
            "error: content/debt/sms.md",
            "slug `sms` is already used by `content/debt/copy.md` (slugs are unique within a section)",
        ],
    );
}

#[test]
fn slug_of_a_section_folder() {
    assert_fails(
        |r| {
            std::fs::create_dir_all(r.join("content/debt/more")).unwrap();
            write(r, "content/debt/more/_index.md", "---\ntitle: more\n---\n");
            write(r, "content/debt/more/a.md", "---\ntitle: a\n---\nbody\n");
            write(r, "content/debt/b.md", "---\ntitle: b\nslug: more\n---\nbody\n")
        },
        &["error: content/debt/b.md:3:7: slug `more` is already used by section folder `content/debt/more`"],
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
        &["error: content/debt/evil.md:3:7: slug `../../../evil`"],
    );
}

#[test]
fn alias_that_would_escape_the_output() {
    assert_fails(
        |r| write(r, "content/debt/evil.md", "---\ntitle: evil\naliases: [../../../../tmp/evil]\n---\nbody\n"),
        &["error: content/debt/evil.md:3:11: alias `../../../../tmp/evil` must be a path inside the site"],
    );
}

/// Regression (issue 11): `aliases: [https://evil.example/x]` built with exit 0 and wrote
/// `public/https:/evil.example/x/index.html`.
#[test]
fn alias_that_is_a_url_or_names_another_host() {
    assert_fails(
        |r| write(r, "content/debt/evil.md", "---\ntitle: evil\naliases:\n  - https://evil.example/x\n  - //evil.example/y\n  - 'C:\\\\x'\n  - a/%2e%2e/%2E%2E/b\n---\nbody\n"),
        &[
            "error: content/debt/evil.md:4:5: alias `https://evil.example/x` must be a path inside the site",
            "error: content/debt/evil.md:5:5: alias `//evil.example/y` must be a path inside the site",
            "error: content/debt/evil.md:6:5: alias `C:\\\\x` must be a path inside the site",
            "error: content/debt/evil.md:7:5: alias `a/%2e%2e/%2E%2E/b` must be a path inside the site",
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

/// A template that fails while rendering (not while loading) is placed from Tera's structured
/// error: file, line and column of the expression.
#[test]
fn a_template_failing_while_rendering_names_the_file_line_and_column() {
    assert_fails(
        |r| {
            std::fs::create_dir_all(r.join("themes/default/templates")).unwrap();
            write(r, "themes/default/templates/article.html", "{% extends \"base.html\" %}\n{% block main %}\n<p>\n  {{ article.no_such_field.deeper }}\n</p>\n{% endblock main %}\n");
        },
        &["error: themes/default/templates/article.html:4:14: template error: Field `no_such_field` is not defined"],
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
        // Quoted from the text a check keeps once the Markdown is rendered (its link lines).
        "\n    | 链接到[一](one.md#没有这个标题)。\n",
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

/// Builds `basic` after `edit` and returns the error lines (without excerpts) of the failure.
fn error_lines(edit: impl FnOnce(&Path)) -> Vec<String> {
    let site = copy_fixture("basic");
    edit(site.path());
    let out = build(site.path(), &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    err.lines()
        .filter(|l| l.starts_with("error: "))
        .map(String::from)
        .collect()
}

fn replace_in(root: &Path, rel: &str, from: &str, to: &str) {
    let path = root.join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{rel} lacks {from:?}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn an_unclosed_quote_in_the_config_is_reported_where_it_opens() {
    let lines =
        error_lines(|r| replace_in(r, "kbgen.yaml", "title: 测试知识库", "title: \"测试知识库"));
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with("error: kbgen.yaml:1:8: this quoted text is never closed"),
        "{lines:?}"
    );
}

#[test]
fn an_unclosed_bracket_in_front_matter_is_reported_where_it_opens() {
    let lines = error_lines(|r| {
        replace_in(
            r,
            "content/debt/sms.md",
            "tags: [短信, 催收]",
            "tags: [短信, 催收",
        )
    });
    assert!(
        lines[0].starts_with("error: content/debt/sms.md:7:7: this `[` list is never closed"),
        "{lines:?}"
    );
}

#[test]
fn one_broken_article_gives_one_error_not_one_per_link_to_it() {
    // leak.md is linked from sms.md (body, wiki links, an FAQ answer, related:) and lpr.md.
    let lines =
        error_lines(|r| replace_in(r, "content/privacy/leak.md", "tags: 催收", "tags: [催收"));
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert!(
        lines[0].starts_with("error: content/privacy/leak.md:5:7:"),
        "{lines:?}"
    );
}

#[test]
fn suggestions_are_close_and_never_the_linking_file() {
    let lines = error_lines(|r| {
        // sms.md links to `sm.md`: the closest name would be sms.md itself.
        replace_in(
            r,
            "content/debt/sms.md",
            "收到短信先别慌。",
            "收到短信先别慌，见[这里](sm.md)。",
        );
        replace_in(
            r,
            "kbgen.yaml",
            "  - { name: remedy_type, title: 救济途径 }",
            "  - name: remedy_type\n    title: 救济途径\n    terms: { 投诉: [], 诉讼: [], 协商: [] }",
        );
        replace_in(
            r,
            "content/debt/lpr.md",
            "remedy_type: 诉讼",
            "remedy_type: [报警]",
        );
    });
    let own = lines
        .iter()
        .find(|l| l.contains("`debt/sm.md`"))
        .expect("the link error");
    assert!(!own.contains("did you mean `debt/sms.md`"), "{own}");
    let term = lines
        .iter()
        .find(|l| l.contains("`报警`"))
        .expect("the term error");
    assert!(!term.contains("did you mean"), "{term}");
    assert!(term.contains("(allowed: 投诉, 诉讼, 协商)"), "{term}");
}

#[test]
fn positions_come_from_the_parser_not_from_searching_the_text() {
    // A top-level `date` after a nested `extra.date`; a list item `on` after `one`.
    let lines = error_lines(|r| {
        replace_in(
            r,
            "content/debt/lpr.md",
            "---\n",
            "---\nextra:\n  date: 明天\n",
        );
        replace_in(
            r,
            "content/debt/lpr.md",
            "date: 2025",
            "date: yesterday\nx_date: 2025",
        );
    });
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("error: content/debt/lpr.md:5:7: `date` must be a date")),
        "{lines:#?}"
    );
    let lines = error_lines(|r| {
        replace_in(
            r,
            "content/debt/sms.md",
            "related: [privacy/leak.md]",
            "related:\n  - privacy/leak.md\n  - one\n  - on",
        )
    });
    let on: Vec<&String> = lines.iter().filter(|l| l.contains("`on`")).collect();
    assert_eq!(on.len(), 1, "{lines:#?}");
    assert!(
        on[0].starts_with("error: content/debt/sms.md:14:5:"),
        "{lines:#?}"
    );
    let lines = error_lines(|r| {
        replace_in(
            r,
            "kbgen.yaml",
            "  - { name: tags, title: 标签 }",
            "  - { name: tags, title: 标签 }\n  - { name: \"bad name\", title: 坏 }",
        )
    });
    assert!(
        lines[0].starts_with("error: kbgen.yaml:7:13: taxonomy name `bad name`"),
        "{lines:#?}"
    );
}

#[test]
fn a_misnamed_template_override_is_a_warning_with_a_suggestion() {
    let site = copy_fixture("basic");
    let dir = site.path().join("themes/default/templates");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("artcle.html"), "{% extends \"base.html\" %}").unwrap();
    // A partial that an override includes is no mistake.
    std::fs::write(dir.join("my-note.html"), "<p>note</p>").unwrap();
    std::fs::write(
        dir.join("404.html"),
        "{% extends \"base.html\" %}{% block main %}<h1>404</h1>{% include \"my-note.html\" %}{% endblock main %}",
    )
    .unwrap();
    for cmd in ["check", "build"] {
        let out = kbgen([cmd, "--root", site.path().to_str().unwrap()], site.path());
        assert_success(&out);
        let err = stderr(&out);
        assert!(
            err.contains("warning: themes/default/templates/artcle.html:1:1: `artcle.html` replaces no template kbgen renders and no template includes it, so it is ignored (did you mean `article.html`?)"),
            "{err}"
        );
        assert!(!err.contains("my-note.html"), "{err}");
    }
}

/// ASCII double quotes between Chinese words are a warning (not an error) at their line and
/// column, in an article's body and in a section's introduction alike; code is left alone.
#[test]
fn ascii_quotes_in_chinese_text_are_warnings_at_their_place() {
    let site = copy_fixture("basic");
    replace_in(
        site.path(),
        "content/debt/lpr.md",
        "民间借贷利率上限",
        "所谓\"民间借贷\"利率上限",
    );
    replace_in(
        site.path(),
        "content/debt/_index.md",
        "本栏目讲债务。",
        "本栏目讲\"债务\"。\n\n```\n代码里\"不算\"\n```",
    );
    let out = kbgen(
        ["check", "--root", site.path().to_str().unwrap()],
        site.path(),
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let quotes: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("warning: ") && l.contains("ASCII quote"))
        .collect();
    let at = |file: &str, line: usize, col: usize| {
        let place = format!("{file}:{line}:{col}:");
        quotes.iter().filter(|l| l.contains(&place)).count()
    };
    assert_eq!(at("debt/lpr.md", 9, 3), 1, "{err}");
    assert_eq!(at("debt/lpr.md", 9, 8), 1, "{err}");
    assert_eq!(at("debt/_index.md", 7, 5), 1, "{err}");
    assert_eq!(at("debt/_index.md", 7, 8), 1, "{err}");
    assert_eq!(quotes.len(), 4, "code is not checked:\n{err}");
}
