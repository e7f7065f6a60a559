//! FAQ: questions from front matter and from headings ending in `?`, the duplicate check,
//! the FAQPage JSON-LD and `faq.json`.

use crate::content::Content;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::ids::ArticleId;
use crate::names::name_of;
use serde::Serialize;
use std::collections::HashMap;

/// One question of the site, linked to its answer on its article.
#[derive(Debug, Clone)]
pub struct FaqEntry {
    pub article: ArticleId,
    /// Heading id or `faq-…` id on the article page.
    pub anchor: String,
    pub question: String,
    pub answer_html: std::sync::Arc<str>,
    pub answer_text: std::sync::Arc<str>,
    pub line: usize,
}

/// Warns about two questions that are the same once punctuation and width are normalised.
pub fn check_duplicates(content: &Content, entries: &[FaqEntry], diags: &mut Diagnostics) {
    let mut seen: HashMap<String, &FaqEntry> = HashMap::new();
    for e in entries {
        let key = name_of(&e.question);
        if key.is_empty() {
            continue;
        }
        match seen.get(&key) {
            Some(first) => {
                let a = &content.articles[e.article];
                let f = &content.articles[first.article];
                diags.push(Diagnostic::warning(
                    &a.source,
                    e.line,
                    1,
                    format!(
                        "question `{}` is also asked in {}:{}",
                        e.question,
                        f.source.display(),
                        first.line
                    ),
                ));
            }
            None => {
                seen.insert(key, e);
            }
        }
    }
}

/// A hash of every question with its file and line, in order: what `check_duplicates` and
/// `first_of_each` depend on.
pub fn questions_print(content: &Content, entries: &[FaqEntry]) -> u64 {
    use std::hash::{Hash as _, Hasher as _};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for e in entries {
        (&content.articles[e.article].source, &e.question, e.line).hash(&mut h);
    }
    h.finish()
}

/// Whether `e` is the first of its kind (for structured data: each question once site-wide).
pub fn first_of_each(entries: &[FaqEntry]) -> Vec<bool> {
    let mut seen = std::collections::HashSet::new();
    entries
        .iter()
        .map(|e| seen.insert(name_of(&e.question)))
        .collect()
}

#[derive(Serialize)]
struct JsonLd<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(rename = "mainEntity")]
    main_entity: Vec<Question<'a>>,
}

#[derive(Serialize)]
struct Question<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
    #[serde(rename = "acceptedAnswer")]
    accepted_answer: Answer<'a>,
}

#[derive(Serialize)]
struct Answer<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    text: &'a str,
}

/// The FAQPage JSON-LD for `entries`, safe to place inside a `<script>` element.
pub fn render_json_ld<'a>(entries: impl Iterator<Item = &'a FaqEntry>) -> String {
    let doc = JsonLd {
        context: "https://schema.org",
        kind: "FAQPage",
        main_entity: entries
            .map(|e| Question {
                kind: "Question",
                name: &e.question,
                accepted_answer: Answer {
                    kind: "Answer",
                    text: &e.answer_text,
                },
            })
            .collect(),
    };
    if doc.main_entity.is_empty() {
        return String::new();
    }
    String::from_utf8(script_json(&doc, 4096)).unwrap_or_default()
}

/// JSON that cannot close or confuse the `<script>` element it sits in: `<`, `>`, `&` and
/// U+2028/U+2029 inside strings are written as `\u` escapes, in one pass as it is
/// serialised (`capacity`: a guess at the size).
pub fn script_json(value: &impl serde::Serialize, capacity: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(capacity);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, ScriptSafe);
    // Serialising plain structs into memory cannot fail.
    let _ = value.serialize(&mut ser);
    out
}

struct ScriptSafe;

impl serde_json::ser::Formatter for ScriptSafe {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            let escape = match c {
                '<' => "\\u003c",
                '>' => "\\u003e",
                '&' => "\\u0026",
                '\u{2028}' => "\\u2028",
                '\u{2029}' => "\\u2029",
                _ => continue,
            };
            w.write_all(&fragment.as_bytes()[start..i])?;
            w.write_all(escape.as_bytes())?;
            start = i + c.len_utf8();
        }
        w.write_all(&fragment.as_bytes()[start..])
    }
}

/// faq.json: every FAQ entry with its answer, article, section and terms.
pub fn render_json(a: &crate::site::Analysis) -> Vec<u8> {
    #[derive(serde::Serialize)]
    struct Entry<'a> {
        question: &'a str,
        answer_html: std::borrow::Cow<'a, str>,
        answer_text: &'a str,
        url: String,
        anchor: &'a str,
        article_title: &'a str,
        section: &'a str,
        terms: std::collections::BTreeMap<&'a str, Vec<&'a str>>,
    }
    // faq.json sits at the site's root. A portable build makes every URL in it relative to
    // faq.json, the links inside answers too (rendered relative to their article); other
    // builds give absolute URLs (base-path ones under a relative base URL), as the feeds do.
    let portable = a.urls.is_portable();
    let rooted = a.urls.rooted();
    let entries: Vec<Entry> = a
        .faq
        .iter()
        .map(|e| {
            let art = &a.content.articles[e.article];
            let mut terms: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
            for r in &a.articles[e.article].terms {
                let name = a.config.taxonomies[a.taxonomies.list[r.taxonomy].taxonomy]
                    .name
                    .as_str();
                terms
                    .entry(name)
                    .or_default()
                    .push(&a.taxonomies.term(*r).name);
            }
            // Same-page links (footnotes, `#heading`) point at the article.
            let (answer_html, article) = if portable {
                let article = a.urls.href("", &art.path);
                let html = crate::urls::rebase_relative(&e.answer_html, &art.path, "");
                let html = crate::urls::pin_fragments(&html, &article).into_owned();
                (html.into(), article)
            } else {
                let article = rooted.absolute(&art.path);
                (
                    crate::urls::pin_fragments(&e.answer_html, &article),
                    article,
                )
            };
            let url = format!("{article}#{}", crate::urls::encode_fragment(&e.anchor));
            Entry {
                question: &e.question,
                answer_html,
                answer_text: &e.answer_text,
                url,
                anchor: &e.anchor,
                article_title: &art.matter.title,
                section: &a.content.sections[art.section].title,
                terms,
            }
        })
        .collect();
    #[derive(serde::Serialize)]
    struct File<'a> {
        questions: Vec<Entry<'a>>,
    }
    // Compact and typed: at 40,000 questions a pretty-printed copy through `Value` costs seconds.
    // Script-safe too (`<`, `>`, `&`, U+2028/U+2029 as escapes): sites embed this file.
    let size: usize = a
        .faq
        .iter()
        .map(|e| 2 * (e.answer_html.len() + e.answer_text.len()) + 600)
        .sum();
    let mut out = script_json(&File { questions: entries }, size);
    out.push(b'\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_ld_cannot_break_out_of_script() {
        let e = FaqEntry {
            article: crate::ids::Id::new(0),
            anchor: "faq-x".into(),
            question: "</script><script>alert(1)</script>".into(),
            answer_html: "".into(),
            answer_text: "a & b".into(),
            line: 1,
        };
        let s = render_json_ld(std::iter::once(&e));
        assert!(!s.contains("</script"));
        assert!(!s.contains('<'));
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(
            back["mainEntity"][0]["name"],
            "</script><script>alert(1)</script>"
        );
        assert_eq!(back["mainEntity"][0]["acceptedAnswer"]["text"], "a & b");
    }
}
