//! Markdown to HTML with pulldown-cmark. Rendering *reports* headings, links and questions;
//! `links` judges anchors later, once every article is rendered.

use crate::diagnostic::{Diagnostic, LineIndex};
use crate::ids::ArticleId;
use crate::names::{name_of, IdSet};
use crate::ui::Lang;
use pulldown_cmark::{
    BlockQuoteKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd,
};
use std::ops::Range;
use std::path::Path;

/// What a link destination turned out to be.
pub enum Resolution {
    /// Left as written (external, absolute path, mail …).
    Keep,
    /// An article: its id, the href to it from this page (without fragment).
    Article {
        id: ArticleId,
        href: String,
    },
    /// A section page or co-located file: the href to it.
    Other {
        href: String,
    },
    /// A same-page `#fragment`.
    SamePage,
    Broken(String),
    /// An article that failed to load (its own error says why): not reported again.
    Unavailable,
}

/// Resolves link destinations for one source file.
pub trait LinkResolver {
    /// `dest` without its `#fragment`; `wiki` for `[[…]]` links.
    fn resolve(&self, dest: &str, wiki: bool) -> Resolution;
    /// The title to show for a `[[wiki]]` link without `|text`.
    fn title_of(&self, id: ArticleId) -> String;
}

#[derive(Debug, Clone)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub text: String,
    pub line: usize,
}

/// A link to an article, to judge once every article is rendered.
#[derive(Debug, Clone)]
pub struct LinkRef {
    /// Article id, or None for a same-page fragment.
    pub target: Option<ArticleId>,
    /// The fragment through the name rule.
    pub fragment: Option<String>,
    /// As written, for messages.
    pub written: String,
    pub line: usize,
    pub column: usize,
}

/// A heading that ends in `?`/`？`: a question answered by the text under it.
#[derive(Debug, Clone)]
pub struct Question {
    pub heading: usize,
    pub answer_html: String,
    pub answer_text: String,
}

/// Plain text of one stretch of the page, for search: before the first heading (empty anchor)
/// or under one heading.
#[derive(Debug, Clone, Default)]
pub struct TextPart {
    pub anchor: String,
    pub heading: String,
    pub text: String,
}

#[derive(Debug, Default)]
pub struct Rendered {
    pub html: String,
    pub headings: Vec<Heading>,
    pub links: Vec<LinkRef>,
    pub first_paragraph: String,
    pub questions: Vec<Question>,
    pub parts: Vec<TextPart>,
    pub footnote_ids: Vec<String>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Where the Markdown comes from, for line numbers in messages.
pub struct Source<'a> {
    /// The whole file.
    pub file_text: &'a str,
    /// Byte offset of the Markdown in `file_text`, or None when it is not there verbatim
    /// (a front-matter FAQ answer): then every message points at `line`.
    pub offset: Option<usize>,
    pub line: usize,
}

pub struct RenderOptions<'a> {
    pub lang: Lang,
    pub links: &'a dyn LinkResolver,
    /// Ids already taken on the page (e.g. FAQ anchors), and the set new ids join.
    pub ids: &'a mut IdSet,
    /// Collect headings ending in `?` as questions.
    pub questions: bool,
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM
        | Options::ENABLE_WIKILINKS
}

