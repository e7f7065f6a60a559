//! What the index keeps beside the postings to meet readers where they type, each in files
//! the client loads only when a query needs them:
//! - `y/HEX.js`: pinyin keys of the Han bigrams in titles, FAQ questions and headings —
//!   full pinyin (`cuishou`) and initials (`^cs`) → the bigrams, most used first. The client
//!   turns a Latin query that matches no word into those bigrams and searches the shards
//!   as usual, so pinyin adds no posting to the index;
//! - `pinyin.js`: the pinyin syllables (for splitting `gerenxinxi` into `ge ren xin xi`);
//! - `fold.js`: the Traditional → Simplified pairs whose Simplified character the site
//!   uses (the index holds only Simplified forms; the client folds a query with them when a
//!   character of it finds nothing, or at once on a site written in Traditional characters);
//! - `hints.js`: the site's taxonomy terms with their pages and article counts, for the
//!   empty state's suggestions;
//! - `facets.js`: which docs each section and taxonomy term holds, for result filters.
//!
//! Synonym groups (`search.synonyms`) travel in the manifest and apply at query time.

use super::encode::{fnv1a32, js_call, json_str, push_varint, FxHashMap};
use super::shard::{hex_name, packed, File};
use super::SearchDoc;
use std::collections::{BTreeMap, BTreeSet};

/// A pinyin key keeps this many bigrams (initials are ambiguous: they keep fewer, the
/// commonest, so a query of initials loads few shards).
const FULL_ALTS: usize = 8;
const INITIAL_ALTS: usize = 6;
/// Readings per character used for keys: heteronyms beyond the commonest two are rare.
const READINGS: usize = 2;
/// About this many keys share a pinyin key file.
const KEYS_PER_FILE: usize = 300;
/// Terms offered as suggestions, the most used first.
const MAX_HINTS: usize = 300;

/// Pinyin key files for `keys` keys: about `KEYS_PER_FILE` each, in powers of two, and at
/// most eight or one per 32 shards, so a large site's search folder stays within its file
/// budget.
fn pinyin_files(keys: usize, shards: u32) -> u32 {
    let wanted = keys.div_ceil(KEYS_PER_FILE).max(1).next_power_of_two() as u32;
    wanted.min((shards / 32).max(8))
}

/// The pinyin key file of `key`.
fn pinyin_file_of(key: &str, files: u32) -> u32 {
    fnv1a32(key.as_bytes()) & (files - 1)
}

/// One pinyin key file's keys → their bigrams with the docs holding each.
type Keys = BTreeMap<String, Vec<(u32, (char, char))>>;

/// A doc's taxonomy term as filters and suggestions show it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct TermKey {
    /// The taxonomy's place in kbgen.yaml (filters list taxonomies in that order).
    order: usize,
    taxonomy: String,
    name: String,
}

#[derive(Default)]
struct TermDocs {
    /// The taxonomy's front-matter key and the term's slug: a filter's URL parameter is
    /// `KEY=SLUG`, as on section and term pages.
    key: String,
    slug: String,
    url: String,
    ids: BTreeSet<u32>,
}

/// What one doc adds to the aids (besides its terms and section, read from the doc).
#[derive(Default, Debug)]
pub struct DocAids {
    /// Distinct Han bigrams of the doc's title, FAQ questions and headings.
    pub lex: Vec<(char, char)>,
    /// Whether the doc's text held Traditional characters (folded for the index).
    pub traditional: bool,
}

#[derive(Default)]
pub struct Aids {
    /// Han bigram → how many docs hold it in a title, FAQ question or heading.
    lex: FxHashMap<(char, char), u32>,
    terms: BTreeMap<TermKey, TermDocs>,
    /// Doc id → its section's index.
    doc_section: FxHashMap<u32, usize>,
    /// Docs whose text held Traditional characters.
    traditional: usize,
    /// Whether the site has an FAQ page (suggested when nothing matches).
    pub faq: bool,
    /// Synonym groups, normalised.
    pub synonyms: Vec<Vec<String>>,
    /// How many pinyin key files were last written (0 before the first).
    written: u32,
    /// How many distinct pinyin keys `lex` makes, once counted (cleared when `lex` changes).
    key_count: std::sync::OnceLock<usize>,
}

impl Aids {
    pub fn new(faq: bool, synonyms: Vec<Vec<String>>) -> Aids {
        Aids {
            faq,
            synonyms,
            ..Aids::default()
        }
    }

