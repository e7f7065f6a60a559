//! A site of its own (issue 14): UI words per key and per language (zh-TW Traditional),
//! menus, logo and favicon, section order, the edit link, `extra`, what templates see, and
//! `kbgen theme eject`. Each test builds a fixture with the real binary and reads the HTML.

use crate::support::site::{
    assert_success, attrs, build, copy_dir, copy_fixture, describe, fixture, kbgen, parse_html,
    read, snapshot_dir, stderr, texts,
};
use scraper::Html;
use std::path::Path;

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// `site-config` built into `out/` of a temp folder with `extra` arguments.
fn built(name: &str, extra: &[&str]) -> (tempfile::TempDir, std::path::PathBuf) {
    let site = copy_fixture(name);
    let out = site.path().join("out");
    let mut args = vec!["--output", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let o = build(site.path(), &args);
    assert_success(&o);
    if name != "basic" {
        assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
    }
    (site, out)
}

fn page(out: &Path, rel: &str) -> Html {
    parse_html(&out.join(rel).join("index.html"))
}

#[test]
fn a_zh_tw_site_shows_traditional_words_and_its_own_placeholder() {
    let (_site, out) = built("site-config", &[]);
    let home = page(&out, "");
    assert_eq!(attrs(&home, "html", "lang"), ["zh-TW"]);
    assert_eq!(texts(&home, "form[role=search] button"), ["搜尋"]);
    assert_eq!(texts(&home, "label[for=site-search-input]"), ["搜尋本站"]);
    assert_eq!(texts(&home, ".skip-link"), ["跳到主要內容"]);
    assert_eq!(
        attrs(&home, "input[name=q]", "placeholder"),
        ["輸入問題，例如：怎麼申訴"]
    );
    assert_eq!(
        attrs(&home, "form[role=search]", "data-i18n-results"),
        ["找到 {n} 筆結果"]
    );
    let article = page(&out, &format!("guides/{}", "如何申訴"));
    assert_eq!(texts(&article, ".pager-prev .pager-label"), ["← 上一篇"]);
    assert!(texts(&article, ".article-meta")
        .join(" ")
        .contains("最後核對"));
    assert_eq!(texts(&article, ".reading-time"), ["約 1 分鐘讀完"]);
    // Callout titles follow the word set too (they were Simplified: 当心).
    assert_eq!(texts(&article, ".callout-caution .callout-title"), ["當心"]);
    assert_eq!(
        texts(&article, "nav.breadcrumbs li:first-child a"),
        ["首頁"]
    );
}

/// Regression (issue 14): every site showed the bundled site's placeholder. The bundled site
/// keeps it through its own kbgen.yaml; another zh-CN site gets the generic words.
#[test]
fn the_bundled_placeholder_is_the_bundled_sites_own() {
    let (_dir, out) = crate::support::site::build_bundled(&[]);
    let home = parse_html(&out.join("index.html"));
    assert_eq!(
        attrs(&home, "input[name=q]", "placeholder"),
        ["输入问题，如：催收短信怎么投诉"]
    );
    let (_site, out) = built("basic", &[]);
    let home = parse_html(&out.join("index.html"));
    assert_eq!(attrs(&home, "html", "lang"), ["zh-CN"]);
    assert_eq!(
        attrs(&home, "input[name=q]", "placeholder"),
        ["输入问题或关键词"]
    );
}

#[test]
fn menus_are_in_the_header_in_weight_order_with_external_links_marked() {
    let (_site, out) = built("site-config", &[]);
    let about = format!("/guides/{}/", enc("如何申訴").replace('+', "%20"));
    let home = page(&out, "");
    let menu = "header nav.site-menu[aria-label=選單] a";
    assert_eq!(
        texts(&home, menu),
        ["標籤", "關於本站", "消保官 （外部連結）↗"]
    );
    assert_eq!(
        attrs(&home, menu, "href"),
        ["/tags/", about.as_str(), "https://www.cpc.ey.gov.tw/"]
    );
    assert_eq!(
        attrs(&home, &format!("{menu}[rel=noopener]"), "href"),
        ["https://www.cpc.ey.gov.tw/"]
    );
    assert_eq!(
        texts(&home, &format!("{menu}[rel=noopener] .visually-hidden")),
        ["（外部連結）"]
    );
    // The `@/` page's own page marks its entry as current.
    let article = page(&out, "guides/如何申訴");
    assert_eq!(
        attrs(&article, &format!("{menu}[aria-current=page]"), "href"),
        [about.as_str()]
    );

    // Sub-path: every site link under the base path; the external one as written.
    let (_site, out) = built("site-config", &["--base-url", "/kb/"]);
    let home = page(&out, "");
    assert_eq!(
        attrs(&home, menu, "href"),
        [
            "/kb/tags/",
            format!("/kb{about}").as_str(),
            "https://www.cpc.ey.gov.tw/"
        ]
    );
    assert_eq!(attrs(&home, "header .site-logo", "src"), ["/kb/logo.svg"]);
    assert_eq!(attrs(&home, "link[rel=icon]", "href"), ["/kb/icon.svg"]);

    // Portable: relative, ending in index.html, from a page two folders down.
    let (_site, out) = built("site-config", &["--portable"]);
    let article = page(&out, "guides/如何申訴");
    let here = format!("../../guides/{}/index.html", enc("如何申訴"));
    assert_eq!(
        attrs(&article, menu, "href"),
        [
            "../../tags/index.html",
            here.as_str(),
            "https://www.cpc.ey.gov.tw/"
        ]
    );
    assert_eq!(
        attrs(&article, "header .site-logo", "src"),
        ["../../logo.svg"]
    );
    assert_eq!(
        attrs(&article, "link[rel=icon]", "href"),
        ["../../icon.svg"]
    );
}

#[test]
fn the_logo_is_in_the_header_with_the_site_title_as_its_text() {
    let (_site, out) = built("site-config", &[]);
    let home = page(&out, "");
    assert_eq!(
        attrs(&home, "a.site-title img.site-logo", "src"),
        ["/logo.svg"]
    );
    assert_eq!(
        attrs(&home, "a.site-title img.site-logo", "alt"),
        ["網貸維權知識庫"]
    );
    assert_eq!(attrs(&home, "link[rel=icon]", "href"), ["/icon.svg"]);
    assert_eq!(
        std::fs::read(out.join("logo.svg")).unwrap(),
        std::fs::read(fixture("site-config").join("static/logo.svg")).unwrap()
    );
    // A favicon of the site's own: kbgen writes no favicon.ico of its own over it.
    assert!(!out.join("favicon.ico").exists());
}

/// Regression (issue 14): /favicon.ico was a 404 on every site.
#[test]
fn a_site_without_a_favicon_gets_the_themes() {
    let (_site, out) = built("basic", &[]);
    let icon = std::fs::read(out.join("favicon.ico")).expect("favicon.ico at the root");
    assert_eq!(&icon[..4], &[0, 0, 1, 0], "an ICO file");
    assert_eq!(std::fs::read(out.join("static/favicon.ico")).unwrap(), icon);
    let home = parse_html(&out.join("index.html"));
    assert_eq!(
        attrs(&home, "link[rel=icon]", "href"),
        ["/kb/static/favicon.ico"]
    );
    // Served by a plain static server at /favicon.ico.
    let server = crate::support::server::StaticServer::start(&out);
    let (status, _, body) = crate::support::server::raw_get(server.addr(), "/favicon.ico");
    assert_eq!((status, body), (200, icon));
}

/// Regression (issue 14): order was by title code point (单 ‹ 如 ‹ 被) whatever the site.
#[test]
fn sections_order_their_articles_by_pinyin_or_date() {
    let (_site, out) = built("site-config", &[]);
    // bei ‹ dan ‹ ru.
    assert_eq!(
        texts(&page(&out, "guides"), "main .card-title a"),
        ["被催收怎麼辦", "單位電話被打", "如何申訴"]
    );
    // Newest first.
    assert_eq!(
        texts(&page(&out, "news"), "main .card-title a"),
        ["乙新聞", "丙中聞", "甲舊聞"]
    );
    // Prev/next follow the same order.
    let middle = page(&out, "guides/單位電話被打");
    assert_eq!(texts(&middle, ".pager-prev .pager-title"), ["被催收怎麼辦"]);
    assert_eq!(texts(&middle, ".pager-next .pager-title"), ["如何申訴"]);
    assert_eq!(
        attrs(&middle, ".article-pager a[rel=next]", "href").len(),
        1
    );
    let first = page(&out, "news/newest");
    assert!(texts(&first, ".pager-prev").is_empty());
    assert_eq!(texts(&first, ".pager-next .pager-title"), ["丙中聞"]);
}

#[test]
fn articles_link_their_file_on_the_repository() {
    let (_site, out) = built("site-config", &[]);
    let article = page(&out, "news/mid");
    assert_eq!(
        attrs(&article, "p.edit-page a", "href"),
        ["https://github.com/example/kb/edit/trunk/content/news/mid.md"]
    );
    assert_eq!(texts(&article, "p.edit-page a"), ["編輯此頁 （外部連結）"]);
    // Without repo_url, no link.
    let (_site, out) = built("basic", &[]);
    assert!(texts(&page(&out, "debt/sms"), "p.edit-page").is_empty());
}

/// A theme's own article.html and section.html (tests/fixtures/theme-vars) print every new
/// variable: what a theme author can use.
#[test]
fn templates_see_url_slug_source_counts_neighbours_menus_and_extra() {
    let (_site, out) = built("theme-vars", &[]);
    let first = page(&out, "guides/first");
    let v = |doc: &Html, id: &str| texts(doc, &format!("#v-{id}")).join("");
    assert_eq!(v(&first, "url"), "/kb/guides/first/");
    assert_eq!(v(&first, "slug"), "first");
    assert_eq!(v(&first, "source"), "content/guides/first.md");
    // "Three words here. 中文字 counted.": 4 words and 3 CJK characters.
    assert_eq!(v(&first, "words"), "7");
    assert_eq!(v(&first, "minutes"), "1");
    assert_eq!(v(&first, "prev"), "");
    assert_eq!(v(&first, "next"), "Second steps /kb/guides/step-two/");
    assert_eq!(
        v(&first, "edit"),
        "https://gitlab.example.org/team/kb/edit/main/content/guides/first.md"
    );
    assert_eq!(
        v(&first, "menus"),
        "First steps=/kb/guides/first/ (current);Guides=/kb/guides/;Elsewhere=https://example.org/ (external);"
    );
    // `extra` reaches templates untouched, and is escaped like any text.
    let html = read(&out.join("guides/first/index.html"));
    assert!(
        html.contains("<dd id=\"v-extra\">&lt;b&gt;bold?&lt;/b&gt;</dd>"),
        "{html}"
    );
    assert!(html.contains("<dd id=\"v-site-extra\">Docs &lt;team&gt; &amp; friends</dd>"));
    let second = page(&out, "guides/step-two");
    assert_eq!(v(&second, "slug"), "step-two");
    assert_eq!(v(&second, "source"), "content/guides/second.md");
    assert_eq!(v(&second, "prev"), "First steps /kb/guides/first/");
    assert_eq!(v(&second, "next"), "Third steps /kb/guides/third/");
    // No `extra:` in front matter: an empty map, so `is defined` works.
    assert_eq!(v(&second, "extra"), "");
    assert_eq!(
        texts(&page(&out, "guides"), "#v-section-extra"),
        ["Read these first"]
    );
}

/// Runs `kbgen check` on `site-config` after `edit` of its kbgen.yaml; returns the error lines.
fn config_errors(edit: impl FnOnce(String) -> String) -> Vec<String> {
    let site = copy_fixture("site-config");
    let path = site.path().join("kbgen.yaml");
    std::fs::write(&path, edit(read(&path))).unwrap();
    let out = kbgen(
        ["check", "--root", site.path().to_str().unwrap()],
        site.path(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    stderr(&out)
        .lines()
        .filter(|l| l.starts_with("error: "))
        .map(str::to_string)
        .collect()
}

#[test]
fn config_mistakes_are_reported_at_their_kbgen_yaml_line() {
    assert_eq!(
        config_errors(|t| t.replace("  search_placeholder:", "  search_placehodler:")),
        ["error: kbgen.yaml:5:3: unknown UI word `search_placehodler` (did you mean `search_placeholder`?)"]
    );
    assert_eq!(
        config_errors(|t| t.replace("language: zh-TW", "language: zh_TW")),
        ["error: kbgen.yaml:3:11: `zh_TW` is not a BCP 47 language tag (did you mean `zh-TW`?)"]
    );
    assert_eq!(
        config_errors(|t| t.replace("@/guides/如何申訴.md", "@/guides/如何申述.md")),
        ["error: kbgen.yaml:7:26: menu `關於本站`: there is no article content/guides/如何申述.md (pages are written `@/section/file.md`, from content/)"]
    );
    assert_eq!(
        config_errors(|t| t.replace("logo: static/logo.svg", "logo: ../logo.svg")),
        ["error: kbgen.yaml:10:7: `../logo.svg` must be a file under static/ or content/ of the site, e.g. `static/logo.svg`"]
    );
    // A synonym group needs two different words; an empty word is named at its place.
    assert_eq!(
        config_errors(|t| t + "search:\n  synonyms:\n    - [網貸, 網貸]\n    - [催收, \"\"]\n"),
        [
            "error: kbgen.yaml:20:7: a synonym group lists two or more different words that find each other, e.g. `[网贷, 网络贷款]`",
            "error: kbgen.yaml:21:7: a synonym group lists two or more different words that find each other, e.g. `[网贷, 网络贷款]`",
            "error: kbgen.yaml:21:12: a synonym may not be empty",
        ]
    );
    assert_eq!(
        config_errors(|t| t.replace("url: tags/", "url: \"javascript:alert(1)\"")),
        ["error: kbgen.yaml:9:23: menu URL `javascript:alert(1)` must be an http://, https:// or mailto: address, or a path of this site such as `faq/`"]
    );
}

#[test]
fn a_language_tag_in_another_case_is_a_warning() {
    let site = copy_fixture("site-config");
    let path = site.path().join("kbgen.yaml");
    std::fs::write(
        &path,
        read(&path).replace("language: zh-TW", "language: ZH-tw"),
    )
    .unwrap();
    let out = kbgen(
        ["check", "--root", site.path().to_str().unwrap()],
        site.path(),
    );
    assert_success(&out);
    assert_eq!(
        stderr(&out).lines().next().unwrap(),
        "warning: kbgen.yaml:3:11: write the language tag as `zh-TW` (BCP 47 case), not `ZH-tw`"
    );
}

#[test]
fn theme_eject_writes_a_theme_that_builds_the_same_site_and_never_overwrites() {
    let (_site, before) = built("site-config", &[]);
    let site = copy_fixture("site-config");
    let root = site.path();
    let out = kbgen(["theme", "eject", "--root", root.to_str().unwrap()], root);
    assert_success(&out);
    for f in [
        "templates/base.html",
        "templates/article.html",
        "static/style.css",
        "static/favicon.ico",
    ] {
        assert!(root.join("themes/default").join(f).is_file(), "no {f}");
    }
    let after = root.join("out");
    assert_success(&build(root, &["--output", after.to_str().unwrap()]));
    assert!(
        snapshot_dir(&before) == snapshot_dir(&after),
        "the ejected theme builds another site"
    );

    // A second eject, or one over a writer's own file: exit 2, naming them, nothing touched.
    let other = tempfile::tempdir().unwrap();
    copy_dir(&fixture("basic"), other.path());
    let mine = other.path().join("themes/default/templates/article.html");
    std::fs::create_dir_all(mine.parent().unwrap()).unwrap();
    std::fs::write(&mine, "{% extends \"base.html\" %}mine").unwrap();
    let was = snapshot_dir(other.path());
    let out = kbgen(
        ["theme", "eject", "--root", other.path().to_str().unwrap()],
        other.path(),
    );
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert_eq!(
        stderr(&out),
        "error: 1 of the default theme's files exist already, so nothing was written: \
         themes/default/templates/article.html (move them away to eject the theme again, or \
         edit them as they are)\n"
    );
    assert!(snapshot_dir(other.path()) == was, "eject changed the site");
    let again = kbgen(["theme", "eject", "--root", root.to_str().unwrap()], root);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).starts_with("error: 17 of the default theme's files exist already"));
}

/// The header of a site with a logo and three menus (one external) at a phone's width and a
/// desktop's: nothing wider than the window, every menu entry shown inside it.
/// `KBGEN_SCREENSHOTS=DIR` saves each page there.
#[test]
fn the_header_with_menus_fits_a_phone() {
    let (_site, out) = built("site-config", &[]);
    let Some(b) = crate::support::browser::browser() else {
        return;
    };
    let server = crate::support::server::StaticServer::start(&out);
    let shots = std::env::var_os("KBGEN_SCREENSHOTS").map(std::path::PathBuf::from);
    for width in [390, 1280] {
        for (name, path) in [
            ("home", "/"),
            ("article", "/guides/%E5%A6%82%E4%BD%95%E7%94%B3%E8%A8%B4/"),
        ] {
            let page = b.page(width, 844);
            page.goto(&server.url(path));
            let wide = page.eval("document.documentElement.scrollWidth - innerWidth");
            // (Negative when a vertical scroll bar takes its width from the window.)
            assert!(
                wide.as_i64().is_some_and(|w| w <= 0),
                "{name} {width}px: wider than the window by {wide}"
            );
            let outside = page.eval(
                "[...document.querySelectorAll('.site-menu a, .site-logo')]\
                 .filter(e => { const r = e.getBoundingClientRect(); \
                   return r.width === 0 || r.left < 0 || r.right > innerWidth; }).length",
            );
            assert_eq!(
                outside.as_i64(),
                Some(0),
                "{name} {width}px: a menu entry is hidden or cut"
            );
            if let Some(dir) = &shots {
                page.screenshot_viewport_png(&dir.join(format!("site-config-{name}-{width}.png")));
                if name == "article" {
                    page.eval("document.querySelector('.article-pager').scrollIntoView()");
                    page.screenshot_viewport_png(
                        &dir.join(format!("site-config-{name}-{width}-end.png")),
                    );
                }
            }
        }
    }
}
