//! UI words in the site's language (built-in sets for zh-CN, zh-TW and en, each word
//! overridable in kbgen.yaml's `ui:`), and dates as the site's readers write them.

use crate::content::DateValue;
use crate::view::DateView;
use serde::Serialize;
use std::borrow::Cow;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

/// The built-in word sets. Chinese is one language to dates, counts and callouts, but two
/// scripts to readers: Taiwan, Hong Kong, Macau and `zh-Hant` read Traditional characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Words {
    Simplified,
    Traditional,
    English,
}

impl Words {
    /// The word set for a BCP 47 tag (`zh-TW`, `zh-Hant-HK`, `zh-CN`, `en-GB` …).
    pub fn of(language: &str) -> Words {
        let lower = language.to_ascii_lowercase();
        let mut parts = lower.split(['-', '_']);
        if parts.next() != Some("zh") {
            return Words::English;
        }
        for p in parts {
            match p {
                "hant" | "tw" | "hk" | "mo" => return Words::Traditional,
                "hans" | "cn" | "sg" | "my" => return Words::Simplified,
                _ => {}
            }
        }
        Words::Simplified
    }

    fn set(self) -> &'static WordSet {
        match self {
            Words::Simplified => &ZH_HANS,
            Words::Traditional => &ZH_HANT,
            Words::English => &EN,
        }
    }
}

