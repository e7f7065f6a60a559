//! The `kbgen` command: parse arguments, call the library, map the result to an exit status.

use clap::Parser;
use kbgen::cli::{Cli, Command, ThemeAction};
use kbgen::diagnostic::Diagnostic;
use kbgen::{BuildOptions, Built, Failure};
use std::io::{IsTerminal as _, Write};
use std::process::ExitCode;

/// Building a site allocates millions of small strings and values (page views, Tera's
/// context, postings) from two threads; mimalloc does that markedly faster than glibc.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc keeps freed memory for reuse for a while (10 ms by default); a build frees whole
/// stages at once, and peak memory is part of the performance budget. Returning it at once
/// (0 ms) made the kernel clear every page again when the next stage took it: a third of a
/// 10,000-article build's time went to system time. 25 ms keeps the peak where 0 ms had it
/// (458–464 MB against 450–458) and builds in 3.35–3.64 s instead of 4.39–4.43 s (same
/// session, interleaved).
///
/// Indices of `mi_option_e` in the bundled mimalloc v3 (libmimalloc-sys 0.1.49, pinned in
/// Cargo.lock; the v2 indices of the first two are the same).
fn tune_allocator() {
    const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
    // SAFETY: setting an option is a plain store that mimalloc reads when it next purges.
    unsafe {
        libmimalloc_sys::mi_option_set(ARENA_EAGER_COMMIT, 0);
    }
    set_purge_delay(25);
}

/// How long mimalloc keeps freed memory before it returns it to the system, in ms.
fn set_purge_delay(ms: std::ffi::c_long) {
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    // SAFETY: a plain store that mimalloc reads when it next purges. mimalloc calls
    // `mi_option_set` not thread safe: it is called before kbgen starts any thread.
    unsafe {
        libmimalloc_sys::mi_option_set(PURGE_DELAY, ms);
    }
}

/// `serve`'s purge delay (see `set_purge_delay`).
const PURGE_SERVE_MS: std::ffi::c_long = 1000;

fn main() -> ExitCode {
    tune_allocator();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            let chain: Vec<String> = e.chain().map(|c| c.to_string()).collect();
            eprintln!("error: {}", chain.join(": "));
            ExitCode::from(2)
        }
    }
}

fn report(diags: &[Diagnostic]) {
    // Stderr is unbuffered: a site with 40,000 warnings would make a write call per piece of
    // each line. Buffered, they go out in large writes (and all before the summary line).
    let mut err = std::io::BufWriter::with_capacity(1 << 16, std::io::stderr().lock());
    for d in diags {
        // A closed stderr is not worth failing over.
        let _ = writeln!(err, "{d}");
    }
    let _ = err.flush();
}

/// Prints a failure's problems; returns "N error(s)".
fn report_errors(diags: &[Diagnostic]) -> String {
    report(diags);
    let n = diags.iter().filter(|d| d.is_error()).count();
    format!("{n} error{}", if n == 1 { "" } else { "s" })
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Init { dir } => match kbgen::init::init_site(&dir)? {
            Ok(files) => {
                let mut err = std::io::stderr().lock();
                for f in &files {
                    let _ = writeln!(err, "created {}", f.display());
                }
                let root = if dir == std::path::Path::new(".") {
                    String::new()
                } else {
                    format!(" --root {}", dir.display())
                };
                let _ = writeln!(
                    err,
                    "a new site in {}; preview it with `kbgen serve{root}`, check it with \
                     `kbgen check{root}`, add an article with `kbgen new{root} guides/SLUG`",
                    dir.display()
                );
                Ok(ExitCode::SUCCESS)
            }
            Err(msg) => {
                eprintln!("error: {msg}");
                Ok(ExitCode::from(2))
            }
        },
        Command::Build {
            root,
            output,
            base_url,
            drafts,
            portable,
            force,
        } => {
            let opts = BuildOptions {
                root,
                output,
                base_url,
                drafts,
                portable,
                live_reload: false,
                progress: std::io::stderr().is_terminal(),
                force,
            };
            match kbgen::build(&opts) {
                Ok(Built {
                    warnings,
                    summary,
                    output,
                }) => {
                    report(&warnings);
                    let _ = writeln!(std::io::stderr(), "{summary} → {}", output.display());
                    Ok(ExitCode::SUCCESS)
                }
                Err(Failure::Content(diags)) => {
                    let n = report_errors(&diags);
                    eprintln!("build failed with {n}; the previous output was left as it was");
                    Ok(ExitCode::from(1))
                }
                Err(Failure::Plumbing(e)) => Err(e),
            }
        }
        Command::Check { root, review } => {
            let opts = BuildOptions {
                root,
                ..Default::default()
            };
            match kbgen::check_and_review(&opts) {
                Ok((warnings, table)) => {
                    report(&warnings);
                    eprintln!(
                        "check passed ({} warning{})",
                        warnings.len(),
                        if warnings.len() == 1 { "" } else { "s" }
                    );
                    if review {
                        print!("{table}");
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(Failure::Content(diags)) => {
                    let n = report_errors(&diags);
                    eprintln!("check found {n}");
                    Ok(ExitCode::from(1))
                }
                Err(Failure::Plumbing(e)) => Err(e),
            }
        }
        Command::Serve {
            root,
            bind,
            port,
            open,
        } => {
            // A rebuild frees what its stages made within a few hundred ms, and the next one
            // makes as much again: keeping the memory between stages and edits spares the
            // kernel clearing every page anew (1 s, then it goes back while serve waits).
            set_purge_delay(PURGE_SERVE_MS);
            // Returns only on a plumbing failure (port in use, cannot watch): exit status 2.
            kbgen::serve::serve(kbgen::serve::ServeOptions {
                root,
                bind,
                port,
                open,
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Theme {
            action: ThemeAction::Eject { root },
        } => match kbgen::eject_theme(&root)? {
            Ok(files) => {
                let mut err = std::io::stderr().lock();
                for f in &files {
                    let _ = writeln!(err, "created {}", root.join(f).display());
                }
                let _ = writeln!(
                    err,
                    "the default theme is in {}: edit any file there (delete one to use the built-in file again)",
                    root.join("themes/default").display()
                );
                Ok(ExitCode::SUCCESS)
            }
            Err(msg) => {
                eprintln!("error: {msg}");
                Ok(ExitCode::from(2))
            }
        },
        Command::New { root, path, title } => {
            match kbgen::new_article(&root, &path, title.as_deref())? {
                Ok(file) => {
                    eprintln!("created {}", file.display());
                    Ok(ExitCode::SUCCESS)
                }
                Err(msg) => {
                    eprintln!("error: {msg}");
                    Ok(ExitCode::from(2))
                }
            }
        }
    }
}
