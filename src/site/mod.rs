//! The pipeline: config → content → markdown → links → taxonomy / FAQ / search → pages → output.
//! `analyse` reads and checks everything derived from the sources; `build` renders the pages
//! and writes the output. This module holds what both share: options, outcome, summary.

mod analyse;
mod build;

pub(crate) use analyse::alias_path;
pub use analyse::{analyse, render_article, summary_of, Earlier, Lookup, RenderedArticle, Texts};
pub use build::{build, build_full, hash_bytes, hash_files, make_feeds, Built, Kept};

use crate::config::Config;
use crate::content::Content;
use crate::diagnostic::{Diagnostic, Diagnostics, Failure};
use crate::faq::FaqEntry;
use crate::ids::{ArticleId, SectionId, Table};
use crate::markdown::{Heading, TextPart};

use crate::render::SiteData;
use crate::taxonomy::Taxonomies;
use crate::taxonomy::TermRef;
use crate::ui::Lang;
use crate::urls::UrlMaker;
use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Instant;

/// Stage timings on stderr when `KBGEN_TIMINGS` is set (for profiling builds and rebuilds).
pub struct Laps {
    started: Instant,
    on: bool,
    prefix: &'static str,
}

impl Laps {
    pub fn new(prefix: &'static str) -> Laps {
        Laps {
            started: Instant::now(),
            on: std::env::var_os("KBGEN_TIMINGS").is_some(),
            prefix,
        }
    }

    pub fn lap(&self, what: &str) {
        if self.on {
            eprintln!(
                "timing: {}{what}: {} ms, {}",
                self.prefix,
                self.started.elapsed().as_millis(),
                memory()
            );
        }
    }
}

/// Resident and peak memory from /proc (Linux), for the timing lines.
fn memory() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches(" kB").parse::<u64>().ok())
            .map_or("?".to_string(), |kb| format!("{} MB", kb / 1024))
    };
    format!("rss {}, peak {}", field("VmRSS:"), field("VmHWM:"))
}

fn sorted_problems(
    mut all: Diagnostics,
    faq: impl IntoIterator<Item = Diagnostic>,
) -> Vec<Diagnostic> {
    for d in faq {
        all.push(d);
    }
    all.sorted()
}

/// What `build` and `check` are asked to do.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub root: PathBuf,
    /// Default `ROOT/public`.
    pub output: Option<PathBuf>,
    pub base_url: Option<String>,
    pub drafts: bool,
    pub portable: bool,
    /// Include the live-reload script (serve, which also owns its output folder: a marked
    /// one is replaced without comparing its files with the mark).
    pub live_reload: bool,
    /// Show a progress line on stderr while pages are written (a terminal, a long build).
    pub progress: bool,
    /// Replace an output folder that holds files kbgen did not write (`--force`).
    pub force: bool,
}

impl BuildOptions {
    /// The output folder: `--output`, else `ROOT/public`.
    pub fn output_dir(&self) -> PathBuf {
        self.output
            .clone()
            .unwrap_or_else(|| self.root.join("public"))
    }
}

/// How a session's build or rebuild ended, short of a plumbing failure (serve shows a
/// failed one and goes on serving the last good site).
pub enum Outcome {
    Built {
        /// Shared: a session hands out the same list again while the problems stay the same.
        warnings: std::sync::Arc<[Diagnostic]>,
        summary: Summary,
        output: PathBuf,
    },
    Failed(Vec<Diagnostic>),
}

