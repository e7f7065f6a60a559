//! The typed values templates see: one struct per page kind, all `Serialize`.
//!
//! Every URL in a view is final for the page it is rendered on (absolute path under the
//! base URL, or relative and ending in `index.html` for `--portable`), so templates never
//! build URLs themselves. Every string is plain text unless its name ends in `_html`
//! (already-safe HTML produced by kbgen: templates print those with `| safe`).

use serde::Serialize;

/// Context shared by every page: `site`, `urls`, `ui`, `page`, `dev`.
#[derive(Serialize)]
pub struct Common<'a> {
    pub site: SiteView<'a>,
    pub urls: Urls,
    pub ui: &'a Ui,
    pub page: PageMeta<'a>,
    pub dev: DevView,
}

#[derive(Serialize)]
pub struct SiteView<'a> {
    pub title: &'a str,
    pub description: &'a str,
    /// BCP 47 tag, e.g. `zh-CN`; goes into `<html lang>`.
    pub language: &'a str,
    /// Empty when the site has none.
    pub disclaimer: &'a str,
    /// Top-level sections, in weight order, for the navigation.
    pub nav: Vec<NavItem<'a>>,
    /// Taxonomy index pages, for the footer.
    pub taxonomies: Vec<Link<'a>>,
}

#[derive(Serialize)]
pub struct NavItem<'a> {
    pub title: &'a str,
    pub url: String,
    /// The page being rendered is this section or inside it.
    pub current: bool,
}

#[derive(Serialize, Clone)]
pub struct Link<'a> {
    pub title: &'a str,
    pub url: String,
}

#[derive(Serialize)]
pub struct Urls {
    pub home: String,
    /// The search form's `action` (`…/search/`, or `…/search/index.html` when portable).
    pub search: String,
    pub faq: String,
    /// Prefix of the theme's static files: `{{ urls.static }}style.css`.
    pub r#static: String,
    /// Prefix of the search index folder (manifest and shards), for `data-` attributes.
    pub search_index: String,
    /// Absolute URL of atom.xml, or empty when there is none (relative base URL).
    pub feed: String,
}

/// UI strings in the site's language (zh-CN or en).
#[derive(Serialize)]
pub struct Ui {
    pub skip_to_content: &'static str,
    pub home: &'static str,
    pub menu: &'static str,
    pub search: &'static str,
    pub search_label: &'static str,
    pub search_placeholder: &'static str,
    pub search_no_results: &'static str,
    pub search_hint: &'static str,
    pub toc: &'static str,
    pub faq: &'static str,
    pub faq_index: &'static str,
    pub faq_filter_label: &'static str,
    pub faq_filter_all: &'static str,
    pub faq_filter_by: &'static str,
    pub faq_count: &'static str,
    pub related: &'static str,
    pub backlinks: &'static str,
    pub sections: &'static str,
    pub recent: &'static str,
    pub published: &'static str,
    pub reviewed: &'static str,
    pub articles: &'static str,
    pub terms: &'static str,
    pub all_articles: &'static str,
    pub previous_page: &'static str,
    pub next_page: &'static str,
    pub page_n_of: &'static str,
    pub not_found_title: &'static str,
    pub not_found_text: &'static str,
    pub redirecting: &'static str,
    pub disclaimer_label: &'static str,
    pub back_to_top: &'static str,
    pub read_more: &'static str,
    pub show_answer: &'static str,
    pub breadcrumbs: &'static str,
    /// The notice on an article that cites a law revised after its review.
    pub review_notice_title: &'static str,
    /// `{date}`: the article's review date.
    pub review_notice: &'static str,
    /// `{date}`: the day a revision took effect.
    pub in_force_since: &'static str,
    pub revisions: &'static str,
    /// `{name}`: what replaced a law or body.
    pub replaced_by: &'static str,
    /// The (visually hidden) heading of an article's footnotes.
    pub footnotes: &'static str,
    /// The label of a footnote's link back to its mark; `{n}` is the mark (`1`, `1-2`).
    pub footnote_back: &'static str,
}

#[derive(Serialize)]
pub struct PageMeta<'a> {
    /// `home`, `section`, `article`, `taxonomy`, `term`, `faq`, `search`, `404`, `alias`.
    pub kind: &'static str,
    pub title: String,
    /// Meta description (plain text).
    pub description: String,
    /// Absolute canonical URL when the base URL is absolute, else empty.
    pub canonical: String,
    /// From home to the parent of this page (the page itself is not included).
    pub breadcrumbs: Vec<Link<'a>>,
}

#[derive(Serialize)]
pub struct DevView {
    /// True only under `kbgen serve`: templates include the live-reload script.
    pub live_reload: bool,
}

/// A date as shown: `iso` for `<time datetime>`, `display` in the site's language.
#[derive(Serialize, Clone)]
pub struct DateView {
    pub iso: String,
    pub display: String,
}

/// An article in a list (section, term, home, related, backlinks).
#[derive(Serialize, Clone)]
pub struct ArticleCard<'a> {
    pub title: &'a str,
    pub url: String,
    pub summary: &'a str,
    pub section_title: &'a str,
    pub reviewed: Option<DateView>,
}

#[derive(Serialize)]
pub struct TocEntry<'a> {
    /// 2 for `##`, 3 for `###` … (the page `<h1>` is not listed).
    pub level: u8,
    pub id: &'a str,
    pub title: &'a str,
}

#[derive(Serialize)]
pub struct TermGroup<'a> {
    /// e.g. 法律依据
    pub taxonomy_title: &'a str,
    pub taxonomy_url: String,
    pub terms: Vec<Link<'a>>,
}

