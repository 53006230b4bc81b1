//! The Azure Pipelines dialect: `trigger:` and `pr:` of azure-pipelines.yml.
//!
//! [`Pipeline::from_yaml_str`] reads the file (every other top-level key is accepted and skipped,
//! except the deployment jobs of `stages:`/`jobs:`, which the lint needs), and
//! [`Pipeline::evaluate`] says whether an [`Event`] runs it, with a trace of every filter
//! consulted. The rules are Microsoft's documented ones (Azure Pipelines documentation: "Build
//! Azure Repos Git repositories", "Build GitHub repositories" and the YAML schema reference for
//! `trigger` and `pr`); where the documentation has said two things, the most recent statement
//! is the default and the other is an [`AzureOptions`] switch. `docs/dialects/azure.md` quotes
//! the sentences each rule comes from.
//!
//! # Forms
//!
//! `trigger:` is `none`, a list of branches, or the full mapping of `batch`, `branches`,
//! `paths` and `tags` (each with `include`/`exclude`); `pr:` is `none`, a list of branches, or
//! the mapping of `autoCancel`, `branches`, `paths` and `drafts`. Anything else, an unknown key
//! or a value of the wrong type is [`ErrorKind::InvalidPipeline`] at its line and column.
//!
//! ```
//! use shiprail::trigger::azure::Pipeline;
//! use shiprail::ErrorKind;
//! Pipeline::from_yaml_str("trigger: [main, release/*]\npr: none\nsteps: []\n")?;
//! let err = Pipeline::from_yaml_str("trigger:\n  branch: [main]\n").unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::InvalidPipeline);
//! assert_eq!(err.location().map(|l| (l.line, l.column)), Some((2, 3)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Defaults
//!
//! No `trigger:` means a CI trigger on every branch (unless the organisation's *Disable implied
//! YAML CI trigger* setting is on: [`AzureOptions::implied_ci_trigger_disabled`]); tags never
//! trigger unless listed. No `pr:` means pull requests into every branch are validated, on
//! GitHub and Bitbucket Cloud; Azure Repos Git ignores `pr:` altogether and validates through
//! branch policies ([`AzureOptions::repository`]).
//!
//! ```
//! use shiprail::trigger::azure::{AzureOptions, Pipeline, RepositoryHost};
//! use shiprail::trigger::{Event, EventKind};
//! let pipeline = Pipeline::from_yaml_str("steps: []\n")?;
//! let push = Event { kind: Some(EventKind::Push), git_ref: "feature/x/y".into(), ..Event::default() };
//! assert!(pipeline.evaluate(&push)?.run);
//! let tag = Event { git_ref: "refs/tags/v1.0.0".into(), ..push.clone() };
//! assert!(!pipeline.evaluate(&tag)?.run);
//! let pr = Event { kind: Some(EventKind::PullRequest), base_ref: Some("main".into()), ..push };
//! assert!(pipeline.evaluate(&pr)?.run);
//! let azure_repos = pipeline.with_options(AzureOptions { repository: RepositoryHost::AzureRepos, ..AzureOptions::default() });
//! assert!(!azure_repos.evaluate(&pr)?.run);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Branch and tag patterns
//!
//! A `branches` entry is completed to `refs/heads/<entry>` unless it starts with `refs/`; a
//! `tags` entry to `refs/tags/<entry>`. `*` matches zero or more characters, `/` included, and
//! `?` exactly one; matching is case-sensitive. Includes are processed first and excludes then
//! removed, so an exclude always wins; an exclude list without an include list means `*`.
//!
//! ```
//! use shiprail::trigger::azure::Pipeline;
//! use shiprail::trigger::{Event, EventKind};
//! let yaml = "trigger:\n  branches:\n    include: [main, releases/*]\n    exclude: [releases/old*]\n";
//! let pipeline = Pipeline::from_yaml_str(yaml)?;
//! let push = |r: &str| Event { kind: Some(EventKind::Push), git_ref: r.into(), ..Event::default() };
//! assert!(pipeline.evaluate(&push("releases/2024/q1"))?.run);
//! assert!(!pipeline.evaluate(&push("releases/old-1"))?.run);
//! assert!(!pipeline.evaluate(&push("Main"))?.run);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Tags
//!
//! A tag push runs when the branch filter is satisfied (a `refs/tags/...` entry in `branches`)
//! *or* the tag filter is; path filters are not consulted for a tag push. A full trigger that
//! lists `tags` but no `branches` is not triggered by branch pushes.
//!
//! ```
//! use shiprail::trigger::azure::Pipeline;
//! use shiprail::trigger::{Event, EventKind};
//! let yaml = "trigger:\n  branches:\n    include: [refs/tags/v2.0]\n  tags:\n    include: [v2.*]\n    exclude: [v2.0]\n";
//! let pipeline = Pipeline::from_yaml_str(yaml)?;
//! let push = |r: &str| Event { kind: Some(EventKind::Push), git_ref: r.into(), ..Event::default() };
//! assert!(pipeline.evaluate(&push("refs/tags/v2.1"))?.run);
//! assert!(pipeline.evaluate(&push("refs/tags/v2.0"))?.run); // the branch filter is satisfied
//! assert!(!pipeline.evaluate(&push("main"))?.run);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Paths
//!
//! Path entries are relative to the root (a leading `/` is accepted) and name a file or folder
//! and everything under it, segment by segment. A branch push runs when some changed path is
//! included: of the matching includes and excludes the most specific decides (an excluded
//! folder can be re-included deeper), a tie goes to the exclude, and order does not matter.
//! Unknown changes (`changed: None`) cannot be excluded. A trigger with paths but no branches
//! covers every branch.
//!
//! ```
//! use shiprail::trigger::azure::Pipeline;
//! use shiprail::trigger::{ChangedPath, Event, EventKind};
//! let yaml = "trigger:\n  paths:\n    include: [docs]\n    exclude: [docs/README.md]\n";
//! let pipeline = Pipeline::from_yaml_str(yaml)?;
//! let push = |p: &str| Event { kind: Some(EventKind::Push), git_ref: "main".into(),
//!     changed: Some(vec![ChangedPath::modified(p)]), ..Event::default() };
//! assert!(pipeline.evaluate(&push("docs/guide.md"))?.run);
//! assert!(!pipeline.evaluate(&push("docs/README.md"))?.run);
//! assert!(!pipeline.evaluate(&push("docsite/index.md"))?.run);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # New branches, batching, skip markers, manual runs
//!
//! The first push of a branch (`new_branch`) runs without path filters even with no changes;
//! with path filters it runs only if its changes match them. `batch` and `autoCancel` shape
//! queueing, not the decision, and are noted in the reason. A push whose commits carry `[skip
//! ci]`, `[ci skip]`, `skip-checks: true`, `skip-checks:true`, `[skip azurepipelines]`,
//! `[azurepipelines skip]`, `[skip azpipelines]`, `[azpipelines skip]`, `[skip azp]`, `[azp
//! skip]` or `***NO_CI***` does not run CI (pull requests are not affected). Manual runs always
//! run. Variables (`$(x)`, `${{ }}`) are never expanded in filters: they match literally.
//!
//! ```
//! use shiprail::trigger::azure::Pipeline;
//! use shiprail::trigger::{Event, EventKind};
//! let pipeline = Pipeline::from_yaml_str("trigger:\n  batch: true\n  branches: [main]\n")?;
//! let push = Event { kind: Some(EventKind::Push), git_ref: "main".into(),
//!     commit_messages: vec!["docs: typo [skip ci]".into()], ..Event::default() };
//! let decision = pipeline.evaluate(&push)?;
//! assert!(!decision.run);
//! assert!(decision.reason.contains("[skip ci]"));
//! let manual = Event { kind: Some(EventKind::Manual), ..push };
//! assert!(pipeline.evaluate(&manual)?.run);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Lint
//!
//! [`Pipeline::lint`] checks the file against the repository: unknown top-level keys, `batch`
//! with approval-gated deployments, variables in filters, branch patterns no branch allowed by
//! the branch rules can match, path filters matching no path of the repository (with the
//! correctly-cased path when only case differs), and exclude-only lists.
//!
//! ```
//! use shiprail::branch::BranchRules;
//! use shiprail::trigger::azure::Pipeline;
//! use shiprail::trigger::lint::LintContext;
//! let rules = BranchRules::default();
//! let context = LintContext { branch_rules: &rules, services: vec!["delivery".into()],
//!     repo_paths: Some(vec!["src/shipping/delivery/main.go".into()]) };
//! let yaml = "trigger:\n  branches: [releases/*]\n  paths:\n    include: [src/Shipping]\n";
//! let findings = Pipeline::from_yaml_str(yaml)?.lint(&context);
//! let codes: Vec<&str> = findings.iter().map(|f| f.code.as_str()).collect();
//! assert_eq!(codes, ["unmatched_branch_pattern", "unmatched_path_pattern"]);
//! assert_eq!(findings[0].suggestion.as_deref(), Some("release/*"));
//! assert_eq!(findings[1].suggestion.as_deref(), Some("src/shipping"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod checks;
mod pattern;
mod yaml;

