//! The GitHub Actions trigger dialect: a workflow file's `on:` and whether an event runs it.
//!
//! Reproduces GitHub's documented semantics ("Workflow syntax for GitHub Actions", sections
//! `on.push.<branches|tags|branches-ignore|tags-ignore>`,
//! `on.<pull_request|pull_request_target>.<branches|branches-ignore>`,
//! `on.<push|pull_request|pull_request_target>.<paths|paths-ignore>` and the "Filter pattern
//! cheat sheet"; "Skipping workflow runs"). `docs/dialects/github.md` cites the sentence behind
//! each rule and lists the ambiguities and the choice made for each.
//!
//! # Patterns
//!
//! [`GithubPattern`] is GitHub's own language: `*` is any run of characters but `/`, `**` any
//! run including `/`, `?` and `+` make the preceding character optional or repeated, `[]`
//! holds letters, digits and ranges of them, `\` escapes, and a leading `!` negates. Patterns
//! match whole names and whole paths from the repository root.
//!
//! ```
//! use shiprail::trigger::github::GithubPattern;
//! let p: GithubPattern = "**/migrate-*.sql".parse()?;
//! assert!(p.is_match("migrate-10909.sql") && p.is_match("db/sept/migrate-v1.sql"));
//! assert_eq!(p.as_glob().as_deref(), Some("**/migrate-*.sql"));
//! assert!("[0-9".parse::<GithubPattern>().is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # The forms of `on`
//!
//! `on: push`, `on: [push, pull_request]` and the mapping form are all read. In the mapping,
//! `push`, `pull_request` and `pull_request_target` take `null` or their filters (and `types`
//! for pull requests); every other event is accepted and not evaluated. A filter is a pattern
//! or a list of patterns.
//!
//! ```
//! use shiprail::trigger::github::Workflow;
//! let w = Workflow::from_yaml_str("on: [push, workflow_dispatch]\njobs: {}\n")?;
//! assert_eq!(w.events(), ["push", "workflow_dispatch"]);
//! let w = Workflow::from_yaml_str("on:\n  push:\n    branches: main\n")?;
//! assert_eq!(w.push().and_then(|p| p.branches()).map(|b| b.patterns().len()), Some(1));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Combinations GitHub rejects
//!
//! `branches` with `branches-ignore`, `tags` with `tags-ignore` and `paths` with
//! `paths-ignore` in one event are [`ErrorKind::InvalidPipeline`] errors at the second key;
//! so is a key the event does not have. A bad pattern is [`ErrorKind::InvalidPattern`] at the
//! pattern. YAML errors keep the parser's line and column.
//!
//! ```
//! use shiprail::trigger::github::Workflow;
//! let err = Workflow::from_yaml_str(
//!     "on:\n  push:\n    branches: [main]\n    branches-ignore: [dev]\n",
//! ).unwrap_err();
//! assert_eq!(err.code(), "invalid_pipeline");
//! assert_eq!(err.location().map(|l| (l.line, l.column)), Some((4, 5)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Branches and tags of a push
//!
//! Branch filters see the branch name without `refs/heads/`, tag filters the tag name. With
//! only branch filters a tag push does not run, with only tag filters a branch push does not
//! run, with neither both run. In `branches` and `tags` the last matching pattern decides: a
//! later `!pattern` excludes, a later positive pattern includes again, and a list of
//! negations alone matches nothing. `*-ignore` lists exclude what any of their patterns match.
//!
//! ```
//! use shiprail::trigger::{Event, EventKind, github::Workflow};
//! let w = Workflow::from_yaml_str(
//!     "on:\n  push:\n    branches: ['releases/**', '!releases/**-alpha']\n",
//! )?;
//! let push = |r: &str| Event { kind: Some(EventKind::Push), git_ref: r.into(), ..Event::default() };
//! assert!(w.evaluate(&push("releases/10"))?.run);
//! assert!(!w.evaluate(&push("releases/beta/3-alpha"))?.run);
//! assert!(!w.evaluate(&push("refs/tags/v1.0.0"))?.run); // only branches: no tag pushes
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Paths
//!
//! `paths` runs the workflow when at least one changed path is included (last match wins, as
//! for branches); `paths-ignore` runs it unless every changed path is ignored. With branch
//! filters too, both must pass. Path filters are not evaluated for tag pushes. No changed
//! path at all does not run; only the first 300 changed files are considered; when the diff
//! is unknown ([`Event::changed`] is `None`) or the push has more than 1,000 commits, path
//! filters pass, as GitHub runs the workflow when it has no diff.
//!
//! ```
//! use shiprail::trigger::{ChangedPath, Event, EventKind, github::Workflow};
//! let w = Workflow::from_yaml_str("on:\n  push:\n    paths-ignore: ['docs/**']\n")?;
//! let push = |paths: &[&str]| Event {
//!     kind: Some(EventKind::Push),
//!     git_ref: "main".into(),
//!     changed: Some(paths.iter().map(|p| ChangedPath::modified(*p)).collect()),
//!     ..Event::default()
//! };
//! assert!(!w.evaluate(&push(&["docs/a.md", "docs/b.md"]))?.run);
//! assert!(w.evaluate(&push(&["docs/a.md", "src/main.rs"]))?.run);
//! assert!(!w.evaluate(&push(&[]))?.run);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Pull requests
//!
//! `pull_request` and `pull_request_target` branch filters match the *base* branch (the
//! branch the pull request targets, [`Event::base_ref`]); a pull request event without one
//! is [`ErrorKind::InvalidEvent`]. With `types`, the event (opened or updated) runs only when
//! `opened` or `synchronize` is listed.
//!
//! ```
//! use shiprail::trigger::{Event, EventKind, github::Workflow};
//! let w = Workflow::from_yaml_str("on:\n  pull_request:\n    branches: [main]\n")?;
//! let pr = Event {
//!     kind: Some(EventKind::PullRequest),
//!     git_ref: "feature/delivery/retry".into(),
//!     base_ref: Some("main".into()),
//!     ..Event::default()
//! };
//! assert!(w.evaluate(&pr)?.run);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Skip instructions and manual runs
//!
//! For `push` and `pull_request` (not `pull_request_target`), a head commit message holding
//! `[skip ci]`, `[ci skip]`, `[no ci]`, `[skip actions]` or `[actions skip]`, or ending with a
//! `skip-checks:true` / `skip-checks: true` trailer, skips the workflow. A manual event runs a
//! workflow that declares `workflow_dispatch`.
//!
//! ```
//! use shiprail::trigger::{Event, EventKind, github::Workflow};
//! let w = Workflow::from_yaml_str("on: [push, workflow_dispatch]\n")?;
//! let push = Event {
//!     kind: Some(EventKind::Push),
//!     git_ref: "main".into(),
//!     commit_messages: vec!["Fix typo [skip ci]".into()],
//!     ..Event::default()
//! };
//! assert!(!w.evaluate(&push)?.run);
//! let manual = Event { kind: Some(EventKind::Manual), git_ref: "main".into(), ..Event::default() };
//! assert!(w.evaluate(&manual)?.run);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod lint;
mod parse;
mod pattern;

