//! The site search index: cuts every article into terms the same way the client cuts a
//! query, counts them per field and writes sharded JavaScript files for `search.js`.
//!
//! Layout under the output's `search/` folder (every file calls `window.__kbgenSearch.*`;
//! shards, tails and docs pass their JSON deflated and in base64, see `shard::packed`).
//! File counts grow with the article count in steps (shards and tails in powers of two,
//! doc bundles by 16), never one file per article; at 10,000 articles: 1,024 shards,
//! 128 tail bundles, 784 doc bundles, 21 prefix lists and the manifest (1,958 files).
//! - `manifest.js`: doc count, the counts of shards, tail and doc bundles, field weights
//!   and average lengths, section titles, and the dictionary words the client may
//!   recognise in a query;
//! - `s/HEX.js`: one shard per hash bucket (about one per 16 articles),
//!   `{term: [df, postings, 1 if it has a tail]}`;
//! - `t/HEX.js`: tail bundle `k` holds, for the terms of the shards `n % tails == k`, the
//!   postings past the `HEAD_POSTINGS` highest-impact ones the shard keeps; loaded only when
//!   the reader asks for more results, or when the heads alone find nothing;
//! - `p/HEX.js`: sorted Latin words by first character, for prefix matching of the last word;
//! - `d/HEX.js`: doc bundle `b` holds the docs whose ids fall in its range (about 13):
//!   URL, title, section index, headings and questions, and the start of the summary,
//!   paragraphs and answers; fetched only for shown results.

mod aids;
mod docs;
pub(crate) mod encode;
mod postings;
pub(crate) mod segment;
mod shard;

use crate::diagnostic::Failure;
use crate::markdown::TextPart;
use crate::yaml::key;
pub use docs::{search_doc, search_docs, take_texts};
use encode::{fnv1a32, FxHashMap};
use postings::{length_bucket, Acc, Counts, Posting, Term, BODY, TITLE};
use rayon::prelude::*;
use segment::{for_each_cjk_term, for_each_piece, is_cjk, normalize, Piece};

/// The fields of an article, in decreasing weight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Title,
    FaqQuestion,
    Heading,
    Summary,
    Terms,
    FaqAnswer,
    Body,
}

const FIELDS: usize = 7;

impl Field {
    /// Position in per-field arrays (counts, weights, lengths); shared with the client.
    fn index(self) -> usize {
        self as usize
    }
}

/// Ranking parameters by field index; shipped in the manifest so the client and the build's
/// impact ordering use one set. The title's b is lower than the body's because titles are
/// short and a long title that contains the words is still about them.
const WEIGHTS: [f64; FIELDS] = [8.0, 5.0, 3.0, 2.0, 2.0, 1.2, 1.0];
const B: [f64; FIELDS] = [0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.75];
const K1: f64 = 1.2;

/// A common term's shard holds only this many postings (those that score highest); the rest
/// go to its tail bundle. Their idf is low, so readers rarely need more than the best of them
/// (at 10,000 articles, 100 find the same top results of the benchmark's queries as 400).
const HEAD_POSTINGS: usize = 100;

/// Dictionary words offered to the client are capped so the manifest stays small.
const MAX_WORDS: usize = 600;

/// Fields jieba cuts for whole-word terms: the short, high-weight ones, where a whole-word
/// match says most about ranking and cutting stays cheap.
const WORD_FIELDS: [Field; 3] = [Field::Title, Field::FaqQuestion, Field::Heading];

#[derive(PartialEq)]
pub struct SearchDoc<'a> {
    /// Article URL relative to the site root, e.g. "collection/seven-day-sms/" (the client prefixes the base).
    pub url: &'a str,
    pub title: &'a str,
    /// Section title, shown under the result.
    pub section: &'a str,
    pub summary: &'a str,
    /// The article's taxonomy terms (e.g. "《中华人民共和国民法典》", "投诉").
    pub terms: Vec<DocTerm<'a>>,
    /// The article's text in order. `anchor` is "" for text before the first heading, else the heading's id
    /// (or the `faq-…` id of a front-matter FAQ entry); results link to `url#anchor` of the best-matching part.
    pub parts: Vec<SearchPart<'a>>,
}

/// A taxonomy term of a doc: its name (indexed), and what filters and suggestions show.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DocTerm<'a> {
    /// The taxonomy's title, e.g. "法律依据", front-matter key (`legal_basis`) and place in
    /// kbgen.yaml.
    pub taxonomy: &'a str,
    pub key: &'a str,
    pub order: usize,
    /// The taxonomy's URL segment and the term's folder: the term page is `SEGMENT/SLUG/`.
    pub segment: &'a str,
    pub slug: &'a str,
    pub name: &'a str,
}

#[derive(Clone, Copy, PartialEq)]
pub struct SearchPart<'a> {
    pub field: Field,
    pub anchor: &'a str,
    pub text: &'a str,
}

/// A search doc that owns its text, so it outlives what it was taken from.
#[derive(Clone, Debug, PartialEq)]
pub struct OwnedDoc {
    pub url: String,
    pub title: String,
    pub section: String,
    pub summary: String,
    /// (taxonomy title, key, segment, slug, name) of each term, and the taxonomy's place.
    pub terms: Vec<([String; 5], usize)>,
    pub parts: Vec<(Field, String, String)>,
}

impl OwnedDoc {
    pub fn from_doc(d: &SearchDoc) -> OwnedDoc {
        OwnedDoc {
            url: d.url.into(),
            title: d.title.into(),
            section: d.section.into(),
            summary: d.summary.into(),
            terms: d
                .terms
                .iter()
                .map(|t| {
                    (
                        [t.taxonomy, t.key, t.segment, t.slug, t.name].map(String::from),
                        t.order,
                    )
                })
                .collect(),
            parts: d
                .parts
                .iter()
                .map(|p| (p.field, p.anchor.to_string(), p.text.to_string()))
                .collect(),
        }
    }

