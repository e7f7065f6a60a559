//! The byte-level formats of the index: the term hash that picks a shard, the postings text
//! encoding, and the JavaScript wrapper of every file (`search.js` decodes all of them).

use std::hash::{BuildHasherDefault, Hasher};

/// The 64 characters of the postings encoding; all of them are safe inside a JSON string,
/// so a postings list costs one byte per character on the wire.
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// FNV-1a (32 bit) over the term's UTF-8 bytes. The client computes the same hash with
/// `Math.imul`, so it can find a term's shard without any lookup table.
pub fn fnv1a32(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for &b in bytes {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// Standard base64 with padding (what `atob` reads).
pub fn base64(bytes: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(TABLE[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Appends `v` as a little-endian varint of 5-bit groups: each character carries 5 bits,
/// and its 6th bit says another character follows. Values below 32 take one character,
/// which covers most doc-id gaps, term frequencies and length buckets.
pub fn push_varint(out: &mut Vec<u8>, mut v: u32) {
    loop {
        let low = (v & 31) as usize;
        v >>= 5;
        if v == 0 {
            out.push(ALPHABET[low]);
            return;
        }
        out.push(ALPHABET[low | 32]);
    }
}

/// Reads a varint written by [`push_varint`] at `*pos`, advancing it.
pub fn read_varint(data: &[u8], pos: &mut usize) -> Option<u32> {
    let mut v: u32 = 0;
    let mut shift = 0;
    loop {
        let c = *data.get(*pos)?;
        *pos += 1;
        let d = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        };
        v |= u32::from(d & 31).checked_shl(shift)?;
        if d < 32 {
            return Some(v);
        }
        shift += 5;
    }
}

/// One file of the index: `window.__kbgenSearch.KIND(ARGS)`. Loading files as scripts (not
/// JSON through fetch) is what lets search work from `file://` in portable builds.
pub fn js_call(kind: &str, args: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(args.len() + 40);
    out.extend_from_slice(b"window.__kbgenSearch.");
    out.extend_from_slice(kind.as_bytes());
    out.push(b'(');
    // JSON allows U+2028/U+2029 raw inside strings; older JavaScript engines end a line there.
    if args.contains(['\u{2028}', '\u{2029}']) {
        let safe = args
            .replace('\u{2028}', "\\u2028")
            .replace('\u{2029}', "\\u2029");
        out.extend_from_slice(safe.as_bytes());
    } else {
        out.extend_from_slice(args.as_bytes());
    }
    out.extend_from_slice(b");\n");
    out
}

/// A JSON string literal (quotes included); serde_json never fails on a `str`.
pub fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| String::from("\"\""))
}

/// The Fx hash (as in rustc): the index hashes millions of short keys it generated itself,
/// where SipHash's flood resistance buys nothing and costs a third of the build time.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

impl Hasher for FxHasher {
    /// Eight bytes at a time, little-endian, the last word zero-padded. (Copying each chunk
    /// into a buffer called `memcpy` per word: most of the time of hashing a path.)
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            let mut v = [0u8; 8];
            v.copy_from_slice(w);
            self.write_u64(u64::from_le_bytes(v));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let v = rest
                .iter()
                .enumerate()
                .fold(0u64, |v, (i, &b)| v | u64::from(b) << (8 * i));
            self.write_u64(v);
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.write_u64(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64);
    }
    fn finish(&self) -> u64 {
        // Hash tables take their bucket from the low bits, which the multiply mixes least.
        self.0.rotate_left(26)
    }
}

pub type FxBuild = BuildHasherDefault<FxHasher>;
pub type FxHashMap<K, V> = std::collections::HashMap<K, V, FxBuild>;
pub type FxHashSet<K> = std::collections::HashSet<K, FxBuild>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fx_hashes_bytes_as_zero_padded_little_endian_words() {
        // The plain definition: every (last, shorter) chunk of eight bytes padded with zeros.
        let plain = |bytes: &[u8]| {
            let mut h = FxHasher::default();
            for chunk in bytes.chunks(8) {
                let mut buf = [0u8; 8];
                buf[..chunk.len()].copy_from_slice(chunk);
                h.write_u64(u64::from_le_bytes(buf));
            }
            h.finish()
        };
        let text = "网贷七天短信提醒怎么办 collection/sms.md".as_bytes();
        for len in 0..text.len() {
            let mut h = FxHasher::default();
            h.write(&text[..len]);
            assert_eq!(h.finish(), plain(&text[..len]), "{len} bytes");
        }
    }

    #[test]
    fn varints_round_trip() {
        let values = [0, 1, 31, 32, 1023, 1024, 65_535, u32::MAX];
        let mut buf = Vec::new();
        for v in values {
            push_varint(&mut buf, v);
        }
        assert_eq!(&buf[..2], b"AB", "small values take one character");
        let mut pos = 0;
        for v in values {
            assert_eq!(read_varint(&buf, &mut pos), Some(v));
        }
        assert_eq!(pos, buf.len());
        assert_eq!(read_varint(&buf, &mut pos), None);
    }

    #[test]
    fn fnv_matches_reference_values() {
        // Reference values of FNV-1a; search.js is tested against the same ones.
        assert_eq!(fnv1a32(b""), 0x811c_9dc5);
        assert_eq!(fnv1a32(b"a"), 0xe40c_292c);
        assert_eq!(fnv1a32(b"foobar"), 0xbf9c_f968);
    }

    #[test]
    fn base64_matches_reference_values() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(&[0xfb, 0xff, 0xbf]), "+/+/");
    }

    #[test]
    fn js_files_call_the_global_callback() {
        let f = js_call("shard", &format!("3,{}", json_str("a\"b</script>")));
        assert_eq!(
            String::from_utf8(f).unwrap(),
            "window.__kbgenSearch.shard(3,\"a\\\"b</script>\");\n"
        );
    }
}