    /// Counts doc `id` in (`add`) or out.
    pub fn count(&mut self, id: u32, doc: &SearchDoc, section: usize, aids: &DocAids, add: bool) {
        if !aids.lex.is_empty() {
            self.key_count = std::sync::OnceLock::new();
        }
        for pair in &aids.lex {
            if add {
                *self.lex.entry(*pair).or_insert(0) += 1;
            } else if let Some(n) = self.lex.get_mut(pair) {
                *n -= 1;
                if *n == 0 {
                    self.lex.remove(pair);
                }
            }
        }
        for t in &doc.terms {
            let key = TermKey {
                order: t.order,
                taxonomy: t.taxonomy.to_string(),
                name: t.name.to_string(),
            };
            if add {
                let e = self.terms.entry(key).or_default();
                e.url = format!("{}/{}/", t.segment, t.slug);
                e.key = t.key.to_string();
                e.slug = t.slug.to_string();
                e.ids.insert(id);
            } else if let Some(e) = self.terms.get_mut(&key) {
                e.ids.remove(&id);
                if e.ids.is_empty() {
                    self.terms.remove(&key);
                }
            }
        }
        if add {
            self.doc_section.insert(id, section);
            self.traditional += usize::from(aids.traditional);
        } else {
            self.doc_section.remove(&id);
            self.traditional -= usize::from(aids.traditional);
        }
    }

    /// Whether the site's text holds Traditional characters (the client then folds every
    /// query, and the text it marks, from the start).
    pub fn traditional(&self) -> bool {
        self.traditional > 0
    }

    /// The pinyin keys of a bigram: every reading pair's full pinyin and initials.
    fn keys(pair: (char, char), mut f: impl FnMut(String)) {
        let (ra, rb) = (
            crate::hanzi::readings(pair.0),
            crate::hanzi::readings(pair.1),
        );
        let mut initials = BTreeSet::new();
        for a in ra.iter().take(READINGS) {
            for b in rb.iter().take(READINGS) {
                f(format!("{a}{b}"));
                if let (Some(x), Some(y)) = (a.chars().next(), b.chars().next()) {
                    initials.insert(format!("^{x}{y}"));
                }
            }
        }
        initials.into_iter().for_each(f);
    }

    /// How many pinyin key files the site's keys fill (the manifest's `y`).
    pub fn pinyin_count(&self, shards: u32) -> u32 {
        let keys = *self.key_count.get_or_init(|| {
            let mut keys = std::collections::HashSet::new();
            for &pair in self.lex.keys() {
                Self::keys(pair, |k| {
                    keys.insert(k);
                });
            }
            keys.len()
        });
        pinyin_files(keys, shards)
    }

    /// The pinyin key files to write — all of them, or when the file count holds, only
    /// those holding keys of the `changed` bigrams — and the names of files that go.
    pub fn render_pinyin(
        &mut self,
        shards: u32,
        changed: Option<&BTreeSet<(char, char)>>,
    ) -> (Vec<File>, Vec<String>) {
        let files = self.pinyin_count(shards);
        let mut gone = Vec::new();
        let mut only = None;
        match changed {
            Some(pairs) if files == self.written => {
                let mut set = BTreeSet::new();
                for &pair in pairs {
                    Self::keys(pair, |k| {
                        set.insert(pinyin_file_of(&k, files));
                    });
                }
                only = Some(set);
            }
            _ if self.written > 0 && files != self.written => {
                gone = (0..self.written)
                    .map(|n| hex_name("y", n, self.written))
                    .collect();
            }
            _ => {}
        }
        self.written = files;
        let made = self.render_pinyin_files(files, only.as_ref());
        gone.retain(|name| !made.iter().any(|f| &f.0 == name));
        (made, gone)
    }

    /// Pinyin key files (all of them, or only those in `only`); a file with no key is
    /// still written (empty), so the client never waits on a missing one.
    fn render_pinyin_files(&self, files: u32, only: Option<&BTreeSet<u32>>) -> Vec<File> {
        let mut by_file: BTreeMap<u32, Keys> = BTreeMap::new();
        for n in 0..files {
            if only.is_none_or(|o| o.contains(&n)) {
                by_file.insert(n, BTreeMap::new());
            }
        }
        for (&pair, &count) in &self.lex {
            Self::keys(pair, |k| {
                if let Some(keys) = by_file.get_mut(&pinyin_file_of(&k, files)) {
                    keys.entry(k).or_default().push((count, pair));
                }
            });
        }
        by_file
            .into_iter()
            .map(|(n, keys)| {
                let mut s = String::from("{");
                for (i, (key, mut alts)) in keys.into_iter().enumerate() {
                    alts.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
                    alts.truncate(if key.starts_with('^') {
                        INITIAL_ALTS
                    } else {
                        FULL_ALTS
                    });
                    if i > 0 {
                        s.push(',');
                    }
                    s.push_str(&json_str(&key));
                    s.push_str(":[");
                    for (j, (count, (a, b))) in alts.iter().enumerate() {
                        if j > 0 {
                            s.push(',');
                        }
                        s.push_str(&format!("\"{a}{b}\",{count}"));
                    }
                    s.push(']');
                }
                s.push('}');
                (hex_name("y", n, files), packed("pinyin", n, &s, 6))
            })
            .collect()
    }

