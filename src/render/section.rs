//! Section pages: intro, subsections and the section's articles, paginated.

use super::{pages, PER_PAGE};
use super::{PageSink, SiteData};
use crate::diagnostic::Diagnostic;
use crate::ids::SectionId;
use crate::view::*;
use serde::Serialize;

impl SiteData<'_> {
    pub(super) fn section<S: PageSink>(
        &self,
        r: &S,
        s: SectionId,
        page: usize,
    ) -> Result<(String, S::Out), Diagnostic> {
        #[derive(Serialize)]
        struct V<'a> {
            #[serde(flatten)]
            common: Common<'a>,
            section: SectionView<'a>,
        }
        let sec = &self.content.sections[s];
        let path = if page == 1 {
            sec.path.clone()
        } else {
            format!("{}page/{page}/", sec.path)
        };
        // Reads its own page of the listing only (`section_articles` reads all of it).
        super::note(|| super::Read::SectionPage(s, page));
        let arts = self.content.articles.ids_in(self.section_range(s));
        let total = pages(arts.len());
        let listed = arts.clone().skip((page - 1) * PER_PAGE).take(PER_PAGE);
        let view = SectionView {
            title: &sec.title,
            extra: &sec.extra,
            description: &sec.description,
            intro_html: if page == 1 { &self.intros[s] } else { "" },
            subsections: self
                .section_order
                .iter()
                .filter(|&&c| self.content.sections[c].parent == Some(s))
                .map(|&c| self.section_card(&path, c))
                .collect(),
            articles: listed.clone().map(|a| self.filter_card(&path, a)).collect(),
            article_count: arts.len(),
            article_count_text: self.lang.article_count(arts.len()),
            pagination: self.pagination(&sec.path, page, total, &path),
            filters: if listed.len() > 1 {
                self.filter_groups(listed, None)
            } else {
                Vec::new()
            },
        };
        let crumbs = self.crumbs(&path, sec.parent.filter(|&p| p != SectionId::ROOT));
        let common = self.common(
            &path,
            "section",
            &sec.title,
            &sec.description,
            crumbs,
            &self.urls,
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
}
