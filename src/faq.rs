//! FAQ: questions from front matter and from headings ending in `?`, the duplicate check,
//! the FAQPage JSON-LD and `faq.json`.

use crate::content::Content;
use crate::diagnostic::Diagnostic;
use crate::ids::{ArticleId, Id as _};
use crate::names::name_of;
use rayon::prelude::*;
use serde::Serialize;

/// One question of the site, linked to its answer on its article.
#[derive(Debug, Clone)]
pub struct FaqEntry {
    pub article: ArticleId,
    /// Heading id or `faq-…` id on the article page.
    pub anchor: std::sync::Arc<str>,
    pub question: std::sync::Arc<str>,
    pub answer_html: std::sync::Arc<str>,
    pub answer_text: std::sync::Arc<str>,
    pub line: usize,
}

/// The duplicate check over the site's questions, in order: a warning for each question that
/// is the same as an earlier one once punctuation and width are normalised (sorted by place),
/// and whether each question is the first of its kind (for structured data: each question
/// once site-wide). The names are made once, in parallel: `serve` checks again whenever the
/// questions move, and 40,000 questions took a tenth of a second one after another.
pub fn duplicates(content: &Content, entries: &[FaqEntry]) -> (Vec<Diagnostic>, Vec<bool>) {
    let keys: Vec<String> = entries.par_iter().map(|e| name_of(&e.question)).collect();
    let mut seen: crate::search::encode::FxHashMap<&str, usize> = Default::default();
    let mut firsts = Vec::with_capacity(entries.len());
    let mut repeats: Vec<(usize, usize)> = Vec::new();
    for (k, key) in keys.iter().enumerate() {
        match seen.get(key.as_str()) {
            Some(&first) => {
                firsts.push(false);
                // A question with no name left (all punctuation) repeats nothing.
                if !key.is_empty() {
                    repeats.push((k, first));
                }
            }
            None => {
                seen.insert(key, k);
                firsts.push(true);
            }
        }
    }
    // The warnings in `Diagnostics::sorted`'s order (by file, then line, then message), the
    // files ranked once per article: sorting 40,000 warnings as diagnostics moved them about
    // and compared their paths.
    let rank = crate::diagnostic::path_ranks(content.articles.iter().map(|a| a.source.as_path()));
    let shown: Vec<std::borrow::Cow<str>> = content
        .articles
        .iter()
        .map(|a| a.source.to_string_lossy())
        .collect();
    let mut found: Vec<(u32, usize, String)> = repeats
        .par_iter()
        .map(|&(k, first)| {
            use std::fmt::Write as _;
            let (e, first) = (&entries[k], &entries[first]);
            let place = &shown[first.article.index()];
            let mut message = String::with_capacity(e.question.len() + place.len() + 40);
            message.push_str("question `");
            message.push_str(&e.question);
            message.push_str("` is also asked in ");
            message.push_str(place);
            let _ = write!(message, ":{}", first.line);
            (rank[e.article.index()], k, message)
        })
        .collect();
    found.par_sort_unstable_by(|(r, i, m), (s, j, n)| {
        (r, entries[*i].line, m).cmp(&(s, entries[*j].line, n))
    });
    let mut warnings: Vec<Diagnostic> = found
        .into_par_iter()
        .map(|(_, k, message)| {
            let e = &entries[k];
            Diagnostic::warning(&content.articles[e.article].source, e.line, 1, message)
        })
        .collect();
    warnings.dedup();
    (crate::diagnostic::cut_per_file(warnings), firsts)
}

