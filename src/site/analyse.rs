//! Reading the sources into an `Analysis`: content, Markdown, links, terms, FAQ, aliases.

use super::{Analysis, ArticleData, Body, BuildOptions, Laps};
use crate::config::Config;
use crate::content::Content;
use crate::diagnostic::{Diagnostic, Diagnostics, Failure};
use crate::faq::FaqEntry;
use crate::ids::{ArticleId, SectionId, Table};
use crate::links::{anchors_of, check_links, Catalog};
use crate::markdown::LinkRef;
use crate::markdown::{
    render_markdown, LinkResolver, Questions, RenderOptions, Resolution, Source,
};
use crate::names::{name_of, IdSet};
use crate::output::is_inside;
use crate::taxonomy::{collect_terms, related_articles};
use crate::ui::Lang;
use crate::urls::UrlMaker;
use rayon::prelude::*;
use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

/// An earlier analysis of the same site with the same configuration, and which files
/// (paths relative to `content/`) changed since it was made.
pub struct Earlier<'a> {
    pub analysis: &'a Analysis,
    pub changed: &'a (dyn Fn(&str) -> bool + Sync),
}

/// What an analysis keeps of the articles' texts once their Markdown is rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Texts {
    /// Every text whole: serve compares them with the next edit's and renders again from them.
    Keep,
    /// What the checks after the Markdown may quote (`Content::thin_texts`): a build's and
    /// a check's.
    Cited,
}

