//! `kbgen init`: the site it writes checks and builds clean at once, shows what a site can do
//! (every front-matter key, every link form, an FAQ, an alias, a picture beside its article),
//! and init never writes into a folder that holds a writer's files.

use crate::support::site::{assert_success, attrs, build, kbgen, parse_html, read, sel, stderr};
use scraper::Html;
use std::path::Path;

fn text(doc: &Html, s: &str) -> String {
    doc.select(&sel(s))
        .map(|e| e.text().collect::<String>())
        .collect::<Vec<_>>()
        .join("|")
}

/// `kbgen init DIR` in `cwd`.
fn init(dir: &Path, cwd: &Path) -> std::process::Output {
    kbgen([Path::new("init").as_os_str(), dir.as_os_str()], cwd)
}

/// Every entry below `dir` with its bytes (folders as None), sorted.
fn tree(dir: &Path) -> Vec<(String, Option<Vec<u8>>)> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|e| {
            let e = e.expect("walk");
            let rel = e.path().strip_prefix(dir).unwrap().display().to_string();
            let bytes = e
                .file_type()
                .is_file()
                .then(|| std::fs::read(e.path()).unwrap());
            (rel, bytes)
        })
        .collect()
}

#[test]
fn init_writes_a_site_that_checks_and_builds_clean_and_shows_each_feature() {
    let tmp = tempfile::tempdir().unwrap();
    // A folder that does not exist yet, two levels down.
    let root = tmp.path().join("sites/help");
    let out = init(&root, tmp.path());
    assert_success(&out);
    let said = stderr(&out);
    for file in [
        "kbgen.yaml",
        "content/_index.md",
        "content/guides/_index.md",
        "content/guides/getting-started.md",
        "content/guides/writing-articles.md",
        "content/guides/how-a-page-is-made.svg",
        "static/logo.svg",
    ] {
        assert!(root.join(file).is_file(), "no {file}");
        let line = format!("created {}", root.join(file).display());
        assert!(said.lines().any(|l| l == line), "{said}");
    }
    assert!(
        said.contains(&format!("`kbgen serve --root {}`", root.display())),
        "{said}"
    );

    // English by default, saying how to write a Chinese site; taxonomies with allowed terms.
    let config = read(&root.join("kbgen.yaml"));
    for line in [
        "title: My knowledge base",
        "base_url: /",
        "language: en",
        "# <html lang>. For a site in Chinese, write `language: zh-CN` (Simplified) or `zh-TW`",
        "  search_placeholder: \"Type a question, e.g. how do I add an article?\"",
        "  - { label: Getting started, page: \"@/guides/getting-started.md\" }",
        "logo: static/logo.svg",
        "# repo_url: https://github.com/your-org/your-site",
        "  - name: topics",
        "      Getting started: [basics, setup]",
    ] {
        assert!(
            config.lines().any(|l| l == line),
            "kbgen.yaml lacks {line:?}"
        );
    }

    // One article shows every front-matter key (SPEC's table, and the site's taxonomies).
    let matter = read(&root.join("content/guides/getting-started.md"));
    let matter = matter.split("\n---\n").next().unwrap();
    let keys: Vec<&str> = matter
        .lines()
        .filter_map(|l| l.split_once(':').map(|(k, _)| k))
        .filter(|k| !k.is_empty() && k.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        .collect();
    assert_eq!(
        keys,
        [
            "title", "slug", "date", "updated", "summary", "draft", "weight", "aliases", "tags",
            "topics", "related", "faq", "extra"
        ]
    );

    // Clean at once: no error, no warning.
    let checked = kbgen(["check", "--root", root.to_str().unwrap()], &root);
    assert_success(&checked);
    assert_eq!(stderr(&checked), "check passed (0 warnings)\n");
    let built = build(&root, &[]);
    assert_success(&built);
    let said = stderr(&built);
    assert!(!said.contains("warning"), "{said}");
    assert!(
        said.starts_with("built 15 pages: 2 articles, 1 section, 5 terms, 3 FAQ entries in "),
        "{said}"
    );
    let public = root.join("public");
    let page = |rel: &str| parse_html(&public.join(rel).join("index.html"));

    let home = page("");
    assert_eq!(attrs(&home, "html", "lang"), ["en"]);
    // Its ui word, menus and logo are on every page.
    assert_eq!(
        attrs(&home, "form[role=search] input[name=q]", "placeholder"),
        ["Type a question, e.g. how do I add an article?"]
    );
    assert_eq!(
        attrs(&home, "header .site-menu a", "href"),
        ["/guides/getting-started/", "https://commonmark.org/help/"]
    );
    assert_eq!(attrs(&home, "header .site-logo", "src"), ["/logo.svg"]);
    assert_eq!(
        std::fs::read(public.join("logo.svg")).unwrap(),
        std::fs::read(root.join("static/logo.svg")).unwrap()
    );
    assert!(attrs(&home, "main a", "href").contains(&"/guides/".to_string()));

    // The alias redirects to its article, titled by it.
    let alias = page("start");
    assert_eq!(
        attrs(&alias, "meta[http-equiv=refresh]", "content"),
        ["0; url=/guides/getting-started/"]
    );
    assert_eq!(
        attrs(&alias, "link[rel=canonical]", "href"),
        ["/guides/getting-started/"]
    );
    assert_eq!(
        text(&alias, "title"),
        "This page has moved to: Getting started"
    );

    // The picture beside its article is copied and linked at its own URL.
    let article = page("guides/getting-started");
    assert_eq!(
        attrs(&article, "main article img", "src"),
        ["/guides/how-a-page-is-made.svg"]
    );
    assert_eq!(
        std::fs::read(public.join("guides/how-a-page-is-made.svg")).unwrap(),
        std::fs::read(root.join("content/guides/how-a-page-is-made.svg")).unwrap()
    );
    // `basics` folds into the allowed term `Getting started`.
    let term = page("topics/getting-started");
    assert!(
        attrs(&term, "main a", "href").contains(&"/guides/getting-started/".to_string()),
        "the term page does not list its article"
    );

    // The FAQ page lists the front-matter question and both question headings (in kbgen's
    // order: an article's headings, then its front matter), each at an anchor on its article.
    let faq = page("faq");
    let questions: Vec<(String, String)> = faq
        .select(&sel("#faq-index a.faq-q"))
        .map(|a| {
            (
                a.text().collect::<String>(),
                a.value().attr("href").unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(
        questions,
        [
            (
                "How do I publish the site?".to_string(),
                "/guides/getting-started/#how-do-i-publish-the-site".to_string()
            ),
            (
                "Do I need anything besides kbgen?".to_string(),
                "/guides/getting-started/#faq-do-i-need-anything-besides-kbgen".to_string()
            ),
            (
                "Where do the questions show?".to_string(),
                "/guides/writing-articles/#where-do-the-questions-show".to_string()
            ),
        ]
    );
    for (_, href) in &questions {
        let (path, id) = href.split_once('#').unwrap();
        let target = page(path.trim_matches('/'));
        assert_eq!(
            target.select(&sel(&format!("[id=\"{id}\"]"))).count(),
            1,
            "{href}: no such anchor"
        );
    }

    // Each link form of the second article resolves to its target's URL.
    let links: Vec<(String, String)> = page("guides/writing-articles")
        .select(&sel("#links ~ ul a"))
        .map(|a| {
            (
                a.text().collect::<String>(),
                a.value().attr("href").unwrap_or_default().to_string(),
            )
        })
        .collect();
    let to = |t: &str, h: &str| (t.to_string(), h.to_string());
    assert_eq!(
        links,
        [
            to("the file beside this one", "/guides/getting-started/"),
            to("a path through its folder", "/guides/getting-started/"),
            to(
                "its preview heading",
                "/guides/getting-started/#preview-as-you-write"
            ),
            to(
                "its checking heading",
                "/guides/getting-started/#check-before-you-publish"
            ),
            to("a path from content/", "/guides/getting-started/"),
            to("Getting started", "/guides/getting-started/"),
            to("Getting started", "/guides/getting-started/"),
            to("a wiki link with its own words", "/guides/getting-started/"),
            to(
                "publishing",
                "/guides/getting-started/#how-do-i-publish-the-site"
            ),
            to("section and slug", "/guides/getting-started/"),
            to("all guides", "/guides/"),
            to("questions", "#questions"),
        ]
    );

    // `kbgen new` in it fills in this site's taxonomies.
    let new = kbgen(
        ["new", "--root", root.to_str().unwrap(), "guides/third"],
        &root,
    );
    assert_success(&new);
    let third = read(&root.join("content/guides/third.md"));
    assert!(
        third.contains("\ntags: []  # Tags\ntopics: []  # Topics\n"),
        "{third}"
    );
}

/// init never writes into a folder that holds anything but dot-files, nor over a file, nor
/// into a file; without DIR it makes the site in the current folder.
#[test]
fn init_refuses_a_folder_with_files_and_defaults_to_the_current_folder() {
    let tmp = tempfile::tempdir().unwrap();

    // A writer's folder: refused (exit 2, saying why), left byte for byte as it was.
    let mine = tmp.path().join("mine");
    std::fs::create_dir_all(mine.join("notes")).unwrap();
    std::fs::write(mine.join("kbgen.yaml"), "title: my own\n").unwrap();
    std::fs::write(mine.join("thesis.md"), "my thesis").unwrap();
    std::fs::write(mine.join("todo.txt"), "").unwrap();
    let before = tree(&mine);
    let out = init(&mine, tmp.path());
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        format!(
            "error: {} is not empty (it holds `kbgen.yaml`, `notes`, `thesis.md`, 1 more); \
             kbgen init writes only into a new or empty folder, so that it never overwrites a \
             file: give it a new folder, e.g. `kbgen init my-site`\n",
            mine.display()
        )
    );
    assert_eq!(tree(&mine), before);

    // A site made by init is not made again over itself.
    let site = tmp.path().join("site");
    assert_success(&init(&site, tmp.path()));
    std::fs::write(site.join("content/guides/getting-started.md"), "edited").unwrap();
    let before = tree(&site);
    let again = init(&site, tmp.path());
    assert_eq!(again.status.code(), Some(2), "{}", stderr(&again));
    assert_eq!(tree(&site), before);

    // A file is not a folder.
    let file = tmp.path().join("file.txt");
    std::fs::write(&file, "x").unwrap();
    let out = init(&file, tmp.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("is a file"), "{}", stderr(&out));
    assert_eq!(read(&file), "x");

    // Dot-files only (a fresh `git init`): kbgen ignores them and writes none, so it goes on.
    let repo = tmp.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::fs::write(repo.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
    assert_success(&init(&repo, tmp.path()));
    assert_eq!(read(&repo.join(".git/HEAD")), "ref: refs/heads/main\n");
    assert!(repo.join("kbgen.yaml").is_file());

    // No DIR: the current folder, and the next steps need no --root.
    let here = tmp.path().join("here");
    std::fs::create_dir(&here).unwrap();
    let out = kbgen(["init"], &here);
    assert_success(&out);
    assert!(here.join("content/guides/writing-articles.md").is_file());
    assert!(
        stderr(&out).contains("preview it with `kbgen serve`, check it with `kbgen check`"),
        "{}",
        stderr(&out)
    );
    assert_success(&kbgen(["check"], &here));
}
