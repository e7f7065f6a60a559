//! HTTP: the preview server's listener, connections and answers. Maps request paths to files
//! inside the served folder (never outside, never its dot-files), serves the live-reload
//! endpoints, and keeps hostile clients bounded: a cap on connections and on event streams
//! (503 beyond it), a deadline for a request's head, a size limit on it (414, 431), and a
//! `Host` check against DNS rebinding while bound to loopback.
//!
//! hyper 1 (HTTP/1.1 parsing, keep-alive, the 400/414/431 answers and the header deadline)
//! on a small tokio runtime of its own thread; hyper and tokio stay in this module and
//! `live.rs`. The serve loop is reached only through `Msg` on a std channel.

use super::live;
use super::Msg;
use anyhow::Context as _;
use bytes::Bytes;
use hyper::body::{Frame, Incoming, SizeHint};
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use std::convert::Infallible;
use std::future::Future;
use std::io::Read as _;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::Sender;
use std::sync::Arc;
use std::task::{ready, Context as TaskContext, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::Semaphore;

/// Open connections at once (event streams included). One developer's browsers open a few
/// dozen; beyond this a new connection is answered 503 and closed, so a flood of sockets
/// costs a bounded amount of memory and file descriptors.
pub const MAX_CONNECTIONS: usize = 1024;

/// Live-reload event streams at once (one per open preview tab). Beyond it `/__kbgen/events`
/// answers 503; a browser opens at most six HTTP/1.1 connections to one host anyway.
pub const MAX_LIVE_STREAMS: usize = 64;

/// A client must send a whole request head within this long of the connection opening or of
/// the previous response (hyper's header read timeout); a stalled or trickling head, or an
/// idle kept-alive connection, is closed after it. Debug builds read
/// `KBGEN_SERVE_HEADER_TIMEOUT_MS` instead, so tests need not wait this long.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// A connection on which no byte moved either way for this long is dropped: a client that
/// stops reading a large response holds its slot no longer. Longer than the event streams'
/// keep-alive, which writes every 15 s.
const STALL_TIMEOUT: Duration = Duration::from_secs(60);

/// The largest request head (request line and headers) hyper buffers; beyond it the answer
/// is 431. Room for a request line past hyper's own 64 KiB URI limit, so that an overlong
/// target is answered 414 rather than 431.
const MAX_HEAD_BYTES: usize = 128 * 1024;

/// More header lines than this are answered 431 (browsers send about 20).
const MAX_HEADERS: usize = 64;

/// A request target (path and query) longer than this is answered 414; the site's longest
/// URLs, percent-encoded Chinese slugs, are far shorter.
const MAX_TARGET: usize = 16 * 1024;

/// Files up to this size are read whole in one blocking step; larger ones are sent in chunks
/// of `CHUNK`, so a large download never sits in memory whole.
const WHOLE_FILE: u64 = 256 * 1024;
const CHUNK: usize = 64 * 1024;

/// Threads that open and read files, so a slow disk never stalls the connection thread.
const FILE_THREADS: usize = 4;

/// Refused connections (beyond `MAX_CONNECTIONS`) being answered 503 at once; past this a
/// new connection is simply closed.
const MAX_REFUSING: usize = 64;

/// How long a refused connection gets to read its 503 before it is closed.
const REFUSE_LINGER: Duration = Duration::from_secs(1);

/// After a failed accept (out of file descriptors), wait this long before the next, rather
/// than spin.
const ACCEPT_PAUSE: Duration = Duration::from_millis(50);

/// What must be escaped in a path segment of a `Location` header (non-ASCII too).
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'?')
    .add(b'<')
    .add(b'>')
    .add(b'`');

/// What the connections share: fixed for the life of the server.
pub struct Context {
    /// The folder builds are swapped into.
    pub served: PathBuf,
    pub tx: Sender<Msg>,
    /// The address listened on: a loopback one turns the `Host` check on.
    pub addr: SocketAddr,
}

/// Everything a connection task reads.
struct Shared {
    ctx: Context,
    connections: Arc<Semaphore>,
    streams: Arc<Semaphore>,
    refusing: Arc<Semaphore>,
    header_timeout: Duration,
    /// The clock connections measure their last activity against.
    epoch: Instant,
}

