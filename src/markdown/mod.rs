//! Markdown to HTML with pulldown-cmark. Rendering *reports* headings, links and questions;
//! `links` judges anchors later, once every article is rendered. Raw HTML is sanitised
//! (`sanitize`), fenced code highlighted (`highlight`), footnotes numbered and gathered at
//! the end as GFM does (`footnotes`), plain text read as a reader would (`text`).

use crate::diagnostic::{Diagnostic, LineIndex};
use crate::ids::ArticleId;
use crate::names::{name_of, IdSet};
use crate::ui::Lang;
mod footnotes;
mod highlight;
mod raw;
mod sanitize;
mod text;

use pulldown_cmark::{
    BlockQuoteKind, CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag,
    TagEnd,
};
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::Path;
use text::plain_text;

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
    /// The site's UI words (footnote labels).
    pub ui: &'a crate::ui::Ui,
    pub links: &'a dyn LinkResolver,
    /// Ids already taken on the page (e.g. FAQ anchors), and the set new ids join.
    pub ids: &'a mut IdSet,
    /// Which headings ending in `?` are questions.
    pub questions: Questions,
    /// Put before footnote ids, so that Markdown rendered apart from a page's body (a
    /// front-matter answer) cannot repeat the body's `fn-1`.
    pub footnote_prefix: &'a str,
}

/// Which headings ending in `?`/`？` are questions for the FAQ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Questions {
    /// None (section intros, front-matter answers).
    None,
    /// Only those marked `{.faq}` (an article with `faq_headings: false`).
    Marked,
    /// All but those marked `{.no-faq}`.
    All,
}

/// The heading class that keeps a question out of the FAQ, and the one that puts it in when
/// the article's `faq_headings` is false. Neither reaches the page.
const NO_FAQ_CLASS: &str = "no-faq";
const FAQ_CLASS: &str = "faq";

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM
        | Options::ENABLE_WIKILINKS
}

/// What the HTML of a stretch of events is made with besides the events: highlighted code
/// blocks, footnote marks, and the ids kbgen gave (which the sanitiser keeps).
#[derive(Default)]
struct Extras {
    /// Start(CodeBlock) index → (End(CodeBlock) index, the whole `<pre>` highlighted).
    code: HashMap<usize, (usize, String)>,
    /// A footnote mark's index → the mark without its id (for HTML shown off its page).
    marks: HashMap<usize, String>,
    own_ids: HashSet<String>,
}

