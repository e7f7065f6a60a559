//! Normalisation and the one cut shared by the index and the query; `search.js` mirrors it
//! character for character (`normalize`, `isCjk`, `pieces` there), so the two can never disagree.

/// Latin words are cut to this many characters on both sides, so a pasted hash or URL cannot
/// create an unbounded term.
pub const MAX_WORD_CHARS: usize = 32;

/// Folds one character: full-width ASCII (U+FF01–FF5E) and the ideographic space to their
/// half-width forms, Traditional Han characters to their Simplified forms (`crate::hanzi`,
/// shipped to the client as the manifest's fold pairs), then lower-cases it when its lower
/// case is a single character.
///
/// Mapping char to char (never to a longer string) keeps positions in normalised text equal to
/// positions in the original, which the client relies on to place `<mark>` in the shown text.
pub fn fold_char(c: char) -> char {
    let c = match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    };
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    if is_cjk(c) {
        return crate::hanzi::simplified(c);
    }
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

/// Normalises text for indexing and matching: [`fold_char`] on every character.
pub fn normalize(text: &str) -> String {
    text.chars().map(fold_char).collect()
}

/// [`normalize`], noting in `traditional` whether a Han character was folded to its
/// Simplified form (the manifest then tells the client to fold from the start).
pub fn normalize_noting(text: &str, traditional: &mut bool) -> String {
    text.chars()
        .map(|c| {
            let f = fold_char(c);
            *traditional |= f != c && is_cjk(c);
            f
        })
        .collect()
}

/// Characters cut into overlapping bigrams: Han (with extensions and compatibility
/// ideographs), kana and Hangul syllables — scripts written without spaces between words.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // hiragana, katakana
        | 0x3400..=0x4DBF    // Han extension A
        | 0x4E00..=0x9FFF    // Han
        | 0xAC00..=0xD7AF    // Hangul syllables
        | 0xF900..=0xFAFF    // Han compatibility
        | 0x20000..=0x3FFFF) // Han extensions B and later
}

/// A run of normalised text that the cut treats as a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'a> {
    /// A maximal run of [`is_cjk`] characters.
    Cjk(&'a str),
    /// A maximal run of other letters and digits, cut to [`MAX_WORD_CHARS`].
    Word(&'a str),
}

/// Splits normalised text into [`Piece`]s; everything else (punctuation, spaces, symbols)
/// separates them.
pub fn for_each_piece<'a>(text: &'a str, mut f: impl FnMut(Piece<'a>)) {
    #[derive(PartialEq)]
    enum Class {
        Cjk,
        Word,
        Other,
    }
    let class = |c: char| {
        if is_cjk(c) {
            Class::Cjk
        } else if c.is_alphanumeric() {
            Class::Word
        } else {
            Class::Other
        }
    };
    let mut start = 0;
    let mut current = Class::Other;
    let mut emit = |run: &'a str, kind: &Class| match kind {
        Class::Cjk => f(Piece::Cjk(run)),
        Class::Word => {
            let end = run
                .char_indices()
                .nth(MAX_WORD_CHARS)
                .map_or(run.len(), |(i, _)| i);
            f(Piece::Word(&run[..end]));
        }
        Class::Other => {}
    };
    for (i, c) in text.char_indices() {
        let k = class(c);
        if k != current {
            emit(&text[start..i], &current);
            start = i;
            current = k;
        }
    }
    emit(&text[start..], &current);
}

/// The index-side terms of a CJK run: every character and every overlapping bigram.
///
/// The query side takes bigrams (or the character, for a one-character run) from the same
/// run, so every query term of a run that occurs in the text is among these.
pub fn for_each_cjk_term(run: &str, mut f: impl FnMut(char, Option<char>)) {
    let mut chars = run.chars().peekable();
    while let Some(c) = chars.next() {
        f(c, None);
        if let Some(&next) = chars.peek() {
            f(c, Some(next));
        }
    }
}

/// The terms a query is cut into, as strings; the client does the same (minus the dictionary
/// words and prefix expansions, which only add ranking terms). Used by the tests and the fuzz
/// harness to prove both sides agree.
pub fn query_terms(query: &str) -> Vec<String> {
    let normalized = normalize(query);
    let mut out = Vec::new();
    for_each_piece(&normalized, |piece| match piece {
        Piece::Word(w) => out.push(w.to_string()),
        Piece::Cjk(run) => {
            let chars: Vec<char> = run.chars().collect();
            if chars.len() == 1 {
                out.push(chars[0].to_string());
            }
            for pair in chars.windows(2) {
                out.push(pair.iter().collect());
            }
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(text: &str) -> Vec<Piece<'_>> {
        let mut out = Vec::new();
        for_each_piece(text, |p| out.push(p));
        out
    }

    #[test]
    fn folds_full_width_and_case() {
        assert_eq!(
            normalize("ＬＰＲ四倍　Ａｂｃ１２３４８？"),
            "lpr四倍 abc12348?"
        );
        assert_eq!(normalize("Ünïcode ΣΑΣ"), "ünïcode σασ");
        // A lower case longer than one character keeps the original, so lengths never change.
        assert_eq!(normalize("İ").chars().count(), 1);
    }

    #[test]
    fn cuts_mixed_text_into_runs_and_words() {
        let n = normalize("LPR四倍，《民法典》第680条 e-mail");
        assert_eq!(
            pieces(&n),
            vec![
                Piece::Word("lpr"),
                Piece::Cjk("四倍"),
                Piece::Cjk("民法典"),
                Piece::Cjk("第"),
                Piece::Word("680"),
                Piece::Cjk("条"),
                Piece::Word("e"),
                Piece::Word("mail"),
            ]
        );
        let long = "a".repeat(50);
        assert_eq!(pieces(&long), vec![Piece::Word(&long[..MAX_WORD_CHARS])]);
    }

    #[test]
    fn index_terms_contain_every_query_term() {
        let text = "遇到催收短信怎么投诉？LPR四倍以内受保护。";
        let mut indexed = std::collections::HashSet::new();
        for_each_piece(&normalize(text), |p| match p {
            Piece::Word(w) => {
                indexed.insert(w.to_string());
            }
            Piece::Cjk(run) => for_each_cjk_term(run, |a, b| {
                indexed.insert(b.map_or(a.to_string(), |b| format!("{a}{b}")));
            }),
        });
        for q in [
            "催收短信",
            "怎么投诉",
            "ＬＰＲ四倍",
            "lpr",
            "受",
            "短信 投诉",
        ] {
            let terms = query_terms(q);
            assert!(!terms.is_empty(), "{q}");
            for t in terms {
                assert!(indexed.contains(&t), "query {q:?} term {t:?} not indexed");
            }
        }
        assert_eq!(query_terms("催收短信"), ["催收", "收短", "短信"]);
        assert_eq!(query_terms("LPR四倍"), ["lpr", "四倍"]);
        assert_eq!(query_terms("第 条"), ["第", "条"]);
    }
}
