//! Taxonomies: terms folded through kbgen.yaml's allowed terms, the term → articles index,
//! and related articles computed through that index (never by comparing every pair).

use crate::config::Config;
use crate::content::Content;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::ids::{ArticleId, Id as _, Table};
use crate::names::{closest, name_of};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};

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
        // The terms found, each with the name it was first written with and its articles;
        // `slot` finds one by slug.
        let mut found: Vec<Term> = Vec::new();
        let mut slot: HashMap<String, usize> = HashMap::new();
        // What each written value resolves to, made once per value: a site writes the same
        // few terms thousands of times, and each was named and looked up again.
        let mut resolved: crate::search::encode::FxHashMap<&str, Resolved> = Default::default();
        for (ai, a) in content.articles.enumerate() {
            let Some((_, written)) = a.matter.terms.iter().find(|(n, _)| n == &tax.name) else {
                continue;
            };
            for w in written {
                let r = resolved.entry(w.value.as_str()).or_insert_with(|| {
                    let (name, slug) = match &tax.allowed {
                        Some(allowed) => match allowed.resolve(&w.value) {
                            Some(i) => {
                                (allowed.terms[i].name.clone(), allowed.terms[i].slug.clone())
                            }
                            None => return Resolved::NotAllowed,
                        },
                        None => {
                            let slug = name_of(&w.value);
                            if slug.is_empty() {
                                return Resolved::NoLetters;
                            }
                            (w.value.clone(), slug)
                        }
                    };
                    let at = *slot.entry(slug).or_insert_with_key(|slug| {
                        found.push(Term {
                            name: name.clone(),
                            slug: slug.clone(),
                            articles: Vec::new(),
                        });
                        found.len() - 1
                    });
                    Resolved::Term { at, name }
                });
                let (at, name) = match r {
                    Resolved::Term { at, name } => (*at, name.as_str()),
                    Resolved::NotAllowed => {
                        let allowed = tax.allowed.as_ref().expect("only an allowed list refuses");
                        let hint = closest(
                            &w.value,
                            allowed
                                .terms
                                .iter()
                                .map(|t| t.name.as_str())
                                .chain(allowed.names()),
                        )
                        .map(|c| format!(" (did you mean `{c}`?)"))
                        .unwrap_or_else(|| {
                            let names: Vec<&str> =
                                allowed.terms.iter().map(|t| t.name.as_str()).collect();
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
                    Resolved::NoLetters => {
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
                };
                let entry = &mut found[at];
                if entry.name != name {
                    diags.push(
                        Diagnostic::warning(
                            &a.source,
                            w.line,
                            w.column,
                            format!(
                                "term `{name}` is folded into `{}` (both name the same page)",
                                entry.name
                            ),
                        )
                        .with_source(&a.text),
                    );
                }
                if entry.articles.last() != Some(&ai) {
                    entry.articles.push(ai);
                }
            }
        }
        let mut terms = found;
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

/// What a term as written comes to (`collect_terms`): a term (its place in the list found,
/// and the name it gives), or the error to report wherever it is written.
enum Resolved {
    Term { at: usize, name: String },
    NotAllowed,
    NoLetters,
}

/// The browse page's matrix: which articles carry both a term of the rows' taxonomy and a
/// term of the columns'. Made once per analysis from the articles' terms (every page that
/// shows a cell or a count reads it from here).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Matrix {
    /// Indices into `Taxonomies::list` (and `Config::taxonomies`).
    pub rows: usize,
    pub columns: usize,
    /// The cells that hold an article, by (row term, column term) — indices into their
    /// taxonomy's `terms` —, each with its articles in content order.
    pub cells: BTreeMap<(usize, usize), Vec<ArticleId>>,
    /// Per term of the rows' taxonomy: how many articles its row holds (each once, however
    /// many of the columns' terms it carries).
    pub row_totals: Vec<usize>,
    /// The same per term of the columns' taxonomy.
    pub column_totals: Vec<usize>,
    /// Articles carrying terms of both taxonomies.
    pub total: usize,
}

/// The matrix of `browse` (None when no article carries terms of both taxonomies).
pub fn cross_terms(
    browse: &crate::config::Browse,
    tax: &Taxonomies,
    terms: &Table<ArticleId, Vec<TermRef>>,
) -> Option<Matrix> {
    let mut m = Matrix {
        rows: browse.rows,
        columns: browse.columns,
        row_totals: vec![0; tax.list[browse.rows].terms.len()],
        column_totals: vec![0; tax.list[browse.columns].terms.len()],
        ..Matrix::default()
    };
    for (a, refs) in terms.enumerate() {
        let of = |t: usize| refs.iter().filter(move |r| r.taxonomy == t).map(|r| r.term);
        if of(m.rows).next().is_none() || of(m.columns).next().is_none() {
            continue;
        }
        m.total += 1;
        for r in of(m.rows) {
            m.row_totals[r] += 1;
            for c in of(m.columns) {
                m.cells.entry((r, c)).or_default().push(a);
            }
        }
        for c in of(m.columns) {
            m.column_totals[c] += 1;
        }
    }
    (m.total > 0).then_some(m)
}

/// Up to `limit` related articles per article: `explicit` first (already resolved), then
/// those sharing the most terms, ties broken by their place in `by_recency`
/// ([`recency_order`]: newer review date, then title). With `before` (the lists of an
/// earlier analysis), only the lists a few changed articles can reach are made again.
pub fn related_articles(
    by_recency: &[ArticleId],
    tax: &Taxonomies,
    terms: &Table<ArticleId, Vec<TermRef>>,
    explicit: &Table<ArticleId, Vec<ArticleId>>,
    limit: usize,
    before: Option<&Before<'_>>,
) -> Table<ArticleId, Vec<ArticleId>> {
    let mut first = Vec::with_capacity(tax.list.len());
    let mut members: Vec<&[ArticleId]> = Vec::new();
    for t in &tax.list {
        first.push(members.len());
        members.extend(t.terms.iter().map(|term| term.articles.as_slice()));
    }
    let flat: Table<ArticleId, Vec<usize>> =
        terms.map(|refs| refs.iter().map(|r| first[r.taxonomy] + r.term).collect());
    related_by_terms(by_recency, &members, &flat, explicit, limit, before)
}

/// The related lists of an earlier analysis of the same site, to update.
pub struct Before<'a> {
    /// By article: its id in the earlier analysis when it is unchanged there — read from the
    /// same file (so the same terms, dates, title and `related:` entries), its `related:`
    /// entries finding the same articles —, else `None`.
    pub was: &'a [Option<ArticleId>],
    /// The earlier tie-break order and lists (of earlier ids), by earlier id.
    pub recency: &'a [ArticleId],
    pub lists: Vec<&'a [ArticleId]>,
}

/// More changed articles than this and every list is made again.
const MAX_UPDATED: usize = 32;

/// Every article in the related lists' tie-break order: newer first, then by title. With
/// the same terms, the same order and the same `related:` entries, the lists are the same.
pub fn recency_order(content: &Content) -> Vec<ArticleId> {
    let mut by_recency: Vec<ArticleId> = content.articles.ids().collect();
    by_recency.sort_by(|&a, &b| {
        let (x, y) = (&content.articles[a], &content.articles[b]);
        y.reviewed()
            .map(|d| d.day)
            .cmp(&x.reviewed().map(|d| d.day))
            .then_with(|| x.matter.title.cmp(&y.matter.title))
            .then(a.cmp(&b))
    });
    by_recency
}

/// The articles a term holds, as positions in the tie-break order: a bit set when the term
/// is common (one bit per article), else the list (a set would be mostly zeros).
enum Members {
    Bits(Vec<u64>),
    List(Vec<u32>),
}

/// `related_articles` on plain data: `by_recency` is every article, best tie-break first;
/// `members[t]` the articles of term `t`; `terms[a]` the (distinct, sorted) terms of
/// article `a`.
fn related_by_terms(
    by_recency: &[ArticleId],
    members: &[&[ArticleId]],
    terms: &Table<ArticleId, Vec<usize>>,
    explicit: &Table<ArticleId, Vec<ArticleId>>,
    limit: usize,
    before: Option<&Before<'_>>,
) -> Table<ArticleId, Vec<ArticleId>> {
    let scorer = Scorer::new(by_recency, members);
    if let Some(lists) = before.and_then(|b| scorer.update(b, terms, explicit, limit)) {
        return lists.into();
    }
    let related: Vec<Vec<ArticleId>> = (0..terms.len())
        .into_par_iter()
        .map(ArticleId::new)
        .map_init(Vec::<u64>::new, |counters, a| {
            scorer.list(a, &terms[a], &explicit[a], limit, counters)
        })
        .collect();
    related.into()
}

/// Adds a common term's set (one bit per article) to bit-sliced counters of `k` slices a
/// word. Inlined where `k` is a constant, so the carry is unrolled.
#[inline(always)]
fn add_set(counters: &mut [u64], bits: &[u64], k: usize) {
    for (slices, &b) in counters.chunks_exact_mut(k).zip(bits) {
        let mut carry = b;
        for c in slices {
            let was = *c;
            *c ^= carry;
            carry &= was;
        }
    }
}

/// Each article's candidates are counted in bit-sliced counters over the tie-break order
/// (slice `s` of word `w` holds bit `s` of 64 articles' shared-term counts), so adding a
/// common term costs a few word operations per 64 articles instead of one random increment
/// per article, and the best candidates are the first set bits of the highest count.
struct Scorer<'a> {
    by_recency: &'a [ArticleId],
    members: &'a [&'a [ArticleId]],
    /// By article: its place in `by_recency`.
    position: Vec<u32>,
    sets: Vec<Members>,
    words: usize,
}

