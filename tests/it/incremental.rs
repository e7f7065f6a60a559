//! Incremental rebuilds (`kbgen::session`, what `serve` runs): after every kind of edit the
//! updated output must equal a clean build of the same files, byte for byte. Each kind of
//! edit is its own test on its own copy of the fixture, so one failure does not hide the rest.
//! Every session runs with the reach check on: on each content rebuild, no page outside the
//! ones the change was judged to reach may have changed (see `session::affected`).

use crate::support::site::{copy_fixture, snapshot_dir, write_files};
use kbgen::session::Session;
use kbgen::{BuildOptions, Outcome};
use std::fs;
use std::path::PathBuf;
use tempfile::TempDir;

const BASE_URL: &str = "http://127.0.0.1:1111/";

/// An article that links to another (backlinks, section list, terms, search).
const NEW_ARTICLE: (&str, &str) = (
    "content/debt/new-one.md",
    "---\ntitle: 新文章\ntags: [短信]\n---\n\n看[催收短信](sms.md)。\n\n## 能不能分期？\n\n可以协商。\n",
);

/// A fresh copy of the `basic` fixture, built once by a session that checks its reach.
struct Fixture {
    _site: TempDir,
    _served_dir: TempDir,
    root: PathBuf,
    served: PathBuf,
    session: Session,
    /// The warnings of the last good build or rebuild, as printed.
    warnings: Vec<String>,
}

impl Fixture {
    #[track_caller]
    fn new() -> Fixture {
        Fixture::with_files(&[])
    }

    /// The fixture with `files` added before the first build.
    #[track_caller]
    fn with_files(files: &[(&str, &str)]) -> Fixture {
        Fixture::of("basic", files)
    }

    /// A copy of `tests/fixtures/<fixture>` with `files` added, built once.
    #[track_caller]
    fn of(fixture: &str, files: &[(&str, &str)]) -> Fixture {
        let site = copy_fixture(fixture);
        let root = site.path().canonicalize().expect("root");
        write_files(&root, files);
        let served_dir = tempfile::tempdir().expect("temp dir");
        let served = served_dir.path().join("site");
        let session = Session::new(BuildOptions {
            root: root.clone(),
            output: Some(served.clone()),
            base_url: Some(BASE_URL.into()),
            live_reload: true,
            ..Default::default()
        })
        .with_reach_check(true);
        let mut f = Fixture {
            _site: site,
            _served_dir: served_dir,
            root,
            served,
            session,
            warnings: Vec::new(),
        };
        let outcome = f.session.build().expect("build");
        assert_eq!(how(&outcome), "full");
        f.note(&outcome);
        f.assert_same_as_clean("initial build");
        f
    }

    /// Rebuilds after `changed`, failing the test when the change reached a page the reach
    /// rules did not name.
    #[track_caller]
    fn rebuild(&mut self, changed: &[PathBuf]) -> Outcome {
        let outcome = self.session.rebuild(changed).expect("rebuild");
        self.note(&outcome);
        let misses = self.session.take_reach_misses();
        assert!(
            misses.is_empty(),
            "the reach check failed after a change to {changed:?}:\n{}",
            misses.join("\n")
        );
        outcome
    }

    fn edit(&self, rel: &str, f: impl FnOnce(String) -> String) -> PathBuf {
        let path = self.root.join(rel);
        let text = fs::read_to_string(&path).expect("read");
        fs::write(&path, f(text)).expect("write");
        path
    }

    fn served(&self, rel: &str) -> PathBuf {
        self.served.join(rel)
    }

    fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.served(rel)).expect(rel)
    }

    fn note(&mut self, outcome: &Outcome) {
        if let Outcome::Built { warnings, .. } = outcome {
            self.warnings = warnings.iter().map(|w| w.to_string()).collect();
        }
    }

    /// The served output and the last good build's warnings are a clean build's.
    #[track_caller]
    fn assert_same_as_clean(&self, step: &str) {
        let clean =
            crate::support::site::assert_same_as_clean(&self.root, &self.served, BASE_URL, step);
        assert_eq!(
            self.warnings, clean,
            "{step}: the warnings differ from a clean build's"
        );
    }
}

