//! `shiprail lint`: pipeline triggers and shiprail.yaml checked against the branch rules, the
//! services and the files of the repository.

use super::{load_config, to_json};
use crate::output::{Failure, Outcome};
use serde_json::json;
use shiprail::trigger::lint::{Finding, LintContext, Severity, lint_config};
use shiprail::trigger::{Dialect, PipelineFile};
use std::path::{Path, PathBuf};

/// Arguments of `shiprail lint`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Pipeline files to lint (azure-pipelines.yml files, GitHub workflows).
    #[arg(value_name = "PIPELINE")]
    pipelines: Vec<PathBuf>,
    /// The shiprail.yaml (default: ./shiprail.yaml when present).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// The monorepo's root, whose files path filters are checked against (default: the
    /// folder of the configuration, else the current folder).
    #[arg(long, value_name = "DIR")]
    repo: Option<PathBuf>,
    /// The dialect of every pipeline file (detected per file when omitted).
    #[arg(long, value_parser = parse_dialect)]
    dialect: Option<Dialect>,
}

fn parse_dialect(s: &str) -> Result<Dialect, String> {
    s.parse()
        .map_err(|e: shiprail::Error| e.message().to_string())
}

pub(crate) fn run(args: &Args) -> Outcome {
    let config_path = args.config.clone().or_else(|| {
        Path::new(shiprail::config::FILE_NAME)
            .is_file()
            .then(|| shiprail::config::FILE_NAME.into())
    });
    let config = load_config(config_path.as_deref())?;
    let root = match (&args.repo, &config_path) {
        (Some(repo), _) => repo.clone(),
        (None, Some(path)) => path.parent().map(Path::to_path_buf).unwrap_or_default(),
        (None, None) => PathBuf::new(),
    };
    let root = if root.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        root
    };
    let files = shiprail::changes::repository_files(&root)?;

    let mut findings: Vec<(Option<String>, Finding)> = Vec::new();
    if !config.services.is_empty() {
        let file = config_path.as_ref().map(|p| p.display().to_string());
        for finding in lint_config(&config, &files)? {
            findings.push((file.clone(), finding));
        }
    }
    let context = LintContext::new(
        &config.branches,
        config
            .service_names()
            .into_iter()
            .map(String::from)
            .collect(),
    )
    .with_repo_paths(files);
    for path in &args.pipelines {
        let pipeline = PipelineFile::load(args.dialect, path)?;
        for finding in pipeline.lint(&context) {
            findings.push((Some(path.display().to_string()), finding));
        }
    }

    let count = |severity| {
        findings
            .iter()
            .filter(|(_, f)| f.severity == severity)
            .count()
    };
    let (errors, warnings, infos) = (
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info),
    );
    let listed: Vec<serde_json::Value> = findings
        .iter()
        .map(|(file, finding)| {
            let mut value = to_json(finding)?;
            value["file"] = json!(file);
            Ok(value)
        })
        .collect::<Result<_, Failure>>()?;
    let report = json!({
        "findings": listed,
        "errors": errors,
        "warnings": warnings,
        "infos": infos,
    });
    if errors > 0 {
        return Err(Failure::Findings(report));
    }
    Ok(report)
}
