//! Integration tests: one binary over fixture sites in tests/fixtures/.

mod bad_input;
mod build;
mod bundled;
mod search;
mod serve;
mod support;
