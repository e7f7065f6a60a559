//! Incremental rebuilds for `serve`: the last good build's analysis, page fingerprints and
//! search index are kept, and a change remakes only what it reaches.
//!
//! Three ways, cheapest first, each falling back to the next when its assumptions fail:
//! - **body**: only the text below the front matter of existing articles changed. The
//!   articles are rendered again on their own; when their summaries, anchors and link
//!   targets are unchanged nothing else about them is visible elsewhere, so their pages,
//!   the FAQ pages (when their questions changed) and their search postings are remade.
//! - **content**: Markdown under `content/` changed in any other way (front matter, new,
//!   deleted or renamed articles, section intros). The site is analysed again, every
//!   page's view is fingerprinted, and only pages whose view changed are rendered.
//! - **full**: configuration, theme, static files, assets or the search dictionary
//!   changed: a clean build, swapped in whole.
//!
//! Which way a changed path asks for is `serve::change::ChangeKind::scope`, the same
//! classification the serve loop uses to tell open pages what to do.
//!
//! Nothing is written until every page of the update rendered, so a failed rebuild leaves
//! the last good site as it was. Changes seen since the last good build stay pending, so
//! the rebuild after a failure still covers every file changed since.

mod affected;

use crate::diagnostic::Failure;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::ids::ArticleId;
use crate::output::{Lock, Writer};
use crate::render::Job;
use crate::search::encode::FxHashMap;
use crate::search::OwnedDoc;
use crate::search::{search_doc, search_docs};
use crate::serve::change::{classify, Scope};
use crate::site::{
    analyse, build_full, hash_bytes, hash_files, make_feeds, render_article, summary_of, Analysis,
    BuildOptions, Kept, Outcome, RenderedArticle, Summary, Update,
};
use anyhow::Context as _;
use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// An update that would hold more rendered pages than this in memory is made as a full
/// build instead (streamed to disk and swapped in).
const MAX_HELD_PAGES: usize = 2_000;

/// Past this many changed search docs, counting the index afresh is as cheap.
const MAX_SEARCH_UPDATES: usize = 500;

pub struct Session {
    opts: BuildOptions,
    root: PathBuf,
    output: PathBuf,
    kept: Option<Kept>,
    /// Paths changed since the last good build.
    pending: BTreeSet<PathBuf>,
    /// Work the last rebuild left for `finish`.
    deferred: Option<AfterPages>,
    /// The output's lock, held from the first build for as long as the session lives.
    lock: Option<Lock>,
    /// Check `affected` against every page's fingerprint (`with_reach_check`).
    check_reach: bool,
    /// Pages that changed outside the ones `affected` said a change reaches, since last taken.
    reach_misses: Vec<String>,
    /// The kept analysis's problems and the theme's warnings, once made (see `built`).
    warnings: Option<Arc<[Diagnostic]>>,
}

/// What a rebuild leaves for `finish`, after its pages are written: the search files, and
/// faq.json, feeds and static files.
struct AfterPages {
    /// The edited articles' search docs before the edit.
    old_docs: Vec<OwnedDoc>,
    articles: Vec<ArticleId>,
    /// New articles (their docs are added) and the docs of deleted ones.
    added: Vec<ArticleId>,
    removed_docs: Vec<OwnedDoc>,
    faq_changed: bool,
    /// Count the index afresh (most of the site changed).
    recount: bool,
    /// Write the feeds and faq.json (after a content rebuild).
    files: bool,
    /// By article: the earlier article whose part of faq.json still holds for it.
    faq_kept: Vec<Option<ArticleId>>,
    /// After a content rebuild: the analysis before it, which the changed search docs are
    /// found against (`search_changes`) once the pages are up.
    earlier: Option<Analysis>,
}

impl AfterPages {
    /// A content rebuild's deferred work: everything follows from `earlier`.
    fn after_content(earlier: Analysis) -> AfterPages {
        AfterPages {
            old_docs: Vec::new(),
            articles: Vec::new(),
            added: Vec::new(),
            removed_docs: Vec::new(),
            faq_changed: false,
            recount: false,
            files: true,
            faq_kept: Vec::new(),
            earlier: Some(earlier),
        }
    }
}

