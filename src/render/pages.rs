//! The home page, the search page, 404.html and alias redirects.

use super::{note, PageSink, Read, SiteData};
use crate::diagnostic::Diagnostic;
use crate::ids::{ArticleId, SectionId};
use crate::view::*;
use serde::Serialize;

impl SiteData<'_> {
    pub(super) fn home<S: PageSink>(&self, r: &S) -> Result<(String, S::Out), Diagnostic> {
        #[derive(Serialize)]
        struct V<'a> {
            #[serde(flatten)]
            common: Common<'a>,
            home: HomeView<'a>,
        }
        note(|| Read::EveryCard);
        note(|| Read::FaqCount);
        note(|| Read::Browse);
        let mut recent: Vec<ArticleId> = self.content.articles.ids().collect();
        recent.sort_by(|&a, &b| {
            let (x, y) = (&self.content.articles[a], &self.content.articles[b]);
            y.reviewed()
                .map(|d| d.day)
                .cmp(&x.reviewed().map(|d| d.day))
                .then_with(|| x.matter.title.cmp(&y.matter.title))
        });
        recent.truncate(8);
        let home = HomeView {
            intro_html: &self.intros[SectionId::ROOT],
            sections: self
                .section_order
                .iter()
                .filter(|&&s| self.content.sections[s].parent == Some(SectionId::ROOT))
                .map(|&s| self.section_card("", s))
                .collect(),
            recent: recent.into_iter().map(|a| self.card("", a)).collect(),
            faq_count: self.faq.len(),
            browse_url: self
                .browse
                .as_ref()
                .map(|_| {
                    self.urls
                        .href("", &format!("{}/", crate::config::BROWSE_SEGMENT))
                })
                .unwrap_or_default(),
            browse_title: self
                .browse
                .as_ref()
                .map(|m| self.browse_title(m))
                .unwrap_or_default(),
        };
        let common = self.common(
            "",
            "home",
            &self.config.title,
            &self.config.description,
            Vec::new(),
            &self.urls,
        );
        Ok((
            "index.html".into(),
            r.page("index.html", &V { common, home })?,
        ))
    }

    pub(super) fn plain<S: PageSink>(
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
        let common = self.common(path, kind, title, "", self.crumbs(path, None), &self.urls);
        Ok((
            format!("{path}index.html"),
            r.page(template, &V { common })?,
        ))
    }

    pub(super) fn not_found<S: PageSink>(&self, r: &S) -> Result<(String, S::Out), Diagnostic> {
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
        let ui = &self.config.ui;
        let mut common = self.common(
            "",
            "404",
            &ui.not_found_title,
            "",
            vec![self.link("", &ui.home, "", &urls)],
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

    pub(super) fn alias<S: PageSink>(
        &self,
        r: &S,
        a: ArticleId,
        path: &str,
    ) -> Result<(String, S::Out), Diagnostic> {
        #[derive(Serialize)]
        struct V<'a> {
            #[serde(flatten)]
            common: Common<'a>,
            alias: AliasView,
        }
        let art = &self.content.articles[a];
        note(|| Read::Card(art.path.clone()));
        let redirecting = &*self.config.ui.redirecting;
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
            &self.urls,
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
                    alias: AliasView {
                        target_url: target,
                        title: self.lang.labelled(redirecting, &art.matter.title),
                        lead: self.lang.labelled(redirecting, ""),
                        target_title: art.matter.title.clone(),
                    },
                },
            )?,
        ))
    }
}
