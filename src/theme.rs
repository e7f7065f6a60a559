//! The theme: the embedded default (built into the binary) with per-file overrides from
//! `ROOT/themes/THEME/`.

use crate::config::Config;
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

/// The embedded default, overridden file by file by `ROOT/themes/THEME/`.
pub fn load_theme(config: &Config) -> anyhow::Result<Theme> {
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
        anyhow::bail!(
            "theme `{}` not found: expected the folder {}",
            config.theme,
            dir.display()
        );
    }
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
            let bytes = file.read()?;
            let source = String::from_utf8(bytes)
                .with_context(|| format!("{} is not valid UTF-8", shown.display()))?;
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
    Ok(Theme {
        templates,
        statics,
        warnings,
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
