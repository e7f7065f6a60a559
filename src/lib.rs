//! kbgen: a static knowledge-base generator. `init`, `build`, `check`, `serve`, `new` and
//! `theme eject`.

pub mod cli;
pub(crate) mod config;
pub(crate) mod content;
pub mod diagnostic;
pub(crate) mod faq;
mod fault;
pub(crate) mod feeds;
#[doc(hidden)]
pub mod fuzzing;
pub(crate) mod hanzi;
pub(crate) mod ids;
pub mod init;
pub(crate) mod links;
mod lint;
pub(crate) mod markdown;
mod memory;
pub(crate) mod menus;
pub(crate) mod minify;
pub(crate) mod names;
pub(crate) mod order;
pub(crate) mod output;
pub(crate) mod prepare;
pub(crate) mod reading;
pub(crate) mod render;
pub(crate) mod review;
pub(crate) mod search;
pub mod serve;
pub mod session;
pub(crate) mod site;
pub(crate) mod taxonomy;
pub(crate) mod theme;
pub(crate) mod ui;
pub(crate) mod urls;
pub(crate) mod view;
pub(crate) mod yaml;

pub use diagnostic::Failure;
pub use prepare::{prepare, Prepared};
pub use site::{build, BuildOptions, Built, Outcome, Summary};
pub use theme::eject_theme;

use diagnostic::Diagnostic;
use std::path::Path;

/// Checks the site without writing: the same `prepare` as `build` (config, theme, dictionary,
/// content), then every page rendered in memory for its template errors. Ok: the warnings.
pub fn check(opts: &BuildOptions) -> Result<Vec<Diagnostic>, Failure> {
    Ok(check_and_review(opts)?.0)
}

/// `check`, and the table of articles that need review (`kbgen check --review`): cited laws
/// revised since, replaced terms, reviews older than `review_every`; most urgent first.
pub fn check_and_review(opts: &BuildOptions) -> Result<(Vec<Diagnostic>, String), Failure> {
    config::check_root(&opts.root)?;
    let prepared = prepare(opts)?;
    let a = &prepared.analysis;
    let data = a.site_data(false);
    let errors = data.render_all(&prepared.renderer, &data.jobs(&a.aliases), |_, _| Ok(()));
    if !errors.is_empty() {
        return Err(prepare::render_failure(a, &prepared.theme, errors));
    }
    let table = review::review_table(&a.content, &a.config, review::today());
    Ok((prepared.warnings(), table))
}

/// Creates `content/SECTION/SLUG.md` with front matter to fill in. Err(message) for a usage
/// problem: a root that is not a site, a path that is not SECTION/SLUG (two names, each
/// following the name rule for slugs), an article that exists.
pub fn new_article(
    root: &Path,
    path: &str,
    title: Option<&str>,
) -> anyhow::Result<Result<std::path::PathBuf, String>> {
    config::check_root(root)?;
    let path = path.trim().trim_end_matches(".md").trim_matches('/');
    let segments: Vec<&str> = path.split('/').collect();
    let [section, slug] = segments[..] else {
        let last = segments.last().copied().unwrap_or_default();
        let hint = if !names::is_valid_slug(last) {
            String::new()
        } else if segments.len() == 1 {
            format!(": name its section too, e.g. `guides/{last}`")
        } else {
            format!(
                ": kbgen new puts articles in a top-level section, e.g. `{}/{last}` \
                 (write an article of a nested section by hand)",
                segments[0]
            )
        };
        return Ok(Err(format!(
            "`{path}` is not SECTION/SLUG (a section and an article name, one `/` between){hint}"
        )));
    };
    for (what, name) in [("section", section), ("slug", slug)] {
        if !names::is_valid_slug(name) {
            return Ok(Err(format!(
                "`{path}` is not SECTION/SLUG: the {what} `{name}` may hold only letters, \
                 digits, `-` and `_`"
            )));
        }
    }
    let content = root.join(content::CONTENT_DIR);
    let file = content.join(section).join(format!("{slug}.md"));
    if file.exists() {
        return Ok(Err(format!("{} already exists", file.display())));
    }
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    let title = title.unwrap_or(slug);
    let title_yaml = serde_json::to_string(title)?;
    // The site's own taxonomies, each an empty list to fill in (none when kbgen.yaml does not
    // load: `check` says why).
    let taxonomies: String = config::load_config(root, &config::Overrides::default())
        .map(|c| {
            c.taxonomies
                .iter()
                .map(|t| format!("{}: []  # {}\n", t.name, t.title))
                .collect()
        })
        .unwrap_or_default();
    let text = format!(
        "---\ntitle: {title_yaml}\ndate: {today}\nupdated: {today}\n\
         # summary: one sentence for cards and search results (else the first paragraph)\n\
         {taxonomies}faq: []\n---\n\n"
    );
    if let Some(parent) = file.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| anyhow::anyhow!("creating {}: {e}", parent.display()))?;
    }
    // Never over a file that appeared meanwhile.
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&file)
        .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()));
    match written {
        Ok(()) => Ok(Ok(file)),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            Ok(Err(format!("{} already exists", file.display())))
        }
        Err(e) => Err(anyhow::anyhow!("writing {}: {e}", file.display())),
    }
}
