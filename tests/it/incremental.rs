//! Incremental rebuilds (`kbgen::session`, what `serve` runs): after every kind of edit the
//! updated output must equal a clean build of the same files, byte for byte.

use crate::support::site::{copy_fixture, snapshot_dir, write_files};
use kbgen::session::Session;
use kbgen::{BuildOptions, Outcome};
use std::fs;
use std::path::{Path, PathBuf};

fn options(root: &Path, output: &Path) -> BuildOptions {
    BuildOptions {
        root: root.to_path_buf(),
        output: Some(output.to_path_buf()),
        base_url: Some("http://127.0.0.1:1111/".into()),
        live_reload: true,
        ..Default::default()
    }
}

/// How the session handled the last change ("body", "content", or "full").
fn how(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Built { summary, .. } => summary
            .update
            .as_ref()
            .map_or("full".into(), |u| u.how.to_string()),
        Outcome::Failed(d) => panic!(
            "rebuild failed:\n{}",
            d.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

#[track_caller]
fn assert_same_as_clean(root: &Path, served: &Path, step: &str) {
    crate::support::site::assert_same_as_clean(root, served, "http://127.0.0.1:1111/", step);
}

fn edit(root: &Path, rel: &str, f: impl FnOnce(String) -> String) -> PathBuf {
    let path = root.join(rel);
    let text = fs::read_to_string(&path).expect("read");
    fs::write(&path, f(text)).expect("write");
    path
}

#[test]
fn every_kind_of_edit_matches_a_clean_build() {
    // Also check, on every content rebuild, that no page outside the ones the change was
    // judged to reach has changed (see `session::affected`).
    std::env::set_var(kbgen::session::CHECK_REACH, "1");
    let site = copy_fixture("basic");
    let root = site.path().canonicalize().expect("root");
    let served_dir = tempfile::tempdir().expect("temp dir");
    let served = served_dir.path().join("site");
    let mut session = Session::new(options(&root, &served));
    assert_eq!(how(&session.build().expect("build")), "full");
    assert_same_as_clean(&root, &served, "initial build");
    let page = served.join("debt/sms/index.html");

    // 1. A paragraph added to an article's body: only that article is made again.
    let before_lpr = fs::read(served.join("debt/lpr/index.html")).expect("lpr page");
    let p = edit(&root, "content/debt/sms.md", |t| {
        t.replace(
            "收到短信先别慌。",
            "收到短信先别慌。\n\n新的段落：先深呼吸。",
        )
    });
    let outcome = session.rebuild(&[p]).expect("rebuild");
    assert_eq!(how(&outcome), "body");
    let Outcome::Built { summary, .. } = &outcome else {
        unreachable!()
    };
    assert_eq!(summary.update.as_ref().map(|u| u.pages), Some(1));
    assert!(fs::read_to_string(&page)
        .expect("page")
        .contains("新的段落：先深呼吸。"));
    assert_eq!(
        fs::read(served.join("debt/lpr/index.html")).expect("lpr"),
        before_lpr
    );
    assert_same_as_clean(&root, &served, "body edit");

    // 2. A heading question's answer changes: the FAQ pages follow.
    let p = edit(&root, "content/debt/sms.md", |t| {
        t.replace("可以向监管部门投诉。", "可以向国家金融监督管理总局投诉。")
    });
    assert_eq!(how(&session.rebuild(&[p]).expect("rebuild")), "body");
    assert!(fs::read_to_string(served.join("faq/index.html"))
        .expect("faq")
        .contains("国家金融监督管理总局"));
    assert_same_as_clean(&root, &served, "FAQ answer in the body");

    // 3. A new question heading: the site's question list grows.
    let p = edit(&root, "content/debt/sms.md", |t| {
        t.replace("## 其他", "## 要保存多久？\n\n至少保存三年。\n\n## 其他")
    });
    assert_eq!(how(&session.rebuild(&[p]).expect("rebuild")), "content");
    assert_same_as_clean(&root, &served, "new question heading");

    // 4. The title in the front matter: cards, backlinks and related lists follow.
    let p = edit(&root, "content/privacy/leak.md", |t| {
        t.replacen("title: ", "title: 改名后的", 1)
    });
    assert_eq!(how(&session.rebuild(&[p]).expect("rebuild")), "content");
    assert!(fs::read_to_string(&page)
        .expect("page")
        .contains("改名后的"));
    assert_same_as_clean(&root, &served, "title edit");

    // 4b. Terms and summary in the front matter: term pages, related lists and cards follow.
    let p = edit(&root, "content/debt/lpr.md", |t| {
        t.replace("tags: [利息]", "tags: [利息, 短信]")
    });
    assert_eq!(how(&session.rebuild(&[p]).expect("rebuild")), "content");
    assert_same_as_clean(&root, &served, "terms edit");
    let p = edit(&root, "content/debt/sms.md", |t| {
        t.replace("summary: 收到催收短信时的处理步骤。", "summary: 新的摘要。")
    });
    assert_eq!(how(&session.rebuild(&[p]).expect("rebuild")), "content");
    assert_same_as_clean(&root, &served, "summary edit");

    // 4c. A weight moves an article (and its questions) ahead of another.
    let p = edit(&root, "content/debt/lpr.md", |t| {
        t.replacen("---\n", "---\nweight: 0\n", 1)
    });
    assert_eq!(how(&session.rebuild(&[p]).expect("rebuild")), "content");
    assert_same_as_clean(&root, &served, "weight edit");

    // 5. A new article that links to another (backlinks, section list, terms, search).
    write_files(
        &root,
        &[(
            "content/debt/new-one.md",
            "---\ntitle: 新文章\ntags: [短信]\n---\n\n看[催收短信](sms.md)。\n\n## 能不能分期？\n\n可以协商。\n",
        )],
    );
    let added = root.join("content/debt/new-one.md");
    assert_eq!(
        how(&session
            .rebuild(std::slice::from_ref(&added))
            .expect("rebuild")),
        "content"
    );
    assert!(served.join("debt/new-one/index.html").is_file());
    assert_same_as_clean(&root, &served, "new article");

    // 6. Renamed: the old page goes, the new one comes.
    let renamed = root.join("content/debt/renamed.md");
    fs::rename(&added, &renamed).expect("rename");
    assert_eq!(
        how(&session
            .rebuild(&[added.clone(), renamed.clone()])
            .expect("rebuild")),
        "content"
    );
    assert!(!served.join("debt/new-one").exists());
    assert_same_as_clean(&root, &served, "renamed article");

    // 7. Deleted.
    fs::remove_file(&renamed).expect("delete");
    assert_eq!(
        how(&session.rebuild(&[renamed]).expect("rebuild")),
        "content"
    );
    assert_same_as_clean(&root, &served, "deleted article");

    // 8. A broken front matter fails and leaves the site alone; later edits of other files
    //    do not hide it; the fix brings everything in.
    let snapshot = snapshot_dir(&served);
    let broken = edit(&root, "content/debt/lpr.md", |t| {
        t.replacen("title: ", "title: [", 1)
    });
    assert!(matches!(
        session
            .rebuild(std::slice::from_ref(&broken))
            .expect("rebuild"),
        Outcome::Failed(_)
    ));
    let other = edit(&root, "content/debt/sms.md", |t| {
        t.replace("准备截图。", "准备截图和录音。")
    });
    assert!(matches!(
        session.rebuild(&[other]).expect("rebuild"),
        Outcome::Failed(_)
    ));
    assert_eq!(
        snapshot_dir(&served),
        snapshot,
        "a failed rebuild changed the site"
    );
    let fixed = edit(&root, "content/debt/lpr.md", |t| {
        t.replacen("title: [", "title: ", 1)
    });
    session.rebuild(&[fixed]).expect("rebuild");
    assert!(fs::read_to_string(&page)
        .expect("page")
        .contains("准备截图和录音。"));
    assert_same_as_clean(&root, &served, "after a fixed error");

    // 9. A body link to a missing heading is an error, even on the quick path.
    let p = edit(&root, "content/debt/sms.md", |t| {
        t.replace("准备截图和录音。", "准备截图，见[[lpr#没有这个标题]]。")
    });
    let Outcome::Failed(d) = session.rebuild(std::slice::from_ref(&p)).expect("rebuild") else {
        panic!("a broken anchor passed");
    };
    assert!(
        d.iter().any(|x| x.message.contains("没有这个标题")),
        "{d:?}"
    );
    let p = edit(&root, "content/debt/sms.md", |t| {
        t.replace("，见[[lpr#没有这个标题]]", "")
    });
    session.rebuild(&[p]).expect("rebuild");
    assert_same_as_clean(&root, &served, "after a fixed anchor");

    // 10. A section's intro and title.
    let p = edit(&root, "content/debt/_index.md", |t| {
        t.replace("title: 债务", "title: 债务与催收")
            .replace("本栏目讲债务。", "本栏目讲债务和催收。")
    });
    assert_eq!(how(&session.rebuild(&[p]).expect("rebuild")), "content");
    assert_same_as_clean(&root, &served, "section intro");

    // 11. Configuration and theme: a full build.
    let p = edit(&root, "kbgen.yaml", |t| {
        t.replace("测试知识库", "测试知识库二")
    });
    assert_eq!(how(&session.rebuild(&[p]).expect("rebuild")), "full");
    assert_same_as_clean(&root, &served, "configuration");
    write_files(
        &root,
        &[(
            "themes/default/templates/404.html",
            "{% extends \"base.html\" %}{% block main %}<h1>找不到这一页</h1>{% endblock %}",
        )],
    );
    let p = root.join("themes/default/templates/404.html");
    assert_eq!(how(&session.rebuild(&[p]).expect("rebuild")), "full");
    assert!(fs::read_to_string(served.join("404.html"))
        .expect("404")
        .contains("找不到这一页"));
    assert_same_as_clean(&root, &served, "theme override");
}