/// Reads `content/` and analyses it with `config`. With `earlier`, unchanged articles are
/// taken from its load, and an article whose text is the same and whose every question to
/// the rest of the site (`Lookup`) gets the same answer keeps its rendering. Errors fail it
/// (with every problem found, warnings too); warnings of a good analysis are in
/// `Analysis::problems`. `texts` says what it keeps of each article's text.
pub fn analyse(
    config: Config,
    opts: &BuildOptions,
    earlier: Option<Earlier<'_>>,
    texts: Texts,
) -> Result<Analysis, Failure> {
    let laps = Laps::new("  ");
    let lap = |what: &str| laps.lap(what);
    let reuse = earlier.as_ref().map(|e| crate::content::Reuse {
        previous: &e.analysis.content,
        changed: e.changed,
    });
    let (mut content, mut diags) =
        crate::content::load_content_reusing(&config, opts.drafts, reuse)?;
    for d in config.warnings.iter().cloned() {
        diags.push(d);
    }
    for d in crate::config::check_stray_configs(&opts.root) {
        diags.push(d);
    }
    lap("load");
    let urls = UrlMaker::new(config.base_url.clone(), opts.portable);
    let lang = Lang::of(&config.language);
    let catalog = Catalog::new(&content, &urls);
    let catalog_print = catalog.print();

    // Markdown is independent per article: render in parallel (or take the earlier
    // rendering where it still holds).
    let kept = earlier
        .as_ref()
        .filter(|e| e.analysis.lang == lang)
        .map(|e| Renderings::new(e.analysis, &content, catalog_print));
    let reused = std::sync::atomic::AtomicUsize::new(0);
    let rendered: Vec<RenderedArticle> = content
        .articles
        .par_enumerate()
        .map(|(i, a)| {
            if let Some(r) = kept.as_ref().and_then(|k| k.rendering(i, a, &catalog)) {
                reused.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                return r;
            }
            let mut r = render_article(i, a, &catalog, lang, &config.ui);
            r.reported
                .extend(crate::lint::check_quotes(a, &config.language));
            r.reported.extend(crate::lint::check_empty(a));
            r.reported.extend(crate::review::replaced_names(&config, a));
            r
        })
        .collect();
    drop(kept);
    let intros: Table<SectionId, String> = content.sections.map(|s| {
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
                ui: &config.ui,
                links: &links,
                ids: &mut ids,
                questions: Questions::None,
                footnote_prefix: "",
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
    });

    // `related:` entries are the last lookups in the catalog.
    let mut explicit_diags = Diagnostics::default();
    let explicit: Table<ArticleId, Vec<ArticleId>> = content.articles.map(|a| {
        a.matter
            .related
            .iter()
            .filter_map(|r| match catalog.find(&r.value, &a.rel) {
                Ok(i) => Some(i),
                Err(crate::links::NotFound::Unavailable) => None,
                Err(crate::links::NotFound::Missing(m)) => {
                    explicit_diags.push(
                        Diagnostic::error(&a.source, r.line, r.column, format!("related: {m}"))
                            .with_source(&a.text),
                    );
                    None
                }
            })
            .collect()
    });
    drop(catalog);
    if texts == Texts::Cited {
        // What the checks below quote: front matter, and the lines of links to a heading.
        content.thin_texts(|i| {
            rendered[crate::ids::Id::index(i)]
                .links
                .iter()
                .filter(|l| l.fragment.as_deref().is_some_and(|f| !f.is_empty()))
                .map(|l| l.line)
                .collect()
        });
    }
    lap(&format!(
        "markdown ({} of {} renderings kept)",
        reused.into_inner(),
        content.articles.len()
    ));
    // Two independent halves, side by side: the terms and related lists, and the records,
    // links and questions. Each keeps its own problems, added in the order they were found
    // one after another (ties in place keep that order when sorted).
    let earlier_analysis = earlier.as_ref().map(|e| e.analysis);
    let (
        (taxonomies, terms, browse, related, terms_diags, terms_problems, recency),
        (records_half, links_diags, later_diags),
    ) = rayon::join(
        || {
            let mut diags = Diagnostics::default();
            // The same articles with the same written terms (values and places) have the
            // same terms and problems, unless a problem names an article whose text changed
            // (its excerpt would be the old text's).
            let same_terms = earlier_analysis.filter(|e| {
                let (was, now) = (&e.content.articles, &content.articles);
                was.len() == now.len()
                    && was.iter().zip(now.iter()).all(|(x, y)| {
                        Arc::ptr_eq(x, y)
                            || (x.rel == y.rel
                                && x.matter.same_terms_as(&y.matter)
                                && !e.terms_problems.iter().any(|d| d.path == y.source))
                    })
            });
            let (taxonomies, terms, terms_problems, browse) = match same_terms {
                Some(e) => (
                    e.taxonomies.clone(),
                    e.articles.map(|d| d.terms.clone()),
                    e.terms_problems.clone(),
                    e.browse.clone(),
                ),
                None => {
                    let mut found = Diagnostics::default();
                    let (taxonomies, terms) = collect_terms(&config, &content, &mut found);
                    let browse = config
                        .browse
                        .as_ref()
                        .and_then(|b| crate::taxonomy::cross_terms(b, &taxonomies, &terms));
                    (taxonomies, terms, found.into_vec(), browse)
                }
            };
            diags.extend(terms_problems.iter().cloned());
            diags.extend(explicit_diags.into_vec());
            lap("  terms");
            let recency = crate::taxonomy::recency_order(&content);
            let same_related = same_terms
                .filter(|e| e.recency == recency && e.explicit.as_slice() == explicit.as_slice());
            let related = match same_related {
                Some(e) => e.articles.map(|d| d.related.clone()),
                None => {
                    let was = earlier_analysis.map(|e| unchanged_since(e, &content, &explicit));
                    let before = earlier_analysis.zip(was.as_deref()).map(|(e, was)| {
                        crate::taxonomy::Before {
                            was,
                            recency: &e.recency,
                            lists: e.articles.iter().map(|d| d.related.as_slice()).collect(),
                        }
                    });
                    related_articles(&recency, &taxonomies, &terms, &explicit, 5, before.as_ref())
                }
            };
            lap("  related");
            (
                taxonomies,
                terms,
                browse,
                related,
                diags,
                terms_problems,
                recency,
            )
        },
        || {
            let mut diags = Diagnostics::default();
            let mut faq: Vec<FaqEntry> = Vec::new();
            let mut bodies: Table<ArticleId, Arc<Body>> = Table::with_capacity(rendered.len());
            let mut links: Table<ArticleId, Arc<[LinkRef]>> = Table::with_capacity(rendered.len());
            let mut anchors: Table<ArticleId, _> = Table::with_capacity(rendered.len());
            let mut faq_ranges: Table<ArticleId, _> = Table::with_capacity(rendered.len());
            let mut records: Table<ArticleId, (Arc<[Lookup]>, Vec<Diagnostic>)> =
                Table::with_capacity(rendered.len());
            for RenderedArticle {
                body,
                links: l,
                faq: f,
                reported,
                lookups,
                anchors: kept_anchors,
            } in rendered
            {
                links.push(l);
                diags.extend(reported.iter().cloned());
                records.push((lookups, reported));
                anchors.push(kept_anchors.unwrap_or_else(|| {
                    let faq_ids: Vec<String> = f
                        .iter()
                        .filter(|e| e.anchor.starts_with("faq-"))
                        .map(|e| e.anchor.to_string())
                        .collect();
                    Arc::new(anchors_of(&body, &faq_ids))
                }));
                // Every question lives once, in the site-wide list; an article keeps its range.
                faq_ranges.push(faq.len()..faq.len() + f.len());
                faq.extend(f);
                bodies.push(body);
            }
            let backlinks = check_links(&content, &links, &anchors, &mut diags);
            lap("  links");
            // Duplicate questions depend only on each question, its place and its file: the
            // same list as the earlier analysis's gives the same warnings and firsts.
            let faq_print = crate::faq::questions_print(&content, &faq);
            let same_faq =
                earlier_analysis.filter(|e| e.faq_print == faq_print && e.faq.len() == faq.len());
            let faq_reused = same_faq.is_some();
            let (faq_warnings, faq_firsts) = match same_faq {
                Some(e) => (e.faq_warnings.clone(), e.faq_firsts.clone()),
                None => {
                    let (warnings, firsts) = crate::faq::duplicates(&content, &faq);
                    (warnings.into(), firsts)
                }
            };
            lap(if faq_reused {
                "  duplicate questions (kept)"
            } else {
                "  duplicate questions"
            });
            let mut later = Diagnostics::default();
            let aliases = check_aliases(&content, &mut later);
            // Laws revised after an article's review, replaced terms, overdue reviews.
            let today = crate::review::today();
            let reviews: Vec<Vec<Diagnostic>> = content
                .articles
                .par_enumerate()
                .map(|(_, a)| crate::review::check_article(&config, a, today))
                .collect();
            for d in reviews.into_iter().flatten() {
                later.push(d);
            }
            lap("  aliases, reviews");
            let half = RecordsHalf {
                faq,
                bodies,
                links,
                anchors,
                faq_ranges,
                records,
                backlinks,
                faq_print,
                faq_warnings,
                faq_firsts,
                faq_reused,
                aliases,
            };
            (half, diags, later)
        },
    );
    lap("links, terms, related, questions");
    let half = records_half;
    diags.extend(links_diags.into_vec());
    diags.extend(terms_diags.into_vec());
    diags.extend(later_diags.into_vec());
    let menus = crate::menus::resolve_menus(&config, &content, &mut diags);
    let mut section_order: Vec<SectionId> = content.sections.ids().skip(1).collect();
    // Each section among its siblings in its parent's order (`sort_by`).
    section_order.sort_by_cached_key(|&s| {
        crate::order::section_key(content.sections.as_slice(), &content.sections[s])
    });
    // A section shows only when it has something to show: an article in it or below it, or
    // its own _index.md. (One pass over the articles, then one walk up per section that has
    // any, not a scan of every article per section.)
    let mut holds_articles: Table<SectionId, bool> = content.sections.map(|_| false);
    for a in &content.articles {
        holds_articles[a.section] = true;
    }
    for s in content.sections.ids() {
        if holds_articles[s] {
            for up in content.ancestry(s) {
                holds_articles[up] = true;
            }
        }
    }
    section_order.retain(|&s| holds_articles[s] || content.sections[s].source.is_some());

    let articles: Table<ArticleId, ArticleData> = half
        .bodies
        .into_iter()
        .zip(half.faq_ranges)
        .zip(half.anchors)
        .zip(terms)
        .zip(half.backlinks)
        .zip(related)
        .zip(half.records)
        .zip(half.links)
        .zip(&content.articles)
        .map(
            |(
                (
                    ((((((body, faq), anchors), terms), backlinks), related), (lookups, reported)),
                    links,
                ),
                a,
            )| {
                ArticleData {
                    summary: summary_of(a, &body.first_paragraph),
                    body,
                    links,
                    lookups,
                    reported,
                    faq,
                    anchors,
                    terms,
                    backlinks,
                    related,
                }
            },
        )
        .collect();
    lap("records");
    let mut analysis = Analysis {
        config,
        content,
        urls,
        lang,
        articles,
        intros,
        taxonomies,
        browse,
        faq: half.faq,
        aliases: half.aliases,
        menus,
        section_order,
        diagnostics: diags,
        faq_warnings: half.faq_warnings,
        faq_firsts: half.faq_firsts,
        faq_print: half.faq_print,
        catalog_print,
        terms_problems,
        recency,
        explicit,
        same_problems: false,
    };
    analysis.same_problems = half.faq_reused
        && earlier_analysis.is_some_and(|e| e.diagnostics.iter().eq(analysis.diagnostics.iter()));
    if analysis.diagnostics.has_errors() {
        return Err(Failure::Content(analysis.problems()));
    }
    Ok(analysis)
}