/// A hash of every question with its file and line, in order: what `duplicates` depends on.
/// The file is hashed once per run of its questions, as bytes (hashing a `Path` splits it
/// into components: for 40,000 questions that was most of the time).
pub fn questions_print(content: &Content, entries: &[FaqEntry]) -> u64 {
    use std::hash::{Hash as _, Hasher as _};
    // Compared only with the earlier analysis of the same run: Fx, not SipHash (a serve
    // rebuild hashes every question).
    let mut h = crate::search::encode::FxHasher::default();
    let mut last = None;
    for e in entries {
        if last != Some(e.article) {
            last = Some(e.article);
            let source = &content.articles[e.article].source;
            (u8::MAX, source.as_os_str().as_encoded_bytes()).hash(&mut h);
        }
        // With its length: Fx pads a last partial word with zeros.
        (e.question.len(), &*e.question, e.line).hash(&mut h);
    }
    h.finish()
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
    /// At 40,000 answers faq.json is tens of megabytes of mostly Chinese text: the escapes
    /// are found with memchr's vector search for their first bytes (U+2028 and U+2029 are
    /// E2 80 A8 and E2 80 A9 in UTF-8), not by walking the chars.
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let bytes = fragment.as_bytes();
        let mut start = 0;
        let mut from = 0;
        while let Some(i) = next_unsafe(bytes, from) {
            let (escape, len) = match &bytes[i..] {
                [b'<', ..] => ("\\u003c", 1),
                [b'>', ..] => ("\\u003e", 1),
                [b'&', ..] => ("\\u0026", 1),
                [0xE2, 0x80, 0xA8, ..] => ("\\u2028", 3),
                [0xE2, 0x80, 0xA9, ..] => ("\\u2029", 3),
                // Another character of U+2000–U+2FFF (“”, …, —): written as it is.
                _ => {
                    from = i + 1;
                    continue;
                }
            };
            w.write_all(&bytes[start..i])?;
            w.write_all(escape.as_bytes())?;
            start = i + len;
            from = start;
        }
        w.write_all(&bytes[start..])
    }
}

/// The first byte at or after `from` that may start an escape: `<`, `>`, `&` or 0xE2.
fn next_unsafe(bytes: &[u8], from: usize) -> Option<usize> {
    let rest = &bytes[from..];
    let markup = memchr::memchr3(b'<', b'>', b'&', rest);
    // Only as far as the first markup byte: past it the next call looks again.
    let lead = memchr::memchr(0xE2, &rest[..markup.unwrap_or(rest.len())]);
    lead.or(markup).map(|i| from + i)
}

/// faq.json (every FAQ entry with its answer, article, section and terms) in parts: each
/// article's entries, serialised and joined by commas (empty for an article without
/// questions), in article order. Serve keeps them, and after an edit serialises again only
/// the articles whose entries may have changed: at 40,000 questions the file is tens of
/// megabytes.
#[derive(Default)]
pub struct JsonParts(Vec<std::sync::Arc<[u8]>>);

impl JsonParts {
    /// Every article's part: `kept(i)`'s when it gives one (article i's part as it was),
    /// else made afresh.
    pub fn make(
        a: &crate::site::Analysis,
        kept: impl Fn(ArticleId) -> Option<std::sync::Arc<[u8]>> + Sync,
    ) -> JsonParts {
        let parts = a
            .articles
            .par_enumerate()
            .map(|(i, data)| {
                kept(i).unwrap_or_else(|| article_json(a, &a.faq[data.faq.clone()]).into())
            })
            .collect();
        JsonParts(parts)
    }

    /// Article `i`'s part.
    pub fn part(&self, i: ArticleId) -> Option<std::sync::Arc<[u8]>> {
        use crate::ids::Id as _;
        self.0.get(i.index()).cloned()
    }

    /// Whether both join to the same bytes (a part made again is compared by its bytes).
    pub fn same_as(&self, other: &JsonParts) -> bool {
        self.0.len() == other.0.len()
            && self
                .0
                .iter()
                .zip(&other.0)
                .all(|(x, y)| std::sync::Arc::ptr_eq(x, y) || x == y)
    }

    /// Writes faq.json's bytes: the same as serialising `{"questions": [...]}` at once.
    pub fn write(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        let mut joined = Joined::start(out)?;
        for part in &self.0 {
            joined.add(part)?;
        }
        joined.end()
    }
}