    /// `fold.js`: the pairs (Traditional, Simplified) whose Simplified character is in
    /// `site_chars`, as one string of pairs.
    pub fn render_fold(site_chars: &std::collections::HashSet<char>) -> File {
        let pairs: String = crate::hanzi::simplified_pairs()
            .filter(|(_, s)| site_chars.contains(s))
            .flat_map(|(t, s)| [t, s])
            .collect();
        ("fold.js".into(), js_call("fold", &json_str(&pairs)))
    }

    /// `pinyin.js`: the pinyin syllables, which the client splits a Latin query into.
    pub fn render_syllables() -> File {
        let list: Vec<String> = crate::hanzi::syllables()
            .iter()
            .map(|s| json_str(s))
            .collect();
        (
            "pinyin.js".into(),
            js_call("syllables", &format!("[{}]", list.join(","))),
        )
    }

    /// `hints.js`: the taxonomy terms (most articles first) and whether there is an FAQ page.
    pub fn render_hints(&self) -> File {
        let mut terms: Vec<(&TermKey, &TermDocs)> = self.terms.iter().collect();
        terms.sort_by(|a, b| b.1.ids.len().cmp(&a.1.ids.len()).then(a.0.cmp(b.0)));
        terms.truncate(MAX_HINTS);
        let list: Vec<String> = terms
            .iter()
            .map(|(k, d)| {
                format!(
                    "[{},{},{},{}]",
                    json_str(&k.taxonomy),
                    json_str(&k.name),
                    json_str(&d.url),
                    d.ids.len()
                )
            })
            .collect();
        let s = format!(
            "{{\"faq\":{},\"terms\":[{}]}}",
            u8::from(self.faq),
            list.join(",")
        );
        ("hints.js".into(), js_call("hints", &s))
    }

    /// `facets.js`: each section's docs (by section index) and each taxonomy (key, title)
    /// with its terms (name, slug) and their docs, ids as gap varints (the postings' alphabet).
    pub fn render_facets(&self, sections: usize) -> File {
        let ids = |set: &mut dyn Iterator<Item = u32>| {
            let mut out = Vec::new();
            let mut last = 0;
            for id in set {
                push_varint(&mut out, id - last);
                last = id;
            }
            json_str(std::str::from_utf8(&out).unwrap_or_default())
        };
        let mut by_section: Vec<Vec<u32>> = vec![Vec::new(); sections];
        for (&id, &k) in &self.doc_section {
            if let Some(list) = by_section.get_mut(k) {
                list.push(id);
            }
        }
        let sec: Vec<String> = by_section
            .iter_mut()
            .map(|list| {
                list.sort_unstable();
                ids(&mut list.iter().copied())
            })
            .collect();
        let mut tax: Vec<String> = Vec::new();
        for run in self
            .terms
            .iter()
            .collect::<Vec<_>>()
            .chunk_by(|a, b| a.0.taxonomy == b.0.taxonomy)
        {
            let terms: Vec<String> = run
                .iter()
                .map(|(k, d)| {
                    format!(
                        "[{},{},{}]",
                        json_str(&k.name),
                        json_str(&d.slug),
                        ids(&mut d.ids.iter().copied())
                    )
                })
                .collect();
            tax.push(format!(
                "[{},{},[{}]]",
                json_str(&run[0].1.key),
                json_str(&run[0].0.taxonomy),
                terms.join(",")
            ));
        }
        let s = format!(
            "{{\"sec\":[{}],\"tax\":[{}]}}",
            sec.join(","),
            tax.join(",")
        );
        ("facets.js".into(), packed("facets", 0, &s, 6))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bigram_keys_cover_readings_and_initials() {
        let mut keys = Vec::new();
        Aids::keys(('催', '收'), |k| keys.push(k));
        assert_eq!(keys, ["cuishou", "^cs"]);
        let mut keys = Vec::new();
        Aids::keys(('银', '行'), |k| keys.push(k));
        assert!(keys.contains(&"yinhang".to_string()), "{keys:?}");
        assert!(keys.contains(&"yinxing".to_string()), "{keys:?}");
        assert!(keys.contains(&"^yh".to_string()), "{keys:?}");
    }
}
