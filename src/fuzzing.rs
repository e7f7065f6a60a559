//! Entry points for the fuzz targets (`fuzz/`), the corpus replay test and the property tests:
//! each feeds untrusted text to the real code and asserts what must hold for any input (no
//! panic, positions inside the input, ids that obey the name rule, paths and URLs that stay
//! inside the site, HTML without markup from the text). Not a stable API.

use crate::config::{parse_config, BaseUrl, Config, Overrides};
use crate::content::{
    is_valid_path_name, parse_article_matter, parse_section_matter, split, Article, Asset, Content,
    Section,
};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::ids::{Id as _, SectionId};
use crate::links::Catalog;
use crate::markdown::{render_markdown, Questions, RenderOptions, Source};
use crate::names::{fold_width, is_valid_slug, name_of, IdSet};
use crate::output::is_inside;
use crate::search::segment::{
    for_each_piece, is_cjk, normalize, query_terms, Piece, MAX_WORD_CHARS,
};
use crate::ui::Lang;
use crate::urls::{decode, encode_fragment, rebase_relative, UrlMaker};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

/// Front matter: split, then validated as an article and as a section `_index.md`; the terms
/// it names are folded into term folders as a build does.
pub fn front_matter(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("content/a/b.md");
    let parts = match split(text) {
        Ok(p) => p,
        Err((line, _)) => {
            check_position(text, line, 1, "split error");
            return;
        }
    };
    let lines = line_count(text);
    assert!(parts.yaml_line >= 1 && parts.body_line >= 1 && parts.body_line <= lines + 1);
    assert!(
        text.ends_with(parts.body),
        "the body is the end of the file"
    );
    let config = default_config();
    let mut diags = Diagnostics::default();
    let _ = parse_section_matter(&parts, path, text, &mut diags);
    let matter = parse_article_matter(&parts, path, text, &config, &mut diags);
    check_diagnostics(text, diags.iter());
    let Some(matter) = matter else {
        return;
    };
    for located in matter
        .aliases
        .iter()
        .chain(&matter.related)
        .chain(matter.terms.iter().flat_map(|(_, t)| t))
        .chain(matter.slug.iter())
    {
        check_position(text, located.line, 1, "front-matter item");
    }
    for f in &matter.faq {
        check_position(text, f.line, 1, "faq entry");
    }
    for alias in &matter.aliases {
        let _ = alias_path(&alias.value);
    }
    if let Some(slug) = &matter.slug {
        let _ = article_path(&["a"], "b", Some(&slug.value));
    }
    let article = Article {
        source: path.to_path_buf(),
        rel: "a/b.md".into(),
        section: crate::ids::SectionId::ROOT,
        slug: "b".into(),
        path: "a/b/".into(),
        matter,
        text: text.to_string(),
        body_start: text.len() - parts.body.len(),
        body_line: parts.body_line,
    };
    let content = Content {
        sections: vec![section("")].into(),
        articles: vec![std::sync::Arc::new(article)].into(),
        assets: Vec::new(),
        unparsed: Vec::new(),
    };
    let mut diags = Diagnostics::default();
    let (tax, _) = crate::taxonomy::collect_terms(&config, &content, &mut diags);
    check_diagnostics(text, diags.iter());
    for list in &tax.list {
        let segment = &config.taxonomies[list.taxonomy].segment;
        for t in &list.terms {
            check_site_path(&format!("{segment}/{}/", t.slug));
        }
    }
}

