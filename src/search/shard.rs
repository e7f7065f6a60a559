//! Renders the counted postings into the index files: shards (with tails split off common
//! terms), prefix lists, one small file per article, and the manifest.

use super::encode::{fnv1a64, js_call, json_str, FxHashMap};
use super::postings::{
    bucket_length, decode_postings, encode_postings, shard_of, Acc, Posting, Term, BODY, TITLE,
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

/// A term ready to be written.
struct Entry {
    shard: u32,
    text: String,
    df: u32,
    head: Vec<u8>,
    /// (file name, postings) of the postings that did not make the head.
    tail: Option<(String, Vec<u8>)>,
    is_word: bool,
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

/// Keeps the `HEAD_POSTINGS` highest-impact postings in the shard, in doc order.
fn split(text: &str, acc: &Acc, avg: &[f64; FIELDS]) -> (Vec<u8>, Option<(String, Vec<u8>)>) {
    if acc.df as usize <= HEAD_POSTINGS {
        return (acc.data.clone(), None);
    }
    let mut all = decode_postings(&acc.data);
    let mut ranked: Vec<(f64, u32)> = all.iter().map(|p| (impact(p, avg), p.doc)).collect();
    // Ties go to the lower id so the split is deterministic.
    ranked.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut cut: Vec<u32> = ranked[..HEAD_POSTINGS].iter().map(|r| r.1).collect();
    cut.sort_unstable();
    let (head, tail): (Vec<Posting>, Vec<Posting>) = all
        .drain(..)
        .partition(|p| cut.binary_search(&p.doc).is_ok());
    let name = format!("t/{:016x}.js", fnv1a64(text.as_bytes()));
    (encode_postings(&head), Some((name, encode_postings(&tail))))
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

fn render_doc(id: u32, doc: &SearchDoc) -> Vec<u8> {
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

fn render_manifest(p: &Params, docs: usize) -> Vec<u8> {
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

pub fn render(
    maps: Vec<FxHashMap<Term, Acc>>,
    docs: &[(u32, &SearchDoc)],
    p: &Params,
) -> (Vec<(String, Vec<u8>)>, SearchStats) {
    let mut entries: Vec<Entry> = maps
        .into_par_iter()
        .flat_map_iter(|map| map.into_iter())
        .map(|(term, acc)| {
            let text = term.text();
            let (head, tail) = split(&text, &acc, &p.avg);
            Entry {
                shard: shard_of(&text, p.shards),
                df: acc.df,
                head,
                tail,
                is_word: term.is_word(),
                text,
            }
        })
        .collect();
    entries.par_sort_unstable_by(|a, b| a.shard.cmp(&b.shard).then_with(|| a.text.cmp(&b.text)));

    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut by_shard: Vec<&[Entry]> = vec![&[]; p.shards as usize];
    for run in entries.chunk_by(|a, b| a.shard == b.shard) {
        by_shard[run[0].shard as usize] = run;
    }
    let shard_files: Vec<(String, Vec<u8>)> = by_shard
        .par_iter()
        .enumerate()
        .map(|(n, run)| {
            let mut s = format!("{n},{{");
            for (i, e) in run.iter().enumerate() {
                if i > 0 {
                    s.push(',');
                }
                let head = std::str::from_utf8(&e.head).unwrap_or_default();
                let _ = write!(s, "{}:[{},\"{head}\"", json_str(&e.text), e.df);
                if let Some((name, _)) = &e.tail {
                    let _ = write!(s, ",{}", json_str(name));
                }
                s.push(']');
            }
            s.push('}');
            (shard_file(n as u32, p.shards), js_call("shard", &s))
        })
        .collect();
    let largest_shard_bytes = shard_files.iter().map(|f| f.1.len()).max().unwrap_or(0);
    files.extend(shard_files);

    let mut tails = 0;
    for e in &entries {
        if let Some((name, data)) = &e.tail {
            tails += 1;
            let data = std::str::from_utf8(data).unwrap_or_default();
            files.push((
                name.clone(),
                js_call("tail", &format!("{},\"{data}\"", json_str(&e.text))),
            ));
        }
    }

    // Prefix lists: Latin words grouped by first character.
    let mut latin: Vec<&Entry> = entries.iter().filter(|e| e.is_word).collect();
    latin.sort_unstable_by(|a, b| a.text.cmp(&b.text));
    for run in latin.chunk_by(|a, b| a.text.chars().next() == b.text.chars().next()) {
        let Some(first) = run[0].text.chars().next() else {
            continue;
        };
        let mut kept: Vec<&&Entry> = run.iter().collect();
        if kept.len() > MAX_PREFIX_WORDS {
            kept.sort_unstable_by(|a, b| b.df.cmp(&a.df).then_with(|| a.text.cmp(&b.text)));
            kept.truncate(MAX_PREFIX_WORDS);
            kept.sort_unstable_by(|a, b| a.text.cmp(&b.text));
        }
        let key = format!("{:x}", first as u32);
        let list: Vec<String> = kept
            .iter()
            .map(|e| format!("{},{}", json_str(&e.text), e.df))
            .collect();
        let body = format!("{},[{}]", json_str(&key), list.join(","));
        files.push((format!("p/{key}.js"), js_call("prefix", &body)));
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
        terms: entries.len(),
        shards: p.shards as usize,
        tails,
        files: files.len(),
        total_bytes: files.iter().map(|f| f.1.len()).sum(),
        manifest_bytes,
        largest_shard_bytes,
        ..SearchStats::default()
    };
    (files, stats)
}