pub use pattern::{PathPattern, RefKind, RefPattern};

use crate::error::{Error, ErrorKind, Location, Result};
use crate::trigger::lint::{Finding, LintContext};
use crate::trigger::{ChangedPath, Decision, Event, EventKind, TraceStep};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use yaml::{Node, RawFilters, RawPipeline, RawPr, RawTrigger, Text, location};

/// The largest pipeline file [`Pipeline::load`] reads.
pub const MAX_FILE_SIZE: u64 = 16 * 1024 * 1024;

/// The skip markers of a CI push, as the documentation lists them.
pub const SKIP_MARKERS: [&str; 11] = [
    "[skip ci]",
    "[ci skip]",
    "skip-checks: true",
    "skip-checks:true",
    "[skip azurepipelines]",
    "[azurepipelines skip]",
    "[skip azpipelines]",
    "[azpipelines skip]",
    "[skip azp]",
    "[azp skip]",
    "***NO_CI***",
];

/// Where the repository lives: it decides whether `pr:` is read at all.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RepositoryHost {
    /// GitHub (and GitHub Enterprise Server): YAML `pr:` triggers apply.
    #[default]
    Github,
    /// Bitbucket Cloud: YAML `pr:` triggers apply.
    Bitbucket,
    /// Azure Repos Git: YAML `pr:` is ignored; PR validation comes from branch policies.
    AzureRepos,
}