/// `kbgen.yaml`: parsed and validated; every diagnostic lies inside the file, and what the
/// config makes paths and URLs of is well-formed.
pub fn config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match parse_config(
        Path::new("/nonexistent-site"),
        Some(text),
        &Overrides::default(),
    ) {
        Err(diags) => check_diagnostics(text, diags.iter()),
        Ok(config) => {
            check_base(&config.base_url);
            for t in &config.taxonomies {
                assert!(is_valid_slug(&t.name), "taxonomy name {:?}", t.name);
                check_site_path(&format!("{}/", t.segment));
                assert!(!t.segment.contains('/'), "segment {:?}", t.segment);
                for slug in t.allowed.iter().flat_map(|a| &a.terms).map(|t| &t.slug) {
                    assert!(is_valid_slug(slug), "term slug {slug:?}");
                    check_site_path(&format!("{}/{slug}/", t.segment));
                }
            }
            for k in &config.keep {
                assert!(
                    !k.contains(['/', '\\']) && k != "." && k != "..",
                    "keep {k:?}"
                );
            }
        }
    }
}

/// A Markdown body rendered with the real link resolver over a small site: heading ids obey
/// the name rule and are unique, positions lie inside the file, and the HTML holds only the
/// markup Markdown makes (raw HTML comes out as text, no script URLs).
pub fn markdown(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let content = small_site();
    let urls = UrlMaker::new(
        BaseUrl::parse("/kb/").unwrap_or_else(|_| unreachable!()),
        false,
    );
    let catalog = Catalog::new(&content, &urls);
    let resolver = catalog.resolver("debt/sms.md", "debt/sms/");
    let mut ids = IdSet::default();
    let source = Source {
        file_text: text,
        offset: Some(0),
        line: 1,
    };
    let r = render_markdown(
        text,
        &source,
        RenderOptions {
            lang: Lang::Zh,
            ui: &crate::ui::Ui::new(crate::ui::Words::Simplified, &[]),
            links: &resolver,
            ids: &mut ids,
            questions: Questions::All,
            footnote_prefix: "",
        },
    );
    check_html(&r.html);
    let mut seen = std::collections::HashSet::new();
    for h in &r.headings {
        assert!(!h.id.is_empty(), "empty heading id");
        assert_eq!(
            name_of(&h.id),
            h.id,
            "heading id {:?} breaks the name rule",
            h.id
        );
        assert!(seen.insert(h.id.as_str()), "heading id {:?} repeated", h.id);
        assert!((1..=6).contains(&h.level));
        check_position(text, h.line, 1, "heading");
    }
    for l in &r.links {
        check_position(text, l.line, l.column, "link");
        if let Some(f) = &l.fragment {
            assert_eq!(&name_of(f), f, "fragment {f:?} breaks the name rule");
        }
    }
    check_diagnostics(text, r.diagnostics.iter());
    for q in &r.questions {
        assert!(q.heading < r.headings.len());
        check_html(&q.answer_html);
    }
}

/// The name rule, width folding, URL encoding and the portable rebase on arbitrary text, and
/// the paths and URLs kbgen makes from it (term folders, slugs, aliases, base URLs).
pub fn names_and_urls(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let name = name_of(&text);
    assert_eq!(name_of(&name), name, "the name rule is not idempotent");
    assert!(
        !name.chars().any(|c| c.is_whitespace()
            || c.is_ascii_uppercase()
            || (c.is_ascii_punctuation() && c != '-' && c != '_')),
        "name {name:?}"
    );
    assert_eq!(fold_width(&text).chars().count(), text.chars().count());
    let fragment = encode_fragment(&text);
    assert!(fragment.bytes().all(is_url_byte) && !fragment.contains('/'));
    assert_eq!(decode(&fragment), text, "fragment round trip");
    let _ = rebase_relative(&text, "a/b/", "");
    let _ = rebase_relative(&text, "", "a/b/c/");
    for line in text.lines() {
        if let Ok(base) = BaseUrl::parse(line) {
            check_base(&base);
        }
        let _ = alias_path(line);
        let _ = term_path("tags", line);
        let mut segments: Vec<&str> = line.split('/').collect();
        let stem = segments.pop().unwrap_or_default();
        let _ = article_path(&segments, stem, None);
        let _ = article_path(&segments, "a", Some(stem));
    }
}

