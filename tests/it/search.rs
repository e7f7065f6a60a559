//! Site search in headless Chromium over tests/fixtures/search (SPEC "Search" and "Stable page
//! hooks"): Chinese, mixed and partial queries through `search/?q=`, a sub-path build, a
//! portable build opened from file://, the header combobox driven by the keyboard,
//! highlighting on the opened result, and lazy loading of the index.
//!
//! Each test builds the fixture once, then takes the browser (its connection idles out after
//! 60 s, so never before a build).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS, NON_ALPHANUMERIC};
use serde_json::{json, Value};
use tempfile::TempDir;

use crate::support::browser::{browser, Page};
use crate::support::server::StaticServer;
use crate::support::site::{assert_success, build, copy_fixture};

const WAIT: Duration = Duration::from_secs(10);

// The fixture's article titles.
const SMS: &str = "收到催收短信怎么投诉";
const CONTACTS: &str = "通讯录被爆了怎么办";
const NIGHT: &str = "夜间催收电话有时间限制吗";
const LAWYER: &str = "如何识别假冒的律师函";
const HOTLINE: &str = "向12378热线投诉金融机构";
const LPR: &str = "民间借贷利率上限：LPR四倍";
const LIMITATION: &str = "借款的诉讼时效是几年";
const PAYMENT_ORDER: &str = "收到支付令后十五日内怎么做";
const INSTALMENTS: &str = "与网贷平台协商分期还款";
const PERMISSIONS: &str = "借款APP过度索取手机权限";
const DELETE: &str = "要求平台删除你的个人信息";
const LEAK: &str = "个人信息泄露后如何举报";

/// (query, the article that must be in the top 3; `None`: nothing may be found).
const QUERIES: &[(&str, Option<&str>)] = &[
    // Two-character words.
    ("时效", Some(LIMITATION)),
    ("分期", Some(INSTALMENTS)),
    ("权限", Some(PERMISSIONS)),
    ("删除", Some(DELETE)),
    ("夜间", Some(NIGHT)),
    ("泄露", Some(LEAK)),
    // Longer words and dictionary words.
    ("支付令", Some(PAYMENT_ORDER)),
    ("停息挂账", Some(INSTALMENTS)),
    ("利率上限", Some(LPR)),
    ("删除个人信息", Some(DELETE)),
    // Whole questions typed without spaces.
    ("催收短信怎么投诉", Some(SMS)),
    ("爆通讯录了该报警吗", Some(CONTACTS)),
    ("欠钱超过三年还要还吗", Some(LIMITATION)),
    ("借款APP能不能读取我的相册", Some(PERMISSIONS)),
    ("还不上钱能不能分期", Some(INSTALMENTS)),
    ("收到律师函会被起诉吗", Some(LAWYER)),
    ("催收电话晚上几点以后不能打", Some(NIGHT)),
    ("身份证号被泄露", Some(LEAK)),
    // Chinese mixed with Latin letters and digits.
    ("LPR四倍", Some(LPR)),
    ("lpr 四倍", Some(LPR)),
    ("12378投诉", Some(HOTLINE)),
    ("APP权限", Some(PERMISSIONS)),
    // Partial Latin words (prefix of the last word).
    ("lp", Some(LPR)),
    ("1237", Some(HOTLINE)),
    // Full-width input.
    ("ＬＰＲ", Some(LPR)),
    ("１２３７８", Some(HOTLINE)),
    // Only in one FAQ answer (payment-order: "法院通常用挂号信邮寄…").
    ("挂号信", Some(PAYMENT_ORDER)),
    // Nothing on the site.
    ("火星探测器", None),
    ("xyzzy", None),
    ("足球世界杯", None),
];

/// A copy of the search fixture and the folder its site was built into.
struct Site {
    _root: TempDir,
    out: PathBuf,
}

/// Builds the fixture into `ROOT/OUT_REL` with the extra `args`.
#[track_caller]
fn build_site(out_rel: &str, args: &[&str]) -> Site {
    let root = copy_fixture("search");
    let out = root.path().join(out_rel);
    let out_arg = out.to_str().expect("temp paths are UTF-8");
    let mut all = vec!["--output", out_arg];
    all.extend_from_slice(args);
    assert_success(&build(root.path(), &all));
    assert!(out.join("search/manifest.js").is_file(), "no search index");
    Site { _root: root, out }
}

fn encode(query: &str) -> String {
    utf8_percent_encode(query, NON_ALPHANUMERIC).to_string()
}

