//! Live reload: the script pages load under `serve`, the events it listens to, and one
//! server-sent-events stream per open page.

use std::io::Write;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;

/// A comment line this often keeps proxies and idle timeouts from closing the stream, and lets
/// the server notice a page that went away.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Served at `/__kbgen/live.js`. The error overlay is filled with `textContent`, so messages are
/// shown as text, never parsed as HTML. The `error` listener ignores the browser's own `error`
/// events (a dropped connection), which carry no data.
pub const SCRIPT: &str = r#"(() => {
  const es = new EventSource('/__kbgen/events');
  es.addEventListener('reload', () => location.reload());
  es.addEventListener('css', () => {
    const stamp = String(Date.now());
    for (const link of document.querySelectorAll('link[rel~="stylesheet"]')) {
      const url = new URL(link.href, location.href);
      if (url.origin !== location.origin) continue;
      url.searchParams.set('kbgen-reload', stamp);
      link.href = url.href;
    }
  });
  es.addEventListener('error', (e) => {
    if (typeof e.data !== 'string') return;
    let messages;
    try { messages = JSON.parse(e.data).messages; } catch (_) { messages = [e.data]; }
    const old = document.getElementById('kbgen-error-overlay');
    if (old) old.remove();
    const box = document.createElement('div');
    box.id = 'kbgen-error-overlay';
    box.setAttribute('role', 'alert');
    box.style.cssText = 'position:fixed;inset:0;z-index:2147483647;overflow:auto;' +
      'background:rgba(20,20,20,.92);color:#fff;padding:2rem;font:14px/1.5 ui-monospace,monospace';
    const head = document.createElement('p');
    head.style.cssText = 'margin:0 0 1rem;font-weight:bold;color:#ff8a80';
    head.textContent = 'kbgen: the last rebuild failed; this page is the last good build. ' +
      'Fix the file and save: the page reloads.';
    const pre = document.createElement('pre');
    pre.style.cssText = 'white-space:pre-wrap;margin:0';
    pre.textContent = messages.join('\n\n');
    const close = document.createElement('button');
    close.type = 'button';
    close.textContent = 'Hide';
    close.style.cssText = 'position:absolute;top:1rem;right:1rem';
    close.addEventListener('click', () => box.remove());
    box.append(close, head, pre);
    document.body.append(box);
  });
})();
"#;

/// What the serve loop tells open pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveEvent {
    Reload,
    Css,
    /// The failed build's messages, one per diagnostic, already formatted.
    Error(Vec<String>),
}

impl LiveEvent {
    /// The event in server-sent-events form. JSON keeps `data` on one line.
    pub fn render_sse(&self) -> String {
        let (name, data) = match self {
            LiveEvent::Reload => ("reload", "{}".to_string()),
            LiveEvent::Css => ("css", "{}".to_string()),
            LiveEvent::Error(messages) => (
                "error",
                serde_json::json!({ "messages": messages }).to_string(),
            ),
        };
        format!("event: {name}\ndata: {data}\n\n")
    }
}

/// The response head of an event stream, written by hand because the stream outlives the
/// request handler.
pub const STREAM_HEAD: &str = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nCache-Control: no-store\r\nConnection: close\r\nX-Content-Type-Options: nosniff\r\n\r\n";

/// Feeds one page's stream until the page goes away or the serve loop drops the channel.
pub fn run_stream(mut out: Box<dyn Write + Send>, events: Receiver<LiveEvent>) {
    // A short retry: after a restart of `kbgen serve` pages reconnect quickly.
    if write_flush(&mut out, "retry: 500\n: connected\n\n").is_err() {
        return;
    }
    loop {
        let text = match events.recv_timeout(KEEP_ALIVE) {
            Ok(event) => event.render_sse(),
            Err(RecvTimeoutError::Timeout) => ": keep-alive\n\n".to_string(),
            Err(RecvTimeoutError::Disconnected) => return,
        };
        if write_flush(&mut out, &text).is_err() {
            // The page closed; dropping the receiver tells the serve loop on its next send.
            return;
        }
    }
}

fn write_flush(out: &mut dyn Write, text: &str) -> std::io::Result<()> {
    out.write_all(text.as_bytes())?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_render_as_single_data_lines() {
        assert_eq!(
            LiveEvent::Reload.render_sse(),
            "event: reload\ndata: {}\n\n"
        );
        assert_eq!(LiveEvent::Css.render_sse(), "event: css\ndata: {}\n\n");
        let e = LiveEvent::Error(vec!["error: a.md:1:2: bad\n    | <b>".into()]);
        assert_eq!(
            e.render_sse(),
            "event: error\ndata: {\"messages\":[\"error: a.md:1:2: bad\\n    | <b>\"]}\n\n"
        );
    }
}