/// The index side of the search cut: normalisation keeps lengths, pieces are what they say,
/// packed terms read back as the client spells them (and land in the shard the client asks
/// for), and every term of the text read as a query is indexed.
pub fn segmentation(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let norm = normalize(&text);
    assert_eq!(
        norm.chars().count(),
        text.chars().count(),
        "normalize changed the length"
    );
    assert_eq!(normalize(&norm), norm, "normalize is not idempotent");
    let mut pieces = 0usize;
    for_each_piece(&norm, |p| {
        pieces += 1;
        match p {
            Piece::Cjk(run) => assert!(!run.is_empty() && run.chars().all(is_cjk)),
            Piece::Word(w) => {
                assert!(!w.is_empty() && w.chars().count() <= MAX_WORD_CHARS);
                assert!(
                    w.chars().all(|c| c.is_alphanumeric() && !is_cjk(c)),
                    "{w:?}"
                );
            }
        }
    });
    let (terms, len) = crate::search::cut_terms(&text, 64);
    let total: u32 = terms.iter().map(|t| u32::from(t.count)).sum();
    assert!(total <= len, "counts beyond the length");
    let mut indexed = std::collections::HashSet::new();
    for t in &terms {
        assert_eq!(
            t.shard, t.text_shard,
            "term {:?}: packed and text shards differ",
            t.text
        );
        assert!(!t.text.is_empty());
        indexed.insert(t.text.as_str());
    }
    for q in query_terms(&text) {
        assert!(
            indexed.contains(q.as_str()),
            "query term {q:?} is not indexed"
        );
    }
}

/// `search.js`'s own cut, run under node: one long-lived process that reads one JSON string a
/// line and answers with its normalised text, its query terms and their hashes.
pub struct SearchJs {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl SearchJs {
    /// Starts node on `search.js` of the default theme; None when node is not installed.
    pub fn start() -> Option<SearchJs> {
        let root = env!("CARGO_MANIFEST_DIR");
        let mut child = Command::new("node")
            .arg(format!("{root}/src/search/client_cut.js"))
            .arg(format!("{root}/themes/default/static/search.js"))
            // Every Traditional → Simplified pair (a site's fold.js holds those it uses).
            .arg(
                crate::hanzi::simplified_pairs()
                    .flat_map(|(t, s)| [t, s])
                    .collect::<String>(),
            )
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .ok()?;
        let stdin = child.stdin.take()?;
        let stdout = BufReader::new(child.stdout.take()?);
        Some(SearchJs {
            child,
            stdin,
            stdout,
        })
    }

