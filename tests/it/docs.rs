//! The documentation site, `docs/`: it builds with no error and no warning, every example it
//! shows checks as it says, its references name every key kbgen accepts (read from kbgen's
//! own "known keys" messages, not from a copy kept here), and its theming guide names every
//! built-in template and every variable templates are given (read from what a template that
//! prints its whole context prints), and its commands reference every command and option of
//! `kbgen --help`.
//!
//! The examples' convention, for writers of the docs: a fenced block whose info string has
//! `title="PATH"` is a file of an example site, PATH relative to the site folder
//! (```` ```yaml title="kbgen.yaml" ````, ```` ```markdown title="content/guides/x.md" ````,
//! ```` ```html title="themes/default/templates/term.html" ````). Each is written, alone, into a
//! copy of `docs/examples/base/` (a `guides` section with one article and the taxonomies `tags`
//! and `topics`; with `base="NAME"`, `docs/examples/NAME/`: `zh`, a Chinese site, or `laws`, a
//! site whose terms carry revisions), replacing the file
//! there, and `kbgen check` must pass with 0 warnings. With
//! `expect="error"` as well, the check must fail (exit 1) and print exactly the next fenced
//! block of the page, which must be a ```` ```text ```` block; with `expect="warning"`, it
//! must pass (exit 0) and print exactly that block. Blocks without `title=` (shell
//! commands, output, other tools' files) are not run. A titled block in README.md must be the
//! same text as a docs block of the same title (README shows the GitHub Pages workflow too).

use crate::support::site::{
    copy_dir, crawl, crawl_portable, describe, kbgen, read, stderr, write_files,
};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn docs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs")
}

/// A fenced code block of a docs page.
struct Block {
    /// The page, relative to the repository (`docs/content/…`, `README.md`).
    page: String,
    /// 1-based line of the opening fence.
    line: usize,
    lang: String,
    attrs: BTreeMap<String, String>,
    text: String,
}

impl Block {
    fn at(&self) -> String {
        format!("{}:{}", self.page, self.line)
    }
}

/// The fenced blocks of `markdown`: fences of three or more backticks, at the start of a line
/// or indented (in a list item), the block's lines taken out of that indent.
fn blocks(page: &str, markdown: &str) -> Vec<Block> {
    let mut out = Vec::new();
    // (closing fence, indent, block)
    let mut open: Option<(String, usize, Block)> = None;
    for (i, line) in markdown.lines().enumerate() {
        let trimmed = line.trim_start_matches(' ');
        let indent = line.len() - trimmed.len();
        let ticks = trimmed.len() - trimmed.trim_start_matches('`').len();
        match &mut open {
            Some((fence, _, _)) if trimmed.trim_end() == fence.as_str() => {
                out.push(open.take().expect("open block").2);
            }
            Some((_, indent, block)) => {
                let cut = line.len() - line.trim_start_matches(' ').len();
                block.text.push_str(&line[cut.min(*indent)..]);
                block.text.push('\n');
            }
            None if ticks >= 3 => {
                let info = &trimmed[ticks..];
                let (lang, rest) = info.split_once(' ').unwrap_or((info, ""));
                open = Some((
                    "`".repeat(ticks),
                    indent,
                    Block {
                        page: page.to_string(),
                        line: i + 1,
                        lang: lang.to_string(),
                        attrs: attributes(rest),
                        text: String::new(),
                    },
                ));
            }
            None => {}
        }
    }
    assert!(open.is_none(), "{page}: a fenced block is never closed");
    out
}

/// `key="value" key="value"` of an info string.
fn attributes(mut s: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    while let Some((key, rest)) = s.trim_start().split_once("=\"") {
        let Some((value, rest)) = rest.split_once('"') else {
            break;
        };
        out.insert(key.trim().to_string(), value.to_string());
        s = rest;
    }
    out
}