pub use pattern::GithubPattern;

use crate::error::{Error, ErrorKind, Location, Result};
use crate::trigger::{Decision, Event, EventKind, TraceStep};
use parse::{RawEvent, RawFilters, RawOn, RawStrings, RawWorkflow};
use pattern::shown;
use std::fmt;
use std::path::{Path, PathBuf};

/// GitHub evaluates path filters against at most this many changed files of a diff.
pub const MAX_DIFF_FILES: usize = 300;

/// Above this many commits in a push, GitHub does not compute the diff and always runs.
pub const MAX_PUSH_COMMITS: usize = 1000;

/// The commit-message strings that skip `push` and `pull_request` runs.
pub const SKIP_MARKERS: &[&str] = &[
    "[skip ci]",
    "[ci skip]",
    "[no ci]",
    "[skip actions]",
    "[actions skip]",
];

/// The pull request activity types GitHub accepts in `types`.
const PR_TYPES: &[&str] = &[
    "assigned",
    "unassigned",
    "labeled",
    "unlabeled",
    "opened",
    "edited",
    "closed",
    "reopened",
    "synchronize",
    "converted_to_draft",
    "locked",
    "unlocked",
    "enqueued",
    "dequeued",
    "milestoned",
    "demilestoned",
    "ready_for_review",
    "review_requested",
    "review_request_removed",
    "auto_merge_enabled",
    "auto_merge_disabled",
];

/// The activity types an "opened or updated" pull request event stands for.
const PR_EVENT_TYPES: &[&str] = &["opened", "synchronize"];

// ---------------------------------------------------------------------------------------------
// Filters
// ---------------------------------------------------------------------------------------------

/// Which filter a pattern list is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum FilterKind {
    /// `branches`: ordered patterns with `!` negation, over branch names.
    Branches,
    /// `branches-ignore`: branch names that do not run.
    BranchesIgnore,
    /// `tags`: ordered patterns with `!` negation, over tag names.
    Tags,
    /// `tags-ignore`: tag names that do not run.
    TagsIgnore,
    /// `paths`: ordered patterns with `!` negation, over changed paths.
    Paths,
    /// `paths-ignore`: changed paths that do not count.
    PathsIgnore,
}