/// What the search page showed for one query.
#[derive(Debug)]
struct Shown {
    titles: Vec<String>,
    /// `href` of each result link, resolved.
    hrefs: Vec<String>,
    /// `<mark>` count in each result.
    marks: Vec<u64>,
    empty_shown: bool,
}

/// Opens `search_page` (the search page's URL without a query) with `?q=QUERY` and reads
/// the results once the page says it is done.
fn run_query(page: &Page, search_page: &str, query: &str) -> Result<Shown, String> {
    page.goto(&format!("{search_page}?q={}", encode(query)));
    page.wait_for("document.body.dataset.searchState === 'done'", WAIT)?;
    let v = page.eval(
        "(() => {
          const items = Array.from(document.querySelectorAll('#search-results > li'));
          return {
            titles: items.map(li => li.querySelector('a').textContent),
            hrefs: items.map(li => li.querySelector('a').href),
            marks: items.map(li => li.querySelectorAll('mark').length),
            empty: !document.getElementById('search-empty').hidden,
            input: document.getElementById('site-search-input').value,
          };
        })()",
    );
    if v["input"] != json!(query) {
        return Err(format!("the search box shows {} instead", v["input"]));
    }
    let strings = |key: &str| -> Vec<String> {
        serde_json::from_value(v[key].clone()).expect("an array of strings")
    };
    Ok(Shown {
        titles: strings("titles"),
        hrefs: strings("hrefs"),
        marks: serde_json::from_value(v["marks"].clone()).expect("an array of counts"),
        empty_shown: v["empty"] == Value::Bool(true),
    })
}

/// Runs every query and returns one line per miss (the expected title not in the top 3,
/// no `<mark>` in its snippet (a small site's docs keep their text: every match is shown),
/// or an empty state that is wrong).
fn misses(page: &Page, search_page: &str, queries: &[(&str, Option<&str>)]) -> Vec<String> {
    let mut out = Vec::new();
    for &(query, expected) in queries {
        let shown = match run_query(page, search_page, query) {
            Ok(shown) => shown,
            Err(e) => {
                out.push(format!("{query:?}: {e}"));
                continue;
            }
        };
        let top: Vec<&str> = shown.titles.iter().take(5).map(String::as_str).collect();
        match expected {
            Some(title) => match shown.titles.iter().take(3).position(|t| t == title) {
                None => out.push(format!(
                    "{query:?}: want {title:?} in the top 3, got {top:?}"
                )),
                Some(_) if shown.empty_shown => {
                    out.push(format!("{query:?}: #search-empty shown beside results"))
                }
                Some(i) if shown.marks[i] == 0 => {
                    out.push(format!("{query:?}: no <mark> in the snippet of {title:?}"))
                }
                Some(_) => {}
            },
            None => {
                if !shown.titles.is_empty() || !shown.empty_shown {
                    out.push(format!(
                        "{query:?}: want no results and #search-empty shown, got {top:?} \
                         (#search-empty shown: {})",
                        shown.empty_shown
                    ));
                }
            }
        }
    }
    out
}

#[track_caller]
fn assert_no_js_errors(page: &Page) {
    let errors = page.js_errors();
    assert!(errors.is_empty(), "JS errors: {errors:#?}");
}

/// What a browser percent-encodes in a URL path.
const PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// The file:// URL of a file in a built site, as the browser writes it.
fn file_url(path: &Path) -> String {
    let path = path.to_str().expect("temp paths are UTF-8");
    format!("file://{}", utf8_percent_encode(path, PATH))
}

/// Requests that did not succeed, apart from the browser's own favicon probe and missing
/// prefix lists.
fn failed_requests(server: &StaticServer) -> Vec<String> {
    server
        .requests()
        .into_iter()
        // A Latin word's prefix list is fetched by its first letter; a letter no word on
        // the site starts with has no list, and the client takes the 404 as "no words".
        .filter(|r| r.status != 200 && !r.url.ends_with("/favicon.ico"))
        .filter(|r| !(r.status == 404 && r.url.contains("/search/p/")))
        .map(|r| format!("{} → {}", r.url, r.status))
        .collect()
}

