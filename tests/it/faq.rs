//! The generated FAQ index over the `faq` fixture (SPEC "FAQ sources", FAQ page hooks, issue 5):
//! every question once with a working anchor, heading answers that stop where they should, the
//! FAQPage JSON-LD, escaping, the duplicate warning, the split past 500 questions, and the
//! filters in Chromium.

use crate::support::browser::browser;
use crate::support::server::StaticServer;
use crate::support::site::{
    assert_success, build, copy_fixture, crawl, html_files, parse_html, read, sel, stderr,
    write_files,
};
use scraper::{ElementRef, Html};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

const DEBT: &str = "债务催收";
const PRIVACY: &str = "个人信息";

const HOSTILE_Q: &str = "问题 </script><script>alert(1)</script> 怎么办？";
/// The answer as written (Markdown with raw HTML) and as text once sanitised.
const HOSTILE_A_MARKDOWN: &str = "答案 </script><script>alert(1)</script> & <b>粗</b> 结束";
const HOSTILE_A: &str = "答案 & 粗 结束";
const HOSTILE_HEADING_Q: &str = "标题里 </script><script>alert(1)</script> 安全吗？";

/// Every question of the fixture: (question, article path, section title, anchor on the article).
const EXPECTED: [(&str, &str, &str, &str); 13] = [
    (
        "催收短信可以不理吗？",
        "debt/sms",
        DEBT,
        "faq-催收短信可以不理吗",
    ),
    ("可以报警吗？", "debt/sms", DEBT, "faq-可以报警吗"),
    ("可以投诉吗？", "debt/sms", DEBT, "可以投诉吗"),
    ("暴力催收怎么办？", "debt/call", DEBT, "暴力催收怎么办"),
    ("被威胁了要报警吗？", "debt/call", DEBT, "被威胁了要报警吗"),
    ("录音有用吗?", "debt/call", DEBT, "录音有用吗"),
    ("可以报警吗?", "debt/call", DEBT, "可以报警吗"),
    (
        "App收集通讯录合法吗?",
        "privacy/leak",
        PRIVACY,
        "app收集通讯录合法吗",
    ),
    (
        "泄露后可以要求删除吗？",
        "privacy/leak",
        PRIVACY,
        "faq-泄露后可以要求删除吗",
    ),
    (
        "ＡＰＰ收集通讯录合法吗？",
        "privacy/app",
        PRIVACY,
        "faq-app收集通讯录合法吗",
    ),
    ("如何关闭权限？", "privacy/app", PRIVACY, "如何关闭权限"),
    (
        HOSTILE_Q,
        "privacy/hostile",
        PRIVACY,
        "faq-问题-scriptscriptalert1script-怎么办",
    ),
    (
        HOSTILE_HEADING_Q,
        "privacy/hostile",
        PRIVACY,
        "标题里-scriptscriptalert1script-安全吗",
    ),
];

/// Pairs that are one question once punctuation and width are normalised.
const DUPLICATES: [(&str, &str); 2] = [
    ("可以报警吗？", "可以报警吗?"),
    ("App收集通讯录合法吗?", "ＡＰＰ收集通讯录合法吗？"),
];

/// Headings of the fixture that are not questions and must not be listed.
const NOT_QUESTIONS: [&str; 6] = [
    "第一步：核实信息",
    "投诉材料",
    "投诉渠道",
    "其他注意事项",
    "后续处理",
    "删除权",
];

fn text_of(el: ElementRef<'_>) -> String {
    el.text().collect::<String>().trim().to_string()
}

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .unwrap_or_else(|e| panic!("{s} is not UTF-8 once decoded: {e}"))
        .into_owned()
}

/// The fixture built once per test into its own temp copy.
fn built() -> (tempfile::TempDir, PathBuf, String) {
    let site = copy_fixture("faq");
    let out = build(site.path(), &[]);
    assert_success(&out);
    let public = site.path().join("public");
    (site, public, stderr(&out))
}

/// One `li.faq-entry` of an FAQ page.
#[derive(Debug, Clone)]
struct Entry {
    section: String,
    question: String,
    href: String,
    keys: BTreeSet<String>,
    answer_text: String,
    answer_html: String,
}

fn entries(doc: &Html) -> Vec<Entry> {
    let mut out = Vec::new();
    for group in doc.select(&sel("main section#faq-index .faq-group")) {
        let section = group
            .select(&sel(":scope > h2"))
            .next()
            .map(text_of)
            .expect("each FAQ group has a section heading");
        for li in group.select(&sel("li.faq-entry")) {
            let a = li
                .select(&sel("a.faq-q"))
                .next()
                .expect("each entry has an a.faq-q");
            let prose = li.select(&sel(".faq-answer .prose")).next();
            out.push(Entry {
                section: section.clone(),
                question: text_of(a),
                href: a.value().attr("href").expect("href").to_string(),
                keys: li
                    .value()
                    .attr("data-terms")
                    .unwrap_or("")
                    .split_whitespace()
                    .map(str::to_string)
                    .collect(),
                answer_text: prose.map(text_of).unwrap_or_default(),
                answer_html: prose.map(|p| p.inner_html()).unwrap_or_default(),
            });
        }
    }
    out
}

/// Every `a.faq-q` in the page's `#faq-index` (grouped or not).
fn question_links(doc: &Html) -> Vec<(String, String)> {
    doc.select(&sel("section#faq-index a.faq-q"))
        .map(|a| (text_of(a), a.value().attr("href").unwrap_or("").to_string()))
        .collect()
}

/// The digits of a count line such as `共 13 个问题`.
fn numbers_in(text: &str) -> Vec<u64> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().expect("digits"))
        .collect()
}

