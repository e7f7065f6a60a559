//! The only writer: builds into a temporary folder beside the output, then swaps it in, so a
//! failed build leaves the previous output exactly as it was. Nothing is written outside it.

use anyhow::{bail, Context as _};
use std::path::{Component, Path, PathBuf};

/// Names a build carries over from the previous output (besides `keep:`).
const ALWAYS_KEPT: &[&str] = &[".git", "CNAME", ".nojekyll"];

pub struct Staging {
    target: PathBuf,
    dir: PathBuf,
    done: bool,
}

impl Staging {
    /// Prepares a fresh temporary folder beside `target`. Refuses a target that holds the site's
    /// own sources (`root`), since the swap replaces the whole folder.
    pub fn begin(target: &Path, root: &Path) -> anyhow::Result<Staging> {
        let target = absolute(target)?;
        let root = absolute(root)?;
        if root.starts_with(&target) {
            bail!(
                "output folder {} contains the site itself; choose another --output",
                target.display()
            );
        }
        let parent = target
            .parent()
            .context("output folder has no parent folder")?;
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "public".into());
        let dir = parent.join(format!(".{name}.kbgen-new-{}", std::process::id()));
        if dir.exists() {
            std::fs::remove_dir_all(&dir).with_context(|| format!("removing {}", dir.display()))?;
        }
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(Staging {
            target,
            dir,
            done: false,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes `bytes` at the site path `rel`, which must stay inside the output.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> anyhow::Result<()> {
        let path = self.path_of(rel)?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))
    }

    /// Copies a file to the site path `rel`.
    pub fn copy(&self, from: &Path, rel: &str) -> anyhow::Result<()> {
        let path = self.path_of(rel)?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::copy(from, &path)
            .with_context(|| format!("copying {} to {}", from.display(), path.display()))?;
        Ok(())
    }

    pub fn exists(&self, rel: &str) -> bool {
        self.path_of(rel).map(|p| p.exists()).unwrap_or(false)
    }

    fn path_of(&self, rel: &str) -> anyhow::Result<PathBuf> {
        if !is_inside(rel) {
            bail!("refusing to write `{rel}`: it would leave the output folder");
        }
        Ok(self.dir.join(rel))
    }

    /// Swaps the new site in: carries over kept names, replaces the old folder.
    pub fn commit(mut self, keep: &[String]) -> anyhow::Result<PathBuf> {
        if self.target.is_dir() {
            for name in ALWAYS_KEPT
                .iter()
                .copied()
                .chain(keep.iter().map(String::as_str))
            {
                let old = self.target.join(name);
                let new = self.dir.join(name);
                if old.exists() && !new.exists() {
                    std::fs::rename(&old, &new)
                        .with_context(|| format!("keeping {}", old.display()))?;
                }
            }
            let trash = self.dir.with_extension("old");
            std::fs::rename(&self.target, &trash)
                .with_context(|| format!("moving {} aside", self.target.display()))?;
            if let Err(e) = std::fs::rename(&self.dir, &self.target) {
                // Put the old site back rather than leave nothing.
                let _ = std::fs::rename(&trash, &self.target);
                return Err(e)
                    .with_context(|| format!("moving the new site to {}", self.target.display()));
            }
            remove_tree(&trash).with_context(|| format!("removing {}", trash.display()))?;
        } else {
            if self.target.exists() {
                bail!("{} exists and is not a folder", self.target.display());
            }
            std::fs::rename(&self.dir, &self.target)
                .with_context(|| format!("moving the new site to {}", self.target.display()))?;
        }
        self.done = true;
        Ok(self.target.clone())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Removes a folder tree, its top-level entries in parallel (a large site's old output is
/// tens of thousands of files: removing them one by one is a visible part of a rebuild).
fn remove_tree(dir: &Path) -> std::io::Result<()> {
    use rayon::prelude::*;
    let entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.par_iter().try_for_each(|p| {
        let meta = std::fs::symlink_metadata(p)?;
        if meta.is_dir() {
            let inner: Vec<PathBuf> = std::fs::read_dir(p)?
                .map(|e| e.map(|e| e.path()))
                .collect::<Result<_, _>>()?;
            inner.par_iter().try_for_each(|q| {
                if std::fs::symlink_metadata(q)?.is_dir() {
                    std::fs::remove_dir_all(q)
                } else {
                    std::fs::remove_file(q)
                }
            })?;
            std::fs::remove_dir(p)
        } else {
            std::fs::remove_file(p)
        }
    })?;
    std::fs::remove_dir(dir)
}

/// Somewhere pages and files are written: a fresh staging folder, or the live output
/// that `serve` updates in place.
pub trait Writer: Sync {
    fn write(&self, rel: &str, bytes: &[u8]) -> anyhow::Result<()>;
    fn copy(&self, from: &Path, rel: &str) -> anyhow::Result<()>;
}

impl Writer for Staging {
    fn write(&self, rel: &str, bytes: &[u8]) -> anyhow::Result<()> {
        Staging::write(self, rel, bytes)
    }
    fn copy(&self, from: &Path, rel: &str) -> anyhow::Result<()> {
        Staging::copy(self, from, rel)
    }
}

/// A writer that remembers the names written through it (to find files a later build no
/// longer makes).
pub struct Recording<'a, W: Writer> {
    inner: &'a W,
    names: std::sync::Mutex<Vec<String>>,
}

impl<'a, W: Writer> Recording<'a, W> {
    pub fn new(inner: &'a W) -> Self {
        Recording {
            inner,
            names: Default::default(),
        }
    }

    pub fn into_names(self) -> std::collections::HashSet<String> {
        self.names
            .into_inner()
            .unwrap_or_else(|p| p.into_inner())
            .into_iter()
            .collect()
    }

    fn note(&self, rel: &str) {
        self.names
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(rel.to_string());
    }
}

impl<W: Writer> Writer for Recording<'_, W> {
    fn write(&self, rel: &str, bytes: &[u8]) -> anyhow::Result<()> {
        self.note(rel);
        self.inner.write(rel, bytes)
    }
    fn copy(&self, from: &Path, rel: &str) -> anyhow::Result<()> {
        self.note(rel);
        self.inner.copy(from, rel)
    }
}

/// The served output, updated in place: each file is replaced by a rename, so a reader
/// sees the old file or the new one, never half of one.
pub struct Live {
    dir: PathBuf,
}

impl Live {
    pub fn new(dir: &Path) -> Live {
        Live {
            dir: dir.to_path_buf(),
        }
    }

