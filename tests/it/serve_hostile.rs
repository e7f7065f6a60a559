//! `kbgen serve` against hostile clients (issue 11, item 8): traversal in every encoding,
//! dot-files, oversized and malformed request heads, stalled clients, connection and event
//! stream floods, requests racing rebuilds, DNS rebinding, and a bounded soak. The real binary
//! on a free loopback port, spoken to over raw sockets; every wait is bounded.

use crate::support::serve::{article, small_site, write, Server};
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

/// The caps of src/serve/http.rs (`MAX_CONNECTIONS`, `MAX_LIVE_STREAMS`), repeated here so
/// the tests can count what is answered beyond them.
const MAX_CONNECTIONS: usize = 1024;
const MAX_LIVE_STREAMS: usize = 64;

/// How much the server's resident memory may grow under a flood or a soak.
const RSS_BOUND_KB: u64 = 64 * 1024;

fn start(site: &Path, env: &[(&str, &str)]) -> (Server, tempfile::TempPath) {
    let log = tempfile::NamedTempFile::new()
        .expect("log")
        .into_temp_path();
    let server = Server::start_with_env(site, log.to_path_buf(), env);
    (server, log)
}

/// Sends `request` as is on a fresh connection and reads until the server closes it or
/// `wait` passes: (status, whole response text). No status: nothing parseable came back.
fn raw(port: u16, request: &[u8], wait: Duration) -> (Option<u16>, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream.set_read_timeout(Some(wait)).expect("timeout");
    // A server that answers before the whole request is written may reset the rest.
    let _ = stream.write_all(request);
    let mut got = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&got).into_owned();
    (status_of(&text), text)
}

fn status_of(text: &str) -> Option<u16> {
    text.strip_prefix("HTTP/1.")?.get(2..5)?.parse().ok()
}

fn get_with_host(port: u16, target: &str, host: &str) -> (Option<u16>, String) {
    let request = format!("GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    raw(port, request.as_bytes(), Duration::from_secs(10))
}

/// One kept-alive HTTP/1.1 connection that reads responses by their Content-Length.
struct Conn {
    reader: BufReader<TcpStream>,
}

impl Conn {
    fn open(port: u16) -> Conn {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        Conn {
            reader: BufReader::new(stream),
        }
    }

    fn send(&mut self, path: &str) {
        let request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        self.reader
            .get_mut()
            .write_all(request.as_bytes())
            .expect("send");
    }

    /// Reads one response: (status, body). None: the connection ended first.
    fn receive(&mut self) -> Option<(u16, Vec<u8>)> {
        let mut line = String::new();
        self.reader.read_line(&mut line).ok()?;
        let status = status_of(&line)?;
        let mut len = 0usize;
        loop {
            line.clear();
            self.reader.read_line(&mut line).ok()?;
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((name, value)) = l.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    len = value.trim().parse().ok()?;
                }
            }
        }
        let mut body = vec![0u8; len];
        self.reader.read_exact(&mut body).ok()?;
        Some((status, body))
    }

    fn get(&mut self, path: &str) -> Option<(u16, Vec<u8>)> {
        self.send(path);
        self.receive()
    }
}

/// The server's resident memory in KiB (Linux).
fn rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

/// Enough file descriptors for the flood in this process and the server it starts.
fn raise_fd_limit(want: u64) {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit with a valid pointer to a local rlimit.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) == 0 && lim.rlim_cur < want {
            lim.rlim_cur = want.min(lim.rlim_max);
            libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        }
    }
}

