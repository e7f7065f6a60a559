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

use crate::ids::{ArticleId, Id as _, SectionId, Table};
use crate::render::{Job, Read};
use crate::search::encode::{FxHashMap, FxHashSet};
use crate::site::Analysis;
use rayon::prelude::*;
use std::collections::HashMap;

/// What a change reaches: the jobs of `new` whose pages may differ from those made from
/// `old` (the jobs that are new among them), and the jobs of `old` that are gone.
pub struct Reach {
    pub jobs: Vec<usize>,
    pub gone: Vec<usize>,
}

/// What a content change reaches; `None` when it may reach any page (sections or navigation
/// changed, or a term's name). `reads` holds what each page read when it was last
/// fingerprinted, by job key. Articles and terms may come and go: a new page is always
/// reached, a page that is no longer made is `gone`, and the listings, related lists and
/// backlinks that showed or now show them changed.
pub fn affected<'a>(
    old: &'a Analysis,
    new: &'a Analysis,
    old_jobs: &[Job],
    jobs: &[Job],
    reads: &FxHashMap<String, Vec<Read>>,
) -> Option<Reach> {
    let old_data = old.site_data(false);
    let new_data = new.site_data(false);
    // Per job and per article the checks are independent: each list is made in parallel.
    let new_keys: Vec<String> = jobs.par_iter().map(|j| new_data.job_key(j)).collect();
    let new_set: FxHashSet<&str> = new_keys.iter().map(String::as_str).collect();
    let gone: Vec<usize> = old_jobs
        .par_iter()
        .enumerate()
        .filter(|(_, j)| !new_set.contains(old_data.job_key(j).as_str()))
        .map(|(i, _)| i)
        .collect();
    if !same_shape(old, new) {
        return None;
    }
    let by_path = old.content.ids_by_path();
    // Each new article's id in `old` (None: it is new).
    let before: Table<ArticleId, Option<ArticleId>> = new
        .content
        .articles
        .iter()
        .map(|a| by_path.get(a.path.as_str()).copied())
        .collect();
    let kept_count = before.iter().filter(|b| b.is_some()).count();
    let some_went = kept_count < old.content.articles.len();
    let ids = new.content.articles.ids();
    let paths = |a: &'a Analysis, list: &[ArticleId]| -> Vec<&'a str> {
        list.iter()
            .map(|&i| a.content.articles[i].path.as_str())
            .collect()
    };
    // An article read from the same file with the same rendering (both shared with the last
    // analysis) has the same card: a card shows the article's front matter, its summary (from
    // the body), its path and its section's title (the shape is the same). The others' cards
    // are compared as the views other pages show, so a new card field counts.
    let same_record = |i: ArticleId, j: ArticleId| {
        std::sync::Arc::ptr_eq(&old.content.articles[i], &new.content.articles[j])
            && std::sync::Arc::ptr_eq(&old.articles[i].body, &new.articles[j].body)
    };
    let card_changed: Table<ArticleId, bool> = per_article(new, |j| {
        before[j]
            .is_none_or(|i| !same_record(i, j) && new_data.card_print(j) != old_data.card_print(i))
    });
    let same_faq = |i: ArticleId, j: ArticleId| {
        let (x, y) = (
            &old.faq[old.articles[i].faq.clone()],
            &new.faq[new.articles[j].faq.clone()],
        );
        x.len() == y.len()
            && x.iter().zip(y).all(|(e, f)| {
                // A kept rendering shares its questions: no need to compare the text.
                let same = |x: &std::sync::Arc<str>, y: &std::sync::Arc<str>| {
                    std::sync::Arc::ptr_eq(x, y) || x == y
                };
                same(&e.question, &f.question)
                    && same(&e.anchor, &f.anchor)
                    && same(&e.answer_html, &f.answer_html)
            })
    };
    // The same articles, by path, in the same order.
    let same_list = |x: &[ArticleId], y: &[ArticleId]| {
        x.len() == y.len()
            && x.iter()
                .zip(y)
                .all(|(&a, &b)| old.content.articles[a].path == new.content.articles[b].path)
    };
    let terms_changed: Table<ArticleId, bool> = per_article(new, |j| {
        before[j].is_none_or(|i| !same_terms(new, j, old, i))
    });
    // An article page's own inputs (the cards it shows are reads of their own).
    let page_changed: Table<ArticleId, bool> = per_article(new, |j| {
        let Some(i) = before[j] else {
            return true;
        };
        let (x, y) = (&old.content.articles[i], &new.content.articles[j]);
        let (dx, dy) = (&old.articles[i], &new.articles[j]);
        (!std::sync::Arc::ptr_eq(x, y) && x.text != y.text)
            || card_changed[j]
            || terms_changed[j]
            || (!std::sync::Arc::ptr_eq(&dx.body, &dy.body) && dx.body.html != dy.body.html)
            || !same_list(&dx.backlinks, &dy.backlinks)
            || !same_list(&dx.related, &dy.related)
            || !same_faq(i, j)
    });
    let mut changed: FxHashSet<Read> = FxHashSet::default();
    // The home page picks from every card: one that went or came changes that pick.
    if some_went || kept_count < new.content.articles.len() {
        changed.insert(Read::EveryCard);
    }
    for j in ids.clone() {
        let path = &new.content.articles[j].path;
        if card_changed[j] {
            changed.insert(Read::Card(path.clone()));
            changed.insert(Read::EveryCard);
        }
        if page_changed[j] {
            changed.insert(Read::Page(path.clone()));
        }
        if terms_changed[j] {
            changed.insert(Read::CardTerms(path.clone()));
        }
    }
    let (was_matrix, now_matrix) = (matrix(old), matrix(new));
    if was_matrix != now_matrix {
        changed.insert(Read::Browse);
        // Each cell's pages: those showing other articles than before.
        let empty = Cells::new();
        let (was_cells, now_cells) = (
            was_matrix.as_ref().map_or(&empty, |m| &m.2),
            now_matrix.as_ref().map_or(&empty, |m| &m.2),
        );
        for key in was_cells.keys().chain(now_cells.keys()) {
            let none: &[&str] = &[];
            let (x, y) = (
                was_cells.get(key).map_or(none, Vec::as_slice),
                now_cells.get(key).map_or(none, Vec::as_slice),
            );
            for p in crate::render::listing_pages_changed(x, y) {
                changed.insert(Read::BrowseCell(key.0.to_string(), key.1.to_string(), p));
            }
        }
    }
    // Listings: which articles each section and term shows (sections are the same in
    // both: the shape is; terms are matched by slug).
    for s in new.content.sections.ids() {
        let members = |d: &crate::render::SiteData<'a>| -> Vec<&'a str> {
            d.section_articles(s)
                .map(|i| d.site.content.articles[i].path.as_str())
                .collect()
        };
        let (was, now) = (members(&old_data), members(&new_data));
        if was != now {
            changed.insert(Read::Section(s));
            for p in crate::render::listing_pages_changed(&was, &now) {
                changed.insert(Read::SectionPage(s, p));
            }
            // Prev/next: only the articles with another article beside them now.
            let beside =
                |list: &[&'a str]| -> HashMap<&'a str, (Option<&'a str>, Option<&'a str>)> {
                    (0..list.len())
                        .map(|k| {
                            let prev = k.checked_sub(1).map(|p| list[p]);
                            (list[k], (prev, list.get(k + 1).copied()))
                        })
                        .collect()
                };
            let (before_s, after_s) = (beside(&was), beside(&now));
            for (path, around) in &after_s {
                if before_s.get(path) != Some(around) {
                    changed.insert(Read::Neighbours(path.to_string()));
                }
            }
        }
    }
    for (t, (x, y)) in old
        .taxonomies
        .list
        .iter()
        .zip(&new.taxonomies.list)
        .enumerate()
    {
        let was: HashMap<&str, &crate::taxonomy::Term> = x
            .terms
            .iter()
            .map(|term| (term.slug.as_str(), term))
            .collect();
        let now: HashMap<&str, &crate::taxonomy::Term> = y
            .terms
            .iter()
            .map(|term| (term.slug.as_str(), term))
            .collect();
        if was.len() != now.len() || now.keys().any(|k| !was.contains_key(k)) {
            changed.insert(Read::Terms(t));
        }
        for (slug, b) in &now {
            let listed = paths(new, &b.articles);
            let before = was.get(slug).map(|a| paths(old, &a.articles));
            if before.as_ref() != Some(&listed) {
                changed.insert(Read::Term(t, slug.to_string()));
                let pages =
                    crate::render::listing_pages_changed(&before.unwrap_or_default(), &listed);
                for p in pages {
                    changed.insert(Read::TermPage(t, slug.to_string(), p));
                }
            }
        }
        for (slug, a) in was.iter().filter(|(k, _)| !now.contains_key(*k)) {
            changed.insert(Read::Term(t, slug.to_string()));
            for p in 1..=crate::render::pages(a.articles.len()) {
                changed.insert(Read::TermPage(t, slug.to_string(), p));
            }
        }
    }
    // A section's questions follow its article order (a new weight moves them) and show
    // their articles' cards and terms; whether a question is marked up depends on the whole
    // site's (a duplicate elsewhere), so that flag is compared too.
    if old.faq.len() != new.faq.len() {
        changed.insert(Read::FaqCount);
    }
    let (was, now) = (faq_by_section(old), faq_by_section(new));
    for s in new.content.sections.ids() {
        if was.get(&s) != now.get(&s) {
            changed.insert(Read::FaqSection(s));
        }
    }
    for j in ids.clone() {
        if !new.articles[j].faq.is_empty()
            && (card_changed[j] || terms_changed[j] || before[j].is_none_or(|i| !same_faq(i, j)))
        {
            changed.insert(Read::FaqSection(new.content.articles[j].section));
        }
    }

    Some(Reach {
        jobs: new_keys
            .par_iter()
            .enumerate()
            .filter(|(_, key)| {
                reads
                    .get(*key)
                    .is_none_or(|list| list.iter().any(|r| changed.contains(r)))
            })
            .map(|(i, _)| i)
            .collect(),
        gone,
    })
}

/// Each section's questions in order, by article path and anchor, and whether each is the
/// first of its kind site-wide.
fn faq_by_section(a: &Analysis) -> HashMap<SectionId, Vec<(&str, &str, bool)>> {
    let mut by: HashMap<SectionId, Vec<_>> = HashMap::new();
    for (e, &first) in a.faq.iter().zip(&a.faq_firsts) {
        let art = &a.content.articles[e.article];
        by.entry(art.section)
            .or_default()
            .push((art.path.as_str(), &*e.anchor, first));
    }
    by
}

/// Navigation, section cards and headers, and the taxonomies and names of their terms:
/// what every page or many pages show.
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
                    s.sort_by,
                    // A section's `extra:` is shown by its page (and any template may ask).
                    serde_json::to_string(&s.extra).unwrap_or_default(),
                )
            })
            .collect()
    };
    // Terms may come and go (their listings say so), but a term's name shows on every page
    // of an article that has it.
    let names = |a: &Analysis, t: usize| -> HashMap<String, String> {
        a.taxonomies.list[t]
            .terms
            .iter()
            .map(|x| (x.slug.clone(), x.name.clone()))
            .collect()
    };
    let same_taxonomies = old.taxonomies.list.len() == new.taxonomies.list.len()
        && old
            .taxonomies
            .list
            .iter()
            .zip(&new.taxonomies.list)
            .enumerate()
            .all(|(t, (x, y))| {
                let (was, now) = (names(old, t), names(new, t));
                x.taxonomy == y.taxonomy
                    && now
                        .iter()
                        .all(|(slug, name)| was.get(slug).is_none_or(|n| n == name))
            });
    // Menus are on every page; an `@/` entry follows its article's path.
    old.section_order == new.section_order
        && sections(old) == sections(new)
        && same_taxonomies
        && old.menus == new.menus
}

