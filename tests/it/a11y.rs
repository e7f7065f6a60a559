//! Accessibility of the bundled site in headless Chromium (issue 11): axe-core finds no
//! violation on the home, an article, a section, a term, the FAQ, the 404 and the search page
//! (with the header's search popup open and showing results), at 1280 and 390 px, in the
//! light and the dark colour scheme, none of them wider than the window; and the keyboard
//! reaches every control with a visible focus.
//!
//! axe-core is `$KBGEN_AXE` (a path to axe.min.js) or `node_modules/axe-core/axe.min.js`
//! (`.ci/run` installs it with npm). Without it, or without Chromium, the tests print
//! SKIPPED; with `KBGEN_REQUIRE_BROWSER=1` that is a failure.
//!
//! `KBGEN_SCREENSHOTS=DIR` also saves PNGs of each page (whole, and what the window shows) at
//! both widths and in both schemes there.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;
use tempfile::TempDir;

use crate::support::browser::{browser, Browser, Page};
use crate::support::server::StaticServer;

const WAIT: Duration = Duration::from_secs(15);

/// (name, URL path) of the pages checked; the search page opens the popup too.
const PAGES: [(&str, &str); 11] = [
    ("home", "/"),
    ("article", "/collection/seven-day-sms/"),
    ("section", "/collection/"),
    ("term", "/tags/%E5%82%AC%E6%94%B6/"),
    ("faq", "/faq/"),
    ("browse", "/browse/"),
    (
        "browse-cell",
        "/browse/%E6%B0%91%E6%B3%95%E5%85%B8/%E6%8A%95%E8%AF%89/",
    ),
    ("404", "/404.html"),
    ("search", "/search/?q=%E5%82%AC%E6%94%B6%E7%9F%AD%E4%BF%A1"),
    // 催收, filtered to the remedy 投诉 (the filter chips open).
    (
        "search-filtered",
        "/search/?q=%E5%82%AC%E6%94%B6&remedy_type=%E6%8A%95%E8%AF%89",
    ),
    // 火星探测催收: nothing matches, the suggestions show.
    (
        "search-empty",
        "/search/?q=%E7%81%AB%E6%98%9F%E6%8E%A2%E6%B5%8B%E5%82%AC%E6%94%B6",
    ),
];

const WIDTHS: [u32; 2] = [1280, 390];

/// Pages checked at the same time.
const THREADS: usize = 2;

/// Tab stops walked per page at most: the header, section nav and breadcrumbs take about
/// 15, the rest reaches well into each page's own controls (TOC, tags, FAQ filter and
/// chips, cards). A key press costs two CDP round trips of ~100 ms (headless_chrome's
/// socket reader holds the lock it writes through for its 100 ms read timeout).
const MAX_TABS: u64 = 30;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The bundled site built into a temp folder (base URL `/`).
fn build_bundled() -> (TempDir, PathBuf) {
    crate::support::site::build_bundled(&[])
}

/// axe.min.js, or `None` after a loud SKIPPED line (a failure under KBGEN_REQUIRE_BROWSER=1).
fn axe_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("KBGEN_AXE").filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        assert!(path.is_file(), "KBGEN_AXE={} is not a file", path.display());
        return Some(path);
    }
    let path = repo().join("node_modules/axe-core/axe.min.js");
    if path.is_file() {
        return Some(path);
    }
    assert!(
        std::env::var("KBGEN_REQUIRE_BROWSER").as_deref() != Ok("1"),
        "KBGEN_REQUIRE_BROWSER=1 but no axe-core: `npm install --no-save axe-core` \
         (as .ci/run does), or set KBGEN_AXE"
    );
    let test = std::thread::current()
        .name()
        .unwrap_or("<unnamed test>")
        .to_string();
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED (no axe-core): {test} — `npm install --no-save axe-core` or set KBGEN_AXE; \
         KBGEN_REQUIRE_BROWSER=1 makes this a failure"
    );
    None
}