enum Plan {
    Full,
    Content,
    /// Indices of the articles whose files changed.
    Bodies(Vec<ArticleId>),
}

impl Session {
    /// `opts.output` is the folder the session owns and updates in place.
    pub fn new(opts: BuildOptions) -> Session {
        let root = opts.root.clone();
        let output = opts.output.clone().unwrap_or_else(|| root.join("public"));
        Session {
            opts,
            root,
            output,
            kept: None,
            pending: BTreeSet::new(),
            deferred: None,
            lock: None,
            check_reach: false,
            reach_misses: Vec::new(),
            warnings: None,
        }
    }

    /// With `on`, every content rebuild that takes the shortcut of `affected` also
    /// fingerprints every page, and records each page that changed outside the ones the
    /// change was judged to reach (see `take_reach_misses`). The tests switch it on to check
    /// the reach rules; it costs what the shortcut saves.
    pub fn with_reach_check(mut self, on: bool) -> Session {
        self.check_reach = on;
        self
    }

    /// The pages the reach check found changed outside the reach of their change, one line
    /// each, since the last call. Always empty without `with_reach_check`.
    pub fn take_reach_misses(&mut self) -> Vec<String> {
        std::mem::take(&mut self.reach_misses)
    }

    /// Files the build reads besides the watched folders and `kbgen.yaml`: the search
    /// dictionary, as the last good build's configuration names it.
    pub fn extra_files(&self) -> Vec<PathBuf> {
        self.kept
            .iter()
            .filter_map(|k| k.analysis.config.dictionary.clone())
            .collect()
    }

    /// Builds the whole site (the first build, or a forced one).
    pub fn build(&mut self) -> anyhow::Result<Outcome> {
        self.full()
    }

    /// Brings the output up to date with the files at `changed` (absolute paths, or paths
    /// relative to the site root), doing as little as the change allows.
    pub fn rebuild(&mut self, changed: &[PathBuf]) -> anyhow::Result<Outcome> {
        let outcome = self.rebuild_pages(changed)?;
        let files = self.finish()?;
        Ok(match outcome {
            Outcome::Built {
                warnings,
                mut summary,
                output,
            } => {
                if let Some(u) = summary.update.as_mut() {
                    u.files += files;
                }
                Outcome::Built {
                    warnings,
                    summary,
                    output,
                }
            }
            failed => failed,
        })
    }

    /// Like `rebuild`, but a body edit's search files are left for `finish`: the pages
    /// are up when this returns.
    pub fn rebuild_pages(&mut self, changed: &[PathBuf]) -> anyhow::Result<Outcome> {
        for p in changed {
            let p = if p.is_absolute() {
                p.clone()
            } else {
                self.root.join(p)
            };
            self.pending.insert(p);
        }
        let plan = self.plan();
        if matches!(plan, Plan::Full) {
            // A clean build makes the last rebuild's search files anyway.
            self.deferred = None;
        } else {
            // A failure here drops the kept state, so the plan below falls back to a clean
            // build, which is what the failed update needs anyway.
            let _ = self.finish();
        }
        let result = match plan {
            Plan::Full => self.full(),
            Plan::Content => self.content(),
            Plan::Bodies(list) => match self.bodies(&list) {
                Ok(Some(outcome)) => Ok(outcome),
                Ok(None) => self.content(),
                Err(e) => Err(e),
            },
        };
        if result.is_err() {
            // The output may be half updated: the next rebuild starts clean.
            self.kept = None;
            self.warnings = None;
        }
        result
    }