#[test]
fn search_page_finds_the_right_article_for_chinese_and_mixed_queries() {
    let site = build_site("public", &[]);
    let server = StaticServer::start(&site.out);
    let Some(b) = browser() else { return };
    let page = b.page(1280, 800);
    let search_page = server.url("/search/");

    let misses = misses(&page, &search_page, QUERIES);
    assert!(
        misses.is_empty(),
        "{} of {} queries missed:\n  {}",
        misses.len(),
        QUERIES.len(),
        misses.join("\n  ")
    );

    // Results link to the article, with the query for highlighting.
    let shown = run_query(&page, &search_page, "支付令").unwrap();
    assert_eq!(shown.titles[0], PAYMENT_ORDER);
    let href = &shown.hrefs[0];
    assert!(
        href.starts_with(&server.url("/loans/payment-order/?hl=")),
        "{href}"
    );
    // An empty query shows neither results nor the empty state.
    page.goto(&search_page);
    page.wait_for("document.body.dataset.searchState === 'done'", WAIT)
        .unwrap();
    assert_eq!(
        page.eval(
            "[document.querySelectorAll('#search-results li').length, \
             document.getElementById('search-empty').hidden]"
        ),
        json!([0, true])
    );
    assert_no_js_errors(&page);
    let failed = failed_requests(&server);
    assert!(failed.is_empty(), "{failed:?}");
}

/// The few queries the sub-path and portable builds run.
const SOME_QUERIES: &[(&str, Option<&str>)] = &[
    ("催收短信怎么投诉", Some(SMS)),
    ("LPR四倍", Some(LPR)),
    ("1237", Some(HOTLINE)),
    ("挂号信", Some(PAYMENT_ORDER)),
    ("火星探测器", None),
];

#[test]
fn search_works_under_a_sub_path() {
    // Served from www/, so the site lives at /kb/.
    let site = build_site("www/kb", &["--base-url", "/kb/"]);
    let server = StaticServer::start(site.out.parent().unwrap());
    let Some(b) = browser() else { return };
    let page = b.page(1280, 800);
    let search_page = server.url("/kb/search/");

    let misses = misses(&page, &search_page, SOME_QUERIES);
    assert!(misses.is_empty(), "misses:\n  {}", misses.join("\n  "));

    let shown = run_query(&page, &search_page, "分期").unwrap();
    assert_eq!(shown.titles.first().map(String::as_str), Some(INSTALMENTS));
    let href = shown.hrefs[0].clone();
    assert!(
        href.starts_with(&server.url("/kb/loans/installments/?hl=")),
        "{href}"
    );
    page.goto(&href);
    assert_eq!(page.text("main h1"), INSTALMENTS);
    assert_no_js_errors(&page);

    let requests = server.requests();
    let index_files: Vec<_> = requests
        .iter()
        .filter(|r| r.url.contains("/search/") && r.url.ends_with(".js"))
        .collect();
    assert!(!index_files.is_empty(), "no index file was fetched");
    assert!(
        index_files.iter().all(|r| r.url.starts_with("/kb/search/")),
        "{index_files:?}"
    );
    let failed = failed_requests(&server);
    assert!(failed.is_empty(), "{failed:?}");
}

#[test]
fn portable_search_works_from_file_urls() {
    let site = build_site("public", &["--portable"]);
    let Some(b) = browser() else { return };
    let page = b.page(1280, 800);
    let search_page = file_url(&site.out.join("search/index.html"));

    let misses = misses(&page, &search_page, SOME_QUERIES);
    assert!(misses.is_empty(), "misses:\n  {}", misses.join("\n  "));

    let shown = run_query(&page, &search_page, "LPR四倍").unwrap();
    let href = shown.hrefs[0].clone();
    let article = file_url(&site.out.join("loans/lpr-four-times/index.html"));
    assert!(href.starts_with(&format!("{article}?hl=")), "{href}");
    page.goto(&href);
    assert_eq!(page.text("main h1"), LPR);
    page.wait_for("document.querySelector('main mark.search-hl')", WAIT)
        .unwrap();
    assert_no_js_errors(&page);
    // No fetch: every index file came in as a script from disk.
    let remote: Vec<_> = page
        .transfers()
        .into_iter()
        .filter(|t| !t.url.starts_with("file://"))
        .collect();
    assert!(remote.is_empty(), "{remote:?}");
}

/// `[id of the active option or null, aria-selected of every option]`.
const ACTIVE: &str = "(() => {
  const input = document.getElementById('site-search-input');
  const opts = Array.from(document.querySelectorAll('#site-search-popup [role=option]'));
  return [input.getAttribute('aria-activedescendant'), opts.map(o => o.getAttribute('aria-selected'))];
})()";

