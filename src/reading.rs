//! How long an article is: words for Latin text, characters for CJK text (Chinese and
//! Japanese are not written with spaces, so a word count would call a paragraph one word),
//! and the reading time that follows.

/// Characters of CJK text a reader gets through in a minute (Chinese reading studies put
/// adults at 300–500; 400 is the usual figure for screen text).
pub const CJK_PER_MINUTE: usize = 400;
/// Words of Latin text a reader gets through in a minute (screen text, non-fiction).
pub const WORDS_PER_MINUTE: usize = 200;

/// An article's length: CJK characters (each counted as one) and other words.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Length {
    pub cjk: usize,
    pub words: usize,
}

impl Length {
    pub fn of<'a>(texts: impl IntoIterator<Item = &'a str>) -> Length {
        let mut n = Length::default();
        for text in texts {
            let mut in_word = false;
            for c in text.chars() {
                if is_cjk(c) {
                    n.cjk += 1;
                    in_word = false;
                } else if c.is_alphanumeric() {
                    if !in_word {
                        n.words += 1;
                    }
                    in_word = true;
                } else {
                    // An apostrophe or hyphen inside a word does not split it.
                    in_word = in_word && matches!(c, '\'' | '’' | '-');
                }
            }
        }
        n
    }

    /// CJK characters and words together: what templates show as the word count.
    pub fn count(self) -> usize {
        self.cjk + self.words
    }

    /// Whole minutes, rounded up; at least 1 for any text, 0 for none.
    pub fn reading_minutes(self) -> usize {
        if self.count() == 0 {
            return 0;
        }
        // In characters-per-minute units of the two rates' product, so nothing is rounded twice.
        let scaled = self.cjk * WORDS_PER_MINUTE + self.words * CJK_PER_MINUTE;
        scaled.div_ceil(CJK_PER_MINUTE * WORDS_PER_MINUTE).max(1)
    }
}

/// Han ideographs, kana, Hangul syllables and CJK symbols' letters.
fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // Hiragana, Katakana
        | 0x3400..=0x4DBF    // CJK Extension A
        | 0x4E00..=0x9FFF    // CJK Unified Ideographs
        | 0xAC00..=0xD7AF    // Hangul syllables
        | 0xF900..=0xFAFF    // CJK compatibility ideographs
        | 0x20000..=0x3134F  // Extensions B–G
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_characters_count_one_each_and_latin_words_as_words() {
        let n = Length::of(["催收短信怎么办？Call 12348 now, don't wait."]);
        assert_eq!((n.cjk, n.words), (7, 5));
        assert_eq!(n.count(), 12);
    }

    #[test]
    fn reading_time_by_script() {
        assert_eq!(Length { cjk: 400, words: 0 }.reading_minutes(), 1);
        assert_eq!(Length { cjk: 401, words: 0 }.reading_minutes(), 2);
        assert_eq!(Length { cjk: 0, words: 600 }.reading_minutes(), 3);
        assert_eq!(
            Length {
                cjk: 200,
                words: 100
            }
            .reading_minutes(),
            1
        );
        assert_eq!(Length { cjk: 1, words: 0 }.reading_minutes(), 1);
        assert_eq!(Length::default().reading_minutes(), 0);
    }
}