/// Renders `markdown` to HTML and reports what it found.
pub fn render_markdown(markdown: &str, source: &Source<'_>, opts: RenderOptions<'_>) -> Rendered {
    let mut out = Rendered::default();
    let lines = source.offset.map(|_| LineIndex::new(source.file_text));
    let position = |range: &Range<usize>| match (&lines, source.offset) {
        (Some(idx), Some(off)) => idx.position(source.file_text, off + range.start),
        _ => (source.line, 1),
    };

    let mut events: Vec<Event<'_>> = Vec::new();
    let mut heading_start: Option<(usize, usize)> = None; // (event index, line)
    let mut outline = Outline::default();
    // (event index of Start(Link), resolved title for wiki links without text)
    let mut link_stack: Vec<(usize, Option<String>)> = Vec::new();
    let mut heading_event_indices: Vec<usize> = Vec::new();

    for (event, range) in Parser::new_ext(markdown, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading {
                level, id, classes, ..
            }) => {
                heading_start = Some((events.len(), position(&range).0));
                // `{key=value}` attributes would pass `onclick=…` into the page: only the id
                // and classes are kept.
                events.push(Event::Start(Tag::Heading {
                    level: outline.level(level),
                    id,
                    classes,
                    attrs: Vec::new(),
                }));
            }
            Event::End(TagEnd::Heading(_)) => {
                let level = outline.current();
                events.push(Event::End(TagEnd::Heading(level)));
                if let Some((start, line)) = heading_start.take() {
                    let text = plain_text(&events[start + 1..]);
                    let explicit = match &events[start] {
                        Event::Start(Tag::Heading { id: Some(id), .. }) => Some(id.to_string()),
                        _ => None,
                    };
                    let id = opts
                        .ids
                        .unique(name_of(explicit.as_deref().unwrap_or(&text)));
                    if let Event::Start(Tag::Heading { id: slot, .. }) = &mut events[start] {
                        *slot = Some(CowStr::from(id.clone()));
                    }
                    heading_event_indices.push(start);
                    out.headings.push(Heading {
                        level: level_number(level),
                        id,
                        text,
                        line,
                    });
                }
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let wiki = matches!(link_type, LinkType::WikiLink { .. });
                let (href, wiki_title) =
                    resolve_link(&dest_url, wiki, &range, &position, opts.links, &mut out);
                let needs_title = matches!(link_type, LinkType::WikiLink { has_pothole: false });
                link_stack.push((events.len(), if needs_title { wiki_title } else { None }));
                events.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url: href.into(),
                    title,
                    id,
                }));
            }
            Event::End(TagEnd::Link) => {
                if let Some((start, Some(title))) = link_stack.pop() {
                    events.truncate(start + 1);
                    events.push(Event::Text(title.into()));
                }
                events.push(Event::End(TagEnd::Link));
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let (href, _) =
                    resolve_link(&dest_url, false, &range, &position, opts.links, &mut out);
                events.push(Event::Start(Tag::Image {
                    link_type,
                    dest_url: href.into(),
                    title,
                    id,
                }));
            }
            Event::Start(Tag::BlockQuote(Some(kind))) => {
                let (class, label) = callout(kind, opts.lang);
                events.push(Event::Html(
                    format!("<div class=\"callout callout-{class}\" role=\"note\"><p class=\"callout-title\">{label}</p>\n").into(),
                ));
            }
            Event::End(TagEnd::BlockQuote(Some(_))) => events.push(Event::Html("</div>\n".into())),
            // Content is untrusted: raw HTML is shown as text, never passed through.
            Event::Html(html) | Event::InlineHtml(html) => events.push(Event::Text(html)),
            Event::Start(Tag::FootnoteDefinition(name)) => {
                out.footnote_ids.push(name.to_string());
                events.push(Event::Start(Tag::FootnoteDefinition(name)));
            }
            other => events.push(other),
        }
    }

    pulldown_cmark::html::push_html(&mut out.html, events.iter().cloned());
    let headings = std::mem::take(&mut out.headings);
    collect_text(&events, &headings, &heading_event_indices, &mut out);
    if opts.questions {
        collect_questions(&events, &headings, &heading_event_indices, &mut out);
    }
    out.headings = headings;
    out
}

fn level_number(level: HeadingLevel) -> u8 {
    level as u8
}

/// The levels headings are rendered at. The page's title is its one `<h1>`, so Markdown
/// headings start at `<h2>` and never skip a level (`# a` / `### b` become h2 / h3): the Nu
/// checker counts a skipped level as an error, and screen readers navigate by level. The
/// tree is kept: a heading's parent is still the nearest earlier heading written with a lower
/// level, so "up to the next heading of the same or a higher level" means the same before
/// and after (past h6, deeper headings stay h6).
#[derive(Default)]
struct Outline {
    /// The open headings: (level as written, level rendered).
    open: Vec<(HeadingLevel, HeadingLevel)>,
}

impl Outline {
    fn level(&mut self, written: HeadingLevel) -> HeadingLevel {
        while self.open.last().is_some_and(|&(w, _)| w >= written) {
            self.open.pop();
        }
        let parent = self.open.last().map_or(1, |&(_, r)| level_number(r));
        let rendered = heading_level(parent + 1);
        self.open.push((written, rendered));
        rendered
    }

