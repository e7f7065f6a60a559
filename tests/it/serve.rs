//! `kbgen serve` end to end: the real binary on a free port over a temporary site, driven by
//! editing files and watched through plain HTTP and the event stream. Every wait is bounded.

use crate::support::serve::{article, small_site, write, Server};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// Saves the way many editors do: write a hidden temporary beside the file, rename it over.
fn write_atomic(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    let tmp = path.with_file_name(format!(
        ".{}.tmp",
        path.file_name().expect("name").to_string_lossy()
    ));
    std::fs::write(&tmp, text).expect("write temporary");
    std::fs::rename(&tmp, &path).expect("rename");
}

#[test]
fn serve_rebuilds_reloads_and_survives_errors() {
    let site = small_site();
    let root = site.path();
    let log = tempfile::NamedTempFile::new()
        .expect("log")
        .into_temp_path();
    let server = Server::start(root, log.to_path_buf());

    let (status, page) = server.get("/a/one/");
    assert_eq!(status, 200);
    assert!(page.contains("First version."), "{page}");
    assert!(page.contains("/__kbgen/live.js"), "live script missing");
    let (status, script) = server.get("/__kbgen/live.js");
    assert_eq!(status, 200);
    assert!(script.contains("EventSource('/__kbgen/events')"));

    let events = server.events();

    // An ordinary save.
    write(root, "content/a/one.md", &article("One", "Second version."));
    server.expect_event(&events, "reload");
    server.wait_for("the edited page", || {
        server.get("/a/one/").1.contains("Second version.")
    });

    // Broken front matter: an error event naming the file; the last good page stays.
    write(root, "content/a/one.md", "---\ntitle: [\n---\n\nBroken.\n");
    let data = server.expect_event(&events, "error");
    let json: serde_json::Value = serde_json::from_str(&data).expect("error data is JSON");
    let messages = json["messages"].as_array().expect("messages");
    assert!(
        messages
            .iter()
            .any(|m| m.as_str().is_some_and(|m| m.contains("content/a/one.md:"))),
        "{data}"
    );
    let (status, page) = server.get("/a/one/");
    assert_eq!(status, 200);
    assert!(page.contains("Second version."), "{page}");
    assert!(server.log().contains("content/a/one.md:"));

    // A page opened while the site is broken is told at once.
    let late = server.events();
    server.expect_event(&late, "error");
    drop(late);

    // The fix, saved atomically: reload and the new text.
    write_atomic(root, "content/a/one.md", &article("One", "Fixed version."));
    server.expect_event(&events, "reload");
    server.wait_for("the fixed page", || {
        server.get("/a/one/").1.contains("Fixed version.")
    });

    // Adding an article serves it; a Unicode name is reachable percent-encoded.
    write(
        root,
        "content/a/three.md",
        &article("Three", "Third article."),
    );
    write(root, "content/a/中文.md", &article("中文", "汉字正文。"));
    server.expect_event(&events, "reload");
    server.wait_for("the new articles", || {
        server.get("/a/three/").0 == 200 && server.get("/a/%E4%B8%AD%E6%96%87/").0 == 200
    });
    assert!(server.get("/a/three/").1.contains("Third article."));
    assert!(server
        .get("/a/%E4%B8%AD%E6%96%87/")
        .1
        .contains("汉字正文。"));

    // Deleting one makes it the site's 404.
    std::fs::remove_file(root.join("content/a/two.md")).expect("delete");
    server.expect_event(&events, "reload");
    server.wait_for("the deleted article to go", || {
        server.get("/a/two/").0 == 404
    });

    // Renaming one moves it.
    std::fs::rename(
        root.join("content/a/three.md"),
        root.join("content/a/four.md"),
    )
    .expect("rename");
    server.expect_event(&events, "reload");
    server.wait_for("the renamed article", || {
        server.get("/a/three/").0 == 404 && server.get("/a/four/").0 == 200
    });
    assert!(server.get("/a/four/").1.contains("Third article."));

    // Editor debris alone does not rebuild (every rebuild's line says what changed; the
    // rename's line comes once its search files are written, after the page).
    server.wait_for("the rename's rebuild line", || {
        server.log().contains("content/a/four.md")
    });
    let rebuilds = |log: String| log.matches(" changed: ").count();
    let builds = rebuilds(server.log());
    assert!(builds >= 5, "{}", server.log());
    write(root, "content/a/.one.md.swp", "swap");
    write(root, "content/a/one.md~", "backup");
    write(root, "content/a/4913", "");
    // Then a real edit: the watcher reports in order, so the next rebuild line shows whether
    // the debris counted (a rebuild of its own, or "… and N more changed").
    write(
        root,
        "content/a/four.md",
        &article("Four", "After the debris."),
    );
    server.wait_for("the edit after the debris", || {
        rebuilds(server.log()) > builds
    });
    let log = server.log();
    let after: Vec<&str> = log.lines().filter(|l| l.contains(" changed: ")).collect();
    assert!(
        after[builds].starts_with("content/a/four.md changed: "),
        "editor debris rebuilt the site:\n{log}"
    );
    server.wait_for("the edit's page", || {
        server.get("/a/four/").1.contains("After the debris.")
    });
    assert_eq!(rebuilds(server.log()), builds + 1, "{}", server.log());
}

