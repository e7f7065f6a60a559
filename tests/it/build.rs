//! A good build of the `basic` fixture: pages, sections, taxonomies, links, feeds, output rules.

use crate::support::site::{
    assert_success, attrs, build, copy_fixture, crawl, kbgen, parse_html, read, sel, snapshot_dir,
    stderr, texts,
};

fn built() -> (tempfile::TempDir, std::path::PathBuf) {
    let site = copy_fixture("basic");
    let out = build(site.path(), &[]);
    assert_success(&out);
    let public = site.path().join("public");
    (site, public)
}

#[test]
fn pages_sections_and_terms_are_what_the_fixture_implies() {
    let (site, public) = built();
    for page in [
        "index.html",
        "debt/index.html",
        "debt/sms/index.html",
        "debt/lpr/index.html",
        "privacy/index.html",
        "privacy/leak/index.html",
        "privacy/nested/index.html",
        "privacy/nested/deep/index.html",
        "tags/index.html",
        "tags/短信/index.html",
        "legal-basis/index.html",
        "legal-basis/民法典/index.html",
        "legal-basis/中华人民共和国个人信息保护法/index.html",
        "remedy-type/投诉/index.html",
        "faq/index.html",
        "search/index.html",
        "404.html",
        "robots.txt",
        "sitemap.xml",
        "atom.xml",
        "faq.json",
        "debt/flow.svg",
        "old/sms/index.html",
    ] {
        assert!(public.join(page).is_file(), "missing {page}");
    }
    // Drafts stay out unless asked for; dot-folders are ignored.
    assert!(!public.join("debt/secret").exists());
    assert!(!public.join(".hidden").exists());
    let home = parse_html(&public.join("index.html"));
    let hrefs = attrs(&home, "main a", "href");
    for section in ["/kb/debt/", "/kb/privacy/"] {
        assert!(
            hrefs.iter().any(|h| h == section),
            "home does not link {section}: {hrefs:?}"
        );
    }
    assert_eq!(attrs(&home, "html", "lang"), vec!["zh-CN"]);
    assert_eq!(home.select(&sel("main")).count(), 1);
    assert_eq!(
        attrs(&home, "form[role=search]", "action"),
        vec!["/kb/search/"]
    );
    assert_eq!(
        // SPEC: type=search, or type=text when it carries role=combobox (the Nu checker's rule).
        home.select(&sel(
            "form[role=search] input[name=q]:is([type=search], [type=text][role=combobox])"
        ))
        .count(),
        1
    );

    // A term page lists exactly the articles carrying the term, aliases folded in.
    let term = parse_html(&public.join("legal-basis/民法典/index.html"));
    let mut titles = texts(&term, "main h2 a, main h3 a");
    titles.sort();
    assert_eq!(
        titles,
        vec!["LPR四倍怎么算", "个人信息泄露", "催收短信怎么办"]
    );
    let tax = read(&public.join("legal-basis/index.html"));
    assert!(tax.contains("《中华人民共和国民法典》"));
    assert!(
        !tax.contains(">民法典<"),
        "the alias must not be a term of its own"
    );

    // --drafts brings the draft in.
    let out = kbgen(
        ["build", "--root", site.path().to_str().unwrap(), "--drafts"],
        site.path(),
    );
    assert_success(&out);
    assert!(public.join("debt/secret/index.html").is_file());
}

