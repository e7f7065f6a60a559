//! Cross-links: resolving link destinations to pages, then judging anchors, backlinks and
//! related articles once every article is rendered.

use crate::content::Content;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::ids::{ArticleId, SectionId, Table};
use crate::markdown::{LinkRef, LinkResolver, Resolution};
use crate::names::{closest, nfc};
use crate::search::encode::FxHashMap;
use crate::urls::{decode, UrlMaker};
use std::collections::HashSet;

/// Every name an article or file can be reached by.
pub struct Catalog<'a> {
    content: &'a Content,
    urls: &'a UrlMaker,
    /// Fx-hashed, as the two below: every link of every article is looked up again on each
    /// re-analysis in `serve`, and SipHash was 6% of a front-matter edit's time.
    by_rel: FxHashMap<&'a str, ArticleId>,
    /// Slugs, titles and section paths, made on the first `[[wiki]]` or `related:` lookup
    /// (a re-analysis in `serve` that keeps every rendering may ask none).
    names: std::sync::OnceLock<Names<'a>>,
    sections_by_dir: FxHashMap<&'a str, SectionId>,
    assets: FxHashMap<&'a str, usize>,
    /// Files that failed to load, by path and by the slug their stem would give.
    unparsed: HashSet<&'a str>,
    unparsed_stems: HashSet<&'a str>,
}

/// The names a `[[wiki]]` link or a `related:` entry finds an article by.
#[derive(Default)]
struct Names<'a> {
    by_slug: FxHashMap<&'a str, Vec<ArticleId>>,
    by_title: FxHashMap<&'a str, Vec<ArticleId>>,
    by_section_slug: FxHashMap<String, ArticleId>,
}

/// Why a reference found no article.
#[derive(Debug)]
pub enum NotFound {
    /// No such article: the message says so (with a close suggestion when there is one).
    Missing(String),
    /// The article exists but failed to load; its own error is reported already.
    Unavailable,
}

impl<'a> Catalog<'a> {
    pub fn new(content: &'a Content, urls: &'a UrlMaker) -> Self {
        let mut c = Catalog {
            content,
            urls,
            by_rel: FxHashMap::default(),
            names: std::sync::OnceLock::new(),
            sections_by_dir: FxHashMap::default(),
            assets: FxHashMap::default(),
            unparsed: content.unparsed.iter().map(String::as_str).collect(),
            unparsed_stems: content
                .unparsed
                .iter()
                .map(|r| {
                    let file = r.rsplit('/').next().unwrap_or(r);
                    file.trim_end_matches(".md")
                })
                .collect(),
        };
        c.by_rel.reserve(content.articles.len());
        for (i, a) in content.articles.enumerate() {
            c.by_rel.insert(&a.rel, i);
        }
        for (i, s) in content.sections.enumerate() {
            c.sections_by_dir.insert(&s.dir, i);
        }
        for (i, a) in content.assets.iter().enumerate() {
            c.assets.insert(&a.rel, i);
        }
        c
    }

    /// What a link that is not a `[[wiki]]` link resolves by, besides its own file and the
    /// articles: each section's folder and path, the assets and the files that failed to
    /// load, and how URLs are made. Order-independent. While it holds, a kept rendering's
    /// file link that found a section or a file still finds it, and one that found an
    /// article still does where that article is there with the same page (`serve` checks
    /// that by source path); a wiki link goes by titles and is always asked again.
    pub fn print(&self) -> u64 {
        use std::hash::{DefaultHasher, Hash as _, Hasher as _};
        // A sum of each item's SipHash: the same set in any order gives the same print.
        let one = |item: &dyn Fn(&mut DefaultHasher)| {
            let mut h = DefaultHasher::new();
            item(&mut h);
            h.finish()
        };
        let mut sum: u64 = 0;
        for s in self.content.sections.iter() {
            sum = sum.wrapping_add(one(&|h| (1u8, &s.dir, &s.path).hash(h)));
        }
        for a in &self.content.assets {
            sum = sum.wrapping_add(one(&|h| (2u8, &a.rel).hash(h)));
        }
        for r in &self.content.unparsed {
            sum = sum.wrapping_add(one(&|h| (3u8, r).hash(h)));
        }
        let urls = one(&|h| format!("{:?}", self.urls).hash(h));
        sum ^ urls.rotate_left(17)
    }