/// Started on a site that does not build, serve says plainly that there is no build yet (not
/// "still serving the last good build", issue 14), keeps watching, and builds once the error is
/// fixed; an open page is told the same in its overlay's data.
#[test]
fn serve_started_on_a_broken_site_says_there_is_no_build_and_builds_once_fixed() {
    let site = small_site();
    let root = site.path();
    write(root, "content/a/one.md", "---\ntitle: [\n---\n\nBroken.\n");
    let log = tempfile::NamedTempFile::new()
        .expect("log")
        .into_temp_path();
    let server = Server::start_unbuilt(root, log.to_path_buf());
    let said = server.log();
    let line = said
        .lines()
        .find(|l| l.starts_with("initial build: "))
        .unwrap_or_else(|| panic!("no initial build line:\n{said}"));
    assert_eq!(
        line,
        "initial build: build failed with 1 error; there is no build yet, so nothing is \
         served: kbgen keeps watching and builds the site as soon as the error is fixed"
    );
    assert!(said.contains("content/a/one.md:3:1: "), "{said}");
    assert!(!said.contains("last good"), "{said}");
    // No page yet: the stand-in, with the live script so the page learns of the fix.
    let (status, page) = server.get("/a/one/");
    assert_eq!(status, 404);
    assert!(page.contains("/__kbgen/live.js"), "{page}");
    let events = server.events();
    let data = server.expect_event(&events, "error");
    let json: serde_json::Value = serde_json::from_str(&data).expect("error data is JSON");
    assert_eq!(json["built"], serde_json::json!(false), "{data}");

    write(root, "content/a/one.md", &article("One", "Fixed at last."));
    server.expect_event(&events, "reload");
    server.wait_for("the first good build's page", || {
        server.get("/a/one/").1.contains("Fixed at last.")
    });
    // The report follows the page (the server writes, then says so).
    server.wait_for("the first good build's report", || {
        server
            .log()
            .lines()
            .any(|l| l.starts_with("content/a/one.md changed: built "))
    });
    // Broken again, there is a last good build now, and the page shows it.
    write(root, "content/a/one.md", "---\ntitle: [\n---\n\nBroken.\n");
    let data = server.expect_event(&events, "error");
    assert!(data.contains("\"built\":true"), "{data}");
    server.wait_for("the failure's line", || {
        server.log().contains("still serving the last good build")
    });
    assert!(server.get("/a/one/").1.contains("Fixed at last."));
}

