//! Content problems: `Diagnostic {path, line, column, severity, message}` and how they are printed.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem in the site's own files, located in the file the writer edits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Relative to the site root, e.g. `content/debt/sms.md`.
    pub path: PathBuf,
    /// 1-based.
    pub line: usize,
    /// 1-based, counted in characters.
    pub column: usize,
    pub severity: Severity,
    pub message: String,
    /// The offending source line, printed indented under the message.
    pub excerpt: Option<String>,
}

impl Diagnostic {
    pub fn error(
        path: impl AsRef<Path>,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            path: path.as_ref().to_path_buf(),
            line: line.max(1),
            column: column.max(1),
            severity: Severity::Error,
            message: message.into(),
            excerpt: None,
        }
    }

    pub fn warning(
        path: impl AsRef<Path>,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(path, line, column, message)
        }
    }

    /// Attaches the source line `line` of `source` as the excerpt.
    pub fn with_source(mut self, source: &str) -> Self {
        self.excerpt = source.lines().nth(self.line - 1).map(|l| l.to_string());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let path = self.path.to_string_lossy().replace('\\', "/");
        write!(
            f,
            "{kind}: {path}:{}:{}: {}",
            self.line, self.column, self.message
        )?;
        if let Some(excerpt) = &self.excerpt {
            let caret_pad: String = excerpt
                .chars()
                .take(self.column.saturating_sub(1))
                .map(|c| {
                    if c == '\t' {
                        '\t'
                    } else if is_wide(c) {
                        '\u{3000}'
                    } else {
                        ' '
                    }
                })
                .collect();
            write!(f, "\n    | {excerpt}\n    | {caret_pad}^")?;
        }
        Ok(())
    }
}

/// East Asian wide characters take two columns on a terminal; pad with an ideographic space.
fn is_wide(c: char) -> bool {
    matches!(c as u32, 0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

/// Problems collected by a stage; stages go on after a problem so one run reports them all.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    /// Removes one diagnostic equal to `d`, if there is one.
    pub fn remove_one(&mut self, d: &Diagnostic) {
        if let Some(at) = self.items.iter().position(|x| x == d) {
            self.items.remove(at);
        }
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(other);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.is_error()).count()
    }

    pub fn warning_count(&self) -> usize {
        self.items.len() - self.error_count()
    }

    /// Stable order: by file, then position, errors before warnings at the same place.
    pub fn sorted(mut self) -> Vec<Diagnostic> {
        self.items.sort_by(|a, b| {
            (&a.path, a.line, a.column, a.severity, &a.message)
                .cmp(&(&b.path, b.line, b.column, b.severity, &b.message))
        });
        self.items.dedup();
        self.items
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

/// Converts a byte offset in `text` to a 1-based (line, column-in-characters).
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    pub fn position(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let column = text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line + 1, column + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_in_spec_form() {
        let d = Diagnostic::error(
            "content/debt/sms.md",
            3,
            7,
            "unknown front-matter key `legal_bassis` (did you mean `legal_basis`?)",
        );
        assert_eq!(
            d.to_string(),
            "error: content/debt/sms.md:3:7: unknown front-matter key `legal_bassis` (did you mean `legal_basis`?)"
        );
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let text = "一二\n三四五x";
        let idx = LineIndex::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(idx.position(text, x), (2, 4));
        assert_eq!(idx.position(text, 0), (1, 1));
    }
}
