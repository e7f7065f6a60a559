//! Renders the counted postings into the index files: shards (the heads of common terms'
//! postings), tail bundles (the rest of them), prefix lists, doc bundles and the manifest.

use super::encode::{js_call, json_str, FxHashMap};
use super::postings::{
    bucket_length, decode_postings, encode_postings, Acc, Posting, Term, BODY, TITLE,
};
use super::{SearchDoc, SearchStats, B, FIELDS, HEAD_POSTINGS, K1, WEIGHTS};
use rayon::prelude::*;
use std::fmt::Write as _;

pub struct Params {
    pub shards: u32,
    /// Tail bundles: a power of two no larger than `shards`, so a shard's tails share one.
    pub tails: u32,
    pub id_space: u32,
    /// Doc bundles; bundle `b` holds the ids `id` with `id * doc_bundles / id_space == b`.
    pub doc_bundles: u32,
    /// How much of each doc's text its record keeps.
    pub text: TextBudget,
    pub avg: [f64; FIELDS],
    pub words: Vec<String>,
    /// Section titles; a doc names its section by index.
    pub sections: Vec<String>,
    /// Pinyin key files (`y/`), synonym groups, and whether the site's text is Traditional.
    pub pinyin_files: u32,
    pub synonyms: Vec<Vec<String>>,
    pub traditional: bool,
}

impl Params {
    /// The bundle holding doc `id`.
    pub fn doc_bundle(&self, id: u32) -> u32 {
        (u64::from(id) * u64::from(self.doc_bundles) / u64::from(self.id_space)) as u32
    }

    /// The first id of bundle `b` (the ids of `b` run up to the first of `b + 1`).
    fn first_id(&self, b: u32) -> u32 {
        (u64::from(b) * u64::from(self.id_space)).div_ceil(u64::from(self.doc_bundles)) as u32
    }
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

/// Keeps the `HEAD_POSTINGS` highest-impact postings in the shard, in doc order; the rest
/// is the term's tail.
fn split(acc: &Acc, avg: &[f64; FIELDS]) -> (Vec<u8>, Option<Vec<u8>>) {
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
    (encode_postings(&head), Some(encode_postings(&tail)))
}

/// Fixed-width hex, which the client rebuilds from the count of files of the kind.
pub(super) fn hex_name(folder: &str, n: u32, count: u32) -> String {
    let bits = 32 - (count.max(2) - 1).leading_zeros() as usize;
    format!("{folder}/{:0w$x}.js", n, w = bits.div_ceil(4))
}

/// File name of tail bundle `k` (of the shards `n` with `n % tails == k`).
pub fn tail_file(k: u32, tails: u32) -> String {
    hex_name("t", k, tails)
}

/// File name of the prefix list of Latin words starting with `first`.
pub fn prefix_file(first: char) -> String {
    format!("p/{:x}.js", first as u32)
}

/// File name of shard `n`.
pub fn shard_file(n: u32, shards: u32) -> String {
    hex_name("s", n, shards)
}

/// File name of doc bundle `b`.
pub fn doc_file(b: u32, bundles: u32) -> String {
    hex_name("d", b, bundles)
}

/// Words in a prefix list are capped so the list for a common initial stays small; the
/// most frequent survive, as the client expands to the most frequent completions anyway.
const MAX_PREFIX_WORDS: usize = 1500;

/// Text kept per doc: a snippet needs the text around a match, but every doc of a bundle
/// is loaded with any one of them, so each keeps its headings and questions whole (they are
/// short, name the anchors and rank highest) and only the start of its summary, body
/// parts and answers (the summary and first paragraph `TextBudget::part`, the rest an equal
/// share of what `TextBudget::doc` leaves).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextBudget {
    /// The summary and the first paragraph keep this many characters, other parts at most.
    pub part: usize,
    /// The whole record keeps about this many characters of text (headings and questions
    /// aside).
    pub doc: usize,
}

impl TextBudget {
    /// A doc that shares its bundle with a dozen others (large sites).
    pub const SHARED: TextBudget = TextBudget { part: 30, doc: 84 };
    /// A doc with a bundle of its own (small sites): a snippet around most matches.
    pub const WHOLE: TextBudget = TextBudget {
        part: 300,
        doc: 1500,
    };
}

/// How many characters each body part and answer keeps: the same for all (a match in the
/// last FAQ answer is as likely as one in the first paragraph), as many as `budget` allows,
/// at most `max`.
fn part_share(lens: &[usize], budget: usize, max: usize) -> usize {
    let total = |k: usize| lens.iter().map(|&l| l.min(k)).sum::<usize>();
    (0..=max).rev().find(|&k| total(k) <= budget).unwrap_or(0)
}