/// The browse matrix by term slugs and article paths (its counts follow from its cells).
type Cells<'a> = std::collections::BTreeMap<(&'a str, &'a str), Vec<&'a str>>;

fn matrix(a: &Analysis) -> Option<(usize, usize, Cells<'_>)> {
    let m = a.browse.as_ref()?;
    let slug = |t: usize, i: usize| a.taxonomies.list[t].terms[i].slug.as_str();
    let cells = m
        .cells
        .iter()
        .map(|(&(r, c), list)| {
            (
                (slug(m.rows, r), slug(m.columns, c)),
                list.iter()
                    .map(|&i| a.content.articles[i].path.as_str())
                    .collect(),
            )
        })
        .collect();
    Some((m.rows, m.columns, cells))
}

/// `f` of each article of `a`, in parallel.
fn per_article<T: Send>(a: &Analysis, f: impl Fn(ArticleId) -> T + Sync) -> Table<ArticleId, T> {
    let list: Vec<T> = (0..a.content.articles.len())
        .into_par_iter()
        .map(|k| f(ArticleId::new(k)))
        .collect();
    list.into()
}

/// Whether article `j` of `a` and `i` of `b` have the same terms (by taxonomy and slug),
/// compared without making the lists.
fn same_terms(a: &Analysis, j: ArticleId, b: &Analysis, i: ArticleId) -> bool {
    let (x, y) = (&a.articles[j].terms, &b.articles[i].terms);
    x.len() == y.len()
        && x.iter().zip(y).all(|(r, q)| {
            r.taxonomy == q.taxonomy && a.taxonomies.term(*r).slug == b.taxonomies.term(*q).slug
        })
}
