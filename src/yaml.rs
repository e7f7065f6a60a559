//! The one place YAML is read. serde_yaml turns text into values and typed structs; beside it,
//! libyaml-safer's event parser (the same libyaml grammar, with positions) records where every
//! key and value starts (`Spans`), so messages point at the parser's own positions, never at
//! a place found by searching the text. A syntax error is located from the parser's marks:
//! an unclosed quote or bracket at the character that opened it.

use crate::diagnostic::Diagnostic;
use crate::names::closest;
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::path::Path;

pub use serde_yaml::{Mapping, Value};

/// Where a YAML block sits in its file, so error positions are the file's own.
#[derive(Clone, Copy)]
pub struct Origin<'a> {
    pub path: &'a Path,
    /// 1-based line of the file on which the YAML text starts.
    pub first_line: usize,
    /// The whole file, for the excerpt.
    pub file_text: &'a str,
}

impl Origin<'_> {
    /// An error at `pos` of the YAML text. A position past the end (a parser reporting the
    /// line after a file without a final newline) is put at the end of the last line, so it
    /// always lies inside the file.
    pub fn error_at(&self, pos: Pos, message: impl Into<String>) -> Diagnostic {
        let mut line = self.first_line + pos.line.max(1) - 1;
        let mut column = pos.column;
        let lines = self.file_text.split('\n').count();
        if line > lines {
            line = lines;
            column = usize::MAX;
        }
        let chars = self
            .file_text
            .split('\n')
            .nth(line - 1)
            .map_or(0, |l| l.chars().count());
        let column = column.min(chars + 1);
        Diagnostic::error(self.path, line, column, message).with_source(self.file_text)
    }

    /// The file line of `pos`.
    pub fn line_of(&self, pos: Pos) -> usize {
        self.first_line + pos.line.max(1) - 1
    }
}

/// A position in YAML text: 1-based line and column, the column counted in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

impl Pos {
    pub const START: Pos = Pos { line: 1, column: 1 };

    fn of(mark: libyaml_safer::Mark) -> Pos {
        Pos {
            line: mark.line as usize + 1,
            column: mark.column as usize + 1,
        }
    }
}

/// One step of a path into a document: a map key or a list index.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// `Step::Key`.
pub fn key(k: &str) -> Step {
    Step::Key(k.to_string())
}

/// Where each key and each value of a document starts, by path.
#[derive(Debug, Default, Clone)]
pub struct Spans {
    keys: HashMap<Vec<Step>, Pos>,
    values: HashMap<Vec<Step>, Pos>,
}

impl Spans {
    /// The position of the key at `path` (its last step a key).
    pub fn key(&self, path: &[Step]) -> Option<Pos> {
        self.keys.get(path).copied()
    }

    /// The position of the value at `path`.
    pub fn value(&self, path: &[Step]) -> Option<Pos> {
        self.values.get(path).copied()
    }

    /// The key at `path` when there is one, else its value, else the closest enclosing node.
    pub fn near(&self, path: &[Step]) -> Pos {
        let mut p = path;
        loop {
            if let Some(pos) = self.key(p).or_else(|| self.value(p)) {
                return pos;
            }
            match p.split_last() {
                Some((_, rest)) => p = rest,
                None => return Pos::START,
            }
        }
    }
}

