//! `kbgen serve` end to end in headless Chromium (issue 6): a page left open shows an edit
//! without any action, shows the error overlay when the front matter breaks, and recovers when
//! it is fixed.

use crate::support::browser::{browser, Page};
use crate::support::serve::Server;
use crate::support::site::copy_fixture;
use headless_chrome::protocol::cdp::types::Event;
use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(10);
const ARTICLE: &str = "content/debt/sms.md";
const ORIGINAL: &str = "收到短信先别慌。";

/// Counts the live-reload streams the page has open and that have received their first bytes
/// (the server writes them after registering the stream), so an edit made afterwards is seen.
#[derive(Default)]
struct Streams {
    requests: HashSet<String>,
    connected: HashSet<String>,
}

fn watch_streams(page: &Page) -> Arc<Mutex<Streams>> {
    let streams = Arc::new(Mutex::new(Streams::default()));
    let sink = Arc::clone(&streams);
    page.tab()
        .add_event_listener(Arc::new(move |event: &Event| {
            let mut s = sink.lock().unwrap_or_else(PoisonError::into_inner);
            match event {
                Event::NetworkRequestWillBeSent(ev)
                    if ev.params.request.url.contains("/__kbgen/events") =>
                {
                    s.requests.insert(ev.params.request_id.clone());
                }
                Event::NetworkDataReceived(ev) if s.requests.contains(&ev.params.request_id) => {
                    s.connected.insert(ev.params.request_id.clone());
                }
                _ => {}
            }
        }))
        .expect("listen to tab events");
    streams
}

fn wait_connected(streams: &Mutex<Streams>, n: usize, serve: &Server) {
    let start = Instant::now();
    loop {
        let count = streams
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .connected
            .len();
        if count >= n {
            return;
        }
        assert!(
            start.elapsed() < WAIT,
            "the page opened {count} live-reload streams, expected {n}; log:\n{}",
            serve.log()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn js(s: &str) -> String {
    serde_json::to_string(s).expect("string")
}

fn article_has(text: &str) -> String {
    format!(
        "document.querySelector('main article').innerText.includes({})",
        js(text)
    )
}

#[test]
fn an_open_page_follows_edits_errors_and_fixes_without_any_action() {
    let Some(b) = browser() else { return };
    let site = copy_fixture("faq");
    let root = site.path();
    let log = root.join("serve.log");
    let serve = Server::start(root, log);
    let path = root.join(ARTICLE);
    let original = std::fs::read_to_string(&path).expect("read the article");
    assert!(original.contains(ORIGINAL));

    let page = b.page(1280, 800);
    let streams = watch_streams(&page);
    page.goto(&serve.url("/debt/sms/"));
    assert_eq!(page.eval(&article_has(ORIGINAL)), true);
    wait_connected(&streams, 1, &serve);

    // An edit to the body shows up in the open page by itself.
    let edited = original.replace(ORIGINAL, "收到短信先别慌。第一次修改的正文。");
    std::fs::write(&path, &edited).expect("edit");
    page.wait_for(&article_has("第一次修改的正文"), WAIT)
        .unwrap_or_else(|e| panic!("the edit never showed: {e}\nlog:\n{}", serve.log()));
    wait_connected(&streams, 2, &serve);

    // Broken front matter: the overlay names the file; the last good page stays under it.
    std::fs::write(&path, "---\ntitle: [\n---\n\n坏掉的正文。\n").expect("break");
    page.wait_for(
        "document.getElementById('kbgen-error-overlay')?.innerText.includes('content/debt/sms.md')",
        WAIT,
    )
    .unwrap_or_else(|e| panic!("no error overlay: {e}\nlog:\n{}", serve.log()));
    assert_eq!(
        page.eval("document.getElementById('kbgen-error-overlay').innerText.includes('this page is the last good build')"),
        true
    );
    assert_eq!(page.eval(&article_has("第一次修改的正文")), true);
    assert_eq!(page.eval(&article_has("坏掉的正文")), false);
    assert_eq!(
        page.eval("document.querySelectorAll('#kbgen-error-overlay').length"),
        1
    );

    // Fixed: the overlay goes and the new text shows, still without any action.
    let fixed = original.replace(ORIGINAL, "收到短信先别慌。修复后的正文。");
    std::fs::write(&path, &fixed).expect("fix");
    page.wait_for(
        &format!(
            "!document.getElementById('kbgen-error-overlay') && {}",
            article_has("修复后的正文")
        ),
        WAIT,
    )
    .unwrap_or_else(|e| panic!("no recovery: {e}\nlog:\n{}", serve.log()));
    assert_eq!(page.js_errors(), Vec::<String>::new());
}

/// A page opened while the site has never built (serve started on a broken site, issue 14)
/// says so, rather than calling the stand-in "the last good build", and turns into the site
/// once the error is fixed.
#[test]
fn a_page_opened_before_the_first_build_says_there_is_none_and_loads_once_fixed() {
    let Some(b) = browser() else { return };
    let site = crate::support::serve::small_site();
    let root = site.path();
    let broken = root.join("content/a/one.md");
    std::fs::write(&broken, "---\ntitle: [\n---\n\nBroken.\n").expect("break");
    let serve = Server::start_unbuilt(root, root.join("serve.log"));
    let page = b.page(1280, 800);
    let streams = watch_streams(&page);
    page.goto(&serve.url("/a/one/"));
    page.wait_for(
        "document.getElementById('kbgen-error-overlay')?.innerText.includes('content/a/one.md')",
        WAIT,
    )
    .unwrap_or_else(|e| panic!("no error overlay: {e}\nlog:\n{}", serve.log()));
    let overlay = page.text("#kbgen-error-overlay");
    assert!(overlay.contains("the site has not built yet"), "{overlay}");
    assert!(!overlay.contains("last good build"), "{overlay}");
    wait_connected(&streams, 1, &serve);
    std::fs::write(&broken, "---\ntitle: One\n---\n\nFixed at last.\n").expect("fix");
    page.wait_for(&article_has("Fixed at last."), WAIT)
        .unwrap_or_else(|e| panic!("no first build: {e}\nlog:\n{}", serve.log()));
    assert_eq!(page.js_errors(), Vec::<String>::new());
}