/// Which commits of a push are searched for skip markers.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SkipMarkerScope {
    /// Any commit of the push (the current documentation).
    #[default]
    AnyCommit,
    /// Only the HEAD (newest) commit (the documentation up to 2020).
    HeadCommit,
}

/// The switches between documented behaviours; `Default` is the most recent documentation for
/// Azure DevOps Services with a GitHub repository.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case", default)]
pub struct AzureOptions {
    /// Where the repository is hosted (`pr:` is ignored on Azure Repos Git).
    pub repository: RepositoryHost,
    /// The *Disable implied YAML CI trigger* setting (sprint 227): a file without `trigger:`
    /// then has no CI trigger.
    pub implied_ci_trigger_disabled: bool,
    /// Azure DevOps Server 2019.1 and older: an exclude list without an include list matches
    /// nothing (instead of everything).
    pub exclude_only_matches_nothing: bool,
    /// Azure DevOps Server 2019.1 and older: a full trigger with `paths` but no `branches`
    /// never fires (instead of covering every branch).
    pub paths_require_branches: bool,
    /// The first push of a new branch runs whatever the path filters say (the behaviour users
    /// reported before the documented rule "only if the new branch has changes that match").
    pub new_branch_ignores_paths: bool,
    /// Which commits' messages are searched for skip markers.
    pub skip_marker_scope: SkipMarkerScope,
    /// `*` and `?` in path filters also match `/` (the generic wildcard sentence), instead of
    /// staying within a segment with `**` crossing folders (the path-filter sentence).
    pub path_star_crosses_slash: bool,
    /// Compare branch and tag names ignoring case (the documentation says paths are
    /// case-sensitive and says nothing of branches; shiprail compares them exactly by default).
    pub branch_case_insensitive: bool,
    /// The pull request is a draft (the event model has no draft flag): `drafts: false` then
    /// keeps it from running.
    pub pr_is_draft: bool,
}

/// A branch or tag filter: `include` and `exclude` patterns.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RefFilter {
    /// Refs that trigger, unless excluded.
    pub include: Vec<RefPattern>,
    /// Refs removed after the includes.
    pub exclude: Vec<RefPattern>,
    location: Option<Location>,
}

impl RefFilter {
    /// Where the filter is written.
    pub fn location(&self) -> Option<&Location> {
        self.location.as_ref()
    }
}

/// A path filter: `include` and `exclude` patterns, the most specific match deciding.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PathFilter {
    /// Paths whose changes trigger, unless a more specific exclude matches.
    pub include: Vec<PathPattern>,
    /// Paths whose changes do not trigger, unless a more specific include matches.
    pub exclude: Vec<PathPattern>,
    location: Option<Location>,
}

impl PathFilter {
    /// Where the filter is written.
    pub fn location(&self) -> Option<&Location> {
        self.location.as_ref()
    }
}

/// The filters of a CI trigger (the list form is `branches.include` alone).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct CiFilters {
    /// `batch: true`: pushes made while a run is in progress are built together afterwards.
    pub batch: bool,
    /// The branch filter, if given.
    pub branches: Option<RefFilter>,
    /// The path filter, if given.
    pub paths: Option<PathFilter>,
    /// The tag filter, if given.
    pub tags: Option<RefFilter>,
    batch_location: Option<Location>,
}

impl CiFilters {
    /// Where `batch` is written.
    pub fn batch_location(&self) -> Option<&Location> {
        self.batch_location.as_ref()
    }
}

/// `trigger:`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
#[allow(clippy::large_enum_variant)] // one per pipeline, never moved in bulk
pub enum CiTrigger {
    /// No `trigger:` key: every branch, no tags.
    Implicit,
    /// `trigger: none`.
    Disabled,
    /// The list or full form.
    Filters(CiFilters),
}

/// The filters of a PR trigger.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PrFilters {
    /// `autoCancel` (default true): a new push cancels the PR's run in progress.
    pub auto_cancel: bool,
    /// `drafts` (default true): draft pull requests are validated.
    pub drafts: bool,
    /// The target-branch filter, if given.
    pub branches: Option<RefFilter>,
    /// The path filter, if given.
    pub paths: Option<PathFilter>,
}

/// `pr:`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PrTrigger {
    /// No `pr:` key: pull requests into every branch.
    Implicit,
    /// `pr: none`.
    Disabled,
    /// The list or full form.
    Filters(PrFilters),
}

/// A deployment job bound to an environment: where approvals and checks gate a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Deployment {
    /// The stage holding the job, when the file has stages.
    pub stage: Option<String>,
    /// The job's `deployment:` name.
    pub job: String,
    /// The environment (`name` or `name.resource`).
    pub environment: String,
}

/// A parsed azure-pipelines.yml: its triggers, deployment jobs and the options it is evaluated
/// with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pipeline {
    trigger: CiTrigger,
    pr: PrTrigger,
    deployments: Vec<Deployment>,
    keys: Vec<(String, Option<Location>)>,
    options: AzureOptions,
    path: Option<PathBuf>,
}

const _: () = {
    const fn check<T: Send + Sync>() {}
    check::<Pipeline>();
    check::<AzureOptions>();
    check::<RefPattern>();
    check::<PathPattern>();
    check::<Deployment>();
    check::<Finding>();
};