    pub fn doc(&self) -> SearchDoc<'_> {
        SearchDoc {
            url: &self.url,
            title: &self.title,
            section: &self.section,
            summary: &self.summary,
            terms: self
                .terms
                .iter()
                .map(|([taxonomy, key, segment, slug, name], order)| DocTerm {
                    taxonomy,
                    key,
                    order: *order,
                    segment,
                    slug,
                    name,
                })
                .collect(),
            parts: self
                .parts
                .iter()
                .map(|(field, anchor, text)| SearchPart {
                    field: *field,
                    anchor,
                    text,
                })
                .collect(),
        }
    }
}

#[derive(Default)]
pub struct SearchOptions {
    pub dictionary_words: Vec<String>,
    /// Groups of words that find each other (`search.synonyms`).
    pub synonyms: Vec<Vec<String>>,
    /// Whether the site has an FAQ page (the empty state suggests it).
    pub faq: bool,
}

/// Synonym groups as the client matches them: each word normalised (folded, lower-cased,
/// trimmed), empty words and repeats dropped, groups of fewer than two left out.
fn normalized_synonyms(groups: &[Vec<String>]) -> Vec<Vec<String>> {
    groups
        .iter()
        .filter_map(|g| {
            let mut words: Vec<String> = Vec::new();
            for w in g {
                let w = normalize(w.trim());
                if !w.is_empty() && !words.contains(&w) {
                    words.push(w);
                }
            }
            (words.len() >= 2).then_some(words)
        })
        .collect()
}

/// The words of the site's search dictionary (`search.dictionary` in kbgen.yaml), one a line;
/// blank lines and `#` comments skipped. A dictionary that is missing, a folder or not UTF-8
/// is reported at kbgen.yaml's line naming it; another read failure is plumbing.
pub fn load_dictionary(config: &crate::config::Config) -> Result<Vec<String>, Failure> {
    let Some(path) = &config.dictionary else {
        return Ok(Vec::new());
    };
    let shown = path.strip_prefix(&config.root).unwrap_or(path).display();
    let at = [key("search"), key("dictionary")];
    let problem = |why: String| {
        Failure::Content(vec![
            config.error_at(&at, format!("the search dictionary `{shown}` {why}"))
        ])
    };
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(problem("does not exist".into()))
        }
        Err(_) if path.is_dir() => {
            return Err(problem(
                "is a folder: name a text file of words, one a line".into(),
            ))
        }
        Err(e) => {
            let e = anyhow::Error::new(e)
                .context(format!("reading the search dictionary {}", path.display()));
            return Err(Failure::Plumbing(e));
        }
    };
    let text = String::from_utf8(bytes).map_err(|e| {
        let line = 1 + e.as_bytes()[..e.utf8_error().valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        problem(format!("is not valid UTF-8 (line {line})"))
    })?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect())
}

/// The built index: its files, rendered once (the unit tests' view of a full build).
#[cfg(test)]
pub struct SearchIndex {
    files: Vec<(String, Vec<u8>)>,
    stats: SearchStats,
}

/// Figures for the build summary.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchStats {
    pub docs: usize,
    pub terms: usize,
    pub shards: usize,
    /// Terms whose less relevant postings moved to a tail file.
    pub tails: usize,
    pub files: usize,
    pub total_bytes: usize,
    pub manifest_bytes: usize,
    pub largest_shard_bytes: usize,
}

#[cfg(test)]
impl SearchIndex {
    /// Files to write under the output's `search/` folder: (relative path like "manifest.js", bytes).
    /// Deterministic: same docs → byte-identical files, stable order.
    pub fn files(&self) -> Vec<(String, Vec<u8>)> {
        self.files.clone()
    }

    pub fn stats(&self) -> SearchStats {
        self.stats.clone()
    }
}

/// Shard count from the doc count alone (about 16 articles' worth of terms per shard), so
/// editing articles never moves terms between shards; only crossing a power of two does.
fn shard_count(docs: usize) -> u32 {
    ((docs / 16).max(1).next_power_of_two() as u32).clamp(1, 8192)
}

/// Tail bundles: one per eight shards (tails are read only for more results).
fn tail_count(shards: u32) -> u32 {
    (shards / 8).max(1)
}

/// Doc bundles: about one per 13 articles, in steps of 16 bundles, so that adding articles
/// regroups the docs only every 200 or so articles. (Every doc of a bundle is loaded with
/// any one result of it: bundles must stay small, and at 10,000 articles 784 of them keep
/// the search folder under 2,000 files.)
///
/// A site of up to `SMALL_SITE` articles has about one doc a bundle instead (their files
/// fit in the budget) and keeps the text of each as before bundling (`Params::text`).
fn doc_bundle_count(docs: usize) -> u32 {
    if docs <= SMALL_SITE {
        return (docs.div_ceil(16) * 16).max(1) as u32;
    }
    ((docs / 13).div_ceil(16) * 16).max(1) as u32
}

/// Up to this many articles, each doc has (about) a bundle of its own.
const SMALL_SITE: usize = 400;

/// How much of each doc's text its record keeps on a site of `docs` articles.
fn text_budget(docs: usize) -> shard::TextBudget {
    if docs <= SMALL_SITE {
        shard::TextBudget::WHOLE
    } else {
        shard::TextBudget::SHARED
    }
}

/// Stable document ids: the URL's hash in a space four times the doc count, probing on
/// collision. Adding or removing an article leaves every other id (and so every posting
/// that does not mention it) alone, while gaps between ids stay small enough to encode in
/// one character.
fn assign_ids(docs: &[SearchDoc]) -> (Vec<u32>, u32) {
    let urls: Vec<&str> = docs.iter().map(|d| d.url).collect();
    assign_url_ids(&urls)
}

fn assign_url_ids(urls: &[&str]) -> (Vec<u32>, u32) {
    let space = (urls.len().max(16).next_power_of_two() * 4) as u32;
    let mut by_url: Vec<usize> = (0..urls.len()).collect();
    by_url.sort_by(|&a, &b| urls[a].cmp(urls[b]).then(a.cmp(&b)));
    let mut taken = vec![false; space as usize];
    let mut ids = vec![0; urls.len()];
    for i in by_url {
        let mut id = fnv1a32(urls[i].as_bytes()) & (space - 1);
        while taken[id as usize] {
            id = (id + 1) & (space - 1);
        }
        taken[id as usize] = true;
        ids[i] = id;
    }
    (ids, space)
}

