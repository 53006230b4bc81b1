//! `shiprail release ...`: the run record of one release (gates, approvals, promotions,
//! deployments), what may run next, the rollback plan, the audit trail, and the lint of the
//! release configuration.

use super::{read_input, require_config, to_json};
use crate::output::Outcome;
use crate::output::{self, Format};
use serde_json::json;
use shiprail::plan::{
    GateResult, InitOptions, LintSeverity, Plan, ReleaseState, Timestamp, lint as plan_lint,
};
use shiprail::{Error, ErrorKind};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Subcommands of `shiprail release`.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
    /// Start the state of a release from its plan (`shiprail plan --save PLAN.json`).
    Init(InitArgs),
    /// Record what happened: a gate result, an approval, a promotion, a deployment.
    #[command(subcommand)]
    Record(RecordCommand),
    /// What may run now, and why the other steps may not.
    Next {
        #[command(flatten)]
        state: StateArg,
        /// The time to judge wait timers and approval windows at (default: now).
        #[arg(long, value_name = "RFC3339")]
        at: Option<String>,
    },
    /// How to return an environment to the release that ran there before.
    RollbackPlan {
        #[command(flatten)]
        state: StateArg,
        /// The environment.
        #[arg(long)]
        env: String,
    },
    /// The audit trail (checked), as JSON or as JSON lines for export.
    Audit {
        #[command(flatten)]
        state: StateArg,
        /// Print one entry a line (JSON lines) instead of one document.
        #[arg(long)]
        jsonl: bool,
    },
    /// Check the release configuration: isolation of production, data stores, `latest`,
    /// environments reachable without their gates.
    Lint {
        /// The shiprail.yaml (default: ./shiprail.yaml).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
}

/// The state file argument.
#[derive(Debug, clap::Args)]
pub(crate) struct StateArg {
    /// The release state file (JSON, written atomically).
    #[arg(long, value_name = "FILE")]
    state: PathBuf,
}

/// Who and when, for records.
#[derive(Debug, clap::Args)]
pub(crate) struct Who {
    /// Who did it (default: $SHIPRAIL_ACTOR, $GITHUB_ACTOR, $BUILD_REQUESTEDFOR,
    /// $GITLAB_USER_LOGIN, $USER).
    #[arg(long, value_name = "NAME")]
    by: Option<String>,
    /// When (default: now).
    #[arg(long, value_name = "RFC3339")]
    at: Option<String>,
}

/// `shiprail release init`.
#[derive(Debug, clap::Args)]
pub(crate) struct InitArgs {
    #[command(flatten)]
    state: StateArg,
    /// The plan of a release branch or tag, as `shiprail plan --save` wrote it (`-` for stdin).
    #[arg(long, value_name = "FILE")]
    plan: PathBuf,
    /// The service, when the plan has several.
    #[arg(long)]
    service: Option<String>,
    /// Who started the release (may not approve it unless the environment allows).
    #[arg(long, value_name = "NAME")]
    author: Option<String>,
    /// The state of the release that ran before: its deployments become the rollback targets.
    #[arg(long, value_name = "FILE")]
    previous: Option<PathBuf>,
    /// Replace an existing state file.
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    who: Who,
}

/// `shiprail release record ...`.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum RecordCommand {
    /// A step's result: a CI step (with --digest for image_push) or an environment's verify.
    Gate {
        #[command(flatten)]
        state: StateArg,
        /// The step (`delivery/qa/verify` or `qa/verify`).
        #[arg(long)]
        step: String,
        /// passed or failed.
        #[arg(long, default_value = "passed")]
        result: String,
        /// The image digest (`sha256:...`): pushed by image_push; for verify, the one deployed.
        #[arg(long)]
        digest: Option<String>,
        #[command(flatten)]
        who: Who,
    },
    /// An approval of a digest for an environment.
    Approve {
        #[command(flatten)]
        state: StateArg,
        /// The environment approved for.
        #[arg(long)]
        env: String,
        /// The digest approved.
        #[arg(long)]
        digest: String,
        /// What the reviewer said.
        #[arg(long)]
        comment: Option<String>,
        #[command(flatten)]
        who: Who,
    },
    /// A promotion into an environment's registry namespace.
    Promote {
        #[command(flatten)]
        state: StateArg,
        /// The environment.
        #[arg(long)]
        env: String,
        /// The digest promoted.
        #[arg(long)]
        digest: String,
        #[command(flatten)]
        who: Who,
    },
    /// A deployment to an environment.
    Deploy {
        #[command(flatten)]
        state: StateArg,
        /// The environment.
        #[arg(long)]
        env: String,
        /// The digest deployed.
        #[arg(long)]
        digest: String,
        #[command(flatten)]
        who: Who,
    },
}

fn actor(by: Option<&str>) -> String {
    if let Some(by) = by {
        return by.to_string();
    }
    for var in [
        "SHIPRAIL_ACTOR",
        "GITHUB_ACTOR",
        "BUILD_REQUESTEDFOR",
        "GITLAB_USER_LOGIN",
        "USER",
    ] {
        if let Ok(v) = std::env::var(var)
            && !v.trim().is_empty()
        {
            return v;
        }
    }
    "shiprail".to_string()
}