#[test]
fn article_pages_carry_the_stable_hooks() {
    let (_site, public) = built();
    let doc = parse_html(&public.join("debt/sms/index.html"));
    assert_eq!(doc.select(&sel("article")).count(), 1);
    assert_eq!(doc.select(&sel("article h1")).count(), 1);
    assert_eq!(doc.select(&sel("h1")).count(), 1);
    // Every heading has an id, by the name rule.
    for h in doc.select(&sel(".prose h2, .prose h3")) {
        assert!(
            h.value().attr("id").is_some_and(|i| !i.is_empty()),
            "heading without id: {}",
            h.html()
        );
    }
    let ids = attrs(&doc, ".prose h2, .prose h3", "id");
    assert!(ids.contains(&"第一步核实信息".to_string()), "{ids:?}");
    assert!(ids.contains(&"可以投诉吗".to_string()));
    // Review date is `updated`.
    assert_eq!(
        attrs(&doc, "time[datetime]", "datetime")
            .first()
            .map(String::as_str),
        Some("2025-06-01")
    );
    // Term links carry rel=tag and are percent-encoded.
    let tags = attrs(&doc, "a[rel=tag]", "href");
    assert!(
        tags.contains(&"/kb/legal-basis/%E6%B0%91%E6%B3%95%E5%85%B8/".to_string()),
        "{tags:?}"
    );
    // TOC lists the headings.
    let toc = attrs(&doc, "nav.toc a", "href");
    assert!(
        toc.iter().any(|h| h
            .ends_with("#%E7%AC%AC%E4%B8%80%E6%AD%A5%E6%A0%B8%E5%AE%9E%E4%BF%A1%E6%81%AF")
            || h.ends_with("#第一步核实信息")),
        "{toc:?}"
    );
    // FAQ, related and backlinks sections.
    assert_eq!(doc.select(&sel("section#faq details")).count(), 1);
    assert_eq!(
        attrs(&doc, "section#faq details", "id"),
        vec!["faq-催收短信可以不理吗"]
    );
    let related = texts(&doc, "section#related a");
    assert_eq!(
        related.first().map(String::as_str),
        Some("个人信息泄露"),
        "explicit `related:` comes first: {related:?}"
    );
    assert!(
        related.contains(&"LPR四倍怎么算".to_string()),
        "shares 民法典: {related:?}"
    );
    let mut backlinks = texts(&doc, "section#backlinks a");
    backlinks.sort();
    assert_eq!(backlinks, vec!["LPR四倍怎么算", "个人信息泄露", "深层文章"]);
    // Wiki link without text shows the target's title; with text, the text.
    let body = read(&public.join("debt/sms/index.html"));
    assert!(body.contains(">个人信息泄露</a>"));
    assert!(body.contains(">泄露文章</a>"));
    // The co-located image is rewritten to its URL; the callout is labelled in Chinese.
    assert_eq!(attrs(&doc, "article img", "src"), vec!["/kb/debt/flow.svg"]);
    assert!(texts(&doc, ".callout-tip .callout-title").contains(&"提示".to_string()));
    assert_eq!(doc.select(&sel("article table")).count(), 1);
    // The disclaimer is on every page.
    for f in [
        "index.html",
        "debt/sms/index.html",
        "faq/index.html",
        "404.html",
        "tags/index.html",
    ] {
        assert!(
            read(&public.join(f)).contains("不构成法律意见"),
            "{f} lacks the disclaimer"
        );
    }
}

#[test]
fn aliases_sitemap_and_feed_use_absolute_urls() {
    let (_site, public) = built();
    let alias = read(&public.join("old/sms/index.html"));
    assert!(alias.contains("https://example.org/kb/debt/sms/"));
    assert!(alias.contains("http-equiv=\"refresh\""));
    // Its title says where to, by the target's title, not a sentence ending in a colon
    // (issue 14: "页面已移动，正在跳转到：" and nothing after it); the link says it too.
    let doc = parse_html(&public.join("old/sms/index.html"));
    assert_eq!(
        texts(&doc, "title").join(""),
        "页面已移动，正在跳转到：催收短信怎么办"
    );
    assert_eq!(
        texts(&doc, "body > p").join(""),
        "页面已移动，正在跳转到：催收短信怎么办"
    );
    assert_eq!(
        attrs(&doc, "body > p a", "href"),
        ["https://example.org/kb/debt/sms/"]
    );
    let sitemap = read(&public.join("sitemap.xml"));
    assert!(sitemap.contains("<loc>https://example.org/kb/debt/sms/</loc>"));
    assert!(sitemap.contains("<lastmod>2025-06-01</lastmod>"));
    assert!(!sitemap.contains("secret"));
    let atom = read(&public.join("atom.xml"));
    assert!(atom.contains("<id>https://example.org/kb/privacy/leak/</id>"));
    assert!(
        read(&public.join("robots.txt")).contains("Sitemap: https://example.org/kb/sitemap.xml")
    );
}

