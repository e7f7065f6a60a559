//! The pipeline: config → content → markdown → links → taxonomy / FAQ / search → pages → output.

use crate::config::Config;
use crate::content::Content;
use crate::diagnostic::{Diagnostic, Diagnostics, Failure};
use crate::faq::{check_duplicates, FaqEntry};
use crate::links::{anchors_of, check_links, Catalog};
use crate::markdown::{render_markdown, RenderOptions, Rendered, Source};
use crate::names::{name_of, IdSet};
use crate::output::{is_inside, Lock, Replace, Staging};
use crate::prepare::{prepare, render_failure, warnings_of, Prepared};
use crate::render::{ArticleOut, Renderer, SiteData};
use crate::taxonomy::{collect_terms, related_articles, Taxonomies};
use crate::ui::Lang;
use crate::urls::UrlMaker;
use anyhow::Context as _;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
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
                "updated {} of {} pages and {} other files, removed {} ({} change) in {} ms",
                u.pages, self.pages, u.files, u.removed, u.how, self.millis
            );
        }
        write!(
            f,
            "built {} pages: {} articles, {} sections, {} terms, {} FAQ entries in {} ms",
            self.pages, self.articles, self.sections, self.terms, self.faq, self.millis
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

/// Reads `content/` and analyses it with `config`; with `reuse`, unchanged articles are
/// taken from an earlier load. Errors fail it (with every problem found, warnings too);
/// warnings of a good analysis are in `Analysis::problems`.
pub fn analyse(
    config: Config,
    opts: &BuildOptions,
    reuse: Option<crate::content::Reuse<'_>>,
) -> Result<Analysis, Failure> {
    let laps = Laps::new("  ");
    let lap = |what: &str| laps.lap(what);
    let (content, mut diags) = crate::content::load_content_reusing(&config, opts.drafts, reuse)?;
    for d in crate::config::check_stray_configs(&opts.root) {
        diags.push(d);
    }
    lap("load");
    let urls = UrlMaker::new(config.base_url.clone(), opts.portable);
    let lang = Lang::of(&config.language);
    let catalog = Catalog::new(&content, &urls);

    // Markdown is independent per article: render in parallel.
    let rendered: Vec<(Rendered, Vec<FaqEntry>, Vec<Diagnostic>)> = content
        .articles
        .par_iter()
        .enumerate()
        .map(|(i, a)| {
            let (body, faq, mut d) = render_article(i, a, &catalog, lang);
            d.extend(crate::lint::check_quotes(a, &config.language));
            (body, faq, d)
        })
        .collect();
    let intros: Vec<String> = content
        .sections
        .iter()
        .map(|s| {
            let Some(src_path) = &s.source else {
                return String::new();
            };
            let rel = format!(
                "{}{}_index.md",
                s.dir,
                if s.dir.is_empty() { "" } else { "/" }
            );
            let links = catalog.resolver(&rel, &s.path);
            let src = Source {
                path: src_path,
                file_text: &s.intro,
                offset: Some(0),
                line: 1,
            };
            let mut ids = IdSet::default();
            let r = render_markdown(
                &s.intro,
                &src,
                RenderOptions {
                    lang,
                    links: &links,
                    ids: &mut ids,
                    questions: false,
                },
            );
            for d in r.diagnostics {
                let mut d = located(d, src_path, &s.intro);
                d.line += s.intro_line - 1;
                d.excerpt = None;
                diags.push(d);
            }
            diags.extend(crate::lint::check_intro_quotes(
                src_path,
                &s.intro,
                s.intro_line,
                &config.language,
            ));
            r.html
        })
        .collect();

    lap("markdown");
    let mut faq: Vec<FaqEntry> = Vec::new();
    let mut bodies = Vec::with_capacity(rendered.len());
    let mut anchors = Vec::with_capacity(rendered.len());
    let mut faq_ranges = Vec::with_capacity(rendered.len());
    for (body, f, d) in rendered {
        diags.extend(d);
        let faq_ids: Vec<String> = f
            .iter()
            .filter(|e| e.anchor.starts_with("faq-"))
            .map(|e| e.anchor.clone())
            .collect();
        anchors.push(anchors_of(&body, &faq_ids));
        // Every question lives once, in the site-wide list; an article keeps its range.
        faq_ranges.push(faq.len()..faq.len() + f.len());
        faq.extend(f);
        bodies.push(body);
    }
    let body_refs: Vec<&Rendered> = bodies.iter().collect();
    let backlinks = check_links(&content, &body_refs, &anchors, &mut diags);
    let taxonomies = collect_terms(&config, &content, &mut diags);

    let explicit: Vec<Vec<usize>> = content
        .articles
        .iter()
        .map(|a| {
            a.matter
                .related
                .iter()
                .filter_map(|r| match catalog.find(&r.value, &a.rel) {
                    Ok(i) => Some(i),
                    Err(crate::links::NotFound::Unavailable) => None,
                    Err(crate::links::NotFound::Missing(m)) => {
                        diags.push(
                            Diagnostic::error(&a.source, r.line, r.column, format!("related: {m}"))
                                .with_source(&a.text),
                        );
                        None
                    }
                })
                .collect()
        })
        .collect();
    lap("links, terms");
    let related = related_articles(&content, &taxonomies, &explicit, 5);
    lap("related");
    let mut duplicates = Diagnostics::default();
    check_duplicates(&content, &faq, &mut duplicates);
    let faq_warnings = duplicates.sorted();
    let aliases = check_aliases(&content, &mut diags);
    let mut section_order: Vec<usize> = (1..content.sections.len()).collect();
    section_order.sort_by(|&a, &b| {
        let (x, y) = (&content.sections[a], &content.sections[b]);
        (x.weight.unwrap_or(i64::MAX), &x.title, &x.dir).cmp(&(
            y.weight.unwrap_or(i64::MAX),
            &y.title,
            &y.dir,
        ))
    });
    // A section shows only when it has something to show.
    section_order.retain(|&s| {
        content
            .articles
            .iter()
            .any(|a| a.section == s || content.ancestry(a.section).contains(&s))
            || content.sections[s].source.is_some()
    });

    let mut articles = Vec::with_capacity(bodies.len());
    let mut parts = Vec::with_capacity(bodies.len());
    for ((body, f), a) in bodies.into_iter().zip(faq_ranges).zip(&content.articles) {
        let summary = summary_of(a, &body);
        parts.push(body.parts);
        articles.push(ArticleOut {
            html: body.html,
            headings: body.headings,
            faq: f,
            summary,
        });
    }
    let faq_firsts = crate::faq::first_of_each(&faq);
    let analysis = Analysis {
        config,
        content,
        urls,
        lang,
        articles,
        parts,
        intros,
        taxonomies,
        backlinks,
        related,
        faq,
        aliases,
        section_order,
        anchors,
        diagnostics: diags,
        faq_warnings,
        faq_firsts,
    };
    if analysis.diagnostics.has_errors() {
        return Err(Failure::Content(analysis.problems()));
    }
    Ok(analysis)
}

/// Renders one article's body and front-matter FAQ answers; reports its questions and problems.
pub fn render_article(
    i: usize,
    a: &crate::content::Article,
    catalog: &Catalog<'_>,
    lang: Lang,
) -> (Rendered, Vec<FaqEntry>, Vec<Diagnostic>) {
    let links = catalog.resolver(&a.rel, &a.path);
    let mut ids = IdSet::default();
    let mut faq = Vec::new();
    let mut d = Vec::new();
    // Front-matter FAQ anchors are taken first, so a heading of the same name gets `-2`.
    let faq_ids: Vec<String> = a
        .matter
        .faq
        .iter()
        .map(|f| ids.unique(format!("faq-{}", name_of(&f.question))))
        .collect();
    let body_src = Source {
        path: &a.source,
        file_text: &a.text,
        offset: Some(a.body_start),
        line: a.body_line,
    };
    let mut body = render_markdown(
        a.body(),
        &body_src,
        RenderOptions {
            lang,
            links: &links,
            ids: &mut ids,
            questions: true,
        },
    );
    // The answers move into the FAQ list: the body keeps no second copy.
    for q in std::mem::take(&mut body.questions) {
        let h = &body.headings[q.heading];
        faq.push(FaqEntry {
            article: i,
            anchor: h.id.clone(),
            question: h.text.clone(),
            answer_html: q.answer_html,
            answer_text: q.answer_text,
            line: h.line,
        });
    }
    for (f, id) in a.matter.faq.iter().zip(faq_ids) {
        let src = Source {
            path: &a.source,
            file_text: &a.text,
            offset: None,
            line: f.line,
        };
        let mut answer_ids = IdSet::default();
        let r = render_markdown(
            &f.answer,
            &src,
            RenderOptions {
                lang,
                links: &links,
                ids: &mut answer_ids,
                questions: false,
            },
        );
        d.extend(
            r.diagnostics
                .into_iter()
                .map(|x| located(x, &a.source, &a.text)),
        );
        let text = r
            .parts
            .iter()
            .map(|p| p.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        faq.push(FaqEntry {
            article: i,
            anchor: id,
            question: f.question.clone(),
            answer_html: r.html,
            answer_text: text,
            line: f.line,
        });
    }
    d.extend(
        std::mem::take(&mut body.diagnostics)
            .into_iter()
            .map(|x| located(x, &a.source, &a.text)),
    );
    (body, faq, d)
}

/// Builds the site into a temporary folder and swaps it in; the old output stays on failure.
pub fn build(opts: &BuildOptions) -> Result<Built, Failure> {
    crate::config::check_root(&opts.root)?;
    let target = crate::output::check_target(&opts.output_dir(), &opts.root)?;
    let lock = Lock::acquire(&target)?;
    Ok(build_full(opts, &target, &lock, false)?.0)
}

/// A finished build.
pub struct Built {
    pub warnings: Vec<Diagnostic>,
    pub summary: Summary,
    pub output: PathBuf,
}

/// What a build leaves for an incremental rebuild (`serve`): the analysis, the templates, a
/// fingerprint of every page and the counted search index.
pub struct Kept {
    pub analysis: Analysis,
    pub theme: crate::theme::Theme,
    pub renderer: Renderer,
    /// Output path of each page → fingerprint of its view.
    pub pages: std::collections::HashMap<String, u64>,
    pub search: crate::search::SearchState,
    /// Files under `search/` → hash of their bytes.
    pub search_files: std::collections::HashMap<String, u64>,
    /// The other files: static files, assets, feeds, robots.txt, faq.json.
    pub files: std::collections::HashSet<String>,
    pub dictionary: Vec<String>,
    /// The output folder, updated in place by the next rebuilds.
    pub live: crate::output::Live,
}

/// A full build into `target` (checked by `output::check_target` and locked by `lock`);
/// with `keep`, also what the next incremental rebuild starts from.
pub fn build_full(
    opts: &BuildOptions,
    target: &Path,
    lock: &Lock,
    keep: bool,
) -> Result<(Built, Option<Kept>), Failure> {
    let started = Instant::now();
    let laps = Laps::new("");
    let lap = |what: &str| laps.lap(what);
    let Prepared {
        analysis,
        theme,
        renderer,
        dictionary,
    } = prepare(opts)?;
    lap("prepare");
    let staging = Staging::begin(
        target,
        lock,
        Replace {
            keep: analysis.config.keep.clone(),
            force: opts.force,
            trust_mark: opts.live_reload,
        },
    )?;
    let a = &analysis;
    let data = a.site_data(opts.live_reload);
    let jobs = data.jobs(&a.aliases);
    let plumbing: Mutex<Option<anyhow::Error>> = Mutex::new(None);
    let written = AtomicUsize::new(0);
    let finished = AtomicBool::new(false);
    // Pages and the search index are independent: make them side by side.
    let (errors, search) = std::thread::scope(|scope| {
        if opts.progress && jobs.len() >= PROGRESS_FROM {
            scope.spawn(|| show_progress(&written, jobs.len(), &finished));
        }
        let result = rayon::join(
            || {
                data.render_all(&renderer, &jobs, |path, bytes| {
                    if let Err(e) = staging.write(path, bytes) {
                        plumbing
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .get_or_insert(e);
                    }
                    written.fetch_add(1, Ordering::Relaxed);
                    Ok(())
                })
            },
            || -> anyhow::Result<_> {
                let docs = search_docs(a);
                let mut state = crate::search::SearchState::build(
                    &docs,
                    &crate::search::SearchOptions {
                        dictionary_words: dictionary.clone(),
                    },
                );
                if keep {
                    state.keep_shards();
                }
                let (files, _) = state.render_all(&docs);
                files.par_iter().try_for_each(|(name, bytes)| {
                    staging.write(&format!("search/{name}"), bytes)
                })?;
                let hashes = if keep {
                    hash_files(&files)
                } else {
                    Default::default()
                };
                Ok((state, hashes))
            },
        );
        finished.store(true, Ordering::Relaxed);
        result
    });
    let (search, search_files) = search?;
    if let Some(e) = plumbing.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(e.into());
    }
    if !errors.is_empty() {
        return Err(render_failure(a, &theme, errors));
    }
    lap("pages");
    let recording = crate::output::Recording::new(&staging);
    write_files(&recording, &theme, a)?;
    let files = recording.into_names();
    lap("files");
    let pages = if keep {
        let all: Vec<&crate::render::Job> = jobs.iter().collect();
        data.fingerprints(&all)
            .map_err(|d| render_failure(a, &theme, vec![d]))?
            .into_iter()
            .collect()
    } else {
        Default::default()
    };
    let (output, names) = staging.commit()?;
    let summary = Summary::of(a, jobs.len(), started, None);
    let warnings = warnings_of(&analysis, &theme);
    let kept = keep.then(|| Kept {
        analysis,
        theme,
        renderer,
        pages,
        search,
        search_files,
        files,
        dictionary,
        live: crate::output::Live::new(&output, names),
    });
    Ok((
        Built {
            warnings,
            summary,
            output,
        },
        kept,
    ))
}

/// A hash of each file's bytes, by name.
pub fn hash_files(files: &[(String, Vec<u8>)]) -> std::collections::HashMap<String, u64> {
    files
        .par_iter()
        .map(|(name, bytes)| (name.clone(), hash_bytes(bytes)))
        .collect()
}

pub fn hash_bytes(bytes: &[u8]) -> u64 {
    use std::hash::{Hash as _, Hasher as _};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

/// Builds with fewer pages than this finish before a progress line would help.
const PROGRESS_FROM: usize = 2_000;

/// Rewrites one stderr line with the pages written so far until `finished`, then clears it.
fn show_progress(written: &AtomicUsize, total: usize, finished: &AtomicBool) {
    use std::io::Write as _;
    let mut err = std::io::stderr();
    while !finished.load(Ordering::Relaxed) {
        let _ = write!(
            err,
            "\rrendering pages: {}/{total}",
            written.load(Ordering::Relaxed)
        );
        let _ = err.flush();
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let _ = write!(err, "\r\x1b[2K");
}

/// Static files, co-located assets, feeds, robots.txt and faq.json.
pub fn write_files(
    staging: &impl crate::output::Writer,
    theme: &crate::theme::Theme,
    a: &Analysis,
) -> anyhow::Result<()> {
    for (rel, file) in &theme.statics {
        staging.write(&format!("static/{rel}"), &file.read()?)?;
    }
    a.content
        .assets
        .par_iter()
        .try_for_each(|asset| staging.copy(&asset.source, &asset.rel))?;
    let site_static = a.config.root.join("static");
    if site_static.is_dir() {
        for entry in walkdir::WalkDir::new(&site_static).sort_by_file_name() {
            let entry = entry.with_context(|| format!("reading {}", site_static.display()))?;
            if entry.file_type().is_file() {
                let rel = entry
                    .path()
                    .strip_prefix(&site_static)
                    .unwrap_or(entry.path())
                    .to_string_lossy()
                    .replace('\\', "/");
                staging.copy(entry.path(), &rel)?;
            }
        }
    }
    let has_feeds = a.config.base_url.is_absolute();
    if has_feeds {
        let mut pages: Vec<(String, Option<String>)> = vec![(a.urls.absolute(""), None)];
        for &s in &a.section_order {
            pages.push((a.urls.absolute(&a.content.sections[s].path), None));
        }
        for art in &a.content.articles {
            pages.push((
                a.urls.absolute(&art.path),
                art.reviewed().map(|d| d.day.to_string()),
            ));
        }
        pages.push((a.urls.absolute("faq/"), None));
        for t in &a.taxonomies.list {
            let seg = &a.config.taxonomies[t.taxonomy].segment;
            pages.push((a.urls.absolute(&format!("{seg}/")), None));
            for term in &t.terms {
                pages.push((a.urls.absolute(&format!("{seg}/{}/", term.slug)), None));
            }
        }
        for (name, bytes) in crate::feeds::render_sitemaps(&a.urls, &pages) {
            staging.write(&name, &bytes)?;
        }
        let summaries: Vec<String> = a.articles.iter().map(|x| x.summary.clone()).collect();
        staging.write(
            "atom.xml",
            &crate::feeds::render_atom(&a.urls, &a.config.title, &a.content, &summaries),
        )?;
    }
    staging.write(
        "robots.txt",
        crate::feeds::render_robots(&a.urls, has_feeds).as_bytes(),
    )?;
    staging.write("faq.json", &render_faq_json(a))?;
    Ok(())
}

/// Article `i` as the search index sees it: title, summary, terms, headings, body and FAQ.
pub fn search_doc(a: &Analysis, i: usize) -> crate::search::SearchDoc<'_> {
    use crate::search::{Field, SearchDoc, SearchPart};
    let art = &a.content.articles[i];
    let mut parts = Vec::new();
    for p in &a.parts[i] {
        if !p.heading.is_empty() {
            parts.push(SearchPart {
                field: Field::Heading,
                anchor: &p.anchor,
                text: &p.heading,
            });
        }
        if !p.text.is_empty() {
            parts.push(SearchPart {
                field: Field::Body,
                anchor: &p.anchor,
                text: &p.text,
            });
        }
    }
    for f in a.faq[a.articles[i].faq.clone()]
        .iter()
        .filter(|f| f.anchor.starts_with("faq-"))
    {
        parts.push(SearchPart {
            field: Field::FaqQuestion,
            anchor: &f.anchor,
            text: &f.question,
        });
        parts.push(SearchPart {
            field: Field::FaqAnswer,
            anchor: &f.anchor,
            text: &f.answer_text,
        });
    }
    SearchDoc {
        url: &art.path,
        title: &art.matter.title,
        section: &a.content.sections[art.section].title,
        summary: &a.articles[i].summary,
        terms: a.taxonomies.of_article[i]
            .iter()
            .map(|r| a.taxonomies.term(*r).name.as_str())
            .collect(),
        parts,
    }
}

/// Every article's search doc.
pub fn search_docs(a: &Analysis) -> Vec<crate::search::SearchDoc<'_>> {
    (0..a.content.articles.len())
        .into_par_iter()
        .map(|i| search_doc(a, i))
        .collect()
}

pub fn render_faq_json(a: &Analysis) -> Vec<u8> {
    #[derive(serde::Serialize)]
    struct Entry<'a> {
        question: &'a str,
        answer_html: std::borrow::Cow<'a, str>,
        answer_text: &'a str,
        url: String,
        anchor: &'a str,
        article_title: &'a str,
        section: &'a str,
        terms: std::collections::BTreeMap<&'a str, Vec<&'a str>>,
    }
    // faq.json sits at the site's root. A portable build makes every URL in it relative to
    // faq.json, the links inside answers too (rendered relative to their article); other
    // builds give absolute URLs (base-path ones under a relative base URL), as the feeds do.
    let portable = a.urls.is_portable();
    let rooted = a.urls.rooted();
    let entries: Vec<Entry> = a
        .faq
        .iter()
        .map(|e| {
            let art = &a.content.articles[e.article];
            let mut terms: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
            for r in &a.taxonomies.of_article[e.article] {
                let name = a.config.taxonomies[a.taxonomies.list[r.taxonomy].taxonomy]
                    .name
                    .as_str();
                terms
                    .entry(name)
                    .or_default()
                    .push(&a.taxonomies.term(*r).name);
            }
            // Same-page links (footnotes, `#heading`) point at the article.
            let (answer_html, article) = if portable {
                let article = a.urls.href("", &art.path);
                let html = crate::urls::rebase_relative(&e.answer_html, &art.path, "");
                let html = crate::urls::pin_fragments(&html, &article).into_owned();
                (html.into(), article)
            } else {
                let article = rooted.absolute(&art.path);
                (
                    crate::urls::pin_fragments(&e.answer_html, &article),
                    article,
                )
            };
            let url = format!("{article}#{}", crate::urls::encode_fragment(&e.anchor));
            Entry {
                question: &e.question,
                answer_html,
                answer_text: &e.answer_text,
                url,
                anchor: &e.anchor,
                article_title: &art.matter.title,
                section: &a.content.sections[art.section].title,
                terms,
            }
        })
        .collect();
    #[derive(serde::Serialize)]
    struct File<'a> {
        questions: Vec<Entry<'a>>,
    }
    // Compact and typed: at 40,000 questions a pretty-printed copy through `Value` costs seconds.
    // Script-safe too (`<`, `>`, `&`, U+2028/U+2029 as escapes): sites embed this file.
    let json = serde_json::to_string(&File { questions: entries }).unwrap_or_default();
    let mut out = crate::faq::escape_script_json(&json).into_bytes();
    out.push(b'\n');
    out
}

