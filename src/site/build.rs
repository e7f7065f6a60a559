//! From an `Analysis` to the output folder: pages, search index, static files, feeds.

use super::{Analysis, BuildOptions, Laps, Summary, Texts};
use crate::diagnostic::{Diagnostic, Failure};
use crate::output::{Lock, Replace, Staging, Writer as _};
use crate::prepare::{prepare_with, render_failure, warnings_of, Prepared};
use crate::render::Renderer;
use anyhow::Context as _;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

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
    /// Each page's job key (`SiteData::job_key`) → what its view read (`render::Read`).
    pub reads: crate::search::encode::FxHashMap<String, Vec<crate::render::Read>>,
    pub search: crate::search::SearchState,
    /// Files under `search/` → hash of their bytes.
    pub search_files: std::collections::HashMap<String, u64>,
    /// The files made from the articles besides their pages: feeds, robots.txt, faq.json.
    pub files: std::collections::HashSet<String>,
    /// faq.json by article, for remaking only the parts a change reaches.
    pub faq_json: crate::faq::JsonParts,
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
    // jieba's dictionary (~33 MB, ~0.2 s to load) is needed only once the search index is
    // counted. serve loads it beside the analysis; a build loads it once the analysis has
    // freed the sources, into their room, while the pages start (a failed build drops it).
    let early = keep.then(|| std::thread::spawn(crate::search::Segmenter::load));
    let Prepared {
        mut analysis,
        theme,
        renderer,
        dictionary,
    } = prepare_with(opts, if keep { Texts::Keep } else { Texts::Cited })?;
    // A build hands the body texts to the search index and the body HTML to the pages: each
    // is freed once counted or made.
    let (texts, bodies) = if keep {
        (None, Default::default())
    } else {
        analysis.forget_for_build();
        crate::memory::release();
        (
            Some(crate::search::take_texts(&mut analysis)),
            analysis.take_bodies(),
        )
    };
    let segmenter = early.unwrap_or_else(|| std::thread::spawn(crate::search::Segmenter::load));
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
    let data = a.site_data(opts.live_reload).with_bodies(bodies);
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
                let _done = OnDrop(|| lap("  pages rendered"));
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
                let docs = crate::search::search_docs(a);
                let segmenter = segmenter
                    .join()
                    .unwrap_or_else(|_| crate::search::Segmenter::load());
                let opts = crate::search::SearchOptions {
                    dictionary_words: dictionary.clone(),
                    synonyms: a.config.synonyms.clone(),
                    faq: !a.faq.is_empty(),
                };
                let mut state = match texts {
                    Some(texts) => {
                        crate::search::SearchState::build_once(&docs, texts, &opts, segmenter)
                    }
                    None => crate::search::SearchState::build_with(&docs, &opts, segmenter),
                };
                lap("  search counted");
                if keep {
                    state.keep_shards();
                }
                // Each file is written as it is made; serve keeps their hashes.
                let hashes = Mutex::new(std::collections::HashMap::new());
                let sink = |name: &str, bytes: &[u8]| {
                    staging.write(&format!("search/{name}"), bytes)?;
                    if keep {
                        hashes
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .insert(name.to_string(), hash_bytes(bytes));
                    }
                    Ok(())
                };
                let stats = if keep {
                    state.write_all(&docs, &sink)?
                } else {
                    state.write_files(&sink)?
                };
                lap(&format!(
                    "  search rendered ({} files, {} terms, {} tails)",
                    stats.files, stats.terms, stats.tails
                ));
                // A build has no more use for the counted index: free it before faq.json.
                let state = keep.then_some(state);
                Ok((
                    state,
                    hashes.into_inner().unwrap_or_else(|p| p.into_inner()),
                ))
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
    copy_files(&staging, &theme, a)?;
    let recording = crate::output::Recording::new(&staging);
    make_feeds(&recording, a)?;
    // serve keeps faq.json's parts to remake only those a change reaches; a build writes
    // them as they are made.
    let faq_json = if keep {
        let parts = crate::faq::JsonParts::make(a, |_| None);
        recording.write_with("faq.json", &mut |out| parts.write(out))?;
        parts
    } else {
        recording.write_with("faq.json", &mut |out| crate::faq::write_json(a, out))?;
        Default::default()
    };
    let files = recording.into_names();
    lap("files");
    let (pages, reads) = if keep {
        let all: Vec<&crate::render::Job> = jobs.iter().collect();
        data.fingerprints(&all)
            .map_err(|d| render_failure(a, &theme, vec![d]))?
            .into_iter()
            .map(|p| ((p.path, p.hash), (p.key, p.reads)))
            .unzip()
    } else {
        Default::default()
    };
    let (output, names) = staging.commit()?;
    let summary = Summary::of(a, jobs.len(), started, None);
    drop((jobs, data));
    let Some(search) = search else {
        // A build is done with the analysis: it hands over its problems instead of copying
        // them, and frees the rest beside the caller's report (millions of small allocations
        // at 100,000 articles).
        let mut warnings = analysis.take_problems();
        warnings.extend(theme.warnings.iter().cloned());
        std::thread::spawn(move || drop(analysis));
        let built = Built {
            warnings,
            summary,
            output,
        };
        return Ok((built, None));
    };
    let warnings = warnings_of(&analysis, &theme);
    let kept = Kept {
        analysis,
        theme,
        renderer,
        pages,
        reads,
        search,
        search_files,
        files,
        faq_json,
        live: crate::output::Live::new(&output, names),
    };
    Ok((
        Built {
            warnings,
            summary,
            output,
        },
        Some(kept),
    ))
}

