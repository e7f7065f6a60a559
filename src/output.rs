//! The only writer, and the only code that deletes. A build writes into a fresh folder beside
//! the output and swaps it in whole, so a failed build leaves the previous output exactly as
//! it was. kbgen deletes only what it wrote:
//!
//! - an output that holds the site's sources (the root, `content/`, `themes/`, `static/`, a
//!   folder containing one of them or inside one of them), `/` or the home folder is refused;
//! - every output folder carries a mark (`.kbgen-output`) listing the files kbgen put there;
//!   an existing folder is replaced only when every file in it is listed (or carried over:
//!   `.git`, `CNAME`, `.nojekyll`, `keep:`), or with `--force`;
//! - one build writes to an output at a time (`Lock`), and the temporary folders of a build
//!   that was killed are found and removed by the next one.

use anyhow::{bail, Context as _};
use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Names a build carries over from the previous output (besides `keep:`).
const ALWAYS_KEPT: &[&str] = &[".git", "CNAME", ".nojekyll"];

/// The mark at the top of every output folder kbgen makes.
pub const MARK: &str = ".kbgen-output";

/// First line of the mark; the file names follow the comment lines.
const MARK_MAGIC: &str = "kbgen-output 1";

const MARK_COMMENT: &str = "\
# This folder was made by kbgen. The next build replaces the files listed below and keeps
# .git, CNAME, .nojekyll and the names under `keep:` in kbgen.yaml. It refuses to delete any
# other file (unless run with --force). Without this file, kbgen will not replace the folder.
";

/// How long a second build waits for the one writing the same output.
const LOCK_WAIT: Duration = Duration::from_secs(3);

/// How many foreign files a refusal names.
const NAMED: usize = 5;

/// Checks that `target` may be a build's output for the site at `root`, and returns it as an
/// absolute path (symbolic links resolved as far as the path exists). The sources, the file
/// system's root and the home folder are refused; so is a target that is a file.
pub fn check_target(target: &Path, root: &Path) -> anyhow::Result<PathBuf> {
    let target = absolute(target)?;
    if let Some(why) = refusal(&target, root)? {
        bail!(
            "refusing to write the site into {}: {why}, and a build replaces its output \
             folder whole. Choose another --output (the default is ROOT/public)",
            target.display()
        );
    }
    if target.exists() && !target.is_dir() {
        bail!(
            "the output {} is a file, not a folder; choose another --output",
            target.display()
        );
    }
    Ok(target)
}

/// Why `target` (absolute) may not be an output folder for the site at `root`, if it may not.
fn refusal(target: &Path, root: &Path) -> anyhow::Result<Option<String>> {
    if target.parent().is_none() {
        return Ok(Some("it is the root of the file system".into()));
    }
    if let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        let home = absolute(Path::new(&home))?;
        if home.starts_with(target) {
            return Ok(Some(if home == target {
                "it is your home folder".into()
            } else {
                format!("it contains your home folder {}", home.display())
            }));
        }
    }
    let root = absolute(root)?;
    if root.starts_with(target) {
        return Ok(Some(if root == target {
            "it is the site's own folder".into()
        } else {
            format!("it contains the site {}", root.display())
        }));
    }
    for name in ["content", "themes", "static"] {
        // Resolved: `content/` may be a symbolic link to a folder elsewhere.
        let dir = absolute(&root.join(name))?;
        if dir.starts_with(target) {
            return Ok(Some(if dir == target {
                format!("it is the site's {name}/ folder")
            } else {
                format!("it contains the site's {name}/ folder")
            }));
        }
        if target.starts_with(&dir) {
            return Ok(Some(format!("it is inside the site's {name}/ folder")));
        }
    }
    Ok(None)
}

/// The output's lock: a file beside it holding the writer's process id, locked by the OS for
/// as long as the writer runs (a killed writer's lock is released with its process).
pub struct Lock {
    path: PathBuf,
    file: std::fs::File,
}

