//! Change classification, the one place that says what a changed path means: which watched
//! path changed, what a rebuild must redo for it (`ChangeKind::scope`, which the session's
//! plan follows) and what the open pages must do about it (`reaction`, which the serve loop
//! follows). Pure functions only; the watcher feeds them paths.

use notify::event::{MetadataKind, ModifyKind};
use notify::EventKind;
use std::path::{Component, Path, PathBuf};

/// What one changed path means for the site; `scope` names what a rebuild must redo for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ChangeKind {
    /// A Markdown file under `content/`: an article or a section intro. Only the pages the
    /// change reaches are made again.
    Markdown,
    /// Anything else under `content/`: an article's asset, a folder appearing or vanishing.
    Asset,
    /// A file under `static/`, copied as is. `css` when it is a stylesheet.
    Static { css: bool },
    /// A file under `themes/`: templates re-render every page; a theme stylesheet only needs
    /// copying (`css`).
    Theme { css: bool },
    /// `kbgen.yaml`, or a file it names that is read with it (the search dictionary).
    Config,
    /// Outside the watched set, or an editor's temporary, swap or backup file.
    Ignored,
}

/// What a rebuild must redo for a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    /// Nothing the build reads changed.
    Nothing,
    /// Markdown changed: the session reads the changed files again and remakes the pages the
    /// change reaches (only the articles' own pages when only their bodies changed).
    Markdown,
    /// A clean build: what changed is read once per build (configuration, theme, dictionary)
    /// or copied whole (static files, assets).
    Full,
}

impl ChangeKind {
    pub fn is_relevant(self) -> bool {
        self != ChangeKind::Ignored
    }

    /// What a rebuild must redo for this change.
    pub fn scope(self) -> Scope {
        match self {
            ChangeKind::Ignored => Scope::Nothing,
            ChangeKind::Markdown => Scope::Markdown,
            ChangeKind::Asset
            | ChangeKind::Static { .. }
            | ChangeKind::Theme { .. }
            | ChangeKind::Config => Scope::Full,
        }
    }

    /// True when the only effect on open pages is a changed stylesheet.
    pub fn is_css_only(self) -> bool {
        matches!(
            self,
            ChangeKind::Static { css: true } | ChangeKind::Theme { css: true }
        )
    }
}

/// What open pages are told after a successful rebuild.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reaction {
    /// Swap stylesheets in place.
    Css,
    /// Reload the page.
    Reload,
}

/// Classifies one changed path. `extra` are the files the build reads besides the watched
/// folders and `kbgen.yaml` (`Session::extra_files`); they count as configuration.
pub fn classify(root: &Path, extra: &[PathBuf], path: &Path) -> ChangeKind {
    if extra.iter().any(|e| e == path) {
        ChangeKind::Config
    } else {
        classify_path(root, path)
    }
}

/// Classifies one path reported by the watcher. `root` is the site root as watched (the same
/// spelling the watcher reports paths in).
pub fn classify_path(root: &Path, path: &Path) -> ChangeKind {
    let Ok(rel) = path.strip_prefix(root) else {
        return ChangeKind::Ignored;
    };
    let mut parts = Vec::new();
    for c in rel.components() {
        match c {
            Component::Normal(s) => match s.to_str() {
                Some(s) => parts.push(s),
                // Names that are not UTF-8 cannot be site paths.
                None => return ChangeKind::Ignored,
            },
            _ => return ChangeKind::Ignored,
        }
    }
    let Some((file, _)) = parts.split_last() else {
        return ChangeKind::Ignored;
    };
    // Hidden folders anywhere (`.git`, `.kbgen-serve`) and editor debris never affect a build.
    if parts.iter().any(|p| p.starts_with('.')) || is_editor_temp(file) {
        return ChangeKind::Ignored;
    }
    let css = file.to_ascii_lowercase().ends_with(".css");
    match parts.as_slice() {
        ["kbgen.yaml"] => ChangeKind::Config,
        // Spelled as `content::load` reads articles: `.md`, in lower case.
        ["content", .., _] if file.ends_with(".md") => ChangeKind::Markdown,
        ["content", ..] => ChangeKind::Asset,
        // The folder itself appearing or vanishing counts as its contents changing.
        ["static"] => ChangeKind::Static { css: false },
        ["static", ..] => ChangeKind::Static { css },
        ["themes"] | ["themes", _] => ChangeKind::Theme { css: false },
        ["themes", _, "static", ..] => ChangeKind::Theme { css },
        ["themes", ..] => ChangeKind::Theme { css: false },
        _ => ChangeKind::Ignored,
    }
}

