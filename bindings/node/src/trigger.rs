//! Triggers: the `Pipeline` class (an Azure Pipelines file or a GitHub Actions workflow:
//! `evaluate`, `evaluateEvents`, `lint`), the event model (`fullRef`, `parseEventKind`,
//! `parseChangedLines`), dialect detection, and each dialect's pattern language
//! (`azurePatternMatches`, `githubPatternMatches`, `githubPatternToRegex`, ...); path globs
//! of `shiprail.yaml` (`matchPathGlob`).
//!
//! Inputs: an event is a `TriggerEvent` plain object with camelCase keys, read strictly by
//! [`convert::event`]; Azure options are an `AzureOptions` plain object with the core's
//! snake_case keys, read by the core's serde (unknown keys are `config_syntax`); lint rules are
//! the `branches:` section of `shiprail.yaml`.

use crate::convert::{self, ChangedPath, Decision, EvaluationResult, Finding, section};
use crate::error::{OrThrow, throwable};
use napi::bindgen_prelude::AsyncTask;
use napi::{Env, Task};
use napi_derive::napi;
use serde_json::Value;
use shiprail::branch::BranchRules;
use shiprail::config::PathGlob;
use shiprail::trigger::azure::{AzureOptions, PathPattern, RefKind, RefPattern};
use shiprail::trigger::github::GithubPattern;
use shiprail::trigger::lint::LintContext;
use shiprail::trigger::{Dialect, PipelineFile, event as core_event, github};
use shiprail::{Error, ErrorKind};
use std::path::Path;

/// The full form of a ref: a name without `refs/` is a branch (`main` -> `refs/heads/main`).
#[napi]
pub fn full_ref(name: String) -> String {
    core_event::full_ref(&name)
}

/// Whether each repository path matches a `shiprail.yaml` path glob (one result per path).
#[napi]
pub fn match_path_glob(env: &Env, glob: String, paths: Vec<String>) -> napi::Result<Vec<bool>> {
    let glob: PathGlob = glob.parse().or_throw(env)?;
    Ok(paths.iter().map(|p| glob.is_match(p)).collect())
}

/// The canonical name of an event kind (`pr` -> `pull_request`, `workflow_dispatch` -> `manual`).
#[napi(ts_return_type = "'push' | 'pull_request' | 'pull_request_target' | 'manual'")]
pub fn parse_event_kind(env: &Env, kind: String) -> napi::Result<String> {
    kind.parse::<shiprail::trigger::EventKind>()
        .map(|k| k.to_string())
        .or_throw(env)
}

/// Reads a changed-path list, one a line: bare paths (modified) or `git diff --name-status`
/// lines (`M\tpath`, `R100\told\tnew`, ...). The items can be passed as a `TriggerEvent`'s
/// `changed`.
#[napi]
pub fn parse_changed_lines(text: String) -> Vec<ChangedPath> {
    core_event::parse_changed_lines(&text)
        .into_iter()
        .map(ChangedPath::from)
        .collect()
}

/// The dialect of a pipeline file: GitHub Actions for a file under `.github/workflows/` or a
/// document with a top-level `on:`, Azure Pipelines otherwise.
#[napi(ts_return_type = "'azure' | 'github'")]
pub fn detect_dialect(path: String, text: String) -> String {
    Dialect::detect(Path::new(&path), &text).to_string()
}

fn dialect(name: Option<&str>) -> shiprail::Result<Option<Dialect>> {
    name.map(str::parse).transpose()
}

fn azure_options(value: Option<Value>) -> shiprail::Result<Option<AzureOptions>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        value => section("azureOptions", value).map(Some),
    }
}

/// The same file with the Azure options applied (a GitHub workflow has none to apply).
fn with_azure(file: PipelineFile, options: Option<AzureOptions>) -> PipelineFile {
    match (file, options) {
        (PipelineFile::Azure(p), Some(options)) => PipelineFile::Azure(p.with_options(options)),
        (file, _) => file,
    }
}

/// How to read a pipeline file.
#[napi(object, object_to_js = false)]
pub struct PipelineLoadOptions {
    /// The dialect; omitted, it is detected from the path and the content (`detectDialect`).
    #[napi(ts_type = "'azure' | 'github'")]
    pub dialect: Option<String>,
    /// The Azure Pipelines behaviour switches, applied when the file is an Azure pipeline
    /// (a GitHub workflow has none); omitted, the current documented behaviour.
    #[napi(ts_type = "AzureOptions")]
    pub azure_options: Option<Value>,
}

/// How to read pipeline text.
#[napi(object, object_to_js = false)]
pub struct PipelineTextOptions {
    /// The dialect of the text.
    #[napi(ts_type = "'azure' | 'github'")]
    pub dialect: String,
    /// The Azure Pipelines behaviour switches (dialect `azure` only; a GitHub workflow has
    /// none); omitted, the current documented behaviour.
    #[napi(ts_type = "AzureOptions")]
    pub azure_options: Option<Value>,
}

