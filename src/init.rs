//! `kbgen init`: a new site from the example files embedded here (`src/init/site/`): a commented
//! kbgen.yaml, one section with two articles that use every front-matter key and link form, an
//! FAQ, an alias and a picture beside its article. It writes only into a new or empty folder,
//! and never over a file.

use anyhow::Context as _;
use std::path::{Path, PathBuf};

/// The example site: (path inside the new site, text). `{today}` becomes the day's date.
const FILES: &[(&str, &str)] = &[
    ("kbgen.yaml", include_str!("init/site/kbgen.yaml")),
    (
        "content/_index.md",
        include_str!("init/site/content/_index.md"),
    ),
    (
        "content/guides/_index.md",
        include_str!("init/site/content/guides/_index.md"),
    ),
    (
        "content/guides/getting-started.md",
        include_str!("init/site/content/guides/getting-started.md"),
    ),
    (
        "content/guides/writing-articles.md",
        include_str!("init/site/content/guides/writing-articles.md"),
    ),
    (
        "content/guides/how-a-page-is-made.svg",
        include_str!("init/site/content/guides/how-a-page-is-made.svg"),
    ),
    ("static/logo.svg", include_str!("init/site/static/logo.svg")),
];

/// How many of a folder's names a refusal lists.
const SHOWN: usize = 3;

/// Writes the example site into `dir`, made when missing. Ok(Err(message)) for a usage
/// problem: `dir` is a file, or holds anything but dot-files (kbgen writes none, and ignores
/// them: a fresh `git init` folder is fine). Ok(Ok(files)): the files written, in order.
pub fn init_site(dir: &Path) -> anyhow::Result<Result<Vec<PathBuf>, String>> {
    match std::fs::metadata(dir) {
        Ok(m) if !m.is_dir() => {
            return Ok(Err(format!(
                "{} is a file; kbgen init makes a site in a new or empty folder",
                dir.display()
            )))
        }
        Ok(_) => {
            let names = visible_names(dir)?;
            if !names.is_empty() {
                return Ok(Err(not_empty(dir, &names)));
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => std::fs::create_dir_all(dir)
            .with_context(|| format!("creating the site folder {}", dir.display()))?,
        Err(e) => {
            return Err(e).with_context(|| format!("reading the site folder {}", dir.display()))
        }
    }
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .to_string();
    let mut written = Vec::with_capacity(FILES.len());
    for (rel, text) in FILES {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        write_new(&path, &text.replace("{today}", &today))?;
        written.push(path);
    }
    Ok(Ok(written))
}

/// The names in `dir` that do not start with `.`, sorted.
fn visible_names(dir: &Path) -> anyhow::Result<Vec<String>> {
    let mut names = Vec::new();
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("reading the folder {}", dir.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("reading the folder {}", dir.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.starts_with('.') {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

fn not_empty(dir: &Path, names: &[String]) -> String {
    let mut shown: Vec<String> = names.iter().take(SHOWN).map(|n| format!("`{n}`")).collect();
    if names.len() > SHOWN {
        shown.push(format!("{} more", names.len() - SHOWN));
    }
    format!(
        "{} is not empty (it holds {}); kbgen init writes only into a new or empty folder, so \
         that it never overwrites a file: give it a new folder, e.g. `kbgen init my-site`",
        dir.display(),
        shown.join(", ")
    )
}

/// Creates `path` with `text`; an existing file (made meanwhile) is an error, never replaced.
fn write_new(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_file_is_listed_once_and_only_dates_are_filled_in() {
        let mut paths: Vec<&str> = FILES.iter().map(|(p, _)| *p).collect();
        paths.sort_unstable();
        paths.dedup();
        assert_eq!(paths.len(), FILES.len());
        for (path, text) in FILES {
            let rest = text.replace("{today}", "");
            assert!(!rest.contains("{today"), "{path}: a broken placeholder");
        }
    }

    #[test]
    fn a_refusal_names_a_few_of_the_files_found() {
        let names: Vec<String> = ["a", "b", "c", "d", "e"].map(String::from).to_vec();
        let msg = not_empty(Path::new("site"), &names);
        assert!(
            msg.starts_with("site is not empty (it holds `a`, `b`, `c`, 2 more);"),
            "{msg}"
        );
    }
}