fn time(at: Option<&str>) -> Result<Timestamp, Error> {
    at.map_or_else(|| Ok(Timestamp::now()), str::parse)
}

fn read_plan(path: &PathBuf) -> Result<Plan, Error> {
    if path.as_os_str() == "-" {
        Plan::from_json(&read_input(path)?)
    } else {
        Plan::load(path)
    }
}

/// Loads the state, applies `change`, saves it atomically, and prints the entry written and
/// what may run next.
fn record<F>(path: &Path, who: &Who, change: F) -> Outcome
where
    F: FnOnce(&mut ReleaseState, &str, Timestamp) -> Result<shiprail::plan::AuditEntry, Error>,
{
    let mut state = ReleaseState::load(path)?;
    let at = time(who.at.as_deref())?;
    let entry = change(&mut state, &actor(who.by.as_deref()), at)?;
    state.save(path)?;
    let next = state.next(at);
    Ok(json!({ "recorded": to_json(&entry)?, "ready": next.ready, "complete": next.complete }))
}

pub(crate) fn run(cmd: &Command) -> Outcome {
    match cmd {
        Command::Init(args) => {
            let path = &args.state.state;
            if path.exists() && !args.force {
                return Err(Error::new(
                    ErrorKind::Io,
                    format!(
                        "`{}` exists: a release state is started once (--force replaces it)",
                        path.display()
                    ),
                )
                .with_input(path.display().to_string())
                .into());
            }
            let plan = read_plan(&args.plan)?;
            let previous = match &args.previous {
                Some(p) => Some(ReleaseState::load(p)?),
                None => None,
            };
            let state = ReleaseState::new(
                &plan,
                InitOptions {
                    service: args.service.clone(),
                    author: args.author.clone(),
                    actor: Some(actor(args.who.by.as_deref())),
                    at: Some(time(args.who.at.as_deref())?),
                    previous,
                },
            )?;
            state.save(path)?;
            let next = state.next(time(args.who.at.as_deref())?);
            Ok(json!({
                "state": path.display().to_string(),
                "service": state.release.service,
                "version": state.release.version,
                "previous": to_json(&state.previous)?,
                "ready": next.ready,
            }))
        }
        Command::Record(record_cmd) => match record_cmd {
            RecordCommand::Gate {
                state,
                step,
                result,
                digest,
                who,
            } => {
                let result: GateResult = result.parse()?;
                record(&state.state, who, |s, by, at| {
                    s.record_gate(step, result, digest.as_deref(), by, at)
                        .cloned()
                })
            }
            RecordCommand::Approve {
                state,
                env,
                digest,
                comment,
                who,
            } => {
                if who.by.is_none() {
                    return Err(Error::new(
                        ErrorKind::InvalidEvent,
                        "an approval names its reviewer: pass --by",
                    )
                    .into());
                }
                record(&state.state, who, |s, by, at| {
                    s.record_approval(env, digest, by, comment.as_deref(), at)
                        .cloned()
                })
            }
            RecordCommand::Promote {
                state,
                env,
                digest,
                who,
            } => record(&state.state, who, |s, by, at| {
                s.record_promotion(env, digest, by, at).cloned()
            }),
            RecordCommand::Deploy {
                state,
                env,
                digest,
                who,
            } => record(&state.state, who, |s, by, at| {
                s.record_deployment(env, digest, by, at).cloned()
            }),
        },
        Command::Next { state, at } => {
            let s = ReleaseState::load(&state.state)?;
            to_json(&s.next(time(at.as_deref())?))
        }
        Command::RollbackPlan { state, env } => {
            to_json(&ReleaseState::load(&state.state)?.rollback_plan(env)?)
        }
        Command::Audit { state, .. } => {
            let s = ReleaseState::load(&state.state)?;
            Ok(json!({
                "verified": true,
                "entries": to_json(&s.audit())?,
                "head": s.audit().last().map(|e| e.hash.clone()),
            }))
        }
        Command::Lint { config } => {
            let config = require_config(config.as_deref())?;
            let findings = plan_lint(&config);
            let errors = findings
                .iter()
                .filter(|f| f.severity == LintSeverity::Error)
                .count();
            Ok(json!({ "passed": errors == 0, "findings": to_json(&findings)? }))
        }
    }
}

/// Runs `shiprail release ...`: `audit --jsonl` prints JSON lines; `lint` exits 1 when a
/// finding is an error; everything else goes through the common output path.
pub(crate) fn main(cmd: &Command, format: Format) -> ExitCode {
    if let Command::Audit { state, jsonl: true } = cmd {
        return match ReleaseState::load(&state.state) {
            Ok(s) => {
                if std::io::stdout()
                    .lock()
                    .write_all(s.audit_json_lines().as_bytes())
                    .is_err()
                {
                    return ExitCode::from(2);
                }
                ExitCode::SUCCESS
            }
            Err(e) => output::finish(format, Err(e.into())),
        };
    }
    let outcome = run(cmd);
    let lint_failed = matches!(cmd, Command::Lint { .. })
        && matches!(&outcome, Ok(v) if v["passed"] == json!(false));
    let code = output::finish(format, outcome);
    if lint_failed {
        // The findings are printed; a broken release rule exits 1.
        return ExitCode::from(1);
    }
    code
}
