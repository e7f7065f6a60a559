//! What the search index reads of each article: title, summary, terms, headings, body, FAQ.

use super::{Field, SearchDoc, SearchPart};
use crate::site::Analysis;
use rayon::prelude::*;

/// Article `i` as the search index sees it: title, summary, terms, headings, body and FAQ.
pub fn search_doc(a: &Analysis, i: usize) -> SearchDoc<'_> {
    let art = &a.content.articles[i];
    let mut parts = Vec::new();
    for p in &a.parts[i] {
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
    for f in a.faq[a.articles[i].faq.clone()]
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
        summary: &a.articles[i].summary,
        terms: a.taxonomies.of_article[i]
            .iter()
            .map(|r| a.taxonomies.term(*r).name.as_str())
            .collect(),
        parts,
    }
}

/// Every article's search doc.
pub fn search_docs(a: &Analysis) -> Vec<SearchDoc<'_>> {
    (0..a.content.articles.len())
        .into_par_iter()
        .map(|i| search_doc(a, i))
        .collect()
}
