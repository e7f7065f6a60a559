#![no_main]

use std::sync::Mutex;

/// One node process for the whole run: search.js's cut, compared with the index's.
static JS: Mutex<Option<kbgen::fuzzing::SearchJs>> = Mutex::new(None);

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut js = JS.lock().unwrap_or_else(|p| p.into_inner());
    let js = js.get_or_insert_with(|| kbgen::fuzzing::SearchJs::start().expect("node is needed"));
    kbgen::fuzzing::search_query(js, data);
});
