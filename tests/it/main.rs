//! Integration tests: one binary over fixture sites in tests/fixtures/.