impl FilterKind {
    /// The key as written in a workflow.
    pub fn as_str(self) -> &'static str {
        match self {
            FilterKind::Branches => "branches",
            FilterKind::BranchesIgnore => "branches-ignore",
            FilterKind::Tags => "tags",
            FilterKind::TagsIgnore => "tags-ignore",
            FilterKind::Paths => "paths",
            FilterKind::PathsIgnore => "paths-ignore",
        }
    }

    /// Whether this is an `*-ignore` list (a match excludes; `!` has no meaning there).
    pub fn is_ignore(self) -> bool {
        matches!(
            self,
            FilterKind::BranchesIgnore | FilterKind::TagsIgnore | FilterKind::PathsIgnore
        )
    }

    /// The key this one cannot be combined with in the same event.
    pub fn counterpart(self) -> FilterKind {
        match self {
            FilterKind::Branches => FilterKind::BranchesIgnore,
            FilterKind::BranchesIgnore => FilterKind::Branches,
            FilterKind::Tags => FilterKind::TagsIgnore,
            FilterKind::TagsIgnore => FilterKind::Tags,
            FilterKind::Paths => FilterKind::PathsIgnore,
            FilterKind::PathsIgnore => FilterKind::Paths,
        }
    }

    fn from_key(key: &str) -> Option<FilterKind> {
        Some(match key {
            "branches" => FilterKind::Branches,
            "branches-ignore" => FilterKind::BranchesIgnore,
            "tags" => FilterKind::Tags,
            "tags-ignore" => FilterKind::TagsIgnore,
            "paths" => FilterKind::Paths,
            "paths-ignore" => FilterKind::PathsIgnore,
            _ => return None,
        })
    }
}

impl fmt::Display for FilterKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One pattern of a filter list and where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternEntry {
    /// The compiled pattern.
    pub pattern: GithubPattern,
    /// Its line and column in the workflow file.
    pub location: Option<Location>,
}

/// What a filter list says about one subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict<'a> {
    /// For `branches`, `tags` and `paths`: the subject is included. For `*-ignore` lists: the
    /// subject is ignored.
    pub hit: bool,
    /// The pattern that decided: the last matching one of an ordered list, the first matching
    /// positive one of an ignore list. `None` when nothing matched.
    pub pattern: Option<&'a PatternEntry>,
}

/// One filter of one event: `on.push.branches`, `on.pull_request.paths-ignore`, ...
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterList {
    event: &'static str,
    kind: FilterKind,
    patterns: Vec<PatternEntry>,
    location: Option<Location>,
}

impl FilterList {
    /// Which filter this is.
    pub fn kind(&self) -> FilterKind {
        self.kind
    }

    /// The patterns, in file order (the order decides in `branches`, `tags` and `paths`).
    pub fn patterns(&self) -> &[PatternEntry] {
        &self.patterns
    }

    /// Where the filter's key was written.
    pub fn location(&self) -> Option<&Location> {
        self.location.as_ref()
    }

    /// The filter's full name, e.g. `on.push.branches`.
    pub fn name(&self) -> String {
        format!("on.{}.{}", self.event, self.kind)
    }

    /// Matches one subject against the list.
    ///
    /// Ordered lists: every pattern is tried in order and the last one that matches decides
    /// (included unless it is negated); none matching means not included, so a list of
    /// negations alone includes nothing. Ignore lists: the subject is ignored when a pattern
    /// without `!` matches; `!` entries have no effect there (GitHub documents negation for
    /// `branches`, `tags` and `paths` only).
    pub fn verdict(&self, subject: &str) -> Verdict<'_> {
        if self.kind.is_ignore() {
            let pattern = self
                .patterns
                .iter()
                .find(|e| !e.pattern.is_negated() && e.pattern.is_match(subject));
            Verdict {
                hit: pattern.is_some(),
                pattern,
            }
        } else {
            let pattern = self
                .patterns
                .iter()
                .rev()
                .find(|e| e.pattern.is_match(subject));
            Verdict {
                hit: pattern.is_some_and(|e| !e.pattern.is_negated()),
                pattern,
            }
        }
    }
}

/// The filters of one event of the mapping form (`on.push`, `on.pull_request`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EventFilters {
    branches: Option<FilterList>,
    tags: Option<FilterList>,
    paths: Option<FilterList>,
    types: Option<Vec<String>>,
    location: Option<Location>,
}

impl EventFilters {
    /// `branches` or `branches-ignore`, whichever is present.
    pub fn branches(&self) -> Option<&FilterList> {
        self.branches.as_ref()
    }

    /// `tags` or `tags-ignore` (push only).
    pub fn tags(&self) -> Option<&FilterList> {
        self.tags.as_ref()
    }

    /// `paths` or `paths-ignore`.
    pub fn paths(&self) -> Option<&FilterList> {
        self.paths.as_ref()
    }

    /// Pull request activity `types`, when listed.
    pub fn types(&self) -> Option<&[String]> {
        self.types.as_deref()
    }

    /// Where the event's key was written.
    pub fn location(&self) -> Option<&Location> {
        self.location.as_ref()
    }

    /// Every filter list present.
    pub fn lists(&self) -> impl Iterator<Item = &FilterList> {
        [&self.branches, &self.tags, &self.paths]
            .into_iter()
            .filter_map(Option::as_ref)
    }
}

// ---------------------------------------------------------------------------------------------
// Workflow
// ---------------------------------------------------------------------------------------------