/// How the session handled the last change ("body", "content", or "full").
fn how(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Built { summary, .. } => summary
            .update
            .as_ref()
            .map_or("full".into(), |u| u.how.to_string()),
        Outcome::Failed(d) => panic!(
            "rebuild failed:\n{}",
            d.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

const SMS_PAGE: &str = "debt/sms/index.html";

#[test]
fn body_paragraph_remakes_only_its_page() {
    let mut f = Fixture::new();
    let before_lpr = fs::read(f.served("debt/lpr/index.html")).expect("lpr page");
    let p = f.edit("content/debt/sms.md", |t| {
        t.replace(
            "收到短信先别慌。",
            "收到短信先别慌。\n\n新的段落：先深呼吸。",
        )
    });
    let outcome = f.rebuild(&[p]);
    assert_eq!(how(&outcome), "body");
    let Outcome::Built { summary, .. } = &outcome else {
        unreachable!()
    };
    assert_eq!(summary.update.as_ref().map(|u| u.pages), Some(1));
    assert!(f.read(SMS_PAGE).contains("新的段落：先深呼吸。"));
    assert_eq!(
        fs::read(f.served("debt/lpr/index.html")).expect("lpr"),
        before_lpr
    );
    f.assert_same_as_clean("body edit");
}

#[test]
fn faq_answer_in_the_body_updates_the_faq_pages() {
    let mut f = Fixture::new();
    let p = f.edit("content/debt/sms.md", |t| {
        t.replace("可以向监管部门投诉。", "可以向国家金融监督管理总局投诉。")
    });
    assert_eq!(how(&f.rebuild(&[p])), "body");
    assert!(f.read("faq/index.html").contains("国家金融监督管理总局"));
    f.assert_same_as_clean("FAQ answer in the body");
}

#[test]
fn new_question_heading_grows_the_question_list() {
    let mut f = Fixture::new();
    let p = f.edit("content/debt/sms.md", |t| {
        t.replace("## 其他", "## 要保存多久？\n\n至少保存三年。\n\n## 其他")
    });
    assert_eq!(how(&f.rebuild(&[p])), "content");
    f.assert_same_as_clean("new question heading");
}

#[test]
fn front_matter_title_updates_cards_backlinks_and_related_lists() {
    let mut f = Fixture::new();
    let p = f.edit("content/privacy/leak.md", |t| {
        t.replacen("title: ", "title: 改名后的", 1)
    });
    assert_eq!(how(&f.rebuild(&[p])), "content");
    assert!(f.read(SMS_PAGE).contains("改名后的"));
    f.assert_same_as_clean("title edit");
}

/// The pages linking to an article are rendered with its URL: a new slug must reach them
/// although their own text did not change (the re-analysis keeps unchanged renderings only
/// while every link they resolved resolves the same).
/// Three articles of one date sharing a tag: related lists break the tie by title. The
/// middle one is alone in its section, so a new title does not move it there.
const SAME_DAY: [(&str, &str); 3] = [
    (
        "content/debt/tie-a.md",
        "---\ntitle: 甲篇同日\ndate: 2024-03-03\ntags: [同日]\n---\n\n甲。\n",
    ),
    (
        "content/alone/tie-b.md",
        "---\ntitle: 乙篇同日\ndate: 2024-03-03\ntags: [同日]\n---\n\n乙。\n",
    ),
    (
        "content/debt/tie-c.md",
        "---\ntitle: 丙篇同日\ndate: 2024-03-03\ntags: [同日]\n---\n\n丙。\n",
    ),
];

/// The titles of a page's related list, in order.
fn related_titles(f: &Fixture, page: &str) -> Vec<String> {
    let html = f.read(page);
    let section = html
        .split("<section id=\"related\"")
        .nth(1)
        .and_then(|s| s.split("</section>").next())
        .unwrap_or_default();
    ["甲篇同日", "乙篇同日", "丙篇同日", "〇篇同日", "丙篇改名"]
        .iter()
        .filter_map(|t| section.find(t).map(|at| (at, t.to_string())))
        .collect::<std::collections::BTreeMap<_, _>>()
        .into_values()
        .collect()
}

#[test]
fn a_title_that_breaks_a_tie_differently_reorders_related_lists_and_one_that_does_not_keeps_them() {
    let mut f = Fixture::with_files(&SAME_DAY);
    let page = "debt/tie-a/index.html";
    // Titles compare by code point: 丙 (U+4E19) before 乙 (U+4E59).
    assert_eq!(related_titles(&f, page), ["丙篇同日", "乙篇同日"]);
    // Still after 丙…, before 乙…: the related lists stay as they were.
    let p = f.edit("content/debt/tie-c.md", |t| {
        t.replace("丙篇同日", "丙篇改名")
    });
    assert_eq!(how(&f.rebuild(&[p])), "content");
    assert_eq!(related_titles(&f, page), ["丙篇改名", "乙篇同日"]);
    f.assert_same_as_clean("a title that keeps its place");
    // 乙 → 〇 (U+3007) sorts first now: the lists that show it change order.
    let p = f.edit("content/alone/tie-b.md", |t| {
        t.replace("乙篇同日", "〇篇同日")
    });
    assert_eq!(how(&f.rebuild(&[p])), "content");
    assert_eq!(related_titles(&f, page), ["〇篇同日", "丙篇改名"]);
    f.assert_same_as_clean("a title that moves");
}

#[test]
fn new_slug_reaches_the_links_of_unchanged_articles() {
    let mut f = Fixture::new();
    const LPR_PAGE: &str = "debt/lpr/index.html";
    assert!(f.read(LPR_PAGE).contains("privacy/leak/"));
    let p = f.edit("content/privacy/leak.md", |t| {
        t.replacen("---\n", "---\nslug: leaked\n", 1)
    });
    // sms.md names it by its old slug in a wiki link: that one is edited to a path link.
    let q = f.edit("content/debt/sms.md", |t| {
        t.replace("[[leak]]", "[泄露](../privacy/leak.md)")
    });
    assert_eq!(how(&f.rebuild(&[p, q])), "content");
    // lpr.md did not change; its link did.
    let lpr = f.read(LPR_PAGE);
    assert!(
        lpr.contains("privacy/leaked/") && !lpr.contains("privacy/leak/"),
        "{lpr}"
    );
    f.assert_same_as_clean("slug edit");
}

/// Deleting the target of an unchanged article's link is a broken link in that article,
/// reported where it is written, and the site stays as it was.
#[test]
fn deleting_a_link_target_fails_in_the_articles_linking_to_it() {
    let mut f = Fixture::new();
    let snapshot = snapshot_dir(&f.served);
    let gone = f.root.join("content/privacy/leak.md");
    fs::remove_file(&gone).expect("delete");
    let Outcome::Failed(errors) = f.rebuild(std::slice::from_ref(&gone)) else {
        panic!("deleting a linked article must fail the rebuild");
    };
    let shown: Vec<String> = errors.iter().map(|d| d.to_string()).collect();
    assert!(
        shown.iter().any(|e| e.contains("content/debt/sms.md:13:")),
        "no error at sms.md's FAQ answer link: {shown:#?}"
    );
    assert!(
        shown.iter().any(|e| e.contains("content/debt/lpr.md:9:")),
        "no error at lpr.md's link: {shown:#?}"
    );
    assert_eq!(
        snapshot_dir(&f.served),
        snapshot,
        "a failed rebuild changed the site"
    );
}

#[test]
fn front_matter_terms_update_term_pages_and_related_lists() {
    let mut f = Fixture::new();
    let p = f.edit("content/debt/lpr.md", |t| {
        t.replace("tags: [利息]", "tags: [利息, 短信]")
    });
    assert_eq!(how(&f.rebuild(&[p])), "content");
    f.assert_same_as_clean("terms edit");
}

/// A tag no article had before: a new term page, and the tags page lists one more term.
#[test]
fn new_term_adds_its_page_and_joins_the_taxonomy_list() {
    let mut f = Fixture::new();
    let p = f.edit("content/debt/lpr.md", |t| {
        t.replace("tags: [利息]", "tags: [利息, 全新标签]")
    });
    assert_eq!(how(&f.rebuild(std::slice::from_ref(&p))), "content");
    assert!(f.read("tags/index.html").contains("全新标签"));
    f.assert_same_as_clean("new term");
    // And back: the term page goes.
    let p = f.edit("content/debt/lpr.md", |t| t.replace(", 全新标签", ""));
    assert_eq!(how(&f.rebuild(&[p])), "content");
    assert!(!f.read("tags/index.html").contains("全新标签"));
    f.assert_same_as_clean("term removed");
}

#[test]
fn front_matter_summary_updates_cards() {
    let mut f = Fixture::new();
    let p = f.edit("content/debt/sms.md", |t| {
        t.replace("summary: 收到催收短信时的处理步骤。", "summary: 新的摘要。")
    });
    assert_eq!(how(&f.rebuild(&[p])), "content");
    f.assert_same_as_clean("summary edit");
}

/// A content rebuild leaves alone what only a full build changes (the theme's static files)
/// and faq.json while its bytes stay the same: a summary is not in faq.json, a title is. A
/// file written again is a new file (written beside it, then renamed over it).
#[test]
fn content_rebuilds_rewrite_only_the_files_they_change() {
    use std::os::unix::fs::MetadataExt as _;
    let mut f = Fixture::new();
    let inode = |f: &Fixture, rel: &str| fs::metadata(f.served(rel)).expect(rel).ino();
    let (css, faq) = (inode(&f, "static/style.css"), inode(&f, "faq.json"));
    let before = f.read("faq.json");
    let p = f.edit("content/debt/sms.md", |t| {
        t.replace("summary: 收到催收短信时的处理步骤。", "summary: 新的摘要。")
    });
    assert_eq!(how(&f.rebuild(&[p])), "content");
    f.assert_same_as_clean("summary edit");
    assert_eq!(f.read("faq.json"), before);
    assert_eq!(
        inode(&f, "faq.json"),
        faq,
        "faq.json was written again unchanged"
    );
    assert_eq!(
        inode(&f, "static/style.css"),
        css,
        "static/ was copied again"
    );

    let p = f.edit("content/debt/sms.md", |t| {
        t.replacen("title: 催收短信怎么办", "title: 收到催收短信怎么办", 1)
    });
    assert_eq!(how(&f.rebuild(&[p])), "content");
    f.assert_same_as_clean("title edit");
    assert!(f
        .read("faq.json")
        .contains("\"article_title\":\"收到催收短信怎么办\""));
    assert_ne!(inode(&f, "faq.json"), faq);
    assert_eq!(inode(&f, "static/style.css"), css);
}

#[test]
fn front_matter_weight_moves_an_article_and_its_questions() {
    let mut f = Fixture::new();
    let p = f.edit("content/debt/lpr.md", |t| {
        t.replacen("---\n", "---\nweight: 0\n", 1)
    });
    assert_eq!(how(&f.rebuild(&[p])), "content");
    f.assert_same_as_clean("weight edit");
}

/// An article's page links the articles before and after it in its section (prev/next):
/// a neighbour's new title must reach it although its own text did not change.
#[test]
fn a_neighbours_title_reaches_the_prev_next_links() {
    let mut f = Fixture::new();
    assert!(f.read(SMS_PAGE).contains("LPR四倍怎么算"));
    let p = f.edit("content/debt/lpr.md", |t| {
        t.replacen("title: LPR四倍怎么算", "title: LPR四倍利率怎么算", 1)
    });
    assert_eq!(how(&f.rebuild(&[p])), "content");
    let sms = f.read(SMS_PAGE);
    let pager = &sms[sms.find("article-pager").expect("a pager on the sms page")..];
    assert!(pager.contains("LPR四倍利率怎么算"), "{pager}");
    f.assert_same_as_clean("neighbour title edit");
}

/// `sort_by` in a section's `_index.md` reorders its articles and so their prev/next links.
#[test]
fn a_sections_sort_by_reorders_its_articles() {
    let mut f = Fixture::new();
    let p = f.edit("content/debt/_index.md", |t| {
        t.replacen("weight: 1\n", "weight: 1\nsort_by: date\n", 1)
    });
    f.rebuild(&[p]);
    f.assert_same_as_clean("sort_by edit");
}

#[test]
fn new_article_is_added_everywhere_it_shows() {
    let mut f = Fixture::new();
    write_files(&f.root, &[NEW_ARTICLE]);
    let added = f.root.join(NEW_ARTICLE.0);
    assert_eq!(how(&f.rebuild(std::slice::from_ref(&added))), "content");
    assert!(f.served("debt/new-one/index.html").is_file());
    f.assert_same_as_clean("new article");
}

#[test]
fn renamed_article_leaves_its_old_page() {
    let mut f = Fixture::with_files(&[NEW_ARTICLE]);
    assert!(f.served("debt/new-one/index.html").is_file());
    let added = f.root.join(NEW_ARTICLE.0);
    let renamed = f.root.join("content/debt/renamed.md");
    fs::rename(&added, &renamed).expect("rename");
    assert_eq!(how(&f.rebuild(&[added, renamed])), "content");
    assert!(!f.served("debt/new-one").exists());
    f.assert_same_as_clean("renamed article");
}

#[test]
fn deleted_article_goes() {
    let mut f = Fixture::with_files(&[NEW_ARTICLE]);
    let added = f.root.join(NEW_ARTICLE.0);
    fs::remove_file(&added).expect("delete");
    assert_eq!(how(&f.rebuild(&[added])), "content");
    f.assert_same_as_clean("deleted article");
}

#[test]
fn broken_front_matter_fails_and_leaves_the_site_alone_until_fixed() {
    // Later edits of other files do not hide the error; the fix brings everything in.
    let mut f = Fixture::new();
    let snapshot = snapshot_dir(&f.served);
    let broken = f.edit("content/debt/lpr.md", |t| {
        t.replacen("title: ", "title: [", 1)
    });
    assert!(matches!(
        f.rebuild(std::slice::from_ref(&broken)),
        Outcome::Failed(_)
    ));
    let other = f.edit("content/debt/sms.md", |t| {
        t.replace("准备截图。", "准备截图和录音。")
    });
    assert!(matches!(f.rebuild(&[other]), Outcome::Failed(_)));
    assert_eq!(
        snapshot_dir(&f.served),
        snapshot,
        "a failed rebuild changed the site"
    );
    let fixed = f.edit("content/debt/lpr.md", |t| {
        t.replacen("title: [", "title: ", 1)
    });
    f.rebuild(&[fixed]);
    assert!(f.read(SMS_PAGE).contains("准备截图和录音。"));
    f.assert_same_as_clean("after a fixed error");
}

/// The warnings of a built outcome, as lines.
fn warnings(outcome: &Outcome) -> Vec<String> {
    match outcome {
        Outcome::Built { warnings, .. } => warnings.iter().map(|w| w.to_string()).collect(),
        Outcome::Failed(_) => panic!("rebuild failed: {}", how(outcome)),
    }
}

#[test]
fn a_replaced_name_written_into_a_body_is_reported_on_the_quick_path() {
    let mut f = Fixture::of("laws", &[]);
    let warned = |w: &[String]| {
        w.iter()
            .any(|x| x.contains("content/guide/fresh.md:") && x.contains("银保监会"))
    };
    let p = f.edit("content/guide/fresh.md", |t| {
        t.replace(
            "这篇文章在修订施行之后核对过。",
            "这篇文章在修订施行之后核对过。\n\n投诉可以找银保监会。",
        )
    });
    let outcome = f.rebuild(std::slice::from_ref(&p));
    assert_eq!(how(&outcome), "body");
    let w = warnings(&outcome);
    assert!(
        warned(&w),
        "no warning for the replaced name:\n{}",
        w.join("\n")
    );
    let p = f.edit("content/guide/fresh.md", |t| {
        t.replace("\n\n投诉可以找银保监会。", "")
    });
    let outcome = f.rebuild(&[p]);
    assert_eq!(how(&outcome), "body");
    let w = warnings(&outcome);
    assert!(
        !warned(&w),
        "the warning outlived the name:\n{}",
        w.join("\n")
    );
    f.assert_same_as_clean("after the name went");
}

#[test]
fn a_front_matter_edit_that_cites_a_replaced_law_reports_it_and_its_undoing_clears_it() {
    let mut f = Fixture::of("laws", &[]);
    let replaced = |f: &Fixture| {
        f.warnings
            .iter()
            .any(|w| w.contains("content/guide/fresh.md:") && w.contains("has been replaced by"))
    };
    assert!(!replaced(&f), "{:#?}", f.warnings);
    let p = f.edit("content/guide/fresh.md", |t| {
        t.replace(
            "legal_basis: [治安管理处罚法]",
            "legal_basis: [治安管理处罚法, 合同法]",
        )
    });
    assert_eq!(how(&f.rebuild(std::slice::from_ref(&p))), "content");
    assert!(replaced(&f), "no warning:\n{}", f.warnings.join("\n"));
    f.assert_same_as_clean("a replaced law cited");
    let p = f.edit("content/guide/fresh.md", |t| {
        t.replace(
            "legal_basis: [治安管理处罚法, 合同法]",
            "legal_basis: [治安管理处罚法]",
        )
    });
    assert_eq!(how(&f.rebuild(&[p])), "content");
    assert!(
        !replaced(&f),
        "the warning outlived the edit:\n{}",
        f.warnings.join("\n")
    );
    f.assert_same_as_clean("the citation gone");
}

#[test]
fn body_link_to_a_missing_heading_fails_on_the_quick_path() {
    let mut f = Fixture::new();
    let p = f.edit("content/debt/sms.md", |t| {
        t.replace("准备截图。", "准备截图，见[[lpr#没有这个标题]]。")
    });
    let Outcome::Failed(d) = f.rebuild(std::slice::from_ref(&p)) else {
        panic!("a broken anchor passed");
    };
    assert!(
        d.iter().any(|x| x.message.contains("没有这个标题")),
        "{d:?}"
    );
    let p = f.edit("content/debt/sms.md", |t| {
        t.replace("，见[[lpr#没有这个标题]]", "")
    });
    f.rebuild(&[p]);
    f.assert_same_as_clean("after a fixed anchor");
}

#[test]
fn section_intro_and_title() {
    let mut f = Fixture::new();
    let p = f.edit("content/debt/_index.md", |t| {
        t.replace("title: 债务", "title: 债务与催收")
            .replace("本栏目讲债务。", "本栏目讲债务和催收。")
    });
    assert_eq!(how(&f.rebuild(&[p])), "content");
    f.assert_same_as_clean("section intro");
}

#[test]
fn configuration_edit_is_a_full_build() {
    let mut f = Fixture::new();
    let p = f.edit("kbgen.yaml", |t| t.replace("测试知识库", "测试知识库二"));
    assert_eq!(how(&f.rebuild(&[p])), "full");
    f.assert_same_as_clean("configuration");
}

#[test]
fn theme_override_is_a_full_build() {
    let mut f = Fixture::new();
    write_files(
        &f.root,
        &[(
            "themes/default/templates/404.html",
            "{% extends \"base.html\" %}{% block main %}<h1>找不到这一页</h1>{% endblock %}",
        )],
    );
    let p = f.root.join("themes/default/templates/404.html");
    assert_eq!(how(&f.rebuild(&[p])), "full");
    assert!(f.read("404.html").contains("找不到这一页"));
    f.assert_same_as_clean("theme override");
}

/// Two sections of 13 articles with 20 questions each: past 500 questions the FAQ splits
/// into one page per section.
fn split_faq_files() -> Vec<(String, String)> {
    let mut files = Vec::new();
    for (dir, title, word) in [("aa-bulk", "甲组", "甲"), ("zz-bulk", "乙组", "乙")] {
        files.push((
            format!("content/{dir}/_index.md"),
            format!("---\ntitle: {title}\nweight: 1\n---\n"),
        ));
        for k in 0..13 {
            let mut text = format!("---\ntitle: {word}文章{k}\ntags: [{word}{}]\n---\n", k % 3);
            for q in 0..20 {
                text.push_str(&format!("\n## {word}问题{k}之{q}？\n\n回答{q}。\n"));
            }
            files.push((format!("content/{dir}/a{k}.md"), text));
        }
    }
    files
}

/// Regression (issue 13): every FAQ section page read "the site's questions" as a whole, so
/// any edit to an article with questions fingerprinted all of them (6 MB pages at 10k). A
/// section's page now reads only its own questions and the marks of the first of each; an
/// edit elsewhere that makes one of its questions a duplicate must still reach it.
#[test]
fn split_faq_pages_follow_their_own_sections_and_site_wide_duplicates() {
    let files = split_faq_files();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let mut f = Fixture::with_files(&refs);
    assert!(f.read("faq/zz-bulk/index.html").contains("乙问题3之4？"));
    // A title shows on its own section's FAQ page only.
    let p = f.edit("content/aa-bulk/a3.md", |t| {
        t.replace("title: 甲文章3", "title: 甲文章三")
    });
    assert_eq!(how(&f.rebuild(&[p])), "content");
    assert!(f.read("faq/aa-bulk/index.html").contains("甲文章三"));
    f.assert_same_as_clean("title in a split FAQ section");
    // 乙's question asked first in 甲: 乙's page no longer marks it up (JSON-LD).
    let ld = |f: &Fixture| {
        let page = f.read("faq/zz-bulk/index.html");
        let start = page.find("application/ld+json").expect("JSON-LD");
        let block = &page[start..];
        block[..block.find("</script>").expect("end of JSON-LD")].contains("乙问题3之4？")
    };
    assert!(ld(&f));
    // (The same number of questions: a new count reaches every FAQ page anyway.)
    let p = f.edit("content/aa-bulk/a0.md", |t| {
        t.replace("## 甲问题0之0？", "## 乙问题3之4？")
    });
    assert_eq!(how(&f.rebuild(&[p])), "content");
    assert!(
        !ld(&f),
        "the duplicate is still marked up on the later page"
    );
    f.assert_same_as_clean("a question duplicated from another section");
}

/// Issue 14: marking a question heading `{.no-faq}` takes it off the FAQ pages (the question
/// list changed), and removing the mark brings it back, each as a clean build would.
#[test]
fn no_faq_mark_takes_a_question_off_the_faq_pages_and_back() {
    let mut f = Fixture::new();
    let anchor = "#%E5%8F%AF%E4%BB%A5%E6%8A%95%E8%AF%89%E5%90%97"; // #可以投诉吗
    assert!(f.read("faq/index.html").contains(anchor));
    let p = f.edit("content/debt/sms.md", |t| {
        t.replace("## 可以投诉吗？", "## 可以投诉吗？ {.no-faq}")
    });
    f.rebuild(&[p]);
    assert!(!f.read("faq/index.html").contains(anchor));
    assert!(f.read(SMS_PAGE).contains("id=\"可以投诉吗\""));
    f.assert_same_as_clean("heading marked {.no-faq}");
    let p = f.edit("content/debt/sms.md", |t| t.replace(" {.no-faq}", ""));
    f.rebuild(&[p]);
    assert!(f.read("faq/index.html").contains(anchor));
    f.assert_same_as_clean("mark removed");
}

#[test]
fn faq_headings_false_takes_an_articles_questions_off_the_faq_pages() {
    let mut f = Fixture::new();
    let p = f.edit("content/debt/sms.md", |t| {
        t.replacen("---\n", "---\nfaq_headings: false\n", 1)
    });
    assert_eq!(how(&f.rebuild(&[p])), "content");
    assert!(!f.read("faq/index.html").contains("可以投诉吗"));
    f.assert_same_as_clean("faq_headings: false");
}

/// A body gaining raw HTML, a footnote referenced twice and a highlighted block is rendered
/// on the quick path as a clean build renders it (the sanitised regions, the notes' ids).
#[test]
fn body_with_raw_html_footnotes_and_code_rebuilds_as_a_clean_build() {
    let mut f = Fixture::new();
    let p = f.edit("content/debt/sms.md", |t| {
        t.replace(
            "## 其他",
            "按 <kbd>Ctrl</kbd>[^k]，再按一次[^k]。\n\n<details>\n<summary>更多</summary>\n\n**内容**\n\n</details>\n\n\
             ```json\n{\"a\": 1}\n```\n\n[^k]: 键盘。\n\n## 其他",
        )
    });
    f.rebuild(&[p]);
    let page = f.read(SMS_PAGE);
    for want in [
        "<kbd>Ctrl</kbd>",
        "id=\"fnref-1-2\"",
        "<li id=\"fn-1\">",
        "<details>",
        "<pre class=\"hl\"><code class=\"language-json\">",
    ] {
        assert!(page.contains(want), "{want} in {page}");
    }
    f.assert_same_as_clean("raw HTML, footnotes and code");
}

/// The number the browse page shows in the cell linking `browse/ROW/COLUMN/` (None: no link).
fn browse_count(f: &Fixture, row: &str, column: &str) -> Option<String> {
    let doc = scraper::Html::parse_document(&f.read("browse/index.html"));
    let want = format!("browse/{row}/{column}/");
    doc.select(&crate::support::site::sel("table.browse-matrix td a"))
        .find(|a| {
            let href = a.value().attr("href").unwrap_or_default();
            percent_encoding::percent_decode_str(href)
                .decode_utf8_lossy()
                .ends_with(&want)
        })
        .and_then(|a| {
            a.select(&crate::support::site::sel("[aria-hidden=true]"))
                .next()
                .map(|s| s.text().collect::<String>())
        })
}

/// Issue 16: an article's new remedy moves the browse page's counts, adds the cell it now
/// fills (and takes it away again), and the section and term pages' cards carry its terms.
#[test]
fn a_term_edit_updates_the_browse_matrix_and_its_cells() {
    let mut f = Fixture::new();
    assert_eq!(browse_count(&f, "民法典", "投诉").as_deref(), Some("2"));
    assert_eq!(browse_count(&f, "民法典", "报警"), None);
    let p = f.edit("content/debt/lpr.md", |t| {
        t.replace("remedy_type: 诉讼", "remedy_type: [诉讼, 投诉, 报警]")
    });
    assert_eq!(how(&f.rebuild(std::slice::from_ref(&p))), "content");
    assert_eq!(browse_count(&f, "民法典", "投诉").as_deref(), Some("3"));
    assert_eq!(browse_count(&f, "民法典", "报警").as_deref(), Some("1"));
    assert!(f.served("browse/民法典/报警/index.html").exists());
    assert!(f.read("debt/index.html").contains("remedy_type:报警"));
    f.assert_same_as_clean("a remedy added");
    let p = f.edit("content/debt/lpr.md", |t| {
        t.replace("remedy_type: [诉讼, 投诉, 报警]", "remedy_type: [投诉]")
    });
    assert_eq!(how(&f.rebuild(&[p])), "content");
    assert_eq!(browse_count(&f, "民法典", "报警"), None);
    assert!(!f.served("browse/民法典/报警/index.html").exists());
    assert_eq!(browse_count(&f, "民法典", "诉讼").as_deref(), Some("1"));
    f.assert_same_as_clean("remedies taken away");
}

/// Issue 13: a listing page reads only its own page of a long list (and how many it holds),
/// so a move far down a section reaches the listing pages it changes, not every page of the
/// section, its terms and its browse cells. The reach check proves the narrower reads still
/// name each page the move changes.
#[test]
fn a_move_in_long_listings_reaches_the_listing_pages_it_changes() {
    let bulk: Vec<(String, String)> = (0..250)
        .map(|i| {
            (
                format!("content/debt/bulk-{i:03}.md"),
                format!(
                    "---\ntitle: 批量文章{i:03}\nweight: {}\ntags: [短信]\nlegal_basis: 民法典\nremedy_type: [投诉]\n---\n\n正文{i}。\n",
                    10 + i
                ),
            )
        })
        .collect();
    let files: Vec<(&str, &str)> = bulk.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let mut f = Fixture::with_files(&files);
    let listings = [
        "debt/index.html",
        "debt/page/3/index.html",
        "tags/短信/index.html",
        "tags/短信/page/3/index.html",
        "browse/民法典/投诉/index.html",
        "browse/民法典/投诉/page/3/index.html",
    ];
    let read_all = |f: &Fixture| listings.map(|p| f.read(p));
    let before = read_all(&f);
    // Two neighbours on the last page change places (221 now comes first).
    let p = f.edit("content/debt/bulk-220.md", |t| {
        t.replacen("weight: 230\n", "weight: 232\n", 1)
    });
    assert_eq!(how(&f.rebuild(&[p])), "content");
    f.assert_same_as_clean("a move on the last page");
    let after = read_all(&f);
    for (k, page) in listings.iter().enumerate() {
        let last = page.contains("page/3/");
        assert_eq!(
            before[k] != after[k],
            last,
            "{page} changed: {}",
            before[k] != after[k]
        );
    }
    let last = &after[1];
    assert!(
        last.find("批量文章221").expect("221 listed")
            < last.find("批量文章220").expect("220 listed"),
        "{last}"
    );
    // The last article moves to the top: every page of each listing shifts.
    let p = f.edit("content/debt/bulk-249.md", |t| {
        t.replacen("weight: 259\n", "weight: 0\n", 1)
    });
    assert_eq!(how(&f.rebuild(&[p])), "content");
    f.assert_same_as_clean("a move to the top");
    assert!(f.read("debt/index.html").contains("批量文章249"));
}