/// Old URLs must stay inside the site and not shadow a page.
fn check_aliases(content: &Content, diags: &mut Diagnostics) -> Vec<(usize, String)> {
    let mut taken: std::collections::HashSet<String> =
        content.articles.iter().map(|a| a.path.clone()).collect();
    taken.extend(content.sections.iter().map(|s| s.path.clone()));
    let mut out = Vec::new();
    for (i, a) in content.articles.iter().enumerate() {
        for alias in &a.matter.aliases {
            let path = match alias_path(&alias.value) {
                Ok(p) => p,
                Err(why) => {
                    let shown: String = alias
                        .value
                        .chars()
                        .map(|c| match c.is_control() {
                            true => c.escape_default().to_string(),
                            false => c.to_string(),
                        })
                        .collect();
                    diags.push(
                        Diagnostic::error(
                            &a.source,
                            alias.line,
                            alias.column,
                            format!("alias `{shown}` must be a path inside the site: {why}"),
                        )
                        .with_source(&a.text),
                    );
                    continue;
                }
            };
            if !taken.insert(path.clone()) {
                diags.push(
                    Diagnostic::error(
                        &a.source,
                        alias.line,
                        alias.column,
                        format!("alias `{}` is already a page or another alias", alias.value),
                    )
                    .with_source(&a.text),
                );
                continue;
            }
            out.push((i, path));
        }
    }
    out
}

