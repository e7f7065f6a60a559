//! sitemap.xml, atom.xml and robots.txt (XML written with quick-xml, which escapes it).

use crate::ids::ArticleId;
use crate::urls::UrlMaker;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

/// Past this many URLs a sitemap becomes a sitemap index (the sitemaps.org limit).
const SITEMAP_LIMIT: usize = 50_000;
const FEED_ENTRIES: usize = 20;

type Xml = Writer<Vec<u8>>;

fn start(w: &mut Xml, name: &str, attrs: &[(&str, &str)]) {
    let mut e = BytesStart::new(name);
    for (k, v) in attrs {
        e.push_attribute((*k, xml_chars(v).as_ref()));
    }
    let _ = w.write_event(Event::Start(e));
}

/// `text` without the characters XML 1.0 forbids (control characters but tab and line
/// ends, U+FFFE, U+FFFF): escaping cannot make them legal, and one of them makes a whole
/// feed unreadable.
fn xml_chars(text: &str) -> std::borrow::Cow<'_, str> {
    let bad = |c: char| {
        (c.is_control() && !matches!(c, '\t' | '\n' | '\r') && (c as u32) < 0x20)
            || matches!(c, '\u{FFFE}' | '\u{FFFF}')
    };
    if text.chars().any(bad) {
        std::borrow::Cow::Owned(text.chars().filter(|c| !bad(*c)).collect())
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

fn end(w: &mut Xml, name: &str) {
    let _ = w.write_event(Event::End(BytesEnd::new(name)));
}

fn leaf(w: &mut Xml, name: &str, text: &str) {
    start(w, name, &[]);
    let _ = w.write_event(Event::Text(BytesText::new(&xml_chars(text))));
    end(w, name);
}

fn document() -> Xml {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 1);
    let _ = w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    w
}

/// (url, lastmod) of every page a sitemap lists: home, sections, articles (with their review
/// date), the FAQ, taxonomies and terms, and the browse page with its cells.
pub(crate) fn sitemap_pages(a: &crate::site::Analysis) -> Vec<(String, Option<String>)> {
    let mut pages: Vec<(String, Option<String>)> = vec![(a.urls.absolute(""), None)];
    for &s in &a.section_order {
        pages.push((a.urls.absolute(&a.content.sections[s].path), None));
    }
    for art in &a.content.articles {
        pages.push((
            a.urls.absolute(&art.path),
            art.reviewed().map(|d| d.day.to_string()),
        ));
    }
    pages.push((a.urls.absolute("faq/"), None));
    for t in &a.taxonomies.list {
        let seg = &a.config.taxonomies[t.taxonomy].segment;
        pages.push((a.urls.absolute(&format!("{seg}/")), None));
        for term in &t.terms {
            pages.push((a.urls.absolute(&format!("{seg}/{}/", term.slug)), None));
        }
    }
    if let Some(m) = &a.browse {
        pages.push((
            a.urls
                .absolute(&format!("{}/", crate::config::BROWSE_SEGMENT)),
            None,
        ));
        for &(r, c) in m.cells.keys() {
            let (row, column) = (
                &a.taxonomies.list[m.rows].terms[r],
                &a.taxonomies.list[m.columns].terms[c],
            );
            pages.push((
                a.urls.absolute(&crate::render::cell_path(row, column)),
                None,
            ));
        }
    }
    pages
}