fn clip(text: &str, max: usize) -> &str {
    text.char_indices()
        .nth(max)
        .map_or(text, |(i, _)| &text[..i])
}

/// Whether the client can rebuild `anchor` from the part's text with the name rule (SPEC
/// "Names, anchors, links"), `faq-` first for a question: then the record says 1 instead.
/// Only for text whose every character both sides classify alike (ASCII, CJK and their
/// punctuation); anything else keeps its anchor spelled out.
fn is_derived_anchor(field: super::Field, text: &str, anchor: &str) -> bool {
    let plain = |c: char| {
        c.is_ascii()
            || matches!(c, '\u{2000}'..='\u{206F}' | '\u{3000}'..='\u{303F}' | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{FF00}'..='\u{FFEF}')
    };
    if anchor.is_empty() || !text.chars().all(plain) {
        return false;
    }
    let name = crate::names::name_of(text);
    match field {
        super::Field::FaqQuestion => anchor.strip_prefix("faq-") == Some(name.as_str()),
        super::Field::Heading => anchor == name,
        _ => false,
    }
}

/// A doc's record in its bundle: `[id,url,title,section,[field,anchor,text,…]]`, where the
/// anchor is 0 when it is the previous part's (a heading's body, an FAQ answer) and 1 when
/// the client derives it from the part's text.
pub fn render_doc(id: u32, doc: &SearchDoc, sections: &[String], budget: TextBudget) -> String {
    let section = sections
        .binary_search_by(|s| s.as_str().cmp(doc.section))
        .unwrap_or(0);
    let mut s = String::with_capacity(512);
    let _ = write!(
        s,
        "[{id},{},{},{section},[",
        json_str(doc.url),
        json_str(doc.title),
    );
    let summary = (super::Field::Summary, "", doc.summary);
    let parts: Vec<_> = std::iter::once(summary)
        .chain(doc.parts.iter().map(|p| (p.field, p.anchor, p.text)))
        .collect();
    let is_whole = |f| matches!(f, super::Field::Heading | super::Field::FaqQuestion);
    // The summary and the first paragraph say what the article is about: they keep the most.
    let texts: Vec<usize> = (0..parts.len())
        .filter(|&i| !is_whole(parts[i].0))
        .collect();
    let lead: Vec<usize> = texts.iter().copied().take(2).collect();
    let lead_chars = |i: usize| budget.part.min(parts[i].2.trim().chars().count());
    let lens: Vec<usize> = texts[lead.len()..]
        .iter()
        .map(|&i| parts[i].2.trim().chars().count())
        .collect();
    let lead_total: usize = lead.iter().map(|&i| lead_chars(i)).sum();
    let keep = part_share(&lens, budget.doc.saturating_sub(lead_total), budget.part);
    let mut first = true;
    let mut last_anchor = "";
    for (index, &(field, anchor, text)) in parts.iter().enumerate() {
        let whole = text.trim();
        let text = if is_whole(field) {
            whole
        } else if lead.contains(&index) {
            clip(whole, lead_chars(index))
        } else {
            clip(whole, keep)
        };
        if text.is_empty() && (anchor.is_empty() || anchor == last_anchor) {
            continue;
        }
        if !first {
            s.push(',');
        }
        first = false;
        let anchor_json = if anchor == last_anchor && !anchor.is_empty() {
            "0".to_string()
        } else if text == whole && is_derived_anchor(field, text, anchor) {
            "1".to_string()
        } else {
            json_str(anchor)
        };
        last_anchor = anchor;
        let _ = write!(s, "{},{anchor_json},{}", field.index(), json_str(text));
    }
    s.push_str("]]");
    s
}

/// A file of shards, tails or docs: `KIND(n,"…")` with the JSON deflated (zlib) and in
/// base64, which `search.js` inflates. Doc text deflates to about a third (UTF-8 Chinese
/// repeats its three-byte lead-ins and its words), term keys and postings by a quarter;
/// base64 costs a third of the deflated size back. `level` is zlib's: 6 deflates shards
/// and docs as well as 9 does; 1 deflates the large tail bundles seven times faster (they are
/// loaded only for more results) for an eighth more bytes.
pub(super) fn packed(kind: &str, n: u32, json: &str, level: u8) -> Vec<u8> {
    let deflated = miniz_oxide::deflate::compress_to_vec_zlib(json.as_bytes(), level);
    js_call(
        kind,
        &format!("{n},\"{}\"", super::encode::base64(&deflated)),
    )
}

/// A doc bundle's file from its docs' records (a JSON array).
pub fn assemble_docs<'a>(b: u32, p: &Params, records: impl Iterator<Item = &'a str>) -> File {
    let mut s = String::from("[");
    for (i, r) in records.enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(r);
    }
    s.push(']');
    (doc_file(b, p.doc_bundles), packed("docs", b, &s, 6))
}

