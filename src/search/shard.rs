//! Renders the counted postings into the index files: shards (with tails split off common
//! terms), prefix lists, one small file per article, and the manifest.

use super::encode::{fnv1a64, js_call, json_str, FxHashMap};
use super::postings::{
    bucket_length, decode_postings, encode_postings, Acc, Posting, Term, BODY, TITLE,
};
use super::{SearchDoc, SearchStats, B, FIELDS, HEAD_POSTINGS, K1, WEIGHTS};
use rayon::prelude::*;
use std::fmt::Write as _;

pub struct Params {
    pub shards: u32,
    pub id_space: u32,
    pub avg: [f64; FIELDS],
    pub words: Vec<String>,
}

/// The BM25F term-frequency part the client computes (without idf, which is the same for
/// every posting of a term): the order in which a term's postings deserve to be shown.
fn impact(p: &Posting, avg: &[f64; FIELDS]) -> f64 {
    let mut tfw = 0.0;
    for f in 0..FIELDS {
        if p.tf[f] == 0 {
            continue;
        }
        let len = match f {
            BODY => bucket_length(p.body_bucket),
            TITLE => f64::from(p.title_len),
            _ => avg[f],
        };
        let norm = 1.0 - B[f] + B[f] * len / avg[f].max(1.0);
        tfw += WEIGHTS[f] * f64::from(p.tf[f]) / norm.max(0.1);
    }
    tfw / (K1 + tfw)
}

/// The average lengths that order a common term's postings, rounded to eighth-octave steps
/// so that editing an article almost never reorders every common term (the client ranks
/// with the exact averages from the manifest).
pub fn split_avg(avg: &[f64; FIELDS]) -> [f64; FIELDS] {
    std::array::from_fn(|f| 2f64.powf(((avg[f] + 1.0).log2() * 8.0).round() / 8.0) - 1.0)
}

/// Keeps the `HEAD_POSTINGS` highest-impact postings in the shard, in doc order.
fn split(text: &str, acc: &Acc, avg: &[f64; FIELDS]) -> (Vec<u8>, Option<(String, Vec<u8>)>) {
    if acc.df as usize <= HEAD_POSTINGS {
        return (acc.data.clone(), None);
    }
    let avg = split_avg(avg);
    let mut all = decode_postings(&acc.data);
    let mut ranked: Vec<(f64, u32)> = all.iter().map(|p| (impact(p, &avg), p.doc)).collect();
    // Ties go to the lower id so the split is deterministic; only the best need be found.
    ranked.select_nth_unstable_by(HEAD_POSTINGS - 1, |a, b| {
        b.0.total_cmp(&a.0).then(a.1.cmp(&b.1))
    });
    let mut cut: Vec<u32> = ranked[..HEAD_POSTINGS].iter().map(|r| r.1).collect();
    cut.sort_unstable();
    let (head, tail): (Vec<Posting>, Vec<Posting>) = all
        .drain(..)
        .partition(|p| cut.binary_search(&p.doc).is_ok());
    (
        encode_postings(&head),
        Some((tail_file(text), encode_postings(&tail))),
    )
}

/// File name of a common term's tail.
pub fn tail_file(text: &str) -> String {
    format!("t/{:016x}.js", fnv1a64(text.as_bytes()))
}

/// File name of the prefix list of Latin words starting with `first`.
pub fn prefix_file(first: char) -> String {
    format!("p/{:x}.js", first as u32)
}

fn hex_width(shards: u32) -> usize {
    let bits = 32 - (shards.max(2) - 1).leading_zeros() as usize;
    bits.div_ceil(4)
}

/// File name of shard `n`: fixed-width hex, which the client rebuilds from the shard count.
pub fn shard_file(n: u32, shards: u32) -> String {
    format!("s/{:0w$x}.js", n, w = hex_width(shards))
}

/// File name of a doc: its id in base 36 (the client does `id.toString(36)`).
pub fn doc_file(id: u32) -> String {
    let mut digits = Vec::new();
    let mut v = id;
    loop {
        digits.push(char::from_digit(v % 36, 36).unwrap_or('0'));
        v /= 36;
        if v == 0 {
            break;
        }
    }
    let name: String = digits.iter().rev().collect();
    format!("d/{name}.js")
}

