//! kbgen deletes only what it wrote: refused outputs, marked folders, roots that are not
//! sites, one writer at a time, and faults (full disk, read-only parent, unreadable or
//! vanishing files, a killed build, symbolic links) that leave the previous output as it was.
//! Every case runs the real binary and compares the files on disk before and after.

use crate::support::site::{assert_success, build, copy_fixture, kbgen, snapshot_dir, stderr};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_kbgen")
}

/// `kbgen build --root ROOT --output OUT EXTRA…`, run in ROOT.
fn build_into(root: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args: Vec<&OsStr> = vec![
        OsStr::new("build"),
        OsStr::new("--root"),
        root.as_os_str(),
        OsStr::new("--output"),
        out.as_os_str(),
    ];
    args.extend(extra.iter().map(OsStr::new));
    kbgen(args, root)
}

#[track_caller]
fn assert_exit(out: &Output, code: i32, expected: &[&str]) {
    let err = stderr(out);
    assert_eq!(
        out.status.code(),
        Some(code),
        "expected exit {code}, got {:?}:\n{err}",
        out.status.code()
    );
    for e in expected {
        assert!(err.contains(e), "stderr lacks {e:?}:\n{err}");
    }
}

/// Names in `dir` that look like kbgen's temporary folders or locks.
fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.contains(".kbgen-"))
                .collect()
        })
        .unwrap_or_default()
}

/// The site's own files (everything but its output), for "nothing was touched" checks.
fn sources(root: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut all = snapshot_dir(root);
    all.retain(|k, _| !k.starts_with("public/"));
    all
}

#[test]
fn outputs_that_hold_the_sources_are_refused() {
    let site = copy_fixture("basic");
    let root = site.path();
    std::fs::create_dir_all(root.join("themes/default/templates")).unwrap();
    std::fs::create_dir_all(root.join("static")).unwrap();
    std::fs::write(root.join("static/robots-extra.txt"), "x").unwrap();
    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join("thesis.txt"), "years of work").unwrap();
    let before = sources(root);
    let cases: Vec<(PathBuf, &str)> = vec![
        (root.join("content"), "it is the site's content/ folder"),
        (root.to_path_buf(), "it is the site's own folder"),
        (
            root.join("content/debt/out"),
            "it is inside the site's content/ folder",
        ),
        (root.join("themes"), "it is the site's themes/ folder"),
        (root.join("static"), "it is the site's static/ folder"),
        (
            root.join("static/site"),
            "it is inside the site's static/ folder",
        ),
        (root.parent().unwrap().to_path_buf(), "it contains the site"),
        (PathBuf::from("/"), "it is the root of the file system"),
        (
            root.join("public/../content"),
            "it is the site's content/ folder",
        ),
    ];
    for (out, why) in &cases {
        let o = build_into(root, out, &["--force"]);
        assert_exit(&o, 2, &["refusing to write the site into", why, "--output"]);
    }
    // The home folder, with and without --force.
    for extra in [&[][..], &["--force"][..]] {
        let mut args: Vec<&OsStr> = vec![
            "build".as_ref(),
            "--root".as_ref(),
            root.as_os_str(),
            "--output".as_ref(),
            home.path().as_os_str(),
        ];
        args.extend(extra.iter().map(OsStr::new));
        let o = Command::new(bin())
            .args(args)
            .env("HOME", home.path())
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_exit(&o, 2, &["it is your home folder"]);
    }
    // A link named public that points at content/ is content/.
    std::os::unix::fs::symlink(root.join("content"), root.join("public")).unwrap();
    let o = build(root, &[]);
    assert_exit(&o, 2, &["it is the site's content/ folder"]);
    std::fs::remove_file(root.join("public")).unwrap();

    assert!(sources(root) == before, "a refused build changed the site");
    assert_eq!(
        std::fs::read_to_string(home.path().join("thesis.txt")).unwrap(),
        "years of work"
    );
    assert!(leftovers(root).is_empty(), "{:?}", leftovers(root));
}