/// One article cut into terms.
struct DocTerms {
    /// (shard, term, counts), sorted by shard.
    entries: Vec<(u32, Term, Counts)>,
    /// Whole words (three or more CJK characters) found by jieba in `WORD_FIELDS`.
    words: Vec<(Box<str>, Counts)>,
    lens: [u32; FIELDS],
    aids: aids::DocAids,
}

fn add(counts: &mut FxHashMap<Term, Counts>, term: Term, field: usize) {
    let c = counts.entry(term).or_insert([0; FIELDS]);
    c[field] = c[field].saturating_add(1);
}

/// Counts the terms of one text into `counts` and returns how many it holds; notes in
/// `traditional` whether folding changed a Han character.
fn cut_text(
    counts: &mut FxHashMap<Term, Counts>,
    text: &str,
    field: usize,
    traditional: &mut bool,
) -> u32 {
    let normalized = segment::normalize_noting(text, traditional);
    let mut n = 0;
    for_each_piece(&normalized, |piece| match piece {
        Piece::Word(w) => {
            add(counts, Term::word(w), field);
            n += 1;
        }
        Piece::Cjk(run) => for_each_cjk_term(run, |a, b| {
            add(counts, Term::cjk(a, b), field);
            n += 1;
        }),
    });
    n
}

/// One term the index counts for a text: as the client spells it, its shard (from the packed
/// key and from the text, which must agree) and how often it occurs. For the fuzz harness.
pub(crate) struct CutTerm {
    pub text: String,
    pub shard: u32,
    pub text_shard: u32,
    pub count: u8,
}

/// The index side of the cut for one text: its terms, and the length the index records.
pub(crate) fn cut_terms(text: &str, shards: u32) -> (Vec<CutTerm>, u32) {
    let mut counts = FxHashMap::default();
    let len = cut_text(&mut counts, text, BODY, &mut false);
    let terms = counts
        .into_iter()
        .map(|(t, c)| CutTerm {
            text: t.text(),
            shard: t.shard(shards),
            text_shard: postings::shard_of(&t.text(), shards),
            count: c[BODY],
        })
        .collect();
    (terms, len)
}

fn cut_doc(
    counts: &mut FxHashMap<Term, Counts>,
    doc: &SearchDoc,
    jieba: &jieba_rs::Jieba,
    shards: u32,
) -> DocTerms {
    count_terms(counts, doc, shards, cut_words(doc, jieba))
}

/// The texts of a doc the index reads, with their fields.
fn doc_texts<'d>(doc: &'d SearchDoc) -> impl Iterator<Item = (Field, &'d str)> {
    [(Field::Title, doc.title), (Field::Summary, doc.summary)]
        .into_iter()
        .chain(doc.terms.iter().map(|t| (Field::Terms, t.name)))
        .chain(doc.parts.iter().map(|p| (p.field, p.text)))
}

/// What jieba finds in a doc's `WORD_FIELDS`: its whole words (three or more CJK
/// characters) and the Han bigrams inside its words.
struct WordCut {
    words: Vec<(Box<str>, Counts)>,
    lex: Vec<(char, char)>,
}

fn cut_words(doc: &SearchDoc, jieba: &jieba_rs::Jieba) -> WordCut {
    let mut words: FxHashMap<Box<str>, Counts> = FxHashMap::default();
    let mut lex = Vec::new();
    for (field, text) in doc_texts(doc).filter(|(f, _)| WORD_FIELDS.contains(f)) {
        let fi = field.index();
        let normalized = normalize(text);
        for token in jieba.cut(&normalized, false) {
            let w = token.word;
            if !w.chars().all(is_cjk) {
                continue;
            }
            // Pinyin keys come from the bigrams inside words, not across them.
            lex.extend(w.chars().zip(w.chars().skip(1)));
            if w.chars().nth(2).is_some() {
                let c = match words.get_mut(w) {
                    Some(c) => c,
                    None => words.entry(w.into()).or_insert([0; FIELDS]),
                };
                c[fi] = c[fi].saturating_add(1);
            }
        }
    }
    let mut words: Vec<_> = words.into_iter().collect();
    words.sort_unstable();
    lex.sort_unstable();
    lex.dedup();
    WordCut { words, lex }
}

/// The index's terms of `doc`, with the words jieba found in it.
fn count_terms(
    counts: &mut FxHashMap<Term, Counts>,
    doc: &SearchDoc,
    shards: u32,
    found: WordCut,
) -> DocTerms {
    let mut lens = [0u32; FIELDS];
    let mut traditional = false;
    for (field, text) in doc_texts(doc) {
        let fi = field.index();
        lens[fi] += cut_text(counts, text, fi, &mut traditional);
    }
    let mut entries: Vec<(u32, Term, Counts)> = counts
        .drain()
        .map(|(t, c)| (t.shard(shards), t, c))
        .collect();
    entries.sort_unstable_by_key(|e| e.0);
    DocTerms {
        entries,
        words: found.words,
        lens,
        aids: aids::DocAids {
            lex: found.lex,
            traditional,
        },
    }
}

fn posting(doc: u32, tf: Counts, lens: &[u32; FIELDS]) -> Posting {
    Posting {
        doc,
        tf,
        body_bucket: if tf[BODY] > 0 {
            length_bucket(lens[BODY])
        } else {
            0
        },
        title_len: if tf[TITLE] > 0 {
            lens[TITLE].min(31) as u8
        } else {
            0
        },
    }
}

/// Articles cut per batch: enough to keep both cores busy, few enough that the batch's
/// uncompressed terms stay small next to the encoded postings.
const BATCH: usize = 512;

/// Shard groups merged in parallel; each owns a contiguous range of shards.
const GROUPS: usize = 16;

#[cfg(test)]
pub fn build_index(docs: &[SearchDoc], opts: &SearchOptions) -> SearchIndex {
    let mut state = SearchState::build(docs, opts);
    let (files, mut stats) = state.render_all(docs);
    stats.docs = docs.len();
    SearchIndex { files, stats }
}