/// The JSON-LD blocks of a page, parsed; the raw text of each is checked to stay inside its
/// script element.
fn json_ld(doc: &Html) -> Vec<Value> {
    doc.select(&sel(r#"script[type="application/ld+json"]"#))
        .map(|s| {
            let raw = s.text().collect::<String>();
            let lower = raw.to_lowercase();
            assert!(
                !lower.contains("</script")
                    && !lower.contains("<!--")
                    && !lower.contains("<script"),
                "JSON-LD could end or confuse its script element: {raw}"
            );
            serde_json::from_str(&raw)
                .unwrap_or_else(|e| panic!("JSON-LD does not parse: {e}\n{raw}"))
        })
        .collect()
}

/// (name, answer text) of every Question in FAQPage blocks, checking the schema.org shape.
fn questions_of(blocks: &[Value]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for block in blocks {
        assert_eq!(block["@type"], "FAQPage", "{block}");
        assert!(
            block["@context"]
                .as_str()
                .is_some_and(|c| c.contains("schema.org")),
            "{block}"
        );
        let main = block["mainEntity"].as_array().expect("mainEntity array");
        assert!(!main.is_empty(), "an empty FAQPage block");
        for q in main {
            assert_eq!(q["@type"], "Question", "{q}");
            assert_eq!(q["acceptedAnswer"]["@type"], "Answer", "{q}");
            let name = q["name"].as_str().expect("name is a string");
            let text = q["acceptedAnswer"]["text"]
                .as_str()
                .expect("answer text is a string");
            out.push((name.to_string(), text.to_string()));
        }
    }
    out
}

fn faq_json(public: &Path) -> Vec<Value> {
    let json: Value =
        serde_json::from_str(&read(&public.join("faq.json"))).expect("faq.json parses");
    json["questions"]
        .as_array()
        .expect("faq.json has a questions array")
        .clone()
}

fn faq_json_entry<'a>(all: &'a [Value], question: &str) -> &'a Value {
    let found: Vec<&Value> = all.iter().filter(|q| q["question"] == question).collect();
    assert_eq!(found.len(), 1, "faq.json entries for {question}: {found:?}");
    found[0]
}

#[test]
fn every_question_is_listed_once_under_its_section_and_links_to_its_anchor() {
    let (_site, public, _) = built();
    let doc = parse_html(&public.join("faq/index.html"));
    let listed = entries(&doc);

    let groups: Vec<String> = doc
        .select(&sel("main section#faq-index .faq-group > h2"))
        .map(text_of)
        .collect();
    assert_eq!(groups, [DEBT, PRIVACY], "sections in their weight order");

    for (question, article, section, anchor) in EXPECTED {
        let found: Vec<&Entry> = listed.iter().filter(|e| e.question == question).collect();
        assert_eq!(found.len(), 1, "`{question}` listed {} times", found.len());
        let e = found[0];
        assert_eq!(e.section, section, "`{question}` under the wrong section");
        let (path, fragment) = e
            .href
            .split_once('#')
            .unwrap_or_else(|| panic!("`{question}` links without an anchor: {}", e.href));
        assert_eq!(decode(path), format!("/{article}/"), "`{question}`");
        let fragment = decode(fragment);
        assert_eq!(fragment, anchor, "`{question}` anchor");

        // The anchor exists on the target page and is the question itself.
        let target = parse_html(&public.join(article).join("index.html"));
        let id_sel = sel(&format!("[id=\"{fragment}\"]"));
        let hits: Vec<ElementRef> = target.select(&id_sel).collect();
        assert_eq!(
            hits.len(),
            1,
            "id `{fragment}` on {article}: {}",
            hits.len()
        );
        let el = hits[0];
        if anchor.starts_with("faq-") {
            assert_eq!(
                el.value().name(),
                "details",
                "front-matter FAQ is a <details>"
            );
            let summary = el.select(&sel("summary")).next().expect("summary");
            assert_eq!(text_of(summary), question);
            assert!(
                target
                    .select(&sel(&format!("section#faq details[id=\"{fragment}\"]")))
                    .next()
                    .is_some(),
                "`{question}` is not in the article's #faq section"
            );
        } else {
            assert!(
                matches!(el.value().name(), "h2" | "h3"),
                "`{question}` anchor is a <{}>",
                el.value().name()
            );
            assert_eq!(text_of(el), question);
        }
    }
    assert_eq!(
        listed.len(),
        EXPECTED.len(),
        "listed: {:#?}",
        listed.iter().map(|e| &e.question).collect::<Vec<_>>()
    );
    for not in NOT_QUESTIONS {
        assert!(
            listed.iter().all(|e| e.question != not),
            "`{not}` is not a question"
        );
    }

    // The count shown is the number listed.
    let count = shown_count(&doc);
    assert_eq!(
        numbers_in(&count),
        [EXPECTED.len() as u64],
        "count `{count}`"
    );

    // Without JavaScript everything is there: no entry hidden, and the controls that need JS
    // stay hidden.
    assert!(doc
        .select(&sel("li.faq-entry[hidden], .faq-group[hidden]"))
        .next()
        .is_none());
    assert!(doc
        .select(&sel(".filter-controls[hidden]"))
        .next()
        .is_some());

    // faq.json lists the same questions with the same targets.
    let json = faq_json(&public);
    assert_eq!(json.len(), EXPECTED.len());
    for e in &listed {
        let j = faq_json_entry(&json, &e.question);
        let (_, fragment) = e.href.split_once('#').expect("anchor");
        assert_eq!(j["anchor"], decode(fragment), "{j}");
        assert_eq!(
            decode(j["url"].as_str().expect("url")),
            decode(&e.href),
            "{j}"
        );
        assert_eq!(j["section"], e.section, "{j}");
    }

    let problems = crawl(&public, "/");
    assert!(
        problems.is_empty(),
        "broken links:\n{}",
        problems.join("\n")
    );
}

