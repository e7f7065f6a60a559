//! Live reload: the script pages load under `serve`, the events it listens to, and one
//! server-sent-events stream per open page (a tokio channel from the serve loop to the
//! connection; `http.rs` sends it).

use bytes::Bytes;
use std::future::Future as _;
use std::task::{Context, Poll};
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
    let built = true;
    try { built = JSON.parse(e.data).built !== false; } catch (_) {}
    head.textContent = built
      ? 'kbgen: the last rebuild failed; this page is the last good build. ' +
        'Fix the file and save: the page reloads.'
      : 'kbgen: the site has not built yet, so there is nothing to show. ' +
        'Fix the error and save: kbgen is watching, builds it then, and this page reloads.';
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
    /// A failed build: its messages, one per diagnostic, already formatted; `built` says
    /// whether an earlier build succeeded (the pages shown are that build's).
    Error {
        messages: Vec<String>,
        built: bool,
    },
}

impl LiveEvent {
    /// The event in server-sent-events form. JSON keeps `data` on one line.
    pub fn render_sse(&self) -> String {
        let (name, data) = match self {
            LiveEvent::Reload => ("reload", "{}".to_string()),
            LiveEvent::Css => ("css", "{}".to_string()),
            LiveEvent::Error { messages, built } => (
                "error",
                serde_json::json!({ "messages": messages, "built": built }).to_string(),
            ),
        };
        format!("event: {name}\ndata: {data}\n\n")
    }
}

/// A page's stream that has not taken this many events off its queue has stopped reading:
/// the serve loop lets it go rather than queue without end.
const QUEUE: usize = 16;

/// The serve loop's end of one page's stream.
pub struct Listener(tokio::sync::mpsc::Sender<LiveEvent>);

/// The page went away (or stopped reading): drop its listener.
#[derive(Debug)]
pub struct Gone;

impl Listener {
    pub fn send(&self, event: LiveEvent) -> Result<(), Gone> {
        self.0.try_send(event).map_err(|_| Gone)
    }
}

/// The HTTP end of one page's stream: the text to send, in order. Holds its slot under the
/// stream cap until the page goes away.
pub struct Stream {
    events: tokio::sync::mpsc::Receiver<LiveEvent>,
    greeted: bool,
    keep_alive: std::pin::Pin<Box<tokio::time::Sleep>>,
    _slot: tokio::sync::OwnedSemaphorePermit,
}

/// A new stream for one page; `slot` is its place under the stream cap.
pub fn channel(slot: tokio::sync::OwnedSemaphorePermit) -> (Listener, Stream) {
    let (tx, rx) = tokio::sync::mpsc::channel(QUEUE);
    let stream = Stream {
        events: rx,
        greeted: false,
        keep_alive: Box::pin(tokio::time::sleep(KEEP_ALIVE)),
        _slot: slot,
    };
    (Listener(tx), stream)
}

impl Stream {
    /// The next piece of the stream; None once the serve loop dropped the listener.
    pub fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Bytes>> {
        if !self.greeted {
            self.greeted = true;
            // A short retry: after a restart of `kbgen serve` pages reconnect quickly.
            return Poll::Ready(Some(Bytes::from_static(b"retry: 500\n: connected\n\n")));
        }
        match self.events.poll_recv(cx) {
            Poll::Ready(Some(event)) => return Poll::Ready(Some(Bytes::from(event.render_sse()))),
            Poll::Ready(None) => return Poll::Ready(None),
            Poll::Pending => {}
        }
        if self.keep_alive.as_mut().poll(cx).is_ready() {
            let next = tokio::time::Instant::now() + KEEP_ALIVE;
            self.keep_alive.as_mut().reset(next);
            return Poll::Ready(Some(Bytes::from_static(b": keep-alive\n\n")));
        }
        Poll::Pending
    }
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
        let e = LiveEvent::Error {
            messages: vec!["error: a.md:1:2: bad\n    | <b>".into()],
            built: false,
        };
        assert_eq!(
            e.render_sse(),
            "event: error\ndata: {\"built\":false,\"messages\":[\"error: a.md:1:2: bad\\n    | <b>\"]}\n\n"
        );
    }
}
