//! The typed values templates see: one struct per page kind, all `Serialize`.
//!
//! Every URL in a view is final for the page it is rendered on (absolute path under the
//! base URL, or relative and ending in `index.html` for `--portable`), so templates never
//! build URLs themselves. Every string is plain text unless its name ends in `_html`
//! (already-safe HTML produced by kbgen: templates print those with `| safe`).

use serde::ser::SerializeMap as _;
use serde::Serialize;

/// Context shared by every page: `site`, `urls`, `ui`, `page`, `menus`, `dev`.
#[derive(Serialize)]
pub struct Common<'a> {
    pub site: SiteView<'a>,
    /// kbgen.yaml's `menus:`, in order.
    pub menus: Vec<MenuItem<'a>>,
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
    /// The logo's URL (kbgen.yaml `logo:`), or empty.
    pub logo: String,
    /// kbgen.yaml's `extra:`, untouched (an empty map when there is none).
    #[serde(serialize_with = "extra_map")]
    pub extra: &'a crate::yaml::Value,
}

/// An `extra:` as templates see it: as written, or an empty map when there is none, so
/// `{% if article.extra.x is defined %}` works on every page.
fn extra_map<S: serde::Serializer>(v: &&crate::yaml::Value, s: S) -> Result<S::Ok, S::Error> {
    match v {
        crate::yaml::Value::Null => s.serialize_map(Some(0))?.end(),
        v => v.serialize(s),
    }
}

/// One entry of kbgen.yaml's `menus:`.
#[derive(Serialize)]
pub struct MenuItem<'a> {
    pub label: &'a str,
    pub url: String,
    /// Leaves the site: the theme adds `rel="noopener"` and says so (`ui.external`).
    pub external: bool,
    /// The page being rendered is the one it links.
    pub current: bool,
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
    /// The favicon: kbgen.yaml's `favicon:`, else the theme's `favicon.ico`.
    pub favicon: String,
}

/// UI words: declared with their built-in sets in `ui`.
pub use crate::ui::Ui;

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
    /// On lists with filter chips (section and term pages): the article's terms as
    /// space-separated `TAXONOMY:TERM-SLUG` keys for `data-terms`; elsewhere empty.
    pub filter_keys: String,
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
    /// This page's URL (as the page links itself).
    pub url: String,
    /// Its URL name (front matter `slug`, else the file name).
    pub slug: &'a str,
    /// Its file, relative to the site folder: `content/guides/start.md`.
    pub source_path: String,
    /// Latin words plus CJK characters (each counted as one), headings included.
    pub word_count: usize,
    /// Minutes to read, rounded up: 400 CJK characters or 200 words a minute.
    pub reading_minutes: usize,
    /// `ui.reading_time` with the minutes put in ("约 3 分钟读完", "3 min read").
    pub reading_time_text: String,
    /// The articles before and after it in its section's order.
    pub prev: Option<ArticleCard<'a>>,
    pub next: Option<ArticleCard<'a>>,
    /// "Edit this page" on the site's repository (kbgen.yaml `repo_url`), or empty.
    pub edit_url: String,
    /// Front matter `extra:`, untouched (an empty map when there is none).
    #[serde(serialize_with = "extra_map")]
    pub extra: &'a crate::yaml::Value,
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
    /// `_index.md`'s `extra:`, untouched (an empty map when there is none).
    #[serde(serialize_with = "extra_map")]
    pub extra: &'a crate::yaml::Value,
    pub description: &'a str,
    pub intro_html: &'a str,
    pub subsections: Vec<SectionCard<'a>>,
    pub articles: Vec<ArticleCard<'a>>,
    /// Number of articles in the whole section (all pages).
    pub article_count: usize,
    /// That number in words, for the list's heading ("5 篇文章", "1 article").
    pub article_count_text: String,
    pub pagination: Option<Pagination>,
    /// Filter chips for the articles on this page (empty when there is nothing to filter:
    /// fewer than two articles).
    pub filters: Vec<FilterGroup<'a>>,
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
    /// The browse page's URL (`browse/`), or empty when the site has none.
    pub browse_url: String,
    /// Its title (`ui.browse_title` with the two taxonomies' titles, or kbgen.yaml's
    /// `browse.title`).
    pub browse_title: String,
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
    /// Filter chips for the articles on this page, the term itself left out (empty when
    /// there is nothing to filter).
    pub filters: Vec<FilterGroup<'a>>,
}

