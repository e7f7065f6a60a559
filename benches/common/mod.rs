//! What both benchmarks share: SPEC's generated corpus and running a command.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The corpus of SPEC's performance budget under `work/cN` (generated once by
/// ../shared/bench/gen_corpus.py, then reused), with `config` as its kbgen.yaml when it has
/// none.
pub fn corpus(work: &Path, n: usize, config: &str) -> PathBuf {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let corpus = work.join(format!("c{n}"));
    if !corpus.join("content").is_dir() {
        eprintln!("generating {n} articles into {}", corpus.display());
        run(Command::new("python3")
            .arg(manifest_dir.join("../shared/bench/gen_corpus.py"))
            .args(["-n", &n.to_string(), "--layouts", "content", "--out"])
            .arg(&corpus));
    }
    let yaml = corpus.join("kbgen.yaml");
    if !yaml.exists() {
        fs::write(&yaml, config).expect("write kbgen.yaml");
    }
    corpus
}

/// Runs a command to completion; panics when it fails.
pub fn run(cmd: &mut Command) {
    let status = cmd
        .status()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(status.success(), "{cmd:?} failed: {status}");
}
