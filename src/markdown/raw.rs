//! A light reading of the writer's raw HTML, never trusted for safety (that is
//! `sanitize`'s): which elements it leaves open, whether a block of it ends inside a tag, a
//! comment or an element whose content is dropped (`<script>` …), and its text. kbgen uses it
//! to keep raw HTML from reaching past the blocks it was written in: a region of blocks is
//! sanitised together until what it opened is closed, and what would swallow the following
//! blocks (an unfinished tag, comment or script) is closed where its block ends.

use super::sanitize::DROPPED_WITH_CONTENT;

/// What a piece of raw HTML holds, in order.
pub(crate) enum Piece<'a> {
    /// Text between tags, entities not decoded.
    Text(&'a str),
    /// A start or end tag (lower-case name).
    Tag { name: &'a str, closing: bool },
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
enum State {
    #[default]
    Data,
    /// Inside `<!--`.
    Comment,
    /// Inside a tag not yet ended by `>`: its text so far, and the open quote.
    Tag { text: String, quote: Option<char> },
    /// Inside an element dropped with its content, waiting for its end tag.
    Dropped(String),
}

/// Elements without content (no end tag).
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr", "param", "keygen",
];

/// Elements whose end tag may be left out: the parser closes them by itself, so one left
/// open does not hold a region open.
const OPTIONAL_END: &[&str] = &[
    "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option", "optgroup", "rb",
    "rt", "rtc", "rp", "colgroup",
];

/// How deep raw HTML may nest before further start tags are shown as text. The HTML parser
/// walks the stack of open elements for many tags, so a writer's 100,000 unclosed `<div>`s
/// would cost it minutes; Chromium's parser stops nesting at 512 too.
pub(crate) const MAX_OPEN: usize = 512;

#[derive(Debug, Default)]
pub(crate) struct RawScan {
    state: State,
    /// Elements opened and not closed, outermost first.
    open: Vec<String>,
    /// For each Markdown block entered: how many elements were open when it began, or None
    /// for a block of raw HTML (what it opens stays open after it).
    blocks: Vec<Option<usize>>,
}

impl RawScan {
    /// Whether text now is inside a dropped element or a comment (not shown).
    pub fn is_hidden(&self) -> bool {
        matches!(self.state, State::Comment | State::Dropped(_))
    }

    /// Whether every element opened so far is closed.
    pub fn is_balanced(&self) -> bool {
        self.open.is_empty() && self.state == State::Data
    }

    /// A Markdown block begins: raw elements opened inside it close where it ends (its end
    /// tag closes them in the parser), except in a block of raw HTML.
    pub fn enter(&mut self, raw_block: bool) {
        self.blocks.push((!raw_block).then_some(self.open.len()));
    }

    pub fn leave(&mut self) {
        if let Some(Some(open)) = self.blocks.pop() {
            self.open.truncate(open);
        }
    }

    /// Reads `html`, telling `on` its text and tags. Stops before a start tag that would
    /// nest deeper than `MAX_OPEN` and returns its offset: the rest is to be shown as text.
    pub fn feed(&mut self, html: &str, on: &mut dyn FnMut(Piece<'_>)) -> Option<usize> {
        let whole = html.len();
        let mut html = html;
        while !html.is_empty() {
            match &mut self.state {
                State::Comment => match html.find("-->") {
                    Some(end) => {
                        self.state = State::Data;
                        html = &html[end + 3..];
                    }
                    None => return None,
                },
                State::Dropped(name) => {
                    let end = find_end_tag(html, name)?;
                    self.state = State::Data;
                    html = &html[end..];
                }
                State::Tag { text, quote } => {
                    let mut ended = None;
                    for (i, c) in html.char_indices() {
                        match (*quote, c) {
                            (Some(q), c) if c == q => *quote = None,
                            (Some(_), _) => {}
                            (None, '"' | '\'') => *quote = Some(c),
                            (None, '>') => {
                                ended = Some(i);
                                break;
                            }
                            _ => {}
                        }
                    }
                    match ended {
                        Some(i) => {
                            text.push_str(&html[..i]);
                            let tag = std::mem::take(text);
                            self.state = State::Data;
                            html = &html[i + 1..];
                            self.tag(&tag, on);
                        }
                        None => {
                            text.push_str(html);
                            return None;
                        }
                    }
                }
                State::Data => {
                    let Some(lt) = html.find('<') else {
                        on(Piece::Text(html));
                        return None;
                    };
                    if lt > 0 {
                        on(Piece::Text(&html[..lt]));
                    }
                    html = &html[lt..];
                    let starts_element = html[1..].starts_with(|c: char| c.is_ascii_alphabetic());
                    if starts_element && self.open.len() >= MAX_OPEN {
                        return Some(whole - html.len());
                    }
                    if let Some(rest) = html.strip_prefix("<!--") {
                        self.state = State::Comment;
                        html = rest;
                    } else if html[1..].starts_with(|c: char| {
                        c.is_ascii_alphabetic() || c == '/' || c == '!' || c == '?'
                    }) {
                        self.state = State::Tag {
                            text: String::new(),
                            quote: None,
                        };
                        html = &html[1..];
                    } else {
                        on(Piece::Text("<"));
                        html = &html[1..];
                    }
                }
            }
        }
        None
    }

    /// `tag` is what stood between `<` and `>`.
    fn tag(&mut self, tag: &str, on: &mut dyn FnMut(Piece<'_>)) {
        let (closing, body) = match tag.strip_prefix('/') {
            Some(b) => (true, b),
            None => (false, tag),
        };
        let name = body
            .split(|c: char| !c.is_ascii_alphanumeric())
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        if name.is_empty() {
            // `<!doctype …>`, `<?…>`: neither text nor an element.
            return;
        }
        if !closing && DROPPED_WITH_CONTENT.contains(&name.as_str()) {
            if !tag.ends_with('/') {
                self.state = State::Dropped(name);
            }
            return;
        }
        on(Piece::Tag {
            name: &name,
            closing,
        });
        if closing {
            if let Some(at) = self.open.iter().rposition(|n| *n == name) {
                self.open.truncate(at);
            }
        } else if !VOID.contains(&name.as_str())
            && !OPTIONAL_END.contains(&name.as_str())
            && !tag.ends_with('/')
        {
            self.open.push(name);
        }
    }

    /// What ends an unfinished tag, comment or dropped element where a block ends, so that
    /// it cannot swallow the next block; the scan goes on from plain text.
    pub fn close_block(&mut self) -> String {
        match std::mem::take(&mut self.state) {
            State::Data => String::new(),
            State::Comment => "-->".into(),
            State::Dropped(name) => format!("</{name}>"),
            State::Tag { quote, .. } => match quote {
                Some(q) => format!("{q}>"),
                None => ">".into(),
            },
        }
    }
}

/// The end of `</name>` (any case, white space before `>`) in `html`, just after its `>`.
fn find_end_tag(html: &str, name: &str) -> Option<usize> {
    let bytes = html.as_bytes();
    let mut from = 0;
    while let Some(at) = html[from..].find("</") {
        let start = from + at + 2;
        let end = start + name.len();
        if bytes.len() >= end && html[start..end].eq_ignore_ascii_case(name) {
            let rest = &html[end..];
            let trimmed = rest.trim_start();
            if let Some(after) = trimmed.strip_prefix('>') {
                return Some(html.len() - after.len());
            }
        }
        from = start;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(pieces: &[&str]) -> (RawScan, Vec<String>) {
        let mut s = RawScan::default();
        let mut seen = Vec::new();
        for p in pieces {
            let _ = s.feed(p, &mut |piece| match piece {
                Piece::Text(t) => seen.push(format!("text {t}")),
                Piece::Tag { name, closing } => {
                    seen.push(format!("{}{name}", if closing { "/" } else { "" }))
                }
            });
        }
        (s, seen)
    }

    #[test]
    fn open_elements_and_what_a_block_leaves_unfinished() {
        let (s, seen) = scan(&[
            "<details open>\n<summary>更多</summary>\n",
            "<br><img src=x>",
        ]);
        assert_eq!(
            seen,
            [
                "details",
                "text \n",
                "summary",
                "text 更多",
                "/summary",
                "text \n",
                "br",
                "img"
            ]
        );
        assert!(!s.is_balanced());
        let (s, _) = scan(&["<details>", "</details>"]);
        assert!(s.is_balanced());
        let (mut s, seen) = scan(&["a<script>x</p>", "y"]);
        assert_eq!(seen, ["text a"]);
        assert!(s.is_hidden());
        assert_eq!(s.close_block(), "</script>");
        assert!(s.is_balanced());
        let (mut s, _) = scan(&["<a title=\"x>"]);
        assert_eq!(s.close_block(), "\">");
        let (mut s, _) = scan(&["<!-- x"]);
        assert_eq!(s.close_block(), "-->");
        let (s, seen) = scan(&["<STYLE>a</style >b", "1 < 2"]);
        assert_eq!(seen, ["text b", "text 1 ", "text <", "text  2"]);
        assert!(s.is_balanced());
        // Optional end tags do not hold a region open.
        let (s, _) = scan(&["<ul><li>a<li>b</ul><p>c"]);
        assert!(s.is_balanced());
    }

    #[test]
    fn inline_html_closes_with_its_block_and_nesting_is_capped() {
        let mut s = RawScan::default();
        s.enter(true);
        s.feed("<div>", &mut |_| {});
        s.leave();
        s.enter(false);
        s.feed("<kbd>", &mut |_| {});
        s.leave();
        assert_eq!(s.open, ["div"]);
        let deep = "<b>".repeat(MAX_OPEN + 10);
        let mut s = RawScan::default();
        assert_eq!(s.feed(&deep, &mut |_| {}), Some(3 * MAX_OPEN));
        assert_eq!(s.open.len(), MAX_OPEN);
        // Closing tags and text still pass at the cap.
        assert_eq!(s.feed("x</b>", &mut |_| {}), None);
    }
}