fn selected(n: usize, active: usize) -> Value {
    let flags: Vec<&str> = (0..n)
        .map(|i| if i == active { "true" } else { "false" })
        .collect();
    json!([format!("site-search-opt-{active}"), flags])
}

/// JS: the header popup is open with at least `min` options, all for `query` (each option
/// carries its query in `?hl=`; typing Chinese fires one input event per character, and the
/// popup must not be read while it still shows an earlier prefix of the query).
fn popup_shows(query: &str, min: usize) -> String {
    format!(
        "(() => {{
          const opts = Array.from(document.querySelectorAll('#site-search-popup [role=option]'));
          return !document.getElementById('site-search-popup').hidden && opts.length >= {min}
            && opts.every(o => new URL(o.href).searchParams.get('hl') === {query});
        }})()",
        query = json!(query)
    )
}

#[test]
fn keyboard_drives_the_header_search() {
    let site = build_site("public", &[]);
    let server = StaticServer::start(&site.out);
    let Some(b) = browser() else { return };
    let page = b.page(1280, 800);
    page.goto(&server.url("/privacy/info-leak/"));

    // "/" focuses the search box without typing itself.
    page.press_key("/");
    assert_eq!(
        page.eval("[document.activeElement.id, document.activeElement.value]"),
        json!(["site-search-input", ""])
    );

    page.type_text("#site-search-input", "投诉");
    page.wait_for(&popup_shows("投诉", 2), WAIT).unwrap();
    let n = page
        .eval("document.querySelectorAll('#site-search-popup [role=option]').length")
        .as_u64()
        .unwrap() as usize;
    assert_eq!(
        page.eval("document.getElementById('site-search-input').getAttribute('aria-expanded')"),
        json!("true")
    );
    // The live region announces the count.
    page.wait_for(
        "/\\d/.test(document.getElementById('site-search-status').textContent)",
        WAIT,
    )
    .unwrap();
    let status = page.text("#site-search-status");
    let count: usize = status
        .chars()
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap();
    assert!(
        count >= n,
        "status {status:?} announces fewer than the {n} options"
    );
    assert_eq!(
        page.eval("document.getElementById('site-search-status').getAttribute('aria-live')"),
        json!("polite")
    );

    // Arrow keys move the active option.
    assert_eq!(page.eval(ACTIVE)[0], Value::Null);
    page.press_key("ArrowDown");
    assert_eq!(page.eval(ACTIVE), selected(n, 0));
    page.press_key("ArrowDown");
    assert_eq!(page.eval(ACTIVE), selected(n, 1));
    page.press_key("ArrowUp");
    assert_eq!(page.eval(ACTIVE), selected(n, 0));

    // Escape closes the popup and keeps the focus in the box.
    page.press_key("Escape");
    assert_eq!(
        page.eval(
            "(() => { const i = document.getElementById('site-search-input');
               return [document.getElementById('site-search-popup').hidden,
                       i.getAttribute('aria-expanded'), i.getAttribute('aria-activedescendant'),
                       document.activeElement === i]; })()"
        ),
        json!([true, "false", null, true])
    );

    // A new query; Enter opens the active option.
    page.eval("document.getElementById('site-search-input').value = ''");
    page.type_text("#site-search-input", "支付令");
    page.wait_for(&popup_shows("支付令", 1), WAIT).unwrap();
    assert_eq!(
        page.text("#site-search-popup [role=option] .search-option-title"),
        PAYMENT_ORDER
    );
    page.press_key("ArrowDown");
    assert_eq!(page.eval(ACTIVE)[0], json!("site-search-opt-0"));
    page.press_key("Enter");
    page.wait_for(
        "location.pathname === '/loans/payment-order/' && document.readyState === 'complete'",
        WAIT,
    )
    .unwrap();
    assert_eq!(page.text("main h1"), PAYMENT_ORDER);
    page.wait_for("document.querySelector('main mark.search-hl')", WAIT)
        .unwrap();
    assert_no_js_errors(&page);
}

