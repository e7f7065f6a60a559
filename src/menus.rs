//! kbgen.yaml's `menus:` checked against the content: an `@/` page must be an article (or a
//! section's `_index.md`) of the site, reported at its kbgen.yaml line otherwise.

use crate::config::{Config, MenuTarget};
use crate::content::Content;
use crate::diagnostic::Diagnostics;
use crate::yaml::{key, Step};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuLink {
    pub label: String,
    pub to: MenuTo,
    pub external: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MenuTo {
    /// An article's site path (`section/slug/`): its URL changes with its slug.
    Article(String),
    /// Another path of this site (a section, `faq/`, a static file).
    Site(String),
    /// Used as written.
    Url(String),
}

/// The menus of `config` with their `@/` pages found in `content`.
pub fn resolve_menus(config: &Config, content: &Content, diags: &mut Diagnostics) -> Vec<MenuLink> {
    let mut out = Vec::new();
    for m in &config.menus {
        let to = match &m.target {
            MenuTarget::Url(u) => MenuTo::Url(u.clone()),
            MenuTarget::Path(p) => MenuTo::Site(p.clone()),
            MenuTarget::Page(rel) => {
                let (file, fragment) = rel.split_once('#').unwrap_or((rel, ""));
                let section = file
                    .strip_suffix("_index.md")
                    .map(|d| d.trim_end_matches('/'))
                    .and_then(|d| content.sections.iter().find(|s| s.dir == d));
                let found = match section {
                    Some(s) => Some(MenuTo::Site(s.path.clone())),
                    None => content
                        .articles
                        .iter()
                        .find(|a| a.rel == file)
                        .map(|a| MenuTo::Article(a.path.clone())),
                };
                match found {
                    Some(to) if fragment.is_empty() => to,
                    Some(_) => {
                        diags.push(config.error_at(
                            &[key("menus"), Step::Index(m.index), key("page")],
                            format!(
                                "menu `{}`: `page` takes no `#` part: link the page itself",
                                m.label
                            ),
                        ));
                        continue;
                    }
                    None => {
                        diags.push(config.error_at(
                            &[key("menus"), Step::Index(m.index), key("page")],
                            format!(
                                "menu `{}`: there is no article content/{file} (pages are written `@/section/file.md`, from content/)",
                                m.label
                            ),
                        ));
                        continue;
                    }
                }
            }
        };
        out.push(MenuLink {
            label: m.label.clone(),
            to,
            external: m.external,
        });
    }
    out
}