/// A syntax error as the parser saw it.
struct SyntaxError {
    problem: &'static str,
    at: Pos,
    context: Option<(&'static str, Pos)>,
}

/// Records the spans of `text`; the syntax error that stopped it, if any.
fn scan(text: &str) -> (Spans, Option<SyntaxError>) {
    use libyaml_safer::{EventData, Parser};
    enum Frame {
        Map {
            path: Vec<Step>,
            key: Option<String>,
        },
        Seq {
            path: Vec<Step>,
            next: usize,
        },
    }
    let mut spans = Spans::default();
    let mut stack: Vec<Frame> = Vec::new();
    let mut parser = Parser::new();
    let mut input = text.as_bytes();
    parser.set_input_string(&mut input);
    for event in parser {
        let event = match event {
            Ok(e) => e,
            Err(e) => {
                let at = e.problem_mark().map(Pos::of).unwrap_or(Pos::START);
                let context = e.context().zip(e.context_mark().map(Pos::of));
                return (
                    spans,
                    Some(SyntaxError {
                        problem: e.problem(),
                        at,
                        context,
                    }),
                );
            }
        };
        let pos = Pos::of(event.start_mark);
        let is_end = matches!(event.data, EventData::MappingEnd | EventData::SequenceEnd);
        if is_end {
            stack.pop();
            continue;
        }
        let is_node = matches!(
            event.data,
            EventData::Scalar { .. }
                | EventData::Alias { .. }
                | EventData::MappingStart { .. }
                | EventData::SequenceStart { .. }
        );
        if !is_node {
            continue;
        }
        // A map's key: remember it and where it is.
        if let Some(Frame::Map { path, key }) = stack.last_mut() {
            if key.is_none() {
                let name = match &event.data {
                    EventData::Scalar { value, .. } => value.clone(),
                    _ => String::from("?"),
                };
                let mut at = path.clone();
                at.push(Step::Key(name.clone()));
                spans.keys.entry(at).or_insert(pos);
                *key = Some(name);
                // A complex key (a map or list as key) is skipped whole.
                match event.data {
                    EventData::MappingStart { .. } | EventData::SequenceStart { .. } => {
                        stack.push(Frame::Seq {
                            path: vec![Step::Key("?".into())],
                            next: 0,
                        });
                    }
                    _ => {}
                }
                continue;
            }
        }
        let path = match stack.last_mut() {
            Some(Frame::Map { path, key }) => {
                let mut p = path.clone();
                p.push(Step::Key(key.take().unwrap_or_default()));
                p
            }
            Some(Frame::Seq { path, next }) => {
                let mut p = path.clone();
                p.push(Step::Index(*next));
                *next += 1;
                p
            }
            None => Vec::new(),
        };
        spans.values.entry(path.clone()).or_insert(pos);
        match event.data {
            EventData::MappingStart { .. } => stack.push(Frame::Map { path, key: None }),
            EventData::SequenceStart { .. } => stack.push(Frame::Seq { path, next: 0 }),
            _ => {}
        }
    }
    (spans, None)
}

/// The keys a map at a path may hold, for the "did you mean" of unknown-key errors.
pub type KnownKeys<'a> = &'a dyn Fn(&[Step]) -> &'static [&'static str];

/// Parses `text` into `T` with the spans of its keys and values. An error becomes a
/// diagnostic at the parser's position; `known_keys` (given the path of the map holding an
/// unknown key) feeds the "did you mean" of unknown-key errors.
pub fn parse<T: DeserializeOwned>(
    text: &str,
    origin: Origin<'_>,
    known_keys: KnownKeys<'_>,
) -> Result<(T, Spans), Diagnostic> {
    let (spans, syntax) = scan(text);
    if let Some(e) = syntax {
        return Err(syntax_diagnostic(&e, origin));
    }
    let de = serde_yaml::Deserializer::from_str(text);
    match serde_path_to_error::deserialize::<_, T>(de) {
        Ok(v) => Ok((v, spans)),
        Err(e) => {
            let path: Vec<Step> = e
                .path()
                .iter()
                .filter_map(|s| match s {
                    serde_path_to_error::Segment::Seq { index } => Some(Step::Index(*index)),
                    serde_path_to_error::Segment::Map { key } => Some(Step::Key(key.clone())),
                    _ => None,
                })
                .collect();
            let inner = e.into_inner();
            Err(value_diagnostic(&inner, &path, &spans, origin, known_keys))
        }
    }
}

/// Parses an untyped value from an already-parsed tree (no position of its own: the caller says where).
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, String> {
    serde_yaml::from_value(value).map_err(|e| message_of(&e))
}

/// serde_yaml's message without the position it appends (we print our own).
fn message_of(e: &serde_yaml::Error) -> String {
    let raw = e.to_string();
    match raw.find(" at line ") {
        Some(i) => raw[..i].to_string(),
        None => raw,
    }
}

fn syntax_diagnostic(e: &SyntaxError, origin: Origin<'_>) -> Diagnostic {
    // An opener that is never closed is reported where it opens: the end of the file, or
    // the line after, is where the parser gave up, not where the writer erred.
    match e.context {
        Some((context, at)) if context.contains("quoted scalar") => origin.error_at(
            at,
            "this quoted text is never closed: add the closing quote (or remove the opening one)",
        ),
        Some((context, at)) if context.contains("flow sequence") => origin.error_at(
            at,
            "this `[` list is never closed: add `]` at its end (items are separated by `,`)",
        ),
        Some((context, at)) if context.contains("flow mapping") => origin.error_at(
            at,
            "this `{` map is never closed: add `}` at its end (entries are separated by `,`)",
        ),
        Some((context, _)) => origin.error_at(e.at, format!("{} {context}", e.problem)),
        None => origin.error_at(e.at, e.problem),
    }
}

