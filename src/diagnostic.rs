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
    /// The offending source line (or a window of a long one), printed indented under the
    /// message.
    pub excerpt: Option<String>,
    /// Where the caret goes in the excerpt (1-based, in characters).
    pub excerpt_column: usize,
}

/// A file's identity (address, length), the starts of its lines, and how many excerpts it
/// has given.
type SourceLines = (usize, usize, Vec<usize>, usize);

/// Excerpts longer than this many characters are cut to a window around the column.
const EXCERPT_CHARS: usize = 160;

/// A file with more problems than this shows the first ones and a count of the rest: one
/// broken pattern repeated 100,000 times is one fix, not 100,000 lines to read.
pub const MAX_PER_FILE: usize = 100;

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
            excerpt_column: 1,
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

    /// Attaches the source line `line` of `source` as the excerpt: the whole line when it is
    /// short, else a window of it around the column (a minified or generated line can be
    /// megabytes long, and every message on it would carry a copy).
    pub fn with_source(mut self, source: &str) -> Self {
        // The lines of the file asked about last on this thread, and how many excerpts it has
        // given: a file with 100,000 problems gets excerpts for the ones shown, and each in
        // time independent of the file's size.
        thread_local! {
            static LAST: std::cell::RefCell<Option<SourceLines>> =
                const { std::cell::RefCell::new(None) };
        }
        let key = (source.as_ptr() as usize, source.len());
        let range = LAST.with(|last| {
            let mut last = last.borrow_mut();
            let fresh = !matches!(&*last, Some((p, l, _, _)) if (*p, *l) == key);
            if fresh {
                *last = Some((key.0, key.1, line_starts(source), 0));
            }
            let (_, _, starts, given) = last.as_mut()?;
            *given += 1;
            if *given > MAX_PER_FILE {
                return None;
            }
            // The cache is keyed by where the text lives: a freed file's address can be
            // another file's of the same length. A cached range must still be one whole
            // line of this text (and so on character boundaries), else the lines are
            // counted afresh.
            let cached = line_range(starts, self.line, source.len())
                .filter(|r| is_one_line(source.as_bytes(), r));
            if cached.is_some() || fresh {
                return cached;
            }
            let starts = line_starts(source);
            let range = line_range(&starts, self.line, source.len());
            *last = Some((key.0, key.1, starts, 1));
            range
        });
        let Some(range) = range else {
            return self;
        };
        let line = source[range].trim_end_matches('\r');
        let chars = line.chars().count();
        if chars <= EXCERPT_CHARS {
            self.excerpt = Some(line.to_string());
            self.excerpt_column = self.column;
            return self;
        }
        let half = EXCERPT_CHARS / 2;
        let start = self
            .column
            .saturating_sub(1)
            .saturating_sub(half)
            .min(chars - EXCERPT_CHARS);
        let mut window: String = line.chars().skip(start).take(EXCERPT_CHARS).collect();
        let mut column = self.column - start;
        if start > 0 {
            window.insert(0, '…');
            column += 1;
        }
        if start + EXCERPT_CHARS < chars {
            window.push('…');
        }
        self.excerpt = Some(window);
        self.excerpt_column = column;
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
                .take(self.excerpt_column.saturating_sub(1))
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

/// The message that stands for `n` problems of `first`'s file that are not shown.
fn more_in(first: Diagnostic, n: usize) -> Diagnostic {
    Diagnostic {
        message: format!(
            "{n} more problem{} in this file not shown (the first {MAX_PER_FILE} are above)",
            if n == 1 { "" } else { "s" }
        ),
        excerpt: None,
        ..first
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

    /// The diagnostics in the order they were pushed (to add them to another list).
    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.items
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

    /// Stable order: by file, then position, errors before warnings at the same place. A
    /// file's problems past `MAX_PER_FILE` are counted in one last message instead.
    pub fn sorted(self) -> Vec<Diagnostic> {
        cut_per_file(merge_sorted(self.items))
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }
}

/// `Diagnostics::sorted` of a list already in its order (and without repeats): a file's
/// problems past `MAX_PER_FILE` are counted in one last message instead.
pub fn cut_per_file(items: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = Vec::with_capacity(items.len());
    let mut run = 0;
    let mut hidden: Option<(Diagnostic, usize)> = None;
    for d in items {
        let same = out.last().is_some_and(|l| l.path == d.path)
            || hidden.as_ref().is_some_and(|(h, _)| h.path == d.path);
        if !same {
            run = 0;
            if let Some((h, n)) = hidden.take() {
                out.push(more_in(h, n));
            }
        }
        run += 1;
        if run <= MAX_PER_FILE {
            out.push(d);
        } else {
            match &mut hidden {
                Some((h, n)) => {
                    *n += 1;
                    if d.is_error() {
                        h.severity = Severity::Error;
                    }
                }
                None => hidden = Some((d, 1)),
            }
        }
    }
    if let Some((h, n)) = hidden {
        out.push(more_in(h, n));
    }
    out
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

/// Why a step stopped: the site's own files have errors (content, config or theme: exit 1),
/// or something that is not the content's failed (I/O, a usage error: exit 2). Stages
/// return `Result<T, Failure>` and `?` both kinds up, so no caller unpicks a nested result.
#[derive(Debug)]
pub enum Failure {
    /// Every problem found, sorted by place; errors among them, warnings too.
    Content(Vec<Diagnostic>),
    Plumbing(anyhow::Error),
}

impl Failure {
    /// Content problems, sorted.
    pub fn content(diags: Diagnostics) -> Failure {
        Failure::Content(diags.sorted())
    }

    /// The exit status SPEC gives this failure.
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Content(_) => 1,
            Failure::Plumbing(_) => 2,
        }
    }
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Failure {
        Failure::Plumbing(e)
    }
}

impl From<Vec<Diagnostic>> for Failure {
    fn from(d: Vec<Diagnostic>) -> Failure {
        Failure::Content(d)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Content(diags) => {
                for (i, d) in diags.iter().enumerate() {
                    if i > 0 {
                        writeln!(f)?;
                    }
                    write!(f, "{d}")?;
                }
                Ok(())
            }
            // The whole cause chain, as main prints it.
            Failure::Plumbing(e) => {
                let chain: Vec<String> = e.chain().map(|c| c.to_string()).collect();
                write!(f, "error: {}", chain.join(": "))
            }
        }
    }
}

