//! The order of a section's articles and subsections, as its `_index.md` sets it
//! (`sort_by:`): weight first, then the date (newest first), the title, or the title in
//! pinyin order (Chinese titles as a Chinese index lists them, not by code point; readings
//! from `crate::hanzi`).

use crate::content::{Article, Section};
use crate::ids::{Id as _, SectionId};
use std::cmp::Reverse;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortBy {
    /// Weight, then title (code point order).
    #[default]
    Weight,
    /// Weight, then `date` (else `updated`), newest first, then title.
    Date,
    /// Weight, then title.
    Title,
    /// Weight, then the title's pinyin (tone numbers break ties), then title.
    Pinyin,
}

impl SortBy {
    pub const NAMES: &'static [&'static str] = &["weight", "date", "title", "pinyin"];

    pub fn parse(text: &str) -> Option<SortBy> {
        match text.trim() {
            "weight" => Some(SortBy::Weight),
            "date" => Some(SortBy::Date),
            "title" => Some(SortBy::Title),
            "pinyin" => Some(SortBy::Pinyin),
            _ => None,
        }
    }
}

/// A title as pinyin order compares it: each Han character as its pinyin with the tone
/// number at the end (`单` → `dan1`), every other character lower-cased as it is.
pub fn pinyin_key(title: &str) -> String {
    let mut key = String::with_capacity(title.len() * 2);
    for c in title.chars() {
        match crate::hanzi::reading_with_tone(c) {
            Some(p) => key.push_str(p),
            None => key.extend(c.to_lowercase()),
        }
    }
    key
}

/// What an order compares after the weight.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Then {
    Nothing,
    Newest(Reverse<Option<jiff::civil::Date>>),
    Text(String),
}

fn then(sort: SortBy, title: &str, date: Option<jiff::civil::Date>) -> Then {
    match sort {
        SortBy::Weight | SortBy::Title => Then::Nothing,
        SortBy::Date => Then::Newest(Reverse(date)),
        SortBy::Pinyin => Then::Text(pinyin_key(title)),
    }
}

/// The sort key of an article: its section first (articles of a section are one run),
/// then its section's order, then title and file name so that every order is total.
pub fn article_key<'a>(
    sections: &[Section],
    a: &'a Article,
) -> (SectionId, i64, Then, &'a str, &'a str) {
    let sort = sections[a.section.index()].sort_by;
    let date = a.matter.date.as_ref().or(a.matter.updated.as_ref());
    (
        a.section,
        a.matter.weight.unwrap_or(i64::MAX),
        then(sort, &a.matter.title, date.map(|d| d.day)),
        &a.matter.title,
        &a.rel,
    )
}

/// The sort key of a section among its siblings, in its parent's order (sections have no
/// date: `date` orders them by title).
pub fn section_key(sections: &[Section], s: &Section) -> (i64, Then, String, String) {
    let sort = s
        .parent
        .map(|p| sections[p.index()].sort_by)
        .unwrap_or_default();
    (
        s.weight.unwrap_or(i64::MAX),
        then(sort, &s.title, None),
        s.title.clone(),
        s.dir.clone(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinyin_orders_chinese_titles_as_an_index_does() {
        // By code point 单 (U+5355) < 如 (U+5982) < 被 (U+88AB); in pinyin bei < dan < ru.
        let mut titles = vec!["如何投诉", "被催收怎么办", "单位电话被打"];
        titles.sort_by_cached_key(|t| pinyin_key(t));
        assert_eq!(titles, ["被催收怎么办", "单位电话被打", "如何投诉"]);
        assert_eq!(pinyin_key("单A"), "dan1a");
    }
}