/// Loads `path` and waits until the page is ready to judge: for the search page, its results
/// and then the header popup opened on a typed query.
fn open(page: &Page, server: &StaticServer, name: &str, path: &str) {
    page.goto(&server.url(path));
    if name == "search" {
        page.wait_for("document.body.dataset.searchState === 'done'", WAIT)
            .expect("the search page shows its results");
        page.wait_for("document.querySelector('#search-results li')", WAIT)
            .expect("the search page found something");
        // The query arrives in one input event: typed a key at a time on a loaded machine,
        // the popup of `催` could open, take the ArrowDown below, and then be replaced by
        // the popup of `催收`, which starts with nothing selected (seen in full-suite runs).
        page.eval(
            "(() => { const i = document.querySelector('#site-search-input'); i.focus(); \
             i.value = '催收'; i.dispatchEvent(new Event('input', { bubbles: true })); })()",
        );
        page.wait_for(
            "!document.querySelector('#site-search-popup').hidden && \
             document.querySelectorAll('#site-search-popup [role=option]').length > 1",
            WAIT,
        )
        .expect("the header popup opens with results");
        page.press_key("ArrowDown");
        page.wait_for(
            "document.querySelector('#site-search-input').getAttribute('aria-activedescendant')",
            WAIT,
        )
        .expect("ArrowDown selects the first option");
    }
    settle_search(page, name);
}

/// Waits until a search page showed what loads after it: the results, and the filter
/// chips or suggestions of the filtered and empty pages.
fn settle_search(page: &Page, name: &str) {
    if !name.starts_with("search") {
        return;
    }
    page.wait_for("document.body.dataset.searchState === 'done'", WAIT)
        .expect("the search page is done");
    if name == "search-filtered" {
        page.wait_for(
            "document.querySelector('#search-filters[open] button[aria-pressed=true]') && \
             document.querySelector('#search-results li')",
            WAIT,
        )
        .expect("the filter from the address is applied and shown");
    }
    if name == "search-empty" {
        page.wait_for("!document.getElementById('search-suggest').hidden", WAIT)
            .expect("the empty state shows suggestions");
    }
}

/// axe's violations on the page (axe-core injected) as readable lines (rule, impact, what it asks, and each
/// offending node with axe's summary).
fn axe_violations(page: &Page) -> Vec<String> {
    let result = page.eval(
        "axe.run(document, { resultTypes: ['violations'] }).then(r => r.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({ target: n.target.join(' '), summary: n.failureSummary,
                                       html: n.html.slice(0, 160) })),
        })))",
    );
    let Value::Array(violations) = result else {
        panic!("axe.run returned {result}");
    };
    let mut out = Vec::new();
    for v in violations {
        let nodes = v["nodes"].as_array().cloned().unwrap_or_default();
        out.push(format!(
            "{} ({}): {} — {} node(s)",
            v["id"].as_str().unwrap_or("?"),
            v["impact"].as_str().unwrap_or("?"),
            v["help"].as_str().unwrap_or("?"),
            nodes.len()
        ));
        for n in nodes.iter().take(5) {
            out.push(format!(
                "    {} {} | {}",
                n["target"].as_str().unwrap_or("?"),
                n["html"].as_str().unwrap_or(""),
                n["summary"].as_str().unwrap_or("").replace('\n', " ")
            ));
        }
    }
    out
}

#[test]
fn axe_finds_no_violation_on_the_bundled_site() {
    let Some(axe) = axe_path() else { return };
    let (_dir, out) = build_bundled();
    let Some(b) = browser() else { return };
    let server = StaticServer::start(&out);
    let shots = std::env::var_os("KBGEN_SCREENSHOTS").map(PathBuf::from);
    let jobs: Vec<(&str, &str, u32)> = PAGES
        .iter()
        .flat_map(|&(name, path)| WIDTHS.iter().map(move |&w| (name, path, w)))
        .collect();
    let problems = in_parallel(&jobs, |&(name, path, width)| {
        let mut problems = Vec::new();
        let page = b.page(width, 900);
        open(&page, &server, name, path);
        // The header (site name, menus, FAQ link, search) wraps rather than widen the page.
        let wide = page.eval("document.documentElement.scrollWidth - innerWidth");
        // (Negative when a vertical scroll bar takes its width from the window.)
        if wide.as_i64().is_none_or(|w| w > 0) {
            problems.push(format!(
                "{name} {width}px: the page is {wide} px wider than the window"
            ));
        }
        page.add_script_file(&axe);
        // The same page in both schemes: the switch restyles it in place.
        for scheme in ["light", "dark"] {
            page.set_color_scheme(scheme);
            for v in axe_violations(&page) {
                problems.push(format!("{name} {width}px {scheme}: {v}"));
            }
            if let Some(dir) = &shots {
                page.screenshot_png(&dir.join(format!("{name}-{width}-{scheme}.png")));
                page.screenshot_viewport_png(&dir.join(format!("{name}-{width}-{scheme}-top.png")));
            }
        }
        let errors = page.js_errors();
        assert!(errors.is_empty(), "{name}: {errors:?}");
        problems
    })
    .concat();
    assert!(
        problems.is_empty(),
        "axe-core found violations:\n{}",
        problems.join("\n")
    );
}

