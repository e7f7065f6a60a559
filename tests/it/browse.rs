//! The browse page (issue 16): its counts are the articles' terms, read back from the built
//! article pages (their `rel="tag"` links), each cell's page lists exactly its articles, and it
//! works at a sub-path, from disk (`--portable`) and in the sitemap; the filter chips of
//! section and term pages in Chromium, with the filter kept in the URL.

use crate::support::browser::{browser, Page};
use crate::support::server::StaticServer;
use crate::support::site::{
    assert_success, build, copy_fixture, crawl, crawl_portable, html_files, kbgen, page_url,
    parse_html, read, sel, stderr,
};
use scraper::{ElementRef, Html};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .unwrap_or_else(|e| panic!("{s} is not UTF-8 once decoded: {e}"))
        .into_owned()
}

fn text_of(el: ElementRef<'_>) -> String {
    el.text().collect::<String>().trim().to_string()
}

/// The term folder an href names under `segment` (`/legal-basis/民法典/` → `民法典`).
fn term_of(href: &str, segment: &str) -> Option<String> {
    let path = decode(href);
    let rest = path.split_once(&format!("/{segment}/"))?.1;
    let term = rest.trim_end_matches("index.html").trim_end_matches('/');
    (!term.is_empty() && !term.contains('/')).then(|| term.to_string())
}

/// The site built into `public/` with `extra` arguments.
fn built(extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let site = copy_fixture("browse");
    let out = build(site.path(), extra);
    assert_success(&out);
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
    let public = site.path().join("public");
    (site, public)
}

/// The fixture built with its kbgen.yaml changed by `edit`: the site, its output and the
/// browse page with its `h1`s.
fn built_with_config(
    edit: impl FnOnce(String) -> String,
) -> (tempfile::TempDir, PathBuf, Html, Vec<String>) {
    let site = copy_fixture("browse");
    let yaml = site.path().join("kbgen.yaml");
    std::fs::write(&yaml, edit(read(&yaml))).unwrap();
    let out = build(site.path(), &[]);
    assert_success(&out);
    let public = site.path().join("public");
    let doc = parse_html(&public.join("browse/index.html"));
    let h1 = doc.select(&sel("main h1")).map(text_of).collect();
    (site, public, doc, h1)
}

/// Each article page's URL (as served at `/`) with its legal basis and remedy folders, read
/// from its `rel="tag"` links.
fn articles_terms(public: &Path) -> BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)> {
    let mut out = BTreeMap::new();
    for file in html_files(public) {
        let doc = parse_html(&file);
        if doc.select(&sel("main article h1")).next().is_none() {
            continue;
        }
        let tags: Vec<String> = doc
            .select(&sel("a[rel=tag]"))
            .filter_map(|a| a.value().attr("href").map(str::to_string))
            .collect();
        let of = |segment: &str| -> BTreeSet<String> {
            tags.iter().filter_map(|h| term_of(h, segment)).collect()
        };
        out.insert(
            page_url(public, &file, "/"),
            (of("legal-basis"), of("remedy-type")),
        );
    }
    out
}

/// The matrix as the browse page shows it: (row term, column term) → (count shown, cell
/// page href when it is a link), and the totals of rows, columns and the whole.
struct Shown {
    cells: BTreeMap<(String, String), (usize, Option<String>)>,
    row_totals: BTreeMap<String, usize>,
    column_totals: BTreeMap<String, usize>,
    total: usize,
}

/// A cell's number: its digits, `–` for none.
fn count_in(cell: ElementRef<'_>) -> usize {
    let shown = cell
        .select(&sel("[aria-hidden=true]"))
        .next()
        .map(text_of)
        .unwrap_or_default();
    let said = cell
        .select(&sel(".visually-hidden"))
        .next()
        .map(text_of)
        .unwrap_or_default();
    let n = if shown == "–" {
        0
    } else {
        shown.parse().unwrap_or_else(|_| panic!("cell `{shown}`"))
    };
    // What a screen reader hears says the same number, in words.
    assert_eq!(
        said,
        format!("{n} 篇文章"),
        "the hidden text of a cell of {n}"
    );
    n
}

