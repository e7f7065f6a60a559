//! The theme: the embedded default (built into the binary) with per-file overrides from
//! `ROOT/themes/THEME/`.

use crate::config::Config;
use crate::diagnostic::{Collected, Diagnostic, Failure};
use crate::yaml::key;
use anyhow::Context as _;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

include!(concat!(env!("OUT_DIR"), "/default_theme.rs"));

/// Where a theme file's bytes come from.
#[derive(Debug, Clone)]
pub enum ThemeFile {
    Embedded(&'static [u8]),
    Disk(PathBuf),
}

impl ThemeFile {
    pub fn read(&self) -> anyhow::Result<Vec<u8>> {
        match self {
            ThemeFile::Embedded(b) => Ok(b.to_vec()),
            ThemeFile::Disk(p) => {
                std::fs::read(p).with_context(|| format!("reading {}", p.display()))
            }
        }
    }
}

pub struct Template {
    /// Name as templates refer to it: `article.html`.
    pub name: String,
    pub source: String,
    /// For messages: the site's own file, or the embedded default's path in the kbgen repository.
    pub shown_path: PathBuf,
}

pub struct Theme {
    pub templates: Vec<Template>,
    /// Static files, relative to the theme's static/ folder.
    pub statics: BTreeMap<String, ThemeFile>,
    /// Site template files that replace nothing and nothing includes (a misspelt override).
    pub warnings: Vec<crate::diagnostic::Diagnostic>,
}

/// The embedded default, overridden file by file by `ROOT/themes/THEME/`. A theme folder
/// kbgen.yaml names that is missing, or a template that is not UTF-8, is a content problem
/// (at kbgen.yaml's `theme:` line, or at the first bad byte); failing to read is plumbing.
pub fn load_theme(config: &Config) -> Result<Theme, Failure> {
    let mut files: BTreeMap<String, (ThemeFile, PathBuf)> = DEFAULT_THEME
        .iter()
        .map(|(rel, bytes)| {
            (
                rel.to_string(),
                (
                    ThemeFile::Embedded(bytes),
                    Path::new("themes/default (built in)").join(rel),
                ),
            )
        })
        .collect();
    let site_theme = Path::new("themes").join(&config.theme);
    let dir = config.root.join(&site_theme);
    if dir.is_dir() {
        for entry in walkdir::WalkDir::new(&dir).sort_by_file_name() {
            let entry = entry.with_context(|| format!("reading {}", dir.display()))?;
            if !entry.file_type().is_file() || entry.file_name().to_string_lossy().starts_with('.')
            {
                continue;
            }
            let rel = entry
                .path()
                .strip_prefix(&dir)
                .unwrap_or(entry.path())
                .to_string_lossy()
                .replace('\\', "/");
            files.insert(
                rel.clone(),
                (
                    ThemeFile::Disk(entry.path().to_path_buf()),
                    site_theme.join(&rel),
                ),
            );
        }
    } else if config.theme != "default" {
        let why = if dir.exists() {
            "is not a folder"
        } else {
            "does not exist"
        };
        let shown = site_theme.to_string_lossy().replace('\\', "/");
        return Err(Failure::Content(vec![config.error_at(
            &[key("theme")],
            format!(
                "theme `{}` not found: the folder {shown} {why}",
                config.theme
            ),
        )]));
    }
    let mut problems = Collected::default();
    let mut templates = Vec::new();
    let mut statics = BTreeMap::new();
    let mut site_only = Vec::new();
    for (rel, (file, shown)) in files {
        if matches!(file, ThemeFile::Disk(_))
            && rel.starts_with("templates/")
            && !DEFAULT_THEME.iter().any(|(r, _)| *r == rel)
        {
            site_only.push(rel.trim_start_matches("templates/").to_string());
        }
        if let Some(name) = rel.strip_prefix("templates/") {
            let Some(source) = problems.take(parse_utf8(file.read()?, &shown))? else {
                continue;
            };
            templates.push(Template {
                name: name.to_string(),
                source,
                shown_path: shown,
            });
        } else if let Some(name) = rel.strip_prefix("static/") {
            statics.insert(name.to_string(), file);
        }
    }
    let warnings = check_overrides(&site_only, &templates, &site_theme);
    problems.finish(Some(Theme {
        templates,
        statics,
        warnings,
    }))
}

/// A template's text, or an error at its first byte that is not UTF-8.
fn parse_utf8(bytes: Vec<u8>, shown: &Path) -> Result<String, Failure> {
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let valid = e.utf8_error().valid_up_to();
        // The prefix before the bad byte is valid: its lines place the error.
        let before = std::str::from_utf8(&bytes[..valid]).unwrap_or_default();
        let (line, column) = crate::diagnostic::LineIndex::new(before).position(before, valid);
        Failure::Content(vec![Diagnostic::error(
            shown,
            line,
            column,
            "file is not valid UTF-8",
        )])
    })
}

