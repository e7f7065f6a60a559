//! Integration tests: one binary over fixture sites in tests/fixtures/.

mod a11y;
mod bad_input;
mod browse;
mod build;
mod bundled;
mod diagnostics;
mod digest;
mod docs;
mod escaping;
mod faq;
mod fuzz_corpus;
mod incremental;
mod init;
mod laws;
mod pathological;
mod paths;
mod portable;
mod safety;
mod search;
mod serve;
mod serve_browser;
mod serve_hostile;
mod site_config;
mod support;
mod valid;