fn matrix(doc: &Html) -> Shown {
    let table = doc
        .select(&sel("main table.browse-matrix"))
        .next()
        .expect("the matrix");
    assert_eq!(
        table.select(&sel("caption")).count(),
        1,
        "a table with a caption"
    );
    let columns: Vec<Option<String>> = table
        .select(&sel("thead th[scope=col]"))
        .skip(1)
        .map(|th| {
            th.select(&sel("a"))
                .next()
                .and_then(|a| term_of(a.value().attr("href").unwrap_or_default(), "remedy-type"))
        })
        .collect();
    assert_eq!(
        columns.last(),
        Some(&None),
        "the last column is the totals'"
    );
    let columns: Vec<String> = columns[..columns.len() - 1]
        .iter()
        .map(|c| c.clone().expect("a column header links its term page"))
        .collect();
    let mut shown = Shown {
        cells: BTreeMap::new(),
        row_totals: BTreeMap::new(),
        column_totals: BTreeMap::new(),
        total: 0,
    };
    for tr in table.select(&sel("tbody tr")) {
        let th = tr
            .select(&sel("th[scope=row]"))
            .next()
            .expect("a row header");
        let row = th
            .select(&sel("a"))
            .next()
            .and_then(|a| term_of(a.value().attr("href").unwrap_or_default(), "legal-basis"))
            .expect("a row header links its term page");
        let tds: Vec<ElementRef> = tr.select(&sel("td")).collect();
        assert_eq!(
            tds.len(),
            columns.len() + 1,
            "row {row}: one cell per column and a total"
        );
        for (col, td) in columns.iter().zip(&tds) {
            let href = td
                .select(&sel("a"))
                .next()
                .and_then(|a| a.value().attr("href").map(str::to_string));
            shown
                .cells
                .insert((row.clone(), col.clone()), (count_in(*td), href));
        }
        shown.row_totals.insert(row, count_in(tds[columns.len()]));
    }
    let foot: Vec<ElementRef> = table.select(&sel("tfoot td")).collect();
    assert_eq!(foot.len(), columns.len() + 1);
    for (col, td) in columns.iter().zip(&foot) {
        shown.column_totals.insert(col.clone(), count_in(*td));
    }
    shown.total = count_in(foot[columns.len()]);
    shown
}

/// The article URLs of a cell page's cards.
fn cards(doc: &Html) -> BTreeSet<String> {
    doc.select(&sel("main .card-title a"))
        .map(|a| a.value().attr("href").unwrap_or_default().to_string())
        .collect()
}

