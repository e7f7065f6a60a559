//! The site search index: cuts every article into terms the same way the client cuts a
//! query, counts them per field and writes sharded JavaScript files for `search.js`.
//!
//! Layout under the output's `search/` folder (every file calls `window.__kbgenSearch.*`):
//! - `manifest.js`: doc count, shard count, field weights and average lengths, and the
//!   dictionary words the client may recognise in a query;
//! - `s/HEX.js`: one shard per hash bucket, `{term: [df, postings, tail?]}`;
//! - `t/HEX.js`: the rest of a very common term's postings (the shard keeps the
//!   highest-impact ones), loaded only when the reader asks for more results;
//! - `p/HEX.js`: sorted Latin words by first character, for prefix matching of the last word;
//! - `d/ID.js`: one per article — URL, title, section and text, fetched only for shown results.

mod encode;
mod postings;
mod segment;
mod shard;

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
/// go to its tail file. Their idf is low, so readers rarely need more than the best of them.
const HEAD_POSTINGS: usize = 400;

/// Dictionary words offered to the client are capped so the manifest stays small.
const MAX_WORDS: usize = 600;

/// Fields jieba cuts for whole-word terms: the short, high-weight ones, where a whole-word
/// match says most about ranking and cutting stays cheap.
const WORD_FIELDS: [Field; 3] = [Field::Title, Field::FaqQuestion, Field::Heading];

pub struct SearchDoc<'a> {
    /// Article URL relative to the site root, e.g. "collection/seven-day-sms/" (the client prefixes the base).
    pub url: &'a str,
    pub title: &'a str,
    /// Section title, shown under the result.
    pub section: &'a str,
    pub summary: &'a str,
    /// Taxonomy term names of the article (e.g. "《中华人民共和国民法典》", "投诉").
    pub terms: Vec<&'a str>,
    /// The article's text in order. `anchor` is "" for text before the first heading, else the heading's id
    /// (or the `faq-…` id of a front-matter FAQ entry); results link to `url#anchor` of the best-matching part.
    pub parts: Vec<SearchPart<'a>>,
}

pub struct SearchPart<'a> {
    pub field: Field,
    pub anchor: &'a str,
    pub text: &'a str,
}

#[derive(Default)]
pub struct SearchOptions {
    pub dictionary_words: Vec<String>,
}

/// The built index: its files, rendered once.
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

impl SearchIndex {
    /// Files to write under the output's `search/` folder: (relative path like "manifest.js", bytes).
    /// Deterministic: same docs → byte-identical files, stable order.
    pub fn files(&self) -> Vec<(String, Vec<u8>)> {
        self.files.clone()
    }

    /// The files, without copying them.
    pub fn into_files(self) -> Vec<(String, Vec<u8>)> {
        self.files
    }

    pub fn stats(&self) -> SearchStats {
        self.stats.clone()
    }
}

/// Shard count from the doc count alone (two or three articles' worth of postings per shard), so
/// editing articles never moves terms between shards; only crossing a power of two does.
fn shard_count(docs: usize) -> u32 {
    ((docs * 2 / 5).max(1).next_power_of_two() as u32).clamp(1, 8192)
}

