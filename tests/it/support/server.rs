//! A plain static file server for tests: no compression, no caching headers,
//! on 127.0.0.1 with a free port, the way SPEC "Search → how it is measured"
//! asks. Only files inside the root are served. hyper on a tokio runtime of its own thread
//! (the crates kbgen's preview server uses): every connection is a task, kept alive as a host
//! keeps it, and a client that goes away mid-answer costs nothing.

use std::convert::Infallible;
use std::fs;
use std::future::Future as _;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::thread::JoinHandle;

use bytes::Bytes;
use hyper::body::{Frame, Incoming, SizeHint};
use hyper::{Method, Request, Response, StatusCode};

/// One request the server answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Served {
    /// The request target as sent, query included (`/search/?q=x`).
    pub url: String,
    pub status: u16,
    /// Body bytes sent (headers not counted).
    pub bytes: u64,
}

/// A running server; stops (and joins its thread) on drop.
pub struct StaticServer {
    addr: SocketAddr,
    state: Arc<State>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

struct State {
    root: PathBuf,
    bytes: AtomicU64,
    log: Mutex<Vec<Served>>,
}

impl StaticServer {
    /// Serves `root` on `127.0.0.1:<free port>`. Panics if it cannot bind.
    #[track_caller]
    pub fn start(root: &Path) -> StaticServer {
        let root = root
            .canonicalize()
            .unwrap_or_else(|e| panic!("StaticServer: root {}: {e}", root.display()));
        let listener = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap_or_else(|e| panic!("StaticServer: cannot bind 127.0.0.1:0: {e}"));
        let addr = listener.local_addr().expect("StaticServer: local address");
        listener
            .set_nonblocking(true)
            .expect("StaticServer: non-blocking listener");
        let state = Arc::new(State {
            root,
            bytes: AtomicU64::new(0),
            log: Mutex::new(Vec::new()),
        });
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("StaticServer: tokio runtime");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let serving = Arc::clone(&state);
        let thread = std::thread::spawn(move || {
            runtime.block_on(async move {
                let listener =
                    tokio::net::TcpListener::from_std(listener).expect("StaticServer: listener");
                let mut stopped = std::pin::pin!(stopped);
                loop {
                    // Whichever comes first: a connection, or the signal to stop.
                    let accepted = std::future::poll_fn(|cx| {
                        if stopped.as_mut().poll(cx).is_ready() {
                            return Poll::Ready(None);
                        }
                        listener.poll_accept(cx).map(Some)
                    })
                    .await;
                    let Some(accepted) = accepted else { return };
                    // A failed accept is not the end of the server.
                    let Ok((stream, _)) = accepted else { continue };
                    let state = Arc::clone(&serving);
                    tokio::spawn(async move {
                        let service = hyper::service::service_fn(move |req| {
                            let state = Arc::clone(&state);
                            async move { Ok::<_, Infallible>(respond(&state, &req)) }
                        });
                        // The client may go away; that is its business.
                        let _ = hyper::server::conn::http1::Builder::new()
                            .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                            .await;
                    });
                }
            });
        });
        StaticServer {
            addr,
            state,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT` followed by `path` (which should start with `/`;
    /// it is used as given, so percent-encode it yourself if needed).
    pub fn url(&self, path: &str) -> String {
        let slash = if path.starts_with('/') { "" } else { "/" };
        format!("http://{}{slash}{path}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn root(&self) -> &Path {
        &self.state.root
    }

    /// Body bytes served since start (or the last `reset_log`).
    pub fn bytes_served(&self) -> u64 {
        self.state.bytes.load(Ordering::SeqCst)
    }

    /// Every request answered since start (or the last `reset_log`), in order.
    pub fn requests(&self) -> Vec<Served> {
        self.state
            .log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub fn reset_log(&self) {
        let mut log = self
            .state
            .log
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        log.clear();
        self.state.bytes.store(0, Ordering::SeqCst);
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// What a request path maps to.
#[derive(Debug, PartialEq, Eq)]
enum Target {
    File(PathBuf),
    /// A folder asked for without the trailing slash: redirect, as nginx,
    /// GitHub Pages and `python -m http.server` do, so relative links resolve.
    AddSlash,
    NotFound,
    Forbidden,
    BadRequest,
}

/// Maps the path part of a request target to a file under `root`
/// (already canonical). Pure apart from reading file metadata.
fn resolve(root: &Path, url_path: &str) -> Target {
    let Ok(decoded) = percent_encoding::percent_decode_str(url_path).decode_utf8() else {
        return Target::BadRequest;
    };
    if !decoded.starts_with('/') {
        return Target::BadRequest;
    }
    let mut path = root.to_path_buf();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => return Target::Forbidden,
            s if s.contains(['\\', '\0']) || Path::new(s).is_absolute() => {
                return Target::Forbidden
            }
            s => path.push(s),
        }
    }
    if path.is_dir() {
        if !decoded.ends_with('/') {
            return Target::AddSlash;
        }
        path.push("index.html");
    }
    if !path.is_file() {
        return Target::NotFound;
    }
    // A symlink inside the root must not lead outside it.
    match path.canonicalize() {
        Ok(real) if real.starts_with(root) => Target::File(real),
        Ok(_) => Target::Forbidden,
        Err(_) => Target::NotFound,
    }
}

/// The Content-Type for a file name, by extension.
pub fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("html" | "htm") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("json" | "map") => "application/json",
        Some("xml") => "application/xml",
        Some("txt") => "text/plain; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        Some("woff") => "font/woff",
        Some("pdf") => "application/pdf",
        Some("wasm") => "application/wasm",
        _ => "application/octet-stream",
    }
}

/// A whole response body in one frame.
struct Whole(Option<Bytes>);

impl hyper::body::Body for Whole {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(self.get_mut().0.take().map(|b| Ok(Frame::data(b))))
    }

    fn is_end_stream(&self) -> bool {
        self.0.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.0.as_ref().map_or(0, |b| b.len() as u64))
    }
}

fn respond(state: &State, request: &Request<Incoming>) -> Response<Whole> {
    let url = request.uri().path_and_query().map_or_else(
        || request.uri().path().to_string(),
        |p| p.as_str().to_string(),
    );
    let path = url.split(['?', '#']).next().unwrap_or("");
    let head = request.method() == Method::HEAD;
    let (status, body, ctype, location) =
        if !matches!(*request.method(), Method::GET | Method::HEAD) {
            (
                405,
                b"method not allowed\n".to_vec(),
                "text/plain; charset=utf-8",
                None,
            )
        } else {
            match resolve(&state.root, path) {
                Target::File(file) => match fs::read(&file) {
                    Ok(bytes) => (200, bytes, content_type(&file), None),
                    Err(_) => (
                        403,
                        b"unreadable\n".to_vec(),
                        "text/plain; charset=utf-8",
                        None,
                    ),
                },
                Target::AddSlash => {
                    let query = &url[path.len()..];
                    let to = format!("{path}/{query}");
                    (301, Vec::new(), "text/plain; charset=utf-8", Some(to))
                }
                Target::NotFound => match fs::read(state.root.join("404.html")) {
                    Ok(bytes) => (404, bytes, "text/html; charset=utf-8", None),
                    Err(_) => (
                        404,
                        b"not found\n".to_vec(),
                        "text/plain; charset=utf-8",
                        None,
                    ),
                },
                Target::Forbidden => (
                    403,
                    b"forbidden\n".to_vec(),
                    "text/plain; charset=utf-8",
                    None,
                ),
                Target::BadRequest => (
                    400,
                    b"bad request\n".to_vec(),
                    "text/plain; charset=utf-8",
                    None,
                ),
            }
        };
    let sent = if head { 0 } else { body.len() as u64 };
    state.bytes.fetch_add(sent, Ordering::SeqCst);
    state
        .log
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(Served {
            url,
            status,
            bytes: sent,
        });
    let length = body.len();
    let mut response = Response::builder()
        .status(StatusCode::from_u16(status).expect("a valid status"))
        .header("Content-Type", ctype)
        .header("Content-Length", length);
    if let Some(to) = location {
        response = response.header("Location", to);
    }
    let body = if head { None } else { Some(Bytes::from(body)) };
    response.body(Whole(body)).expect("a valid response")
}

/// Sends `GET raw_target` over a fresh connection exactly as written (no
/// normalisation, unlike any HTTP client) and returns (status, headers, body).
/// For tests of the server itself.
pub fn raw_get(addr: SocketAddr, raw_target: &str) -> (u16, String, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).expect("connect to StaticServer");
    write!(
        stream,
        "GET {raw_target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("send request");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read response");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("response has a header block");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let body = raw[split + 4..].to_vec();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status line");
    (status, head, body)
}

fn header_value<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|line| {
        let (k, v) = line.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

fn sample_site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let site = dir.path().join("site");
    let write = |rel: &str, text: &str| {
        let path = site.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    };
    write("index.html", "<p>home</p>");
    write("404.html", "<p>custom 404</p>");
    write("app.js", "console.log(1)");
    write("index.json", "{}");
    write("flow.svg", "<svg/>");
    write("legal-basis/民法典/index.html", "<p>民法典</p>");
    fs::write(dir.path().join("secret.txt"), "outside the root").unwrap();
    dir
}

#[test]
fn server_serves_files_folders_and_unicode_paths() {
    let dir = sample_site();
    let server = StaticServer::start(&dir.path().join("site"));

    let (status, head, body) = raw_get(server.addr(), "/");
    assert_eq!((status, body.as_slice()), (200, &b"<p>home</p>"[..]));
    assert_eq!(
        header_value(&head, "content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(header_value(&head, "content-encoding"), None);

    let (status, _, body) = raw_get(
        server.addr(),
        "/legal-basis/%E6%B0%91%E6%B3%95%E5%85%B8/?q=1",
    );
    assert_eq!(status, 200);
    assert_eq!(String::from_utf8(body).unwrap(), "<p>民法典</p>");

    for (path, ctype) in [
        ("/app.js", "text/javascript; charset=utf-8"),
        ("/index.json", "application/json"),
        ("/flow.svg", "image/svg+xml"),
    ] {
        let (status, head, _) = raw_get(server.addr(), path);
        assert_eq!(status, 200, "{path}");
        assert_eq!(header_value(&head, "content-type"), Some(ctype), "{path}");
    }

    let (status, head, _) = raw_get(server.addr(), "/legal-basis?x=1");
    assert_eq!(status, 301);
    assert_eq!(header_value(&head, "location"), Some("/legal-basis/?x=1"));

    let (status, _, body) = raw_get(server.addr(), "/missing/page/");
    assert_eq!((status, body.as_slice()), (404, &b"<p>custom 404</p>"[..]));

    assert!(server.requests().iter().any(|r| r.url == "/app.js"));
    assert!(server.bytes_served() > 0);
}

#[test]
fn server_refuses_paths_that_escape_the_root() {
    let dir = sample_site();
    let root = dir.path().join("site").canonicalize().unwrap();
    for path in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/a/../../secret.txt",
    ] {
        assert_eq!(resolve(&root, path), Target::Forbidden, "{path}");
    }
    let server = StaticServer::start(&root);
    for target in [
        "/../secret.txt",
        "/legal-basis/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/..%5csecret.txt",
    ] {
        let (status, _, body) = raw_get(server.addr(), target);
        assert_ne!(status, 200, "{target} was served");
        assert!(
            !String::from_utf8_lossy(&body).contains("outside the root"),
            "{target} leaked a file outside the root"
        );
    }
}