    fn cut(&mut self, query: &str) -> serde_json::Value {
        let mut line = serde_json::to_string(query).unwrap_or_default();
        line.push('\n');
        self.stdin
            .write_all(line.as_bytes())
            .and_then(|()| self.stdin.flush())
            .unwrap_or_else(|e| panic!("writing to node: {e}"));
        let mut answer = String::new();
        self.stdout
            .read_line(&mut answer)
            .unwrap_or_else(|e| panic!("reading from node: {e}"));
        serde_json::from_str(&answer).unwrap_or_else(|e| panic!("node answered {answer:?}: {e}"))
    }
}

impl Drop for SearchJs {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A query cut by `search.js` and by the index: the same normalised text, the same terms, the
/// same hashes (so the client asks the shard the build wrote the term to).
pub fn search_query(js: &mut SearchJs, data: &[u8]) {
    let query = String::from_utf8_lossy(data);
    let got = js.cut(&query);
    let norm = normalize(&query);
    assert_eq!(
        got["norm"].as_str(),
        Some(norm.as_str()),
        "normalize differs for {query:?}"
    );
    let want: Vec<String> = query_terms(&query);
    let js_terms: Vec<String> = got["terms"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|t| t.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(js_terms, want, "query terms differ for {query:?}");
    let (indexed, _) = crate::search::cut_terms(&query, 1 << 16);
    let hashes = got["shards"].as_array().cloned().unwrap_or_default();
    for (term, hash) in js_terms.iter().zip(hashes) {
        let Some(t) = indexed.iter().find(|t| &t.text == term) else {
            panic!("query term {term:?} of {query:?} is not indexed");
        };
        assert_eq!(hash.as_u64(), Some(u64::from(t.shard)), "shard of {term:?}");
    }
}

/// An alias's site path through the real check, and what must hold when it is accepted.
pub fn alias(raw: &str) -> Result<String, &'static str> {
    alias_path(raw)
}

fn alias_path(raw: &str) -> Result<String, &'static str> {
    let path = crate::site::alias_path(raw)?;
    assert!(path.ends_with('/') || path.ends_with(".html"), "{path:?}");
    check_site_path(&path);
    Ok(path)
}

/// A term's folder under a taxonomy segment, as `taxonomy::collect_terms` names it, or None
/// when the term has no letters or digits.
pub fn term_path(segment: &str, term: &str) -> Option<String> {
    let slug = name_of(term.trim());
    if slug.is_empty() {
        return None;
    }
    let path = format!("{segment}/{slug}/");
    check_site_path(&path);
    Some(path)
}

/// An article's site path from its folders under content/, its file stem and its `slug:`, as
/// `content::load` accepts them, or None when load refuses them.
pub fn article_path(folders: &[&str], stem: &str, slug: Option<&str>) -> Option<String> {
    if folders
        .iter()
        .any(|f| !is_valid_path_name(f) || f.starts_with('.'))
    {
        return None;
    }
    let slug = slug.map(str::trim).unwrap_or(stem);
    if !is_valid_slug(slug) {
        return None;
    }
    let mut path: String = folders.iter().map(|f| format!("{f}/")).collect();
    if !path.is_empty() {
        check_site_path(&path);
    }
    path.push_str(slug);
    path.push('/');
    check_site_path(&path);
    Some(path)
}

/// One href kbgen writes to a site path, with where it is written, so a test can resolve it
/// with a real URL parser.
#[derive(Debug, Clone)]
pub struct Href {
    /// The absolute URL of the site root (`https://example.org/kb/`).
    pub site: String,
    /// The absolute URL of the page the href is written on.
    pub page: String,
    pub href: String,
    /// What the href must lead to, relative to the site root (`a/b/`, or `a/b/index.html`
    /// for a portable build).
    pub target: String,
}

/// A site path kbgen writes `PATH` or `PATH/index.html` for: it stays inside the output
/// folder, and its href (pretty, under a sub-path, absolute and portable, from the home page
/// and from a nested page) is well-formed and leads back to that path inside the site.
/// Returns those hrefs.
pub fn check_site_path(path: &str) -> Vec<Href> {
    let file = if path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_string()
    };
    assert!(is_inside(&file), "{file:?} leaves the output folder");
    assert!(
        !file.chars().any(char::is_control),
        "{file:?} holds a control character"
    );
    let out = Path::new("/srv/out");
    let mut joined = PathBuf::from(out);
    for c in Path::new(&file).components() {
        match c {
            std::path::Component::Normal(n) => joined.push(n),
            other => panic!("{file:?} has the component {other:?}"),
        }
    }
    assert!(joined.starts_with(out) && joined != out);
    for segment in path.trim_end_matches('/').split('/') {
        assert!(
            !segment.is_empty() && segment != "." && segment != "..",
            "{path:?}: segment {segment:?}"
        );
    }
    let mut hrefs = Vec::new();
    for base in ["/", "/kb/", "https://example.org/kb/"] {
        let base = BaseUrl::parse(base).unwrap_or_else(|_| unreachable!());
        let site = format!("https://example.org{}", base.path);
        let pretty = UrlMaker::new(base.clone(), false);
        for from in ["", "a/", "a/b/c/"] {
            let href = pretty.href(from, path);
            assert!(href.bytes().all(is_url_byte), "href {href:?}");
            assert!(
                href.starts_with(&base.path) && !href.starts_with("//"),
                "{href:?}"
            );
            assert_eq!(decode(&href[base.path.len()..]), path, "href {href:?}");
            hrefs.push(Href {
                site: site.clone(),
                page: format!("{site}{from}"),
                href,
                target: path.to_string(),
            });
            let portable = UrlMaker::new(base.clone(), true).href(from, path);
            assert!(portable.bytes().all(is_url_byte) && !portable.starts_with('/'));
            let mut rest = portable.as_str();
            let mut up = 0;
            while let Some(r) = rest.strip_prefix("../") {
                rest = r;
                up += 1;
            }
            assert_eq!(up, from.matches('/').count(), "{portable:?} climbs wrong");
            assert_eq!(decode(rest), file, "portable href {portable:?}");
            hrefs.push(Href {
                site: site.clone(),
                page: format!("{site}{from}index.html"),
                href: portable,
                target: file.clone(),
            });
        }
        let abs = pretty.absolute(path);
        assert!(abs.starts_with(&format!("{}{}", base.origin, base.path)));
    }
    hrefs
}