/// Renders `markdown` to HTML and reports what it found.
///
/// After the event pass, `Event::Html` is kbgen's own markup (callouts, footnote marks) and
/// `Event::InlineHtml` is the writer's raw HTML, block or inline: HTML holding any goes
/// through `sanitize` as a whole, so a tag left open closes inside it.
pub fn render_markdown(markdown: &str, source: &Source<'_>, opts: RenderOptions<'_>) -> Rendered {
    let mut out = Rendered::default();
    let lines = source.offset.map(|_| LineIndex::new(source.file_text));
    let position = |range: &Range<usize>| match (&lines, source.offset) {
        (Some(idx), Some(off)) => idx.position(source.file_text, off + range.start),
        _ => (source.line, 1),
    };
    let parsed: Vec<(Event<'_>, Range<usize>)> = Parser::new_ext(markdown, options())
        .into_offset_iter()
        .collect();
    let mut notes = footnotes::Plan::of(parsed);
    for (name, range) in &notes.unused {
        let (line, column) = position(range);
        out.diagnostics.push(Diagnostic::warning(
            Path::new(""),
            line,
            column,
            format!("footnote `[^{name}]` is never referenced and was left out"),
        ));
    }
    let ui = opts.ui;

    let mut events: Vec<Event<'_>> = Vec::new();
    let mut extras = Extras::default();
    let mut heading_start: Option<(usize, usize, Option<bool>)> = None; // (event index, line, mark)
    let mut outline = Outline::default();
    // (event index of Start(Link), resolved title for wiki links without text)
    let mut link_stack: Vec<(usize, Option<String>)> = Vec::new();
    let mut heading_event_indices: Vec<usize> = Vec::new();
    let mut heading_marks: Vec<Option<bool>> = Vec::new();
    // A fenced block with a language: (its Start index, the language).
    let mut code_start: Option<(usize, String)> = None;
    let mut marks = footnotes::Marks::default();
    // Where the footnotes begin in `events`, once they have.
    let mut notes_from: Option<usize> = None;
    let mut open_note: Option<usize> = None;

    let parsed = std::mem::take(&mut notes.events);
    for (at, (event, range)) in parsed.into_iter().enumerate() {
        if at == notes.body_len && notes_from.is_none() && !notes.order.is_empty() {
            let label = opts
                .ids
                .unique(format!("{}footnotes", opts.footnote_prefix));
            extras.own_ids.insert(label.clone());
            out.footnote_ids.push(label.clone());
            notes_from = Some(events.len());
            events.push(Event::Html(
                format!(
                    "<section class=\"footnotes\">\n<h2 id=\"{}\" class=\"visually-hidden\">{}</h2>\n<ol>\n",
                    escape_attr(&label),
                    escape_attr(&ui.footnotes)
                )
                .into(),
            ));
        }
        match event {
            Event::Start(Tag::Heading {
                level,
                id,
                mut classes,
                ..
            }) => {
                let mark = if classes.iter().any(|c| &**c == NO_FAQ_CLASS) {
                    Some(false)
                } else if classes.iter().any(|c| &**c == FAQ_CLASS) {
                    Some(true)
                } else {
                    None
                };
                classes.retain(|c| &**c != NO_FAQ_CLASS && &**c != FAQ_CLASS);
                heading_start = Some((events.len(), position(&range).0, mark));
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
                if let Some((start, line, mark)) = heading_start.take() {
                    let text = plain_text(&events[start + 1..], opts.lang);
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
                    extras.own_ids.insert(id.clone());
                    heading_event_indices.push(start);
                    heading_marks.push(mark);
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
                let (class, label) = callout(kind, opts.ui);
                // The label may come from kbgen.yaml's `ui:`: escaped like any text.
                events.push(Event::Html(
                    format!(
                        "<div class=\"callout callout-{class}\" role=\"note\"><p class=\"callout-title\">{}</p>\n",
                        escape_attr(label)
                    )
                    .into(),
                ));
            }
            Event::End(TagEnd::BlockQuote(Some(_))) => events.push(Event::Html("</div>\n".into())),
            // The writer's raw HTML: passed on, to be sanitised with what it encloses.
            Event::Html(html) | Event::InlineHtml(html) => {
                events.push(Event::InlineHtml(sanitize::defuse(html)))
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                let language = info.split_whitespace().next().unwrap_or("").to_string();
                if !language.is_empty() {
                    code_start = Some((events.len(), language));
                }
                events.push(Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))));
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((start, language)) = code_start.take() {
                    let code: String = events[start + 1..]
                        .iter()
                        .filter_map(|e| match e {
                            Event::Text(t) => Some(&**t),
                            _ => None,
                        })
                        .collect();
                    if let Some(inner) = highlight::highlight(&language, &code) {
                        let html = format!(
                            "<pre class=\"hl\"><code class=\"language-{}\">{inner}</code></pre>\n",
                            escape_attr(&language)
                        );
                        extras.code.insert(start, (events.len(), html));
                    }
                }
                events.push(Event::End(TagEnd::CodeBlock));
            }
            Event::FootnoteReference(name) => match notes.number(&name) {
                Some(n) => {
                    let mark = marks.mark(n, opts.ids, opts.footnote_prefix);
                    extras.own_ids.insert(mark.note_id.clone());
                    extras.own_ids.insert(mark.ref_id.clone());
                    out.footnote_ids.push(mark.ref_id.clone());
                    if mark.first {
                        out.footnote_ids.push(mark.note_id.clone());
                    }
                    extras.marks.insert(events.len(), mark.html(n, false));
                    events.push(Event::Html(mark.html(n, true).into()));
                }
                // A reference without a definition is what was written.
                None => events.push(Event::Text(format!("[^{name}]").into())),
            },
            // A note becomes an item of the footnotes' list (the definition's own events
            // would write pulldown-cmark's markup).
            Event::Start(Tag::FootnoteDefinition(name)) => {
                open_note = notes.number(&name);
                let id = open_note.and_then(|n| marks.note_id(n)).unwrap_or_default();
                events.push(Event::Html(
                    format!("<li id=\"{}\">\n", escape_attr(&id)).into(),
                ));
            }
            Event::End(TagEnd::FootnoteDefinition) => {
                let back = open_note
                    .take()
                    .map(|n| marks.back_links(n, ui))
                    .unwrap_or_default();
                // Back-links end the note's last paragraph, as GFM places them.
                if matches!(events.last(), Some(Event::End(TagEnd::Paragraph))) {
                    let end = events.pop().unwrap_or(Event::End(TagEnd::Paragraph));
                    events.push(Event::Html(format!(" {back}").into()));
                    events.push(end);
                } else {
                    events.push(Event::Html(format!("<p>{back}</p>\n").into()));
                }
                events.push(Event::Html("</li>\n".into()));
            }
            other => events.push(other),
        }
    }
    if notes_from.is_some() {
        events.push(Event::Html("</ol>\n</section>\n".into()));
    }
    let body_end = notes_from.unwrap_or(events.len());

    out.html = render_html(&events, 0..events.len(), &extras, None);
    let headings = std::mem::take(&mut out.headings);
    collect_text(
        &events,
        &headings,
        &heading_event_indices,
        body_end,
        opts.lang,
        &ui.footnotes,
        &mut out,
    );
    let asked = |i: usize| match (opts.questions, heading_marks[i]) {
        (Questions::None, _) => false,
        (_, Some(mark)) => mark,
        (Questions::Marked, None) => false,
        (Questions::All, None) => true,
    };
    let questions: Vec<usize> = (0..headings.len()).filter(|&i| asked(i)).collect();
    collect_questions(
        &events,
        &headings,
        &heading_event_indices,
        &questions,
        body_end,
        &extras,
        opts.lang,
        &mut out,
    );
    out.headings = headings;
    out
}