impl Lock {
    /// Takes the lock of the output `target` (absolute), waiting briefly for another writer.
    pub fn acquire(target: &Path) -> anyhow::Result<Lock> {
        let parent = target.parent().context("the output folder has no parent")?;
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating the output's folder {}", parent.display()))?;
        let path = parent.join(format!(".{}.kbgen-lock", file_name(target)));
        let deadline = Instant::now() + LOCK_WAIT;
        loop {
            let mut file = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .with_context(|| {
                    format!(
                        "cannot write beside the output folder: creating the lock file {}",
                        path.display()
                    )
                })?;
            match file.try_lock() {
                Ok(()) => {}
                Err(std::fs::TryLockError::WouldBlock) => {
                    if Instant::now() >= deadline {
                        let holder = std::fs::read_to_string(&path).unwrap_or_default();
                        bail!(
                            "another kbgen (process {}) is writing {}; wait for it to finish, \
                             or stop it, and try again",
                            holder.trim(),
                            target.display()
                        );
                    }
                    std::thread::sleep(Duration::from_millis(50));
                    continue;
                }
                Err(std::fs::TryLockError::Error(e)) => {
                    return Err(e).with_context(|| format!("locking {}", path.display()));
                }
            }
            // The holder before us removes the file as it lets go: lock the file that is there.
            if !is_same_file(&file, &path) {
                continue;
            }
            let mut previous = String::new();
            use std::io::{Read as _, Seek as _, Write as _};
            let _ = file.read_to_string(&mut previous);
            if !previous.trim().is_empty() {
                note(&format!(
                    "taking over the lock of {} left by process {}, which is no longer running",
                    target.display(),
                    previous.trim()
                ));
            }
            file.set_len(0)
                .and_then(|()| file.rewind())
                .and_then(|()| writeln!(file, "{}", std::process::id()))
                .with_context(|| format!("writing {}", path.display()))?;
            return Ok(Lock { path, file });
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still locked, so no one locks a file that is about to vanish.
        let _ = std::fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

#[cfg(unix)]
fn is_same_file(file: &std::fs::File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.ino() == b.ino() && a.dev() == b.dev(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn is_same_file(_file: &std::fs::File, path: &Path) -> bool {
    path.exists()
}

/// A note on stderr about what the writer did on its own (a stale lock, an abandoned folder).
fn note(line: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "note: {line}");
}

/// What replacing an existing output may do.
#[derive(Debug, Clone, Default)]
pub struct Replace {
    /// Names at the top of the output that builds carry over (`keep:`).
    pub keep: Vec<String>,
    /// Replace the folder even when it holds files kbgen did not write (`--force`).
    pub force: bool,
    /// Replace a marked folder without comparing its files with the mark: `serve`'s private
    /// folder, which a killed server may leave with files its mark does not list yet.
    pub trust_mark: bool,
}

impl Replace {
    fn is_kept(&self, top: &str) -> bool {
        ALWAYS_KEPT.contains(&top) || self.keep.iter().any(|k| k == top)
    }
}

/// A build in progress: a fresh folder beside the output, swapped in by `commit`.
pub struct Staging {
    target: PathBuf,
    dir: PathBuf,
    replace: Replace,
    /// Every file written, for the mark.
    names: Mutex<Vec<String>>,
    done: bool,
}

impl Staging {
    /// Prepares a fresh folder beside `target` (checked by `check_target`, locked by `lock`).
    /// Removes what interrupted builds left there, and refuses an existing output that holds
    /// files kbgen did not write unless `replace.force`.
    pub fn begin(target: &Path, _lock: &Lock, replace: Replace) -> anyhow::Result<Staging> {
        let target = target.to_path_buf();
        let parent = target.parent().context("the output folder has no parent")?;
        let name = file_name(&target);
        sweep(parent, &name, &target)?;
        if target.is_dir() && !replace.force {
            check_replaceable(&target, &replace)?;
        }
        let dir = parent.join(format!(".{name}.kbgen-new-{}", std::process::id()));
        std::fs::create_dir(&dir).with_context(|| {
            format!(
                "cannot write beside the output folder: creating {}",
                dir.display()
            )
        })?;
        // Marked at once, so that if this build is killed the next one knows the folder.
        write_mark(&dir, &BTreeSet::new())?;
        Ok(Staging {
            target,
            dir,
            replace,
            names: Mutex::new(Vec::new()),
            done: false,
        })
    }

    /// Writes `bytes` at the site path `rel`, which must stay inside the output.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> anyhow::Result<()> {
        let path = self.path_of(rel)?;
        create_parent(&path)?;
        crate::fault::before_write()
            .and_then(|()| std::fs::write(&path, bytes))
            .with_context(|| format!("writing {}", path.display()))?;
        self.note(rel);
        Ok(())
    }

    /// Copies a file to the site path `rel`.
    pub fn copy(&self, from: &Path, rel: &str) -> anyhow::Result<()> {
        let path = self.path_of(rel)?;
        create_parent(&path)?;
        crate::fault::before_write()
            .and_then(|()| std::fs::copy(from, &path).map(|_| ()))
            .with_context(|| format!("copying {} to {}", from.display(), path.display()))?;
        self.note(rel);
        Ok(())
    }

    fn note(&self, rel: &str) {
        self.names
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(rel.to_string());
    }

    fn path_of(&self, rel: &str) -> anyhow::Result<PathBuf> {
        check_rel(rel)?;
        Ok(self.dir.join(rel))
    }

    /// Swaps the new site in: writes the mark, carries over kept names, replaces the old
    /// folder. Returns the output folder and the files written.
    pub fn commit(mut self) -> anyhow::Result<(PathBuf, BTreeSet<String>)> {
        let names: BTreeSet<String> =
            std::mem::take(&mut *self.names.lock().unwrap_or_else(|p| p.into_inner()))
                .into_iter()
                .collect();
        write_mark(&self.dir, &names)?;
        if self.target.is_dir() {
            let moved = self.carry_over()?;
            if let Err(e) = self.swap() {
                // Put the kept names back rather than lose them with the new folder.
                for name in moved.iter().rev() {
                    let _ = std::fs::rename(self.dir.join(name), self.target.join(name));
                }
                return Err(e);
            }
        } else {
            if self.target.exists() {
                bail!("{} exists and is not a folder", self.target.display());
            }
            std::fs::rename(&self.dir, &self.target)
                .with_context(|| format!("moving the new site to {}", self.target.display()))?;
        }
        self.done = true;
        Ok((self.target.clone(), names))
    }

    /// Moves the kept names of the old output into the new one; returns those moved.
    fn carry_over(&self) -> anyhow::Result<Vec<String>> {
        let mut moved = Vec::new();
        for name in ALWAYS_KEPT
            .iter()
            .copied()
            .chain(self.replace.keep.iter().map(String::as_str))
        {
            let old = self.target.join(name);
            let new = self.dir.join(name);
            if std::fs::symlink_metadata(&old).is_ok() && std::fs::symlink_metadata(&new).is_err() {
                if let Err(e) = std::fs::rename(&old, &new) {
                    for m in moved.iter().rev() {
                        let _ = std::fs::rename(self.dir.join(m), self.target.join(m));
                    }
                    return Err(e).with_context(|| format!("keeping {}", old.display()));
                }
                moved.push(name.to_string());
            }
        }
        Ok(moved)
    }

    /// Replaces the old output with the new folder. On Linux the two are exchanged in one
    /// step, so there is never a moment without an output; elsewhere the old one is moved
    /// aside first, and put back if the new one cannot take its place.
    fn swap(&self) -> anyhow::Result<()> {
        #[cfg(target_os = "linux")]
        {
            use rustix::fs::{renameat_with, RenameFlags, CWD};
            if renameat_with(CWD, &self.dir, CWD, &self.target, RenameFlags::EXCHANGE).is_ok() {
                // The old site now sits in the temporary folder's place.
                return remove_tree(&self.dir)
                    .with_context(|| format!("removing the old site from {}", self.dir.display()));
            }
        }
        let trash = self.dir.with_file_name(format!(
            ".{}.kbgen-old-{}",
            file_name(&self.target),
            std::process::id()
        ));
        std::fs::rename(&self.target, &trash)
            .with_context(|| format!("moving {} aside", self.target.display()))?;
        if let Err(e) = std::fs::rename(&self.dir, &self.target) {
            let _ = std::fs::rename(&trash, &self.target);
            return Err(e)
                .with_context(|| format!("moving the new site to {}", self.target.display()));
        }
        remove_tree(&trash).with_context(|| format!("removing {}", trash.display()))
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.done {
            let _ = remove_tree(&self.dir);
        }
    }
}

/// Under the lock no other build writes beside `target`: temporary folders of ours found
/// there were left by a build that was killed. Marked ones are removed (or, when the output
/// itself is missing after an interrupted swap, put back in its place).
fn sweep(parent: &Path, name: &str, target: &Path) -> anyhow::Result<()> {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return Ok(());
    };
    let ours = format!(".{name}.kbgen-");
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = file.strip_prefix(&ours) else {
            continue;
        };
        if rest == "lock" || !entry.path().is_dir() {
            continue;
        }
        let path = entry.path();
        if read_mark(&path)?.is_none() {
            note(&format!(
                "{} looks like a folder of an interrupted build but carries no kbgen mark; left alone",
                path.display()
            ));
            continue;
        }
        if rest.starts_with("old-") && !target.exists() {
            std::fs::rename(&path, target)
                .with_context(|| format!("putting {} back", target.display()))?;
            note(&format!(
                "put back {} from {}, left by an interrupted build",
                target.display(),
                path.display()
            ));
            continue;
        }
        remove_tree(&path).with_context(|| format!("removing {}", path.display()))?;
        note(&format!(
            "removed {}, left by an interrupted build",
            path.display()
        ));
    }
    Ok(())
}

/// Refuses to replace `target` when that would delete a file kbgen did not write.
fn check_replaceable(target: &Path, replace: &Replace) -> anyhow::Result<()> {
    let mark = read_mark(target)?;
    if mark.is_some() && replace.trust_mark {
        return Ok(());
    }
    let listed = mark.clone().unwrap_or_default();
    let foreign = foreign_files(target, &listed, replace)?;
    if foreign.is_empty() {
        return Ok(());
    }
    let shown: Vec<&str> = foreign.iter().take(NAMED).map(String::as_str).collect();
    let more = match foreign.len() - shown.len() {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    let files = format!(
        "{} file{} kbgen did not write ({}{more})",
        foreign.len(),
        if foreign.len() == 1 { "" } else { "s" },
        shown.join(", ")
    );
    if mark.is_none() {
        bail!(
            "refusing to replace {}: it holds {files} and no {MARK} mark, and a build replaces \
             the whole folder. Choose a new or empty folder with --output, or pass --force to \
             replace it (kbgen keeps .git, CNAME, .nojekyll and the names under `keep:`; \
             everything else in it is deleted)",
            target.display()
        );
    }
    bail!(
        "refusing to replace {}: kbgen made it, but it now holds {files}. Move them out, put \
         them in static/ (copied into every build) or list their top-level names under \
         `keep:` in kbgen.yaml, or pass --force to delete them",
        target.display()
    );
}

/// Files (and links) under `dir` that the mark does not list, outside the kept names.
fn foreign_files(
    dir: &Path,
    listed: &BTreeSet<String>,
    replace: &Replace,
) -> anyhow::Result<Vec<String>> {
    let mut foreign = Vec::new();
    let walker = walkdir::WalkDir::new(dir)
        .min_depth(1)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            let top = e.depth() == 1;
            !(top && (e.file_name() == MARK || replace.is_kept(&e.file_name().to_string_lossy())))
        });
    for entry in walker {
        let entry = entry.with_context(|| format!("reading {}", dir.display()))?;
        if entry.file_type().is_dir() {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(dir)
            .unwrap_or(entry.path())
            .to_string_lossy()
            .replace('\\', "/");
        if !listed.contains(&rel) {
            foreign.push(rel);
        }
    }
    Ok(foreign)
}

/// The files an output's mark lists; `None` when the folder carries no mark.
fn read_mark(dir: &Path) -> anyhow::Result<Option<BTreeSet<String>>> {
    let path = dir.join(MARK);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::InvalidData => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    let mut lines = text.lines();
    if lines.next() != Some(MARK_MAGIC) {
        return Ok(None);
    }
    Ok(Some(
        lines
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(String::from)
            .collect(),
    ))
}

fn write_mark(dir: &Path, names: &BTreeSet<String>) -> anyhow::Result<()> {
    let mut text = String::with_capacity(names.iter().map(|n| n.len() + 1).sum::<usize>() + 400);
    text.push_str(MARK_MAGIC);
    text.push('\n');
    text.push_str(MARK_COMMENT);
    for n in names {
        text.push_str(n);
        text.push('\n');
    }
    let path = dir.join(MARK);
    let temp = dir.join(format!("{MARK}.new"));
    crate::fault::before_write()
        .and_then(|()| std::fs::write(&temp, text))
        .and_then(|()| std::fs::rename(&temp, &path))
        .with_context(|| format!("writing {}", path.display()))
}

/// Removes `serve`'s private output folder when it stops, provided it carries the mark.
pub fn remove_output(dir: &Path) -> anyhow::Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    if read_mark(dir)?.is_none() {
        bail!("{} carries no kbgen mark; left in place", dir.display());
    }
    remove_tree(dir).with_context(|| format!("removing {}", dir.display()))
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
    /// Writes the file that `fill` makes as it goes (a large file made in pieces, without
    /// joining them in memory first), through a buffer: the pieces may be many and small.
    fn write_with(&self, rel: &str, fill: Fill<'_>) -> anyhow::Result<()>;
    fn copy(&self, from: &Path, rel: &str) -> anyhow::Result<()>;
}

/// What makes a file written in pieces (`Writer::write_with`).
pub type Fill<'a> = &'a mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>;

/// Creates `path` holding what `fill` writes (through a buffer).
fn write_filled(path: &Path, fill: Fill<'_>) -> std::io::Result<()> {
    let mut file = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    fill(&mut file)?;
    file.into_inner().map_err(|e| e.into_error())?;
    Ok(())
}

impl Writer for Staging {
    fn write(&self, rel: &str, bytes: &[u8]) -> anyhow::Result<()> {
        Staging::write(self, rel, bytes)
    }
    fn write_with(&self, rel: &str, fill: Fill<'_>) -> anyhow::Result<()> {
        let path = self.path_of(rel)?;
        create_parent(&path)?;
        crate::fault::before_write()
            .and_then(|()| write_filled(&path, fill))
            .with_context(|| format!("writing {}", path.display()))?;
        self.note(rel);
        Ok(())
    }
    fn copy(&self, from: &Path, rel: &str) -> anyhow::Result<()> {
        Staging::copy(self, from, rel)
    }
}

/// A writer that remembers the names written through it (to find files a later build no
/// longer makes).
pub struct Recording<'a, W: Writer> {
    inner: &'a W,
    names: Mutex<Vec<String>>,
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
    fn write_with(&self, rel: &str, fill: Fill<'_>) -> anyhow::Result<()> {
        self.note(rel);
        self.inner.write_with(rel, fill)
    }
    fn copy(&self, from: &Path, rel: &str) -> anyhow::Result<()> {
        self.note(rel);
        self.inner.copy(from, rel)
    }
}

