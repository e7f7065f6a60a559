//! The plain text of rendered Markdown, as a reader would read it aloud: for search, FAQ
//! answers in JSON-LD and faq.json, summaries and heading names. Blocks stay apart, list
//! items and table rows are separated by `；` (`; ` in other languages), table cells by `，`
//! (`, `), a list's end by `。` (`. `); white space is collapsed. The text of a writer's raw
//! HTML is read as the sanitiser leaves it: tags dropped, entities decoded, scripts and the
//! like with their content left out.

use super::raw::{Piece, RawScan};
use crate::ui::Lang;
use pulldown_cmark::{Event, Tag, TagEnd};

/// What separates the text before from the text after; a stronger one wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Gap {
    None,
    Space,
    Cell,
    Item,
    End,
}

pub(crate) struct PlainText {
    out: Writer,
    raw: RawScan,
}

struct Writer {
    lang: Lang,
    text: String,
    gap: Gap,
}

/// The plain text of `events`.
pub(crate) fn plain_text(events: &[Event<'_>], lang: Lang) -> String {
    let mut t = PlainText::new(lang);
    for e in events {
        t.event(e);
    }
    t.finish()
}

/// Whether a tag is inline (inside a paragraph, heading or cell) rather than a block.
pub(crate) fn is_inline(t: &Tag<'_>) -> bool {
    matches!(
        t,
        Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Link { .. }
            | Tag::Image { .. }
            | Tag::Superscript
            | Tag::Subscript
    )
}

pub(crate) fn is_inline_end(t: &TagEnd) -> bool {
    matches!(
        t,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Link
            | TagEnd::Image
            | TagEnd::Superscript
            | TagEnd::Subscript
    )
}

/// Whether `e` starts or ends a block (raw HTML cannot reach past one unclosed, see `raw`).
pub(crate) fn is_block_edge(e: &Event<'_>) -> bool {
    match e {
        Event::Start(t) => !is_inline(t),
        Event::End(t) => !is_inline_end(t),
        _ => false,
    }
}

impl PlainText {
    pub(crate) fn new(lang: Lang) -> PlainText {
        PlainText {
            out: Writer {
                lang,
                text: String::new(),
                gap: Gap::None,
            },
            raw: RawScan::default(),
        }
    }

    pub(crate) fn finish(self) -> String {
        self.out.text
    }

    pub(crate) fn event(&mut self, e: &Event<'_>) {
        if is_block_edge(e) {
            self.raw.close_block();
        }
        let out = &mut self.out;
        match e {
            Event::Text(t) | Event::Code(t) if !self.raw.is_hidden() => out.text(t),
            Event::SoftBreak | Event::HardBreak => out.gap(Gap::Space),
            // The writer's raw HTML (kbgen's own markup is `Event::Html`: labels and
            // footnote marks, not text).
            Event::InlineHtml(h) => {
                let cut = self.raw.feed(h, &mut |piece| match piece {
                    Piece::Text(t) => out.text(&decode_entities(t)),
                    Piece::Tag { name, closing } => out.tag(name, closing),
                });
                // Past the nesting cap the rest is shown as written (see `raw::MAX_OPEN`).
                if let Some(at) = cut {
                    out.text(&h[at..]);
                }
            }
            Event::Start(Tag::List(_) | Tag::Item) => out.gap(Gap::Space),
            Event::End(TagEnd::Item) => out.gap(Gap::Item),
            Event::End(TagEnd::List(_)) => out.gap(Gap::End),
            Event::End(TagEnd::TableCell) => out.gap(Gap::Cell),
            Event::End(TagEnd::TableHead | TagEnd::TableRow) => out.gap(Gap::Item),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::CodeBlock
                | TagEnd::Heading(_)
                | TagEnd::BlockQuote(_)
                | TagEnd::Table
                | TagEnd::HtmlBlock
                | TagEnd::FootnoteDefinition,
            ) => out.gap(Gap::Space),
            _ => {}
        }
    }
}

impl Writer {
    fn gap(&mut self, gap: Gap) {
        self.gap = self.gap.max(gap);
    }

    /// Text as the page shows it: white space collapsed, the pending gap written first.
    fn text(&mut self, text: &str) {
        for (i, word) in text.split(char::is_whitespace).enumerate() {
            if i > 0 {
                self.gap(Gap::Space);
            }
            if word.is_empty() {
                continue;
            }
            self.write_gap();
            self.text.push_str(word);
        }
    }