    /// What the pending changes ask for, by their `ChangeKind` (the classification the serve
    /// loop uses too): Markdown alone is remade in part, anything else the build reads means a
    /// clean build.
    fn plan(&self) -> Plan {
        let Some(kept) = &self.kept else {
            return Plan::Full;
        };
        // By source path relative to the root (no path made per article).
        let by_source: crate::search::encode::FxHashMap<&Path, ArticleId> = kept
            .analysis
            .content
            .articles
            .enumerate()
            .map(|(i, a)| (a.source.as_path(), i))
            .collect();
        let mut bodies = Vec::new();
        let mut content_only = true;
        // The dictionary is read with kbgen.yaml (by `prepare`), wherever it lives.
        let extra = self.extra_files();
        for p in &self.pending {
            match classify(&self.root, &extra, p).scope() {
                Scope::Nothing => {}
                Scope::Full => return Plan::Full,
                Scope::Markdown => match p
                    .strip_prefix(&self.root)
                    .ok()
                    .and_then(|r| by_source.get(r))
                {
                    Some(&i) if p.is_file() => bodies.push(i),
                    _ => content_only = false,
                },
            }
        }
        if !content_only {
            return Plan::Content;
        }
        bodies.sort_unstable();
        bodies.dedup();
        Plan::Bodies(bodies)
    }

    fn full(&mut self) -> anyhow::Result<Outcome> {
        crate::config::check_root(&self.root)?;
        let target = crate::output::check_target(&self.output, &self.root)?;
        let lock = match self.lock.take() {
            Some(l) => l,
            None => Lock::acquire(&target)?,
        };
        let lock = self.lock.insert(lock);
        let built = build_full(&self.opts, &target, lock, true).map(|(built, kept)| {
            self.kept = kept;
            self.warnings = None;
            self.pending.clear();
            built
        });
        Outcome::of(built)
    }

