//! Pages: Tera set up once, typed views built per page, pages rendered in parallel and handed
//! to the writer as they are made (no stage holds the whole site's HTML).
//!
//! This module holds the renderer, the site data every page borrows and the job list; each
//! page family has its own file, and the pieces they share are in `shared`.

mod article;
mod browse;
mod faq;
mod pages;
mod section;
mod shared;
mod taxonomy;

use crate::diagnostic::Diagnostic;
use crate::ids::{ArticleId, SectionId};
use crate::site::Analysis;
use crate::theme::Theme;
pub(crate) use browse::cell_path;
use rayon::prelude::*;
use serde::Serialize;
pub(crate) use shared::{listing_pages_changed, pages};
use std::path::PathBuf;

/// Lists longer than this paginate as `…/page/2/`.
pub(crate) const PER_PAGE: usize = 100;
/// Past this many questions, `/faq/` lists sections and each gets `faq/SECTION/`.
pub(crate) const FAQ_SPLIT: usize = 500;
/// An FAQ page listing more questions than this lists them without their answers: at 10,000
/// articles a section's page held 6,000 answers, 6 MB of HTML to load on a phone and ~0.1 s
/// to render, again whenever one of their articles changed title.
pub(crate) const FAQ_ANSWERS_UP_TO: usize = 500;

/// Tera's autoescape with its default's output (`& < > " '` replaced), writing each run
/// between them at once: Tera's own writes every byte through `dyn Write`, which was 7% of a
/// 10,000-article build. `'` is escaped too, so a value in a theme's single-quoted attribute
/// stays inside it.
fn escape_html(input: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let bytes = input.as_bytes();
    let mut start = 0;
    for (i, b) in bytes.iter().enumerate() {
        let with: &[u8] = match b {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'"' => b"&quot;",
            b'\'' => b"&#39;",
            _ => continue,
        };
        out.write_all(&bytes[start..i])?;
        out.write_all(with)?;
        start = i + 1;
    }
    out.write_all(&bytes[start..])
}

/// Templates, parsed once.
// `pub` while `prepare::Prepared` and `site::Kept` expose it.
pub struct Renderer {
    tera: tera::Tera,
    shown_paths: Vec<(String, PathBuf)>,
}

impl Renderer {
    pub(crate) fn new(theme: &Theme) -> Result<Renderer, Vec<Diagnostic>> {
        let mut r = Renderer {
            tera: tera::Tera::new(),
            shown_paths: theme
                .templates
                .iter()
                .map(|t| (t.name.clone(), t.shown_path.clone()))
                .collect(),
        };
        r.tera.autoescape_on([".html", ".xml"]);
        r.tera.set_escape_fn(escape_html);
        let sources = theme
            .templates
            .iter()
            .map(|t| (t.name.as_str(), t.source.as_str()));
        if let Err(e) = r.tera.add_raw_templates(sources) {
            return Err(vec![r.diagnostic(&e, "")]);
        }
        Ok(r)
    }

    /// Turns a Tera error into a diagnostic naming the template file and line.
    fn diagnostic(&self, e: &tera::Error, template: &str) -> Diagnostic {
        let shown = |name: &str| {
            self.shown_paths
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, p)| p.clone())
                .unwrap_or_else(|| PathBuf::from(format!("templates/{name}")))
        };
        // The place comes from Tera's own report (a syntax or rendering error), wherever it
        // sits in the chain: an error in an included template or a filter arrives wrapped.
        let mut chain: Vec<&(dyn std::error::Error + 'static)> = vec![e];
        while let Some(next) = chain.last().and_then(|x| x.source()) {
            chain.push(next);
        }
        let report = chain.iter().find_map(|x| {
            match x.downcast_ref::<tera::Error>().map(tera::Error::kind) {
                Some(tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r)) => {
                    Some(r)
                }
                _ => None,
            }
        });
        match report {
            Some(r) => {
                let span = r.span();
                Diagnostic::error(
                    shown(r.filename()),
                    span.start_line,
                    span.start_col + 1,
                    format!("template error: {}", r.message()),
                )
            }
            None => {
                let msg: Vec<String> = chain.iter().map(|x| x.to_string()).collect();
                let msg = msg.join(": ");
                // Tera 2 checks templates as they load (unknown filters, blocks no parent has)
                // and hands back only its reports joined into one message — "error: MESSAGE\n
                // --> NAME:LINE:COL …": the place is read from the first report.
                let located = msg
                    .lines()
                    .find_map(|l| l.trim().strip_prefix("--> "))
                    .and_then(|place| {
                        let mut it = place.rsplitn(3, ':');
                        let col = it.next()?.parse::<usize>().ok()?;
                        let line = it.next()?.parse::<usize>().ok()?;
                        Some((it.next()?.to_string(), line, col))
                    });
                let first = msg.lines().next().unwrap_or_default();
                let first = first.rsplit("error: ").next().unwrap_or(first);
                match located {
                    Some((name, line, col)) => Diagnostic::error(
                        shown(&name),
                        line,
                        col,
                        format!("template error: {first}"),
                    ),
                    // No place at all (a missing parent or template, a loop): the template
                    // being rendered, with every message of the chain.
                    None => Diagnostic::error(
                        shown(template),
                        1,
                        1,
                        format!("template error: {}", msg.replace('\n', " ")),
                    ),
                }
            }
        }
    }

    pub(crate) fn render<T: Serialize>(
        &self,
        template: &str,
        view: &T,
    ) -> Result<String, Diagnostic> {
        let ctx = tera::Context::from_serialize(view).map_err(|e| self.diagnostic(&e, template))?;
        self.tera
            .render(template, &ctx)
            .map_err(|e| self.diagnostic(&e, template))
    }
}

