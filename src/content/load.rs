//! Reads content/: walks it with walkdir, reads and splits every file in parallel.

use super::front_matter::{parse_article_matter, parse_section_matter, split};
use super::{Article, Asset, Content, Section};
use crate::config::Config;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::ids::{Id as _, SectionId};
use crate::names::{is_valid_slug, nfc};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub const CONTENT_DIR: &str = "content";

/// A file found under content/: `real` is its path as on disk, `rel` the same path in
/// Unicode NFC, which every name and URL is derived from (macOS writes names decomposed, and
/// a writer types them composed: `한` and `한` must be one page).
enum Entry {
    Markdown { real: String, rel: String },
    Asset { real: String, rel: String },
}

/// Articles of an earlier load that may be taken as they are, and which files (paths
/// relative to `content/`) changed since.
pub struct Reuse<'a> {
    pub previous: &'a Content,
    pub changed: &'a (dyn Fn(&str) -> bool + Sync),
}

/// Loads every article, section and asset under `ROOT/content/` (`drafts`: keep articles
/// marked `draft: true`); with `reuse`, unchanged articles are taken from an earlier load
/// instead of being read and parsed again (a file that parsed in a good build reported
/// nothing).
pub fn load_content_reusing(
    config: &Config,
    drafts: bool,
    reuse: Option<Reuse<'_>>,
) -> anyhow::Result<(Content, Diagnostics)> {
    let kept: HashMap<&str, &std::sync::Arc<Article>> = reuse
        .as_ref()
        .map(|r| {
            r.previous
                .articles
                .iter()
                .map(|a| (a.rel.as_str(), a))
                .collect()
        })
        .unwrap_or_default();
    let dir = config.root.join(CONTENT_DIR);
    let mut diags = Diagnostics::default();
    let mut entries = Vec::new();
    let mut folders = vec![String::new()];
    if dir.is_dir() {
        // Symbolic links are followed while they stay inside the site (or inside content/,
        // which may itself be a link): a link to elsewhere could publish any file.
        let inside: Vec<PathBuf> = [&config.root, &dir]
            .iter()
            .filter_map(|p| p.canonicalize().ok())
            .collect();
        let mut walker = walkdir::WalkDir::new(&dir)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
        while let Some(item) = walker.next() {
            let entry = match item {
                Ok(e) => e,
                Err(e) => {
                    // A symlink loop or an unreadable folder: say so and go on with the rest.
                    let at = e
                        .path()
                        .map(|p| relative(&config.root, p))
                        .unwrap_or_else(|| PathBuf::from(CONTENT_DIR));
                    let why = if e.loop_ancestor().is_some() {
                        "symbolic link loop, skipped".to_string()
                    } else {
                        e.to_string()
                    };
                    diags.push(Diagnostic::warning(at, 1, 1, why));
                    continue;
                }
            };
            if entry.depth() == 0 {
                continue;
            }
            if entry.path_is_symlink() {
                let resolved = entry.path().canonicalize().ok();
                if !resolved
                    .as_ref()
                    .is_some_and(|r| inside.iter().any(|i| r.starts_with(i)))
                {
                    let to = resolved
                        .map(|r| r.display().to_string())
                        .unwrap_or_else(|| "a missing file".into());
                    diags.push(Diagnostic::warning(
                        relative(&config.root, entry.path()),
                        1,
                        1,
                        format!(
                            "symbolic link to {to}, outside the site: skipped (kbgen reads only files inside the site folder)"
                        ),
                    ));
                    if entry.file_type().is_dir() {
                        walker.skip_current_dir();
                    }
                    continue;
                }
            }
            let Some(real) = entry
                .path()
                .strip_prefix(&dir)
                .unwrap_or(entry.path())
                .to_str()
                .map(|r| r.replace('\\', "/"))
            else {
                diags.push(Diagnostic::warning(
                    relative(&config.root, entry.path()),
                    1,
                    1,
                    "the name is not valid UTF-8, so it cannot be a URL: skipped (rename it)",
                ));
                if entry.file_type().is_dir() {
                    walker.skip_current_dir();
                }
                continue;
            };
            let rel = nfc(&real);
            if entry.file_type().is_dir() {
                folders.push(rel);
            } else if rel.ends_with(".md") {
                entries.push(Entry::Markdown { real, rel });
            } else {
                entries.push(Entry::Asset { real, rel });
            }
        }
    }

    let mut sections: Vec<Section> = folders
        .iter()
        .map(|f| Section {
            dir: f.clone(),
            path: if f.is_empty() {
                String::new()
            } else {
                format!("{f}/")
            },
            title: f.rsplit('/').next().unwrap_or_default().to_string(),
            description: String::new(),
            weight: None,
            intro: String::new(),
            intro_line: 1,
            source: None,
            parent: None,
            extra: crate::yaml::Value::Null,
            sort_by: crate::order::SortBy::default(),
        })
        .collect();
    if sections[0].title.is_empty() {
        sections[0].title = config.title.clone();
    }
    let section_of: HashMap<String, SectionId> = folders
        .iter()
        .enumerate()
        .map(|(i, f)| (f.clone(), SectionId::new(i)))
        .collect();
    for (i, s) in sections.iter_mut().enumerate().skip(1) {
        let parent = s.dir.rsplit_once('/').map_or("", |(p, _)| p);
        s.parent = section_of.get(parent).copied().filter(|&p| p.index() != i);
        if !is_valid_path_name(s.dir.rsplit('/').next().unwrap_or_default()) {
            diags.push(Diagnostic::error(
                format!("{CONTENT_DIR}/{}", s.dir),
                1,
                1,
                "folder names may hold only letters, digits, `-`, `_` and `.`",
            ));
        }
    }

    let mut assets = Vec::new();
    let mut markdown = Vec::new();
    for e in entries {
        match e {
            Entry::Markdown { real, rel } => markdown.push((real, rel)),
            Entry::Asset { real, rel } => assets.push(Asset {
                source: dir.join(&real),
                rel,
            }),
        }
    }

    // Reading and parsing is independent per file: do it in parallel.
    let parsed: Vec<(Option<Parsed>, Diagnostics)> = markdown
        .par_iter()
        .map(|(real, rel)| {
            let unchanged = reuse.as_ref().is_some_and(|r| !(r.changed)(real));
            match kept.get(rel.as_str()).filter(|_| unchanged) {
                Some(a) => (
                    Some(Parsed::Kept(std::sync::Arc::clone(a))),
                    Diagnostics::default(),
                ),
                None => read_one(config, &dir, real, rel),
            }
        })
        .collect();
    let mut articles = Vec::new();
    let mut unparsed = Vec::new();
    for ((p, d), (_, rel)) in parsed.into_iter().zip(&markdown) {
        if p.is_none() && d.has_errors() {
            unparsed.push(rel.clone());
        }
        diags.extend(d);
        match p {
            Some(Parsed::Section(sec)) => {
                let ParsedSection {
                    dir,
                    matter,
                    body,
                    body_line,
                    source,
                } = *sec;
                if let Some(&i) = section_of.get(&dir) {
                    let s = &mut sections[i.index()];
                    if let Some(t) = matter.title {
                        s.title = t;
                    }
                    s.description = matter.description;
                    s.weight = matter.weight;
                    s.intro = body;
                    s.intro_line = body_line;
                    s.source = Some(source);
                    s.extra = matter.extra;
                    s.sort_by = matter.sort_by;
                }
            }
            Some(Parsed::Article(a)) => {
                if a.matter.draft && !drafts {
                    continue;
                }
                articles.push(placed(std::sync::Arc::new(*a), &section_of, &sections));
            }
            Some(Parsed::Kept(a)) => {
                if a.matter.draft && !drafts {
                    continue;
                }
                articles.push(placed(a, &section_of, &sections));
            }
            None => {}
        }
    }
    check_paths(config, &sections, &articles, &mut diags);
    // Stable order: by section order of the walk, then weight, then the section's order.
    // Within a section, the order its `_index.md` asks for (`sort_by`).
    // By keys that borrow the titles and names (a serve rebuild sorts every article again).
    let keys: Vec<_> = articles
        .iter()
        .map(|a| crate::order::article_key(&sections, a))
        .collect();
    let mut order: Vec<usize> = (0..articles.len()).collect();
    order.sort_by(|&i, &j| keys[i].cmp(&keys[j]));
    drop(keys);
    let mut slots: Vec<Option<std::sync::Arc<Article>>> = articles.into_iter().map(Some).collect();
    let articles: Vec<std::sync::Arc<Article>> =
        order.into_iter().filter_map(|i| slots[i].take()).collect();
    Ok((
        Content {
            sections: sections.into(),
            articles: articles.into(),
            assets,
            unparsed,
        },
        diags,
    ))
}

