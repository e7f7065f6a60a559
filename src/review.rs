//! Laws that change: an article's review date (`updated`, else `date`) against the revisions
//! kbgen.yaml gives the terms it cites, terms that were replaced, and articles not reviewed
//! for longer than `review_every`. Warnings for `check`, the `check --review` table, and what
//! an article page says about a law revised after its review.

use crate::config::{AllowedTerm, Config};
use crate::content::{Article, Content};
use crate::diagnostic::Diagnostic;
use jiff::civil::Date;

/// One cited term with dates or a replacement, as an article's front matter names it.
pub struct Cited<'a> {
    pub taxonomy: usize,
    pub term: &'a AllowedTerm,
    pub line: usize,
    pub column: usize,
}

/// The allowed terms `article` cites that carry revisions or a replacement.
pub fn cited<'a>(config: &'a Config, article: &Article) -> Vec<Cited<'a>> {
    let mut out: Vec<Cited> = Vec::new();
    for (t, tax) in config.taxonomies.iter().enumerate() {
        let Some(allowed) = &tax.allowed else {
            continue;
        };
        let Some((_, written)) = article.matter.terms.iter().find(|(n, _)| n == &tax.name) else {
            continue;
        };
        for w in written {
            let Some(i) = allowed.resolve(&w.value) else {
                continue;
            };
            let term = &allowed.terms[i];
            let listed = out
                .iter()
                .any(|c| c.taxonomy == t && std::ptr::eq(c.term, term));
            if (term.revisions.is_empty() && term.replaced_by.is_none()) || listed {
                continue;
            }
            out.push(Cited {
                taxonomy: t,
                term,
                line: w.line,
                column: w.column,
            });
        }
    }
    out
}

/// Why an article needs review, most urgent first.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reason {
    /// A cited law took a revision into force after the last review (or there is none).
    Revised { since: Date, law: String },
    /// A cited term names a law or body that no longer exists.
    Replaced { term: String, by: String },
    /// Not reviewed for longer than `review_every` days (how many days it has been).
    Overdue { days: i64 },
}

/// The cited laws revised after `article`'s review: (term, the revision in force since).
pub fn revised_since_review<'a>(
    config: &'a Config,
    article: &Article,
) -> Vec<(Cited<'a>, &'a crate::config::Revision)> {
    let reviewed = article.reviewed().map(|d| d.day);
    cited(config, article)
        .into_iter()
        .filter_map(|c| revised_after(&c, reviewed).map(|latest| (c, latest)))
        .collect()
}

/// The cited term's latest revision, when it took effect after `reviewed` (or there is no
/// review date).
fn revised_after<'a>(c: &Cited<'a>, reviewed: Option<Date>) -> Option<&'a crate::config::Revision> {
    let latest = c.term.latest()?;
    reviewed
        .is_none_or(|r| r < latest.day.day)
        .then_some(latest)
}

/// What needs review in `article`, with where its front matter says so.
pub fn reasons(
    config: &Config,
    article: &Article,
    today: Option<Date>,
) -> Vec<(Reason, usize, usize)> {
    let mut out = Vec::new();
    let reviewed = article.reviewed().map(|d| d.day);
    for c in cited(config, article) {
        if let Some(latest) = revised_after(&c, reviewed) {
            out.push((
                Reason::Revised {
                    since: latest.day.day,
                    law: c.term.name.clone(),
                },
                c.line,
                c.column,
            ));
        }
        if let Some(by) = &c.term.replaced_by {
            out.push((
                Reason::Replaced {
                    term: c.term.name.clone(),
                    by: by.clone(),
                },
                c.line,
                c.column,
            ));
        }
    }
    if let (Some(every), Some(today)) = (config.review_every, today) {
        let days = article.reviewed().map(|r| days_between(r.day, today));
        if let Some(days) = days.filter(|&d| d > i64::from(every)) {
            let (line, column) = review_position(article);
            out.push((Reason::Overdue { days }, line, column));
        }
    }
    out.sort();
    out
}

fn days_between(from: Date, to: Date) -> i64 {
    from.until((jiff::Unit::Day, to))
        .map_or(0, |s| i64::from(s.get_days()))
}

/// Where the article's review date is written (else its first line).
fn review_position(article: &Article) -> (usize, usize) {
    article
        .matter
        .updated_at
        .or(article.matter.date_at)
        .unwrap_or((1, 1))
}

/// Warnings for `article`'s front matter: a cited law revised after its review, a cited term
/// that was replaced, a review older than `review_every`. (A replaced name in its text is
/// [`replaced_names`]', reported with the body's rendering, so a body edit redoes it.)
pub fn check_article(config: &Config, article: &Article, today: Option<Date>) -> Vec<Diagnostic> {
    let reviewed = article.reviewed().map_or_else(
        || "never reviewed".to_string(),
        |d| format!("last reviewed {}", d.iso),
    );
    reasons(config, article, today)
        .into_iter()
        .map(|(reason, line, column)| {
            let message = match reason {
                Reason::Revised { since, law } => format!(
                    "{reviewed}, before {law} was revised (in force since {since}): check the \
                     article against the current text and update `updated`"
                ),
                Reason::Replaced { term, by } => {
                    format!("{term} has been replaced by {by}: cite the current one")
                }
                Reason::Overdue { days } => format!(
                    "{reviewed}, {days} days ago (review_every: {} days): check the article \
                     and update `updated`",
                    config.review_every.unwrap_or_default()
                ),
            };
            Diagnostic::warning(&article.source, line, column, message).with_source(&article.text)
        })
        .collect()
}

