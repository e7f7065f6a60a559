//! The file watcher: notify, debounced, over `content/`, `static/`, `themes/` and `kbgen.yaml`.
//! It only reports paths; `change` decides what they mean.

use super::{change, Msg};
use anyhow::Context as _;
use notify::RecursiveMode;
use notify_debouncer_full::{new_debouncer, DebounceEventResult, Debouncer, RecommendedCache};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::time::Duration;

/// SPEC: debounced by at most 30 ms. An editor's save (write, or write and rename) lands
/// within a millisecond or two, and the serve loop waits `SETTLE` more for the rest of a
/// burst: 10 ms, checked every 5 ms, keeps a save one event without adding to every edit's
/// latency (at 25 ms, checked every 6 ms, it was ~30 of the ~45 ms from a body edit's save
/// to its page).
const DEBOUNCE: Duration = Duration::from_millis(10);
const TICK: Duration = Duration::from_millis(5);

/// Folders watched recursively when they exist.
const FOLDERS: &[&str] = &["content", "static", "themes"];

pub struct Watcher {
    debouncer: Debouncer<notify::RecommendedWatcher, RecommendedCache>,
    root: PathBuf,
    watched: BTreeSet<PathBuf>,
    tx: Sender<Msg>,
}

impl Watcher {
    /// Starts watching `root` (canonical). Paths of every debounced event go to `tx`.
    pub fn start(root: &Path, tx: Sender<Msg>) -> anyhow::Result<Watcher> {
        let events = tx.clone();
        let debouncer = new_debouncer(DEBOUNCE, Some(TICK), move |result: DebounceEventResult| {
            let msg = match result {
                Ok(events) => Msg::Paths(
                    events
                        .into_iter()
                        .filter(|e| change::is_write(&e.event.kind))
                        .flat_map(|e| e.event.paths)
                        .collect::<Vec<_>>(),
                ),
                Err(errors) => Msg::WatchError(
                    errors
                        .iter()
                        .map(|e| e.to_string())
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
            };
            // The serve loop has gone: nothing left to tell.
            let _ = events.send(msg);
        })
        .context("starting the file watcher")?;
        let mut watcher = Watcher {
            debouncer,
            root: root.to_path_buf(),
            watched: BTreeSet::new(),
            tx,
        };
        // The root itself, not recursively: sees kbgen.yaml however an editor saves it (an
        // atomic rename replaces the file a direct watch would follow) and the watched
        // folders appearing, without descending into public/ or target/.
        watcher
            .debouncer
            .watch(root, RecursiveMode::NonRecursive)
            .with_context(|| format!("watching {}", root.display()))?;
        watcher.refresh()?;
        Ok(watcher)
    }

    /// Starts over on the same root: after the root folder was removed and made again, the
    /// OS has dropped every watch on the old one.
    pub fn restart(&mut self) -> anyhow::Result<()> {
        *self = Watcher::start(&self.root, self.tx.clone())?;
        Ok(())
    }

    /// Watches the folder of a file outside the watched folders (not recursively), so every
    /// way an editor saves it is seen.
    pub fn watch_file(&mut self, file: &Path) -> anyhow::Result<()> {
        let Some(dir) = file.parent() else {
            return Ok(());
        };
        let dir = dir.to_path_buf();
        let covered =
            dir == self.root || FOLDERS.iter().any(|f| dir.starts_with(self.root.join(f)));
        if covered || self.watched.contains(&dir) || !dir.is_dir() {
            return Ok(());
        }
        self.debouncer
            .watch(&dir, RecursiveMode::NonRecursive)
            .with_context(|| format!("watching {}", dir.display()))?;
        self.watched.insert(dir);
        Ok(())
    }

    /// Watches folders that appeared since the last call and forgets those that vanished.
    pub fn refresh(&mut self) -> anyhow::Result<()> {
        for name in FOLDERS {
            let dir = self.root.join(name);
            let is_watched = self.watched.contains(&dir);
            if dir.is_dir() && !is_watched {
                self.debouncer
                    .watch(&dir, RecursiveMode::Recursive)
                    .with_context(|| format!("watching {}", dir.display()))?;
                self.watched.insert(dir);
            } else if !dir.is_dir() && is_watched {
                // The OS dropped the watch with the folder; this only tidies up.
                let _ = self.debouncer.unwatch(&dir);
                self.watched.remove(&dir);
            }
        }
        Ok(())
    }
}