struct ParsedSection {
    dir: String,
    matter: super::SectionMatter,
    body: String,
    body_line: usize,
    source: PathBuf,
}

enum Parsed {
    Section(Box<ParsedSection>),
    Article(Box<Article>),
    /// An unchanged article of the earlier load.
    Kept(std::sync::Arc<Article>),
}

/// The article with its section and path (from its folder), copied only when they changed.
fn placed(
    mut a: std::sync::Arc<Article>,
    section_of: &HashMap<String, SectionId>,
    sections: &[Section],
) -> std::sync::Arc<Article> {
    let folder = a.rel.rsplit_once('/').map_or("", |(f, _)| f);
    let section = section_of.get(folder).copied().unwrap_or(SectionId::ROOT);
    let under = &sections[section.index()].path;
    // `under` + slug + `/`, compared in place: a serve rebuild places every article again.
    let same_path = a
        .path
        .strip_prefix(under.as_str())
        .and_then(|p| p.strip_prefix(a.slug.as_str()))
        == Some("/");
    if a.section != section || !same_path {
        let a = std::sync::Arc::make_mut(&mut a);
        a.section = section;
        a.path = format!("{under}{}/", a.slug);
    }
    a
}

/// Reads and parses the file at `real` (relative to content/), named `rel` on the site.
fn read_one(config: &Config, dir: &Path, real: &str, rel: &str) -> (Option<Parsed>, Diagnostics) {
    let mut diags = Diagnostics::default();
    let source = PathBuf::from(CONTENT_DIR).join(real);
    crate::fault::before_read(dir, real);
    let limit = config.limits.article_size;
    if let Ok(meta) = std::fs::metadata(dir.join(real)) {
        if meta.len() > limit {
            diags.push(Diagnostic::error(
                &source,
                1,
                1,
                format!(
                    "the file is {}, larger than an article may be ({}): split it, or raise `limits.article_size` in kbgen.yaml",
                    show_size(meta.len()),
                    show_size(limit)
                ),
            ));
            return (None, diags);
        }
    }
    let bytes = match std::fs::read(dir.join(real)) {
        Ok(b) => b,
        Err(e) => {
            let why = match e.kind() {
                std::io::ErrorKind::NotFound => "the file disappeared while the site was read (deleted or renamed during the build); build again".to_string(),
                std::io::ErrorKind::PermissionDenied => "cannot read this file: permission denied (check who may read it)".to_string(),
                _ => format!("cannot read this file: {e}"),
            };
            diags.push(Diagnostic::error(&source, 1, 1, why));
            return (None, diags);
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let prefix = String::from_utf8_lossy(valid);
            let line = prefix.matches('\n').count() + 1;
            let column = prefix.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            diags.push(Diagnostic::error(
                &source,
                line,
                column,
                "file is not valid UTF-8 (save it as UTF-8)",
            ));
            return (None, diags);
        }
    };
    let parts = match split(&text) {
        Ok(p) => p,
        Err((line, msg)) => {
            diags.push(Diagnostic::error(&source, line, 1, msg).with_source(&text));
            return (None, diags);
        }
    };
    let file_name = rel.rsplit('/').next().unwrap_or(rel);
    if file_name == "_index.md" {
        let matter = parse_section_matter(&parts, &source, &text, &mut diags);
        let dir = rel.rsplit_once('/').map_or("", |(f, _)| f).to_string();
        let body = parts.body.to_string();
        let body_line = parts.body_line;
        return (
            Some(Parsed::Section(Box::new(ParsedSection {
                dir,
                matter,
                body,
                body_line,
                source,
            }))),
            diags,
        );
    }
    if text.trim().is_empty() {
        diags.push(Diagnostic::error(&source, 1, 1, "the file is empty: an article starts with front matter (a `---` line, a `title:` line and another `---` line)"));
        return (None, diags);
    }
    if parts.yaml.is_empty() && parts.body_line == 1 {
        diags.push(Diagnostic::error(&source, 1, 1, "missing front matter: start the file with a `---` line, a `title:` line and another `---` line"));
        return (None, diags);
    }
    let Some(matter) = parse_article_matter(&parts, &source, &text, config, &mut diags) else {
        return (None, diags);
    };
    let stem = file_name.trim_end_matches(".md").to_string();
    let slug = match &matter.slug {
        Some(s) if is_valid_slug(&s.value) => s.value.clone(),
        Some(s) => {
            diags.push(
                Diagnostic::error(
                    &source,
                    s.line,
                    s.column,
                    format!(
                        "slug `{}` may hold only letters, digits, `-` and `_`",
                        s.value
                    ),
                )
                .with_source(&text),
            );
            return (None, diags);
        }
        None if is_valid_slug(&stem) => stem,
        None => {
            diags.push(Diagnostic::error(&source, 1, 1, format!("file name `{stem}` is not a valid URL name: rename it or set `slug` (letters, digits, `-`, `_`)")));
            return (None, diags);
        }
    };
    let body_start = text.len() - parts.body.len();
    let body_line = parts.body_line;
    let article = Article {
        source,
        rel: rel.to_string(),
        section: SectionId::ROOT,
        slug,
        path: String::new(),
        matter,
        text,
        body_start,
        body_line,
    };
    (Some(Parsed::Article(Box::new(article))), diags)
}

