//! The one headless-Chromium harness every browser test uses: launching (or
//! skipping without) Chromium, pages with a fixed viewport, JS evaluation,
//! polling waits, input, injected script files (axe-core), the colour scheme, screenshots,
//! and the network bytes a page pulled.
//!
//! ```ignore
//! let Some(b) = support::browser::browser() else { return };
//! let page = b.page(1280, 800);
//! page.goto(&server.url("/search/?q=催收短信"));
//! page.wait_for("document.querySelector('#search-results li')", Duration::from_secs(10)).unwrap();
//! ```
//!
//! Methods panic (pointing at the calling test line) when the browser itself
//! fails; `wait_for` and `try_eval` return `Err` for what a test may expect.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant};

use base64::Engine as _;
use headless_chrome::protocol::cdp::types::{Event, Method};
use headless_chrome::protocol::cdp::Runtime::ConsoleAPICalledEventTypeOption;
use headless_chrome::{LaunchOptions, Tab};
use serde::Serialize;
use serde_json::{json, Value};

/// Exactly the flags the project launches Chromium with (headless_chrome adds
/// its own `--remote-debugging-port`, `--user-data-dir` (a fresh temp folder),
/// `--verbose`/`--log-level=0` and `--disable-setuid-sandbox`).
pub const CHROMIUM_FLAGS: [&str; 6] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
];

/// The subset of `CHROMIUM_FLAGS` headless_chrome adds on its own.
const LAUNCHER_FLAGS: [&str; 4] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
];

/// How long the CDP connection may stay silent before headless_chrome drops
/// it (so take the browser after a slow build, not before), and the longest
/// a single CDP call (an awaited `eval`) may take.
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);
const GOTO_TIMEOUT: Duration = Duration::from_secs(30);
const POLL: Duration = Duration::from_millis(10);

/// Tests running at the same time share one Chromium; it is killed when the
/// last of them drops its handle, so no process outlives the test binary
/// (statics are never dropped, so a plain `OnceLock<Browser>` would leak it).
static SHARED: Mutex<Weak<Shared>> = Mutex::new(Weak::new());

struct Shared {
    chrome: headless_chrome::Browser,
}

/// A handle on the (shared) headless Chromium.
#[derive(Clone)]
pub struct Browser {
    shared: Arc<Shared>,
}

/// Where Chromium is: `$KBGEN_CHROMIUM`, else `/usr/bin/chromium`, else
/// `chromium`, `chromium-browser` or `google-chrome` on `PATH`.
pub fn chromium_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("KBGEN_CHROMIUM").filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        // An explicit setting that points nowhere is a mistake, not a skip.
        assert!(
            path.is_file(),
            "KBGEN_CHROMIUM={} is not a file",
            path.display()
        );
        return Some(path);
    }
    let usr_bin = Path::new("/usr/bin/chromium");
    if usr_bin.is_file() {
        return Some(usr_bin.to_path_buf());
    }
    let dirs = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&dirs).map(move |dir| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// The shared browser, or `None` (after a loud `SKIPPED` line on stderr) when
/// no Chromium is installed. With `KBGEN_REQUIRE_BROWSER=1` a missing Chromium
/// panics instead. A Chromium that is found but fails to start always panics.
#[track_caller]
pub fn browser() -> Option<Browser> {
    let mut slot = SHARED.lock().unwrap_or_else(PoisonError::into_inner);
    // A handle left silent past IDLE_TIMEOUT has lost its connection; the
    // tests still using it were idle, new callers get a fresh Chromium.
    if let Some(shared) = slot.upgrade().filter(|s| s.chrome.get_version().is_ok()) {
        return Some(Browser { shared });
    }
    let Some(path) = chromium_path() else {
        let test = std::thread::current()
            .name()
            .unwrap_or("<unnamed test>")
            .to_string();
        assert!(
            std::env::var("KBGEN_REQUIRE_BROWSER").as_deref() != Ok("1"),
            "KBGEN_REQUIRE_BROWSER=1 but no Chromium found (set KBGEN_CHROMIUM, \
             install /usr/bin/chromium, or put chromium on PATH); test {test}"
        );
        // Straight to the stderr handle: the test harness captures eprintln!.
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED (no Chromium): {test} — set KBGEN_CHROMIUM or install chromium; \
             KBGEN_REQUIRE_BROWSER=1 makes this a failure"
        );
        return None;
    };
    let shared = Arc::new(Shared {
        chrome: launch(&path),
    });
    *slot = Arc::downgrade(&shared);
    Some(Browser { shared })
}