/// Starts serving `listener` on a thread of its own; runs until the process ends.
pub fn start(listener: std::net::TcpListener, ctx: Context) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .max_blocking_threads(FILE_THREADS)
        .thread_name("kbgen-http")
        .build()
        .context("starting the HTTP runtime")?;
    listener
        .set_nonblocking(true)
        .context("setting the listener non-blocking")?;
    let listener = {
        let _guard = runtime.enter();
        tokio::net::TcpListener::from_std(listener).context("registering the listener")?
    };
    let shared = Arc::new(Shared {
        ctx,
        connections: Arc::new(Semaphore::new(MAX_CONNECTIONS)),
        streams: Arc::new(Semaphore::new(MAX_LIVE_STREAMS)),
        refusing: Arc::new(Semaphore::new(MAX_REFUSING)),
        header_timeout: header_timeout(),
        epoch: Instant::now(),
    });
    std::thread::Builder::new()
        .name("kbgen-http".into())
        .spawn(move || runtime.block_on(accept_loop(listener, shared)))
        .context("starting the HTTP thread")?;
    Ok(())
}

fn header_timeout() -> Duration {
    #[cfg(debug_assertions)]
    if let Some(ms) = std::env::var("KBGEN_SERVE_HEADER_TIMEOUT_MS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        return Duration::from_millis(ms);
    }
    HEADER_TIMEOUT
}

async fn accept_loop(listener: tokio::net::TcpListener, shared: Arc<Shared>) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(_) => {
                // Out of file descriptors, or a connection reset before it was accepted.
                tokio::time::sleep(ACCEPT_PAUSE).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        match Arc::clone(&shared.connections).try_acquire_owned() {
            Ok(permit) => {
                let shared = Arc::clone(&shared);
                tokio::spawn(async move {
                    serve_connection(stream, &shared).await;
                    drop(permit);
                });
            }
            Err(_) => {
                if let Ok(permit) = Arc::clone(&shared.refusing).try_acquire_owned() {
                    tokio::spawn(async move {
                        refuse(stream).await;
                        drop(permit);
                    });
                }
                // Else dropped here: closed without an answer.
            }
        }
    }
}

/// Answers a connection beyond the cap with 503 and closes it, reading what the client sent
/// meanwhile so the close does not reset the connection before the answer is read.
async fn refuse(stream: tokio::net::TcpStream) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    const BUSY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 38\r\nRetry-After: 1\r\nConnection: close\r\n\r\ntoo many connections; try again soon\r\n";
    let mut stream = stream;
    let _ = tokio::time::timeout(REFUSE_LINGER, async {
        stream.write_all(BUSY).await?;
        stream.shutdown().await?;
        let mut sink = [0u8; 4096];
        while stream.read(&mut sink).await? > 0 {}
        Ok::<(), std::io::Error>(())
    })
    .await;
}

