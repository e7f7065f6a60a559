//! Faults injected for tests, in debug builds only: the integration tests run the debug
//! binary with `KBGEN_FAULT` set to make a write fail as on a full disk, stop a build in the
//! middle of writing, or delete a file between the walk of `content/` and its read. Release
//! builds compile every hook to nothing.
//!
//! `KBGEN_FAULT` holds `;`-separated faults:
//! - `disk-full-after=N`: every write after the first N fails with "No space left on device";
//! - `pause-after=N`: after N writes, print `fault: paused` on stderr and sleep (the test
//!   kills the process);
//! - `delete-before-read=REL`: remove `content/REL` just before it is read.

#[cfg(debug_assertions)]
mod hooks {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::OnceLock;

    #[derive(Default)]
    struct Faults {
        disk_full_after: Option<usize>,
        pause_after: Option<usize>,
        delete_before_read: Option<String>,
    }

    fn faults() -> &'static Faults {
        static FAULTS: OnceLock<Faults> = OnceLock::new();
        FAULTS.get_or_init(|| {
            let mut f = Faults::default();
            let spec = std::env::var("KBGEN_FAULT").unwrap_or_default();
            for item in spec.split(';').filter(|s| !s.is_empty()) {
                let (key, value) = item.split_once('=').unwrap_or((item, ""));
                match key {
                    "disk-full-after" => f.disk_full_after = value.parse().ok(),
                    "pause-after" => f.pause_after = value.parse().ok(),
                    "delete-before-read" => f.delete_before_read = Some(value.to_string()),
                    _ => {}
                }
            }
            f
        })
    }

    static WRITES: AtomicUsize = AtomicUsize::new(0);

    pub(crate) fn before_write() -> std::io::Result<()> {
        let f = faults();
        if f.disk_full_after.is_none() && f.pause_after.is_none() {
            return Ok(());
        }
        let n = WRITES.fetch_add(1, Ordering::SeqCst);
        if f.pause_after == Some(n) {
            eprintln!("fault: paused");
            loop {
                std::thread::sleep(std::time::Duration::from_secs(1));
            }
        }
        match f.disk_full_after {
            Some(limit) if n >= limit => Err(std::io::Error::from_raw_os_error(28)),
            _ => Ok(()),
        }
    }

    pub(crate) fn before_read(content_dir: &std::path::Path, rel: &str) {
        if faults().delete_before_read.as_deref() == Some(rel) {
            let _ = std::fs::remove_file(content_dir.join(rel));
        }
    }
}

#[cfg(not(debug_assertions))]
mod hooks {
    #[inline(always)]
    pub(crate) fn before_write() -> std::io::Result<()> {
        Ok(())
    }

    #[inline(always)]
    pub(crate) fn before_read(_content_dir: &std::path::Path, _rel: &str) {}
}

pub(crate) use hooks::{before_read, before_write};