/// A GitHub Actions workflow's triggers: the parsed `on:` of one workflow file.
///
/// Build it with [`Workflow::from_yaml_str`] or [`Workflow::load`]; ask it with
/// [`Workflow::evaluate`] whether an event runs it and with [`Workflow::lint`] whether its
/// filters can match anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workflow {
    events: Vec<String>,
    push: Option<EventFilters>,
    pull_request: Option<EventFilters>,
    pull_request_target: Option<EventFilters>,
    path: Option<PathBuf>,
}

impl Workflow {
    /// Reads the triggers of a workflow file's text.
    ///
    /// Errors: YAML that does not parse or has the wrong shape, no `on:`, no event, an unknown
    /// key in a filtered event, an `*-ignore` list next to its counterpart, an unknown pull
    /// request activity type ([`ErrorKind::InvalidPipeline`]); a malformed pattern
    /// ([`ErrorKind::InvalidPattern`]). Each error carries the line and column.
    pub fn from_yaml_str(text: &str) -> Result<Workflow> {
        let raw: RawWorkflow = serde_saphyr::from_str(text).map_err(|e| {
            let error = crate::config::yaml_error(&e);
            let mut out = Error::new(
                ErrorKind::InvalidPipeline,
                format!("invalid workflow: {}", error.message()),
            );
            if let Some(location) = error.location() {
                out = out.with_location(location.clone());
            }
            out
        })?;
        build(raw)
    }

    /// Reads a workflow file; errors name the file.
    pub fn load(path: &Path) -> Result<Workflow> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, &e))?;
        let text = std::str::from_utf8(&bytes).map_err(|e| {
            Error::new(
                ErrorKind::InvalidUtf8,
                format!(
                    "the workflow is not UTF-8 (invalid byte at offset {})",
                    e.valid_up_to()
                ),
            )
            .in_file(path)
        })?;
        Ok(Workflow::from_yaml_str(text)
            .map_err(|e| e.in_file(path))?
            .with_path(path))
    }

    /// The workflow as read from `path` (set by [`Workflow::load`]; for text read by the
    /// caller): lint findings then name the file in their location.
    #[must_use]
    pub fn with_path(mut self, path: impl Into<PathBuf>) -> Workflow {
        self.path = Some(path.into());
        self
    }

    /// The file the workflow was loaded from, when it was.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The declared event names, in file order.
    pub fn events(&self) -> &[String] {
        &self.events
    }

    /// The `push` trigger, when declared (with empty filters for `on: push`).
    pub fn push(&self) -> Option<&EventFilters> {
        self.push.as_ref()
    }

    /// The `pull_request` trigger, when declared.
    pub fn pull_request(&self) -> Option<&EventFilters> {
        self.pull_request.as_ref()
    }

    /// The `pull_request_target` trigger, when declared.
    pub fn pull_request_target(&self) -> Option<&EventFilters> {
        self.pull_request_target.as_ref()
    }

    /// Whether the workflow can be run by hand (`workflow_dispatch`).
    pub fn is_manual(&self) -> bool {
        self.events.iter().any(|e| e == "workflow_dispatch")
    }

    /// The filtered events present, with their names.
    pub(crate) fn filtered_events(&self) -> impl Iterator<Item = (&'static str, &EventFilters)> {
        [
            ("push", &self.push),
            ("pull_request", &self.pull_request),
            ("pull_request_target", &self.pull_request_target),
        ]
        .into_iter()
        .filter_map(|(name, filters)| filters.as_ref().map(|f| (name, f)))
    }

    /// Whether `event` runs the workflow, and why.
    ///
    /// The decision's `explain` always holds the trace, one step per ref, path or message
    /// checked. An event without a kind is a push. Errors ([`ErrorKind::InvalidEvent`]): an
    /// empty ref, a pushed ref that is neither a branch nor a tag, a pull request without a
    /// base branch or whose base is a tag.
    pub fn evaluate(&self, event: &Event) -> Result<Decision> {
        let kind = event.kind.unwrap_or(EventKind::Push);
        let mut eval = Evaluation::default();
        match kind {
            EventKind::Manual => {
                let run = self.is_manual();
                eval.step(
                    "on",
                    "workflow_dispatch",
                    None,
                    if run { "included" } else { "no_match" },
                    "a manual run needs `workflow_dispatch` among the workflow's events",
                );
                Ok(eval.finish(
                    run,
                    if run {
                        "runs: the workflow declares `workflow_dispatch`".to_owned()
                    } else {
                        "does not run: the workflow does not declare `workflow_dispatch`, so it \
                         cannot be run by hand"
                            .to_owned()
                    },
                ))
            }
            EventKind::Push => self.evaluate_push(event, eval),
            EventKind::PullRequest => {
                self.evaluate_pull_request(event, "pull_request", self.pull_request.as_ref(), eval)
            }
            EventKind::PullRequestTarget => self.evaluate_pull_request(
                event,
                "pull_request_target",
                self.pull_request_target.as_ref(),
                eval,
            ),
        }
    }

    fn evaluate_push(&self, event: &Event, mut eval: Evaluation) -> Result<Decision> {
        let target = push_target(event)?;
        let Some(filters) = &self.push else {
            return Ok(eval.not_declared("push"));
        };
        if let Some(decision) = eval.skip_instruction("push", event) {
            return Ok(decision);
        }
        let (name, own, other, what, other_what) = match &target {
            RefTarget::Branch(name) => (*name, &filters.branches, &filters.tags, "branch", "tag"),
            RefTarget::Tag(name) => (*name, &filters.tags, &filters.branches, "tag", "branch"),
        };
        match (own, other) {
            (Some(list), _) => {
                if !eval.ref_list(list, name, what) {
                    return Ok(eval.failed());
                }
            }
            (None, Some(other)) => {
                eval.step(
                    "on.push",
                    name,
                    None,
                    "excluded",
                    &format!(
                        "only {other_what} filters are defined (`{}`), so pushes of a {what} do not run",
                        other.kind
                    ),
                );
                return Ok(eval.finish(
                    false,
                    format!(
                        "does not run: `on.push` filters {other_what} names only (`{}`), so the push of {what} `{}` does not run",
                        other.kind,
                        shown(name)
                    ),
                ));
            }
            (None, None) => {
                eval.step(
                    "on.push",
                    name,
                    None,
                    "included",
                    "with neither branch nor tag filters, pushes of branches and tags all run",
                );
                eval.pass(format!("{what} `{}` is not filtered", shown(name)));
            }
        }
        if let RefTarget::Tag(_) = target {
            if let Some(paths) = &filters.paths {
                eval.step(
                    &paths.name(),
                    name,
                    None,
                    "skipped",
                    "path filters are not evaluated for pushes of tags",
                );
            }
        } else if let Some(paths) = &filters.paths
            && !eval.paths(paths, event)
        {
            return Ok(eval.failed());
        }
        let reason = format!("runs: {}", eval.passes.join("; "));
        Ok(eval.finish(true, reason))
    }

    fn evaluate_pull_request(
        &self,
        event: &Event,
        section: &'static str,
        filters: Option<&EventFilters>,
        mut eval: Evaluation,
    ) -> Result<Decision> {
        let base = pull_request_base(event)?;
        let Some(filters) = filters else {
            return Ok(eval.not_declared(section));
        };
        if section == "pull_request"
            && let Some(decision) = eval.skip_instruction(section, event)
        {
            return Ok(decision);
        }
        if let Some(types) = &filters.types {
            let listed = types.iter().any(|t| PR_EVENT_TYPES.contains(&t.as_str()));
            eval.step(
                &format!("on.{section}.types"),
                "opened or synchronize",
                None,
                if listed { "included" } else { "excluded" },
                "with `types`, only the listed activities run; an opened or updated pull request is `opened` or `synchronize`",
            );
            if !listed {
                return Ok(eval.finish(
                    false,
                    format!(
                        "does not run: `on.{section}.types` lists neither `opened` nor `synchronize`"
                    ),
                ));
            }
        }
        match &filters.branches {
            Some(list) => {
                if !eval.ref_list(list, base, "base branch") {
                    return Ok(eval.failed());
                }
            }
            None => {
                eval.step(
                    &format!("on.{section}"),
                    base,
                    None,
                    "included",
                    "without branch filters, pull requests targeting any branch run",
                );
                eval.pass(format!("base branch `{}` is not filtered", shown(base)));
            }
        }
        if let Some(paths) = &filters.paths
            && !eval.paths(paths, event)
        {
            return Ok(eval.failed());
        }
        let reason = format!("runs: {}", eval.passes.join("; "));
        Ok(eval.finish(true, reason))
    }
}

