//! Site configuration: `kbgen.yaml` read into `RawConfig` (serde), validated into `Config`.

use crate::diagnostic::{Diagnostic, Diagnostics, Failure};
use crate::names::{is_valid_slug, name_of};
use crate::yaml::{self, key, Origin, Spans, Step};
use anyhow::{bail, Context as _};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub const CONFIG_FILE: &str = "kbgen.yaml";

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: Option<String>,
    description: Option<String>,
    base_url: Option<String>,
    language: Option<String>,
    theme: Option<String>,
    taxonomies: Option<Vec<RawTaxonomy>>,
    search: Option<RawSearch>,
    disclaimer: Option<String>,
    keep: Option<Vec<String>>,
    limits: Option<RawLimits>,
    review_every: Option<u32>,
    ui: Option<yaml::Mapping>,
    menus: Option<Vec<RawMenu>>,
    logo: Option<String>,
    favicon: Option<String>,
    repo_url: Option<String>,
    repo_branch: Option<String>,
    extra: Option<yaml::Value>,
    /// `false`, or `{rows, columns, title}`: read by hand (`parse_browse`) so that a wrong
    /// key or taxonomy is reported where it is written.
    browse: Option<yaml::Value>,
}

/// One entry of `menus:`: a label and exactly one of `url` (another site, or a path of this
/// one) and `page` (`@/section/file.md`, resolved like a link).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMenu {
    label: String,
    url: Option<String>,
    page: Option<String>,
    weight: Option<i64>,
    external: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawLimits {
    article_size: Option<RawSize>,
}

/// A size: a number of bytes, or a string such as `10 MB` or `512 KB`.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawSize {
    Bytes(u64),
    Text(String),
}

/// Sizes past which kbgen refuses input rather than build an unusable page; a site raises
/// them in kbgen.yaml (`limits:`).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest article file, in bytes.
    pub article_size: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            article_size: 10 * 1024 * 1024,
        }
    }
}

/// `10 MB`, `512 KB`, `2 MiB`, `1000` (bytes).
fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let number: f64 = number.parse().ok()?;
    let scale = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "kb" | "kib" | "k" => 1024.0,
        "mb" | "mib" | "m" => 1024.0 * 1024.0,
        "gb" | "gib" | "g" => 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    let bytes = number * scale;
    (bytes.is_finite() && bytes >= 1.0).then_some(bytes as u64)
}

const CONFIG_KEYS: &[&str] = &[
    "title",
    "description",
    "base_url",
    "language",
    "theme",
    "taxonomies",
    "search",
    "disclaimer",
    "keep",
    "limits",
    "review_every",
    "ui",
    "menus",
    "logo",
    "favicon",
    "repo_url",
    "repo_branch",
    "extra",
    "browse",
];

const BROWSE_KEYS: &[&str] = &["rows", "columns", "title"];

const MENU_KEYS: &[&str] = &["label", "url", "page", "weight", "external"];

