//! What the search index reads of each article: title, summary, terms, headings, body, FAQ.

use super::{DocTerm, Field, SearchDoc, SearchPart};
use crate::ids::ArticleId;
use crate::site::Analysis;
use rayon::prelude::*;

/// Article `i` as the search index sees it: title, summary, terms, headings, body and FAQ.
pub fn search_doc(a: &Analysis, i: ArticleId) -> SearchDoc<'_> {
    let art = &a.content.articles[i];
    let data = &a.articles[i];
    let mut parts = Vec::new();
    for p in &data.body.parts {
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

/// Every article's search doc.
pub fn search_docs(a: &Analysis) -> Vec<SearchDoc<'_>> {
    a.content
        .articles
        .par_enumerate()
        .map(|(i, _)| search_doc(a, i))
        .collect()
}
