//! Replays every file of the committed fuzz corpus (`fuzz/corpus/TARGET/`) through the same
//! entry functions the fuzz targets call (`kbgen::fuzzing`), on the stable toolchain, so CI
//! checks in seconds what the long fuzz runs found. Crashes found later go into the corpus.

use std::path::{Path, PathBuf};

fn corpus(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} is empty", dir.display());
    files
}

/// Runs `f` on every corpus file of `target`; a panic names the file.
fn replay(target: &str, mut f: impl FnMut(&[u8])) {
    for file in corpus(target) {
        let data = std::fs::read(&file).unwrap();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&data)));
        if let Err(e) = result {
            let message = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            panic!("{}: {message}", file.display());
        }
    }
}

#[test]
fn front_matter() {
    replay("front_matter", kbgen::fuzzing::front_matter);
}

#[test]
fn config() {
    replay("config", kbgen::fuzzing::config);
}

#[test]
fn markdown() {
    replay("markdown", kbgen::fuzzing::markdown);
}

#[test]
fn names_and_urls() {
    replay("names_and_urls", kbgen::fuzzing::names_and_urls);
}

#[test]
fn segmentation() {
    replay("segmentation", kbgen::fuzzing::segmentation);
}

/// search.js under node against the index's cut; skips, loudly, without node (a failure
/// with `KBGEN_REQUIRE_BROWSER=1`, which `.ci/run` sets after installing node).
#[test]
fn search_query() {
    let Some(mut js) = kbgen::fuzzing::SearchJs::start() else {
        assert!(
            std::env::var("KBGEN_REQUIRE_BROWSER").as_deref() != Ok("1"),
            "KBGEN_REQUIRE_BROWSER=1 but node is not installed: search.js's cut not compared"
        );
        eprintln!("SKIPPED: node is not installed, search.js's cut not compared");
        return;
    };
    replay("search_query", |data| {
        kbgen::fuzzing::search_query(&mut js, data)
    });
    // The index cut is the same for every text: the other targets' inputs are queries too.
    replay("segmentation", |data| {
        kbgen::fuzzing::search_query(&mut js, data)
    });
}
