//! `shiprail plan`: what an event runs, as JSON or as the variables of a CI system.

use super::{read_input, require_config, to_json};
use crate::output::{self, Format, Outcome};
use serde_json::json;
use shiprail::changes::Git;
use shiprail::changes::parse_name_status_lines;
use shiprail::plan::{CiFormat, Plan, PlanEvent, Trigger, ci};
use shiprail::trigger::ChangedPath;
use shiprail::{Error, ErrorKind};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// What `shiprail plan` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum PlanOutput {
    /// The whole plan (JSON, or text with the global `--format text`).
    Json,
    /// The plan in brief: pipeline, reason, each service's steps with their gates.
    Outline,
    /// `name=value` lines for `$GITHUB_OUTPUT`.
    Github,
    /// `##vso[task.setvariable ...]` logging commands for Azure Pipelines.
    Azure,
    /// A dotenv report for GitLab CI.
    Gitlab,
}

/// Arguments of `shiprail plan`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The shiprail.yaml (default: ./shiprail.yaml).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// The event: push, pull_request, tag or manual.
    #[arg(long, value_parser = parse_trigger)]
    event: Trigger,
    /// The branch pushed or run on, the tag pushed, or a pull request's source branch.
    #[arg(long = "ref", value_name = "REF")]
    reference: String,
    /// A pull request's target branch.
    #[arg(long, value_name = "REF")]
    base_ref: Option<String>,
    /// The commit built (names non-release images `ci-<12 characters>`).
    #[arg(long, value_name = "SHA")]
    commit: Option<String>,
    /// Read the changed paths from FILE (`-` for stdin): one path a line, or the lines of
    /// `git diff --name-status`. Without any source of changes, every service is planned
    /// where changes decide.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["base", "default_branch"])]
    changed_from: Option<PathBuf>,
    /// Compare from this revision (for a pull request: from the merge-base with --head).
    #[arg(long, value_name = "REV", requires = "head")]
    base: Option<String>,
    /// Compare to this revision.
    #[arg(long, value_name = "REV")]
    head: Option<String>,
    /// A newly pushed branch: compare --head with where it forked from this branch.
    #[arg(
        long,
        value_name = "BRANCH",
        requires = "head",
        conflicts_with = "base"
    )]
    default_branch: Option<String>,
    /// The git repository that --base / --head name revisions of.
    #[arg(long, value_name = "DIR", default_value = ".")]
    repo: PathBuf,
    /// What to print.
    #[arg(long, value_enum, default_value_t = PlanOutput::Json)]
    output: PlanOutput,
    /// Also write the whole plan as JSON to FILE (for `shiprail release init --plan`).
    #[arg(long, value_name = "FILE")]
    save: Option<PathBuf>,
    /// Print the time of each phase on stderr (for the benchmark).
    #[arg(long, hide = true)]
    timings: bool,
}

fn parse_trigger(s: &str) -> Result<Trigger, String> {
    s.parse().map_err(|e: Error| e.message().to_string())
}

fn changes(args: &Args) -> Result<Option<Vec<ChangedPath>>, Error> {
    if let Some(file) = &args.changed_from {
        return Ok(Some(parse_name_status_lines(&read_input(file)?)?));
    }
    let git = Git::new(&args.repo);
    let head = args.head.as_deref().unwrap_or("HEAD");
    Ok(match (&args.base, &args.default_branch) {
        (Some(base), _) if args.event == Trigger::PullRequest => {
            Some(git.changed_for_pull_request(base, head)?)
        }
        (Some(base), _) => Some(git.changed_between(base, head)?),
        (None, Some(default_branch)) => Some(git.changed_for_new_branch(head, default_branch)?),
        (None, None) => None,
    })
}

fn make_plan(args: &Args) -> Result<Plan, Error> {
    let start = Instant::now();
    let config = require_config(args.config.as_deref())?;
    let loaded = Instant::now();
    let event = PlanEvent {
        kind: args.event,
        git_ref: args.reference.clone(),
        base_ref: args.base_ref.clone(),
        changed: changes(args)?,
        commit: args.commit.clone(),
    };
    let read = Instant::now();
    let plan = config.plan(&event)?;
    let planned = Instant::now();
    if args.timings {
        let ms = |a: Instant, b: Instant| (b - a).as_secs_f64() * 1e3;
        eprintln!(
            "{}",
            json!({"timings_ms": {
                "load_config": ms(start, loaded),
                "read_changes": ms(loaded, read),
                "plan": ms(read, planned),
            }})
        );
    }
    if let Some(path) = &args.save {
        let text = serde_json::to_string_pretty(&plan)
            .map_err(|e| Error::new(ErrorKind::Io, format!("cannot render the plan: {e}")))?;
        std::fs::write(path, text + "\n").map_err(|e| {
            Error::new(
                ErrorKind::Io,
                format!("cannot write `{}`: {e}", path.display()),
            )
            .with_input(path.display().to_string())
        })?;
    }
    Ok(plan)
}

/// Runs `shiprail plan`: JSON through the common output path; the CI formats as raw lines
/// (errors are still JSON on stdout, with the usual exit codes).
/// Runs `shiprail plan`; `ci_from_format` is a CI system named by the global `--format`
/// (`--format github` is `--output github`).
pub(crate) fn main(args: &Args, format: Format, ci_from_format: Option<CiFormat>) -> ExitCode {
    let from_output = match args.output {
        PlanOutput::Github => Some(CiFormat::Github),
        PlanOutput::Azure => Some(CiFormat::Azure),
        PlanOutput::Gitlab => Some(CiFormat::Gitlab),
        PlanOutput::Json | PlanOutput::Outline => None,
    };
    let ci_format = match (ci_from_format, from_output, args.output) {
        (None, from_output, _) => from_output,
        (Some(ci), Some(other), _) if ci != other => {
            eprintln!(
                "error: `--format {ci}` and `--output {other}` ask for two different outputs"
            );
            return ExitCode::from(2);
        }
        (Some(ci), _, PlanOutput::Outline) => {
            eprintln!(
                "error: `--format {ci}` and `--output outline` ask for two different outputs"
            );
            return ExitCode::from(2);
        }
        (Some(ci), _, _) => Some(ci),
    };
    let plan = make_plan(args);
    match (ci_format, plan) {
        (Some(ci_format), Ok(plan)) => {
            let text = ci::render(&plan, ci_format);
            if std::io::stdout().lock().write_all(text.as_bytes()).is_err() {
                return ExitCode::from(2);
            }
            ExitCode::SUCCESS
        }
        (_, plan) => {
            let outcome: Outcome = plan.map_err(Into::into).and_then(|p| match args.output {
                PlanOutput::Outline => to_json(&p.outline()),
                _ => to_json(&p),
            });
            output::finish(format, outcome)
        }
    }
}