/// (url, lastmod) of every page; returns the files to write (one sitemap, or an index and parts).
pub fn render_sitemaps(
    urls: &UrlMaker,
    pages: &[(String, Option<String>)],
) -> Vec<(String, Vec<u8>)> {
    let chunks: Vec<&[(String, Option<String>)]> = pages.chunks(SITEMAP_LIMIT).collect();
    let one = |part: &[(String, Option<String>)]| {
        let mut w = document();
        start(
            &mut w,
            "urlset",
            &[("xmlns", "http://www.sitemaps.org/schemas/sitemap/0.9")],
        );
        for (loc, lastmod) in part {
            start(&mut w, "url", &[]);
            leaf(&mut w, "loc", loc);
            if let Some(m) = lastmod {
                leaf(&mut w, "lastmod", m);
            }
            end(&mut w, "url");
        }
        end(&mut w, "urlset");
        w.into_inner()
    };
    if chunks.len() <= 1 {
        return vec![(
            "sitemap.xml".into(),
            one(chunks.first().copied().unwrap_or(&[])),
        )];
    }
    let mut files = Vec::new();
    let mut w = document();
    start(
        &mut w,
        "sitemapindex",
        &[("xmlns", "http://www.sitemaps.org/schemas/sitemap/0.9")],
    );
    for (i, part) in chunks.iter().enumerate() {
        let name = format!("sitemap-{}.xml", i + 1);
        start(&mut w, "sitemap", &[]);
        leaf(&mut w, "loc", &urls.absolute(&name));
        end(&mut w, "sitemap");
        files.push((name, one(part)));
    }
    end(&mut w, "sitemapindex");
    files.insert(0, ("sitemap.xml".into(), w.into_inner()));
    files
}

/// The Atom feed of the most recently reviewed articles.
pub fn render_atom(a: &crate::site::Analysis) -> Vec<u8> {
    let (urls, title, content) = (&a.urls, &a.config.title, &a.content);
    let mut order: Vec<ArticleId> = content
        .articles
        .ids()
        .filter(|&i| content.articles[i].reviewed().is_some())
        .collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&content.articles[a], &content.articles[b]);
        y.reviewed()
            .cmp(&x.reviewed())
            .then_with(|| x.path.cmp(&y.path))
    });
    order.truncate(FEED_ENTRIES);
    let stamp = |d: &crate::content::DateValue| {
        if d.iso.len() == 10 {
            format!("{}T00:00:00Z", d.iso)
        } else {
            d.iso.clone()
        }
    };
    let mut w = document();
    start(&mut w, "feed", &[("xmlns", "http://www.w3.org/2005/Atom")]);
    leaf(&mut w, "title", title);
    leaf(&mut w, "id", &urls.absolute(""));
    start(
        &mut w,
        "link",
        &[("href", &urls.absolute("atom.xml")), ("rel", "self")],
    );
    end(&mut w, "link");
    start(&mut w, "link", &[("href", &urls.absolute(""))]);
    end(&mut w, "link");
    let newest = order
        .first()
        .and_then(|&a| content.articles[a].reviewed())
        .map(stamp)
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".into());
    leaf(&mut w, "updated", &newest);
    for i in order {
        let art = &content.articles[i];
        start(&mut w, "entry", &[]);
        leaf(&mut w, "title", &art.matter.title);
        let url = urls.absolute(&art.path);
        leaf(&mut w, "id", &url);
        start(&mut w, "link", &[("href", &url)]);
        end(&mut w, "link");
        if let Some(d) = art.reviewed() {
            leaf(&mut w, "updated", &stamp(d));
        }
        if let Some(d) = &art.matter.date {
            leaf(&mut w, "published", &stamp(d));
        }
        leaf(&mut w, "summary", &a.articles[i].summary);
        end(&mut w, "entry");
    }
    end(&mut w, "feed");
    w.into_inner()
}

pub fn render_robots(urls: &UrlMaker, has_sitemap: bool) -> String {
    // The output folder's mark (kbgen's list of its own files) is no page.
    let mark = format!("{}{}", urls.base().path, crate::output::MARK);
    let mut s = format!("User-agent: *\nAllow: /\nDisallow: {mark}\n");
    if has_sitemap {
        s.push_str(&format!("Sitemap: {}\n", urls.absolute("sitemap.xml")));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_kept_but_characters_xml_forbids() {
        assert_eq!(xml_chars("标题\u{1}\u{8} ok\t\n\u{FFFF}"), "标题 ok\t\n");
        assert!(matches!(
            xml_chars("plain 文本"),
            std::borrow::Cow::Borrowed(_)
        ));
        let mut w = document();
        leaf(&mut w, "title", "a\u{0}<b>&");
        let xml = String::from_utf8(w.into_inner()).unwrap();
        assert!(xml.ends_with("<title>a&lt;b&gt;&amp;</title>"), "{xml}");
    }
}