#[derive(Serialize)]
pub struct FaqItem<'a> {
    /// Anchor id on the article (`faq-…`).
    pub id: &'a str,
    pub question: &'a str,
    pub answer_html: &'a str,
}

#[derive(Serialize)]
pub struct ArticleView<'a> {
    pub title: &'a str,
    pub summary: &'a str,
    pub body_html: &'a str,
    pub toc: Vec<TocEntry<'a>>,
    pub section: Link<'a>,
    pub published: Option<DateView>,
    /// `updated`, else `date`: shown as the review date.
    pub reviewed: Option<DateView>,
    pub terms: Vec<TermGroup<'a>>,
    pub faq: Vec<FaqItem<'a>>,
    pub backlinks: Vec<ArticleCard<'a>>,
    pub related: Vec<ArticleCard<'a>>,
    /// Cited laws revised after the article's review (empty when it was reviewed since).
    pub law_changes: Vec<LawChange<'a>>,
}

/// A law revised after an article's review: its term page and the latest revision.
#[derive(Serialize)]
pub struct LawChange<'a> {
    pub name: &'a str,
    pub url: String,
    pub since: DateView,
    pub note: &'a str,
}

/// One revision of a law, on its term page.
#[derive(Serialize)]
pub struct RevisionView<'a> {
    pub since: DateView,
    pub note: &'a str,
}

#[derive(Serialize)]
pub struct Pagination {
    pub current: usize,
    pub total: usize,
    pub prev_url: Option<String>,
    pub next_url: Option<String>,
    pub pages: Vec<PageLink>,
}

#[derive(Serialize)]
pub struct PageLink {
    pub number: usize,
    pub url: String,
    pub current: bool,
}

#[derive(Serialize)]
pub struct SectionView<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub intro_html: &'a str,
    pub subsections: Vec<SectionCard<'a>>,
    pub articles: Vec<ArticleCard<'a>>,
    /// Number of articles in the whole section (all pages).
    pub article_count: usize,
    /// That number in words, for the list's heading ("5 篇文章", "1 article").
    pub article_count_text: String,
    pub pagination: Option<Pagination>,
}

#[derive(Serialize)]
pub struct SectionCard<'a> {
    pub title: &'a str,
    pub url: String,
    pub description: &'a str,
    pub article_count: usize,
    /// The first few articles (by weight), for the home page.
    pub articles: Vec<Link<'a>>,
}

#[derive(Serialize)]
pub struct HomeView<'a> {
    /// Body of `content/_index.md`, or empty.
    pub intro_html: &'a str,
    pub sections: Vec<SectionCard<'a>>,
    /// Recently reviewed articles, newest first (at most 8).
    pub recent: Vec<ArticleCard<'a>>,
    pub faq_count: usize,
}

#[derive(Serialize)]
pub struct TaxonomyView<'a> {
    pub title: &'a str,
    pub terms: Vec<TermCount<'a>>,
}

#[derive(Serialize)]
pub struct TermCount<'a> {
    pub name: &'a str,
    pub url: String,
    pub count: usize,
}

#[derive(Serialize)]
pub struct TermView<'a> {
    pub taxonomy_title: &'a str,
    pub taxonomy_url: String,
    pub name: &'a str,
    pub article_count: usize,
    pub articles: Vec<ArticleCard<'a>>,
    pub pagination: Option<Pagination>,
    /// kbgen.yaml's revisions of the term (a law), newest first.
    pub revisions: Vec<RevisionView<'a>>,
    /// What replaced the law or body, when kbgen.yaml says.
    pub replaced_by: Option<&'a str>,
}

#[derive(Serialize)]
pub struct FaqIndexView<'a> {
    /// Questions on this page.
    pub count: usize,
    /// Questions on the whole site.
    pub total: usize,
    pub groups: Vec<FaqGroup<'a>>,
    /// Filter chips: one group per taxonomy with terms used by questions on this page.
    pub filters: Vec<FaqFilterGroup<'a>>,
    /// When the index is split per section (past 500 questions): links to the section pages.
    pub section_pages: Vec<FaqSectionLink<'a>>,
    /// The `FAQPage` JSON-LD, already escaped for a `<script type="application/ld+json">` element.
    pub json_ld_html: String,
}

#[derive(Serialize)]
pub struct FaqGroup<'a> {
    pub section_title: &'a str,
    pub section_url: String,
    pub questions: Vec<FaqEntryView<'a>>,
}

#[derive(Serialize)]
pub struct FaqEntryView<'a> {
    pub question: &'a str,
    /// Article URL + `#anchor`.
    pub url: String,
    pub article_title: &'a str,
    pub answer_html: String,
    /// Space-separated filter keys (`TAXONOMY:TERM-NAME`) for `data-terms`.
    pub filter_keys: String,
}

#[derive(Serialize)]
pub struct FaqFilterGroup<'a> {
    pub taxonomy_title: &'a str,
    pub terms: Vec<FaqFilterTerm<'a>>,
}

#[derive(Serialize)]
pub struct FaqFilterTerm<'a> {
    pub name: &'a str,
    /// Matches an entry of `FaqEntryView<'a>::filter_keys`.
    pub key: String,
    pub count: usize,
}

#[derive(Serialize)]
pub struct FaqSectionLink<'a> {
    pub title: &'a str,
    pub url: String,
    pub count: usize,
}

#[derive(Serialize)]
pub struct AliasView {
    pub target_url: String,
    /// The page's title: where it moved, by the target's title ("This page has moved to: X").
    pub title: String,
    /// The same words before a link to the target ("This page has moved to: ").
    pub lead: String,
    pub target_title: String,
}
