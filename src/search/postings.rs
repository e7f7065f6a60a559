//! Terms and their postings: the compact key a term is counted under while indexing, the
//! per-document counts, and the postings text format (raw counts and lengths, which the
//! client turns into BM25F scores).

use super::encode::{fnv1a32, push_varint, read_varint};
use super::FIELDS;

/// A term while indexing. Han bigrams and characters and short ASCII words (almost every
/// term of a Chinese site) pack into a `u64`, so counting them allocates nothing.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub enum Term {
    Packed(u64),
    Long(Box<str>),
}

const TAG_SHIFT: u32 = 60;
const TAG_CHAR: u64 = 1;
const TAG_PAIR: u64 = 2;
const TAG_ASCII: u64 = 3;

impl Term {
    /// A CJK character (`b` is `None`) or bigram.
    pub fn cjk(a: char, b: Option<char>) -> Term {
        match b {
            None => Term::Packed(TAG_CHAR << TAG_SHIFT | u64::from(a)),
            Some(b) => Term::Packed(TAG_PAIR << TAG_SHIFT | u64::from(a) << 21 | u64::from(b)),
        }
    }

    /// A normalised word: packed when it is ASCII and at most 7 bytes long.
    pub fn word(w: &str) -> Term {
        if w.is_ascii() && w.len() <= 7 {
            let mut v = 0u64;
            for (i, b) in w.bytes().enumerate() {
                v |= u64::from(b) << (8 * i);
            }
            Term::Packed(TAG_ASCII << TAG_SHIFT | v)
        } else {
            Term::Long(w.into())
        }
    }

    /// The term as the client spells it (the key in its shard).
    pub fn text(&self) -> String {
        match self {
            Term::Long(s) => s.to_string(),
            Term::Packed(v) => {
                let char_at = |shift: u32| char::from_u32(((v >> shift) & 0x1F_FFFF) as u32);
                match v >> TAG_SHIFT {
                    TAG_CHAR => char_at(0).map(String::from).unwrap_or_default(),
                    TAG_PAIR => [char_at(21), char_at(0)].into_iter().flatten().collect(),
                    _ => (0..7)
                        .map(|i| ((v >> (8 * i)) & 0xFF) as u8)
                        .take_while(|&b| b != 0)
                        .map(char::from)
                        .collect(),
                }
            }
        }
    }

    /// The term's shard (see [`shard_of`]), without allocating for packed terms.
    pub fn shard(&self, shards: u32) -> u32 {
        match self {
            Term::Long(s) => shard_of(s, shards),
            Term::Packed(v) => {
                let mut buf = [0u8; 8];
                let len = match v >> TAG_SHIFT {
                    TAG_CHAR | TAG_PAIR => {
                        let mut n = 0;
                        let chars = if v >> TAG_SHIFT == TAG_CHAR {
                            [0, 0]
                        } else {
                            [21, 0]
                        };
                        let count = if v >> TAG_SHIFT == TAG_CHAR { 1 } else { 2 };
                        for &shift in &chars[..count] {
                            let c =
                                char::from_u32(((v >> shift) & 0x1F_FFFF) as u32).unwrap_or(' ');
                            n += c.encode_utf8(&mut buf[n..]).len();
                        }
                        n
                    }
                    _ => {
                        let mut n = 0;
                        while n < 7 && (v >> (8 * n)) & 0xFF != 0 {
                            buf[n] = ((v >> (8 * n)) & 0xFF) as u8;
                            n += 1;
                        }
                        n
                    }
                };
                fnv1a32(&buf[..len]) & (shards - 1)
            }
        }
    }

    /// The character of a one-character CJK term.
    pub fn cjk_char(&self) -> Option<char> {
        match self {
            Term::Packed(v) if v >> TAG_SHIFT == TAG_CHAR => char::from_u32((v & 0x1F_FFFF) as u32),
            _ => None,
        }
    }

    /// Whether the term is a Latin word (prefix matching applies to those only).
    pub fn is_word(&self) -> bool {
        match self {
            Term::Packed(v) => v >> TAG_SHIFT == TAG_ASCII,
            Term::Long(s) => !s.chars().any(super::segment::is_cjk),
        }
    }
}

/// The shard of a term: the low bits of its hash, so a term's shard depends on nothing but
/// the term and the shard count (an edit touches only the shards of the terms it changes).
pub fn shard_of(text: &str, shards: u32) -> u32 {
    fnv1a32(text.as_bytes()) & (shards - 1)
}

/// Term frequencies by field index, saturating (255 occurrences say all there is to say).
pub type Counts = [u8; FIELDS];

/// One decoded posting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Posting {
    pub doc: u32,
    pub tf: Counts,
    /// `length_bucket` of the document's body length (when the body holds the term).
    pub body_bucket: u8,
    /// Title length in terms, at most 31 (when the title holds the term).
    pub title_len: u8,
}

/// Index of the title and body fields in `Counts` (see `Field::index`).
pub const TITLE: usize = 0;
pub const BODY: usize = FIELDS - 1;

/// Body lengths vary over three orders of magnitude but BM25 only needs them roughly:
/// half-octave buckets keep them to one character per posting.
pub fn length_bucket(len: u32) -> u8 {
    let b = (2.0 * f64::from(len + 1).log2()).round();
    b.clamp(0.0, 31.0) as u8
}

