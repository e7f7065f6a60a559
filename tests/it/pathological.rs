//! Pathological input: each case builds in bounded time and memory, or fails with a clear
//! error naming the file (limits a site can raise in kbgen.yaml). The test prints a table of
//! time and peak memory per case; it asserts outcomes, never speed. A case that runs past
//! `HANG` is killed and fails as a hang.
//!
//! `KBGEN_PATHOLOGICAL_FULL=1` adds the 50 MB article built with its limit raised (slow in a
//! debug build; run with `cargo test --release --test it pathological -- --nocapture` for
//! the figures).

use crate::support::site::copy_fixture;
use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const HANG: Duration = Duration::from_secs(300);

/// What a case must end in.
enum Expect {
    Builds,
    Fails(&'static str),
}

struct Case {
    name: &'static str,
    /// Made when the case runs, so the test holds one case's input at a time.
    files: Box<dyn Fn() -> Vec<(String, Vec<u8>)>>,
    config_extra: &'static str,
    expect: Expect,
}

fn front(title: &str) -> String {
    format!("---\ntitle: {title}\n---\n\n")
}

fn text(s: String) -> Vec<u8> {
    s.into_bytes()
}

fn cases() -> Vec<Case> {
    let paragraph = || format!("{}\n\n", "催收短信的处理步骤很重要。".repeat(40));
    let mut out = vec![
        Case {
            name: "50 MB article (default limit)",
            files: Box::new(move || {
                vec![(
                    "content/debt/big.md".into(),
                    text(front("大") + &paragraph().repeat(43_000)),
                )]
            }),
            config_extra: "",
            expect: Expect::Fails("larger than an article may be"),
        },
        Case {
            name: "100,000-line file",
            files: Box::new(move || {
                vec![(
                    "content/debt/lines.md".into(),
                    text(
                        front("行")
                            + &(0..100_000)
                                .map(|i| format!("第{i}行文字\n"))
                                .collect::<String>(),
                    ),
                )]
            }),
            config_extra: "",
            expect: Expect::Builds,
        },
        Case {
            name: "lists nested 10,000 deep",
            files: Box::new(move || {
                vec![(
                    "content/debt/nest.md".into(),
                    // `- - - 项` opens one list inside the other: 10,000 deep on one line.
                    text(front("嵌套") + &"- ".repeat(10_000) + "项\n"),
                )]
            }),
            config_extra: "",
            expect: Expect::Builds,
        },
        Case {
            name: "block quotes nested 10,000 deep",
            files: Box::new(move || {
                vec![(
                    "content/debt/quote.md".into(),
                    text(front("引用") + &">".repeat(10_000) + " 引用\n"),
                )]
            }),
            config_extra: "",
            expect: Expect::Builds,
        },
        Case {
            name: "raw HTML nested 100,000 deep, never closed",
            files: Box::new(move || {
                vec![(
                    "content/debt/raw-nest.md".into(),
                    text(front("原始嵌套") + "<div>\n" + &"<div><span><b>".repeat(33_000) + "深\n"),
                )]
            }),
            config_extra: "",
            expect: Expect::Builds,
        },
        Case {
            name: "lists nested 10,000 deep around raw HTML",
            files: Box::new(move || {
                vec![(
                    "content/debt/raw-list.md".into(),
                    text(front("嵌套原始") + &"- ".repeat(10_000) + "<kbd>项</kbd> <div>\n"),
                )]
            }),
            config_extra: "",
            expect: Expect::Builds,
        },
        Case {
            name: "20,000 raw HTML blocks, each left open",
            files: Box::new(move || {
                vec![(
                    "content/debt/raw-open.md".into(),
                    text(
                        front("原始未闭合")
                            + &(0..20_000)
                                .map(|i| {
                                    format!(
                                        "<details><summary>{i}</summary>\n\n段落{i} <kbd>键\n\n"
                                    )
                                })
                                .collect::<String>(),
                    ),
                )]
            }),
            config_extra: "",
            expect: Expect::Builds,
        },
        Case {
            name: "a 60 KB highlighted JSON line, and 5,000 highlighted blocks",
            files: Box::new(move || {
                let line = format!("{{\"a\": [{}0]}}", "\"字\", 1.5, ".repeat(4_500));
                vec![(
                    "content/debt/code.md".into(),
                    text(
                        front("代码")
                            + &format!("```json\n{line}\n```\n\n")
                            + &"```json\n{\"k\": [1, 2, \"v\"]}\n```\n\n".repeat(5_000),
                    ),
                )]
            }),
            config_extra: "",
            expect: Expect::Builds,
        },
        Case {
            name: "10,000 terms in one article",
            files: Box::new(move || {
                vec![(
                    "content/debt/terms.md".into(),
                    text(format!(
                        "---\ntitle: 术语\ntags: [{}]\n---\n\n正文\n",
                        (0..10_000)
                            .map(|i| format!("词{i}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                )]
            }),
            config_extra: "",
            expect: Expect::Builds,
        },
        Case {
            name: "100,000 links in one file",
            files: Box::new(move || {
                vec![(
                    "content/debt/links.md".into(),
                    text(
                        front("链接")
                            + &(0..100_000)
                                .map(|i| format!("[链接{i}](sms.md) "))
                                .collect::<String>(),
                    ),
                )]
            }),
            config_extra: "",
            expect: Expect::Builds,
        },
        Case {
            name: "100,000 broken links in one file",
            files: Box::new(move || {
                vec![(
                    "content/debt/links.md".into(),
                    text(
                        front("坏链接")
                            + &(0..100_000)
                                .map(|i| format!("[链接{i}](missing{i}.md) "))
                                .collect::<String>(),
                    ),
                )]
            }),
            config_extra: "",
            expect: Expect::Fails("99900 more problems in this file not shown"),
        },
        Case {
            name: "10,000 headings ending in ？",
            files: Box::new(move || {
                vec![(
                    "content/debt/q.md".into(),
                    text(
                        front("问题")
                            + &(0..10_000)
                                .map(|i| format!("## 问题{i}怎么办？\n\n回答{i}。\n\n"))
                                .collect::<String>(),
                    ),
                )]
            }),
            config_extra: "",
            expect: Expect::Builds,
        },
        Case {
            name: "10,000 identical ？ headings",
            files: Box::new(move || {
                vec![(
                    "content/debt/q.md".into(),
                    text(
                        front("同一问题")
                            + &(0..10_000)
                                .map(|i| format!("## 同一个问题怎么办？\n\n回答{i}。\n\n"))
                                .collect::<String>(),
                    ),
                )]
            }),
            config_extra: "",
            expect: Expect::Builds,
        },
        Case {
            name: "an empty file",
            files: Box::new(move || vec![("content/debt/empty.md".into(), Vec::new())]),
            config_extra: "",
            expect: Expect::Fails("content/debt/empty.md:1:1: the file is empty"),
        },
        Case {
            name: "a file that is only front matter",
            files: Box::new(move || {
                vec![(
                    "content/debt/only.md".into(),
                    text("---\ntitle: 只有头\n---\n".into()),
                )]
            }),
            config_extra: "",
            expect: Expect::Builds,
        },
        Case {
            name: "CRLF line ends",
            files: Box::new(move || {
                vec![(
                "content/debt/crlf.md".into(),
                text("---\r\ntitle: 回车换行\r\ntags: [a]\r\n---\r\n\r\n## 标题？\r\n\r\n正文\r\n".into()),
            )]
            }),
            config_extra: "",
            expect: Expect::Builds,
        },
        Case {
            name: "a byte-order mark",
            files: Box::new(move || {
                vec![(
                    "content/debt/bom.md".into(),
                    text("\u{feff}---\ntitle: 字节序\n---\n\n正文\n".into()),
                )]
            }),
            config_extra: "",
            expect: Expect::Builds,
        },
        Case {
            name: "one name in NFC and NFD",
            files: Box::new(move || {
                vec![
                    (
                        "content/debt/caf\u{e9}.md".into(),
                        text(front("NFC") + "x\n"),
                    ),
                    (
                        "content/debt/cafe\u{301}.md".into(),
                        text(front("NFD") + "y\n"),
                    ),
                ]
            }),
            config_extra: "",
            expect: Expect::Fails("one is written with composed and one with decomposed Unicode"),
        },
        Case {
            name: "an NFD-only name (Hangul from macOS)",
            files: Box::new(move || {
                vec![(
                    "content/debt/\u{1112}\u{1161}\u{11ab}.md".into(),
                    text(front("한") + "[[sms]]\n"),
                )]
            }),
            config_extra: "",
            expect: Expect::Builds,
        },
        Case {
            name: "a 2 KB article over a 1 KB limit",
            files: Box::new(move || {
                vec![(
                    "content/debt/over.md".into(),
                    text(front("超限") + &"字".repeat(700)),
                )]
            }),
            config_extra: "limits: { article_size: 1 KB }\n",
            expect: Expect::Fails("raise `limits.article_size` in kbgen.yaml"),
        },
    ];
    if std::env::var_os("KBGEN_PATHOLOGICAL_FULL").is_some() {
        out.push(Case {
            name: "50 MB article, limit raised to 64 MB",
            files: Box::new(move || {
                vec![(
                    "content/debt/big.md".into(),
                    text(front("大") + &paragraph().repeat(43_000)),
                )]
            }),
            config_extra: "limits: { article_size: 64 MB }\n",
            expect: Expect::Builds,
        });
    }
    out
}

/// Runs `kbgen build` on `root`, returning (exit code, stderr, wall time, peak memory in
/// KB, sampled every few milliseconds).
// The child is reaped by waitpid below (while its memory is sampled), not by Child::wait.
#[allow(clippy::zombie_processes)]
fn measured_build(root: &Path) -> (Option<i32>, String, Duration, i64) {
    let log = root.join("build.log");
    let started = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_kbgen"))
        .args(["build", "--root"])
        .arg(root)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).expect("log"))
        .spawn()
        .expect("start kbgen");
    let pid = child.id() as libc::pid_t;
    // The kernel's high-water mark of the process's resident memory (VmHWM), read while it
    // runs: rusage would count the test process's own memory, copied at fork.
    let status_file = format!("/proc/{pid}/status");
    let mut peak_kb = 0i64;
    let status = loop {
        if let Ok(s) = std::fs::read_to_string(&status_file) {
            if let Some(kb) = s
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<i64>().ok())
            {
                peak_kb = peak_kb.max(kb);
            }
        }
        let mut status = 0;
        // SAFETY: waiting for our own child with a valid pointer; WNOHANG returns at once.
        let r = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        if r == pid {
            break status;
        }
        if started.elapsed() > HANG {
            // SAFETY: signalling our own child.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let wall = started.elapsed();
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    let err = std::fs::read_to_string(&log).unwrap_or_default();
    (code, err, wall, peak_kb)
}

#[test]
fn pathological_input_builds_bounded_or_fails_clearly() {
    let mut table =
        String::from("\n| case | outcome | time | peak memory |\n| --- | --- | --- | --- |\n");
    let mut failures = Vec::new();
    for case in cases() {
        let site = copy_fixture("basic");
        let root = site.path();
        for (rel, bytes) in (case.files)() {
            let path = root.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &bytes).unwrap();
        }
        if !case.config_extra.is_empty() {
            let cfg = root.join("kbgen.yaml");
            let mut text = std::fs::read_to_string(&cfg).unwrap();
            text.push_str(case.config_extra);
            std::fs::write(&cfg, text).unwrap();
        }
        let (code, err, wall, rss_kb) = measured_build(root);
        let outcome = match code {
            Some(0) => "built".to_string(),
            Some(1) => "exit 1 (clear error)".to_string(),
            Some(c) => format!("exit {c}"),
            None => "killed".to_string(),
        };
        let _ = writeln!(
            table,
            "| {} | {outcome} | {:.2} s | {} MB |",
            case.name,
            wall.as_secs_f64(),
            rss_kb / 1024
        );
        let ok = match case.expect {
            Expect::Builds => code == Some(0),
            Expect::Fails(what) => code == Some(1) && err.contains(what),
        };
        if !ok {
            failures.push(format!("{}: exit {code:?}\n{}", case.name, tail(&err)));
        }
        // A failed build names the file at fault, with line and column.
        if code == Some(1) && !err.contains("error: content/debt/") {
            failures.push(format!("{}: no located error\n{}", case.name, tail(&err)));
        }
    }
    println!("{table}");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(12)..]
        .iter()
        .map(|l| l.chars().take(300).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}