/// The keys kbgen.yaml's map at `path` may hold (RawConfig and the structs below).
fn keys_at(path: &[Step]) -> &'static [&'static str] {
    match path {
        [] => CONFIG_KEYS,
        [Step::Key(k), Step::Index(_)] if k == "taxonomies" => {
            &["name", "title", "segment", "terms"]
        }
        [Step::Key(k)] if k == "search" => &["dictionary", "synonyms"],
        [Step::Key(k)] if k == "limits" => &["article_size"],
        [Step::Key(k)] if k == "ui" => crate::ui::UI_KEYS,
        [Step::Key(k), Step::Index(_)] if k == "menus" => MENU_KEYS,
        [Step::Key(k)] if k == "browse" => BROWSE_KEYS,
        _ => &[],
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTaxonomy {
    name: String,
    title: Option<String>,
    segment: Option<String>,
    terms: Option<yaml::Mapping>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSearch {
    dictionary: Option<String>,
    synonyms: Option<Vec<Vec<String>>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawTerm {
    Aliases(Vec<String>),
    Full(RawFullTerm),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFullTerm {
    slug: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
    /// The day the latest revision took effect (one revision, with `note`).
    revised: Option<String>,
    note: Option<String>,
    #[serde(default)]
    revisions: Vec<RawRevision>,
    replaced_by: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRevision {
    date: String,
    note: Option<String>,
}

/// The validated site configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub root: PathBuf,
    pub title: String,
    pub description: String,
    pub base_url: BaseUrl,
    pub language: String,
    pub theme: String,
    pub taxonomies: Vec<Taxonomy>,
    /// Extra words for Chinese segmentation, one a line.
    pub dictionary: Option<PathBuf>,
    /// Groups of words that find each other in search (`search.synonyms`).
    pub synonyms: Vec<Vec<String>>,
    pub disclaimer: String,
    pub keep: Vec<String>,
    pub limits: Limits,
    /// `kbgen check` warns about articles last reviewed longer ago than this many days.
    pub review_every: Option<u32>,
    /// The UI words: the built-in set of the language with `ui:` over it.
    pub ui: crate::ui::Ui,
    /// `menus:` in order (weight, then as listed).
    pub menus: Vec<Menu>,
    /// Site paths (under the output root) of the logo and the favicon, when given.
    pub logo: Option<String>,
    pub favicon: Option<String>,
    /// `repo_url` and `repo_branch`, for the "edit this page" link.
    pub repo: Option<Repo>,
    /// `extra:`, passed to templates untouched.
    pub extra: yaml::Value,
    /// The browse page crossing two taxonomies (`browse:`), when there is one.
    pub browse: Option<Browse>,
    /// What kbgen.yaml gives that works but should be written otherwise (`language: zh-cn`).
    pub warnings: Vec<Diagnostic>,
    /// kbgen.yaml's text and spans, so a file it names that turns out missing or broken is
    /// reported at the line naming it.
    source: Source,
}

#[derive(Debug, Clone, Default)]
struct Source {
    text: String,
    spans: Spans,
}

impl Config {
    /// A top-level output name kbgen or this site's taxonomies or browse page use.
    pub fn is_taken_segment(&self, name: &str) -> bool {
        is_reserved_segment(name)
            || self.taxonomies.iter().any(|t| t.segment == name)
            || (self.browse.is_some() && name == BROWSE_SEGMENT)
    }

    /// An error about what kbgen.yaml gives at `path` (e.g. `search.dictionary`), located at
    /// that value (or, when kbgen.yaml does not give it, the closest key above it).
    pub fn error_at(&self, path: &[Step], message: impl Into<String>) -> Diagnostic {
        let origin = Origin {
            path: Path::new(CONFIG_FILE),
            first_line: 1,
            file_text: &self.source.text,
        };
        let spans = &self.source.spans;
        origin.error_at(
            spans.value(path).unwrap_or_else(|| spans.near(path)),
            message,
        )
    }
}

/// A menu entry of kbgen.yaml.
#[derive(Debug, Clone)]
pub struct Menu {
    pub label: String,
    pub target: MenuTarget,
    /// Marked as leaving the site (`rel="noopener"`, a hidden "(external)").
    pub external: bool,
    /// Its index in `menus:`, for messages about it.
    pub index: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MenuTarget {
    /// `page: "@/section/file.md"`: the file relative to content/ (checked once content is read).
    Page(String),
    /// `url: faq/` or `url: /faq/`: a path of this site, under the base URL.
    Path(String),
    /// `url: https://…` (or `mailto:`): used as written.
    Url(String),
}

/// `browse:`: the taxonomies whose terms are the rows and the columns of `/browse/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Browse {
    /// Indices into `Config::taxonomies`.
    pub rows: usize,
    pub columns: usize,
    /// The page's title, when kbgen.yaml gives one (else `ui.browse_title`).
    pub title: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Repo {
    /// Without a trailing `/`: `https://github.com/org/site`.
    pub url: String,
    pub branch: String,
}

impl Repo {
    /// GitHub's and GitLab's edit address of `source` (relative to the site root:
    /// `content/guides/a.md`).
    pub fn edit_url(&self, source: &str) -> String {
        format!(
            "{}/edit/{}/{}",
            self.url,
            crate::urls::encode_path(&self.branch),
            crate::urls::encode_path(source)
        )
    }
}

/// The base URL split into what links need: an origin (`https://example.org`, or empty for a
/// relative base) and a path that starts and ends with `/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    pub origin: String,
    pub path: String,
}

impl BaseUrl {
    pub fn parse(raw: &str) -> Result<BaseUrl, String> {
        let raw = raw.trim();
        let (origin, path) = if let Some(rest) = raw
            .strip_prefix("https://")
            .or_else(|| raw.strip_prefix("http://"))
        {
            let scheme_len = raw.len() - rest.len();
            let host_end = rest.find('/').unwrap_or(rest.len());
            if host_end == 0 {
                return Err(format!("base URL `{raw}` has no host"));
            }
            (raw[..scheme_len + host_end].to_string(), &rest[host_end..])
        } else if raw.contains("://") {
            return Err(format!(
                "base URL `{raw}` must start with http://, https:// or /"
            ));
        } else {
            (String::new(), raw)
        };
        let mut path = path.trim_matches('/').to_string();
        // Browsers read `\` as `/`: `/\evil.example/` would be another host's root.
        if raw.contains('\\') || raw.chars().any(char::is_control) {
            return Err(format!(
                "base URL `{}` must not contain `\\` or control characters",
                raw.escape_debug()
            ));
        }
        if path.split('/').any(|s| s == ".." || s == ".") {
            return Err(format!(
                "base URL `{raw}` must not contain `.` or `..` segments"
            ));
        }
        path = if path.is_empty() {
            "/".into()
        } else {
            format!("/{path}/")
        };
        Ok(BaseUrl { origin, path })
    }

    pub fn is_absolute(&self) -> bool {
        !self.origin.is_empty()
    }
}

#[derive(Debug, Clone)]
pub struct Taxonomy {
    /// Front-matter key, e.g. `legal_basis`.
    pub name: String,
    pub title: String,
    /// URL segment, e.g. `legal-basis`.
    pub segment: String,
    pub allowed: Option<AllowedTerms>,
}

/// The allowed terms of a taxonomy, with aliases folded into their term.
#[derive(Debug, Clone, Default)]
pub struct AllowedTerms {
    /// In the order kbgen.yaml lists them.
    pub terms: Vec<AllowedTerm>,
    lookup: HashMap<String, usize>,
}

/// A term kbgen.yaml lists: for a law, when it changed; for a law or body that no longer
/// exists, what replaced it.
#[derive(Debug, Clone, Default)]
pub struct AllowedTerm {
    pub name: String,
    /// URL name.
    pub slug: String,
    /// Aliases, as written (the name itself not among them).
    pub aliases: Vec<String>,
    /// Revisions, oldest first: the day each took effect, and what changed.
    pub revisions: Vec<Revision>,
    pub replaced_by: Option<String>,
    /// kbgen.yaml line of the term, for messages about it.
    pub line: usize,
}

#[derive(Debug, Clone)]
pub struct Revision {
    pub day: crate::content::DateValue,
    pub note: String,
}

impl AllowedTerm {
    /// The latest revision, when the term has any.
    pub fn latest(&self) -> Option<&Revision> {
        self.revisions.last()
    }
}

impl AllowedTerms {
    /// The index of the term that `name` (a term or one of its aliases) stands for.
    pub fn resolve(&self, name: &str) -> Option<usize> {
        self.lookup.get(name.trim()).copied()
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.terms
            .iter()
            .map(|t| t.name.as_str())
            .chain(self.lookup.keys().map(String::as_str))
    }
}

/// What the command line overrides.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub base_url: Option<String>,
}

/// A root must be a site: a folder holding `kbgen.yaml` or `content/`. Anything else is a
/// usage error (exit 2), never an empty site.
pub fn check_root(root: &Path) -> anyhow::Result<()> {
    match std::fs::metadata(root) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => bail!(
            "the site folder {} is a file; pass --root with the folder that holds {CONFIG_FILE} and content/",
            root.display()
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
            "the site folder {} does not exist; pass --root with the folder that holds {CONFIG_FILE} and content/",
            root.display()
        ),
        Err(e) => return Err(e).with_context(|| format!("reading the site folder {}", root.display())),
    }
    if root.join(CONFIG_FILE).exists() || root.join(crate::content::CONTENT_DIR).is_dir() {
        return Ok(());
    }
    let strays = stray_config_files(root);
    let hint = match strays.first() {
        Some(name) => format!(" (it has {name}, but kbgen reads only {CONFIG_FILE})"),
        None => String::new(),
    };
    bail!(
        "{} is not a kbgen site: it has neither {CONFIG_FILE} nor a content/ folder{hint}; \
         pass --root with the site folder, or make a new site with `kbgen init`",
        root.display()
    )
}

/// Warnings for files that look like a configuration kbgen does not read, when
/// `kbgen.yaml` itself is missing: the site would silently lose its settings.
pub fn check_stray_configs(root: &Path) -> Vec<Diagnostic> {
    if root.join(CONFIG_FILE).exists() {
        return Vec::new();
    }
    stray_config_files(root)
        .into_iter()
        .map(|name| {
            Diagnostic::warning(
                &name,
                1,
                1,
                format!(
                    "kbgen reads its settings from {CONFIG_FILE} only: {name} is ignored and the \
                     site uses the defaults (rename it to {CONFIG_FILE})"
                ),
            )
        })
        .collect()
}

/// `kbgen.yml`, `kbgen.toml`, `config.*` and other spellings at the top of `root`.
fn stray_config_files(root: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(root) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .flatten()
        .filter(|e| e.path().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| {
            let lower = n.to_lowercase();
            n != CONFIG_FILE && (lower.starts_with("kbgen.") || lower.starts_with("config."))
        })
        .collect();
    names.sort();
    names
}

/// Reads `ROOT/kbgen.yaml` (or defaults when it is missing). Content problems come back as
/// diagnostics; failing to read the file is a plumbing error.
pub fn load_config(root: &Path, overrides: &Overrides) -> Result<Config, Failure> {
    let path = root.join(CONFIG_FILE);
    let text = match std::fs::read(&path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(t) => Some(t),
            Err(_) => {
                let mut d = Diagnostics::default();
                d.push(Diagnostic::error(
                    CONFIG_FILE,
                    1,
                    1,
                    "file is not valid UTF-8",
                ));
                return Err(Failure::content(d));
            }
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            let e = anyhow::Error::new(e).context(format!("reading {}", path.display()));
            return Err(Failure::Plumbing(e));
        }
    };
    parse_config(root, text.as_deref(), overrides).map_err(Failure::content)
}

/// Validates config text (None: no kbgen.yaml) into a `Config`.
pub fn parse_config(
    root: &Path,
    text: Option<&str>,
    overrides: &Overrides,
) -> Result<Config, Diagnostics> {
    let mut diags = Diagnostics::default();
    let rel = Path::new(CONFIG_FILE);
    let text = text.unwrap_or_default();
    let origin = Origin {
        path: rel,
        first_line: 1,
        file_text: text,
    };
    let (raw, spans): (RawConfig, Spans) = if text.trim().is_empty() {
        Default::default()
    } else {
        match yaml::parse(text, origin, &keys_at) {
            Ok(parsed) => parsed,
            Err(d) => {
                diags.push(d);
                return Err(diags);
            }
        }
    };
    // The value at `path` is at fault (or, when it is missing, the key above it).
    let err = |path: &[Step], msg: String| {
        origin.error_at(spans.value(path).unwrap_or_else(|| spans.near(path)), msg)
    };

    let base_raw = overrides
        .base_url
        .clone()
        .or(raw.base_url)
        .unwrap_or_else(|| "/".into());
    let base_url = match BaseUrl::parse(&base_raw) {
        Ok(b) => b,
        Err(m) => {
            diags.push(err(&[key("base_url")], m));
            BaseUrl {
                origin: String::new(),
                path: "/".into(),
            }
        }
    };

    let taxonomies = match raw.taxonomies {
        None => default_taxonomies(),
        Some(list) => {
            let mut out: Vec<Taxonomy> = Vec::new();
            for (i, t) in list.into_iter().enumerate() {
                let here = [key("taxonomies"), Step::Index(i)];
                let name_at = [key("taxonomies"), Step::Index(i), key("name")];
                if !is_valid_slug(&t.name) {
                    diags.push(err(
                        &name_at,
                        format!(
                            "taxonomy name `{}` may hold only letters, digits, `-` and `_`",
                            t.name
                        ),
                    ));
                    continue;
                }
                if out.iter().any(|o| o.name == t.name) || crate::content::is_reserved_key(&t.name)
                {
                    diags.push(err(
                        &name_at,
                        format!("taxonomy name `{}` is already taken", t.name),
                    ));
                    continue;
                }
                let segment = t
                    .segment
                    .clone()
                    .unwrap_or_else(|| t.name.replace('_', "-"));
                if !is_valid_slug(&segment) || is_reserved_segment(&segment) {
                    let at = [key("taxonomies"), Step::Index(i), key("segment")];
                    diags.push(err(
                        if t.segment.is_some() { &at } else { &name_at },
                        format!(
                            "taxonomy `{}` needs another URL segment than `{segment}`",
                            t.name
                        ),
                    ));
                    continue;
                }
                let allowed = match t.terms {
                    None => None,
                    Some(map) => Some(parse_terms(&t.name, map, &here, &spans, origin, &mut diags)),
                };
                out.push(Taxonomy {
                    title: t.title.unwrap_or_else(|| t.name.clone()),
                    name: t.name,
                    segment,
                    allowed,
                });
            }
            out
        }
    };

    let title = raw.title.unwrap_or_else(|| {
        root.canonicalize()
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "Knowledge base".into())
    });
    let theme = raw.theme.unwrap_or_else(|| "default".into());
    if !is_valid_slug(&theme) {
        diags.push(err(
            &[key("theme")],
            format!("theme name `{theme}` may hold only letters, digits, `-` and `_`"),
        ));
    }
    let mut keep = Vec::new();
    for (i, k) in raw.keep.unwrap_or_default().into_iter().enumerate() {
        if k.is_empty() || k.contains(['/', '\\']) || k == "." || k == ".." {
            diags.push(err(
                &[key("keep"), Step::Index(i)],
                format!("`keep` lists names in the output folder, not paths: `{k}`"),
            ));
        } else {
            keep.push(k);
        }
    }
    let (dictionary, raw_synonyms) = match raw.search {
        Some(s) => (
            s.dictionary.map(|d| root.join(d)),
            s.synonyms.unwrap_or_default(),
        ),
        None => (None, Vec::new()),
    };
    let mut synonyms = Vec::new();
    for (i, group) in raw_synonyms.into_iter().enumerate() {
        let at = [key("search"), key("synonyms"), Step::Index(i)];
        let mut words: Vec<String> = Vec::new();
        for (j, w) in group.iter().enumerate() {
            let w = w.trim();
            if w.is_empty() {
                diags.push(err(
                    &[
                        key("search"),
                        key("synonyms"),
                        Step::Index(i),
                        Step::Index(j),
                    ],
                    "a synonym may not be empty".into(),
                ));
            } else if !words.iter().any(|x| x == w) {
                words.push(w.to_string());
            }
        }
        if words.len() < 2 {
            diags.push(err(
                &at,
                "a synonym group lists two or more different words that find each other, e.g. `[网贷, 网络贷款]`".into(),
            ));
        } else {
            synonyms.push(words);
        }
    }
    let mut limits = Limits::default();
    if let Some(size) = raw.limits.and_then(|l| l.article_size) {
        match size {
            RawSize::Bytes(n) if n > 0 => limits.article_size = n,
            RawSize::Text(t) if parse_size(&t).is_some() => {
                limits.article_size = parse_size(&t).unwrap_or(limits.article_size)
            }
            _ => diags.push(err(
                &[key("limits"), key("article_size")],
                "`limits.article_size` must be a size such as `10 MB`, `512 KB` or a number of bytes".into(),
            )),
        }
    }

    let mut warnings = Vec::new();
    let language = match raw.language {
        None => "en".to_string(),
        Some(written) => match check_language(&written) {
            Ok(tag) if tag == written => tag,
            Ok(tag) => {
                let mut d = err(
                    &[key("language")],
                    format!("write the language tag as `{tag}` (BCP 47 case), not `{written}`"),
                );
                d.severity = crate::diagnostic::Severity::Warning;
                warnings.push(d);
                tag
            }
            Err(m) => {
                diags.push(err(&[key("language")], m));
                written
            }
        },
    };
    let mut words = Vec::new();
    for (k, v) in raw.ui.unwrap_or_default() {
        let name = k.as_str().unwrap_or_default().to_string();
        let at = [key("ui"), key(&name)];
        if !crate::ui::UI_KEYS.contains(&name.as_str()) {
            let hint = match crate::names::closest(&name, crate::ui::UI_KEYS.iter().copied()) {
                Some(c) => format!(" (did you mean `{c}`?)"),
                None => format!(" (the words are {})", crate::ui::UI_KEYS.join(", ")),
            };
            diags.push(origin.error_at(spans.near(&at), format!("unknown UI word `{name}`{hint}")));
            continue;
        }
        match v.as_str() {
            Some(text) => words.push((name, text.to_string())),
            None => diags.push(err(&at, format!("`ui.{name}` must be text"))),
        }
    }
    let ui = crate::ui::Ui::new(crate::ui::Words::of(&language), &words);
    let mut menus = Vec::new();
    for (i, m) in raw.menus.unwrap_or_default().into_iter().enumerate() {
        let here = [key("menus"), Step::Index(i)];
        let target = match (m.url, m.page) {
            (Some(url), None) => match parse_menu_url(&url) {
                Ok(t) => t,
                Err(msg) => {
                    diags.push(err(&[key("menus"), Step::Index(i), key("url")], msg));
                    continue;
                }
            },
            (None, Some(page)) => match page.trim().strip_prefix("@/") {
                Some(rel) if !rel.is_empty() => MenuTarget::Page(rel.to_string()),
                _ => {
                    diags.push(err(
                        &[key("menus"), Step::Index(i), key("page")],
                        format!("`page` names an article from content/ as `@/section/file.md`, not `{page}`"),
                    ));
                    continue;
                }
            },
            _ => {
                diags.push(origin.error_at(
                    spans.near(&here),
                    format!("menu `{}` needs exactly one of `url` and `page`", m.label),
                ));
                continue;
            }
        };
        if m.label.trim().is_empty() {
            diags.push(err(
                &[key("menus"), Step::Index(i), key("label")],
                "a menu entry needs a `label`".into(),
            ));
            continue;
        }
        let external = m.external.unwrap_or(matches!(target, MenuTarget::Url(_)));
        menus.push((
            m.weight.unwrap_or(0),
            Menu {
                label: m.label,
                target,
                external,
                index: i,
            },
        ));
    }
    // Stable: entries of the same weight keep their kbgen.yaml order.
    menus.sort_by_key(|(w, _)| *w);
    let menus = menus.into_iter().map(|(_, m)| m).collect();
    let mut site_file = |name: &str, value: Option<String>| -> Option<String> {
        let value = value?;
        match check_site_file(root, &value) {
            Ok(path) => Some(path),
            Err(m) => {
                diags.push(err(&[key(name)], m));
                None
            }
        }
    };
    let logo = site_file("logo", raw.logo);
    let favicon = site_file("favicon", raw.favicon);
    let repo = match raw.repo_url {
        None => None,
        Some(url) => {
            let url = crate::urls::encode_written_url(url.trim().trim_end_matches('/'));
            let branch = raw.repo_branch.unwrap_or_else(|| "main".into());
            if !(url.starts_with("https://") || url.starts_with("http://"))
                || url
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
            {
                diags.push(err(
                    &[key("repo_url")],
                    format!("`repo_url` must be the repository's https:// address, not `{url}`"),
                ));
                None
            } else if branch.trim().is_empty()
                || branch.chars().any(|c| c.is_whitespace() || c.is_control())
            {
                diags.push(err(
                    &[key("repo_branch")],
                    format!("`repo_branch` must be a branch name, not `{branch}`"),
                ));
                None
            } else {
                Some(Repo { url, branch })
            }
        }
    };

    let browse = parse_browse(raw.browse, &taxonomies, &spans, origin, &mut diags);
    if browse.is_some() {
        if let Some(i) = taxonomies.iter().position(|t| t.segment == BROWSE_SEGMENT) {
            diags.push(err(
                &[key("taxonomies"), Step::Index(i)],
                format!(
                    "taxonomy `{}` needs another URL segment than `{BROWSE_SEGMENT}`: the browse \
                     page lives there (or set `browse: false`)",
                    taxonomies[i].name
                ),
            ));
        }
    }

    if diags.has_errors() {
        return Err(diags);
    }
    Ok(Config {
        root: root.to_path_buf(),
        title,
        description: raw.description.unwrap_or_default(),
        base_url,
        language,
        theme,
        taxonomies,
        dictionary,
        synonyms,
        disclaimer: raw.disclaimer.unwrap_or_default(),
        keep,
        limits,
        review_every: raw.review_every,
        ui,
        menus,
        logo,
        favicon,
        repo,
        extra: raw.extra.unwrap_or(yaml::Value::Null),
        browse,
        warnings,
        source: Source {
            text: text.to_string(),
            spans,
        },
    })
}

/// A BCP 47 tag in its usual case (`zh-CN`, `zh-Hant-TW`, `en`), or why it is not one, with
/// the tag that was meant when that is clear (`zh_CN` → `zh-CN`).
fn check_language(written: &str) -> Result<String, String> {
    use language_tags::LanguageTag;
    let valid = |t: &str| LanguageTag::parse(t).ok().filter(LanguageTag::is_valid);
    if let Some(tag) = valid(written.trim()) {
        return Ok(tag.into_string());
    }
    let guess = written.trim().replace(['_', ' ', '.'], "-");
    let hint = match valid(&guess) {
        Some(tag) => format!("did you mean `{}`?", tag.as_str()),
        None => "such as `zh-CN`, `zh-TW` or `en`".to_string(),
    };
    Err(format!("`{written}` is not a BCP 47 language tag ({hint})"))
}

/// A `menus:` `url`: another site's address (http, https, mailto), or a path of this site.
fn parse_menu_url(url: &str) -> Result<MenuTarget, String> {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    if url.chars().any(|c| c.is_control() || c == '\\') {
        return Err(format!(
            "menu URL `{}` must not contain `\\` or control characters",
            url.escape_debug()
        ));
    }
    if ["https://", "http://", "mailto:"]
        .iter()
        .any(|p| lower.starts_with(p))
    {
        return Ok(MenuTarget::Url(crate::urls::encode_written_url(url)));
    }
    // Any other scheme (`javascript:`, `ftp:`) or a host without one (`//x`) is refused.
    if url.starts_with("//") || lower.split('/').next().is_some_and(|s| s.contains(':')) {
        return Err(format!(
            "menu URL `{url}` must be an http://, https:// or mailto: address, or a path of this site such as `faq/`"
        ));
    }
    let path = url.trim_start_matches('/');
    if path.split('/').any(|s| s == ".." || s == ".") {
        return Err(format!(
            "menu URL `{url}` must not contain `.` or `..` segments"
        ));
    }
    Ok(MenuTarget::Path(path.to_string()))
}

/// A file kbgen.yaml names (`logo`, `favicon`): under `static/` (copied to the output root) or
/// `content/` (served at its path), existing. Returns its site path.
fn check_site_file(root: &Path, written: &str) -> Result<String, String> {
    let rel = written.trim().replace('\\', "/");
    let inside = rel
        .split('/')
        .all(|s| !s.is_empty() && s != "." && s != ".." && !s.starts_with('.'));
    let site_path = rel
        .strip_prefix("static/")
        .or_else(|| rel.strip_prefix("content/"))
        .filter(|p| inside && !p.is_empty() && !p.ends_with(".md"));
    let Some(site_path) = site_path else {
        return Err(format!(
            "`{written}` must be a file under static/ or content/ of the site, e.g. `static/logo.svg`"
        ));
    };
    if !root.join(&rel).is_file() {
        return Err(format!(
            "`{written}` does not exist (the path is relative to the site folder)"
        ));
    }
    Ok(site_path.to_string())
}

fn parse_terms(
    taxonomy: &str,
    map: yaml::Mapping,
    at: &[Step],
    spans: &Spans,
    origin: Origin<'_>,
    diags: &mut Diagnostics,
) -> AllowedTerms {
    let mut terms_path = at.to_vec();
    terms_path.push(key("terms"));
    let mut allowed = AllowedTerms::default();
    let mut slugs: HashMap<String, String> = HashMap::new();
    for (k, v) in map {
        let Some(written) = k.as_str() else {
            diags.push(origin.error_at(
                spans.near(&terms_path),
                format!("taxonomy `{taxonomy}`: term names must be strings"),
            ));
            continue;
        };
        let name = written.trim().to_string();
        let mut term_path = terms_path.clone();
        term_path.push(key(written));
        let pos = spans.near(&term_path);
        let here = |m: String| origin.error_at(pos, m);
        // A term's own keys (and a revision's) are checked here, where their places are known:
        // the term is read from a plain mapping, and an untagged enum's error would only say
        // that nothing matched.
        const TERM_KEYS: &[&str] = &[
            "slug",
            "aliases",
            "revised",
            "note",
            "revisions",
            "replaced_by",
        ];
        const REVISION_KEYS: &[&str] = &["date", "note"];
        let mut unknown_key = |k: &str, known: &[&str], at: &[Step], whose: &str| {
            let hint = crate::names::closest(k, known.iter().copied())
                .map(|c| format!(" (did you mean `{c}`?)"))
                .unwrap_or_else(|| format!(" (known: {})", known.join(", ")));
            diags.push(origin.error_at(
                spans.near(at),
                format!("term `{name}`: unknown key `{k}`{whose}{hint}"),
            ));
        };
        if let Some(m) = v.as_mapping() {
            let mut bad = false;
            let revisions = m.get("revisions").and_then(|r| r.as_sequence());
            for (i, item) in revisions.into_iter().flatten().enumerate() {
                for k in item.as_mapping().into_iter().flat_map(|e| e.keys()) {
                    let Some(k) = k.as_str().filter(|k| !REVISION_KEYS.contains(k)) else {
                        continue;
                    };
                    let mut at = term_path.clone();
                    at.extend([key("revisions"), Step::Index(i), key(k)]);
                    unknown_key(k, REVISION_KEYS, &at, " in a revision");
                    bad = true;
                }
            }
            if !bad {
                for k in m.keys().filter_map(|k| k.as_str()) {
                    if !TERM_KEYS.contains(&k) {
                        let mut at = term_path.clone();
                        at.push(key(k));
                        unknown_key(k, TERM_KEYS, &at, "");
                        bad = true;
                    }
                }
            }
            if bad {
                continue;
            }
        }
        let raw: RawTerm = if v.is_null() {
            RawTerm::Aliases(Vec::new())
        } else {
            match yaml::from_value(v) {
                Ok(r) => r,
                Err(e) => {
                    diags.push(here(format!(
                        "term `{name}`: expected a list of aliases or {{slug, aliases}}: {e}"
                    )));
                    continue;
                }
            }
        };
        let full = match raw {
            RawTerm::Aliases(aliases) => RawFullTerm {
                slug: None,
                aliases,
                revised: None,
                note: None,
                revisions: Vec::new(),
                replaced_by: None,
            },
            RawTerm::Full(f) => f,
        };
        let RawFullTerm {
            slug,
            aliases,
            revised,
            note,
            revisions: raw_revisions,
            replaced_by,
        } = full;
        let mut revisions = Vec::new();
        if revised.is_some() && !raw_revisions.is_empty() {
            diags.push(here(format!(
                "term `{name}`: give either `revised` (one revision) or `revisions`, not both"
            )));
        }
        // Each date with where it is written.
        let at = |steps: &[Step]| {
            let mut p = term_path.clone();
            p.extend_from_slice(steps);
            spans.value(&p).unwrap_or_else(|| spans.near(&p))
        };
        let dated = revised
            .map(|d| (d, note.clone(), at(&[key("revised")])))
            .into_iter()
            .chain(raw_revisions.into_iter().enumerate().map(|(i, r)| {
                let place = at(&[key("revisions"), Step::Index(i), key("date")]);
                (r.date, r.note, place)
            }));
        for (date, note, place) in dated {
            match crate::content::DateValue::parse(&date) {
                Some(day) => revisions.push(Revision {
                    day,
                    note: note.unwrap_or_default(),
                }),
                None => diags.push(origin.error_at(
                    place,
                    format!("term `{name}`: revision date `{date}` is not a date (YYYY-MM-DD)"),
                )),
            }
        }
        revisions.sort_by_key(|r| r.day.day);
        if replaced_by.as_deref().is_some_and(|r| r.trim().is_empty()) {
            diags.push(here(format!("term `{name}`: `replaced_by` is empty")));
        }
        let slug = slug.unwrap_or_else(|| name_of(&name));
        if !is_valid_slug(&slug) {
            diags.push(here(format!(
                "term `{name}` needs a URL name (`slug`) of letters, digits, `-` or `_`"
            )));
            continue;
        }
        if let Some(other) = slugs.insert(slug.clone(), name.clone()) {
            diags.push(here(format!(
                "terms `{other}` and `{name}` would share the folder `{slug}`"
            )));
            continue;
        }
        let index = allowed.terms.len();
        for alias in std::iter::once(name.clone()).chain(aliases.iter().cloned()) {
            let alias = alias.trim().to_string();
            if let Some(prev) = allowed.lookup.insert(alias.clone(), index) {
                if prev != index {
                    diags.push(here(format!(
                        "`{alias}` is listed under two terms of `{taxonomy}`"
                    )));
                }
            }
        }
        allowed.terms.push(AllowedTerm {
            name,
            slug,
            aliases,
            revisions,
            replaced_by: replaced_by.map(|r| r.trim().to_string()),
            line: pos.line,
        });
    }
    allowed
}

/// `browse:` — absent: legal_basis × remedy_type when the site has both taxonomies, else
/// none; `false`: none; `true`: the default, which must then exist; a map: `rows` and
/// `columns` name taxonomies (the default's where left out), `title` the page's title.
fn parse_browse(
    value: Option<yaml::Value>,
    taxonomies: &[Taxonomy],
    spans: &Spans,
    origin: Origin<'_>,
    diags: &mut Diagnostics,
) -> Option<Browse> {
    let here = [key("browse")];
    let err = |path: &[Step], msg: String| {
        origin.error_at(spans.value(path).unwrap_or_else(|| spans.near(path)), msg)
    };
    let find = |name: &str| taxonomies.iter().position(|t| t.name == name);
    let (rows, columns, title) = match value {
        None | Some(yaml::Value::Null) => {
            return Some(Browse {
                rows: find(DEFAULT_BROWSE.0)?,
                columns: find(DEFAULT_BROWSE.1)?,
                title: None,
            })
        }
        Some(yaml::Value::Bool(false)) => return None,
        Some(yaml::Value::Bool(true)) => (None, None, None),
        Some(yaml::Value::Mapping(map)) => {
            let mut parts: [Option<(String, Vec<Step>)>; 3] = Default::default();
            let mut bad = false;
            for (k, v) in map {
                let name = k.as_str().unwrap_or_default().to_string();
                let at = vec![key("browse"), key(&name)];
                let Some(slot) = BROWSE_KEYS.iter().position(|b| *b == name) else {
                    let hint = match crate::names::closest(&name, BROWSE_KEYS.iter().copied()) {
                        Some(c) => format!(" (did you mean `{c}`?)"),
                        None => format!(" (known keys: {})", BROWSE_KEYS.join(", ")),
                    };
                    diags.push(origin.error_at(
                        spans.key(&at).unwrap_or_else(|| spans.near(&at)),
                        format!("unknown key `{name}`{hint}"),
                    ));
                    bad = true;
                    continue;
                };
                match v.as_str() {
                    Some(text) => parts[slot] = Some((text.to_string(), at)),
                    None => {
                        diags.push(err(&at, format!("`browse.{name}` must be text")));
                        bad = true;
                    }
                }
            }
            let [rows, columns, title] = parts;
            if bad {
                // The taxonomies named are still checked: one run reports every error.
                let _ = taxonomy_of(rows, "rows", taxonomies, spans, origin, diags);
                let _ = taxonomy_of(columns, "columns", taxonomies, spans, origin, diags);
                return None;
            }
            (rows, columns, title.map(|(t, _)| t))
        }
        Some(_) => {
            diags.push(err(
                &here,
                "`browse` is `true`, `false` or a map such as `{rows: legal_basis, columns: remedy_type}`"
                    .into(),
            ));
            return None;
        }
    };
    let rows = taxonomy_of(rows, "rows", taxonomies, spans, origin, diags);
    let columns = taxonomy_of(columns, "columns", taxonomies, spans, origin, diags);
    let (rows, columns) = (rows?, columns?);
    if rows == columns {
        diags.push(err(
            &[key("browse"), key("columns")],
            format!(
                "`browse` crosses two taxonomies: `{}` cannot be both its rows and its columns",
                taxonomies[rows].name
            ),
        ));
        return None;
    }
    Some(Browse {
        rows,
        columns,
        title: title.filter(|t| !t.trim().is_empty()),
    })
}

/// The taxonomy `browse.rows` or `browse.columns` names (`given`: the name and where it is
/// written), or the default's; an error naming the closest when there is no such taxonomy.
fn taxonomy_of(
    given: Option<(String, Vec<Step>)>,
    what: &str,
    taxonomies: &[Taxonomy],
    spans: &Spans,
    origin: Origin<'_>,
    diags: &mut Diagnostics,
) -> Option<usize> {
    let default = if what == "rows" {
        DEFAULT_BROWSE.0
    } else {
        DEFAULT_BROWSE.1
    };
    let (name, at) = given.unwrap_or_else(|| (default.to_string(), vec![key("browse")]));
    let name = name.trim();
    if let Some(i) = taxonomies.iter().position(|t| t.name == name) {
        return Some(i);
    }
    let names = taxonomies.iter().map(|t| t.name.as_str());
    let hint = match crate::names::closest(name, names.clone()) {
        Some(c) => format!(" (did you mean `{c}`?)"),
        None => {
            let all: Vec<&str> = names.collect();
            if all.is_empty() {
                " (the site has no taxonomies)".to_string()
            } else {
                format!(" (the taxonomies are {})", all.join(", "))
            }
        }
    };
    diags.push(origin.error_at(
        spans.value(&at).unwrap_or_else(|| spans.near(&at)),
        format!("`browse.{what}`: there is no taxonomy `{name}`{hint}"),
    ));
    None
}

/// The folder of the browse page and its cells.
pub const BROWSE_SEGMENT: &str = "browse";

/// The taxonomies `/browse/` crosses when kbgen.yaml does not say.
const DEFAULT_BROWSE: (&str, &str) = ("legal_basis", "remedy_type");

fn default_taxonomies() -> Vec<Taxonomy> {
    [
        ("tags", "Tags"),
        ("legal_basis", "Legal basis"),
        ("remedy_type", "Remedy type"),
    ]
    .into_iter()
    .map(|(name, title)| Taxonomy {
        name: name.into(),
        title: title.into(),
        segment: name.replace('_', "-"),
        allowed: None,
    })
    .collect()
}

/// Top-level output names kbgen itself uses.
pub fn is_reserved_segment(segment: &str) -> bool {
    matches!(segment, "static" | "search" | "faq" | "page")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_forms() {
        assert_eq!(BaseUrl::parse("/").unwrap().path, "/");
        assert_eq!(BaseUrl::parse("/kb").unwrap().path, "/kb/");
        let b = BaseUrl::parse("https://example.org/kb/").unwrap();
        assert_eq!(
            (b.origin.as_str(), b.path.as_str()),
            ("https://example.org", "/kb/")
        );
        assert!(BaseUrl::parse("ftp://x/").is_err());
        assert!(BaseUrl::parse("/a/../b").is_err());
        // Regression (issue 11, the names_and_urls fuzz seeds): `/\evil.example/` was a base
        // path, which browsers read as `//evil.example/`, another host.
        assert!(BaseUrl::parse("/\\evil.example/").is_err());
        assert!(BaseUrl::parse("https://example.org\\@evil.example/").is_err());
        assert!(BaseUrl::parse("/kb\n/").is_err());
    }

    #[test]
    fn unknown_key_names_closest() {
        let e = parse_config(
            Path::new("."),
            Some("title: x\ndisclaimr: y\n"),
            &Overrides::default(),
        )
        .unwrap_err();
        let d = e.sorted();
        assert_eq!(
            d[0].to_string().lines().next().unwrap(),
            "error: kbgen.yaml:2:1: unknown key `disclaimr` (did you mean `disclaimer`?)"
        );
    }

    #[test]
    fn aliases_fold_into_terms() {
        let cfg = "taxonomies:\n  - name: legal_basis\n    terms:\n      《中华人民共和国民法典》: [民法典, 《民法典》]\n      协商: []\n";
        let c = parse_config(Path::new("."), Some(cfg), &Overrides::default()).unwrap();
        let allowed = c.taxonomies[0].allowed.as_ref().unwrap();
        assert_eq!(allowed.resolve("民法典"), Some(0));
        assert_eq!(allowed.resolve("《民法典》"), Some(0));
        assert_eq!(allowed.resolve("协商"), Some(1));
        assert_eq!(allowed.terms[0].slug, "中华人民共和国民法典");
        assert_eq!(allowed.resolve("刑法"), None);
    }

    #[test]
    fn language_tags_are_checked_and_the_meant_tag_suggested() {
        assert_eq!(check_language("zh-CN").unwrap(), "zh-CN");
        assert_eq!(check_language("zh-Hant-TW").unwrap(), "zh-Hant-TW");
        // Well-formed in another case: accepted in its usual case (config warns).
        assert_eq!(check_language("EN").unwrap(), "en");
        assert_eq!(check_language("zh-cn").unwrap(), "zh-CN");
        assert_eq!(
            check_language("zh_CN").unwrap_err(),
            "`zh_CN` is not a BCP 47 language tag (did you mean `zh-CN`?)"
        );
        assert_eq!(
            check_language("english").unwrap_err(),
            "`english` is not a BCP 47 language tag (such as `zh-CN`, `zh-TW` or `en`)"
        );
        assert!(check_language("zh-AB").is_err(), "an unregistered region");
    }

    #[test]
    fn a_language_in_another_case_is_a_warning_at_its_line() {
        let c = parse_config(
            Path::new("."),
            Some("title: x\nlanguage: EN\n"),
            &Overrides::default(),
        )
        .unwrap();
        assert_eq!(c.language, "en");
        assert_eq!(
            c.warnings[0].to_string().lines().next().unwrap(),
            "warning: kbgen.yaml:2:11: write the language tag as `en` (BCP 47 case), not `EN`"
        );
    }

    #[test]
    fn menu_urls() {
        assert_eq!(
            parse_menu_url("https://x.org/").unwrap(),
            MenuTarget::Url("https://x.org/".into())
        );
        assert_eq!(
            parse_menu_url("/faq/").unwrap(),
            MenuTarget::Path("faq/".into())
        );
        assert!(parse_menu_url("javascript:alert(1)").is_err());
        assert!(parse_menu_url("//evil.example/").is_err());
        assert!(parse_menu_url("../up/").is_err());
    }
}