impl<'a> Scorer<'a> {
    fn new(by_recency: &'a [ArticleId], members: &'a [&'a [ArticleId]]) -> Scorer<'a> {
        let n = by_recency.len();
        let words = n.div_ceil(64);
        let mut position = vec![0u32; n];
        for (r, &a) in by_recency.iter().enumerate() {
            position[a.index()] = r as u32;
        }
        let sets: Vec<Members> = members
            .par_iter()
            .map(|articles| {
                if articles.len() > words {
                    let mut bits = vec![0u64; words];
                    for a in *articles {
                        let p = position[a.index()] as usize;
                        bits[p / 64] |= 1 << (p % 64);
                    }
                    Members::Bits(bits)
                } else {
                    Members::List(articles.iter().map(|a| position[a.index()]).collect())
                }
            })
            .collect();
        Scorer {
            by_recency,
            members,
            position,
            sets,
            words,
        }
    }

    /// How many of `explicit` open an article's list (each once, not the article itself).
    fn explicit_count(a: ArticleId, explicit: &[ArticleId], limit: usize) -> usize {
        let mut seen: Vec<ArticleId> = Vec::with_capacity(explicit.len());
        for &e in explicit {
            if e != a && !seen.contains(&e) && seen.len() < limit {
                seen.push(e);
            }
        }
        seen.len()
    }

    /// The list of article `a`, with terms `mine` and `related:` entries `explicit`.
    fn list(
        &self,
        a: ArticleId,
        mine: &[usize],
        explicit: &[ArticleId],
        limit: usize,
        counters: &mut Vec<u64>,
    ) -> Vec<ArticleId> {
        let words = self.words;
        let mut out: Vec<ArticleId> = Vec::with_capacity(limit);
        for &e in explicit {
            if e != a && !out.contains(&e) && out.len() < limit {
                out.push(e);
            }
        }
        if out.len() >= limit || mine.is_empty() {
            return out;
        }
        // Bits per count: enough for "shares every one of my terms".
        let k = (usize::BITS - mine.len().leading_zeros()) as usize;
        counters.clear();
        counters.resize(words * k, 0);
        let add = |counters: &mut [u64], w: usize, mut carry: u64| {
            for c in &mut counters[w * k..(w + 1) * k] {
                let was = *c;
                *c ^= carry;
                carry &= was;
                if carry == 0 {
                    break;
                }
            }
        };
        for &t in mine {
            match &self.sets[t] {
                // Every word of a common term's set: without `add`'s early stop, whose
                // branch the processor could not guess (a count never carries out of its
                // top slice, so going on with no carry changes nothing).
                Members::Bits(bits) => match k {
                    1 => add_set(counters, bits, 1),
                    2 => add_set(counters, bits, 2),
                    3 => add_set(counters, bits, 3),
                    4 => add_set(counters, bits, 4),
                    _ => add_set(counters, bits, k),
                },
                Members::List(list) => {
                    for &p in list {
                        add(counters, p as usize / 64, 1 << (p % 64));
                    }
                }
            }
        }
        // Highest count first; within a count, tie-break order (lowest position).
        'counts: for count in (1..=mine.len()).rev() {
            for w in 0..words {
                let mut equal = !0u64;
                for (s, &c) in counters[w * k..(w + 1) * k].iter().enumerate() {
                    equal &= if count >> s & 1 == 1 { c } else { !c };
                }
                while equal != 0 {
                    let p = w * 64 + equal.trailing_zeros() as usize;
                    equal &= equal - 1;
                    let b = self.by_recency[p];
                    if b != a && !out.contains(&b) {
                        out.push(b);
                        if out.len() >= limit {
                            break 'counts;
                        }
                    }
                }
            }
        }
        out
    }

    /// The lists after a few articles changed (`before.was` is `None` for them: edited or
    /// new), or `None` when that is not a few, or the unchanged ones moved among themselves.
    ///
    /// An unchanged article's candidates other than the changed ones keep their shared-term
    /// counts and their order, so its earlier list holds unless it held a changed or deleted
    /// article, or a changed one now ranks above its last ranked entry (or finds room in a
    /// list that ran out of candidates). Only those lists and the changed articles' own are
    /// made again.
    fn update(
        &self,
        before: &Before<'_>,
        terms: &Table<ArticleId, Vec<usize>>,
        explicit: &Table<ArticleId, Vec<ArticleId>>,
        limit: usize,
    ) -> Option<Vec<Vec<ArticleId>>> {
        let n = self.by_recency.len();
        let changed: Vec<ArticleId> = (0..n)
            .filter(|&i| before.was[i].is_none())
            .map(ArticleId::new)
            .collect();
        if changed.len() > MAX_UPDATED || before.was.len() != n {
            return None;
        }
        let mut now_of: Vec<Option<ArticleId>> = vec![None; before.lists.len()];
        for (i, was) in before.was.iter().enumerate() {
            if let Some(o) = was {
                *now_of.get_mut(o.index())? = Some(ArticleId::new(i));
            }
        }
        let kept_before = before.recency.iter().filter_map(|o| now_of[o.index()]);
        let kept_now = self
            .by_recency
            .iter()
            .copied()
            .filter(|a| before.was[a.index()].is_some());
        if !kept_before.eq(kept_now) {
            return None;
        }
        // By changed article: how many terms it shares with each article.
        let shared: Vec<Vec<u32>> = changed
            .iter()
            .map(|&c| {
                let mut counts = vec![0u32; n];
                for &t in &terms[c] {
                    for b in self.members[t] {
                        counts[b.index()] += 1;
                    }
                }
                counts
            })
            .collect();
        let position = |a: ArticleId| self.position[a.index()];
        let lists = (0..n)
            .into_par_iter()
            .map(ArticleId::new)
            .map_init(Vec::<u64>::new, |counters, b| {
                let mut redo = || self.list(b, &terms[b], &explicit[b], limit, counters);
                let Some(was) = before.was[b.index()] else {
                    return redo();
                };
                let old: Option<Vec<ArticleId>> = before.lists[was.index()]
                    .iter()
                    .map(|x| now_of[x.index()])
                    .collect();
                let Some(old) = old else {
                    return redo();
                };
                let room = limit - Scorer::explicit_count(b, &explicit[b], limit);
                let Some(ranked) = old.get(limit - room..) else {
                    return redo();
                };
                if room == 0 || terms[b].is_empty() {
                    return old;
                }
                // The last ranked entry's count and place, when the list is full.
                let last = (ranked.len() == room)
                    .then(|| ranked.last().copied())
                    .flatten()
                    .map(|l| (shared_count(&terms[b], &terms[l]), position(l)));
                let enters = changed.iter().zip(&shared).any(|(&a, counts)| {
                    let s = counts[b.index()];
                    if s == 0 || a == b || explicit[b].contains(&a) {
                        return false;
                    }
                    match last {
                        Some((ls, lp)) => s > ls || (s == ls && position(a) < lp),
                        None => true,
                    }
                });
                if enters {
                    redo()
                } else {
                    old
                }
            })
            .collect();
        Some(lists)
    }
}

/// How many entries two sorted lists share.
fn shared_count(x: &[usize], y: &[usize]) -> u32 {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < x.len() && j < y.len() {
        match x[i].cmp(&y[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator: each call gives a number below `m`.
    fn xorshift(mut seed: u64) -> impl FnMut(usize) -> usize {
        move |m| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % m as u64) as usize
        }
    }

    /// The plain definition: count shared terms per candidate, sort by (count desc, order).
    fn reference(
        by_recency: &[ArticleId],
        members: &[&[ArticleId]],
        terms: &Table<ArticleId, Vec<usize>>,
        explicit: &Table<ArticleId, Vec<ArticleId>>,
        limit: usize,
    ) -> Vec<Vec<ArticleId>> {
        let n = by_recency.len();
        let order = |b: ArticleId| by_recency.iter().position(|&x| x == b).unwrap();
        (0..n)
            .map(ArticleId::new)
            .map(|a| {
                let mut out: Vec<ArticleId> = Vec::new();
                for &e in &explicit[a] {
                    if e != a && !out.contains(&e) && out.len() < limit {
                        out.push(e);
                    }
                }
                let mut counts = vec![0usize; n];
                for &t in &terms[a] {
                    for b in members[t] {
                        counts[b.index()] += 1;
                    }
                }
                let mut cands: Vec<ArticleId> = (0..n)
                    .map(ArticleId::new)
                    .filter(|&b| counts[b.index()] > 0 && b != a && !out.contains(&b))
                    .collect();
                cands.sort_by_key(|&b| (std::cmp::Reverse(counts[b.index()]), order(b)));
                for b in cands {
                    if out.len() >= limit {
                        break;
                    }
                    out.push(b);
                }
                out
            })
            .collect()
    }

    #[test]
    fn related_by_bit_sliced_counts_matches_the_plain_definition() {
        // Sites of 1 to 300 articles, dense and sparse terms.
        let mut next = xorshift(0x2545_f491_4f6c_dd1d);
        for round in 0..60 {
            let n = 1 + next(300);
            let term_count = 1 + next(40);
            let mut of_term: Vec<Vec<ArticleId>> = vec![Vec::new(); term_count];
            let mut terms: Table<ArticleId, Vec<usize>> = Table::with_capacity(n);
            for a in 0..n {
                // Up to 8 terms an article, up to 24 in every fourth round: counts of
                // 1 to 5 bit slices.
                let most = if round % 4 == 3 { 25 } else { 9 };
                let mut mine: Vec<usize> = (0..next(most)).map(|_| next(term_count)).collect();
                // Some terms are common: many articles carry term 0.
                if next(3) == 0 {
                    mine.push(0);
                }
                mine.sort_unstable();
                mine.dedup();
                for &t in &mine {
                    of_term[t].push(ArticleId::new(a));
                }
                terms.push(mine);
            }
            let mut by_recency: Vec<ArticleId> = (0..n).map(ArticleId::new).collect();
            for i in (1..n).rev() {
                by_recency.swap(i, next(i + 1));
            }
            let explicit: Table<ArticleId, Vec<ArticleId>> = terms.map(|_| {
                (0..next(3))
                    .map(|_| ArticleId::new(next(n)))
                    .collect::<Vec<_>>()
            });
            let members: Vec<&[ArticleId]> = of_term.iter().map(Vec::as_slice).collect();
            let limit = 1 + round % 7;
            let fast = related_by_terms(&by_recency, &members, &terms, &explicit, limit, None);
            let slow = reference(&by_recency, &members, &terms, &explicit, limit);
            assert_eq!(
                fast.as_slice(),
                slow.as_slice(),
                "round {round}, {n} articles"
            );
        }
    }

    #[test]
    fn updated_related_lists_are_the_lists_made_afresh() {
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
        let ids = |v: &[usize]| v.iter().map(|&x| ArticleId::new(x)).collect::<Vec<_>>();
        let members_of = |terms: &[Vec<usize>], count: usize| {
            let mut of_term: Vec<Vec<ArticleId>> = vec![Vec::new(); count];
            for (a, mine) in terms.iter().enumerate() {
                for &t in mine {
                    of_term[t].push(ArticleId::new(a));
                }
            }
            of_term
        };
        let mut updated = 0;
        for round in 0..300 {
            let n = 1 + next(120);
            let term_count = 1 + next(12);
            let limit = 1 + round % 6;
            let some_terms = |next: &mut dyn FnMut(usize) -> usize| {
                let mut mine: Vec<usize> = (0..next(6)).map(|_| next(term_count)).collect();
                mine.sort_unstable();
                mine.dedup();
                mine
            };
            let terms0: Vec<Vec<usize>> = (0..n).map(|_| some_terms(&mut next)).collect();
            let explicit0: Vec<Vec<usize>> = (0..n)
                .map(|_| (0..next(4) / 3).map(|_| next(n)).collect())
                .collect();
            let mut order0: Vec<usize> = (0..n).collect();
            for i in (1..n).rev() {
                order0.swap(i, next(i + 1));
            }
            let members0 = members_of(&terms0, term_count);
            let members0: Vec<&[ArticleId]> = members0.iter().map(Vec::as_slice).collect();
            let terms0t: Table<ArticleId, Vec<usize>> = terms0.clone().into();
            let explicit0t: Table<ArticleId, Vec<ArticleId>> =
                explicit0.iter().map(|e| ids(e)).collect::<Vec<_>>().into();
            let order0 = ids(&order0);
            let lists0 = related_by_terms(&order0, &members0, &terms0t, &explicit0t, limit, None);

            // The new site: each article's earlier index, or None for a new one.
            let mut src: Vec<Option<usize>> = (0..n).map(Some).collect();
            for _ in 0..next(3) / 2 {
                if src.len() > 1 {
                    src.remove(next(src.len()));
                }
            }
            for _ in 0..next(3) / 2 {
                src.insert(next(src.len() + 1), None);
            }
            let m = src.len();
            let mut changed: Vec<bool> = src.iter().map(Option::is_none).collect();
            for _ in 0..next(4) {
                changed[next(m)] = true;
            }
            let new_of: Vec<Option<usize>> = {
                let mut v = vec![None; n];
                for (j, s) in src.iter().enumerate() {
                    if let Some(i) = s {
                        v[*i] = Some(j);
                    }
                }
                v
            };
            let mut explicit1: Vec<Vec<usize>> = Vec::with_capacity(m);
            for j in 0..m {
                let kept = src[j].filter(|_| !changed[j]).map(|i| {
                    explicit0[i]
                        .iter()
                        .map(|&x| new_of[x])
                        .collect::<Option<Vec<usize>>>()
                });
                match kept {
                    Some(Some(e)) => explicit1.push(e),
                    // A `related:` entry went: the article's list is made again.
                    _ => {
                        changed[j] = true;
                        explicit1.push((0..next(4) / 3).map(|_| next(m)).collect());
                    }
                }
            }
            let terms1: Vec<Vec<usize>> = (0..m)
                .map(|j| match src[j] {
                    Some(i) if !changed[j] || next(2) == 0 => terms0[i].clone(),
                    _ => some_terms(&mut next),
                })
                .collect();
            // The unchanged keep their order; the others go anywhere.
            let mut order1: Vec<usize> = order0
                .iter()
                .filter_map(|o| new_of[o.index()])
                .filter(|&j| !changed[j])
                .collect();
            for j in (0..m).filter(|&j| changed[j]) {
                order1.insert(next(order1.len() + 1), j);
            }
            let was: Vec<Option<ArticleId>> = (0..m)
                .map(|j| src[j].filter(|_| !changed[j]).map(ArticleId::new))
                .collect();
            let members1 = members_of(&terms1, term_count);
            let members1: Vec<&[ArticleId]> = members1.iter().map(Vec::as_slice).collect();
            let terms1t: Table<ArticleId, Vec<usize>> = terms1.into();
            let explicit1t: Table<ArticleId, Vec<ArticleId>> =
                explicit1.iter().map(|e| ids(e)).collect::<Vec<_>>().into();
            let order1 = ids(&order1);
            let before = Before {
                was: &was,
                recency: &order0,
                lists: lists0.iter().map(Vec::as_slice).collect(),
            };
            let fresh = reference(&order1, &members1, &terms1t, &explicit1t, limit);
            let scorer = Scorer::new(&order1, &members1);
            let update = scorer.update(&before, &terms1t, &explicit1t, limit);
            let update = update.expect("a few changed articles: the lists are updated");
            assert_eq!(update, fresh, "round {round}, {m} articles");
            updated += 1;

            // Two unchanged articles trading places: every list is made again.
            let unchanged: Vec<usize> = (0..order1.len())
                .filter(|&p| was[order1[p].index()].is_some())
                .collect();
            if let [p, .., q] = unchanged[..] {
                let mut swapped = order1.clone();
                swapped.swap(p, q);
                let scorer = Scorer::new(&swapped, &members1);
                assert!(scorer
                    .update(&before, &terms1t, &explicit1t, limit)
                    .is_none());
            }
        }
        assert_eq!(updated, 300);
    }
}