    /// Articles whose text below the front matter changed. `None`: the change reaches
    /// further than their own pages (the caller re-analyses).
    fn bodies(&mut self, list: &[ArticleId]) -> anyhow::Result<Option<Outcome>> {
        let started = Instant::now();
        let Some(kept) = self.kept.as_ref() else {
            return Ok(None);
        };
        let a = &kept.analysis;
        // The front matter (and so the body's first line) must be byte for byte the same:
        // checked for every file before anything is made (a front-matter edit goes on to
        // `content` at once).
        let mut texts = Vec::with_capacity(list.len());
        for &i in list {
            let old = &a.content.articles[i];
            let Ok(text) = std::fs::read_to_string(self.root.join(&old.source)) else {
                return Ok(None);
            };
            if text.get(..old.body_start) != Some(&old.text[..old.body_start]) {
                return Ok(None);
            }
            texts.push(text);
        }
        let catalog = crate::links::Catalog::new(&a.content, &a.urls);
        let mut edits = Vec::new();
        let mut diags = Diagnostics::default();
        // What rendering the kept bodies reported, to be replaced by the new reports.
        let mut stale = Vec::new();
        for (&i, text) in list.iter().zip(texts) {
            let old = &a.content.articles[i];
            stale.extend(a.articles[i].reported.iter().cloned());
            let mut art = (**old).clone();
            art.text = text;
            let mut rendered = render_article(i, &art, &catalog, a.lang, &a.config.ui);
            let language = &a.config.language;
            rendered
                .reported
                .extend(crate::lint::check_quotes(&art, language));
            rendered.reported.extend(crate::lint::check_empty(&art));
            rendered
                .reported
                .extend(crate::review::replaced_names(&a.config, &art));
            let RenderedArticle {
                body,
                links,
                faq,
                reported: d,
                lookups,
                anchors: _,
            } = rendered;
            let faq_ids: Vec<String> = faq
                .iter()
                .filter(|e| e.anchor.starts_with("faq-"))
                .map(|e| e.anchor.to_string())
                .collect();
            let kept_data = &a.articles[i];
            if crate::links::anchors_of(&body, &faq_ids) != *kept_data.anchors
                || summary_of(&art, &body.first_paragraph) != kept_data.summary
                || faq.len() != kept_data.faq.len()
            {
                return Ok(None);
            }
            let old_targets: Vec<ArticleId> = a
                .articles
                .enumerate()
                .filter(|(_, t)| t.backlinks.binary_search(&i).is_ok())
                .map(|(t, _)| t)
                .collect();
            let mut link_diags = Diagnostics::default();
            let targets = crate::links::check_article_links(
                &a.content,
                i,
                &links,
                &|t| &a.articles[t].anchors,
                &mut link_diags,
            );
            if targets != old_targets {
                return Ok(None);
            }
            // Diagnostics name the edited text, not the kept one.
            let mut local = Diagnostics::default();
            for x in link_diags.sorted() {
                local.push(x.with_source(&art.text));
            }
            for x in &d {
                local.push(x.clone());
            }
            for x in local.sorted() {
                diags.push(x);
            }
            let rendered = RenderedArticle {
                body,
                links,
                faq: Vec::new(),
                reported: d,
                lookups,
                anchors: None,
            };
            edits.push((i, art, rendered, faq));
        }
        drop(catalog);
        if diags.has_errors() {
            return Ok(Some(Outcome::Failed(diags.sorted())));
        }

        // Old search docs, before the analysis is patched.
        let kept = self.kept.as_mut().expect("kept above");
        let old_docs: Vec<OwnedDoc> = edits
            .iter()
            .map(|(i, ..)| OwnedDoc::from_doc(&search_doc(&kept.analysis, *i)))
            .collect();
        let mut faq_changed = false;
        let a = &mut kept.analysis;
        for (i, art, rendered, faq) in edits {
            let range = a.articles[i].faq.clone();
            for (old, new) in a.faq[range].iter_mut().zip(faq) {
                if old.question != new.question
                    || old.anchor != new.anchor
                    || old.answer_html != new.answer_html
                    || old.line != new.line
                {
                    faq_changed = true;
                }
                *old = new;
            }
            a.content.articles[i] = std::sync::Arc::new(art);
            a.articles[i].set_body(rendered);
        }
        // Warnings: the edited bodies' old ones give way to their new ones.
        for d in &stale {
            a.diagnostics.remove_one(d);
        }
        for d in diags.sorted() {
            a.diagnostics.push(d);
        }
        if faq_changed {
            let (warnings, firsts) = crate::faq::duplicates(&a.content, &a.faq);
            (a.faq_warnings, a.faq_firsts) = (warnings.into(), firsts);
            a.faq_print = crate::faq::questions_print(&a.content, &a.faq);
        }

        let data = a.site_data(self.opts.live_reload);
        let mut candidates: Vec<Job> = list.iter().map(|&i| Job::Article(i)).collect();
        if faq_changed {
            candidates.extend(
                data.jobs(&[])
                    .into_iter()
                    .filter(|j| matches!(j, Job::Home | Job::FaqIndex | Job::FaqSection(_))),
            );
        }
        let candidates: Vec<&Job> = candidates.iter().collect();
        let prints = match fingerprint_jobs(&data, &candidates, &mut kept.reads) {
            Ok(p) => p,
            Err(errors) => {
                self.kept = None;
                return Ok(Some(Outcome::Failed(errors)));
            }
        };
        let dirty = dirty_jobs(&candidates, &prints, &kept.pages);
        let pages = match render_pages(&data, &kept.renderer, &dirty) {
            Ok(p) => p,
            Err(errors) => {
                // The analysis is already patched: start over from a clean build next time.
                self.kept = None;
                return Ok(Some(Outcome::Failed(errors)));
            }
        };

        write_pages(&kept.live, &pages, &mut kept.pages)?;
        kept.live.save()?;
        // The pages are up; the search index and faq.json follow in `finish`.
        let faq_kept = a
            .articles
            .ids()
            .map(|i| list.binary_search(&i).is_err().then_some(i))
            .collect();
        self.deferred = Some(AfterPages {
            old_docs,
            articles: list.to_vec(),
            added: Vec::new(),
            removed_docs: Vec::new(),
            faq_changed,
            recount: false,
            files: false,
            faq_kept,
            earlier: None,
        });
        self.pending.clear();
        // The body's own problems were replaced in place: the list is made again.
        self.warnings = None;
        Ok(Some(built(
            kept,
            &mut self.warnings,
            &self.output,
            started,
            Update {
                how: "body",
                pages: pages.len(),
                files: 0,
                removed: 0,
            },
        )))
    }

