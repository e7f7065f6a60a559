//! The one door for a writer's raw HTML: HTML that holds any is parsed as a browser would
//! (ammonia, on html5ever) and written back with an allow-list of elements and attributes.
//! Scripts, styles, embedded documents, forms' controls, SVG and MathML go with their
//! content; event handlers, `style` and URLs of other schemes than http(s), mailto and tel are
//! dropped; comments go; what is left open is closed, so nothing can reach past the HTML it
//! was written in (an article body, an answer).

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::Mutex;

/// Elements kept, with their content (an element not listed is dropped, its content kept,
/// unless it is in `DROPPED_WITH_CONTENT`). Not `h1` (the page title is the page's only
/// `<h1>`), not landmarks (`header`, `footer`, `nav`, `aside`, `main`, `article`) that would
/// change the page's outline, not the obsolete elements the Nu checker refuses.
pub(crate) const ELEMENTS: &[&str] = &[
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

/// Elements dropped together with everything inside them.
pub(crate) const DROPPED_WITH_CONTENT: &[&str] = &[
    "script",
    "style",
    "svg",
    "math",
    "iframe",
    "frame",
    "frameset",
    "noframes",
    "object",
    "embed",
    "applet",
    "noscript",
    "noembed",
    "template",
    "textarea",
    "select",
    "title",
    "xmp",
    "plaintext",
    "head",
];

/// Attributes any kept element may carry.
const GENERIC_ATTRIBUTES: &[&str] = &["class", "id", "lang", "dir", "title"];

/// Attributes of particular elements.
const ELEMENT_ATTRIBUTES: &[(&str, &[&str])] = &[
    ("a", &["href", "aria-label"]),
    ("img", &["src", "alt", "width", "height"]),
    ("ol", &["start", "reversed", "type"]),
    ("li", &["value"]),
    ("td", &["colspan", "rowspan", "style"]),
    ("th", &["colspan", "rowspan", "scope", "style"]),
    ("col", &["span"]),
    ("colgroup", &["span"]),
    ("details", &["open"]),
    ("time", &["datetime"]),
    ("del", &["cite", "datetime"]),
    ("ins", &["cite", "datetime"]),
    ("q", &["cite"]),
    ("blockquote", &["cite"]),
    ("abbr", &["title"]),
    ("div", &["role"]),
    ("input", &["type", "checked"]),
];

/// URL schemes kept in `href`, `src` and `cite` (relative URLs are kept as written).
const URL_SCHEMES: &[&str] = &["http", "https", "mailto", "tel"];

/// Raw HTML made fit for the page before it is sanitised with kbgen's markup: `<plaintext>`
/// (which no end tag closes: it would take the rest of the page as text) becomes text, and
/// headings become paragraphs (the page's headings are Markdown's, each with an id, in
/// order, listed in the contents).
pub(crate) fn defuse(html: pulldown_cmark::CowStr<'_>) -> pulldown_cmark::CowStr<'_> {
    let lower = html.to_ascii_lowercase();
    let at_tag = |at: usize, name_len: usize| {
        lower[at + name_len..]
            .chars()
            .next()
            .is_none_or(|c| c.is_ascii_whitespace() || c == '>' || c == '/')
    };
    let mut edits: Vec<(usize, usize, &str)> = Vec::new();
    for (at, _) in lower.match_indices('<') {
        let rest = &lower[at + 1..];
        if rest.starts_with("plaintext") {
            edits.push((at, 1, "&lt;"));
            continue;
        }
        let closing = rest.starts_with('/');
        let name = &rest[usize::from(closing)..];
        let b = name.as_bytes();
        if b.len() >= 2 && b[0] == b'h' && (b'1'..=b'6').contains(&b[1]) {
            let len = 1 + usize::from(closing) + 2;
            if at_tag(at, len) {
                edits.push((at, len, if closing { "</p" } else { "<p" }));
            }
        }
    }
    if edits.is_empty() {
        return html;
    }
    let mut out = String::with_capacity(html.len() + 8);
    let mut last = 0;
    for (at, len, with) in edits {
        out.push_str(&html[last..at]);
        out.push_str(with);
        last = at + len;
    }
    out.push_str(&html[last..]);
    out.into()
}

/// `html` with only the allowed markup. `own_ids` are the ids kbgen gave this HTML (headings,
/// footnotes): each is kept once, at its first element; any other `id` is dropped, so raw
/// HTML cannot repeat an id or take one of the page's own (`faq`, `search-results`).
pub(crate) fn sanitize(html: &str, own_ids: &HashSet<String>) -> String {
    let unused = Mutex::new(own_ids.clone());
    let mut builder = ammonia::Builder::empty();
    builder
        .tags(ELEMENTS.iter().copied().collect())
        .clean_content_tags(DROPPED_WITH_CONTENT.iter().copied().collect())
        .generic_attributes(GENERIC_ATTRIBUTES.iter().copied().collect())
        .tag_attributes(
            ELEMENT_ATTRIBUTES
                .iter()
                .map(|(tag, attrs)| (*tag, attrs.iter().copied().collect()))
                .collect(),
        )
        .url_schemes(URL_SCHEMES.iter().copied().collect())
        .url_relative(ammonia::UrlRelative::PassThrough)
        .link_rel(None)
        .strip_comments(true)
        // A checkbox (a task list's) can show its state but not take input.
        .set_tag_attribute_value("input", "disabled", "")
        .attribute_filter(move |element, attribute, value| {
            keep_attribute(element, attribute, value, &unused)
        });
    builder.clean(html).to_string()
}

fn keep_attribute<'v>(
    element: &str,
    attribute: &str,
    value: &'v str,
    unused_ids: &Mutex<HashSet<String>>,
) -> Option<Cow<'v, str>> {
    let kept = match attribute {
        "id" => unused_ids
            .lock()
            .map(|mut ids| ids.remove(value))
            .unwrap_or(false),
        // The alignment of a table column is the only style kept.
        "style" => matches!(
            value,
            "text-align: left" | "text-align: center" | "text-align: right"
        ),
        "role" => value == "note",
        "type" => element == "input" && value == "checkbox",
        _ => true,
    };
    kept.then_some(Cow::Borrowed(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(html: &str) -> String {
        sanitize(html, &HashSet::from(["own".to_string()]))
    }

    #[test]
    fn raw_headings_become_paragraphs_and_plaintext_text() {
        let d = |s: &str| defuse(s.into()).to_string();
        assert_eq!(d("<h2 class=\"x\">标题</H2>"), "<p class=\"x\">标题</p>");
        assert_eq!(d("<h6>a</h6><hr><header>"), "<p>a</p><hr><header>");
        assert_eq!(d("<PLAINTEXT>rest"), "&lt;PLAINTEXT>rest");
        assert_eq!(d("<h7>x</h7> <h2x>"), "<h7>x</h7> <h2x>");
    }

    #[test]
    fn scripts_handlers_and_script_urls_go_and_safe_markup_stays() {
        let cases = [
            (
                "<kbd>Ctrl</kbd>+<kbd>C</kbd>",
                "<kbd>Ctrl</kbd>+<kbd>C</kbd>",
            ),
            ("a<br>b", "a<br>b"),
            (
                "<details open><summary>更多</summary>内容</details>",
                "<details open=\"\"><summary>更多</summary>内容</details>",
            ),
            ("x<script>alert(1)</script>y", "xy"),
            ("<img src=x onerror=alert(1)>", "<img src=\"x\">"),
            ("<a href=\"javascript:alert(1)\">j</a>", "<a>j</a>"),
            ("<a href=\" JaVaScRiPt:alert(1)\">j</a>", "<a>j</a>"),
            ("<a href=\"java&#x73;cript:x\">j</a>", "<a>j</a>"),
            ("<a href=\"data:text/html,x\">d</a>", "<a>d</a>"),
            ("<img src=\"data:image/svg+xml,x\">", "<img>"),
            ("<p style=\"position:fixed\">s</p>", "<p>s</p>"),
            ("<style>body{display:none}</style>t", "t"),
            ("<iframe src=\"https://e.org\">f</iframe>t", "t"),
            (
                "<form action=\"https://e.org\"><input name=p>ok</form>",
                "<input disabled=\"\">ok",
            ),
            ("<svg><script>alert(1)</script></svg>t", "t"),
            ("<math><mi xlink:href=\"javascript:x\">m</mi></math>t", "t"),
            ("<div>unclosed", "<div>unclosed</div>"),
            ("<!-- never closed <p>hidden", ""),
            ("</div></div>stray", "stray"),
            ("<h1>T</h1>", "T"),
            ("<span id=\"faq\">x</span>", "<span>x</span>"),
            (
                "<span id=\"own\">1</span><span id=\"own\">2</span>",
                "<span id=\"own\">1</span><span>2</span>",
            ),
            (
                "<input type=\"checkbox\" checked onclick=x>",
                "<input type=\"checkbox\" checked=\"\" disabled=\"\">",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(clean(input), want, "{input}");
        }
    }

    /// The noscript, namespace-confusion and entity payloads that broke sanitisers elsewhere:
    /// parsed back, the output has no handler, script, style or script URL.
    #[test]
    fn known_mutation_payloads_come_out_inert() {
        for payload in [
            "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
            "<svg></p><style><a id=\"</style><img src=1 onerror=alert(1)>\">",
            "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
            "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
            "<a href=\"&#106;avascript:alert(1)\">x</a>",
            "<img src=\"x\" \" onerror=alert(1)>",
            "<p title=\"</p><script>alert(1)</script>\">t</p>",
        ] {
            let out = clean(payload);
            // Parsed twice, as a browser would read the page: the same inert tree.
            let doc = scraper::Html::parse_fragment(&out);
            for node in doc.tree.nodes() {
                let Some(el) = node.value().as_element() else {
                    continue;
                };
                assert!(
                    ELEMENTS.contains(&el.name()) || ["html", "body"].contains(&el.name()),
                    "<{}> from {payload} → {out}",
                    el.name()
                );
                for (name, value) in el.attrs() {
                    assert!(!name.starts_with("on"), "{name} from {payload} → {out}");
                    assert!(
                        !value
                            .to_ascii_lowercase()
                            .trim_start()
                            .starts_with("javascript:"),
                        "{payload} → {out}"
                    );
                }
            }
        }
    }
}