/// The served output, updated in place: each file is replaced by a rename, so a reader
/// sees the old file or the new one, never half of one. It keeps the folder's mark up to
/// date (`save`) with the files it adds and removes.
pub struct Live {
    dir: PathBuf,
    names: Mutex<BTreeSet<String>>,
    changed: std::sync::atomic::AtomicBool,
}

impl Live {
    /// The output folder `dir` as a build committed it, holding `names`.
    pub fn new(dir: &Path, names: BTreeSet<String>) -> Live {
        Live {
            dir: dir.to_path_buf(),
            names: Mutex::new(names),
            changed: Default::default(),
        }
    }

    fn path_of(&self, rel: &str) -> anyhow::Result<PathBuf> {
        check_rel(rel)?;
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
        if let Err(e) = crate::fault::before_write().and_then(|()| fill(&temp)) {
            let _ = std::fs::remove_file(&temp);
            return Err(e).with_context(|| format!("writing {}", temp.display()));
        }
        std::fs::rename(&temp, &path).with_context(|| format!("replacing {}", path.display()))?;
        if self
            .names
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(rel.to_string())
        {
            self.changed
                .store(true, std::sync::atomic::Ordering::Relaxed);
        }
        Ok(())
    }

    /// Removes the file at `rel`, when kbgen wrote it (it is among the folder's names), and
    /// the folders it leaves empty. Any other file is left alone.
    pub fn remove(&self, rel: &str) -> anyhow::Result<()> {
        let path = self.path_of(rel)?;
        let mut names = self.names.lock().unwrap_or_else(|p| p.into_inner());
        if !names.contains(rel) {
            return Ok(());
        }
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("removing {}", path.display())),
        }
        names.remove(rel);
        drop(names);
        self.changed
            .store(true, std::sync::atomic::Ordering::Relaxed);
        let mut dir = path.parent();
        while let Some(d) = dir.filter(|d| *d != self.dir && d.starts_with(&self.dir)) {
            if std::fs::remove_dir(d).is_err() {
                break;
            }
            dir = d.parent();
        }
        Ok(())
    }

    /// Rewrites the mark when files were added or removed since it was last written.
    pub fn save(&self) -> anyhow::Result<()> {
        if !self
            .changed
            .swap(false, std::sync::atomic::Ordering::Relaxed)
        {
            return Ok(());
        }
        let names = self.names.lock().unwrap_or_else(|p| p.into_inner());
        write_mark(&self.dir, &names)
    }
}

