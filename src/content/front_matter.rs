//! Splits an article into YAML front matter and body, and validates the front matter.

use crate::config::Config;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::names::closest;
use crate::yaml::{self, key, Origin, Spans, Step, Value};
use std::path::Path;

/// A date as written (`YYYY-MM-DD` or RFC 3339) and the calendar day it names.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct DateValue {
    pub day: jiff::civil::Date,
    /// As written, for `<time datetime>` and feeds.
    pub iso: String,
}

impl DateValue {
    pub fn parse(raw: &str) -> Option<DateValue> {
        let raw = raw.trim();
        if let Ok(day) = raw.parse::<jiff::civil::Date>() {
            if raw.len() == 10 {
                return Some(DateValue {
                    day,
                    iso: raw.to_string(),
                });
            }
        }
        // RFC 3339: the day is the one written, in the writer's own offset.
        raw.parse::<jiff::Timestamp>().ok()?;
        let day = raw.get(..10)?.parse::<jiff::civil::Date>().ok()?;
        Some(DateValue {
            day,
            iso: raw.to_string(),
        })
    }
}

/// A front-matter value and where it was written (file line and column).
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    pub value: T,
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, Clone)]
pub struct FaqSource {
    pub question: String,
    /// Markdown.
    pub answer: String,
    pub line: usize,
}

/// Validated article front matter.
#[derive(Debug, Clone)]
pub struct FrontMatter {
    pub title: String,
    pub slug: Option<Located<String>>,
    pub date: Option<DateValue>,
    pub updated: Option<DateValue>,
    /// Where `date` and `updated` are written (line, column).
    pub date_at: Option<(usize, usize)>,
    pub updated_at: Option<(usize, usize)>,
    pub summary: Option<String>,
    pub draft: bool,
    pub weight: Option<i64>,
    pub aliases: Vec<Located<String>>,
    /// (taxonomy name, terms as written) in kbgen.yaml order.
    pub terms: Vec<(String, Vec<Located<String>>)>,
    pub faq: Vec<FaqSource>,
    /// Whether headings ending in `?`/`？` are questions of the FAQ (`faq_headings: false`
    /// keeps them all out but those marked `{.faq}`).
    pub faq_headings: bool,
    pub related: Vec<Located<String>>,
    pub extra: Value,
}

impl FrontMatter {
    /// Whether `other` writes the same terms in the same places (line and column).
    pub fn same_terms_as(&self, other: &FrontMatter) -> bool {
        self.terms == other.terms
    }
}

impl Default for FrontMatter {
    fn default() -> Self {
        FrontMatter {
            title: String::new(),
            slug: None,
            date: None,
            updated: None,
            date_at: None,
            updated_at: None,
            summary: None,
            draft: false,
            weight: None,
            aliases: Vec::new(),
            terms: Vec::new(),
            faq: Vec::new(),
            faq_headings: true,
            related: Vec::new(),
            extra: Value::Null,
        }
    }
}

/// Validated `_index.md` front matter.
#[derive(Debug, Clone, Default)]
pub struct SectionMatter {
    pub title: Option<String>,
    pub description: String,
    pub weight: Option<i64>,
    pub extra: Value,
    pub sort_by: crate::order::SortBy,
}

const ARTICLE_KEYS: &[&str] = &[
    "title",
    "slug",
    "date",
    "updated",
    "summary",
    "draft",
    "weight",
    "aliases",
    "faq",
    "faq_headings",
    "related",
    "extra",
];
const SECTION_KEYS: &[&str] = &["title", "description", "weight", "extra", "sort_by"];

/// Front-matter keys that a taxonomy may not take.
pub fn is_reserved_key(key: &str) -> bool {
    ARTICLE_KEYS.contains(&key)
}

/// The parts of a Markdown file: YAML text and where it starts, body and where it starts.
pub struct Split<'a> {
    pub yaml: &'a str,
    /// 1-based line of the first YAML line.
    pub yaml_line: usize,
    pub body: &'a str,
    /// 1-based line of the first body line.
    pub body_line: usize,
}