impl Pipeline {
    /// Reads a pipeline file (at most [`MAX_FILE_SIZE`] bytes); errors carry the file name.
    pub fn load(path: impl AsRef<Path>) -> Result<Pipeline> {
        let path = path.as_ref();
        let meta = std::fs::metadata(path).map_err(|e| Error::io(path, &e))?;
        if meta.len() > MAX_FILE_SIZE {
            return Err(Error::new(
                ErrorKind::InvalidPipeline,
                format!(
                    "`{}` is {} bytes; a pipeline file is at most {MAX_FILE_SIZE} bytes",
                    path.display(),
                    meta.len()
                ),
            )
            .in_file(path));
        }
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, &e))?;
        Ok(Pipeline::from_yaml_bytes(&bytes)
            .map_err(|e| e.in_file(path))?
            .with_path(path))
    }

    /// The pipeline as read from `path` (set by [`Pipeline::load`]; for text read by the
    /// caller): lint findings then name the file in their location.
    #[must_use]
    pub fn with_path(mut self, path: impl Into<PathBuf>) -> Pipeline {
        self.path = Some(path.into());
        self
    }

    /// The file the pipeline was loaded from, when it was.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Parses pipeline bytes (UTF-8 required).
    pub fn from_yaml_bytes(bytes: &[u8]) -> Result<Pipeline> {
        Pipeline::from_yaml_str(crate::config::utf8_text(bytes)?)
    }

    /// Parses pipeline text. Errors are [`ErrorKind::InvalidPipeline`] (or
    /// [`ErrorKind::InvalidPattern`] for a pattern no ref or path can have) with line and column.
    pub fn from_yaml_str(text: &str) -> Result<Pipeline> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let raw: RawPipeline = serde_saphyr::from_str(text).map_err(|e| {
            let base = crate::config::yaml_error(&e);
            let error = Error::new(ErrorKind::InvalidPipeline, base.message().to_owned());
            match base.location() {
                Some(at) => error.with_location(at.clone()),
                None => error,
            }
        })?;
        compile(raw)
    }

    /// The same pipeline evaluated with other options.
    #[must_use]
    pub fn with_options(mut self, options: AzureOptions) -> Pipeline {
        self.options = options;
        self
    }

    /// The options evaluation uses.
    pub fn options(&self) -> &AzureOptions {
        &self.options
    }

    /// The CI trigger.
    pub fn trigger(&self) -> &CiTrigger {
        &self.trigger
    }

    /// The PR trigger.
    pub fn pr(&self) -> &PrTrigger {
        &self.pr
    }

    /// The deployment jobs bound to environments, in file order.
    pub fn deployments(&self) -> &[Deployment] {
        &self.deployments
    }

    /// The top-level keys as written, with their positions.
    pub fn keys(&self) -> impl Iterator<Item = (&str, Option<&Location>)> {
        self.keys.iter().map(|(k, l)| (k.as_str(), l.as_ref()))
    }

    /// Whether `event` runs the pipeline, why, and every filter consulted on the way.
    ///
    /// Fails with [`ErrorKind::InvalidEvent`] for an event without a kind, a push without a
    /// ref, or a pull request without a base branch.
    pub fn evaluate(&self, event: &Event) -> Result<Decision> {
        let kind = event.kind.ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidEvent,
                "the event has no `kind`: expected push, pull_request, pull_request_target or manual",
            )
        })?;
        let mut eval = Eval {
            options: &self.options,
            steps: Vec::new(),
        };
        let (run, reason) = match kind {
            EventKind::Manual => {
                eval.step(
                    "manual",
                    "manual run",
                    None,
                    "included",
                    "triggers decide automatic runs only; a manual run always runs",
                );
                (
                    true,
                    "a manual run always runs, whatever the triggers say".to_owned(),
                )
            }
            EventKind::Push => self.push(&mut eval, event)?,
            EventKind::PullRequest | EventKind::PullRequestTarget => self.pull(&mut eval, event)?,
        };
        Ok(Decision {
            run,
            reason,
            explain: eval.steps,
        })
    }

    /// The dialect's findings about this file in its repository (see [`crate::trigger::lint`]);
    /// for a pipeline loaded from a file, each location names the file.
    pub fn lint(&self, context: &LintContext<'_>) -> Vec<Finding> {
        checks::lint(self, context)
            .into_iter()
            .map(|f| f.in_file(self.path()))
            .collect()
    }

    fn push(&self, eval: &mut Eval<'_>, event: &Event) -> Result<(bool, String)> {
        if event.git_ref.trim().is_empty() {
            return Err(Error::new(
                ErrorKind::InvalidEvent,
                "a push event needs `ref`: the branch or tag pushed",
            ));
        }
        let subject = event.full_ref();
        let shown = subject.escape_debug().to_string();
        let implicit;
        let filters = match &self.trigger {
            CiTrigger::Disabled => {
                eval.step(
                    "trigger",
                    &subject,
                    None,
                    "disabled",
                    "`trigger: none` disables CI triggers",
                );
                return Ok((
                    false,
                    format!("push to `{shown}` does not run: `trigger: none` disables CI runs"),
                ));
            }
            CiTrigger::Implicit if self.options.implied_ci_trigger_disabled => {
                eval.step(
                    "trigger",
                    &subject,
                    None,
                    "disabled",
                    "without `trigger:` there is no CI trigger when the Disable implied YAML CI \
                     trigger setting is on",
                );
                return Ok((
                    false,
                    format!(
                        "push to `{shown}` does not run: the file has no `trigger:` and implied CI \
                         triggers are disabled"
                    ),
                ));
            }
            CiTrigger::Implicit => {
                implicit = implicit_ci();
                &implicit
            }
            CiTrigger::Filters(filters) => filters,
        };
        let label = if matches!(self.trigger, CiTrigger::Implicit) {
            "trigger (implicit)"
        } else {
            "trigger"
        };
        let outcome = if event.is_tag() {
            eval.tag_push(label, filters, &subject)
        } else {
            eval.branch_push(label, filters, &subject, event)
        };
        let mut reason = match outcome {
            Err(reason) => return Ok((false, format!("push to `{shown}` does not run: {reason}"))),
            Ok(reason) => format!("push to `{shown}` runs: {reason}"),
        };
        if let Some(skip) = eval.skip_marker(event) {
            return Ok((
                false,
                format!("push to `{shown}` does not run: {skip} (the filters alone would run it)"),
            ));
        }
        if filters.batch {
            reason.push_str(
                "; `batch: true`: pushes made while a run is in progress are built together once \
                 it completes",
            );
        }
        Ok((true, reason))
    }

    fn pull(&self, eval: &mut Eval<'_>, event: &Event) -> Result<(bool, String)> {
        let target = event.full_base_ref().filter(|b| !b.trim().is_empty()).ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidEvent,
                "a pull request event needs `base_ref`: the target branch PR filters are matched \
                 against",
            )
        })?;
        let shown = target.escape_debug().to_string();
        if self.options.repository == RepositoryHost::AzureRepos {
            eval.step(
                "pr",
                &target,
                None,
                "ignored",
                "Azure Repos Git ignores YAML `pr:`; pull requests are validated by branch policies",
            );
            return Ok((
                false,
                format!(
                    "pull request into `{shown}` does not run from YAML: Azure Repos Git validates \
                     pull requests through branch policies, not `pr:`"
                ),
            ));
        }
        let implicit;
        let filters = match &self.pr {
            PrTrigger::Disabled => {
                eval.step(
                    "pr",
                    &target,
                    None,
                    "disabled",
                    "`pr: none` disables PR triggers",
                );
                return Ok((
                    false,
                    format!("pull request into `{shown}` does not run: `pr: none`"),
                ));
            }
            PrTrigger::Implicit => {
                implicit = PrFilters {
                    auto_cancel: true,
                    drafts: true,
                    branches: None,
                    paths: None,
                };
                &implicit
            }
            PrTrigger::Filters(filters) => filters,
        };
        let label = if matches!(self.pr, PrTrigger::Implicit) {
            "pr (implicit)"
        } else {
            "pr"
        };
        if !filters.drafts && self.options.pr_is_draft {
            eval.step(
                &format!("{label}.drafts"),
                &target,
                None,
                "excluded",
                "`drafts: false`: draft pull requests do not start a run",
            );
            return Ok((
                false,
                format!("draft pull request into `{shown}` does not run: `drafts: false`"),
            ));
        }
        let branches = match &filters.branches {
            Some(filter) => eval.refs(&format!("{label}.branches"), filter, &target),
            None => {
                eval.step(
                    &format!("{label}.branches"),
                    &target,
                    Some("*"),
                    "included",
                    "without branch filters, pull requests into every branch are validated",
                );
                Ok("every target branch is validated".to_owned())
            }
        };
        let mut reason = match branches {
            Ok(reason) => reason,
            Err(reason) => {
                return Ok((
                    false,
                    format!("pull request into `{shown}` does not run: {reason}"),
                ));
            }
        };
        if let Some(paths) = &filters.paths {
            match eval.paths(&format!("{label}.paths"), paths, event.changed.as_deref()) {
                Ok(why) => {
                    reason.push_str(", ");
                    reason.push_str(&why);
                }
                Err(why) => {
                    return Ok((
                        false,
                        format!("pull request into `{shown}` does not run: {why}"),
                    ));
                }
            }
        }
        if filters.auto_cancel {
            reason.push_str("; `autoCancel`: a new push cancels the run in progress");
        }
        Ok((true, format!("pull request into `{shown}` runs: {reason}")))
    }
}