/// Every page of docs/content: (path relative to the repository, text), sorted.
fn pages() -> Vec<(String, String)> {
    let content = docs().join("content");
    walkdir::WalkDir::new(&content)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.expect("walk docs/content"))
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(env!("CARGO_MANIFEST_DIR"))
                .expect("in the repository");
            (rel.display().to_string(), read(e.path()))
        })
        .collect()
}

fn page(rel: &str) -> String {
    read(&docs().join(rel))
}

#[test]
fn docs_readme_examples_are_the_docs_own() {
    // README shows some files the docs show (the GitHub Pages workflow): the same text, so
    // the copies cannot drift apart.
    let readme = read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"));
    let in_docs: Vec<Block> = pages()
        .iter()
        .flat_map(|(rel, text)| blocks(rel, text))
        .collect();
    let titled: Vec<Block> = blocks("README.md", &readme)
        .into_iter()
        .filter(|b| b.attrs.contains_key("title"))
        .collect();
    assert!(!titled.is_empty(), "README.md shows no titled block");
    for b in titled {
        let title = &b.attrs["title"];
        let same = in_docs
            .iter()
            .find(|d| d.attrs.get("title") == Some(title) && d.text == b.text);
        assert!(
            same.is_some(),
            "{}: `{title}` is not the same text as any block of docs/content titled so",
            b.at()
        );
    }
}