/// Runs its closure when dropped (a lap at the end of a scope).
struct OnDrop<F: Fn()>(F);

impl<F: Fn()> Drop for OnDrop<F> {
    fn drop(&mut self) {
        (self.0)()
    }
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

/// The files a build copies: the theme's static files, co-located assets, the site's
/// `static/` and the favicon. Only a change outside the Markdown articles changes them.
pub fn copy_files(
    staging: &impl crate::output::Writer,
    theme: &crate::theme::Theme,
    a: &Analysis,
) -> anyhow::Result<()> {
    for (rel, file) in &theme.statics {
        let bytes = crate::minify::theme_file(rel, file.read()?);
        staging.write(&format!("static/{rel}"), &bytes)?;
    }
    a.content
        .assets
        .par_iter()
        .try_for_each(|asset| staging.copy(&asset.source, &asset.rel))?;
    let site_static = a.config.root.join("static");
    // Browsers and crawlers ask for /favicon.ico whatever the page says: without a favicon of
    // the site's own, the theme's answers there too.
    let own_icon = a.config.favicon.is_some()
        || site_static.join("favicon.ico").is_file()
        || a.content.assets.iter().any(|x| x.rel == "favicon.ico");
    if let (false, Some(icon)) = (own_icon, theme.statics.get("favicon.ico")) {
        staging.write("favicon.ico", &icon.read()?)?;
    }
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
    Ok(())
}

/// The files a build makes from the articles besides their pages and faq.json: the feeds
/// and robots.txt.
pub fn make_feeds(staging: &impl crate::output::Writer, a: &Analysis) -> anyhow::Result<()> {
    let has_feeds = a.config.base_url.is_absolute();
    if has_feeds {
        let pages = crate::feeds::sitemap_pages(a);
        for (name, bytes) in crate::feeds::render_sitemaps(&a.urls, &pages) {
            staging.write(&name, &bytes)?;
        }
        staging.write("atom.xml", &crate::feeds::render_atom(a))?;
    }
    staging.write(
        "robots.txt",
        crate::feeds::render_robots(&a.urls, has_feeds).as_bytes(),
    )?;
    Ok(())
}