pub fn render_manifest(p: &Params, docs: usize) -> Vec<u8> {
    let nums = |xs: &[f64]| {
        xs.iter()
            .map(|x| format!("{x:.2}"))
            .collect::<Vec<_>>()
            .join(",")
    };
    let strs = |xs: &[String]| xs.iter().map(|w| json_str(w)).collect::<Vec<_>>().join(",");
    let s = format!(
        "{{\"v\":2,\"n\":{docs},\"m\":{},\"s\":{},\"t\":{},\"d\":{},\"y\":{},\"k1\":{K1},\"w\":[{}],\"b\":[{}],\"avg\":[{}],\"sec\":[{}],\"words\":[{}]{}{}}}",
        p.id_space,
        p.shards,
        p.tails,
        p.doc_bundles,
        p.pinyin_files,
        nums(&WEIGHTS),
        nums(&B),
        nums(&p.avg),
        strs(&p.sections),
        strs(&p.words),
        if p.traditional { ",\"tr\":1" } else { "" },
        if p.synonyms.is_empty() {
            String::new()
        } else {
            let groups: Vec<String> = p.synonyms.iter().map(|g| format!("[{}]", strs(g))).collect();
            format!(",\"syn\":[{}]", groups.join(","))
        },
    );
    js_call("manifest", &s)
}

/// A file of the index: its path under `search/` and its bytes.
pub type File = (String, Vec<u8>);

/// One shard's entries: term text → `"text":[df,"head"(,1 when it has a tail)]`, in text order.
pub type Fragments = std::collections::BTreeMap<String, String>;

/// A term's entry in its shard file, and its tail's postings when it has one.
pub fn term_entry(text: &str, acc: &Acc, p: &Params) -> (String, Option<String>) {
    let (head, tail) = split(acc, &p.avg);
    let head = std::str::from_utf8(&head).unwrap_or_default();
    let mut s = format!("{}:[{},\"{head}\"", json_str(text), acc.df);
    if tail.is_some() {
        s.push_str(",1");
    }
    s.push(']');
    let tail = tail.map(|t| String::from_utf8(t).unwrap_or_default());
    (s, tail)
}

/// A shard's file from its entries.
pub fn assemble_shard(n: u32, p: &Params, fragments: &Fragments) -> File {
    let size = fragments.values().map(|f| f.len() + 1).sum::<usize>();
    let mut s = String::with_capacity(size + 16);
    s.push('{');
    for (i, f) in fragments.values().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(f);
    }
    s.push('}');
    (shard_file(n, p.shards), packed("shard", n, &s, 6))
}

/// Tails of one bundle: term text → postings, in text order.
pub type Tails = std::collections::BTreeMap<String, String>;

/// Tail bundle `k`'s file; `None` when it holds no tail.
pub fn assemble_tails(k: u32, p: &Params, tails: &Tails) -> Option<File> {
    if tails.is_empty() {
        return None;
    }
    let mut s = String::from("{");
    for (i, (term, data)) in tails.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        let _ = write!(s, "{}:\"{data}\"", json_str(term));
    }
    s.push('}');
    Some((tail_file(k, p.tails), packed("tails", k, &s, 1)))
}

/// Tail bundle `k` from the postings of its shards; `None` when none of their terms has a tail.
pub fn render_tails(k: u32, maps: &[FxHashMap<Term, Acc>], p: &Params) -> Option<File> {
    let mut tails = Tails::new();
    for map in maps.iter().skip(k as usize).step_by(p.tails as usize) {
        for (term, acc) in map {
            if acc.df as usize > HEAD_POSTINGS {
                if let (_, Some(t)) = split(acc, &p.avg) {
                    tails.insert(term.text(), String::from_utf8(t).unwrap_or_default());
                }
            }
        }
    }
    assemble_tails(k, p, &tails)
}

/// One shard's file, its terms' tails (term, postings) and its entries.
type RenderedShard = (File, Vec<(String, String)>, Fragments);