/// Puts lists that are each already `Diagnostics::sorted` (and so already cut per file)
/// in one order, without cutting again: a second cut would count the first cut's
/// "N more problems" line as a problem of its own.
pub fn merge_sorted(all: Vec<Diagnostic>) -> Vec<Diagnostic> {
    use rayon::prelude::*;
    // `Path`'s order walks both paths' components at every comparison, which was most of
    // sorting a large site's 40,000 warnings: each path's `path_key` is made once instead.
    let keys: Vec<Vec<u8>> = all.par_iter().map(|d| path_key(&d.path)).collect();
    let mut order: Vec<usize> = (0..all.len()).collect();
    order.par_sort_by(|&i, &j| {
        let (a, b) = (&all[i], &all[j]);
        keys[i].cmp(&keys[j]).then_with(|| {
            (a.line, a.column, a.severity, &a.message)
                .cmp(&(b.line, b.column, b.severity, &b.message))
        })
    });
    let mut slots: Vec<Option<Diagnostic>> = all.into_iter().map(Some).collect();
    let mut out: Vec<Diagnostic> = order.into_iter().filter_map(|i| slots[i].take()).collect();
    out.dedup();
    out
}

/// Each path's place among `paths` in the order `merge_sorted` puts files in (so a list
/// made by file can be ordered by these numbers instead of by its diagnostics' paths).
pub fn path_ranks<'a>(paths: impl Iterator<Item = &'a Path>) -> Vec<u32> {
    use rayon::prelude::*;
    let keys: Vec<Vec<u8>> = paths.map(path_key).collect();
    let mut order: Vec<u32> = (0..keys.len() as u32).collect();
    order.par_sort_unstable_by(|&i, &j| keys[i as usize].cmp(&keys[j as usize]));
    let mut rank = vec![0; keys.len()];
    for (r, i) in order.into_iter().enumerate() {
        rank[i as usize] = r as u32;
    }
    rank
}

/// Bytes that sort as `Path` does, component by component: each component is its kind
/// (in `Component`'s order), its bytes and a zero, which is below every byte a component can
/// hold, so a component sorts before any longer one it begins.
fn path_key(path: &Path) -> Vec<u8> {
    use std::path::Component;
    let mut key = Vec::with_capacity(path.as_os_str().len() + 8);
    for c in path.components() {
        key.push(match c {
            Component::Prefix(_) => 1,
            Component::RootDir => 2,
            Component::CurDir => 3,
            Component::ParentDir => 4,
            Component::Normal(_) => 5,
        });
        key.extend_from_slice(c.as_os_str().as_encoded_bytes());
        key.push(0);
    }
    key
}

/// Collects the content problems of several independent steps, so one run reports them all;
/// a plumbing failure still stops at once. Each step's problems come sorted (and cut).
#[derive(Default)]
pub struct Collected {
    diags: Vec<Diagnostic>,
}

impl Collected {
    /// The step's value, or None when it failed on content problems (kept for the report).
    pub fn take<T>(&mut self, step: Result<T, Failure>) -> Result<Option<T>, Failure> {
        match step {
            Ok(v) => Ok(Some(v)),
            Err(Failure::Content(d)) => {
                self.diags.extend(d);
                Ok(None)
            }
            Err(e @ Failure::Plumbing(_)) => Err(e),
        }
    }

    pub fn extend(&mut self, diags: impl IntoIterator<Item = Diagnostic>) {
        self.diags.extend(diags);
    }

    /// `Err` with everything collected when any step failed or any error was collected.
    pub fn finish<T>(self, value: Option<T>) -> Result<T, Failure> {
        match value {
            Some(v) if !self.diags.iter().any(Diagnostic::is_error) => Ok(v),
            _ => Err(Failure::Content(merge_sorted(self.diags))),
        }
    }
}