/// The counted index kept between builds (by `kbgen serve`), so an edited article updates
/// only its own postings and the files they live in.
pub struct SearchState {
    jieba: jieba_rs::Jieba,
    shards: u32,
    id_space: u32,
    /// Article URL → doc id.
    ids: FxHashMap<String, u32>,
    /// Term counts per field of each doc, by id.
    lens: FxHashMap<u32, [u32; FIELDS]>,
    len_sums: [u64; FIELDS],
    docs: usize,
    /// Whole words jieba found, with the docs holding them.
    word_docs: FxHashMap<Box<str>, std::collections::BTreeMap<u32, Counts>>,
    /// The whole words that are indexed and listed in the manifest (sorted).
    words: Vec<String>,
    /// One map per shard: term → postings in doc-id order.
    maps: Vec<FxHashMap<Term, Acc>>,
    /// Each shard's rendered entries, when kept (`keep_shards`): an update then renders
    /// only the terms it changed.
    fragments: Vec<shard::Fragments>,
    /// Each tail bundle's tails, kept with the fragments.
    tail_cache: Vec<shard::Tails>,
    keep: bool,
    /// Section titles, sorted (docs name theirs by index).
    sections: Vec<String>,
    /// How many docs each of `sections` has (a section with none is not listed).
    section_docs: Vec<usize>,
    /// Each doc's record in its bundle, by id: an update rewrites the bundles of the docs it
    /// changes from them.
    records: shard::Records,
    /// Pinyin keys, terms and sections for filters and hints, synonyms (see `aids`).
    aids: aids::Aids,
    /// `fold.js` as last written (an update writes it again only when it changes).
    fold: Option<shard::File>,
}

/// What an incremental update changes under `search/`.
#[derive(Debug, Default)]
pub struct SearchDelta {
    pub write: Vec<(String, Vec<u8>)>,
    pub remove: Vec<String>,
}

/// jieba with its bundled dictionary, before the site's own words are added: loading it
/// takes ~0.2 s and ~33 MB, so a build loads it on a thread of its own while the content is
/// read and analysed.
pub struct Segmenter(jieba_rs::Jieba);

impl Segmenter {
    pub fn load() -> Segmenter {
        Segmenter(jieba_rs::Jieba::new())
    }
}

/// The index while docs are counted, in id order a batch at a time.
struct Counting {
    shards: u32,
    ids: Vec<u32>,
    id_space: u32,
    /// Doc indices in id order.
    order: Vec<usize>,
    per_group: usize,
    maps: Vec<FxHashMap<Term, Acc>>,
    len_sums: [u64; FIELDS],
    lens: FxHashMap<u32, [u32; FIELDS]>,
    word_docs: FxHashMap<Box<str>, std::collections::BTreeMap<u32, Counts>>,
    doc_aids: Vec<(usize, aids::DocAids)>,
    /// Section titles, sorted.
    sections: Vec<String>,
}

impl Counting {
    fn new(docs: &[SearchDoc]) -> Counting {
        let shards = shard_count(docs.len());
        let (ids, id_space) = assign_ids(docs);
        let mut order: Vec<usize> = (0..docs.len()).collect();
        order.sort_by_key(|&i| ids[i]);
        let groups = GROUPS.min(shards as usize);
        let mut sections: Vec<String> = docs.iter().map(|d| d.section.to_string()).collect();
        sections.sort_unstable();
        sections.dedup();
        Counting {
            shards,
            ids,
            id_space,
            order,
            per_group: (shards as usize).div_ceil(groups),
            maps: (0..shards).map(|_| FxHashMap::default()).collect(),
            len_sums: [0; FIELDS],
            lens: FxHashMap::default(),
            word_docs: FxHashMap::default(),
            doc_aids: Vec::with_capacity(docs.len()),
            sections,
        }
    }

    /// The doc indices of the batch starting at `start` (in id order).
    fn batch(&self, start: usize) -> Vec<usize> {
        self.order[start..(start + BATCH).min(self.order.len())].to_vec()
    }

    /// Counts a batch: `batch` the docs' indices, `docs` the docs, `found` their words.
    fn add(&mut self, batch: &[usize], docs: &[&SearchDoc], found: Vec<WordCut>) {
        let shards = self.shards;
        let cut: Vec<DocTerms> = docs
            .par_iter()
            .zip(found)
            .map_init(FxHashMap::default, |counts, (d, w)| {
                count_terms(counts, d, shards, w)
            })
            .collect();
        let (ids, per_group) = (&self.ids, self.per_group);
        self.maps
            .par_chunks_mut(per_group)
            .enumerate()
            .for_each(|(g, group)| {
                let (lo, hi) = ((g * per_group) as u32, ((g + 1) * per_group) as u32);
                for (dt, &i) in cut.iter().zip(batch) {
                    let start = dt.entries.partition_point(|e| e.0 < lo);
                    let end = dt.entries.partition_point(|e| e.0 < hi);
                    for (shard, term, tf) in &dt.entries[start..end] {
                        let p = posting(ids[i], *tf, &dt.lens);
                        let map = &mut group[(*shard - lo) as usize];
                        match map.get_mut(term) {
                            Some(acc) => acc.push(&p),
                            None => map.entry(term.clone()).or_default().push(&p),
                        }
                    }
                }
            });
        for (dt, &i) in cut.into_iter().zip(batch) {
            for (sum, len) in self.len_sums.iter_mut().zip(dt.lens) {
                *sum += u64::from(len);
            }
            self.lens.insert(self.ids[i], dt.lens);
            for (w, c) in dt.words {
                self.word_docs.entry(w).or_default().insert(self.ids[i], c);
            }
            self.doc_aids.push((i, dt.aids));
        }
    }

