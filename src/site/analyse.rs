//! Reading the sources into an `Analysis`: content, Markdown, links, terms, FAQ, aliases.

use super::{Analysis, ArticleData, BuildOptions, Laps};
use crate::config::Config;
use crate::content::Content;
use crate::diagnostic::{Diagnostic, Diagnostics, Failure};
use crate::faq::{check_duplicates, FaqEntry};
use crate::ids::{ArticleId, SectionId, Table};
use crate::links::{anchors_of, check_links, Catalog};
use crate::markdown::{render_markdown, RenderOptions, Rendered, Source};
use crate::names::{name_of, IdSet};
use crate::output::is_inside;
use crate::taxonomy::{collect_terms, related_articles};
use crate::ui::Lang;
use crate::urls::UrlMaker;
use rayon::prelude::*;
use std::path::Path;

/// Reads `content/` and analyses it with `config`; with `reuse`, unchanged articles are
/// taken from an earlier load. Errors fail it (with every problem found, warnings too);
/// warnings of a good analysis are in `Analysis::problems`.
pub fn analyse(
    config: Config,
    opts: &BuildOptions,
    reuse: Option<crate::content::Reuse<'_>>,
) -> Result<Analysis, Failure> {
    let laps = Laps::new("  ");
    let lap = |what: &str| laps.lap(what);
    let (content, mut diags) = crate::content::load_content_reusing(&config, opts.drafts, reuse)?;
    for d in crate::config::check_stray_configs(&opts.root) {
        diags.push(d);
    }
    lap("load");
    let urls = UrlMaker::new(config.base_url.clone(), opts.portable);
    let lang = Lang::of(&config.language);
    let catalog = Catalog::new(&content, &urls);

    // Markdown is independent per article: render in parallel.
    let rendered: Vec<(Rendered, Vec<FaqEntry>, Vec<Diagnostic>)> = content
        .articles
        .par_enumerate()
        .map(|(i, a)| {
            let (body, faq, mut d) = render_article(i, a, &catalog, lang);
            d.extend(crate::lint::check_quotes(a, &config.language));
            d.extend(crate::lint::check_empty(a));
            (body, faq, d)
        })
        .collect();
    let intros: Table<SectionId, String> = content.sections.map(|s| {
        let Some(src_path) = &s.source else {
            return String::new();
        };
        let rel = format!(
            "{}{}_index.md",
            s.dir,
            if s.dir.is_empty() { "" } else { "/" }
        );
        let links = catalog.resolver(&rel, &s.path);
        let src = Source {
            file_text: &s.intro,
            offset: Some(0),
            line: 1,
        };
        let mut ids = IdSet::default();
        let r = render_markdown(
            &s.intro,
            &src,
            RenderOptions {
                lang,
                links: &links,
                ids: &mut ids,
                questions: false,
            },
        );
        for d in r.diagnostics {
            let mut d = located(d, src_path, &s.intro);
            d.line += s.intro_line - 1;
            d.excerpt = None;
            diags.push(d);
        }
        diags.extend(crate::lint::check_intro_quotes(
            src_path,
            &s.intro,
            s.intro_line,
            &config.language,
        ));
        r.html
    });

    lap("markdown");
    let mut faq: Vec<FaqEntry> = Vec::new();
    let mut bodies: Table<ArticleId, Rendered> = Table::with_capacity(rendered.len());
    let mut anchors: Table<ArticleId, _> = Table::with_capacity(rendered.len());
    let mut faq_ranges: Table<ArticleId, _> = Table::with_capacity(rendered.len());
    for (body, f, d) in rendered {
        diags.extend(d);
        let faq_ids: Vec<String> = f
            .iter()
            .filter(|e| e.anchor.starts_with("faq-"))
            .map(|e| e.anchor.clone())
            .collect();
        anchors.push(anchors_of(&body, &faq_ids));
        // Every question lives once, in the site-wide list; an article keeps its range.
        faq_ranges.push(faq.len()..faq.len() + f.len());
        faq.extend(f);
        bodies.push(body);
    }
    let backlinks = check_links(&content, &bodies, &anchors, &mut diags);
    let (taxonomies, terms) = collect_terms(&config, &content, &mut diags);

    let explicit: Table<ArticleId, Vec<ArticleId>> = content.articles.map(|a| {
        a.matter
            .related
            .iter()
            .filter_map(|r| match catalog.find(&r.value, &a.rel) {
                Ok(i) => Some(i),
                Err(crate::links::NotFound::Unavailable) => None,
                Err(crate::links::NotFound::Missing(m)) => {
                    diags.push(
                        Diagnostic::error(&a.source, r.line, r.column, format!("related: {m}"))
                            .with_source(&a.text),
                    );
                    None
                }
            })
            .collect()
    });
    lap("links, terms");
    let related = related_articles(&content, &taxonomies, &terms, &explicit, 5);
    lap("related");
    let mut duplicates = Diagnostics::default();
    check_duplicates(&content, &faq, &mut duplicates);
    let faq_warnings = duplicates.sorted();
    let aliases = check_aliases(&content, &mut diags);
    let mut section_order: Vec<SectionId> = content.sections.ids().skip(1).collect();
    section_order.sort_by(|&a, &b| {
        let (x, y) = (&content.sections[a], &content.sections[b]);
        (x.weight.unwrap_or(i64::MAX), &x.title, &x.dir).cmp(&(
            y.weight.unwrap_or(i64::MAX),
            &y.title,
            &y.dir,
        ))
    });
    // A section shows only when it has something to show: an article in it or below it, or
    // its own _index.md. (One pass over the articles, then one walk up per section that has
    // any, not a scan of every article per section.)
    let mut holds_articles: Table<SectionId, bool> = content.sections.map(|_| false);
    for a in &content.articles {
        holds_articles[a.section] = true;
    }
    for s in content.sections.ids() {
        if holds_articles[s] {
            for up in content.ancestry(s) {
                holds_articles[up] = true;
            }
        }
    }
    section_order.retain(|&s| holds_articles[s] || content.sections[s].source.is_some());

    let articles: Table<ArticleId, ArticleData> = bodies
        .into_iter()
        .zip(faq_ranges)
        .zip(anchors)
        .zip(terms)
        .zip(backlinks)
        .zip(related)
        .zip(&content.articles)
        .map(
            |((((((body, faq), anchors), terms), backlinks), related), a)| ArticleData {
                summary: summary_of(a, &body),
                html: body.html,
                headings: body.headings,
                parts: body.parts,
                faq,
                anchors,
                terms,
                backlinks,
                related,
            },
        )
        .collect();
    let faq_firsts = crate::faq::first_of_each(&faq);
    let analysis = Analysis {
        config,
        content,
        urls,
        lang,
        articles,
        intros,
        taxonomies,
        faq,
        aliases,
        section_order,
        diagnostics: diags,
        faq_warnings,
        faq_firsts,
    };
    if analysis.diagnostics.has_errors() {
        return Err(Failure::Content(analysis.problems()));
    }
    Ok(analysis)
}

