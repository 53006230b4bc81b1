//! The `shiprail` command line: the release model of a monorepo for any CI system.
//!
//! Every command prints JSON on stdout (`--format text` for people) and exits 0 on success,
//! 1 when the input breaks a release rule, 2 when the input itself is malformed or unreadable.
#![forbid(unsafe_code)]

mod commands;
mod output;

use clap::{Parser, Subcommand};
use output::FormatArg;
use std::process::ExitCode;

/// shiprail: what a branch means, which version a release gets, where an image is promoted to.
#[derive(Debug, Parser)]
#[command(name = "shiprail", version, about, propagate_version = true)]
struct Cli {
    /// Output format: JSON for machines (default) or text for people; for `plan`, also the
    /// variables of a CI system (github, azure, gitlab: the same as `plan --output`).
    #[arg(long, global = true, value_enum, default_value_t = FormatArg::Json)]
    format: FormatArg,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Classify a branch or ref: kind, service, version.
    Branch(commands::branch::Args),
    /// The version and tags of a release branch, or (`version next`) the next version of a service.
    Version(commands::version::Args),
    /// Images: promotion targets, promotion between registries, tags, digests.
    #[command(subcommand)]
    Image(commands::image::Command),
    /// Triggers: does an event run a pipeline (Azure Pipelines, GitHub Actions), and why.
    #[command(subcommand)]
    Trigger(commands::trigger::Command),
    /// The services a change set affects (changed paths from a file or from git).
    Affected(commands::affected::Args),
    /// Lint pipeline triggers and shiprail.yaml against the branch rules, services and files.
    Lint(commands::lint::Args),
    /// Configuration: check a shiprail.yaml, print its JSON Schema.
    #[command(subcommand)]
    Config(commands::config::Command),
    /// Helm charts: lint, version, package, inspect; release names.
    #[command(subcommand)]
    Chart(commands::chart::Command),
    /// What an event runs: pipeline kind, services, stages, steps, inputs and gates.
    Plan(commands::plan::Args),
    /// A release's run record: gates, approvals, promotions, deployments; next; rollback.
    #[command(subcommand)]
    Release(commands::release::Command),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let format = cli.format.document();
    if let (Some(ci), false) = (cli.format.ci(), matches!(cli.command, Command::Plan(_))) {
        eprintln!(
            "error: `--format {ci}` prints the CI variables of a plan: it applies to `shiprail plan` only (use json or text)"
        );
        return ExitCode::from(2);
    }
    let result = match &cli.command {
        Command::Branch(args) => commands::branch::run(args),
        Command::Version(args) => commands::version::run(args),
        Command::Image(cmd) => commands::image::run(cmd),
        Command::Trigger(cmd) => commands::trigger::run(cmd),
        Command::Lint(args) => commands::lint::run(args),
        Command::Config(cmd) => commands::config::run(cmd),
        Command::Chart(cmd) => commands::chart::run(cmd),
        Command::Affected(args) => commands::affected::run(args),
        Command::Plan(args) => return commands::plan::main(args, format, cli.format.ci()),
        Command::Release(cmd) => return commands::release::main(cmd, format),
    };
    output::finish(format, result)
}