/// Words in a prefix list are capped so the list for a common initial stays small; the
/// most frequent survive, as the client expands to the most frequent completions anyway.
const MAX_PREFIX_WORDS: usize = 1500;

/// Text kept per doc file: a snippet needs the text around a match, and a very long article
/// must not make its result expensive to show.
const MAX_PART_CHARS: usize = 300;
const MAX_DOC_CHARS: usize = 1500;

fn clip(text: &str, max: usize) -> &str {
    text.char_indices()
        .nth(max)
        .map_or(text, |(i, _)| &text[..i])
}

pub fn render_doc(id: u32, doc: &SearchDoc) -> Vec<u8> {
    let mut s = String::with_capacity(4096);
    let _ = write!(
        s,
        "{id},{{\"u\":{},\"t\":{},\"s\":{},\"p\":[",
        json_str(doc.url),
        json_str(doc.title),
        json_str(doc.section)
    );
    let mut budget = MAX_DOC_CHARS;
    let summary = (super::Field::Summary, "", doc.summary);
    let parts =
        std::iter::once(summary).chain(doc.parts.iter().map(|p| (p.field, p.anchor, p.text)));
    let mut first = true;
    let mut last_anchor = "";
    for (field, anchor, text) in parts {
        let text = clip(text.trim(), MAX_PART_CHARS.min(budget));
        if text.is_empty() && anchor.is_empty() {
            continue;
        }
        budget -= text.chars().count();
        if !first {
            s.push(',');
        }
        first = false;
        // A part with the previous part's anchor (a heading's body, an FAQ answer) says 0.
        let anchor_json = if anchor == last_anchor && !anchor.is_empty() {
            "0".to_string()
        } else {
            json_str(anchor)
        };
        last_anchor = anchor;
        let _ = write!(s, "[{},{anchor_json},{}]", field.index(), json_str(text));
    }
    s.push_str("]}");
    js_call("doc", &s)
}

pub fn render_manifest(p: &Params, docs: usize) -> Vec<u8> {
    let nums = |xs: &[f64]| {
        xs.iter()
            .map(|x| format!("{x:.2}"))
            .collect::<Vec<_>>()
            .join(",")
    };
    let words: Vec<String> = p.words.iter().map(|w| json_str(w)).collect();
    let s = format!(
        "{{\"v\":1,\"n\":{docs},\"m\":{},\"s\":{},\"k1\":{K1},\"w\":[{}],\"b\":[{}],\"avg\":[{}],\"words\":[{}]}}",
        p.id_space,
        p.shards,
        nums(&WEIGHTS),
        nums(&B),
        nums(&p.avg),
        words.join(",")
    );
    js_call("manifest", &s)
}

/// A file of the index: its path under `search/` and its bytes.
pub type File = (String, Vec<u8>);

/// One shard's entries: term text → `"text":[df,"head",tail?]`, in text order.
pub type Fragments = std::collections::BTreeMap<String, String>;

/// A term's entry in its shard file, and its tail file when it has one.
pub fn term_entry(text: &str, acc: &Acc, p: &Params) -> (String, Option<File>) {
    let (head, tail) = split(text, acc, &p.avg);
    let head = std::str::from_utf8(&head).unwrap_or_default();
    let mut s = format!("{}:[{},\"{head}\"", json_str(text), acc.df);
    let mut tail_file = None;
    if let Some((name, data)) = tail {
        let _ = write!(s, ",{}", json_str(&name));
        let data = std::str::from_utf8(&data).unwrap_or_default();
        tail_file = Some((
            name,
            js_call("tail", &format!("{},\"{data}\"", json_str(text))),
        ));
    }
    s.push(']');
    (s, tail_file)
}

/// A shard's file from its entries.
pub fn assemble_shard(n: u32, p: &Params, fragments: &Fragments) -> File {
    let size = fragments.values().map(|f| f.len() + 1).sum::<usize>();
    let mut s = String::with_capacity(size + 16);
    let _ = write!(s, "{n},{{");
    for (i, f) in fragments.values().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(f);
    }
    s.push('}');
    (shard_file(n, p.shards), js_call("shard", &s))
}