impl Outcome {
    /// Content problems become a failed outcome; plumbing stays the caller's error.
    pub fn of(result: Result<Built, Failure>) -> anyhow::Result<Outcome> {
        match result {
            Ok(Built {
                warnings,
                summary,
                output,
            }) => Ok(Outcome::Built {
                warnings: warnings.into(),
                summary,
                output,
            }),
            Err(Failure::Content(diags)) => Ok(Outcome::Failed(diags)),
            Err(Failure::Plumbing(e)) => Err(e),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub pages: usize,
    pub articles: usize,
    pub sections: usize,
    pub terms: usize,
    pub faq: usize,
    pub millis: u128,
    pub feeds: bool,
    /// Set when only part of the site was made again.
    pub update: Option<Update>,
}

/// What an incremental rebuild did.
#[derive(Debug, Clone, Default)]
pub struct Update {
    /// How the change was handled: "body" (articles' text only) or "content".
    pub how: &'static str,
    pub pages: usize,
    pub files: usize,
    pub removed: usize,
}

impl Summary {
    /// The figures of a build (or, with `update`, a rebuild) of `a` that made `pages`.
    pub fn of(a: &Analysis, pages: usize, started: Instant, update: Option<Update>) -> Summary {
        Summary {
            pages,
            articles: a.content.articles.len(),
            sections: a.section_order.len(),
            terms: a.taxonomies.term_count(),
            faq: a.faq.len(),
            millis: started.elapsed().as_millis(),
            feeds: a.config.base_url.is_absolute(),
            update,
        }
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(u) = &self.update {
            return write!(
                f,
                "updated {} of {} and {}, removed {} ({} change) in {} ms",
                u.pages,
                count(self.pages, "page", "pages"),
                count(u.files, "other file", "other files"),
                u.removed,
                u.how,
                self.millis
            );
        }
        write!(
            f,
            "built {}: {}, {}, {}, {} in {} ms",
            count(self.pages, "page", "pages"),
            count(self.articles, "article", "articles"),
            count(self.sections, "section", "sections"),
            count(self.terms, "term", "terms"),
            count(self.faq, "FAQ entry", "FAQ entries"),
            self.millis
        )?;
        if !self.feeds {
            write!(
                f,
                " (sitemap.xml and atom.xml left out: the base URL is relative)"
            )?;
        }
        Ok(())
    }
}

/// "1 article", "2 articles", "0 articles".
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// An article's rendered body: shared between analyses while the article and what its
/// rendering asked of the site stay the same (a re-analysis takes it without a copy).
#[derive(Debug, Default, Clone)]
pub struct Body {
    /// The body as HTML.
    pub html: String,
    pub headings: Vec<Heading>,
    /// The body's text, by heading, for the search index.
    pub parts: Vec<TextPart>,
    /// The start of its first paragraph (the summary when the front matter has none).
    pub first_paragraph: String,
    pub footnote_ids: Vec<String>,
    /// Its words and CJK characters, headings included (word count, reading time).
    pub length: crate::reading::Length,
}

impl Body {
    /// The body of a rendering (its links, questions and reports are taken apart first).
    pub fn of(r: crate::markdown::Rendered) -> Body {
        let length = crate::reading::Length::of(
            r.parts
                .iter()
                .flat_map(|p| [p.heading.as_str(), p.text.as_str()]),
        );
        Body {
            length,
            html: r.html,
            headings: r.headings,
            parts: r.parts,
            first_paragraph: r.first_paragraph,
            footnote_ids: r.footnote_ids,
        }
    }
}

/// Everything derived about one article: made by the analysis, kept as is by the session
/// (an edited article gets a new record, the others are reused).
pub struct ArticleData {
    pub body: std::sync::Arc<Body>,
    /// Its links to articles, for checking their anchors.
    pub links: std::sync::Arc<[crate::markdown::LinkRef]>,
    /// What its rendering asked of the rest of the site (a re-analysis keeps the rendering
    /// when the answers stay the same).
    pub lookups: std::sync::Arc<[Lookup]>,
    /// What rendering and lint reported about it.
    pub reported: Vec<Diagnostic>,
    /// This article's questions: a range of the site-wide FAQ list.
    pub faq: std::ops::Range<usize>,
    /// What its cards show.
    pub summary: String,
    /// The ids it offers as link targets.
    pub anchors: std::sync::Arc<HashSet<String>>,
    /// Its terms, in kbgen.yaml order.
    pub terms: Vec<TermRef>,
    /// The articles linking to it, in content order.
    pub backlinks: Vec<ArticleId>,
    /// Its related articles, best first.
    pub related: Vec<ArticleId>,
}

impl ArticleData {
    /// Takes a new rendering of the body whose link targets, anchors, summary and questions
    /// are the same as before (the session checks that before it keeps the rest of the
    /// record), with what the rendering reported and asked.
    pub fn set_body(&mut self, r: RenderedArticle) {
        self.body = r.body;
        self.links = r.links;
        self.lookups = r.lookups;
        self.reported = r.reported;
    }
}

/// Everything derived from the sources, before any page is written.
pub struct Analysis {
    pub config: Config,
    pub content: Content,
    pub urls: UrlMaker,
    pub lang: Lang,
    /// One record per article of `content.articles`.
    pub articles: Table<ArticleId, ArticleData>,
    /// Section intros as HTML.
    pub intros: Table<SectionId, String>,
    pub taxonomies: Taxonomies,
    /// The browse page's matrix (kbgen.yaml's `browse:`), when some article is in a cell.
    pub browse: Option<crate::taxonomy::Matrix>,
    /// Every question of the site, in content order.
    pub faq: Vec<FaqEntry>,
    /// Whether each FAQ entry is the first of its question site-wide (structured data lists
    /// each question once).
    pub faq_firsts: Vec<bool>,
    pub aliases: Vec<(ArticleId, String)>,
    /// kbgen.yaml's menus, their `@/` pages found.
    pub menus: Vec<crate::menus::MenuLink>,
    /// Sections in display order (weight, then title) — top-level first.
    pub section_order: Vec<SectionId>,
    /// Every problem found but duplicate questions.
    pub diagnostics: Diagnostics,
    /// Duplicate-question warnings (kept apart: they span articles). Shared: a serve
    /// rebuild that keeps the questions keeps them (41,000 at 10,000 articles).
    pub faq_warnings: std::sync::Arc<Vec<Diagnostic>>,
    /// A hash of every question with its file and line (when it is unchanged, so are the
    /// duplicate warnings and `faq_firsts`).
    pub faq_print: u64,
    /// `Catalog::print` of the content: when it is unchanged, a link that is not a `[[wiki]]`
    /// link resolves as it did while what it found is still there (see `Catalog::print`).
    pub catalog_print: u64,
    /// What collecting the terms reported (a re-analysis with the same written terms reuses
    /// the terms and these).
    pub terms_problems: Vec<Diagnostic>,
    /// Whether `problems()` is the same as the earlier analysis's (the same problems found,
    /// and the duplicate questions' warnings taken over unchanged).
    pub same_problems: bool,
    /// The related lists' tie-break order and each article's `related:` articles: with the
    /// same terms, the same of both gives the same related lists.
    pub recency: Vec<ArticleId>,
    pub explicit: Table<ArticleId, Vec<ArticleId>>,
}

impl Analysis {
    /// Frees what only checking and a later re-analysis (`serve`) read: the sources, and
    /// each article's links, lookups, anchors, first paragraph (its summary is made) and own
    /// reports (the site's list of problems keeps every report). A build renders its pages,
    /// search index and feeds without them: 10,000 articles' sources alone are 28 MB.
    pub fn forget_for_build(&mut self) {
        self.content.forget_texts();
        let links: std::sync::Arc<[crate::markdown::LinkRef]> = Vec::new().into();
        let lookups: std::sync::Arc<[Lookup]> = Vec::new().into();
        let anchors = std::sync::Arc::new(HashSet::new());
        for d in self.articles.iter_mut() {
            if let Some(body) = std::sync::Arc::get_mut(&mut d.body) {
                body.first_paragraph = String::new();
            }
            d.links = std::sync::Arc::clone(&links);
            d.lookups = std::sync::Arc::clone(&lookups);
            d.anchors = std::sync::Arc::clone(&anchors);
            d.reported = Vec::new();
        }
    }

    /// Every problem found, sorted by place.
    pub fn problems(&self) -> Vec<Diagnostic> {
        sorted_problems(self.diagnostics.clone(), self.faq_warnings.iter().cloned())
    }

    /// `problems`, taken out of the analysis (a build that is done with it need not copy
    /// them: 413,000 warnings at 100,000 articles).
    pub fn take_problems(&mut self) -> Vec<Diagnostic> {
        let faq = std::mem::take(&mut self.faq_warnings);
        let faq = std::sync::Arc::try_unwrap(faq).unwrap_or_else(|shared| shared.to_vec());
        sorted_problems(std::mem::take(&mut self.diagnostics), faq)
    }

    /// Takes every article's body HTML out of the analysis for a build's pages, each of
    /// which frees its own once made (`SiteData::with_bodies`): a build then does not hold
    /// every body until the last page (29 MB at 10,000 articles).
    pub fn take_bodies(&mut self) -> Table<ArticleId, std::sync::Mutex<Option<String>>> {
        self.take_from_bodies(|b| &mut b.html)
            .into_iter()
            .map(|html| std::sync::Mutex::new(Some(html)))
            .collect()
    }

    /// Takes one part of every article's body (by article), leaving it empty there; a body
    /// shared elsewhere is copied first, so the other holder keeps its part.
    pub fn take_from_bodies<T: Default>(&mut self, part: impl Fn(&mut Body) -> &mut T) -> Vec<T> {
        self.articles
            .iter_mut()
            .map(|d| std::mem::take(part(std::sync::Arc::make_mut(&mut d.body))))
            .collect()
    }

    /// What every page is rendered from.
    pub fn site_data(&self, live_reload: bool) -> SiteData<'_> {
        SiteData {
            site: self,
            live_reload,
            bodies: Table::default(),
        }
    }
}
