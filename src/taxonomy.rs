//! Taxonomies: terms folded through kbgen.yaml's allowed terms, the term → articles index,
//! and related articles computed through that index (never by comparing every pair).

use crate::config::Config;
use crate::content::Content;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::names::{closest, name_of};
use rayon::prelude::*;
use std::collections::HashMap;

#[derive(Debug, Clone)]
pub struct Term {
    /// As shown: the canonical name (aliases folded in).
    pub name: String,
    /// Folder under the taxonomy's segment.
    pub slug: String,
    /// Articles carrying the term, in content order.
    pub articles: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct TaxonomyTerms {
    /// Index into `Config::taxonomies`.
    pub taxonomy: usize,
    /// Sorted by slug (stable), each with its articles.
    pub terms: Vec<Term>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TermRef {
    pub taxonomy: usize,
    pub term: usize,
}

#[derive(Debug, Clone, Default)]
pub struct Taxonomies {
    pub list: Vec<TaxonomyTerms>,
    /// The terms of each article, in kbgen.yaml order.
    pub of_article: Vec<Vec<TermRef>>,
}

impl Taxonomies {
    pub fn term(&self, r: TermRef) -> &Term {
        &self.list[r.taxonomy].terms[r.term]
    }

    pub fn term_count(&self) -> usize {
        self.list.iter().map(|t| t.terms.len()).sum()
    }
}

/// Collects every article's terms into per-taxonomy term lists.
pub fn collect_terms(config: &Config, content: &Content, diags: &mut Diagnostics) -> Taxonomies {
    let mut list: Vec<TaxonomyTerms> = Vec::new();
    let mut of_article: Vec<Vec<TermRef>> = vec![Vec::new(); content.articles.len()];
    for (ti, tax) in config.taxonomies.iter().enumerate() {
        // slug → (name, articles)
        let mut by_slug: HashMap<String, (String, Vec<usize>)> = HashMap::new();
        for (ai, a) in content.articles.iter().enumerate() {
            let Some((_, written)) = a.matter.terms.iter().find(|(n, _)| n == &tax.name) else {
                continue;
            };
            for w in written {
                let (name, slug) = match &tax.allowed {
                    Some(allowed) => match allowed.resolve(&w.value) {
                        Some(i) => allowed.terms[i].clone(),
                        None => {
                            let hint = closest(
                                &w.value,
                                allowed
                                    .terms
                                    .iter()
                                    .map(|(n, _)| n.as_str())
                                    .chain(allowed.names()),
                            )
                            .map(|c| format!(" (did you mean `{c}`?)"))
                            .unwrap_or_else(|| {
                                let names: Vec<&str> =
                                    allowed.terms.iter().map(|(n, _)| n.as_str()).collect();
                                format!(" (allowed: {})", names.join(", "))
                            });
                            diags.push(
                                Diagnostic::error(
                                    &a.source,
                                    w.line,
                                    1,
                                    format!(
                                        "`{}` is not an allowed term of `{}`{hint}",
                                        w.value, tax.name
                                    ),
                                )
                                .with_source(&a.text),
                            );
                            continue;
                        }
                    },
                    None => {
                        let slug = name_of(&w.value);
                        if slug.is_empty() {
                            diags.push(Diagnostic::error(
                                &a.source,
                                w.line,
                                1,
                                format!(
                                    "term `{}` has no letters or digits to name its page",
                                    w.value
                                ),
                            ));
                            continue;
                        }
                        (w.value.clone(), slug)
                    }
                };
                let entry = by_slug
                    .entry(slug)
                    .or_insert_with(|| (name.clone(), Vec::new()));
                if entry.0 != name {
                    diags.push(
                        Diagnostic::warning(
                            &a.source,
                            w.line,
                            1,
                            format!(
                                "term `{name}` is folded into `{}` (both name the same page)",
                                entry.0
                            ),
                        )
                        .with_source(&a.text),
                    );
                }
                if entry.1.last() != Some(&ai) {
                    entry.1.push(ai);
                }
            }
        }
        let mut terms: Vec<Term> = by_slug
            .into_iter()
            .map(|(slug, (name, articles))| Term {
                name,
                slug,
                articles,
            })
            .collect();
        terms.sort_by(|a, b| a.slug.cmp(&b.slug));
        for (term_i, t) in terms.iter().enumerate() {
            for &a in &t.articles {
                of_article[a].push(TermRef {
                    taxonomy: ti,
                    term: term_i,
                });
            }
        }
        list.push(TaxonomyTerms {
            taxonomy: ti,
            terms,
        });
    }
    for refs in &mut of_article {
        refs.sort();
        refs.dedup();
    }
    Taxonomies { list, of_article }
}

/// Up to `limit` related articles per article: `explicit` first (already resolved), then
/// those sharing the most terms, ties broken by newer review date, then title.
pub fn related_articles(
    content: &Content,
    tax: &Taxonomies,
    explicit: &[Vec<usize>],
    limit: usize,
) -> Vec<Vec<usize>> {
    let n = content.articles.len();
    (0..n)
        .into_par_iter()
        .map_init(
            || (vec![0u32; n], Vec::<usize>::new()),
            |(counts, touched), a| {
                let mut out: Vec<usize> = Vec::with_capacity(limit);
                for &e in &explicit[a] {
                    if e != a && !out.contains(&e) && out.len() < limit {
                        out.push(e);
                    }
                }
                for r in &tax.of_article[a] {
                    for &b in &tax.term(*r).articles {
                        if b != a {
                            if counts[b] == 0 {
                                touched.push(b);
                            }
                            counts[b] += 1;
                        }
                    }
                }
                let mut scored: Vec<(u32, usize)> =
                    touched.iter().map(|&b| (counts[b], b)).collect();
                for &b in touched.iter() {
                    counts[b] = 0;
                }
                touched.clear();
                let key = |b: usize| {
                    let art = &content.articles[b];
                    (art.reviewed().map(|d| d.day), &art.matter.title)
                };
                let need = limit.saturating_sub(out.len());
                if need > 0 && !scored.is_empty() {
                    let cmp = |x: &(u32, usize), y: &(u32, usize)| {
                        y.0.cmp(&x.0)
                            .then_with(|| key(y.1).0.cmp(&key(x.1).0))
                            .then_with(|| key(x.1).1.cmp(key(y.1).1))
                            .then(x.1.cmp(&y.1))
                    };
                    // Only the best few matter: partial selection keeps this linear in candidates.
                    let take = (need + out.len()).min(scored.len());
                    if scored.len() > take {
                        scored.select_nth_unstable_by(take - 1, cmp);
                        scored.truncate(take);
                    }
                    scored.sort_by(cmp);
                    for (_, b) in scored {
                        if out.len() >= limit {
                            break;
                        }
                        if !out.contains(&b) {
                            out.push(b);
                        }
                    }
                }
                out
            },
        )
        .collect()
}