#[test]
fn the_browse_page_counts_equal_the_articles_terms_and_each_cell_lists_its_articles() {
    let (_site, public) = built(&[]);
    let terms = articles_terms(&public);
    assert_eq!(terms.len(), 8, "the fixture's articles: {terms:?}");
    // What the matrix must show, from the article pages alone.
    let mut want: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    let mut rows: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    let mut columns: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    let mut both = 0;
    for (url, (bases, remedies)) in &terms {
        if bases.is_empty() || remedies.is_empty() {
            continue;
        }
        both += 1;
        for b in bases {
            rows.entry(b.clone()).or_default().insert(url);
            for r in remedies {
                want.entry((b.clone(), r.clone()))
                    .or_default()
                    .insert(url.clone());
                columns.entry(r.clone()).or_default().insert(url);
            }
        }
    }
    // The fixture is what this test thinks it is: an alias folded, an article in two cells
    // of a row, articles left out for want of one taxonomy.
    assert_eq!(both, 5);
    assert!(
        want.contains_key(&("民法典".into(), "报警".into())),
        "《民法典》 folds into 民法典"
    );
    assert_eq!(want[&("民法典".to_string(), "投诉".to_string())].len(), 2);

    let doc = parse_html(&public.join("browse/index.html"));
    let shown = matrix(&doc);
    let row_names: BTreeSet<&String> = shown.cells.keys().map(|(r, _)| r).collect();
    let column_names: BTreeSet<&String> = shown.cells.keys().map(|(_, c)| c).collect();
    assert_eq!(row_names, rows.keys().collect(), "the rows");
    assert_eq!(column_names, columns.keys().collect(), "the columns");
    for ((row, col), (count, href)) in &shown.cells {
        let expected = want.get(&(row.clone(), col.clone()));
        assert_eq!(
            *count,
            expected.map_or(0, BTreeSet::len),
            "cell {row} × {col}"
        );
        match (expected, href) {
            (None, None) => {}
            (None, Some(h)) => panic!("the empty cell {row} × {col} links {h}"),
            (Some(_), None) => panic!("cell {row} × {col} does not link its page"),
            (Some(articles), Some(h)) => {
                assert_eq!(
                    decode(h),
                    format!("/browse/{row}/{col}/"),
                    "cell {row} × {col}: the term folders"
                );
                let page = parse_html(&public.join(format!("browse/{row}/{col}/index.html")));
                assert_eq!(&cards(&page), articles, "the page of {row} × {col}");
                // It links back to the matrix and to both term pages.
                let links: BTreeSet<String> = page
                    .select(&sel("main a"))
                    .filter_map(|a| a.value().attr("href").map(decode))
                    .collect();
                for l in [
                    "/browse/",
                    &format!("/legal-basis/{row}/"),
                    &format!("/remedy-type/{col}/"),
                ] {
                    assert!(
                        links.contains(l),
                        "the page of {row} × {col} links {l}: {links:?}"
                    );
                }
            }
        }
    }
    for (row, list) in &rows {
        assert_eq!(shown.row_totals[row], list.len(), "total of row {row}");
    }
    for (col, list) in &columns {
        assert_eq!(
            shown.column_totals[col],
            list.len(),
            "total of column {col}"
        );
    }
    assert_eq!(shown.total, both, "the grand total");
    // No other cell pages than the matrix's non-empty cells.
    let made: BTreeSet<String> = html_files(&public.join("browse"))
        .iter()
        .map(|f| page_url(&public, f, "/"))
        .filter(|u| u != "/browse/")
        .collect();
    let linked: BTreeSet<String> = want
        .keys()
        .map(|(r, c)| format!("/browse/{r}/{c}/"))
        .collect();
    assert_eq!(made, linked);
    // Headers of rows and columns are `<th scope>`.
    assert_eq!(doc.select(&sel("tbody th[scope=row]")).count(), rows.len());

    // Home links the browse page, beside the FAQ link.
    let home = parse_html(&public.join("index.html"));
    let home_links: Vec<String> = home
        .select(&sel("main .home-faq a"))
        .filter_map(|a| a.value().attr("href").map(str::to_string))
        .collect();
    assert!(
        home_links.contains(&"/browse/".to_string()),
        "{home_links:?}"
    );

    let problems = crawl(&public, "/");
    assert!(
        problems.is_empty(),
        "broken links:\n{}",
        problems.join("\n")
    );
}

#[test]
fn browse_pages_work_at_a_sub_path_from_disk_and_are_in_the_sitemap() {
    let (_site, public) = built(&["--base-url", "/kb/"]);
    let problems = crawl(&public, "/kb/");
    assert!(
        problems.is_empty(),
        "broken links at /kb/:\n{}",
        problems.join("\n")
    );
    let home = parse_html(&public.join("index.html"));
    assert!(home
        .select(&sel("main a[href='/kb/browse/']"))
        .next()
        .is_some());

    let (_site, public) = built(&["--portable"]);
    let problems = crawl_portable(&public, None);
    assert!(problems.is_empty(), "portable:\n{}", problems.join("\n"));
    let doc = parse_html(&public.join("browse/index.html"));
    let shown = matrix(&doc);
    for ((row, col), (_, href)) in &shown.cells {
        if let Some(h) = href {
            let h = decode(h);
            assert!(
                !h.starts_with('/') && h.ends_with(&format!("browse/{row}/{col}/index.html")),
                "portable: {h}"
            );
        }
    }

    let (_site, public) = built(&["--base-url", "https://example.org/kb/"]);
    let sitemap = read(&public.join("sitemap.xml"));
    let listed: BTreeSet<String> = sitemap
        .split("<loc>")
        .skip(1)
        .filter_map(|s| s.split("</loc>").next())
        .map(decode)
        .collect();
    assert!(
        listed.contains("https://example.org/kb/browse/"),
        "{listed:?}"
    );
    for f in html_files(&public.join("browse")) {
        let url = format!("https://example.org{}", page_url(&public, &f, "/kb/"));
        assert!(listed.contains(&decode(&url)), "{url} not in the sitemap");
    }
}

