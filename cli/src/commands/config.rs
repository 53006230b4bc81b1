//! `shiprail config ...`: check a configuration, print its schema.

use super::to_json;
use crate::output::Outcome;
use serde_json::json;
use shiprail::config::{Config, FILE_NAME};
use std::path::PathBuf;

/// Subcommands of `shiprail config`.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
    /// Parse and validate a shiprail.yaml; print its services and environments.
    Check {
        /// The file (default: ./shiprail.yaml).
        #[arg(value_name = "FILE")]
        file: Option<PathBuf>,
    },
    /// Print the JSON Schema of shiprail.yaml.
    Schema,
}

pub(crate) fn run(cmd: &Command) -> Outcome {
    match cmd {
        Command::Check { file } => {
            let file = file.clone().unwrap_or_else(|| PathBuf::from(FILE_NAME));
            let config = Config::load(&file)?;
            let mut services = serde_json::Map::new();
            for name in config.service_names() {
                services.insert(
                    name.to_string(),
                    json!({
                        "image": config.image_repository(name)?,
                        "depends_on_services": config.service_dependencies(name)?,
                    }),
                );
            }
            Ok(json!({
                "valid": true,
                "file": file.display().to_string(),
                "services": services,
                "environments": config.environments.keys().collect::<Vec<_>>(),
            }))
        }
        Command::Schema => to_json(&Config::json_schema()),
    }
}
