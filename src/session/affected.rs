//! Which pages a content change can reach, found without making them.
//!
//! Fingerprinting every page's view costs about a second at 10,000 articles, most of it on
//! pages an edit cannot touch. When the change leaves the site's shape alone (the same
//! pages, sections, navigation and taxonomy terms), the pages that read a changed article
//! are few: its own page, the pages that show its card (its section and their ancestors,
//! its terms, the articles that list it as a backlink or related article, aliases), the
//! home page and the FAQ pages. Only those are fingerprinted; the fingerprint still decides
//! which of them are made again. With `Session::with_reach_check` (the incremental tests
//! switch it on) every page is fingerprinted as well, and each page outside the set that
//! changed is recorded for the test to report, so the tests check the rules below.

use crate::ids::{ArticleId, SectionId, Table};
use crate::render::Job;
use crate::site::Analysis;
use std::collections::{HashMap, HashSet};

/// The indices of the jobs (of `new`) whose pages may differ from those made from `old`;
/// `None` when the change may reach any page.
pub fn affected(
    old: &Analysis,
    new: &Analysis,
    old_jobs: &[Job],
    jobs: &[Job],
) -> Option<Vec<usize>> {
    let old_keys: HashSet<String> = old_jobs.iter().map(|j| key(old, j)).collect();
    let new_keys: Vec<String> = jobs.iter().map(|j| key(new, j)).collect();
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
    let card_changed: Table<ArticleId, bool> = ids
        .clone()
        .map(|j| card(new, j) != card(old, before[j]))
        .collect();
    let faq_of = |a: &Analysis, i: ArticleId| -> Vec<(String, String, String)> {
        a.faq[a.articles[i].faq.clone()]
            .iter()
            .map(|e| (e.question.clone(), e.anchor.clone(), e.answer_html.clone()))
            .collect()
    };
    let terms_changed: Table<ArticleId, bool> = ids
        .clone()
        .map(|j| term_names(new, j) != term_names(old, before[j]))
        .collect();
    let page_changed: Table<ArticleId, bool> = ids
        .clone()
        .map(|j| {
            let i = before[j];
            let (x, y) = (&old.content.articles[i], &new.content.articles[j]);
            let (dx, dy) = (&old.articles[i], &new.articles[j]);
            x.text != y.text
                || card_changed[j]
                || terms_changed[j]
                || dx.html != dy.html
                || paths(old, &dx.backlinks) != paths(new, &dy.backlinks)
                || paths(old, &dx.related) != paths(new, &dy.related)
                || faq_of(old, i) != faq_of(new, j)
                || dy
                    .backlinks
                    .iter()
                    .chain(&dy.related)
                    .any(|&k| card_changed[k])
        })
        .collect();

    // Sections whose listing changed, and every ancestor (they show it as a card).
    let members = |a: &Analysis, s: SectionId| -> Vec<String> {
        a.content
            .articles
            .iter()
            .filter(|x| x.section == s)
            .map(|x| x.path.clone())
            .collect()
    };
    let mut sections: HashSet<SectionId> = HashSet::new();
    for s in new.content.sections.ids() {
        let changed = members(old, s) != members(new, s)
            || ids
                .clone()
                .any(|j| new.content.articles[j].section == s && card_changed[j]);
        if changed {
            sections.insert(s);
            sections.extend(new.content.ancestry(s));
        }
    }
    // Terms whose listing changed.
    let mut terms: HashSet<(usize, usize)> = HashSet::new();
    for (t, (x, y)) in old
        .taxonomies
        .list
        .iter()
        .zip(&new.taxonomies.list)
        .enumerate()
    {
        for (term, (a, b)) in x.terms.iter().zip(&y.terms).enumerate() {
            if paths(old, &a.articles) != paths(new, &b.articles)
                || b.articles.iter().any(|&j| card_changed[j])
            {
                terms.insert((t, term));
            }
        }
    }
    // The site-wide question list follows article order (a new weight moves it).
    let faq_changed = faq_order(old) != faq_order(new)
        || ids.clone().any(|j| {
            !new.articles[j].faq.is_empty()
                && (card_changed[j] || terms_changed[j] || faq_of(old, before[j]) != faq_of(new, j))
        });

    Some(
        jobs.iter()
            .enumerate()
            .filter(|(_, job)| match job {
                Job::Home => true,
                Job::Article(j) => page_changed[*j],
                Job::Section { section, .. } => sections.contains(section),
                Job::Taxonomy(t) => terms.iter().any(|(x, _)| x == t),
                Job::Term { taxonomy, term, .. } => terms.contains(&(*taxonomy, *term)),
                Job::FaqIndex | Job::FaqSection(_) => faq_changed,
                Job::Alias { article, .. } => card_changed[*article],
                Job::Search | Job::NotFound => false,
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

/// A name for a job that does not depend on article or section order.
fn key(a: &Analysis, job: &Job) -> String {
    let section = |s: SectionId| a.content.sections[s].path.as_str();
    let taxonomy = |t: usize| {
        a.config.taxonomies[a.taxonomies.list[t].taxonomy]
            .name
            .as_str()
    };
    match job {
        Job::Home => "home".into(),
        Job::FaqIndex => "faq".into(),
        Job::Search => "search".into(),
        Job::NotFound => "404".into(),
        Job::Section { section: s, page } => format!("s {} {page}", section(*s)),
        Job::Article(i) => format!("a {}", a.content.articles[*i].path),
        Job::Taxonomy(t) => format!("t {}", taxonomy(*t)),
        Job::Term {
            taxonomy: t,
            term,
            page,
        } => format!(
            "T {} {} {page}",
            taxonomy(*t),
            a.taxonomies.list[*t].terms[*term].slug
        ),
        Job::FaqSection(s) => format!("f {}", section(*s)),
        Job::Alias { article, path } => {
            format!("l {path} {}", a.content.articles[*article].path)
        }
    }
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

/// What another page shows of article `i`.
fn card(a: &Analysis, i: ArticleId) -> (&str, &str, SectionId, Option<&str>, Option<&str>) {
    let art = &a.content.articles[i];
    (
        &art.matter.title,
        &a.articles[i].summary,
        art.section,
        art.reviewed().map(|d| d.iso.as_str()),
        art.matter.date.as_ref().map(|d| d.iso.as_str()),
    )
}

/// The article's terms by taxonomy and slug.
fn term_names(a: &Analysis, i: ArticleId) -> Vec<(usize, &str)> {
    a.articles[i]
        .terms
        .iter()
        .map(|r| (r.taxonomy, a.taxonomies.term(*r).slug.as_str()))
        .collect()
}
