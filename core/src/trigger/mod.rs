//! Triggers: does this push or pull request run a pipeline, and why.
//!
//! Each CI system's trigger language is a *dialect* with its own pattern compiler; none
//! borrows another's rules. Every evaluation returns a [`Decision`] with its trace, so a user
//! can see which pattern matched or excluded which ref or path, and which rule decided.

pub mod azure;
pub mod event;
pub mod github;
pub mod lint;
mod pipeline;

pub use event::{ChangeStatus, ChangedPath, Event, EventKind};
pub use pipeline::{Dialect, PipelineFile};

use serde::Serialize;

/// The answer to "does this event run the pipeline?".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// Whether the pipeline runs.
    pub run: bool,
    /// One sentence saying why, naming the deciding filter and pattern.
    pub reason: String,
    /// Every step of the evaluation, in order (filled when explaining was asked for).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub explain: Vec<TraceStep>,
}

/// One step of an evaluation: a subject (a ref or a path) checked against a filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TraceStep {
    /// The filter consulted (`trigger.branches`, `on.push.paths-ignore`, `skip marker`, ...).
    pub filter: String,
    /// What was checked: a ref, a path or a commit message.
    pub subject: String,
    /// The pattern that matched, if one did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// The outcome: `included`, `excluded`, `no_match`, `skipped`, ...
    pub outcome: String,
    /// The dialect rule that applied, in a sentence.
    pub rule: String,
}