    /// The level of the heading last opened.
    fn current(&self) -> HeadingLevel {
        self.open.last().map_or(HeadingLevel::H2, |&(_, r)| r)
    }
}

fn heading_level(n: u8) -> HeadingLevel {
    match n {
        0..=1 => HeadingLevel::H1,
        2 => HeadingLevel::H2,
        3 => HeadingLevel::H3,
        4 => HeadingLevel::H4,
        5 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}

/// An answer's headings moved so that its question counts as an `<h2>`: the FAQ index shows
/// answers under an `<h2>` per section, whatever level the question had in its article.
fn answer_event<'a>(event: &Event<'a>, question: u8) -> Event<'a> {
    // Sub-headings are deeper than their question: `l - question + 2` is at least h3.
    let shift = |l: HeadingLevel| heading_level(level_number(l).saturating_sub(question) + 2);
    match event {
        Event::Start(Tag::Heading {
            level,
            id,
            classes,
            attrs,
        }) => Event::Start(Tag::Heading {
            level: shift(*level),
            id: id.clone(),
            classes: classes.clone(),
            attrs: attrs.clone(),
        }),
        Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(shift(*level))),
        other => other.clone(),
    }
}

fn callout(kind: BlockQuoteKind, lang: Lang) -> (&'static str, &'static str) {
    let zh = lang == Lang::Zh;
    match kind {
        BlockQuoteKind::Note => ("note", if zh { "注意" } else { "Note" }),
        BlockQuoteKind::Tip => ("tip", if zh { "提示" } else { "Tip" }),
        BlockQuoteKind::Important => ("important", if zh { "重要" } else { "Important" }),
        BlockQuoteKind::Warning => ("warning", if zh { "警告" } else { "Warning" }),
        BlockQuoteKind::Caution => ("caution", if zh { "当心" } else { "Caution" }),
    }
}

fn is_dangerous_scheme(dest: &str) -> bool {
    let lower: String = dest
        .trim_start()
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .take(12)
        .collect::<String>()
        .to_ascii_lowercase();
    lower.starts_with("javascript:")
        || lower.starts_with("vbscript:")
        || (lower.starts_with("data:") && !lower.starts_with("data:image/"))
}

/// Resolves one destination; returns the href to write and, for article targets, their title.
fn resolve_link(
    dest: &str,
    wiki: bool,
    range: &Range<usize>,
    position: &dyn Fn(&Range<usize>) -> (usize, usize),
    links: &dyn LinkResolver,
    out: &mut Rendered,
) -> (String, Option<String>) {
    let (line, column) = position(range);
    if is_dangerous_scheme(dest) {
        out.diagnostics.push(Diagnostic::warning(
            Path::new(""),
            line,
            column,
            format!("link `{dest}` uses a script scheme and was removed"),
        ));
        return ("#".into(), None);
    }
    let (path, fragment) = match dest.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (dest, None),
    };
    let fragment_name = fragment.map(|f| name_of(&crate::urls::decode(f)));
    let with_fragment = |href: String| match &fragment_name {
        Some(f) if !f.is_empty() => format!("{href}#{}", crate::urls::encode_fragment(f)),
        _ => href,
    };
    let resolution = if path.is_empty() && !wiki {
        Resolution::SamePage
    } else {
        links.resolve(path, wiki)
    };
    match resolution {
        Resolution::Keep => (dest.to_string(), None),
        Resolution::SamePage => {
            out.links.push(LinkRef {
                target: None,
                fragment: fragment_name.clone(),
                written: dest.to_string(),
                line,
                column,
            });
            (with_fragment(String::new()), None)
        }
        Resolution::Article { id, href } => {
            out.links.push(LinkRef {
                target: Some(id),
                fragment: fragment_name.clone(),
                written: dest.to_string(),
                line,
                column,
            });
            (with_fragment(href), Some(links.title_of(id)))
        }
        Resolution::Other { href } => (with_fragment(href), None),
        Resolution::Broken(message) => {
            out.diagnostics
                .push(Diagnostic::error(Path::new(""), line, column, message));
            (dest.to_string(), None)
        }
        Resolution::Unavailable => (dest.to_string(), None),
    }
}