#[test]
fn opening_a_result_highlights_the_matched_terms() {
    let site = build_site("public", &[]);
    let server = StaticServer::start(&site.out);
    let Some(b) = browser() else { return };
    let page = b.page(1280, 800);
    let search_page = server.url("/search/");
    let marks = "Array.from(document.querySelectorAll('main mark.search-hl'), m => m.textContent)";

    // A body match: the marks are the query's terms.
    let shown = run_query(&page, &search_page, "LPR四倍").unwrap();
    assert_eq!(shown.titles[0], LPR);
    page.goto(&shown.hrefs[0]);
    page.wait_for("document.querySelector('main mark.search-hl')", WAIT)
        .unwrap();
    let found: Vec<String> = serde_json::from_value(page.eval(marks)).unwrap();
    assert!(found.iter().any(|m| m == "LPR"), "{found:?}");
    assert!(found.iter().any(|m| m == "四倍"), "{found:?}");
    assert!(
        found
            .iter()
            .all(|m| m.eq_ignore_ascii_case("lpr") || m == "四倍"),
        "{found:?}"
    );
    // The query leaves the address bar once the terms are marked.
    assert!(!page.url().contains("hl="), "{}", page.url());

    // A word found only in an FAQ answer: the result lands on that answer, opened and marked.
    let shown = run_query(&page, &search_page, "挂号信").unwrap();
    assert_eq!(shown.titles[0], PAYMENT_ORDER);
    let href = shown.hrefs[0].clone();
    assert!(href.contains("#faq-"), "{href}");
    page.goto(&href);
    page.wait_for("document.querySelector('main mark.search-hl')", WAIT)
        .unwrap();
    let found: Vec<String> = serde_json::from_value(page.eval(marks)).unwrap();
    assert_eq!(found, ["挂号信"]);
    assert_eq!(
        page.eval(
            "(() => { const t = document.getElementById(decodeURIComponent(location.hash.slice(1)));
               return [t && t.tagName, t && t.open, !!(t && t.querySelector('mark.search-hl'))]; })()"
        ),
        json!(["DETAILS", true, true])
    );
    assert_no_js_errors(&page);
}

