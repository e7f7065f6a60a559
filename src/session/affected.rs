//! Which pages a content change can reach, found without making them.
//!
//! Fingerprinting every page's view costs about a second at 10,000 articles, most of it on
//! pages an edit cannot touch. Each page's fingerprint comes with what its view read
//! (`render::Read`: the cards, pages, section and term listings and questions it showed),
//! noted while the view was built. When the change leaves the site's shape alone (the same
//! pages, sections, navigation and taxonomy terms), this module works out which of those
//! things changed, and the pages that read one of them are the ones fingerprinted again;
//! the fingerprint still decides which are made. A new template field read through the
//! shared pieces (cards, listings) is covered without a rule here. With
//! `Session::with_reach_check` (the incremental tests switch it on) every page is
//! fingerprinted as well, and each page outside the set that changed is recorded for the
//! test to report.

use crate::ids::{ArticleId, Table};
use crate::render::{Job, Read};
use crate::site::Analysis;
use std::collections::{HashMap, HashSet};

/// The indices of the jobs (of `new`) whose pages may differ from those made from `old`;
/// `None` when the change may reach any page. `reads` holds what each page read when it was
/// last fingerprinted, by job key.
pub fn affected<'a>(
    old: &'a Analysis,
    new: &'a Analysis,
    old_jobs: &[Job],
    jobs: &[Job],
    reads: &HashMap<String, Vec<Read>>,
) -> Option<Vec<usize>> {
    let old_data = old.site_data(false);
    let new_data = new.site_data(false);
    let old_keys: HashSet<String> = old_jobs.iter().map(|j| old_data.job_key(j)).collect();
    let new_keys: Vec<String> = jobs.iter().map(|j| new_data.job_key(j)).collect();
    if old_keys.len() != new_keys.len() || new_keys.iter().any(|k| !old_keys.contains(k)) {
        return None;
    }
    if !same_shape(old, new) {
        return None;
    }
    let by_path: HashMap<&str, ArticleId> = old
        .content
        .articles
        .enumerate()
        .map(|(i, a)| (a.path.as_str(), i))
        .collect();
    // Each new article's id in `old`.
    let mut before: Table<ArticleId, ArticleId> = Table::with_capacity(new.content.articles.len());
    for a in &new.content.articles {
        before.push(*by_path.get(a.path.as_str())?);
    }
    let ids = new.content.articles.ids();
    let paths = |a: &Analysis, list: &[ArticleId]| -> Vec<String> {
        list.iter()
            .map(|&i| a.content.articles[i].path.clone())
            .collect()
    };
    // Cards are compared as the views other pages show, so a new card field counts.
    let card_changed: Table<ArticleId, bool> = ids
        .clone()
        .map(|j| new_data.card_print(j) != old_data.card_print(before[j]))
        .collect();
    let faq_of = |a: &'a Analysis, i: ArticleId| -> Vec<(&'a str, &'a str, &'a str)> {
        a.faq[a.articles[i].faq.clone()]
            .iter()
            .map(|e| (e.question.as_str(), e.anchor.as_str(), &*e.answer_html))
            .collect()
    };
    let terms_changed: Table<ArticleId, bool> = ids
        .clone()
        .map(|j| term_names(new, j) != term_names(old, before[j]))
        .collect();
    // An article page's own inputs (the cards it shows are reads of their own).
    let page_changed: Table<ArticleId, bool> = ids
        .clone()
        .map(|j| {
            let i = before[j];
            let (x, y) = (&old.content.articles[i], &new.content.articles[j]);
            let (dx, dy) = (&old.articles[i], &new.articles[j]);
            x.text != y.text
                || card_changed[j]
                || terms_changed[j]
                || (!std::sync::Arc::ptr_eq(&dx.body, &dy.body) && dx.body.html != dy.body.html)
                || paths(old, &dx.backlinks) != paths(new, &dy.backlinks)
                || paths(old, &dx.related) != paths(new, &dy.related)
                || faq_of(old, i) != faq_of(new, j)
        })
        .collect();
    let mut changed: HashSet<Read> = HashSet::new();
    for j in ids.clone() {
        let path = &new.content.articles[j].path;
        if card_changed[j] {
            changed.insert(Read::Card(path.clone()));
            changed.insert(Read::EveryCard);
        }
        if page_changed[j] {
            changed.insert(Read::Page(path.clone()));
        }
    }
    // Listings: which articles each section and term shows (sections and terms are the
    // same in both: the shape is).
    for s in new.content.sections.ids() {
        let members = |d: &crate::render::SiteData<'_>| -> Vec<String> {
            d.section_articles(s)
                .map(|i| d.content.articles[i].path.clone())
                .collect()
        };
        if members(&old_data) != members(&new_data) {
            changed.insert(Read::Section(s));
        }
    }
    for (t, (x, y)) in old
        .taxonomies
        .list
        .iter()
        .zip(&new.taxonomies.list)
        .enumerate()
    {
        for (term, (a, b)) in x.terms.iter().zip(&y.terms).enumerate() {
            if paths(old, &a.articles) != paths(new, &b.articles) {
                changed.insert(Read::Term(t, term));
            }
        }
    }
    // The site-wide question list follows article order (a new weight moves it).
    let faq_changed = faq_order(old) != faq_order(new)
        || ids.clone().any(|j| {
            !new.articles[j].faq.is_empty()
                && (card_changed[j] || terms_changed[j] || faq_of(old, before[j]) != faq_of(new, j))
        });
    if faq_changed {
        changed.insert(Read::Faq);
    }

    Some(
        new_keys
            .iter()
            .enumerate()
            .filter(|(_, key)| {
                reads
                    .get(*key)
                    .is_none_or(|list| list.iter().any(|r| changed.contains(r)))
            })
            .map(|(i, _)| i)
            .collect(),
    )
}

/// The site's questions in order, by article path and anchor.
fn faq_order(a: &Analysis) -> Vec<(&str, &str)> {
    a.faq
        .iter()
        .map(|e| {
            (
                a.content.articles[e.article].path.as_str(),
                e.anchor.as_str(),
            )
        })
        .collect()
}

/// Navigation, section cards and headers, and the taxonomy terms: what every page or
/// many pages show.
fn same_shape(old: &Analysis, new: &Analysis) -> bool {
    let sections = |a: &Analysis| -> Vec<_> {
        a.content
            .sections
            .iter()
            .zip(&a.intros)
            .map(|(s, intro)| {
                (
                    s.path.clone(),
                    s.title.clone(),
                    s.description.clone(),
                    s.weight,
                    s.parent,
                    intro.clone(),
                )
            })
            .collect()
    };
    let terms = |a: &Analysis| -> Vec<_> {
        a.taxonomies
            .list
            .iter()
            .map(|t| {
                (
                    t.taxonomy,
                    t.terms
                        .iter()
                        .map(|x| (x.name.clone(), x.slug.clone()))
                        .collect::<Vec<_>>(),
                )
            })
            .collect()
    };
    old.section_order == new.section_order
        && sections(old) == sections(new)
        && terms(old) == terms(new)
}

/// The article's terms by taxonomy and slug.
fn term_names(a: &Analysis, i: ArticleId) -> Vec<(usize, &str)> {
    a.articles[i]
        .terms
        .iter()
        .map(|r| (r.taxonomy, a.taxonomies.term(*r).slug.as_str()))
        .collect()
}
