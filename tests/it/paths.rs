//! Property tests: whatever a writer puts in a slug, an alias, a term, a folder or a file
//! name, the page kbgen writes stays inside the output folder and every href to it is a
//! well-formed URL that a browser resolves to that page inside the site.
//!
//! Runs `PROPTEST_CASES` cases per property (proptest's default, 256), on short inputs, so the
//! whole file takes a few seconds.

use kbgen::fuzzing::{alias, article_path, check_site_path, term_path};
use proptest::prelude::*;

/// Pieces that have broken path handling somewhere: schemes, hosts, drive letters, device
/// names, dot segments plain and encoded, separators, NUL and other controls, CJK.
fn hostile_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("https:".to_string()),
        Just("https://evil.example".to_string()),
        Just("evil.example".to_string()),
        Just("javascript:alert(1)".to_string()),
        Just("C:".to_string()),
        Just("c:\\x".to_string()),
        Just("CON".to_string()),
        Just("nul.txt".to_string()),
        Just("LPT1".to_string()),
        Just(".".to_string()),
        Just("..".to_string()),
        Just(".git".to_string()),
        Just("%2e%2e".to_string()),
        Just("%2E.".to_string()),
        Just(".%2e".to_string()),
        Just("%252e%252e".to_string()),
        Just("%2f".to_string()),
        Just("%5c".to_string()),
        Just("%00".to_string()),
        Just("\0".to_string()),
        Just("\\".to_string()),
        Just("\\\\".to_string()),
        Just("/".to_string()),
        Just("//".to_string()),
        Just("?q=1".to_string()),
        Just("#frag".to_string()),
        Just("\n".to_string()),
        Just("\u{202e}".to_string()),
        Just(" ".to_string()),
        Just("index.html".to_string()),
        Just("法律".to_string()),
        Just("%E6%B3%95".to_string()),
        Just("a-b_c".to_string()),
        "[a-z0-9]{1,6}",
        "\\PC{1,6}",
        any::<char>().prop_map(String::from),
    ]
}

/// A path-like string made of hostile pieces, sometimes with separators between them.
fn hostile_path() -> impl Strategy<Value = String> {
    (
        prop_oneof![Just(""), Just("/"), Just("//"), Just("\\\\")],
        prop::collection::vec(
            (
                hostile_piece(),
                prop_oneof![Just(""), Just("/"), Just("\\")],
            ),
            1..5,
        ),
    )
        .prop_map(|(lead, parts)| {
            let mut s = lead.to_string();
            for (p, sep) in parts {
                s.push_str(&p);
                s.push_str(sep);
            }
            s
        })
}

/// Every href to `path` resolves, with the WHATWG URL parser, to that page inside the site.
fn assert_hrefs_stay_inside(path: &str) {
    for h in check_site_path(path) {
        let page = url::Url::parse(&h.page).unwrap();
        let resolved = page
            .join(&h.href)
            .unwrap_or_else(|e| panic!("href {:?} on {}: {e}", h.href, h.page));
        assert!(
            resolved.as_str().starts_with(&h.site),
            "href {:?} on {} leaves the site: {resolved}",
            h.href,
            h.page
        );
        assert!(resolved.query().is_none() && resolved.fragment().is_none());
        let rel = &resolved.path()[url::Url::parse(&h.site).unwrap().path().len()..];
        let decoded = percent_encoding_decode(rel);
        assert_eq!(
            decoded, h.target,
            "href {:?} on {} leads elsewhere",
            h.href, h.page
        );
    }
}

fn percent_encoding_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

proptest! {
    #[test]
    fn an_accepted_alias_stays_inside(raw in hostile_path()) {
        if let Ok(path) = alias(&raw) {
            let decoded = percent_encoding_decode(&raw);
            prop_assert!(!decoded.contains(':') && !decoded.contains('\\') && !decoded.contains('\0'));
            prop_assert!(!raw.trim().starts_with("//"));
            assert_hrefs_stay_inside(&path);
        }
    }

    #[test]
    fn a_term_folder_stays_inside(term in prop_oneof![hostile_path(), "\\PC{0,12}"]) {
        if let Some(path) = term_path("tags", &term) {
            prop_assert!(!path["tags/".len()..].trim_end_matches('/').contains('/'));
            assert_hrefs_stay_inside(&path);
        }
    }

    #[test]
    fn an_article_path_stays_inside(
        folders in prop::collection::vec(hostile_piece(), 0..3),
        stem in hostile_piece(),
        slug in prop::option::of(hostile_path()),
    ) {
        let folders: Vec<&str> = folders.iter().map(String::as_str).collect();
        if let Some(path) = article_path(&folders, &stem, slug.as_deref()) {
            assert_hrefs_stay_inside(&path);
        }
    }

    #[test]
    fn a_config_makes_well_formed_segments_and_term_folders(
        segment in hostile_path(),
        term in hostile_path(),
        slug in hostile_path(),
        base in hostile_path(),
    ) {
        let yaml = format!(
            "base_url: {}\ntaxonomies:\n  - name: tags\n    segment: {}\n    terms:\n      {}: {{slug: {}}}\n",
            serde_json::to_string(&base).unwrap(),
            serde_json::to_string(&segment).unwrap(),
            serde_json::to_string(&term).unwrap(),
            serde_json::to_string(&slug).unwrap(),
        );
        kbgen::fuzzing::config(yaml.as_bytes());
    }

    #[test]
    fn front_matter_aliases_slugs_and_terms_stay_inside(
        alias in hostile_path(),
        slug in hostile_path(),
        tag in hostile_path(),
    ) {
        let text = format!(
            "---\ntitle: t\nslug: {}\naliases: [{}]\ntags: [{}]\n---\nbody\n",
            serde_json::to_string(&slug).unwrap(),
            serde_json::to_string(&alias).unwrap(),
            serde_json::to_string(&tag).unwrap(),
        );
        kbgen::fuzzing::front_matter(text.as_bytes());
    }
}

#[test]
fn aliases_that_are_not_plain_site_paths_are_refused() {
    for raw in [
        "https://evil.example/x",
        "http://evil.example",
        "//evil.example/x",
        "///x",
        "\\\\evil.example\\x",
        "a\\b",
        "javascript:alert(1)",
        "mailto:a@b.c",
        "C:",
        "C:/x",
        "c:\\x",
        "%2e%2e/x",
        "a/%2E%2E/b",
        "a/.%2e/b",
        "%2e",
        "..",
        ".",
        "../../tmp/evil",
        "a/../b",
        ".git/config",
        "a\0b",
        "a%00b",
        "a\nb",
        "a%0Ab",
        "a%5Cb",
        "a%3Ab",
        "a//b",
        "old?x=1",
        "old#x",
        "",
        "/",
        "%ff",
    ] {
        assert!(
            alias(raw).is_err(),
            "alias {raw:?} was accepted: {:?}",
            alias(raw)
        );
    }
    for (raw, path) in [
        ("old/sms", "old/sms/"),
        ("/old/sms/", "old/sms/"),
        ("old/sms.html", "old/sms.html"),
        ("旧/短信", "旧/短信/"),
        ("%E6%97%A7/x", "旧/x/"),
        ("CON", "CON/"),
    ] {
        assert_eq!(alias(raw).as_deref(), Ok(path), "alias {raw:?}");
        assert_hrefs_stay_inside(path);
    }
}