/// What a lint checks trigger filters against.
#[napi(object, object_to_js = false)]
pub struct LintOptions {
    /// The `branches:` section; omitted, the default branch rules.
    #[napi(ts_type = "BranchRules")]
    pub branch_rules: Option<Value>,
    /// The declared services; omitted, any well-formed service name.
    pub services: Option<Vec<String>>,
    /// Every file of the repository, `/`-separated from the root; given, path filters that
    /// match no file are reported.
    pub repo_paths: Option<Vec<String>>,
}

fn load_pipeline(
    path: &str,
    options: Option<PipelineLoadOptions>,
) -> shiprail::Result<PipelineFile> {
    let (name, azure) = options.map_or((None, None), |o| (o.dialect, o.azure_options));
    let dialect = dialect(name.as_deref())?;
    let azure = azure_options(azure)?;
    Ok(with_azure(PipelineFile::load(dialect, path)?, azure))
}

/// Reads a pipeline file on the libuv thread pool.
pub struct LoadPipeline {
    path: String,
    options: Option<PipelineLoadOptions>,
}

impl Task for LoadPipeline {
    type Output = shiprail::Result<PipelineFile>;
    type JsValue = Pipeline;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(load_pipeline(&self.path, self.options.take()))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Pipeline> {
        output
            .map(|inner| Pipeline { inner })
            .map_err(|e| throwable(&env, &e))
    }
}

/// A parsed pipeline file of one dialect: an Azure Pipelines file (`trigger:`, `pr:`) or a
/// GitHub Actions workflow (`on:`). Ask it whether an event runs it (`evaluate`,
/// `evaluateEvents`) and whether its filters can match anything in the repository (`lint`).
#[napi]
pub struct Pipeline {
    inner: PipelineFile,
}

#[napi]
impl Pipeline {
    /// Reads a pipeline file without blocking the event loop; errors (`invalid_pipeline`,
    /// `invalid_pattern`, `io`, ...) reject the promise and carry the file, line and column.
    #[napi(ts_return_type = "Promise<Pipeline>")]
    pub fn load(path: String, options: Option<PipelineLoadOptions>) -> AsyncTask<LoadPipeline> {
        AsyncTask::new(LoadPipeline { path, options })
    }

    /// Reads a pipeline file, blocking.
    #[napi(factory)]
    pub fn load_sync(
        env: &Env,
        path: String,
        options: Option<PipelineLoadOptions>,
    ) -> napi::Result<Pipeline> {
        load_pipeline(&path, options)
            .map(|inner| Pipeline { inner })
            .or_throw(env)
    }

    /// Parses pipeline text of the given dialect.
    #[napi(factory)]
    pub fn from_yaml(
        env: &Env,
        text: String,
        options: PipelineTextOptions,
    ) -> napi::Result<Pipeline> {
        let dialect: Dialect = options.dialect.parse().or_throw(env)?;
        let azure = azure_options(options.azure_options).or_throw(env)?;
        let file = PipelineFile::from_yaml_str(dialect, &text).or_throw(env)?;
        Ok(Pipeline {
            inner: with_azure(file, azure),
        })
    }

    /// The file the pipeline was read from (`null` for text from `fromYaml`); lint findings
    /// carry it in `location.file`.
    #[napi(getter)]
    pub fn path(&self) -> Option<String> {
        self.inner.path().map(|p| p.to_string_lossy().into_owned())
    }

    /// The file's dialect.
    #[napi(getter, ts_return_type = "'azure' | 'github'")]
    pub fn dialect(&self) -> String {
        self.inner.dialect().to_string()
    }

    /// The options an Azure pipeline is evaluated with (every key, defaults included); `null`
    /// for a GitHub workflow.
    #[napi(getter, ts_return_type = "AzureOptions | null")]
    pub fn azure_options(&self) -> napi::Result<Option<Value>> {
        match &self.inner {
            PipelineFile::Azure(p) => convert::to_plain(p.options()).map(Some),
            _ => Ok(None),
        }
    }

    /// The events a GitHub workflow declares under `on:`, in file order; `null` for an Azure
    /// pipeline (which has no such list).
    #[napi(getter)]
    pub fn events(&self) -> Option<Vec<String>> {
        match &self.inner {
            PipelineFile::Github(w) => Some(w.events().to_vec()),
            _ => None,
        }
    }