impl Writer for Live {
    fn write(&self, rel: &str, bytes: &[u8]) -> anyhow::Result<()> {
        self.replace(rel, |p| std::fs::write(p, bytes))
    }
    fn write_with(&self, rel: &str, fill: Fill<'_>) -> anyhow::Result<()> {
        self.replace(rel, |p| write_filled(p, fill))
    }
    fn copy(&self, from: &Path, rel: &str) -> anyhow::Result<()> {
        self.replace(rel, |p| std::fs::copy(from, p).map(|_| ()))
    }
}

/// A site path may be written: it stays inside the output and is not the mark.
fn check_rel(rel: &str) -> anyhow::Result<()> {
    if !is_inside(rel) {
        bail!("refusing to write `{rel}`: it would leave the output folder");
    }
    if rel == MARK || rel.chars().any(char::is_control) {
        bail!("refusing to write `{rel}`: kbgen keeps that name for itself");
    }
    Ok(())
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

fn create_parent(path: &Path) -> anyhow::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    Ok(())
}

fn file_name(target: &Path) -> String {
    target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into())
}

/// `p` made absolute, with the symbolic links of the part that exists resolved, so
/// containment checks compare real paths.
fn absolute(p: &Path) -> anyhow::Result<PathBuf> {
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .context("reading the current folder")?
            .join(p)
    };
    let mut existing = abs.clone();
    let mut rest = Vec::new();
    while std::fs::symlink_metadata(&existing).is_err() {
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
    // `a/./b` and `a/../b` in the part that does not exist yet.
    let mut clean = PathBuf::new();
    for c in out.components() {
        match c {
            Component::ParentDir => {
                clean.pop();
            }
            Component::CurDir => {}
            other => clean.push(other),
        }
    }
    Ok(clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The served folder removes only what kbgen wrote into it: a file put there by hand
    /// under a page's name survives a `remove` of that name.
    #[test]
    fn live_removes_only_files_it_wrote() {
        let dir = tempfile::tempdir().unwrap();
        let live = Live::new(dir.path(), BTreeSet::new());
        live.write("a/index.html", b"page").unwrap();
        std::fs::create_dir_all(dir.path().join("mine")).unwrap();
        std::fs::write(dir.path().join("mine/index.html"), "a writer's file").unwrap();
        live.remove("mine/index.html").unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.path().join("mine/index.html")).unwrap(),
            "a writer's file"
        );
        live.remove("a/index.html").unwrap();
        assert!(!dir.path().join("a").exists(), "its emptied folder stays");
    }

    #[test]
    fn paths_must_stay_inside() {
        assert!(is_inside("a/b/index.html"));
        assert!(is_inside("法律/index.html"));
        assert!(!is_inside("../x"));
        assert!(!is_inside("a/../../x"));
        assert!(!is_inside("/etc/passwd"));
        assert!(!is_inside("a\\..\\x"));
        assert!(!is_inside(""));
        assert!(check_rel(MARK).is_err());
        assert!(check_rel("a/b\nc").is_err());
    }

    #[test]
    fn the_mark_lists_what_was_written() {
        let dir = tempfile::tempdir().unwrap();
        let names: BTreeSet<String> = ["index.html", "a/b/index.html"]
            .into_iter()
            .map(String::from)
            .collect();
        write_mark(dir.path(), &names).unwrap();
        assert_eq!(read_mark(dir.path()).unwrap(), Some(names.clone()));
        std::fs::create_dir_all(dir.path().join("a/b")).unwrap();
        std::fs::write(dir.path().join("a/b/index.html"), "x").unwrap();
        std::fs::write(dir.path().join("index.html"), "x").unwrap();
        std::fs::write(dir.path().join("CNAME"), "x").unwrap();
        std::fs::write(dir.path().join("a/notes.txt"), "x").unwrap();
        let foreign = foreign_files(dir.path(), &names, &Replace::default()).unwrap();
        assert_eq!(foreign, vec!["a/notes.txt".to_string()]);
    }

    #[test]
    fn sources_home_and_root_are_refused() {
        let site = tempfile::tempdir().unwrap();
        let root = site.path();
        std::fs::create_dir_all(root.join("content/a")).unwrap();
        for bad in [
            root.to_path_buf(),
            root.join("content"),
            root.join("content/a/out"),
            root.join("themes"),
            root.join("static/x"),
            root.parent().unwrap().to_path_buf(),
            PathBuf::from("/"),
            root.join("x/../content"),
        ] {
            assert!(
                refusal(&absolute(&bad).unwrap(), root).unwrap().is_some(),
                "{} should be refused",
                bad.display()
            );
        }
        for good in [root.join("public"), root.join("out/site")] {
            assert!(refusal(&absolute(&good).unwrap(), root).unwrap().is_none());
        }
    }
}