#[test]
fn docs_build_with_no_error_and_no_warning_and_every_link_works_also_portable() {
    let tmp = tempfile::tempdir().unwrap();
    // At the root of a domain, under a sub-path (as the docs' kbgen.yaml promises), and opened
    // from disk (as the publishing page says a USB stick works): three builds at once.
    let builds: [(&str, &[&str]); 3] = [
        ("out", &[]),
        ("sub", &["--base-url", "/kbgen/"]),
        ("portable", &["--portable"]),
    ];
    let dir = tmp.path();
    let problems: Vec<Vec<String>> = std::thread::scope(|s| {
        let handles: Vec<_> = builds
            .iter()
            .map(|(name, extra)| {
                let out = dir.join(name);
                s.spawn(move || {
                    let mut args: Vec<std::ffi::OsString> = vec![
                        "build".into(),
                        "--root".into(),
                        docs().into_os_string(),
                        "--output".into(),
                        out.clone().into_os_string(),
                    ];
                    args.extend(extra.iter().map(|a| a.into()));
                    let built = kbgen(&args, dir);
                    assert!(built.status.success(), "{name}: {}", describe(&built));
                    let said = stderr(&built);
                    assert!(
                        said.starts_with("built ") && said.lines().count() == 1,
                        "{name}: the docs build said more than its summary line:\n{said}"
                    );
                    match *name {
                        "sub" => crawl(&out, "/kbgen/"),
                        "portable" => crawl_portable(&out, None),
                        _ => crawl(&out, "/"),
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("build"))
            .collect()
    });
    assert_eq!(problems, vec![Vec::<String>::new(); 3]);
}

/// One example: the file it writes and what `kbgen check` must print (None: a clean pass;
/// else whether it fails, and the block of its exact output).
struct Example<'a> {
    block: &'a Block,
    path: &'a str,
    expected: Option<(bool, &'a Block)>,
}

fn examples(all: &[Block]) -> Vec<Example<'_>> {
    let mut out = Vec::new();
    for (i, b) in all.iter().enumerate() {
        let Some(path) = b.attrs.get("title") else {
            continue;
        };
        assert!(
            !path.starts_with('/') && !path.split('/').any(|s| s == ".."),
            "{}: title=\"{path}\" must be a path inside the example site",
            b.at()
        );
        let expected = match b.attrs.get("expect").map(String::as_str) {
            None => None,
            Some(kind @ ("error" | "warning")) => {
                let next = all
                    .get(i + 1)
                    .filter(|n| n.page == b.page && n.lang == "text");
                let next = next.unwrap_or_else(|| {
                    panic!(
                        "{}: an expect=\"{kind}\" block is followed by a ```text block of the output",
                        b.at()
                    )
                });
                Some((kind == "error", next))
            }
            Some(other) => panic!(
                "{}: expect=\"{other}\"; only \"error\" and \"warning\" are known",
                b.at()
            ),
        };
        out.push(Example {
            block: b,
            path,
            expected,
        });
    }
    out
}

/// Runs one example in a copy of docs/examples/base; Err: what differs from the docs.
fn run_example(e: &Example<'_>) -> Result<(), String> {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let base = e.block.attrs.get("base").map_or("base", String::as_str);
    copy_dir(&docs().join("examples").join(base), root);
    write_files(root, &[(e.path, e.block.text.as_str())]);
    let out = kbgen(
        ["check".as_ref(), "--root".as_ref(), root.as_os_str()],
        root,
    );
    let said = stderr(&out);
    let at = e.block.at();
    match e.expected {
        None if out.status.code() == Some(0) && said == "check passed (0 warnings)\n" => Ok(()),
        None => Err(format!(
            "{at}: {} should check clean, but kbgen check exited {:?}:\n{said}",
            e.path,
            out.status.code()
        )),
        Some((fails, text))
            if out.status.code() == Some(if fails { 1 } else { 0 }) && said == text.text =>
        {
            Ok(())
        }
        Some((fails, text)) => Err(format!(
            "{at}: {} should {} kbgen check with the output at {}, but it exited {:?} and \
             printed:\n{said}",
            e.path,
            if fails { "fail" } else { "pass" },
            text.at(),
            out.status.code()
        )),
    }
}

#[test]
fn docs_examples_check_as_the_docs_say() {
    let all: Vec<Block> = pages()
        .iter()
        .flat_map(|(rel, text)| blocks(rel, text))
        .collect();
    let examples = examples(&all);
    // The convention is in use where the docs promise it (a renamed attribute would make every
    // example silently untested).
    for (page, at_least) in [
        ("docs/content/reference/configuration.md", 10),
        ("docs/content/reference/front-matter.md", 8),
        ("docs/content/guides/troubleshooting.md", 3),
    ] {
        let n = examples.iter().filter(|e| e.block.page == page).count();
        assert!(n >= at_least, "{page} has {n} tested examples");
    }
    let mut problems: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = examples
            .chunks(examples.len().div_ceil(4))
            .map(|chunk| {
                s.spawn(move || {
                    chunk
                        .iter()
                        .filter_map(|e| run_example(e).err())
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("example thread"))
            .collect()
    });
    problems.sort();
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

/// The keys kbgen lists in the message about `probe`, an unknown key far from every known one:
/// "unknown key `…` (known keys: a, b, c)".
fn known_keys(said: &str, what: &str) -> Option<Vec<String>> {
    let line = said.lines().find(|l| l.contains(what))?;
    let list = line.split_once("(known keys: ")?.1.strip_suffix(')')?;
    Some(list.split(", ").map(str::to_string).collect())
}

const PROBE: &str = "zzzzzzzzzzzzzzzz";

/// `kbgen check` on a site with this kbgen.yaml and no content: its stderr.
fn check_config(config: &str) -> String {
    let tmp = tempfile::tempdir().unwrap();
    write_files(tmp.path(), &[("kbgen.yaml", config)]);
    stderr(&kbgen(
        ["check".as_ref(), "--root".as_ref(), tmp.path().as_os_str()],
        tmp.path(),
    ))
}

/// The `## `KEY`` headings of a page's Markdown (level 2 or 3), each with the `### `KEY``
/// headings below it.
fn key_headings(markdown: &str, level: &str, under: Option<&str>) -> BTreeSet<String> {
    let mut inside = under.is_none();
    let mut out = BTreeSet::new();
    for line in markdown.lines() {
        if let Some(h) = line.strip_prefix("## ") {
            if let Some(u) = under {
                inside = h.trim() == u;
            }
        }
        if !inside {
            continue;
        }
        if let Some(h) = line.strip_prefix(level).and_then(|h| h.strip_prefix(' ')) {
            // `## `related` {#related-key}`: an id of its own where the words would take one
            // the theme uses (`<section id="related">`).
            let h = h.split(" {#").next().unwrap_or(h);
            if let Some(key) = h.trim().strip_prefix('`').and_then(|k| k.strip_suffix('`')) {
                out.insert(key.to_string());
            }
        }
    }
    out
}

#[test]
fn docs_configuration_reference_has_a_section_for_every_key_kbgen_yaml_accepts() {
    let said = check_config(&format!("{PROBE}: 1\n"));
    let top = known_keys(&said, PROBE).unwrap_or_else(|| panic!("no known keys in:\n{said}"));
    let reference = page("content/reference/configuration.md");
    let documented = key_headings(&reference, "##", None);
    let accepted: BTreeSet<String> = top.iter().cloned().collect();
    assert_eq!(
        documented, accepted,
        "docs/content/reference/configuration.md needs one `## `KEY`` section per kbgen.yaml \
         key, and no other"
    );
    // Keys inside a map (`search: {…}`) or inside a list of maps (`taxonomies: [{…}]`).
    let nested: Vec<(String, BTreeSet<String>)> = std::thread::scope(|s| {
        let handles: Vec<_> = top
            .iter()
            .map(|k| {
                s.spawn(move || {
                    let mut keys = BTreeSet::new();
                    for probe in [
                        format!("{k}: {{{PROBE}: 1}}\n"),
                        format!("{k}: [{{{PROBE}: 1}}]\n"),
                    ] {
                        if let Some(found) = known_keys(&check_config(&probe), PROBE) {
                            keys.extend(found);
                        }
                    }
                    (k.clone(), keys)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("probe"))
            .collect()
    });
    assert!(
        nested
            .iter()
            .any(|(k, keys)| k == "taxonomies" && keys.contains("name")),
        "the probe found no keys inside `taxonomies`: {nested:?}"
    );
    for (key, inner) in nested {
        let heading = format!("`{key}`");
        let documented = key_headings(&reference, "###", Some(&heading));
        assert_eq!(
            documented, inner,
            "the `## `{key}`` section of the configuration reference needs one `### `KEY`` \
             section per key inside `{key}`"
        );
    }
}

#[test]
fn docs_front_matter_reference_has_a_section_for_every_key() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let matter = format!("---\ntitle: a\n{PROBE}: 1\n---\n\ntext\n");
    // No taxonomies: the keys listed are then front matter's own.
    write_files(
        root,
        &[
            ("kbgen.yaml", "taxonomies: []\n"),
            ("content/s/_index.md", &matter),
            ("content/s/a.md", &matter),
        ],
    );
    let said = stderr(&kbgen(
        ["check".as_ref(), "--root".as_ref(), root.as_os_str()],
        root,
    ));
    let article = known_keys(&said, "unknown front-matter key")
        .unwrap_or_else(|| panic!("no article keys in:\n{said}"));
    let section = known_keys(&said, "unknown section front-matter key")
        .unwrap_or_else(|| panic!("no section keys in:\n{said}"));
    let reference = page("content/reference/front-matter.md");
    assert_eq!(
        key_headings(&reference, "##", None),
        article.into_iter().collect::<BTreeSet<_>>(),
        "docs/content/reference/front-matter.md needs one `## `KEY`` section per article key"
    );
    assert_eq!(
        key_headings(&reference, "###", Some("Section front matter")),
        section.into_iter().collect::<BTreeSet<_>>(),
        "its `## Section front matter` needs one `### `KEY`` section per _index.md key"
    );
}

/// A template that prints every variable it is given, one a line: `site.title`, `article.toc`.
const DUMP: &str = "{% for k, v in __tera_context %}{% if v is map %}{% for k2, v2 in v %}\
                    {{ k }}.{{ k2 }}\n{% endfor %}{% else %}{{ k }}\n{% endif %}{% endfor %}";

/// The built-in page templates and a page each one renders in the dump site.
const PAGE_TEMPLATES: [(&str, &str); 11] = [
    ("index.html", "index.html"),
    ("section.html", "guides/index.html"),
    ("article.html", "guides/deposits/index.html"),
    ("taxonomy.html", "tags/index.html"),
    ("term.html", "tags/letters/index.html"),
    ("faq.html", "faq/index.html"),
    ("browse.html", "browse/index.html"),
    ("browse-cell.html", "browse/housing/letters/index.html"),
    ("search.html", "search/index.html"),
    ("404.html", "404.html"),
    ("alias.html", "old/index.html"),
];

/// What every page gets (`menus` is a list, the others maps); each page template gets one
/// more variable of its own (or none), a map.
const COMMON: [&str; 6] = ["site", "urls", "ui", "page", "menus", "dev"];

/// The text of every `code span` of `markdown`.
fn code_spans(markdown: &str) -> BTreeSet<String> {
    markdown
        .split('`')
        .skip(1)
        .step_by(2)
        .map(|s| s.trim().to_string())
        .collect()
}

/// The lines of `markdown` from the one starting with `start` to the next blank line.
fn paragraph(markdown: &str, start: &str) -> Option<String> {
    let from = markdown.find(&format!("\n{start}"))? + 1;
    let rest = &markdown[from..];
    Some(rest[..rest.find("\n\n").unwrap_or(rest.len())].to_string())
}

#[test]
fn docs_theming_guide_names_every_template_and_every_variable_templates_get() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let guide = page("content/guides/theming.md");
    // Every built-in template, and only those, has a row in the guide's table.
    let templates: BTreeSet<String> = std::fs::read_dir(repo.join("themes/default/templates"))
        .expect("themes/default/templates")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    let rows: BTreeSet<String> = guide
        .lines()
        .filter_map(|l| l.strip_prefix("| `")?.split_once("` |").map(|(t, _)| t))
        .filter(|t| t.ends_with(".html"))
        .map(str::to_string)
        .collect();
    assert_eq!(rows, templates, "the theming guide's table of templates");
    let mut rendered: BTreeSet<String> =
        PAGE_TEMPLATES.iter().map(|(t, _)| t.to_string()).collect();
    rendered.extend(["base.html".to_string(), "components.html".to_string()]);
    assert_eq!(
        rendered, templates,
        "a new template: add it to PAGE_TEMPLATES"
    );

    // A site whose page templates print what they are given.
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    copy_dir(&docs().join("examples/base"), &root);
    let extra = "---\ntitle: Extra\ntags: [letters]\ntopics: [Housing]\naliases: [/old/]\nfaq:\n  - q: Is this asked?\n    a: Yes.\n---\n\nText.\n";
    let mut files = vec![("content/guides/extra.md".to_string(), extra.to_string())];
    for (t, _) in PAGE_TEMPLATES {
        files.push((format!("themes/default/templates/{t}"), DUMP.to_string()));
    }
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    write_files(&root, &files);
    let out = tmp.path().join("out");
    let built = kbgen(
        [
            "build".as_ref(),
            "--root".as_ref(),
            root.as_os_str(),
            "--output".as_ref(),
            out.as_os_str(),
        ],
        &root,
    );
    assert!(built.status.success(), "{}", describe(&built));
    let given = |file: &str| -> BTreeSet<String> {
        read(&out.join(file)).lines().map(str::to_string).collect()
    };

    let spans = code_spans(&guide);
    let mut problems = Vec::new();
    // Every page: `site.title` … in the guide, and nothing it names that templates lack.
    let common = given("search/index.html");
    for v in &common {
        if !v.starts_with("ui.") && !spans.contains(v) {
            problems.push(format!(
                "every page gets `{v}`, which the guide does not name"
            ));
        }
    }
    for s in &spans {
        let prefix = s.split('.').next().unwrap_or_default();
        let named = s.contains('.') && ["site", "urls", "page", "dev"].contains(&prefix);
        if named && !s.contains(' ') && !common.contains(s) {
            problems.push(format!(
                "the guide names `{s}`, which templates are not given"
            ));
        }
    }
    let words = paragraph(&guide, "`ui` holds the words").expect("the page words paragraph");
    let words = code_spans(&words);
    for v in common.iter().filter_map(|v| v.strip_prefix("ui.")) {
        if !words.contains(v) {
            problems.push(format!("`ui.{v}` is missing from the guide's page words"));
        }
    }
    // Each page template's own variable, with each of its fields.
    for (template, file) in PAGE_TEMPLATES {
        for v in given(file) {
            if COMMON.contains(&v.split('.').next().unwrap_or_default()) {
                continue;
            }
            let Some((own, field)) = v.split_once('.') else {
                problems.push(format!("{template} gets `{v}`, not a map"));
                continue;
            };
            let row = guide
                .lines()
                .find(|l| l.starts_with(&format!("| `{template}` |")))
                .unwrap_or_default();
            if !row.contains(&format!("`{own}")) {
                problems.push(format!(
                    "the table's row of {template} does not name `{own}`"
                ));
            }
            let fields = paragraph(&guide, &format!("**`{own}`**:"))
                .map(|p| code_spans(&p))
                .unwrap_or_default();
            if !fields.contains(field) {
                problems.push(format!("{template} gets `{own}.{field}`, which the guide does not name under **`{own}`**"));
            }
        }
    }
    problems.sort();
    problems.dedup();
    assert!(
        problems.is_empty(),
        "docs/content/guides/theming.md:\n{}",
        problems.join("\n")
    );
}

/// `--option` words of a text.
fn options_in(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|w| w.starts_with("--") && w.len() > 2 && w != &"--help")
        .map(str::to_string)
        .collect()
}

#[test]
fn docs_commands_reference_has_every_command_and_option_of_the_help() {
    let tmp = tempfile::tempdir().unwrap();
    let help = |args: &[&str]| {
        let out = kbgen(args, tmp.path());
        assert!(out.status.success(), "{}", describe(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let top = help(&["--help"]);
    let commands: Vec<String> = top
        .split_once("Commands:\n")
        .expect("a command list")
        .1
        .lines()
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect();
    assert!(commands.iter().any(|c| c == "build"), "{top}");
    let reference = page("content/reference/commands.md");
    let synopsis = &blocks("commands.md", &reference)[0].text;
    let mut problems = Vec::new();
    for c in &commands {
        if !reference.contains(&format!("\n## `kbgen {c}`")) {
            problems.push(format!("no `## `kbgen {c}`` section"));
        }
        // A command with subcommands (`kbgen theme eject`): a synopsis line per subcommand,
        // with that subcommand's options.
        let own = help(&[c.as_str(), "--help"]);
        let invocations: Vec<Vec<String>> = match own.split_once("Commands:\n") {
            Some((_, list)) => list
                .lines()
                .take_while(|l| l.starts_with("  "))
                .filter_map(|l| l.split_whitespace().next())
                .filter(|s| *s != "help")
                .map(|s| vec![c.clone(), s.to_string()])
                .collect(),
            None => vec![vec![c.clone()]],
        };
        for words in invocations {
            let shown_name = words.join(" ");
            let mut want = vec!["kbgen"];
            want.extend(words.iter().map(String::as_str));
            let Some(line) = synopsis.lines().find(|l| {
                let mut w = l.split_whitespace();
                w.by_ref().take(want.len()).eq(want.iter().copied())
                    && w.next()
                        .is_none_or(|next| !next.chars().all(|ch| ch.is_ascii_lowercase()))
            }) else {
                problems.push(format!("the synopsis has no `kbgen {shown_name}` line"));
                continue;
            };
            let mut args: Vec<&str> = words.iter().map(String::as_str).collect();
            args.push("--help");
            let given = options_in(&help(&args));
            let shown = options_in(line);
            if given != shown {
                problems.push(format!(
                    "kbgen {shown_name}: the help has {given:?}, the synopsis {shown:?}"
                ));
            }
            for o in &given {
                if !reference.contains(&format!("`{o}")) {
                    problems.push(format!("kbgen {shown_name}: `{o}` is never explained"));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "docs/content/reference/commands.md:\n{}",
        problems.join("\n")
    );
}