    /// The state once every doc of `docs` is counted.
    fn finish(self, docs: &[SearchDoc], jieba: jieba_rs::Jieba, aids: aids::Aids) -> SearchState {
        let ids = self.ids;
        let mut state = SearchState {
            jieba,
            shards: self.shards,
            id_space: self.id_space,
            ids: docs
                .iter()
                .zip(&ids)
                .map(|(d, &id)| (d.url.to_string(), id))
                .collect(),
            lens: self.lens,
            len_sums: self.len_sums,
            docs: docs.len(),
            word_docs: self.word_docs,
            words: Vec::new(),
            maps: self.maps,
            fragments: Vec::new(),
            tail_cache: Vec::new(),
            keep: false,
            sections: self.sections,
            section_docs: Vec::new(),
            records: shard::Records::new(),
            aids,
            fold: None,
        };
        state.section_docs = vec![0; state.sections.len()];
        for d in docs {
            if let Some(k) = state.section_index(d.section) {
                state.section_docs[k] += 1;
            }
        }
        for (i, da) in self.doc_aids {
            let k = state.section_index(docs[i].section).unwrap_or(0);
            state.aids.count(ids[i], &docs[i], k, &da, true);
        }
        state.words = state.chosen_words();
        let words = state.words.clone();
        for w in &words {
            state.set_word_postings(w);
        }
        state
    }
}

impl SearchState {
    /// Cuts and counts every doc.
    #[cfg(test)]
    pub fn build(docs: &[SearchDoc], opts: &SearchOptions) -> SearchState {
        Self::build_with(docs, opts, Segmenter::load())
    }

    /// `build` with jieba's dictionary already loaded.
    pub fn build_with(docs: &[SearchDoc], opts: &SearchOptions, base: Segmenter) -> SearchState {
        let (jieba, aids) = Self::segmenter_and_aids(opts, base);
        Self::count(docs, jieba, aids)
    }

    /// jieba with the site's own words, and the reader aids with its FAQ flag and synonyms.
    fn segmenter_and_aids(opts: &SearchOptions, base: Segmenter) -> (jieba_rs::Jieba, aids::Aids) {
        let mut jieba = base.0;
        for w in &opts.dictionary_words {
            let w = normalize(w.trim());
            if !w.is_empty() {
                jieba.add_word(&w, None, None);
            }
        }
        let aids = aids::Aids::new(opts.faq, normalized_synonyms(&opts.synonyms));
        (jieba, aids)
    }

    /// Counts `docs` afresh with this state's dictionary (loading jieba's takes a while).
    pub fn recount(&mut self, docs: &[SearchDoc]) {
        let jieba = std::mem::replace(&mut self.jieba, jieba_rs::Jieba::empty());
        let keep = self.keep;
        let aids = aids::Aids::new(self.aids.faq, std::mem::take(&mut self.aids.synonyms));
        *self = Self::count(docs, jieba, aids);
        self.keep = keep;
    }

    /// Keeps every shard's rendered entries from the next `render_all` on, so updates
    /// render only the terms they change (memory about the size of the shard files).
    pub fn keep_shards(&mut self) {
        self.keep = true;
    }

    /// Counts `docs` into a new state whose reader aids start from `aids` (empty but for the
    /// site's FAQ flag and synonyms).
    fn count(docs: &[SearchDoc], jieba: jieba_rs::Jieba, aids: aids::Aids) -> SearchState {
        let mut c = Counting::new(docs);
        let mut found = c
            .order
            .par_iter()
            .map(|&i| cut_words(&docs[i], &jieba))
            .collect::<Vec<_>>()
            .into_iter();
        for start in (0..docs.len()).step_by(BATCH) {
            let batch = c.batch(start);
            let batch_docs: Vec<&SearchDoc> = batch.iter().map(|&i| &docs[i]).collect();
            c.add(
                &batch,
                &batch_docs,
                found.by_ref().take(batch.len()).collect(),
            );
        }
        c.finish(docs, jieba, aids)
    }

    /// A build's index, which nothing updates afterwards: `build_with` for `docs` whose
    /// body parts are `bodies` (by doc; `SearchDoc::with_body`), taken and freed a batch at a
    /// time as they are counted. Each doc's record is made as it is counted, and the
    /// segmenter (~33 MB) is freed once the docs' words are cut, before the postings grow.
    /// `write_files` writes the index.
    pub fn build_once(
        docs: &[SearchDoc],
        mut bodies: Vec<Vec<TextPart>>,
        opts: &SearchOptions,
        base: Segmenter,
    ) -> SearchState {
        let (jieba, aids) = Self::segmenter_and_aids(opts, base);
        let mut c = Counting::new(docs);
        let found: Vec<WordCut> = c
            .order
            .par_iter()
            .map(|&i| cut_words(&docs[i].with_body(&bodies[i]), &jieba))
            .collect();
        drop(jieba);
        let mut found = found.into_iter();
        let budget = text_budget(docs.len());
        let mut records = Vec::with_capacity(docs.len());
        for start in (0..docs.len()).step_by(BATCH) {
            let batch = c.batch(start);
            let taken: Vec<Vec<TextPart>> = batch
                .iter()
                .map(|&i| std::mem::take(&mut bodies[i]))
                .collect();
            let full: Vec<SearchDoc> = batch
                .iter()
                .zip(&taken)
                .map(|(&i, body)| docs[i].with_body(body))
                .collect();
            let refs: Vec<&SearchDoc> = full.iter().collect();
            c.add(&batch, &refs, found.by_ref().take(batch.len()).collect());
            let (ids, sections) = (&c.ids, &c.sections);
            records.par_extend(full.par_iter().zip(&batch).map(|(d, &i)| {
                let id = ids[i];
                (id, shard::render_doc(id, d, sections, budget))
            }));
        }
        let mut state = c.finish(docs, jieba_rs::Jieba::empty(), aids);
        state.records = records.into_iter().collect();
        state
    }

    /// Whole-word terms only pay off when the client can recognise them in a query, so keep
    /// the words found in more than one article (the commonest first, at most `MAX_WORDS`).
    fn chosen_words(&self) -> Vec<String> {
        let mut word_df: Vec<(usize, &str)> = self
            .word_docs
            .iter()
            .filter(|(_, d)| d.len() >= 2)
            .map(|(w, d)| (d.len(), &**w))
            .collect();
        word_df.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
        word_df.truncate(MAX_WORDS);
        let mut words: Vec<String> = word_df.iter().map(|(_, w)| w.to_string()).collect();
        words.sort_unstable();
        words
    }