/// A site template that has no default of its name is used only if another template includes,
/// imports or extends it; otherwise it is most likely a misspelt override, silently ignored.
fn check_overrides(
    site_only: &[String],
    templates: &[Template],
    site_theme: &Path,
) -> Vec<crate::diagnostic::Diagnostic> {
    let defaults: Vec<&str> = DEFAULT_THEME
        .iter()
        .filter_map(|(r, _)| r.strip_prefix("templates/"))
        .collect();
    site_only
        .iter()
        .filter(|name| {
            let quoted = [format!("\"{name}\""), format!("'{name}'")];
            !templates
                .iter()
                .any(|t| quoted.iter().any(|q| t.source.contains(q.as_str())))
        })
        .map(|name| {
            let hint = match crate::names::closest(name, defaults.iter().copied()) {
                Some(d) => format!(" (did you mean `{d}`?)"),
                None => format!(" (the templates are {})", defaults.join(", ")),
            };
            crate::diagnostic::Diagnostic::warning(
                site_theme.join("templates").join(name),
                1,
                1,
                format!(
                    "`{name}` replaces no template kbgen renders and no template includes it, so it is ignored{hint}"
                ),
            )
        })
        .collect()
}

/// `kbgen theme eject`: writes the embedded default theme into `ROOT/themes/default/`, for a
/// site to edit (each file there replaces the built-in one of its name). Ok(Err(message)) when
/// any of those files exists already (all of them are named, nothing is written: a writer's
/// file is never replaced); Ok(Ok(files)): the files written, relative to the root.
pub fn eject_theme(root: &Path) -> anyhow::Result<Result<Vec<PathBuf>, String>> {
    crate::config::check_root(root)?;
    let dir = Path::new("themes/default");
    let there: Vec<String> = DEFAULT_THEME
        .iter()
        .map(|(rel, _)| dir.join(rel))
        .filter(|p| root.join(p).symlink_metadata().is_ok())
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .collect();
    if !there.is_empty() {
        return Ok(Err(format!(
            "{} of the default theme's files exist already, so nothing was written: {} \
             (move them away to eject the theme again, or edit them as they are)",
            there.len(),
            there.join(", ")
        )));
    }
    let mut written = Vec::new();
    for (rel, bytes) in DEFAULT_THEME {
        let shown = dir.join(rel);
        let path = root.join(&shown);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        // Never over a file that appeared meanwhile.
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .and_then(|mut f| std::io::Write::write_all(&mut f, bytes));
        match file {
            Ok(()) => written.push(shown),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Ok(Err(format!(
                    "{} appeared while the theme was written; the files written so far are {}",
                    shown.display(),
                    written
                        .iter()
                        .map(|p: &PathBuf| p.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                )))
            }
            Err(e) => return Err(e).with_context(|| format!("writing {}", path.display())),
        }
    }
    Ok(Ok(written))
}