#[test]
fn a_folder_kbgen_did_not_make_is_replaced_only_with_force() {
    let site = copy_fixture("basic");
    let root = site.path();
    let docs = tempfile::tempdir().unwrap();
    let out = docs.path().join("docs");
    std::fs::create_dir_all(out.join("chapters")).unwrap();
    std::fs::write(out.join("thesis.txt"), "years of work").unwrap();
    std::fs::write(out.join("chapters/1.md"), "one").unwrap();
    std::fs::write(docs.path().join("unrelated.txt"), "next door").unwrap();
    let before = snapshot_dir(docs.path());

    let o = build_into(root, &out, &[]);
    assert_exit(
        &o,
        2,
        &[
            "refusing to replace",
            "2 files kbgen did not write (chapters/1.md, thesis.txt)",
            "--force",
        ],
    );
    assert!(
        snapshot_dir(docs.path()) == before,
        "the refused build touched the folder"
    );
    assert!(leftovers(docs.path()).is_empty());

    // --force replaces it, says nothing is kept but the kept names, and marks it.
    let o = build_into(root, &out, &["--force"]);
    assert_success(&o);
    assert!(!out.join("thesis.txt").exists());
    assert!(out.join("index.html").is_file());
    let mark = std::fs::read_to_string(out.join(".kbgen-output")).unwrap();
    assert!(mark.starts_with("kbgen-output 1\n"), "{mark}");
    assert!(mark.lines().any(|l| l == "debt/sms/index.html"), "{mark}");
    assert_eq!(
        std::fs::read_to_string(docs.path().join("unrelated.txt")).unwrap(),
        "next door"
    );
    // Marked now: the next build replaces it without --force.
    assert_success(&build_into(root, &out, &[]));

    // An empty folder, or one holding only what builds carry over, needs no --force.
    let fresh = docs.path().join("fresh");
    std::fs::create_dir_all(fresh.join(".git")).unwrap();
    std::fs::write(fresh.join(".git/HEAD"), "ref").unwrap();
    std::fs::write(fresh.join("CNAME"), "example.org").unwrap();
    assert_success(&build_into(root, &fresh, &[]));
    assert_eq!(
        std::fs::read_to_string(fresh.join("CNAME")).unwrap(),
        "example.org"
    );
    assert!(fresh.join(".git/HEAD").is_file());
}

#[test]
fn files_added_to_a_built_output_are_never_deleted_without_force() {
    let site = copy_fixture("basic");
    let root = site.path();
    assert_success(&build(root, &[]));
    let public = root.join("public");
    std::fs::create_dir_all(public.join("notes")).unwrap();
    std::fs::write(public.join("notes/draft.txt"), "mine").unwrap();
    std::fs::write(public.join("google1234.html"), "verification").unwrap();
    let before = snapshot_dir(&public);
    let o = build(root, &[]);
    assert_exit(
        &o,
        2,
        &[
            "kbgen made it, but it now holds 2 files kbgen did not write (google1234.html, notes/draft.txt)",
            "static/",
            "keep:",
        ],
    );
    assert!(snapshot_dir(&public) == before);
    // Robots are told the mark is no page.
    let robots = std::fs::read_to_string(public.join("robots.txt")).unwrap();
    assert!(robots.contains("Disallow: /kb/.kbgen-output"), "{robots}");
    assert_success(&build(root, &["--force"]));
    assert!(!public.join("notes/draft.txt").exists());
}

#[test]
fn a_root_that_is_not_a_site_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nonexistent");
    let o = kbgen(["build", "--root", missing.to_str().unwrap()], dir.path());
    assert_exit(&o, 2, &["does not exist", "nonexistent"]);
    assert!(!missing.exists(), "a build of a missing root created it");

    let typo = dir.path().join("typo-dir");
    std::fs::create_dir_all(&typo).unwrap();
    std::fs::write(typo.join("kbgen.yml"), "title: Mine\n").unwrap();
    for cmd in ["build", "check", "serve"] {
        let o = kbgen([cmd, "--root", typo.to_str().unwrap()], dir.path());
        assert_exit(
            &o,
            2,
            &[
                "is not a kbgen site",
                "neither kbgen.yaml nor a content/ folder",
                "kbgen.yml",
            ],
        );
    }
    assert!(!typo.join("public").exists());

    // With content/, a misnamed config is a warning naming the file kbgen reads.
    let site = copy_fixture("basic");
    let root = site.path();
    std::fs::rename(root.join("kbgen.yaml"), root.join("kbgen.yml")).unwrap();
    for cmd in ["check", "build"] {
        let o = kbgen([cmd, "--root", root.to_str().unwrap()], root);
        assert_exit(
            &o,
            0,
            &["warning: kbgen.yml:1:1: kbgen reads its settings from kbgen.yaml only"],
        );
    }
}

#[test]
fn the_output_being_a_file_is_refused() {
    let site = copy_fixture("basic");
    let root = site.path();
    let file = root.join("site.txt");
    std::fs::write(&file, "not a folder").unwrap();
    let o = build_into(root, &file, &[]);
    assert_exit(&o, 2, &["is a file, not a folder", "site.txt"]);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "not a folder");
    assert!(leftovers(root).is_empty());
}

/// Builds `basic` once, then runs a second build with `env` set, returning the site, the
/// snapshot of the first output and the second build's result.
fn second_build_with(env: &[(&str, &str)]) -> (tempfile::TempDir, Output) {
    let site = copy_fixture("basic");
    assert_success(&build(site.path(), &[]));
    let before = snapshot_dir(&site.path().join("public"));
    let out = Command::new(bin())
        .args(["build", "--root"])
        .arg(site.path())
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        snapshot_dir(&site.path().join("public")) == before,
        "the failed build changed the previous output:\n{}",
        stderr(&out)
    );
    assert!(
        leftovers(site.path()).is_empty(),
        "left behind: {:?}",
        leftovers(site.path())
    );
    (site, out)
}

