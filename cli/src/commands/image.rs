//! `shiprail image ...`: image references.

use super::{require_config, to_json};
use crate::output::Outcome;
use std::path::PathBuf;

/// Subcommands of `shiprail image`.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
    /// The reference an image is promoted to for an environment.
    Target {
        /// The source image reference (`myrepo.azurecr.io/delivery:v1.0.2`).
        #[arg(value_name = "REF")]
        reference: String,
        /// The environment promoted into (its `registry_namespace` names the destination).
        #[arg(long)]
        env: String,
        /// The shiprail.yaml (default: ./shiprail.yaml).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
}

pub(crate) fn run(cmd: &Command) -> Outcome {
    match cmd {
        Command::Target {
            reference,
            env,
            config,
        } => {
            let config = require_config(config.as_deref())?;
            to_json(&config.promotion_target(reference, env)?)
        }
    }
}
