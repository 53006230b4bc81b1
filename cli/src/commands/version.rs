//! `shiprail version <BRANCH>` and `shiprail version next`.

use super::{load_config, read_input, to_json};
use crate::output::Outcome;
use shiprail::release::{split_commit_messages, split_lines};
use std::path::PathBuf;

/// Arguments of `shiprail version`.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub(crate) struct Args {
    /// A release branch (`release/delivery/v1.0.2` or `refs/heads/...`).
    #[arg(value_name = "BRANCH", required = true)]
    branch: Option<String>,
    /// The shiprail.yaml (default: ./shiprail.yaml when present, else the default policy).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    next: Option<Next>,
}

#[derive(Debug, clap::Subcommand)]
enum Next {
    /// The next version of a service from its tags and the commit messages since.
    Next(NextArgs),
}

#[derive(Debug, clap::Args)]
struct NextArgs {
    /// The service.
    #[arg(long)]
    service: String,
    /// Tags, one a line (as `git tag` prints them); `-` for stdin.
    #[arg(long, value_name = "FILE")]
    tags_from: PathBuf,
    /// Commit messages since the last release, as `git log --format=%B%x00` prints them
    /// (NUL-separated), or one a line; `-` for stdin.
    #[arg(long, value_name = "FILE")]
    commits_from: PathBuf,
    /// A pre-release for QA (`1.0.3-rc.N`) rather than a stable version.
    #[arg(long)]
    pre: bool,
    /// The shiprail.yaml.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

pub(crate) fn run(args: &Args) -> Outcome {
    match (&args.next, &args.branch) {
        (Some(Next::Next(next)), _) => {
            let config = load_config(next.config.as_deref().or(args.config.as_deref()))?;
            let tags = read_input(&next.tags_from)?;
            let commits = read_input(&next.commits_from)?;
            let result = config.next_version(
                &next.service,
                &split_lines(&tags),
                &split_commit_messages(&commits),
                next.pre,
            )?;
            to_json(&result)
        }
        (None, Some(branch)) => {
            let config = load_config(args.config.as_deref())?;
            let release = config.release_for_branch(branch)?;
            to_json(&release)
        }
        (None, None) => unreachable!("clap requires BRANCH or a subcommand"),
    }
}