/// One article rendered: its body, its questions, what rendering (and, in `analyse`, the
/// article's lint) reported, and what it asked of the rest of the site.
pub struct RenderedArticle {
    pub body: Arc<Body>,
    pub links: Arc<[LinkRef]>,
    pub faq: Vec<FaqEntry>,
    pub reported: Vec<Diagnostic>,
    pub lookups: Arc<[Lookup]>,
    /// A kept rendering's anchors (the same body and questions offer the same ids); `None`
    /// for a new rendering, whose anchors are collected from it.
    pub anchors: Option<Arc<HashSet<String>>>,
}

/// By article: its id in `earlier` when it is the same article there (read from the same
/// file) and its `related:` entries find the same articles, else `None`.
fn unchanged_since(
    earlier: &Analysis,
    content: &Content,
    explicit: &Table<ArticleId, Vec<ArticleId>>,
) -> Vec<Option<ArticleId>> {
    let old_ids = earlier.content.ids_by_path();
    content
        .articles
        .par_enumerate()
        .map(|(j, a)| {
            let i = *old_ids.get(a.path.as_str())?;
            let rels = |c: &Content, list: &[ArticleId]| -> Vec<String> {
                list.iter().map(|&x| c.articles[x].rel.clone()).collect()
            };
            (Arc::ptr_eq(a, &earlier.content.articles[i])
                && (explicit[j].is_empty() && earlier.explicit[i].is_empty()
                    || rels(content, &explicit[j]) == rels(&earlier.content, &earlier.explicit[i])))
            .then_some(i)
        })
        .collect()
}