#[test]
fn relative_base_url_leaves_feeds_out_and_says_so() {
    let site = copy_fixture("basic");
    let out = build(site.path(), &["--base-url", "/"]);
    assert_success(&out);
    assert!(!site.path().join("public/sitemap.xml").exists());
    assert!(!site.path().join("public/atom.xml").exists());
    assert!(stderr(&out).contains("left out"), "{}", stderr(&out));
}

#[test]
fn every_internal_link_resolves_under_root_and_sub_path() {
    for base in ["/", "/kb/", "/深/路径/"] {
        let site = copy_fixture("basic");
        let out = build(site.path(), &["--base-url", base]);
        assert_success(&out);
        let broken = crawl(&site.path().join("public"), base);
        assert!(broken.is_empty(), "base {base}: {broken:#?}");
    }
}

#[test]
fn portable_build_links_are_relative_and_end_in_index_html() {
    let site = copy_fixture("basic");
    let out = build(site.path(), &["--portable", "--base-url", "/kb/"]);
    assert_success(&out);
    let public = site.path().join("public");
    let doc = parse_html(&public.join("debt/sms/index.html"));
    for href in attrs(&doc, "a[href]", "href") {
        if href.starts_with("http") || href.starts_with('#') {
            continue;
        }
        assert!(
            !href.starts_with('/'),
            "absolute link in portable build: {href}"
        );
        let path = href.split('#').next().unwrap_or_default();
        assert!(
            path.ends_with("index.html") || path.contains('.'),
            "link does not name a file: {href}"
        );
    }
    assert_eq!(
        attrs(&doc, "form[role=search]", "action"),
        vec!["../../search/index.html"]
    );
    let broken = crawl(&public, "/kb/");
    assert!(broken.is_empty(), "{broken:#?}");
}

#[test]
fn output_is_deterministic_and_keeps_what_kbgen_does_not_make() {
    let site = copy_fixture("basic");
    assert_success(&build(site.path(), &[]));
    let public = site.path().join("public");
    let first = snapshot_dir(&public);
    std::fs::write(public.join("CNAME"), "example.org").unwrap();
    std::fs::write(public.join("keepme.txt"), "kept").unwrap();
    std::fs::create_dir_all(public.join(".git")).unwrap();
    std::fs::write(public.join(".git/HEAD"), "ref").unwrap();
    // A page an earlier build made (a draft, built with --drafts) and this one does not.
    assert_success(&build(site.path(), &["--drafts"]));
    assert!(public.join("debt/secret/index.html").is_file());
    assert_success(&build(site.path(), &[]));
    assert_eq!(read(&public.join("CNAME")), "example.org");
    assert_eq!(read(&public.join("keepme.txt")), "kept");
    assert!(public.join(".git/HEAD").is_file());
    assert!(
        !public.join("debt/secret/index.html").exists(),
        "a build must remove what it no longer makes"
    );
    let mut second = snapshot_dir(&public);
    for kept in ["CNAME", "keepme.txt", ".git/HEAD"] {
        second.remove(kept);
    }
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        second.keys().collect::<Vec<_>>()
    );
    assert!(
        first == second,
        "the same input must give byte-identical output"
    );
}