    /// Rewrites a listed word's postings from `word_docs`.
    fn set_word_postings(&mut self, w: &str) {
        let shard = postings::shard_of(w, self.shards);
        let mut acc = Acc::default();
        if let Some(docs) = self.word_docs.get(w) {
            for (id, tf) in docs {
                acc.push(&posting(*id, *tf, &self.lens[id]));
            }
        }
        let term = Term::Long(w.into());
        if acc.df == 0 {
            self.maps[shard as usize].remove(&term);
        } else {
            self.maps[shard as usize].insert(term, acc);
        }
    }

    fn avg(&self) -> [f64; FIELDS] {
        let n = self.docs.max(1) as f64;
        std::array::from_fn(|f| self.len_sums[f] as f64 / n)
    }

    fn params(&self) -> shard::Params {
        shard::Params {
            shards: self.shards,
            tails: tail_count(self.shards),
            id_space: self.id_space,
            doc_bundles: doc_bundle_count(self.docs),
            text: text_budget(self.docs),
            avg: self.avg(),
            words: self.words.clone(),
            sections: self.sections.clone(),
            pinyin_files: self.aids.pinyin_count(self.shards),
            synonyms: self.aids.synonyms.clone(),
            traditional: self.aids.traditional(),
        }
    }

    /// The CJK characters the index holds (every one is indexed on its own).
    fn site_chars(&self) -> std::collections::HashSet<char> {
        self.maps
            .iter()
            .flat_map(|m| m.keys().filter_map(Term::cjk_char))
            .collect()
    }

    /// The reader aids' files: pinyin keys, fold pairs, hints and facets.
    fn render_aids(&mut self, site_chars: &std::collections::HashSet<char>) -> Vec<shard::File> {
        let (mut files, _) = self.aids.render_pinyin(self.shards, None);
        let fold = aids::Aids::render_fold(site_chars);
        self.fold = Some(fold.clone());
        files.push(fold);
        files.push(aids::Aids::render_syllables());
        files.push(self.aids.render_hints());
        files.push(self.aids.render_facets(self.sections.len()));
        files
    }

    /// Every file of the index, sorted by name.
    pub fn render_all(&mut self, docs: &[SearchDoc]) -> (Vec<(String, Vec<u8>)>, SearchStats) {
        let files = std::sync::Mutex::new(Vec::new());
        let stats = self
            .write_all(docs, &|name, data| {
                files
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push((name.to_string(), data.to_vec()));
                Ok(())
            })
            .expect("a list takes every file");
        let mut files = files.into_inner().unwrap_or_else(|p| p.into_inner());
        files.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
        (files, stats)
    }

    /// Every file of the index, handed to `sink` as it is made (in no particular order).
    /// A state that does not keep its shards (`keep_shards`) is spent: each shard's postings
    /// are freed once written.
    pub fn write_all(
        &mut self,
        docs: &[SearchDoc],
        sink: &shard::Sink<'_>,
    ) -> anyhow::Result<SearchStats> {
        let budget = text_budget(self.docs);
        self.records = docs
            .par_iter()
            .map(|d| {
                let id = self.ids[d.url];
                (id, shard::render_doc(id, d, &self.sections, budget))
            })
            .collect::<Vec<_>>()
            .into_iter()
            .collect();
        self.write_files(sink)
    }

    /// Writes the index from the counted postings and the records already made
    /// (`build_once`); as `write_all`, each file is handed to `sink` as it is made.
    pub fn write_files(&mut self, sink: &shard::Sink<'_>) -> anyhow::Result<SearchStats> {
        let params = self.params();
        // The characters are read before the postings go.
        let site_chars = self.site_chars();
        let (mut stats, fragments, tails) =
            shard::render(&mut self.maps, &self.records, &params, self.keep, sink)?;
        self.fragments = fragments;
        self.tail_cache = tails;
        for (name, data) in self.render_aids(&site_chars) {
            stats.files += 1;
            stats.total_bytes += data.len();
            sink(&name, &data)?;
        }
        Ok(stats)
    }

    /// Replaces the given docs (same URLs) by their new versions and says which files
    /// change. `None` when the change reaches beyond those docs' postings (the listed whole
    /// words or the lengths that order common terms change): the state is then spent, and
    /// the caller builds anew.
    #[cfg(test)]
    pub fn update(&mut self, changes: &[(SearchDoc, SearchDoc)]) -> Option<SearchDelta> {
        self.update_with(changes, &[], &[])
    }