#[track_caller]
fn launch(path: &Path) -> headless_chrome::Browser {
    // headless_chrome itself passes --headless, --no-sandbox, --disable-gpu
    // and --no-first-run for the options below; pass the rest.
    let args: Vec<&std::ffi::OsStr> = CHROMIUM_FLAGS
        .iter()
        .filter(|flag| !LAUNCHER_FLAGS.contains(flag))
        .map(std::ffi::OsStr::new)
        .collect();
    let options = LaunchOptions {
        path: Some(path.to_path_buf()),
        headless: true,
        sandbox: false,
        enable_gpu: false,
        ignore_certificate_errors: false,
        // Only our flags: no puppeteer-style defaults to second-guess.
        disable_default_args: true,
        args,
        window_size: Some((1280, 800)),
        idle_browser_timeout: IDLE_TIMEOUT,
        ..LaunchOptions::default()
    };
    headless_chrome::Browser::new(options)
        .unwrap_or_else(|e| panic!("cannot launch Chromium at {}: {e:#}", path.display()))
}

impl Browser {
    /// A new tab in its own browser context (fresh cache, cookies and
    /// storage, so byte counts never profit from an earlier test), with a
    /// `width`×`height` CSS-pixel viewport, network and console recording on.
    #[track_caller]
    pub fn page(&self, width: u32, height: u32) -> Page {
        let chrome = &self.shared.chrome;
        let context = chrome
            .new_context()
            .unwrap_or_else(|e| panic!("cannot create a browser context: {e:#}"));
        let tab = context
            .new_tab()
            .unwrap_or_else(|e| panic!("cannot open a tab: {e:#}"));
        let log = Arc::new(Mutex::new(Log::default()));
        let sink = Arc::clone(&log);
        tab.add_event_listener(Arc::new(move |event: &Event| {
            sink.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .record(event);
        }))
        .unwrap_or_else(|e| panic!("cannot listen to tab events: {e:#}"));
        let page = Page {
            tab,
            log,
            _browser: Arc::clone(&self.shared),
        };
        page.call(NetworkEnable(json!({})));
        page.call(RuntimeEnable(json!({})));
        page.set_viewport(width, height);
        page
    }
}

/// One response the page received over the network.
#[derive(Debug, Clone, PartialEq)]
pub struct Transfer {
    pub url: String,
    /// `encodedDataLength` of `Network.loadingFinished`: bytes on the wire,
    /// headers included, as DevTools' "transferred" column shows.
    pub bytes: u64,
}

#[derive(Default)]
struct Log {
    urls: HashMap<String, String>,
    transfers: Vec<Transfer>,
    /// Loader ids whose document fired `load`.
    loaded: HashSet<String>,
    errors: Vec<String>,
}

impl Log {
    fn record(&mut self, event: &Event) {
        match event {
            Event::NetworkRequestWillBeSent(ev) => {
                self.urls
                    .insert(ev.params.request_id.clone(), ev.params.request.url.clone());
            }
            Event::NetworkLoadingFinished(ev) => {
                let url = self
                    .urls
                    .get(&ev.params.request_id)
                    .cloned()
                    .unwrap_or_default();
                // A float in the protocol; byte counts are whole and far below 2^53.
                let bytes = ev.params.encoded_data_length.max(0.0) as u64;
                self.transfers.push(Transfer { url, bytes });
            }
            Event::PageLifecycleEvent(ev) if ev.params.name == "load" => {
                self.loaded.insert(ev.params.loader_id.clone());
            }
            Event::RuntimeExceptionThrown(ev) => {
                let details = &ev.params.exception_details;
                let what = details
                    .exception
                    .as_ref()
                    .and_then(|e| e.description.clone())
                    .unwrap_or_else(|| details.text.clone());
                let at = details.url.clone().unwrap_or_default();
                self.errors.push(format!(
                    "uncaught {what} ({at}:{}:{})",
                    details.line_number + 1,
                    details.column_number + 1
                ));
            }
            Event::RuntimeConsoleAPICalled(ev)
                if ev.params.Type == ConsoleAPICalledEventTypeOption::Error =>
            {
                let text: Vec<String> = ev
                    .params
                    .args
                    .iter()
                    .map(|arg| match (&arg.value, &arg.description) {
                        (Some(Value::String(s)), _) => s.clone(),
                        (Some(v), _) => v.to_string(),
                        (None, Some(d)) => d.clone(),
                        (None, None) => String::new(),
                    })
                    .collect();
                self.errors
                    .push(format!("console.error: {}", text.join(" ")));
            }
            _ => {}
        }
    }
}

