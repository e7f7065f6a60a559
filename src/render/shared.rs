//! The pieces every page family shares: the common page context (site, URLs, UI words, page
//! meta), breadcrumbs, links, article and section cards, pagination.

use super::{note, Read, SiteData, PER_PAGE};
use crate::ids::{ArticleId, SectionId};
use crate::taxonomy::TermRef;
use crate::urls::UrlMaker;
use crate::view::*;
use std::ops::Range;

impl SiteData<'_> {
    pub(super) fn common<'s>(
        &'s self,
        path: &str,
        kind: &'static str,
        title: &str,
        description: &str,
        crumbs: Vec<Link<'s>>,
        urls: &UrlMaker,
    ) -> Common<'s> {
        let c = &self.config;
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
                    .filter(|&&s| self.content.sections[s].parent == Some(SectionId::ROOT))
                    .map(|&s| NavItem {
                        title: &self.content.sections[s].title,
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
                logo: c
                    .logo
                    .as_deref()
                    .map(|l| urls.href(path, l))
                    .unwrap_or_default(),
                extra: &c.extra,
            },
            menus: self
                .menus
                .iter()
                .map(|m| {
                    use crate::menus::MenuTo;
                    let (url, current) = match &m.to {
                        MenuTo::Article(p) | MenuTo::Site(p) => (urls.href(path, p), p == path),
                        MenuTo::Url(u) => (u.clone(), false),
                    };
                    MenuItem {
                        label: &m.label,
                        url,
                        external: m.external,
                        current,
                    }
                })
                .collect(),
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
                favicon: match &c.favicon {
                    Some(f) => urls.href(path, f),
                    None => urls.href(path, "static/favicon.ico"),
                },
            },
            ui: &self.config.ui,
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
    pub(super) fn current_top(&self, path: &str) -> Option<SectionId> {
        let first = path.split('/').next().filter(|s| !s.is_empty())?;
        self.content
            .sections
            .enumerate()
            .find(|(_, s)| s.parent == Some(SectionId::ROOT) && s.dir == first)
            .map(|(i, _)| i)
    }

    pub(super) fn link<'s>(
        &self,
        from: &str,
        title: &'s str,
        to: &str,
        urls: &UrlMaker,
    ) -> Link<'s> {
        Link {
            title,
            url: urls.href(from, to),
        }
    }

    pub(super) fn crumbs(&self, from: &str, section: Option<SectionId>) -> Vec<Link<'_>> {
        let ui = &self.config.ui;
        let mut out = vec![self.link(from, &ui.home, "", &self.urls)];
        if let Some(s) = section {
            for i in self.content.ancestry(s) {
                let sec = &self.content.sections[i];
                out.push(self.link(from, &sec.title, &sec.path, &self.urls));
            }
        }
        out
    }

    pub(super) fn card(&self, from: &str, a: ArticleId) -> ArticleCard<'_> {
        let art = &self.content.articles[a];
        note(|| Read::Card(art.path.clone()));
        ArticleCard {
            title: &art.matter.title,
            url: self.urls.href(from, &art.path),
            summary: &self.articles[a].summary,
            section_title: &self.content.sections[art.section].title,
            reviewed: art.reviewed().map(|d| self.lang.date(d)),
            filter_keys: String::new(),
        }
    }

    /// A card in a list with filter chips: it carries the article's terms (`data-terms`).
    pub(super) fn filter_card(&self, from: &str, a: ArticleId) -> ArticleCard<'_> {
        note(|| Read::CardTerms(self.content.articles[a].path.clone()));
        ArticleCard {
            filter_keys: self.filter_keys(a),
            ..self.card(from, a)
        }
    }

    /// Article `a`'s terms as filter keys (`TAXONOMY:TERM-SLUG`), space-separated: what a
    /// filter chip's `data-key` matches.
    pub(super) fn filter_keys(&self, a: ArticleId) -> String {
        let keys: Vec<String> = self.articles[a]
            .terms
            .iter()
            .map(|tr| self.filter_key(*tr))
            .collect();
        keys.join(" ")
    }

    fn filter_key(&self, tr: TermRef) -> String {
        let tax = &self.config.taxonomies[self.taxonomies.list[tr.taxonomy].taxonomy];
        format!("{}:{}", tax.name, self.taxonomies.term(tr).slug)
    }

    /// Filter chips for a list of items, each an article (an article may stand for more
    /// than one item: an FAQ lists each of its questions): per taxonomy, the terms the items
    /// carry with how many carry each, most first. `leave_out` is a term every item has (a
    /// term page's own).
    pub(super) fn filter_groups(
        &self,
        items: impl IntoIterator<Item = ArticleId>,
        leave_out: Option<TermRef>,
    ) -> Vec<FilterGroup<'_>> {
        let mut counts: std::collections::BTreeMap<TermRef, usize> = Default::default();
        for a in items {
            for &tr in &self.articles[a].terms {
                if Some(tr) != leave_out {
                    *counts.entry(tr).or_default() += 1;
                }
            }
        }
        let mut groups: Vec<FilterGroup> = Vec::new();
        let mut last = None;
        for (tr, count) in counts {
            if last != Some(tr.taxonomy) {
                let tax = &self.config.taxonomies[self.taxonomies.list[tr.taxonomy].taxonomy];
                groups.push(FilterGroup {
                    taxonomy_title: &tax.title,
                    terms: Vec::new(),
                });
                last = Some(tr.taxonomy);
            }
            if let Some(g) = groups.last_mut() {
                g.terms.push(FilterTerm {
                    name: &self.taxonomies.term(tr).name,
                    key: self.filter_key(tr),
                    count,
                });
            }
        }
        for g in &mut groups {
            g.terms
                .sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(b.name)));
        }
        groups
    }

    /// The articles of section `s` (not of its subsections), in content order. `content::load`
    /// sorts articles by section first, so they are one run of `content.articles`, found by
    /// binary search rather than a scan of every article for each page and card.
    pub(crate) fn section_articles(
        &self,
        s: SectionId,
    ) -> impl DoubleEndedIterator<Item = ArticleId> + ExactSizeIterator + Clone + use<> {
        note(|| Read::Section(s));
        let articles = &self.content.articles;
        articles.ids_in(self.section_range(s))
    }

    /// The articles before and after `a` in its section's order. Reads which they are, not
    /// the whole listing: an article added or moved beside `a` changes them, one further
    /// down the section does not.
    pub(super) fn neighbours(&self, a: ArticleId) -> (Option<ArticleId>, Option<ArticleId>) {
        use crate::ids::Id as _;
        let s = self.content.articles[a].section;
        note(|| Read::Neighbours(self.content.articles[a].path.clone()));
        let range = self.section_range(s);
        let i = a.index();
        let prev = (i > range.start).then(|| ArticleId::new(i - 1));
        let next = (i + 1 < range.end).then(|| ArticleId::new(i + 1));
        (prev, next)
    }

    pub(super) fn section_range(&self, s: SectionId) -> Range<usize> {
        let articles = &self.content.articles;
        articles.partition_point(|a| a.section < s)..articles.partition_point(|a| a.section <= s)
    }

    /// The questions of section `s`'s articles: the site-wide list holds each article's
    /// questions as one run, in content order, so a section's are one run too. Notes no
    /// read: which articles hold the questions does not show, the questions do, and the
    /// caller notes `Read::FaqSection` for those it shows (an article without questions
    /// added to a section leaves every FAQ page as it was).
    pub(super) fn section_faq(&self, s: SectionId) -> Range<usize> {
        use crate::ids::Id as _;
        let range = self.section_range(s);
        if range.is_empty() {
            return 0..0;
        }
        let (first, last) = (ArticleId::new(range.start), ArticleId::new(range.end - 1));
        self.articles[first].faq.start..self.articles[last].faq.end
    }

    pub(super) fn section_card(&self, from: &str, s: SectionId) -> SectionCard<'_> {
        let sec = &self.content.sections[s];
        let arts = self.section_articles(s);
        SectionCard {
            title: &sec.title,
            url: self.urls.href(from, &sec.path),
            description: &sec.description,
            article_count: arts.len(),
            articles: arts
                .take(5)
                .map(|a| {
                    note(|| Read::Card(self.content.articles[a].path.clone()));
                    self.link(
                        from,
                        &self.content.articles[a].matter.title,
                        &self.content.articles[a].path,
                        &self.urls,
                    )
                })
                .collect(),
        }
    }

    pub(super) fn pagination(
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
}

/// How many pages a list of `n` items takes (at least one).
pub(crate) fn pages(n: usize) -> usize {
    n.div_ceil(PER_PAGE).max(1)
}

/// The pages of a paginated listing that show something else when it goes from `was` to
/// `now`: every page when the count changed (each page shows it), else the pages whose
/// slice differs.
pub(crate) fn listing_pages_changed<T: PartialEq>(was: &[T], now: &[T]) -> Vec<usize> {
    if was.len() != now.len() {
        return (1..=pages(was.len()).max(pages(now.len()))).collect();
    }
    (1..=pages(now.len()))
        .filter(|p| {
            let at = (p - 1) * PER_PAGE..(p * PER_PAGE).min(now.len());
            was[at.clone()] != now[at]
        })
        .collect()
}
