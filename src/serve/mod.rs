//! `kbgen serve`: builds into a private folder, serves it, watches the sources, rebuilds on
//! change and tells open pages to reload (or swap stylesheets, or show the build error).
//!
//! Rebuilds are incremental (`crate::session`): `change` classifies each changed path and says
//! what it asks of a rebuild and of the open pages. An article's text remakes its page, a
//! front matter edit the pages whose views changed, a theme or configuration edit everything. The
//! serve loop owns all state (the session, the open pages' channels, the last error); the HTTP
//! thread (`http`) only reads the served folder and hands new event streams to the loop over a
//! channel.

pub mod change;
pub mod http;
pub mod live;
pub mod watch;

use crate::diagnostic::Diagnostic;
use crate::session::Session;
use crate::{BuildOptions, Outcome};
use anyhow::Context as _;
use change::{ChangeKind, Reaction};
use live::LiveEvent;
use std::io::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::Duration;

/// After a change arrives, wait this long for more before rebuilding, so a burst (a save that
/// writes, renames and deletes) costs one build.
const SETTLE: Duration = Duration::from_millis(10);

/// A batch of this many site paths is a checkout or a copy in progress (an editor's save
/// touches one or two): wait longer for it to end, so it costs one build rather than
/// several of a half-changed tree.
const BURST: usize = 3;
const BURST_SETTLE: Duration = Duration::from_millis(500);

/// While the site folder is missing, look for it again this often.
const ROOT_POLL: Duration = Duration::from_millis(100);

pub struct ServeOptions {
    pub root: PathBuf,
    /// Address to listen on, e.g. `127.0.0.1`, `::1`, `0.0.0.0`.
    pub bind: String,
    /// 0 picks a free port.
    pub port: u16,
    /// Open the site in the default browser once it is built.
    pub open: bool,
}

/// What reaches the serve loop.
pub enum Msg {
    /// Paths the watcher saw change (debounced).
    Paths(Vec<PathBuf>),
    WatchError(String),
    /// A page opened its event stream.
    Client(live::Listener),
    /// Ctrl-C (or SIGTERM): remove the served folder and return.
    Stop,
}

/// The port is taken; `main` maps every serve error to exit status 2, this one included.
#[derive(Debug)]
pub struct PortInUse {
    pub addr: String,
}

impl std::fmt::Display for PortInUse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} is already in use; stop the other server or pass another --port",
            self.addr
        )
    }
}

impl std::error::Error for PortInUse {}

/// Runs until the process is interrupted. Returns only on a failure that is not the content's
/// (cannot listen, cannot watch); content errors are shown and served around, never returned.
pub fn serve(opts: ServeOptions) -> anyhow::Result<()> {
    crate::config::check_root(&opts.root)?;
    let root = opts
        .root
        .canonicalize()
        .with_context(|| format!("reading the site folder {}", opts.root.display()))?;
    let listener = listen(&opts.bind, opts.port)?;
    let addr = listener
        .local_addr()
        .context("reading the address the server listens on")?;
    let url = site_url(addr);
    // A folder left by an earlier run that was interrupted is replaced by the first build
    // (it carries kbgen's mark; anything else there is refused, never deleted).
    let served = served_folder(&root, addr.port());

    let (tx, rx) = mpsc::channel();
    let stop = tx.clone();
    let asked = std::sync::atomic::AtomicBool::new(false);
    ctrlc::set_handler(move || {
        // The loop stops after the build in progress; a second Ctrl-C does not wait for it.
        if asked.swap(true, std::sync::atomic::Ordering::SeqCst) {
            std::process::exit(130);
        }
        say("stopping (a build in progress finishes first; Ctrl-C again to stop at once)");
        let _ = stop.send(Msg::Stop);
    })
    .context("installing the Ctrl-C handler")?;
    http::start(
        listener,
        http::Context {
            served: served.clone(),
            tx: tx.clone(),
            addr,
        },
    )?;
    say(&format!(
        "serving {} at {url} (listening on {addr}; Ctrl-C to stop)",
        root.display()
    ));

    let session = Session::new(BuildOptions {
        root: root.clone(),
        output: Some(served.clone()),
        base_url: Some(url.clone()),
        live_reload: true,
        progress: std::io::IsTerminal::is_terminal(&std::io::stderr()),
        ..Default::default()
    });
    let mut state = State {
        root: root.clone(),
        session,
        clients: Vec::new(),
        last_error: None,
        shown: Default::default(),
        shown_list: None,
        has_site: false,
        watching: false,
    };
    // Watch first: an edit made during the initial build then queues a rebuild.
    let mut watcher = watch::Watcher::start(&root, tx)?;
    // Cannot write the site at all (its folder is refused, the disk is full): stop.
    state.rebuild("initial build", Reaction::Reload, &[])?;
    state.watching = true;
    watch_extra(&mut watcher, &state);
    if opts.open {
        open_browser(&url);
    }
    state.run(rx, &mut watcher);
    // Stopped: the served copy is ours alone.
    if let Err(e) = crate::output::remove_output(&served) {
        say(&format!("warning: {}", chain(&e)));
    }
    say("stopped");
    Ok(())
}

