//! Taxonomy pages (every term with its count) and term pages (a term's articles, paginated).

use super::{note, PageSink, Read, SiteData};
use super::{pages, PER_PAGE};
use crate::diagnostic::Diagnostic;
use crate::view::*;
use serde::Serialize;

impl SiteData<'_> {
    pub(super) fn taxonomy<S: PageSink>(
        &self,
        r: &S,
        t: usize,
    ) -> Result<(String, S::Out), Diagnostic> {
        #[derive(Serialize)]
        struct V<'a> {
            #[serde(flatten)]
            common: Common<'a>,
            taxonomy: TaxonomyView<'a>,
        }
        let data = &self.taxonomies.list[t];
        let tax = &self.config.taxonomies[data.taxonomy];
        let path = format!("{}/", tax.segment);
        note(|| Read::Terms(t));
        let mut terms: Vec<TermCount> = data
            .terms
            .iter()
            .map(|term| {
                note(|| Read::Term(t, term.slug.clone()));
                TermCount {
                    name: &term.name,
                    url: self.urls.href(&path, &format!("{path}{}/", term.slug)),
                    count: term.articles.len(),
                }
            })
            .collect();
        terms.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(b.name)));
        let common = self.common(
            &path,
            "taxonomy",
            &tax.title,
            "",
            self.crumbs(&path, None),
            &self.urls,
        );
        Ok((
            format!("{path}index.html"),
            r.page(
                "taxonomy.html",
                &V {
                    common,
                    taxonomy: TaxonomyView {
                        title: &tax.title,
                        terms,
                    },
                },
            )?,
        ))
    }

    pub(super) fn term<S: PageSink>(
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
            term: TermView<'a>,
        }
        let data = &self.taxonomies.list[t];
        let tax = &self.config.taxonomies[data.taxonomy];
        let term = &data.terms[term_i];
        // Its own page of the listing (the taxonomy's page reads `Term`, for the counts).
        note(|| Read::TermPage(t, term.slug.clone(), page));
        let base = format!("{}/{}/", tax.segment, term.slug);
        let path = if page == 1 {
            base.clone()
        } else {
            format!("{base}page/{page}/")
        };
        // The term as kbgen.yaml lists it (its revisions, what replaced it).
        let listed = tax
            .allowed
            .as_ref()
            .and_then(|a| a.resolve(&term.name).map(|i| &a.terms[i]));
        let shown: Vec<_> = term
            .articles
            .iter()
            .skip((page - 1) * PER_PAGE)
            .take(PER_PAGE)
            .copied()
            .collect();
        let own = crate::taxonomy::TermRef {
            taxonomy: t,
            term: term_i,
        };
        let view = TermView {
            filters: if shown.len() > 1 {
                self.filter_groups(shown.iter().copied(), Some(own))
            } else {
                Vec::new()
            },
            taxonomy_title: &tax.title,
            taxonomy_url: self.urls.href(&path, &format!("{}/", tax.segment)),
            name: &term.name,
            article_count: term.articles.len(),
            articles: shown.iter().map(|&a| self.filter_card(&path, a)).collect(),
            pagination: self.pagination(&base, page, pages(term.articles.len()), &path),
            revisions: listed
                .iter()
                .flat_map(|l| l.revisions.iter().rev())
                .map(|r| RevisionView {
                    since: self.lang.date(&r.day),
                    note: &r.note,
                })
                .collect(),
            replaced_by: listed.and_then(|l| l.replaced_by.as_deref()),
        };
        let mut crumbs = self.crumbs(&path, None);
        crumbs.push(self.link(&path, &tax.title, &format!("{}/", tax.segment), &self.urls));
        let title = self.lang.labelled(&tax.title, &term.name);
        let common = self.common(&path, "term", &title, "", crumbs, &self.urls);
        Ok((
            format!("{path}index.html"),
            r.page("term.html", &V { common, term: view })?,
        ))
    }
}