#[derive(Serialize)]
pub struct FaqIndexView<'a> {
    /// Questions on this page.
    pub count: usize,
    /// Questions on the whole site.
    pub total: usize,
    pub groups: Vec<FaqGroup<'a>>,
    /// Filter chips: one group per taxonomy with terms used by questions on this page (the
    /// count is of questions).
    pub filters: Vec<FilterGroup<'a>>,
    /// When the index is split per section (past 500 questions): links to the section pages.
    pub section_pages: Vec<FaqSectionLink<'a>>,
    /// Whether the entries carry their answers (`answer_html`): a page of more than 500
    /// questions lists them without (each answer is on its article, one click away).
    pub answers: bool,
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
    /// Empty on a page without answers (`FaqIndexView::answers`).
    pub answer_html: String,
    /// Space-separated filter keys (`TAXONOMY:TERM-NAME`) for `data-terms`.
    pub filter_keys: String,
}

#[derive(Serialize)]
pub struct FilterGroup<'a> {
    pub taxonomy_title: &'a str,
    pub terms: Vec<FilterTerm<'a>>,
}

#[derive(Serialize)]
pub struct FilterTerm<'a> {
    pub name: &'a str,
    /// Matches an entry of the `filter_keys` of the questions or cards listed.
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

/// `browse/`: the terms of one taxonomy (rows) against those of another (columns).
#[derive(Serialize)]
pub struct BrowseView<'a> {
    /// What each number counts, for the table's `<caption>`.
    pub caption: String,
    /// The rows' and the columns' taxonomy, each with its taxonomy page.
    pub rows_taxonomy: Link<'a>,
    pub columns_taxonomy: Link<'a>,
    /// The columns' terms, most articles first.
    pub columns: Vec<BrowseTerm<'a>>,
    /// The rows' terms, most articles first, each with one cell per column.
    pub rows: Vec<BrowseRow<'a>>,
    /// Articles carrying terms of both taxonomies (each once).
    pub total: usize,
    pub total_text: String,
}

/// A term heading a row or a column: its term page and how many articles the row or column
/// holds (each once).
#[derive(Serialize)]
pub struct BrowseTerm<'a> {
    pub name: &'a str,
    pub url: String,
    pub total: usize,
    /// That number in words ("5 篇文章"), for screen readers.
    pub total_text: String,
}

#[derive(Serialize)]
pub struct BrowseRow<'a> {
    pub term: BrowseTerm<'a>,
    pub cells: Vec<BrowseCount>,
}

/// One cell of the matrix: the articles carrying both terms.
#[derive(Serialize)]
pub struct BrowseCount {
    pub count: usize,
    /// The count in words ("3 篇文章", "0 articles").
    pub count_text: String,
    /// The cell's page, or empty when the cell holds no article.
    pub url: String,
}

/// `browse/ROW/COLUMN/`: the articles carrying both terms, paginated.
#[derive(Serialize)]
pub struct BrowseCellView<'a> {
    /// The row's and the column's term: taxonomy title, term name, term page.
    pub row: CellTerm<'a>,
    pub column: CellTerm<'a>,
    /// The matrix page and its title.
    pub browse_url: String,
    pub browse_title: String,
    pub articles: Vec<ArticleCard<'a>>,
    /// Articles in the cell (all pages).
    pub article_count: usize,
    pub article_count_text: String,
    pub pagination: Option<Pagination>,
}

#[derive(Serialize)]
pub struct CellTerm<'a> {
    pub taxonomy_title: &'a str,
    pub name: &'a str,
    /// Both, as the site's language writes a label and its value ("法律依据：民法典").
    pub label: String,
    pub url: String,
}