/// Bytes an href may hold as kbgen writes it: unreserved, `/`, and `%` escapes.
fn is_url_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.' | b'~' | b'%')
}

fn check_base(base: &BaseUrl) {
    assert!(
        base.path.starts_with('/') && base.path.ends_with('/'),
        "{base:?}"
    );
    assert!(
        !base.path.starts_with("//"),
        "base path {:?} names a host",
        base.path
    );
    assert!(
        !base.path.contains('\\') && !base.path.chars().any(char::is_control),
        "base path {:?}: a browser reads `\\` as `/`",
        base.path
    );
    for segment in base.path.split('/') {
        assert!(segment != "." && segment != "..", "{base:?}");
    }
    assert!(
        base.origin.is_empty()
            || base.origin.starts_with("https://")
            || base.origin.starts_with("http://"),
        "{base:?}"
    );
}

fn default_config() -> Config {
    match parse_config(Path::new("/nonexistent-site"), None, &Overrides::default()) {
        Ok(c) => c,
        Err(_) => unreachable!("the default config is valid"),
    }
}

fn section(dir: &str) -> Section {
    Section {
        dir: dir.into(),
        path: if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        },
        title: dir.into(),
        description: String::new(),
        weight: None,
        intro: String::new(),
        intro_line: 1,
        source: None,
        parent: if dir.is_empty() {
            None
        } else {
            Some(SectionId::ROOT)
        },
        extra: crate::yaml::Value::Null,
        sort_by: Default::default(),
    }
}

/// Three articles in two sections and one file, for the link resolver.
fn small_site() -> Content {
    let article = |section: usize, dir: &str, slug: &str, title: &str| Article {
        source: PathBuf::from(format!("content/{dir}/{slug}.md")),
        rel: format!("{dir}/{slug}.md"),
        section: SectionId::new(section),
        slug: slug.into(),
        path: format!("{dir}/{slug}/"),
        matter: crate::content::FrontMatter {
            title: title.into(),
            ..Default::default()
        },
        text: String::new(),
        body_start: 0,
        body_line: 1,
    };
    Content {
        sections: vec![section(""), section("debt"), section("privacy")].into(),
        articles: vec![
            article(1, "debt", "sms", "催收短信 <script>alert(1)</script>"),
            article(1, "debt", "lpr", "LPR\" onerror=\"x"),
            article(2, "privacy", "leak", "泄露 & </a>"),
        ]
        .into_iter()
        .map(std::sync::Arc::new)
        .collect::<Vec<_>>()
        .into(),
        assets: vec![Asset {
            source: PathBuf::from("content/debt/flow.svg"),
            rel: "debt/flow.svg".into(),
        }],
        unparsed: Vec::new(),
    }
}

fn line_count(text: &str) -> usize {
    text.split('\n').count()
}

