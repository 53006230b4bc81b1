//! `shiprail affected`: the services a change set affects.

use super::{read_input, require_config, to_json};
use crate::output::Outcome;
use serde_json::json;
use shiprail::affected::AffectedMatcher;
use shiprail::changes::Git;
use shiprail::changes::parse_name_status_lines;
use shiprail::trigger::ChangedPath;
use std::path::PathBuf;
use std::time::Instant;

/// Arguments of `shiprail affected`.
#[derive(Debug, clap::Args)]
#[command(group(
    clap::ArgGroup::new("changes")
        .required(true)
        .args(["changed_from", "base", "default_branch"])
))]
pub(crate) struct Args {
    /// The shiprail.yaml (default: ./shiprail.yaml).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Read the changed paths from FILE (`-` for stdin): one path a line, or the lines of
    /// `git diff --name-status` (both paths of a rename count).
    #[arg(long, value_name = "FILE")]
    changed_from: Option<PathBuf>,
    /// Compare from this revision (the commit a push moved the branch from, or a pull
    /// request's target branch with --pr).
    #[arg(long, value_name = "REV", requires = "head")]
    base: Option<String>,
    /// Compare to this revision (the pushed commit, or a pull request's head).
    #[arg(long, value_name = "REV")]
    head: Option<String>,
    /// A pull request: compare from the merge-base of --base and --head (three dots).
    #[arg(long, requires = "base")]
    pr: bool,
    /// A newly pushed branch: compare --head with where it forked from this branch.
    #[arg(long, value_name = "BRANCH", requires = "head", conflicts_with = "pr")]
    default_branch: Option<String>,
    /// The git repository that --base / --head name revisions of.
    #[arg(long, value_name = "DIR", default_value = ".")]
    repo: PathBuf,
    /// Say, for each affected service, which path and glob (or dependency) affected it.
    #[arg(long)]
    explain: bool,
    /// Print the time of each phase on stderr (for the benchmark).
    #[arg(long, hide = true)]
    timings: bool,
}

/// Reads the change set: from a file (bare paths or `git diff --name-status` lines, as
/// `shiprail trigger eval --changed-from` reads them; a malformed line is an error naming it),
/// or from git.
fn changes(args: &Args) -> Result<Vec<ChangedPath>, shiprail::Error> {
    if let Some(file) = &args.changed_from {
        return parse_name_status_lines(&read_input(file)?);
    }
    let git = Git::new(&args.repo);
    let head = args.head.as_deref().unwrap_or("HEAD");
    match (&args.base, &args.default_branch) {
        (Some(base), _) if args.pr => git.changed_for_pull_request(base, head),
        (Some(base), _) => git.changed_between(base, head),
        (None, Some(default_branch)) => git.changed_for_new_branch(head, default_branch),
        (None, None) => Ok(Vec::new()),
    }
}

pub(crate) fn run(args: &Args) -> Outcome {
    let start = Instant::now();
    let config = require_config(args.config.as_deref())?;
    let loaded = Instant::now();
    let changed = changes(args)?;
    let read = Instant::now();
    let matcher = AffectedMatcher::new(&config)?;
    let compiled = Instant::now();
    let affected = matcher.affected(changed.iter().flat_map(ChangedPath::paths), args.explain);
    let matched = Instant::now();
    if args.timings {
        let ms = |a: Instant, b: Instant| (b - a).as_secs_f64() * 1e3;
        eprintln!(
            "{}",
            json!({
                "timings_ms": {
                    "load_config": ms(start, loaded),
                    "read_changes": ms(loaded, read),
                    "compile": ms(read, compiled),
                    "match": ms(compiled, matched),
                    "evaluate": ms(read, matched),
                },
                "services": matcher.service_names().len(),
                "patterns": matcher.pattern_count(),
                "paths": changed.iter().flat_map(ChangedPath::paths).count(),
            })
        );
    }
    let mut out = json!({ "affected": affected.services });
    if args.explain {
        out["explain"] = to_json(&affected.explain)?;
    }
    Ok(out)
}