#[test]
fn serve_refuses_paths_outside_the_site() {
    let site = small_site();
    let log = tempfile::NamedTempFile::new()
        .expect("log")
        .into_temp_path();
    let server = Server::start(site.path(), log.to_path_buf());
    for path in [
        "/../Cargo.toml",
        "/../../../../../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/%2E%2E/%2E%2E/%2E%2E/%2E%2E/etc/passwd",
        "/a/..%2f..%2f..%2fetc/passwd",
        "/..%5c..%5cetc%5cpasswd",
        "/a%00.html",
        "//etc/passwd",
    ] {
        let (status, body) = server.get(path);
        assert!(status == 400 || status == 404, "{path}: {status}");
        assert!(
            !body.contains("root:") && !body.contains("[package]"),
            "{path} leaked a file"
        );
    }
    let (status, body) = server.get("/no/such/page/");
    assert_eq!(status, 404);
    assert!(body.contains("<html"), "the site's 404 page: {body}");
}

#[test]
fn serve_reports_a_port_in_use() {
    let site = small_site();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let out = Command::new(env!("CARGO_BIN_EXE_kbgen"))
        .args(["serve", "--root"])
        .arg(site.path())
        .args(["--port", &port.to_string()])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("already in use"), "{stderr}");
}

#[test]
fn serve_stops_cleanly_on_ctrl_c() {
    let site = small_site();
    let log = tempfile::NamedTempFile::new()
        .expect("log")
        .into_temp_path();
    let mut server = Server::start(site.path(), log.to_path_buf());
    let served = server
        .served_folder()
        .expect("the served folder exists while serving");
    assert!(served.join("a/one/index.html").is_file());
    // A build into the served folder while serve owns it waits, then names the server.
    let before = crate::support::site::snapshot_dir(&served);
    let out = Command::new(env!("CARGO_BIN_EXE_kbgen"))
        .args(["build", "--root"])
        .arg(site.path())
        .arg("--output")
        .arg(&served)
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("another kbgen (process"), "{stderr}");
    assert!(crate::support::site::snapshot_dir(&served) == before);
    let status = server.interrupt();
    assert!(
        status.success(),
        "exit status {status:?}; log:\n{}",
        server.log()
    );
    assert!(!served.exists(), "{} was left behind", served.display());
    assert!(server.log().contains("stopped"), "{}", server.log());
}

/// How many rebuilds the server has reported (each ends in one line naming its cause).
fn rebuild_lines(log: &str) -> Vec<String> {
    log.lines()
        .filter(|l| l.contains(" changed: ") || l.starts_with("the site folder is back: "))
        .map(String::from)
        .collect()
}