/// The length a bucket stands for (the client uses the same formula).
pub fn bucket_length(bucket: u8) -> f64 {
    2f64.powf(f64::from(bucket) / 2.0) - 1.0
}

/// Field index → bit of the field mask. The body gets bit 0, so the commonest posting (body
/// only) has mask 1 and takes one character; the title gets the highest bit.
fn bit_of(field: usize) -> u32 {
    (FIELDS - 1 - field) as u32
}

/// Appends a posting: doc-id gap, field mask, then per set field (body first) `tf - 1`,
/// followed by the body's length bucket after the body and the title length after the title.
pub fn push_posting(out: &mut Vec<u8>, gap: u32, p: &Posting) {
    push_varint(out, gap);
    let mut mask = 0;
    for (field, &tf) in p.tf.iter().enumerate() {
        if tf > 0 {
            mask |= 1 << bit_of(field);
        }
    }
    push_varint(out, mask);
    for field in (0..FIELDS).rev() {
        let tf = p.tf[field];
        if tf == 0 {
            continue;
        }
        push_varint(out, u32::from(tf) - 1);
        if field == BODY {
            push_varint(out, u32::from(p.body_bucket));
        }
        if field == TITLE {
            push_varint(out, u32::from(p.title_len));
        }
    }
}

/// Decodes a whole postings text written by [`push_posting`].
pub fn decode_postings(data: &[u8]) -> Vec<Posting> {
    let mut out = Vec::new();
    let mut pos = 0;
    let mut doc = 0u32;
    let mut first = true;
    while pos < data.len() {
        let Some(gap) = read_varint(data, &mut pos) else {
            break;
        };
        doc = if first { gap } else { doc + gap };
        first = false;
        let mask = read_varint(data, &mut pos).unwrap_or(0);
        let mut p = Posting {
            doc,
            tf: [0; FIELDS],
            body_bucket: 0,
            title_len: 0,
        };
        for field in (0..FIELDS).rev() {
            if mask & (1 << bit_of(field)) == 0 {
                continue;
            }
            p.tf[field] = read_varint(data, &mut pos).map_or(1, |v| (v + 1).min(255) as u8);
            if field == BODY {
                p.body_bucket = read_varint(data, &mut pos).unwrap_or(0) as u8;
            }
            if field == TITLE {
                p.title_len = read_varint(data, &mut pos).unwrap_or(0) as u8;
            }
        }
        out.push(p);
    }
    out
}

/// Re-encodes postings sorted by doc id.
pub fn encode_postings(postings: &[Posting]) -> Vec<u8> {
    let mut out = Vec::with_capacity(postings.len() * 4);
    let mut last = None;
    for p in postings {
        push_posting(&mut out, last.map_or(p.doc, |l| p.doc - l), p);
        last = Some(p.doc);
    }
    out
}

/// A term's postings while the index is built: appended in doc-id order, already encoded,
/// so the whole site's postings stay a few bytes each in memory.
#[derive(Default)]
pub struct Acc {
    pub df: u32,
    last: Option<u32>,
    pub data: Vec<u8>,
}

impl Acc {
    /// Adds a posting; documents must arrive in increasing id order.
    pub fn push(&mut self, p: &Posting) {
        let gap = self.last.map_or(p.doc, |l| p.doc - l);
        push_posting(&mut self.data, gap, p);
        self.last = Some(p.doc);
        self.df += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_pack_and_spell_back() {
        for t in [
            "催",
            "催收",
            "lpr",
            "1234567",
            "12345678",
            "个人信息保护法",
            "é",
        ] {
            let term = if t.chars().all(super::super::segment::is_cjk) && t.chars().count() <= 2 {
                let mut c = t.chars();
                Term::cjk(c.next().unwrap(), c.next())
            } else {
                Term::word(t)
            };
            assert_eq!(term.text(), t);
            assert_eq!(term.shard(1 << 12), shard_of(t, 1 << 12));
        }
        assert!(matches!(Term::word("1234567"), Term::Packed(_)));
        assert!(matches!(Term::word("12345678"), Term::Long(_)));
        assert!(Term::word("lpr").is_word() && !Term::cjk('催', Some('收')).is_word());
    }

    #[test]
    fn postings_round_trip() {
        let mut tf = [0; FIELDS];
        tf[BODY] = 3;
        let a = Posting {
            doc: 7,
            tf,
            body_bucket: 20,
            title_len: 0,
        };
        tf[TITLE] = 1;
        tf[2] = 200;
        let b = Posting {
            doc: 4000,
            tf,
            body_bucket: 31,
            title_len: 9,
        };
        let mut acc = Acc::default();
        acc.push(&a);
        acc.push(&b);
        assert_eq!(acc.df, 2);
        assert_eq!(decode_postings(&acc.data), vec![a, b]);
        assert_eq!(encode_postings(&[a, b]), acc.data);
        // The common case — body only, small gap, small tf — costs four characters.
        assert_eq!(encode_postings(&[a]).len(), 4);
    }

    #[test]
    fn length_buckets_are_monotonic_and_close() {
        let mut last = 0;
        for len in [0, 1, 10, 100, 1000, 5000, 40_000] {
            let b = length_bucket(len);
            assert!(b >= last);
            last = b;
            let back = bucket_length(b);
            assert!(back <= f64::from(len) * 1.5 + 1.0 && back >= f64::from(len) / 1.5 - 1.0);
        }
    }
}