/// Converts a byte offset in `text` to a 1-based (line, column-in-characters).
pub struct LineIndex {
    starts: Vec<usize>,
    /// The last answer (line, offset, column): positions are asked for in order, so a long
    /// line is counted once, not once per question (100,000 links on one line).
    last: std::cell::Cell<(usize, usize, usize)>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex {
            starts,
            last: std::cell::Cell::new((0, 0, 0)),
        }
    }

    pub fn position(&self, text: &str, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let (last_line, last_offset, last_column) = self.last.get();
        let (from, counted) = if last_line == line && last_offset >= start && last_offset <= offset
        {
            (last_offset, last_column)
        } else {
            (start, 0)
        };
        let column = counted + text[from..offset].chars().count();
        self.last.set((line, offset, column));
        (line + 1, column + 1)
    }
}

/// Byte offsets where each line of `source` starts.
fn line_starts(source: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(source.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

/// The bytes of line `line` (from 1) without its newline, by `starts`.
fn line_range(starts: &[usize], line: usize, len: usize) -> Option<std::ops::Range<usize>> {
    let start = *starts.get(line.checked_sub(1)?)?;
    let end = starts.get(line).map_or(len, |e| e - 1);
    Some(start..end)
}

/// Whether `range` is exactly one line of `bytes`: it starts after a newline (or at the
/// start) and runs to the next one (or the end).
fn is_one_line(bytes: &[u8], range: &std::ops::Range<usize>) -> bool {
    let (start, end) = (range.start, range.end);
    start <= end
        && end <= bytes.len()
        && (start == 0 || bytes[start - 1] == b'\n')
        && (end == bytes.len() || bytes[end] == b'\n')
        && !bytes[start..end].contains(&b'\n')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `merge_sorted` sorts by its own path keys: they must give `Path`'s order, where a
    /// separator sorts below every character (`a/b` before `a-b`, though `/` is above `-`).
    #[test]
    fn merge_sorted_orders_paths_as_path_does() {
        let paths = [
            "content/a-b.md",
            "content/a/b.md",
            "content/a.md",
            "content/a",
            "content/ab/c.md",
            "content/a/b/c.md",
            "content/问题.md",
            "content/z.md",
            "/abs/x.md",
            "../up.md",
            "./here.md",
            "kbgen.yaml",
            "content/a-b.md",
        ];
        let mut all = Vec::new();
        for (k, p) in paths.iter().enumerate() {
            for line in [3, 1] {
                all.push(Diagnostic::warning(*p, line, 1 + k % 2, format!("m{k}")));
            }
        }
        all.push(Diagnostic::error("content/a.md", 1, 1, "m2"));
        all.push(all[0].clone());
        let mut expected = all.clone();
        expected.sort_by(|a, b| {
            (&a.path, a.line, a.column, a.severity, &a.message)
                .cmp(&(&b.path, b.line, b.column, b.severity, &b.message))
        });
        expected.dedup();
        let got = merge_sorted(all);
        assert_eq!(got, expected);
        let a_slash = got
            .iter()
            .position(|d| d.path == Path::new("content/a/b.md"));
        let a_dash = got
            .iter()
            .position(|d| d.path == Path::new("content/a-b.md"));
        assert!(a_slash < a_dash, "{got:?}");
    }

    /// The excerpt cache is keyed by the text's address and length: a new text in the same
    /// buffer (a freed file's memory reused, as in a fuzz loop) must not be cut by the old
    /// text's lines, which here would split a character.
    #[test]
    fn a_new_text_at_the_same_address_gets_its_own_lines() {
        let mut text = String::from("ab\ncd\nef\n");
        let first = Diagnostic::error("a.md", 2, 1, "x").with_source(&text);
        assert_eq!(first.excerpt.as_deref(), Some("cd"));
        // Same length, same buffer: "é" (2 bytes) where the first newline was.
        text.replace_range(.., "aé\ndefgh");
        let second = Diagnostic::error("a.md", 2, 1, "x").with_source(&text);
        assert_eq!(second.excerpt.as_deref(), Some("defgh"));
    }

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

    /// Regression: joining a failed step's problems with other steps' cut them per file a
    /// second time, so "99900 more problems" became "1 more problem".
    #[test]
    fn collected_problems_are_cut_once() {
        let mut all = Diagnostics::default();
        for i in 0..150 {
            all.push(Diagnostic::error("content/a.md", 1, i + 1, "broken"));
        }
        let mut collected = Collected::default();
        let step: Result<(), Failure> = Err(Failure::content(all));
        assert!(collected.take(step).unwrap().is_none());
        collected.extend([Diagnostic::error("kbgen.yaml", 2, 1, "bad")]);
        let Err(Failure::Content(d)) = collected.finish::<()>(None) else {
            panic!("expected content problems");
        };
        assert_eq!(d.len(), MAX_PER_FILE + 2);
        assert!(
            d[MAX_PER_FILE].message.starts_with("50 more problems"),
            "{}",
            d[MAX_PER_FILE]
        );
        assert_eq!(d[MAX_PER_FILE + 1].path, Path::new("kbgen.yaml"));
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
