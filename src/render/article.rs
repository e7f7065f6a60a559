//! Article pages: body, table of contents, terms, questions, backlinks and related articles.

use super::{note, PageSink, Read, SiteData};
use crate::diagnostic::Diagnostic;
use crate::ids::ArticleId;
use crate::view::*;
use serde::Serialize;

impl SiteData<'_> {
    pub(super) fn article<S: PageSink>(
        &self,
        r: &S,
        a: ArticleId,
    ) -> Result<(String, S::Out), Diagnostic> {
        #[derive(Serialize)]
        struct V<'a> {
            #[serde(flatten)]
            common: Common<'a>,
            article: ArticleView<'a>,
        }
        let art = &self.content.articles[a];
        let out = &self.articles[a];
        let path = art.path.as_str();
        note(|| Read::Page(art.path.clone()));
        let sec = &self.content.sections[art.section];
        let (prev, next) = self.neighbours(a);
        let source_path = art.source.to_string_lossy().replace('\\', "/");
        let terms = self
            .taxonomies
            .list
            .iter()
            .filter_map(|t| {
                let tax = &self.config.taxonomies[t.taxonomy];
                let links: Vec<Link> = out
                    .terms
                    .iter()
                    .filter(|r| r.taxonomy == t.taxonomy)
                    .map(|r| {
                        let term = self.taxonomies.term(*r);
                        self.link(
                            path,
                            &term.name,
                            &format!("{}/{}/", tax.segment, term.slug),
                            &self.urls,
                        )
                    })
                    .collect();
                (!links.is_empty()).then(|| TermGroup {
                    taxonomy_title: &tax.title,
                    taxonomy_url: self.urls.href(path, &format!("{}/", tax.segment)),
                    terms: links,
                })
            })
            .collect();
        let handed: String;
        let body_html = match self.bodies.get(a) {
            Some(slot) => {
                handed = slot
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .take()
                    .expect("a build makes each article page once");
                handed.as_str()
            }
            None => out.body.html.as_str(),
        };
        let view = ArticleView {
            title: &art.matter.title,
            summary: &out.summary,
            body_html,
            toc: out
                .body
                .headings
                .iter()
                .filter(|h| (2..=3).contains(&h.level))
                .map(|h| TocEntry {
                    level: h.level,
                    id: &h.id,
                    title: &h.text,
                })
                .collect(),
            section: self.link(path, &sec.title, &sec.path, &self.urls),
            published: art.matter.date.as_ref().map(|d| self.lang.date(d)),
            reviewed: art.reviewed().map(|d| self.lang.date(d)),
            terms,
            faq: self.faq[out.faq.clone()]
                .iter()
                .filter(|f| f.anchor.starts_with("faq-"))
                .map(|f| FaqItem {
                    id: &f.anchor,
                    question: &f.question,
                    answer_html: &f.answer_html,
                })
                .collect(),
            backlinks: out.backlinks.iter().map(|&b| self.card(path, b)).collect(),
            related: out.related.iter().map(|&b| self.card(path, b)).collect(),
            law_changes: crate::review::revised_since_review(&self.config, art)
                .into_iter()
                .map(|(c, latest)| {
                    let tax = &self.config.taxonomies[c.taxonomy];
                    LawChange {
                        name: &c.term.name,
                        url: self
                            .urls
                            .href(path, &format!("{}/{}/", tax.segment, c.term.slug)),
                        since: self.lang.date(&latest.day),
                        note: &latest.note,
                    }
                })
                .collect(),
            url: self.urls.href(path, path),
            slug: &art.slug,
            source_path: source_path.clone(),
            word_count: out.body.length.count(),
            reading_minutes: out.body.length.reading_minutes(),
            reading_time_text: self
                .config
                .ui
                .reading_time
                .replace("{n}", &out.body.length.reading_minutes().to_string()),
            prev: prev.map(|p| self.card(path, p)),
            next: next.map(|n| self.card(path, n)),
            edit_url: self
                .config
                .repo
                .as_ref()
                .map(|r| r.edit_url(&source_path))
                .unwrap_or_default(),
            extra: &art.matter.extra,
        };
        let crumbs = self.crumbs(path, Some(art.section));
        let common = self.common(
            path,
            "article",
            &art.matter.title,
            &out.summary,
            crumbs,
            &self.urls,
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
}
