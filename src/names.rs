//! The name rule (SPEC "Names, anchors, links"): heading ids, FAQ anchors, term folders, fragments.

use std::collections::HashMap;

/// Applies the name rule: trim; drop punctuation and symbols except `-` and `_`; lower-case
/// ASCII; runs of white space become one `-`; keep every other letter and digit, CJK included.
pub fn name_of(text: &str) -> String {
    use unicode_normalization::{is_nfc_quick, IsNormalized};
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    // Composed (NFC), so a name typed on one keyboard matches the same name from another.
    let composed;
    let text = if is_nfc_quick(text.chars()) == IsNormalized::Yes {
        text
    } else {
        composed = nfc(text);
        &composed
    };
    for c in fold_width(text.trim()).chars() {
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        let keep = c == '-' || c == '_' || c.is_alphanumeric() || is_combining_mark(c);
        if !keep {
            continue;
        }
        if pending_space && !out.is_empty() {
            out.push('-');
        }
        pending_space = false;
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// Folds full-width ASCII forms (U+FF01–U+FF5E) and the ideographic space to their
/// half-width counterparts, so `ＬＰＲ` and `LPR` name the same thing.
pub fn fold_width(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_full_width) {
        return std::borrow::Cow::Borrowed(text);
    }
    text.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

fn is_full_width(c: char) -> bool {
    c == '\u{3000}' || ('\u{FF01}'..='\u{FF5E}').contains(&c)
}

/// Combining marks (accents written as separate code points) belong to their letter.
fn is_combining_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{20D0}'..='\u{20FF}')
}

/// Hands out ids unique within one page: a repeated name gets `-2`, `-3` …
#[derive(Default)]
pub struct IdSet {
    seen: HashMap<String, usize>,
}

impl IdSet {
    pub fn unique(&mut self, name: String) -> String {
        let name = if name.is_empty() {
            "section".to_string()
        } else {
            name
        };
        let Some(&count) = self.seen.get(&name) else {
            self.seen.insert(name.clone(), 1);
            return name;
        };
        let mut n = count + 1;
        let mut candidate = format!("{name}-{n}");
        while self.seen.contains_key(&candidate) {
            n += 1;
            candidate = format!("{name}-{n}");
        }
        self.seen.insert(name, n);
        self.seen.insert(candidate.clone(), 1);
        candidate
    }
}

/// `s` in Unicode NFC: names typed by a writer and names read from disk compare equal.
pub fn nfc(s: &str) -> String {
    use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization as _};
    // Nearly every name is NFC already (ASCII always is): the quick check skips composing.
    if s.is_ascii() || is_nfc_quick(s.chars()) == IsNormalized::Yes {
        return s.to_string();
    }
    s.nfc().collect()
}

/// Is `slug` a valid URL name: letters (CJK included), digits, `-`, `_` only?
pub fn is_valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
}

/// The closest candidate to `word` by edit distance, if it is close enough to be a likely typo.
pub fn closest<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    // Edits count transpositions as one (`nmae` → `name`). Close means a third of the longer
    // word may differ (at least one character, so a
    // two-character word may have one typo but not become another word), or one word holds
    // the other whole (`民法典` in `《中华人民共和国民法典》`).
    let len = word.chars().count();
    candidates
        .into_iter()
        .filter(|c| *c != word)
        .map(|c| (strsim::osa_distance(word, c), c))
        .filter(|(d, c)| {
            let longer = len.max(c.chars().count());
            let shorter = len.min(c.chars().count());
            *d <= (longer / 3).max(1) || (shorter >= 2 && (c.contains(word) || word.contains(c)))
        })
        .min_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_rule_keeps_chinese_and_drops_punctuation() {
        assert_eq!(name_of("法律救济途径有哪些？"), "法律救济途径有哪些");
        assert_eq!(name_of("《中华人民共和国民法典》"), "中华人民共和国民法典");
        assert_eq!(name_of("  Hello,   World! "), "hello-world");
        assert_eq!(name_of("第一步：核实信息真实性"), "第一步核实信息真实性");
        assert_eq!(name_of("LPR 四倍 (2020)"), "lpr-四倍-2020");
        assert_eq!(name_of("snake_case-name"), "snake_case-name");
        assert_eq!(name_of("ＬＰＲ四倍"), "lpr四倍");
        assert_eq!(name_of("<script>alert(1)</script>"), "scriptalert1script");
        // Decomposed input names the same thing as composed input.
        assert_eq!(name_of("cafe\u{301} 한"), name_of("café 한"));
    }

    #[test]
    fn repeated_ids_get_numbered() {
        let mut ids = IdSet::default();
        assert_eq!(ids.unique("a".into()), "a");
        assert_eq!(ids.unique("a".into()), "a-2");
        assert_eq!(ids.unique("a".into()), "a-3");
        assert_eq!(ids.unique("a-2".into()), "a-2-2");
    }

    #[test]
    fn slugs_allow_cjk_but_not_paths() {
        assert!(is_valid_slug("网贷-短信_1"));
        assert!(!is_valid_slug("../etc"));
        assert!(!is_valid_slug("a/b"));
        assert!(!is_valid_slug(""));
    }

    #[test]
    fn closest_suggests_typos() {
        let keys = ["legal_basis", "remedy_type", "tags"];
        assert_eq!(closest("legal_bassis", keys), Some("legal_basis"));
        assert_eq!(closest("zzzzzzzzzzzz", keys), None);
        // Regression: two different two-character words are not typos of each other.
        assert_eq!(closest("报警", ["协商", "投诉", "调解"]), None);
        assert_eq!(closest("报警", ["报案", "协商"]), Some("报案"));
        assert_eq!(
            closest("民法典", ["《中华人民共和国民法典》"]),
            Some("《中华人民共和国民法典》")
        );
        assert_eq!(
            closest("disclaimr", ["disclaimer", "description"]),
            Some("disclaimer")
        );
    }
}