#[test]
fn heading_answers_stop_at_the_next_heading_of_the_same_or_higher_level() {
    let (_site, public, _) = built();
    let listed = entries(&parse_html(&public.join("faq/index.html")));
    let json = faq_json(&public);
    // (question, text the answer includes, text it must not include)
    let cases: [(&str, &[&str], &[&str]); 7] = [
        (
            "可以投诉吗？",
            &[
                "投诉答案开头",
                "投诉材料",
                "材料小节文字",
                "投诉渠道",
                "渠道小节文字",
            ],
            &["下一节文字不属于答案", "其他注意事项", "核实借款平台"],
        ),
        (
            "暴力催收怎么办？",
            &[
                "暴力催收答案开头",
                "被威胁了要报警吗",
                "威胁小节答案",
                "录音小节答案",
            ],
            &["电话报警答案", "后续处理文字", "接到暴力催收电话"],
        ),
        (
            "被威胁了要报警吗？",
            &["威胁小节答案"],
            &["录音小节答案", "暴力催收答案开头", "电话报警答案"],
        ),
        (
            "录音有用吗?",
            &["录音小节答案"],
            &["电话报警答案", "后续处理文字", "威胁小节答案"],
        ),
        (
            "可以报警吗?",
            &["电话报警答案"],
            &["后续处理文字", "录音小节答案"],
        ),
        (
            "App收集通讯录合法吗?",
            &["通讯录答案"],
            &["删除权说明", "个人信息泄露的应对"],
        ),
        ("如何关闭权限？", &["关闭权限答案"], &["应用权限说明"]),
    ];
    for (question, has, lacks) in cases {
        let entry = listed
            .iter()
            .find(|e| e.question == question)
            .unwrap_or_else(|| panic!("`{question}` not on /faq/"));
        let j = faq_json_entry(&json, question);
        let answer_text = j["answer_text"].as_str().expect("answer_text");
        let answer_html = j["answer_html"].as_str().expect("answer_html");
        for (what, answer) in [
            ("faq.json answer_text", answer_text),
            ("faq.json answer_html", answer_html),
            ("/faq/ answer", entry.answer_text.as_str()),
        ] {
            for h in has {
                assert!(
                    answer.contains(h),
                    "{what} of `{question}` lacks `{h}`: {answer}"
                );
            }
            for l in lacks {
                assert!(
                    !answer.contains(l),
                    "{what} of `{question}` runs into `{l}`: {answer}"
                );
            }
        }
    }
    // Sub-headings inside an answer stay headings in its HTML.
    let j = faq_json_entry(&json, "可以投诉吗？");
    let html = Html::parse_fragment(j["answer_html"].as_str().unwrap());
    let subs: Vec<String> = html.select(&sel("h3")).map(text_of).collect();
    assert_eq!(subs, ["投诉材料", "投诉渠道"]);
}

#[test]
fn json_ld_is_one_faqpage_with_each_question_once() {
    let (_site, public, _) = built();
    let doc = parse_html(&public.join("faq/index.html"));
    let blocks = json_ld(&doc);
    assert_eq!(blocks.len(), 1, "one JSON-LD block on /faq/");
    let questions = questions_of(&blocks);
    let json = faq_json(&public);

    let names: Vec<&str> = questions.iter().map(|(n, _)| n.as_str()).collect();
    let mut unique = BTreeSet::new();
    for n in &names {
        assert!(unique.insert(*n), "`{n}` marked up twice");
        assert!(
            EXPECTED.iter().any(|(q, ..)| q == n),
            "`{n}` is not a question of the site"
        );
    }
    for (q, ..) in EXPECTED {
        let twin = DUPLICATES
            .iter()
            .find_map(|&(a, b)| (a == q).then_some(b).or_else(|| (b == q).then_some(a)));
        match twin {
            None => assert!(names.contains(&q), "`{q}` missing from JSON-LD"),
            Some(twin) => assert_eq!(
                usize::from(names.contains(&q)) + usize::from(names.contains(&twin)),
                1,
                "exactly one of `{q}` / `{twin}` (the same question) in JSON-LD: {names:?}"
            ),
        }
    }
    assert_eq!(names.len(), EXPECTED.len() - DUPLICATES.len());

    for (name, text) in &questions {
        let j = faq_json_entry(&json, name);
        assert_eq!(j["answer_text"], text.as_str(), "answer text of `{name}`");
        assert!(!text.trim().is_empty(), "`{name}` has an empty answer");
        // Text, not the rendered HTML (the hostile answer's `<b>` is literal text the author
        // wrote, shown escaped on the page, so only the others must be free of `<`).
        for tag in ["<p>", "<strong>", "<h3", "<em>", "</p>"] {
            assert!(
                !text.contains(tag),
                "answer of `{name}` has markup {tag}: {text}"
            );
        }
        if name != HOSTILE_Q && name != HOSTILE_HEADING_Q {
            assert!(!text.contains(['<', '>']), "answer of `{name}`: {text}");
        }
    }
    let answer = &questions
        .iter()
        .find(|(n, _)| n == "催收短信可以不理吗？")
        .expect("front-matter question marked up")
        .1;
    assert_eq!(answer, "不建议完全不理，先核实真假。短信答案标记。");

    // Only the FAQ index carries FAQPage markup.
    for file in html_files(&public) {
        if file == public.join("faq/index.html") {
            continue;
        }
        assert!(
            !read(&file).contains("FAQPage"),
            "{} carries FAQPage markup",
            file.display()
        );
    }
}