/// Traversal in every encoding answers neither 200 nor the file; dot-files of the output
/// (its mark, a lock, `.git`) are 404 even though they exist.
#[test]
fn serve_refuses_traversal_in_every_encoding_and_dot_files() {
    let site = small_site();
    let (server, _log) = start(site.path(), &[]);
    let port = server.port;
    // A file beside the served folder (both in the temp dir), and the site's own sources.
    let name = format!("kbgen-hostile-secret-{port}.txt");
    let secret = std::env::temp_dir().join(&name);
    std::fs::write(&secret, "TOPSECRET-0451").expect("secret");
    let secret_abs = secret.to_string_lossy().into_owned();
    let targets = [
        format!("/../{name}"),
        format!("/a/one/../../../{name}"),
        format!("/%2e%2e/{name}"),
        format!("/%2E%2E%2f{name}"),
        format!("/.%2e/{name}"),
        format!("/%252e%252e/{name}"),
        format!("/%252e%252e%252f{name}"),
        format!("/%c0%ae%c0%ae/{name}"),
        format!("/%c0%ae%c0%ae%c0%af{name}"),
        format!("/%e0%80%ae%e0%80%ae/{name}"),
        format!("/..%5c{name}"),
        format!("/..\\{name}"),
        format!("/a\\..\\..\\{name}"),
        format!("/%2e%2e%5c{name}"),
        format!("/{name}%00.html"),
        "/a/one/%00".to_string(),
        format!("/..%00/{name}"),
        format!("/%u002e%u002e/{name}"),
        format!("/..;/{name}"),
        format!("/{secret_abs}"),
        format!("/{}", secret_abs.trim_start_matches('/')),
        format!(
            "/%2f{}",
            secret_abs.trim_start_matches('/').replace('/', "%2f")
        ),
        format!("/file:{secret_abs}"),
        "/C:/Windows/win.ini".to_string(),
        "/C:%5cWindows%5cwin.ini".to_string(),
        "/../../../../../../etc/passwd".to_string(),
        "/../kbgen.yaml".to_string(),
        "/../content/a/one.md".to_string(),
        secret_abs.clone(),
    ];
    let mut seen = Vec::new();
    for target in &targets {
        let (status, text) = get_with_host(port, target, "127.0.0.1");
        seen.push(format!("{target} -> {status:?}"));
        assert_ne!(status, Some(200), "{target} answered 200:\n{text}");
        assert!(
            !text.contains("TOPSECRET") && !text.contains("root:") && !text.contains("title: T"),
            "{target} leaked a file:\n{text}"
        );
    }
    eprintln!("traversal answers:\n  {}", seen.join("\n  "));

    // Dot-files of the output exist and are not served.
    let served = server.served_folder().expect("served folder");
    assert!(served.join(".kbgen-output").is_file(), "the output's mark");
    std::fs::create_dir_all(served.join(".git")).expect(".git");
    std::fs::write(served.join(".git/HEAD"), "ref: refs/heads/main\n").expect("HEAD");
    std::fs::write(served.join(".kbgen-lock"), "lock").expect("lock");
    for target in [
        "/.kbgen-output",
        "/%2ekbgen-output",
        "/.kbgen-lock",
        "/.git/HEAD",
        "/.git/",
        "/.git",
        "/a/../.git/HEAD",
    ] {
        let (status, text) = get_with_host(port, target, "127.0.0.1");
        assert!(
            matches!(status, Some(400) | Some(404)),
            "{target}: {status:?}\n{text}"
        );
        assert!(!text.contains("refs/heads") && !text.contains("kbgen-output 1"));
    }
    let (status, _) = get_with_host(port, "/.kbgen-output", "127.0.0.1");
    assert_eq!(status, Some(404), "the mark is simply not there");
    let (status, _) = get_with_host(port, "/a/one/", "127.0.0.1");
    assert_eq!(status, Some(200));
    let _ = std::fs::remove_file(&secret);
}