/// One tab in its own browser context. The tab is closed on drop; the empty
/// context lives until Chromium exits (CDP refuses to dispose of it from the
/// tab's session, and headless_chrome keeps the browser session private).
pub struct Page {
    tab: Arc<Tab>,
    log: Arc<Mutex<Log>>,
    /// Keeps Chromium alive while the page is.
    _browser: Arc<Shared>,
}

impl Drop for Page {
    fn drop(&mut self) {
        let _ = self.tab.close_target();
    }
}

impl Page {
    /// Navigates and waits for the document's `load` event (30 s at most).
    /// A fragment-only change returns at once.
    #[track_caller]
    pub fn goto(&self, url: &str) {
        if let Err(e) = self.navigate(url, GOTO_TIMEOUT) {
            panic!("goto {url}: {e}");
        }
    }

    fn navigate(&self, url: &str, timeout: Duration) -> Result<(), String> {
        let reply = self
            .try_call(Navigate(json!({ "url": url })))
            .map_err(|e| format!("Page.navigate failed: {e}"))?;
        if let Some(error) = reply.get("errorText").and_then(Value::as_str) {
            return Err(format!("navigation failed: {error}"));
        }
        let Some(loader) = reply.get("loaderId").and_then(Value::as_str) else {
            return Ok(()); // same-document navigation
        };
        let start = Instant::now();
        let mut asked = Instant::now();
        // The document's own word, for when the lifecycle event is lost (seen once in a few
        // hundred runs of a loaded CI machine): complete, at the URL asked for.
        let at_url = format!(
            "document.readyState === 'complete' && location.href.split('#')[0] === {}",
            json!(url.split('#').next().unwrap_or(url))
        );
        while !self.lock_log().loaded.contains(loader) {
            if asked.elapsed() > Duration::from_secs(1) {
                asked = Instant::now();
                if self.try_eval(&at_url) == Ok(Value::Bool(true)) {
                    return Ok(());
                }
            }
            if start.elapsed() > timeout {
                let state = self
                    .try_eval("[document.readyState, location.href]")
                    .map_or_else(|e| e, |v| v.to_string());
                let log = self.lock_log();
                let finished: HashSet<&str> =
                    log.transfers.iter().map(|t| t.url.as_str()).collect();
                let pending: Vec<&String> = log
                    .urls
                    .values()
                    .filter(|u| !finished.contains(u.as_str()))
                    .collect();
                return Err(format!(
                    "no load event within {timeout:?} (document: {state}; requests not \
                     finished: {pending:?})"
                ));
            }
            std::thread::sleep(POLL);
        }
        Ok(())
    }