/// Also watches files the configuration names outside the watched folders (the search
/// dictionary).
fn watch_extra(watcher: &mut watch::Watcher, state: &State) {
    for f in state.session.extra_files() {
        if let Err(e) = watcher.watch_file(&f) {
            say(&format!("warning: {}", chain(&e)));
        }
    }
}

/// Everything the serve loop knows; owned by it alone.
struct State {
    root: PathBuf,
    session: Session,
    /// One channel per open page; dropped when the page's stream ends.
    clients: Vec<live::Listener>,
    /// The messages of the last failed build, until a build succeeds.
    last_error: Option<LiveEvent>,
    /// The warnings of the last good build, as printed, and the list they were printed from.
    shown: std::collections::HashSet<String>,
    shown_list: Option<std::sync::Arc<[Diagnostic]>>,
    /// Whether a build has succeeded, so there is a site to fall back on.
    has_site: bool,
    /// Past the first build: a failure that is not the content's no longer stops the server.
    watching: bool,
}

impl State {
    fn run(&mut self, rx: Receiver<Msg>, watcher: &mut watch::Watcher) {
        while let Ok(msg) = rx.recv() {
            let mut paths = match msg {
                Msg::Paths(paths) => paths,
                Msg::Stop => return,
                other => {
                    self.handle_other(other);
                    continue;
                }
            };
            // Coalesce whatever else arrives while the burst settles.
            loop {
                let site_paths = paths
                    .iter()
                    .filter(|p| change::classify_path(&self.root, p).is_relevant())
                    .take(BURST)
                    .count();
                let settle = if site_paths >= BURST {
                    BURST_SETTLE
                } else {
                    SETTLE
                };
                match rx.recv_timeout(settle) {
                    Ok(Msg::Paths(more)) => paths.extend(more),
                    Ok(Msg::Stop) => return,
                    Ok(other) => self.handle_other(other),
                    Err(RecvTimeoutError::Timeout) => break,
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            }
            if !self.root.is_dir() {
                // Removed (or replaced whole): its watches went with it.
                say(&format!(
                    "the site folder {} was removed; {} until it is back",
                    self.root.display(),
                    self.fallback()
                ));
                if !self.wait_for_root(&rx) {
                    return;
                }
                if let Err(e) = watcher.restart() {
                    say(&format!("warning: {}", chain(&e)));
                }
                if !self.settle(&rx, BURST_SETTLE) {
                    return;
                }
                let _ = self.rebuild("the site folder is back", Reaction::Reload, &[]);
                watch_extra(watcher, self);
                continue;
            }
            if let Err(e) = watcher.refresh() {
                say(&format!("warning: {}", chain(&e)));
            }
            let extra = self.session.extra_files();
            // The session classifies the same paths the same way to plan its rebuild.
            let relevant: Vec<(&PathBuf, ChangeKind)> = paths
                .iter()
                .map(|p| (p, change::classify(&self.root, &extra, p)))
                .filter(|(_, k)| k.is_relevant())
                .collect();
            let kinds: Vec<ChangeKind> = relevant.iter().map(|(_, k)| *k).collect();
            let Some(reaction) = change::reaction(&kinds) else {
                continue;
            };
            let mut names: Vec<String> = relevant
                .iter()
                .map(|(p, _)| {
                    p.strip_prefix(&self.root)
                        .unwrap_or(p)
                        .to_string_lossy()
                        .replace('\\', "/")
                })
                .collect();
            names.sort();
            names.dedup();
            let reason = match names.len() {
                1 => format!("{} changed", names[0]),
                n => format!("{} and {} more changed", names[0], n - 1),
            };
            let changed: Vec<PathBuf> = relevant.iter().map(|(p, _)| (*p).clone()).collect();
            // A failure is shown and served around; the next change tries again.
            let _ = self.rebuild(&reason, reaction, &changed);
            watch_extra(watcher, self);
        }
    }

    /// Waits for the site folder to exist again, still answering pages and Ctrl-C. False:
    /// asked to stop.
    fn wait_for_root(&mut self, rx: &Receiver<Msg>) -> bool {
        while !self.root.is_dir() {
            match rx.recv_timeout(ROOT_POLL) {
                Ok(Msg::Stop) | Err(RecvTimeoutError::Disconnected) => return false,
                Ok(Msg::Paths(_)) | Err(RecvTimeoutError::Timeout) => {}
                Ok(other) => self.handle_other(other),
            }
        }
        true
    }

    /// Drops the changes that arrive until none came for `quiet` (a full build follows).
    /// False: asked to stop.
    fn settle(&mut self, rx: &Receiver<Msg>, quiet: Duration) -> bool {
        loop {
            match rx.recv_timeout(quiet) {
                Ok(Msg::Stop) | Err(RecvTimeoutError::Disconnected) => return false,
                Ok(Msg::Paths(_)) => {}
                Ok(other) => self.handle_other(other),
                Err(RecvTimeoutError::Timeout) => return true,
            }
        }
    }

    fn handle_other(&mut self, msg: Msg) {
        match msg {
            Msg::Client(tx) => {
                // A page opened after a failed build still learns why it is stale.
                if let Some(error) = &self.last_error {
                    if tx.send(error.clone()).is_err() {
                        return;
                    }
                }
                self.clients.push(tx);
            }
            Msg::WatchError(e) => say(&format!("warning: file watcher: {e}")),
            Msg::Paths(_) | Msg::Stop => {}
        }
    }

    /// Rebuilds and tells open pages. Err only for a failure that is not the content's
    /// (already shown), so the first build can stop the server on it.
    fn rebuild(
        &mut self,
        reason: &str,
        reaction: Reaction,
        changed: &[PathBuf],
    ) -> anyhow::Result<()> {
        let result = if changed.is_empty() {
            self.session.build()
        } else {
            self.session.rebuild_pages(changed)
        };
        let event = match result {
            Ok(Outcome::Built {
                warnings, summary, ..
            }) => {
                // Open pages first; the terminal can wait a moment.
                let event = match (reaction, self.last_error.take()) {
                    // A page showing the error overlay needs a reload even for a stylesheet.
                    (Reaction::Css, None) => LiveEvent::Css,
                    _ => LiveEvent::Reload,
                };
                self.broadcast(&event);
                self.has_site = true;
                // The search files of a body edit: after the pages, before the next change.
                let search_started = std::time::Instant::now();
                let search = self.session.finish();
                // Warnings already shown stay true until fixed: show only new ones, so the
                // rebuild line is not buried under a large site's standing warnings.
                // The very list shown last time (the session hands it out again while the
                // problems stay the same) needs no comparing.
                let standing = if self
                    .shown_list
                    .as_ref()
                    .is_some_and(|l| std::sync::Arc::ptr_eq(l, &warnings))
                {
                    warnings.len()
                } else {
                    let lines: Vec<String> = warnings.iter().map(Diagnostic::to_string).collect();
                    let standing = lines.iter().filter(|l| self.shown.contains(*l)).count();
                    for l in lines.iter().filter(|l| !self.shown.contains(*l)) {
                        say(l);
                    }
                    self.shown = lines.into_iter().collect();
                    self.shown_list = Some(warnings);
                    standing
                };
                let mut line = format!("{reason}: {summary}");
                match search {
                    Ok(0) => {}
                    Ok(n) => line.push_str(&format!(
                        "; search index: {n} files in {} ms more",
                        search_started.elapsed().as_millis()
                    )),
                    Err(e) => line.push_str(&format!(
                        "; the search index could not be updated ({}): the next change rebuilds it",
                        chain(&e)
                    )),
                }
                if standing > 0 {
                    line.push_str(&format!("; {standing} earlier warnings still apply"));
                }
                say(&line);
                return Ok(());
            }
            Ok(Outcome::Failed(diags)) => {
                report(&diags);
                let n = diags.iter().filter(|d| d.is_error()).count();
                say(&format!(
                    "{reason}: build failed with {n} error{}; {}",
                    if n == 1 { "" } else { "s" },
                    self.fallback()
                ));
                let messages = diags
                    .iter()
                    .filter(|d| d.is_error())
                    .map(Diagnostic::to_string)
                    .collect();
                let error = LiveEvent::Error {
                    messages,
                    built: self.has_site,
                };
                self.last_error = Some(error.clone());
                error
            }
            Err(e) => {
                let message = format!("error: {}", chain(&e));
                // The first build's failure of this kind stops the server (main says why).
                if self.watching {
                    say(&format!("{reason}: {message}\n{}", self.fallback()));
                }
                let error = LiveEvent::Error {
                    messages: vec![message],
                    built: self.has_site,
                };
                self.last_error = Some(error.clone());
                self.broadcast(&error);
                return Err(e);
            }
        };
        self.broadcast(&event);
        Ok(())
    }

    /// What the server shows while the sources do not build.
    fn fallback(&self) -> &'static str {
        if self.has_site {
            "still serving the last good build"
        } else {
            "there is no build yet, so nothing is served: kbgen keeps watching and builds \
             the site as soon as the error is fixed"
        }
    }

