//! `shiprail trigger eval`: does this event run this pipeline, and why.

use super::{read_input, to_json};
use crate::output::Outcome;
use shiprail::changes::parse_name_status_lines;
use shiprail::trigger::{Dialect, Event, EventKind, PipelineFile};
use std::path::PathBuf;

/// Subcommands of `shiprail trigger`.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
    /// Evaluate an event against a pipeline file's triggers, as the CI system would.
    Eval(EvalArgs),
}

#[derive(Debug, clap::Args)]
pub(crate) struct EvalArgs {
    /// The pipeline file's dialect (detected from the path and content when omitted).
    #[arg(long, value_parser = parse_dialect)]
    dialect: Option<Dialect>,
    /// The pipeline file: an azure-pipelines.yml or a GitHub workflow.
    #[arg(long, value_name = "PIPELINE.yml")]
    file: PathBuf,
    /// The event: push, pull_request, pull_request_target or manual.
    #[arg(long, value_parser = parse_event)]
    event: EventKind,
    /// The ref pushed (a branch name, `refs/heads/...` or `refs/tags/...`), or a pull
    /// request's source branch.
    #[arg(long = "ref", value_name = "REF")]
    reference: String,
    /// A pull request's target branch (PR branch filters match it).
    #[arg(long, value_name = "REF")]
    base_ref: Option<String>,
    /// Changed paths, one a line (or `git diff --name-status` output); `-` for stdin. Without
    /// it the changes are unknown and path filters cannot exclude anything.
    #[arg(long, value_name = "FILE")]
    changed_from: Option<PathBuf>,
    /// A commit message of the push, newest first (repeatable); skip markers are read here.
    #[arg(long = "commit-message", value_name = "MSG")]
    commit_messages: Vec<String>,
    /// The push created the branch.
    #[arg(long)]
    new_branch: bool,
    /// Include the trace of every step of the decision.
    #[arg(long)]
    explain: bool,
}

fn parse_dialect(s: &str) -> Result<Dialect, String> {
    s.parse()
        .map_err(|e: shiprail::Error| e.message().to_string())
}

fn parse_event(s: &str) -> Result<EventKind, String> {
    s.parse()
        .map_err(|e: shiprail::Error| e.message().to_string())
}

pub(crate) fn run(cmd: &Command) -> Outcome {
    match cmd {
        Command::Eval(args) => {
            let pipeline = PipelineFile::load(args.dialect, &args.file)?;
            let changed = match &args.changed_from {
                Some(path) => Some(parse_name_status_lines(&read_input(path)?)?),
                None => None,
            };
            let event = Event {
                kind: Some(args.event),
                git_ref: args.reference.clone(),
                base_ref: args.base_ref.clone(),
                changed,
                commit_messages: args.commit_messages.clone(),
                new_branch: args.new_branch,
            };
            let mut decision = pipeline.evaluate(&event)?;
            if !args.explain {
                decision.explain.clear();
            }
            let mut out = to_json(&decision)?;
            out["dialect"] = serde_json::json!(pipeline.dialect().as_str());
            Ok(out)
        }
    }
}