/// Waits until the server has reported `n` rebuilds and returns the last line. A debug
/// build of a 1,000-article site on a loaded machine takes a while: a minute at most.
fn wait_for_rebuilds(server: &Server, n: usize) -> String {
    let start = std::time::Instant::now();
    while rebuild_lines(&server.log()).len() < n {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no rebuild number {n}; log:\n{}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    rebuild_lines(&server.log()).pop().expect("a rebuild line")
}

/// Waits until no rebuild line has come for `quiet` (events queued during a rebuild may start
/// one more; a debug build on a loaded machine takes seconds), and returns how many there are.
fn rebuilds_once_quiet(server: &Server, quiet: Duration) -> usize {
    let start = std::time::Instant::now();
    let mut seen = rebuild_lines(&server.log()).len();
    loop {
        std::thread::sleep(quiet);
        let now = rebuild_lines(&server.log()).len();
        if now == seen {
            return seen;
        }
        assert!(
            start.elapsed() < Duration::from_secs(180),
            "rebuilds never stopped; log:\n{}",
            server.log()
        );
        seen = now;
    }
}

#[test]
fn serve_survives_a_folder_for_an_article_a_checkout_and_its_root_vanishing() {
    // Its rebuild counts and deadlines do not hold while a flood test eats the CPU.
    let _heavy = crate::support::serve::heavy();
    let site = small_site();
    let root = site.path().to_path_buf();
    let log = tempfile::NamedTempFile::new()
        .expect("log")
        .into_temp_path();
    let server = Server::start(&root, log.to_path_buf());
    let base = server.url("/");
    let served = server.served_folder().expect("served folder");

    // An article replaced by a folder of the same name (a section at the same URL).
    std::fs::remove_file(root.join("content/a/one.md")).expect("delete");
    write(
        &root,
        "content/a/one/_index.md",
        &article("One, now a section", "Parts."),
    );
    write(
        &root,
        "content/a/one/part.md",
        &article("Part", "A part of one."),
    );
    let line = wait_for_rebuilds(&server, 1);
    assert!(!line.contains("failed"), "{line}");
    let (status, page) = server.get("/a/one/");
    assert_eq!(status, 200);
    assert!(page.contains("One, now a section"), "{page}");
    assert_eq!(server.get("/a/one/part/").0, 200);
    crate::support::site::assert_same_as_clean(&root, &served, &base, "article → folder");

    // A thousand files at once (a checkout of another branch): served throughout, rebuilt
    // once when it settles.
    let before_burst = rebuilds_once_quiet(&server, Duration::from_secs(3));
    let n = 1000;
    for i in 0..n {
        write(
            &root,
            &format!("content/b/p{i:04}.md"),
            &article(&format!("Page {i}"), "From the other branch."),
        );
        if i == n / 2 {
            let (status, page) = server.get("/a/two/");
            assert_eq!(status, 200, "not served during the burst");
            assert!(page.contains("Second article.") && page.contains("</html>"));
        }
    }
    // (The watcher may miss files made in a new folder before it watches it; the folder's
    // own event makes the rebuild read it whole.) The writes settle into a handful of
    // rebuilds, not one per file: on a loaded machine the writer here can stall longer than
    // the settle time, so one rebuild may land mid-burst; the last one reads every file.
    let start = std::time::Instant::now();
    while server.get("/b/p0999/").0 != 200 {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "the burst's last page never came; log:\n{}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let burst = rebuilds_once_quiet(&server, Duration::from_secs(10));
    assert!(
        burst - before_burst <= 4,
        "a thousand files should settle into a few rebuilds, not {}:\n{}",
        burst - before_burst,
        server.log()
    );
    assert_eq!(server.get("/b/p0999/").0, 200);
    crate::support::site::assert_same_as_clean(&root, &served, &base, "a thousand files");

    // The root folder deleted and made again: the last good site stays up meanwhile.
    let saved = tempfile::tempdir().expect("temp dir");
    crate::support::site::copy_dir(&root, saved.path());
    write(
        saved.path(),
        "content/a/two.md",
        &article("Two", "Restored and edited."),
    );
    std::fs::remove_dir_all(&root).expect("remove the root");
    server.wait_for("the server to notice", || {
        server
            .log()
            .contains("was removed; still serving the last good build")
    });
    let (status, page) = server.get("/a/two/");
    assert_eq!(status, 200);
    assert!(page.contains("Second article."), "{page}");
    // Made again whole, as a restore moved into place does. (Copied file by file, a loaded
    // machine may stall the copy past the settle time: a rebuild of a half-copied site fails,
    // the server keeps the last good one, and the next rebuild succeeds — right, but not one
    // rebuild per change.)
    let staged = root.with_extension("restored");
    crate::support::site::copy_dir(saved.path(), &staged);
    std::fs::rename(&staged, &root).expect("move the restored root into place");
    // (A rebuild may start while the deletion is still under way and fail on the vanishing
    // files: shown, the last good site kept. The one that counts is the one after it is back.)
    let start = std::time::Instant::now();
    while !rebuild_lines(&server.log())
        .iter()
        .any(|l| l.starts_with("the site folder is back"))
    {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no rebuild after the root came back; log:\n{}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let lines = rebuild_lines(&server.log());
    let line = lines.last().expect("a rebuild line");
    assert!(
        line.starts_with("the site folder is back: built"),
        "{line}; log:\n{}",
        server.log()
    );
    assert!(server.get("/a/two/").1.contains("Restored and edited."));
    crate::support::site::assert_same_as_clean(
        &root,
        &served,
        &base,
        "root deleted and made again",
    );
    let after = rebuilds_once_quiet(&server, Duration::from_secs(3));
    assert!(
        after <= burst + 2 && rebuild_lines(&server.log()).last() == Some(line),
        "one rebuild once the root is back, and none after it:\n{}",
        server.log()
    );
}