/// Tab from the top of each page reaches the skip link first (shown on focus; Enter moves
/// focus into <main>), then the header, section nav, breadcrumbs and the page's first
/// controls in turn (MAX_TABS stops), each with a visible focus ring (an outline of 2 px at
/// least) inside the viewport; and every other focusable element of the page (all of the
/// FAQ index's 300-odd) shows that ring when focused as from the keyboard.
#[test]
fn the_keyboard_reaches_every_control_with_a_visible_focus() {
    let (_dir, out) = build_bundled();
    let Some(b) = browser() else { return };
    let server = StaticServer::start(&out);
    // The focus ring is the same at every width; the narrow layout (wrapped header,
    // scrolling section nav, the same on every page) is walked on the home page.
    let jobs: Vec<(&str, &str, u32)> = PAGES
        .iter()
        .flat_map(|&(name, path)| {
            let widths: &[u32] = if name == "home" {
                &WIDTHS
            } else {
                &WIDTHS[..1]
            };
            widths.iter().map(move |&w| (name, path, w))
        })
        .collect();
    let results = in_parallel(&jobs, |&(name, path, width)| {
        walk_keyboard(&b, &server, name, path, width)
    });
    let (problems, walked): (Vec<Vec<String>>, Vec<String>) = results.into_iter().unzip();
    let problems: Vec<String> = problems.concat();
    assert!(
        problems.is_empty(),
        "keyboard problems:\n  {}\n(walked: {})",
        problems.join("\n  "),
        walked.join("; ")
    );
}

/// Runs `f` over `jobs` on a few threads (each with its own tab: a CDP round trip is mostly
/// waiting, see MAX_TABS), results in the order of `jobs`.
fn in_parallel<J: Sync, R: Send>(jobs: &[J], f: impl Fn(&J) -> R + Sync) -> Vec<R> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<std::sync::Mutex<Option<R>>> =
        jobs.iter().map(|_| std::sync::Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..THREADS.min(jobs.len()) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let Some(job) = jobs.get(i) else { return };
                let r = f(job);
                *results[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
            });
        }
    });
    results
        .into_iter()
        .map(|r| {
            r.into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .expect("every job ran")
        })
        .collect()
}