/// Files editors write beside the one being saved: vim's `.x.swp`/`.x.swx` and its `4913`
/// write probe, Emacs's `#x#` and `.#x` lock, `x~` backups, JetBrains' `x___jb_tmp___`.
pub fn is_editor_temp(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    name.starts_with('.')
        || name.ends_with('~')
        || (name.starts_with('#') && name.ends_with('#'))
        || name == "4913"
        || [
            ".swp",
            ".swx",
            ".swo",
            ".tmp",
            ".bak",
            "___jb_tmp___",
            "___jb_old___",
        ]
        .iter()
        .any(|ext| lower.ends_with(ext))
}

/// False for events that only say a file was read (opened, closed unwritten, accessed). The
/// build itself reads every source, so counting those would rebuild forever.
pub fn is_write(kind: &EventKind) -> bool {
    !matches!(
        kind,
        EventKind::Access(_) | EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime))
    )
}

/// Classifies every path of one watcher event (a rename reports both names) and keeps the
/// relevant kinds, so an atomic save (`x.tmp` renamed to `x.md`) counts as a change to `x.md`.
pub fn classify_event<'a>(
    root: &Path,
    paths: impl IntoIterator<Item = &'a PathBuf>,
) -> Vec<ChangeKind> {
    let mut kinds: Vec<ChangeKind> = paths
        .into_iter()
        .map(|p| classify_path(root, p))
        .filter(|k| k.is_relevant())
        .collect();
    kinds.sort();
    kinds.dedup();
    kinds
}