fn implicit_ci() -> CiFilters {
    CiFilters::default()
}

/// One evaluation in progress: the options and the trace so far.
struct Eval<'a> {
    options: &'a AzureOptions,
    steps: Vec<TraceStep>,
}

/// How many paths a trace lists before it summarises.
const MAX_PATH_STEPS: usize = 100;

impl Eval<'_> {
    fn step(
        &mut self,
        filter: &str,
        subject: &str,
        pattern: Option<&str>,
        outcome: &str,
        rule: &str,
    ) {
        self.steps.push(TraceStep {
            filter: filter.to_owned(),
            subject: subject.to_owned(),
            pattern: pattern.map(str::to_owned),
            outcome: outcome.to_owned(),
            rule: rule.to_owned(),
        });
    }

    /// Includes first, then excludes removed. `Ok(reason)` when the ref is included.
    fn refs(
        &mut self,
        label: &str,
        filter: &RefFilter,
        subject: &str,
    ) -> std::result::Result<String, String> {
        let fold = self.options.branch_case_insensitive;
        let include_label = format!("{label}.include");
        let implicit_star;
        let included = if filter.include.is_empty() {
            if self.options.exclude_only_matches_nothing {
                self.step(
                    &include_label,
                    subject,
                    None,
                    "no_match",
                    "an exclude list without an include list matches nothing (Azure DevOps Server \
                     2019.1 and older)",
                );
                return Err(format!(
                    "`{label}` has excludes but no includes, which matches nothing"
                ));
            }
            let kind = filter
                .exclude
                .first()
                .map_or(RefKind::Branch, RefPattern::kind);
            implicit_star = RefPattern::new("*", kind).ok();
            implicit_star.as_ref().filter(|p| p.matches(subject, fold))
        } else {
            filter.include.iter().find(|p| p.matches(subject, fold))
        };
        let Some(included) = included else {
            self.step(
                &include_label,
                subject,
                None,
                "no_match",
                "only refs matching an include pattern trigger",
            );
            return Err(format!("no `{include_label}` pattern matches it"));
        };
        if let Some(excluded) = filter.exclude.iter().find(|p| p.matches(subject, fold)) {
            self.step(
                &format!("{label}.exclude"),
                subject,
                Some(excluded.as_str()),
                "excluded",
                "includes are processed first, then excludes are removed: an exclude wins",
            );
            return Err(format!(
                "`{label}.exclude` pattern `{}` removes it",
                excluded.as_str().escape_debug()
            ));
        }
        let rule = if filter.include.is_empty() {
            "an exclude list without an include list is as if `*` were included"
        } else {
            "a ref matching an include pattern and no exclude pattern triggers"
        };
        self.step(
            &include_label,
            subject,
            Some(included.as_str()),
            "included",
            rule,
        );
        Ok(format!(
            "`{include_label}` pattern `{}` matches it",
            included.as_str().escape_debug()
        ))
    }

    fn branch_push(
        &mut self,
        label: &str,
        filters: &CiFilters,
        subject: &str,
        event: &Event,
    ) -> std::result::Result<String, String> {
        let branches_label = format!("{label}.branches");
        let mut reason = match &filters.branches {
            Some(filter) => self.refs(&branches_label, filter, subject)?,
            None if filters.tags.is_some() => {
                self.step(
                    &branches_label,
                    subject,
                    None,
                    "no_match",
                    "a trigger that lists `tags` but no `branches` is not triggered by branch pushes",
                );
                return Err("the trigger lists tags but no branches".to_owned());
            }
            None if filters.paths.is_some() && self.options.paths_require_branches => {
                self.step(
                    &branches_label,
                    subject,
                    None,
                    "no_match",
                    "a trigger with paths but no branches never fires (Azure DevOps Server 2019.1 \
                     and older)",
                );
                return Err("the trigger has path filters but no branch filter".to_owned());
            }
            None => {
                self.step(
                    &branches_label,
                    subject,
                    Some("*"),
                    "included",
                    "a CI trigger without branch filters covers every branch",
                );
                "every branch triggers".to_owned()
            }
        };
        match &filters.paths {
            Some(_) if event.new_branch && self.options.new_branch_ignores_paths => {
                self.step(
                    &format!("{label}.paths"),
                    subject,
                    None,
                    "skipped",
                    "the first push of a new branch runs whatever the path filters say",
                );
                reason.push_str(", and a new branch is not path-filtered");
            }
            Some(paths) => {
                let why = self.paths(&format!("{label}.paths"), paths, event.changed.as_deref())?;
                reason.push_str(", ");
                reason.push_str(&why);
            }
            None if event.new_branch => {
                self.step(
                    &format!("{label}.paths"),
                    subject,
                    None,
                    "included",
                    "without path filters a new branch triggers even if it has no changes",
                );
                reason
                    .push_str(", and a new branch without path filters runs even with no changes");
            }
            None => {}
        }
        Ok(reason)
    }

    fn tag_push(
        &mut self,
        label: &str,
        filters: &CiFilters,
        subject: &str,
    ) -> std::result::Result<String, String> {
        let branches_label = format!("{label}.branches");
        let via_branches = match &filters.branches {
            Some(filter) => self.refs(&branches_label, filter, subject),
            None => Err("no branch filter".to_owned()),
        };
        let reason = match via_branches {
            Ok(reason) => format!(
                "{reason} (a tag that satisfies the branch filter runs whatever the tag filter says)"
            ),
            Err(branch_reason) => match &filters.tags {
                Some(filter) => self
                    .refs(&format!("{label}.tags"), filter, subject)
                    .map_err(|tag_reason| {
                        format!("{tag_reason}, and for the branch filter {branch_reason}")
                    })?,
                None => {
                    self.step(
                        &format!("{label}.tags"),
                        subject,
                        None,
                        "no_match",
                        "without a tag filter, tags do not trigger (unless listed as refs/tags/... \
                         in branches)",
                    );
                    return Err("tags do not trigger without a tag filter".to_owned());
                }
            },
        };
        if filters.paths.is_some() {
            self.step(
                &format!("{label}.paths"),
                subject,
                None,
                "skipped",
                "a tag push is decided by the branch and tag filters; paths are not consulted",
            );
        }
        Ok(reason)
    }

    /// `Ok(reason)` when some changed path is included.
    fn paths(
        &mut self,
        label: &str,
        filter: &PathFilter,
        changed: Option<&[ChangedPath]>,
    ) -> std::result::Result<String, String> {
        let Some(changed) = changed else {
            self.step(
                label,
                "(changed paths unknown)",
                None,
                "unknown",
                "the changed paths are unknown, so path filters cannot exclude the push",
            );
            return Ok(
                "the changed paths are unknown, so the path filter cannot exclude it".to_owned(),
            );
        };
        if filter.include.is_empty() && self.options.exclude_only_matches_nothing {
            self.step(
                &format!("{label}.include"),
                "(any path)",
                None,
                "no_match",
                "an exclude list without an include list matches nothing (Azure DevOps Server \
                 2019.1 and older)",
            );
            return Err(format!(
                "`{label}` has excludes but no includes, which matches nothing"
            ));
        }
        let crossing = self.options.path_star_crosses_slash;
        let mut traced = 0usize;
        let mut checked = 0usize;
        for path in changed.iter().flat_map(ChangedPath::paths) {
            checked += 1;
            fn best<'p>(
                list: &'p [PathPattern],
                path: &str,
                crossing: bool,
            ) -> Option<&'p PathPattern> {
                list.iter()
                    .filter(|p| p.matches(path, crossing))
                    .max_by_key(|p| p.specificity())
            }
            let include = if filter.include.is_empty() {
                None
            } else {
                best(&filter.include, path, crossing)
            };
            let exclude = best(&filter.exclude, path, crossing);
            let root_included = filter.include.is_empty();
            let include_spec = include
                .map(PathPattern::specificity)
                .or(root_included.then_some((0, 0)));
            let verdict = match (include_spec, exclude) {
                (Some(i), Some(e)) if i > e.specificity() => Some(true),
                (Some(_), Some(_)) => Some(false),
                (Some(_), None) => Some(true),
                (None, _) => None,
            };
            let trace = traced < MAX_PATH_STEPS;
            match verdict {
                Some(true) => {
                    let pattern = include.map_or("*", PathPattern::as_str);
                    let rule = match (include, exclude) {
                        (_, Some(_)) => {
                            "the most specific matching filter decides: a deeper include re-includes an excluded folder"
                        }
                        (None, None) => {
                            "an exclude list without an include list is as if the root were included"
                        }
                        _ => "a changed path under an included path triggers",
                    };
                    self.step(
                        &format!("{label}.include"),
                        path,
                        Some(pattern),
                        "included",
                        rule,
                    );
                    return Ok(format!(
                        "changed path `{}` is included by `{}`",
                        path.escape_debug(),
                        pattern.escape_debug()
                    ));
                }
                Some(false) if trace => {
                    if let Some(e) = exclude {
                        self.step(
                            &format!("{label}.exclude"),
                            path,
                            Some(e.as_str()),
                            "excluded",
                            "the most specific matching filter decides; an exclude at least as specific as every include wins",
                        );
                    }
                    traced += 1;
                }
                None if trace => {
                    self.step(
                        &format!("{label}.include"),
                        path,
                        None,
                        "no_match",
                        "a changed path under no include path does not trigger",
                    );
                    traced += 1;
                }
                _ => {}
            }
        }
        if checked > traced {
            self.step(
                label,
                &format!("{} more changed paths", checked - traced),
                None,
                "no_match",
                "none of them is included either",
            );
        }
        if checked == 0 {
            self.step(
                label,
                "(no changed paths)",
                None,
                "no_match",
                "with path filters, a push without changes does not trigger",
            );
            return Err(format!("`{label}` is set and no path changed"));
        }
        Err(format!("no changed path is included by `{label}`"))
    }

    /// The skip marker that stops this push, as a reason, if any.
    fn skip_marker(&mut self, event: &Event) -> Option<String> {
        let messages: &[String] = match self.options.skip_marker_scope {
            SkipMarkerScope::HeadCommit => event.commit_messages.get(..1).unwrap_or_default(),
            _ => &event.commit_messages,
        };
        for (i, message) in messages.iter().enumerate() {
            if let Some(marker) = SKIP_MARKERS.iter().find(|m| message.contains(*m)) {
                let first_line: String = message
                    .lines()
                    .next()
                    .unwrap_or("")
                    .chars()
                    .take(72)
                    .collect();
                let rule = match self.options.skip_marker_scope {
                    SkipMarkerScope::HeadCommit => {
                        "a skip marker in the HEAD commit's message skips CI for the push"
                    }
                    _ => {
                        "a skip marker in the message of any commit of the push skips CI for the push"
                    }
                };
                self.step("skip marker", &first_line, Some(marker), "skipped", rule);
                return Some(format!("commit {} of the push carries `{}`", i + 1, marker));
            }
        }
        None
    }
}