/// Declares the UI words once: the struct templates see as `ui`, the list of keys kbgen.yaml's
/// `ui:` may set, and the built-in sets (one string per key, in the same order).
macro_rules! ui_words {
    ($($key:ident),* $(,)?) => {
        /// UI strings in the site's language, with kbgen.yaml's `ui:` words over them.
        #[derive(Serialize, Debug, Clone, PartialEq, Eq)]
        pub struct Ui {
            $(pub $key: Cow<'static, str>,)*
        }

        /// Every key of `ui:` in kbgen.yaml.
        pub const UI_KEYS: &[&str] = &[$(stringify!($key)),*];

        impl Ui {
            fn from_set(set: &'static WordSet) -> Ui {
                let mut words = set.iter().map(|(_, w)| *w);
                Ui {
                    $($key: Cow::Borrowed(words.next().unwrap_or_default()),)*
                }
            }

            /// Sets word `key`; false when there is no such key.
            fn set(&mut self, key: &str, text: String) -> bool {
                match key {
                    $(stringify!($key) => self.$key = Cow::Owned(text),)*
                    _ => return false,
                }
                true
            }
        }
    };
}

ui_words!(
    skip_to_content,
    home,
    menu,
    main_menu,
    external,
    search,
    search_label,
    search_placeholder,
    search_no_results,
    search_hint,
    search_results,
    search_more,
    search_error,
    search_suggest,
    search_faq_link,
    search_filter,
    toc,
    faq,
    faq_index,
    faq_filter_label,
    faq_filter_all,
    faq_filter_by,
    faq_count,
    related,
    backlinks,
    sections,
    recent,
    published,
    reviewed,
    articles,
    terms,
    all_articles,
    previous_page,
    next_page,
    page_n_of,
    previous_article,
    next_article,
    article_pager,
    edit_page,
    reading_time,
    not_found_title,
    not_found_text,
    redirecting,
    disclaimer_label,
    back_to_top,
    read_more,
    show_answer,
    breadcrumbs,
    footnotes,
    footnote_back,
    review_notice_title,
    review_notice,
    in_force_since,
    revisions,
    replaced_by,
    callout_note,
    callout_tip,
    callout_important,
    callout_warning,
    callout_caution,
    browse_title,
    browse_caption,
    browse_total,
    browse_cell_title,
    browse_back,
    filter_count,
);

impl Ui {
    /// The built-in words of `words`, with `overrides` (key, text) over them. An unknown key
    /// is left out here: config checks keys against `UI_KEYS` before.
    pub fn new(words: Words, overrides: &[(String, String)]) -> Ui {
        let mut ui = Ui::from_set(words.set());
        for (k, v) in overrides {
            ui.set(k, v.clone());
        }
        ui
    }
}

impl Lang {
    pub fn of(language: &str) -> Lang {
        if language.to_ascii_lowercase().starts_with("zh") {
            Lang::Zh
        } else {
            Lang::En
        }
    }

    pub fn date(self, d: &DateValue) -> DateView {
        let (y, m, day) = (d.day.year(), d.day.month(), d.day.day());
        let display = match self {
            Lang::Zh => format!("{y}年{m}月{day}日"),
            Lang::En => {
                const MONTHS: [&str; 12] = [
                    "January",
                    "February",
                    "March",
                    "April",
                    "May",
                    "June",
                    "July",
                    "August",
                    "September",
                    "October",
                    "November",
                    "December",
                ];
                format!("{} {day}, {y}", MONTHS[(m as usize).clamp(1, 12) - 1])
            }
        };
        DateView {
            iso: d.iso.clone(),
            display,
        }
    }

    /// "label：value" in Chinese (a full-width colon, no space), "label: value" otherwise: page
    /// titles such as a term's ("Tags: x") and a section's FAQ.
    pub fn labelled(self, label: &str, value: &str) -> String {
        match self {
            Lang::Zh => format!("{label}：{value}"),
            Lang::En => format!("{label}: {value}"),
        }
    }

    /// A count of articles as a heading says it: "5 篇文章", "1 article", "5 articles".
    pub fn article_count(self, n: usize) -> String {
        match self {
            Lang::Zh => format!("{n} 篇文章"),
            Lang::En if n == 1 => "1 article".to_string(),
            Lang::En => format!("{n} articles"),
        }
    }
}

/// One built-in word set: (key, text) in `UI_KEYS` order (a unit test checks the keys).
type WordSet = [(&'static str, &'static str); UI_KEYS.len()];

static ZH_HANS: WordSet = [
    ("skip_to_content", "跳到正文"),
    ("home", "首页"),
    ("menu", "栏目"),
    ("main_menu", "菜单"),
    ("external", "（外部链接）"),
    ("search", "搜索"),
    ("search_label", "搜索本站"),
    ("search_placeholder", "输入问题或关键词"),
    (
        "search_no_results",
        "没有找到相关内容。换个说法试试，或浏览常见问题。",
    ),
    ("search_hint", "按 / 键可快速搜索"),
    ("search_results", "找到 {n} 个结果"),
    ("search_more", "显示更多结果"),
    ("search_error", "搜索索引加载失败"),
    ("search_suggest", "可以试试："),
    ("search_faq_link", "看看常见问题"),
    ("search_filter", "筛选结果"),
    ("toc", "目录"),
    ("faq", "常见问题"),
    ("faq_index", "常见问题汇总"),
    ("faq_filter_label", "筛选问题"),
    ("faq_filter_all", "全部"),
    ("faq_filter_by", "按分类筛选"),
    ("faq_count", "共 {n} 个问题"),
    ("related", "相关文章"),
    ("backlinks", "引用本文的文章"),
    ("sections", "栏目"),
    ("recent", "最近更新"),
    ("published", "发布于"),
    ("reviewed", "最后核对"),
    ("articles", "篇文章"),
    ("terms", "分类"),
    ("all_articles", "全部文章"),
    ("previous_page", "上一页"),
    ("next_page", "下一页"),
    ("page_n_of", "第 {n} 页，共 {total} 页"),
    ("previous_article", "上一篇"),
    ("next_article", "下一篇"),
    ("article_pager", "同栏目文章"),
    ("edit_page", "编辑此页"),
    ("reading_time", "约 {n} 分钟读完"),
    ("not_found_title", "页面未找到"),
    (
        "not_found_text",
        "抱歉，您要找的页面不存在或已移动。可以试试搜索，或回到首页。",
    ),
    ("redirecting", "页面已移动，正在跳转到"),
    ("disclaimer_label", "免责声明"),
    ("back_to_top", "回到顶部"),
    ("read_more", "阅读全文"),
    ("show_answer", "查看回答"),
    ("breadcrumbs", "当前位置"),
    ("footnotes", "脚注"),
    ("footnote_back", "返回引用 {n}"),
    ("review_notice_title", "相关法律已修订"),
    (
        "review_notice",
        "本文最后核对于{date}。此后，下列法律有了修订，文中部分内容可能已过时，请以现行规定为准：",
    ),
    ("in_force_since", "{date}起施行"),
    ("revisions", "本站跟踪的修订"),
    ("replaced_by", "已由{name}取代"),
    ("callout_note", "注意"),
    ("callout_tip", "提示"),
    ("callout_important", "重要"),
    ("callout_warning", "警告"),
    ("callout_caution", "当心"),
    ("browse_title", "按{rows}和{columns}浏览"),
    (
        "browse_caption",
        "表中数字为同时涉及该行{rows}与该列{columns}的文章篇数，点击数字查看这些文章",
    ),
    ("browse_total", "合计"),
    ("browse_cell_title", "同时涉及{row}和{column}的文章"),
    ("browse_back", "返回总表"),
    ("filter_count", "显示 {n} 篇文章"),
];

/// Traditional Chinese as Taiwan writes it (搜尋, 關鍵字, 頂端, 目前位置), not a character
/// swap of the Simplified set.
static ZH_HANT: WordSet = [
    ("skip_to_content", "跳到主要內容"),
    ("home", "首頁"),
    ("menu", "欄目"),
    ("main_menu", "選單"),
    ("external", "（外部連結）"),
    ("search", "搜尋"),
    ("search_label", "搜尋本站"),
    ("search_placeholder", "輸入問題或關鍵字"),
    (
        "search_no_results",
        "找不到相關內容。換個說法試試，或瀏覽常見問題。",
    ),
    ("search_hint", "按 / 鍵可快速搜尋"),
    ("search_results", "找到 {n} 筆結果"),
    ("search_more", "顯示更多結果"),
    ("search_error", "無法載入搜尋索引"),
    ("search_suggest", "可以試試："),
    ("search_faq_link", "看看常見問題"),
    ("search_filter", "篩選結果"),
    ("toc", "目錄"),
    ("faq", "常見問題"),
    ("faq_index", "常見問題總覽"),
    ("faq_filter_label", "篩選問題"),
    ("faq_filter_all", "全部"),
    ("faq_filter_by", "依分類篩選"),
    ("faq_count", "共 {n} 個問題"),
    ("related", "相關文章"),
    ("backlinks", "引用本文的文章"),
    ("sections", "欄目"),
    ("recent", "最近更新"),
    ("published", "發布於"),
    ("reviewed", "最後核對"),
    ("articles", "篇文章"),
    ("terms", "分類"),
    ("all_articles", "全部文章"),
    ("previous_page", "上一頁"),
    ("next_page", "下一頁"),
    ("page_n_of", "第 {n} 頁，共 {total} 頁"),
    ("previous_article", "上一篇"),
    ("next_article", "下一篇"),
    ("article_pager", "同欄目文章"),
    ("edit_page", "編輯此頁"),
    ("reading_time", "約 {n} 分鐘讀完"),
    ("not_found_title", "找不到頁面"),
    (
        "not_found_text",
        "抱歉，您要找的頁面不存在或已移動。可以試試搜尋，或回到首頁。",
    ),
    ("redirecting", "頁面已移動，正在前往"),
    ("disclaimer_label", "免責聲明"),
    ("back_to_top", "回到頂端"),
    ("read_more", "閱讀全文"),
    ("show_answer", "查看回答"),
    ("breadcrumbs", "目前位置"),
    ("footnotes", "註腳"),
    ("footnote_back", "返回引用 {n}"),
    ("review_notice_title", "相關法律已修訂"),
    (
        "review_notice",
        "本文最後核對於{date}。此後，下列法律有了修訂，文中部分內容可能已過時，請以現行規定為準：",
    ),
    ("in_force_since", "{date}起施行"),
    ("revisions", "本站追蹤的修訂"),
    ("replaced_by", "已由{name}取代"),
    ("callout_note", "注意"),
    ("callout_tip", "提示"),
    ("callout_important", "重要"),
    ("callout_warning", "警告"),
    ("callout_caution", "當心"),
    ("browse_title", "依{rows}和{columns}瀏覽"),
    (
        "browse_caption",
        "表中數字為同時涉及該列{rows}與該欄{columns}的文章篇數，點選數字查看這些文章",
    ),
    ("browse_total", "合計"),
    ("browse_cell_title", "同時涉及{row}和{column}的文章"),
    ("browse_back", "返回總表"),
    ("filter_count", "顯示 {n} 篇文章"),
];

static EN: WordSet = [
    ("skip_to_content", "Skip to content"),
    ("home", "Home"),
    ("menu", "Sections"),
    ("main_menu", "Menu"),
    ("external", "(external)"),
    ("search", "Search"),
    ("search_label", "Search this site"),
    ("search_placeholder", "Type a question"),
    (
        "search_no_results",
        "Nothing found. Try other words, or browse the FAQ.",
    ),
    ("search_hint", "Press / to search"),
    ("search_results", "{n} results"),
    ("search_more", "More results"),
    ("search_error", "The search index could not be loaded"),
    ("search_suggest", "Try:"),
    ("search_faq_link", "Browse the FAQ"),
    ("search_filter", "Filter results"),
    ("toc", "Contents"),
    ("faq", "Frequently asked questions"),
    ("faq_index", "All questions"),
    ("faq_filter_label", "Filter questions"),
    ("faq_filter_all", "All"),
    ("faq_filter_by", "Filter by topic"),
    ("faq_count", "{n} questions"),
    ("related", "Related articles"),
    ("backlinks", "Articles linking here"),
    ("sections", "Sections"),
    ("recent", "Recently updated"),
    ("published", "Published"),
    ("reviewed", "Last reviewed"),
    ("articles", "articles"),
    ("terms", "Topics"),
    ("all_articles", "All articles"),
    ("previous_page", "Previous"),
    ("next_page", "Next"),
    ("page_n_of", "Page {n} of {total}"),
    ("previous_article", "Previous article"),
    ("next_article", "Next article"),
    ("article_pager", "More in this section"),
    ("edit_page", "Edit this page"),
    ("reading_time", "{n} min read"),
    ("not_found_title", "Page not found"),
    (
        "not_found_text",
        "Sorry, this page does not exist or has moved. Try searching, or go back home.",
    ),
    ("redirecting", "This page has moved to"),
    ("disclaimer_label", "Disclaimer"),
    ("back_to_top", "Back to top"),
    ("read_more", "Read more"),
    ("show_answer", "Show answer"),
    ("breadcrumbs", "Breadcrumbs"),
    ("footnotes", "Footnotes"),
    ("footnote_back", "Back to reference {n}"),
    ("review_notice_title", "A law has changed"),
    (
        "review_notice",
        "This article was last reviewed on {date}. Since then, the laws below have changed, so parts of it may be out of date: check the current rules.",
    ),
    ("in_force_since", "in force since {date}"),
    ("revisions", "Revisions this site tracks"),
    ("replaced_by", "Replaced by {name}"),
    ("callout_note", "Note"),
    ("callout_tip", "Tip"),
    ("callout_important", "Important"),
    ("callout_warning", "Warning"),
    ("callout_caution", "Caution"),
    ("browse_title", "Browse by {rows} and {columns}"),
    (
        "browse_caption",
        "Each number counts the articles on both the {rows} of its row and the {columns} of its column; follow it to see them",
    ),
    ("browse_total", "Total"),
    ("browse_cell_title", "Articles on {row} and {column}"),
    ("browse_back", "Back to the table"),
    ("filter_count", "Showing {n} articles"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_set_lists_the_keys_in_order() {
        for set in [&ZH_HANS, &ZH_HANT, &EN] {
            let keys: Vec<&str> = set.iter().map(|(k, _)| *k).collect();
            assert_eq!(keys, UI_KEYS);
            assert!(set.iter().all(|(_, v)| !v.is_empty()));
        }
    }

    #[test]
    fn traditional_for_taiwan_hong_kong_and_hant() {
        for tag in ["zh-TW", "zh-HK", "zh-Hant", "zh-Hant-CN", "zh-MO"] {
            assert_eq!(Words::of(tag), Words::Traditional, "{tag}");
        }
        for tag in ["zh", "zh-CN", "zh-Hans-HK", "zh-SG"] {
            assert_eq!(Words::of(tag), Words::Simplified, "{tag}");
        }
        assert_eq!(Words::of("en-GB"), Words::English);
        let ui = Ui::new(Words::Traditional, &[]);
        assert_eq!((&*ui.search, &*ui.next_page), ("搜尋", "下一頁"));
    }

    #[test]
    fn an_override_replaces_one_word() {
        let ui = Ui::new(
            Words::Simplified,
            &[("search_placeholder".into(), "问".into())],
        );
        assert_eq!(ui.search_placeholder, "问");
        assert_eq!(ui.search, "搜索");
    }
}