    /// Navigates to `url` and measures, in the page's own clock, the time
    /// from navigation start until the JS expression `condition` first holds
    /// (checked on every DOM mutation) — SPEC's "first result" measure.
    pub fn goto_timed(
        &self,
        url: &str,
        condition: &str,
        timeout: Duration,
    ) -> Result<Duration, String> {
        let script = format!(
            r#"(() => {{
  const holds = () => {{ try {{ return !!(
{condition}
); }} catch (_) {{ return false; }} }};
  const mark = () => {{
    if (window.__kbgenReadyAt === undefined && holds()) {{
      window.__kbgenReadyAt = performance.now();
      observer.disconnect();
    }}
  }};
  const observer = new MutationObserver(mark);
  observer.observe(document, {{ subtree: true, childList: true, attributes: true, characterData: true }});
  document.addEventListener('DOMContentLoaded', mark);
  window.addEventListener('load', mark);
}})();"#
        );
        let added = self.call(AddScript(json!({ "source": script })));
        let start = Instant::now();
        let navigated = self.navigate(url, timeout);
        let waited = navigated.and_then(|()| {
            let left = timeout.saturating_sub(start.elapsed());
            self.wait_for("window.__kbgenReadyAt !== undefined", left)
        });
        if let Some(id) = added.get("identifier") {
            self.call(RemoveScript(json!({ "identifier": id })));
        }
        waited.map_err(|e| format!("{url}: `{condition}`: {e}"))?;
        let ms = self.eval("window.__kbgenReadyAt");
        let ms = ms.as_f64().ok_or("performance.now() was not a number")?;
        Ok(Duration::from_secs_f64(ms / 1000.0))
    }

    /// Evaluates `js` as an expression in the page, awaiting a returned
    /// promise, and returns its JSON value (`undefined` → `null`). Panics
    /// with the page's exception if it throws.
    #[track_caller]
    pub fn eval(&self, js: &str) -> Value {
        self.try_eval(js)
            .unwrap_or_else(|e| panic!("eval: {e}\n  in: {js}"))
    }

    /// `eval`, but a thrown exception is an `Err` with its description.
    pub fn try_eval(&self, js: &str) -> Result<Value, String> {
        let reply = self
            .try_call(Evaluate(json!({
                    "expression": js,
                    "returnByValue": true,
                    "awaitPromise": true,
                    "userGesture": true,
            })))
            .map_err(|e| format!("Runtime.evaluate failed: {e}"))?;
        if let Some(details) = reply.get("exceptionDetails") {
            let what = details
                .pointer("/exception/description")
                .or_else(|| details.get("text"))
                .and_then(Value::as_str)
                .unwrap_or("exception");
            return Err(what.to_string());
        }
        let result = &reply["result"];
        if let Some(special) = result.get("unserializableValue") {
            // NaN, Infinity, -0, bigints: keep them visible as strings.
            return Ok(special.clone());
        }
        Ok(result.get("value").cloned().unwrap_or(Value::Null))
    }

    /// Runs the JavaScript file at `path` in the page as a classic script would (its globals
    /// stay, e.g. axe-core's `axe`), for tools a test brings along. It lasts until the next
    /// navigation. Panics if the file cannot be read or throws.
    #[track_caller]
    pub fn add_script_file(&self, path: &Path) {
        let source = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("add_script_file {}: {e}", path.display()));
        let reply = self.call(Evaluate(json!({
            // The trailing line ends a `//` comment the file may end with.
            "expression": format!("{source}\n;undefined"),
            "returnByValue": true,
        })));
        if let Some(details) = reply.get("exceptionDetails") {
            panic!("add_script_file {}: {details}", path.display());
        }
    }

    /// Emulates the user's colour preference (`prefers-color-scheme`): `"light"` or `"dark"`.
    /// Replaces what an earlier `set_color_scheme` or `set_media_features` set.
    #[track_caller]
    pub fn set_color_scheme(&self, scheme: &str) {
        self.set_media_features(&[("prefers-color-scheme", scheme)]);
    }

    /// Emulates CSS media features, e.g. `[("prefers-reduced-motion", "reduce")]`; the
    /// features not listed go back to the browser's own. Replaces any earlier emulation.
    #[track_caller]
    pub fn set_media_features(&self, features: &[(&str, &str)]) {
        let features: Vec<Value> = features
            .iter()
            .map(|(name, value)| json!({ "name": name, "value": value }))
            .collect();
        self.call(EmulateMedia(json!({ "features": features })));
    }

    /// Emulates a touch screen as the main pointer (what a phone or tablet is): touch events,
    /// and the media features `pointer: coarse` and `hover: none` (`set_media_features` cannot
    /// set those two; Chromium derives them from touch emulation). `false` goes back to a fine
    /// pointer. (Headless Chromium has no mouse: `hover: none` holds even without touch.)
    #[track_caller]
    pub fn set_touch(&self, enabled: bool) {
        self.call(SetTouch(json!({ "enabled": enabled, "maxTouchPoints": 5 })));
    }

    /// Polls the JS expression `condition` until it is truthy. A throwing
    /// condition counts as false (so `document.querySelector('#x').hidden`
    /// may be written before `#x` exists); the last error is in the `Err`.
    pub fn wait_for(&self, condition: &str, timeout: Duration) -> Result<(), String> {
        let start = Instant::now();
        let probe = format!("!!(\n{condition}\n)");
        loop {
            let last = match self.try_eval(&probe) {
                Ok(Value::Bool(true)) => return Ok(()),
                Ok(v) => v.to_string(),
                Err(e) => e,
            };
            if start.elapsed() >= timeout {
                return Err(format!(
                    "timed out after {timeout:?} waiting for `{condition}` (last: {last})"
                ));
            }
            std::thread::sleep(POLL);
        }
    }

    /// Focuses the element matching `selector` and types `text` key by key
    /// (characters without a key, such as Chinese, arrive as text input,
    /// the way an input method commits them).
    #[track_caller]
    pub fn type_text(&self, selector: &str, text: &str) {
        let focus = format!(
            "(() => {{ const el = document.querySelector({sel}); if (!el) return false; \
             el.focus(); return document.activeElement === el; }})()",
            sel = js_string(selector)
        );
        assert!(
            self.eval(&focus) == Value::Bool(true),
            "type_text: cannot focus `{selector}`"
        );
        if let Err(e) = self.tab.type_str(text) {
            panic!("type_text into `{selector}`: {e:#}");
        }
    }

    /// Presses and releases one key on whatever has focus: "Enter",
    /// "ArrowDown", "Escape", "/", "a", "Tab"…
    #[track_caller]
    pub fn press_key(&self, key: &str) {
        if let Err(e) = self.tab.press_key(key) {
            panic!("press_key {key:?}: {e:#}");
        }
    }

    /// A real mouse click in the middle of the first element matching
    /// `selector` (scrolled into view first).
    #[track_caller]
    pub fn click(&self, selector: &str) {
        let clicked = self
            .tab
            .find_element(selector)
            .and_then(|el| el.click().map(|_| ()));
        if let Err(e) = clicked {
            panic!("click `{selector}`: {e:#}");
        }
    }

    /// `innerText` of the first element matching `selector`; panics if none.
    #[track_caller]
    pub fn text(&self, selector: &str) -> String {
        let js = format!(
            "document.querySelector({})?.innerText ?? null",
            js_string(selector)
        );
        match self.eval(&js) {
            Value::String(s) => s,
            _ => panic!("text: no element matches `{selector}`"),
        }
    }

    /// `innerText` of every element matching `selector`, in document order.
    #[track_caller]
    pub fn texts(&self, selector: &str) -> Vec<String> {
        let js = format!(
            "Array.from(document.querySelectorAll({}), el => el.innerText)",
            js_string(selector)
        );
        serde_json::from_value(self.eval(&js)).expect("an array of strings")
    }

    /// The current document URL.
    #[track_caller]
    pub fn url(&self) -> String {
        match self.eval("location.href") {
            Value::String(s) => s,
            other => panic!("location.href was {other}"),
        }
    }

    /// Sets the viewport (CSS pixels, device scale 1, desktop).
    #[track_caller]
    pub fn set_viewport(&self, width: u32, height: u32) {
        self.call(SetDeviceMetrics(json!({
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": false,
        })));
    }

    /// Writes a PNG of the whole page (beyond the viewport) to `path`,
    /// creating its folder.
    #[track_caller]
    pub fn screenshot_png(&self, path: &Path) {
        let metrics = self.call(LayoutMetrics(json!({})));
        let size = &metrics["cssContentSize"];
        let (width, height) = (
            size["width"].as_f64().unwrap_or(1.0).ceil(),
            size["height"].as_f64().unwrap_or(1.0).ceil(),
        );
        self.write_screenshot(
            path,
            json!({
                "format": "png",
                "captureBeyondViewport": true,
                "clip": { "x": 0, "y": 0, "width": width, "height": height, "scale": 1 },
            }),
        );
    }

    /// Writes a PNG of what the viewport shows (at its scroll position, overlays such as an
    /// open popup included) to `path`, creating its folder: a readable close-up where a
    /// full-page shot of a long page is too tall to look at.
    #[track_caller]
    pub fn screenshot_viewport_png(&self, path: &Path) {
        self.write_screenshot(path, json!({ "format": "png" }));
    }

    #[track_caller]
    fn write_screenshot(&self, path: &Path, params: Value) {
        let shot = self.call(Screenshot(params));
        let data = shot["data"].as_str().expect("screenshot data");
        let png = base64::engine::general_purpose::STANDARD
            .decode(data)
            .expect("screenshot is base64");
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
        }
        std::fs::write(path, png).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    }

    /// Total bytes transferred over the network since the page was opened
    /// (or since `clear_network`): sum of `transfers()`. Responses served
    /// from the memory cache transfer nothing and are not counted.
    pub fn bytes_transferred(&self) -> u64 {
        self.lock_log().transfers.iter().map(|t| t.bytes).sum()
    }

    /// Every finished network response, in order of completion.
    pub fn transfers(&self) -> Vec<Transfer> {
        self.lock_log().transfers.clone()
    }

    /// Forgets recorded transfers (e.g. after loading the page, before
    /// typing a query, to count only what the query fetched).
    pub fn clear_network(&self) {
        self.lock_log().transfers.clear();
    }

    /// Uncaught exceptions and `console.error` messages seen so far.
    pub fn js_errors(&self) -> Vec<String> {
        self.lock_log().errors.clone()
    }

    /// The underlying headless_chrome tab, for what this API lacks.
    pub fn tab(&self) -> &Tab {
        &self.tab
    }

    fn lock_log(&self) -> std::sync::MutexGuard<'_, Log> {
        self.log.lock().unwrap_or_else(PoisonError::into_inner)
    }

    #[track_caller]
    fn call<M>(&self, command: M) -> Value
    where
        M: Method<ReturnObject = Value> + Serialize,
    {
        self.try_call(command)
            .unwrap_or_else(|e| panic!("CDP {} failed: {e}", M::NAME))
    }

    fn try_call<M>(&self, command: M) -> Result<Value, String>
    where
        M: Method<ReturnObject = Value> + Serialize,
    {
        self.tab.call_method(command).map_err(|e| format!("{e:#}"))
    }
}

