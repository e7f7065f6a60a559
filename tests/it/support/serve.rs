//! A running `kbgen serve` for tests: the real binary on a free port, killed (and its build
//! folder removed) however the test ends; plain HTTP and event-stream helpers. Waits are bounded.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

pub const WAIT: Duration = Duration::from_secs(10);

/// Kills the server however the test ends, so a failed assertion never leaves it running.
pub struct Server {
    child: Child,
    pub port: u16,
    log: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // A killed server cannot tidy up its build folder (temp dir, named by site and port).
        let suffix = format!("-{}", self.port);
        if let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.starts_with("kbgen-serve-") && name.ends_with(&suffix) {
                    let _ = std::fs::remove_dir_all(entry.path());
                }
                // And the lock beside it, which a killed server leaves.
                if name.starts_with(".kbgen-serve-")
                    && name.ends_with(&format!("{suffix}.kbgen-lock"))
                {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
    }
}

impl Server {
    pub fn start(root: &Path, log: PathBuf) -> Server {
        Server::start_with_env(root, log, &[])
    }

    /// As `start`, for a site whose first build fails: returns once the server answers (with
    /// its stand-in page, there being no build) and has reported that build.
    pub fn start_unbuilt(root: &Path, log: PathBuf) -> Server {
        let server = Server::spawn(root, log, &[]);
        server.wait_for("the server to answer and report its first build", || {
            server.try_get("/").is_some() && server.log().contains("initial build: ")
        });
        server
    }

    /// As `start`, with extra environment variables for the server (debug-build knobs such as
    /// `KBGEN_SERVE_HEADER_TIMEOUT_MS`).
    pub fn start_with_env(root: &Path, log: PathBuf, env: &[(&str, &str)]) -> Server {
        let server = Server::spawn(root, log, env);
        server.wait_for("the server to answer", || {
            server.try_get("/").is_some_and(|(status, _)| status == 200)
        });
        server
    }

    fn spawn(root: &Path, log: PathBuf, env: &[(&str, &str)]) -> Server {
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_kbgen"))
            .envs(env.iter().copied())
            .args(["serve", "--root"])
            .arg(root)
            .args(["--port", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("log file"))
            .spawn()
            .expect("starting kbgen serve");
        Server { child, port, log }
    }

    /// The folder the server builds into (in the temp dir, named by site and port).
    pub fn served_folder(&self) -> Option<PathBuf> {
        let suffix = format!("-{}", self.port);
        std::fs::read_dir(std::env::temp_dir())
            .ok()?
            .flatten()
            .find(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                name.starts_with("kbgen-serve-") && name.ends_with(&suffix)
            })
            .map(|e| e.path())
    }

    /// Sends SIGINT (what Ctrl-C sends) and waits for the process to end.
    pub fn interrupt(&mut self) -> std::process::ExitStatus {
        let sent = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .expect("running kill");
        assert!(sent.success(), "kill -INT failed");
        let start = Instant::now();
        while start.elapsed() < WAIT {
            if let Some(status) = self.child.try_wait().expect("waiting for serve") {
                return status;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("serve did not stop on SIGINT; log:\n{}", self.log());
    }

    /// The server's process id (for /proc/PID/status).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn wait_for(&self, what: &str, mut ok: impl FnMut() -> bool) {
        let start = Instant::now();
        while start.elapsed() < WAIT {
            if ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("timed out waiting for {what}; server log:\n{}", self.log());
    }

    pub fn try_get(&self, path: &str) -> Option<(u16, String)> {
        http_get(self.port, path).ok()
    }

    pub fn get(&self, path: &str) -> (u16, String) {
        self.try_get(path)
            .unwrap_or_else(|| panic!("GET {path} failed; server log:\n{}", self.log()))
    }

    /// Opens `/__kbgen/events` on its own connection; yields `(event, data)` pairs. Returns once
    /// the server has registered the stream, so edits made afterwards are seen.
    pub fn events(&self) -> Receiver<(String, String)> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .expect("timeout");
        write!(
            stream,
            "GET /__kbgen/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        )
        .expect("request");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut name = String::new();
            for line in BufReader::new(stream).lines() {
                let Ok(line) = line else { return };
                if let Some(n) = line.strip_prefix("event: ") {
                    name = n.to_string();
                } else if let Some(data) = line.strip_prefix("data: ") {
                    if tx.send((name.clone(), data.to_string())).is_err() {
                        return;
                    }
                } else if line == ": connected" && tx.send(("connected".into(), "".into())).is_err()
                {
                    return;
                }
            }
        });
        self.expect_event(&rx, "connected");
        rx
    }

    /// Waits for the event `name`, skipping others; returns its data.
    pub fn expect_event(&self, rx: &Receiver<(String, String)>, name: &str) -> String {
        let deadline = Instant::now() + WAIT;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match rx.recv_timeout(left) {
                Ok((n, data)) if n == name => return data,
                Ok(_) => {}
                Err(_) => break,
            }
        }
        panic!("no `{name}` event; server log:\n{}", self.log());
    }
}

/// Held by the serve tests that load the machine (floods, soaks, rebuild races) and by those
/// that time rebuilds against a deadline, so that on a 2-core machine they never run at once.
pub fn heavy() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// A free loopback port (bound and released: another process may take it meanwhile).
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local address").port()
}

/// A plain HTTP/1.1 GET of `path` on 127.0.0.1:`port` over a fresh connection
/// (`Connection: close`): (status, body), a chunked body decoded. For `kbgen serve` in the
/// tests and in benches/serve.rs.
pub fn http_get(port: u16, path: &str) -> Result<(u16, String), String> {
    let fail = |what: &str, e: std::io::Error| format!("{what}: {e}");
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| fail("connect", e))?;
    stream
        .set_read_timeout(Some(WAIT))
        .map_err(|e| fail("timeout", e))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| fail("send", e))?;
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .map_err(|e| fail("receive", e))?;
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("no end of headers")?;
    let head = String::from_utf8_lossy(&raw[..end]);
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or("bad status line")?;
    let chunked = head.lines().any(|l| {
        let l = l.to_ascii_lowercase();
        l.starts_with("transfer-encoding:") && l.contains("chunked")
    });
    let body = &raw[end + 4..];
    let body = if chunked {
        dechunk(body).ok_or("bad chunked body")?
    } else {
        body.to_vec()
    };
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

/// Decodes a chunked body (trailers ignored).
fn dechunk(mut raw: &[u8]) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let eol = raw.windows(2).position(|w| w == b"\r\n")?;
        let size = std::str::from_utf8(&raw[..eol]).ok()?;
        let size = usize::from_str_radix(size.split(';').next()?.trim(), 16).ok()?;
        raw = &raw[eol + 2..];
        if size == 0 {
            return Some(body);
        }
        body.extend_from_slice(raw.get(..size)?);
        raw = raw.get(size + 2..)?;
    }
}

/// Writes `text` to `root/rel`, making its folders.
pub fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(&path, text).expect("write");
}

/// An article with only a title.
pub fn article(title: &str, body: &str) -> String {
    format!("---\ntitle: {title}\n---\n\n{body}\n")
}

/// A two-article site in a temporary folder: section `a` with `one` and `two`.
pub fn small_site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    write(root, "kbgen.yaml", "title: T\n");
    write(root, "content/a/_index.md", &article("A", "Section A."));
    write(root, "content/a/one.md", &article("One", "First version."));
    write(root, "content/a/two.md", &article("Two", "Second article."));
    dir
}