#[test]
fn the_index_loads_only_when_search_is_used() {
    let site = build_site("public", &[]);
    let server = StaticServer::start(&site.out);
    let Some(b) = browser() else { return };
    let page = b.page(1280, 800);
    let index_files = |page: &Page| -> Vec<String> {
        page.transfers()
            .into_iter()
            .map(|t| t.url)
            .filter(|u| u.contains("/search/"))
            .collect()
    };

    page.goto(&server.url("/loans/lpr-four-times/"));
    page.wait_for("window.__kbgenSearch && window.__kbgenSearch._core", WAIT)
        .unwrap();
    assert!(
        page.transfers()
            .iter()
            .any(|t| t.url.ends_with("/static/search.js")),
        "search.js is loaded on every page"
    );
    // Give a stray eager load time to show itself.
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(index_files(&page), Vec::<String>::new());

    // Focusing the box loads the manifest, and nothing else yet.
    page.press_key("/");
    let start = Instant::now();
    while !index_files(&page)
        .iter()
        .any(|u| u.ends_with("/search/manifest.js"))
    {
        assert!(
            start.elapsed() < WAIT,
            "focusing the search box fetched no search/manifest.js: {:?}",
            page.transfers()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(
        index_files(&page),
        [server.url("/search/manifest.js")],
        "focus alone loads only the manifest"
    );

    // A query loads the shards it needs and the shown results' texts.
    page.type_text("#site-search-input", "分期");
    page.wait_for(
        "document.querySelector('#site-search-popup [role=option]')",
        WAIT,
    )
    .unwrap();
    let files = index_files(&page);
    assert!(files.iter().any(|u| u.contains("/search/s/")), "{files:?}");
    assert!(files.iter().any(|u| u.contains("/search/d/")), "{files:?}");
    assert_no_js_errors(&page);
}

/// With the popup open and an option chosen by keyboard, nothing sticks out of the window, at
/// desktop and phone widths: no sideways scroll (issue 14: a second, left-anchored
/// `min-width: min(32rem, 90vw)` rule let the popup run past the right edge at 1280 px, and
/// ArrowDown scrolled the page sideways). `KBGEN_SCREENSHOTS=DIR` saves what the window shows.
#[test]
fn the_search_popup_stays_inside_the_window_at_desktop_and_phone_widths() {
    let site = build_site("public", &[]);
    let server = StaticServer::start(&site.out);
    let Some(b) = browser() else { return };
    // The bundled site too: its longer title puts the box elsewhere in the header.
    let (_bundled, bundled_out) = crate::support::site::build_bundled(&[]);
    let bundled_server = StaticServer::start(&bundled_out);
    for (width, height, server, path) in [
        (1280, 800, &server, "/privacy/info-leak/"),
        (390, 844, &server, "/privacy/info-leak/"),
        (1280, 800, &bundled_server, "/collection/"),
        (390, 844, &bundled_server, "/collection/"),
    ] {
        let page = b.page(width, height);
        page.goto(&server.url(path));
        let shot = |what: &str| {
            if let Some(dir) = std::env::var_os("KBGEN_SCREENSHOTS") {
                let name = format!(
                    "popup-{}-{width}-{what}.png",
                    path.trim_matches('/').replace('/', "-")
                );
                page.screenshot_viewport_png(&Path::new(&dir).join(name));
            }
        };
        shot("closed");
        page.type_text("#site-search-input", "投诉");
        page.wait_for(&popup_shows("投诉", 2), WAIT).unwrap();
        page.press_key("ArrowDown");
        page.press_key("ArrowDown");
        let geometry = page.eval(
            "(() => { const r = document.getElementById('site-search-popup').getBoundingClientRect(); \
             return [r.left, r.right, window.innerWidth, document.documentElement.scrollWidth, \
             window.scrollX]; })()",
        );
        let g: Vec<f64> = serde_json::from_value(geometry).unwrap();
        let (left, right, inner, scroll_width, scroll_x) = (g[0], g[1], g[2], g[3], g[4]);
        assert!(
            left >= 0.0 && right <= inner + 0.5,
            "{width} px: the popup spans {left}..{right} of a {inner} px window"
        );
        assert!(
            scroll_width <= inner + 0.5 && scroll_x == 0.0,
            "{width} px: the page scrolls sideways (scrollWidth {scroll_width}, scrollX {scroll_x})"
        );
        shot("open");
        assert_no_js_errors(&page);
    }
}

/// "按 / 键可快速搜索" is for keyboards: hidden where the main pointer is a finger (a phone at
/// 390 px and a tablet, in Chromium's touch emulation: `pointer: coarse`, `hover: none`),
/// shown with a mouse, in a wide window and a narrow one alike (issue 14: it showed on phones);
/// the page does not scroll sideways with the popup open, touch or not.
#[test]
fn the_slash_key_hint_shows_only_where_there_is_a_keyboard() {
    let site = build_site("public", &[]);
    let server = StaticServer::start(&site.out);
    let Some(b) = browser() else { return };
    for (width, height, touch, shown) in [
        (390, 844, true, false),
        (1024, 768, true, false),
        (390, 844, false, true),
        (1280, 800, false, true),
    ] {
        let page = b.page(width, height);
        page.set_touch(touch);
        page.goto(&server.url("/search/"));
        assert_eq!(
            page.eval("matchMedia('(pointer: coarse)').matches"),
            json!(touch),
            "{width} px, touch {touch}: the emulation did not take"
        );
        let hint = page.eval(
            "(() => { const h = document.querySelector('.search-hint'); \
             return h && [h.textContent, getComputedStyle(h).display, h.offsetHeight > 0]; })()",
        );
        assert_eq!(hint[0], json!("按 / 键可快速搜索"), "{width} px: {hint}");
        if shown {
            assert!(
                hint[1] != json!("none") && hint[2] == json!(true),
                "{width} px with a mouse: the hint is hidden ({hint})"
            );
        } else {
            assert_eq!(
                (&hint[1], &hint[2]),
                (&json!("none"), &json!(false)),
                "{width} px, touch: the hint shows ({hint})"
            );
        }
        // And with the header popup open, nothing runs past the window's right edge.
        page.type_text("#site-search-input", "投诉");
        page.wait_for(&popup_shows("投诉", 2), WAIT).unwrap();
        page.press_key("ArrowDown");
        assert_eq!(
            page.eval("document.documentElement.scrollWidth <= innerWidth && scrollX === 0"),
            json!(true),
            "{width} px, touch {touch}: the page scrolls sideways with the popup open"
        );
    }
}

/// Readers type pinyin, initials, Traditional characters and their own words: each finds its
/// article in the top 3 (issue 16), while real Latin words keep their literal matches.
#[test]
fn pinyin_initials_traditional_and_synonyms_find_their_articles() {
    let site = build_site("public", &[]);
    let server = StaticServer::start(&site.out);
    let Some(b) = browser() else { return };
    let page = b.page(1280, 800);
    let search_page = server.url("/search/");
    let queries: &[(&str, Option<&str>)] = &[
        // Full pinyin, run together or spaced, of a title's words.
        ("cuishou duanxin", Some(SMS)),
        ("cui shou duan xin", Some(SMS)),
        ("zhifuling", Some(PAYMENT_ORDER)),
        ("geren xinxi xielou", Some(LEAK)),
        // Initials.
        ("zfl", Some(PAYMENT_ORDER)),
        ("txl", Some(CONTACTS)),
        // Traditional characters (洩 → 泄, 訊錄 → 讯录, 們 → 们, 個 → 个).
        ("個人信息洩露", Some(LEAK)),
        ("通訊錄被爆", Some(CONTACTS)),
        ("支付令後怎麼做", Some(PAYMENT_ORDER)),
        // Synonyms from kbgen.yaml (the titles say 通讯录被爆, 网贷).
        ("联系人被打电话", Some(CONTACTS)),
        ("网络贷款分期", Some(INSTALMENTS)),
        // Latin words that are real words stay literal.
        ("LPR", Some(LPR)),
        ("APP", Some(PERMISSIONS)),
        ("xyzzy", None),
    ];
    let misses = misses(&page, &search_page, queries);
    assert!(
        misses.is_empty(),
        "{} of {} queries missed:\n  {}",
        misses.len(),
        queries.len(),
        misses.join("\n  ")
    );
    // A pinyin result's link highlights the Han terms it matched, not the letters.
    let shown = run_query(&page, &search_page, "zhifuling").unwrap();
    let href = &shown.hrefs[0];
    page.goto(href);
    page.wait_for("document.querySelector('mark.search-hl') !== null", WAIT)
        .unwrap_or_else(|e| panic!("{href}: {e}"));
    let marked = page.eval("document.querySelector('mark.search-hl').textContent");
    assert!(
        marked.as_str().is_some_and(|m| "支付令".contains(m)),
        "{marked}"
    );
    assert_no_js_errors(&page);
    let failed = failed_requests(&server);
    assert!(failed.is_empty(), "{failed:?}");
}

/// Nothing matches: the empty state names terms of the site near the query and the FAQ page,
/// on the search page and in the header popup.
#[test]
fn the_empty_state_suggests_the_nearest_terms_and_the_faq() {
    let site = build_site("public", &[]);
    let server = StaticServer::start(&site.out);
    let Some(b) = browser() else { return };
    let page = b.page(1280, 800);
    let search_page = server.url("/search/");
    // Only 催收 of 火星探测催收 is on the site: under half the query, so no result.
    let shown = run_query(&page, &search_page, "火星探测催收").unwrap();
    assert!(shown.titles.is_empty() && shown.empty_shown, "{shown:?}");
    page.wait_for("!document.getElementById('search-suggest').hidden", WAIT)
        .unwrap();
    let links = page.eval(
        "Array.from(document.querySelectorAll('#search-suggest a')).map(a => [a.textContent, a.getAttribute('href')])",
    );
    let links: Vec<(String, String)> = serde_json::from_value(links).unwrap();
    assert_eq!(
        links.first().map(|l| l.0.as_str()),
        Some("催收"),
        "the nearest term first: {links:?}"
    );
    assert!(links[0].1.ends_with("/tags/催收/"), "{links:?}");
    let faq = links.last().unwrap();
    assert!(faq.1.ends_with("/faq/"), "the FAQ page last: {links:?}");
    // Each suggestion leads somewhere that exists (the server saw no failed request).
    for (_, href) in &links {
        let url = url::Url::parse(&search_page).unwrap().join(href).unwrap();
        page.goto(url.as_str());
    }
    let failed = failed_requests(&server);
    assert!(failed.is_empty(), "{failed:?}");

    // The header popup shows the same as options.
    page.goto(&server.url("/"));
    page.type_text("#site-search-input", "火星探测催收");
    page.wait_for(
        "document.querySelector('#site-search-popup .search-suggestion') !== null",
        WAIT,
    )
    .unwrap();
    let first =
        page.eval("document.querySelector('#site-search-popup .search-suggestion').textContent");
    assert_eq!(first, json!("催收"));
    assert_no_js_errors(&page);
}

/// Results filter by section and taxonomy term; the URL keeps the filter, and opening it
/// applies it again.
#[test]
fn search_results_filter_by_section_and_term() {
    let site = build_site("public", &[]);
    let server = StaticServer::start(&site.out);
    let Some(b) = browser() else { return };
    let page = b.page(1280, 900);
    let search_page = server.url("/search/");
    let all = run_query(&page, &search_page, "个人信息").unwrap();
    assert!(all.titles.len() >= 3, "{all:?}");
    page.wait_for("!document.getElementById('search-filters').hidden", WAIT)
        .unwrap_or_else(|e| {
            panic!(
                "{e}: {:?} {}",
                page.js_errors(),
                page.eval("document.getElementById('search-filters').outerHTML")
            )
        });
    page.eval("document.querySelector('#search-filters summary').click()");
    page.wait_for(
        "document.querySelector('#search-filters button[data-value=\"举报\"]') !== null",
        WAIT,
    )
    .unwrap_or_else(|e| {
        panic!(
            "{e}: {:?} {}",
            page.js_errors(),
            page.eval("document.getElementById('search-filters').outerHTML")
        )
    });
    // Chips count the query's results: 举报 is a remedy of some of them only (the fixture's
    // 个人信息 results span two sections and four remedies).
    let count = page.eval(
        "document.querySelector('#search-filters button[data-value=\"举报\"] span').textContent",
    );
    let n: usize = count.as_str().unwrap().parse().unwrap();
    assert!(n >= 1 && n < all.titles.len(), "举报 chip counts {n}");
    page.eval("document.querySelector('#search-filters button[data-value=\"举报\"]').click()");
    page.wait_for(
        &format!("document.querySelectorAll('#search-results > li').length === {n}"),
        WAIT,
    )
    .unwrap();
    let url = page.eval("location.href");
    let url = url.as_str().unwrap().to_string();
    // As section and term pages write it: the taxonomy's key and the term's slug.
    assert!(url.contains("remedy_type=%E4%B8%BE%E6%8A%A5"), "{url}");
    let filtered = page.eval(
        "Array.from(document.querySelectorAll('#search-results > li > a')).map(a => a.textContent)",
    );
    // Those are exactly the results whose article is tagged 举报.
    let filtered: Vec<String> = serde_json::from_value(filtered).unwrap();
    for title in &filtered {
        assert!(
            [LAWYER, PERMISSIONS, LEAK].contains(&title.as_str()),
            "{title} is not a 举报 article"
        );
    }
    // The shared URL applies the filter on load.
    page.goto(&url);
    page.wait_for("document.body.dataset.searchState === 'done'", WAIT)
        .unwrap();
    let again = page.eval(
        "Array.from(document.querySelectorAll('#search-results > li > a')).map(a => a.textContent)",
    );
    assert_eq!(again, json!(filtered));
    // A section filter too (AND with the term): 个人信息保护 ∩ 举报.
    let url2 = format!(
        "{search_page}?q={}&section={}&remedy_type={}",
        encode("个人信息"),
        encode("个人信息保护"),
        encode("举报")
    );
    page.goto(&url2);
    page.wait_for("document.body.dataset.searchState === 'done'", WAIT)
        .unwrap();
    let both = page.eval(
        "Array.from(document.querySelectorAll('#search-results > li > a')).map(a => a.textContent)",
    );
    let both: Vec<String> = serde_json::from_value(both).unwrap();
    assert!(!both.is_empty(), "{url2}");
    for title in &both {
        assert!([PERMISSIONS, LEAK].contains(&title.as_str()), "{title}");
    }
    assert_no_js_errors(&page);
}

/// A site written in Traditional characters (tests/fixtures/site-config, zh-TW): its index
/// holds Simplified forms, the manifest says so, and queries in either script find it with
/// the match marked in the Traditional text.
#[test]
fn a_traditional_site_is_found_in_either_script() {
    let root = copy_fixture("site-config");
    let out = root.path().join("public");
    assert_success(&build(
        root.path(),
        &["--output", out.to_str().expect("temp paths are UTF-8")],
    ));
    let manifest = std::fs::read_to_string(out.join("search/manifest.js")).unwrap();
    assert!(manifest.contains(r#""tr":1"#), "{manifest}");
    let server = StaticServer::start(&out);
    let Some(b) = browser() else { return };
    let page = b.page(1280, 800);
    let search_page = server.url("/search/");
    for query in ["如何申訴", "如何申诉", "rhss"] {
        let shown = run_query(&page, &search_page, query).unwrap();
        let at = shown.titles.iter().take(3).position(|t| t == "如何申訴");
        assert!(at.is_some(), "{query}: {shown:?}");
        assert!(
            shown.marks[at.unwrap()] > 0,
            "{query}: no <mark>: {shown:?}"
        );
    }
    assert_no_js_errors(&page);
}