/// Builds the pipeline from the raw file: compiles every pattern (with its position).
fn compile(raw: RawPipeline) -> Result<Pipeline> {
    let trigger = match raw.trigger {
        None => CiTrigger::Implicit,
        Some(RawTrigger::None) => CiTrigger::Disabled,
        Some(RawTrigger::List(items)) => CiTrigger::Filters(CiFilters {
            branches: ref_filter(
                "trigger",
                &RawFilters {
                    include: items,
                    exclude: Vec::new(),
                },
                None,
                RefKind::Branch,
            )?,
            ..CiFilters::default()
        }),
        Some(RawTrigger::Full(full)) => CiTrigger::Filters(CiFilters {
            batch: full.batch.as_ref().is_some_and(|b| b.value.0),
            batch_location: full.batch.as_ref().and_then(location),
            branches: match &full.branches {
                Some(f) => ref_filter("trigger.branches", &f.value, location(f), RefKind::Branch)?,
                None => None,
            },
            paths: match &full.paths {
                Some(f) => path_filter("trigger.paths", &f.value, location(f))?,
                None => None,
            },
            tags: match &full.tags {
                Some(f) => ref_filter("trigger.tags", &f.value, location(f), RefKind::Tag)?,
                None => None,
            },
        }),
    };
    let pr = match raw.pr {
        None => PrTrigger::Implicit,
        Some(RawPr::None) => PrTrigger::Disabled,
        Some(RawPr::List(items)) => PrTrigger::Filters(PrFilters {
            auto_cancel: true,
            drafts: true,
            branches: ref_filter(
                "pr",
                &RawFilters {
                    include: items,
                    exclude: Vec::new(),
                },
                None,
                RefKind::Branch,
            )?,
            paths: None,
        }),
        Some(RawPr::Full(full)) => PrTrigger::Filters(PrFilters {
            auto_cancel: full.auto_cancel.as_ref().is_none_or(|b| b.value.0),
            drafts: full.drafts.as_ref().is_none_or(|b| b.value.0),
            branches: match &full.branches {
                Some(f) => ref_filter("pr.branches", &f.value, location(f), RefKind::Branch)?,
                None => None,
            },
            paths: match &full.paths {
                Some(f) => path_filter("pr.paths", &f.value, location(f))?,
                None => None,
            },
        }),
    };
    let mut deployments = Vec::new();
    if let Some(stages) = &raw.stages {
        for stage in stages.items() {
            let name = stage.get("stage").and_then(Node::as_str).map(str::to_owned);
            if let Some(jobs) = stage.get("jobs") {
                collect_deployments(name.as_deref(), jobs, &mut deployments);
            }
        }
    }
    if let Some(jobs) = &raw.jobs {
        collect_deployments(None, jobs, &mut deployments);
    }
    Ok(Pipeline {
        trigger,
        pr,
        deployments,
        keys: raw
            .keys
            .iter()
            .map(|k| (k.value.clone(), location(k)))
            .collect(),
        options: AzureOptions::default(),
        path: None,
    })
}