    /// Finishes the last rebuild's deferred work: the search files (and faq.json) of a body
    /// edit, made after its pages so open pages reload without waiting for them. Returns
    /// how many files it wrote or removed.
    pub fn finish(&mut self) -> anyhow::Result<usize> {
        let Some(mut d) = self.deferred.take() else {
            return Ok(0);
        };
        let Some(kept) = self.kept.as_mut() else {
            return Ok(0);
        };
        let result = (|| {
            let laps = crate::site::Laps::new("deferred ");
            if let Some(earlier) = d.earlier.take() {
                let files = d.files;
                d = search_changes(&earlier, &kept.analysis);
                d.files = files;
                // Freeing the old analysis (every article's record) takes a while.
                std::thread::spawn(move || drop(earlier));
                laps.lap("search docs");
            }
            let a = &kept.analysis;
            let changes: Vec<_> = d
                .old_docs
                .iter()
                .zip(&d.articles)
                .map(|(old, &i)| (old.doc(), search_doc(a, i)))
                .collect();
            let added: Vec<_> = d.added.iter().map(|&i| search_doc(a, i)).collect();
            let removed: Vec<_> = d.removed_docs.iter().map(OwnedDoc::doc).collect();
            let search = if d.recount {
                SearchChange::Rebuild
            } else {
                match kept.search.update_with(&changes, &added, &removed) {
                    Some(delta) => SearchChange::Delta(delta),
                    None => SearchChange::Rebuild,
                }
            };
            drop((changes, added, removed));
            laps.lap("search delta");
            let mut files = apply_search(kept, search)?;
            laps.lap("search written");
            if d.files || d.faq_changed {
                // Only the parts of the articles a change may reach are made again.
                let old = &kept.faq_json;
                let parts = crate::faq::JsonParts::make(&kept.analysis, |i| {
                    d.faq_kept
                        .get(crate::ids::Id::index(i))
                        .copied()
                        .flatten()
                        .and_then(|was| old.part(was))
                });
                if !parts.same_as(old) {
                    kept.live
                        .write_with("faq.json", &mut |out| parts.write(out))?;
                    files += 1;
                }
                kept.faq_json = parts;
            }
            if d.files {
                // Only Markdown changed (`plan`): the copied files are as they were.
                let recording = crate::output::Recording::new(&kept.live);
                make_feeds(&recording, &kept.analysis)?;
                let mut names = recording.into_names();
                names.insert("faq.json".to_string());
                // A file no longer made (a sitemap part, after deletions) goes.
                for gone in kept.files.difference(&names) {
                    kept.live.remove(gone)?;
                }
                kept.files = names;
            }
            kept.live.save()?;
            laps.lap("files");
            Ok(files)
        })();
        if result.is_err() {
            self.kept = None;
        }
        result
    }