#[test]
fn a_full_disk_while_writing_loses_nothing() {
    let (_site, out) = second_build_with(&[("KBGEN_FAULT", "disk-full-after=12")]);
    assert_exit(&out, 2, &["No space left on device", "writing"]);
}

#[test]
fn a_real_full_disk_loses_nothing() {
    // A 1 MiB tmpfs: the first site (about 0.5 MiB) fits, not beside the second.
    let mnt = tempfile::tempdir().unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs"])
        .arg(mnt.path())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("SKIPPED a_real_full_disk_loses_nothing: cannot mount a tmpfs here (the injected full disk above covers the writer)");
        return;
    }
    struct Unmount(PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg(&self.0).status();
        }
    }
    let _guard = Unmount(mnt.path().to_path_buf());
    let site = copy_fixture("basic");
    // Large enough that a second copy beside the first does not fit.
    let filler = "填充".repeat(20_000);
    std::fs::write(
        site.path().join("content/debt/big.md"),
        format!("---\ntitle: 大文件\n---\n\n{filler}\n"),
    )
    .unwrap();
    let out_dir = mnt.path().join("public");
    let first = build_into(site.path(), &out_dir, &[]);
    if !first.status.success() {
        eprintln!("SKIPPED a_real_full_disk_loses_nothing: the site does not fit the tmpfs once");
        return;
    }
    let before = snapshot_dir(&out_dir);
    std::fs::write(
        site.path().join("content/debt/big2.md"),
        format!("---\ntitle: 又一个大文件\n---\n\n{filler}{filler}\n"),
    )
    .unwrap();
    let o = build_into(site.path(), &out_dir, &[]);
    assert_exit(&o, 2, &["No space left on device"]);
    assert!(snapshot_dir(&out_dir) == before);
    assert!(
        leftovers(mnt.path()).is_empty(),
        "{:?}",
        leftovers(mnt.path())
    );
}

/// Runs kbgen as an unprivileged user (root ignores file permissions): as `nobody` through
/// setpriv when the tests run as root, as is when they do not.
fn kbgen_unprivileged(args: &[&OsStr]) -> Output {
    use std::os::unix::fs::MetadataExt as _;
    let root_user = std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0);
    let mut cmd = if root_user {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", bin()]);
        c
    } else {
        Command::new(bin())
    };
    cmd.args(args)
        .current_dir("/")
        .stdin(Stdio::null())
        .output()
        .expect("running kbgen")
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// A copy of `basic` that another user may read and build, with its output inside `out/`.
fn open_site() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let site = copy_fixture("basic");
    for entry in walkdir::WalkDir::new(site.path()) {
        let entry = entry.unwrap();
        set_mode(
            entry.path(),
            if entry.file_type().is_dir() {
                0o777
            } else {
                0o666
            },
        );
    }
    let out = site.path().join("out/public");
    let parent = site.path().join("out");
    std::fs::create_dir_all(&parent).unwrap();
    set_mode(&parent, 0o777);
    (site, parent, out)
}

#[test]
fn a_read_only_parent_loses_nothing() {
    let (site, parent, out) = open_site();
    let args = |out: &Path| -> Vec<std::ffi::OsString> {
        vec![
            "build".into(),
            "--root".into(),
            site.path().into(),
            "--output".into(),
            out.into(),
        ]
    };
    let first = args(&out);
    let first: Vec<&OsStr> = first.iter().map(|s| s.as_os_str()).collect();
    assert_success(&kbgen_unprivileged(&first));
    let before = snapshot_dir(&out);
    set_mode(&parent, 0o555);
    let o = kbgen_unprivileged(&first);
    set_mode(&parent, 0o777);
    assert_exit(&o, 2, &["cannot write beside the output folder", "out"]);
    assert!(snapshot_dir(&out) == before);
    assert!(leftovers(&parent).is_empty(), "{:?}", leftovers(&parent));
}

#[test]
fn an_unreadable_content_file_loses_nothing() {
    let (site, _parent, out) = open_site();
    let a: Vec<std::ffi::OsString> = vec![
        "build".into(),
        "--root".into(),
        site.path().into(),
        "--output".into(),
        out.clone().into(),
    ];
    let a: Vec<&OsStr> = a.iter().map(|s| s.as_os_str()).collect();
    assert_success(&kbgen_unprivileged(&a));
    let before = snapshot_dir(&out);
    set_mode(&site.path().join("content/debt/lpr.md"), 0o000);
    let o = kbgen_unprivileged(&a);
    assert_exit(
        &o,
        1,
        &["error: content/debt/lpr.md:1:1: cannot read this file: permission denied"],
    );
    assert!(snapshot_dir(&out) == before);
}