/// Oversized request lines are 414, oversized or too many headers 431, malformed request
/// lines 400, and a client that sends half a request head is cut off after the header
/// deadline (1 s here through the debug-build knob; 10 s in a real run).
#[test]
fn serve_bounds_request_heads_and_drops_stalled_clients() {
    let site = small_site();
    let (server, _log) = start(site.path(), &[("KBGEN_SERVE_HEADER_TIMEOUT_MS", "1000")]);
    let port = server.port;
    let wait = Duration::from_secs(10);

    let long = format!(
        "GET /{} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        "a".repeat(100 * 1024)
    );
    let (status, text) = raw(port, long.as_bytes(), wait);
    assert_eq!(status, Some(414), "100 KB target: {text}");
    let long_query = format!(
        "GET /a/one/?q={} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        "b".repeat(20 * 1024)
    );
    let (status, text) = raw(port, long_query.as_bytes(), wait);
    assert_eq!(status, Some(414), "20 KB query: {text}");

    let huge_header = format!(
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: {}\r\n\r\n",
        "c".repeat(200 * 1024)
    );
    let (status, text) = raw(port, huge_header.as_bytes(), wait);
    assert_eq!(status, Some(431), "200 KB header: {text}");
    let mut many = String::from("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for i in 0..200 {
        many.push_str(&format!("X-H{i}: v\r\n"));
    }
    many.push_str("\r\n");
    let (status, text) = raw(port, many.as_bytes(), wait);
    assert_eq!(status, Some(431), "200 headers: {text}");

    for bad in [
        &b"GARBAGE\r\n\r\n"[..],
        b"GET / HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n",
        b"GET / FTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        b"GET\r\n\r\n",
        b" / HTTP/1.1\r\n\r\n",
        b"G\x00T / HTTP/1.1\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",
    ] {
        let (status, text) = raw(port, bad, wait);
        assert_eq!(
            status,
            Some(400),
            "{:?}: {text}",
            String::from_utf8_lossy(bad)
        );
    }
    let (status, _) = raw(
        port,
        b"POST /a/one/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n",
        wait,
    );
    assert_eq!(status, Some(405));

    // Half a request head, then silence; and a connection that never says anything.
    for half in [&b"GET /a/one/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"[..], b""] {
        let started = Instant::now();
        let (status, text) = raw(port, half, Duration::from_secs(30));
        let took = started.elapsed();
        eprintln!(
            "stalled client ({} bytes) closed after {took:?}",
            half.len()
        );
        assert_ne!(status, Some(200), "{text}");
        assert!(
            took >= Duration::from_millis(900) && took < Duration::from_secs(8),
            "closed after {took:?}"
        );
    }
    // A trickle: one byte every 300 ms still has to finish the head within the deadline.
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let started = Instant::now();
    let mut closed = false;
    for b in b"GET /a/one/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1234567890\r\n".iter() {
        if stream.write_all(&[*b]).is_err() {
            closed = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(300));
        if started.elapsed() > Duration::from_secs(8) {
            break;
        }
    }
    if !closed {
        stream
            .set_read_timeout(Some(Duration::from_secs(1)))
            .expect("timeout");
        let mut buf = [0u8; 64];
        closed = matches!(stream.read(&mut buf), Ok(0) | Err(_));
    }
    assert!(closed, "a trickled head outlived the deadline");

    let (status, _) = server.get("/a/one/");
    assert_eq!(status, 200, "still serving");
}