#[test]
fn browse_false_or_one_taxonomy_missing_makes_no_browse_page() {
    let article = "---\ntitle: 甲\nlegal_basis: 民法典\n---\n\n正文。\n";
    for (config, why) in [
        ("browse: false\n", "browse: false"),
        (
            "taxonomies:\n  - { name: tags }\n  - { name: legal_basis }\n",
            "no remedy_type",
        ),
    ] {
        let site = tempfile::tempdir().unwrap();
        let matter = if why == "browse: false" {
            article.replace("---\n\n", "remedy_type: 投诉\n---\n\n")
        } else {
            article.to_string()
        };
        crate::support::site::write_files(
            site.path(),
            &[
                (
                    "kbgen.yaml",
                    &format!("title: T\nlanguage: zh-CN\n{config}"),
                ),
                ("content/s/a.md", &matter),
                ("content/s/b.md", &matter.replace("甲", "乙")),
            ],
        );
        let out = build(site.path(), &[]);
        assert_success(&out);
        let public = site.path().join("public");
        assert!(public.join("s/a/index.html").exists());
        assert!(!public.join("browse").exists(), "{why}: no browse/");
        let home = read(&public.join("index.html"));
        assert!(
            !home.contains("browse/"),
            "{why}: home links no browse page"
        );
    }
}

#[test]
fn browse_can_cross_other_taxonomies_with_its_own_title() {
    let (_site, _, doc, h1) = built_with_config(|text| {
        text + "browse: { rows: tags, columns: remedy_type, title: 按标签找 }\n"
    });
    assert_eq!(h1, ["按标签找"]);
    let rows: BTreeSet<String> = doc
        .select(&sel("tbody th[scope=row] a"))
        .filter_map(|a| term_of(a.value().attr("href")?, "tags"))
        .collect();
    assert_eq!(rows, ["个人信息", "催收", "短信"].map(String::from).into());
}

#[test]
fn an_unknown_taxonomy_in_browse_is_an_error_at_its_place_naming_the_closest() {
    let site = copy_fixture("browse");
    let yaml = site.path().join("kbgen.yaml");
    let text = read(&yaml) + "browse:\n  rows: legal_basis\n  columns: remedy\n  titel: x\n";
    std::fs::write(&yaml, text.clone()).unwrap();
    let line = text.lines().count() - 1;
    let out = kbgen(
        ["check", "--root", site.path().to_str().unwrap()],
        site.path(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let errors: Vec<String> = stderr(&out)
        .lines()
        .filter(|l| l.starts_with("error: "))
        .map(str::to_string)
        .collect();
    assert_eq!(
        errors,
        [
            format!("error: kbgen.yaml:{}:12: `browse.columns`: there is no taxonomy `remedy` (did you mean `remedy_type`?)", line),
            format!("error: kbgen.yaml:{}:3: unknown key `titel` (did you mean `title`?)", line + 1),
        ]
    );
}

/// The article hrefs of the cards the user can see.
const VISIBLE: &str = "Array.from(document.querySelectorAll('main li.card'))\
    .filter(li => li.getClientRects().length > 0)\
    .map(li => li.querySelector('.card-title a').getAttribute('href'))";

fn visible(page: &Page) -> BTreeSet<String> {
    serde_json::from_value(page.eval(VISIBLE)).expect("an array of hrefs")
}

/// What each card of a built list page carries: its href and its `data-terms` keys.
fn card_keys(doc: &Html) -> BTreeMap<String, BTreeSet<String>> {
    doc.select(&sel("main li.card"))
        .map(|li| {
            let href = li
                .select(&sel(".card-title a"))
                .next()
                .and_then(|a| a.value().attr("href"))
                .unwrap_or_default()
                .to_string();
            let keys = li
                .value()
                .attr("data-terms")
                .unwrap_or_else(|| panic!("card {href} has no data-terms"))
                .split_whitespace()
                .map(str::to_string)
                .collect();
            (href, keys)
        })
        .collect()
}

/// OR within a taxonomy, AND across.
fn expected_for(cards: &BTreeMap<String, BTreeSet<String>>, keys: &[&str]) -> BTreeSet<String> {
    let mut by_tax: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for k in keys {
        by_tax
            .entry(k.split_once(':').expect("TAXONOMY:TERM").0)
            .or_default()
            .push(k);
    }
    cards
        .iter()
        .filter(|(_, have)| {
            by_tax
                .values()
                .all(|ks| ks.iter().any(|k| have.contains(*k)))
        })
        .map(|(h, _)| h.clone())
        .collect()
}

fn chip(key: &str) -> String {
    format!("button.filter-chip[data-key=\"{key}\"]")
}

fn status(page: &Page) -> String {
    page.text("#filter-status").trim().to_string()
}

/// The query string as the page shows it, decoded, entries sorted.
fn query(page: &Page) -> Vec<(String, String)> {
    let url = page.url();
    let q = url.split_once('?').map(|(_, q)| q).unwrap_or_default();
    let q = q.split('#').next().unwrap_or_default();
    let mut pairs: Vec<(String, String)> = q
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(&v.replace('+', " ")))
        })
        .collect();
    pairs.sort();
    pairs
}