impl std::str::FromStr for Workflow {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Workflow::from_yaml_str(s)
    }
}

/// What a push updated.
enum RefTarget<'a> {
    Branch(&'a str),
    Tag(&'a str),
}

fn invalid_event(message: String, input: &str) -> Error {
    Error::new(ErrorKind::InvalidEvent, message).with_input(input)
}

/// The branch or tag a push updated.
fn push_target(event: &Event) -> Result<RefTarget<'_>> {
    let reference = event.git_ref.as_str();
    if reference.is_empty() {
        return Err(invalid_event(
            "the event has an empty `ref`: a push names the branch or tag it updated".to_owned(),
            reference,
        ));
    }
    if let Some(name) = reference.strip_prefix("refs/heads/") {
        Ok(RefTarget::Branch(name))
    } else if let Some(name) = reference.strip_prefix("refs/tags/") {
        Ok(RefTarget::Tag(name))
    } else if reference.starts_with("refs/") {
        Err(invalid_event(
            format!(
                "`{}` is neither a branch (`refs/heads/...`) nor a tag (`refs/tags/...`): GitHub \
                 push filters only see branches and tags",
                shown(reference)
            ),
            reference,
        ))
    } else {
        Ok(RefTarget::Branch(reference))
    }
}

/// The base branch of a pull request, without `refs/heads/`.
fn pull_request_base(event: &Event) -> Result<&str> {
    let Some(base) = event.base_ref.as_deref() else {
        return Err(invalid_event(
            "a pull request event needs `base_ref`, the branch it targets: GitHub matches pull \
             request branch filters against the base branch"
                .to_owned(),
            &event.git_ref,
        ));
    };
    if let Some(name) = base.strip_prefix("refs/heads/") {
        Ok(name)
    } else if base.is_empty() || base.starts_with("refs/") {
        Err(invalid_event(
            format!(
                "`{}` is not a branch: a pull request targets a branch (`refs/heads/...`)",
                shown(base)
            ),
            base,
        ))
    } else {
        Ok(base)
    }
}