/// CDP commands as JSON in, JSON out: one small type per command (the
/// protocol names a command by the type's constant), which avoids building
/// headless_chrome's generated structs, whose fields change between protocol
/// versions.
macro_rules! cdp_commands {
    ($($ty:ident = $name:literal;)*) => {$(
        #[derive(Debug)]
        struct $ty(Value);
        impl Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                self.0.serialize(serializer)
            }
        }
        impl Method for $ty {
            const NAME: &'static str = $name;
            type ReturnObject = Value;
        }
    )*};
}

cdp_commands! {
    NetworkEnable = "Network.enable";
    RuntimeEnable = "Runtime.enable";
    Navigate = "Page.navigate";
    AddScript = "Page.addScriptToEvaluateOnNewDocument";
    RemoveScript = "Page.removeScriptToEvaluateOnNewDocument";
    Evaluate = "Runtime.evaluate";
    SetDeviceMetrics = "Emulation.setDeviceMetricsOverride";
    EmulateMedia = "Emulation.setEmulatedMedia";
    SetTouch = "Emulation.setTouchEmulationEnabled";
    LayoutMetrics = "Page.getLayoutMetrics";
    Screenshot = "Page.captureScreenshot";
}

/// A JS string literal for `s`.
fn js_string(s: &str) -> String {
    serde_json::to_string(s).expect("strings serialize")
}