async fn serve_connection(stream: tokio::net::TcpStream, shared: &Arc<Shared>) {
    let activity = Arc::new(AtomicU64::new(shared.elapsed_ms()));
    let io = hyper_util::rt::TokioIo::new(Watched {
        inner: stream,
        activity: Arc::clone(&activity),
        epoch: shared.epoch,
    });
    let service_shared = Arc::clone(shared);
    let service = hyper::service::service_fn(move |req| {
        let shared = Arc::clone(&service_shared);
        async move { Ok::<_, Infallible>(respond(req, &shared).await) }
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(shared.header_timeout)
        .max_buf_size(MAX_HEAD_BYTES)
        .max_headers(MAX_HEADERS)
        .serve_connection(io, service);
    let stalled = stalled(activity, shared.epoch);
    let mut conn = std::pin::pin!(conn);
    let mut stalled = std::pin::pin!(stalled);
    // Whichever ends first: the connection (closed, or failed), or its stall watch.
    std::future::poll_fn(|cx| {
        if conn.as_mut().poll(cx).is_ready() || stalled.as_mut().poll(cx).is_ready() {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await;
}

impl Shared {
    fn elapsed_ms(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }
}

/// Resolves once no byte moved on the connection for `STALL_TIMEOUT`.
async fn stalled(activity: Arc<AtomicU64>, epoch: Instant) {
    loop {
        let last = Duration::from_millis(activity.load(Ordering::Relaxed));
        let idle = epoch.elapsed().saturating_sub(last);
        if idle >= STALL_TIMEOUT {
            return;
        }
        tokio::time::sleep(STALL_TIMEOUT - idle).await;
    }
}

/// A socket that notes when a byte last moved either way.
struct Watched {
    inner: tokio::net::TcpStream,
    activity: Arc<AtomicU64>,
    epoch: Instant,
}

impl Watched {
    fn touch(&self) {
        self.activity
            .store(self.epoch.elapsed().as_millis() as u64, Ordering::Relaxed);
    }
}

impl AsyncRead for Watched {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        ready!(Pin::new(&mut this.inner).poll_read(cx, buf))?;
        if buf.filled().len() > before {
            this.touch();
        }
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let n = ready!(Pin::new(&mut this.inner).poll_write(cx, data))?;
        if n > 0 {
            this.touch();
        }
        Poll::Ready(Ok(n))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let n = ready!(Pin::new(&mut this.inner).poll_write_vectored(cx, bufs))?;
        if n > 0 {
            this.touch();
        }
        Poll::Ready(Ok(n))
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

/// A response body: bytes in memory, a large file in chunks, or an event stream.
pub enum Body {
    Whole(Option<Bytes>),
    File(FileChunks),
    Live(live::Stream),
}

impl hyper::body::Body for Body {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        match self.get_mut() {
            Body::Whole(bytes) => Poll::Ready(bytes.take().map(|b| Ok(Frame::data(b)))),
            Body::File(file) => file
                .poll_chunk(cx)
                .map(|chunk| chunk.map(|r| r.map(Frame::data))),
            Body::Live(stream) => stream
                .poll_next(cx)
                .map(|text| text.map(|b| Ok(Frame::data(b)))),
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            Body::Whole(bytes) => bytes.is_none(),
            Body::File(file) => file.left == 0,
            Body::Live(_) => false,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Body::Whole(bytes) => {
                SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64))
            }
            Body::File(file) => SizeHint::with_exact(file.left),
            Body::Live(_) => SizeHint::default(),
        }
    }
}

/// An open file sent in chunks. The file was opened before the response began, so a rebuild
/// that replaces it (by a rename) leaves this copy whole.
pub struct FileChunks {
    file: tokio::fs::File,
    left: u64,
    buf: Vec<u8>,
}

impl FileChunks {
    fn poll_chunk(&mut self, cx: &mut TaskContext<'_>) -> Poll<Option<std::io::Result<Bytes>>> {
        if self.left == 0 {
            return Poll::Ready(None);
        }
        let want = self.left.min(CHUNK as u64) as usize;
        self.buf.resize(want, 0);
        let mut rb = ReadBuf::new(&mut self.buf[..want]);
        if let Err(e) = ready!(Pin::new(&mut self.file).poll_read(cx, &mut rb)) {
            return Poll::Ready(Some(Err(e)));
        }
        let n = rb.filled().len();
        if n == 0 {
            // Shorter than its length said: end the response as failed, not as whole.
            return Poll::Ready(Some(Err(std::io::ErrorKind::UnexpectedEof.into())));
        }
        self.left -= n as u64;
        Poll::Ready(Some(Ok(Bytes::copy_from_slice(rb.filled()))))
    }
}

async fn respond(req: Request<Incoming>, shared: &Shared) -> Response<Body> {
    let ctx = &shared.ctx;
    if ctx.addr.ip().is_loopback() && !has_local_host(&req, ctx.addr) {
        // DNS rebinding: a page of another site whose name now points at 127.0.0.1.
        return text(
            StatusCode::FORBIDDEN,
            "this server answers only to its own address\n",
        );
    }
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        let mut response = text(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n");
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    let target = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if target > MAX_TARGET {
        return text(StatusCode::URI_TOO_LONG, "request path too long\n");
    }
    let raw_path = req.uri().path();
    match raw_path {
        "/__kbgen/live.js" => {
            let mut response = whole(StatusCode::OK, Bytes::from_static(live::SCRIPT.as_bytes()));
            let h = response.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/javascript; charset=utf-8"),
            );
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            return response;
        }
        "/__kbgen/events" => return open_stream(shared),
        _ => {}
    }
    let Ok(site_path) = parse_site_path(raw_path) else {
        return text(StatusCode::BAD_REQUEST, "bad request path\n");
    };
    let served = ctx.served.clone();
    match tokio::task::spawn_blocking(move || load(&served, &site_path)).await {
        Ok(loaded) => loaded.into_response(),
        Err(_) => text(StatusCode::INTERNAL_SERVER_ERROR, "internal error\n"),
    }
}

/// Registers a new event stream with the serve loop, within the cap.
fn open_stream(shared: &Shared) -> Response<Body> {
    let Ok(slot) = Arc::clone(&shared.streams).try_acquire_owned() else {
        let mut response = text(
            StatusCode::SERVICE_UNAVAILABLE,
            "too many live-reload streams; close some preview tabs\n",
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        return response;
    };
    let (listener, stream) = live::channel(slot);
    // Registered before the stream says `connected`, so edits after that are seen.
    if shared.ctx.tx.send(Msg::Client(listener)).is_err() {
        return text(StatusCode::SERVICE_UNAVAILABLE, "stopping\n");
    }
    let mut response = Response::new(Body::Live(stream));
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// Whether the request names this server by a local name: `localhost` (or a name under
/// it, which browsers resolve to loopback themselves), a loopback address or the bound one.
/// A request without `Host` passes: browsers always send one, so it is no rebinding attack.
fn has_local_host(req: &Request<Incoming>, addr: SocketAddr) -> bool {
    if let Some(authority) = req.uri().authority() {
        if !is_local_host(authority.as_str(), addr) {
            return false;
        }
    }
    req.headers()
        .get_all(header::HOST)
        .iter()
        .all(|h| h.to_str().is_ok_and(|h| is_local_host(h, addr)))
}

pub fn is_local_host(host: &str, addr: SocketAddr) -> bool {
    let is_port = |p: &str| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit());
    let ip_or_name = if let Some(rest) = host.strip_prefix('[') {
        let Some((ip, after)) = rest.split_once(']') else {
            return false;
        };
        if !(after.is_empty() || after.strip_prefix(':').is_some_and(is_port)) {
            return false;
        }
        return ip
            .parse::<std::net::Ipv6Addr>()
            .is_ok_and(|ip| ip.is_loopback() || IpAddr::V6(ip) == addr.ip());
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) if is_port(port) => name,
            Some(_) => return false,
            None => host,
        }
    };
    let lower = ip_or_name.to_ascii_lowercase();
    if lower == "localhost" || lower.ends_with(".localhost") {
        return true;
    }
    lower
        .parse::<IpAddr>()
        .is_ok_and(|ip| ip.is_loopback() || ip == addr.ip())
}

/// What a request path came to, found off the connection thread.
enum Loaded {
    File {
        status: StatusCode,
        content_type: &'static str,
        content: Content,
    },
    Redirect(String),
    /// No 404 page: nothing has been built yet.
    StandIn,
}

enum Content {
    Whole(Vec<u8>),
    Large(std::fs::File, u64),
}

fn load(served: &Path, site_path: &SitePath) -> Loaded {
    match resolve(served, site_path) {
        Resolved::File(path) => open(&path, StatusCode::OK).unwrap_or_else(|| not_found(served)),
        Resolved::Redirect => {
            // Built from the decoded segments, so `//host` can never become an off-site redirect.
            let location: String = site_path
                .segments
                .iter()
                .map(|s| format!("/{}", utf8_percent_encode(s, SEGMENT)))
                .collect();
            Loaded::Redirect(format!("{location}/"))
        }
        Resolved::Missing => not_found(served),
    }
}

/// The file, read whole if small. None: it went away (a rebuild swapped the folder).
fn open(path: &Path, status: StatusCode) -> Option<Loaded> {
    let mut file = std::fs::File::open(path).ok()?;
    let len = file.metadata().ok()?.len();
    let content = if len <= WHOLE_FILE {
        let mut bytes = Vec::with_capacity(len as usize);
        file.read_to_end(&mut bytes).ok()?;
        Content::Whole(bytes)
    } else {
        Content::Large(file, len)
    };
    Some(Loaded::File {
        status,
        content_type: content_type(path),
        content,
    })
}

/// The site's own 404 page, or a stand-in when no build has succeeded yet.
fn not_found(served: &Path) -> Loaded {
    let page = served.join("404.html");
    if page.is_file() {
        if let Some(loaded) = open(&page, StatusCode::NOT_FOUND) {
            return loaded;
        }
    }
    Loaded::StandIn
}

impl Loaded {
    fn into_response(self) -> Response<Body> {
        match self {
            Loaded::File {
                status,
                content_type,
                content,
            } => {
                let mut response = match content {
                    Content::Whole(bytes) => whole(status, Bytes::from(bytes)),
                    Content::Large(file, len) => {
                        let mut r = Response::new(Body::File(FileChunks {
                            file: tokio::fs::File::from_std(file),
                            left: len,
                            buf: Vec::new(),
                        }));
                        *r.status_mut() = status;
                        r
                    }
                };
                let h = response.headers_mut();
                h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
                h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
                h.insert(
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                );
                response
            }
            Loaded::Redirect(location) => {
                let mut response = whole(StatusCode::MOVED_PERMANENTLY, Bytes::new());
                let h = response.headers_mut();
                // Percent-encoded above: ASCII only.
                if let Ok(v) = HeaderValue::from_str(&location) {
                    h.insert(header::LOCATION, v);
                }
                h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                response
            }
            // With the live script, so an error overlay and the reload after a fix still reach
            // the page.
            Loaded::StandIn => {
                let html = "<!doctype html><meta charset=\"utf-8\"><title>Not found</title>\
                    <p>Not found. If the site has not built yet, the error is shown over this page.</p>\
                    <script src=\"/__kbgen/live.js\"></script>\n";
                let mut response =
                    whole(StatusCode::NOT_FOUND, Bytes::from_static(html.as_bytes()));
                response.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                );
                response
            }
        }
    }
}

fn whole(status: StatusCode, bytes: Bytes) -> Response<Body> {
    let mut response = Response::new(Body::Whole(Some(bytes)));
    *response.status_mut() = status;
    response
}

fn text(status: StatusCode, body: &'static str) -> Response<Body> {
    let mut response = whole(status, Bytes::from_static(body.as_bytes()));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// A request path decoded and split into segments that can only name things inside the site.
#[derive(Debug, PartialEq, Eq)]
pub struct SitePath {
    pub segments: Vec<String>,
    pub trailing_slash: bool,
}

/// A path that tries to leave the site or cannot name a file (answered with 400).
#[derive(Debug, PartialEq, Eq)]
pub struct Refused;

/// Decodes the path part of a request URL. Refuses `..` (also percent-encoded), backslashes,
/// NUL, drive letters and anything not UTF-8; `//x` and `/./x` simply name `x` inside the site.
pub fn parse_site_path(raw: &str) -> Result<SitePath, Refused> {
    if !raw.starts_with('/') || raw.contains('\\') {
        return Err(Refused);
    }
    let decoded = percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .map_err(|_| Refused)?;
    if decoded.contains(['\\', '\0']) {
        return Err(Refused);
    }
    let mut segments = Vec::new();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => return Err(Refused),
            s if s.contains(':') || s.chars().any(char::is_control) => return Err(Refused),
            s => segments.push(s.to_string()),
        }
    }
    Ok(SitePath {
        segments,
        trailing_slash: decoded.ends_with('/'),
    })
}