/// The site path an alias redirects from (`old/sms/`, or `old/sms.html` as written), or why
/// it is not a plain path inside the site. An alias is an old URL's path, percent-encoded or
/// not: a URL (`https://…`, `//host`), any `:` (schemes, drive letters), `\`, `?`, `#`, empty,
/// `.` and `..` segments (encoded ones too), names starting with `.`, and control characters
/// are refused, so the redirect page can only be written inside the output folder.
pub(crate) fn alias_path(raw: &str) -> Result<String, &'static str> {
    let raw = raw.trim();
    if raw.starts_with("//") {
        return Err("`//` starts another host");
    }
    let decoded = percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .map_err(|_| "its percent-encoding is not UTF-8")?;
    for text in [raw, &decoded] {
        if text.contains(':') {
            return Err("a URL, scheme or drive letter (`:`) is not a site path");
        }
        if text.contains('\\') {
            return Err("`\\` is not a path separator in URLs");
        }
        if text.contains(['?', '#']) {
            return Err("a query or fragment (`?`, `#`) is not a path");
        }
        if text.chars().any(char::is_control) {
            return Err("it holds a control character");
        }
    }
    let inner = decoded.strip_prefix('/').unwrap_or(&decoded);
    let (inner, folder) = match inner.strip_suffix('/') {
        Some(i) => (i, true),
        None => (inner, false),
    };
    if inner.is_empty() {
        return Err("it is the home page");
    }
    for segment in inner.split('/') {
        if segment.is_empty() {
            return Err("it has an empty segment (`//`)");
        }
        if segment.starts_with('.') {
            return Err("a segment starts with `.` (`..`, `.` and hidden names are refused)");
        }
    }
    let path = if !folder && inner.ends_with(".html") {
        inner.to_string()
    } else {
        format!("{inner}/")
    };
    if !is_inside(path.trim_end_matches('/')) {
        return Err("it leaves the output folder");
    }
    Ok(path)
}

fn located(mut d: Diagnostic, path: &Path, text: &str) -> Diagnostic {
    d.path = path.to_path_buf();
    if d.excerpt.is_none() {
        d = d.with_source(text);
    }
    d
}

/// The summary cards show: the front matter's, else the start of the first paragraph.
pub fn summary_of(a: &crate::content::Article, body: &Rendered) -> String {
    a.matter
        .summary
        .clone()
        .unwrap_or_else(|| truncate(&body.first_paragraph, 160))
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut s: String = text.chars().take(max).collect();
    s.push('…');
    s
}
