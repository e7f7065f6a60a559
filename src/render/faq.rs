//! FAQ pages: `/faq/` with every question (or, past `FAQ_SPLIT`, a list of sections) and,
//! on a split site, one `faq/SECTION/` page per section.

use super::{note, PageSink, Read, SiteData, FAQ_ANSWERS_UP_TO, FAQ_SPLIT};
use crate::diagnostic::Diagnostic;
use crate::faq::render_json_ld;
use crate::ids::SectionId;
use crate::view::*;
use serde::Serialize;

impl SiteData<'_> {
    pub(super) fn faq_page<S: PageSink>(
        &self,
        r: &S,
        only: Option<SectionId>,
    ) -> Result<(String, S::Out), Diagnostic> {
        #[derive(Serialize)]
        struct V<'a> {
            #[serde(flatten)]
            common: Common<'a>,
            faq: FaqIndexView<'a>,
        }
        note(|| Read::FaqCount);
        let ui = &self.config.ui;
        let split = self.faq.len() > FAQ_SPLIT;
        let path = match only {
            Some(s) => format!("faq/{}", self.content.sections[s].path),
            None => "faq/".to_string(),
        };
        // The questions listed: a run of the site-wide list (none on a split `/faq/`).
        let shown = match only {
            Some(s) => self.section_faq(s),
            None if split => 0..0,
            None => 0..self.faq.len(),
        };
        let json_ld = render_json_ld(
            self.faq[shown.clone()]
                .iter()
                .zip(&self.faq_firsts[shown.clone()])
                .filter(|(_, first)| **first)
                .map(|(e, _)| e),
        );

        let answers = shown.len() <= FAQ_ANSWERS_UP_TO;
        let mut groups: Vec<FaqGroup> = Vec::new();
        // The article of each question listed, for the chips' counts.
        let mut asked = Vec::new();
        for &s in &self.section_order {
            let of_section = self.section_faq(s);
            let listed = of_section.start.max(shown.start)..of_section.end.min(shown.end);
            // What this page would list of `s`: its own section's questions on a section
            // page, every section's on an unsplit `/faq/` (a section gaining its first
            // question shows there).
            if only.map_or(!split, |t| t == s) {
                note(|| Read::FaqSection(s));
            }
            let listed = if listed.is_empty() {
                &[]
            } else {
                &self.faq[listed]
            };
            // An article's questions are one run: its filter keys are made once for the run.
            let mut keys: Option<(crate::ids::ArticleId, String)> = None;
            let questions: Vec<FaqEntryView> = listed
                .iter()
                .map(|e| {
                    let art = &self.content.articles[e.article];
                    asked.push(e.article);
                    let answer_html = if !answers {
                        String::new()
                    } else {
                        let article_href = self.urls.href(&path, &art.path);
                        if self.urls.is_portable() {
                            let html =
                                crate::urls::rebase_relative(&e.answer_html, &art.path, &path);
                            crate::urls::pin_fragments(&html, &article_href).into_owned()
                        } else {
                            crate::urls::pin_fragments(&e.answer_html, &article_href).into_owned()
                        }
                    };
                    let filter_keys = match &keys {
                        Some((a, k)) if *a == e.article => k.clone(),
                        _ => {
                            let k = self.filter_keys(e.article);
                            keys = Some((e.article, k.clone()));
                            k
                        }
                    };
                    FaqEntryView {
                        question: &e.question,
                        url: self.urls.href_to(&path, &art.path, Some(&e.anchor)),
                        article_title: &art.matter.title,
                        answer_html,
                        filter_keys,
                    }
                })
                .collect();
            if !questions.is_empty() {
                let sec = &self.content.sections[s];
                groups.push(FaqGroup {
                    section_title: &sec.title,
                    section_url: self.urls.href(&path, &sec.path),
                    questions,
                });
            }
        }
        let filters = self.filter_groups(asked, None);
        let section_pages = if split && only.is_none() {
            self.section_order
                .iter()
                .filter_map(|&s| {
                    note(|| Read::FaqSection(s));
                    let count = self.section_faq(s).len();
                    (count > 0).then(|| FaqSectionLink {
                        title: &self.content.sections[s].title,
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
            answers,
            json_ld_html: json_ld,
        };
        let (title, crumbs) = match only {
            Some(s) => {
                let mut c = self.crumbs(&path, None);
                c.push(self.link(&path, &ui.faq_index, "faq/", &self.urls));
                (
                    self.lang
                        .labelled(&ui.faq_index, &self.content.sections[s].title),
                    c,
                )
            }
            None => (ui.faq_index.to_string(), self.crumbs(&path, None)),
        };
        let common = self.common(&path, "faq", &title, "", crumbs, &self.urls);
        Ok((
            format!("{path}index.html"),
            r.page("faq.html", &V { common, faq: view })?,
        ))
    }
}