/// Renders one article's body and front-matter FAQ answers; reports its questions and problems.
pub fn render_article(
    i: ArticleId,
    a: &crate::content::Article,
    catalog: &Catalog<'_>,
    lang: Lang,
) -> (Rendered, Vec<FaqEntry>, Vec<Diagnostic>) {
    let links = catalog.resolver(&a.rel, &a.path);
    let mut ids = IdSet::default();
    let mut faq = Vec::new();
    let mut d = Vec::new();
    // Front-matter FAQ anchors are taken first, so a heading of the same name gets `-2`.
    let faq_ids: Vec<String> = a
        .matter
        .faq
        .iter()
        .map(|f| ids.unique(format!("faq-{}", name_of(&f.question))))
        .collect();
    let body_src = Source {
        file_text: &a.text,
        offset: Some(a.body_start),
        line: a.body_line,
    };
    let mut body = render_markdown(
        a.body(),
        &body_src,
        RenderOptions {
            lang,
            links: &links,
            ids: &mut ids,
            questions: true,
        },
    );
    // The answers move into the FAQ list: the body keeps no second copy.
    for q in std::mem::take(&mut body.questions) {
        let h = &body.headings[q.heading];
        faq.push(FaqEntry {
            article: i,
            anchor: h.id.clone(),
            question: h.text.clone(),
            answer_html: q.answer_html,
            answer_text: q.answer_text,
            line: h.line,
        });
    }
    for (f, id) in a.matter.faq.iter().zip(faq_ids) {
        let src = Source {
            file_text: &a.text,
            offset: None,
            line: f.line,
        };
        let mut answer_ids = IdSet::default();
        let r = render_markdown(
            &f.answer,
            &src,
            RenderOptions {
                lang,
                links: &links,
                ids: &mut answer_ids,
                questions: false,
            },
        );
        d.extend(
            r.diagnostics
                .into_iter()
                .map(|x| located(x, &a.source, &a.text)),
        );
        let text = r
            .parts
            .iter()
            .map(|p| p.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        faq.push(FaqEntry {
            article: i,
            anchor: id,
            question: f.question.clone(),
            answer_html: r.html,
            answer_text: text,
            line: f.line,
        });
    }
    d.extend(
        std::mem::take(&mut body.diagnostics)
            .into_iter()
            .map(|x| located(x, &a.source, &a.text)),
    );
    (body, faq, d)
}

/// Old URLs must stay inside the site and not shadow a page.
fn check_aliases(content: &Content, diags: &mut Diagnostics) -> Vec<(ArticleId, String)> {
    let mut taken: std::collections::HashSet<String> =
        content.articles.iter().map(|a| a.path.clone()).collect();
    taken.extend(content.sections.iter().map(|s| s.path.clone()));
    let mut out = Vec::new();
    for (i, a) in content.articles.enumerate() {
        for alias in &a.matter.aliases {
            let path = match alias_path(&alias.value) {
                Ok(p) => p,
                Err(why) => {
                    let shown: String = alias
                        .value
                        .chars()
                        .map(|c| match c.is_control() {
                            true => c.escape_default().to_string(),
                            false => c.to_string(),
                        })
                        .collect();
                    diags.push(
                        Diagnostic::error(
                            &a.source,
                            alias.line,
                            alias.column,
                            format!("alias `{shown}` must be a path inside the site: {why}"),
                        )
                        .with_source(&a.text),
                    );
                    continue;
                }
            };
            if !taken.insert(path.clone()) {
                diags.push(
                    Diagnostic::error(
                        &a.source,
                        alias.line,
                        alias.column,
                        format!("alias `{}` is already a page or another alias", alias.value),
                    )
                    .with_source(&a.text),
                );
                continue;
            }
            out.push((i, path));
        }
    }
    out
}

/// The site path an alias redirects from (`old/sms/`, or `old/sms.html` as written), or why
/// it is not a plain path inside the site. An alias is an old URL's path, percent-encoded or
/// not: a URL (`https://…`, `//host`), any `:` (schemes, drive letters), `\`, `?`, `#`, empty,
/// `.` and `..` segments (encoded ones too), names starting with `.`, and control characters
/// are refused, so the redirect page can only be written inside the output folder.
pub(crate) fn alias_path(raw: &str) -> Result<String, &'static str> {
    let raw = raw.trim();
    if raw.starts_with("//") {
        return Err("`//` starts another host");
    }
    let decoded = percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .map_err(|_| "its percent-encoding is not UTF-8")?;
    for text in [raw, &decoded] {
        if text.contains(':') {
            return Err("a URL, scheme or drive letter (`:`) is not a site path");
        }
        if text.contains('\\') {
            return Err("`\\` is not a path separator in URLs");
        }
        if text.contains(['?', '#']) {
            return Err("a query or fragment (`?`, `#`) is not a path");
        }
        if text.chars().any(char::is_control) {
            return Err("it holds a control character");
        }
    }
    let inner = decoded.strip_prefix('/').unwrap_or(&decoded);
    let (inner, folder) = match inner.strip_suffix('/') {
        Some(i) => (i, true),
        None => (inner, false),
    };
    if inner.is_empty() {
        return Err("it is the home page");
    }
    for segment in inner.split('/') {
        if segment.is_empty() {
            return Err("it has an empty segment (`//`)");
        }
        if segment.starts_with('.') {
            return Err("a segment starts with `.` (`..`, `.` and hidden names are refused)");
        }
    }
    let path = if !folder && inner.ends_with(".html") {
        inner.to_string()
    } else {
        format!("{inner}/")
    };
    if !is_inside(path.trim_end_matches('/')) {
        return Err("it leaves the output folder");
    }
    Ok(path)
}

fn located(mut d: Diagnostic, path: &Path, text: &str) -> Diagnostic {
    d.path = path.to_path_buf();
    if d.excerpt.is_none() {
        d = d.with_source(text);
    }
    d
}

/// The summary cards show: the front matter's, else the start of the first paragraph.
pub fn summary_of(a: &crate::content::Article, body: &Rendered) -> String {
    a.matter
        .summary
        .clone()
        .unwrap_or_else(|| truncate(&body.first_paragraph, 160))
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut s: String = text.chars().take(max).collect();
    s.push('…');
    s
}