fn check_diagnostics<'a>(text: &str, diags: impl Iterator<Item = &'a Diagnostic>) {
    for d in diags {
        check_position(text, d.line, d.column, &d.message);
        let _ = d.to_string();
    }
}

/// A 1-based line and character column inside `text` (or just past its end).
fn check_position(text: &str, line: usize, column: usize, what: &str) {
    let lines: Vec<&str> = text.split('\n').collect();
    assert!(
        line >= 1 && line <= lines.len(),
        "{what}: line {line} of {} lines",
        lines.len()
    );
    let chars = lines[line - 1].chars().count();
    assert!(
        column >= 1 && column <= chars + 1,
        "{what}: {line}:{column}, the line has {chars} characters"
    );
}

/// What Markdown and kbgen write, and what the sanitiser keeps of raw HTML (written out
/// again here: a change to the allow-list shows up as a change of this list).
const TAGS: &[&str] = &[
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
const ATTRIBUTES: &[&str] = &[
    "alt",
    "aria-label",
    "checked",
    "cite",
    "class",
    "colspan",
    "datetime",
    "dir",
    "disabled",
    "height",
    "href",
    "id",
    "lang",
    "open",
    "reversed",
    "role",
    "rowspan",
    "scope",
    "span",
    "src",
    "start",
    "style",
    "title",
    "type",
    "value",
    "width",
];
/// Elements without an end tag.
const VOID: &[&str] = &["br", "col", "hr", "img", "input", "wbr"];

/// HTML as kbgen writes it: every `<` opens an allowed tag with allowed attributes in double
/// quotes, no link or image uses a script scheme, no comment, and every element opened is
/// closed in order (an article's HTML cannot reach past itself).
pub fn check_html(html: &str) {
    let mut open: Vec<&str> = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        let closing = rest.starts_with('/');
        let body = rest.strip_prefix('/').unwrap_or(rest);
        let name_len = body
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(body.len());
        let name = &body[..name_len];
        assert!(
            TAGS.contains(&name),
            "unexpected tag <{}{name}> in {html:?}",
            if closing { "/" } else { "" }
        );
        if closing {
            assert_eq!(
                open.pop(),
                Some(name),
                "</{name}> closes another element in {html:?}"
            );
        } else if !VOID.contains(&name) {
            open.push(name);
        }
        let mut attrs = &body[name_len..];
        loop {
            attrs = attrs.trim_start_matches([' ', '\n']);
            if let Some(r) = attrs.strip_prefix("/>").or_else(|| attrs.strip_prefix('>')) {
                rest = r;
                break;
            }
            let attr_len = attrs
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                .unwrap_or(attrs.len());
            let attr = &attrs[..attr_len];
            assert!(
                ATTRIBUTES.contains(&attr),
                "unexpected attribute {attr:?} on <{name}> in {html:?}"
            );
            attrs = &attrs[attr_len..];
            let Some(value) = attrs.strip_prefix("=\"") else {
                continue;
            };
            let end = value
                .find('"')
                .unwrap_or_else(|| panic!("unclosed attribute in {html:?}"));
            let v = &value[..end];
            assert!(
                !v.contains(['<', '>']),
                "unescaped markup in an attribute: {html:?}"
            );
            if attr == "href" || attr == "src" || attr == "cite" {
                check_url(v, html);
            }
            attrs = &value[end + 1..];
        }
    }
    assert!(open.is_empty(), "{open:?} left open in {html:?}");
}

/// An href as a browser reads it: entities decoded, tabs and newlines dropped, leading
/// controls and spaces trimmed; it must not run script.
fn check_url(value: &str, html: &str) {
    let decoded = value
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    let url: String = decoded
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect::<String>()
        .to_ascii_lowercase();
    let scheme_ok = !(url.starts_with("javascript:")
        || url.starts_with("vbscript:")
        || (url.starts_with("data:") && !url.starts_with("data:image/")));
    assert!(scheme_ok, "script URL {value:?} in {html:?}");
}