#[derive(Debug, PartialEq, Eq)]
pub enum Resolved {
    File(PathBuf),
    /// A folder asked for without its trailing slash.
    Redirect,
    Missing,
}

/// Finds the file a site path names: a folder means its index.html. The real path (symlinks
/// resolved) must still be inside `served`. Dot-files and dot-folders (the output's mark and
/// lock, a carried-over `.git`) are not the site's: missing, except `.well-known`.
pub fn resolve(served: &Path, path: &SitePath) -> Resolved {
    if path.segments.iter().any(|s| is_hidden(s)) {
        return Resolved::Missing;
    }
    let mut file = served.to_path_buf();
    file.extend(&path.segments);
    if file.is_dir() {
        if !path.trailing_slash && !path.segments.is_empty() {
            return Resolved::Redirect;
        }
        file.push("index.html");
    }
    if !file.is_file() {
        return Resolved::Missing;
    }
    match (file.canonicalize(), served.canonicalize()) {
        (Ok(real), Ok(base)) if real.starts_with(&base) => Resolved::File(real),
        _ => Resolved::Missing,
    }
}

/// A dot-name other than `.well-known` (RFC 8615 names served on purpose, e.g. security.txt).
fn is_hidden(segment: &str) -> bool {
    segment.starts_with('.') && segment != ".well-known"
}