    /// Whether `event` runs the pipeline, why, and every filter consulted on the way.
    #[napi]
    pub fn evaluate(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "TriggerEvent")] event: Value,
    ) -> napi::Result<Decision> {
        let event = convert::event(event).or_throw(env)?;
        self.inner
            .evaluate(&event)
            .map(Decision::from)
            .or_throw(env)
    }

    /// Evaluates many events in one call: one result per event, in order, each with its
    /// decision or its error (an event that cannot be evaluated does not throw).
    #[napi]
    pub fn evaluate_events(
        &self,
        #[napi(ts_arg_type = "Array<TriggerEvent>")] events: Vec<Value>,
    ) -> Vec<EvaluationResult> {
        events
            .into_iter()
            .map(|event| {
                convert::event(event)
                    .and_then(|e| self.inner.evaluate(&e))
                    .into()
            })
            .collect()
    }

    /// The dialect's findings about the file: filters that match no branch the rules allow, no
    /// declared service, no file of the repository, and the like.
    #[napi]
    pub fn lint(&self, env: &Env, options: Option<LintOptions>) -> napi::Result<Vec<Finding>> {
        let options = options.unwrap_or(LintOptions {
            branch_rules: None,
            services: None,
            repo_paths: None,
        });
        let rules: BranchRules = section("branches", options.branch_rules).or_throw(env)?;
        let mut context = LintContext::new(&rules, options.services.unwrap_or_default());
        if let Some(paths) = options.repo_paths {
            context = context.with_repo_paths(paths);
        }
        Ok(self
            .inner
            .lint(&context)
            .into_iter()
            .map(Finding::from)
            .collect())
    }
}

/// Whether each subject matches an Azure Pipelines filter entry, by list `kind`: `branch` and
/// `tag` entries match refs (a name without `refs/` is a branch, as `fullRef`), `path`
/// entries match repository paths (the entry's folder and everything under it). `options`:
/// `branch_case_insensitive` and `path_star_crosses_slash` apply.
#[napi]
pub fn azure_pattern_matches(
    env: &Env,
    #[napi(ts_arg_type = "'branch' | 'tag' | 'path'")] kind: String,
    pattern: String,
    subjects: Vec<String>,
    #[napi(ts_arg_type = "AzureOptions")] options: Option<Value>,
) -> napi::Result<Vec<bool>> {
    let options = azure_options(options).or_throw(env)?.unwrap_or_default();
    let refs = |kind| -> shiprail::Result<Vec<bool>> {
        let compiled = RefPattern::new(&pattern, kind)?;
        Ok(subjects
            .iter()
            .map(|s| compiled.matches(&core_event::full_ref(s), options.branch_case_insensitive))
            .collect())
    };
    match kind.as_str() {
        "branch" => refs(RefKind::Branch),
        "tag" => refs(RefKind::Tag),
        "path" => PathPattern::new(&pattern).map(|compiled| {
            subjects
                .iter()
                .map(|s| compiled.matches(s, options.path_star_crosses_slash))
                .collect()
        }),
        other => Err(Error::new(
            ErrorKind::InvalidPattern,
            format!(
                "unknown Azure filter list `{}`: expected branch, tag or path",
                other.escape_debug()
            ),
        )
        .with_input(other)),
    }
    .or_throw(env)
}

/// Whether a GitHub Actions filter pattern's body matches each subject (a branch or tag name,
/// or a repository path), one result per subject. A leading `!` is negation, which the list
/// holding the pattern applies: the body's match is reported.
#[napi]
pub fn github_pattern_matches(
    env: &Env,
    pattern: String,
    subjects: Vec<String>,
) -> napi::Result<Vec<bool>> {
    let pattern = GithubPattern::parse(&pattern).or_throw(env)?;
    Ok(subjects.iter().map(|s| pattern.is_match(s)).collect())
}

/// The anchored regular expression (Rust `regex` syntax) a GitHub pattern's body compiles to.
#[napi]
pub fn github_pattern_to_regex(env: &Env, pattern: String) -> napi::Result<String> {
    GithubPattern::parse(&pattern)
        .map(|p| p.to_regex())
        .or_throw(env)
}

/// The equivalent glob (`globset` with a literal separator) of a GitHub pattern's body, `null`
/// when none exists (`?` and `+` quantifiers, `**` inside a segment, ...).
#[napi]
pub fn github_pattern_as_glob(env: &Env, pattern: String) -> napi::Result<Option<String>> {
    GithubPattern::parse(&pattern)
        .map(|p| p.as_glob())
        .or_throw(env)
}

/// `text` with GitHub's pattern characters escaped, so a pattern matches exactly `text`.
#[napi]
pub fn github_pattern_escape(text: String) -> String {
    GithubPattern::escape(&text)
}

/// The skip instruction of a HEAD commit message under GitHub's rules (`[skip ci]`, a
/// `skip-checks: true` trailer, ...), `null` when it has none.
#[napi]
pub fn github_skip_instruction(message: String) -> Option<String> {
    github::skip_instruction(&message).map(str::to_string)
}
