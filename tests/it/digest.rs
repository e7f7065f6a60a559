//! The output of the bundled site and of every fixture, file by file, as a snapshot of
//! (path, size, FNV-1a hash): a refactor that must not change what kbgen writes proves it
//! here, and a change that should shows up as a diff to review (`cargo insta review`).

use crate::support::site::{assert_success, copy_fixture, kbgen, snapshot_dir};
use std::fmt::Write as _;
use std::path::Path;

fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// One line per file of `out`: `path size hash`.
fn digest(out: &Path) -> String {
    let mut s = String::new();
    for (path, bytes) in snapshot_dir(out) {
        let _ = writeln!(s, "{path} {} {:016x}", bytes.len(), fnv1a64(&bytes));
    }
    s
}

fn built(root: &Path, extra: &[&str]) -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    let mut args = vec![
        "build",
        "--root",
        root.to_str().unwrap(),
        "--output",
        out.path().to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    assert_success(&kbgen(args, root));
    out
}

#[test]
fn fixture_outputs_are_unchanged() {
    for name in ["basic", "faq", "search", "hostile"] {
        let site = copy_fixture(name);
        let out = built(site.path(), &[]);
        insta::assert_snapshot!(format!("output-{name}"), digest(out.path()));
        let portable = built(site.path(), &["--portable"]);
        insta::assert_snapshot!(format!("output-{name}-portable"), digest(portable.path()));
    }
}

#[test]
fn bundled_output_is_unchanged() {
    let (_dir, out) = crate::support::site::build_bundled(&[]);
    insta::assert_snapshot!("output-bundled", digest(&out));
}
