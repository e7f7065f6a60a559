//! Syntax highlighting of fenced code at build time (syntect, with its bundled Sublime Text
//! syntaxes and the pure-Rust fancy-regex engine). The output is `<span class="hl-…">` by
//! scope (`hl-comment`, `hl-string`, `hl-keyword` …): colours live in the theme's style.css,
//! light and dark, never in the HTML.

use std::sync::LazyLock;
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

/// The bundled syntaxes, read the first time a block needs them (about 20 ms), then shared
/// by every thread.
static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(SyntaxSet::load_defaults_newlines);

/// Blocks longer than this are shown plain: highlighting is a regex machine per line, and a
/// pasted log of megabytes should not hold up the build.
const MAX_CODE_BYTES: usize = 64 * 1024;

/// The inside of `<code>` for `code` in `language` (the info string's first word), or None
/// when the language is unknown, plain text, or the code too long or not highlightable.
pub(crate) fn highlight(language: &str, code: &str) -> Option<String> {
    let language = language.trim();
    if language.is_empty() || code.len() > MAX_CODE_BYTES || is_plain(language) {
        return None;
    }
    let set = &*SYNTAXES;
    let syntax = set
        .find_syntax_by_token(language)
        .filter(|s| s.name != "Plain Text")?;
    let mut html = ClassedHTMLGenerator::new_with_class_style(
        syntax,
        set,
        ClassStyle::SpacedPrefixed { prefix: "hl-" },
    );
    for line in LinesWithEndings::from(code) {
        // A regex that gives up (fancy-regex's backtrack limit) leaves the block plain.
        html.parse_html_for_line_which_includes_newline(line).ok()?;
    }
    Some(html.finalize())
}

/// Info strings that name no language (checked before the syntaxes are loaded).
fn is_plain(language: &str) -> bool {
    ["text", "txt", "plain", "plaintext", "none", "nohighlight"]
        .iter()
        .any(|p| p.eq_ignore_ascii_case(language))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_languages_get_scope_classes_and_text_stays_escaped() {
        let html = highlight("json", "{\"a\": \"<b>&\", \"n\": 1}\n").expect("json is known");
        assert!(html.contains("class=\"hl-"), "{html}");
        assert!(html.contains("hl-string"), "{html}");
        assert!(html.contains("hl-numeric"), "{html}");
        assert!(html.contains("&lt;b&gt;&amp;"), "{html}");
        assert!(!html.contains("<b>"), "{html}");
        let rust = highlight("rust", "fn main() { // hi\n}\n").expect("rust is known");
        assert!(
            rust.contains("hl-comment") && rust.contains("hl-storage"),
            "{rust}"
        );
    }

    #[test]
    fn unknown_plain_and_huge_blocks_are_left_alone() {
        assert_eq!(highlight("", "x"), None);
        assert_eq!(highlight("text", "x"), None);
        assert_eq!(highlight("no-such-language", "x"), None);
        assert_eq!(highlight("json", &"1,".repeat(MAX_CODE_BYTES)), None);
    }
}