    /// `update`, also adding the docs of new articles and removing those of deleted ones.
    /// An article that comes or goes keeps the update incremental while every other doc keeps
    /// its id and the site stays in the same size class (shards, doc bundles, id space); a
    /// new section, or a section left empty, also needs a build anew.
    pub fn update_with(
        &mut self,
        changes: &[(SearchDoc, SearchDoc)],
        added: &[SearchDoc],
        removed: &[SearchDoc],
    ) -> Option<SearchDelta> {
        let before = shard::split_avg(&self.avg());
        let mut fresh = Vec::new();
        if !added.is_empty() || !removed.is_empty() {
            fresh = self.place(added, removed)?;
        }
        let mut touched: std::collections::BTreeMap<u32, Vec<(Term, u32)>> = Default::default();
        let mut changed_words = std::collections::BTreeSet::new();
        let mut doc_ids = Vec::new();
        let mut counts = FxHashMap::default();
        let mut edits: Vec<(u32, Option<&SearchDoc>, Option<&SearchDoc>)> = Vec::new();
        let mut lex_changed = std::collections::BTreeSet::new();
        let mut facets_changed = !added.is_empty() || !removed.is_empty();
        for (old, new) in changes {
            if old.url != new.url || self.section_index(new.section).is_none() {
                return None;
            }
            edits.push((*self.ids.get(old.url)?, Some(old), Some(new)));
        }
        let mut gone = Vec::with_capacity(removed.len());
        for d in removed {
            let id = self.ids.remove(d.url)?;
            let k = self.section_index(d.section)?;
            self.section_docs[k] -= 1;
            edits.push((id, Some(d), None));
            gone.push(id);
        }
        for (d, &id) in added.iter().zip(&fresh) {
            self.ids.insert(d.url.to_string(), id);
            let k = self.section_index(d.section)?;
            self.section_docs[k] += 1;
            edits.push((id, None, Some(d)));
        }
        if self.section_docs.contains(&0) {
            return None;
        }
        self.docs = self.docs + added.len() - removed.len();
        for (id, old, new) in edits {
            doc_ids.push(id);
            let cut = |d: Option<&SearchDoc>, counts: &mut FxHashMap<Term, Counts>| {
                d.map(|d| cut_doc(counts, d, &self.jieba, self.shards))
            };
            let was = cut(old, &mut counts);
            let now = cut(new, &mut counts);
            let no_aids = aids::DocAids::default();
            let (was_aids, now_aids) = (
                was.as_ref().map_or(&no_aids, |w| &w.aids),
                now.as_ref().map_or(&no_aids, |n| &n.aids),
            );
            if was_aids.lex != now_aids.lex {
                let (a, b): (std::collections::BTreeSet<_>, std::collections::BTreeSet<_>) = (
                    was_aids.lex.iter().copied().collect(),
                    now_aids.lex.iter().copied().collect(),
                );
                lex_changed.extend(a.symmetric_difference(&b).copied());
            }
            if let (Some(o), Some(n)) = (old, new) {
                facets_changed |= o.terms != n.terms || o.section != n.section;
            }
            if let Some(d) = old {
                let k = self.section_index(d.section).unwrap_or(0);
                self.aids.count(id, d, k, was_aids, false);
            }
            if let Some(d) = new {
                let k = self.section_index(d.section).unwrap_or(0);
                self.aids.count(id, d, k, now_aids, true);
            }
            let zero = [0; FIELDS];
            let (was_lens, now_lens) = (
                was.as_ref().map_or(zero, |w| w.lens),
                now.as_ref().map_or(zero, |n| n.lens),
            );
            for (sum, (o, n)) in self.len_sums.iter_mut().zip(was_lens.iter().zip(now_lens)) {
                *sum = *sum - u64::from(*o) + u64::from(n);
            }
            match &now {
                Some(_) => self.lens.insert(id, now_lens),
                None => self.lens.remove(&id),
            };
            let mut new_tf: FxHashMap<&Term, Counts> = now
                .iter()
                .flat_map(|n| &n.entries)
                .map(|(_, t, c)| (t, *c))
                .collect();
            // Only a posting that differs touches its shard: a title edit keeps the body's
            // postings (its length bucket is mostly the same), so their shards stay as written.
            for (shard, term, _) in was.iter().flat_map(|w| &w.entries) {
                let tf = new_tf.remove(term);
                if let Some(df) = self.replace_posting(*shard, term, id, tf, &now_lens) {
                    touched.entry(*shard).or_default().push((term.clone(), df));
                }
            }
            for (shard, term, _) in now.iter().flat_map(|n| &n.entries) {
                if let Some(tf) = new_tf.get(term) {
                    if let Some(df) = self.replace_posting(*shard, term, id, Some(*tf), &now_lens) {
                        touched.entry(*shard).or_default().push((term.clone(), df));
                    }
                }
            }
            for (w, _) in was.iter().flat_map(|w| &w.words) {
                if let Some(d) = self.word_docs.get_mut(w) {
                    d.remove(&id);
                    if d.is_empty() {
                        self.word_docs.remove(w);
                    }
                }
                changed_words.insert(w.clone());
            }
            for (w, c) in now.into_iter().flat_map(|n| n.words) {
                self.word_docs.entry(w.clone()).or_default().insert(id, c);
                changed_words.insert(w);
            }
        }
        if self.chosen_words() != self.words || shard::split_avg(&self.avg()) != before {
            return None;
        }
        // A listed word's postings carry the doc's lengths: rewrite those of the edited docs.
        let listed: Vec<String> = self
            .words
            .iter()
            .filter(|w| {
                changed_words.contains(w.as_str())
                    || self
                        .word_docs
                        .get(w.as_str())
                        .is_some_and(|d| doc_ids.iter().any(|id| d.contains_key(id)))
            })
            .cloned()
            .collect();
        for w in listed {
            let term = Term::Long(w.as_str().into());
            let shard = postings::shard_of(&w, self.shards);
            // The count before the rewrite: a tail file goes when it falls to the split.
            let old_df = self.maps[shard as usize].get(&term).map_or(0, |a| a.df);
            self.set_word_postings(&w);
            touched.entry(shard).or_default().push((term, old_df));
        }
        let docs: Vec<&SearchDoc> = changes.iter().map(|(_, n)| n).chain(added).collect();
        let mut delta = self.render_delta(&touched, &docs, &gone);
        self.render_aids_delta(&mut delta, &lex_changed, facets_changed);
        Some(delta)
    }

    /// The aids' files an update changes: the pinyin key files of the bigrams it changed,
    /// hints and facets when terms or sections changed, and `fold.js` when the characters
    /// the site uses changed it.
    fn render_aids_delta(
        &mut self,
        delta: &mut SearchDelta,
        lex_changed: &std::collections::BTreeSet<(char, char)>,
        facets_changed: bool,
    ) {
        if !lex_changed.is_empty() {
            let (write, gone) = self.aids.render_pinyin(self.shards, Some(lex_changed));
            delta.write.extend(write);
            delta.remove.extend(gone);
        }
        if facets_changed {
            delta.write.push(self.aids.render_hints());
            delta
                .write
                .push(self.aids.render_facets(self.sections.len()));
        }
        let fold = aids::Aids::render_fold(&self.site_chars());
        if self.fold.as_ref() != Some(&fold) {
            self.fold = Some(fold.clone());
            delta.write.push(fold);
        }
        delta.write.sort_by(|a, b| a.0.cmp(&b.0));
        delta.write.dedup_by(|a, b| a.0 == b.0);
    }

