//! What the search index reads of each article: title, summary, terms, headings, body, FAQ.

use super::{DocTerm, Field, SearchDoc, SearchPart};
use crate::ids::ArticleId;
use crate::markdown::TextPart;
use crate::site::Analysis;
use rayon::prelude::*;

/// Article `i` as the search index sees it: title, summary, terms, headings, body and FAQ.
pub fn search_doc(a: &Analysis, i: ArticleId) -> SearchDoc<'_> {
    let art = &a.content.articles[i];
    let data = &a.articles[i];
    let mut parts = Vec::new();
    push_body(&mut parts, &data.body.parts);
    for f in a.faq[data.faq.clone()]
        .iter()
        .filter(|f| f.anchor.starts_with("faq-"))
    {
        parts.push(SearchPart {
            field: Field::FaqQuestion,
            anchor: &f.anchor,
            text: &f.question,
        });
        parts.push(SearchPart {
            field: Field::FaqAnswer,
            anchor: &f.anchor,
            text: &f.answer_text,
        });
    }
    SearchDoc {
        url: &art.path,
        title: &art.matter.title,
        section: &a.content.sections[art.section].title,
        summary: &data.summary,
        terms: data
            .terms
            .iter()
            .map(|r| {
                let order = a.taxonomies.list[r.taxonomy].taxonomy;
                let tax = &a.config.taxonomies[order];
                let term = a.taxonomies.term(*r);
                DocTerm {
                    taxonomy: &tax.title,
                    key: &tax.name,
                    order,
                    segment: &tax.segment,
                    slug: &term.slug,
                    name: &term.name,
                }
            })
            .collect(),
        parts,
    }
}

/// The search parts of a body's text (headings and the text under each), in order.
fn push_body<'a>(parts: &mut Vec<SearchPart<'a>>, body: &'a [TextPart]) {
    for p in body {
        if !p.heading.is_empty() {
            parts.push(SearchPart {
                field: Field::Heading,
                anchor: &p.anchor,
                text: &p.heading,
            });
        }
        if !p.text.is_empty() {
            parts.push(SearchPart {
                field: Field::Body,
                anchor: &p.anchor,
                text: &p.text,
            });
        }
    }
}

impl<'a> SearchDoc<'a> {
    /// This doc with `body`'s parts before its own, as `search_doc` orders an article's
    /// (for docs made after `take_texts`).
    pub fn with_body<'b>(&self, body: &'b [TextPart]) -> SearchDoc<'b>
    where
        'a: 'b,
    {
        let mut parts = Vec::with_capacity(body.len() * 2 + self.parts.len());
        push_body(&mut parts, body);
        parts.extend(self.parts.iter().copied());
        SearchDoc {
            url: self.url,
            title: self.title,
            section: self.section,
            summary: self.summary,
            terms: self.terms.clone(),
            parts,
        }
    }
}

/// Takes every article's body text (by article) out of the analysis for a build's search
/// index, which frees it as it is counted (`SearchState::build_once`): the pages do not read
/// it. Afterwards `search_doc` gives docs without their bodies.
pub fn take_texts(a: &mut Analysis) -> Vec<Vec<TextPart>> {
    a.take_from_bodies(|b| &mut b.parts)
}

/// Every article's search doc.
pub fn search_docs(a: &Analysis) -> Vec<SearchDoc<'_>> {
    a.content
        .articles
        .par_enumerate()
        .map(|(i, _)| search_doc(a, i))
        .collect()
}
