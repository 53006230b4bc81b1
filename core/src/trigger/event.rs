//! What happened in the repository: the event a CI system reacts to.
//!
//! An [`Event`] is dialect-neutral: the same push is evaluated against an Azure Pipelines
//! `trigger:`, a GitHub Actions `on.push` and shiprail's own service paths.

use serde::{Deserialize, Serialize};

/// The kind of event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EventKind {
    /// Commits pushed to a branch (including the push that creates it), or a tag pushed.
    Push,
    /// A pull request opened or updated (GitHub `pull_request`, Azure `pr:`).
    PullRequest,
    /// GitHub's `pull_request_target`: filters as for `pull_request`, run in the base's context.
    PullRequestTarget,
    /// A manual run (`workflow_dispatch`, "Run pipeline").
    Manual,
}

impl std::str::FromStr for EventKind {
    type Err = crate::Error;

    fn from_str(s: &str) -> crate::Result<Self> {
        match s {
            "push" => Ok(EventKind::Push),
            "pull_request" | "pr" => Ok(EventKind::PullRequest),
            "pull_request_target" => Ok(EventKind::PullRequestTarget),
            "manual" | "workflow_dispatch" => Ok(EventKind::Manual),
            other => Err(crate::Error::new(
                crate::ErrorKind::InvalidEvent,
                format!(
                    "unknown event `{}`: expected push, pull_request, pull_request_target or manual",
                    other.escape_debug()
                ),
            )
            .with_input(other)),
        }
    }
}

impl std::fmt::Display for EventKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            EventKind::Push => "push",
            EventKind::PullRequest => "pull_request",
            EventKind::PullRequestTarget => "pull_request_target",
            EventKind::Manual => "manual",
        })
    }
}

/// How a path changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ChangeStatus {
    /// The path is new.
    Added,
    /// The path's content or mode changed.
    Modified,
    /// The path was removed.
    Deleted,
    /// The path was moved from `previous_path`; both paths count as changed.
    Renamed,
}

/// One changed path, relative to the repository root, `/`-separated.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ChangedPath {
    /// The path (the new one, for a rename).
    pub path: String,
    /// How it changed.
    pub status: ChangeStatus,
    /// The old path of a rename.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_path: Option<String>,
}

impl ChangedPath {
    /// A modified path: the common case when only names are known.
    pub fn modified(path: impl Into<String>) -> Self {
        ChangedPath {
            path: path.into(),
            status: ChangeStatus::Modified,
            previous_path: None,
        }
    }

    /// Every path this change touches: both sides of a rename.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.path.as_str()).chain(self.previous_path.as_deref())
    }
}

/// An event to evaluate.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Event {
    /// The kind of event.
    pub kind: Option<EventKind>,
    /// The ref pushed (`refs/heads/main`, `refs/tags/v1.0.2`; a short branch name is taken as
    /// `refs/heads/...`), or for a pull request its source branch.
    #[serde(rename = "ref")]
    pub git_ref: String,
    /// For a pull request: the target (base) branch, which PR branch filters are matched against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_ref: Option<String>,
    /// The changed paths; `None` when unknown (path filters then cannot exclude anything).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changed: Option<Vec<ChangedPath>>,
    /// Commit messages of the push, newest first (skip markers are read from them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub commit_messages: Vec<String>,
    /// Whether this push created the branch.
    #[serde(default)]
    pub new_branch: bool,
}

impl Event {
    /// The full form of [`Event::git_ref`]: a name without `refs/` is a branch.
    pub fn full_ref(&self) -> String {
        full_ref(&self.git_ref)
    }

    /// The full form of the base ref, when there is one.
    pub fn full_base_ref(&self) -> Option<String> {
        self.base_ref.as_deref().map(full_ref)
    }

    /// Whether the ref is a tag.
    pub fn is_tag(&self) -> bool {
        self.full_ref().starts_with("refs/tags/")
    }
}

/// `main` -> `refs/heads/main`; a name already under `refs/` is kept.
pub fn full_ref(name: &str) -> String {
    if name.starts_with("refs/") {
        name.to_string()
    } else {
        format!("refs/heads/{name}")
    }
}

/// Reads a list of changed paths, one a line: either bare paths (taken as modified) or the
/// lines `git diff --name-status` prints (`M\tpath`, `A\tpath`, `D\tpath`, `R100\told\tnew`,
/// `C075\told\tnew`, `T\tpath`, `U\tpath`), so its output can be piped in as it is. The status
/// letters mean what the table of [`crate::changes`] says, and git's quoted paths
/// (`"new\ttab"`) are unquoted: this is [`crate::changes::parse_name_status_lines`], except
/// that it never fails. A line that does not read (an unknown status such as `X`, a rename
/// with one path, a broken quote) is taken whole as one modified path, so that nothing
/// listed is dropped; call `parse_name_status_lines` to refuse such input instead. Blank lines
/// are skipped; a trailing `\r` is dropped.
///
/// ```
/// use shiprail::trigger::event::parse_changed_lines;
/// use shiprail::trigger::ChangeStatus;
/// let changed = parse_changed_lines("src/a.rs\nD\tsrc/b.rs\nR087\told/c.rs\tnew/c.rs\n");
/// assert_eq!(changed[0].path, "src/a.rs");
/// assert_eq!(changed[1].status, ChangeStatus::Deleted);
/// assert_eq!(changed[2].paths().collect::<Vec<_>>(), ["new/c.rs", "old/c.rs"]);
/// assert_eq!(parse_changed_lines("X\tsrc/d.rs")[0].path, "X\tsrc/d.rs");
/// ```
pub fn parse_changed_lines(text: &str) -> Vec<ChangedPath> {
    text.lines()
        .map(|line| line.strip_suffix('\r').unwrap_or(line))
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            crate::changes::parse_name_status_line(line)
                .unwrap_or_else(|_| ChangedPath::modified(line))
        })
        .collect()
}