#[test]
fn browser_drives_a_page_served_by_the_static_server() {
    let Some(b) = browser() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let page_html = r#"<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>harness</title></head><body style="margin:0">
<input id="q" type="search"><button id="btn" onclick="this.textContent='clicked'">b</button>
<p id="out"></p><div style="height:3000px">tall</div>
<script>
document.querySelector('#q').addEventListener('keydown', async (e) => {
  if (e.key !== 'Enter') return;
  const data = await (await fetch('data.json')).json();
  document.querySelector('#out').textContent = 'loaded ' + data.n;
});
setTimeout(() => {
  const p = document.createElement('p'); p.id = 'late'; document.body.append(p);
}, 150);
console.error('oops', 42);
</script></body></html>"#;
    std::fs::write(dir.path().join("index.html"), page_html).unwrap();
    std::fs::write(dir.path().join("data.json"), r#"{"n": 3}"#).unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::write(dir.path().join("sub/index.html"), "<p>sub</p>").unwrap();
    let server = super::server::StaticServer::start(dir.path());

    let page = b.page(800, 600);
    page.goto(&server.url("/"));
    assert_eq!(page.eval("[innerWidth, innerHeight]"), json!([800, 600]));
    assert_eq!(page.eval("1 + 1"), json!(2));
    assert_eq!(page.eval("Promise.resolve('已解决')"), json!("已解决"));
    assert_eq!(page.eval("undefined"), Value::Null);
    assert!(page.try_eval("null.x").unwrap_err().contains("TypeError"));
    let timeout = Duration::from_secs(5);
    page.wait_for("document.querySelector('#late')", timeout)
        .unwrap();
    assert!(page
        .wait_for("false", Duration::from_millis(50))
        .unwrap_err()
        .contains("timed out"));

    page.type_text("#q", "催收 sms");
    assert_eq!(
        page.eval("document.querySelector('#q').value"),
        json!("催收 sms")
    );
    page.press_key("Enter");
    page.wait_for(
        "document.querySelector('#out').textContent === 'loaded 3'",
        timeout,
    )
    .unwrap();
    assert_eq!(page.text("#out"), "loaded 3");
    page.click("#btn");
    assert_eq!(page.texts("button"), ["clicked"]);

    let transfers = page.transfers();
    let json_transfer = transfers
        .iter()
        .find(|t| t.url.ends_with("/data.json"))
        .expect("data.json was fetched");
    assert!(json_transfer.bytes >= 8, "{json_transfer:?}");
    assert!(page.bytes_transferred() as usize > page_html.len());
    assert!(page
        .js_errors()
        .iter()
        .any(|e| e == "console.error: oops 42"));

    let first = page
        .goto_timed(&server.url("/"), "document.querySelector('#late')", timeout)
        .unwrap();
    assert!(first >= Duration::from_millis(150), "{first:?}");
    assert!(first < timeout, "{first:?}");

    let script = dir.path().join("tool.js");
    std::fs::write(
        &script,
        "var kbTool = { twice: (n) => 2 * n };\n// no newline at the end",
    )
    .unwrap();
    page.add_script_file(&script);
    assert_eq!(page.eval("kbTool.twice(21)"), json!(42));
    page.set_color_scheme("dark");
    assert_eq!(
        page.eval("matchMedia('(prefers-color-scheme: dark)').matches"),
        json!(true)
    );
    page.set_media_features(&[("prefers-reduced-motion", "reduce")]);
    assert_eq!(
        page.eval(
            "[matchMedia('(prefers-color-scheme: dark)').matches, \
             matchMedia('(prefers-reduced-motion: reduce)').matches]"
        ),
        json!([false, true])
    );
    page.set_color_scheme("light");
    // Headless Chromium has no mouse, so `hover: none` holds without touch too; the pointer
    // is fine until a finger is emulated.
    let touch = "[matchMedia('(pointer: coarse)').matches, matchMedia('(hover: none)').matches]";
    assert_eq!(page.eval(touch)[0], json!(false));
    page.set_touch(true);
    assert_eq!(page.eval(touch), json!([true, true]));
    page.set_touch(false);
    assert_eq!(page.eval(touch)[0], json!(false));

    page.set_viewport(400, 300);
    assert_eq!(page.eval("innerWidth"), json!(400));
    let png = dir.path().join("shots/page.png");
    page.screenshot_png(&png);
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    // IHDR height: the whole 3000 px page, not just the 300 px viewport.
    let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    assert!(height > 3000, "screenshot height {height}");
    let top = dir.path().join("shots/top.png");
    page.screenshot_viewport_png(&top);
    let bytes = std::fs::read(&top).unwrap();
    assert_eq!(u32::from_be_bytes(bytes[20..24].try_into().unwrap()), 300);

    page.goto(&server.url("/sub"));
    assert_eq!(page.url(), server.url("/sub/"), "folder redirect");
    assert_eq!(page.text("p"), "sub");
    assert!(server.requests().iter().any(|r| r.url == "/data.json"));
}