/// What a page's view is turned into: HTML (the renderer) or a fingerprint of everything the
/// template would see, which says whether a page must be made again without making it.
pub(crate) trait PageSink: Sync {
    type Out: Send;
    fn page<T: Serialize>(&self, template: &str, view: &T) -> Result<Self::Out, Diagnostic>;
}

impl PageSink for Renderer {
    type Out = String;
    fn page<T: Serialize>(&self, template: &str, view: &T) -> Result<String, Diagnostic> {
        self.render(template, view)
    }
}

/// Hashes a page's template name and view. Equal fingerprints with the same templates mean
/// byte-identical pages.
struct Fingerprint;

impl PageSink for Fingerprint {
    type Out = u64;
    fn page<T: Serialize>(&self, template: &str, view: &T) -> Result<u64, Diagnostic> {
        use std::hash::Hasher as _;
        struct Feed(std::collections::hash_map::DefaultHasher);
        impl std::io::Write for Feed {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.0.write(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let mut feed = Feed(Default::default());
        feed.0.write(template.as_bytes());
        feed.0.write_u8(0);
        serde_json::to_writer(&mut feed, view).map_err(|e| {
            Diagnostic::error(
                format!("templates/{template}"),
                1,
                1,
                format!("page view: {e}"),
            )
        })?;
        Ok(feed.0.finish())
    }
}

/// What pages are made from: the analysis, borrowed by every page.
pub struct SiteData<'a> {
    pub site: &'a Analysis,
    pub live_reload: bool,
    /// A build's article bodies, by article (`Analysis::take_bodies`); empty when the
    /// bodies stay in the analysis.
    pub(crate) bodies: crate::ids::Table<ArticleId, std::sync::Mutex<Option<String>>>,
}

impl SiteData<'_> {
    /// Pages made from `bodies` (taken out of the analysis): each article page takes its
    /// own body and frees it once made, so each article's page must be made only once.
    pub fn with_bodies(
        self,
        bodies: crate::ids::Table<ArticleId, std::sync::Mutex<Option<String>>>,
    ) -> Self {
        SiteData { bodies, ..self }
    }
}

impl std::ops::Deref for SiteData<'_> {
    type Target = Analysis;

    fn deref(&self) -> &Analysis {
        self.site
    }
}

/// What a page showed of the analysis, noted while its view was built: the session's reach
/// rules start from these, so a page is judged by what it read, not by a list of what each
/// template is supposed to read. Articles are named by path, so the notes stay true when
/// an edit reorders articles.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Read {
    /// An article's card (title, summary, section, dates, URL): cards, links, aliases.
    Card(String),
    /// An article's own page: its text, body, questions, terms, backlinks and related lists.
    Page(String),
    /// Which articles a section lists.
    Section(SectionId),
    /// Page `page` of a section's listing: how many articles the section lists, and which
    /// are on that page (a move further down changes the other pages, not this one).
    SectionPage(SectionId, usize),
    /// Which articles are before and after an article in its section (prev/next).
    Neighbours(String),
    /// Which articles a term lists (taxonomy, term slug).
    Term(usize, String),
    /// Page `page` of a term's listing (taxonomy, term slug, page), as `SectionPage`.
    TermPage(usize, String, usize),
    /// Which terms a taxonomy has.
    Terms(usize),
    /// How many questions the site has.
    FaqCount,
    /// A section's questions: their order, text, answers, articles' cards and terms, and
    /// which of them are marked up (the first of each question site-wide).
    FaqSection(SectionId),
    /// Every article's card (the home page picks the most recently reviewed).
    EveryCard,
    /// An article's terms, as a card in a filtered list carries them (`data-terms`).
    CardTerms(String),
    /// The browse matrix: whether there is one, its terms, cells and counts.
    Browse,
    /// Page `page` of a browse cell (row term slug, column term slug), as `SectionPage`:
    /// how many articles the cell holds and which are on that page.
    BrowseCell(String, String, usize),
}

