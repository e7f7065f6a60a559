//! The one place serde_yaml is used: parsing YAML with errors turned into located diagnostics.

use crate::diagnostic::Diagnostic;
use crate::names::closest;
use serde::de::DeserializeOwned;
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
    pub fn error(&self, yaml_line: usize, column: usize, message: impl Into<String>) -> Diagnostic {
        let mut line = self.first_line + yaml_line.max(1) - 1;
        let mut column = column;
        // serde_yaml reports an unexpected end one line past a file without a final newline:
        // point at the end of the last line instead, so the position lies inside the file.
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
}

/// Parses `text` into `T`, turning serde_yaml's error into a diagnostic at the file's position.
/// `known_keys` feeds the "did you mean" of unknown-key errors.
pub fn parse<T: DeserializeOwned>(
    text: &str,
    origin: Origin<'_>,
    known_keys: &[&str],
) -> Result<T, Diagnostic> {
    serde_yaml::from_str(text).map_err(|e| to_diagnostic(&e, text, origin, known_keys))
}

/// Parses an untyped value from an already-parsed tree (no position of its own: the caller says where).
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, String> {
    serde_yaml::from_value(value).map_err(|e| e.to_string())
}

fn to_diagnostic(
    e: &serde_yaml::Error,
    text: &str,
    origin: Origin<'_>,
    known_keys: &[&str],
) -> Diagnostic {
    let raw = e.to_string();
    // serde_yaml appends " at line L column C"; we print our own position.
    let message = match raw.find(" at line ") {
        Some(i) => raw[..i].to_string(),
        None => raw.clone(),
    };
    let message = rewrite_unknown_field(&message, known_keys);
    match e.location() {
        Some(loc) => origin.error(loc.line(), loc.column(), message),
        None => {
            // Unknown-field errors from nested maps carry no location: find the key's line.
            let (line, column) = unknown_key_of(&message)
                .and_then(|k| find_key(text, k))
                .unwrap_or((1, 1));
            origin.error(line, column, message)
        }
    }
}

fn unknown_key_of(message: &str) -> Option<&str> {
    let rest = message.split("unknown key `").nth(1)?;
    rest.split('`').next()
}

/// Turns serde's "unknown field `x`, expected one of …" into our wording with a suggestion.
fn rewrite_unknown_field(message: &str, known_keys: &[&str]) -> String {
    let Some(rest) = message.split("unknown field `").nth(1) else {
        return message.to_string();
    };
    let key = rest.split('`').next().unwrap_or_default();
    match closest(key, known_keys.iter().copied()) {
        Some(k) => format!("unknown key `{key}` (did you mean `{k}`?)"),
        None => format!(
            "unknown key `{key}` (known keys: {})",
            known_keys.join(", ")
        ),
    }
}

/// Finds the 1-based (line, column) of a top-level or nested `key:` in YAML text.
pub fn find_key(text: &str, key: &str) -> Option<(usize, usize)> {
    text.lines().enumerate().find_map(|(i, line)| {
        let trimmed = line.trim_start().trim_start_matches("- ");
        let indent = line.chars().count() - trimmed.chars().count();
        let after = trimmed.strip_prefix(key)?;
        let after = after.trim_start_matches(['"', '\'']);
        after
            .trim_start()
            .starts_with(':')
            .then_some((i + 1, indent + 1))
    })
}