    /// A resolver for links written in the file `from_rel` (relative to content/), shown on the page at `from_path`.
    /// The content it finds articles in.
    pub fn content(&self) -> &'a Content {
        self.content
    }

    pub fn resolver<'b>(&'b self, from_rel: &'b str, from_path: &'b str) -> FileLinks<'b, 'a> {
        let from_dir = from_rel.rsplit_once('/').map_or("", |(d, _)| d);
        FileLinks {
            catalog: self,
            from_rel,
            from_dir,
            from_path,
        }
    }

    fn names(&self) -> &Names<'a> {
        self.names.get_or_init(|| {
            let content = self.content;
            let mut n = Names::default();
            for (i, a) in content.articles.enumerate() {
                n.by_slug.entry(&a.slug).or_default().push(i);
                n.by_title.entry(&a.matter.title).or_default().push(i);
                n.by_section_slug
                    .insert(format!("{}{}", content.sections[a.section].path, a.slug), i);
            }
            n
        })
    }

    /// Finds an article by a `related:` reference (slug, title, `section/file.md` or
    /// `section/slug`) written in the file `from_rel`.
    pub fn find(&self, reference: &str, from_rel: &str) -> Result<ArticleId, NotFound> {
        let reference = nfc(reference);
        let r = reference.trim().trim_start_matches("@/");
        if r.ends_with(".md") {
            return self
                .by_rel
                .get(r)
                .copied()
                .ok_or_else(|| self.missing(r, from_rel));
        }
        self.wiki(r, from_rel)
    }

    fn wiki(&self, r: &str, from_rel: &str) -> Result<ArticleId, NotFound> {
        let r = r.trim().trim_end_matches(".md");
        if r.contains('/') {
            return self
                .names()
                .by_section_slug
                .get(r)
                .or_else(|| self.by_rel.get(format!("{r}.md").as_str()))
                .copied()
                .ok_or_else(|| self.missing(&format!("{r}.md"), from_rel));
        }
        let names = self.names();
        let hits = names.by_slug.get(r).or_else(|| names.by_title.get(r));
        match hits.map(Vec::as_slice) {
            Some([one]) => Ok(*one),
            Some(many) if !many.is_empty() => {
                let names: Vec<String> = many
                    .iter()
                    .map(|&i| {
                        format!(
                            "[[{}]]",
                            self.content.articles[i].path.trim_end_matches('/')
                        )
                    })
                    .collect();
                Err(NotFound::Missing(format!(
                    "`{r}` is ambiguous: it names {} articles; write one of {}",
                    many.len(),
                    names.join(", ")
                )))
            }
            _ => Err(self.missing(r, from_rel)),
        }
    }

    /// No article answers to `r` (a path ending in `.md`, or a slug or title), written in
    /// `from_rel`. A file that failed to load is not reported again; a suggestion is never the
    /// linking file itself.
    fn missing(&self, r: &str, from_rel: &str) -> NotFound {
        let failed = if r.ends_with(".md") {
            self.unparsed.contains(r)
        } else {
            self.unparsed_stems
                .contains(r.rsplit('/').next().unwrap_or(r))
        };
        if failed {
            return NotFound::Unavailable;
        }
        let own_slug = self
            .by_rel
            .get(from_rel)
            .map(|&i| self.content.articles[i].slug.as_str());
        let candidates = if r.ends_with(".md") {
            self.by_rel
                .keys()
                .copied()
                .filter(|c| *c != from_rel)
                .collect::<Vec<_>>()
        } else {
            self.names()
                .by_slug
                .keys()
                .copied()
                .filter(|c| Some(*c) != own_slug)
                .collect()
        };
        NotFound::Missing(match closest(r, candidates) {
            Some(c) => format!("link to a missing article `{r}` (did you mean `{c}`?)"),
            None => format!("link to a missing article `{r}`"),
        })
    }
}

impl From<NotFound> for Resolution {
    fn from(n: NotFound) -> Resolution {
        match n {
            NotFound::Missing(m) => Resolution::Broken(m),
            NotFound::Unavailable => Resolution::Unavailable,
        }
    }
}

/// Resolves the links of one file.
pub struct FileLinks<'b, 'a> {
    catalog: &'b Catalog<'a>,
    from_rel: &'b str,
    from_dir: &'b str,
    from_path: &'b str,
}

