//! Every piece of text a writer controls reaches HTML, attributes, JSON-LD, faq.json, the
//! feed, the sitemap and the search index as inert data. The `hostile` fixture carries
//! `<script>`, `"onerror=`, `</script>`, `javascript:`/`data:`/`vbscript:` URLs (in several
//! spellings) and U+2028/U+2029 in its title, description, disclaimer, section, article
//! titles, summaries, terms, FAQ questions and answers, headings, link text and body; a
//! payload that runs sets `window.__x`. Its `raw` article holds raw HTML (issue 14): script,
//! handlers, script and data URLs, style, iframe, form, object, meta, SVG and MathML tricks,
//! an unclosed `<div>` and `<!--`; the sanitiser keeps only its safe markup. Each sink has its
//! own test; Chromium checks that nothing runs on any page, the search results included.

use crate::support::browser::browser;
use crate::support::server::StaticServer;
use crate::support::site::{assert_success, build, copy_fixture, html_files, read};
use scraper::{Html, Selector};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The hostile fixture, built into `www/kb/` (its base URL is https://example.org/kb/).
fn built() -> (tempfile::TempDir, PathBuf) {
    let site = copy_fixture("hostile");
    let out = site.path().join("www/kb");
    let out_arg = out.to_str().unwrap().to_string();
    let o = build(site.path(), &["--output", &out_arg]);
    assert_success(&o);
    (site, out)
}

/// A URL a browser would run or render as a document: `javascript:` and friends, however
/// they are spelt (case, leading spaces, tabs or newlines inside the scheme).
fn is_script_url(value: &str) -> bool {
    let squeezed: String = value
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    ["javascript:", "vbscript:", "data:"]
        .iter()
        .any(|s| squeezed.starts_with(s))
}

#[test]
fn html_pages_hold_no_handler_script_or_script_url_from_content() {
    let (_site, out) = built();
    let all = Selector::parse("*").unwrap();
    let mut problems = Vec::new();
    for file in html_files(&out) {
        let rel = file.strip_prefix(&out).unwrap().display().to_string();
        let doc = Html::parse_document(&read(&file));
        for el in doc.select(&all) {
            let name = el.value().name();
            for (attr, value) in el.value().attrs() {
                if attr.starts_with("on") {
                    problems.push(format!("{rel}: <{name} {attr}=…>"));
                }
                let url_attr = matches!(
                    attr,
                    "href" | "src" | "action" | "formaction" | "xlink:href" | "poster" | "cite"
                );
                if url_attr && is_script_url(value) {
                    problems.push(format!("{rel}: <{name} {attr}=\"{value}\">"));
                }
            }
            if name == "script" {
                let kind = el.value().attr("type").unwrap_or("");
                let src = el.value().attr("src");
                let text = el.inner_html();
                match (kind, src) {
                    ("application/ld+json", None) => {
                        // Data, not code: it must parse, and cannot end its element early.
                        let lower = text.to_ascii_lowercase();
                        if lower.contains("</script") || lower.contains("<!--") {
                            problems.push(format!("{rel}: JSON-LD can close its element"));
                        }
                        if text.contains('\u{2028}') || text.contains('\u{2029}') {
                            problems.push(format!("{rel}: raw U+2028/U+2029 in JSON-LD"));
                        }
                        if serde_json::from_str::<serde_json::Value>(&text).is_err() {
                            problems.push(format!("{rel}: JSON-LD does not parse"));
                        }
                    }
                    (_, Some(src)) if src.ends_with(".js") && !text.contains("__x") => {}
                    _ => problems.push(format!("{rel}: a script kbgen did not write: {text}")),
                }
            }
            if matches!(name, "img" | "b") && el.value().attrs().any(|(_, v)| v.contains("__x")) {
                problems.push(format!("{rel}: <{name}> with a payload"));
            }
        }
        // Inside the article bodies and answers (`.prose`), only the allowed elements: what
        // kbgen writes for Markdown and what its sanitiser keeps of raw HTML.
        for prose in doc.select(&Selector::parse(".prose").unwrap()) {
            for el in prose.select(&all) {
                let name = el.value().name();
                if !PROSE_ELEMENTS.contains(&name) {
                    problems.push(format!("{rel}: <{name}> in .prose"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// What may stand in an article body or answer (the sanitiser's allow-list, written out again
/// here so that a change to it shows up as a test change).
const PROSE_ELEMENTS: &[&str] = &[
    "a",
    "abbr",
    "b",
    "bdi",
    "bdo",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "details",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "input",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "rp",
    "rt",
    "ruby",
    "s",
    "samp",
    "section",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "u",
    "ul",
    "var",
    "wbr",
];

/// Issue 14: raw HTML passes through the sanitiser. The `raw` article's safe markup stays
/// (`<kbd>`, `<br>`, `<b>`, `<details>` around Markdown), its payloads go (each sink above
/// checks that), and what it leaves open (a `<div>`, a `<span>` with a script, a `<!--`)
/// closes inside the article body: the page around it keeps its structure, and every heading
/// the table of contents lists keeps its id.
#[test]
fn raw_html_keeps_its_safe_markup_and_stays_inside_the_article_body() {
    let (_site, out) = built();
    let page = read(&out.join("a/raw/index.html"));
    let doc = Html::parse_document(&page);
    let one = |css: &str| -> Vec<scraper::ElementRef<'_>> {
        doc.select(&Selector::parse(css).unwrap()).collect()
    };
    let text = |css: &str| -> Vec<String> {
        one(css)
            .iter()
            .map(|e| e.text().collect::<String>().trim().to_string())
            .collect()
    };
    let body = "main > article > .article-columns > .article-content > .prose";
    assert_eq!(one(body).len(), 1, "the body is where the template puts it");
    assert_eq!(text(&format!("{body} kbd")), ["Ctrl", "C", "键"]);
    assert_eq!(one(&format!("{body} p br")).len(), 1);
    assert_eq!(text(&format!("{body} b")), ["粗体"]);
    assert_eq!(text(&format!("{body} details > summary")), ["更多"]);
    assert_eq!(text(&format!("{body} details > p > strong")), ["Markdown"]);
    // After the unclosed <div>: its headings are inside it, inside the body.
    assert_eq!(
        text(&format!("{body} div h2")),
        ["未闭合之后", "注释之前"],
        "{page}"
    );
    // The unclosed comment hid the rest of the file: no heading, no text.
    assert!(!page.contains("藏起来的标题"));
    // The footnote's note is at the end of the body, its payload gone.
    assert_eq!(one(&format!("{body} section.footnotes li#fn-1")).len(), 1);
    // The page around the body: one <main> with one <article>, the footer after <main>.
    assert_eq!(one("main").len(), 1);
    assert_eq!(one("main article").len(), 1);
    assert_eq!(
        one("body > footer").len(),
        1,
        "the footer is still the body's"
    );
    assert_eq!(
        one(".prose footer, .prose main, .prose nav, .prose aside").len(),
        0
    );
    // Every table-of-contents entry and footnote link points at one element.
    for a in one("a[href^='#']") {
        let id = a.value().attr("href").unwrap().trim_start_matches('#');
        let id = percent_encoding::percent_decode_str(id)
            .decode_utf8()
            .unwrap();
        let n = one("[id]")
            .iter()
            .filter(|e| e.value().id() == Some(&*id))
            .count();
        assert_eq!(n, 1, "#{id}: {n} elements");
    }
}

#[test]
fn structured_data_and_faq_json_hold_the_text_as_data() {
    let (_site, out) = built();
    let question = "</script><script>window.__x='q'</script> \u{2028} 问题？";
    let faq: serde_json::Value = serde_json::from_str(&read(&out.join("faq.json"))).unwrap();
    let questions: Vec<&str> = faq["questions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|q| q["question"].as_str())
        .collect();
    assert!(questions.contains(&question), "{questions:?}");
    let raw = read(&out.join("faq.json"));
    assert!(!raw.contains('\u{2028}') && !raw.contains('\u{2029}'));
    assert!(
        !raw.to_ascii_lowercase().contains("</script"),
        "faq.json can close a script"
    );

    let page = Html::parse_document(&read(&out.join("faq/index.html")));
    let ld = page
        .select(&Selector::parse("script[type='application/ld+json']").unwrap())
        .next()
        .expect("JSON-LD")
        .inner_html();
    let json: serde_json::Value = serde_json::from_str(&ld).unwrap();
    let names: Vec<&str> = json["mainEntity"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|q| q["name"].as_str())
        .collect();
    assert!(names.contains(&question), "{names:?}");
}

/// Every text node of an XML file and its element names, failing on any error (attributes
/// are checked too): a control character or an unescaped `<` makes a whole feed unreadable.
fn xml_texts(path: &Path) -> (Vec<String>, Vec<String>) {
    use quick_xml::events::Event;
    let text = read(path);
    let mut reader = quick_xml::Reader::from_str(&text);
    let mut texts = Vec::new();
    let mut elements = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => break,
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                elements.push(String::from_utf8_lossy(e.name().as_ref()).into_owned());
                for a in e.attributes() {
                    let a = a.unwrap_or_else(|e| panic!("{}: bad attribute: {e}", path.display()));
                    let value = a.unescape_value().unwrap();
                    assert!(
                        !value.chars().any(|c| c.is_control()),
                        "{}: a control character in an attribute",
                        path.display()
                    );
                }
            }
            Ok(Event::Text(t)) => texts.push(t.unescape().unwrap().into_owned()),
            Ok(_) => {}
            Err(e) => panic!("{} is not well-formed XML: {e}", path.display()),
        }
    }
    for t in &texts {
        assert!(
            !t.chars()
                .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')),
            "{}: a control character in {t:?}",
            path.display()
        );
    }
    (texts, elements)
}

#[test]
fn the_feed_and_sitemap_are_well_formed_with_the_text_as_text() {
    let (_site, out) = built();
    let (texts, elements) = xml_texts(&out.join("atom.xml"));
    assert!(
        !elements.iter().any(|e| e == "script" || e == "img"),
        "{elements:?}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.contains("</script><script>window.__x='t'</script>")),
        "the hostile title is the feed's text: {texts:?}"
    );
    let (locs, _) = xml_texts(&out.join("sitemap.xml"));
    for loc in locs.iter().filter(|l| l.starts_with("http")) {
        assert!(loc.starts_with("https://example.org/kb/"), "{loc}");
        assert!(!loc.contains(['<', '>', '"', ' ']), "{loc}");
    }
}

#[test]
fn search_index_files_are_inert_script() {
    let (_site, out) = built();
    let mut checked = 0;
    for entry in walkdir::WalkDir::new(out.join("search")) {
        let entry = entry.unwrap();
        let is_js = entry.path().extension().is_some_and(|e| e == "js");
        if !entry.file_type().is_file() || !is_js {
            continue;
        }
        let text = read(entry.path());
        // Each file is one call of the search client with JSON arguments.
        let body = text
            .trim_end()
            .trim_end_matches(';')
            .split_once('(')
            .map(|(callee, rest)| {
                assert!(callee.starts_with("window.__kbgenSearch."), "{callee}");
                rest.strip_suffix(')').unwrap_or(rest)
            })
            .unwrap_or_else(|| panic!("{} is not a callback", entry.path().display()));
        serde_json::from_str::<serde_json::Value>(&format!("[{body}]"))
            .unwrap_or_else(|e| panic!("{}: {e}", entry.path().display()));
        assert!(
            !text.contains('\u{2028}') && !text.contains('\u{2029}'),
            "{}: raw line separators",
            entry.path().display()
        );
        checked += 1;
    }
    assert!(checked > 3, "only {checked} search files");
}

#[test]
fn no_payload_runs_in_chromium_on_any_page_or_search_result() {
    let (site, out) = built();
    let server = StaticServer::start(&site.path().join("www"));
    let Some(b) = browser() else { return };
    let page = b.page(1280, 800);
    let mut ran = Vec::new();
    let mut redirects = 0;
    for file in html_files(&out) {
        let rel = file
            .strip_prefix(&out)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let path = format!("/kb/{}", rel.trim_end_matches("index.html"));
        page.goto(&server.url(&path));
        // An alias page moves on at once (meta refresh): evaluating while it does fails
        // ("target navigated"), so hover and focus where it lands.
        if std::fs::read_to_string(&file)
            .unwrap()
            .contains("http-equiv=\"refresh\"")
        {
            page.wait_for(
                &format!(
                    "location.pathname !== {} && document.readyState === 'complete'",
                    serde_json::json!(path)
                ),
                Duration::from_secs(10),
            )
            .unwrap_or_else(|e| panic!("{rel} does not redirect: {e}"));
            redirects += 1;
        }
        // Hover and focus everything: handlers that only fire on interaction.
        page.eval(
            "document.querySelectorAll('*').forEach(e => { \
               e.dispatchEvent(new MouseEvent('mouseover', {bubbles: true})); \
               if (e.focus) e.focus(); })",
        );
        let x = page.eval("String(window.__x)");
        if x != serde_json::json!("undefined") {
            ran.push(format!("{rel}: window.__x = {x}"));
        }
    }
    assert!(
        redirects > 0,
        "the fixture's alias page was not among the pages"
    );
    page.goto(&server.url("/kb/search/?q=payloadword"));
    page.wait_for(
        "document.querySelectorAll('#search-results li').length > 0",
        Duration::from_secs(10),
    )
    .expect("search results for the hostile article");
    let injected = page.eval(
        "document.querySelectorAll('#search-results script, #search-results img, #search-results svg, #search-results [onerror], #search-results [onmouseover]').length",
    );
    assert_eq!(
        injected,
        serde_json::json!(0),
        "markup from content in the results"
    );
    let x = page.eval("String(window.__x)");
    if x != serde_json::json!("undefined") {
        ran.push(format!("search results: window.__x = {x}"));
    }
    assert!(ran.is_empty(), "{}", ran.join("\n"));
}

#[test]
fn script_urls_are_recognised_in_every_spelling() {
    for bad in [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:x",
        "java\tscript:x",
        "java\nscript:x",
        "data:text/html,x",
        "vbscript:x",
    ] {
        assert!(is_script_url(bad), "{bad:?}");
    }
    assert!(!is_script_url("https://example.org/javascript:"));
    assert!(!is_script_url("../a/"));
}
