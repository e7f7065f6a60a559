//! Every URL kbgen writes: pretty paths under the base URL, or relative ones for `--portable`.

use crate::config::BaseUrl;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Characters kept as they are in a path; everything else (CJK included) is percent-encoded.
const PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'/')
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');
const FRAGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Makes hrefs from one page to another. A "site path" is relative to the site root: `` for
/// home, `collection/sms/` for a page, `static/style.css` for a file.
#[derive(Debug, Clone)]
pub struct UrlMaker {
    base: BaseUrl,
    portable: bool,
}

impl UrlMaker {
    pub fn new(base: BaseUrl, portable: bool) -> Self {
        UrlMaker { base, portable }
    }

    pub fn is_portable(&self) -> bool {
        self.portable
    }

    pub fn base(&self) -> &BaseUrl {
        &self.base
    }

    /// The same site served from its base URL, for pages exempt from `--portable` (404.html).
    pub fn rooted(&self) -> UrlMaker {
        UrlMaker {
            base: self.base.clone(),
            portable: false,
        }
    }

    /// The href of `to` on the page at `from`.
    pub fn href(&self, from: &str, to: &str) -> String {
        let encoded = encode_path(to);
        if !self.portable {
            return format!("{}{encoded}", self.base.path);
        }
        let depth = from.matches('/').count();
        let mut out = "../".repeat(depth);
        out.push_str(&encoded);
        if to.is_empty() || to.ends_with('/') {
            out.push_str("index.html");
        }
        out
    }

    /// A folder prefix that file names are appended to (`{{ urls.static }}style.css`): like
    /// `href`, but never with `index.html`.
    pub fn prefix(&self, from: &str, to: &str) -> String {
        let mut h = self.href(from, to);
        if let Some(stripped) = h.strip_suffix("index.html") {
            h.truncate(stripped.len());
        }
        h
    }

    /// `href` plus a `#fragment`.
    pub fn href_to(&self, from: &str, to: &str, fragment: Option<&str>) -> String {
        let mut h = self.href(from, to);
        if let Some(f) = fragment.filter(|f| !f.is_empty()) {
            h.push('#');
            h.push_str(&encode_fragment(f));
        }
        h
    }

    /// The absolute URL (`https://…/kb/path/`), or the base-path URL when the base is relative.
    pub fn absolute(&self, to: &str) -> String {
        format!("{}{}{}", self.base.origin, self.base.path, encode_path(to))
    }
}

/// Moves HTML made for the page at `from` to the page at `to` in a portable build: every
/// relative `href`/`src` kbgen wrote climbs to the site root first (`../` × depth), so only
/// that climb changes. Other builds use root-based URLs and need nothing.
pub fn rebase_relative(html: &str, from: &str, to: &str) -> String {
    let (up_from, up_to) = (
        "../".repeat(from.matches('/').count()),
        "../".repeat(to.matches('/').count()),
    );
    if up_from == up_to {
        return html.to_string();
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find(['h', 's']) {
        let (head, tail) = rest.split_at(i);
        out.push_str(head);
        let attr = ["href=\"", "src=\""]
            .into_iter()
            .find(|a| tail.starts_with(a));
        let Some(attr) = attr else {
            out.push_str(&tail[..1]);
            rest = &tail[1..];
            continue;
        };
        out.push_str(attr);
        let value = &tail[attr.len()..];
        let is_relative = !(value.starts_with('#')
            || value.starts_with('/')
            || value.starts_with('"')
            || value.split('"').next().unwrap_or_default().contains(':'));
        if is_relative {
            let site_path = value.strip_prefix(up_from.as_str()).unwrap_or(value);
            out.push_str(&up_to);
            rest = site_path;
        } else {
            rest = value;
        }
    }
    out.push_str(rest);
    out
}

/// Points the same-page links (`href="#x"`: footnotes, `[see](#heading)`) of HTML made for one
/// page at that page, `page` being its href, for HTML shown elsewhere: an FAQ answer on the FAQ
/// index or in faq.json.
pub fn pin_fragments<'a>(html: &'a str, page: &str) -> std::borrow::Cow<'a, str> {
    if !html.contains("href=\"#") {
        return html.into();
    }
    let page = page.replace('&', "&amp;").replace('"', "&quot;");
    html.replace("href=\"#", &format!("href=\"{page}#")).into()
}

pub fn encode_path(path: &str) -> String {
    utf8_percent_encode(path, PATH).to_string()
}

/// Characters no URL may hold as they are (RFC 3986; the Nu checker refuses them in `href`).
const NOT_IN_URLS: &AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'|')
    .add(b'^');

/// A URL written by hand (kbgen.yaml's menus and `repo_url`) with the characters no URL may
/// hold percent-encoded; everything else, `%` escapes and non-ASCII letters included, as is.
pub fn encode_written_url(url: &str) -> String {
    utf8_percent_encode(url, NOT_IN_URLS).to_string()
}

pub fn encode_fragment(fragment: &str) -> String {
    utf8_percent_encode(fragment, FRAGMENT).to_string()
}

pub fn decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_page_links_are_pinned_to_their_page() {
        let html = r##"<p><a href="#a">a</a> <a href="../x/index.html#b">b</a> "#c"</p>"##;
        assert_eq!(
            pin_fragments(html, "debt/sms/index.html"),
            r##"<p><a href="debt/sms/index.html#a">a</a> <a href="../x/index.html#b">b</a> "#c"</p>"##
        );
    }

    #[test]
    fn pretty_and_portable_hrefs() {
        let base = BaseUrl::parse("/kb/").unwrap();
        let pretty = UrlMaker::new(base.clone(), false);
        assert_eq!(
            pretty.href("a/b/", "legal-basis/民法典/"),
            "/kb/legal-basis/%E6%B0%91%E6%B3%95%E5%85%B8/"
        );
        assert_eq!(pretty.href("", ""), "/kb/");
        let portable = UrlMaker::new(base, true);
        assert_eq!(portable.href("a/b/", "c/"), "../../c/index.html");
        assert_eq!(portable.href("", ""), "index.html");
        assert_eq!(
            portable.href("a/", "static/style.css"),
            "../static/style.css"
        );
        assert_eq!(
            portable.href_to("", "a/", Some("法")),
            "a/index.html#%E6%B3%95"
        );
    }
}
