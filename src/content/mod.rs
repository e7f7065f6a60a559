//! The content tree: articles, sections and co-located assets read from `ROOT/content/`.

mod front_matter;
mod load;

pub use front_matter::{is_reserved_key, split, DateValue, FrontMatter, SectionMatter};
pub(crate) use front_matter::{parse_article_matter, parse_section_matter};
pub(crate) use load::is_valid_path_name;
pub use load::{load_content_reusing, Reuse, CONTENT_DIR};

use crate::ids::{ArticleId, SectionId, Table};
use std::path::PathBuf;

/// A folder of content/ (the root folder is section 0, the home page).
#[derive(Debug, Clone)]
pub struct Section {
    /// Folder relative to content/, `/`-separated; empty for the root.
    pub dir: String,
    /// Site path: `collection/`, empty for the root.
    pub path: String,
    pub title: String,
    pub description: String,
    pub weight: Option<i64>,
    /// Markdown introduction from `_index.md`.
    pub intro: String,
    pub intro_line: usize,
    /// `content/…/_index.md` relative to the root, when there is one.
    pub source: Option<PathBuf>,
    pub parent: Option<SectionId>,
    pub extra: crate::yaml::Value,
    /// The order of its articles and subsections (`sort_by` in `_index.md`).
    pub sort_by: crate::order::SortBy,
}

#[derive(Debug, Clone)]
pub struct Article {
    /// Relative to the site root: `content/collection/sms.md`.
    pub source: PathBuf,
    /// Relative to content/: `collection/sms.md`.
    pub rel: String,
    pub section: SectionId,
    pub slug: String,
    /// Site path: `collection/sms/`.
    pub path: String,
    pub matter: FrontMatter,
    /// The whole file, for excerpts in messages.
    pub text: String,
    /// Byte offset of the body in `text`.
    pub body_start: usize,
    pub body_line: usize,
}

impl Article {
    pub fn body(&self) -> &str {
        &self.text[self.body_start..]
    }

    /// `updated`, else `date`.
    pub fn reviewed(&self) -> Option<&DateValue> {
        self.matter.updated.as_ref().or(self.matter.date.as_ref())
    }
}

/// A non-Markdown file under content/, served at its own path.
#[derive(Debug, Clone)]
pub struct Asset {
    pub source: PathBuf,
    /// Relative to content/, `/`-separated.
    pub rel: String,
}

#[derive(Debug, Clone, Default)]
pub struct Content {
    pub sections: Table<SectionId, Section>,
    /// Shared, so a re-analysis takes unchanged articles without copying them.
    pub articles: Table<ArticleId, std::sync::Arc<Article>>,
    pub assets: Vec<Asset>,
    /// Markdown files (relative to content/) that could not be read or parsed: their own
    /// errors say why, so links to them are not reported again.
    pub unparsed: Vec<String>,
}

impl Content {
    /// Frees every article's text and the Markdown of its front matter's questions (a
    /// build's analysis is done with them: its diagnostics hold their excerpts, and pages,
    /// search and feeds are made from the rendering). An article shared elsewhere keeps
    /// them. `Article::body` must not be asked for afterwards.
    pub fn forget_texts(&mut self) {
        for a in self.articles.iter_mut() {
            if let Some(a) = std::sync::Arc::get_mut(a) {
                a.text = String::new();
                a.body_start = 0;
                a.matter.faq = Vec::new();
            }
        }
    }

    /// Keeps of each article's text only what a message may still quote once its Markdown
    /// is rendered: the front matter, and the body lines `cited(article)` names (the later
    /// checks quote front matter, and link lines for missing headings). Every other line
    /// is emptied, its line break kept, so line numbers hold. A build calls it after the
    /// Markdown (at 100,000 articles the texts are 400 MB, and the checks that follow make
    /// as much again); an article shared elsewhere keeps its text.
    pub fn thin_texts(&mut self, cited: impl Fn(ArticleId) -> Vec<usize> + Sync) {
        use rayon::prelude::*;
        self.articles.par_enumerate_mut().for_each(|(i, a)| {
            if let Some(a) = std::sync::Arc::get_mut(a) {
                a.text = thinned(&a.text, a.body_start, a.body_line, &cited(i));
            }
        });
    }

    /// Each article's id by its site path (`section/slug/`).
    pub fn ids_by_path(&self) -> std::collections::HashMap<&str, ArticleId> {
        self.articles
            .enumerate()
            .map(|(i, a)| (a.path.as_str(), i))
            .collect()
    }

    /// `section` and its ancestors up to (not including) the root, outermost first.
    pub fn ancestry(&self, section: SectionId) -> Vec<SectionId> {
        let mut chain = Vec::new();
        let mut at = Some(section);
        while let Some(i) = at {
            if i == SectionId::ROOT {
                break;
            }
            chain.push(i);
            at = self.sections[i].parent;
        }
        chain.reverse();
        chain
    }

    /// The top-level section that `section` sits in (itself when top-level).
    pub fn top_level(&self, section: SectionId) -> SectionId {
        self.ancestry(section)
            .first()
            .copied()
            .unwrap_or(SectionId::ROOT)
    }
}

/// `text` with its front matter (up to `body_start`) and the body lines `keep` names
/// (numbered in the file, the body's first being `body_line`); other lines left empty.
fn thinned(text: &str, body_start: usize, body_line: usize, keep: &[usize]) -> String {
    let (head, body) = text.split_at(body_start);
    let mut out = String::with_capacity(head.len() + body.len() / 16);
    out.push_str(head);
    for (k, line) in body.split_inclusive('\n').enumerate() {
        if keep.contains(&(body_line + k)) {
            out.push_str(line);
        } else if line.ends_with('\n') {
            out.push('\n');
        }
    }
    out.shrink_to_fit();
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_thinned_text_keeps_its_front_matter_its_cited_lines_and_its_line_numbers() {
        let text = "---\ntitle: 甲\n---\n第一行\r\n[链接](b.md#标题)\n第三行\n最后一行";
        let body_start = text.find("第一行").unwrap();
        let thin = super::thinned(text, body_start, 4, &[5, 7]);
        assert_eq!(thin, "---\ntitle: 甲\n---\n\n[链接](b.md#标题)\n\n最后一行");
        assert_eq!(thin.lines().count(), text.lines().count());
        assert_eq!(
            super::thinned(text, body_start, 4, &[]),
            "---\ntitle: 甲\n---\n\n\n\n"
        );
    }
}