    fn broadcast(&mut self, event: &LiveEvent) {
        self.clients.retain(|c| c.send(event.clone()).is_ok());
    }
}

fn listen(bind: &str, port: u16) -> anyhow::Result<std::net::TcpListener> {
    let addr = if bind.contains(':') {
        format!("[{bind}]:{port}")
    } else {
        format!("{bind}:{port}")
    };
    let listener = std::net::TcpListener::bind((bind, port)).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            anyhow::Error::new(PortInUse { addr: addr.clone() })
        } else {
            anyhow::anyhow!("cannot listen on {addr}: {e}")
        }
    })?;
    // Connections inherit this (Linux): without it Nagle holds the second response on a
    // kept-alive connection for ~40 ms, and a preview page loads its files in that rhythm.
    if let Err(e) = socket2::SockRef::from(&listener).set_tcp_nodelay(true) {
        say(&format!("warning: cannot turn off Nagle's algorithm: {e}"));
    }
    Ok(listener)
}

/// The URL pages are built for and the terminal shows. A wildcard bind is reached locally
/// through loopback.
fn site_url(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::from([127, 0, 0, 1]),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::from(std::net::Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}/", SocketAddr::new(ip, addr.port()))
}

/// A folder outside the site (so the watcher never sees our own writes and ROOT/public is left
/// alone), fixed per site and port so interrupted runs do not pile up copies.
fn served_folder(root: &Path, port: u16) -> PathBuf {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    root.hash(&mut h);
    std::env::temp_dir().join(format!("kbgen-serve-{:016x}-{port}", h.finish()))
}

fn open_browser(url: &str) {
    let mut cmd = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        std::process::Command::new("xdg-open")
    };
    let spawned = cmd
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Err(e) = spawned {
        say(&format!(
            "warning: could not open a browser ({e}); open {url}"
        ));
    }
}

fn report(diags: &[Diagnostic]) {
    let mut err = std::io::stderr().lock();
    for d in diags {
        let _ = writeln!(err, "{d}");
    }
}

/// One line to the terminal; a closed stderr is not worth stopping the server for.
fn say(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

fn chain(e: &anyhow::Error) -> String {
    e.chain()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_binds_show_loopback_urls() {
        assert_eq!(
            site_url("0.0.0.0:1111".parse().unwrap()),
            "http://127.0.0.1:1111/"
        );
        assert_eq!(site_url("[::]:8080".parse().unwrap()), "http://[::1]:8080/");
        assert_eq!(
            site_url("192.168.1.2:1111".parse().unwrap()),
            "http://192.168.1.2:1111/"
        );
    }
}
