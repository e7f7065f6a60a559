//! Taxonomies: terms folded through kbgen.yaml's allowed terms, the term → articles index,
//! and related articles computed through that index (never by comparing every pair).

use crate::config::Config;
use crate::content::Content;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::ids::{ArticleId, Id as _, Table};
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
    pub articles: Vec<ArticleId>,
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
}

impl Taxonomies {
    pub fn term(&self, r: TermRef) -> &Term {
        &self.list[r.taxonomy].terms[r.term]
    }

    pub fn term_count(&self) -> usize {
        self.list.iter().map(|t| t.terms.len()).sum()
    }
}

/// Collects every article's terms into per-taxonomy term lists; also returns the terms of
/// each article, in kbgen.yaml order.
pub fn collect_terms(
    config: &Config,
    content: &Content,
    diags: &mut Diagnostics,
) -> (Taxonomies, Table<ArticleId, Vec<TermRef>>) {
    let mut list: Vec<TaxonomyTerms> = Vec::new();
    let mut of_article: Table<ArticleId, Vec<TermRef>> = content.articles.map(|_| Vec::new());
    for (ti, tax) in config.taxonomies.iter().enumerate() {
        // slug → (name, articles)
        let mut by_slug: HashMap<String, (String, Vec<ArticleId>)> = HashMap::new();
        for (ai, a) in content.articles.enumerate() {
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
                                    w.column,
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
                                w.column,
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
                            w.column,
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
    for refs in of_article.iter_mut() {
        refs.sort();
        refs.dedup();
    }
    (Taxonomies { list }, of_article)
}

/// Up to `limit` related articles per article: `explicit` first (already resolved), then
/// those sharing the most terms, ties broken by newer review date, then title.
pub fn related_articles(
    content: &Content,
    tax: &Taxonomies,
    terms: &Table<ArticleId, Vec<TermRef>>,
    explicit: &Table<ArticleId, Vec<ArticleId>>,
    limit: usize,
) -> Table<ArticleId, Vec<ArticleId>> {
    let n = content.articles.len();
    // One global rank for the tie-break (newer first, then title), so a candidate's whole
    // score packs into one integer: shared terms in the high bits, rank in the low bits.
    let mut by_recency: Vec<ArticleId> = content.articles.ids().collect();
    by_recency.sort_by(|&a, &b| {
        let (x, y) = (&content.articles[a], &content.articles[b]);
        y.reviewed()
            .map(|d| d.day)
            .cmp(&x.reviewed().map(|d| d.day))
            .then_with(|| x.matter.title.cmp(&y.matter.title))
            .then(a.cmp(&b))
    });
    let mut rank = vec![0u32; n];
    for (r, &a) in by_recency.iter().enumerate() {
        rank[a.index()] = r as u32;
    }
    let related: Vec<Vec<ArticleId>> = (0..n)
        .into_par_iter()
        .map(ArticleId::new)
        .map_init(
            || (vec![0u32; n], Vec::<u32>::new()),
            |(counts, touched), a| {
                let mut out: Vec<ArticleId> = Vec::with_capacity(limit);
                for &e in &explicit[a] {
                    if e != a && !out.contains(&e) && out.len() < limit {
                        out.push(e);
                    }
                }
                for r in &terms[a] {
                    for &b in &tax.term(*r).articles {
                        let b = b.index();
                        if counts[b] == 0 {
                            touched.push(b as u32);
                        }
                        counts[b] += 1;
                    }
                }
                // Keep the best few in a small sorted array: linear in the candidates.
                let mut best: Vec<u64> = Vec::with_capacity(limit + 1);
                for &b in touched.iter() {
                    let b = b as usize;
                    let score = (u64::from(counts[b]) << 32) | u64::from(u32::MAX - rank[b]);
                    counts[b] = 0;
                    let b = ArticleId::new(b);
                    if b == a || out.contains(&b) {
                        continue;
                    }
                    if best.len() < limit || score > best[best.len() - 1] {
                        let at = best.partition_point(|&s| s > score);
                        best.insert(at, score);
                        best.truncate(limit);
                    }
                }
                touched.clear();
                for score in best {
                    if out.len() >= limit {
                        break;
                    }
                    out.push(by_recency[(u32::MAX - (score as u32)) as usize]);
                }
                out
            },
        )
        .collect();
    related.into()
}
