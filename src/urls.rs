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

pub fn encode_path(path: &str) -> String {
    utf8_percent_encode(path, PATH).to_string()
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
