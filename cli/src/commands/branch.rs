//! `shiprail branch <REF>`: classify a branch or ref.

use super::{load_config, to_json};
use crate::output::Outcome;
use std::path::PathBuf;

/// Arguments of `shiprail branch`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// A branch name (`release/delivery/v1.0.2`) or full ref (`refs/heads/...`).
    #[arg(value_name = "REF")]
    reference: String,
    /// The shiprail.yaml (default: ./shiprail.yaml when present, else the default rules).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

pub(crate) fn run(args: &Args) -> Outcome {
    let config = load_config(args.config.as_deref())?;
    to_json(&config.classify_branch(&args.reference)?)
}