/// Stable document ids: the URL's hash in a space four times the doc count, probing on
/// collision. Adding or removing an article leaves every other id (and so every posting
/// that does not mention it) alone, while gaps between ids stay small enough to encode in
/// one character.
fn assign_ids(docs: &[SearchDoc]) -> (Vec<u32>, u32) {
    let space = (docs.len().max(16).next_power_of_two() * 4) as u32;
    let mut by_url: Vec<usize> = (0..docs.len()).collect();
    by_url.sort_by(|&a, &b| docs[a].url.cmp(docs[b].url).then(a.cmp(&b)));
    let mut taken = vec![false; space as usize];
    let mut ids = vec![0; docs.len()];
    for i in by_url {
        let mut id = fnv1a32(docs[i].url.as_bytes()) & (space - 1);
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
}

fn add(counts: &mut FxHashMap<Term, Counts>, term: Term, field: usize) {
    let c = counts.entry(term).or_insert([0; FIELDS]);
    c[field] = c[field].saturating_add(1);
}

/// Counts the terms of one text into `counts` and returns how many it holds.
fn cut_text(counts: &mut FxHashMap<Term, Counts>, text: &str, field: usize) -> u32 {
    let normalized = normalize(text);
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

fn cut_doc(
    counts: &mut FxHashMap<Term, Counts>,
    doc: &SearchDoc,
    jieba: &jieba_rs::Jieba,
    shards: u32,
) -> DocTerms {
    let mut lens = [0u32; FIELDS];
    let mut words: FxHashMap<Box<str>, Counts> = FxHashMap::default();
    let mut texts: Vec<(Field, &str)> =
        vec![(Field::Title, doc.title), (Field::Summary, doc.summary)];
    texts.extend(doc.terms.iter().map(|t| (Field::Terms, *t)));
    texts.extend(doc.parts.iter().map(|p| (p.field, p.text)));
    for (field, text) in texts {
        let fi = field.index();
        lens[fi] += cut_text(counts, text, fi);
        if WORD_FIELDS.contains(&field) {
            let normalized = normalize(text);
            for token in jieba.cut(&normalized, false) {
                let w = token.word;
                if w.chars().count() >= 3 && w.chars().all(is_cjk) {
                    let c = words.entry(w.into()).or_insert([0; FIELDS]);
                    c[fi] = c[fi].saturating_add(1);
                }
            }
        }
    }
    let mut entries: Vec<(u32, Term, Counts)> = counts
        .drain()
        .map(|(t, c)| (t.shard(shards), t, c))
        .collect();
    entries.sort_unstable_by_key(|e| e.0);
    let mut words: Vec<_> = words.into_iter().collect();
    words.sort_unstable();
    DocTerms {
        entries,
        words,
        lens,
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

pub fn build_index(docs: &[SearchDoc], opts: &SearchOptions) -> SearchIndex {
    let shards = shard_count(docs.len());
    let (ids, id_space) = assign_ids(docs);
    let mut order: Vec<usize> = (0..docs.len()).collect();
    order.sort_by_key(|&i| ids[i]);

    let mut jieba = jieba_rs::Jieba::new();
    for w in &opts.dictionary_words {
        let w = normalize(w.trim());
        if !w.is_empty() {
            jieba.add_word(&w, None, None);
        }
    }

    let groups = GROUPS.min(shards as usize);
    let group_of = |shard: u32| (shard as usize * groups) / shards as usize;
    let mut maps: Vec<FxHashMap<Term, Acc>> = (0..groups).map(|_| FxHashMap::default()).collect();
    let mut len_sums = [0u64; FIELDS];
    let mut all_lens: Vec<[u32; FIELDS]> = vec![[0; FIELDS]; docs.len()];
    let mut word_postings: Vec<(Box<str>, u32, Counts)> = Vec::new();

    for batch in order.chunks(BATCH) {
        let cut: Vec<DocTerms> = batch
            .par_iter()
            .map_init(FxHashMap::default, |counts, &i| {
                cut_doc(counts, &docs[i], &jieba, shards)
            })
            .collect();
        maps.par_iter_mut().enumerate().for_each(|(g, map)| {
            for (dt, &i) in cut.iter().zip(batch) {
                let start = dt.entries.partition_point(|e| group_of(e.0) < g);
                let end = dt.entries.partition_point(|e| group_of(e.0) <= g);
                for (_, term, tf) in &dt.entries[start..end] {
                    let p = posting(ids[i], *tf, &dt.lens);
                    match map.get_mut(term) {
                        Some(acc) => acc.push(&p),
                        None => map.entry(term.clone()).or_default().push(&p),
                    }
                }
            }
        });
        for (dt, &i) in cut.into_iter().zip(batch) {
            for (sum, len) in len_sums.iter_mut().zip(dt.lens) {
                *sum += u64::from(len);
            }
            all_lens[i] = dt.lens;
            word_postings.extend(dt.words.into_iter().map(|(w, c)| (w, ids[i], c)));
        }
    }

    // Whole-word terms only pay off when the client can recognise them in a query, so keep
    // the words found in more than one article (the commonest first) and list them in the
    // manifest.
    word_postings.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut word_df: Vec<(usize, &str)> = Vec::new();
    for run in word_postings.chunk_by(|a, b| a.0 == b.0) {
        if run.len() >= 2 {
            word_df.push((run.len(), &run[0].0));
        }
    }
    word_df.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    word_df.truncate(MAX_WORDS);
    let mut words: Vec<String> = word_df.iter().map(|(_, w)| w.to_string()).collect();
    words.sort_unstable();
    let id_to_index: FxHashMap<u32, usize> = order.iter().map(|&i| (ids[i], i)).collect();
    for run in word_postings.chunk_by(|a, b| a.0 == b.0) {
        if words
            .binary_search_by(|w| w.as_str().cmp(&run[0].0))
            .is_err()
        {
            continue;
        }
        let term = Term::Long(run[0].0.clone());
        let shard = postings::shard_of(&run[0].0, shards);
        let acc = maps[group_of(shard)].entry(term).or_default();
        for (_, id, tf) in run {
            acc.push(&posting(*id, *tf, &all_lens[id_to_index[id]]));
        }
    }

    let n = docs.len().max(1) as f64;
    let avg: [f64; FIELDS] = std::array::from_fn(|f| len_sums[f] as f64 / n);
    let params = shard::Params {
        shards,
        id_space,
        avg,
        words,
    };
    let doc_files: Vec<(u32, &SearchDoc)> = order.iter().map(|&i| (ids[i], &docs[i])).collect();
    let (files, mut stats) = shard::render(maps, &doc_files, &params);
    stats.docs = docs.len();
    SearchIndex { files, stats }
}

#[cfg(test)]
mod tests;