#[test]
fn a_file_deleted_between_the_walk_and_the_read_loses_nothing() {
    let (site, out) = second_build_with(&[("KBGEN_FAULT", "delete-before-read=debt/lpr.md")]);
    assert_exit(
        &out,
        1,
        &["error: content/debt/lpr.md:1:1: the file disappeared while the site was read"],
    );
    assert!(!site.path().join("content/debt/lpr.md").exists());
}

/// Starts a build that stops after `writes` files, and waits until it has.
fn paused_build(root: &Path, writes: usize) -> std::process::Child {
    let log = root.join("paused.log");
    let child = Command::new(bin())
        .args(["build", "--root"])
        .arg(root)
        .env("KBGEN_FAULT", format!("pause-after={writes}"))
        .stdin(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !std::fs::read_to_string(&log)
        .unwrap_or_default()
        .contains("fault: paused")
    {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the build never paused"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::fs::remove_file(&log).unwrap();
    child
}

#[test]
fn one_writer_at_a_time_and_a_killed_build_is_cleaned_up() {
    let site = copy_fixture("basic");
    let root = site.path();
    assert_success(&build(root, &[]));
    let public = root.join("public");
    let before = snapshot_dir(&public);
    let mut first = paused_build(root, 8);
    let pid = first.id();

    // A second build waits briefly, then names the one writing.
    let started = Instant::now();
    let second = build(root, &[]);
    assert_exit(
        &second,
        2,
        &[&format!("another kbgen (process {pid}) is writing")],
    );
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "it did not wait"
    );

    // Killed in the middle of writing: the old output was never touched.
    first.kill().unwrap();
    first.wait().unwrap();
    assert!(
        snapshot_dir(&public) == before,
        "a killed build touched the output"
    );
    let left = leftovers(root);
    assert!(
        left.iter().any(|n| n.starts_with(".public.kbgen-new-")),
        "the killed build's folder should still be there: {left:?}"
    );

    // The next build takes the stale lock over, removes the abandoned folder and succeeds.
    let third = build(root, &[]);
    assert_exit(
        &third,
        0,
        &[
            &format!("left by process {pid}, which is no longer running"),
            "left by an interrupted build",
        ],
    );
    assert!(leftovers(root).is_empty(), "{:?}", leftovers(root));
    assert!(snapshot_dir(&public) == before, "the rebuild differs");
}

#[test]
fn symbolic_links_never_lead_outside_the_site() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), "private key").unwrap();
    std::fs::create_dir_all(outside.path().join("docs")).unwrap();
    std::fs::write(
        outside.path().join("docs/leak.md"),
        "---\ntitle: 泄露\n---\n\n外面的文章\n",
    )
    .unwrap();
    let site = copy_fixture("basic");
    let root = site.path();
    std::os::unix::fs::symlink(
        outside.path().join("secret.txt"),
        root.join("content/debt/secret.txt"),
    )
    .unwrap();
    std::os::unix::fs::symlink(outside.path().join("docs"), root.join("content/docs")).unwrap();
    // A link that stays inside the site is followed.
    std::os::unix::fs::symlink(
        root.join("content/debt/flow.svg"),
        root.join("content/privacy/flow.svg"),
    )
    .unwrap();
    let o = build(root, &[]);
    assert_exit(
        &o,
        0,
        &[
            "warning: content/debt/secret.txt:1:1: symbolic link to",
            "outside the site: skipped",
            "warning: content/docs:1:1: symbolic link to",
        ],
    );
    let public = root.join("public");
    assert!(!public.join("debt/secret.txt").exists());
    assert!(!public.join("docs").exists());
    assert!(public.join("privacy/flow.svg").is_file());
    assert_eq!(
        std::fs::read_to_string(outside.path().join("secret.txt")).unwrap(),
        "private key"
    );

    // content/ itself may be a link: followed, and the folder it points to is still content/.
    std::fs::remove_file(root.join("content/debt/secret.txt")).unwrap();
    std::fs::remove_file(root.join("content/docs")).unwrap();
    std::fs::remove_file(root.join("content/privacy/flow.svg")).unwrap();
    let real = tempfile::tempdir().unwrap();
    crate::support::site::copy_dir(&root.join("content"), real.path());
    std::fs::remove_dir_all(root.join("content")).unwrap();
    std::os::unix::fs::symlink(real.path(), root.join("content")).unwrap();
    assert_success(&build(root, &[]));
    assert!(public.join("debt/sms/index.html").is_file());
    let inside = real.path().join("out");
    let o = build_into(root, &inside, &[]);
    assert_exit(&o, 2, &["it is inside the site's content/ folder"]);
    assert!(!inside.exists());
}