/// One shard's file, the tail files of its common terms, and its entries.
pub fn render_shard(
    n: u32,
    map: &FxHashMap<Term, Acc>,
    p: &Params,
) -> (File, Vec<File>, Fragments) {
    let mut fragments = Fragments::new();
    let mut tails = Vec::new();
    for (term, acc) in map {
        let text = term.text();
        let (entry, tail) = term_entry(&text, acc, p);
        fragments.insert(text, entry);
        tails.extend(tail);
    }
    (assemble_shard(n, p, &fragments), tails, fragments)
}

/// The prefix list for `first`: the Latin words starting with it and their document counts
/// (the commonest `MAX_PREFIX_WORDS`). `None` when no word starts with it.
pub fn render_prefix(first: char, maps: &[FxHashMap<Term, Acc>]) -> Option<(String, Vec<u8>)> {
    let mut words = latin_words(maps, |t| t.starts_with(first));
    prefix_list(first, &mut words)
}

/// The Latin words of the index that `keep` accepts, with their document counts.
fn latin_words(
    maps: &[FxHashMap<Term, Acc>],
    keep: impl Fn(&str) -> bool + Sync,
) -> Vec<(String, u32)> {
    maps.par_iter()
        .flat_map_iter(|m| {
            m.iter()
                .filter(|(t, _)| t.is_word())
                .map(|(t, a)| (t.text(), a.df))
                .filter(|(t, _)| keep(t))
        })
        .collect()
}

fn prefix_list(first: char, words: &mut Vec<(String, u32)>) -> Option<(String, Vec<u8>)> {
    if words.is_empty() {
        return None;
    }
    if words.len() > MAX_PREFIX_WORDS {
        words.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        words.truncate(MAX_PREFIX_WORDS);
    }
    words.sort_unstable();
    let list: Vec<String> = words
        .iter()
        .map(|(w, df)| format!("{},{df}", json_str(w)))
        .collect();
    let key = format!("{:x}", first as u32);
    let body = format!("{},[{}]", json_str(&key), list.join(","));
    Some((prefix_file(first), js_call("prefix", &body)))
}

/// Every file of the index: shards with tails, prefix lists, doc files and the manifest;
/// with `keep`, also every shard's entries (for updating shards one term at a time).
pub fn render(
    maps: &[FxHashMap<Term, Acc>],
    docs: &[(u32, &SearchDoc)],
    p: &Params,
    keep: bool,
) -> (Vec<File>, SearchStats, Vec<Fragments>) {
    let shard_files: Vec<(File, Vec<File>, Fragments)> = maps
        .par_iter()
        .enumerate()
        .map(|(n, map)| {
            let (file, tails, fragments) = render_shard(n as u32, map, p);
            (file, tails, if keep { fragments } else { Fragments::new() })
        })
        .collect();
    let largest_shard_bytes = shard_files.iter().map(|f| f.0 .1.len()).max().unwrap_or(0);
    let terms = maps.iter().map(|m| m.len()).sum();
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut kept = Vec::new();
    let mut tails = 0;
    for (shard, t, fragments) in shard_files {
        files.push(shard);
        tails += t.len();
        files.extend(t);
        if keep {
            kept.push(fragments);
        }
    }

    // Prefix lists: Latin words grouped by first character.
    let mut latin = latin_words(maps, |_| true);
    latin.sort_unstable();
    for run in latin.chunk_by(|a, b| a.0.chars().next() == b.0.chars().next()) {
        let Some(first) = run[0].0.chars().next() else {
            continue;
        };
        files.extend(prefix_list(first, &mut run.to_vec()));
    }

    files.par_extend(
        docs.par_iter()
            .map(|&(id, doc)| (doc_file(id), render_doc(id, doc))),
    );
    let manifest = render_manifest(p, docs.len());
    let manifest_bytes = manifest.len();
    files.push(("manifest.js".to_string(), manifest));
    files.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));

    let stats = SearchStats {
        terms,
        shards: p.shards as usize,
        tails,
        files: files.len(),
        total_bytes: files.iter().map(|f| f.1.len()).sum(),
        manifest_bytes,
        largest_shard_bytes,
        ..SearchStats::default()
    };
    (files, stats, kept)
}