    fn write_gap(&mut self) {
        let gap = std::mem::replace(&mut self.gap, Gap::None);
        let Some(last) = self.text.chars().next_back() else {
            return;
        };
        let zh = self.lang == Lang::Zh;
        // After punctuation of its own, a stretch needs no mark of ours.
        let ends_clause = matches!(
            last,
            '。' | '；' | '：' | '，' | '、' | '！' | '？' | '.' | ';' | ':' | ',' | '!' | '?'
        );
        let mark = match gap {
            Gap::None => "",
            _ if ends_clause => {
                if zh && !last.is_ascii() {
                    ""
                } else {
                    " "
                }
            }
            Gap::Space => " ",
            Gap::Cell if zh => "，",
            Gap::Cell => ", ",
            Gap::Item if zh => "；",
            Gap::Item => "; ",
            Gap::End if zh => "。",
            Gap::End => ". ",
        };
        self.text.push_str(mark);
    }

    /// The gap a raw tag makes.
    fn tag(&mut self, name: &str, closing: bool) {
        match (name, closing) {
            ("li" | "tr" | "dt" | "dd", true) => self.gap(Gap::Item),
            ("td" | "th", true) => self.gap(Gap::Cell),
            ("ul" | "ol" | "dl", true) => self.gap(Gap::End),
            (
                "p" | "div" | "br" | "hr" | "li" | "table" | "tr" | "h1" | "h2" | "h3" | "h4"
                | "h5" | "h6" | "details" | "summary" | "blockquote" | "pre" | "section" | "figure"
                | "figcaption" | "caption" | "img",
                _,
            ) => self.gap(Gap::Space),
            _ => {}
        }
    }
}

/// Character references in raw HTML text: numeric ones and the common named ones (others are
/// left as written).
fn decode_entities(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('&') {
        return s.into();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let Some(semi) = rest[..rest.len().min(12)].find(';') else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let name = &rest[1..semi];
        let decoded = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some(' '),
            _ => name
                .strip_prefix("#x")
                .or_else(|| name.strip_prefix("#X"))
                .map(|h| u32::from_str_radix(h, 16))
                .or_else(|| name.strip_prefix('#').map(str::parse::<u32>))
                .and_then(Result::ok)
                .and_then(char::from_u32)
                .filter(|c| *c != '\0'),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use pulldown_cmark::{Options, Parser};

    fn text_of(md: &str, lang: Lang) -> String {
        let events: Vec<Event<'_>> = Parser::new_ext(md, Options::ENABLE_TABLES)
            .map(|e| match e {
                Event::Html(h) => Event::InlineHtml(h),
                e => e,
            })
            .collect();
        plain_text(&events, lang)
    }

    #[test]
    fn lists_and_tables_read_as_sentences() {
        assert_eq!(
            text_of("材料如下：\n\n- 身份证\n- 借款合同\n\n然后投诉。", Lang::Zh),
            "材料如下：身份证；借款合同。然后投诉。"
        );
        assert_eq!(
            text_of(
                "Bring:\n\n- an ID\n- the contract\n\nThen complain.",
                Lang::En
            ),
            "Bring: an ID; the contract. Then complain."
        );
        assert_eq!(
            text_of(
                "| 渠道 | 电话 |\n| --- | --- |\n| 银保监会 | 12378 |\n| 12315 | 热线 |\n",
                Lang::Zh
            ),
            "渠道，电话；银保监会，12378；12315，热线"
        );
        assert_eq!(text_of("- a\n  - b\n  - c\n- d\n", Lang::En), "a b; c. d");
    }

    #[test]
    fn raw_html_gives_its_text_without_scripts_or_comments() {
        assert_eq!(
            text_of(
                "按 <kbd>Ctrl</kbd>+<kbd>C</kbd> 复制 <script>alert(1)</script>结束",
                Lang::Zh
            ),
            "按 Ctrl+C 复制 结束"
        );
        assert_eq!(
            text_of("<details>\n<summary>更多</summary>\n\n内容 &amp; 说明&#x3002;<!-- 注释 -->\n\n</details>\n", Lang::Zh),
            "更多 内容 & 说明。"
        );
        assert_eq!(text_of("a <img alt='>' src=x> b", Lang::En), "a b");
        assert_eq!(text_of("a\n\n<!-- never closed\n\nb\n", Lang::En), "a");
    }
}