/// One question an article's rendering asked of the rest of the site, with the answer it
/// got. Replayed against a new catalog, equal answers mean the rendering still holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Lookup {
    Resolve {
        dest: String,
        wiki: bool,
        answer: Answer,
    },
    /// The title shown for a `[[wiki]]` link without text.
    Title { target: String, title: String },
}

/// A `Resolution` with its article named by source path (ids differ between analyses).
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Keep,
    Article { rel: String, href: String },
    Other { href: String },
    SamePage,
    Broken(String),
    Unavailable,
}

impl Answer {
    /// Whether `r` is this answer (without making one to compare).
    fn is(&self, r: &Resolution, content: &Content) -> bool {
        match (self, r) {
            (Answer::Keep, Resolution::Keep)
            | (Answer::SamePage, Resolution::SamePage)
            | (Answer::Unavailable, Resolution::Unavailable) => true,
            (Answer::Article { rel, href }, Resolution::Article { id, href: h }) => {
                href == h && content.articles[*id].rel == *rel
            }
            (Answer::Other { href }, Resolution::Other { href: h }) => href == h,
            (Answer::Broken(m), Resolution::Broken(n)) => m == n,
            _ => false,
        }
    }

    fn of(r: &Resolution, content: &Content) -> Answer {
        match r {
            Resolution::Keep => Answer::Keep,
            Resolution::Article { id, href } => Answer::Article {
                rel: content.articles[*id].rel.clone(),
                href: href.clone(),
            },
            Resolution::Other { href } => Answer::Other { href: href.clone() },
            Resolution::SamePage => Answer::SamePage,
            Resolution::Broken(m) => Answer::Broken(m.clone()),
            Resolution::Unavailable => Answer::Unavailable,
        }
    }
}

/// A link resolver that notes every question and answer.
struct Recorder<'a> {
    inner: &'a dyn LinkResolver,
    content: &'a Content,
    log: std::cell::RefCell<Vec<Lookup>>,
}

impl LinkResolver for Recorder<'_> {
    fn resolve(&self, dest: &str, wiki: bool) -> Resolution {
        let r = self.inner.resolve(dest, wiki);
        self.log.borrow_mut().push(Lookup::Resolve {
            dest: dest.to_string(),
            wiki,
            answer: Answer::of(&r, self.content),
        });
        r
    }

    fn title_of(&self, id: ArticleId) -> String {
        let title = self.inner.title_of(id);
        self.log.borrow_mut().push(Lookup::Title {
            target: self.content.articles[id].rel.clone(),
            title: title.clone(),
        });
        title
    }
}

