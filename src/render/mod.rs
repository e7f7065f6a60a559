//! Pages: Tera set up once, typed views built per page, pages rendered in parallel and handed
//! to the writer as they are made (no stage holds the whole site's HTML).

use crate::config::Config;
use crate::content::Content;
use crate::diagnostic::Diagnostic;
use crate::faq::{render_json_ld, FaqEntry};
use crate::markdown::Heading;
use crate::taxonomy::Taxonomies;
use crate::theme::Theme;
use crate::ui::Lang;
use crate::urls::UrlMaker;
use crate::view::*;
use rayon::prelude::*;
use serde::Serialize;
use std::path::PathBuf;

/// Lists longer than this paginate as `…/page/2/`.
pub const PER_PAGE: usize = 100;
/// Past this many questions, `/faq/` lists sections and each gets `faq/SECTION/`.
pub const FAQ_SPLIT: usize = 500;

/// Templates, parsed once.
pub struct Renderer {
    tera: tera::Tera,
    shown_paths: Vec<(String, PathBuf)>,
}

impl Renderer {
    pub fn new(theme: &Theme) -> Result<Renderer, Vec<Diagnostic>> {
        let mut r = Renderer {
            tera: tera::Tera::new(),
            shown_paths: theme
                .templates
                .iter()
                .map(|t| (t.name.clone(), t.shown_path.clone()))
                .collect(),
        };
        r.tera.autoescape_on([".html", ".xml"]);
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
        match e.kind() {
            tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => {
                let span = r.span();
                Diagnostic::error(
                    shown(r.filename()),
                    span.start_line,
                    span.start_col + 1,
                    format!("template error: {}", r.message()),
                )
            }
            _ => {
                let mut msg = e.to_string();
                let mut src = std::error::Error::source(e);
                while let Some(s) = src {
                    msg.push_str(": ");
                    msg.push_str(&s.to_string());
                    src = s.source();
                }
                // Tera's report reads "error: MESSAGE\n --> NAME:LINE:COL": take the place from it.
                let located = msg
                    .lines()
                    .find_map(|l| l.trim().strip_prefix("--> "))
                    .and_then(|place| {
                        let mut it = place.rsplitn(3, ':');
                        let col = it.next()?.parse::<usize>().ok()?;
                        let line = it.next()?.parse::<usize>().ok()?;
                        Some((it.next()?.to_string(), line, col))
                    });
                let first = msg
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .trim_start_matches("error: ")
                    .to_string();
                match located {
                    Some((name, line, col)) => {
                        let first = first
                            .split(": error: ")
                            .last()
                            .unwrap_or_default()
                            .to_string();
                        Diagnostic::error(
                            shown(&name),
                            line,
                            col,
                            format!("template error: {first}"),
                        )
                    }
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

    pub fn render<T: Serialize>(&self, template: &str, view: &T) -> Result<String, Diagnostic> {
        let ctx = tera::Context::from_serialize(view).map_err(|e| self.diagnostic(&e, template))?;
        self.tera
            .render(template, &ctx)
            .map_err(|e| self.diagnostic(&e, template))
    }
}

/// What a page's view is turned into: HTML (the renderer) or a fingerprint of everything the
/// template would see, which says whether a page must be made again without making it.
pub trait PageSink: Sync {
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
pub struct Fingerprint;

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

/// An article as rendered from Markdown, with what its page needs.
pub struct ArticleOut {
    pub html: String,
    pub headings: Vec<Heading>,
    /// This article's questions: a range of the site-wide FAQ list.
    pub faq: std::ops::Range<usize>,
    pub summary: String,
}

/// Everything pages are made from; computed once, borrowed by every page.
pub struct SiteData<'a> {
    pub config: &'a Config,
    pub content: &'a Content,
    pub urls: &'a UrlMaker,
    pub lang: Lang,
    pub articles: &'a [ArticleOut],
    /// Section intros as HTML, by section index.
    pub intros: &'a [String],
    pub taxonomies: &'a Taxonomies,
    pub backlinks: &'a [Vec<usize>],
    pub related: &'a [Vec<usize>],
    /// Every question of the site, in content order.
    pub faq: &'a [FaqEntry],
    /// Whether each question is the first of its kind site-wide.
    pub faq_firsts: &'a [bool],
    /// Sections in display order (weight, then title) — top-level first.
    pub section_order: &'a [usize],
    pub live_reload: bool,
}

/// One page to make: where it goes and what it shows.
pub enum Job {
    Home,
    Section {
        section: usize,
        page: usize,
    },
    Article(usize),
    Taxonomy(usize),
    Term {
        taxonomy: usize,
        term: usize,
        page: usize,
    },
    FaqIndex,
    FaqSection(usize),
    Search,
    NotFound,
    Alias {
        article: usize,
        path: String,
    },
}

impl SiteData<'_> {
    /// Every page of the site, in a stable order.
    pub fn jobs(&self, aliases: &[(usize, String)]) -> Vec<Job> {
        let mut jobs = vec![Job::Home, Job::FaqIndex, Job::Search, Job::NotFound];
        for &s in self.section_order {
            let n = self.section_articles(s).len();
            for page in 1..=pages(n) {
                jobs.push(Job::Section { section: s, page });
            }
        }
        jobs.extend((0..self.content.articles.len()).map(Job::Article));
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
        if self.faq.len() > FAQ_SPLIT {
            for &s in self.section_order {
                if self
                    .faq
                    .iter()
                    .any(|e| self.content.articles[e.article].section == s)
                {
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
    pub fn render_all<W>(&self, renderer: &Renderer, jobs: &[Job], write: W) -> Vec<Diagnostic>
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

    /// Each job's output path and fingerprint, in job order.
    pub fn fingerprints(&self, jobs: &[&Job]) -> Result<Vec<(String, u64)>, Diagnostic> {
        jobs.par_iter()
            .map(|j| self.render_job(&Fingerprint, j))
            .collect()
    }

    /// Makes one page (or its fingerprint): its output path and what the sink made of it.
    pub fn render_job<S: PageSink>(
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
            Job::Search => self.plain(r, "search/", "search.html", "search", self.lang.ui().search),
            Job::NotFound => self.not_found(r),
            Job::Alias { article, path } => self.alias(r, *article, path),
        }
    }

    // ---- shared pieces ----

    fn common(
        &self,
        path: &str,
        kind: &'static str,
        title: &str,
        description: &str,
        crumbs: Vec<Link>,
        urls: &UrlMaker,
    ) -> Common<'_> {
        let c = self.config;
        let top = self.current_top(path);
        Common {
            site: SiteView {
                title: &c.title,
                description: &c.description,
                language: &c.language,
                disclaimer: &c.disclaimer,
                nav: self
                    .section_order
                    .iter()
                    .filter(|&&s| self.content.sections[s].parent == Some(0))
                    .map(|&s| NavItem {
                        title: self.content.sections[s].title.clone(),
                        url: urls.href(path, &self.content.sections[s].path),
                        current: top == Some(s),
                    })
                    .collect(),
                taxonomies: self
                    .taxonomies
                    .list
                    .iter()
                    .map(|t| {
                        self.link(
                            path,
                            &c.taxonomies[t.taxonomy].title,
                            &format!("{}/", c.taxonomies[t.taxonomy].segment),
                            urls,
                        )
                    })
                    .collect(),
            },
            urls: Urls {
                home: urls.href(path, ""),
                search: urls.href(path, "search/"),
                faq: urls.href(path, "faq/"),
                r#static: urls.prefix(path, "static/"),
                search_index: urls.prefix(path, "search/"),
                // Written only with an absolute base URL; a portable build links its own copy.
                feed: if !c.base_url.is_absolute() {
                    String::new()
                } else if urls.is_portable() {
                    urls.href(path, "atom.xml")
                } else {
                    urls.absolute("atom.xml")
                },
            },
            ui: self.lang.ui(),
            page: PageMeta {
                kind,
                title: title.to_string(),
                description: if description.is_empty() {
                    c.description.clone()
                } else {
                    description.to_string()
                },
                // A portable build links nothing outside its folder, not even its original.
                canonical: if c.base_url.is_absolute() && !urls.is_portable() {
                    urls.absolute(path)
                } else {
                    String::new()
                },
                breadcrumbs: crumbs,
            },
            dev: DevView {
                live_reload: self.live_reload,
            },
        }
    }

    /// The top-level section the page at `path` belongs to.
    fn current_top(&self, path: &str) -> Option<usize> {
        let first = path.split('/').next().filter(|s| !s.is_empty())?;
        self.content
            .sections
            .iter()
            .position(|s| s.parent == Some(0) && s.dir == first)
    }

    fn link(&self, from: &str, title: &str, to: &str, urls: &UrlMaker) -> Link {
        Link {
            title: title.to_string(),
            url: urls.href(from, to),
        }
    }

    fn crumbs(&self, from: &str, section: Option<usize>) -> Vec<Link> {
        let ui = self.lang.ui();
        let mut out = vec![self.link(from, ui.home, "", self.urls)];
        if let Some(s) = section {
            for i in self.content.ancestry(s) {
                let sec = &self.content.sections[i];
                out.push(self.link(from, &sec.title, &sec.path, self.urls));
            }
        }
        out
    }

    fn card(&self, from: &str, a: usize) -> ArticleCard {
        let art = &self.content.articles[a];
        ArticleCard {
            title: art.matter.title.clone(),
            url: self.urls.href(from, &art.path),
            summary: self.articles[a].summary.clone(),
            section_title: self.content.sections[art.section].title.clone(),
            reviewed: art.reviewed().map(|d| self.lang.date(d)),
        }
    }

    pub fn section_articles(&self, s: usize) -> Vec<usize> {
        (0..self.content.articles.len())
            .filter(|&a| self.content.articles[a].section == s)
            .collect()
    }

    fn section_card(&self, from: &str, s: usize) -> SectionCard {
        let sec = &self.content.sections[s];
        let arts = self.section_articles(s);
        SectionCard {
            title: sec.title.clone(),
            url: self.urls.href(from, &sec.path),
            description: sec.description.clone(),
            article_count: arts.len(),
            articles: arts
                .iter()
                .take(5)
                .map(|&a| {
                    self.link(
                        from,
                        &self.content.articles[a].matter.title,
                        &self.content.articles[a].path,
                        self.urls,
                    )
                })
                .collect(),
        }
    }

    fn pagination(
        &self,
        base: &str,
        current: usize,
        total: usize,
        from: &str,
    ) -> Option<Pagination> {
        if total <= 1 {
            return None;
        }
        let url = |n: usize| {
            if n == 1 {
                self.urls.href(from, base)
            } else {
                self.urls.href(from, &format!("{base}page/{n}/"))
            }
        };
        Some(Pagination {
            current,
            total,
            prev_url: (current > 1).then(|| url(current - 1)),
            next_url: (current < total).then(|| url(current + 1)),
            pages: (1..=total)
                .map(|n| PageLink {
                    number: n,
                    url: url(n),
                    current: n == current,
                })
                .collect(),
        })
    }

    // ---- page kinds ----

    fn home<S: PageSink>(&self, r: &S) -> Result<(String, S::Out), Diagnostic> {
        #[derive(Serialize)]
        struct V<'a> {
            #[serde(flatten)]
            common: Common<'a>,
            home: HomeView,
        }
        let mut recent: Vec<usize> = (0..self.content.articles.len()).collect();
        recent.sort_by(|&a, &b| {
            let (x, y) = (&self.content.articles[a], &self.content.articles[b]);
            y.reviewed()
                .map(|d| d.day)
                .cmp(&x.reviewed().map(|d| d.day))
                .then_with(|| x.matter.title.cmp(&y.matter.title))
        });
        recent.truncate(8);
        let home = HomeView {
            intro_html: self.intros[0].clone(),
            sections: self
                .section_order
                .iter()
                .filter(|&&s| self.content.sections[s].parent == Some(0))
                .map(|&s| self.section_card("", s))
                .collect(),
            recent: recent.into_iter().map(|a| self.card("", a)).collect(),
            faq_count: self.faq.len(),
        };
        let common = self.common(
            "",
            "home",
            &self.config.title,
            &self.config.description,
            Vec::new(),
            self.urls,
        );
        Ok((
            "index.html".into(),
            r.page("index.html", &V { common, home })?,
        ))
    }

    fn section<S: PageSink>(
        &self,
        r: &S,
        s: usize,
        page: usize,
    ) -> Result<(String, S::Out), Diagnostic> {
        #[derive(Serialize)]
        struct V<'a> {
            #[serde(flatten)]
            common: Common<'a>,
            section: SectionView,
        }
        let sec = &self.content.sections[s];
        let path = if page == 1 {
            sec.path.clone()
        } else {
            format!("{}page/{page}/", sec.path)
        };
        let arts = self.section_articles(s);
        let total = pages(arts.len());
        let view = SectionView {
            title: sec.title.clone(),
            description: sec.description.clone(),
            intro_html: if page == 1 {
                self.intros[s].clone()
            } else {
                String::new()
            },
            subsections: self
                .section_order
                .iter()
                .filter(|&&c| self.content.sections[c].parent == Some(s))
                .map(|&c| self.section_card(&path, c))
                .collect(),
            articles: arts
                .iter()
                .skip((page - 1) * PER_PAGE)
                .take(PER_PAGE)
                .map(|&a| self.card(&path, a))
                .collect(),
            article_count: arts.len(),
            pagination: self.pagination(&sec.path, page, total, &path),
        };
        let crumbs = self.crumbs(&path, sec.parent.filter(|&p| p != 0));
        let common = self.common(
            &path,
            "section",
            &sec.title,
            &sec.description,
            crumbs,
            self.urls,
        );
        Ok((
            format!("{path}index.html"),
            r.page(
                "section.html",
                &V {
                    common,
                    section: view,
                },
            )?,
        ))
    }

    fn article<S: PageSink>(&self, r: &S, a: usize) -> Result<(String, S::Out), Diagnostic> {
        #[derive(Serialize)]
        struct V<'a> {
            #[serde(flatten)]
            common: Common<'a>,
            article: ArticleView,
        }
        let art = &self.content.articles[a];
        let out = &self.articles[a];
        let path = art.path.as_str();
        let sec = &self.content.sections[art.section];
        let terms = self
            .taxonomies
            .list
            .iter()
            .filter_map(|t| {
                let tax = &self.config.taxonomies[t.taxonomy];
                let links: Vec<Link> = self.taxonomies.of_article[a]
                    .iter()
                    .filter(|r| r.taxonomy == t.taxonomy)
                    .map(|r| {
                        let term = self.taxonomies.term(*r);
                        self.link(
                            path,
                            &term.name,
                            &format!("{}/{}/", tax.segment, term.slug),
                            self.urls,
                        )
                    })
                    .collect();
                (!links.is_empty()).then(|| TermGroup {
                    taxonomy_title: tax.title.clone(),
                    taxonomy_url: self.urls.href(path, &format!("{}/", tax.segment)),
                    terms: links,
                })
            })
            .collect();
        let view = ArticleView {
            title: art.matter.title.clone(),
            summary: out.summary.clone(),
            body_html: out.html.clone(),
            toc: out
                .headings
                .iter()
                .filter(|h| (2..=3).contains(&h.level))
                .map(|h| TocEntry {
                    level: h.level,
                    id: h.id.clone(),
                    title: h.text.clone(),
                })
                .collect(),
            section: self.link(path, &sec.title, &sec.path, self.urls),
            published: art.matter.date.as_ref().map(|d| self.lang.date(d)),
            reviewed: art.reviewed().map(|d| self.lang.date(d)),
            terms,
            faq: self.faq[out.faq.clone()]
                .iter()
                .filter(|f| f.anchor.starts_with("faq-"))
                .map(|f| FaqItem {
                    id: f.anchor.clone(),
                    question: f.question.clone(),
                    answer_html: f.answer_html.clone(),
                })
                .collect(),
            backlinks: self.backlinks[a]
                .iter()
                .map(|&b| self.card(path, b))
                .collect(),
            related: self.related[a]
                .iter()
                .map(|&b| self.card(path, b))
                .collect(),
        };
        let crumbs = self.crumbs(path, Some(art.section));
        let common = self.common(
            path,
            "article",
            &art.matter.title,
            &out.summary,
            crumbs,
            self.urls,
        );
        Ok((
            format!("{path}index.html"),
            r.page(
                "article.html",
                &V {
                    common,
                    article: view,
                },
            )?,
        ))
    }

    fn taxonomy<S: PageSink>(&self, r: &S, t: usize) -> Result<(String, S::Out), Diagnostic> {
        #[derive(Serialize)]
        struct V<'a> {
            #[serde(flatten)]
            common: Common<'a>,
            taxonomy: TaxonomyView,
        }
        let data = &self.taxonomies.list[t];
        let tax = &self.config.taxonomies[data.taxonomy];
        let path = format!("{}/", tax.segment);
        let mut terms: Vec<TermCount> = data
            .terms
            .iter()
            .map(|term| TermCount {
                name: term.name.clone(),
                url: self.urls.href(&path, &format!("{path}{}/", term.slug)),
                count: term.articles.len(),
            })
            .collect();
        terms.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
        let common = self.common(
            &path,
            "taxonomy",
            &tax.title,
            "",
            self.crumbs(&path, None),
            self.urls,
        );
        Ok((
            format!("{path}index.html"),
            r.page(
                "taxonomy.html",
                &V {
                    common,
                    taxonomy: TaxonomyView {
                        title: tax.title.clone(),
                        terms,
                    },
                },
            )?,
        ))
    }

    fn term<S: PageSink>(
        &self,
        r: &S,
        t: usize,
        term_i: usize,
        page: usize,
    ) -> Result<(String, S::Out), Diagnostic> {
        #[derive(Serialize)]
        struct V<'a> {
            #[serde(flatten)]
            common: Common<'a>,
            term: TermView,
        }
        let data = &self.taxonomies.list[t];
        let tax = &self.config.taxonomies[data.taxonomy];
        let term = &data.terms[term_i];
        let base = format!("{}/{}/", tax.segment, term.slug);
        let path = if page == 1 {
            base.clone()
        } else {
            format!("{base}page/{page}/")
        };
        let view = TermView {
            taxonomy_title: tax.title.clone(),
            taxonomy_url: self.urls.href(&path, &format!("{}/", tax.segment)),
            name: term.name.clone(),
            article_count: term.articles.len(),
            articles: term
                .articles
                .iter()
                .skip((page - 1) * PER_PAGE)
                .take(PER_PAGE)
                .map(|&a| self.card(&path, a))
                .collect(),
            pagination: self.pagination(&base, page, pages(term.articles.len()), &path),
        };
        let mut crumbs = self.crumbs(&path, None);
        crumbs.push(self.link(&path, &tax.title, &format!("{}/", tax.segment), self.urls));
        let title = self.lang.labelled(&tax.title, &term.name);
        let common = self.common(&path, "term", &title, "", crumbs, self.urls);
        Ok((
            format!("{path}index.html"),
            r.page("term.html", &V { common, term: view })?,
        ))
    }

