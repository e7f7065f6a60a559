//! HTTP: maps request paths to files inside the served folder (never outside), the live-reload
//! endpoints, and the worker threads that answer requests.

use super::live::{self, LiveEvent};
use super::Msg;
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Sender};
use std::sync::Arc;
use tiny_http::{Header, Method, Request, Response, Server, StatusCode};

/// Enough that a few slow requests never queue behind each other; event streams get their own
/// threads and do not hold a worker.
const WORKERS: usize = 8;

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

/// What the workers share: fixed for the life of the server.
pub struct Context {
    /// The folder builds are swapped into.
    pub served: PathBuf,
    pub tx: Sender<Msg>,
}

/// Starts the worker threads. They run until the process ends.
pub fn spawn_workers(server: Arc<Server>, ctx: Arc<Context>) {
    for _ in 0..WORKERS {
        let server = Arc::clone(&server);
        let ctx = Arc::clone(&ctx);
        std::thread::spawn(move || {
            for request in server.incoming_requests() {
                handle(request, &ctx);
            }
        });
    }
}

fn handle(request: Request, ctx: &Context) {
    if !matches!(request.method(), Method::Get | Method::Head) {
        let _ = request.respond(text(405, "method not allowed\n"));
        return;
    }
    let url = request.url().to_string();
    let raw_path = url.split(['?', '#']).next().unwrap_or("");
    match raw_path {
        "/__kbgen/live.js" => {
            let response = Response::from_string(live::SCRIPT)
                .with_header(header("Content-Type", "text/javascript; charset=utf-8"))
                .with_header(header("Cache-Control", "no-store"));
            let _ = request.respond(response);
            return;
        }
        "/__kbgen/events" => {
            open_stream(request, ctx);
            return;
        }
        _ => {}
    }
    let site_path = match parse_site_path(raw_path) {
        Ok(p) => p,
        Err(Refused) => {
            let _ = request.respond(text(400, "bad request path\n"));
            return;
        }
    };
    let response = match resolve(&ctx.served, &site_path) {
        Resolved::File(path) => file_response(&path, 200),
        Resolved::Redirect => {
            // Built from the decoded segments, so `//host` can never become an off-site redirect.
            let location: String = site_path
                .segments
                .iter()
                .map(|s| format!("/{}", utf8_percent_encode(s, SEGMENT)))
                .collect();
            let response = Response::empty(301)
                .with_header(header("Location", &format!("{location}/")))
                .with_header(header("Cache-Control", "no-store"));
            let _ = request.respond(response);
            return;
        }
        Resolved::Missing => not_found(&ctx.served),
    };
    // Errors here mean the browser went away mid-response.
    let _ = request.respond(response);
}

/// Hands the connection to its own thread and registers its channel with the serve loop.
fn open_stream(request: Request, ctx: &Context) {
    let mut out = request.into_writer();
    if out.write_all(live::STREAM_HEAD.as_bytes()).is_err() || out.flush().is_err() {
        return;
    }
    let (tx, rx) = mpsc::channel::<LiveEvent>();
    if ctx.tx.send(Msg::Client(tx)).is_err() {
        return;
    }
    std::thread::spawn(move || live::run_stream(out, rx));
}

type Body = Response<Box<dyn std::io::Read + Send>>;

fn file_response(path: &Path, status: u16) -> Body {
    match File::open(path) {
        Ok(file) => {
            let len = file.metadata().ok().map(|m| m.len() as usize);
            Response::new(
                StatusCode(status),
                vec![
                    header("Content-Type", content_type(path)),
                    header("Cache-Control", "no-cache"),
                ],
                Box::new(file) as Box<dyn std::io::Read + Send>,
                len,
                None,
            )
        }
        // Swapped away between resolving and opening: a rebuild just finished.
        Err(_) => boxed(text(404, "not found\n")),
    }
}

/// The site's own 404 page, or a stand-in (with the live script, so an error overlay and the
/// reload after a fix still reach the page) when no build has succeeded yet.
fn not_found(served: &Path) -> Body {
    let page = served.join("404.html");
    if page.is_file() {
        return file_response(&page, 404);
    }
    let html = "<!doctype html><meta charset=\"utf-8\"><title>Not found</title>\
        <p>Not found. If the site has not built yet, the error is shown over this page.</p>\
        <script src=\"/__kbgen/live.js\"></script>\n";
    boxed(
        Response::from_string(html)
            .with_status_code(404)
            .with_header(header("Content-Type", "text/html; charset=utf-8")),
    )
}

fn boxed<R: std::io::Read + Send + 'static>(r: Response<R>) -> Body {
    r.boxed()
}

fn text(status: u16, body: &str) -> Response<std::io::Cursor<Vec<u8>>> {
    Response::from_string(body)
        .with_status_code(status)
        .with_header(header("Content-Type", "text/plain; charset=utf-8"))
}

fn header(name: &str, value: &str) -> Header {
    // Names and values here are ASCII made by this module, or a path that came in as ASCII.
    Header::from_bytes(name.as_bytes(), value.as_bytes())
        .unwrap_or_else(|_| Header::from_bytes("X-Kbgen", "invalid").expect("static header"))
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
/// resolved) must still be inside `served`.
pub fn resolve(served: &Path, path: &SitePath) -> Resolved {
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
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path().join("secret.txt"), served.join("link.txt"))
                .unwrap();
            assert_eq!(get("/link.txt"), Resolved::Missing);
        }
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