    /// Re-analyses the site and remakes the pages whose views changed.
    fn content(&mut self) -> anyhow::Result<Outcome> {
        let started = Instant::now();
        let laps = crate::site::Laps::new("content ");
        if self.kept.is_none() {
            return self.full();
        }
        // Articles whose files did not change since the last good build are taken as they
        // were read then.
        let content_dir = self.root.join(crate::content::CONTENT_DIR);
        let pending = &self.pending;
        let changed = |rel: &str| pending.contains(&content_dir.join(rel));
        let reuse = self.kept.as_ref().map(|k| crate::site::Earlier {
            analysis: &k.analysis,
            changed: &changed,
        });
        // Only Markdown under content/ changed (see `plan`): kbgen.yaml, the theme and the
        // dictionary that `prepare` read for the last full build still hold.
        let config = self
            .kept
            .as_ref()
            .map(|k| k.analysis.config.clone())
            .expect("checked above");
        let analysis = match analyse(config, &self.opts, reuse, crate::site::Texts::Keep) {
            Ok(a) => a,
            Err(Failure::Content(d)) => return Ok(Outcome::Failed(d)),
            Err(Failure::Plumbing(e)) => return Err(e),
        };
        laps.lap("analyse");
        let kept = self.kept.as_mut().expect("checked above");
        let data = analysis.site_data(self.opts.live_reload);
        let jobs = data.jobs(&analysis.aliases);
        let old_jobs = kept
            .analysis
            .site_data(self.opts.live_reload)
            .jobs(&kept.analysis.aliases);
        laps.lap("jobs");
        let reach = affected::affected(&kept.analysis, &analysis, &old_jobs, &jobs, &kept.reads);
        laps.lap("affected");
        let candidates: Vec<&Job> = match &reach {
            Some(r) => r.jobs.iter().map(|&i| &jobs[i]).collect(),
            None => jobs.iter().collect(),
        };
        let mut reads = FxHashMap::default();
        let prints = match fingerprint_jobs(&data, &candidates, &mut reads) {
            Ok(p) => p,
            Err(errors) => return Ok(Outcome::Failed(errors)),
        };
        laps.lap(&format!("fingerprints ({} pages)", candidates.len()));
        if reach.is_some() && self.check_reach {
            // Tests check the shortcut against the whole site.
            let all: Vec<&Job> = jobs.iter().collect();
            let shown: std::collections::HashSet<&String> = prints.iter().map(|(p, _)| p).collect();
            match fingerprint_jobs(&data, &all, &mut FxHashMap::default()) {
                Ok(every) => {
                    for (path, print) in every {
                        if !shown.contains(&path) && kept.pages.get(&path) != Some(&print) {
                            self.reach_misses.push(format!(
                                "{path} changed but was not among the pages the change reaches"
                            ));
                        }
                    }
                }
                Err(errors) => self.reach_misses.extend(errors.iter().map(|e| {
                    format!("fingerprinting every page failed where the reached ones did not: {e}")
                })),
            }
        }
        // With a shortcut the pages are the same set; otherwise see which went.
        let new_prints: HashMap<String, u64> = match reach {
            Some(_) => HashMap::new(),
            None => prints.iter().cloned().collect(),
        };
        let dirty = dirty_jobs(&candidates, &prints, &kept.pages);
        if dirty.len() > MAX_HELD_PAGES {
            return self.full();
        }
        let pages = match render_pages(&data, &kept.renderer, &dirty) {
            Ok(p) => p,
            Err(errors) => return Ok(Outcome::Failed(errors)),
        };
        laps.lap("render");
        let gone: Vec<String> = if let Some(r) = &reach {
            // The pages of jobs that are no longer made (not those a new job writes again).
            let went: Vec<&Job> = r.gone.iter().map(|&i| &old_jobs[i]).collect();
            let written: std::collections::HashSet<&String> =
                prints.iter().map(|(p, _)| p).collect();
            let old_prints = kept
                .analysis
                .site_data(self.opts.live_reload)
                .fingerprints(&went)
                .map_err(|d| anyhow::anyhow!("{d}"))?;
            old_prints
                .into_iter()
                .filter(|p| !written.contains(&p.path))
                .map(|p| {
                    kept.reads.remove(&p.key);
                    p.path
                })
                .collect()
        } else {
            kept.pages
                .keys()
                .filter(|p| !new_prints.contains_key(*p))
                .cloned()
                .collect()
        };

        write_pages(&kept.live, &pages, &mut kept.pages)?;
        for p in &gone {
            kept.live.remove(p)?;
            kept.pages.remove(p);
        }
        if reach.is_some() {
            kept.reads.extend(reads);
        } else {
            kept.reads = reads;
        }
        kept.live.save()?;
        laps.lap("write pages");
        // Freeing the old analysis (every article's record) takes a while: not on the way
        // to the served page.
        let old = std::mem::replace(&mut kept.analysis, analysis);
        // The pages are up; the search index, faq.json and the feeds follow in `finish`,
        // which finds the changed search docs against the old analysis.
        self.deferred = Some(AfterPages::after_content(old));
        let files = 0;
        self.pending.clear();
        if !kept.analysis.same_problems {
            self.warnings = None;
        }
        Ok(built(
            kept,
            &mut self.warnings,
            &self.output,
            started,
            Update {
                how: "content",
                pages: pages.len(),
                files,
                removed: gone.len(),
            },
        ))
    }
}