fn collect_deployments(stage: Option<&str>, jobs: &Node, out: &mut Vec<Deployment>) {
    for job in jobs.items() {
        let Some(name) = job.get("deployment").and_then(Node::as_str) else {
            continue;
        };
        let environment = match job.get("environment") {
            Some(Node::Scalar(env)) => Some(env.clone()),
            Some(env @ Node::Map(_)) => env.get("name").and_then(Node::as_str).map(str::to_owned),
            _ => None,
        };
        if let Some(environment) = environment {
            out.push(Deployment {
                stage: stage.map(str::to_owned),
                job: name.to_owned(),
                environment,
            });
        }
    }
}

fn pattern_error(error: Error, list: &str, at: &Text) -> Error {
    let mut out = Error::new(error.kind(), format!("{} (in `{list}`)", error.message()))
        .with_input(at.value.clone());
    if let Some(location) = location(at) {
        out = out.with_location(location);
    }
    out
}

fn ref_filter(
    label: &str,
    raw: &RawFilters,
    at: Option<Location>,
    kind: RefKind,
) -> Result<Option<RefFilter>> {
    let compile = |items: &[Text], list: &str| -> Result<Vec<RefPattern>> {
        items
            .iter()
            .map(|t| {
                RefPattern::new(&t.value, kind)
                    .map(|p| p.located(location(t)))
                    .map_err(|e| pattern_error(e, list, t))
            })
            .collect()
    };
    let include_label = if label == "trigger" || label == "pr" {
        label.to_owned()
    } else {
        format!("{label}.include")
    };
    let include = compile(&raw.include, &include_label)?;
    let exclude = compile(&raw.exclude, &format!("{label}.exclude"))?;
    Ok(
        (!include.is_empty() || !exclude.is_empty()).then_some(RefFilter {
            include,
            exclude,
            location: at,
        }),
    )
}

fn path_filter(label: &str, raw: &RawFilters, at: Option<Location>) -> Result<Option<PathFilter>> {
    let compile = |items: &[Text], list: &str| -> Result<Vec<PathPattern>> {
        items
            .iter()
            .map(|t| {
                PathPattern::new(&t.value)
                    .map(|p| p.located(location(t)))
                    .map_err(|e| pattern_error(e, list, t))
            })
            .collect()
    };
    let include = compile(&raw.include, &format!("{label}.include"))?;
    let exclude = compile(&raw.exclude, &format!("{label}.exclude"))?;
    Ok(
        (!include.is_empty() || !exclude.is_empty()).then_some(PathFilter {
            include,
            exclude,
            location: at,
        }),
    )
}

#[cfg(test)]
mod tests;