/// Splits `---\nYAML\n---\nBODY`. A file without front matter is all body.
pub fn split(text: &str) -> Result<Split<'_>, (usize, String)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first_end = text.find('\n').map_or(text.len(), |i| i + 1);
    if text[..first_end].trim_end() != "---" {
        return Ok(Split {
            yaml: "",
            yaml_line: 1,
            body: text,
            body_line: 1,
        });
    }
    let mut offset = first_end;
    let mut line = 2;
    while offset < text.len() {
        let end = text[offset..]
            .find('\n')
            .map_or(text.len(), |i| offset + i + 1);
        if text[offset..end].trim_end() == "---" {
            return Ok(Split {
                yaml: &text[first_end..offset],
                yaml_line: 2,
                body: &text[end..],
                body_line: line + 1,
            });
        }
        offset = end;
        line += 1;
    }
    Err((
        1,
        "front matter opened with `---` is never closed by a `---` line".into(),
    ))
}

/// Validates an article's front matter.
pub fn parse_article_matter(
    split: &Split<'_>,
    path: &Path,
    text: &str,
    config: &Config,
    diags: &mut Diagnostics,
) -> Option<FrontMatter> {
    let origin = Origin {
        path,
        first_line: split.yaml_line,
        file_text: text,
    };
    let mut known: Vec<&str> = ARTICLE_KEYS.to_vec();
    known.extend(config.taxonomies.iter().map(|t| t.name.as_str()));
    let (map, spans) = parse_map(split, origin, diags)?;
    let mut fm = FrontMatter::default();
    let mut title = None;
    let place_of = |k: &str| {
        let pos = spans
            .value(&[key(k)])
            .unwrap_or_else(|| spans.near(&[key(k)]));
        (origin.line_of(pos), pos.column)
    };
    // A bad value is reported where the value is; a bad key where the key is.
    let fail = |diags: &mut Diagnostics, k: &str, msg: String| {
        let pos = spans
            .value(&[key(k)])
            .unwrap_or_else(|| spans.near(&[key(k)]));
        diags.push(origin.error_at(pos, msg));
    };
    let fail_key = |diags: &mut Diagnostics, k: &str, msg: String| {
        diags.push(origin.error_at(spans.near(&[key(k)]), msg));
    };
    // Each list item's own place (a single string stands for a one-item list).
    let item_places = |k: &str, n: usize| -> Vec<(usize, usize)> {
        (0..n)
            .map(|i| {
                let pos = spans
                    .value(&[key(k), Step::Index(i)])
                    .or_else(|| spans.value(&[key(k)]))
                    .unwrap_or_else(|| spans.near(&[key(k)]));
                (origin.line_of(pos), pos.column)
            })
            .collect()
    };
    for (k, v) in map {
        let Some(name) = k.as_str().map(str::to_owned) else {
            diags.push(origin.error_at(yaml::Pos::START, "front-matter keys must be strings"));
            continue;
        };
        let key = name.as_str();
        match key {
            "title" => match string(v) {
                Some(s) if !s.trim().is_empty() => title = Some(s.trim().to_string()),
                _ => fail(diags, key, "`title` must be a non-empty string".into()),
            },
            "slug" => match string(v) {
                Some(s) => {
                    let (line, column) = place_of(key);
                    fm.slug = Some(Located {
                        value: s.trim().to_string(),
                        line,
                        column,
                    })
                }
                None => fail(diags, key, "`slug` must be a string".into()),
            },
            "date" | "updated" => match string(v).and_then(|s| DateValue::parse(&s)) {
                Some(d) if key == "date" => {
                    fm.date = Some(d);
                    fm.date_at = Some(place_of(key));
                }
                Some(d) => {
                    fm.updated = Some(d);
                    fm.updated_at = Some(place_of(key));
                }
                None => fail(
                    diags,
                    key,
                    format!("`{key}` must be a date: YYYY-MM-DD or RFC 3339"),
                ),
            },
            "summary" => match string(v) {
                Some(s) => fm.summary = Some(s.trim().to_string()),
                None => fail(diags, key, "`summary` must be a string".into()),
            },
            "draft" | "faq_headings" => match v {
                Value::Bool(b) if key == "draft" => fm.draft = b,
                Value::Bool(b) => fm.faq_headings = b,
                _ => fail(diags, key, format!("`{key}` must be true or false")),
            },
            "weight" => match v.as_i64() {
                Some(w) => fm.weight = Some(w),
                None => fail(diags, key, "`weight` must be an integer".into()),
            },
            "aliases" | "related" => match string_list(v) {
                Some(items) => {
                    let places = item_places(key, items.len());
                    let items = items
                        .into_iter()
                        .zip(places)
                        .map(|(s, (line, column))| Located {
                            line,
                            column,
                            value: s,
                        })
                        .collect();
                    if key == "aliases" {
                        fm.aliases = items;
                    } else {
                        fm.related = items;
                    }
                }
                None => fail(diags, key, format!("`{key}` must be a list of strings")),
            },
            "faq" => match parse_faq(v, &spans, origin) {
                Ok(faq) => fm.faq = faq,
                Err((pos, m)) => diags.push(origin.error_at(pos, m)),
            },
            "extra" => fm.extra = v,
            _ => {
                if let Some(t) = config.taxonomies.iter().find(|t| t.name == key) {
                    match string_list(v) {
                        Some(items) => {
                            let places = item_places(key, items.len());
                            let items = items
                                .into_iter()
                                .zip(places)
                                .filter(|(s, _)| !s.trim().is_empty())
                                .map(|(s, (line, column))| Located {
                                    line,
                                    column,
                                    value: s.trim().to_string(),
                                })
                                .collect();
                            fm.terms.push((t.name.clone(), items));
                        }
                        None => fail(
                            diags,
                            key,
                            format!("`{key}` must be a string or a list of strings"),
                        ),
                    }
                } else {
                    // As kbgen.yaml's unknown keys do: the closest key, else all of them.
                    let hint = match closest(key, known.iter().copied()) {
                        Some(k) => format!(" (did you mean `{k}`?)"),
                        None => format!(" (known keys: {})", known.join(", ")),
                    };
                    fail_key(
                        diags,
                        key,
                        format!("unknown front-matter key `{key}`{hint}"),
                    );
                }
            }
        }
    }
    match title {
        Some(t) => fm.title = t,
        None => {
            diags.push(
                Diagnostic::error(path, 1, 1, "missing `title` in front matter").with_source(text),
            );
            return None;
        }
    }
    // Keep taxonomies in kbgen.yaml order, whatever order the article lists them in.
    fm.terms
        .sort_by_key(|(name, _)| config.taxonomies.iter().position(|t| &t.name == name));
    Some(fm)
}

