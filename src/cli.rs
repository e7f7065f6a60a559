//! Command-line syntax (clap derive). Validation happens in the library.

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "kbgen",
    version,
    about = "Turns a folder of Markdown articles into a cross-linked, searchable help site with an FAQ index"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create a new site in DIR, with example articles that build clean
    ///
    /// Writes a commented kbgen.yaml and a section with two example articles (every
    /// front-matter key, every link form, an FAQ, an alias, a picture). DIR is made if
    /// missing and must otherwise be empty (dot-files such as .git aside): init never
    /// overwrites a file.
    Init {
        /// Folder for the new site
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// Build the site into the output folder (default ROOT/public)
    Build {
        /// Site folder holding kbgen.yaml and content/
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Output folder (default ROOT/public); replaced only when the build succeeds
        #[arg(long)]
        output: Option<PathBuf>,
        /// Base URL, e.g. /kb/ or https://example.org/kb/ (overrides kbgen.yaml)
        #[arg(long)]
        base_url: Option<String>,
        /// Include articles marked `draft: true`
        #[arg(long)]
        drafts: bool,
        /// Make every link relative so the site also works opened from disk (file://)
        #[arg(long)]
        portable: bool,
        /// Replace the output folder even if it holds files kbgen did not write (they are
        /// deleted; .git, CNAME, .nojekyll and `keep:` names are still kept)
        #[arg(long)]
        force: bool,
    },
    /// Check the site and report every problem, without writing anything
    Check {
        /// Site folder holding kbgen.yaml and content/
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Also print a table of the articles that need review: a cited law revised after
        /// the article's review date, a replaced term, a review older than `review_every`
        #[arg(long)]
        review: bool,
    },
    /// Build, serve on localhost, rebuild on change and reload open pages
    Serve {
        /// Site folder holding kbgen.yaml and content/
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Address to listen on (loopback unless you say otherwise)
        #[arg(long, default_value = "127.0.0.1")]
        bind: String,
        /// Port to listen on
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Open the site in a browser
        #[arg(long)]
        open: bool,
    },
    /// Work with the site's theme
    Theme {
        #[command(subcommand)]
        action: ThemeAction,
    },
    /// Create a new article at content/SECTION/SLUG.md, with the site's taxonomies to fill in
    New {
        /// Site folder holding kbgen.yaml and content/
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// SECTION/SLUG, e.g. remedies/keep-evidence: a top-level section and the article's
        /// URL name, each of letters, digits, `-` and `_`
        #[arg(value_name = "SECTION/SLUG")]
        path: String,
        /// Title of the article (default: the slug)
        #[arg(long)]
        title: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum ThemeAction {
    /// Write the built-in default theme into ROOT/themes/default/ to edit it
    ///
    /// Every template and static file of the default theme is written there; each file in
    /// that folder replaces the built-in one of its name, so unchanged files build the same
    /// site. Refuses (writing nothing) when any of those files exists already.
    Eject {
        /// Site folder holding kbgen.yaml and content/
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}