/// Chips on a term page and a section page, clicked in Chromium: the cards shown, the status
/// line and the URL follow; the URL opened again applies the filter; without JavaScript the
/// controls are hidden and every card shows (the static HTML).
#[test]
fn section_and_term_page_chips_filter_the_cards_and_keep_the_filter_in_the_url() {
    let (_site, public) = built(&[]);
    let term_file = public.join("remedy-type/投诉/index.html");
    let section_file = public.join("debt/index.html");
    for f in [&term_file, &section_file] {
        let doc = parse_html(f);
        assert!(
            doc.select(&sel("main .filter-controls[hidden]"))
                .next()
                .is_some(),
            "{}: the controls are hidden without JavaScript",
            f.display()
        );
        assert!(doc.select(&sel("main li.card[hidden]")).next().is_none());
    }
    let term_cards = card_keys(&parse_html(&term_file));
    let section_cards = card_keys(&parse_html(&section_file));
    assert_eq!(term_cards.len(), 5);
    assert_eq!(section_cards.len(), 5);
    // A term page leaves its own term out of the chips (every card has it).
    let term_doc = parse_html(&term_file);
    assert!(term_doc
        .select(&sel(&chip("remedy_type:投诉")))
        .next()
        .is_none());
    // The chips' counts are the cards' terms.
    for b in term_doc.select(&sel("button.filter-chip[data-key]")) {
        let key = b.value().attr("data-key").unwrap_or_default();
        if key.is_empty() {
            continue;
        }
        let n: usize = b
            .select(&sel("span"))
            .next()
            .map(text_of)
            .unwrap_or_default()
            .parse()
            .unwrap();
        assert_eq!(n, expected_for(&term_cards, &[key]).len(), "count of {key}");
    }

    let server = StaticServer::start(&public);
    let Some(b) = browser() else { return };
    let page = b.page(1280, 900);
    let term_url = server.url("/remedy-type/%E6%8A%95%E8%AF%89/");
    page.goto(&term_url);
    page.wait_for(
        "document.querySelector('.filter-controls').getClientRects().length > 0",
        Duration::from_secs(10),
    )
    .expect("the chips show with JavaScript");
    let every: BTreeSet<String> = term_cards.keys().cloned().collect();
    assert_eq!(visible(&page), every);
    assert_eq!(status(&page), "");
    assert_eq!(query(&page), []);

    // Two bases (either), then a tag too (and).
    page.click(&chip("legal_basis:民法典"));
    let want = expected_for(&term_cards, &["legal_basis:民法典"]);
    assert_eq!(visible(&page), want);
    page.click(&chip("legal_basis:刑法"));
    let want = expected_for(&term_cards, &["legal_basis:民法典", "legal_basis:刑法"]);
    assert_eq!(visible(&page), want);
    assert_eq!(want.len(), 3);
    page.click(&chip("tags:催收"));
    let keys = ["legal_basis:民法典", "legal_basis:刑法", "tags:催收"];
    let want = expected_for(&term_cards, &keys);
    assert_eq!(want.len(), 1);
    assert_eq!(visible(&page), want);
    assert_eq!(
        status(&page),
        format!("显示 {} / {} 篇文章", want.len(), every.len())
    );
    let q = query(&page);
    assert_eq!(
        q,
        [
            ("legal_basis".to_string(), "刑法".to_string()),
            ("legal_basis".to_string(), "民法典".to_string()),
            ("tags".to_string(), "催收".to_string()),
        ]
    );
    // The same URL, opened afresh, shows the same cards with the same chips pressed.
    let shared = page.url();
    let again = b.page(1280, 900);
    again.goto(&shared);
    again
        .wait_for(
            "document.querySelector('.filter-controls').getClientRects().length > 0",
            Duration::from_secs(10),
        )
        .expect("the chips show");
    assert_eq!(visible(&again), want, "{shared} reopened");
    let pressed: BTreeSet<String> = serde_json::from_value(again.eval(
        "Array.from(document.querySelectorAll('.filter-chip[aria-pressed=\"true\"]')).map(c => c.dataset.key)",
    ))
    .unwrap();
    assert_eq!(pressed, keys.iter().map(|k| k.to_string()).collect());
    // "All" releases every chip and empties the query string.
    again.click(".filter-chip-all");
    assert_eq!(visible(&again), every);
    assert_eq!(query(&again), []);
    assert_eq!(status(&again), "");

    // A section page, opened with a filter in its URL (a link someone shared).
    let section_url = server.url("/debt/?remedy_type=%E6%8A%A5%E8%AD%A6");
    page.goto(&section_url);
    page.wait_for(
        "document.querySelector('.filter-controls').getClientRects().length > 0",
        Duration::from_secs(10),
    )
    .expect("the chips show");
    let want = expected_for(&section_cards, &["remedy_type:报警"]);
    assert_eq!(want.len(), 2);
    assert_eq!(visible(&page), want);
    page.click(&chip("remedy_type:报警"));
    assert_eq!(visible(&page), section_cards.keys().cloned().collect());
    assert_eq!(query(&page), []);
    assert_eq!(page.js_errors(), Vec::<String>::new());
    assert_eq!(again.js_errors(), Vec::<String>::new());
}