    fn path_of(&self, rel: &str) -> anyhow::Result<PathBuf> {
        if !is_inside(rel) {
            bail!("refusing to write `{rel}`: it would leave the output folder");
        }
        Ok(self.dir.join(rel))
    }

    fn replace(
        &self,
        rel: &str,
        fill: impl FnOnce(&Path) -> std::io::Result<()>,
    ) -> anyhow::Result<()> {
        let path = self.path_of(rel)?;
        let parent = path.parent().context("a file of the site has no folder")?;
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let temp = parent.join(format!(".{name}.kbgen-{}", std::process::id()));
        fill(&temp).with_context(|| format!("writing {}", temp.display()))?;
        std::fs::rename(&temp, &path).with_context(|| format!("replacing {}", path.display()))
    }

    /// Removes the file at `rel` and the folders it leaves empty.
    pub fn remove(&self, rel: &str) -> anyhow::Result<()> {
        let path = self.path_of(rel)?;
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e).with_context(|| format!("removing {}", path.display())),
        }
        let mut dir = path.parent();
        while let Some(d) = dir.filter(|d| *d != self.dir && d.starts_with(&self.dir)) {
            if std::fs::remove_dir(d).is_err() {
                break;
            }
            dir = d.parent();
        }
        Ok(())
    }
}

impl Writer for Live {
    fn write(&self, rel: &str, bytes: &[u8]) -> anyhow::Result<()> {
        self.replace(rel, |p| std::fs::write(p, bytes))
    }
    fn copy(&self, from: &Path, rel: &str) -> anyhow::Result<()> {
        self.replace(rel, |p| std::fs::copy(from, p).map(|_| ()))
    }
}

/// A relative, `/`-separated path with no `..`, no root and no drive: it stays inside.
pub fn is_inside(rel: &str) -> bool {
    !rel.is_empty()
        && !rel.contains('\\')
        && !rel.contains('\0')
        && Path::new(rel)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

fn absolute(p: &Path) -> anyhow::Result<PathBuf> {
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .context("reading the current folder")?
            .join(p)
    };
    // Resolve what exists (symlinks included) so containment checks compare real paths.
    let mut existing = abs.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.file_name(), existing.parent()) {
            (Some(n), Some(parent)) => {
                rest.push(n.to_os_string());
                existing = parent.to_path_buf();
            }
            _ => break,
        }
    }
    let mut out = existing.canonicalize().unwrap_or(existing);
    for n in rest.into_iter().rev() {
        out.push(n);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_must_stay_inside() {
        assert!(is_inside("a/b/index.html"));
        assert!(is_inside("法律/index.html"));
        assert!(!is_inside("../x"));
        assert!(!is_inside("a/../../x"));
        assert!(!is_inside("/etc/passwd"));
        assert!(!is_inside("a\\..\\x"));
        assert!(!is_inside(""));
    }
}