/// One shard's file, its terms' tails and its entries.
pub fn render_shard(n: u32, map: &FxHashMap<Term, Acc>, p: &Params) -> RenderedShard {
    let mut fragments = Fragments::new();
    let mut tails = Vec::new();
    for (term, acc) in map {
        let text = term.text();
        let (entry, tail) = term_entry(&text, acc, p);
        if let Some(t) = tail {
            tails.push((text.clone(), t));
        }
        fragments.insert(text, entry);
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

/// Doc records by id, in id order.
pub type Records = std::collections::BTreeMap<u32, String>;

/// The doc bundles holding `records`, each from the records of its range of ids.
pub fn render_doc_bundles(
    records: &Records,
    p: &Params,
    only: Option<&std::collections::BTreeSet<u32>>,
) -> Vec<File> {
    let bundles: Vec<u32> = match only {
        Some(set) => set.iter().copied().collect(),
        None => {
            let mut all: Vec<u32> = records.keys().map(|&id| p.doc_bundle(id)).collect();
            all.dedup();
            all
        }
    };
    bundles
        .into_par_iter()
        .filter_map(|b| {
            let range = records.range(p.first_id(b)..p.first_id(b + 1));
            let mut range = range.map(|(_, r)| r.as_str()).peekable();
            range.peek().is_some().then(|| assemble_docs(b, p, range))
        })
        .collect()
}

/// Where the index's files go as they are made (the output folder, or a list).
pub type Sink<'a> = dyn Fn(&str, &[u8]) -> anyhow::Result<()> + Sync + 'a;

/// Every file of the index — shards, tail bundles, prefix lists, doc bundles and the
/// manifest — handed to `sink` as each is made, so the whole index is never held. Shards
/// are made a tail bundle's worth at a time (the shards whose tails it holds), so only the
/// tails in flight are held. With `keep`, every shard's entries and every tail bundle's
/// tails are returned (for updating them one term at a time); without, each shard's
/// postings are freed once its file is made, and `maps` is left empty.
pub fn render(
    maps: &mut [FxHashMap<Term, Acc>],
    records: &Records,
    p: &Params,
    keep: bool,
    sink: &Sink<'_>,
) -> anyhow::Result<(SearchStats, Vec<Fragments>, Vec<Tails>)> {
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
    let (files, bytes, largest, tail_count) = (
        AtomicUsize::new(0),
        AtomicUsize::new(0),
        AtomicUsize::new(0),
        AtomicUsize::new(0),
    );
    let put = |name: &str, data: &[u8]| -> anyhow::Result<()> {
        files.fetch_add(1, Relaxed);
        bytes.fetch_add(data.len(), Relaxed);
        sink(name, data)
    };
    let terms = maps.iter().map(|m| m.len()).sum();
    // Prefix lists need every Latin word's count: taken before the postings go.
    let mut latin = latin_words(maps, |_| true);
    latin.sort_unstable();

    // Shard n's tails go to bundle n % tails: each bundle with its shards.
    let tails = p.tails as usize;
    let mut groups: Vec<Vec<(usize, &mut FxHashMap<Term, Acc>)>> =
        (0..tails).map(|_| Vec::new()).collect();
    for (n, map) in maps.iter_mut().enumerate() {
        groups[n % tails].push((n, map));
    }
    let made: Vec<(Tails, Vec<(usize, Fragments)>)> = groups
        .into_par_iter()
        .enumerate()
        .map(|(k, shards)| {
            let mut bundle = Tails::new();
            let mut entries = Vec::new();
            for (n, map) in shards {
                let ((name, data), t, fragments) = render_shard(n as u32, map, p);
                if !keep {
                    *map = FxHashMap::default();
                }
                largest.fetch_max(data.len(), Relaxed);
                put(&name, &data)?;
                tail_count.fetch_add(t.len(), Relaxed);
                bundle.extend(t);
                if keep {
                    entries.push((n, fragments));
                }
            }
            if let Some((name, data)) = assemble_tails(k as u32, p, &bundle) {
                put(&name, &data)?;
            }
            if !keep {
                bundle.clear();
            }
            Ok((bundle, entries))
        })
        .collect::<anyhow::Result<_>>()?;
    let mut kept: Vec<Fragments> = Vec::new();
    let mut bundles = Vec::new();
    if keep {
        let mut all: Vec<(usize, Fragments)> = Vec::with_capacity(maps.len());
        for (bundle, entries) in made {
            bundles.push(bundle);
            all.extend(entries);
        }
        all.sort_unstable_by_key(|(n, _)| *n);
        kept = all.into_iter().map(|(_, f)| f).collect();
    }

    for run in latin.chunk_by(|a, b| a.0.chars().next() == b.0.chars().next()) {
        let Some(first) = run[0].0.chars().next() else {
            continue;
        };
        if let Some((name, data)) = prefix_list(first, &mut run.to_vec()) {
            put(&name, &data)?;
        }
    }

    render_doc_bundles(records, p, None)
        .into_iter()
        .try_for_each(|(name, data)| put(&name, &data))?;
    let manifest = render_manifest(p, records.len());
    let manifest_bytes = manifest.len();
    put("manifest.js", &manifest)?;

    let stats = SearchStats {
        terms,
        shards: p.shards as usize,
        tails: tail_count.into_inner(),
        files: files.into_inner(),
        total_bytes: bytes.into_inner(),
        manifest_bytes,
        largest_shard_bytes: largest.into_inner(),
        ..SearchStats::default()
    };
    Ok((stats, kept, bundles))
}
