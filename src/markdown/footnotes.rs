//! Footnotes as GFM shows them: numbered in the order they are first referenced, gathered in
//! one list at the end of the page, each mark linking to its note (`#fn-1`) and each note
//! linking back to every mark (`#fnref-1`, `#fnref-1-2` …). A definition nobody references
//! is left out (and reported); a reference to no definition stays text.

use crate::names::IdSet;
use crate::view::Ui;
use pulldown_cmark::{CowStr, Event, Tag, TagEnd};
use std::collections::HashMap;
use std::ops::Range;

/// Events with their places in the Markdown.
type Located<'a> = Vec<(Event<'a>, Range<usize>)>;

/// The events of a page with the footnote definitions moved after the body, in number order.
pub(super) struct Plan<'a> {
    /// The body's events, then the referenced definitions.
    pub events: Located<'a>,
    /// How many of `events` are the body's.
    pub body_len: usize,
    /// The footnotes' keys by number (the first is number 1).
    pub order: Vec<String>,
    numbers: HashMap<String, usize>,
    /// Definitions never referenced: the name as written and where.
    pub unused: Vec<(String, Range<usize>)>,
}

/// References match definitions whatever their case, as in GFM.
fn key(name: &str) -> String {
    name.to_lowercase()
}

impl<'a> Plan<'a> {
    pub fn of(parsed: Located<'a>) -> Plan<'a> {
        let mut body = Vec::with_capacity(parsed.len());
        let mut definitions: HashMap<String, Located<'a>> = HashMap::new();
        let mut written: Vec<(String, String, Range<usize>)> = Vec::new();
        let mut open: Option<(String, Located<'a>)> = None;
        let mut depth = 0usize;
        for (event, range) in parsed {
            match (&event, &mut open) {
                (Event::Start(Tag::FootnoteDefinition(name)), None) => {
                    written.push((key(name), name.to_string(), range.clone()));
                    open = Some((key(name), vec![(event, range)]));
                    depth = 0;
                }
                (Event::Start(Tag::FootnoteDefinition(_)), Some((_, events))) => {
                    depth += 1;
                    events.push((event, range));
                }
                (Event::End(TagEnd::FootnoteDefinition), Some(_)) if depth > 0 => {
                    depth -= 1;
                    if let Some((_, events)) = &mut open {
                        events.push((event, range));
                    }
                }
                (Event::End(TagEnd::FootnoteDefinition), Some(_)) => {
                    if let Some((k, mut events)) = open.take() {
                        events.push((event, range));
                        // The first definition of a name counts, as in GFM.
                        definitions.entry(k).or_insert(events);
                    }
                }
                (_, Some((_, events))) => events.push((event, range)),
                (_, None) => body.push((event, range)),
            }
        }
        let mut order: Vec<String> = Vec::new();
        let mut numbers: HashMap<String, usize> = HashMap::new();
        let mut number = |events: &[(Event<'_>, Range<usize>)], order: &mut Vec<String>| {
            for (e, _) in events {
                if let Event::FootnoteReference(name) = e {
                    let k = key(name);
                    if definitions.contains_key(&k) && !numbers.contains_key(&k) {
                        order.push(k.clone());
                        numbers.insert(k, order.len());
                    }
                }
            }
        };
        number(&body, &mut order);
        // A note referenced only from another note is numbered after it.
        let mut next = 0;
        while next < order.len() {
            let k = order[next].clone();
            if let Some(def) = definitions.get(&k) {
                number(def, &mut order);
            }
            next += 1;
        }
        let mut unused = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (k, name, range) in written {
            if !numbers.contains_key(&k) && seen.insert(k) {
                unused.push((name, range));
            }
        }
        let body_len = body.len();
        let mut events = body;
        for k in &order {
            if let Some(def) = definitions.remove(k) {
                events.extend(def);
            }
        }
        Plan {
            events,
            body_len,
            order,
            numbers,
            unused,
        }
    }

    /// The number of the footnote `name` (1-based), if it is defined and referenced.
    pub fn number(&self, name: &CowStr<'_>) -> Option<usize> {
        self.numbers.get(&key(name)).copied()
    }
}

/// The ids of each footnote's note and marks, made as the marks are met.
#[derive(Default)]
pub(super) struct Marks {
    /// By number - 1: the note's id and its marks' ids.
    notes: Vec<Option<(String, Vec<String>)>>,
}

/// One reference mark.
pub(super) struct Mark {
    pub note_id: String,
    pub ref_id: String,
    /// The first mark of its note.
    pub first: bool,
}

impl Mark {
    /// `<sup>` linking to the note; `with_id` for the page the note is on.
    pub fn html(&self, n: usize, with_id: bool) -> String {
        let id = if with_id {
            format!(" id=\"{}\"", super::escape_attr(&self.ref_id))
        } else {
            String::new()
        };
        format!(
            "<sup class=\"footnote-ref\"><a href=\"#{}\"{id}>{n}</a></sup>",
            super::escape_attr(&self.note_id)
        )
    }
}

impl Marks {
    /// A new mark of footnote `n`: the note's id on its first mark, then `fnref-N`,
    /// `fnref-N-2` … (each made unique on the page).
    pub fn mark(&mut self, n: usize, ids: &mut IdSet, prefix: &str) -> Mark {
        if self.notes.len() < n {
            self.notes.resize(n, None);
        }
        let slot = &mut self.notes[n - 1];
        let first = slot.is_none();
        let (note_id, refs) =
            slot.get_or_insert_with(|| (ids.unique(format!("{prefix}fn-{n}")), Vec::new()));
        let ref_id = match refs.len() {
            0 => ids.unique(format!("{prefix}fnref-{n}")),
            k => ids.unique(format!("{prefix}fnref-{n}-{}", k + 1)),
        };
        refs.push(ref_id.clone());
        Mark {
            note_id: note_id.clone(),
            ref_id,
            first,
        }
    }

    /// The id of note `n`'s list item.
    pub fn note_id(&self, n: usize) -> Option<String> {
        self.notes.get(n - 1)?.as_ref().map(|(id, _)| id.clone())
    }

    /// Links from note `n` back to each of its marks: `↩`, then `↩²` …, each labelled.
    pub fn back_links(&self, n: usize, ui: &Ui) -> String {
        let Some(Some((_, refs))) = self.notes.get(n - 1) else {
            return String::new();
        };
        refs.iter()
            .enumerate()
            .map(|(k, id)| {
                let (which, sup) = match k {
                    0 => (n.to_string(), String::new()),
                    k => (format!("{n}-{}", k + 1), format!("<sup>{}</sup>", k + 1)),
                };
                format!(
                    "<a href=\"#{}\" class=\"footnote-backref\" aria-label=\"{}\">↩{sup}</a>",
                    super::escape_attr(id),
                    super::escape_attr(&ui.footnote_back.replace("{n}", &which))
                )
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}
