//! Laws that change (issue 16): kbgen.yaml dates a law's revisions and names what replaced a
//! law or body; `check` warns, at the article's `legal_basis` entry, about articles reviewed
//! before a cited law's latest revision, about replaced terms and names, and about reviews
//! older than `review_every`; `check --review` lists them by urgency; the article page says
//! which law changed and when, and the term page gives the law's history.

use crate::support::site::{copy_fixture, describe, parse_html, sel, stderr, texts};
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// 2026-12-01T00:00:00Z: "today" for `review_every`.
const TODAY: &str = "1796083200";

fn kbgen_on(day: &str, args: &[&str], root: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kbgen"))
        .args(args)
        .current_dir(root)
        .stdin(Stdio::null())
        .env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", day)
        .output()
        .expect("run kbgen")
}

#[test]
fn check_warns_where_an_article_cites_a_law_revised_after_its_review() {
    let site = copy_fixture("laws");
    let root = site.path();
    let out = kbgen_on(TODAY, &["check", "--root", ".", "--review"], root);
    assert!(out.status.success(), "{}", describe(&out));
    let warnings: Vec<String> = stderr(&out)
        .lines()
        .filter(|l| l.starts_with("warning: "))
        .map(String::from)
        .collect();
    assert_eq!(
        warnings,
        [
            "warning: content/guide/old-law.md:4:15: 《中华人民共和国合同法》 has been replaced by \
             《中华人民共和国民法典》: cite the current one",
            // Line 9 names the old law alone; line 11 names the Civil Code by an alias too.
            "warning: content/guide/old-law.md:9:3: `《合同法》` was replaced by \
             《中华人民共和国民法典》: name the current one (or both, as in \
             “《中华人民共和国民法典》（原《合同法》）”)",
            "warning: content/guide/stale.md:3:10: last reviewed 2025-03-01, 640 days ago \
             (review_every: 365 days): check the article and update `updated`",
            // Line 4, column 20: `治安管理处罚法` in `legal_basis: [民法典, 治安管理处罚法]`.
            "warning: content/guide/stale.md:4:20: last reviewed 2025-03-01, before \
             《中华人民共和国治安管理处罚法》 was revised (in force since 2026-01-01): check the \
             article against the current text and update `updated`",
            // Line 9 names the old regulator alone; line 11 names both, and is not warned.
            "warning: content/guide/stale.md:9:6: `银保监会` was replaced by 国家金融监督管理总局: \
             name the current one (or both, as in “国家金融监督管理总局（原银保监会）”)",
        ]
    );
    // The review table: stdout, most urgent first.
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "| article | last reviewed | why |\n| --- | --- | --- |\n\
         | content/guide/stale.md | 2025-03-01 | 《中华人民共和国治安管理处罚法》 revised, in force since 2026-01-01 |\n\
         | content/guide/old-law.md | 2026-02-01 | cites 《中华人民共和国合同法》, replaced by 《中华人民共和国民法典》 |\n\
         | content/guide/stale.md | 2025-03-01 | not reviewed for 640 days |\n\
         3 to review\n"
    );
    // A year earlier no review is overdue yet; the revision still came after the review.
    let out = kbgen_on("1764547200", &["check", "--root", "."], root);
    let said = stderr(&out);
    assert!(!said.contains("days ago"), "{said}");
    assert!(said.contains("stale.md:4:20: "), "{said}");
}

#[test]
fn an_article_reviewed_before_a_revision_says_so_and_the_term_page_gives_the_history() {
    let site = copy_fixture("laws");
    let root = site.path();
    let out = kbgen_on(TODAY, &["build", "--root", "."], root);
    assert!(out.status.success(), "{}", describe(&out));
    let public = root.join("public");

    let stale = parse_html(&public.join("guide/stale/index.html"));
    assert_eq!(
        texts(&stale, "aside.review-notice li"),
        ["《中华人民共和国治安管理处罚法》 2026年1月1日起施行 2025年6月27日修订，条文序号有调整"]
    );
    assert_eq!(
        texts(&stale, "aside.review-notice p:not(.callout-title)"),
        ["本文最后核对于2025年3月1日。此后，下列法律有了修订，文中部分内容可能已过时，请以现行规定为准："]
    );
    let link = sel("aside.review-notice a");
    let href = stale
        .select(&link)
        .next()
        .unwrap()
        .value()
        .attr("href")
        .unwrap();
    assert_eq!(
        href,
        "/legal-basis/%E6%B2%BB%E5%AE%89%E7%AE%A1%E7%90%86%E5%A4%84%E7%BD%9A%E6%B3%95/"
    );
    // Reviewed after the revision: no notice.
    let fresh = parse_html(&public.join("guide/fresh/index.html"));
    assert!(texts(&fresh, "aside.review-notice").is_empty());

    let term = parse_html(&public.join("legal-basis/治安管理处罚法/index.html"));
    assert_eq!(
        texts(&term, ".term-revisions li"),
        [
            "2026年1月1日起施行 2025年6月27日修订，条文序号有调整",
            "2013年1月1日起施行 2012年修正"
        ]
    );
    assert_eq!(texts(&term, ".term-revisions h2"), ["本站跟踪的修订"]);
    let replaced = parse_html(&public.join("legal-basis/合同法/index.html"));
    assert_eq!(
        texts(&replaced, ".term-replaced"),
        ["已由《中华人民共和国民法典》取代"]
    );
}

#[test]
fn revision_dates_and_term_keys_are_checked_in_kbgen_yaml() {
    let site = copy_fixture("laws");
    let root = site.path();
    let yaml = std::fs::read_to_string(root.join("kbgen.yaml")).unwrap();
    let broken = yaml
        .replace("date: 2013-01-01", "date: 2013-13-01")
        .replace(
            "replaced_by: 国家金融监督管理总局",
            "replace_by: 国家金融监督管理总局",
        );
    std::fs::write(root.join("kbgen.yaml"), broken).unwrap();
    let out = kbgen_on(TODAY, &["check", "--root", "."], root);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let said = stderr(&out);
    assert!(
        said.contains(
            "error: kbgen.yaml:14:21: term `《中华人民共和国治安管理处罚法》`: revision date \
             `2013-13-01` is not a date (YYYY-MM-DD)"
        ),
        "{said}"
    );
    assert!(
        said.contains(
            "error: kbgen.yaml:22:34: term `银保监会`: unknown key `replace_by` (did you mean \
             `replaced_by`?)"
        ),
        "{said}"
    );
    // A misspelt key in a revision is named, at its place.
    std::fs::write(
        root.join("kbgen.yaml"),
        yaml.replace(
            "{ date: 2013-01-01, note: 2012年修正 }",
            "{ date: 2013-01-01, nte: 2012年修正 }",
        ),
    )
    .unwrap();
    let out = kbgen_on(TODAY, &["check", "--root", "."], root);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let said = stderr(&out);
    assert!(
        said.contains(
            "error: kbgen.yaml:14:33: term `《中华人民共和国治安管理处罚法》`: unknown key `nte` in \
             a revision (did you mean `note`?)"
        ),
        "{said}"
    );
}