/// 200 event streams and 500 connections at once: streams beyond the cap and connections
/// beyond the cap are answered 503, ordinary requests are still answered meanwhile, and the
/// server's memory stays flat.
#[test]
fn serve_caps_connections_and_streams_with_flat_memory() {
    let _heavy = crate::support::serve::heavy();
    raise_fd_limit(8192);
    let site = small_site();
    // A long header deadline, so the idle kept-alive connections stay for the whole test.
    let (server, _log) = start(site.path(), &[("KBGEN_SERVE_HEADER_TIMEOUT_MS", "120000")]);
    let port = server.port;
    for _ in 0..20 {
        assert_eq!(server.get("/a/one/").0, 200);
    }
    let before = rss_kb(server.pid());

    // 200 live-reload listeners.
    let mut streams = Vec::new();
    let (mut live, mut busy) = (0, 0);
    for _ in 0..200 {
        let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        s.write_all(b"GET /__kbgen/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            .expect("request");
        let mut reader = BufReader::new(s);
        let mut line = String::new();
        reader.read_line(&mut line).expect("status line");
        match status_of(&line) {
            Some(200) => {
                live += 1;
                streams.push(reader);
            }
            Some(503) => busy += 1,
            other => panic!("event stream answered {other:?}: {line}"),
        }
    }
    assert_eq!((live, busy), (MAX_LIVE_STREAMS, 200 - MAX_LIVE_STREAMS));

    // 500 connections at once: all open, then all ask, then all read.
    let mut conns: Vec<Conn> = (0..500).map(|_| Conn::open(port)).collect();
    for c in &mut conns {
        c.send("/a/one/");
    }
    let mut ok = 0;
    for c in &mut conns {
        match c.receive() {
            Some((200, body)) if String::from_utf8_lossy(&body).contains("First version.") => {
                ok += 1
            }
            other => panic!("a held connection got {:?}", other.map(|(s, _)| s)),
        }
    }
    assert_eq!(ok, 500);

    // Meanwhile an ordinary client is answered promptly.
    let started = Instant::now();
    for _ in 0..20 {
        let (status, page) = server.get("/a/two/");
        assert_eq!(status, 200);
        assert!(page.contains("Second article."));
    }
    let ordinary = started.elapsed() / 20;
    let during = rss_kb(server.pid());

    // Past the connection cap: the first ones fit, the rest are answered 503.
    let mut extra: Vec<Conn> = (0..600).map(|_| Conn::open(port)).collect();
    let (mut fit, mut refused, mut closed) = (0, 0, 0);
    for c in &mut extra {
        c.send("/a/one/");
    }
    for c in &mut extra {
        match c.receive() {
            Some((200, _)) => fit += 1,
            Some((503, _)) => refused += 1,
            Some((s, _)) => panic!("beyond the cap: {s}"),
            None => closed += 1,
        }
    }
    let held = live + ok + fit;
    eprintln!(
        "streams: {live} live, {busy} answered 503; connections: 500 held, then {fit} more fit, \
         {refused} answered 503, {closed} closed; ordinary request {ordinary:?} each"
    );
    assert!(held <= MAX_CONNECTIONS, "{held} connections held at once");
    assert!(refused > 0, "no connection was refused past the cap");
    let after = rss_kb(server.pid());
    eprintln!(
        "VmRSS: {before} kB before, {during} kB with 500 connections and {live} streams, \
         {after} kB at the cap (+{} kB)",
        after.saturating_sub(before)
    );
    assert!(
        after.saturating_sub(before) < RSS_BOUND_KB,
        "memory grew from {before} kB to {after} kB"
    );

    drop(extra);
    drop(conns);
    drop(streams);
    server.wait_for("the server to answer after the flood", || {
        server.try_get("/a/one/").is_some_and(|(s, _)| s == 200)
    });
    // The slots came back: streams can be opened again.
    let events = server.events();
    drop(events);
}

/// Pages read while edits rebuild them are always a whole old or a whole new page, never
/// half-written: every 200 ends with `</html>` and holds one version's text from start to end.
#[test]
fn serve_answers_whole_pages_during_rebuilds() {
    let _heavy = crate::support::serve::heavy();
    let site = small_site();
    let root = site.path();
    // Large enough (about 400 KB of HTML) that the file is written and sent in many pieces.
    let body = |v: usize| {
        let filler = "这是一段用来把页面撑大的正文，重复很多次。".repeat(10_000);
        format!("BEGIN-V{v}-BEGIN\n\n{filler}\n\nEND-V{v}-END")
    };
    write(root, "content/a/one.md", &article("One", &body(0)));
    let (server, _log) = start(root, &[]);
    let port = server.port;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let hammers: Vec<_> = (0..3)
        .map(|_| {
            let stop = std::sync::Arc::clone(&stop);
            std::thread::spawn(move || {
                let mut conn = Conn::open(port);
                let mut seen = std::collections::BTreeSet::new();
                let mut n = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let Some((status, body)) = conn.get("/a/one/") else {
                        conn = Conn::open(port);
                        continue;
                    };
                    let page = String::from_utf8(body).expect("UTF-8 page");
                    assert_eq!(status, 200, "during a rebuild: {status}");
                    assert!(page.trim_end().ends_with("</html>"), "a cut page");
                    let begin = page
                        .split("BEGIN-V")
                        .nth(1)
                        .and_then(|s| s.split("-BEGIN").next())
                        .expect("a version's start")
                        .to_string();
                    assert!(
                        page.contains(&format!("END-V{begin}-END")),
                        "version {begin} without its own end"
                    );
                    seen.insert(begin.parse::<usize>().expect("version"));
                    n += 1;
                }
                (n, seen)
            })
        })
        .collect();
    let events = server.events();
    let edits = 8;
    for v in 1..=edits {
        write(root, "content/a/one.md", &article("One", &body(v)));
        server.expect_event(&events, "reload");
        let mut conn = Conn::open(port);
        server.wait_for("the new version", || {
            conn.get("/a/one/").is_some_and(|(_, b)| {
                String::from_utf8_lossy(&b).contains(&format!("END-V{v}-END"))
            })
        });
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut total = 0;
    let mut versions = std::collections::BTreeSet::new();
    for h in hammers {
        let (n, seen) = h.join().expect("a hammer failed");
        total += n;
        versions.extend(seen);
    }
    eprintln!("{total} whole pages read across {edits} rebuilds; versions seen: {versions:?}");
    assert!(versions.len() >= 2, "{versions:?}");
}

/// Bound to loopback, the server answers only to its own names: a page of another site whose
/// name was rebound to 127.0.0.1 gets 403, browsers and curl at 127.0.0.1 / localhost do not.
#[test]
fn serve_refuses_foreign_host_names() {
    let site = small_site();
    let (server, _log) = start(site.path(), &[]);
    let port = server.port;
    for host in [
        format!("127.0.0.1:{port}"),
        "127.0.0.1".to_string(),
        format!("localhost:{port}"),
        "localhost".to_string(),
        format!("[::1]:{port}"),
    ] {
        let (status, text) = get_with_host(port, "/a/one/", &host);
        assert_eq!(status, Some(200), "Host: {host}\n{text}");
    }
    for host in [
        format!("evil.example:{port}"),
        "evil.example".to_string(),
        format!("127.0.0.1.evil.example:{port}"),
        format!("localhost.evil.example:{port}"),
        format!("192.168.0.10:{port}"),
    ] {
        for target in ["/a/one/", "/__kbgen/events", "/__kbgen/live.js"] {
            let (status, text) = get_with_host(port, target, &host);
            assert_eq!(status, Some(403), "Host: {host} {target}\n{text}");
            assert!(!text.contains("First version."));
        }
    }
    // The absolute form names its host in the request line.
    let (status, _) = raw(
        port,
        b"GET http://evil.example/a/one/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
        Duration::from_secs(10),
    );
    assert_eq!(status, Some(403));
    // A browser's page load, the way curl sends it.
    let (status, _) = get_with_host(port, "/", &format!("127.0.0.1:{port}"));
    assert_eq!(status, Some(200));
}

/// A bounded soak: 20,000 requests over four kept-alive connections to 127.0.0.1, a mix of
/// pages, the live script and misses; every answer right, memory flat, the rate printed.
#[test]
fn serve_soak_20000_requests() {
    let _heavy = crate::support::serve::heavy();
    let site = small_site();
    let (server, _log) = start(site.path(), &[]);
    let port = server.port;
    let paths: [(&str, u16); 5] = [
        ("/", 200),
        ("/a/one/", 200),
        ("/a/", 200),
        ("/__kbgen/live.js", 200),
        ("/no/such/page/", 404),
    ];
    let mut warm = Conn::open(port);
    for _ in 0..200 {
        for (p, s) in paths {
            assert_eq!(warm.get(p).expect("warm-up").0, s);
        }
    }
    drop(warm);
    let before = rss_kb(server.pid());
    let per_conn = 5_000;
    let started = Instant::now();
    let workers: Vec<_> = (0..4)
        .map(|w| {
            std::thread::spawn(move || {
                let mut conn = Conn::open(port);
                for i in 0..per_conn {
                    let (p, s) = paths[(i + w) % paths.len()];
                    let (status, body) = conn.get(p).expect("kept-alive answer");
                    assert_eq!(status, s, "{p}");
                    assert!(!body.is_empty(), "{p}");
                }
            })
        })
        .collect();
    for w in workers {
        w.join().expect("a soak worker failed");
    }
    let took = started.elapsed();
    let after = rss_kb(server.pid());
    let n = 4 * per_conn;
    eprintln!(
        "soak: {n} requests in {took:?} ({:.0} requests/s); VmRSS {before} kB before, {after} kB after (+{} kB)",
        n as f64 / took.as_secs_f64(),
        after.saturating_sub(before)
    );
    assert!(
        after.saturating_sub(before) < RSS_BOUND_KB,
        "memory grew from {before} kB to {after} kB"
    );
    assert_eq!(server.get("/a/one/").0, 200);
}