impl LinkResolver for FileLinks<'_, '_> {
    fn resolve(&self, dest: &str, wiki: bool) -> Resolution {
        let c = self.catalog;
        if wiki {
            return match c.wiki(&nfc(&decode(dest)), self.from_rel) {
                Ok(id) => Resolution::Article {
                    id,
                    href: c.urls.href(self.from_path, &c.content.articles[id].path),
                },
                Err(n) => n.into(),
            };
        }
        if is_external(dest) {
            return Resolution::Keep;
        }
        let (dest, query) = match dest.split_once('?') {
            Some((d, _)) => (d, true),
            None => (dest, false),
        };
        if dest.is_empty() {
            return if query {
                Resolution::Keep
            } else {
                Resolution::SamePage
            };
        }
        let decoded = nfc(&decode(dest));
        let joined = match decoded.strip_prefix("@/") {
            Some(rest) => normalize("", rest),
            None => normalize(self.from_dir, &decoded),
        };
        let Some(path) = joined else {
            return Resolution::Broken(format!("link `{dest}` points outside content/"));
        };
        if let Some(dir) = path
            .strip_suffix("_index.md")
            .map(|d| d.trim_end_matches('/'))
        {
            return match c.sections_by_dir.get(dir) {
                Some(&s) => Resolution::Other {
                    href: c.urls.href(self.from_path, &c.content.sections[s].path),
                },
                None => Resolution::Broken(format!("link to a missing section `{dest}`")),
            };
        }
        if path.ends_with(".md") {
            return match c.by_rel.get(path.as_str()) {
                Some(&id) => Resolution::Article {
                    id,
                    href: c.urls.href(self.from_path, &c.content.articles[id].path),
                },
                None => c.missing(&path, self.from_rel).into(),
            };
        }
        if c.assets.contains_key(path.trim_end_matches('/')) {
            return Resolution::Other {
                href: c.urls.href(self.from_path, path.trim_end_matches('/')),
            };
        }
        if let Some(&s) = c.sections_by_dir.get(path.trim_end_matches('/')) {
            return Resolution::Other {
                href: c.urls.href(self.from_path, &c.content.sections[s].path),
            };
        }
        Resolution::Broken(format!("link to a missing file `{dest}` (link articles by their .md file, files by their path under content/)"))
    }

    fn title_of(&self, id: ArticleId) -> String {
        self.catalog.content.articles[id].matter.title.clone()
    }
}

fn is_external(dest: &str) -> bool {
    if dest.starts_with('/') {
        return true;
    }
    match dest.find(':') {
        Some(i) => {
            dest[..i]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
                && !dest.starts_with("@/")
        }
        None => false,
    }
}

/// Joins `rel` to `dir` (both relative to content/), resolving `.` and `..`; None when it escapes.
fn normalize(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let mut out = parts.join("/");
    if rel.ends_with('/') && !out.is_empty() {
        out.push('/');
    }
    Some(out)
}

/// The ids a page offers as link targets.
pub fn anchors_of(body: &crate::site::Body, faq_ids: &[String]) -> HashSet<String> {
    body.headings
        .iter()
        .map(|h| h.id.clone())
        .chain(faq_ids.iter().cloned())
        .chain(body.footnote_ids.iter().cloned())
        .collect()
}

/// Checks every `#fragment` against the target's anchors; returns the backlinks of each article.
pub fn check_links(
    content: &Content,
    links: &Table<ArticleId, std::sync::Arc<[LinkRef]>>,
    anchors: &Table<ArticleId, std::sync::Arc<HashSet<String>>>,
    diags: &mut Diagnostics,
) -> Table<ArticleId, Vec<ArticleId>> {
    let mut backlinks: Table<ArticleId, Vec<ArticleId>> = content.articles.map(|_| Vec::new());
    for (from, l) in links.enumerate() {
        for target in check_article_links(content, from, l, &|t| &anchors[t], diags) {
            backlinks[target].push(from);
        }
    }
    backlinks
}

/// Checks one article's links; returns the other articles it links to, sorted.
pub fn check_article_links<'t>(
    content: &Content,
    from: ArticleId,
    links: &[LinkRef],
    anchors: &dyn Fn(ArticleId) -> &'t HashSet<String>,
    diags: &mut Diagnostics,
) -> Vec<ArticleId> {
    let article = &content.articles[from];
    let mut targets = Vec::new();
    for link in links {
        let target = link.target.unwrap_or(from);
        if target != from {
            targets.push(target);
        }
        let Some(fragment) = link.fragment.as_deref().filter(|f| !f.is_empty()) else {
            continue;
        };
        if anchors(target).contains(fragment) {
            continue;
        }
        let target_name = &content.articles[target].source;
        let hint = closest(fragment, anchors(target).iter().map(String::as_str))
            .map(|c| format!(" (did you mean `#{c}`?)"))
            .unwrap_or_default();
        diags.push(
            Diagnostic::error(
                &article.source,
                link.line,
                link.column,
                format!(
                    "link `{}`: no heading `#{fragment}` in {}{hint}",
                    link.written,
                    target_name.display()
                ),
            )
            .with_source(&article.text),
        );
    }
    targets.sort_unstable();
    targets.dedup();
    targets
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_stays_inside() {
        assert_eq!(normalize("a/b", "../c.md").as_deref(), Some("a/c.md"));
        assert_eq!(normalize("", "x/./y.md").as_deref(), Some("x/y.md"));
        assert_eq!(normalize("a", "../../etc/passwd"), None);
    }

    #[test]
    fn external_links_are_kept() {
        assert!(is_external("https://example.org"));
        assert!(is_external("mailto:a@b"));
        assert!(is_external("tel:12348"));
        assert!(is_external("/absolute/path"));
        assert!(!is_external("other.md"));
        assert!(!is_external("@/a/b.md"));
    }
}
