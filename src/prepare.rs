//! The one way `check`, `build` and `serve` read a site before rendering it: kbgen.yaml, the
//! theme (its templates parsed), the search dictionary and the content (analysed), each
//! loaded once. Problems of all of them are collected, so one run reports everything a build
//! would; only a broken kbgen.yaml stops before the rest (nothing else can be read without it).

use crate::config::{load_config, Overrides};
use crate::diagnostic::{merge_sorted, Collected, Diagnostic, Failure};
use crate::render::Renderer;
use crate::site::{analyse, Analysis, BuildOptions, Texts};
use crate::theme::{load_theme, Theme};

/// A site read and analysed, ready to render.
pub struct Prepared {
    pub analysis: Analysis,
    pub theme: Theme,
    pub renderer: Renderer,
    /// The search dictionary's words (empty without `search.dictionary`).
    pub dictionary: Vec<String>,
}

impl Prepared {
    /// Every warning found, sorted by place.
    pub fn warnings(&self) -> Vec<Diagnostic> {
        warnings_of(&self.analysis, &self.theme)
    }
}

/// Errors found while rendering, reported with the warnings of the prepared site.
pub fn render_failure(analysis: &Analysis, theme: &Theme, errors: Vec<Diagnostic>) -> Failure {
    let mut all = warnings_of(analysis, theme);
    all.extend(errors);
    Failure::Content(merge_sorted(all))
}

/// The analysis's problems, then the theme's warnings.
pub fn warnings_of(analysis: &Analysis, theme: &Theme) -> Vec<Diagnostic> {
    let mut warnings = analysis.problems();
    warnings.extend(theme.warnings.iter().cloned());
    warnings
}

/// Reads `opts.root` (checked by `config::check_root` first) into a `Prepared` site, which
/// keeps of each article's text what a message may still quote (`Texts::Cited`).
/// `Failure::Content` holds every problem of the config, theme, dictionary and content.
pub fn prepare(opts: &BuildOptions) -> Result<Prepared, Failure> {
    prepare_with(opts, Texts::Cited)
}

/// `prepare`, keeping of the articles' texts what `texts` says (serve keeps them whole).
pub fn prepare_with(opts: &BuildOptions, texts: Texts) -> Result<Prepared, Failure> {
    let overrides = Overrides {
        base_url: opts.base_url.clone(),
    };
    let config = load_config(&opts.root, &overrides)?;
    let mut problems = Collected::default();
    let theme = problems.take(load_theme(&config))?;
    let renderer = match &theme {
        Some(t) => problems.take(Renderer::new(t).map_err(Failure::Content))?,
        None => None,
    };
    let dictionary = problems.take(crate::search::load_dictionary(&config))?;
    let analysis = problems.take(analyse(config, opts, None, texts))?;
    match (analysis, theme, renderer, dictionary) {
        (Some(analysis), Some(theme), Some(renderer), Some(dictionary)) => Ok(Prepared {
            analysis,
            theme,
            renderer,
            dictionary,
        }),
        (analysis, theme, ..) => {
            // A failure elsewhere is reported with the warnings found so far.
            if let Some(a) = &analysis {
                problems.extend(a.problems());
            }
            if let Some(t) = &theme {
                problems.extend(t.warnings.iter().cloned());
            }
            problems.finish(None)
        }
    }
}