thread_local! {
    /// The notes of the view being built on this thread, while `recording`.
    static READS: std::cell::RefCell<Option<Vec<Read>>> = const { std::cell::RefCell::new(None) };
}

/// Notes that the view being built read `r` (nothing unless recording).
pub(crate) fn note(r: impl FnOnce() -> Read) {
    READS.with(|c| {
        if let Some(v) = c.borrow_mut().as_mut() {
            v.push(r());
        }
    });
}

/// Runs `f` (one page's view, built on this thread) and returns what it read.
fn recording<T>(f: impl FnOnce() -> T) -> (T, Vec<Read>) {
    READS.with(|c| *c.borrow_mut() = Some(Vec::new()));
    let out = f();
    let mut reads = READS.with(|c| c.borrow_mut().take()).unwrap_or_default();
    reads.sort_unstable();
    reads.dedup();
    (out, reads)
}

/// A page's fingerprint and what its view read.
pub(crate) struct Print {
    /// `SiteData::job_key`.
    pub key: String,
    pub path: String,
    pub hash: u64,
    pub reads: Vec<Read>,
}

/// One page to make: where it goes and what it shows.
pub(crate) enum Job {
    Home,
    Section {
        section: SectionId,
        page: usize,
    },
    Article(ArticleId),
    Taxonomy(usize),
    Term {
        taxonomy: usize,
        term: usize,
        page: usize,
    },
    FaqIndex,
    FaqSection(SectionId),
    /// `browse/`.
    Browse,
    /// A cell of the browse matrix (row term, column term), one page of it.
    BrowseCell {
        cell: (usize, usize),
        page: usize,
    },
    Search,
    NotFound,
    Alias {
        article: ArticleId,
        path: String,
    },
}