fn value_diagnostic(
    e: &serde_yaml::Error,
    path: &[Step],
    spans: &Spans,
    origin: Origin<'_>,
    known_keys: KnownKeys<'_>,
) -> Diagnostic {
    let mut message = message_of(e);
    // serde_yaml starts a nested error with its own path (`list[1]: …`); we name ours.
    if let Some((head, rest)) = message.split_once(": ") {
        if !path.is_empty() && !head.contains(' ') {
            message = rest.to_string();
        }
    }
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let key_name = rest.split('`').next().unwrap_or_default();
        let mut at = path.to_vec();
        if at.last() != Some(&Step::Key(key_name.to_string())) {
            at.push(Step::Key(key_name.to_string()));
        }
        // The keys of the map that holds the unknown one, not the document's top level.
        let known_keys = known_keys(&at[..at.len() - 1]);
        let hint = match closest(key_name, known_keys.iter().copied()) {
            Some(k) => format!(" (did you mean `{k}`?)"),
            None if known_keys.is_empty() => String::new(),
            None => format!(" (known keys: {})", known_keys.join(", ")),
        };
        let pos = spans.key(&at).unwrap_or_else(|| spans.near(path));
        return origin.error_at(pos, format!("unknown key `{key_name}`{hint}"));
    }
    let pos = spans
        .value(path)
        .or_else(|| {
            e.location().map(|l| Pos {
                line: l.line(),
                column: l.column(),
            })
        })
        .unwrap_or_else(|| spans.near(path));
    let name = path
        .iter()
        .map(|s| match s {
            Step::Key(k) => k.clone(),
            Step::Index(i) => format!("[{i}]"),
        })
        .collect::<Vec<_>>()
        .join(".")
        .replace(".[", "[");
    if name.is_empty() {
        origin.error_at(pos, message)
    } else {
        origin.error_at(pos, format!("`{name}`: {message}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(text: &str) -> Origin<'_> {
        Origin {
            path: Path::new("kbgen.yaml"),
            first_line: 1,
            file_text: text,
        }
    }

    #[test]
    fn spans_follow_the_parser() {
        let text = "extra:\n  date: x\ndate: 2024-01-01\nrelated: [one, on]\n标签: [中文, 二]\n";
        let (spans, e) = scan(text);
        assert!(e.is_none());
        assert_eq!(spans.key(&[key("date")]), Some(Pos { line: 3, column: 1 }));
        assert_eq!(
            spans.key(&[key("extra"), key("date")]),
            Some(Pos { line: 2, column: 3 })
        );
        assert_eq!(
            spans.value(&[key("related"), Step::Index(1)]),
            Some(Pos {
                line: 4,
                column: 16
            })
        );
        assert_eq!(
            spans.value(&[key("标签"), Step::Index(1)]),
            Some(Pos {
                line: 5,
                column: 10
            })
        );
    }

    #[test]
    fn unclosed_openers_are_reported_where_they_open() {
        let text = "title: \"网贷\nbase_url: /\nlanguage: zh-CN\n";
        let d = parse::<Value>(text, origin(text), &|_| &[]).unwrap_err();
        assert_eq!((d.line, d.column), (1, 8), "{d}");
        assert!(d.message.contains("never closed"));
        let text = "tags: [a, b\nlegal_basis: x\n";
        let d = parse::<Value>(text, origin(text), &|_| &[]).unwrap_err();
        assert_eq!((d.line, d.column), (1, 7), "{d}");
        assert!(d.message.contains("`[` list is never closed"));
    }

    #[test]
    fn typed_errors_point_at_the_value() {
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Raw {
            list: Option<Vec<Inner>>,
        }
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Inner {
            name: String,
            n: Option<u32>,
        }
        let text = "list:\n  - name: a\n    n: -1\n";
        let d = parse::<Raw>(text, origin(text), &|_| &[]).unwrap_err();
        assert_eq!((d.line, d.column), (3, 8), "{d}");
        let text = "list:\n  - name: a\n  - name: b\n    nmae: 2\n";
        let d = parse::<Raw>(text, origin(text), &|_| &["name", "n"]).unwrap_err();
        assert_eq!((d.line, d.column), (4, 5), "{d}");
        assert!(
            d.message
                .contains("unknown key `nmae` (did you mean `name`?)"),
            "{d}"
        );
    }
}