    /// The ids of `added` once `removed` went, when every other doc keeps its id and the
    /// site keeps its size class; `None` otherwise.
    fn place(&self, added: &[SearchDoc], removed: &[SearchDoc]) -> Option<Vec<u32>> {
        let n = (self.docs + added.len()).checked_sub(removed.len())?;
        if shard_count(n) != self.shards
            || doc_bundle_count(n) != doc_bundle_count(self.docs)
            || (n <= SMALL_SITE) != (self.docs <= SMALL_SITE)
        {
            return None;
        }
        let gone: std::collections::HashSet<&str> = removed.iter().map(|d| d.url).collect();
        if gone.len() != removed.len()
            || gone.iter().any(|u| !self.ids.contains_key(*u))
            || added.iter().any(|d| self.ids.contains_key(d.url))
        {
            return None;
        }
        let mut urls: Vec<&str> = self
            .ids
            .keys()
            .map(String::as_str)
            .filter(|u| !gone.contains(u))
            .collect();
        let kept = urls.len();
        urls.extend(added.iter().map(|d| d.url));
        let (ids, space) = assign_url_ids(&urls);
        if space != self.id_space
            || urls[..kept]
                .iter()
                .zip(&ids)
                .any(|(u, id)| self.ids[*u] != *id)
        {
            return None;
        }
        let fresh = ids[kept..].to_vec();
        let mut seen = std::collections::HashSet::new();
        fresh.iter().all(|id| seen.insert(*id)).then_some(fresh)
    }

    fn section_index(&self, title: &str) -> Option<usize> {
        self.sections
            .binary_search_by(|s| s.as_str().cmp(title))
            .ok()
    }

    /// Sets (or removes) doc `id`'s posting of `term`; returns the term's old document count,
    /// or `None` when the posting was already so.
    fn replace_posting(
        &mut self,
        shard: u32,
        term: &Term,
        id: u32,
        tf: Option<Counts>,
        lens: &[u32; FIELDS],
    ) -> Option<u32> {
        let map = &mut self.maps[shard as usize];
        let old_df = map.get(term).map_or(0, |a| a.df);
        let mut all = map
            .get(term)
            .map(|a| postings::decode_postings(&a.data))
            .unwrap_or_default();
        let at = all.partition_point(|p| p.doc < id);
        let new = tf.map(|tf| posting(id, tf, lens));
        let old = all.get(at).filter(|p| p.doc == id).copied();
        if old == new {
            return None;
        }
        if old.is_some() {
            all.remove(at);
        }
        if let Some(p) = new {
            all.insert(at, p);
        }
        if all.is_empty() {
            map.remove(term);
        } else {
            let mut acc = Acc::default();
            for p in &all {
                acc.push(p);
            }
            map.insert(term.clone(), acc);
        }
        Some(old_df)
    }

    /// The files an update touches: its shards and their tail bundles, prefix lists of
    /// changed Latin words, the docs' bundles and the manifest.
    fn render_delta(
        &mut self,
        touched: &std::collections::BTreeMap<u32, Vec<(Term, u32)>>,
        docs: &[&SearchDoc],
        gone: &[u32],
    ) -> SearchDelta {
        let params = self.params();
        let mut delta = SearchDelta::default();
        let mut initials = std::collections::BTreeSet::new();
        let mut tail_bundles = std::collections::BTreeSet::new();
        for (&n, terms) in touched {
            let map = &self.maps[n as usize];
            let cached = self.fragments.len() == self.maps.len();
            if !cached {
                delta.write.push(shard::render_shard(n, map, &params).0);
            }
            // A term changed by several docs: what counts is its first count and its last.
            let mut first: std::collections::BTreeMap<&Term, u32> = Default::default();
            for (term, old_df) in terms {
                first.entry(term).or_insert(*old_df);
            }
            for (term, old_df) in first {
                let text = term.text();
                let now = map.get(term);
                let new_df = now.map_or(0, |a| a.df);
                // Prefix lists carry each Latin word's document count.
                if term.is_word() && new_df != old_df {
                    initials.extend(text.chars().next());
                }
                // The term's tail bundle changes when the term has a tail before or after.
                if old_df.max(new_df) as usize > HEAD_POSTINGS {
                    tail_bundles.insert(n % params.tails);
                }
                if cached {
                    match now {
                        Some(acc) => {
                            let (entry, tail) = shard::term_entry(&text, acc, &params);
                            let tails = &mut self.tail_cache[(n % params.tails) as usize];
                            match tail {
                                Some(t) => tails.insert(text.clone(), t),
                                None => tails.remove(&text),
                            };
                            self.fragments[n as usize].insert(text, entry);
                        }
                        None => {
                            self.tail_cache[(n % params.tails) as usize].remove(&text);
                            self.fragments[n as usize].remove(&text);
                        }
                    }
                }
            }
            if cached {
                delta.write.push(shard::assemble_shard(
                    n,
                    &params,
                    &self.fragments[n as usize],
                ));
            }
        }
        for c in initials {
            match shard::render_prefix(c, &self.maps) {
                Some(file) => delta.write.push(file),
                None => delta.remove.push(shard::prefix_file(c)),
            }
        }
        let cached = self.tail_cache.len() == params.tails as usize;
        for k in tail_bundles {
            let file = if cached {
                shard::assemble_tails(k, &params, &self.tail_cache[k as usize])
            } else {
                shard::render_tails(k, &self.maps, &params)
            };
            match file {
                Some(file) => delta.write.push(file),
                None => delta.remove.push(shard::tail_file(k, params.tails)),
            }
        }
        let mut doc_bundles = std::collections::BTreeSet::new();
        for new in docs {
            let id = self.ids[new.url];
            self.records.insert(
                id,
                shard::render_doc(id, new, &params.sections, params.text),
            );
            doc_bundles.insert(params.doc_bundle(id));
        }
        for &id in gone {
            self.records.remove(&id);
            doc_bundles.insert(params.doc_bundle(id));
        }
        let bundles = shard::render_doc_bundles(&self.records, &params, Some(&doc_bundles));
        // A bundle whose last doc went is no longer made.
        for &b in &doc_bundles {
            let name = shard::doc_file(b, params.doc_bundles);
            if !bundles.iter().any(|f| f.0 == name) {
                delta.remove.push(name);
            }
        }
        delta.write.extend(bundles);
        delta.write.push((
            "manifest.js".into(),
            shard::render_manifest(&params, self.docs),
        ));
        delta.write.sort_by(|a, b| a.0.cmp(&b.0));
        delta.write.dedup_by(|a, b| a.0 == b.0);
        delta.remove.sort();
        delta.remove.dedup();
        delta
    }
}

#[cfg(test)]
mod tests;