#[test]
fn hostile_text_is_escaped_in_html_json_ld_and_faq_json() {
    let (_site, public, _) = built();
    let raw = read(&public.join("faq/index.html"));
    assert!(!raw.contains("<script>alert"), "raw script on /faq/");
    assert!(raw.contains("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));

    let doc = Html::parse_document(&raw);
    // Parsed, the page has only its own scripts, none of them the injected one.
    for s in doc.select(&sel("script")) {
        let body = s.text().collect::<String>();
        if s.value().attr("type") != Some("application/ld+json") {
            assert!(!body.contains("alert(1)"), "an injected script ran: {body}");
        }
    }
    let listed = entries(&doc);
    let entry = |q: &str| {
        listed
            .iter()
            .find(|e| e.question == q)
            .unwrap_or_else(|| panic!("hostile question not listed as text: {listed:#?}"))
    };
    // The heading's markup was written as text (`\<`): it is shown as text.
    let e = entry(HOSTILE_HEADING_Q);
    assert_eq!(
        e.answer_text,
        "正文 </script><script>alert(1)</script> 答案。"
    );
    let frag = Html::parse_fragment(&e.answer_html);
    assert!(
        frag.select(&sel("script, b, img")).next().is_none(),
        "{}",
        e.answer_html
    );
    // The front-matter answer's raw HTML (`HOSTILE_A_MARKDOWN`) is sanitised: the script
    // goes with its text, the stray `</script>` goes, `<b>` stays.
    let e = entry(HOSTILE_Q);
    let shown: Vec<&str> = e.answer_text.split_whitespace().collect();
    assert_eq!(shown.join(" "), HOSTILE_A);
    let frag = Html::parse_fragment(&e.answer_html);
    assert!(
        frag.select(&sel("script")).next().is_none(),
        "{}",
        e.answer_html
    );
    let bold: Vec<String> = frag.select(&sel("b")).map(text_of).collect();
    assert_eq!(bold, ["粗"], "{}", e.answer_html);
    assert!(!e.answer_html.contains("alert"), "{}", e.answer_html);
    assert!(HOSTILE_A_MARKDOWN.contains("<script>"));

    // JSON-LD: one script element, back to the original strings.
    let questions = questions_of(&json_ld(&doc));
    let get = |name: &str| {
        questions
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("`{name}` not in JSON-LD"))
            .1
            .clone()
    };
    assert_eq!(get(HOSTILE_Q), HOSTILE_A);
    assert_eq!(
        get(HOSTILE_HEADING_Q),
        "正文 </script><script>alert(1)</script> 答案。"
    );

    // faq.json: the original text, and HTML that is escaped.
    let json = faq_json(&public);
    let j = faq_json_entry(&json, HOSTILE_Q);
    assert_eq!(j["answer_text"], HOSTILE_A);
    let html = j["answer_html"].as_str().expect("answer_html");
    assert!(!html.contains("<script") && !html.contains("</script") && !html.contains("alert"));
    assert!(html.contains("<b>粗</b>"), "{html}");
    let html = faq_json_entry(&json, HOSTILE_HEADING_Q)["answer_html"]
        .as_str()
        .expect("answer_html");
    assert!(html.contains("&lt;/script&gt;"), "{html}");

    // The article renders the question and answer as text, too.
    let page = read(&public.join("privacy/hostile/index.html"));
    assert!(!page.contains("<script>alert"), "raw script in the article");
    let article = Html::parse_document(&page);
    let summary = article
        .select(&sel("section#faq details summary"))
        .next()
        .map(text_of);
    assert_eq!(summary.as_deref(), Some(HOSTILE_Q));

    // And nowhere in the output does the injected markup survive.
    for file in html_files(&public) {
        let text = read(&file);
        assert!(
            !text.contains("<script>alert") && !text.contains("</script><script>"),
            "{}",
            file.display()
        );
    }
}

#[test]
fn duplicate_questions_warn_with_both_files_and_lines_and_the_build_succeeds() {
    let (_site, public, err) = built();
    assert!(public.join("faq/index.html").is_file());
    let warnings: Vec<&str> = err.lines().filter(|l| l.starts_with("warning:")).collect();
    assert_eq!(warnings.len(), 2, "one warning per duplicate pair:\n{err}");
    for (needle, files) in [
        (
            "可以报警吗",
            ["content/debt/sms.md:11", "content/debt/call.md:24"],
        ),
        (
            "收集通讯录合法吗",
            ["content/privacy/leak.md:15", "content/privacy/app.md:9"],
        ),
    ] {
        let hits: Vec<&&str> = warnings.iter().filter(|w| w.contains(needle)).collect();
        assert_eq!(hits.len(), 1, "warnings about `{needle}`:\n{err}");
        for f in files {
            assert!(hits[0].contains(f), "`{}` does not name {f}", hits[0]);
        }
    }
}

/// A site of 2 sections × 130 articles × 2 questions (plus one repeated across sections).
fn big_site(root: &Path) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut files: Vec<(String, String)> = vec![
        (
            "kbgen.yaml".into(),
            "title: 大站\nlanguage: zh-CN\nbase_url: /\ntaxonomies:\n  - { name: tags, title: 标签 }\n"
                .into(),
        ),
        (
            "content/alpha/_index.md".into(),
            "---\ntitle: 甲栏目\nweight: 1\n---\n".into(),
        ),
        (
            "content/beta/_index.md".into(),
            "---\ntitle: 乙栏目\nweight: 2\n---\n".into(),
        ),
    ];
    let mut alpha = BTreeSet::new();
    let mut beta = BTreeSet::new();
    for (section, name, set) in [("alpha", "甲", &mut alpha), ("beta", "乙", &mut beta)] {
        for i in 0..130 {
            let fm_q = format!("{name}栏目第{i}篇怎样退款？");
            let h_q = format!("{name}栏目第{i}篇可以投诉吗？");
            let mut faq = format!("  - q: {fm_q}\n    a: 第{i}篇的退款答案。\n");
            set.insert(fm_q);
            set.insert(h_q.clone());
            if section == "beta" && i == 0 {
                // The same question as alpha's first one: marked up once site-wide.
                faq.push_str("  - q: 甲栏目第0篇怎样退款?\n    a: 重复的问题。\n");
                set.insert("甲栏目第0篇怎样退款?".into());
            }
            files.push((
                format!("content/{section}/a{i:03}.md"),
                format!(
                    "---\ntitle: {name}文章{i}\ntags: [t{}]\nfaq:\n{faq}---\n\n导语。\n\n## {h_q}\n\n第{i}篇投诉答案。\n",
                    i % 3
                ),
            ));
        }
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    write_files(root, &refs);
    (alpha, beta)
}

/// A section page of more than 500 questions lists them without their answers (6 MB of
/// HTML at 10,000 articles): each question links its answer and names its article; a
/// smaller section's page keeps the answers, and the JSON-LD carries every question.
#[test]
fn a_section_page_past_500_questions_lists_them_without_answers() {
    let site = tempfile::tempdir().expect("temp dir");
    let mut files: Vec<(String, String)> = vec![(
        "kbgen.yaml".into(),
        "title: 大站\nlanguage: zh-CN\nbase_url: /\n".into(),
    )];
    for (section, n) in [("big", 260), ("small", 3)] {
        for i in 0..n {
            files.push((
                format!("content/{section}/a{i:03}.md"),
                format!(
                    "---\ntitle: {section}文章{i}\nfaq:\n  - q: {section}第{i}篇怎样退款？\n    a: 第{i}篇的**退款**答案。\n---\n\n导语。\n\n## {section}第{i}篇可以投诉吗？\n\n第{i}篇投诉答案。\n"
                ),
            ));
        }
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    write_files(site.path(), &refs);
    let out = build(site.path(), &[]);
    assert_success(&out);
    let public = site.path().join("public");

    let big = parse_html(&public.join("faq/big/index.html"));
    let listed = question_links(&big);
    assert_eq!(listed.len(), 520, "faq/big/ lists every question");
    assert_eq!(
        big.select(&sel("section#faq-index .faq-answer")).count(),
        0,
        "faq/big/ still carries answers"
    );
    let entries: Vec<_> = big.select(&sel("li.faq-entry")).collect();
    assert_eq!(entries.len(), 520);
    for li in entries {
        let a = li.select(&sel("a.faq-q")).next().expect("a.faq-q");
        let href = decode(a.value().attr("href").expect("href"));
        let (page, anchor) = href.split_once('#').expect("ARTICLE#ANCHOR");
        let stem = page.trim_end_matches('/').rsplit('/').next().expect("slug");
        let from = li.select(&sel(".faq-from")).next().map(text_of);
        let i: usize = stem.trim_start_matches('a').parse().expect("a000");
        assert_eq!(
            from.as_deref(),
            Some(format!("big文章{i}").as_str()),
            "{href}"
        );
        let article = read(&public.join(page.trim_start_matches('/')).join("index.html"));
        assert!(
            article.contains(&format!("id=\"{anchor}\"")),
            "{href}: no such anchor"
        );
    }
    assert_eq!(
        questions_of(&json_ld(&big)).len(),
        520,
        "faq/big/'s JSON-LD lists every question"
    );

    let small = parse_html(&public.join("faq/small/index.html"));
    assert_eq!(question_links(&small).len(), 6);
    let answers: Vec<String> = small
        .select(&sel("section#faq-index .faq-answer .prose"))
        .map(text_of)
        .collect();
    assert_eq!(answers.len(), 6, "faq/small/ keeps its answers");
    assert!(
        answers.iter().any(|a| a.contains("第0篇的退款答案")),
        "{answers:?}"
    );
    assert_eq!(small.select(&sel(".faq-from")).count(), 0);
}

#[test]
fn past_500_questions_each_section_gets_its_own_faq_page() {
    let site = tempfile::tempdir().expect("temp dir");
    let (alpha, beta) = big_site(site.path());
    assert!(alpha.len() + beta.len() > 500);
    let out = build(site.path(), &[]);
    assert_success(&out);
    assert!(
        stderr(&out).contains("content/beta/a000.md"),
        "cross-section duplicate warned:\n{}",
        stderr(&out)
    );
    let public = site.path().join("public");

    // /faq/ lists the sections, not the questions.
    let index = parse_html(&public.join("faq/index.html"));
    let links: BTreeSet<String> = index
        .select(&sel("main section#faq-index a[href]"))
        .filter_map(|a| a.value().attr("href").map(decode))
        .collect();
    for s in ["/faq/alpha/", "/faq/beta/"] {
        assert!(links.contains(s), "/faq/ does not link {s}: {links:?}");
    }
    assert!(
        question_links(&index).is_empty(),
        "/faq/ still lists questions past 500"
    );

    let mut marked: BTreeMap<String, usize> = BTreeMap::new();
    for (name, _) in questions_of(&json_ld(&index)) {
        *marked.entry(name).or_default() += 1;
    }
    for (section, expected) in [("alpha", &alpha), ("beta", &beta)] {
        let page = public.join("faq").join(section).join("index.html");
        let doc = parse_html(&page);
        let listed = question_links(&doc);
        let texts: BTreeSet<String> = listed.iter().map(|(q, _)| q.clone()).collect();
        assert_eq!(
            listed.len(),
            expected.len(),
            "faq/{section}/ lists each once"
        );
        assert_eq!(
            &texts, expected,
            "faq/{section}/ lists exactly its questions"
        );
        for (q, href) in &listed {
            assert!(
                decode(href).starts_with(&format!("/{section}/")),
                "`{q}` on faq/{section}/ links {href}"
            );
        }
        let count = shown_count(&doc);
        assert_eq!(
            numbers_in(&count),
            [expected.len() as u64],
            "faq/{section}/: `{count}`"
        );

        let blocks = json_ld(&doc);
        assert_eq!(blocks.len(), 1, "one JSON-LD block on faq/{section}/");
        for (name, _) in questions_of(&blocks) {
            assert!(
                expected.contains(&name),
                "faq/{section}/ marks up `{name}` of another section"
            );
            *marked.entry(name).or_default() += 1;
        }
    }
    // Each question once site-wide: the repeated one only where it was first asked.
    let twice: Vec<_> = marked.iter().filter(|(_, &n)| n != 1).collect();
    assert!(twice.is_empty(), "marked up more than once: {twice:?}");
    assert!(marked.contains_key("甲栏目第0篇怎样退款？"));
    assert!(!marked.contains_key("甲栏目第0篇怎样退款?"));
    assert_eq!(marked.len(), alpha.len() + beta.len() - 1);

    assert_eq!(faq_json(&public).len(), alpha.len() + beta.len());
    let problems = crawl(&public, "/");
    assert!(
        problems.is_empty(),
        "broken links:\n{}",
        problems.join("\n")
    );
}

/// `href`s of the FAQ entries the user can see.
const VISIBLE: &str = "Array.from(document.querySelectorAll('#faq-index li.faq-entry'))\
    .filter(li => li.getClientRects().length > 0)\
    .map(li => li.querySelector('a.faq-q').getAttribute('href'))";

fn visible(page: &crate::support::browser::Page) -> BTreeSet<String> {
    serde_json::from_value(page.eval(VISIBLE)).expect("an array of hrefs")
}

/// Expected hrefs for a set of pressed chips: OR within a taxonomy, AND across taxonomies
/// (what the theme documents), and the filter text as a substring of the question.
fn expected_for(all: &[Entry], keys: &[&str], text: &str) -> BTreeSet<String> {
    let mut by_tax: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for k in keys {
        by_tax
            .entry(k.split_once(':').expect("TAXONOMY:TERM").0)
            .or_default()
            .push(k);
    }
    all.iter()
        .filter(|e| {
            by_tax
                .values()
                .all(|ks| ks.iter().any(|k| e.keys.contains(*k)))
                && e.question.to_lowercase().contains(&text.to_lowercase())
        })
        .map(|e| e.href.clone())
        .collect()
}

fn chip(key: &str) -> String {
    format!("button.filter-chip[data-key=\"{key}\"]")
}

/// A click through the DOM (the same handler as a mouse click, without headless_chrome's
/// per-click wait for an animation frame); real mouse clicks are used for the combinations.
fn js_click(page: &crate::support::browser::Page, selector: &str) {
    let js = format!(
        "document.querySelector({}).click()",
        serde_json::to_string(selector).expect("string")
    );
    page.eval(&js);
}

fn status(page: &crate::support::browser::Page) -> String {
    page.text("#filter-status").trim().to_string()
}

#[test]
fn filters_show_exactly_the_questions_with_the_chosen_terms_in_chromium() {
    let (_site, public, _) = built();
    let doc = parse_html(&public.join("faq/index.html"));
    let all = entries(&doc);
    let every: BTreeSet<String> = all.iter().map(|e| e.href.clone()).collect();
    assert_eq!(every.len(), EXPECTED.len());
    let chips: Vec<(String, u64)> = doc
        .select(&sel("button.filter-chip[data-key]"))
        .filter_map(|b| {
            let key = b.value().attr("data-key")?;
            (!key.is_empty()).then(|| {
                let n = b
                    .select(&sel("span"))
                    .next()
                    .map(text_of)
                    .unwrap_or_default();
                (key.to_string(), n.parse().unwrap_or(0))
            })
        })
        .collect();
    let keys: BTreeSet<&str> = chips.iter().map(|(k, _)| k.as_str()).collect();
    for k in [
        "tags:催收",
        "legal_basis:民法典",
        "remedy_type:报警",
        "remedy_type:投诉",
        "tags:短信",
        "tags:电话",
    ] {
        assert!(keys.contains(k), "no chip {k}: {keys:?}");
    }
    // The data-terms the chips are judged against say what the articles say.
    let hrefs_of = |article: &str| -> BTreeSet<String> {
        all.iter()
            .filter(|e| decode(&e.href).starts_with(&format!("/{article}/")))
            .map(|e| e.href.clone())
            .collect()
    };
    assert_eq!(
        expected_for(&all, &["remedy_type:报警"], ""),
        hrefs_of("debt/call")
    );
    let civil: BTreeSet<String> = hrefs_of("debt/sms")
        .union(&hrefs_of("privacy/app"))
        .cloned()
        .collect();
    assert_eq!(
        expected_for(&all, &["legal_basis:民法典"], ""),
        civil,
        "aliases fold"
    );

    let server = StaticServer::start(&public);
    let Some(b) = browser() else { return };
    let page = b.page(1280, 800);
    page.goto(&server.url("/faq/"));
    page.wait_for(
        "document.querySelector('#faq-filter').getClientRects().length > 0",
        Duration::from_secs(10),
    )
    .expect("the filter box becomes visible");

    // Untouched: every question visible, nothing filtered, the "all" chip pressed.
    assert_eq!(visible(&page), every, "before any click");
    assert_eq!(status(&page), "");
    assert_eq!(
        page.eval("document.querySelector('.filter-chip-all').getAttribute('aria-pressed')"),
        "true"
    );
    assert_eq!(
        page.eval("document.querySelectorAll('.filter-chip').length"),
        (chips.len() + 1) as u64
    );
    assert_eq!(
        page.eval("Array.from(document.querySelectorAll('.filter-chip')).every(c => c.getClientRects().length > 0)"),
        true
    );

    // Each chip alone: exactly the questions carrying its term, its count right, status updated.
    for (key, count) in &chips {
        js_click(&page, &chip(key));
        let want = expected_for(&all, &[key], "");
        assert_eq!(visible(&page), want, "chip {key}");
        assert_eq!(want.len() as u64, *count, "the count on chip {key}");
        assert_eq!(
            numbers_in(&status(&page)),
            [want.len() as u64, every.len() as u64],
            "status for {key}: `{}`",
            status(&page)
        );
        js_click(&page, &chip(key));
        assert_eq!(visible(&page), every, "chip {key} released");
        assert_eq!(status(&page), "");
    }

    // Two taxonomies: both must hold. Same taxonomy: either may.
    page.click(&chip("tags:催收"));
    page.click(&chip("remedy_type:投诉"));
    let want = expected_for(&all, &["tags:催收", "remedy_type:投诉"], "");
    assert_eq!(want, hrefs_of("debt/sms"));
    assert_eq!(visible(&page), want, "tags:催收 and remedy_type:投诉");
    // The URL keeps the chips (issue 16); opened again, it shows the same questions.
    let shared = page.url();
    let query = decode(shared.split_once('?').map_or("", |(_, q)| q));
    let mut pairs: Vec<&str> = query.split('&').collect();
    pairs.sort_unstable();
    assert_eq!(pairs, ["remedy_type=投诉", "tags=催收"], "{shared}");
    let again = b.page(1280, 800);
    again.goto(&shared);
    again
        .wait_for(
            "document.querySelector('#faq-filter').getClientRects().length > 0",
            Duration::from_secs(10),
        )
        .expect("the filter box becomes visible");
    assert_eq!(visible(&again), want, "{shared} reopened");
    assert_eq!(
        numbers_in(&status(&again)),
        [want.len() as u64, every.len() as u64]
    );
    // A group with nothing left is hidden as a whole.
    assert_eq!(
        page.eval("Array.from(document.querySelectorAll('#faq-index .faq-group')).filter(g => g.getClientRects().length > 0).length"),
        1
    );
    page.click(".filter-chip-all");
    assert_eq!(visible(&page), every, "all resets");
    assert_eq!(
        page.eval("document.querySelectorAll('.filter-chip[aria-pressed=\"true\"]:not(.filter-chip-all)').length"),
        0
    );
    page.click(&chip("tags:短信"));
    page.click(&chip("tags:电话"));
    let want = expected_for(&all, &["tags:短信", "tags:电话"], "");
    let debt: BTreeSet<String> = hrefs_of("debt/sms")
        .union(&hrefs_of("debt/call"))
        .cloned()
        .collect();
    assert_eq!(want, debt);
    assert_eq!(visible(&page), want, "tags:短信 or tags:电话");
    page.click(".filter-chip-all");

    // The filter box narrows by text, alone and with a chip; Escape clears it.
    page.type_text("#faq-filter", "报警");
    let want = expected_for(&all, &[], "报警");
    assert_eq!(want.len(), 3);
    page.wait_for(
        &format!("({VISIBLE}).length === {}", want.len()),
        Duration::from_secs(5),
    )
    .expect("the filter box narrows the list");
    assert_eq!(visible(&page), want, "filter box `报警`");
    assert_eq!(numbers_in(&status(&page)), [3, every.len() as u64]);
    page.click(&chip("remedy_type:投诉"));
    let want = expected_for(&all, &["remedy_type:投诉"], "报警");
    assert_eq!(want.len(), 1);
    assert_eq!(visible(&page), want, "`报警` and remedy_type:投诉");
    assert_eq!(numbers_in(&status(&page)), [1, every.len() as u64]);
    page.type_text("#faq-filter", "");
    page.press_key("Escape");
    assert_eq!(page.eval("document.querySelector('#faq-filter').value"), "");
    assert_eq!(
        visible(&page),
        expected_for(&all, &["remedy_type:投诉"], "")
    );
    page.click(".filter-chip-all");
    page.type_text("#faq-filter", "通讯录");
    assert_eq!(visible(&page), expected_for(&all, &[], "通讯录"));
    page.press_key("Escape");
    assert_eq!(visible(&page), every);
    assert_eq!(status(&page), "");

    // The hostile question is text in the browser too, and nothing injected ran.
    assert_eq!(
        page.eval(
            "Array.from(document.querySelectorAll('a.faq-q')).some(a => a.textContent === \
             '问题 </script><script>alert(1)</script> 怎么办？')"
        ),
        true
    );
    let ld = page.eval(
        "JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)['@type']",
    );
    assert_eq!(ld, "FAQPage");
    assert_eq!(page.js_errors(), Vec::<String>::new());
}

#[test]
fn heading_answer_text_keeps_a_sub_heading_apart_from_the_text_after_it() {
    let site = tempfile::tempdir().expect("temp dir");
    write_files(
        site.path(),
        &[
            ("kbgen.yaml", "title: T\nlanguage: en\n"),
            (
                "content/a/one.md",
                "---\ntitle: One\n---\n\n## Can I complain?\n\nYes you can.\n\n### Materials\n\n\
                 Keep screenshots.\n\n## Next\n\nOther text.\n",
            ),
        ],
    );
    let out = build(site.path(), &[]);
    assert_success(&out);
    let public = site.path().join("public");
    let json = faq_json(&public);
    let text = faq_json_entry(&json, "Can I complain?")["answer_text"]
        .as_str()
        .expect("answer_text")
        .to_string();
    let ld = questions_of(&json_ld(&parse_html(&public.join("faq/index.html"))));
    for (what, answer) in [("faq.json", text.as_str()), ("JSON-LD", ld[0].1.as_str())] {
        let words: Vec<&str> = answer
            .split(|c: char| c.is_whitespace() || c.is_ascii_punctuation())
            .filter(|w| !w.is_empty())
            .collect();
        assert_eq!(
            words,
            ["Yes", "you", "can", "Materials", "Keep", "screenshots"],
            "{what} answer text `{answer}`"
        );
    }
}

/// The "共 N 个问题" line of an FAQ page.
fn shown_count(doc: &Html) -> String {
    doc.select(&sel("main .faq-count"))
        .next()
        .map(text_of)
        .expect("a count")
}

/// Issue 14: "去哪里申请？" means something only in its article. `{.no-faq}` keeps one heading
/// out of the FAQ and its JSON-LD, `faq_headings: false` keeps a whole article's out, and
/// `{.faq}` lets one back in; the headings stay on their pages with their ids, the marks do
/// not reach the HTML.
#[test]
fn faq_switches_keep_headings_out_of_the_faq_by_heading_and_by_article() {
    let site = tempfile::tempdir().expect("temp dir");
    write_files(
        site.path(),
        &[
            ("kbgen.yaml", "title: 站\nlanguage: zh-CN\n"),
            (
                "content/a/one.md",
                "---\ntitle: 一\n---\n\n## 去哪里申请？ {.no-faq}\n\n看本文上下文。\n\n## 要钱吗？\n\n不要钱。\n",
            ),
            (
                "content/a/two.md",
                "---\ntitle: 二\nfaq_headings: false\n---\n\n## 去哪里申请？\n\n还是看上下文。\n\n\
                 ## 能退吗？ {.faq}\n\n能退。\n\n## 多久？\n\n三天。\n",
            ),
        ],
    );
    let out = build(site.path(), &[]);
    assert_success(&out);
    assert!(
        !stderr(&out).contains("is also asked"),
        "questions kept out are not duplicates: {}",
        stderr(&out)
    );
    let public = site.path().join("public");
    let doc = parse_html(&public.join("faq/index.html"));
    let listed: Vec<String> = question_links(&doc).into_iter().map(|(q, _)| q).collect();
    assert_eq!(listed, ["要钱吗？", "能退吗？"]);
    let names: Vec<String> = questions_of(&json_ld(&doc))
        .into_iter()
        .map(|(q, _)| q)
        .collect();
    assert_eq!(names, ["要钱吗？", "能退吗？"]);
    let json: Vec<String> = faq_json(&public)
        .iter()
        .map(|q| q["question"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(json, ["要钱吗？", "能退吗？"]);
    for (page, ids) in [
        ("a/one/index.html", &["去哪里申请", "要钱吗"][..]),
        ("a/two/index.html", &["去哪里申请", "能退吗", "多久"][..]),
    ] {
        let html = read(&public.join(page));
        assert!(
            !html.contains("no-faq") && !html.contains("class=\"faq\""),
            "{html}"
        );
        let doc = Html::parse_document(&html);
        let got: Vec<String> = doc
            .select(&sel("article .prose h2[id]"))
            .map(|h| h.value().id().unwrap().to_string())
            .collect();
        assert_eq!(got, ids, "{page}");
    }
}

/// The switch is a front-matter key like the others: a misspelling names it, a value that is
/// not a bool is an error at the value.
#[test]
fn faq_headings_is_checked_like_every_front_matter_key() {
    let site = tempfile::tempdir().expect("temp dir");
    write_files(
        site.path(),
        &[
            ("kbgen.yaml", "title: T\nlanguage: en\n"),
            (
                "content/a/one.md",
                "---\ntitle: One\nfaq_heading: false\n---\n\ntext\n",
            ),
            (
                "content/a/two.md",
                "---\ntitle: Two\nfaq_headings: nope\n---\n\ntext\n",
            ),
        ],
    );
    let out = build(site.path(), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let errors: Vec<String> = stderr(&out)
        .lines()
        .filter(|l| l.starts_with("error:"))
        .map(str::to_string)
        .collect();
    assert_eq!(
        errors,
        [
            "error: content/a/one.md:3:1: unknown front-matter key `faq_heading` (did you mean `faq_headings`?)",
            "error: content/a/two.md:3:15: `faq_headings` must be true or false",
        ]
    );
}

/// Issue 14: an answer's list and table stay a list and a table in its HTML (article, /faq/,
/// faq.json), and its text (JSON-LD, faq.json) reads as sentences instead of a run-on line.
#[test]
fn faq_answers_keep_lists_and_tables_and_read_as_sentences() {
    let site = tempfile::tempdir().expect("temp dir");
    write_files(
        site.path(),
        &[
            ("kbgen.yaml", "title: 站\nlanguage: zh-CN\n"),
            (
                "content/a/one.md",
                "---\ntitle: 一\nfaq:\n  - q: 要带什么？\n    a: \"- 身份证\\n- 借款合同\\n\"\n---\n\n\
                 ## 向谁投诉？\n\n看放款方：\n\n| 放款方 | 找谁 |\n| --- | --- |\n| 小额贷款公司 | 地方金融管理部门 |\n\
                 | 银行 | 12378 |\n\n- 先截图\n- 再投诉\n\n## 下一节\n\n不属于答案。\n",
            ),
        ],
    );
    assert_success(&build(site.path(), &[]));
    let public = site.path().join("public");
    let want = [
        (
            "向谁投诉？",
            "看放款方：放款方，找谁；小额贷款公司，地方金融管理部门；银行，12378；先截图；再投诉",
        ),
        ("要带什么？", "身份证；借款合同"),
    ];
    let ld = questions_of(&json_ld(&parse_html(&public.join("faq/index.html"))));
    let json = faq_json(&public);
    for (q, text) in want {
        assert_eq!(
            ld.iter().find(|(n, _)| n == q).map(|(_, t)| t.as_str()),
            Some(text),
            "JSON-LD of {q}"
        );
        assert_eq!(
            faq_json_entry(&json, q)["answer_text"],
            text,
            "faq.json of {q}"
        );
    }
    let html = faq_json_entry(&json, "向谁投诉？")["answer_html"]
        .as_str()
        .unwrap()
        .to_string();
    let frag = Html::parse_fragment(&html);
    let cells: Vec<String> = frag.select(&sel("table tbody td")).map(text_of).collect();
    assert_eq!(cells, ["小额贷款公司", "地方金融管理部门", "银行", "12378"]);
    assert_eq!(frag.select(&sel("ul > li")).count(), 2);
    let page = parse_html(&public.join("faq/index.html"));
    let listed = entries(&page);
    let e = listed.iter().find(|e| e.question == "向谁投诉？").unwrap();
    let shown = Html::parse_fragment(&e.answer_html);
    assert_eq!(shown.select(&sel("table tr")).count(), 3);
    assert!(!e.answer_text.contains("不属于答案"));
    let article = parse_html(&public.join("a/one/index.html"));
    assert_eq!(article.select(&sel("#faq details ul > li")).count(), 2);
}

/// Regression: a section holding a single article listed none of its questions on `/faq/`
/// (the section's range of questions took the article as its first and found no last).
#[test]
fn a_section_of_one_article_lists_its_questions() {
    let site = tempfile::tempdir().expect("temp dir");
    write_files(
        site.path(),
        &[
            ("kbgen.yaml", "title: T\nlanguage: en\n"),
            (
                "content/a/one.md",
                "---\ntitle: One\nfaq:\n  - {q: First?, a: Yes.}\n---\n\n## Second?\n\nNo.\n",
            ),
            (
                "content/b/two.md",
                "---\ntitle: Two\n---\n\n## Third?\n\nMaybe.\n",
            ),
            (
                "content/b/three.md",
                "---\ntitle: Three\n---\n\nNo questions.\n",
            ),
        ],
    );
    assert_success(&build(site.path(), &[]));
    let doc = parse_html(&site.path().join("public/faq/index.html"));
    let listed: Vec<String> = question_links(&doc).into_iter().map(|(q, _)| q).collect();
    // (An article's heading questions come before its front-matter ones.)
    assert_eq!(listed, ["Second?", "First?", "Third?"]);
}
