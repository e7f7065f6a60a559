//! kbgen: a static knowledge-base generator. `build`, `check`, `serve` and `new`.

pub mod cli;
pub(crate) mod config;
pub(crate) mod content;
pub mod diagnostic;
pub(crate) mod faq;
mod fault;
pub(crate) mod feeds;
#[doc(hidden)]
pub mod fuzzing;
pub(crate) mod ids;
pub(crate) mod links;
mod lint;
pub(crate) mod markdown;
pub(crate) mod names;
pub(crate) mod output;
pub(crate) mod prepare;
pub(crate) mod render;
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

use diagnostic::Diagnostic;
use std::path::Path;

/// Checks the site without writing: the same `prepare` as `build` (config, theme, dictionary,
/// content), then every page rendered in memory for its template errors. Ok: the warnings.
pub fn check(opts: &BuildOptions) -> Result<Vec<Diagnostic>, Failure> {
    config::check_root(&opts.root)?;
    let prepared = prepare(opts)?;
    let a = &prepared.analysis;
    let data = a.site_data(false);
    let errors = data.render_all(&prepared.renderer, &data.jobs(&a.aliases), |_, _| Ok(()));
    if !errors.is_empty() {
        return Err(prepare::render_failure(a, &prepared.theme, errors));
    }
    Ok(prepared.warnings())
}

/// Creates `content/SECTION/SLUG.md` with front matter to fill in. Err(message) for a usage problem.
pub fn new_article(
    root: &Path,
    path: &str,
    title: Option<&str>,
) -> anyhow::Result<Result<std::path::PathBuf, String>> {
    let path = path.trim().trim_end_matches(".md").trim_matches('/');
    let segments: Vec<&str> = path.split('/').collect();
    if segments.iter().any(|s| !names::is_valid_slug(s)) {
        return Ok(Err(format!(
            "`{path}` is not SECTION/SLUG made of letters, digits, `-` and `_`"
        )));
    }
    let content = root.join("content");
    if segments.len() < 2 {
        return Ok(Err(format!(
            "`{path}` names no section: give SECTION/SLUG, e.g. `guides/{path}`"
        )));
    }
    let section = segments[..segments.len() - 1].join("/");
    if segments.len() > 2 && !content.join(&section).is_dir() {
        return Ok(Err(format!(
            "`{path}`: there is no section `{section}` (content/{section}/) to put it in; \
             give SECTION/SLUG, or make the nested section's folder first"
        )));
    }
    let file = content.join(format!("{path}.md"));
    if file.exists() {
        return Ok(Err(format!("{} already exists", file.display())));
    }
    let slug = segments.last().copied().unwrap_or(path);
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
    std::fs::write(&file, text).map_err(|e| anyhow::anyhow!("writing {}: {e}", file.display()))?;
    Ok(Ok(file))
}