/// Validates `_index.md` front matter.
pub fn parse_section_matter(
    split: &Split<'_>,
    path: &Path,
    text: &str,
    diags: &mut Diagnostics,
) -> SectionMatter {
    let origin = Origin {
        path,
        first_line: split.yaml_line,
        file_text: text,
    };
    let mut sm = SectionMatter::default();
    let Some((map, spans)) = parse_map(split, origin, diags) else {
        return sm;
    };
    for (k, v) in map {
        let name = k.as_str().unwrap_or_default().to_string();
        let at = [key(&name)];
        match name.as_str() {
            "title" => sm.title = string(v),
            "description" => sm.description = string(v).unwrap_or_default(),
            "weight" => match v.as_i64() {
                Some(w) => sm.weight = Some(w),
                None => diags.push(origin.error_at(
                    spans.value(&at).unwrap_or_else(|| spans.near(&at)),
                    "`weight` must be an integer",
                )),
            },
            "extra" => sm.extra = v,
            "sort_by" => match v.as_str().and_then(crate::order::SortBy::parse) {
                Some(s) => sm.sort_by = s,
                None => diags.push(origin.error_at(
                    spans.value(&at).unwrap_or_else(|| spans.near(&at)),
                    format!(
                        "`sort_by` must be one of {}",
                        crate::order::SortBy::NAMES.join(", ")
                    ),
                )),
            },
            _ => {
                let hint = closest(&name, SECTION_KEYS.iter().copied())
                    .map(|k| format!(" (did you mean `{k}`?)"))
                    .unwrap_or_else(|| format!(" (known keys: {})", SECTION_KEYS.join(", ")));
                diags.push(origin.error_at(
                    spans.near(&at),
                    format!("unknown section front-matter key `{name}`{hint}"),
                ));
            }
        }
    }
    sm
}