/// Writes a build's faq.json: the bytes of `JsonParts::make(a, |_| None)`, made a block of
/// articles at a time (each block in parallel), so the parts are never all held at once (at
/// 100,000 articles they are 430 MB).
pub fn write_json(a: &crate::site::Analysis, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    write_json_in(a, out, 1024)
}

fn write_json_in(
    a: &crate::site::Analysis,
    out: &mut dyn std::io::Write,
    block: usize,
) -> std::io::Result<()> {
    let mut joined = Joined::start(out)?;
    let n = a.articles.len();
    for start in (0..n).step_by(block) {
        let parts: Vec<Vec<u8>> = a
            .articles
            .ids_in(start..n.min(start + block))
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(|i| article_json(a, &a.faq[a.articles[i].faq.clone()]))
            .collect();
        for part in &parts {
            joined.add(part)?;
        }
    }
    joined.end()
}

/// faq.json as it is written: the articles' parts, joined by commas (an article without
/// questions adds nothing).
struct Joined<'w> {
    out: &'w mut dyn std::io::Write,
    any: bool,
}

impl<'w> Joined<'w> {
    fn start(out: &'w mut dyn std::io::Write) -> std::io::Result<Self> {
        out.write_all(b"{\"questions\":[")?;
        Ok(Joined { out, any: false })
    }

    fn add(&mut self, part: &[u8]) -> std::io::Result<()> {
        if part.is_empty() {
            return Ok(());
        }
        if std::mem::replace(&mut self.any, true) {
            self.out.write_all(b",")?;
        }
        self.out.write_all(part)
    }

    fn end(self) -> std::io::Result<()> {
        self.out.write_all(b"]}\n")
    }
}