/// The plain text of events (what a reader sees, without markup).
pub fn plain_text(events: &[Event<'_>]) -> String {
    let mut s = String::new();
    for e in events {
        match e {
            Event::Text(t) | Event::Code(t) => s.push_str(t),
            Event::SoftBreak | Event::HardBreak => s.push(' '),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Item
                | TagEnd::TableCell
                | TagEnd::CodeBlock
                | TagEnd::Heading(_),
            ) => s.push(' '),
            _ => {}
        }
    }
    s.trim().to_string()
}

fn collect_text(
    events: &[Event<'_>],
    headings: &[Heading],
    heading_at: &[usize],
    out: &mut Rendered,
) {
    // Parts: before the first heading, then one per heading (text between it and the next heading).
    let mut bounds: Vec<(usize, usize, Option<usize>)> = Vec::new();
    let first = heading_at.first().copied().unwrap_or(events.len());
    bounds.push((0, first, None));
    for (i, &start) in heading_at.iter().enumerate() {
        let end_of_heading = events[start..]
            .iter()
            .position(|e| matches!(e, Event::End(TagEnd::Heading(_))))
            .map_or(start, |p| start + p + 1);
        let next = heading_at.get(i + 1).copied().unwrap_or(events.len());
        bounds.push((end_of_heading, next, Some(i)));
    }
    for (from, to, h) in bounds {
        let text = plain_text(&events[from..to.max(from)]);
        let (anchor, heading) = match h {
            Some(i) => (headings[i].id.clone(), headings[i].text.clone()),
            None => (String::new(), String::new()),
        };
        if text.is_empty() && heading.is_empty() {
            continue;
        }
        out.parts.push(TextPart {
            anchor,
            heading,
            text,
        });
    }
    // The first top-level paragraph (not inside a callout, list or quote) is the fallback summary.
    let mut depth = 0usize;
    let mut in_para: Option<usize> = None;
    for (i, e) in events.iter().enumerate() {
        match e {
            Event::Start(Tag::Paragraph) if depth == 0 => in_para = Some(i),
            Event::End(TagEnd::Paragraph) if in_para.is_some() => {
                let start = in_para.take().unwrap_or(i);
                let text = plain_text(&events[start..i]);
                if !text.is_empty() {
                    out.first_paragraph = text;
                    break;
                }
            }
            Event::Start(
                Tag::BlockQuote(_) | Tag::List(_) | Tag::Table(_) | Tag::FootnoteDefinition(_),
            ) => depth += 1,
            Event::End(
                TagEnd::BlockQuote(_)
                | TagEnd::List(_)
                | TagEnd::Table
                | TagEnd::FootnoteDefinition,
            ) => depth = depth.saturating_sub(1),
            Event::Html(h) if h.starts_with("<div class=\"callout") => depth += 1,
            Event::Html(h) if h.starts_with("</div>") => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
}

fn collect_questions(
    events: &[Event<'_>],
    headings: &[Heading],
    heading_at: &[usize],
    out: &mut Rendered,
) {
    for (i, h) in headings.iter().enumerate() {
        if !(h.text.ends_with('?') || h.text.ends_with('？')) {
            continue;
        }
        let start = heading_at[i];
        let body_from = events[start..]
            .iter()
            .position(|e| matches!(e, Event::End(TagEnd::Heading(_))))
            .map_or(start, |p| start + p + 1);
        // The answer runs to the next heading of the same or a higher level.
        let end = headings
            .iter()
            .enumerate()
            .skip(i + 1)
            .find(|(_, other)| other.level <= h.level)
            .map_or(events.len(), |(j, _)| heading_at[j]);
        let slice = &events[body_from..end];
        let mut answer_html = String::new();
        pulldown_cmark::html::push_html(
            &mut answer_html,
            slice.iter().map(|e| answer_event(e, h.level)),
        );
        out.questions.push(Question {
            heading: i,
            answer_html,
            answer_text: plain_text(slice),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct NoLinks;
    impl LinkResolver for NoLinks {
        fn resolve(&self, dest: &str, _wiki: bool) -> Resolution {
            if dest == "other.md" {
                Resolution::Article {
                    id: crate::ids::Id::new(7),
                    href: "/other/".into(),
                }
            } else if dest.starts_with("http") {
                Resolution::Keep
            } else {
                Resolution::Broken(format!("no `{dest}`"))
            }
        }
        fn title_of(&self, _id: ArticleId) -> String {
            "Other & co".into()
        }
    }

    fn render(md: &str) -> Rendered {
        let mut ids = IdSet::default();
        let src = Source {
            file_text: md,
            offset: Some(0),
            line: 1,
        };
        render_markdown(
            md,
            &src,
            RenderOptions {
                lang: Lang::Zh,
                links: &NoLinks,
                ids: &mut ids,
                questions: true,
            },
        )
    }

    #[test]
    fn headings_get_name_rule_ids_and_questions_their_answers() {
        let r = render("intro\n\n## 法律救济途径有哪些？\n\nA1\n\n### sub\n\nA2\n\n## 法律救济途径有哪些？\n\nB\n");
        assert!(r.html.contains("<h2 id=\"法律救济途径有哪些\">"));
        assert!(r.html.contains("<h2 id=\"法律救济途径有哪些-2\">"));
        assert_eq!(r.questions.len(), 2);
        assert!(
            r.questions[0].answer_text.contains("A1") && r.questions[0].answer_text.contains("A2")
        );
        assert!(!r.questions[0].answer_text.contains('B'));
        assert_eq!(r.first_paragraph, "intro");
    }

    #[test]
    fn headings_start_at_h2_and_never_skip_a_level() {
        // Written: # ### ## ##### #### ### ; the tree stays (C closes B, E closes D).
        let r = render("# A\n\n### B\n\n## C\n\n##### D\n\n#### E？\n\n###### F\n\n### G\n");
        let levels: Vec<(u8, &str)> = r
            .headings
            .iter()
            .map(|h| (h.level, h.text.as_str()))
            .collect();
        let want = [
            (2, "A"),
            (3, "B"),
            (3, "C"),
            (4, "D"),
            (4, "E？"),
            (5, "F"),
            (4, "G"),
        ];
        assert_eq!(levels, want);
        assert!(r.html.contains("<h2 id=\"a\">A</h2>"), "{}", r.html);
        assert!(r.html.contains("<h3 id=\"b\">B</h3>"));
        assert!(r.html.contains("<h4 id=\"d\">D</h4>"));
        assert!(!r.html.contains("<h1"));
        // The answer of E (an h4) holds F, moved so that E counts as an h2: F is an h3.
        assert_eq!(r.questions.len(), 1);
        assert!(
            r.questions[0].answer_html.contains("<h3 id=\"f\">F</h3>"),
            "{}",
            r.questions[0].answer_html
        );
        assert!(!r.questions[0].answer_text.contains('G'));
        // Seven levels deep: the last two share h6.
        let deep = render("# 1\n## 2\n### 3\n#### 4\n##### 5\n###### 6\n");
        let levels: Vec<u8> = deep.headings.iter().map(|h| h.level).collect();
        assert_eq!(levels, [2, 3, 4, 5, 6, 6]);
    }

    #[test]
    fn alerts_become_callouts_and_raw_html_is_escaped() {
        let r = render("> [!WARNING]\n> 小心\n\n<script>alert(1)</script>\n");
        assert!(r.html.contains("callout-warning"));
        assert!(r.html.contains("警告"));
        assert!(!r.html.contains("<script>"));
        assert!(r.html.contains("&lt;script&gt;"));
    }

    /// Regression (fuzz, issue 11): `# T {onclick=alert(1)}` wrote `<h1 onclick="alert(1)">`.
    #[test]
    fn heading_attributes_do_not_reach_the_page() {
        let r = render("# T {onclick=alert(1) #top .wide}\n");
        // (A body's `#` is an h2: the page title is the only h1.)
        assert_eq!(r.html, "<h2 id=\"top\" class=\"wide\">T</h2>\n");
    }

    #[test]
    fn links_resolve_report_and_wiki_links_take_titles() {
        let r = render("see [x](<other.md#Some Heading>) and [[other.md]]\n\n[bad](missing.md)\n\n[js](javascript:alert(1))");
        assert!(r.html.contains("href=\"/other/#some-heading\""));
        assert!(r.html.contains(">Other &amp; co</a>"));
        assert_eq!(r.links.len(), 2);
        assert_eq!(r.links[0].fragment.as_deref(), Some("some-heading"));
        let errors: Vec<_> = r.diagnostics.iter().filter(|d| d.is_error()).collect();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 3);
        assert!(!r.html.contains("javascript:"));
    }
}