/// What a burst of changes asks of the open pages, or None when nothing relevant changed.
pub fn reaction(kinds: &[ChangeKind]) -> Option<Reaction> {
    let relevant: Vec<_> = kinds.iter().filter(|k| k.is_relevant()).collect();
    if relevant.is_empty() {
        None
    } else if relevant.iter().all(|k| k.is_css_only()) {
        Some(Reaction::Css)
    } else {
        Some(Reaction::Reload)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn kind(rel: &str) -> ChangeKind {
        classify_path(Path::new("/site"), &Path::new("/site").join(rel))
    }

    #[test]
    fn watched_folders_map_to_kinds() {
        assert_eq!(kind("content/a/one.md"), ChangeKind::Markdown);
        assert_eq!(kind("content/法律/民法典.md"), ChangeKind::Markdown);
        assert_eq!(kind("content/a/_index.md"), ChangeKind::Markdown);
        assert_eq!(kind("content/a"), ChangeKind::Asset);
        assert_eq!(kind("content/a/chart.png"), ChangeKind::Asset);
        assert_eq!(kind("content/a/ONE.MD"), ChangeKind::Asset);
        assert_eq!(kind("kbgen.yaml"), ChangeKind::Config);
        assert_eq!(kind("static/img/x.png"), ChangeKind::Static { css: false });
        assert_eq!(kind("static/extra.CSS"), ChangeKind::Static { css: true });
        assert_eq!(kind("static"), ChangeKind::Static { css: false });
        assert_eq!(
            kind("themes/default/static/style.css"),
            ChangeKind::Theme { css: true }
        );
        assert_eq!(
            kind("themes/default/templates/base.html"),
            ChangeKind::Theme { css: false }
        );
        assert_eq!(kind("themes/default"), ChangeKind::Theme { css: false });
    }

    #[test]
    fn everything_else_is_ignored() {
        assert_eq!(kind("public/index.html"), ChangeKind::Ignored);
        assert_eq!(kind("target/debug/kbgen"), ChangeKind::Ignored);
        assert_eq!(kind("README.md"), ChangeKind::Ignored);
        assert_eq!(kind("kbgen.yaml.bak"), ChangeKind::Ignored);
        assert_eq!(kind(""), ChangeKind::Ignored);
        assert_eq!(
            classify_path(Path::new("/site"), Path::new("/elsewhere/content/a.md")),
            ChangeKind::Ignored
        );
        assert_eq!(kind(".git/content/x.md"), ChangeKind::Ignored);
        assert_eq!(kind("content/.hidden/x.md"), ChangeKind::Ignored);
    }

    #[test]
    fn editor_debris_is_ignored() {
        for name in [
            "content/a/.one.md.swp",
            "content/a/.one.md.swx",
            "content/a/one.md~",
            "content/a/4913",
            "content/a/.#one.md",
            "content/a/#one.md#",
            "content/a/one.md.tmp",
            "content/a/one.md___jb_tmp___",
            "static/.DS_Store",
            "kbgen.yaml~",
            ".kbgen.yaml.swp",
        ] {
            assert_eq!(kind(name), ChangeKind::Ignored, "{name}");
        }
    }

    #[test]
    fn atomic_rename_counts_as_the_target() {
        let root = Path::new("/site");
        let paths = [
            PathBuf::from("/site/content/a/.one.md.tmp"),
            PathBuf::from("/site/content/a/one.md"),
        ];
        assert_eq!(classify_event(root, &paths), vec![ChangeKind::Markdown]);
        let debris = [PathBuf::from("/site/content/a/4913")];
        assert!(classify_event(root, &debris).is_empty());
    }

    #[test]
    fn reads_are_not_changes() {
        use notify::event::{AccessKind, AccessMode, CreateKind, DataChange, RenameMode};
        assert!(!is_write(&EventKind::Access(AccessKind::Open(
            AccessMode::Any
        ))));
        assert!(!is_write(&EventKind::Access(AccessKind::Close(
            AccessMode::Read
        ))));
        assert!(!is_write(&EventKind::Modify(ModifyKind::Metadata(
            MetadataKind::AccessTime
        ))));
        assert!(is_write(&EventKind::Modify(ModifyKind::Data(
            DataChange::Content
        ))));
        assert!(is_write(&EventKind::Modify(ModifyKind::Name(
            RenameMode::Both
        ))));
        assert!(is_write(&EventKind::Create(CreateKind::File)));
        assert!(is_write(&EventKind::Remove(notify::event::RemoveKind::Any)));
        assert!(is_write(&EventKind::Any));
    }

    #[test]
    fn only_markdown_is_rebuilt_in_part() {
        let root = Path::new("/site");
        let scope = |rel: &str| kind(rel).scope();
        assert_eq!(scope("content/a/one.md"), Scope::Markdown);
        assert_eq!(scope("content/a/_index.md"), Scope::Markdown);
        assert_eq!(scope("content/a/chart.png"), Scope::Full);
        assert_eq!(scope("content/a"), Scope::Full);
        assert_eq!(scope("static/x.css"), Scope::Full);
        assert_eq!(scope("themes/default/templates/base.html"), Scope::Full);
        assert_eq!(scope("kbgen.yaml"), Scope::Full);
        assert_eq!(scope("content/a/.one.md.swp"), Scope::Nothing);
        assert_eq!(scope("README.md"), Scope::Nothing);
        // The dictionary is configuration wherever it lives, even under content/.
        let extra = [
            PathBuf::from("/site/content/words.md"),
            PathBuf::from("/words.txt"),
        ];
        for p in &extra {
            assert_eq!(classify(root, &extra, p), ChangeKind::Config);
        }
        assert_eq!(
            classify(root, &extra, Path::new("/site/content/a/one.md")),
            ChangeKind::Markdown
        );
    }

    #[test]
    fn only_stylesheets_swap_css() {
        let css = ChangeKind::Static { css: true };
        let theme_css = ChangeKind::Theme { css: true };
        assert_eq!(reaction(&[]), None);
        assert_eq!(reaction(&[ChangeKind::Ignored]), None);
        assert_eq!(reaction(&[css, theme_css]), Some(Reaction::Css));
        assert_eq!(
            reaction(&[css, ChangeKind::Markdown]),
            Some(Reaction::Reload)
        );
        assert_eq!(
            reaction(&[ChangeKind::Static { css: false }]),
            Some(Reaction::Reload)
        );
        assert_eq!(reaction(&[ChangeKind::Config]), Some(Reaction::Reload));
        assert_eq!(
            reaction(&[ChangeKind::Theme { css: false }]),
            Some(Reaction::Reload)
        );
    }
}