#[test]
fn hostile_text_is_escaped_everywhere() {
    let (_site, public) = built();
    let page = read(&public.join("privacy/hostile/index.html"));
    assert!(
        !page.contains("<script>alert"),
        "raw script in article page"
    );
    assert!(page.contains("&lt;script&gt;alert"));
    assert!(!page.contains("javascript:"));
    assert!(!page.contains("<img src=x"));
    for f in [
        "index.html",
        "privacy/index.html",
        "tags/index.html",
        "faq/index.html",
        "debt/sms/index.html",
    ] {
        let html = read(&public.join(f));
        assert!(!html.contains("<script>alert"), "{f} has a raw script");
    }
    // The FAQ page's JSON-LD stays one script element and parses back to the hostile text.
    let faq = parse_html(&public.join("faq/index.html"));
    let ld: Vec<String> = faq
        .select(&sel("script[type='application/ld+json']"))
        .map(|e| e.inner_html())
        .collect();
    assert_eq!(ld.len(), 1);
    let json: serde_json::Value = serde_json::from_str(&ld[0]).expect("JSON-LD parses");
    let names: Vec<&str> = json["mainEntity"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|q| q["name"].as_str())
        .collect();
    assert!(
        names.contains(&"</script><script>alert(\"q\")</script>？"),
        "{names:?}"
    );
    // faq.json and the feed hold the text as data, escaped for their format.
    let faq_json: serde_json::Value =
        serde_json::from_str(&read(&public.join("faq.json"))).unwrap();
    assert!(faq_json["questions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|q| q["question"] == "</script><script>alert(\"q\")</script>？"));
    let atom = read(&public.join("atom.xml"));
    assert!(
        atom.contains("&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt;")
            || atom.contains("&lt;script&gt;alert(\"title\")&lt;/script&gt;")
    );
    assert!(!atom.contains("<script>"));
}

#[test]
fn new_creates_an_article_that_builds() {
    let site = copy_fixture("basic");
    let out = kbgen(
        [
            "new",
            "--root",
            site.path().to_str().unwrap(),
            "debt/new-one",
            "--title",
            "新文章",
        ],
        site.path(),
    );
    assert_success(&out);
    let file = site.path().join("content/debt/new-one.md");
    let text = read(&file);
    assert!(text.contains("title: \"新文章\""));
    // The site's taxonomies to fill in, and no empty summary.
    for key in ["tags: []", "legal_basis: []", "remedy_type: []"] {
        assert!(text.contains(key), "no {key}:\n{text}");
    }
    assert!(!text.contains("summary: \"\""), "{text}");
    // Empty, it builds, and check says it has no text yet.
    let checked = kbgen(
        ["check", "--root", site.path().to_str().unwrap()],
        site.path(),
    );
    assert_success(&checked);
    // (issue 14: an empty article passed silently). At the body's first line, below the
    // front matter's 10 lines.
    assert!(
        stderr(&checked).lines().any(|l| l
            == "warning: content/debt/new-one.md:11:1: the article has no text yet: it would \
                be published as an empty page (write it, or set `draft: true` until it is ready)"),
        "{}",
        stderr(&checked)
    );
    assert_success(&build(site.path(), &[]));
    assert!(site.path().join("public/debt/new-one/index.html").is_file());
    let again = kbgen(
        [
            "new",
            "--root",
            site.path().to_str().unwrap(),
            "debt/new-one",
        ],
        site.path(),
    );
    assert_eq!(
        again.status.code(),
        Some(2),
        "creating it twice is a usage error"
    );
    let files = || -> Vec<std::path::PathBuf> {
        walkdir::WalkDir::new(site.path().join("content"))
            .sort_by_file_name()
            .into_iter()
            .map(|e| e.unwrap().into_path())
            .collect()
    };
    let before = files();
    // Not SECTION/SLUG (issue 14: `foo` and `a/b/c` were accepted though the help says
    // SECTION/SLUG), or a name the slug rule refuses: exit 2, a message saying why, no file.
    for (bad, why) in [
        ("lonely", "name its section too, e.g. `guides/lonely`"),
        (
            "no/such/place",
            "puts articles in a top-level section, e.g. `no/place`",
        ),
        (
            "privacy/nested/deeper",
            "puts articles in a top-level section",
        ),
        (
            "debt/bad slug",
            "the slug `bad slug` may hold only letters, digits, `-` and `_`",
        ),
        ("debt/a.b", "the slug `a.b` may hold only"),
        ("de bt/x", "the section `de bt` may hold only"),
        ("", "is not SECTION/SLUG"),
    ] {
        let out = kbgen(
            ["new", "--root", site.path().to_str().unwrap(), bad],
            site.path(),
        );
        assert_eq!(out.status.code(), Some(2), "{bad}: {}", stderr(&out));
        let said = stderr(&out);
        assert!(
            said.starts_with(&format!("error: `{bad}` is not SECTION/SLUG")) && said.contains(why),
            "{bad}: {said}"
        );
    }
    assert_eq!(files(), before, "a refused path left a file or folder");
    // A folder that is not a site gets no content/ folder, and is pointed at `kbgen init`.
    let empty = tempfile::tempdir().unwrap();
    let out = kbgen(
        [
            "new",
            "--root",
            empty.path().to_str().unwrap(),
            "guides/first",
        ],
        empty.path(),
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("kbgen init"), "{}", stderr(&out));
    assert_eq!(std::fs::read_dir(empty.path()).unwrap().count(), 0);
}

#[test]
fn a_symlink_loop_in_content_is_survived_with_a_warning() {
    let site = copy_fixture("basic");
    std::os::unix::fs::symlink("..", site.path().join("content/debt/loop")).unwrap();
    let out = build(site.path(), &[]);
    assert_success(&out);
    let err = stderr(&out);
    assert!(
        err.contains("warning: content/debt/loop") && err.contains("symbolic link loop"),
        "{err}"
    );
    assert!(site.path().join("public/debt/sms/index.html").is_file());
}

/// Page titles that join a label and a name use the site language's punctuation: a
/// full-width colon in Chinese, ": " in English (not `Tags：x`).
#[test]
fn titles_joining_a_label_and_a_name_follow_the_site_language() {
    let site = copy_fixture("basic");
    let config = site.path().join("kbgen.yaml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        text.replace("language: zh-CN", "language: en")
            .replace("title: 标签", "title: Tags"),
    )
    .unwrap();
    assert_success(&build(site.path(), &[]));
    let public = site.path().join("public");
    let title = |rel: &str| texts(&parse_html(&public.join(rel)), "title").join("");
    let tag = std::fs::read_dir(public.join("tags"))
        .unwrap()
        .filter_map(Result::ok)
        .find(|e| e.path().join("index.html").is_file())
        .expect("a tag page")
        .file_name();
    let tag_page = title(&format!("tags/{}/index.html", tag.to_string_lossy()));
    assert!(tag_page.starts_with("Tags: "), "{tag_page}");
    assert!(!tag_page.contains('：'), "{tag_page}");

    let zh = copy_fixture("basic");
    assert_success(&build(zh.path(), &[]));
    let zh_public = zh.path().join("public");
    let zh_title = texts(
        &parse_html(&zh_public.join(format!("tags/{}/index.html", tag.to_string_lossy()))),
        "title",
    )
    .join("");
    assert!(zh_title.starts_with("标签："), "{zh_title}");
}

/// The summary line counts in words that agree with the number: "1 article, 1 section",
/// not "1 articles, 1 sections".
#[test]
fn the_summary_line_agrees_in_number() {
    let site = tempfile::tempdir().unwrap();
    let root = site.path();
    std::fs::write(root.join("kbgen.yaml"), "title: One\nlanguage: en\n").unwrap();
    std::fs::create_dir_all(root.join("content/guide")).unwrap();
    std::fs::write(
        root.join("content/guide/only.md"),
        "---\ntitle: Only\n---\n\n## Is this the only one?\n\nYes.\n",
    )
    .unwrap();
    let out = build(root, &[]);
    assert_success(&out);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let line = text
        .lines()
        .find(|l| l.starts_with("built "))
        .unwrap_or_else(|| panic!("no summary line:\n{text}"));
    assert!(
        line.contains(": 1 article, 1 section, 0 terms, 1 FAQ entry in "),
        "{line}"
    );
}

/// A section page's list is headed in words a reader says ("2 篇文章", "1 article", "2 articles"),
/// not a label and a bare count ("篇文章 2", issue 14), in the site's language.
#[test]
fn a_section_heads_its_list_with_a_natural_count() {
    let (_site, public) = built();
    let doc = parse_html(&public.join("debt/index.html"));
    // lpr.md and sms.md (secret.md is a draft).
    assert_eq!(texts(&doc, "#kb-articles-h"), ["2 篇文章"]);

    let site = tempfile::tempdir().unwrap();
    let root = site.path();
    std::fs::write(root.join("kbgen.yaml"), "title: Counts\nlanguage: en\n").unwrap();
    for (file, title) in [("one/a.md", "A"), ("two/b.md", "B"), ("two/c.md", "C")] {
        let path = root.join("content").join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, format!("---\ntitle: {title}\n---\n\nText.\n")).unwrap();
    }
    assert_success(&build(root, &[]));
    let heading = |section: &str| {
        texts(
            &parse_html(&root.join(format!("public/{section}/index.html"))),
            "#kb-articles-h",
        )
    };
    assert_eq!(heading("one"), ["1 article"]);
    assert_eq!(heading("two"), ["2 articles"]);
}
