//! What kbgen knows about Han characters: their pinyin readings (the pinyin crate) and their
//! Simplified forms (OpenCC's tables through ferrous-opencc). The one module that uses
//! either crate, so each can be swapped here alone.

use std::sync::OnceLock;

/// The readings of a Han character in plain pinyin (no tones), the most common first;
/// empty for any other character. Heteronyms give several (`行` → `xing`, `hang`, …).
pub fn readings(c: char) -> Vec<&'static str> {
    use pinyin::ToPinyinMulti as _;
    let Some(multi) = c.to_pinyin_multi() else {
        return Vec::new();
    };
    let mut out: Vec<&'static str> = Vec::with_capacity(multi.count());
    for p in multi {
        let plain = p.plain();
        if !out.contains(&plain) {
            out.push(plain);
        }
    }
    out
}

/// Every plain pinyin syllable the readings use (`a`, `ai`, … `zuo`), sorted.
pub fn syllables() -> Vec<&'static str> {
    let mut set = std::collections::BTreeSet::new();
    for code in FIRST..=0x9FFF {
        if let Some(c) = char::from_u32(code) {
            set.extend(readings(c));
        }
    }
    set.into_iter().filter(|s| !s.is_empty()).collect()
}

/// A character's most common reading with its tone number at the end (`单` → `dan1`).
pub fn reading_with_tone(c: char) -> Option<&'static str> {
    use pinyin::ToPinyin as _;
    c.to_pinyin().map(|p| p.with_tone_num_end())
}

/// The first and last code points of the Basic Multilingual Plane's Han blocks (extension A
/// through compatibility ideographs), the range the dense table covers.
const FIRST: u32 = 0x3400;
const LAST: u32 = 0xFAFF;

/// Traditional (and Taiwan and Hong Kong variant) characters mapped to their Simplified
/// form, one character to one, by code point from [`FIRST`]; 0 where a character stays.
fn table() -> &'static [u32] {
    static TABLE: OnceLock<Vec<u32>> = OnceLock::new();
    TABLE.get_or_init(|| {
        use ferrous_opencc::{config::BuiltinConfig, OpenCC};
        let converters: Vec<OpenCC> =
            [BuiltinConfig::T2s, BuiltinConfig::Tw2s, BuiltinConfig::Hk2s]
                .into_iter()
                .filter_map(|c| OpenCC::from_config(c).ok())
                .collect();
        let mut table = vec![0u32; (LAST - FIRST + 1) as usize];
        let mut buf = [0u8; 4];
        for code in FIRST..=LAST {
            let Some(c) = char::from_u32(code) else {
                continue;
            };
            if !crate::search::segment::is_cjk(c) {
                continue;
            }
            let text: &str = c.encode_utf8(&mut buf);
            for cc in &converters {
                let out = cc.convert(text);
                let mut chars = out.chars();
                if let (Some(s), None) = (chars.next(), chars.next()) {
                    if s != c {
                        table[(code - FIRST) as usize] = s as u32;
                        break;
                    }
                }
            }
        }
        // A character that is itself another's Simplified form is standard Simplified text
        // and stays (OpenCC also maps 么 → 幺, yet 么 is what 麼 simplifies to).
        let targets: std::collections::HashSet<u32> =
            table.iter().copied().filter(|&s| s != 0).collect();
        for (i, s) in table.iter_mut().enumerate() {
            if targets.contains(&(FIRST + i as u32)) {
                *s = 0;
            }
        }
        table
    })
}

/// The Simplified form of a character (itself when it has none, or is not Han). One
/// character always maps to one, so folded text keeps its positions.
pub fn simplified(c: char) -> char {
    let code = c as u32;
    if !(FIRST..=LAST).contains(&code) {
        return c;
    }
    match table()[(code - FIRST) as usize] {
        0 => c,
        s => char::from_u32(s).unwrap_or(c),
    }
}

/// Every (Traditional, Simplified) pair the table holds, in code-point order.
pub fn simplified_pairs() -> impl Iterator<Item = (char, char)> {
    table().iter().enumerate().filter_map(|(i, &s)| {
        let t = char::from_u32(FIRST + i as u32)?;
        (s != 0).then(|| (t, char::from_u32(s).unwrap_or(t)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traditional_folds_to_simplified_one_character_each() {
        let folded: String = "個人信息與網絡貸款催收裡".chars().map(simplified).collect();
        assert_eq!(folded, "个人信息与网络贷款催收里");
        // Simplified text and other scripts stay as they are (么 too: OpenCC maps it to 幺).
        for s in ["个人信息保护法", "什么", "LPR", "か", "，"] {
            assert_eq!(s.chars().map(simplified).collect::<String>(), s);
        }
    }

    #[test]
    fn readings_include_heteronyms() {
        assert_eq!(readings('催'), vec!["cui"]);
        let xing = readings('行');
        assert!(xing.contains(&"xing") && xing.contains(&"hang"), "{xing:?}");
        assert!(readings('a').is_empty());
        assert_eq!(reading_with_tone('单'), Some("dan1"));
    }
}