/// The HEAD commit message's skip instruction, if it has one.
pub fn skip_instruction(message: &str) -> Option<&'static str> {
    if let Some(marker) = SKIP_MARKERS.iter().find(|m| message.contains(*m)) {
        return Some(marker);
    }
    let lines: Vec<&str> = message.trim_end().lines().collect();
    let last = lines.last()?.trim_end();
    let trailer = ["skip-checks:true", "skip-checks: true"]
        .into_iter()
        .find(|t| last == *t)?;
    // The trailer block is the last paragraph; it must follow a blank line (the subject and
    // body come first).
    let blank = lines.iter().rposition(|l| l.trim().is_empty())?;
    (blank > 0 && lines[..blank].iter().any(|l| !l.trim().is_empty())).then_some(trailer)
}

/// The running state of one evaluation: the trace and the reasons gathered so far.
#[derive(Default)]
struct Evaluation {
    steps: Vec<TraceStep>,
    passes: Vec<String>,
    failure: String,
}

impl Evaluation {
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

    fn pass(&mut self, reason: String) {
        self.passes.push(reason);
    }

    fn fail(&mut self, reason: String) {
        self.failure = reason;
    }

    /// The decision "does not run", for the failure recorded last.
    fn failed(self) -> Decision {
        let reason = format!("does not run: {}", self.failure);
        self.finish(false, reason)
    }

    fn finish(self, run: bool, reason: String) -> Decision {
        Decision {
            run,
            reason,
            explain: self.steps,
        }
    }

    fn not_declared(mut self, section: &str) -> Decision {
        self.step(
            "on",
            section,
            None,
            "no_match",
            "a workflow runs only for the events listed under `on`",
        );
        self.finish(
            false,
            format!("does not run: the workflow does not trigger on `{section}`"),
        )
    }

    /// Checks the HEAD commit message; returns the decision when it skips the run.
    fn skip_instruction(&mut self, section: &str, event: &Event) -> Option<Decision> {
        let head = event.commit_messages.first()?;
        let first_line = head.lines().next().unwrap_or_default();
        match skip_instruction(head) {
            Some(marker) => {
                self.step(
                    "skip instruction",
                    first_line,
                    Some(marker),
                    "skipped",
                    "a skip instruction in the HEAD commit message skips `push` and `pull_request` runs",
                );
                let reason = format!(
                    "does not run: the HEAD commit message holds `{marker}`, which skips `{section}` runs"
                );
                Some(std::mem::take(self).finish(false, reason))
            }
            None => {
                self.step(
                    "skip instruction",
                    first_line,
                    None,
                    "no_match",
                    "no skip instruction in the HEAD commit message",
                );
                None
            }
        }
    }

    /// Applies a branch or tag list to one name; records the step and the reason.
    fn ref_list(&mut self, list: &FilterList, name: &str, what: &str) -> bool {
        let verdict = list.verdict(name);
        let filter = list.name();
        let pattern = verdict.pattern.map(|e| e.pattern.as_str());
        let (outcome, passed, rule) = match (list.kind.is_ignore(), verdict.hit, verdict.pattern) {
            (true, true, _) => (
                "excluded",
                false,
                "a name matching an `*-ignore` pattern does not run",
            ),
            (true, false, _) => (
                "included",
                true,
                "a name matching no `*-ignore` pattern runs",
            ),
            (false, true, _) => (
                "included",
                true,
                "the last matching pattern decides, and it includes",
            ),
            (false, false, Some(_)) => (
                "excluded",
                false,
                "the last matching pattern decides, and it is negated",
            ),
            (false, false, None) => ("no_match", false, "a name matching no pattern does not run"),
        };
        self.step(&filter, name, pattern, outcome, rule);
        let by = pattern.map_or_else(String::new, |p| format!(" by `{}`", shown(p)));
        if passed {
            self.pass(if list.kind.is_ignore() {
                format!("{what} `{}` is not ignored by `{filter}`", shown(name))
            } else {
                format!("{what} `{}` is included{by} in `{filter}`", shown(name))
            });
        } else if list.kind.is_ignore() {
            self.fail(format!(
                "{what} `{}` is ignored{by} in `{filter}`",
                shown(name)
            ));
        } else if verdict.pattern.is_some() {
            self.fail(format!(
                "{what} `{}` is excluded{by} in `{filter}`",
                shown(name)
            ));
        } else {
            self.fail(format!(
                "{what} `{}` matches no pattern of `{filter}`",
                shown(name)
            ));
        }
        passed
    }