    fn faq_page<S: PageSink>(
        &self,
        r: &S,
        only: Option<usize>,
    ) -> Result<(String, S::Out), Diagnostic> {
        #[derive(Serialize)]
        struct V<'a> {
            #[serde(flatten)]
            common: Common<'a>,
            faq: FaqIndexView,
        }
        let ui = self.lang.ui();
        let split = self.faq.len() > FAQ_SPLIT;
        let path = match only {
            Some(s) => format!("faq/{}", self.content.sections[s].path),
            None => "faq/".to_string(),
        };
        let in_section =
            |e: &&FaqEntry| only.is_none_or(|s| self.content.articles[e.article].section == s);
        let shown: Vec<&FaqEntry> = if split && only.is_none() {
            Vec::new()
        } else {
            self.faq.iter().filter(in_section).collect()
        };
        let json_ld = render_json_ld(
            self.faq
                .iter()
                .zip(self.faq_firsts)
                .filter(|(e, first)| **first && in_section(e) && !(split && only.is_none()))
                .map(|(e, _)| e),
        );

        let mut groups: Vec<FaqGroup> = Vec::new();
        let mut filter_counts: Vec<std::collections::BTreeMap<(usize, usize), usize>> =
            vec![Default::default(); self.taxonomies.list.len()];
        for &s in self.section_order {
            let questions: Vec<FaqEntryView> = shown
                .iter()
                .filter(|e| self.content.articles[e.article].section == s)
                .map(|e| {
                    let art = &self.content.articles[e.article];
                    let keys: Vec<String> = self.taxonomies.of_article[e.article]
                        .iter()
                        .map(|tr| {
                            *filter_counts[tr.taxonomy]
                                .entry((tr.taxonomy, tr.term))
                                .or_default() += 1;
                            filter_key(
                                &self.config.taxonomies[self.taxonomies.list[tr.taxonomy].taxonomy]
                                    .name,
                                &self.taxonomies.term(*tr).slug,
                            )
                        })
                        .collect();
                    let answer_html = if self.urls.is_portable() {
                        crate::urls::rebase_relative(&e.answer_html, &art.path, &path)
                    } else {
                        e.answer_html.clone()
                    };
                    let article_href = self.urls.href(&path, &art.path);
                    FaqEntryView {
                        question: e.question.clone(),
                        url: self.urls.href_to(&path, &art.path, Some(&e.anchor)),
                        article_title: art.matter.title.clone(),
                        answer_html: crate::urls::pin_fragments(&answer_html, &article_href)
                            .into_owned(),
                        filter_keys: keys.join(" "),
                    }
                })
                .collect();
            if !questions.is_empty() {
                let sec = &self.content.sections[s];
                groups.push(FaqGroup {
                    section_title: sec.title.clone(),
                    section_url: self.urls.href(&path, &sec.path),
                    questions,
                });
            }
        }
        let filters = filter_counts
            .iter()
            .enumerate()
            .filter(|(_, m)| !m.is_empty())
            .map(|(ti, m)| {
                let tax = &self.config.taxonomies[self.taxonomies.list[ti].taxonomy];
                let mut terms: Vec<FaqFilterTerm> = m
                    .iter()
                    .map(|(&(t, term), &count)| {
                        let tm = &self.taxonomies.list[t].terms[term];
                        FaqFilterTerm {
                            name: tm.name.clone(),
                            key: filter_key(&tax.name, &tm.slug),
                            count,
                        }
                    })
                    .collect();
                terms.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
                FaqFilterGroup {
                    taxonomy_title: tax.title.clone(),
                    terms,
                }
            })
            .collect();
        let section_pages = if split && only.is_none() {
            self.section_order
                .iter()
                .filter_map(|&s| {
                    let count = self
                        .faq
                        .iter()
                        .filter(|e| self.content.articles[e.article].section == s)
                        .count();
                    (count > 0).then(|| FaqSectionLink {
                        title: self.content.sections[s].title.clone(),
                        url: self
                            .urls
                            .href(&path, &format!("faq/{}", self.content.sections[s].path)),
                        count,
                    })
                })
                .collect()
        } else {
            Vec::new()
        };
        let view = FaqIndexView {
            count: shown.len(),
            total: self.faq.len(),
            groups,
            filters,
            section_pages,
            json_ld_html: json_ld,
        };
        let (title, crumbs) = match only {
            Some(s) => {
                let mut c = self.crumbs(&path, None);
                c.push(self.link(&path, ui.faq_index, "faq/", self.urls));
                (
                    self.lang
                        .labelled(ui.faq_index, &self.content.sections[s].title),
                    c,
                )
            }
            None => (ui.faq_index.to_string(), self.crumbs(&path, None)),
        };
        let common = self.common(&path, "faq", &title, "", crumbs, self.urls);
        Ok((
            format!("{path}index.html"),
            r.page("faq.html", &V { common, faq: view })?,
        ))
    }

    fn plain<S: PageSink>(
        &self,
        r: &S,
        path: &str,
        template: &str,
        kind: &'static str,
        title: &str,
    ) -> Result<(String, S::Out), Diagnostic> {
        #[derive(Serialize)]
        struct V<'a> {
            #[serde(flatten)]
            common: Common<'a>,
        }
        let common = self.common(path, kind, title, "", self.crumbs(path, None), self.urls);
        Ok((
            format!("{path}index.html"),
            r.page(template, &V { common })?,
        ))
    }

    fn not_found<S: PageSink>(&self, r: &S) -> Result<(String, S::Out), Diagnostic> {
        #[derive(Serialize)]
        struct V<'a> {
            #[serde(flatten)]
            common: Common<'a>,
            not_found: NotFound<'a>,
        }
        #[derive(Serialize)]
        struct NotFound<'a> {
            /// Portable builds: the base path the page's root-relative links resolve against
            /// when a host serves it for a missing path (404.html's template sets `<base>`).
            root: &'a str,
        }
        // 404.html is served for any missing path, at any depth. Its links are root-based
        // (`/kb/faq/`), except in a portable build, where they are relative to the folder
        // (404.html sits at its root) so that it works opened from disk too.
        let portable = self.urls.is_portable();
        let urls = if portable {
            self.urls.clone()
        } else {
            self.urls.rooted()
        };
        let ui = self.lang.ui();
        let mut common = self.common(
            "",
            "404",
            ui.not_found_title,
            "",
            vec![self.link("", ui.home, "", &urls)],
            &urls,
        );
        common.page.canonical = String::new();
        let not_found = NotFound {
            root: if portable { &self.urls.base().path } else { "" },
        };
        Ok((
            "404.html".into(),
            r.page("404.html", &V { common, not_found })?,
        ))
    }

    fn alias<S: PageSink>(
        &self,
        r: &S,
        a: usize,
        path: &str,
    ) -> Result<(String, S::Out), Diagnostic> {
        #[derive(Serialize)]
        struct V<'a> {
            #[serde(flatten)]
            common: Common<'a>,
            alias: AliasView,
        }
        let art = &self.content.articles[a];
        let (page_path, file) = if path.ends_with(".html") {
            (
                path.rsplit_once('/')
                    .map_or(String::new(), |(d, _)| format!("{d}/")),
                path.to_string(),
            )
        } else {
            (path.to_string(), format!("{path}index.html"))
        };
        let target = if self.config.base_url.is_absolute() && !self.urls.is_portable() {
            self.urls.absolute(&art.path)
        } else {
            self.urls.href(&page_path, &art.path)
        };
        let mut common = self.common(
            &page_path,
            "alias",
            &art.matter.title,
            "",
            Vec::new(),
            self.urls,
        );
        common.page.canonical = if self.config.base_url.is_absolute() {
            target.clone()
        } else {
            self.urls.href(&page_path, &art.path)
        };
        Ok((
            file,
            r.page(
                "alias.html",
                &V {
                    common,
                    alias: AliasView { target_url: target },
                },
            )?,
        ))
    }
}

/// One broken template fails every page: report each error once.
pub fn once_each(errors: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut seen = std::collections::HashSet::new();
    errors
        .into_iter()
        .filter(|d| seen.insert(d.to_string()))
        .collect()
}

fn filter_key(taxonomy: &str, slug: &str) -> String {
    format!("{taxonomy}:{slug}")
}

fn pages(n: usize) -> usize {
    n.div_ceil(PER_PAGE).max(1)
}
