//! Writing checks that are not errors: ASCII double quotes between Chinese words (Chinese text
//! takes “”). Reported as warnings with line and column, for Chinese sites only.

use crate::content::Article;
use crate::diagnostic::{Diagnostic, MAX_PER_FILE};
use std::path::Path;

/// Warnings for ASCII `"` next to CJK text in `article`'s body and FAQ entries, when the
/// site's language is Chinese. Code (fenced blocks, inline code) is left alone.
pub(crate) fn check_quotes(article: &Article, language: &str) -> Vec<Diagnostic> {
    if !is_chinese(language) {
        return Vec::new();
    }
    let warn = |line, column| {
        Diagnostic::warning(&article.source, line, column, MESSAGE).with_source(&article.text)
    };
    let mut out = body_quotes(article.body(), article.body_line, warn);
    for f in &article.matter.faq {
        let text = format!("{} {}", f.question, f.answer);
        if !ascii_quotes_in_cjk(&text).is_empty() {
            out.push(warn(f.line, 1));
        }
    }
    out
}

/// A warning for an article with neither text nor FAQ entries (what `kbgen new` leaves):
/// it would publish an empty page.
pub(crate) fn check_empty(article: &Article) -> Option<Diagnostic> {
    let empty = article.body().trim().is_empty() && article.matter.faq.is_empty();
    empty.then(|| {
        Diagnostic::warning(
            &article.source,
            article.body_line,
            1,
            "the article has no text yet: it would be published as an empty page \
             (write it, or set `draft: true` until it is ready)",
        )
    })
}

/// The same for a section's introduction (the body of its `_index.md`, from `first_line`).
pub(crate) fn check_intro_quotes(
    source: &Path,
    intro: &str,
    first_line: usize,
    language: &str,
) -> Vec<Diagnostic> {
    if !is_chinese(language) {
        return Vec::new();
    }
    body_quotes(intro, first_line, |line, column| {
        Diagnostic::warning(source, line, column, MESSAGE)
    })
}

const MESSAGE: &str = "ASCII quote `\"` in Chinese text: use “ and ” (full-width quotation marks)";

fn is_chinese(language: &str) -> bool {
    language.to_ascii_lowercase().starts_with("zh")
}

/// One warning per quote in Markdown `body` whose first line is `first_line` of its file,
/// outside fenced and indented code, at most MAX_PER_FILE.
fn body_quotes(
    body: &str,
    first_line: usize,
    warn: impl Fn(usize, usize) -> Diagnostic,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut fence: Option<&str> = None;
    for (i, line) in body.lines().enumerate() {
        let trimmed = line.trim_start();
        let marker = ["```", "~~~"].into_iter().find(|m| trimmed.starts_with(m));
        match (fence, marker) {
            (None, Some(m)) => {
                fence = Some(m);
                continue;
            }
            (Some(f), Some(m)) if f == m => {
                fence = None;
                continue;
            }
            (Some(_), _) => continue,
            _ => {}
        }
        if line.starts_with("    ") || line.starts_with('\t') {
            continue;
        }
        for column in ascii_quotes_in_cjk(line) {
            out.push(warn(first_line + i, column));
            if out.len() >= MAX_PER_FILE {
                return out;
            }
        }
    }
    out
}

/// 1-based columns (in characters) of `"` whose nearest non-space neighbour on either side
/// is a CJK character, outside inline code and outside raw HTML tags (attribute quotes are
/// markup, not text).
fn ascii_quotes_in_cjk(line: &str) -> Vec<usize> {
    let chars: Vec<char> = line.chars().collect();
    let mut in_code = false;
    let mut in_tag = false;
    let mut out = Vec::new();
    for (i, &c) in chars.iter().enumerate() {
        if c == '`' && !in_tag {
            in_code = !in_code;
            continue;
        }
        if in_code {
            continue;
        }
        let next = chars.get(i + 1).copied().unwrap_or(' ');
        if c == '<' && (next.is_ascii_alphabetic() || next == '/') {
            in_tag = true;
        } else if c == '>' {
            in_tag = false;
        }
        if c != '"' || in_tag {
            continue;
        }
        let before = chars[..i].iter().rev().find(|c| !c.is_whitespace());
        let after = chars[i + 1..].iter().find(|c| !c.is_whitespace());
        if before.is_some_and(|&c| is_cjk(c)) || after.is_some_and(|&c| is_cjk(c)) {
            out.push(i + 1);
        }
    }
    out
}

/// Han characters and CJK punctuation.
fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3000..=0x303F | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF | 0x20000..=0x2FA1F)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_next_to_chinese_are_found_outside_code() {
        assert_eq!(ascii_quotes_in_cjk("所谓\"软暴力\"是指"), vec![3, 7]);
        assert_eq!(ascii_quotes_in_cjk("他说 \"你好\" 然后"), vec![4, 7]);
        assert!(ascii_quotes_in_cjk("say \"hello\" twice").is_empty());
        assert!(ascii_quotes_in_cjk("代码 `a = \"值\"` 结束").is_empty());
        assert!(ascii_quotes_in_cjk("用“全角”引号").is_empty());
        assert!(ascii_quotes_in_cjk("<div class=\"未闭合\">中文</div>").is_empty());
        assert_eq!(ascii_quotes_in_cjk("<b>所谓\"软暴力\"</b>"), vec![6, 10]);
    }
}