/// Duplicate slugs, articles shadowing sections, and names kbgen reserves.
fn check_paths(
    config: &Config,
    sections: &[Section],
    articles: &[std::sync::Arc<Article>],
    diags: &mut Diagnostics,
) {
    /// What holds a site path: a section folder (by its folder) or an article (its file).
    enum Holder<'a> {
        Section(&'a str),
        Article(&'a Path),
    }
    // Named only for a message: a serve rebuild checks every path again.
    let mut taken: crate::search::encode::FxHashMap<&str, Holder> = Default::default();
    for s in sections.iter().skip(1) {
        taken.insert(&s.path, Holder::Section(&s.dir));
    }
    let mut order: Vec<&Article> = articles.iter().map(|a| &**a).collect();
    order.sort_by(|a, b| a.rel.cmp(&b.rel));
    for a in order {
        let (line, column) = a
            .matter
            .slug
            .as_ref()
            .map_or((1, 1), |s| (s.line, s.column));
        if let Some(holder) = taken.get(a.path.as_str()) {
            let (other, other_source) = match holder {
                Holder::Section(dir) => (format!("section folder `{CONTENT_DIR}/{dir}`"), None),
                Holder::Article(p) => (format!("`{}`", p.display()), Some(*p)),
            };
            // Two names that look the same but are written differently (NFC and NFD).
            let twin = other_source.is_some_and(|o| {
                o != a.source && nfc(&o.to_string_lossy()) == nfc(&a.source.to_string_lossy())
            });
            let why = if twin {
                " (the two file names look the same but one is written with composed and one with decomposed Unicode characters: delete or rename one)"
            } else {
                " (slugs are unique within a section)"
            };
            diags.push(
                Diagnostic::error(
                    &a.source,
                    line,
                    column,
                    format!("slug `{}` is already used by {other}{why}", a.slug),
                )
                .with_source(&a.text),
            );
            continue;
        }
        if a.section == SectionId::ROOT && config.is_taken_segment(&a.slug) {
            diags.push(Diagnostic::error(
                &a.source,
                line,
                column,
                format!(
                    "slug `{}` is reserved at the top of the site: choose another",
                    a.slug
                ),
            ));
            continue;
        }
        taken.insert(&a.path, Holder::Article(&a.source));
    }
    for s in sections
        .iter()
        .skip(1)
        .filter(|s| s.parent == Some(SectionId::ROOT))
    {
        if config.is_taken_segment(&s.dir) {
            diags.push(Diagnostic::error(
                format!("{CONTENT_DIR}/{}", s.dir),
                1,
                1,
                format!("folder name `{}` is reserved at the top of the site", s.dir),
            ));
        }
    }
}

/// `52.4 MB`, `10 MB`, `900 KB`.
fn show_size(bytes: u64) -> String {
    let mb = bytes as f64 / (1024.0 * 1024.0);
    if mb >= 1.0 {
        format!("{} MB", (mb * 10.0).round() / 10.0)
    } else {
        format!("{} KB", (bytes as f64 / 1024.0).ceil())
    }
}

pub(crate) fn is_valid_path_name(name: &str) -> bool {
    !name.is_empty()
        && name != ".."
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn relative(root: &Path, p: &Path) -> PathBuf {
    p.strip_prefix(root)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| p.to_path_buf())
}