/// What `analyse`'s records half makes (beside the terms half).
struct RecordsHalf {
    faq: Vec<FaqEntry>,
    bodies: Table<ArticleId, Arc<Body>>,
    links: Table<ArticleId, Arc<[LinkRef]>>,
    anchors: Table<ArticleId, Arc<HashSet<String>>>,
    faq_ranges: Table<ArticleId, std::ops::Range<usize>>,
    records: Table<ArticleId, (Arc<[Lookup]>, Vec<Diagnostic>)>,
    backlinks: Table<ArticleId, Vec<ArticleId>>,
    faq_print: u64,
    faq_warnings: Arc<Vec<Diagnostic>>,
    faq_firsts: Vec<bool>,
    faq_reused: bool,
    aliases: Vec<(ArticleId, String)>,
}

/// The earlier analysis's renderings, found by source path.
struct Renderings<'a> {
    earlier: &'a Analysis,
    by_rel: crate::search::encode::FxHashMap<&'a str, ArticleId>,
    /// The new analysis's articles by source path (to replay title lookups and move links).
    now_by_rel: crate::search::encode::FxHashMap<&'a str, ArticleId>,
    /// The new analysis's content.
    now_content: &'a Content,
    /// The catalog but its articles is the earlier one's (`Catalog::print`): a file link's
    /// answer holds while what it found is still there (`Renderings::still_there`).
    same_rest: bool,
    /// The same articles by source path as the earlier analysis, in the same order: each
    /// article's id is its earlier one, and its links' targets stay as they are.
    same_ids: bool,
}

impl<'a> Renderings<'a> {
    fn new(earlier: &'a Analysis, content: &'a Content, catalog_print: u64) -> Renderings<'a> {
        let index = |c: &'a Content| {
            c.articles
                .enumerate()
                .map(|(i, a)| (a.rel.as_str(), i))
                .collect()
        };
        let same_ids = earlier.content.articles.len() == content.articles.len()
            && earlier
                .content
                .articles
                .iter()
                .zip(content.articles.iter())
                .all(|(x, y)| x.rel == y.rel);
        Renderings {
            earlier,
            same_ids,
            same_rest: earlier.catalog_print == catalog_print,
            by_rel: index(&earlier.content),
            now_by_rel: index(content),
            now_content: content,
        }
    }

    /// Whether a file link's earlier answer still holds in a catalog whose sections, files
    /// and URLs are the same (`same_rest`): an article it found is still there with the same
    /// page (so the same href from the same page), a section or file is too; a broken or
    /// unavailable link is asked again (a new article may be what it wanted).
    fn still_there(&self, answer: &Answer) -> bool {
        match answer {
            Answer::Keep | Answer::SamePage | Answer::Other { .. } => true,
            Answer::Article { rel, .. } => {
                let (Some(&was), Some(&now)) = (
                    self.by_rel.get(rel.as_str()),
                    self.now_by_rel.get(rel.as_str()),
                ) else {
                    return false;
                };
                self.earlier.content.articles[was].path == self.now_content.articles[now].path
            }
            Answer::Broken(_) | Answer::Unavailable => false,
        }
    }

    /// Article `i`'s earlier rendering, when its text is the same and every lookup it made
    /// gets the same answer from `catalog`; its link targets and questions moved to the new
    /// ids.
    fn rendering(
        &self,
        i: ArticleId,
        a: &crate::content::Article,
        catalog: &Catalog<'_>,
    ) -> Option<RenderedArticle> {
        let e = self.earlier;
        let old = if self.same_ids {
            i
        } else {
            *self.by_rel.get(a.rel.as_str())?
        };
        let (was, data) = (&e.content.articles[old], &e.articles[old]);
        // An article shared with the earlier load is the same file, read once.
        let same = std::ptr::eq::<crate::content::Article>(&**was, a);
        if !same && (was.text != a.text || was.path != a.path || was.source != a.source) {
            return None;
        }
        let links = catalog.resolver(&a.rel, &a.path);
        let holds = data.lookups.iter().all(|l| match l {
            Lookup::Resolve { dest, wiki, answer } => {
                (self.same_rest && !*wiki && self.still_there(answer))
                    || answer.is(&links.resolve(dest, *wiki), catalog.content())
            }
            Lookup::Title { target, title } => self
                .now_by_rel
                .get(target.as_str())
                .is_some_and(|&t| links.title_of(t) == *title),
        });
        if !holds {
            return None;
        }
        let moved = |t: ArticleId| {
            self.now_by_rel
                .get(e.content.articles[t].rel.as_str())
                .copied()
        };
        let link_refs = if self.same_ids {
            Arc::clone(&data.links)
        } else {
            let mut moved_refs = data.links.to_vec();
            for l in &mut moved_refs {
                if let Some(t) = l.target {
                    // A resolved target answered the same, so it is still there.
                    l.target = Some(moved(t)?);
                }
            }
            moved_refs.into()
        };
        let faq = e.faq[data.faq.clone()]
            .iter()
            .map(|f| FaqEntry {
                article: i,
                ..f.clone()
            })
            .collect();
        Some(RenderedArticle {
            body: Arc::clone(&data.body),
            links: link_refs,
            faq,
            reported: data.reported.clone(),
            lookups: Arc::clone(&data.lookups),
            anchors: Some(Arc::clone(&data.anchors)),
        })
    }
}