pub fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "txt" | "md" => "text/plain; charset=utf-8",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "wasm" => "application/wasm",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segments(raw: &str) -> Vec<String> {
        parse_site_path(raw).expect(raw).segments
    }

    #[test]
    fn decodes_unicode_paths() {
        assert_eq!(
            segments("/%E6%B3%95%E5%BE%8B/%E6%B0%91%E6%B3%95%E5%85%B8/"),
            ["法律", "民法典"]
        );
        assert_eq!(segments("/a%20b/c.html"), ["a b", "c.html"]);
        assert_eq!(segments("/"), Vec::<String>::new());
        assert_eq!(segments("//etc/passwd"), ["etc", "passwd"]);
        assert_eq!(segments("/./a/"), ["a"]);
        assert!(parse_site_path("/a/").unwrap().trailing_slash);
        assert!(!parse_site_path("/a").unwrap().trailing_slash);
    }

    #[test]
    fn refuses_escapes() {
        for raw in [
            "/../Cargo.toml",
            "/a/../../x",
            "/%2e%2e/%2e%2e/etc/passwd",
            "/%2E%2E/x",
            "/a/..%2f..%2fx",
            "/..\\x",
            "/a%5c..%5cx",
            "/a%00.html",
            "/C:/Windows/win.ini",
            "/%ff%fe",
            "relative/path",
            "http://example.org/x",
        ] {
            assert_eq!(parse_site_path(raw), Err(Refused), "{raw}");
        }
    }

    #[test]
    fn resolves_inside_the_served_folder() {
        let dir = tempfile::tempdir().unwrap();
        let served = dir.path().join("site");
        std::fs::create_dir_all(served.join("a")).unwrap();
        std::fs::write(served.join("index.html"), "home").unwrap();
        std::fs::write(served.join("a/index.html"), "a").unwrap();
        std::fs::write(dir.path().join("secret.txt"), "no").unwrap();
        let real = served.canonicalize().unwrap();
        let get = |raw: &str| resolve(&served, &parse_site_path(raw).unwrap());
        assert_eq!(get("/"), Resolved::File(real.join("index.html")));
        assert_eq!(get("/a/"), Resolved::File(real.join("a/index.html")));
        assert_eq!(get("/a"), Resolved::Redirect);
        assert_eq!(get("/nope/"), Resolved::Missing);
        std::fs::write(served.join(".kbgen-output"), "mark").unwrap();
        std::fs::create_dir_all(served.join(".git")).unwrap();
        std::fs::write(served.join(".git/config"), "git").unwrap();
        assert_eq!(get("/.kbgen-output"), Resolved::Missing);
        assert_eq!(get("/.git/config"), Resolved::Missing);
        assert_eq!(get("/.git/"), Resolved::Missing);
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path().join("secret.txt"), served.join("link.txt"))
                .unwrap();
            assert_eq!(get("/link.txt"), Resolved::Missing);
        }
    }

    #[test]
    fn local_hosts() {
        let lo: SocketAddr = "127.0.0.1:1111".parse().unwrap();
        for ok in [
            "localhost",
            "LOCALHOST:1111",
            "localhost:1111",
            "a.localhost:1111",
            "127.0.0.1",
            "127.0.0.1:1111",
            "[::1]",
            "[::1]:1111",
        ] {
            assert!(is_local_host(ok, lo), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:1111",
            "localhost.evil.example",
            "127.0.0.1.nip.io:1111",
            "[::1",
            "[::1]x",
            "127.0.0.1:x",
            "",
            "192.168.1.2:1111",
        ] {
            assert!(!is_local_host(bad, lo), "{bad}");
        }
        let lan: SocketAddr = "192.168.1.2:1111".parse().unwrap();
        assert!(is_local_host("192.168.1.2:1111", lan));
    }

    #[test]
    fn content_types() {
        for (name, ty) in [
            ("a.html", "text/html; charset=utf-8"),
            ("a.CSS", "text/css; charset=utf-8"),
            ("a.js", "text/javascript; charset=utf-8"),
            ("a.json", "application/json"),
            ("atom.xml", "application/xml"),
            ("a.svg", "image/svg+xml"),
            ("a.png", "image/png"),
            ("a.jpg", "image/jpeg"),
            ("a.webp", "image/webp"),
            ("a.pdf", "application/pdf"),
            ("a.txt", "text/plain; charset=utf-8"),
            ("a", "application/octet-stream"),
        ] {
            assert_eq!(content_type(Path::new(name)), ty, "{name}");
        }
    }
}
