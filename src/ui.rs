//! UI words in the site's language, and dates as the site's readers write them.

use crate::content::DateValue;
use crate::view::{DateView, Ui};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
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

    pub fn ui(self) -> &'static Ui {
        match self {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }
}

static ZH: Ui = Ui {
    skip_to_content: "跳到正文",
    home: "首页",
    menu: "栏目",
    search: "搜索",
    search_label: "搜索本站",
    search_placeholder: "输入问题，如：催收短信怎么投诉",
    search_no_results: "没有找到相关内容。换个说法试试，或浏览常见问题。",
    search_hint: "按 / 键可快速搜索",
    toc: "目录",
    faq: "常见问题",
    faq_index: "常见问题汇总",
    faq_filter_label: "筛选问题",
    faq_filter_all: "全部",
    faq_filter_by: "按分类筛选",
    faq_count: "共 {n} 个问题",
    related: "相关文章",
    backlinks: "引用本文的文章",
    sections: "栏目",
    recent: "最近更新",
    published: "发布于",
    reviewed: "最后核对",
    articles: "篇文章",
    terms: "分类",
    all_articles: "全部文章",
    previous_page: "上一页",
    next_page: "下一页",
    page_n_of: "第 {n} 页，共 {total} 页",
    not_found_title: "页面未找到",
    not_found_text: "抱歉，您要找的页面不存在或已移动。可以试试搜索，或回到首页。",
    redirecting: "页面已移动，正在跳转到",
    disclaimer_label: "免责声明",
    back_to_top: "回到顶部",
    read_more: "阅读全文",
    show_answer: "查看回答",
    breadcrumbs: "当前位置",
    review_notice_title: "相关法律已修订",
    review_notice:
        "本文最后核对于{date}。此后，下列法律有了修订，文中部分内容可能已过时，请以现行规定为准：",
    in_force_since: "{date}起施行",
    revisions: "本站跟踪的修订",
    replaced_by: "已由{name}取代",
    footnotes: "脚注",
    footnote_back: "返回引用 {n}",
};

static EN: Ui = Ui {
    skip_to_content: "Skip to content",
    home: "Home",
    menu: "Sections",
    search: "Search",
    search_label: "Search this site",
    search_placeholder: "Type a question",
    search_no_results: "Nothing found. Try other words, or browse the FAQ.",
    search_hint: "Press / to search",
    toc: "Contents",
    faq: "Frequently asked questions",
    faq_index: "All questions",
    faq_filter_label: "Filter questions",
    faq_filter_all: "All",
    faq_filter_by: "Filter by topic",
    faq_count: "{n} questions",
    related: "Related articles",
    backlinks: "Articles linking here",
    sections: "Sections",
    recent: "Recently updated",
    published: "Published",
    reviewed: "Last reviewed",
    articles: "articles",
    terms: "Topics",
    all_articles: "All articles",
    previous_page: "Previous",
    next_page: "Next",
    page_n_of: "Page {n} of {total}",
    not_found_title: "Page not found",
    not_found_text: "Sorry, this page does not exist or has moved. Try searching, or go back home.",
    redirecting: "This page has moved to",
    disclaimer_label: "Disclaimer",
    back_to_top: "Back to top",
    read_more: "Read more",
    show_answer: "Show answer",
    breadcrumbs: "Breadcrumbs",
    review_notice_title: "A law has changed",
    review_notice: "This article was last reviewed on {date}. Since then, the laws below have changed, so parts of it may be out of date: check the current rules.",
    in_force_since: "in force since {date}",
    revisions: "Revisions this site tracks",
    replaced_by: "Replaced by {name}",
    footnotes: "Footnotes",
    footnote_back: "Back to reference {n}",
};
