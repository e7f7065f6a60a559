//! The pipeline: config → content → markdown → links → taxonomy / FAQ / search → pages → output.
//! `analyse` reads and checks everything derived from the sources; `build` renders the pages
//! and writes the output. This module holds what both share: options, outcome, summary.

mod analyse;
mod build;

pub(crate) use analyse::alias_path;
pub use analyse::{analyse, render_article, summary_of};
pub use build::{build, build_full, hash_bytes, hash_files, write_files, Built, Kept};

use crate::config::Config;
use crate::content::Content;
use crate::diagnostic::{Diagnostic, Diagnostics, Failure};
use crate::faq::FaqEntry;
use crate::render::{ArticleOut, SiteData};
use crate::taxonomy::Taxonomies;
use crate::ui::Lang;
use crate::urls::UrlMaker;
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
                "timing: {}{what}: {} ms",
                self.prefix,
                self.started.elapsed().as_millis()
            );
        }
    }
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
        warnings: Vec<Diagnostic>,
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
                warnings,
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

/// Everything derived from the sources, before any page is written.
pub struct Analysis {
    pub config: Config,
    pub content: Content,
    pub urls: UrlMaker,
    pub lang: Lang,
    pub articles: Vec<ArticleOut>,
    pub parts: Vec<Vec<crate::markdown::TextPart>>,
    pub intros: Vec<String>,
    pub taxonomies: Taxonomies,
    pub backlinks: Vec<Vec<usize>>,
    pub related: Vec<Vec<usize>>,
    pub faq: Vec<FaqEntry>,
    pub aliases: Vec<(usize, String)>,
    pub section_order: Vec<usize>,
    /// The ids each article offers as link targets.
    pub anchors: Vec<std::collections::HashSet<String>>,
    /// Every problem found but duplicate questions.
    pub diagnostics: Diagnostics,
    /// Duplicate-question warnings (kept apart: they span articles).
    pub faq_warnings: Vec<Diagnostic>,
    /// Whether each FAQ entry is the first of its question site-wide (structured data lists
    /// each question once).
    pub faq_firsts: Vec<bool>,
}

impl Analysis {
    /// Every problem found, sorted by place.
    pub fn problems(&self) -> Vec<Diagnostic> {
        let mut all = self.diagnostics.clone();
        for d in &self.faq_warnings {
            all.push(d.clone());
        }
        all.sorted()
    }

    /// The borrowed view every page is rendered from.
    pub fn site_data(&self, live_reload: bool) -> SiteData<'_> {
        SiteData {
            config: &self.config,
            content: &self.content,
            urls: &self.urls,
            lang: self.lang,
            articles: &self.articles,
            intros: &self.intros,
            taxonomies: &self.taxonomies,
            backlinks: &self.backlinks,
            related: &self.related,
            faq: &self.faq,
            faq_firsts: &self.faq_firsts,
            section_order: &self.section_order,
            live_reload,
        }
    }
}