/// With a browse page, `browse` is taken at the top of the site; with `browse: false` it is a
/// section like any other.
#[test]
fn a_section_called_browse_is_refused_only_while_there_is_a_browse_page() {
    let site = copy_fixture("browse");
    crate::support::site::write_files(
        site.path(),
        &[("content/browse/a.md", "---\ntitle: 甲\n---\n\n正文。\n")],
    );
    let out = kbgen(
        ["check", "--root", site.path().to_str().unwrap()],
        site.path(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("error: content/browse:1:1: folder name `browse` is reserved"),
        "{}",
        stderr(&out)
    );
    let yaml = site.path().join("kbgen.yaml");
    std::fs::write(&yaml, read(&yaml) + "browse: false\n").unwrap();
    let out = build(site.path(), &[]);
    assert_success(&out);
    assert!(site.path().join("public/browse/a/index.html").exists());
}

/// The page words of the browse page in Traditional Chinese (Taiwan) and English.
#[test]
fn browse_words_follow_the_sites_language() {
    for (language, title, total, back) in [
        ("zh-TW", "依法律依据和救济途径瀏覽", "合計", "返回總表"),
        (
            "en",
            "Browse by 法律依据 and 救济途径",
            "Total",
            "Back to the table",
        ),
    ] {
        let (_site, public, doc, h1) = built_with_config(|text| {
            text.replace("language: zh-CN", &format!("language: {language}"))
        });
        assert_eq!(h1, [title], "{language}");
        let corner: Vec<String> = doc
            .select(&sel("thead th.browse-total"))
            .map(text_of)
            .collect();
        assert_eq!(corner, [total], "{language}");
        let cell = parse_html(&public.join("browse/民法典/投诉/index.html"));
        let back_link: Vec<String> = cell
            .select(&sel(".browse-back a"))
            .map(|a| a.text().collect::<String>())
            .collect();
        assert!(back_link[0].contains(back), "{language}: {back_link:?}");
    }
}