/// How deep the Markdown inside one sanitised piece may nest. The HTML parser walks its stack
/// of open elements for many tags, so a piece holding a list nested 10,000 deep would cost it
/// seconds: a deeper container holding raw HTML is entered instead, and only the parts in it
/// that hold raw HTML are sanitised.
const MAX_PIECE_DEPTH: usize = 32;

/// The HTML of `events[range]`: highlighted code in place of its block, and, with
/// `answer_of` (an answer to a question of that level), headings moved under it and footnote
/// marks without ids.
///
/// Raw HTML is sanitised with what it encloses. A block of raw HTML opens a region of the
/// blocks beside it that lasts until every element it opened is closed, or until its
/// container ends, or kbgen's own markup between blocks (a callout's or the footnotes'
/// frame) comes; the region is sanitised as one fragment, so an unclosed `<div>` closes
/// there and `<details>` … `</details>` around Markdown keeps it. Any other block holding raw
/// HTML is sanitised on its own (inline HTML closes with its paragraph). A tag, comment or
/// script left unfinished is closed where its block ends, so it cannot swallow what follows.
fn render_html(
    events: &[Event<'_>],
    range: Range<usize>,
    extras: &Extras,
    answer_of: Option<u8>,
) -> String {
    // The events as shown: a highlighted block is one `Html` (marked in `is_code`).
    let mut shown: Vec<Event<'_>> = Vec::with_capacity(range.len());
    let mut is_code: Vec<bool> = Vec::with_capacity(range.len());
    let mut skip_to = None;
    for i in range {
        if skip_to.is_some_and(|end| i <= end) {
            continue;
        }
        if let Some((end, code)) = extras.code.get(&i) {
            skip_to = Some(*end);
            shown.push(Event::Html(code.as_str().into()));
            is_code.push(true);
            continue;
        }
        shown.push(match (answer_of, extras.marks.get(&i)) {
            (Some(_), Some(mark)) => Event::Html(mark.as_str().into()),
            (Some(level), None) => answer_event(&events[i], level),
            (None, _) => events[i].clone(),
        });
        is_code.push(false);
    }
    let mut html = String::new();
    if !shown.iter().any(|e| matches!(e, Event::InlineHtml(_))) {
        pulldown_cmark::html::push_html(&mut html, shown.into_iter());
        return html;
    }
    let tree = Tree::of(&shown);
    let n = shown.len();
    let mut region: Option<(Vec<Event<'_>>, raw::RawScan)> = None;
    let flush = |region: &mut Option<(Vec<Event<'_>>, raw::RawScan)>, html: &mut String| {
        if let Some((mut piece, mut scan)) = region.take() {
            let closer = scan.close_block();
            if !closer.is_empty() {
                piece.push(Event::InlineHtml(closer.into()));
            }
            html.push_str(&sanitized(piece, &extras.own_ids));
        }
    };
    let mut i = 0;
    while i < n {
        let block_start = matches!(&shown[i], Event::Start(t) if !text::is_inline(t));
        if block_start {
            let end = tree.end[i];
            let whole = i..end + 1;
            if let Some((piece, scan)) = &mut region {
                if tree.depth[i] <= MAX_PIECE_DEPTH {
                    feed_piece(piece, scan, &shown[whole]);
                    i = end + 1;
                    if scan.is_balanced() {
                        flush(&mut region, &mut html);
                    }
                    continue;
                }
                flush(&mut region, &mut html);
            }
            if !tree.raw[i] {
                pulldown_cmark::html::push_html(&mut html, shown[whole].iter().cloned());
                i = end + 1;
            } else if matches!(shown[i], Event::Start(Tag::HtmlBlock)) {
                let mut piece = Vec::new();
                let mut scan = raw::RawScan::default();
                feed_piece(&mut piece, &mut scan, &shown[whole]);
                region = Some((piece, scan));
                i = end + 1;
                if region.as_ref().is_some_and(|(_, s)| s.is_balanced()) {
                    flush(&mut region, &mut html);
                }
            } else if tree.depth[i] <= MAX_PIECE_DEPTH {
                html.push_str(&sanitized_block(&shown[whole], &extras.own_ids));
                i = end + 1;
            } else {
                // Too deep for one piece: its own tags as they are, its children one by one.
                pulldown_cmark::html::push_html(&mut html, std::iter::once(shown[i].clone()));
                i += 1;
            }
            continue;
        }
        match &shown[i] {
            // The end of a container entered above, or kbgen's frame between blocks: raw
            // HTML before it closes before it.
            Event::End(t) if !text::is_inline_end(t) => {
                flush(&mut region, &mut html);
                pulldown_cmark::html::push_html(&mut html, std::iter::once(shown[i].clone()));
                i += 1;
            }
            Event::Html(_) if !is_code[i] => {
                flush(&mut region, &mut html);
                pulldown_cmark::html::push_html(&mut html, std::iter::once(shown[i].clone()));
                i += 1;
            }
            _ => {
                // A run of inline events between blocks (a tight list item's text), or a
                // highlighted block.
                let from = i;
                let is_boundary = |i: usize| {
                    text::is_block_edge(&shown[i])
                        || (matches!(shown[i], Event::Html(_)) && !is_code[i])
                };
                while i < n && !is_boundary(i) {
                    i += 1;
                }
                let run = &shown[from..i.max(from + 1)];
                i = i.max(from + 1);
                if let Some((piece, scan)) = &mut region {
                    feed_piece(piece, scan, run);
                } else if run.iter().any(|e| matches!(e, Event::InlineHtml(_))) {
                    html.push_str(&sanitized_block(run, &extras.own_ids));
                } else {
                    pulldown_cmark::html::push_html(&mut html, run.iter().cloned());
                }
            }
        }
    }
    flush(&mut region, &mut html);
    html
}

/// Where each Start event's block ends, whether it holds raw HTML, and how deep it nests.
struct Tree {
    end: Vec<usize>,
    raw: Vec<bool>,
    depth: Vec<usize>,
}

impl Tree {
    fn of(events: &[Event<'_>]) -> Tree {
        let n = events.len();
        let mut t = Tree {
            // A block still open where the stretch ends (an answer's) ends with it.
            end: vec![n.saturating_sub(1); n],
            raw: vec![false; n],
            depth: vec![0; n],
        };
        // (Start index, holds raw HTML, depth below)
        let mut open: Vec<(usize, bool, usize)> = Vec::new();
        for (i, e) in events.iter().enumerate() {
            match e {
                Event::Start(_) => open.push((i, false, 0)),
                Event::End(_) => {
                    if let Some((s, raw, depth)) = open.pop() {
                        t.end[s] = i;
                        t.raw[s] = raw;
                        t.depth[s] = depth + 1;
                        if let Some(parent) = open.last_mut() {
                            parent.1 |= raw;
                            parent.2 = parent.2.max(depth + 1);
                        }
                    }
                }
                Event::InlineHtml(_) => {
                    if let Some(parent) = open.last_mut() {
                        parent.1 = true;
                    }
                }
                _ => {}
            }
        }
        // Blocks left open: what they hold is known once the stretch ends.
        while let Some((s, raw, depth)) = open.pop() {
            t.raw[s] = raw;
            t.depth[s] = depth + 1;
            if let Some(parent) = open.last_mut() {
                parent.1 |= raw;
                parent.2 = parent.2.max(depth + 1);
            }
        }
        t
    }
}

/// Adds `events` to a piece to be sanitised: an unfinished tag, comment or script is closed
/// where its block ends, raw HTML nested past `raw::MAX_OPEN` is shown as text.
fn feed_piece<'a>(piece: &mut Vec<Event<'a>>, scan: &mut raw::RawScan, events: &[Event<'a>]) {
    for event in events {
        if text::is_block_edge(event) {
            let closer = scan.close_block();
            if !closer.is_empty() {
                piece.push(Event::InlineHtml(closer.into()));
            }
            match event {
                Event::Start(Tag::HtmlBlock) => scan.enter(true),
                Event::Start(_) => scan.enter(false),
                Event::End(_) => scan.leave(),
                _ => {}
            }
        }
        match event {
            Event::InlineHtml(h) => match scan.feed(h, &mut |_| {}) {
                Some(at) => {
                    piece.push(Event::InlineHtml(h[..at].to_string().into()));
                    piece.push(Event::Text(h[at..].to_string().into()));
                }
                None => piece.push(event.clone()),
            },
            other => piece.push(other.clone()),
        }
    }
}

/// One block (or run of inline events) holding raw HTML, sanitised on its own.
fn sanitized_block(events: &[Event<'_>], own_ids: &HashSet<String>) -> String {
    let mut piece = Vec::with_capacity(events.len() + 1);
    let mut scan = raw::RawScan::default();
    feed_piece(&mut piece, &mut scan, events);
    let closer = scan.close_block();
    if !closer.is_empty() {
        piece.push(Event::InlineHtml(closer.into()));
    }
    sanitized(piece, own_ids)
}

fn sanitized(piece: Vec<Event<'_>>, own_ids: &HashSet<String>) -> String {
    let mut part = String::new();
    pulldown_cmark::html::push_html(&mut part, piece.into_iter());
    sanitize::sanitize(&part, own_ids)
}

/// `"` `&` `<` `>` escaped, for kbgen's own attribute values (ids, labels).
fn escape_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("&quot;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
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

/// A GFM alert's class and label, in the site's words (`ui.callout_*`).
fn callout(kind: BlockQuoteKind, ui: &crate::ui::Ui) -> (&'static str, &str) {
    match kind {
        BlockQuoteKind::Note => ("note", &ui.callout_note),
        BlockQuoteKind::Tip => ("tip", &ui.callout_tip),
        BlockQuoteKind::Important => ("important", &ui.callout_important),
        BlockQuoteKind::Warning => ("warning", &ui.callout_warning),
        BlockQuoteKind::Caution => ("caution", &ui.callout_caution),
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

fn collect_text(
    events: &[Event<'_>],
    headings: &[Heading],
    heading_at: &[usize],
    body_end: usize,
    lang: Lang,
    footnotes_heading: &str,
    out: &mut Rendered,
) {
    // Parts: before the first heading, then one per heading (text between it and the next
    // heading), then the footnotes.
    let mut bounds: Vec<(usize, usize, Option<usize>)> = Vec::new();
    let first = heading_at.first().copied().unwrap_or(body_end);
    bounds.push((0, first, None));
    for (i, &start) in heading_at.iter().enumerate() {
        let next = heading_at.get(i + 1).copied().unwrap_or(body_end);
        bounds.push((end_of_heading(events, start), next, Some(i)));
    }
    for (from, to, h) in bounds {
        let text = plain_text(&events[from..to.max(from)], lang);
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
    if body_end < events.len() {
        out.parts.push(TextPart {
            anchor: out.footnote_ids.first().cloned().unwrap_or_default(),
            heading: footnotes_heading.to_string(),
            text: plain_text(&events[body_end..], lang),
        });
    }
    // The first top-level paragraph (not inside a callout, list or quote) is the fallback summary.
    let mut depth = 0usize;
    let mut in_para: Option<usize> = None;
    for (i, e) in events[..body_end].iter().enumerate() {
        match e {
            Event::Start(Tag::Paragraph) if depth == 0 => in_para = Some(i),
            Event::End(TagEnd::Paragraph) if in_para.is_some() => {
                let start = in_para.take().unwrap_or(i);
                let text = plain_text(&events[start..i], lang);
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

/// The index after the End(Heading) of the heading starting at `start`.
fn end_of_heading(events: &[Event<'_>], start: usize) -> usize {
    events[start..]
        .iter()
        .position(|e| matches!(e, Event::End(TagEnd::Heading(_))))
        .map_or(start, |p| start + p + 1)
}

/// The questions among the headings (`asked`, indices into `headings`) with their answers.
#[allow(clippy::too_many_arguments)]
fn collect_questions(
    events: &[Event<'_>],
    headings: &[Heading],
    heading_at: &[usize],
    asked: &[usize],
    body_end: usize,
    extras: &Extras,
    lang: Lang,
    out: &mut Rendered,
) {
    for &i in asked {
        let h = &headings[i];
        if !(h.text.ends_with('?') || h.text.ends_with('？')) {
            continue;
        }
        let body_from = end_of_heading(events, heading_at[i]);
        // The answer runs to the next heading of the same or a higher level.
        let end = headings
            .iter()
            .enumerate()
            .skip(i + 1)
            .find(|(_, other)| other.level <= h.level)
            .map_or(body_end, |(j, _)| heading_at[j]);
        out.questions.push(Question {
            heading: i,
            answer_html: render_html(events, body_from..end, extras, Some(h.level)),
            answer_text: plain_text(&events[body_from..end], lang),
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
                ui: &crate::ui::Ui::new(crate::ui::Words::Simplified, &[]),
                links: &NoLinks,
                ids: &mut ids,
                questions: Questions::All,
                footnote_prefix: "",
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
    fn alerts_become_callouts_and_raw_html_is_sanitised() {
        let r = render("> [!WARNING]\n> 小心\n\n<script>alert(1)</script>\n\n按 <kbd>Ctrl</kbd> <b onclick=\"x()\">粗</b>\n");
        assert!(r
            .html
            .contains("<div class=\"callout callout-warning\" role=\"note\">"));
        assert!(r.html.contains("警告"));
        assert!(
            !r.html.contains("script") && !r.html.contains("alert"),
            "{}",
            r.html
        );
        assert!(
            r.html.contains("<p>按 <kbd>Ctrl</kbd> <b>粗</b></p>"),
            "{}",
            r.html
        );
        assert_eq!(r.parts[0].text, "小心 按 Ctrl 粗");
    }

    /// Issue 14: an unclosed `<div>` or `<!--` in one article cannot swallow the page around
    /// it, and what stays open in a question's answer closes inside the answer.
    #[test]
    fn unclosed_raw_html_closes_inside_the_body_and_the_answer() {
        let r = render("## 怎么办？\n\n<div class=\"x\">\n\n开头 <span>未闭合\n\n## 下一个\n\n<!-- 没有结束\n\n## 藏起来\n");
        assert_eq!(
            r.html.matches("<div").count(),
            r.html.matches("</div>").count(),
            "{}",
            r.html
        );
        assert_eq!(
            r.html.matches("<span").count(),
            r.html.matches("</span>").count()
        );
        assert!(
            !r.html.contains("<!--") && !r.html.contains("藏起来"),
            "{}",
            r.html
        );
        let a = &r.questions[0].answer_html;
        assert_eq!(
            a.matches("<div").count(),
            a.matches("</div>").count(),
            "{a}"
        );
        assert!(a.contains("未闭合") && !a.contains("下一个"), "{a}");
        // The commented-out heading is no heading: no anchor, no question.
        assert_eq!(r.headings.len(), 2);

        // A script, tag or quote left open swallows only the rest of its own block.
        for open in [
            "<script>x",
            "<style>",
            "<a title=\"x",
            "<svg><g>",
            "<textarea>",
            "<plaintext>",
        ] {
            let r = render(&format!("甲 {open}\n\n## 后面\n\n乙[^1]\n\n[^1]: 注\n"));
            assert!(
                r.html.contains("<h2 id=\"后面\">后面</h2>"),
                "{open}: {}",
                r.html
            );
            assert!(r.html.contains("<li id=\"fn-1\">"), "{open}: {}", r.html);
        }
        // `<details>` around Markdown keeps it; a callout's frame holds what its raw HTML
        // left open.
        let r = render("<details>\n<summary>S</summary>\n\n**md**\n\n</details>\n\n> [!NOTE]\n> <div>\n\n后面\n");
        assert!(
            r.html.starts_with(
                "<details>\n<summary>S</summary>\n<p><strong>md</strong></p>\n</details>"
            ),
            "{}",
            r.html
        );
        assert!(
            r.html.ends_with("</div></div>\n<p>后面</p>\n"),
            "{}",
            r.html
        );
    }

    #[test]
    fn footnotes_are_numbered_by_first_reference_and_link_both_ways() {
        let r =
            render("乙[^b]甲[^a]乙又[^b]。\n\n[^a]: 注甲\n[^b]: 注乙\n[^c]: 无人引用\n\n## fn 1\n");
        // [^b] is referenced first: it is note 1.
        assert!(r.html.contains("乙<sup class=\"footnote-ref\"><a href=\"#fn-1\" id=\"fnref-1\">1</a></sup>甲<sup class=\"footnote-ref\"><a href=\"#fn-2\" id=\"fnref-2\">2</a></sup>乙又<sup class=\"footnote-ref\"><a href=\"#fn-1\" id=\"fnref-1-2\">1</a></sup>"), "{}", r.html);
        let notes = &r.html[r
            .html
            .find("<section class=\"footnotes\">")
            .expect("a footnotes section")..];
        assert!(notes.starts_with("<section class=\"footnotes\">\n<h2 id=\"footnotes\" class=\"visually-hidden\">脚注</h2>\n<ol>\n<li id=\"fn-1\">\n<p>注乙 <a href=\"#fnref-1\" class=\"footnote-backref\" aria-label=\"返回引用 1\">↩</a> <a href=\"#fnref-1-2\" class=\"footnote-backref\" aria-label=\"返回引用 1-2\">↩<sup>2</sup></a></p>\n</li>\n<li id=\"fn-2\">"), "{notes}");
        assert!(!r.html.contains("无人引用"));
        assert_eq!(r.diagnostics.len(), 1, "{:?}", r.diagnostics);
        assert!(r.diagnostics[0].message.contains("[^c]"));
        // A heading named like a note's id gets another.
        assert_eq!(r.headings[0].id, "fn-1-2");
        assert!(r.footnote_ids.iter().any(|i| i == "fn-2"));
        // The notes are after the body: the last heading's text holds none of them.
        assert_eq!(r.parts.last().map(|p| p.text.as_str()), Some("注乙 注甲"));
    }

    #[test]
    fn no_faq_marks_and_the_article_switch_choose_the_questions() {
        let md = "## 去哪里申请？ {.no-faq}\n\n看情况。\n\n## 要钱吗？\n\n不要。\n\n## 能退吗？ {.faq .wide}\n\n能。\n";
        let asked = |q: Questions| -> Vec<String> {
            let mut ids = IdSet::default();
            let src = Source {
                file_text: md,
                offset: Some(0),
                line: 1,
            };
            let r = render_markdown(
                md,
                &src,
                RenderOptions {
                    lang: Lang::Zh,
                    ui: &crate::ui::Ui::new(crate::ui::Words::Simplified, &[]),
                    links: &NoLinks,
                    ids: &mut ids,
                    questions: q,
                    footnote_prefix: "",
                },
            );
            assert!(
                !r.html.contains("no-faq") && !r.html.contains("\"faq"),
                "{}",
                r.html
            );
            assert!(
                r.html.contains("<h2 id=\"能退吗\" class=\"wide\">"),
                "{}",
                r.html
            );
            r.questions
                .iter()
                .map(|q| r.headings[q.heading].text.clone())
                .collect()
        };
        assert_eq!(asked(Questions::All), ["要钱吗？", "能退吗？"]);
        assert_eq!(asked(Questions::Marked), ["能退吗？"]);
        assert!(asked(Questions::None).is_empty());
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