/// The search docs a content rebuild changed, from the analysis before it (`earlier`) and
/// after: the docs of edited articles before the edit, new articles, the docs of deleted
/// ones, and which articles keep their faq.json part. Run in `finish`, after the pages.
fn search_changes(earlier: &Analysis, analysis: &Analysis) -> AfterPages {
    // Search: the changed docs in place when the set of articles is the same (their
    // order may differ: a new title moves an article within its section).
    // An article read from the same file, with the same body, terms and section title,
    // has the same search doc: only the others are made and compared.
    let old_ids = earlier.content.ids_by_path();
    // By article: the earlier article whose search doc (and faq.json part) it keeps.
    let unchanged: Vec<Option<ArticleId>> = analysis
        .content
        .articles
        .enumerate()
        .map(|(j, a)| {
            old_ids.get(a.path.as_str()).copied().filter(|&i| {
                let b = &earlier.content.articles[i];
                std::sync::Arc::ptr_eq(a, b)
                    && std::sync::Arc::ptr_eq(&analysis.articles[j].body, &earlier.articles[i].body)
                    && analysis.content.sections[a.section].title
                        == earlier.content.sections[b.section].title
                    && term_names(analysis, j) == term_names(earlier, i)
            })
        })
        .collect();
    // Articles that came (their docs are added) and went (their docs removed).
    let added: Vec<ArticleId> = analysis
        .content
        .articles
        .ids()
        .filter(|&j| !old_ids.contains_key(analysis.content.articles[j].path.as_str()))
        .collect();
    let new_paths = analysis.content.ids_by_path();
    let removed_docs: Vec<OwnedDoc> = earlier
        .content
        .articles
        .ids()
        .filter(|&i| !new_paths.contains_key(earlier.content.articles[i].path.as_str()))
        .map(|i| OwnedDoc::from_doc(&search_doc(earlier, i)))
        .collect();
    let maybe: Vec<ArticleId> = analysis
        .content
        .articles
        .ids()
        .filter(|&j| old_ids.contains_key(analysis.content.articles[j].path.as_str()))
        .filter(|&j| unchanged[crate::ids::Id::index(j)].is_none())
        .collect();
    let old: HashMap<&str, crate::search::SearchDoc> = maybe
        .iter()
        .map(|&j| {
            let i = old_ids[analysis.content.articles[j].path.as_str()];
            let d = search_doc(earlier, i);
            (d.url, d)
        })
        .collect();
    let new: Vec<(ArticleId, crate::search::SearchDoc)> = maybe
        .iter()
        .map(|&j| (j, search_doc(analysis, j)))
        .collect();
    let mut search = AfterPages {
        earlier: None,
        old_docs: Vec::new(),
        articles: Vec::new(),
        added,
        removed_docs,
        faq_changed: false,
        recount: false,
        files: false,
        faq_kept: unchanged,
    };
    for (j, n) in &new {
        match old.get(n.url) {
            Some(o) if o == n => {}
            Some(o) => {
                search.old_docs.push(OwnedDoc::from_doc(o));
                search.articles.push(*j);
            }
            // Same file, new URL (a new slug): the doc goes and comes back.
            None => {
                let i = old_ids[analysis.content.articles[*j].path.as_str()];
                search
                    .removed_docs
                    .push(OwnedDoc::from_doc(&search_doc(earlier, i)));
                search.added.push(*j);
            }
        }
    }
    search.recount =
        search.articles.len() + search.added.len() + search.removed_docs.len() > MAX_SEARCH_UPDATES;
    search
}

enum SearchChange {
    Delta(crate::search::SearchDelta),
    Rebuild,
}

/// Writes the search files that changed; a rebuild counts the index afresh and writes only
/// the files whose bytes differ. Returns how many files were written or removed.
fn apply_search(kept: &mut Kept, change: SearchChange) -> anyhow::Result<usize> {
    let delta = match change {
        SearchChange::Delta(d) => d,
        SearchChange::Rebuild => {
            let docs = search_docs(&kept.analysis);
            // Same dictionary (a new one means a full build): keep the loaded segmenter.
            kept.search.recount(&docs);
            let (files, _) = kept.search.render_all(&docs);
            drop(docs);
            let hashes = hash_files(&files);
            let remove = kept
                .search_files
                .keys()
                .filter(|k| !hashes.contains_key(*k))
                .cloned()
                .collect();
            let write = files
                .into_iter()
                .filter(|(name, _)| kept.search_files.get(name) != hashes.get(name))
                .collect();
            crate::search::SearchDelta { write, remove }
        }
    };
    let live = &kept.live;
    delta
        .write
        .par_iter()
        .try_for_each(|(name, bytes)| live.write(&format!("search/{name}"), bytes))?;
    for name in &delta.remove {
        kept.live.remove(&format!("search/{name}"))?;
        kept.search_files.remove(name);
    }
    for (name, bytes) in &delta.write {
        kept.search_files.insert(name.clone(), hash_bytes(bytes));
    }
    Ok(delta.write.len() + delta.remove.len())
}

