//! The browse page (`browse/`: the terms of one taxonomy against another's, each cell the
//! number of articles carrying both) and one page per cell that holds an article
//! (`browse/ROW/COLUMN/`, paginated).

use super::{note, pages, PageSink, Read, SiteData, PER_PAGE};
use crate::config::BROWSE_SEGMENT;
use crate::diagnostic::Diagnostic;
use crate::taxonomy::Matrix;
use crate::view::*;
use serde::Serialize;

impl SiteData<'_> {
    /// The browse page's title: kbgen.yaml's `browse.title`, else `ui.browse_title` with the
    /// two taxonomies' titles.
    pub(super) fn browse_title(&self, m: &Matrix) -> String {
        let c = &self.config;
        if let Some(t) = c.browse.as_ref().and_then(|b| b.title.as_ref()) {
            return t.clone();
        }
        c.ui.browse_title
            .replace("{rows}", &c.taxonomies[m.rows].title)
            .replace("{columns}", &c.taxonomies[m.columns].title)
    }

    /// The terms of taxonomy `t` that head a row or column (those with an article in the
    /// matrix), most articles first, then by name: the taxonomy page's order.
    fn browse_order(&self, t: usize, totals: &[usize]) -> Vec<usize> {
        let terms = &self.taxonomies.list[t].terms;
        let mut order: Vec<usize> = (0..terms.len()).filter(|&i| totals[i] > 0).collect();
        order.sort_by(|&a, &b| {
            totals[b]
                .cmp(&totals[a])
                .then_with(|| terms[a].name.cmp(&terms[b].name))
        });
        order
    }

    fn browse_term<'s>(
        &self,
        from: &str,
        segment: &str,
        term: &'s crate::taxonomy::Term,
        total: usize,
    ) -> BrowseTerm<'s> {
        BrowseTerm {
            name: &term.name,
            url: self.urls.href(from, &format!("{segment}/{}/", term.slug)),
            total,
            total_text: self.lang.article_count(total),
        }
    }

    fn cell_term<'s>(
        &self,
        from: &str,
        tax: &'s crate::config::Taxonomy,
        term: &'s crate::taxonomy::Term,
    ) -> CellTerm<'s> {
        CellTerm {
            taxonomy_title: &tax.title,
            name: &term.name,
            label: self.lang.labelled(&tax.title, &term.name),
            url: self
                .urls
                .href(from, &format!("{}/{}/", tax.segment, term.slug)),
        }
    }

    pub(super) fn browse<S: PageSink>(&self, r: &S) -> Result<(String, S::Out), Diagnostic> {
        #[derive(Serialize)]
        struct V<'a> {
            #[serde(flatten)]
            common: Common<'a>,
            browse: BrowseView<'a>,
        }
        let m = self.browse.as_ref().ok_or_else(no_matrix)?;
        note(|| Read::Browse);
        let path = format!("{BROWSE_SEGMENT}/");
        let c = &self.config;
        let (rows_tax, cols_tax) = (&c.taxonomies[m.rows], &c.taxonomies[m.columns]);
        let (row_terms, col_terms) = (
            &self.taxonomies.list[m.rows].terms,
            &self.taxonomies.list[m.columns].terms,
        );
        let head = |seg: &str, term, total| self.browse_term(&path, seg, term, total);
        let columns = self.browse_order(m.columns, &m.column_totals);
        let rows = self
            .browse_order(m.rows, &m.row_totals)
            .into_iter()
            .map(|ri| BrowseRow {
                term: head(&rows_tax.segment, &row_terms[ri], m.row_totals[ri]),
                cells: columns
                    .iter()
                    .map(|&ci| {
                        let count = m.cells.get(&(ri, ci)).map_or(0, Vec::len);
                        BrowseCount {
                            count,
                            count_text: self.lang.article_count(count),
                            url: if count == 0 {
                                String::new()
                            } else {
                                self.urls
                                    .href(&path, &cell_path(&row_terms[ri], &col_terms[ci]))
                            },
                        }
                    })
                    .collect(),
            })
            .collect();
        let view = BrowseView {
            caption: c
                .ui
                .browse_caption
                .replace("{rows}", &rows_tax.title)
                .replace("{columns}", &cols_tax.title),
            rows_taxonomy: self.link(
                &path,
                &rows_tax.title,
                &format!("{}/", rows_tax.segment),
                &self.urls,
            ),
            columns_taxonomy: self.link(
                &path,
                &cols_tax.title,
                &format!("{}/", cols_tax.segment),
                &self.urls,
            ),
            columns: columns
                .iter()
                .map(|&ci| head(&cols_tax.segment, &col_terms[ci], m.column_totals[ci]))
                .collect(),
            rows,
            total: m.total,
            total_text: self.lang.article_count(m.total),
        };
        let title = self.browse_title(m);
        let common = self.common(
            &path,
            "browse",
            &title,
            "",
            self.crumbs(&path, None),
            &self.urls,
        );
        Ok((
            format!("{path}index.html"),
            r.page(
                "browse.html",
                &V {
                    common,
                    browse: view,
                },
            )?,
        ))
    }

    pub(super) fn browse_cell<S: PageSink>(
        &self,
        r: &S,
        (ri, ci): (usize, usize),
        page: usize,
    ) -> Result<(String, S::Out), Diagnostic> {
        #[derive(Serialize)]
        struct V<'a> {
            #[serde(flatten)]
            common: Common<'a>,
            cell: BrowseCellView<'a>,
        }
        let m = self.browse.as_ref().ok_or_else(no_matrix)?;
        let c = &self.config;
        let (rows_tax, cols_tax) = (&c.taxonomies[m.rows], &c.taxonomies[m.columns]);
        let row = &self.taxonomies.list[m.rows].terms[ri];
        let col = &self.taxonomies.list[m.columns].terms[ci];
        note(|| Read::BrowseCell(row.slug.clone(), col.slug.clone(), page));
        let articles = m.cells.get(&(ri, ci)).map_or(&[][..], Vec::as_slice);
        let base = cell_path(row, col);
        let path = if page == 1 {
            base.clone()
        } else {
            format!("{base}page/{page}/")
        };
        let browse_path = format!("{BROWSE_SEGMENT}/");
        let browse_title = self.browse_title(m);
        let term = |tax, t| self.cell_term(&path, tax, t);
        let view = BrowseCellView {
            row: term(rows_tax, row),
            column: term(cols_tax, col),
            browse_url: self.urls.href(&path, &browse_path),
            browse_title: browse_title.clone(),
            articles: articles
                .iter()
                .skip((page - 1) * PER_PAGE)
                .take(PER_PAGE)
                .map(|&a| self.card(&path, a))
                .collect(),
            article_count: articles.len(),
            article_count_text: self.lang.article_count(articles.len()),
            pagination: self.pagination(&base, page, pages(articles.len()), &path),
        };
        let title =
            c.ui.browse_cell_title
                .replace("{row}", &row.name)
                .replace("{column}", &col.name);
        let mut crumbs = self.crumbs(&path, None);
        crumbs.push(self.link(&path, &browse_title, &browse_path, &self.urls));
        let common = self.common(&path, "browse-cell", &title, "", crumbs, &self.urls);
        Ok((
            format!("{path}index.html"),
            r.page("browse-cell.html", &V { common, cell: view })?,
        ))
    }
}

/// A cell's folder: `browse/ROW-TERM/COLUMN-TERM/`, each the term's own folder name.
pub(crate) fn cell_path(row: &crate::taxonomy::Term, column: &crate::taxonomy::Term) -> String {
    format!("{BROWSE_SEGMENT}/{}/{}/", row.slug, column.slug)
}

/// Jobs for the browse pages are made only when the analysis has a matrix.
fn no_matrix() -> Diagnostic {
    Diagnostic::error(
        "kbgen.yaml",
        1,
        1,
        "internal: a browse page without a matrix",
    )
}