/// Renders one article's body and front-matter FAQ answers; reports its questions, problems
/// and lookups.
pub fn render_article(
    i: ArticleId,
    a: &crate::content::Article,
    catalog: &Catalog<'_>,
    lang: Lang,
    ui: &crate::ui::Ui,
) -> RenderedArticle {
    let resolver = catalog.resolver(&a.rel, &a.path);
    let links = Recorder {
        inner: &resolver,
        content: catalog.content(),
        log: Default::default(),
    };
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
        file_text: &a.text,
        offset: Some(a.body_start),
        line: a.body_line,
    };
    let mut body = render_markdown(
        a.body(),
        &body_src,
        RenderOptions {
            lang,
            ui,
            links: &links,
            ids: &mut ids,
            questions: if a.matter.faq_headings {
                Questions::All
            } else {
                Questions::Marked
            },
            footnote_prefix: "",
        },
    );
    // The answers move into the FAQ list: the body keeps no second copy.
    for q in std::mem::take(&mut body.questions) {
        let h = &body.headings[q.heading];
        faq.push(FaqEntry {
            article: i,
            anchor: h.id.as_str().into(),
            question: h.text.as_str().into(),
            answer_html: q.answer_html.into(),
            answer_text: q.answer_text.into(),
            line: h.line,
        });
    }
    for (f, id) in a.matter.faq.iter().zip(faq_ids) {
        // The answer shares the article page with the body (and the FAQ page with other
        // answers): its footnote ids start with its own anchor.
        let prefix = format!("{id}-");
        let src = Source {
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
                ui,
                links: &links,
                ids: &mut answer_ids,
                questions: Questions::None,
                footnote_prefix: &prefix,
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
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        faq.push(FaqEntry {
            article: i,
            anchor: id.into(),
            question: f.question.as_str().into(),
            answer_html: r.html.into(),
            answer_text: text.into(),
            line: f.line,
        });
    }
    d.extend(
        std::mem::take(&mut body.diagnostics)
            .into_iter()
            .map(|x| located(x, &a.source, &a.text)),
    );
    let link_refs: Arc<[LinkRef]> = std::mem::take(&mut body.links).into();
    RenderedArticle {
        body: Arc::new(Body::of(body)),
        links: link_refs,
        faq,
        reported: d,
        lookups: links.log.into_inner().into(),
        anchors: None,
    }
}

/// Old URLs must stay inside the site and not shadow a page.
fn check_aliases(content: &Content, diags: &mut Diagnostics) -> Vec<(ArticleId, String)> {
    // The pages' paths borrowed (a serve rebuild checks every alias again), the aliases'.
    let pages: crate::search::encode::FxHashSet<&str> = content
        .articles
        .iter()
        .map(|a| a.path.as_str())
        .chain(content.sections.iter().map(|s| s.path.as_str()))
        .collect();
    let mut aliases: crate::search::encode::FxHashSet<String> = Default::default();
    let mut out = Vec::new();
    for (i, a) in content.articles.enumerate() {
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
            if pages.contains(path.as_str()) || !aliases.insert(path.clone()) {
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
pub fn summary_of(a: &crate::content::Article, first_paragraph: &str) -> String {
    a.matter
        .summary
        .clone()
        .unwrap_or_else(|| truncate(first_paragraph, 160))
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut s: String = text.chars().take(max).collect();
    s.push('…');
    s
}