fn parse_map(
    split: &Split<'_>,
    origin: Origin<'_>,
    diags: &mut Diagnostics,
) -> Option<(yaml::Mapping, Spans)> {
    if split.yaml.trim().is_empty() {
        return Some((yaml::Mapping::new(), Spans::default()));
    }
    match yaml::parse::<Value>(split.yaml, origin, &|_| &[]) {
        Ok((Value::Mapping(m), spans)) => Some((m, spans)),
        Ok(_) => {
            diags.push(origin.error_at(
                yaml::Pos::START,
                "front matter must be a map of `key: value` lines",
            ));
            None
        }
        Err(d) => {
            diags.push(d);
            None
        }
    }
}

fn string(v: Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn string_list(v: Value) -> Option<Vec<String>> {
    match v {
        Value::Null => Some(Vec::new()),
        Value::Sequence(items) => items.into_iter().map(string).collect(),
        other => string(other).map(|s| vec![s]),
    }
}

/// The `faq:` entries; an error carries the position of the entry (or key) at fault.
fn parse_faq(
    v: Value,
    spans: &Spans,
    origin: Origin<'_>,
) -> Result<Vec<FaqSource>, (yaml::Pos, String)> {
    let faq = [key("faq")];
    let Value::Sequence(items) = v else {
        return Err((
            spans.near(&faq),
            "`faq` must be a list of `{q, a}` entries".into(),
        ));
    };
    let mut out = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        let entry = [key("faq"), Step::Index(i)];
        let at = spans.value(&entry).unwrap_or_else(|| spans.near(&faq));
        let Value::Mapping(m) = item else {
            return Err((at, "each `faq` entry must be a map with `q` and `a`".into()));
        };
        let mut q = None;
        let mut a = None;
        for (k, v) in m {
            match k.as_str() {
                Some("q") => q = string(v),
                Some("a") => a = string(v),
                Some(other) => {
                    let mut p = entry.to_vec();
                    p.push(key(other));
                    return Err((
                        spans.near(&p),
                        format!("unknown `faq` entry key `{other}` (entries have `q` and `a`)"),
                    ));
                }
                None => return Err((at, "`faq` entry keys must be strings".into())),
            }
        }
        let (Some(question), Some(answer)) = (q, a) else {
            return Err((
                at,
                "each `faq` entry needs both `q` (the question) and `a` (the answer)".into(),
            ));
        };
        let mut qp = entry.to_vec();
        qp.push(key("q"));
        out.push(FaqSource {
            question: question.trim().to_string(),
            answer,
            line: origin.line_of(spans.value(&qp).unwrap_or(at)),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_finds_body_line() {
        let s = split("---\ntitle: a\n---\nbody\n").unwrap();
        assert_eq!(s.yaml, "title: a\n");
        assert_eq!(s.body, "body\n");
        assert_eq!(s.body_line, 4);
        assert!(split("---\ntitle: a\n").is_err());
        assert_eq!(split("no front matter").unwrap().body, "no front matter");
    }

    #[test]
    fn unknown_key_far_from_any_lists_the_known_ones() {
        let config = crate::config::parse_config(
            Path::new("."),
            Some("taxonomies: [{name: tags}]\n"),
            &Default::default(),
        )
        .unwrap();
        let text = "---\ntitle: a\nzzzzzzzz: 1\n---\n";
        let mut diags = Diagnostics::default();
        let parts = split(text).unwrap();
        parse_article_matter(&parts, Path::new("a.md"), text, &config, &mut diags);
        parse_section_matter(&parts, Path::new("_index.md"), text, &mut diags);
        let messages: Vec<String> = diags.sorted().iter().map(|d| d.message.clone()).collect();
        assert_eq!(
            messages,
            [
                "unknown section front-matter key `zzzzzzzz` (known keys: title, description, \
                 weight, extra, sort_by)",
                "unknown front-matter key `zzzzzzzz` (known keys: title, slug, date, updated, \
                 summary, draft, weight, aliases, faq, faq_headings, related, extra, tags)",
            ]
        );
    }

    #[test]
    fn dates() {
        assert_eq!(DateValue::parse("2025-04-15").unwrap().iso, "2025-04-15");
        let d = DateValue::parse("2025-04-15T19:25:58+08:00").unwrap();
        assert_eq!(d.day.to_string(), "2025-04-15");
        assert!(DateValue::parse("2025-13-01").is_none());
        assert!(DateValue::parse("yesterday").is_none());
    }
}