    /// Applies a path list to the event's changed paths; records the steps and the reason.
    fn paths(&mut self, list: &FilterList, event: &Event) -> bool {
        let filter = list.name();
        let Some(changed) = &event.changed else {
            self.step(
                &filter,
                "(unknown)",
                None,
                "included",
                "without a diff GitHub always runs: path filters pass when the changed paths are unknown",
            );
            self.pass(format!(
                "the changed paths are unknown, so `{filter}` passes"
            ));
            return true;
        };
        if event.commit_messages.len() > MAX_PUSH_COMMITS {
            self.step(
                &filter,
                &format!("{} commits", event.commit_messages.len()),
                None,
                "included",
                "a push of more than 1,000 commits always runs",
            );
            self.pass(format!(
                "the push has more than {MAX_PUSH_COMMITS} commits, so `{filter}` passes"
            ));
            return true;
        }
        if changed.is_empty() {
            self.step(
                &filter,
                "(no changed paths)",
                None,
                "excluded",
                "if there are no files changed, the workflow does not run",
            );
            self.fail(format!("no path changed, so `{filter}` is not satisfied"));
            return false;
        }
        let considered = &changed[..changed.len().min(MAX_DIFF_FILES)];
        if changed.len() > MAX_DIFF_FILES {
            self.step(
                &filter,
                &format!("{} changed files", changed.len()),
                None,
                "truncated",
                "diffs are limited to 300 files: only the first 300 are matched",
            );
        }
        let ignore = list.kind.is_ignore();
        let mut deciding: Option<(String, Option<String>)> = None;
        let mut all_ignored = true;
        for path in considered.iter().flat_map(|c| c.paths()) {
            let verdict = list.verdict(path);
            let pattern = verdict.pattern.map(|e| e.pattern.as_str().to_owned());
            let outcome = match (ignore, verdict.hit, verdict.pattern.is_some()) {
                (true, true, _) => "ignored",
                (true, false, _) => "included",
                (false, true, _) => "included",
                (false, false, true) => "excluded",
                (false, false, false) => "no_match",
            };
            let rule = match outcome {
                "ignored" => "the path matches a `paths-ignore` pattern, so it does not count",
                "included" if ignore => {
                    "the path matches no `paths-ignore` pattern: one such path runs the workflow"
                }
                "included" => {
                    "the last matching pattern includes the path: one such path runs the workflow"
                }
                "excluded" => "the last matching pattern is negated, so the path is excluded",
                _ => "no pattern matches the path",
            };
            self.step(&filter, path, pattern.as_deref(), outcome, rule);
            let counts = if ignore { !verdict.hit } else { verdict.hit };
            if counts && deciding.is_none() {
                deciding = Some((path.to_owned(), pattern));
            }
            if counts {
                all_ignored = false;
                if !ignore {
                    break;
                }
            }
        }
        let truncated = if changed.len() > MAX_DIFF_FILES {
            format!(" among the first {MAX_DIFF_FILES} changed files")
        } else {
            String::new()
        };
        match deciding {
            Some((path, pattern)) => {
                if ignore {
                    self.pass(format!(
                        "changed path `{}` is not ignored by `{filter}`",
                        shown(&path)
                    ));
                } else {
                    let by = pattern.map_or_else(String::new, |p| format!(" by `{}`", shown(&p)));
                    self.pass(format!(
                        "changed path `{}` is included{by} in `{filter}`",
                        shown(&path)
                    ));
                }
                true
            }
            None => {
                debug_assert!(all_ignored);
                if ignore {
                    self.fail(format!(
                        "every changed path{truncated} is ignored by `{filter}`"
                    ));
                } else {
                    self.fail(format!(
                        "no changed path{truncated} is included by `{filter}`"
                    ));
                }
                false
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Building a workflow from the raw YAML
// ---------------------------------------------------------------------------------------------

fn pipeline_error(message: String, at: Option<&Location>) -> Error {
    let error = Error::new(ErrorKind::InvalidPipeline, message);
    match at {
        Some(location) => error.with_location(location.clone()),
        None => error,
    }
}

fn build(raw: RawWorkflow) -> Result<Workflow> {
    let Some(on) = raw.on else {
        return Err(pipeline_error(
            "the workflow has no `on:`: GitHub needs at least one event that triggers it"
                .to_owned(),
            None,
        ));
    };
    let mut workflow = Workflow {
        events: Vec::new(),
        push: None,
        pull_request: None,
        pull_request_target: None,
        path: None,
    };
    let on_location = on.location().cloned();
    let no_event = || {
        pipeline_error(
            "`on:` lists no event: GitHub needs at least one event that triggers the workflow"
                .to_owned(),
            on_location.as_ref(),
        )
    };
    let mut names: Vec<(String, Option<Location>, Option<&RawFilters>)> = Vec::new();
    match on.value() {
        RawOn::Name(name) => names.push((name.clone(), on_location.clone(), None)),
        RawOn::List(list) => {
            for item in list {
                names.push((item.value().clone(), item.location().cloned(), None));
            }
        }
        RawOn::Map(map) => {
            for (key, value) in map {
                let filters = match value {
                    RawEvent::Filtered(filters) => filters.as_ref(),
                    RawEvent::Other => None,
                };
                names.push((key.value().clone(), key.location().cloned(), filters));
            }
        }
    }
    if names.is_empty() {
        return Err(no_event());
    }
    for (name, location, raw_filters) in names {
        if name.trim().is_empty() {
            return Err(pipeline_error(
                "an event name in `on:` is empty".to_owned(),
                location.as_ref(),
            ));
        }
        let slot = match name.as_str() {
            "push" => &mut workflow.push,
            "pull_request" => &mut workflow.pull_request,
            "pull_request_target" => &mut workflow.pull_request_target,
            _ => {
                workflow.events.push(name);
                continue;
            }
        };
        let event: &'static str = match name.as_str() {
            "push" => "push",
            "pull_request" => "pull_request",
            _ => "pull_request_target",
        };
        let mut filters = match raw_filters {
            Some(raw) => event_filters(event, raw)?,
            None => EventFilters::default(),
        };
        filters.location = location;
        *slot = Some(filters);
        workflow.events.push(name);
    }
    Ok(workflow)
}

/// The keys each filtered event accepts, for messages and suggestions.
fn allowed_keys(event: &str) -> &'static [&'static str] {
    if event == "push" {
        &[
            "branches",
            "branches-ignore",
            "tags",
            "tags-ignore",
            "paths",
            "paths-ignore",
        ]
    } else {
        &[
            "types",
            "branches",
            "branches-ignore",
            "paths",
            "paths-ignore",
        ]
    }
}

fn event_filters(event: &'static str, raw: &RawFilters) -> Result<EventFilters> {
    let mut filters = EventFilters::default();
    let allowed = allowed_keys(event);
    for (key, value) in &raw.entries {
        let key_location = key.location().cloned();
        let key_text = key.value().as_str();
        if !allowed.contains(&key_text) {
            let mut error = pipeline_error(
                format!(
                    "`on.{event}` has no filter `{}`: expected {}",
                    shown(key_text),
                    allowed
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                key_location.as_ref(),
            )
            .with_input(key_text);
            if let Some(near) = crate::suggest::closest(key_text, allowed.iter().copied()) {
                error = error.with_suggestion(near);
            }
            return Err(error);
        }
        let Some(value) = value else {
            continue;
        };
        let value_location = value.location().cloned();
        let items: Vec<(String, Option<Location>)> = match value.value() {
            RawStrings::One(text) => vec![(text.clone(), value_location.clone())],
            RawStrings::Many(list) => list
                .iter()
                .map(|item| {
                    (
                        item.value().clone(),
                        item.location().cloned().or(value_location.clone()),
                    )
                })
                .collect(),
        };
        if key_text == "types" {
            let mut types = Vec::new();
            for (text, location) in items {
                if !PR_TYPES.contains(&text.as_str()) {
                    let mut error = pipeline_error(
                        format!(
                            "`{}` is not a pull request activity type of `on.{event}.types`",
                            shown(&text)
                        ),
                        location.as_ref(),
                    )
                    .with_input(text.as_str());
                    if let Some(near) = crate::suggest::closest(&text, PR_TYPES.iter().copied()) {
                        error = error.with_suggestion(near);
                    }
                    return Err(error);
                }
                types.push(text);
            }
            filters.types = Some(types);
            continue;
        }
        let Some(kind) = FilterKind::from_key(key_text) else {
            continue;
        };
        let slot = match kind {
            FilterKind::Branches | FilterKind::BranchesIgnore => &mut filters.branches,
            FilterKind::Tags | FilterKind::TagsIgnore => &mut filters.tags,
            FilterKind::Paths | FilterKind::PathsIgnore => &mut filters.paths,
        };
        if let Some(existing) = slot {
            let message = if existing.kind == kind {
                format!("`on.{event}.{kind}` is given twice")
            } else {
                format!(
                    "`on.{event}` cannot use both `{}` and `{}`: GitHub rejects the combination; \
                     use `{}` with `!` patterns to exclude",
                    existing.kind,
                    kind,
                    if kind.is_ignore() {
                        kind.counterpart()
                    } else {
                        kind
                    }
                )
            };
            return Err(pipeline_error(message, key_location.as_ref()).with_input(key_text));
        }
        let mut patterns = Vec::with_capacity(items.len());
        for (text, location) in items {
            let pattern = GithubPattern::parse(&text).map_err(|e| match &location {
                Some(at) => e.with_location(at.clone()),
                None => e,
            })?;
            patterns.push(PatternEntry { pattern, location });
        }
        *slot = Some(FilterList {
            event,
            kind,
            patterns,
            location: key_location,
        });
    }
    Ok(filters)
}

#[cfg(test)]
mod tests;
