//! Shared test support for the `it` binary: the browser harness, a plain
//! static server, a running `kbgen serve`, and site helpers (fixtures, running kbgen, a link crawler).
//!
//! Not every test uses every helper, hence `dead_code` is allowed here.
#![allow(dead_code)]

pub mod browser;
pub mod serve;
pub mod server;
pub mod site;