/// A replaced law's or body's name (or alias) in the article's text, on a line that does not
/// also name what replaced it (“国家金融监督管理总局（原银保监会）” is how one writes history).
pub fn replaced_names(config: &Config, article: &Article) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let is_chinese = config.language.to_ascii_lowercase().starts_with("zh");
    let body = article.body();
    let replaced = config
        .taxonomies
        .iter()
        .filter_map(|t| t.allowed.as_ref())
        .flat_map(|a| a.terms.iter().map(move |t| (a, t)))
        .filter_map(|(a, t)| t.replaced_by.as_ref().map(|by| (a, t, by)));
    for (allowed, term, by) in replaced {
        // The replacement by its name or, when it is a term of the same taxonomy, an alias.
        let current: Vec<&str> = match allowed.resolve(by) {
            Some(i) => std::iter::once(allowed.terms[i].name.as_str())
                .chain(allowed.terms[i].aliases.iter().map(String::as_str))
                .chain([by.as_str()])
                .collect(),
            None => vec![by.as_str()],
        };
        // Longest first, so `《合同法》` is reported where it is written, not `合同法` in it.
        let mut names: Vec<&String> = std::iter::once(&term.name).chain(&term.aliases).collect();
        names.sort_by_key(|n| std::cmp::Reverse(n.len()));
        let mut seen_lines = std::collections::BTreeSet::new();
        for name in names {
            let name = name.trim();
            if name.is_empty() {
                continue;
            }
            for (at, _) in body.match_indices(name) {
                let line_start = body[..at].rfind('\n').map_or(0, |i| i + 1);
                let line_end = body[at..].find('\n').map_or(body.len(), |i| at + i);
                let line_text = &body[line_start..line_end];
                let line = article.body_line + body[..at].matches('\n').count();
                if current.iter().any(|c| line_text.contains(c)) || !seen_lines.insert(line) {
                    continue;
                }
                let column = body[line_start..at].chars().count() + 1;
                out.push(
                    Diagnostic::warning(
                        &article.source,
                        line,
                        column,
                        if is_chinese {
                            format!(
                                "`{name}` was replaced by {by}: name the current one (or both, \
                                 as in “{by}（原{name}）”)"
                            )
                        } else {
                            format!(
                                "`{name}` was replaced by {by}: name the current one (or both, \
                                 as in “{by} (formerly {name})”)"
                            )
                        },
                    )
                    .with_source(&article.text),
                );
            }
        }
    }
    out
}

/// Today, for `review_every`: `SOURCE_DATE_EPOCH` when set (reproducible runs, tests), else
/// the clock, in UTC.
pub fn today() -> Option<Date> {
    let ts = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(s) => jiff::Timestamp::from_second(s.trim().parse().ok()?).ok()?,
        Err(_) => jiff::Timestamp::now(),
    };
    Some(ts.to_zoned(jiff::tz::TimeZone::UTC).date())
}

/// `kbgen check --review`: every article that needs review, most urgent first, as a table.
pub fn review_table(content: &Content, config: &Config, today: Option<Date>) -> String {
    let mut rows: Vec<(Reason, &Article)> = content
        .articles
        .iter()
        .flat_map(|a| {
            reasons(config, a, today)
                .into_iter()
                .map(move |(r, _, _)| (r, &**a))
        })
        .collect();
    // Most urgent first: revised laws (the earliest revision first), replaced terms, then
    // overdue reviews (the longest overdue first).
    let rank = |r: &Reason| match r {
        Reason::Revised { .. } => (0, 0),
        Reason::Replaced { .. } => (1, 0),
        Reason::Overdue { days } => (2, -days),
    };
    rows.sort_by(|a, b| {
        rank(&a.0)
            .cmp(&rank(&b.0))
            .then_with(|| a.0.cmp(&b.0))
            .then_with(|| a.1.source.cmp(&b.1.source))
    });
    if rows.is_empty() {
        return "nothing needs review\n".to_string();
    }
    let mut out = String::from("| article | last reviewed | why |\n| --- | --- | --- |\n");
    for (reason, a) in &rows {
        let reviewed = a.reviewed().map_or("never", |d| d.iso.as_str());
        let why = match reason {
            Reason::Revised { since, law } => format!("{law} revised, in force since {since}"),
            Reason::Replaced { term, by } => format!("cites {term}, replaced by {by}"),
            Reason::Overdue { days } => format!("not reviewed for {days} days"),
        };
        out.push_str(&format!(
            "| {} | {reviewed} | {why} |\n",
            a.source.display()
        ));
    }
    out.push_str(&format!("{} to review\n", rows.len()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_between_counts_whole_days() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        assert_eq!(days_between(d("2025-12-31"), d("2026-01-01")), 1);
        assert_eq!(days_between(d("2024-01-01"), d("2025-01-01")), 366);
    }
}