/// A rendered page: output path, fingerprint, HTML.
type Page = (String, u64, String);

/// Each job's output path and fingerprint.
/// The jobs' paths and fingerprints, in job order; what each read goes into `reads`.
fn fingerprint_jobs(
    data: &crate::render::SiteData<'_>,
    jobs: &[&Job],
    reads: &mut FxHashMap<String, Vec<crate::render::Read>>,
) -> Result<Vec<(String, u64)>, Vec<Diagnostic>> {
    let prints = data.fingerprints(jobs).map_err(|d| vec![d])?;
    Ok(prints
        .into_iter()
        .map(|p| {
            reads.insert(p.key, p.reads);
            (p.path, p.hash)
        })
        .collect())
}

/// The names of article `k`'s terms.
fn term_names(x: &crate::site::Analysis, k: ArticleId) -> Vec<&str> {
    x.articles[k]
        .terms
        .iter()
        .map(|r| x.taxonomies.term(*r).name.as_str())
        .collect()
}

/// The jobs whose fingerprint differs from the one their page was made with.
fn dirty_jobs<'a>(
    jobs: &[&'a Job],
    prints: &'a [(String, u64)],
    known: &HashMap<String, u64>,
) -> Vec<(&'a Job, &'a (String, u64))> {
    jobs.iter()
        .copied()
        .zip(prints)
        .filter(|(_, (path, print))| known.get(path) != Some(print))
        .collect()
}

/// Renders the jobs in memory; the `Err` holds template errors, each once.
fn render_pages(
    data: &crate::render::SiteData<'_>,
    renderer: &crate::render::Renderer,
    jobs: &[(&Job, &(String, u64))],
) -> Result<Vec<Page>, Vec<Diagnostic>> {
    let made: Vec<Result<Page, Diagnostic>> = jobs
        .par_iter()
        .map(|(j, (path, print))| {
            let (_, html) = data.render_job(renderer, j)?;
            Ok((path.clone(), *print, html))
        })
        .collect();
    let mut pages = Vec::new();
    let mut errors = Vec::new();
    for m in made {
        match m {
            Ok(p) => pages.push(p),
            Err(d) => errors.push(d),
        }
    }
    if errors.is_empty() {
        Ok(pages)
    } else {
        Err(crate::render::once_each(errors))
    }
}

fn write_pages(
    live: &crate::output::Live,
    pages: &[Page],
    prints: &mut HashMap<String, u64>,
) -> anyhow::Result<()> {
    pages
        .par_iter()
        .try_for_each(|(path, _, html)| live.write(path, html.as_bytes()))
        .context("writing pages")?;
    for (path, print, _) in pages {
        prints.insert(path.clone(), *print);
    }
    Ok(())
}

/// The outcome of a rebuild from `kept`. `warnings` holds the list of the last one when its
/// problems are the same (sorting and copying 40,000 warnings again was a tenth of a title
/// edit's time, and `serve` compares a list it has seen at once); it is made otherwise.
fn built(
    kept: &Kept,
    warnings: &mut Option<Arc<[Diagnostic]>>,
    output: &Path,
    started: Instant,
    update: Update,
) -> Outcome {
    let a = &kept.analysis;
    let pages = kept.pages.len();
    let warnings = Arc::clone(warnings.get_or_insert_with(|| {
        let mut list = a.problems();
        list.extend(kept.theme.warnings.iter().cloned());
        list.into()
    }));
    Outcome::Built {
        warnings,
        summary: Summary::of(a, pages, started, Some(update)),
        output: output.to_path_buf(),
    }
}