/// One page at one width: the problems found and what was walked.
fn walk_keyboard(
    b: &Browser,
    server: &StaticServer,
    name: &str,
    path: &str,
    width: u32,
) -> (Vec<String>, String) {
    let mut problems = Vec::new();
    let place = format!("{name} {width}px");
    let page = b.page(width, 900);
    // Focus scrolls at once, not smoothly (a reader's own setting, which the theme honours),
    // so that each stop can be judged where it lands.
    page.set_media_features(&[("prefers-reduced-motion", "reduce")]);
    // A fresh load: Tab starts at the top of the document. The search page's results are
    // focusable too: count once they are shown (the index loads after the page).
    page.goto(&server.url(path));
    settle_search(&page, name);
    page.eval(FOCUS_JS);
    let focusable = page
        .eval("kbFocusables().length")
        .as_u64()
        .expect("a count of focusable elements");
    let tabs = focusable.min(MAX_TABS);
    // Judged once each Tab's key events are through (focus moved, scrolled into view).
    let mut stops = Vec::new();
    for _ in 0..tabs {
        page.press_key("Tab");
        match page.eval("kbActive()") {
            Value::Null => break, // past the last control
            state => stops.push(state),
        }
    }
    if stops.first().map(|s| &s["skip"]) != Some(&Value::Bool(true)) {
        problems.push(format!(
            "{place}: the first Tab focuses {}, not the skip link",
            stops.first().map_or(Value::Null, |s| s["what"].clone())
        ));
    }
    for state in &stops {
        judge(&mut problems, &format!("{place} (Tab)"), state);
    }
    if (stops.len() as u64) < tabs {
        problems.push(format!(
            "{place}: {tabs} Tabs reached {} elements",
            stops.len()
        ));
    }
    let walked = format!("{place}: {} Tab stops of {focusable}", stops.len());
    if width != WIDTHS[0] {
        return (problems, walked);
    }
    // Every focusable element, focused as from the keyboard (focusVisible).
    let Value::Array(all) = page.eval("kbFocusEach()") else {
        panic!("{place}: kbFocusEach returned no list");
    };
    assert_eq!(all.len() as u64, focusable, "{place}");
    for state in &all {
        judge(&mut problems, &format!("{place} (focus)"), state);
    }
    // The skip link leads into <main> (the same markup on every page).
    page.goto(&server.url(path));
    page.press_key("Tab");
    page.press_key("Enter");
    if page
        .wait_for(
            "document.activeElement && document.activeElement.id === 'main'",
            Duration::from_secs(3),
        )
        .is_err()
    {
        problems.push(format!(
            "{place}: Enter on the skip link does not move focus to <main>"
        ));
    }
    (problems, walked)
}

/// A focused element's problems: no visible ring, or outside the viewport.
fn judge(problems: &mut Vec<String>, place: &str, state: &Value) {
    if state["ring"] != Value::Bool(true) {
        problems.push(format!(
            "{place}: no visible focus ring on {} ({})",
            state["what"], state["style"]
        ));
    }
    if state["inView"] != Value::Bool(true) {
        problems.push(format!(
            "{place}: focused {} is outside the viewport ({})",
            state["what"], state["rect"]
        ));
    }
}

/// Page helpers for the keyboard test: `kbFocusables()` (what Tab should stop at: visible
/// links, buttons, fields and summaries, not inside a closed <details>, not tabindex=-1),
/// `kbState(el)` (a description; whether its focus ring is visible — an outline of 2 px or
/// more, or a box-shadow; whether it is the skip link), `kbView(el)` (whether it is inside
/// the viewport), `kbActive()` (both for what has focus, or null) and `kbFocusEach()`
/// (focus each focusable element as the keyboard would, `focusVisible`, and return their
/// states).
const FOCUS_JS: &str = r#"
window.kbFocusables = () => Array.from(
  document.querySelectorAll('a[href], button, input, select, textarea, summary, [tabindex]')
).filter(el => {
  if (el.tabIndex < 0 || el.disabled) return false;
  if (!el.checkVisibility({ visibilityProperty: true })) return false;
  const closed = el.closest('details:not([open])');
  return !closed || (el.tagName === 'SUMMARY' && el.parentElement === closed);
});
window.kbState = (el) => {
  const cs = getComputedStyle(el);
  const width = parseFloat(cs.outlineWidth) || 0;
  const ring = (cs.outlineStyle !== 'none' && width >= 2) || cs.boxShadow !== 'none';
  const what = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' "'
    + (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 30) + '"';
  return {
    what, ring,
    style: cs.outlineStyle + ' ' + cs.outlineWidth + ' ' + cs.outlineColor,
    skip: el.classList.contains('skip-link'),
  };
};
window.kbView = (el) => {
  const r = el.getBoundingClientRect();
  const inView = r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0
    && r.top < innerHeight && r.left < innerWidth;
  return { inView, rect: [r.left, r.top, r.width, r.height].map(Math.round).join(',') };
};
window.kbActive = () => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  return Object.assign(kbState(el), kbView(el));
};
window.kbFocusEach = () => kbFocusables().map(el => {
  el.focus({ focusVisible: true });
  const state = Object.assign(kbState(el), kbView(el));
  if (!el.matches(':focus-visible')) {
    state.ring = false;
    state.style += ' (not :focus-visible after focus({focusVisible: true}))';
  }
  el.blur();
  return state;
});
"#;