impl SiteData<'_> {
    /// Every page of the site, in a stable order.
    pub(crate) fn jobs(&self, aliases: &[(ArticleId, String)]) -> Vec<Job> {
        // `section_articles` relies on this order (content::load sorts articles by section).
        debug_assert!(self
            .content
            .articles
            .as_slice()
            .is_sorted_by_key(|a| a.section));
        let mut jobs = vec![Job::Home, Job::FaqIndex, Job::Search, Job::NotFound];
        for &s in &self.section_order {
            let n = self.section_articles(s).len();
            for page in 1..=pages(n) {
                jobs.push(Job::Section { section: s, page });
            }
        }
        jobs.extend(self.content.articles.ids().map(Job::Article));
        for (ti, t) in self.taxonomies.list.iter().enumerate() {
            jobs.push(Job::Taxonomy(ti));
            for (term, tm) in t.terms.iter().enumerate() {
                for page in 1..=pages(tm.articles.len()) {
                    jobs.push(Job::Term {
                        taxonomy: ti,
                        term,
                        page,
                    });
                }
            }
        }
        if let Some(m) = &self.browse {
            jobs.push(Job::Browse);
            for (&cell, articles) in &m.cells {
                for page in 1..=pages(articles.len()) {
                    jobs.push(Job::BrowseCell { cell, page });
                }
            }
        }
        if self.faq.len() > FAQ_SPLIT {
            for &s in &self.section_order {
                if !self.section_faq(s).is_empty() {
                    jobs.push(Job::FaqSection(s));
                }
            }
        }
        jobs.extend(aliases.iter().map(|(a, p)| Job::Alias {
            article: *a,
            path: p.clone(),
        }));
        jobs
    }

    /// Renders every job in parallel, handing each page to `write` as soon as it is made.
    pub(crate) fn render_all<W>(
        &self,
        renderer: &Renderer,
        jobs: &[Job],
        write: W,
    ) -> Vec<Diagnostic>
    where
        W: Fn(&str, &[u8]) -> Result<(), Diagnostic> + Sync,
    {
        let errors: Vec<Diagnostic> = jobs
            .par_iter()
            .filter_map(|job| {
                let (path, html) = match self.render_job(renderer, job) {
                    Ok(x) => x,
                    Err(d) => return Some(d),
                };
                write(&path, html.as_bytes()).err()
            })
            .collect();
        once_each(errors)
    }

    /// Each job's output path, fingerprint and reads, in job order.
    pub(crate) fn fingerprints(&self, jobs: &[&Job]) -> Result<Vec<Print>, Diagnostic> {
        jobs.par_iter()
            .map(|j| {
                let (made, reads) = recording(|| self.render_job(&Fingerprint, j));
                let (path, hash) = made?;
                Ok(Print {
                    key: self.job_key(j),
                    path,
                    hash,
                    reads,
                })
            })
            .collect()
    }

    /// A name for a job that does not depend on article or section order.
    pub(crate) fn job_key(&self, job: &Job) -> String {
        let a = self.site;
        let section = |s: SectionId| a.content.sections[s].path.as_str();
        let taxonomy = |t: usize| {
            a.config.taxonomies[a.taxonomies.list[t].taxonomy]
                .name
                .as_str()
        };
        match job {
            Job::Home => "home".into(),
            Job::FaqIndex => "faq".into(),
            Job::Search => "search".into(),
            Job::NotFound => "404".into(),
            Job::Section { section: s, page } => format!("s {} {page}", section(*s)),
            Job::Article(i) => format!("a {}", a.content.articles[*i].path),
            Job::Taxonomy(t) => format!("t {}", taxonomy(*t)),
            Job::Term {
                taxonomy: t,
                term,
                page,
            } => format!(
                "T {} {} {page}",
                taxonomy(*t),
                a.taxonomies.list[*t].terms[*term].slug
            ),
            Job::FaqSection(s) => format!("f {}", section(*s)),
            Job::Browse => "b".into(),
            Job::BrowseCell { cell: (r, c), page } => {
                let m = a.browse.as_ref();
                let slug = |t: Option<usize>, i: usize| {
                    t.map_or("", |t| a.taxonomies.list[t].terms[i].slug.as_str())
                };
                format!(
                    "B {} {} {page}",
                    slug(m.map(|m| m.rows), *r),
                    slug(m.map(|m| m.columns), *c)
                )
            }
            Job::Alias { article, path } => {
                format!("l {path} {}", a.content.articles[*article].path)
            }
        }
    }

    /// A fingerprint of article `a`'s card as other pages show it.
    pub(crate) fn card_print(&self, a: ArticleId) -> u64 {
        Fingerprint
            .page("card", &self.card("", a))
            .unwrap_or_default()
    }

    /// Makes one page (or its fingerprint): its output path and what the sink made of it.
    pub(crate) fn render_job<S: PageSink>(
        &self,
        r: &S,
        job: &Job,
    ) -> Result<(String, S::Out), Diagnostic> {
        match job {
            Job::Home => self.home(r),
            Job::Section { section, page } => self.section(r, *section, *page),
            Job::Article(a) => self.article(r, *a),
            Job::Taxonomy(t) => self.taxonomy(r, *t),
            Job::Term {
                taxonomy,
                term,
                page,
            } => self.term(r, *taxonomy, *term, *page),
            Job::FaqIndex => self.faq_page(r, None),
            Job::FaqSection(s) => self.faq_page(r, Some(*s)),
            Job::Browse => self.browse(r),
            Job::BrowseCell { cell, page } => self.browse_cell(r, *cell, *page),
            Job::Search => self.plain(
                r,
                "search/",
                "search.html",
                "search",
                &self.config.ui.search,
            ),
            Job::NotFound => self.not_found(r),
            Job::Alias { article, path } => self.alias(r, *article, path),
        }
    }
}

/// One broken template fails every page: report each error once.
pub(crate) fn once_each(errors: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut seen = std::collections::HashSet::new();
    errors
        .into_iter()
        .filter(|d| seen.insert(d.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    /// The escape writes what Tera's default does, byte for byte.
    #[test]
    fn escape_html_is_teras_default() {
        for input in [
            "",
            "plain",
            "<script>alert('x')</script>",
            "a & b \"c\" 'd' <e> &amp;",
            "催收短信 ' \" & < > 网贷",
            "&&&''\"\"<<>>",
            "ends with &",
        ] {
            let (mut ours, mut teras) = (Vec::new(), Vec::new());
            super::escape_html(input, &mut ours).unwrap();
            tera::escape_html(input, &mut teras).unwrap();
            assert_eq!(ours, teras, "{input}");
        }
    }
}