/// One article's entries of faq.json, joined by commas.
fn article_json<'a>(a: &'a crate::site::Analysis, entries: &'a [FaqEntry]) -> Vec<u8> {
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
    let entry = |e: &'a FaqEntry| {
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
    };
    // Compact and typed: at 40,000 questions a pretty-printed copy through `Value` costs seconds.
    // Script-safe too (`<`, `>`, `&`, U+2028/U+2029 as escapes): sites embed this file.
    let size: usize = entries
        .iter()
        .map(|e| 3 * (e.answer_html.len() + e.answer_text.len()) + 600)
        .sum();
    let mut out = Vec::with_capacity(size);
    for (k, e) in entries.iter().enumerate() {
        if k > 0 {
            out.push(b',');
        }
        let mut ser = serde_json::Serializer::with_formatter(&mut out, ScriptSafe);
        // Serialising plain structs into memory cannot fail.
        let _ = entry(e).serialize(&mut ser);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A build's faq.json, written a block at a time, is serve's joined from its kept parts,
    /// whatever the block size (articles without questions at a block's edge included).
    #[test]
    fn faq_json_written_in_blocks_is_the_joined_parts() {
        let mut without_questions = 0;
        for fixture in ["basic", "faq", "hostile"] {
            let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures")
                .join(fixture);
            let opts = crate::BuildOptions {
                root,
                ..Default::default()
            };
            let Ok(prepared) = crate::prepare(&opts) else {
                panic!("{fixture} does not prepare");
            };
            let a = prepared.analysis;
            assert!(a.articles.len() >= 3, "{fixture}");
            without_questions += a.articles.iter().filter(|d| d.faq.is_empty()).count();
            let mut joined = Vec::new();
            JsonParts::make(&a, |_| None).write(&mut joined).unwrap();
            let parsed: serde_json::Value = serde_json::from_slice(&joined).unwrap();
            assert_eq!(parsed["questions"].as_array().unwrap().len(), a.faq.len());
            for block in [1, 2, 3, 1024] {
                let mut written = Vec::new();
                write_json_in(&a, &mut written, block).unwrap();
                assert!(written == joined, "{fixture}, blocks of {block}");
            }
        }
        assert!(without_questions > 0);
    }

    /// The duplicate check's plain definition: a warning for each repeat, in the order of
    /// the questions, then `Diagnostics::sorted`.
    fn plain_duplicates(content: &Content, entries: &[FaqEntry]) -> (Vec<Diagnostic>, Vec<bool>) {
        let mut seen = std::collections::HashMap::new();
        let mut firsts = Vec::new();
        let mut warnings = crate::diagnostic::Diagnostics::default();
        for (k, e) in entries.iter().enumerate() {
            let key = name_of(&e.question);
            match seen.get(&key) {
                Some(&first) => {
                    firsts.push(false);
                    if !key.is_empty() {
                        let f: &FaqEntry = &entries[first];
                        warnings.push(Diagnostic::warning(
                            &content.articles[e.article].source,
                            e.line,
                            1,
                            format!(
                                "question `{}` is also asked in {}:{}",
                                e.question,
                                content.articles[f.article].source.display(),
                                f.line
                            ),
                        ));
                    }
                }
                None => {
                    seen.insert(key, k);
                    firsts.push(true);
                }
            }
        }
        (warnings.sorted(), firsts)
    }

    #[test]
    fn duplicates_are_the_plain_definition_in_path_order_cut_per_file() {
        // Ids in another order than the paths (`a/b` sorts before `a-b` as a path, after it
        // as bytes); one file with more repeats than are shown; questions repeated on one
        // line (a flow list), the same and different; one that is all punctuation.
        let sources = ["z/b.md", "a-b/x.md", "a/b/y.md", "a/c.md", "a.md"];
        let content = Content {
            articles: sources
                .iter()
                .map(|s| {
                    std::sync::Arc::new(crate::content::Article {
                        source: format!("content/{s}").into(),
                        rel: s.to_string(),
                        section: crate::ids::Id::new(0),
                        slug: String::new(),
                        path: String::new(),
                        matter: Default::default(),
                        text: String::new(),
                        body_start: 0,
                        body_line: 1,
                    })
                })
                .collect::<Vec<_>>()
                .into(),
            ..Default::default()
        };
        let questions = [
            "要多久？",
            "要多久?",
            "ＬＰＲ 是什么",
            "lpr是什么",
            "？！",
            "谁管",
        ];
        let mut seed = 7u64;
        let mut next = |n: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize % n
        };
        let mut entries = Vec::new();
        for a in 0..sources.len() {
            let count = if a == 2 { 240 } else { 30 };
            let mut line = 3;
            for _ in 0..count {
                // Now and then the next question on the same line.
                if next(4) != 0 {
                    line += 1 + next(3);
                }
                let q = questions[next(questions.len())];
                entries.push(FaqEntry {
                    article: crate::ids::Id::new(a),
                    anchor: "x".into(),
                    question: q.into(),
                    answer_html: "".into(),
                    answer_text: "".into(),
                    line,
                });
            }
        }
        let (fast, firsts) = duplicates(&content, &entries);
        let (plain, plain_firsts) = plain_duplicates(&content, &entries);
        assert!(fast.iter().any(|d| d.message.contains("more problems")));
        assert_eq!(firsts, plain_firsts);
        assert_eq!(fast, plain);
    }

    #[test]
    fn script_json_escapes_every_unsafe_character_and_keeps_the_rest() {
        let text = "“引号”<b>&amp;</b>\u{2028}行\u{2029}段…—E\u{2000}x<";
        let out = String::from_utf8(script_json(&text, 0)).unwrap();
        for raw in ['<', '>', '&', '\u{2028}', '\u{2029}'] {
            assert!(!out.contains(raw), "{raw:?} is left in {out}");
        }
        assert!(out.contains("“引号”") && out.contains("…—E\u{2000}x"));
        assert_eq!(serde_json::from_str::<String>(&out).unwrap(), text);
    }

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
